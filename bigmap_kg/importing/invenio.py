"""BIG-MAP Archive records as archive records. The archive runs InvenioRDM v12; a record is
read in the JSON its REST API serves (``GET /api/records/<id>``): one record, a list of them,
or a search response (``GET /api/records``, records under ``hits.hits``).

What is read: ``id`` (the record ID), ``links.self_html`` (else the address built from the ID,
https://archive.big-map.eu/records/<record ID>, D5.3 Annex 5.5), ``pids.doi.identifier``,
``metadata.title``, ``metadata.subjects`` (tags), ``files.entries`` (data files),
``metadata.creators[].affiliations[].name`` (the author partner) and
``metadata.related_identifiers[].identifier`` (the measurement or sample documented)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from bigmap_kg.importing.problems import ERROR, WARNING, ImportProblem, Origin
from bigmap_kg.importing.resolve import Resolution, Resolver, local_name
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.importing.tables import load_json
from bigmap_kg.namespaces import BMK, ID

ARCHIVE_RECORDS = "https://archive.big-map.eu/records/"
# Record IDs are made by base32-lib for invenio-rdm-records: 8 characters of Crockford's
# alphabet (no i, l, o, u) and 2 check digits, hyphenated after 5 (e.g. pxrf9-zfh45).
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
RECORD_ID = re.compile(r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{3}[0-9]{2}")
RECORD_KEYS = frozenset({"id", "pids", "links", "files", "parent", "revision_id", "is_published"})
DOCUMENTED = [BMK.Measurement, BMK.Sample]
DOI = re.compile(r"10\.\d{4,9}/\S+")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")


def _is_record(data: object) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("metadata"), dict)
            and bool(RECORD_KEYS & data.keys()))


def _records(data: object) -> tuple[list[object], bool] | None:
    """The records of a document, and whether there may be several (rows are then numbered)."""
    hits = data.get("hits") if isinstance(data, dict) else None
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return list(hits["hits"]), True
    if isinstance(data, list) and data and all(_is_record(item) for item in data):
        return list(data), True
    if _is_record(data):
        return [data], False
    return None


def is_invenio(data: object) -> bool:
    """An InvenioRDM record, a list of records, or a records search response."""
    return _records(data) is not None


def check_digits(record_id: str) -> int:
    """The check digits base32-lib computes for a record ID's first 8 characters."""
    number = 0
    for char in record_id.replace("-", "")[:-2]:
        number = number * 32 + CROCKFORD.index(char)
    return 97 - (100 * number) % 97 + 1


