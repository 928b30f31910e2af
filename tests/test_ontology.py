"""The ontology: labels and definitions everywhere, alignments to real, non-deprecated IRIs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import REPO, SHARED
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from bigmap_kg.namespaces import BMK_IRI
from bigmap_kg.ontology_check import check
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.validation import load_kind

ALIGN = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, SKOS.exactMatch,
         SKOS.closeMatch, SKOS.broadMatch)
UPSTREAM = ("https://w3id.org/emmo", "https://w3id.org/battinfo")


def _alignments() -> list[tuple[URIRef, URIRef, URIRef]]:
    onto = load_kind("ontology")
    return [(s, p, o) for p in ALIGN for s, o in onto.subject_objects(p)
            if isinstance(o, URIRef) and str(o).startswith(UPSTREAM)]


def test_every_term_has_a_label_and_a_definition() -> None:
    onto = load_kind("ontology")
    terms = {s for s in onto.subjects(RDF.type, None) if str(s).startswith(BMK_IRI) and str(s) != BMK_IRI}
    assert len(terms) > 200
    for term in terms:
        assert onto.value(term, SKOS.prefLabel) is not None, term
        assert onto.value(term, SKOS.definition) is not None, term


def test_alignment_doc_lists_every_alignment_with_its_label() -> None:
    doc = (REPO / "docs" / "alignment.md").read_text()
    for _s, _p, target in _alignments():
        assert str(target) in doc, target


@pytest.mark.skipif(not (SHARED / "ontologies" / "terms-index.tsv").exists(),
                    reason="../shared/ontologies not present")
def test_alignment_targets_exist_upstream_and_are_not_deprecated() -> None:
    with (SHARED / "ontologies" / "terms-index.tsv").open() as f:
        index = {row["iri"]: row for row in csv.DictReader(f, delimiter="\t")}
    targets = {o for _s, _p, o in _alignments()}
    assert len(targets) > 30
    for target in targets:
        assert str(target) in index, f"{target} is not an upstream IRI"
        assert not index[str(target)]["owl_deprecated"], f"{target} is deprecated upstream"


def test_reasoner_finds_the_ontology_consistent() -> None:
    assert check(load_kind("ontology"), parse_bytes(b"", "empty.ttl")).consistent


def test_reasoner_catches_a_contradiction_and_names_it() -> None:
    data = parse_bytes(b"""@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
        <http://example.org/x> a bmk:Sample, bmk:Instrument .""", "contradiction.ttl")
    from bigmap_kg.errors import OntologyInconsistent

    with pytest.raises(OntologyInconsistent) as info:
        check(load_kind("ontology"), data)
    assert "http://example.org/x is both" in str(info.value)


def test_data_files_are_found_in_a_checkout() -> None:
    assert Path(REPO / "ontology" / "bigmap-kg.ttl").exists()
