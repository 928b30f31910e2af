"""The timeline page /timeline: the logbook as a Gantt chart (D5.3 Figure 19), drawn only from the
dates the graph records."""

from __future__ import annotations

import html
import re

import pytest

from bigmap_kg.loader import write_batch
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.timeline import When, load_timeline
from bigmap_kg.timeline_svg import timeline_svg
from bigmap_kg.validation import Validator

PREFIXES = """
PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# A measurement with its own start and end days, on a sample sent on a known day.
DATED = b"""
@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:fzj a bmk:LaboratoryPartner ; skos:prefLabel "FZJ"@en .
ex:dtu a bmk:LaboratoryPartner ; skos:prefLabel "DTU"@en .
ex:xrd a bmk:Technique ; skos:prefLabel "Laboratory X-ray diffraction"@en ; skos:definition "XRD in a lab."@en .
ex:piece a bmk:Sample ; skos:prefLabel "Test electrode"@en ; bmk:identifier "T-1" ;
    bmk:sampleShape bmk:ElectrodeShape .
ex:parcel a bmk:Shipment ; skos:prefLabel "Test parcel"@en ; bmk:sender ex:fzj ; bmk:recipient ex:dtu ;
    bmk:shippedSample ex:piece ; bmk:shipDate "2023-06-02"^^xsd:date ;
    bmk:receptionDate "2023-06-09"^^xsd:date ; bmk:shipmentStatus bmk:Delivered .
ex:run a bmk:Measurement ; skos:prefLabel "Test XRD"@en ; bmk:performedBy ex:dtu ;
    bmk:technique ex:xrd ; bmk:measuredSample ex:piece ;
    bmk:mode bmk:ExSitu ; bmk:startDate "2023-06-20"^^xsd:date ; bmk:endDate "2023-07-04"^^xsd:date .
