"""Entries written one by one (the HTTP service's ``/entries``): create, replace, delete, with the
shapes checked first and the writer's right to each entry checked against its attribution.

An entry is an IRI the data describes (a subject), with the blank nodes hanging from it (its
quantities, contents, capabilities). Creating refuses IRIs the store already describes; replacing
removes the entry's stored description (the IRI's triples and its blank nodes, in every batch
graph) and stores the new one as a batch, in one update; deleting removes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef
from rdflib.term import Node

from bigmap_kg.access import AccessDenied, Identity
from bigmap_kg.errors import EntryConflict, Location, ParseError, UnknownReference, ValidationFailed
from bigmap_kg.loader import (
    WriteResult,
    batch_graph_name,
    described,
    loose_blank_nodes,
    validate_against_store,
)
from bigmap_kg.namespaces import BMK_IRI, CATALOGUE_GRAPH, DERIVED_GRAPHS, ONTOLOGY_GRAPH, SHAPES_GRAPH
from bigmap_kg.queries import inject_values
from bigmap_kg.resources import data_dir
from bigmap_kg.store import EmbeddedStore, TripleStore
from bigmap_kg.store.base import ntriples
from bigmap_kg.store.change import Change
from bigmap_kg.validation import Validator, short_name

PROTECTED_GRAPHS = {str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH)}
BNODE_DEPTH = 4


@dataclass
class EntryFacts:
    """What a store (or new data) says about one entry."""

    graphs: set[str] = field(default_factory=set)
    classes: set[URIRef] = field(default_factory=set)
    attributed: bool = False
    unattributed: set[URIRef] = field(default_factory=set)  # our classes without attribution
    owners: set[URIRef] = field(default_factory=set)

    @property
    def exists(self) -> bool:
        return bool(self.graphs)


@dataclass
class EntryWrite:
    """What a create or replace did."""

    iris: list[str]
    result: WriteResult


@cache
def _owners_query() -> str:
    return data_dir("queries").joinpath("access", "entry-owners.rq").read_text(encoding="utf-8")


def entry_facts(store: TripleStore, iris: list[URIRef]) -> dict[URIRef, EntryFacts]:
    """Graphs, classes and owners of the entries, as the store holds them."""
    facts: dict[URIRef, EntryFacts] = defaultdict(EntryFacts)
    attributed: set[tuple[URIRef, URIRef]] = set()
    candidates: set[tuple[URIRef, URIRef]] = set()
    for start in range(0, len(iris), 200):
        chunk: list[list[Node | None]] = [[iri] for iri in iris[start:start + 200]]
        text = inject_values(_owners_query(), [(["entry"], chunk)], "entry-owners")
        for row in store.select(text).rows:
            f = facts[row["entry"]]  # type: ignore[index]
            if row["graph"] is not None:
                f.graphs.add(str(row["graph"]))
            if isinstance(row["class"], URIRef):
                f.classes.add(row["class"])
            if row["property"] is not None:
                f.attributed = True
                attributed.add((row["entry"], row["class"]))  # type: ignore[arg-type]
            elif isinstance(row["class"], URIRef) and str(row["class"]).startswith(BMK_IRI):
                candidates.add((row["entry"], row["class"]))  # type: ignore[arg-type]
            if isinstance(row["owner"], URIRef):
                f.owners.add(row["owner"])
    for entry, cls in candidates - attributed:
        facts[entry].unattributed.add(cls)
    return {iri: facts[iri] for iri in iris}


def new_facts(data: Graph, ontology: Graph, store: TripleStore) -> dict[URIRef, EntryFacts]:
    """The same facts for data not yet stored: read from the data, its classes' attribution from
    the ontology (and an entry's stored types when the data gives none)."""
    scratch = EmbeddedStore(None)
    try:
        scratch.write_graph(str(ONTOLOGY_GRAPH), ontology)
        scratch.write_graph("urn:bigmap-kg:new-data", data)
        iris = described(data)
        facts = entry_facts(scratch, iris)
        for f in facts.values():
            f.graphs = set()  # not stored yet
    finally:
        scratch.close()
    untyped = [iri for iri, f in facts.items() if not f.classes]
    if untyped:
        for iri, stored in entry_facts(store, untyped).items():
            facts[iri].classes |= stored.classes
            facts[iri].attributed |= stored.attributed
            facts[iri].unattributed |= stored.unattributed
    return facts


def check_access(who: Identity, new: dict[URIRef, EntryFacts], old: dict[URIRef, EntryFacts]) -> None:
    """An admin may write anything; a partner only entries attributed to it, before and after."""
    if who.is_admin:
        return
    if not who.can_write or who.partner is None:
        raise AccessDenied(f"the token {who.name!r} may not write")
    refused: list[str] = []
    for iri in sorted(set(new) | set(old)):
        for label, facts in (("new", new.get(iri)), ("stored", old.get(iri))):
            if facts is None or (label == "stored" and not facts.exists):
                continue
            reason = _refusal(facts, who.partner)
            if reason:
                refused.append(f"{short_name(iri)} ({label}): {reason}")
    if refused:
        raise AccessDenied(
            f"the partner token {who.name!r} may not write " + "; ".join(refused[:10])
            + (f"; and {len(refused) - 10} more" if len(refused) > 10 else ""),
            Location(iri=str(next(iter(sorted(set(new) | set(old)))))),
            hint=f"partner tokens write entries attributed to {_partner(who.partner)} "
                 "(samples it prepared, its measurements, shipments it sent, its records, "
                 "requests and instruments); anything else needs an admin token")


def _partner(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _refusal(facts: EntryFacts, partner: URIRef) -> str | None:
    if str(CATALOGUE_GRAPH) in facts.graphs:
        return "it is part of the reference catalogue"
    if not facts.classes:
        return "it has no class, so it is attributed to no partner"
    if not facts.attributed or facts.unattributed:
        kinds = ", ".join(sorted(short_name(c) for c in (facts.unattributed or facts.classes)))
        return f"entries of class {kinds} are catalogue entries, not attributed to a partner"
    if facts.owners != {partner}:
        others = ", ".join(sorted(_partner(o) for o in facts.owners)) or "no partner"
        return f"it is attributed to {others}"
    return None


def create_entries(store: TripleStore, data: Graph, validator: Validator, who: Identity,
                   source: str | None = None) -> EntryWrite:
    """Store new entries as one batch; refuse IRIs already described, and other partners' entries."""
    iris = _require_entries(data, source)
    graph = batch_graph_name(data)
    old = entry_facts(store, iris)
    check_access(who, new_facts(data, validator.ontology, store), old)
    existing = [iri for iri, f in old.items() if f.exists and f.graphs != {graph}]
    if existing:
        names = ", ".join(str(i) for i in existing[:5])
        raise EntryConflict(f"{len(existing)} of the entries exist already: {names}",
                            Location(file=source, iri=str(existing[0])),
                            hint="change an entry with PUT /entries/{id}, or choose new IRIs")
    report = validate_against_store(store, data, validator, source)
    if not report.conforms:
        raise ValidationFailed(report)
    stored_before = graph in store.graphs()
    written = not stored_before or any(not f.exists for f in old.values())
    if written:  # a batch whose entries were deleted since is written again, whole
        store.write_graph(graph, data, replace=stored_before)
    return EntryWrite([str(i) for i in iris], WriteResult(graph, len(data), written, report))


def replace_entry(store: TripleStore, iri: URIRef, data: Graph, validator: Validator, who: Identity,
                  source: str | None = None) -> EntryWrite:
    """Replace the stored description of ``iri`` (and only of it) by ``data``."""
    iris = _require_entries(data, source)
    if iris != [iri]:
        others = ", ".join(str(i) for i in iris if i != iri) or "none"
        raise ParseError(f"the data must describe exactly the entry {iri}; it also describes {others}"
                         if iri in iris else f"the data does not describe {iri}",
                         Location(file=source, iri=str(iri)),
                         hint="send one entry's description (its blank nodes included) per PUT")
    old = entry_facts(store, [iri])
    if not old[iri].exists:
        raise UnknownReference(f"there is no entry {iri} to change", Location(iri=str(iri)),
                               hint="create it with POST /entries")
    _refuse_protected(old[iri], iri)
    check_access(who, new_facts(data, validator.ontology, store), old)
    report = validate_against_store(store, data, validator, source)
    if not report.conforms:
        raise ValidationFailed(report)
    graph = batch_graph_name(data)
    store.update(f"{_delete_description(iri)} ;\n" + store.insert_text(graph, ntriples(data)),
                 Change(added={graph: data}, removed_subjects={str(iri)}))
    return EntryWrite([str(iri)], WriteResult(graph, len(data), True, report))


def delete_entry(store: TripleStore, iri: URIRef, who: Identity) -> None:
    old = entry_facts(store, [iri])
    if not old[iri].exists:
        raise UnknownReference(f"there is no entry {iri}", Location(iri=str(iri)))
    _refuse_protected(old[iri], iri)
    check_access(who, {}, old)
    store.update(_delete_description(iri), Change(removed_subjects={str(iri)}))


def describe_entry(store: TripleStore, iri: URIRef) -> Graph:
    """The entry's description: its triples and its blank nodes' triples, from every graph."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_description_pattern(iri)} }}")
    assert isinstance(result, Graph)
    if not len(result):
        raise UnknownReference(f"there is no entry {iri}", Location(iri=str(iri)))
    return result


def _require_entries(data: Graph, source: str | None) -> list[URIRef]:
    """The entries the data describes; every blank node it describes must hang from one of them
    (a loose blank node would be attributed to nobody and never removed with an entry)."""
    iris = described(data)
    if not iris:
        raise ParseError("the data describes no entry (no triple has an IRI as subject)",
                         Location(file=source))
    loose = loose_blank_nodes(data)
    if loose:
        raise ParseError(f"{len(loose)} blank node(s) belong to no entry: every blank node must be "
                         "the value of a property of an entry (an IRI) in the same data",
                         Location(file=source),
                         hint="give the thing an IRI of its own, or attach it to the entry it describes")
    return iris


def _refuse_protected(facts: EntryFacts, iri: URIRef) -> None:
    if facts.graphs & PROTECTED_GRAPHS:
        raise AccessDenied(f"{iri} is part of the ontology or the shapes, which change only with a "
                           "new release", Location(iri=str(iri)))


def _description_pattern(iri: URIRef) -> str:
    """Triples of the IRI and of blank nodes reached from it through blank nodes only, each in
    the graph that holds it (bound as ?g, ?s ?p ?o)."""
    head = URIRef(iri).n3()
    branches = [f"{{ {head} ?p ?o BIND({head} AS ?s) }}"]
    for depth in range(1, BNODE_DEPTH + 1):
        # the last blank node is ?s itself: BIND(?bN AS ?s) made Virtuoso 7.2.5's compiler fail
        # ("SP031: sparp_gp_deprecate(): equiv replaces filter but under deprecation")
        nodes = [head, *(f"?b{i}" for i in range(1, depth)), "?s"]
        hops = " . ".join(f"{nodes[i - 1]} ?q{i} {nodes[i]}" for i in range(1, depth + 1))
        blanks = " && ".join(f"isBlank({node})" for node in nodes[1:])
        branches.append(f"{{ {hops} . ?s ?p ?o FILTER({blanks}) }}")
    derived = ", ".join(f"<{g}>" for g in DERIVED_GRAPHS)  # counts and name keys: no description
    return "GRAPH ?g { " + "\n  UNION ".join(branches) + f" }} FILTER(?g NOT IN ({derived}))"


def _delete_description(iri: URIRef) -> str:
    return (f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {_description_pattern(iri)} "
            f"FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{SHAPES_GRAPH}>)) }}")
