"""bigmap-kg: the knowledge graph of the BIG-MAP battery-characterisation platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bigmap-kg")
except PackageNotFoundError:  # running from a checkout that was not installed
    from bigmap_kg.__about__ import __version__

__all__ = ["__version__"]
