"""The reference catalogue: it loads without violations, and it says what the sources say."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from rdflib import Graph, URIRef

from bigmap_kg.catalogue_doc import render_catalogue
from bigmap_kg.loader import InitResult, init_store
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.ontology_check import check
from bigmap_kg.queries import get_query
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.store.base import TripleStore
from bigmap_kg.validation import Validator, load_kind

PREFIXES = """
PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX technique: <https://w3id.org/bigmap-kg/id/technique/>
PREFIX matrix: <https://w3id.org/bigmap-kg/id/matrix/>
PREFIX observable: <https://w3id.org/bigmap-kg/id/observable/>
PREFIX partner: <https://w3id.org/bigmap-kg/id/partner/>
PREFIX measurement: <https://w3id.org/bigmap-kg/id/measurement/>
PREFIX material: <https://w3id.org/bigmap-kg/id/material/>
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedStore, InitResult]]:
    store = EmbeddedStore(tmp_path_factory.mktemp("catalogue") / "store")
    result = init_store(store, Validator())
    yield store, result
    store.close()


@pytest.fixture(scope="module")
def kg(loaded: tuple[EmbeddedStore, InitResult]) -> EmbeddedStore:
    return loaded[0]


def select(store: TripleStore, body: str) -> list[dict[str, str]]:
    rows = store.select(PREFIXES + body).rows
    return [{k: str(v) for k, v in row.items() if v is not None} for row in rows]


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# --- loading -------------------------------------------------------------------------------

def test_init_loads_the_catalogue_with_zero_violations(loaded: tuple[EmbeddedStore, InitResult]) -> None:
    store, result = loaded
    assert result.report.conforms
    assert result.report.violations == []
    assert result.counts["https://w3id.org/bigmap-kg/graph/catalogue"] > 5000
    # the only warnings: archive records that D5.3 names without giving their address
    flagged = {p.focus for p in result.report.warnings}
    records = {r["r"] for r in select(store, "SELECT ?r WHERE { ?r a bmk:ArchiveRecord }")}
    assert flagged == records


def test_ontology_check_finds_ontology_and_catalogue_consistent() -> None:
    result = check(load_kind("ontology"), load_kind("catalogue"))
    assert result.consistent
    assert result.individuals > 900


def test_every_node_has_one_type_and_no_dangling_link() -> None:
    data = load_kind("catalogue")
    typed = set(data.subjects(predicate=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    dangling = {o for o in data.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))
                and o not in typed}
    assert dangling == set()


# --- the four cluster tables of D5.1 ------------------------------------------------------

def test_each_cluster_table_has_its_rows_in_order(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?cluster ?row WHERE {
        ?e a bmk:MatrixEntry ; bmk:inCluster ?cluster ; bmk:rowOrder ?row }""")
    per_cluster: dict[str, list[int]] = {}
    for r in rows:
        per_cluster.setdefault(r["cluster"].split("#")[1], []).append(int(r["row"]))
    assert {c: len(v) for c, v in per_cluster.items()} == {
        "DiffractionAndScattering": 11, "Imaging": 23, "BulkSpectroscopy": 8, "SurfaceSpectroscopy": 13}
    for cluster, numbers in per_cluster.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), cluster


def test_matrix_query_returns_one_line_per_row(kg: EmbeddedStore) -> None:
    result = get_query("matrix").run(kg, {"cluster": "Imaging"})
    assert len(result) == 23
    assert len(get_query("matrix").run(kg)) == 55


def test_counts_query_counts_each_kind_with_its_subclasses(kg: EmbeddedStore) -> None:
    counts = {str(r["kind"]): (int(r["count"]), int(r["in_development"]))  # type: ignore[arg-type]
              for r in get_query("catalogue-counts").run(kg).rows}
    assert counts["partners"] == (18, 0)  # typed as laboratory, facility or industrial partner
    assert counts["matrix rows"] == (55, 0)
    assert counts["measurements"] == (21, 0) and counts["shipments"] == (20, 0)
    assert counts["instruments"][1] == 2


def test_neutron_diffraction_keeps_its_commercial_and_realistic_rows_apart(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?category ?time ?resolution WHERE {
        ?e bmk:technique technique:neutron-diffraction ; bmk:sampleFormatCategory ?category ;
           bmk:operandoTimeResolution/bmk:originalText ?time .
        OPTIONAL { ?e bmk:probedAreaResolution/bmk:originalText ?resolution } }""")
    facts = {r["category"].split("#")[1]: (r["time"], r.get("resolution")) for r in rows}
    assert facts == {"Commercial": ("min (standard), ms (stroboscopic)", None),
                     "Realistic": ("1 min < Δt < 30 min", "1 mm")}


