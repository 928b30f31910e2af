"""Rendering query results as a table, CSV or JSON, with labels for things."""

from __future__ import annotations

import json

from rdflib import Literal, URIRef
from rdflib.term import Node

from bigmap_kg.document import Document, Table, table_csv
from bigmap_kg.store.base import SelectResult, TripleStore

FORMATS = ("table", "csv", "json")


def labels_for(store: TripleStore, result: SelectResult) -> dict[URIRef, str]:
    """skos:prefLabel (else rdfs:label) of every IRI in the result."""
    return labels_of(store, {v for row in result.rows for v in row.values() if isinstance(v, URIRef)})


def labels_of(store: TripleStore, things: set[URIRef]) -> dict[URIRef, str]:
    """skos:prefLabel (else rdfs:label) of each IRI that has one."""
    return {URIRef(iri): label for iri, label in store.labels(sorted(str(t) for t in things)).items()}


def _text(value: Node | None, labels: dict[URIRef, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return labels.get(value, str(value))
    return str(value)


def _json_value(value: Node | None, labels: dict[URIRef, str]) -> object:
    if value is None:
        return None
    if isinstance(value, URIRef):
        return {"iri": str(value), "label": labels.get(value)}
    if isinstance(value, Literal):
        py = value.toPython()
        return py if isinstance(py, (int, float, bool, str)) else str(value)
    return str(value)


def render(result: SelectResult, fmt: str, labels: dict[URIRef, str]) -> str:
    """The result in ``table``, ``csv`` or ``json`` form."""
    cols = result.variables
    if fmt == "json":
        return json.dumps(
            [{c: _json_value(row.get(c), labels) for c in cols} for row in result.rows],
            indent=2, ensure_ascii=False, default=str)
    if fmt == "csv":
        return table_csv(result_table(result, labels))
    rows = [[_text(row.get(c), labels) for c in cols] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    widths = [min(w, 60) for w in widths]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(_clip(cell, w).ljust(w) for cell, w in zip(r, widths, strict=True)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def result_table(result: SelectResult, labels: dict[URIRef, str]) -> Table:
    """The result as a document table: one column per variable, things by label."""
    return Table([(c, c.replace("_", " ")) for c in result.variables],
                 [{c: _text(row.get(c), labels) for c in result.variables} for row in result.rows])


def named_query_report(store: TripleStore, name: str, values: dict[str, str], fmt: str) -> str:
    """A named query's answer as a report (Markdown, CSV, JSON or HTML) titled by its header."""
    from bigmap_kg.queries import get_query

    query = get_query(name)
    result = query.run(store, values)
    labels = labels_for(store, result)
    if fmt == "json":
        return render(result, "json", labels)
    table = result_table(result, labels)
    if fmt == "csv":
        return table_csv(table)
    doc = Document(query.title).paragraph(query.description).table(table)
    doc.paragraph(f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''}.")
    return doc.to_html() if fmt == "html" else doc.to_markdown()
