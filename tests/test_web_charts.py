"""The /charts page: D5.1 Figures 4-6 and the coverage map, served as inline SVG."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from bigmap_kg.charts import competence_charts
from bigmap_kg.store import EmbeddedStore

SVG = "{http://www.w3.org/2000/svg}"


def _svgs(page: str) -> dict[str, ET.Element]:
    """Every inline <svg> of the page, parsed, by id."""
    found = {}
    for match in re.finditer(r"<svg\b.*?</svg>", page, re.S):
        root = ET.fromstring(match.group(0))
        found[root.get("id", "")] = root
    return found


def test_charts_page_draws_one_bubble_per_placed_technique_in_each_figure(
        api_client: Any, kg_store: EmbeddedStore) -> None:
    response = api_client.get("/charts")
    assert response.status_code == 200
    svgs = _svgs(response.text)
    assert {"chart-legend", "chart-laboratory", "chart-neutron", "chart-synchrotron", "coverage-map"} <= set(svgs)
    for chart in competence_charts(kg_store):
        bubbles = svgs[f"chart-{chart.slug}"].findall(f".//{SVG}a[@class='bubble']")
        assert len(bubbles) == len(chart.placed)
        assert f"{len(chart.bubbles)} techniques,\n  {len(chart.placed)} placed" in response.text
    assert [len(svgs[f"chart-{s}"].findall(f".//{SVG}a")) for s in ("laboratory", "neutron", "synchrotron")] \
        == [13, 8, 24]


def test_charts_page_states_the_counting_rule_and_the_unplaced_techniques(api_client: Any) -> None:
    page = html.unescape(api_client.get("/charts").text)
    assert "the distinct partners whose available instruments" in re.sub(r"<[^>]+>|\s+", " ", page).replace("  ", " ")
    assert re.search(r"Not placed, because the sources give no typical length scale or mapping\s+dimension for them:"
                     r"\s+<a href=\"/techniques/fourier-transform-infrared-spectroscopy\">"
                     r"Fourier-transform infrared spectroscopy</a>\s+\(no length scale;\s+2 partners: CSIC, CTH\)", page)
    assert 'id="uncategorised"' not in page  # every catalogue instrument has a facility kind


def test_lab_xrd_tooltip_names_the_seven_partners(api_client: Any) -> None:
    lab = _svgs(api_client.get("/charts").text)["chart-laboratory"]
    tip = lab.findtext(f".//{SVG}a[@data-technique='laboratory-x-ray-diffraction']/{SVG}title") or ""
    assert tip.startswith("Laboratory X-ray diffraction — 7 partners: CEA, CNRS, DTU, TUD, UCAM, UOXF, UU")
    assert "operando: yes; length scale: Å; mapping: 1D" in tip


def test_coverage_map_marks_the_observables_nobody_can_measure(api_client: Any) -> None:
    page = api_client.get("/charts").text
    listed = re.search(r'<span id="unmeasured">([^<]*)</span>', page)
    assert listed and set(listed.group(1).split(", ")) == {"Gas evolution", "Particle cracking", "Reaction dynamics"}
    cmap = _svgs(page)["coverage-map"]
    unmeasured = {g.get("data-observable") for g in cmap.iter(f"{SVG}g") if g.get("class") == "row unmeasured"}
    assert unmeasured == {"gas-evolution", "particle-cracking", "reaction-dynamics"}
    crystal = cmap.find(f".//{SVG}g[@data-observable='crystal-structure']")
    assert crystal is not None
    lab_xrd = crystal.find(f"{SVG}g[@data-technique='laboratory-x-ray-diffraction']")
    assert lab_xrd is not None and lab_xrd.get("data-instruments") == "11"
    assert "Crystal structure × Laboratory X-ray diffraction: 11 available instrument(s)" in (
        lab_xrd.findtext(f"{SVG}title") or "")


@pytest.mark.slow
def test_browser_counts_bubbles_reads_a_tooltip_and_follows_a_bubble(page: Any, live_service: str) -> None:
    page.goto(live_service + "/charts")
    counts = {slug: page.locator(f"#chart-{slug} a.bubble").count() for slug in ("laboratory", "neutron", "synchrotron")}
    assert counts == {"laboratory": 13, "neutron": 8, "synchrotron": 24}
    summary = page.inner_text("#figure-laboratory .chart-summary")
    assert "14 techniques, 13 placed" in " ".join(summary.split())
    bubble = page.locator("#chart-laboratory a.bubble[data-technique='laboratory-x-ray-diffraction']")
    assert bubble.get_attribute("data-partners") == "7"
    assert "7 partners: CEA, CNRS, DTU, TUD, UCAM, UOXF, UU" in bubble.locator("title").text_content()
    assert page.locator("#coverage-map g.row.unmeasured").count() == 3
    bubble.locator("circle").click()
    page.wait_for_url("**/techniques/laboratory-x-ray-diffraction")
    assert page.url == live_service + "/techniques/laboratory-x-ray-diffraction"