def test_quantities_keep_the_text_and_give_numbers_with_a_unit(kg: EmbeddedStore) -> None:
    lab_xrd_time = select(kg, """SELECT ?text ?min ?max ?unit WHERE {
        matrix:diffraction-03 bmk:operandoTimeResolution ?q .
        ?q bmk:originalText ?text ; bmk:minValue ?min ; bmk:maxValue ?max ; bmk:unit ?unit }""")
    assert [(r["text"], float(r["min"]), float(r["max"]), r["unit"]) for r in lab_xrd_time] == [
        ("5-30 mins", 5.0, 30.0, str(BMK.minute))]
    broken = select(kg, """SELECT ?q WHERE {
        { ?q bmk:minValue ?a ; bmk:maxValue ?b FILTER(?a > ?b) }
        UNION { ?q bmk:minValue|bmk:maxValue ?v FILTER NOT EXISTS { ?q bmk:unit ?u } } }""")
    assert broken == []


def test_observable_qualities_are_kept(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?quality WHERE {
        ?e bmk:inCluster bmk:Imaging ; bmk:rowOrder 2 ; bmk:hasObservableCapability ?c .
        ?c bmk:observable observable:lattice-parameters ; bmk:quality ?quality }""")
    assert rows == [{"quality": str(BMK.High)}]


def test_observables_nest_without_cycles_and_queries_follow_them(kg: EmbeddedStore) -> None:
    cycles = select(kg, "SELECT ?o WHERE { ?o skos:broader+ ?o }")
    assert cycles == []
    narrower = {r["o"] for r in select(kg, """SELECT ?o WHERE {
        ?o skos:broader+ observable:morphology }""")}
    assert {ID["observable/nanoscale-morphology"], ID["observable/pore-structure"]} <= {
        URIRef(o) for o in narrower}


def test_one_node_per_observable_label(kg: EmbeddedStore) -> None:
    rows = select(kg, "SELECT ?o ?l WHERE { ?o a bmk:Observable ; skos:prefLabel ?l }")
    counts = Counter(r["l"].lower() for r in rows)
    assert [label for label, n in counts.items() if n > 1] == []


# --- instruments ---------------------------------------------------------------------------

def test_lab_xrd_is_available_at_the_seven_partners_of_d51(kg: EmbeddedStore) -> None:
    result = get_query("instruments-for-technique").run(kg, {"technique": "lab XRD"})
    partners = {short(str(r["partner"])) for r in result.rows if r["status"] == BMK.Available}
    assert partners == {"UU", "TUD", "UOXF", "UCAM", "CNRS", "CEA", "DTU"}


def test_id16b_is_at_esrf_and_serves_nano_tomography_and_nano_xrf(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?partner ?site ?t WHERE {
        ?i skos:prefLabel "ID16B"@en ; bmk:operatedBy ?partner ; bmk:locatedAt ?site ; bmk:servesTechnique ?t }""")
    assert {(short(r["partner"]), short(r["site"])) for r in rows} == {("ESRF", "ESRF")}
    assert {"x-ray-nano-tomography", "nano-x-ray-fluorescence"} <= {short(r["t"]) for r in rows}
    for name in ("nano-tomography", "nano-XRF"):
        found = get_query("instruments-for-technique").run(kg, {"technique": name})
        assert "ID16B" in {short(str(r["instrument"])).split("-")[-1].upper() for r in found.rows}, name


