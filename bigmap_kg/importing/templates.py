"""The import templates, written from ``mappings/columns.yaml``: a CSV header per entry type, a
JSON-LD document per entry type, one XLSX workbook (a read-me sheet, a sheet per entry type with
drop-down lists for the closed vocabularies), and the published JSON-LD ``@context`` that gives
the templates' plain keys their properties.

The context types dates, numbers, booleans and addresses; a reference column (a partner, a
technique, a sample ID...) stays a plain string, because it holds a name the importer resolves,
not an IRI. A key that means different properties in different entry types (``samples``,
``status``, ``site``, ``observables``) is defined in a context scoped to its type (JSON-LD 1.1),
so an object's ``@type`` decides it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.namespace import SKOS, XSD

from bigmap_kg.errors import UnknownReference
from bigmap_kg.importing.columns import Column, EntryType, entry_types, find
from bigmap_kg.importing.workbook_template import workbook_template
from bigmap_kg.namespaces import BMK_IRI, ID

CONTEXT_URL = "https://w3id.org/bigmap-kg/import/context.jsonld"
FORMATS = ("csv", "json", "xlsx")
WORKBOOK_NAME = "bigmap-kg-import.xlsx"
PREFIXES = {"bmk": BMK_IRI, "skos": str(SKOS), "xsd": str(XSD), "id": str(ID)}
DATATYPES = {"date": "xsd:date", "decimal": "xsd:decimal", "integer": "xsd:integer",
             "boolean": "xsd:boolean", "url": "xsd:anyURI"}


# -- the JSON-LD @context -----------------------------------------------------------------------
def compact(iri: URIRef) -> str:
    """``bmk:madeOf`` for an IRI under one of the context's prefixes."""
    for prefix, base in PREFIXES.items():
        if str(iri).startswith(base) and prefix != "id":
            return f"{prefix}:{str(iri)[len(base):]}"
    return str(iri)


def datatype(column: Column) -> str | None:
    """The XSD datatype of a column's values (a whole number ≥ 0 is xsd:nonNegativeInteger, as
    the shapes want); None for text, names and quantities."""
    if column.kind == "integer" and column.minimum is not None and column.minimum >= 0:
        return "xsd:nonNegativeInteger"
    return DATATYPES.get(column.kind)


def term_definition(column: Column) -> str | dict[str, str]:
    """``"bmk:sender"``, or with a datatype or a set ``{"@id": ..., "@type": ..., "@container": ...}``."""
    definition = {"@id": compact(column.property)}
    kind = datatype(column)
    if kind:
        definition["@type"] = kind
    if column.multiple:
        definition["@container"] = "@set"
    return definition if len(definition) > 1 else definition["@id"]


def class_term(et: EntryType) -> str:
    """``Sample``: the entry type's class local name, its ``@type`` in JSON."""
    return str(et.cls).removeprefix(BMK_IRI)


def context_document() -> dict[str, Any]:
    """The document published at :data:`CONTEXT_URL`."""
    meanings: dict[str, list[str | dict[str, str]]] = {}
    for et in entry_types().values():
        for column in et.columns:
            definitions = meanings.setdefault(column.name, [])
            if term_definition(column) not in definitions:
                definitions.append(term_definition(column))
    shared = {name: found[0] for name, found in meanings.items() if len(found) == 1}
    context: dict[str, Any] = {"@version": 1.1, **PREFIXES}
    for et in entry_types().values():
        scoped = {c.name: term_definition(c) for c in et.columns if c.name not in shared}
        iri = compact(et.cls)
        context[class_term(et)] = {"@id": iri, "@context": scoped} if scoped else iri
    context.update(shared)
    return {"@context": context}


# -- CSV and JSON templates -----------------------------------------------------------------------
def csv_template(et: EntryType) -> bytes:
    """The header row. UTF-8 with a byte-order mark: Excel then opens (and saves back) the file
    as UTF-8 rather than the Windows code page, which would garble names such as "Université";
    the readers drop the mark."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([c.name for c in et.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def json_template(keys: list[str]) -> bytes:
    """A JSON-LD document with one empty object per entry type."""
    graph = [{"@type": class_term(et), **{c.name: [] if c.multiple else "" for c in et.columns}}
             for et in (find(k) for k in keys)]
    return dumps({"@context": CONTEXT_URL, "@graph": graph})


def dumps(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def template(key: str, fmt: str) -> bytes:
    """The template of one entry type: ``template("samples", "csv")``."""
    et = find(key)
    if fmt == "csv":
        return csv_template(et)
    if fmt == "json":
        return json_template([et.key])
    if fmt == "xlsx":
        return workbook_template([et.key])
    raise UnknownReference(f"unknown template format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")


def write_examples(folder: Path) -> list[Path]:
    """Every template and the context into ``folder`` (examples/templates/ in the repository)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    for et in entry_types().values():
        files[f"{et.key}.csv"] = csv_template(et)
        files[f"{et.key}.json"] = json_template([et.key])
    files[WORKBOOK_NAME] = workbook_template(list(entry_types()))
    files["context.jsonld"] = dumps(context_document())
    written = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


# -- the XLSX workbook ----------------------------------------------------------------------------


def columns_markdown() -> str:
    """The columns of every entry type as Markdown tables, with an example row each (the block
    of docs/import.md between its ``columns`` markers, checked by a test)."""
    parts: list[str] = []
    for et in entry_types().values():
        title = f"### {et.title} (`{et.key}`, sheet \"{et.title}\", class `{compact(et.cls)}`)"
        parts.append(title + "\n")
        parts.append(f"{et.about}\n")
        parts.append("| column | required | takes | property | description |")
        parts.append("|---|---|---|---|---|")
        for c in et.columns:
            parts.append(f"| `{c.name}` | {'yes' if c.required else ''} | {c.expected()} | "
                         f"`{compact(c.property)}` | {c.about} |")
        header = ",".join(c.name for c in et.columns)
        example = ",".join(_csv_cell(c.example) for c in et.columns)
        parts.append(f"\nExample row:\n\n```csv\n{header}\n{example}\n```\n")
    return "\n".join(parts)


def _csv_cell(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in ',"\n') else text
