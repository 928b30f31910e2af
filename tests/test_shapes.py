"""Every shape has a case (tests/shapes/<Shape>.trig): the pass graph conforms, the fail graph breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
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
