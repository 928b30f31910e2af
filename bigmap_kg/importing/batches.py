"""Import batches: one named graph per accepted import, carrying its PROV-O provenance (who,
when, from which files and their SHA-256, with which tool version, how many rows); listed,
undone, replaced."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from bigmap_kg import __version__
from bigmap_kg.errors import EntryConflict, Location, UnknownReference
from bigmap_kg.importing.source import Source
from bigmap_kg.namespaces import BATCH_PREFIX, BMK, ID
from bigmap_kg.queries import inject_values, query_text
from bigmap_kg.store.base import TripleStore, check_graph_iri

PROV = Namespace("http://www.w3.org/ns/prov#")


@dataclass(frozen=True)
class Agent:
    """Who imports: a person (a login or a token's name) and, when known, the partner it acts for."""

    name: str
    partner: URIRef | None = None

    @classmethod
    def current_user(cls, partner: URIRef | None = None) -> Agent:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (some containers)
            name = "unknown"
        return cls(name, partner)


def provenance(batch: str, sources: list[Source], agent: Agent, rows: int, triples: int,
               started: datetime, ended: datetime) -> Graph:
    """The PROV-O description of a batch, stored inside the batch's own graph (so that undoing the
    batch removes it too)."""
    g = Graph()
    entity, activity = URIRef(batch), URIRef(f"{batch}#import")
    person = ID[f"agent/{quote(agent.name, safe='-._~@')}"]
    tool = ID[f"software/bigmap-kg/{quote(__version__, safe='-._~')}"]
    when = Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    g.add((entity, RDF.type, PROV.Bundle))
    g.add((entity, PROV.wasGeneratedBy, activity))
    g.add((entity, PROV.generatedAtTime, when))
    g.add((entity, BMK.rowCount, Literal(rows, datatype=XSD.nonNegativeInteger)))
    g.add((entity, BMK.tripleCount, Literal(triples, datatype=XSD.nonNegativeInteger)))
    g.add((activity, RDF.type, PROV.Activity))
    start = Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    g.add((activity, PROV.startedAtTime, start))
    g.add((activity, PROV.endedAtTime, when))
    g.add((activity, PROV.wasAssociatedWith, person))
    g.add((activity, PROV.wasAssociatedWith, tool))
    g.add((person, RDF.type, PROV.Person))
    g.add((person, RDFS.label, Literal(agent.name)))
    g.add((tool, RDF.type, PROV.SoftwareAgent))
    g.add((tool, RDFS.label, Literal(f"bigmap-kg {__version__}")))
    g.add((tool, OWL.versionInfo, Literal(__version__)))
    g.add((entity, PROV.wasAttributedTo, agent.partner or person))
    for source in sources:
        node = URIRef(f"urn:sha256:{source.sha256}")
        g.add((activity, PROV.used, node))
        g.add((entity, PROV.wasDerivedFrom, node))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, RDFS.label, Literal(source.name.replace("\\", "/").rsplit("/", 1)[-1])))
        g.add((node, BMK.sha256, Literal(source.sha256)))
    return g


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BatchInfo:
    """One batch as ``bigmap-kg batches`` lists it."""

    graph: str
    time: str | None = None
    partner: str | None = None
    agent: str | None = None
    rows: int | None = None
    triples: int | None = None
    files: str | None = None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def list_batches(store: TripleStore) -> list[BatchInfo]:
    """Imports with their provenance first (oldest first), then batch graphs without provenance."""
    found: dict[str, BatchInfo] = {}
    for row in store.select(query_text("import/batches")).rows:
        def text(name: str, row: Mapping[str, object] = row) -> str | None:
            value = row.get(name)
            return str(value) if value is not None else None
        graph = str(row["batch"])
        found[graph] = BatchInfo(graph, text("time"), text("partner"), text("agent"),
                                 int(str(row["rows"])), int(str(row["triples"])), text("files"))
    others = [BatchInfo(g) for g in store.graphs() if g.startswith(BATCH_PREFIX) and g not in found]
    return [*found.values(), *others]


def batch_iri(name: str) -> str:
    """A batch by its graph IRI or by the hexadecimal name after ``.../batch/`` (or its start)."""
    if name.startswith(BATCH_PREFIX):
        return str(check_graph_iri(name))
    return BATCH_PREFIX + name.strip()


def find_batch(store: TripleStore, name: str) -> str:
    """The stored batch a name stands for (a unique prefix of its hash is enough)."""
    wanted = batch_iri(name)
    graphs = [g for g in store.graphs() if g.startswith(BATCH_PREFIX)]
    matches = [g for g in graphs if g == wanted] or [g for g in graphs if g.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownReference(f"{name!r} matches {len(matches)} batches", Location(iri=wanted),
                               hint="give more of the batch name")
    raise UnknownReference(f"no batch {name!r} in the store", Location(iri=wanted),
                           hint="`bigmap-kg batches` lists them")


def dependants(store: TripleStore, batch: str) -> list[tuple[str, str, str]]:
    """(entry of the batch, entry elsewhere that links to it, its graph): what an undo would break."""
    text = inject_values(query_text("import/batch-dependants"), [(["batch"], [[URIRef(batch)]])],
                         "batch-dependants")
    return [(str(r["entry"]), str(r["other"]), str(r["graph"])) for r in store.select(text).rows]


def undo(store: TripleStore, name: str, *, force: bool = False) -> str:
    """Remove a batch (one transaction). Refused while entries of other batches link to its
    entries, unless forced."""
    batch = find_batch(store, name)
    linked = dependants(store, batch)
    if linked and not force:
        shown = "; ".join(f"<{other}> (in {graph}) links <{entry}>" for entry, other, graph in linked[:5])
        raise EntryConflict(f"other entries refer to entries of this batch: {shown}", Location(iri=batch),
                            hint="undo those first, or force the undo")
    store.drop_graph(batch)
    return batch


def attributed_partner(store: TripleStore, batch: str) -> URIRef | None:
    """The partner a batch's provenance attributes it to (None when it names none)."""
    rows = store.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#>\nPREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>\n"
        f"SELECT ?p WHERE {{ GRAPH <{check_graph_iri(batch)}> {{ <{batch}> prov:wasAttributedTo ?p }} "
        "?p a/(<http://www.w3.org/2000/01/rdf-schema#subClassOf>*) bmk:Partner }").rows
    values = [r["p"] for r in rows if isinstance(r["p"], URIRef)]
    return values[0] if values else None
