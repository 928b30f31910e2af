"""``python -m bigmap_kg``: the command line."""

from bigmap_kg.cli import app

app(prog_name="bigmap-kg")
