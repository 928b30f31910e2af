"""``docs/catalogue.md``: a Markdown summary of the catalogue, generated from the graph.

It is built from two named queries (``catalogue-counts`` and ``matrix``) so the document shows
exactly what a user gets from the store; a test regenerates it and compares it with the file.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from bigmap_kg.namespaces import BMK
from bigmap_kg.output import labels_for
from bigmap_kg.queries import get_query
from bigmap_kg.store.base import TripleStore

# The order of the cluster tables in D5.1 section 2.3.
CLUSTERS = (
    (BMK.DiffractionAndScattering, "Diffraction and scattering"),
    (BMK.Imaging, "Imaging"),
    (BMK.BulkSpectroscopy, "Bulk spectroscopy"),
    (BMK.SurfaceSpectroscopy, "Surface spectroscopy"),
)

MATRIX_COLUMNS = (
    ("row", "#"), ("category", "category"), ("technique", "technique"),
    ("probed_area", "probed area"), ("penetration_depth", "penetration depth"),
    ("time_resolution", "operando time resolution"), ("observables", "observables"),
    ("instruments", "instruments (partner)"), ("cells", "cells and holders (partner)"),
)

HEADER = """# The bigmap-kg catalogue

Generated from the graph by `bigmap-kg report catalogue -o docs/catalogue.md` after
`bigmap-kg init`; do not edit by hand (a test checks that this file is current). Sources: the
D5.1 experimental matrix and cell index, the D5.5 sample-holder table and the D5.3 demonstrator
(see [curation.md](curation.md)). Sizes and times are shown as the source writes them; the graph
also holds them as numbers with units where the source gives numbers.
"""


def _cell(value: Node | None, label: str = "") -> str:
    text = label or ("" if value is None else str(value))
    return " ".join(text.split()).replace("|", "\\|")


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_catalogue(store: TripleStore) -> str:
    """The Markdown document for the catalogue held in ``store``."""
    lines = [HEADER, "## Counts", ""]
    counts = get_query("catalogue-counts").run(store)
    lines += _table(["kind", "count", "in development"], [
        [_cell(r["kind"]), _cell(r["count"]), _cell(r["in_development"])] for r in counts.rows])
    matrix = get_query("matrix")
    for iri, name in CLUSTERS:
        result = matrix.run(store, {"cluster": name})
        rows = [r for r in result.rows if r["cluster"] == iri]
        lines += ["", f"## {name} ({len(rows)} rows)", ""]
        names = labels_for(store, result)
        table = [[_cell(value, names.get(value, "") if isinstance(value, URIRef) else "")
                  for value in (r.get(column) for column, _ in MATRIX_COLUMNS)] for r in rows]
        lines += _table([h for _, h in MATRIX_COLUMNS], table)
    return "\n".join(lines) + "\n"

