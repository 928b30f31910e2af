"""SHACL Core validation of a data graph against the shapes of :mod:`bigmap_kg.shacl.shapes`,
in plain Python over an index of the data: what pySHACL reports for these shapes (a test
validates every shape case and random changes of them both ways), some forty times faster on
a large import, where pySHACL spent most of the time in its generic machinery.

The data graph is the data, the context (types of what it refers to) and the ontology mixed, as
pySHACL mixes an ``ont_graph`` in. A focus node of a shape with ``sh:targetClass C`` is any
SHACL instance of C (``rdf:type/rdfs:subClassOf*``). Results are reported per constraint
component as pySHACL does: one per failing value for value constraints, one per focus node for
counts and ``sh:or`` on a node shape."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from bigmap_kg.closure import reachable
from bigmap_kg.shacl.shapes import Shape

_ACTUAL: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


# rdflib's namespace attributes are looked up anew each time: read once here
TYPE, SUBCLASS, RDFS_LITERAL, RDFS_DATATYPE = RDF.type, RDFS.subClassOf, RDFS.Literal, RDFS.Datatype
XSD_STRING, LANG_STRING = XSD.string, RDF.langString


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL's report gives it."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Shape


class Data:
    """The data graph, indexed by subject and predicate, with each node's classes."""

    def __init__(self, graphs: Iterable[Graph]):
        self.out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.instances: dict[Node, set[Node]] = defaultdict(set)
        parents: dict[Node, set[Node]] = defaultdict(set)
        for graph in graphs:
            for s, p, o in graph:
                self.out[s][p].add(o)
                if p == TYPE:
                    self.instances[o].add(s)
                elif p == SUBCLASS:
                    parents[s].add(o)
        self._parents = parents
        self._subclasses: dict[Node, set[Node]] = {}

    def values(self, node: Node, path: tuple[URIRef, ...]) -> set[Node]:
        by = self.out.get(node)
        if by is None:
            return set()
        if len(path) == 1:
            return by.get(path[0], set())
        found: set[Node] = set()
        for p in path:
            found |= by.get(p, set())
        return found

    def superclasses(self, cls: Node) -> set[Node]:
        return reachable(cls, lambda c: self._parents.get(c, ()))

    def subclasses(self, cls: Node) -> set[Node]:
        found = self._subclasses.get(cls)
        if found is None:
            children: dict[Node, set[Node]] = defaultdict(set)
            for sub, sups in self._parents.items():
                for sup in sups:
                    children[sup].add(sub)
            found = self._subclasses[cls] = reachable(cls, lambda c: children.get(c, ()))
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        if isinstance(node, Literal):
            return False
        types = self.out.get(node, {}).get(TYPE, ())
        return any(cls in self.superclasses(t) for t in types)

    def focus_nodes(self, shape: Shape) -> set[Node]:
        found: set[Node] = set()
        for target in shape.targets:
            for cls in self.subclasses(target):
                found |= self.instances.get(cls, set())
        return found


@cache
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    options = 0
    for letter, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE)):
        if letter in flags:
            options |= flag
    return re.compile(pattern, options)


def _datatype_ok(value: Node, rule: URIRef) -> bool:
    if not isinstance(value, Literal):
        return False
    if value.datatype == rule:
        if getattr(value, "ill_typed", None) is True:
            return False
        expected = _ACTUAL.get(rule)
        return expected is None or isinstance(value.value, expected)
    if rule == RDFS_LITERAL or (rule == RDFS_DATATYPE and value.datatype is not None):
        return True
    if value.datatype is None and value.language is None and rule == XSD_STRING:
        return isinstance(value.value, (str, bytes))
    return rule == LANG_STRING and bool(value.language) and isinstance(value.value, (str, bytes))


def _in_range(value: Node, bound: Literal, minimum: bool) -> bool:
    if not isinstance(value, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        order = compare_literal(value, bound)
    except (TypeError, NotImplementedError):
        return False
    return order >= 0 if minimum else order <= 0


def _comparable(node: Node) -> tuple[bool, object]:
    if isinstance(node, URIRef):
        return True, str(node)
    if isinstance(node, Literal) and isinstance(node.value, str):
        return True, node.value
    return False, node


def _less_or_equal(value: Node, other: Node) -> bool:
    value_is_text, left = _comparable(value)
    other_is_text, right = _comparable(other)
    if value_is_text != other_is_text:
        return False
    return bool(left <= right)  # type: ignore[operator]


class Validator:
    """Validates focus nodes against shapes, remembering which node conforms to which shape."""

    def __init__(self, data: Data, shapes: dict[Node, Shape]):
        self.data, self.shapes = data, shapes
        self._nested: dict[tuple[Node, Node], list[Result]] = {}

    def nested(self, node: Node, shape: Shape) -> list[Result]:
        """The results of ``node`` against ``shape`` as a value's shape (remembered; a shape that
        refers to itself is taken to hold on the way)."""
        key = (node, shape.node)
        found = self._nested.get(key)
        if found is None:
            self._nested[key] = []
            found = self._nested[key] = self.results(node, shape)
        return found

    def conforms(self, node: Node, shape: Shape) -> bool:
        return not self.nested(node, shape)

    def results(self, focus: Node, shape: Shape) -> list[Result]:
        if shape.deactivated:
            return []
        if shape.is_property:
            values = self.data.values(focus, shape.path)
            path: Node | None = shape.path_node
        else:
            values, path = {focus}, None
        out = self._node_constraints(focus, values, path, shape)
        for child in shape.properties:
            for value in values:
                out += self.results(value, child)
        return out

    def _node_constraints(self, focus: Node, values: set[Node], path: Node | None,
                          shape: Shape) -> list[Result]:
        out: list[Result] = []

        def fail(value: Node | None) -> None:
            out.append(Result(focus, path, value, shape))

        if shape.min_count is not None and len(values) < shape.min_count:
            fail(None)
        if shape.max_count is not None and len(values) > shape.max_count:
            fail(None)
        for cls in shape.classes:
            for v in values:
                if not self.data.is_instance(v, cls):
                    fail(v)
        if shape.datatype is not None:
            for v in values:
                if not _datatype_ok(v, shape.datatype):
                    fail(v)
        if shape.allowed is not None:
            for v in values:
                if v not in shape.allowed:
                    fail(v)
        for pattern, flags in shape.patterns:
            for v in values:
                if isinstance(v, BNode) or not _compiled(pattern, flags).search(str(v)):
                    fail(v)
        for bound, minimum in ((shape.min_inclusive, True), (shape.max_inclusive, False)):
            if bound is not None:
                for v in values:
                    if not _in_range(v, bound, minimum):
                        fail(v)
        for other in shape.less_or_equal:
            compared = self.data.values(focus, (other,))
            for v in values:
                out.extend(Result(focus, path, v, shape) for c in compared if not _less_or_equal(v, c))
        for node in shape.nodes:  # pySHACL reports the value's own results too (as sh:detail)
            for v in values:
                inner = self.nested(v, self.shapes[node])
                if inner:
                    fail(v)
                    out.extend(inner)
        for members in shape.alternatives:
            for v in values:
                if not any(self.conforms(v, self.shapes[m]) for m in members):
                    fail(v)
        return out
