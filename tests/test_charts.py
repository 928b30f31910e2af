"""The D5.1 competence charts (Figures 4-6) and the coverage map: what the graph puts in them, and
well-formed SVG that shows exactly that."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from bigmap_kg import resources
from bigmap_kg.charts import (
    Bubble,
    CompetenceChart,
    CoverageMap,
    competence_charts,
    coverage_map,
    page_query,
    uncategorised_instruments,
)
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.output import labels_of
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.svg_charts import bubble_chart_svg, coverage_svg, legend_svg
from bigmap_kg.validation import Validator

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def kg(initialised_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """One copy of the initialised catalogue for the whole module (the tests only read)."""
    target = tmp_path_factory.mktemp("charts") / "store"
    shutil.copytree(initialised_store_dir, target)
    store = EmbeddedStore(target)
    yield store
    store.close()


@pytest.fixture(scope="module")
def charts(kg: EmbeddedStore) -> dict[str, CompetenceChart]:
    return {c.slug: c for c in competence_charts(kg)}


@pytest.fixture(scope="module")
def cmap(kg: EmbeddedStore) -> CoverageMap:
    return coverage_map(kg)


def shorts(bubbles: list[Bubble]) -> set[str]:
    return {b.short for b in bubbles}


# --- the data -------------------------------------------------------------------------------

def test_lab_xrd_is_carried_out_by_the_seven_partners_d51_names(charts: dict[str, CompetenceChart]) -> None:
    xrd = charts["laboratory"].bubble("Laboratory X-ray diffraction")
    assert set(xrd.partners) == {"UU", "TUD", "UOXF", "UCAM", "CNRS", "CEA", "DTU"}  # D5.1 section 2.1
    assert (xrd.x, xrd.dimension, xrd.operando, xrd.cluster) == (0, 1, True, BMK.DiffractionAndScattering)


def test_the_three_charts_follow_figure_order_and_hold_their_techniques(
        charts: dict[str, CompetenceChart]) -> None:
    assert [c.figure for c in charts.values()] == ["Figure 4", "Figure 5", "Figure 6"]
    assert shorts(charts["neutron"].bubbles) == {"ND", "SANS", "2D SANS", "NI", "NCT", "Neutron laminography",
                                                 "NDP", "NR", "INS"}
    assert (len(charts["laboratory"].bubbles), len(charts["synchrotron"].bubbles)) == (14, 29)
    # a technique named for its facility never leaves that chart
    for slug in charts:
        others = [b.label for s, c in charts.items() if s != slug for b in c.bubbles]
        assert not [label for label in others if slug in label.lower()], slug


def test_a_beamline_run_by_a_laboratory_partner_counts_for_the_synchrotron(
        charts: dict[str, CompetenceChart]) -> None:
    sxrd = charts["synchrotron"].bubble("Synchrotron X-ray diffraction")
    assert set(sxrd.partners) == {"ESRF", "SOLEIL", "DTU"}  # DTU runs DanMAX at MAX IV
    assert "DanMAX (DTU)" in sxrd.instruments
    napxps = charts["synchrotron"].bubble("(Near-)ambient pressure X-ray photoelectron spectroscopy")
    assert set(napxps.partners) == {"SOLEIL", "UU"}  # UU runs HIPPIE and SPECIES at MAX IV


def test_xps_is_in_the_laboratory_and_the_synchrotron_chart(charts: dict[str, CompetenceChart]) -> None:
    lab, sync = charts["laboratory"].bubble("XPS"), charts["synchrotron"].bubble("XPS")
    assert set(lab.partners) == {"CEA", "UU"}  # NIC's XPS is in development: not counted
    assert set(sync.partners) == {"ESRF", "SOLEIL"}
    assert lab.length_text == "Å–nm" and lab.dimension == 1 and lab.x == 0.5  # D5.1 section 2.1


def test_laboratory_xct_of_the_ill_neutron_station_is_a_laboratory_technique(
        charts: dict[str, CompetenceChart]) -> None:
    assert set(charts["laboratory"].bubble("lab XRT").partners) == {"DTU", "ILL"}
    assert "lab XRT" not in shorts(charts["neutron"].bubbles)


def test_operando_follows_the_commercial_and_realistic_rows(charts: dict[str, CompetenceChart]) -> None:
    bubbles = [b for c in charts.values() for b in c.bubbles]
    surface = [b for b in bubbles if b.cluster == BMK.SurfaceSpectroscopy]
    assert surface and not any(b.operando for b in surface)  # every surface row is 'model'
    operando = {b.short for b in bubbles if b.operando}
    assert {"lab XRD", "SXRD", "ND", "SANS", "NI", "µXRT", "Raman", "NMR"} <= operando
    assert not {"TEM", "SEM", "INS", "FTIR", "BCDI"} & operando


def test_techniques_without_a_length_scale_in_the_sources_are_not_placed(
        charts: dict[str, CompetenceChart]) -> None:
    assert [b.short for b in charts["laboratory"].unplaced] == ["FTIR"]
    assert [b.short for b in charts["neutron"].unplaced] == ["Neutron laminography"]
    assert shorts(charts["synchrotron"].unplaced) == {"BCDI", "hard XAS", "soft RIXS", "STXM",
                                                      "X-ray laminography"}
    for chart in charts.values():
        assert all(b.dimension in (1, 2, 3) for b in chart.bubbles)  # every technique has its y


def test_every_catalogue_instrument_has_a_facility_kind_through_itself_or_its_site(kg: EmbeddedStore) -> None:
    assert uncategorised_instruments(kg) == []


def test_instruments_without_a_facility_kind_are_reported(store: EmbeddedStore, validator) -> None:
    from bigmap_kg.loader import init_store, write_batch
    from bigmap_kg.parsing import parse_bytes

    init_store(store, validator)
    write_batch(store, parse_bytes(b"""@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/bigmap-kg/id/instrument/psi-sinq-test> a bmk:Instrument ; skos:prefLabel "SINQ test"@en ;
    bmk:locatedAt <https://w3id.org/bigmap-kg/id/site/PSI> ; bmk:status bmk:Available ;
    bmk:servesTechnique <https://w3id.org/bigmap-kg/id/technique/x-ray-micro-tomography> .""", "x.ttl"), validator)
    assert {(i.label, i.partner) for i in uncategorised_instruments(store)} == {("SINQ test", "")}


