"""Which reader an input goes to: by its suffix, and for JSON by what the document is (the
templates' plain keys, an InvenioRDM record, BattINFO JSON-LD, other JSON-LD)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bigmap_kg.errors import BigmapKGError
from bigmap_kg.importing.problems import ImportProblem, Origin
from bigmap_kg.importing.resolve import Resolver
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.importing.tables import ReadResult, Table, load_json, read_csv, read_json_tables
from bigmap_kg.importing.templates import CONTEXT_URL
from bigmap_kg.parsing import SUFFIXES, parse_bytes

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonld")
CRATE_SUFFIXES = (".eln", ".zip", ".crate")


@dataclass
class ReaderOptions:
    """What the outside-format readers may need: IDs a record documents, local JSON-LD contexts."""

    documents: list[str] = field(default_factory=list)
    contexts: dict[str, Path] = field(default_factory=dict)


@dataclass
class Read:
    """What one input gave: tables (mapped later, together) or RDF already mapped."""

    tables: list[Table] = field(default_factory=list)
    mapped: Mapped = field(default_factory=Mapped)


def read_source(source: Source, resolver: Resolver, options: ReaderOptions) -> Read:
    """What one input gives; a document nested too deeply for the readers is a problem, not a crash."""
    try:
        return _read_source(source, resolver, options)
    except RecursionError:
        read = Read()
        read.mapped.problems.append(ImportProblem(Origin(source.name), "the file is nested too deeply to "
                                                  "be read", expected="entries a few levels deep"))
        return read


def _read_source(source: Source, resolver: Resolver, options: ReaderOptions) -> Read:
    suffix = source.suffix
    read = Read()
    if suffix in (".csv", ".tsv", ".txt"):
        return _tables(read, read_csv(source))
    if suffix == ".xlsx":
        from bigmap_kg.importing.workbook import read_xlsx

        return _tables(read, read_xlsx(source))
    if suffix in CRATE_SUFFIXES:
        from bigmap_kg.importing.crate import read_crate

        read.mapped = read_crate(source, resolver)
        return read
    if suffix in (".json", ".jsonld"):
        return _json(source, resolver, options)
    if suffix in SUFFIXES:
        return _rdf(source)
    known = ", ".join(sorted({*TABLE_SUFFIXES, *CRATE_SUFFIXES, *SUFFIXES}))
    message = f"cannot import a {suffix or 'suffix-less'} file"
    read.mapped.problems.append(ImportProblem(Origin(source.name), message,
                                              expected=f"a file named *{known.replace(', ', ', *')}"))
    return read


def is_tabular(source: Source) -> bool:
    """Rows in the templates' columns (CSV, XLSX, or JSON in the templates' keys)."""
    if source.suffix in (".csv", ".tsv", ".txt", ".xlsx"):
        return True
    if source.suffix not in (".json", ".jsonld"):
        return False
    from bigmap_kg.importing.battinfo import is_battinfo
    from bigmap_kg.importing.invenio import is_invenio

    document = load_json(source)
    return not (isinstance(document, ImportProblem) or is_invenio(document) or is_battinfo(document)
                or _is_rdf_jsonld(document))


def _tables(read: Read, result: ReadResult) -> Read:
    read.tables = result.tables
    read.mapped.problems.extend(result.problems)
    return read


def _json(source: Source, resolver: Resolver, options: ReaderOptions) -> Read:
    read = Read()
    document = load_json(source)
    if isinstance(document, ImportProblem):
        read.mapped.problems.append(document)
        return read
    from bigmap_kg.importing.battinfo import is_battinfo, read_battinfo
    from bigmap_kg.importing.invenio import is_invenio, read_invenio

    if is_invenio(document):
        read.mapped = read_invenio(source, resolver, options.documents)
    elif is_battinfo(document):
        read.mapped = read_battinfo(source, resolver, options.contexts)
    elif _is_rdf_jsonld(document):
        return _rdf(source)
    else:
        return _tables(read, read_json_tables(source, document))
    return read


def _is_rdf_jsonld(document: object) -> bool:
    """JSON-LD that is not written in the templates' keys: read as RDF."""
    if not isinstance(document, dict) or "@context" not in document:
        return False
    return document["@context"] != CONTEXT_URL


def _rdf(source: Source) -> Read:
    read = Read()
    try:
        graph = parse_bytes(source.data, source.name)
    except BigmapKGError as exc:
        loc = exc.location
        read.mapped.problems.append(ImportProblem(
            Origin(source.name, row=loc.line, column=f"character {loc.column}" if loc.column else None),
            exc.message, expected=exc.hint))
        return read
    from bigmap_kg.loader import described

    read.mapped.graph = graph
    read.mapped.rows = len(described(graph))
    read.mapped.entries = {iri: Origin(source.name) for iri in described(graph)}
    return read
