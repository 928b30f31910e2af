"""The shapes graph read once into plain objects: node shapes with their targets and property
shapes with the constraint parameters the project's shapes use (``docs/curation.md`` lists them).

A parameter this reader does not know makes the shape unusable here: :func:`read_shapes` raises
:class:`UnsupportedShape`, and the validator falls back to pySHACL for the whole shapes graph,
so that a new kind of constraint is never silently skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

#: The shape parameters read here; any other sh: predicate on a shape is unsupported.
KNOWN = {SH.targetClass, SH.property, SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype,
         SH["in"], SH.pattern, SH.flags, SH.minInclusive, SH.maxInclusive, SH.lessThanOrEquals, SH.node,
         SH["or"], SH.message, SH.severity, SH.sparql, SH.name, SH.description, SH.order, SH.group,
         SH.deactivated}


class UnsupportedShape(Exception):
    """A shape uses a parameter this validator does not implement."""


@dataclass
class Shape:
    """A node shape or a property shape (``path`` set): the constraints on its focus node, or
    on the focus node's values along the path."""

    node: Node
    path: tuple[URIRef, ...] = ()  # one predicate, or the alternatives of sh:alternativePath
    path_node: Node | None = None  # sh:path's object, as results report it
    targets: tuple[URIRef, ...] = ()
    properties: list[Shape] = field(default_factory=list)
    min_count: int | None = None
    max_count: int | None = None
    classes: tuple[URIRef, ...] = ()
    datatype: URIRef | None = None
    allowed: frozenset[Node] | None = None  # sh:in
    patterns: tuple[tuple[str, str], ...] = ()  # (pattern, flags)
    min_inclusive: Literal | None = None
    max_inclusive: Literal | None = None
    less_or_equal: tuple[URIRef, ...] = ()
    nodes: tuple[Node, ...] = ()  # sh:node shapes, by node
    alternatives: tuple[tuple[Node, ...], ...] = ()  # each sh:or: its member shapes
    message: str | None = None
    severity: URIRef = SH.Violation
    deactivated: bool = False

    @property
    def is_property(self) -> bool:
        return bool(self.path)


def _one(graph: Graph, node: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(node, predicate))  # type: ignore[arg-type]
    if len(values) > 1:
        raise UnsupportedShape(f"{node} has {len(values)} values of {predicate}")
    return values[0] if values else None


def _list(graph: Graph, node: Node) -> list[Node]:
    return list(Collection(graph, node))  # type: ignore[arg-type]


def _path(graph: Graph, node: Node) -> tuple[URIRef, ...]:
    if isinstance(node, URIRef):
        return (node,)
    alternative = _one(graph, node, SH.alternativePath)
    rest = set(graph.predicates(node)) - {SH.alternativePath}  # type: ignore[arg-type]
    if alternative is None or rest:
        raise UnsupportedShape(f"path {node}: only predicates and sh:alternativePath of predicates")
    members = _list(graph, alternative)
    if not all(isinstance(m, URIRef) for m in members):
        raise UnsupportedShape(f"path {node}: alternatives must be predicates")
    return tuple(m for m in members if isinstance(m, URIRef))


def _int(node: Node | None) -> int | None:
    return int(node) if isinstance(node, Literal) else None  # type: ignore[call-overload]


def read_shape(graph: Graph, node: Node, shapes: dict[Node, Shape]) -> Shape:
    """The shape at ``node`` (and the shapes it refers to, into ``shapes``)."""
    if node in shapes:
        return shapes[node]
    unknown = {p for p in graph.predicates(node) if str(p).startswith(str(SH))} - KNOWN  # type: ignore[arg-type]
    if unknown:
        raise UnsupportedShape(f"{node} uses {', '.join(sorted(str(u) for u in unknown))}")
    shape = shapes[node] = Shape(node)
    path = _one(graph, node, SH.path)
    if path is not None:
        shape.path, shape.path_node = _path(graph, path), path
    shape.targets = tuple(t for t in graph.objects(node, SH.targetClass) if isinstance(t, URIRef))  # type: ignore[arg-type]
    shape.min_count = _int(_one(graph, node, SH.minCount))
    shape.max_count = _int(_one(graph, node, SH.maxCount))
    shape.classes = tuple(c for c in graph.objects(node, SH["class"]) if isinstance(c, URIRef))  # type: ignore[arg-type]
    datatype = _one(graph, node, SH.datatype)
    shape.datatype = datatype if isinstance(datatype, URIRef) else None
    allowed = _one(graph, node, SH["in"])
    shape.allowed = frozenset(_list(graph, allowed)) if allowed is not None else None
    flags = _one(graph, node, SH.flags)
    shape.patterns = tuple((str(p), str(flags or "")) for p in graph.objects(node, SH.pattern))  # type: ignore[arg-type]
    for name in ("min_inclusive", "max_inclusive"):
        value = _one(graph, node, SH.minInclusive if name == "min_inclusive" else SH.maxInclusive)
        setattr(shape, name, value if isinstance(value, Literal) else None)
    shape.less_or_equal = tuple(p for p in graph.objects(node, SH.lessThanOrEquals) if isinstance(p, URIRef))  # type: ignore[arg-type]
    shape.nodes = tuple(graph.objects(node, SH.node))  # type: ignore[arg-type]
    shape.alternatives = tuple(tuple(_list(graph, o)) for o in graph.objects(node, SH["or"]))  # type: ignore[arg-type]
    message = _one(graph, node, SH.message)
    shape.message = str(message) if message is not None else None
    severity = _one(graph, node, SH.severity)
    shape.severity = severity if isinstance(severity, URIRef) else SH.Violation
    shape.deactivated = str(_one(graph, node, SH.deactivated) or "").lower() == "true"
    for child in [*shape.nodes, *(m for members in shape.alternatives for m in members)]:
        read_shape(graph, child, shapes)
    shape.properties = [read_shape(graph, p, shapes) for p in graph.objects(node, SH.property)]  # type: ignore[arg-type]
    return shape


def read_shapes(graph: Graph) -> tuple[list[Shape], dict[Node, Shape]]:
    """The shapes with a target class (where validation starts), and every shape by node.
    ``sh:sparql`` constraints are left to :mod:`bigmap_kg.sparql_constraints`."""
    shapes: dict[Node, Shape] = {}
    starts = []
    for node in sorted(set(graph.subjects(SH.targetClass, None)), key=str):
        starts.append(read_shape(graph, node, shapes))
    for node in set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape)):
        if not isinstance(node, BNode) or node not in shapes:
            read_shape(graph, node, shapes)
    return starts, shapes