def test_coverage_map_shows_the_observables_nobody_measures(cmap: CoverageMap) -> None:
    assert {o.label for o in cmap.unmeasured} == {"Gas evolution", "Reaction dynamics", "Particle cracking"}
    assert len(cmap.observables) == 62 and len(cmap.techniques) == 50
    assert [o.depth for o in cmap.observables if o.label == "Crystal structure"] == [1]


def test_a_coverage_cell_counts_the_available_instruments(kg: EmbeddedStore, cmap: CoverageMap) -> None:
    lab_xrd = ID["technique/laboratory-x-ray-diffraction"]
    available = kg.select(
        "PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#> SELECT ?i WHERE { ?i bmk:servesTechnique "
        f"{lab_xrd.n3()} FILTER NOT EXISTS {{ ?i bmk:status bmk:InDevelopment }} }}")
    cell = cmap.cell(ID["observable/crystal-structure"], lab_xrd)
    assert cell is not None and cell.instruments == len(available) == 11 and cell.rows == 1
    assert cmap.cell(ID["observable/gas-evolution"], lab_xrd) is None
    # a broad observable counts the rows that give a narrower one
    assert cmap.cell(ID["observable/structure"], lab_xrd) == cell


# --- the drawings ---------------------------------------------------------------------------

def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def test_each_chart_is_well_formed_svg_with_one_linked_bubble_per_placed_technique(
        kg: EmbeddedStore, charts: dict[str, CompetenceChart]) -> None:
    clusters = labels_of(kg, {BMK.DiffractionAndScattering, BMK.Imaging, BMK.BulkSpectroscopy,
                              BMK.SurfaceSpectroscopy})
    for chart in charts.values():
        root = _parse(bubble_chart_svg(chart, 7, clusters))
        links = root.findall(f".//{SVG}a")
        assert len(links) == len(chart.placed) > 0
        by_id = {link.get("data-technique"): link for link in links}
        for bubble in chart.placed:
            link = by_id[bubble.ident]
            assert link.get("href") == f"/techniques/{bubble.ident}"
            title = link.findtext(f"{SVG}title") or ""
            assert bubble.label in title and f"{len(bubble.partners)} partner" in title
            assert ("operando: yes" in title) == bubble.operando
            assert link.get("data-operando") == str(bubble.operando).lower()
            assert (link.find(f"{SVG}rect[@class='name-operando']") is not None) == bubble.operando
    lab = _parse(bubble_chart_svg(charts["laboratory"], 7, clusters))
    xrd = lab.findtext(f".//{SVG}a[@data-technique='laboratory-x-ray-diffraction']/{SVG}title") or ""
    assert "7 partners: CEA, CNRS, DTU, TUD, UCAM, UOXF, UU" in xrd
    assert "cluster: Diffraction and scattering; operando: yes" in xrd