"""


def count(store: EmbeddedStore, where: str) -> int:
    rows = store.select(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows
    return int(rows[0]["n"])  # type: ignore[arg-type]


def delivered_measurements(store: EmbeddedStore) -> int:
    """Measurements one of whose samples reached their partner in a parcel with a recorded
    reception (counted straight from the graph, not through the page's query)."""
    return count(store, """SELECT DISTINCT ?m WHERE {
        ?m a bmk:Measurement ; bmk:performedBy ?p ; bmk:measuredSample ?s .
        ?parcel bmk:recipient ?p ; bmk:shippedSample ?s ; bmk:receptionMonth|bmk:receptionDate ?r }""")


def sender_months(store: EmbeddedStore) -> int:
    return count(store, """SELECT DISTINCT ?sender ?month WHERE {
        ?parcel a bmk:Shipment ; bmk:sender ?sender ; bmk:receptionMonth ?month }""")


def test_timeline_draws_a_bar_per_dated_experiment_and_a_marker_per_sender_and_month(api_client, kg_store):
    page = api_client.get("/timeline").text
    measurements = count(kg_store, "?m a bmk:Measurement")
    bars = re.findall(r'<g class="bar" data-measurement="([^"]+)"', page)
    undated = re.findall(r'<g class="undated" data-measurement="([^"]+)"', page)
    assert measurements == 21  # D5.3 Table 1: one measurement per row
    assert len(bars) == delivered_measurements(kg_store) == 19
    assert len(bars) + len(undated) == measurements
    # the two CSIC rows: model samples made and measured at CSIC, no parcel, no date
    assert all("CSIC" in html.unescape(t) for t in re.findall(
        r'<g class="undated"[^>]*><title>(.*?)</title>', page, re.S))
    markers = re.findall(r'<g class="marker" data-kind="(\w+)" data-sender="([^"]+)" data-when="([^"]+)" '
                         r'data-shipments="(\d+)"', page)
    assert len(markers) == sender_months(kg_store) == 5
    assert {(s, w, int(n)) for _, s, w, n in markers} == {
        ("CIDETEC", "2022-10", 3), ("FZJ", "2022-11", 1), ("FZJ", "2022-12", 8), ("FZJ", "2023-01", 5),
        ("FZJ", "2023-04", 2)}
    assert {k for k, *_ in markers} == {"received"}  # no ship date in the graph
    assert sum(int(n) for *_, n in markers) == count(kg_store, "?s a bmk:Shipment") - 1  # the lost one
    assert 'id="undated-shipment-count">1<' in page


def test_each_bar_has_a_tooltip_with_sample_partner_technique_and_dates(api_client):
    page = api_client.get("/timeline").text
    tooltips = [html.unescape(t) for t in re.findall(r'<g class="bar"[^>]*><title>(.*?)</title>', page, re.S)]
    first = tooltips[0].splitlines()
    assert first[0] == "D5.3 XPS at CEA on CIDETEC LiTDI-aged electrodes"
    assert "Partner: CEA" in first and "Technique: X-ray photoelectron spectroscopy" in first
    assert "Samples: Gr + LiTDI aged (CIDETEC); LNO + LiTDI aged (CIDETEC)" in first
    assert "Sample reception: Oct 2022 (month only); D5.3 shipment 01: CIDETEC to CEA (XPS)" in first
    assert "Measurement end: not recorded" in first
    assert all(t.count("\n") == 6 and "Partner: " in t and "Samples: " in t for t in tooltips)
    assert page.count("end not recorded") >= len(tooltips)


def test_tables_say_which_dates_the_graph_lacks(api_client):
    page = api_client.get("/timeline").text
    assert "19 of the 19 dated experiments have no end date in the graph" in page
    assert "No shipment has a ship date" in page
    shipments = re.search(r'<table class="data" id="shipments">(.*?)</table>', page, re.S)
    assert shipments is not None
    assert shipments.group(1).count("<tr") == 1 + 20
    lost = re.search(r'<tr class="undated">\s*<td>(D5.3 shipment 20[^<]*)</td>', shipments.group(1))
    assert lost is not None and "lost" in lost.group(1)


def test_svg_download_is_the_chart_of_the_page(api_client):
    response = api_client.get("/timeline.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg xmlns=")
    assert response.text.count('<g class="bar"') == 19


def test_recorded_days_give_a_bar_from_start_to_end_and_a_sent_marker(store: EmbeddedStore):
    write_batch(store, parse_bytes(DATED, "dated.ttl"), Validator())
    timeline = load_timeline(store)
    (experiment,) = timeline.experiments
    assert experiment.started == When(2023, 6, 20) and experiment.ended == When(2023, 7, 4)
    assert experiment.received == When(2023, 6, 9)
    (marker,) = timeline.markers
    assert (marker.kind, marker.when, len(marker.shipments)) == ("sent", When(2023, 6, 2), 1)
    svg = timeline_svg(timeline)
    assert svg is not None
    assert 'data-start="2023-06-20" data-end="2023-07-04"' in svg
    assert "started 20 Jun 2023 – ended 4 Jul 2023" in svg
    assert '<g class="marker" data-kind="sent"' in svg and "stroke-dasharray=\"5 3\"" in svg


def test_a_graph_without_dates_draws_nothing(store: EmbeddedStore):
    undated = DATED.replace(b'bmk:shipDate "2023-06-02"^^xsd:date ;', b"").replace(
        b'bmk:receptionDate "2023-06-09"^^xsd:date ;', b"").replace(
        b'bmk:startDate "2023-06-20"^^xsd:date ; bmk:endDate "2023-07-04"^^xsd:date ', b"")
    write_batch(store, parse_bytes(undated, "undated.ttl"), Validator())
    timeline = load_timeline(store)
    assert [e.dated for e in timeline.experiments] == [False]
    assert timeline.markers == [] and timeline_svg(timeline) is None


def test_when_reads_days_and_months():
    assert When.of(None) is None
    month = When.of("2022-12")  # type: ignore[arg-type]
    assert month is not None and month.month_only and month.text == "Dec 2022"
    assert (month.first.isoformat(), month.last.isoformat()) == ("2022-12-01", "2022-12-31")
    day = When.of("2023-02-28")  # type: ignore[arg-type]
    assert day is not None and not day.month_only and day.first == day.last and day.text == "28 Feb 2023"


# -- in a browser ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_browser_shows_the_gantt_chart_with_bars_markers_and_tooltips(page, live_service):
    page.goto(live_service + "/timeline")
    chart = page.locator("#timeline-chart svg")
    assert chart.is_visible()
    bars = chart.locator("g.bar")
    dated = int(page.inner_text("#dated-count"))
    assert bars.count() == dated == 19
    assert chart.locator("g.undated").count() == int(page.inner_text("#undated-count")) == 2
    assert chart.locator("g.marker").count() == int(page.inner_text("#marker-count")) == 5
    rows = page.locator("#experiments tbody tr")
    assert rows.count() == 21
    first = bars.first
    first.hover()
    tip = first.locator("title").text_content() or ""
    assert "Partner: CEA" in tip and "Sample reception: Oct 2022" in tip
    box = first.locator("rect").bounding_box()
    assert box is not None and box["width"] > 10  # a month-wide bar, not a hairline
    december = chart.locator("g.marker[data-when='2022-12']")
    assert "8 parcels received in Dec 2022" in (december.locator("title").text_content() or "")
