"""Entries as the service writes them: who owns what, and replacing an entry with its blank nodes."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from bigmap_kg.access import AccessDenied, Identity
from bigmap_kg.entries import create_entries, delete_entry, entry_facts, new_facts, replace_entry
from bigmap_kg.errors import UnknownReference, ValidationFailed
from bigmap_kg.namespaces import ID
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.validation import Validator

ADMIN = Identity("operator", "admin")
CTH = Identity("cth", "partner", URIRef(ID["partner/CTH"]))
FZJ = Identity("fzj", "partner", URIRef(ID["partner/FZJ"]))

SHIPMENT = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix partner: <https://w3id.org/bigmap-kg/id/partner/> .
@prefix sample: <https://w3id.org/bigmap-kg/id/sample/> .
<https://w3id.org/bigmap-kg/id/shipment/fzj-to-cth-test> a bmk:Shipment ;
    bmk:sender partner:FZJ ; bmk:recipient partner:CTH ;
    bmk:shipDate "2023-03-01"^^xsd:date ; bmk:shipmentStatus bmk:Delivered ;
    bmk:shippedSample sample:fzj-lno-aged-electrode ;
    bmk:hasContent [ a bmk:ShipmentContent ; bmk:sampleKind "LNO aged electrode" ; bmk:amount 2.0 ] .
"""
IRI = URIRef(ID["shipment/fzj-to-cth-test"])


def test_catalogue_sample_is_attributed_through_prepared_by(kg_store):
    facts = entry_facts(kg_store, [URIRef(ID["sample/fzj-lno-aged-electrode"])])
    f = facts[URIRef(ID["sample/fzj-lno-aged-electrode"])]
    assert f.attributed and f.owners == {URIRef(ID["partner/FZJ"])}
    assert "https://w3id.org/bigmap-kg/graph/catalogue" in f.graphs


def test_new_data_owner_comes_from_the_class_annotation(kg_store):
    validator = Validator()
    facts = new_facts(parse_bytes(SHIPMENT, "s.ttl"), validator.ontology, kg_store)
    assert facts[IRI].owners == {URIRef(ID["partner/FZJ"])} and not facts[IRI].exists


def test_sender_owns_the_shipment_not_the_recipient(kg_store):
    data = parse_bytes(SHIPMENT, "s.ttl")
    with pytest.raises(AccessDenied, match="attributed to FZJ"):
        create_entries(kg_store, data, Validator(), CTH)
    written = create_entries(kg_store, data, Validator(), FZJ)
    assert written.iris == [str(IRI)] and written.result.written


CONTENTS = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/bigmap-kg/ontology#ShipmentContent> }"


def test_replace_drops_the_old_blank_nodes(kg_store):
    validator = Validator()
    create_entries(kg_store, parse_bytes(SHIPMENT, "s.ttl"), validator, FZJ)
    contents = int(kg_store.select(CONTENTS).rows[0]["n"])  # type: ignore[arg-type]
    changed = SHIPMENT.replace("bmk:amount 2.0", "bmk:amount 3.0")
    replace_entry(kg_store, IRI, parse_bytes(changed, "s.ttl"), validator, FZJ)
    amounts = kg_store.select("SELECT ?a WHERE { ?c a <https://w3id.org/bigmap-kg/ontology#ShipmentContent> ; "
                              "<https://w3id.org/bigmap-kg/ontology#amount> ?a ; "
                              "<https://w3id.org/bigmap-kg/ontology#sampleKind> ?s . "
                              "<https://w3id.org/bigmap-kg/id/shipment/fzj-to-cth-test> "
                              "<https://w3id.org/bigmap-kg/ontology#hasContent> ?c }")
    assert [float(r["a"]) for r in amounts.rows] == [3.0]  # type: ignore[arg-type]
    assert int(kg_store.select(CONTENTS).rows[0]["n"]) == contents  # type: ignore[arg-type]


def test_replace_must_describe_only_that_entry(kg_store):
    create_entries(kg_store, parse_bytes(SHIPMENT, "s.ttl"), Validator(), FZJ)
    other = SHIPMENT.replace("fzj-to-cth-test", "another")
    with pytest.raises(Exception, match="does not describe"):
        replace_entry(kg_store, IRI, parse_bytes(other, "s.ttl"), Validator(), FZJ)


def test_delete_of_a_missing_entry_is_unknown(kg_store):
    with pytest.raises(UnknownReference):
        delete_entry(kg_store, IRI, ADMIN)


def test_ontology_terms_cannot_be_deleted_even_by_an_admin(kg_store):
    with pytest.raises(AccessDenied, match="ontology"):
        delete_entry(kg_store, URIRef("https://w3id.org/bigmap-kg/ontology#Sample"), ADMIN)


def test_a_content_line_without_its_sample_kind_is_refused_even_when_sent_alone(kg_store):
    """Regression: pySHACL, given the entries as its focus nodes, skipped the shape of a nested
    blank node, so a content line naming no sample kind (an unknown property instead) got in."""
    data = parse_bytes(SHIPMENT.replace('bmk:sampleKind "LNO aged electrode"',
                                        "bmk:contentSample sample:fzj-lno-aged-electrode"), "s.ttl")
    with pytest.raises(ValidationFailed) as info:
        create_entries(kg_store, data, Validator(), FZJ)
    assert any("which kind of sample it counts" in p.message for p in info.value.report.violations)
    assert not entry_facts(kg_store, [IRI])[IRI].exists
