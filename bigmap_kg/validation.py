"""Validating entries against the SHACL shapes, with reports a scientist can read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from bigmap_kg import resources
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.shacl import Data, Result, Shape, UnsupportedShape, read_shapes
from bigmap_kg.shacl import Validator as Engine
from bigmap_kg.sparql_constraints import SparqlConstraint, SparqlResult, evaluate, split_shapes

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class Problem:
    """One result of a SHACL report."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str


@dataclass
class ValidationReport:
    """The outcome of a validation: conforms when there is no result of severity Violation."""

    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "Violation"]

    def to_text(self) -> str:
        head = self.source + ": " if self.source else ""
        if not self.problems:
            return f"{head}valid (0 violations)"
        lines = [f"{head}{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"]
        for p in self.problems:
            where = f" [{p.path}]" if p.path else ""
            lines.append(f"  {p.severity}: {p.focus}{where}: {p.message}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(p) for p in self.problems],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def short_name(node: Node | None, graph: Graph | None = None) -> str:
    """A readable name for a node: its label, else the last part of its IRI."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    if graph is not None:
        labels = sorted(str(x) for x in graph.objects(node, SKOS.prefLabel))  # type: ignore[arg-type]
        label = labels[0] if labels else None
        if label is not None and isinstance(node, URIRef):
            return f"{_local(node)} ({label})"
    if isinstance(node, BNode):
        return "(a nested value)"
    return _local(node)


def _local(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            tail = text.rsplit(sep, 1)[1]
            if tail:
                parent = text.rsplit(sep, 1)[0].rsplit("/", 1)[-1]
                return f"{parent}/{tail}" if sep == "/" else tail
    return text


class Validator:
    """The shapes and the ontology, loaded once, applied to data graphs."""

    def __init__(self, shapes: Graph | None = None, ontology: Graph | None = None):
        self._shapes = shapes
        self._ontology = ontology

    @cached_property
    def shapes(self) -> Graph:
        return self._shapes if self._shapes is not None else load_kind("shapes")

    @cached_property
    def ontology(self) -> Graph:
        return self._ontology if self._ontology is not None else load_kind("ontology")

    @cached_property
    def _split(self) -> tuple[Graph, list[SparqlConstraint]]:
        """The shapes for pySHACL, and the SPARQL constraints evaluated here (once each)."""
        return split_shapes(self.shapes)

    def validate(
        self,
        data: Graph,
        *,
        context: Graph | None = None,
        focus: list[URIRef] | None = None,
        source: str | None = None,
    ) -> ValidationReport:
        """Validate ``data``; ``context`` holds facts about nodes it refers to (their types).

        With ``focus``, only those nodes are checked (the new entries of a batch), so that the
        context's partial descriptions are not judged.
        """
        if focus is not None and not focus:
            return ValidationReport(source=source)
        core, constraints = self._split
        compiled = self._compiled
        if compiled is None:
            merged, core_problems = self._pyshacl(data, context, focus, core)
        else:
            merged = data if context is None else ReadOnlyGraphAggregate([data, context])
            parts = [data] if context is None else [data, context]
            core_problems = _core_problems(compiled, merged, [*parts, self.ontology], focus)
        found: set[Node] | None = set(focus) if focus is not None else None
        sparql = [_sparql_problem(r, merged) for r in evaluate(constraints, merged, self.ontology, found)]
        return ValidationReport(_sorted(core_problems + sparql), source=source)

    @cached_property
    def _compiled(self) -> tuple[list[Shape], dict[Node, Shape]] | None:
        """The core shapes read for :mod:`bigmap_kg.shacl`; None where they use a constraint it
        does not implement (pySHACL then validates)."""
        try:
            return read_shapes(self._split[0])
        except UnsupportedShape:
            return None

    def validate_with_pyshacl(self, data: Graph, *, context: Graph | None = None,
                              focus: list[URIRef] | None = None) -> ValidationReport:
        """The same validation with pySHACL for the core constraints (the reference in tests)."""
        if focus is not None and not focus:
            return ValidationReport()
        core, constraints = self._split
        merged, core_problems = self._pyshacl(data, context, focus, core)
        found: set[Node] | None = set(focus) if focus is not None else None
        sparql = [_sparql_problem(r, merged) for r in evaluate(constraints, merged, self.ontology, found)]
        return ValidationReport(_sorted(core_problems + sparql))

    def _pyshacl(self, data: Graph, context: Graph | None, focus: list[URIRef] | None,
                 core: Graph) -> tuple[Graph, list[Problem]]:
        merged = _union(data, context) if context is not None else _union(data, Graph())
        kwargs: dict[str, Any] = {}
        if focus is not None:
            kwargs["focus_nodes"] = list(focus)
        _conforms, report_graph, _text = shacl_validate(
            merged, shacl_graph=core, ont_graph=self.ontology, inference="none",
            allow_warnings=True, advanced=True, **kwargs)
        assert isinstance(report_graph, Graph)
        return merged, _problems(report_graph, merged)


def _union(data: Graph, context: Graph) -> Graph:
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in context:
        merged.add(triple)
    return merged


def _core_problems(compiled: tuple[list[Shape], dict[Node, Shape]], merged: Graph, graphs: list[Graph],
                   focus: list[URIRef] | None) -> list[Problem]:
    starts, shapes = compiled
    index = Data(graphs)
    engine = Engine(index, shapes)
    wanted = set(focus) if focus is not None else None
    problems = []
    for shape in starts:
        if shape.deactivated:
            continue
        for node in sorted(index.focus_nodes(shape), key=str):
            if wanted is not None and not (isinstance(node, URIRef) and node in wanted):
                continue
            problems += [_result_problem(r, merged) for r in engine.results(node, shape)]
    return problems


def _result_problem(result: Result, data: Graph) -> Problem:
    message = (result.shape.message or "the entry breaks a shape").replace(
        "{$this}", short_name(result.focus, data)).replace(
        "{$value}", short_name(result.value, data) if result.value is not None else "(missing)")
    return Problem(focus=str(result.focus),
                   path=_local(result.path) if isinstance(result.path, URIRef) else None,
                   value=str(result.value) if result.value is not None else None, message=message,
                   severity=SEVERITIES.get(result.shape.severity, "Violation"), shape=str(result.shape.node))


def _problems(report: Graph, data: Graph) -> list[Problem]:
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage) or "the entry breaks a shape")
        message = message.replace("{$this}", short_name(focus, data)).replace(
            "{$value}", short_name(value, data) if value is not None else "(missing)")
        problems.append(Problem(
            focus=str(focus),
            path=_local(path) if isinstance(path, URIRef) else None,
            value=str(value) if value is not None else None,
            message=message,
            severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),  # type: ignore[call-overload]
            shape=str(report.value(result, SH.sourceShape)),
        ))
    return problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.severity != "Violation", p.focus, p.path or ""))


def _sparql_problem(result: SparqlResult, data: Graph) -> Problem:
    """A SPARQL constraint's result, worded as pySHACL words its own."""
    message = result.constraint.message.replace("{$this}", short_name(result.focus, data)).replace(
        "{$value}", short_name(result.value, data))
    return Problem(focus=str(result.focus), path=None, value=str(result.value), message=message,
                   severity=SEVERITIES.get(result.constraint.severity, "Violation"),
                   shape=str(result.constraint.shape))


def load_kind(kind: str) -> Graph:
    """All Turtle files of one data kind (``ontology``, ``shapes``, ``catalogue``) as one graph."""
    graph = Graph()
    for item in resources.data_files(kind, ".ttl"):
        for triple in parse_bytes(item.read_bytes(), f"{kind}/{resources.relative_name(kind, item)}"):
            graph.add(triple)
    return graph