def _not_finite(data: object, path: str = "") -> Iterator[str]:
    """The field paths of NaN and Infinity values (Python's json reads them; JSON has none)."""
    if isinstance(data, float) and not math.isfinite(data):
        yield path or "(document)"
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _not_finite(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _not_finite(value, f"{path}[{index}]")


def read_invenio(source: Source, resolver: Resolver, documents: list[str] | None = None) -> Mapped:
    """Archive records from an InvenioRDM record JSON file. ``documents``: IDs of measurements or
    samples every record of the file documents (the CLI option ``--documents``)."""
    mapped = Mapped()
    data = load_json(source)
    if isinstance(data, ImportProblem):
        mapped.problems.append(data)
        return mapped
    found = _records(data)
    if found is None:
        mapped.problems.append(ImportProblem(
            Origin(source.name), "not an InvenioRDM record", expected="the JSON of GET /api/records/<id> "
            "(with id and metadata), a list of such records, or a search response with hits.hits"))
        return mapped
    records, several = found
    for index, record in enumerate(records, start=1):
        origin = Origin(source.name, row=index if several else None)
        mapped.rows += 1
        bad = [ImportProblem(replace(origin, column=path), "NaN or Infinity is not valid JSON",
                             expected="a number, a string or null") for path in _not_finite(record)]
        mapped.problems.extend(bad)
        if not bad:
            _read_record(record, origin, resolver, documents or [], mapped)
    return mapped


@dataclass
class _Record:
    """One record being read: its IRI, where it came from, and what it is written into."""

    iri: URIRef
    origin: Origin
    mapped: Mapped
    resolver: Resolver

    def at(self, column: str) -> Origin:
        return replace(self.origin, column=column)

    def add(self, prop: URIRef, value: Node, column: str, subject: URIRef | BNode | None = None) -> None:
        subject = subject if subject is not None else self.iri
        self.mapped.graph.add((subject, prop, value))
        self.mapped.cells.setdefault((subject, local_name(prop)), self.at(column))

    def problem(self, column: str, message: str, value: str | None = None,
                expected: str | None = None, severity: str = ERROR) -> None:
        self.mapped.problems.append(ImportProblem(self.at(column), message, value, expected, severity))


def _record_id(record: dict[str, object], origin: Origin, problems: list[ImportProblem]) -> str | None:
    value = record.get("id")
    at = replace(origin, column="id")
    expected = "the record ID: five characters, a hyphen, five characters, as in pxrf9-zfh45"
    if value is None or value == "":
        problems.append(ImportProblem(at, "the record has no id", expected=expected))
        return None
    if not isinstance(value, str) or not RECORD_ID.fullmatch(value):
        problems.append(ImportProblem(at, "not an InvenioRDM record ID", str(value), expected))
        return None
    if check_digits(value) != int(value[-2:]):
        problems.append(ImportProblem(
            at, "the last two digits of the record ID are not its check digits (a typo?)", value,
            f"check digits {check_digits(value):02d}; copy the ID from the record's address", WARNING))
    return value


def _read_record(record: object, origin: Origin, resolver: Resolver, documents: list[str],
                 mapped: Mapped) -> None:
    if not _is_record(record):
        mapped.problems.append(ImportProblem(origin, "not an InvenioRDM record",
                                             expected="a JSON object with id and metadata"))
        return
    assert isinstance(record, dict)
    record_id = _record_id(record, origin, mapped.problems)
    if record_id is None:
        return
    rec = _Record(ID[f"record/{quote(record_id, safe='-._~')}"], origin, mapped, resolver)
    if rec.iri in mapped.entries:
        first = mapped.entries[rec.iri]
        mapped.problems.append(ImportProblem(Origin(origin.file, origin.sheet, origin.row, "id"),
                                             f"record {record_id!r} appears twice: also at {first.where()}",
                                             value=record_id, expected="each record once"))
        return
    mapped.entries[rec.iri] = origin
    resolver.register(BMK.ArchiveRecord, record_id, rec.iri)
    rec.add(RDF.type, BMK.ArchiveRecord, "id")
    rec.add(BMK.identifier, Literal(record_id), "id")
    metadata = record["metadata"]
    if isinstance(metadata.get("title"), str) and metadata["title"].strip():
        rec.add(SKOS.prefLabel, Literal(metadata["title"].strip()), "metadata.title")
    _address(rec, record, record_id)
    _tags(rec, metadata.get("subjects"))
    _files(rec, record.get("files"))
    _author(rec, metadata.get("creators"))
    _documents(rec, metadata.get("related_identifiers"), documents)


def _address(rec: _Record, record: dict[str, object], record_id: str) -> None:
    """The URL (the record's page, else the archive's address pattern) and the DOI, if any."""
    links = record.get("links")
    html = links.get("self_html") if isinstance(links, dict) else None
    if isinstance(html, str) and html.startswith(("https://", "http://")):
        rec.add(BMK.url, Literal(html, datatype=XSD.anyURI), "links.self_html")
    else:
        rec.add(BMK.url, Literal(ARCHIVE_RECORDS + record_id, datatype=XSD.anyURI), "id")
    if record.get("is_published") is False or record.get("is_draft") is True:
        rec.problem("is_published", "the record is a draft: its address may change and only its owner "
                    "can see it", expected="a published record", severity=WARNING)
    pids = record.get("pids")
    doi = pids.get("doi") if isinstance(pids, dict) else None
    text = doi.get("identifier") if isinstance(doi, dict) else None
    if not isinstance(text, str) or not text.strip():
        return
    bare = text.strip()
    for prefix in DOI_PREFIXES:
        bare = bare.removeprefix(prefix)
    if DOI.fullmatch(bare):
        rec.add(BMK.doi, Literal("https://doi.org/" + bare, datatype=XSD.anyURI), "pids.doi.identifier")
    else:
        rec.problem("pids.doi.identifier", "not a DOI", text, "a DOI such as 10.1234/abcd")


def _tags(rec: _Record, subjects: object) -> None:
    for index, subject in enumerate(subjects if isinstance(subjects, list) else []):
        if not isinstance(subject, dict):
            continue
        text = subject.get("subject") or subject.get("id")
        if isinstance(text, str) and text.strip():
            rec.add(BMK.tag, Literal(text.strip()), f"metadata.subjects[{index}].subject")


def _files(rec: _Record, files: object) -> None:
    """One bmk:DataFile per entry, a blank node of the record's description (it is part of the
    record: written, exported and removed with it)."""
    entries = files.get("entries") if isinstance(files, dict) else None
    # A record serves {key: entry}; the files endpoint (GET /api/records/<id>/files) a list.
    items: list[tuple[str, object]] = (
        [(str(k), v) for k, v in entries.items()] if isinstance(entries, dict)
        else [(f"[{i}]", v) for i, v in enumerate(entries)] if isinstance(entries, list) else [])
    for name, entry in items:
        key = entry.get("key") if isinstance(entry, dict) else None
        key = key if isinstance(key, str) and key else None if name.startswith("[") else name
        if key is None:
            rec.problem(f"files.entries{name}", "a file entry without key", expected="the file name")
            continue
        column = f"files.entries.{key}.key"
        node = BNode()
        rec.add(BMK.hasFile, node, column)
        rec.add(RDF.type, BMK.DataFile, column, node)
        rec.add(BMK.fileName, Literal(key), column, node)


def _affiliations(creators: object) -> Iterator[tuple[str, str]]:
    """(field path, name) of each creator's affiliations and of organisational creators."""
    for i, creator in enumerate(creators if isinstance(creators, list) else []):
        if not isinstance(creator, dict):
            continue
        person = creator.get("person_or_org")
        if isinstance(person, dict) and person.get("type") == "organisational" and person.get("name"):
            yield f"metadata.creators[{i}].person_or_org.name", str(person["name"])
        for j, affiliation in enumerate(creator.get("affiliations") or []):
            if isinstance(affiliation, dict) and isinstance(affiliation.get("name"), str):
                yield f"metadata.creators[{i}].affiliations[{j}].name", affiliation["name"]


def _author(rec: _Record, creators: object) -> None:
    """The partner of the creators' affiliations, when they name exactly one."""
    partners: dict[URIRef, str] = {}
    unknown: set[str] = set()
    for column, name in _affiliations(creators):
        found = rec.resolver.resolve([BMK.Partner], name)
        if found.iri is not None:
            partners.setdefault(found.iri, column)
        elif name not in unknown:
            unknown.add(name)
            rec.problem(column, f"{found.problem}: not taken as the record's author partner", name,
                        found.expected, WARNING)
    if len(partners) == 1:
        (partner, column), = partners.items()
        rec.add(BMK.author, partner, column)
    elif partners:
        names = ", ".join(local_name(p) for p in sorted(partners))
        rec.problem("metadata.creators", f"the creators' affiliations name several partners ({names}): "
                    "no author partner written", expected="one partner", severity=WARNING)


def _candidates(text: str) -> list[str]:
    """The text, unquoted, and its last segment: an IRI, an ID, or an address ending with the ID."""
    whole = unquote(text.strip())
    tail = re.split(r"[/#:=?]", whole.rstrip("/"))[-1]
    return list(dict.fromkeys(t for t in (text.strip(), whole, tail) if t))


def _resolve(resolver: Resolver, text: str) -> Resolution:
    result = Resolution(None)
    for candidate in _candidates(text):
        result = resolver.resolve(DOCUMENTED, candidate)
        if result.iri is not None:
            return result
    return result


def _documents(rec: _Record, related: object, documents: list[str]) -> None:
    """The measurements or samples the record names (related identifiers) or is given."""
    found: dict[URIRef, str] = {}
    tried: list[tuple[str, str, Resolution]] = []
    for index, item in enumerate(related if isinstance(related, list) else []):
        text = item.get("identifier") if isinstance(item, dict) else None
        if isinstance(text, str) and text.strip():
            column = f"metadata.related_identifiers[{index}].identifier"
            result = _resolve(rec.resolver, text)
            if result.iri is not None:
                found.setdefault(result.iri, column)
            else:
                tried.append((column, text, result))
    for text in documents:
        result = rec.resolver.resolve(DOCUMENTED, text)
        if result.iri is not None:
            found.setdefault(result.iri, "--documents")
        else:
            rec.problem("--documents", result.problem or "unknown measurement or sample", text,
                        result.expected)
    for iri, column in found.items():
        rec.add(BMK.documents, iri, column)
    if not found:
        _nothing_documented(rec, tried, bool(documents))


def _nothing_documented(rec: _Record, tried: list[tuple[str, str, Resolution]], given: bool) -> None:
    hint = "or give the measurement's ID with --documents"
    if not tried and not given:
        rec.problem("metadata.related_identifiers", "the record names no measurement or sample it documents",
                    expected="a related identifier holding the ID of a stored measurement or sample "
                    f"(its IRI, its ID, or an address ending with it), {hint}")
    for column, text, result in tried:
        rec.problem(column, "names no measurement or sample known to the store", text,
                    f"{result.expected}; {hint}" if result.expected else hint)
