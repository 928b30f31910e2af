"""Named queries: headers, safe parameter binding, label matching, and one case per query."""

from __future__ import annotations

import pytest
from rdflib import Literal

from bigmap_kg import resources
from bigmap_kg.charts import page_query
from bigmap_kg.errors import UnknownReference
from bigmap_kg.loader import write_batch
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.queries import NamedQuery, get_query, list_queries, parse_query
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
    "measurements-of-material": ({"material": "LNO"}, 2),
    "measurements-missing-from-archive": ({}, 1),
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
    assert Literal(hostile.lower()).n3() in text  # a label is matched in lower case
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
    "measurements-by-partner-and-technique":
        "test_queries_counts.py::test_measurements_by_partner_and_technique_match_the_catalogue_logbook",
}


def test_experiment_sequence_follows_lineage_and_order(logbook: EmbeddedStore) -> None:
    rows = get_query("experiment-sequences").run(logbook, {"sample": "C1-E"}).rows
    seq = [(str(r["measurement"]).rsplit("/", 1)[1], str(r["relation"]),
            str(r["follows"]).rsplit("/", 1)[1] if r["follows"] is not None else None) for r in rows]
    assert seq == [("m1", "this sample", None), ("m2", "made from this sample (descendant)", "m1")]


def test_sample_history_is_in_time_order(logbook: EmbeddedStore) -> None:
    rows = get_query("sample-history").run(logbook, {"sample": "C1-E-P1"}).rows
    events = [(str(r["when"]) if r["when"] is not None else "", str(r["event"])) for r in rows]
    assert events == [("2023-01-10", "shipped"), ("2023-02-01", "measured"), ("", "made from")]


def test_archive_completeness_names_what_is_missing(logbook: EmbeddedStore) -> None:
    rows = get_query("archive-completeness").run(logbook).rows
    assert [(str(r["partner"]).rsplit("/", 1)[1], str(r["problem"]), int(str(r["measurements"])))
            for r in rows] == [("dtu", "no archive record and no notebook entry", 1)]
    listed = get_query("measurements-missing-from-archive").run(logbook).rows
    assert [(str(r["measurement"]).rsplit("/", 1)[1], str(r["problem"])) for r in listed] == [
        ("m2", "no archive record and no notebook entry")]


# The queries of the planner and timeline pages (queries/pages/planner-*, timeline-*): a header and
# a case each, on the logbook above.
PAGE_CASES = {"planner-choices": 2, "timeline-experiments": 2, "timeline-shipments": 1}


def page_queries(prefixes: tuple[str, ...]) -> dict[str, NamedQuery]:
    found = {}
    for item in resources.data_files("queries", ".rq"):
        name = resources.relative_name("queries", item)
        if name.startswith(tuple(f"pages/{p}" for p in prefixes)):
            found[name[len("pages/"):-len(".rq")]] = parse_query(name, item.read_text(encoding="utf-8"))
    return found


def test_planner_and_timeline_page_queries_answer_their_cases(logbook: EmbeddedStore) -> None:
    queries = page_queries(("planner-", "timeline-"))
    assert set(queries) == set(PAGE_CASES)
    for name, rows in PAGE_CASES.items():
        query = queries[name]
        assert query.title and query.description and query.columns, name
        result = query.run(logbook)
        assert len(result) == rows, (name, result.rows)
        assert result.variables == list(query.columns), name
    experiments = {str(r["measurement"]).rsplit("/", 1)[1]: r
                   for r in queries["timeline-experiments"].run(logbook).rows}
    assert experiments["m1"]["shipment"] is None  # measured where it was made: no parcel
    assert str(experiments["m2"]["shipment"]).endswith("/ship") and str(experiments["m2"]["start"]) == "2023-02-01"
    (shipment,) = queries["timeline-shipments"].run(logbook).rows
    assert (str(shipment["sent"]), shipment["received"], str(shipment["recipient"])) == ("2023-01-10", None, "DTU")
    groups = {str(r["label"]): str(r["groupLabel"]) for r in queries["planner-choices"].run(logbook).rows}
    assert groups == {"Structure": "Structure", "Crystal structure": "Structure"}


# --- the /charts page queries (queries/pages/chart-*.rq; the whole catalogue: tests/test_charts.py)

