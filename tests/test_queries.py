"""Named queries: headers, safe parameter binding, label matching, and one case per query."""

from __future__ import annotations

import pytest
from rdflib import Literal

from bigmap_kg.errors import UnknownReference
from bigmap_kg.loader import write_batch
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.queries import get_query, list_queries
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.validation import Validator

LOGBOOK = b"""
@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:lno a bmk:Material ; skos:prefLabel "LNO"@en ; skos:altLabel "LiNiO2"@en ; bmk:formula "LiNiO2" .
ex:xrd a bmk:Technique ; skos:prefLabel "X-ray diffraction"@en ; skos:altLabel "XRD"@en ; skos:definition "XRD."@en .
ex:labxrd a bmk:Technique ; skos:prefLabel "Laboratory X-ray diffraction"@en ; skos:altLabel "lab XRD"@en ;
    skos:definition "XRD on a lab diffractometer."@en ; skos:broader ex:xrd .
ex:structure a bmk:Observable ; skos:prefLabel "Structure"@en ; skos:definition "Any structure."@en .
ex:crystal a bmk:Observable ; skos:prefLabel "Crystal structure"@en ; skos:definition "Atom arrangement."@en ;
    skos:broader ex:structure .
ex:site a bmk:Site ; skos:prefLabel "Lab"@en ; bmk:city "Grenoble" ; bmk:country "FR" .
ex:cea a bmk:LaboratoryPartner ; skos:prefLabel "CEA"@en ; skos:altLabel "Commissariat"@en ; bmk:hasSite ex:site .
ex:dtu a bmk:LaboratoryPartner ; skos:prefLabel "DTU"@en .
ex:diffractometer a bmk:Instrument ; skos:prefLabel "DTU lab XRD (Cu)"@en ; bmk:operatedBy ex:dtu ;
    bmk:servesTechnique ex:labxrd ; bmk:status bmk:Available .
ex:cell a bmk:Sample ; bmk:identifier "C1" ; bmk:sampleShape bmk:CoinCellShape ; bmk:madeOf ex:lno .
ex:electrode a bmk:Sample ; bmk:identifier "C1-E" ; bmk:sampleShape bmk:ElectrodeShape ; bmk:derivedFrom ex:cell .
ex:m1 a bmk:Measurement ; bmk:measuredSample ex:electrode ; bmk:technique ex:labxrd ; bmk:performedBy ex:cea ;
    bmk:mode bmk:PostMortem ; bmk:investigatedObservable ex:crystal .
ex:piece a bmk:Sample ; bmk:identifier "C1-E-P1" ; bmk:sampleShape bmk:ElectrodeShape ; bmk:derivedFrom ex:electrode .
ex:ship a bmk:Shipment ; bmk:sender ex:cea ; bmk:recipient ex:dtu ; bmk:shippedSample ex:piece ;
    bmk:shipDate "2023-01-10"^^xsd:date ; bmk:shipmentStatus bmk:Delivered .
ex:m2 a bmk:Measurement ; bmk:measuredSample ex:piece ; bmk:technique ex:labxrd ; bmk:performedBy ex:dtu ;
    bmk:mode bmk:ExSitu ; bmk:follows ex:m1 ; bmk:triggeredBy bmk:ModellingTrigger ;
    bmk:startDate "2023-02-01"^^xsd:date .
ex:rec a bmk:ArchiveRecord ; bmk:url "https://archive.big-map.eu/records/abcde-12345"^^xsd:anyURI ; bmk:documents ex:m1 .
ex:nb a bmk:NotebookEntry ; bmk:documents ex:m1 ; bmk:linksRecord ex:rec ; bmk:created "2023-01-05"^^xsd:date .
"""

CASES = {
    "experiments-by-partner": ({"partner": "commissariat"}, 1),
    "who-measured-material": ({"material": "lini o2".replace(" ", "")}, 2),
    "who-used-technique": ({"technique": "xrd"}, 3),
    "who-investigated-observable": ({"observable": "STRUCTURE"}, 1),
    "instruments-for-technique": ({"technique": "x-ray diffraction"}, 1),
    "modelling-triggered-experiments": ({}, 1),
    "experiment-sequences": ({"sample": "c1-e"}, 2),
    "sample-history": ({"sample": "C1-E"}, 5),
    "archive-completeness": ({}, 1),
}


