"""SPARQL results and graphs in the protocol's formats (JSON, XML, CSV, TSV; Turtle,
N-Triples, JSON-LD, RDF/XML), and choosing one from an HTTP Accept header."""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from bigmap_kg.errors import BigmapKGError
from bigmap_kg.sparql_protocol import Outcome

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
ALIASES = {
    "application/json": "json", "application/xml": "xml", "text/xml": "xml",
    "text/plain": "ntriples", "application/x-turtle": "turtle",
}
NAMES = {"nt": "ntriples", "ttl": "turtle", "json-ld": "jsonld", "rdf": "rdfxml"}


class NotAcceptable(BigmapKGError):
    """No format the client accepts can carry this kind of answer."""


def choose_format(kind: str, accept: str | None, explicit: str | None = None) -> str:
    """The format name for an answer of ``kind`` (select, ask, graph): an explicit ``format``
    parameter wins, then the Accept header by q-value, then JSON / Turtle."""
    offered = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
    default = "turtle" if kind == "graph" else "json"
    if explicit:
        name = NAMES.get(explicit.lower(), explicit.lower())
        name = ALIASES.get(name, name)
        name = next((k for k, v in offered.items() if v == name), name)
        if name not in offered:
            raise NotAcceptable(f"format {explicit!r} cannot carry a {kind} answer",
                                hint="use one of " + ", ".join(offered))
        return name
    if not accept:
        return default
    for media in ranked(accept):
        if media in ("*/*", "application/*", "text/*"):
            return default
        found = ALIASES.get(media) or next((k for k, v in offered.items() if v == media), None)
        if found in offered:
            return str(found)
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry a {kind} answer",
                        hint="accept one of " + ", ".join(offered.values()))


def ranked(accept: str) -> list[str]:
    """The media types of an Accept header, most wanted first (q-values, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, position, media.lower()))
    return [m for _, _, m in sorted(ranked)]


def media_type(kind: str, name: str) -> str:
    return (GRAPH_TYPES if kind == "graph" else RESULT_TYPES)[name]


RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def graph_bytes(graph: Graph, name: str) -> bytes:
    """A graph in one of GRAPH_TYPES' formats."""
    return graph.serialize(format=RDFLIB_FORMATS[name], encoding="utf-8")


def serialize(outcome: Outcome, name: str) -> bytes:
    """The answer in the named format."""
    if outcome.kind == "graph":
        graph = Graph()
        for s, p, o in outcome.rows:
            graph.add((s, p, o))  # type: ignore[arg-type]
        return graph_bytes(graph, name)
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[name]
    return writer(outcome).encode("utf-8")


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _json(outcome: Outcome) -> str:
    if outcome.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(outcome.boolean)})
    bindings = [{v: _json_term(t) for v, t in zip(outcome.variables, row, strict=True) if t is not None}
                for row in outcome.rows]
    return json.dumps({"head": {"vars": outcome.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    attr = ""
    if term.language:
        attr = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and term.datatype != XSD.string:
        attr = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attr}>{escape(str(term))}</literal>"


def _xml(outcome: Outcome) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if outcome.kind == "ask":
        out += ["</head>", f"<boolean>{str(bool(outcome.boolean)).lower()}</boolean>", "</sparql>"]
        return "\n".join(out)
    out += [f"<variable name={quoteattr(v)}/>" for v in outcome.variables]
    out += ["</head>", "<results>"]
    for row in outcome.rows:
        out.append("<result>" + "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(outcome.variables, row, strict=True) if t is not None) + "</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out)


def _csv(outcome: Outcome) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if outcome.kind == "ask":
        writer.writerows([["_askResult"], [str(bool(outcome.boolean)).lower()]])
        return buffer.getvalue()
    writer.writerow(outcome.variables)
    for row in outcome.rows:
        writer.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row])
    return buffer.getvalue()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: Turtle syntax, a literal always on one line."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.boolean):
            return str(term)
        quoted = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    return term.n3()


def _tsv(outcome: Outcome) -> str:
    if outcome.kind == "ask":
        return "?_askResult\n" + str(bool(outcome.boolean)).lower() + "\n"
    lines = ["\t".join("?" + v for v in outcome.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in outcome.rows]
    return "\n".join(lines) + "\n"
