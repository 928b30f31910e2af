"""Writing into the store: the packaged ontology, shapes and catalogue, and validated batches."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF
from rdflib.term import Node

from bigmap_kg.errors import ValidationFailed
from bigmap_kg.namespaces import BATCH_PREFIX, CATALOGUE_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from bigmap_kg.store.base import TripleStore, check_graph_iri
from bigmap_kg.validation import ValidationReport, Validator, load_kind


@dataclass
class WriteResult:
    graph: str
    triples: int
    written: bool
    report: ValidationReport


@dataclass(frozen=True)
class InitResult:
    """What ``init_store`` wrote: triples per graph, and the catalogue's validation report
    (which conforms, but may carry warnings)."""

    counts: dict[str, int]
    report: ValidationReport


def init_store(store: TripleStore, validator: Validator | None = None) -> InitResult:
    """Load (or reload) ontology, shapes and catalogue into their graphs.

    The catalogue is validated first; with any violation nothing is written.
    """
    validator = validator or Validator()
    catalogue = load_kind("catalogue")
    report = validator.validate(catalogue, source="catalogue")
    if not report.conforms:
        raise ValidationFailed(report, "the packaged catalogue breaks the shapes")
    counts = {}
    for name, graph in ((str(ONTOLOGY_GRAPH), validator.ontology),
                        (str(SHAPES_GRAPH), validator.shapes),
                        (str(CATALOGUE_GRAPH), catalogue)):
        store.write_graph(name, graph, replace=True)
        counts[name] = len(graph)
    return InitResult(counts, report)


def described(data: Graph) -> list[URIRef]:
    """The entries the data describes: its IRI subjects, sorted."""
    return sorted({s for s in data.subjects() if isinstance(s, URIRef)})


def loose_blank_nodes(data: Graph) -> set[BNode]:
    """Blank-node subjects that hang from no IRI subject (directly or through other blank nodes):
    a description attributed to nobody, never removed with an entry."""
    reached: set[BNode] = set()
    todo: list[Node] = list(described(data))
    while todo:
        node = todo.pop()
        for child in data.objects(node, None):  # type: ignore[arg-type]
            if isinstance(child, BNode) and child not in reached:
                reached.add(child)
                todo.append(child)
    return {s for s in data.subjects() if isinstance(s, BNode)} - reached


def referenced_types(store: TripleStore, data: Graph, without: str | None = None) -> Graph:
    """The rdf:type triples the store holds for IRIs the data refers to but does not describe;
    ``without`` leaves one graph out (the batch an import replaces: its entries will be gone)."""
    targets = {o for o in data.objects() if isinstance(o, URIRef)} - set(described(data))
    context = Graph()
    targets_list = sorted(targets)
    pattern = "?s a ?t" if without is None else (
        f"GRAPH ?g {{ ?s a ?t }} FILTER(?g != <{check_graph_iri(without)}>)")
    for start in range(0, len(targets_list), 500):
        chunk = targets_list[start : start + 500]
        values = " ".join(t.n3() for t in chunk)
        result = store.select(f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {values} }} {pattern} }}")
        for row in result.rows:
            context.add((row["s"], RDF.type, row["t"]))  # type: ignore[arg-type]
    return context


def validate_against_store(
    store: TripleStore, data: Graph, validator: Validator, source: str | None = None
) -> ValidationReport:
    """Check new entries, resolving what they link to in the store."""
    focus = described(data)
    context = referenced_types(store, data)
    return validator.validate(data, context=context, focus=focus, source=source)


def batch_graph_name(data: Graph) -> str:
    """A batch's graph is named by the hash of its canonical content: the same data twice is one batch."""
    # Only the triples with blank nodes need the (slow) canonical labelling; the others are
    # hashed as they are, so a large batch with a few quantities or files stays fast.
    with_bnodes = Graph()
    lines = []
    for s, p, o in data:
        if isinstance(s, BNode) or isinstance(o, BNode):
            with_bnodes.add((s, p, o))
        else:
            lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
    if len(with_bnodes):
        labels = _tree_labels(with_bnodes)
        if labels is None:  # shared or cyclic blank nodes: the general (slow) canonical form
            lines.extend(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in to_canonical_graph(with_bnodes))
        else:
            lines.extend(f"{labels.get(s, s.n3())} {p.n3()} {labels.get(o, o.n3())} ."  # type: ignore[call-overload]
                         for s, p, o in with_bnodes)
    digest = hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
    return f"{BATCH_PREFIX}{digest[:32]}"


def _tree_labels(graph: Graph) -> dict[BNode, str] | None:
    """Content labels for blank nodes that form trees (each the value of at most one triple, no
    cycle: quantities, content lines, data files): a blank node is named by the hash of what it
    says, so equal content gets equal names without rdflib's general canonicalisation (seconds
    for a few thousand blank nodes). None when the blank nodes are shared or cyclic."""
    parents: dict[BNode, int] = {}
    for _s, _p, o in graph:
        if isinstance(o, BNode):
            parents[o] = parents.get(o, 0) + 1
            if parents[o] > 1:
                return None
    labels: dict[BNode, str] = {}
    visiting: set[BNode] = set()

    def label(node: BNode) -> str | None:
        if node in labels:
            return labels[node]
        if node in visiting:
            return None
        visiting.add(node)
        parts = []
        for p, o in graph.predicate_objects(node):
            inner = label(o) if isinstance(o, BNode) else o.n3()
            if inner is None:
                return None
            parts.append(f"{p.n3()} {inner}")
        labels[node] = "_:t" + hashlib.sha256("\n".join(sorted(parts)).encode("utf-8")).hexdigest()[:40]
        return labels[node]

    for node in {t for triple in graph for t in triple if isinstance(t, BNode)}:
        if label(node) is None:
            return None
    return labels


def write_batch(
    store: TripleStore, data: Graph, validator: Validator, source: str | None = None
) -> WriteResult:
    """Validate and write one batch into its own named graph; refuse it whole on any violation."""
    report = validate_against_store(store, data, validator, source)
    graph = batch_graph_name(data)
    if not report.conforms:
        raise ValidationFailed(report)
    if graph in store.graphs():
        return WriteResult(graph, len(data), False, report)
    store.write_graph(graph, data)
    return WriteResult(graph, len(data), True, report)
