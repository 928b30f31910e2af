"""The Python SHACL engine (bigmap_kg/shacl/) reports what pySHACL reports for our shapes: on every
shape case (pass and fail graphs), on the whole catalogue, on the D5.3 logbook, on an import's
rows, and on graphs changed at random (triples dropped, objects swapped, literals retyped)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import XSD

from bigmap_kg.shacl import UnsupportedShape, read_shapes
from bigmap_kg.validation import ValidationReport, Validator, load_kind

CASES = sorted((Path(__file__).parent / "shapes").glob("*.trig"))


def findings(report: ValidationReport) -> list[tuple[str, str, str, str, str]]:
    """The results without the shape's node (a blank node is named anew by each reader)."""
    return sorted((p.focus, p.path or "", p.value or "", p.message, p.severity) for p in report.problems)


def both(validator: Validator, data: Graph, focus: list[URIRef] | None = None) -> None:
    ours = validator.validate(data, focus=focus)
    reference = validator.validate_with_pyshacl(data, focus=focus)
    assert findings(ours) == findings(reference)


def _case(path: Path) -> tuple[Graph, Graph]:
    ds = Dataset()
    ds.parse(path, format="trig")
    return ds.graph(URIRef("urn:case:pass")), ds.graph(URIRef("urn:case:fail"))


def test_the_project_shapes_are_all_read_by_the_engine(validator: Validator) -> None:
    starts, shapes = read_shapes(validator._split[0])
    assert len(starts) >= 20 and len(shapes) > 100
    assert validator._compiled is not None


def test_a_shape_with_an_unknown_constraint_is_left_to_pyshacl() -> None:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:uniqueLang true ; sh:message "one per language" ] .""",
                           format="turtle")
    with pytest.raises(UnsupportedShape):
        read_shapes(shapes)
    validator = Validator(shapes=shapes, ontology=Graph())
    assert validator._compiled is None
    data = Graph().parse(data='<urn:x> a <urn:C> ; <urn:p> "a"@en, "b"@en .', format="turtle")
    assert [p.message for p in validator.validate(data).violations] == ["one per language"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_shape_case_gives_the_same_findings_as_pyshacl(path: Path, validator: Validator) -> None:
    good, bad = _case(path)
    both(validator, good)
    both(validator, bad)
    assert validator.validate(bad).problems, "the fail case finds nothing: it proves nothing"


def test_the_catalogue_gives_the_same_findings_as_pyshacl(validator: Validator) -> None:
    both(validator, load_kind("catalogue"))


def _mutated(data: Graph, rng: random.Random) -> Graph:
    """The same changes for the same seed: blank nodes labelled canonically, triples in order."""
    triples = sorted(to_canonical_graph(data), key=lambda t: tuple(x.n3() for x in t))
    objects = [o for _s, _p, o in triples]
    out = Graph()
    for s, p, o in triples:
        draw = rng.random()
        if draw < 0.08:
            continue  # dropped
        if draw < 0.14:
            o = rng.choice(objects)  # another object (an IRI for a literal, a wrong class...)
        elif draw < 0.18 and isinstance(o, Literal):
            o = Literal(str(o), datatype=rng.choice([XSD.string, XSD.date, XSD.decimal, XSD.integer, None]))
        elif draw < 0.20:
            out.add((s, p, o))  # and once more with another value
            o = rng.choice(objects)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_randomly_changed_entries_give_the_same_findings_as_pyshacl(validator: Validator, path: Path) -> None:
    good, bad = _case(path)
    for seed in range(6):
        rng = random.Random(f"{path.stem}-{seed}")
        both(validator, _mutated(good if seed % 2 else bad, rng))


def test_a_blank_node_value_and_a_shape_that_refers_to_itself_are_judged_alike() -> None:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:next> ; sh:node <urn:s> ; sh:message "next is not a good C" ] ,
                        [ sh:path <urn:label> ; sh:minCount 1 ; sh:pattern "^[a-z]+$" ; sh:message "label" ] .""",
                           format="turtle")
    validator = Validator(shapes=shapes, ontology=Graph())
    data = Graph()
    node = BNode()
    data.add((URIRef("urn:a"), URIRef("urn:next"), node))
    data.add((node, URIRef("urn:label"), Literal("UPPER")))
    data.parse(data="<urn:a> a <urn:C> ; <urn:label> \"ok\" ; <urn:next> <urn:a> .", format="turtle")
    both(validator, data)
    assert validator.validate(data).violations


def test_a_value_outside_the_focus_is_still_checked_against_its_node_shape() -> None:
    """pySHACL skips a sh:node check of a value that is not among its focus nodes (a blank
    node quantity of an entry sent alone): the engine checks it."""
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:size> ; sh:node <urn:q> ; sh:message "the size is not a good quantity" ] .
        <urn:q> a sh:NodeShape ; sh:property [ sh:path <urn:unit> ; sh:minCount 1 ; sh:message "no unit" ] .""",
                           format="turtle")
    validator = Validator(shapes=shapes, ontology=Graph())
    data = Graph().parse(data="<urn:a> a <urn:C> ; <urn:size> [ <urn:value> 5 ] .", format="turtle")
    assert not validator.validate_with_pyshacl(data, focus=[URIRef("urn:a")]).violations
    messages = sorted(p.message for p in validator.validate(data, focus=[URIRef("urn:a")]).violations)
    assert messages == ["no unit", "the size is not a good quantity"]