CHART_DATA = b"""
@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:nd a bmk:Technique ; skos:prefLabel "Neutron diffraction"@en ; skos:altLabel "ND"@en ; skos:definition "ND."@en ;
    bmk:facilityKind bmk:NeutronFacility ; bmk:typicalLengthScale bmk:angstrom ; bmk:mappingDimension 3 .
ex:xps a bmk:Technique ; skos:prefLabel "X-ray photoelectron spectroscopy"@en ; skos:altLabel "XPS"@en ;
    skos:definition "XPS."@en ; bmk:typicalLengthScale bmk:angstrom, bmk:nanometre ; bmk:mappingDimension 1 .
ex:structure a bmk:Observable ; skos:prefLabel "Structure"@en ; skos:definition "Any structure."@en .
ex:crystal a bmk:Observable ; skos:prefLabel "Crystal structure"@en ; skos:definition "Atoms."@en ;
    skos:broader ex:structure .
ex:row1 a bmk:MatrixEntry ; bmk:technique ex:nd ; bmk:inCluster bmk:DiffractionAndScattering ;
    bmk:sampleFormatCategory bmk:Realistic ; bmk:rowOrder 1 ;
    bmk:hasObservableCapability [ a bmk:ObservableCapability ; bmk:observable ex:crystal ] .
ex:row2 a bmk:MatrixEntry ; bmk:technique ex:xps ; bmk:inCluster bmk:SurfaceSpectroscopy ;
    bmk:sampleFormatCategory bmk:Model ; bmk:rowOrder 1 .
ex:ill a bmk:LargeScaleFacility ; skos:prefLabel "ILL"@en .
ex:soleil a bmk:LargeScaleFacility ; skos:prefLabel "SOLEIL"@en .
ex:uu a bmk:LaboratoryPartner ; skos:prefLabel "UU"@en .
ex:nic a bmk:LaboratoryPartner ; skos:prefLabel "NIC"@en .
ex:d20 a bmk:Instrument ; skos:prefLabel "D20"@en ; bmk:operatedBy ex:ill ; bmk:servesTechnique ex:nd ;
    bmk:status bmk:Available .
ex:tempo a bmk:Instrument ; skos:prefLabel "TEMPO"@en ; bmk:operatedBy ex:soleil ; bmk:servesTechnique ex:xps ;
    bmk:facilityKind bmk:SynchrotronFacility ; bmk:status bmk:Available .
ex:samba a bmk:Instrument ; skos:prefLabel "SAMBA"@en ; bmk:operatedBy ex:soleil ; bmk:servesTechnique ex:xps ;
    bmk:status bmk:Available .
ex:kratos a bmk:Instrument ; skos:prefLabel "Kratos"@en ; bmk:operatedBy ex:uu ; bmk:servesTechnique ex:xps ;
    bmk:status bmk:Available .
ex:nicxps a bmk:Instrument ; skos:prefLabel "NIC XPS"@en ; bmk:operatedBy ex:nic ; bmk:servesTechnique ex:xps ;
    bmk:status bmk:InDevelopment .
"""


@pytest.fixture
def chart_data(store: EmbeddedStore, validator: Validator) -> EmbeddedStore:
    write_batch(store, parse_bytes(CHART_DATA, "charts.ttl"), validator)
    return store


def test_chart_competence_counts_partners_per_category(chart_data: EmbeddedStore) -> None:
    rows = page_query("competence").run(chart_data).rows
    found = {(str(r["category"]).rsplit("#", 1)[1], str(r["short"]), str(r["partnerNames"]), str(r["operando"]))
             for r in rows}
    assert found == {("NeutronFacility", "ND", "ILL", "true"), ("LaboratoryFacility", "XPS", "UU", "false"),
                     ("SynchrotronFacility", "XPS", "SOLEIL", "false")}  # NIC's XPS is in development


def test_chart_uncategorised_names_instruments_without_a_facility_kind(chart_data: EmbeddedStore) -> None:
    rows = page_query("uncategorised").run(chart_data).rows
    assert [(str(r["label"]), str(r["partner"])) for r in rows] == [("SAMBA", "SOLEIL")]


def test_chart_coverage_counts_instruments_for_an_observable_and_its_broader(chart_data: EmbeddedStore) -> None:
    rows = page_query("coverage").run(chart_data).rows
    found = {(str(r["observable"]).rsplit("/", 1)[1], str(r["technique"]).rsplit("/", 1)[1], int(str(r["instruments"])))
             for r in rows}
    assert found == {("crystal", "nd", 1), ("structure", "nd", 1)}


