"""Export of a sample with its lineage, measurements, shipments and records as an ``.eln`` archive
(an RO-Crate 1.1 in a ZIP with one top folder); :mod:`bigmap_kg.importing.crate_import` reads it
back without loss."""

from __future__ import annotations

import hashlib
import io
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from bigmap_kg.entries import describe_entry
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.importing.crate_format import (
    METADATA_FILE,
    PREFIXES,
    RO_CRATE_CONTEXT,
    RO_CRATE_SPEC,
    TURTLE_FILE,
    compact,
    display_name,
    folder_name,
    zip_crate,
)
from bigmap_kg.importing.resolve import Resolver, local_name
from bigmap_kg.namespaces import BMK, BMK_IRI
from bigmap_kg.queries import inject_values, query_text
from bigmap_kg.store.base import TripleStore

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAMES = {DEFAULT_LICENSE: "Creative Commons Attribution 4.0 International (CC BY 4.0)"}
PUBLISHER = {"@id": "https://www.big-map.eu/", "@type": "Organization", "name": "BIG-MAP",
             "url": "https://www.big-map.eu/"}
JSONObject = dict[str, Any]



# How the root dataset counts the entries, in this order.
KINDS = ((BMK.Sample, "sample(s)"), (BMK.Measurement, "measurement(s)"), (BMK.Shipment, "shipment(s)"),
         (BMK.ArchiveRecord, "archive record(s)"), (BMK.NotebookEntry, "notebook entry(ies)"))


def export_crate(store: TripleStore, sample: str, *, published: datetime | None = None,
                 license: str = DEFAULT_LICENSE) -> bytes:
    """The ``.eln`` archive of a sample (its ID or IRI): the sample, its ancestors and
    descendants (bmk:derivedFrom), the measurements and shipments of any of them, and the archive
    records and notebook entries that document any of those samples or measurements."""
    iri = find_sample(store, sample)
    entries = collect_entries(store, iri)
    data = Graph()
    for entry in entries:
        data += describe_entry(store, entry)
    when = published or datetime.now(UTC)
    sample_id = display_id(data, iri)
    turtle = turtle_bytes(data)
    metadata = crate_metadata(data, entries, iri, sample_id, turtle, when, license)
    files = {METADATA_FILE: json.dumps(metadata, indent=2, ensure_ascii=False).encode("utf-8"),
             TURTLE_FILE: turtle}
    return zip_crate(folder_name(sample_id), files, when)


def find_sample(store: TripleStore, sample: str) -> URIRef:
    """The sample's IRI, or UnknownReference naming the closest sample IDs."""
    found = Resolver(store).resolve([BMK.Sample], sample)
    if found.iri is None:
        raise UnknownReference(found.problem or f"unknown sample {sample!r}", Location(field="sample"),
                               hint=found.expected)
    return found.iri


def collect_entries(store: TripleStore, sample: URIRef) -> list[URIRef]:
    """The entries of the export, the sample first, then its lineage, measurements, shipments,
    records and notebook entries (each group sorted)."""
    lineage = (related(store, query_text("export/crate-ancestors"), [sample])
               | related(store, query_text("export/crate-descendants"), [sample])) - {sample}
    samples = [sample, *sorted(lineage)]
    measurements = sorted(related(store, query_text("export/crate-measurements"), samples))
    shipments = sorted(related(store, query_text("export/crate-shipments"), samples))
    records = sorted(related(store, query_text("export/crate-records"), [*samples, *measurements]))
    return list(dict.fromkeys([*samples, *measurements, *shipments, *records]))


def related(store: TripleStore, query: str, nodes: list[URIRef]) -> set[URIRef]:
    rows: list[list[Node | None]] = [[node] for node in nodes]
    text = inject_values(query, [(["x"], rows)], "crate-export")
    return {row["entry"] for row in store.select(text).rows if isinstance(row["entry"], URIRef)}


def display_id(data: Graph, iri: URIRef) -> str:
    ids = sorted(str(o) for o in data.objects(iri, BMK.identifier))
    return ids[0] if ids else local_name(str(iri))


class ExactTurtleSerializer(TurtleSerializer):
    """Turtle that writes every literal with its lexical form and datatype (``"80"^^xsd:decimal``):
    the shorthand would turn a stored ``80`` into ``80.0``, another RDF term."""

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal):
            return node._literal_n3(qname_callback=lambda dt: self.get_pname(dt, False))
        return super().label(node, position)


def turtle_bytes(data: Graph) -> bytes:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph += data
    out = io.BytesIO()
    ExactTurtleSerializer(graph).serialize(out, encoding="utf-8")
    return out.getvalue()


# -- ro-crate-metadata.json --------------------------------------------------------------------