def test_an_instrument_listed_by_a_row_serves_the_row_technique(kg: EmbeddedStore) -> None:
    assert select(kg, """SELECT ?e ?i WHERE { ?e bmk:listsInstrument ?i ; bmk:technique ?t .
        FILTER NOT EXISTS { ?i bmk:servesTechnique ?t } }""") == []


def test_instruments_marked_in_dev_are_kept_as_in_development(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?l WHERE { ?i a bmk:Instrument ; bmk:status bmk:InDevelopment ;
        skos:prefLabel ?l }""")
    assert {r["l"] for r in rows} == {"TUD lab XRD (Ag)", "NIC lab XPS"}


def test_an_instrument_under_several_techniques_is_one_node(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?i (COUNT(DISTINCT ?l) AS ?n) (COUNT(DISTINCT ?t) AS ?techniques) WHERE {
        ?i a bmk:Instrument ; skos:prefLabel ?l ; bmk:servesTechnique ?t } GROUP BY ?i""")
    assert all(r["n"] == "1" for r in rows)
    by_iri = {short(r["i"]): int(r["techniques"]) for r in rows}
    assert by_iri["esrf-id31"] >= 4 and by_iri["soleil-tempo"] >= 3


# --- cells and holders ---------------------------------------------------------------------

def test_cell_index_has_its_35_cells_and_matrix_names_merge_into_them(kg: EmbeddedStore) -> None:
    index = select(kg, "SELECT ?c WHERE { ?c bmk:inCellIndex true }")
    assert len(index) == 35
    # a cell named in the matrix and in the index is one node, found by either name
    rows = select(kg, """SELECT ?c WHERE { ?c skos:altLabel "AMPIX (transmission)"@en ;
        skos:prefLabel "AMPIX cell – In-house"@en ; bmk:inCellIndex true }""")
    assert len(rows) == 1


def test_no_partner_has_two_cells_of_the_same_name_except_the_two_caen_designs(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?c ?p ?l ?g WHERE { ?c a bmk:ElectrochemicalCell ; bmk:operatedBy ?p ;
        skos:prefLabel ?l . OPTIONAL { ?c bmk:geometry ?g } }""")
    counts = Counter((short(r["p"]), r["l"]) for r in {(r["c"], r["p"], r["l"]): r for r in rows}.values())
    assert [k for k, n in counts.items() if n > 1] == [("CNRS", "CAEN cell")]
    caen = {r["g"].split("#")[1] for r in rows if r["l"] == "CAEN cell"}
    assert caen == {"Transmission", "Reflection"}


def test_d55_sample_holder_table_is_transcribed(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?availability ?t ?p ?tight WHERE {
        ?h skos:prefLabel "XPS/SEM transfer chamber"@en ; bmk:operatedBy partner:CEA ;
           bmk:availability ?availability ; bmk:hasCompatibility ?c .
        ?c bmk:technique ?t ; bmk:compatiblePartner ?p ; bmk:airTight ?tight }""")
    assert {(short(r["t"]), short(r["p"]), r["tight"]) for r in rows} == {
        ("x-ray-photoelectron-spectroscopy", "CEA", "true"), ("scanning-electron-microscopy", "CEA", "true")}
    assert {r["availability"] for r in rows} == {str(BMK.Medium)}
    shapes = select(kg, """SELECT ?s WHERE { ?h skos:prefLabel "XPS/SEM transfer chamber"@en ;
        bmk:acceptsSampleShape ?s }""")
    assert {r["s"] for r in shapes} == {str(BMK.ElectrodeShape), str(BMK.PowderShape)}


# --- partners ------------------------------------------------------------------------------

