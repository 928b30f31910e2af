"""Checks on what the readers made, before IDs and shapes: IRIs that are not IRIs, blank nodes
that belong to no entry, an entry described twice, an ID used by two entries."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from bigmap_kg.importing.problems import ImportProblem, Origin
from bigmap_kg.importing.source import Mapped
from bigmap_kg.loader import loose_blank_nodes as unattached
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.store.base import is_iri


def bad_iris(mapped: Mapped, origin: Origin) -> list[ImportProblem]:
    """IRIs with characters an IRI may not hold (``a>b``, spaces): they would break the store."""
    bad = sorted({str(t) for triple in mapped.graph for t in triple
                  if isinstance(t, URIRef) and not is_iri(str(t))})
    return [ImportProblem(origin, f"{iri!r} is not a valid IRI", value=iri,
                          expected="an absolute IRI without spaces, quotes or <>{}|\\^`")
            for iri in bad[:20]]


def loose_blank_nodes(graph: Graph, origin: Origin) -> list[ImportProblem]:
    """A blank node must hang from an entry (an IRI): otherwise it is attributed to nobody and
    never removed with an entry (the rule of ``POST /entries``)."""
    loose = unattached(graph)
    if not loose:
        return []
    kinds = sorted({str(t).rsplit("#", 1)[-1] for b in loose for t in graph.objects(b, RDF.type)})
    what = f" ({', '.join(kinds)})" if kinds else ""
    return [ImportProblem(origin, f"{len(loose)} description(s) without an IRI{what} belong to no entry",
                          expected="give each thing an IRI of its own, or attach it to the entry it "
                                   "describes")]


def own_subjects(graph: Graph) -> set[URIRef]:
    """IRI subjects in our namespace: each is an entry of the import, whether a reader named it
    one or not (a nested node of a BattINFO document may name a stored sample)."""
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}


def described_twice(mapped: Mapped, new: Mapped) -> list[ImportProblem]:
    """Entries of one input that an earlier input of the same import describes too."""
    problems = []
    for entry in sorted(set(new.entries) & set(mapped.entries)):
        first = mapped.entries[entry]
        problems.append(ImportProblem(new.entries[entry], f"<{entry}> is described twice in this import: "
                                      f"also at {first.where()}", value=str(entry),
                                      expected="each entry in one file (or row) only"))
    return problems


def ids_in_two_entries(mapped: Mapped) -> list[ImportProblem]:
    """Two different entries of one class with the same ID in the import."""
    seen: dict[tuple[Node, str], URIRef] = {}
    problems = []
    for entry, ident in sorted(mapped.graph.subject_objects(BMK.identifier)):
        if not isinstance(entry, URIRef):
            continue
        for cls in mapped.graph.objects(entry, RDF.type):
            other = seen.setdefault((cls, str(ident)), entry)
            if other != entry:
                origin = mapped.entries.get(entry) or next(iter(mapped.entries.values()))
                problems.append(ImportProblem(origin, f"the ID {str(ident)!r} names two entries: <{other}> "
                                              f"and <{entry}>", value=str(ident),
                                              expected="one ID per entry"))
    return problems