# The catalogue pages' queries (queries/pages/{matrix,technique,instrument,cell,partner}-*.rq):
# a case each on the logbook above plus one matrix row and one cell, with the ontology loaded
# (partner-index finds partner kinds through rdfs:subClassOf). tests/test_web_matrix.py runs
# them on the whole catalogue too.
MATRIX_ROW = b"""
@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:row a bmk:MatrixEntry ; skos:prefLabel "Lab XRD, realistic"@en ; bmk:rowOrder 1 ; bmk:technique ex:labxrd ;
    bmk:inCluster bmk:DiffractionAndScattering ; bmk:sampleFormatCategory bmk:Realistic ;
    bmk:probedArea [ a bmk:Quantity ; bmk:originalText "1cm x 1cm" ; bmk:minValue 1.0 ; bmk:maxValue 1.0 ;
                     bmk:unit bmk:squareCentimetre ] ;
    bmk:operandoTimeResolution [ a bmk:Quantity ; bmk:originalText "min" ] ;
    bmk:hasObservableCapability [ a bmk:ObservableCapability ; bmk:observable ex:crystal ; bmk:quality bmk:High ;
                                  bmk:originalText "crystal structure (H)" ] ;
    bmk:listsInstrument ex:diffractometer ; bmk:listsCell ex:cell .
ex:cell a bmk:ElectrochemicalCell ; skos:prefLabel "Windowed coin cell"@en ; bmk:operatedBy ex:dtu ;
    bmk:status bmk:Available ; bmk:inCluster bmk:DiffractionAndScattering ; bmk:geometry bmk:Reflection ;
    bmk:primaryTechnique ex:labxrd ; bmk:usableOnInstrument ex:diffractometer .
"""
EX = "http://example.org/"
CATALOGUE_PAGE_CASES = {
    "matrix-rows": ({"observable": EX + "structure", "operando": "true", "partner": EX + "dtu"}, 1),
    "matrix-links": ({"technique": EX + "labxrd"}, 3),  # an observable, an instrument, a cell
    "matrix-quantities": ({}, 2),
    "matrix-filter-options": ({}, 5),  # a cluster, a category, two observables, a partner
    "matrix-observable-tree": ({}, 2),
    "technique-about": ({"technique": EX + "labxrd"}, 1),
    "technique-related": ({"technique": EX + "labxrd"}, 6),
    "instrument-about": ({"instrument": EX + "diffractometer"}, 1),
    "instrument-related": ({"instrument": EX + "diffractometer"}, 3),
    "cell-index": ({}, 1),
    "cell-links": ({"cell": EX + "cell"}, 5),
    "partner-index": ({}, 2),
    "partner-links": ({"partner": EX + "dtu"}, 5),
    "partner-measurements": ({"partner": EX + "cea"}, 1),
}


def test_catalogue_page_queries_answer_their_cases(logbook: EmbeddedStore, validator: Validator) -> None:
    from bigmap_kg.namespaces import ONTOLOGY_GRAPH
    from bigmap_kg.validation import load_kind

    logbook.write_graph(str(ONTOLOGY_GRAPH), load_kind("ontology"))
    write_batch(logbook, parse_bytes(MATRIX_ROW, "matrix-row.ttl"), validator)
    queries = page_queries(("matrix-", "technique-", "instrument-", "cell-", "partner-"))
    assert set(queries) == set(CATALOGUE_PAGE_CASES)
    for name, (params, rows) in CATALOGUE_PAGE_CASES.items():
        query = queries[name]
        assert query.title and query.description and query.columns, name
        result = query.run(logbook, params)
        assert len(result) == rows, (name, result.rows)
        assert result.variables == list(query.columns), name


def test_bindings_marker_counts_only_on_a_line_of_its_own() -> None:
    """Regression: a header comment that mentions the marker must not receive the VALUES block."""
    from rdflib import URIRef

    from bigmap_kg.queries import inject_values

    text = "#+ note: entries go where #@bindings stands\nSELECT ?e WHERE {\n  #@bindings\n  ?e ?p ?o }\n"
    out = inject_values(text, [(["e"], [[URIRef("urn:x")]])])
    assert out.splitlines()[0] == "#+ note: entries go where #@bindings stands"
    assert "VALUES (?e)" in out.splitlines()[2]