def crate_metadata(data: Graph, entries: list[URIRef], sample: URIRef, sample_id: str, turtle: bytes,
                   when: datetime, license: str) -> JSONObject:
    stamp = when.isoformat(timespec="seconds")
    descriptor = {"@id": METADATA_FILE, "@type": "CreativeWork", "about": {"@id": "./"},
                  "conformsTo": {"@id": RO_CRATE_SPEC}, "dateCreated": stamp,
                  "sdPublisher": {"@id": PUBLISHER["@id"]}}
    root = {"@id": "./", "@type": "Dataset", "name": f"bigmap-kg export of sample {sample_id}",
            "description": summary(data, entries, sample_id), "datePublished": stamp,
            "license": {"@id": license}, "about": {"@id": str(sample)},
            "hasPart": [{"@id": TURTLE_FILE}], "mentions": [{"@id": str(e)} for e in entries]}
    turtle_file = {"@id": TURTLE_FILE, "@type": "File", "name": TURTLE_FILE,
                   "description": "The same entries as RDF (Turtle), for tools that read plain RDF.",
                   "encodingFormat": "text/turtle", "contentSize": str(len(turtle)),
                   "sha256": hashlib.sha256(turtle).hexdigest()}
    licence = {"@id": license, "@type": "CreativeWork", "name": LICENSE_NAMES.get(license, license),
               "description": f"The licence of this export: {license}"}
    graph = [descriptor, root, turtle_file, licence, PUBLISHER, *entities(data, entries)]
    return {"@context": [RO_CRATE_CONTEXT, dict(PREFIXES)], "@graph": graph}


def summary(data: Graph, entries: list[URIRef], sample_id: str) -> str:
    counts = []
    for cls, words in KINDS:
        n = sum(1 for e in entries if (e, RDF.type, cls) in data)
        counts.append(f"{n} {words}")
    return (f"Sample {sample_id} of the bigmap-kg knowledge graph with its lineage (samples it "
            f"derives from and derived from it), the measurements and shipments of those samples, "
            f"and the archive records and notebook entries documenting them: {', '.join(counts)}. "
            f"Each is an entity with its IRI, its classes and its properties under the prefix "
            f"bmk: ({BMK_IRI}); {TURTLE_FILE} holds the same triples.")


def entities(data: Graph, entries: list[URIRef]) -> list[JSONObject]:
    """Each entry, followed by its blank nodes (labelled _:b0, _:b1... in order of appearance)."""
    labels: dict[BNode, str] = {}
    out: list[JSONObject] = []
    for entry in entries:
        todo: list[Node] = [entry]
        while todo:
            node = todo.pop(0)
            for o in sorted(set(data.objects(node, None)), key=lambda t: sort_key(data, t)):  # type: ignore[arg-type]
                if isinstance(o, BNode) and o not in labels:
                    labels[o] = f"_:b{len(labels)}"
                    todo.append(o)
            out.append(entity(data, node, labels))
    return out


def entity(data: Graph, node: Node, labels: dict[BNode, str]) -> JSONObject:
    out: JSONObject = {"@id": labels[node] if isinstance(node, BNode) else str(node)}
    types = sorted(compact(str(t)) for t in data.objects(node, RDF.type) if isinstance(t, URIRef))  # type: ignore[arg-type]
    if types:
        out["@type"] = types[0] if len(types) == 1 else types
    if isinstance(node, URIRef):
        out["name"] = display_name(data, node)
    values: dict[str, list[Node]] = defaultdict(list)
    for p, o in data.predicate_objects(node):  # type: ignore[arg-type]
        if not (p == RDF.type and isinstance(o, URIRef)):
            values[compact(str(p))].append(o)
    for key in sorted(values):
        items = [json_value(o, labels) for o in sorted(values[key], key=lambda t: sort_key(data, t))]
        out[key] = items[0] if len(items) == 1 else items
    return out


def sort_key(data: Graph, term: Node) -> str:
    """Terms in a stable order; blank nodes by what they say (their labels are random)."""
    if not isinstance(term, BNode):
        return term.n3()
    own = sorted(f"{p.n3()} {'[]' if isinstance(o, BNode) else o.n3()}"
                 for p, o in data.predicate_objects(term))  # type: ignore[arg-type]
    return "~" + " ; ".join(own)


def json_value(term: Node, labels: dict[BNode, str]) -> Any:
    """A term as JSON-LD: a reference, a plain string, or a value object that keeps the exact
    lexical form with its datatype or language (JSON numbers would become xsd:double)."""
    if isinstance(term, BNode):
        return {"@id": labels[term]}
    if isinstance(term, Literal):
        if term.datatype is not None:
            return {"@value": str(term), "@type": compact(str(term.datatype))}
        if term.language:
            return {"@value": str(term), "@language": term.language}
        return str(term)
    return {"@id": str(term)}
