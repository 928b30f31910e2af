"""Reading RDF files into rdflib graphs, with file, line and column on every syntax error."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from bigmap_kg.errors import Location, ParseError
from bigmap_kg.nesting import MAX_DEPTH, json_depth
from bigmap_kg.terms import to_rdflib

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
}
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
}


def format_for(name: str, explicit: str | None = None) -> str:
    """The format name for a file name (by suffix) or an explicit format or media type."""
    if explicit:
        key = explicit.split(";")[0].strip().lower()
        key = MEDIA_TYPES.get(key, key)
        if key not in FORMATS:
            raise ParseError(
                f"unknown RDF format {explicit!r}",
                Location(file=name),
                hint=f"use one of {', '.join(FORMATS)}",
            )
        return key
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ParseError(
            f"cannot tell the RDF format from the file name suffix {suffix or '(none)'!r}",
            Location(file=name),
            hint=f"name the file with one of {', '.join(sorted(SUFFIXES))} or give --format",
        )
    return SUFFIXES[suffix]


def parse_bytes(data: bytes | str, name: str, fmt: str | None = None) -> Graph:
    """Parse RDF text into a graph; graph names in quad formats are dropped (a batch is one graph).

    Raises :class:`ParseError` with the file, line and column of the first syntax error.
    """
    fmt = format_for(name, fmt)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"the file is not UTF-8 text (byte {exc.start})",
                Location(file=name),
                hint="save the file as UTF-8",
            ) from exc
    if fmt == "jsonld":
        depth, line = json_depth(data)
        if depth > MAX_DEPTH:
            raise ParseError(f"the JSON-LD is nested {depth} levels deep", Location(file=name, line=line),
                             hint=f"at most {MAX_DEPTH} levels are read")
    graph = Graph()
    try:
        for quad in ox.parse(data, format=FORMATS[fmt], base_iri=None):
            graph.add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            )
    except SyntaxError as exc:
        raise ParseError(
            f"{fmt} syntax error: {_strip_position(exc.msg)}",
            Location(file=name, line=exc.lineno, column=exc.offset),
            hint="fix the syntax at that position; nothing was written",
        ) from exc
    return graph


def parse_file(path: str | Path, fmt: str | None = None) -> Graph:
    """Parse one RDF file (format from its suffix unless given)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}", Location(file=str(path))) from exc
    return parse_bytes(data, str(path), fmt)


def _strip_position(message: str) -> str:
    head, sep, tail = message.partition(": ")
    return tail if sep and head.startswith("Parser error") else message
