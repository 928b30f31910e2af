"""The shapes' SPARQL-based constraints (``sh:sparql``), evaluated once per constraint with
Oxigraph instead of once per focus node by pySHACL (which parses the query again for every node:
most of the time of a large import).

A constraint's ``SELECT $this ...`` is run with ``$this`` bound, in one ``VALUES`` block, to every
instance of the shape's target classes (and their subclasses) in the data; each solution is one
result with the shape's message, as pySHACL reports it (``sh:value`` is ``?value`` when the query
selects it, else the focus node). Constraints are only reached through ``sh:targetClass`` here;
the project's shapes declare their SPARQL constraints on node shapes with a target class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from bigmap_kg.terms import to_oxigraph, to_rdflib

_THIS = re.compile(r"\$this\b")


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef
    targets: tuple[URIRef, ...]
    select: str
    message: str
    severity: URIRef


@dataclass(frozen=True)
class SparqlResult:
    focus: Node
    value: Node
    constraint: SparqlConstraint


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """The shapes without their ``sh:sparql`` constraints (for pySHACL), and those constraints."""
    core = Graph()
    for triple in shapes:
        core.add(triple)
    constraints = []
    for shape, node in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(node, SH.select)
        targets = tuple(t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef))
        if select is None or not targets or not isinstance(shape, URIRef):
            continue  # left to pySHACL
        constraints.append(SparqlConstraint(
            shape, targets, str(select), str(shapes.value(node, SH.message) or "the entry breaks a shape"),
            URIRef(str(shapes.value(node, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation))))
        core.remove((shape, SH.sparql, node))
        core.remove((node, None, None))
    return core, constraints


def _classes(ontology: Graph, targets: tuple[URIRef, ...]) -> set[URIRef]:
    """The target classes and their subclasses."""
    classes = set(targets)
    todo = list(targets)
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in classes:
                classes.add(sub)
                todo.append(sub)
    return classes


def evaluate(constraints: list[SparqlConstraint], data: Graph, ontology: Graph,
             focus: set[Node] | None = None) -> list[SparqlResult]:
    """Every violation of the constraints in ``data`` (restricted to ``focus`` when given)."""
    work = []
    for constraint in constraints:
        classes = _classes(ontology, constraint.targets)
        if any(True for cls in classes for _ in data.subjects(RDF.type, cls)):
            work.append((constraint, classes))
    if not work:
        return []
    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                 for s, p, o in data)
    results: list[SparqlResult] = []
    for constraint, classes in work:
        results.extend(r for r in _run(store, constraint, classes) if focus is None or r.focus in focus)
    return results


def _run(store: ox.Store, constraint: SparqlConstraint, classes: set[URIRef]) -> list[SparqlResult]:
    """The query once, ``$this`` ranging over the instances of the classes (blank nodes too, which
    a VALUES block could not bind)."""
    text = _THIS.sub("?this", constraint.select)
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if where is None:
        return []
    bound = ("VALUES ?bmk_target_class { " + " ".join(c.n3() for c in sorted(classes)) + " }\n"
             "?this a ?bmk_target_class .\n")
    solutions = store.query(text[:where.end()] + "\n" + bound + text[where.end():])
    assert isinstance(solutions, ox.QuerySolutions)
    names = {v.value for v in solutions.variables}
    found = []
    for row in solutions:
        this = to_rdflib(row["this"])
        value = to_rdflib(row["value"]) if "value" in names and row["value"] is not None else this
        found.append(SparqlResult(this, value, constraint))
    return found