@pytest.fixture
def logbook(store: EmbeddedStore, validator: Validator) -> EmbeddedStore:
    write_batch(store, parse_bytes(LOGBOOK, "logbook.ttl"), validator)
    return store


def test_every_query_has_a_header_and_a_case() -> None:
    queries = list_queries()
    assert len(queries) >= 5
    for q in queries:
        assert q.title and q.description and q.columns, q.name
    assert {q.name for q in queries} <= set(CASES) | set(EXTRA_CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_answers_its_case(name: str, logbook: EmbeddedStore) -> None:
    params, rows = CASES[name]
    query = get_query(name)
    result = query.run(logbook, params)
    assert len(result) == rows, result.rows
    assert result.variables == list(query.columns)


def test_who_used_technique_tells_logbook_from_catalogue(logbook: EmbeddedStore) -> None:
    result = get_query("who-used-technique").run(logbook, {"technique": "XRD"})
    evidence = {(str(r["partner"]).rsplit("/", 1)[1], str(r["evidence"])) for r in result.rows}
    assert evidence == {("cea", "measured"), ("dtu", "measured"), ("dtu", "capable")}


def test_hostile_parameter_is_only_a_literal(logbook: EmbeddedStore) -> None:
    hostile = 'x" } ; DROP ALL ; { "\\\'\'{}<>'
    text = get_query("experiments-by-partner").bind({"partner": hostile})
    assert Literal(hostile).n3() in text
    assert len(get_query("experiments-by-partner").run(logbook, {"partner": hostile})) == 0
    assert logbook.triple_count() > 0


def test_missing_and_unknown_parameters_are_errors() -> None:
    query = get_query("who-measured-material")
    with pytest.raises(UnknownReference, match="needs the parameter"):
        query.bind({})
    with pytest.raises(UnknownReference, match="no parameter"):
        query.bind({"material": "LNO", "colour": "red"})


def test_unknown_query_suggests_close_names() -> None:
    with pytest.raises(UnknownReference) as info:
        get_query("who-measured-materials")
    assert "who-measured-material" in str(info.value)


# Queries whose case needs the whole catalogue: proved in tests/test_catalogue.py.
EXTRA_CASES: dict[str, str] = {
    "matrix": "test_catalogue.py::test_matrix_query_returns_one_line_per_row",
    "catalogue-counts": "test_catalogue.py::test_counts_query_counts_each_kind_with_its_subclasses",
    "instruments-for-observable": "test_catalogue.py::test_operando_li_distribution_needs_an_available_cell",
}


def test_experiment_sequence_follows_lineage_and_order(logbook: EmbeddedStore) -> None:
    rows = get_query("experiment-sequences").run(logbook, {"sample": "C1-E"}).rows
    seq = [(int(r["step"]), str(r["measurement"]).rsplit("/", 1)[1], str(r["relation"])) for r in rows]  # type: ignore[arg-type]
    assert seq == [(0, "m1", "this sample"), (1, "m2", "made from this sample (descendant)")]


def test_sample_history_is_in_time_order(logbook: EmbeddedStore) -> None:
    rows = get_query("sample-history").run(logbook, {"sample": "C1-E-P1"}).rows
    events = [(str(r["when"]) if r["when"] is not None else "", str(r["event"])) for r in rows]
    assert events == [("2023-01-10", "shipped"), ("2023-02-01", "measured"), ("", "made from")]


def test_archive_completeness_names_what_is_missing(logbook: EmbeddedStore) -> None:
    rows = get_query("archive-completeness").run(logbook).rows
    assert [(str(r["measurement"]).rsplit("/", 1)[1], str(r["problem"])) for r in rows] == [
        ("m2", "no archive record and no notebook entry")]