def test_partners_are_found_by_the_names_the_documents_use(kg: EmbeddedStore) -> None:
    for alias, acronym in {"Chalmers": "CTH", "Oxford": "UOXF", "Uppsala University": "UU",
                           "TU Delft": "TUD", "Cambridge": "UCAM", "Soleil": "SOLEIL",
                           "Umicore": "UMI"}.items():
        rows = select(kg, f"""SELECT ?p WHERE {{ ?p skos:prefLabel|skos:altLabel ?n .
            ?p bmk:hasSite ?s . FILTER(LCASE(STR(?n)) = LCASE("{alias}")) }}""")
        assert {short(r["p"]) for r in rows} == {acronym}, alias
    partners = select(kg, """SELECT DISTINCT ?p ?city ?country WHERE { ?p bmk:hasSite ?s .
        ?s bmk:city ?city ; bmk:country ?country }""")
    assert len({r["p"] for r in partners}) == 18


# --- the D5.3 demonstrator -----------------------------------------------------------------

TABLE_1 = [  # partner, technique of each row of D5.3 Table 1, in the table's order
    ("CEA", "x-ray-photoelectron-spectroscopy"), ("SOLEIL", "hard-x-ray-photoelectron-spectroscopy"),
    ("UU", "x-ray-photoelectron-spectroscopy"), ("CEA", "small-angle-x-ray-scattering"),
    ("ESRF", "nano-diffraction"), ("ESRF", "x-ray-nano-tomography"),
    ("DTU", "laboratory-x-ray-diffraction"), ("SOLEIL", "x-ray-absorption-spectroscopy"),
    ("CEA", "x-ray-raman-spectroscopy"), ("CTH", "raman-spectroscopy"),
    ("CEA", "x-ray-photoelectron-spectroscopy"), ("UU", "x-ray-photoelectron-spectroscopy"),
    ("TUD", "solid-state-nuclear-magnetic-resonance-spectroscopy"),
    ("UOXF", "transmission-electron-microscopy"), ("ILL", "neutron-imaging"),
    ("NIC", "focused-ion-beam-scanning-electron-microscopy-tomography"), ("TUD", "neutron-depth-profiling"),
    ("UCAM", "solid-state-nuclear-magnetic-resonance-spectroscopy"),
    ("UCAM", "operando-electrochemical-mass-spectrometry"), ("CSIC", "electrochemistry"),
    ("CSIC", "transmission-electron-microscopy"),
]