def test_bubble_area_is_proportional_to_the_partners(charts: dict[str, CompetenceChart]) -> None:
    root = _parse(bubble_chart_svg(charts["laboratory"], 7, {}))
    radii = {a.get("data-technique"): float(a.find(f"{SVG}circle").get("r"))  # type: ignore[union-attr,arg-type]
             for a in root.iter(f"{SVG}a")}
    ratio = (radii["laboratory-x-ray-diffraction"] / radii["ion-scattering-spectroscopy"]) ** 2
    assert ratio == pytest.approx(7 / 1, rel=0.01)


def test_legend_and_coverage_map_are_well_formed(kg: EmbeddedStore, cmap: CoverageMap) -> None:
    legend = _parse(legend_svg(7, {BMK.Imaging: "Imaging"}))
    assert "Imaging" in [t.text for t in legend.iter(f"{SVG}text")]
    root = _parse(coverage_svg(cmap, {}))
    rows = root.findall(f".//{SVG}g[@data-observable]")
    assert len(rows) == 62
    unmeasured = [str(r.get("data-observable")) for r in rows if "unmeasured" in (r.get("class") or "")]
    assert sorted(unmeasured) == ["gas-evolution", "particle-cracking", "reaction-dynamics"]
    given = root.findall(f".//{SVG}g[@class='cell given']")
    empty = root.findall(f".//{SVG}rect[@class='cell empty']")
    assert len(given) == len(cmap.cells) and len(given) + len(empty) == 62 * 50
    assert len(root.findall(f".//{SVG}a[@class='column']")) == 50


# --- the queries and the curated terms ------------------------------------------------------

def test_chart_queries_have_headers_and_answer_with_their_columns(kg: EmbeddedStore) -> None:
    names = sorted(resources.relative_name("queries", item)[len("pages/chart-"):-len(".rq")]
                   for item in resources.data_files("queries", ".rq")
                   if resources.relative_name("queries", item).startswith("pages/chart-"))
    assert names == ["competence", "coverage", "observables", "techniques", "uncategorised"]
    for name in names:
        query = page_query(name)
        assert query.title and query.description and query.columns, name
        result = query.run(kg)
        assert result.variables == list(query.columns), name
        assert len(result) > 0 or name == "uncategorised", name  # that one has its own case above


CHART_TERMS = """
@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:t a bmk:Technique ; skos:prefLabel "T"@en ; skos:definition "A technique."@en ;
    bmk:facilityKind bmk:NeutronFacility ; bmk:typicalLengthScale bmk:angstrom, bmk:nanometre ;
    bmk:mappingDimension 3 .
"""


@pytest.mark.parametrize("bad, message", [
    ("bmk:mappingDimension 4", "mapping dimension"),
    ("bmk:typicalLengthScale bmk:millimetre", "typical length scale"),
    ("bmk:facilityKind bmk:High", "facility kind"),
])
def test_shapes_keep_the_chart_terms_to_their_values(validator: Validator, bad: str, message: str) -> None:
    good = Graph().parse(data=CHART_TERMS, format="turtle")
    assert validator.validate(good, focus=[URIRef("http://example.org/t")]).conforms
    wrong = Graph().parse(data=CHART_TERMS.replace("bmk:mappingDimension 3 .", f"bmk:mappingDimension 3 ; {bad} ."),
                          format="turtle")
    report = validator.validate(wrong, focus=[URIRef("http://example.org/t")])
    assert not report.conforms
    assert any(message in p.message for p in report.violations), [p.message for p in report.violations]
