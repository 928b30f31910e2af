"""Every shape has a case (tests/shapes/<Shape>.trig): the pass graph conforms, the fail graph breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from bigmap_kg.validation import Validator

CASES = sorted((Path(__file__).parent / "shapes").glob("*.trig"))
SHAPES_NS = "https://w3id.org/bigmap-kg/shapes#"


def _case(path: Path) -> tuple[Graph, Graph]:
    ds = Dataset()
    ds.parse(path, format="trig")
    return ds.graph(URIRef("urn:case:pass")), ds.graph(URIRef("urn:case:fail"))


def _targets(validator: Validator, shape: URIRef, data: Graph) -> list[URIRef]:
    cls = validator.shapes.value(shape, SH.targetClass)
    subclasses = set(validator.ontology.transitive_subjects(RDFS.subClassOf, cls))
    return sorted({s for c in subclasses for s in data.subjects(RDF.type, c)})  # type: ignore[misc]


def test_every_node_shape_has_a_case(validator: Validator) -> None:
    shapes = {str(s)[len(SHAPES_NS):] for s in validator.shapes.subjects(RDF.type, SH.NodeShape)}
    assert len(shapes) >= 20
    assert shapes == {p.stem for p in CASES}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_pass_graph_conforms(path: Path, validator: Validator) -> None:
    good, _ = _case(path)
    shape = URIRef(SHAPES_NS + path.stem)
    report = validator.validate(good, focus=_targets(validator, shape, good))
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fail_graph_breaks_the_shape_with_a_readable_message(path: Path, validator: Validator) -> None:
    _, bad = _case(path)
    shape = URIRef(SHAPES_NS + path.stem)
    report = validator.validate(bad, focus=_targets(validator, shape, bad))
    assert not report.conforms
    for problem in report.violations:
        assert "{$" not in problem.message and len(problem.message) > 20


def test_every_constraint_has_a_message(validator: Validator) -> None:
    g = validator.shapes
    for prop in g.objects(None, SH.property):
        assert g.value(prop, SH.message) is not None, f"property shape on {g.value(prop, SH.path)}"
    for sparql in g.objects(None, SH.sparql):
        assert g.value(sparql, SH.message) is not None


def test_measurement_without_sample_message_names_the_entry(validator: Validator) -> None:
    _, bad = _case(Path(__file__).parent / "shapes" / "MeasurementShape.trig")
    report = validator.validate(bad, focus=[URIRef("http://example.org/m12")])
    messages = [p.message for p in report.violations]
    assert any("m12 names no known sample" in m for m in messages), messages


SPARQL_CASES = {
    "lineage loop": """<http://example.org/a> a bmk:Sample ; bmk:identifier "a" ; bmk:sampleShape bmk:PowderShape ;
                           bmk:derivedFrom <http://example.org/b> .
                       <http://example.org/b> a bmk:Sample ; bmk:identifier "b" ; bmk:sampleShape bmk:PowderShape ;
                           bmk:derivedFrom <http://example.org/a> .""",
    "quantity without unit": """<http://example.org/r> a bmk:CharacterisationRequest ; bmk:roiKind bmk:SpecificROI ;
                           bmk:roiSize [ a bmk:Quantity ; bmk:minValue 500.0 ; bmk:maxValue 500.0 ] .""",
    "specific ROI without size": """<http://example.org/q> a bmk:CharacterisationRequest ; bmk:roiKind bmk:SpecificROI ;
                           bmk:requestsObservable <http://example.org/o> ;
                           bmk:hasCorrelationGroup [ a bmk:CorrelationGroup ; bmk:groupObservable <http://example.org/x> ] .""",
}


@pytest.mark.parametrize("name", sorted(SPARQL_CASES))
def test_sparql_constraints_evaluated_once_report_what_pyshacl_reports(name: str, validator: Validator) -> None:
    """The SPARQL constraints run with Oxigraph (once each) give pySHACL's own results."""
    from pyshacl import validate as shacl_validate

    from bigmap_kg.validation import _problems, short_name

    bad = Graph().parse(data="@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .\n" + SPARQL_CASES[name],
                        format="turtle")
    ours = {(p.focus, p.message, p.severity, p.value) for p in validator.validate(bad).problems}
    _c, report, _t = shacl_validate(bad, shacl_graph=validator.shapes, ont_graph=validator.ontology,
                                    inference="none", allow_warnings=True, advanced=True)
    # pySHACL fills {$this} and {$value} of a SPARQL constraint's message itself, with full IRIs;
    # we name them as every other message does
    subjects = set(bad.subjects())

    def named(text: str, term: str | None) -> str:
        if not term:
            return text
        node = BNode(term) if BNode(term) in subjects else URIRef(term)
        return text.replace(term, short_name(node, bad))

    theirs = {(p.focus, named(named(p.message, p.focus), p.value), p.severity, p.value)
              for p in _problems(report, bad)}  # type: ignore[arg-type]
    assert ours == theirs
    core, constraints = validator._split
    assert len(constraints) == 4 and not any(True for _ in core.objects(None, SH.sparql))
    assert any(p.path is None and p.shape in {str(c.shape) for c in constraints}
               for p in validator.validate(bad).problems)