def test_d53_table_1_has_one_measurement_per_row_with_partner_and_technique(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?m ?p ?t WHERE { ?m a bmk:Measurement ; bmk:performedBy ?p ;
        bmk:technique ?t . FILTER(STRSTARTS(STR(?m), "https://w3id.org/bigmap-kg/id/measurement/d53-")) } ORDER BY ?m""")
    assert [(short(r["p"]), short(r["t"])) for r in rows] == TABLE_1


def test_d53_shipments_record_the_lost_parcel_and_the_tem_moved_to_csic(kg: EmbeddedStore) -> None:
    shipments = select(kg, """SELECT ?s ?from ?to ?status WHERE { ?s a bmk:Shipment ; bmk:sender ?from ;
        bmk:recipient ?to ; bmk:shipmentStatus ?status }""")
    assert len(shipments) == 20
    lost = [(short(r["from"]), short(r["to"])) for r in shipments if r["status"] == str(BMK.Lost)]
    assert lost == [("CSIC", "UOXF")]
    tem = select(kg, """SELECT ?p WHERE { measurement:d53-21 bmk:performedBy ?p ;
        bmk:technique technique:transmission-electron-microscopy }""")
    assert [short(r["p"]) for r in tem] == ["CSIC"]


def test_who_measured_lno_names_the_partners_that_received_lno(kg: EmbeddedStore) -> None:
    result = get_query("who-measured-material").run(kg, {"material": "LNO"})
    partners = {short(str(r["partner"])) for r in result.rows}
    assert partners == {"CEA", "SOLEIL", "UU", "ESRF", "DTU", "CTH", "TUD", "UOXF", "ILL", "NIC", "UCAM"}


def test_standard_samples_are_aged_to_80_percent_soh(kg: EmbeddedStore) -> None:
    rows = select(kg, """SELECT ?s ?soh WHERE { ?s a bmk:Sample ; bmk:stateOfHealth ?soh ;
        bmk:madeOf material:lno }""")
    assert rows and {float(r["soh"]) for r in rows} == {80.0}


# --- the generated document ----------------------------------------------------------------

def test_catalogue_document_is_current(kg: EmbeddedStore) -> None:
    doc = Path(REPO / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert doc == render_catalogue(kg), "regenerate: bigmap-kg report catalogue -o docs/catalogue.md"


def test_catalogue_files_parse_separately_with_their_own_prefixes() -> None:
    for path in sorted((REPO / "catalogue").rglob("*.ttl")):
        Graph().parse(path, format="turtle")


def test_d55_tags_only_where_the_documents_give_values(kg: EmbeddedStore) -> None:
    destructive = select(kg, "SELECT ?t WHERE { ?t bmk:sampleIntegrity bmk:Destructive }")
    assert [short(r["t"]) for r in destructive] == ["focused-ion-beam-scanning-electron-microscopy-tomography"]
    availability = select(kg, "SELECT ?x WHERE { ?x bmk:availability ?level }")
    assert [short(r["x"]) for r in availability] == ["cea-xps-sem-transfer-chamber"]


# --- logbook and capability questions on the shipped graph -----------------------------------

def test_operando_li_distribution_needs_an_available_cell(kg: EmbeddedStore) -> None:
    query = get_query("instruments-for-observable")
    every = query.run(kg, {"observable": "Lithium distribution and gradients"})
    operando = query.run(kg, {"observable": "Lithium distribution and gradients", "operando": "true"})
    names = {short(str(r["instrument"])) for r in operando.rows}
    assert names == {"tud-ndp", "ill-d50", "esrf-id31"}
    assert names < {short(str(r["instrument"])) for r in every.rows}
    assert all(r["operando_cells"] for r in operando.rows)


def test_nano_tomography_has_no_available_operando_cell(kg: EmbeddedStore) -> None:
    """The ground of D5.5's example: ANATOMIX and ID16B image cracks, but not operando."""
    query = get_query("instruments-for-observable")
    capable = {short(str(r["instrument"])) for r in query.run(kg, {"observable": "morphology"}).rows
               if short(str(r["technique"])) == "x-ray-nano-tomography"}
    assert {"soleil-anatomix", "esrf-id16b"} <= capable
    operando = query.run(kg, {"observable": "morphology", "operando": "true"}).rows
    assert [r for r in operando if short(str(r["technique"])) == "x-ray-nano-tomography"] == []


def test_sample_history_of_a_d53_electrode_lists_its_shipments_and_measurements(kg: EmbeddedStore) -> None:
    rows = get_query("sample-history").run(kg, {"sample": "fzj-lno-aged-electrode"}).rows
    events = Counter(str(r["event"]) for r in rows)
    assert events["shipped"] == 14 and events["measured"] == 14 and events["made from"] == 1
    months = [str(r["when"]) for r in rows if r["when"] is not None]
    assert months == sorted(months) and months[0] == "2022-11"


def test_archive_completeness_on_d53_counts_the_experiments_without_record(kg: EmbeddedStore) -> None:
    rows = get_query("measurements-missing-from-archive").run(kg).rows
    assert len(rows) == 21  # no D5.3 notebook entry is named in the text
    without_record = {short(str(r["measurement"])) for r in rows if "no archive record" in str(r["problem"])}
    assert len(without_record) == 21 - 5  # records named: CEA XPS (2 rows), Raman, CSIC (2 rows)
    counted = get_query("archive-completeness").run(kg).rows
    assert sum(int(str(r["measurements"])) for r in counted) == 21
