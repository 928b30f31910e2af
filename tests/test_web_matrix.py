"""The experimental matrix as a clickable database (D5.1 section 2.5): /matrix with its filters,
the technique, instrument, cell and partner pages, and the cell and partner indexes."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from rdflib import Literal, URIRef

from bigmap_kg import resources
from bigmap_kg.browse.graph import page_query, run
from bigmap_kg.browse.matrix import matrix_rows, row_records
from bigmap_kg.queries import get_query
from bigmap_kg.store import EmbeddedStore

HTML = {"accept": "text/html"}
PREFIXES = ("matrix-", "technique-", "instrument-", "cell-", "partner-")


def page_query_names() -> list[str]:
    names = []
    for item in resources.data_files("queries", ".rq"):
        name = resources.relative_name("queries", item)
        if name.startswith("pages/") and name[len("pages/"):].startswith(PREFIXES):
            names.append(name[len("pages/"):-len(".rq")])
    return names


def get_page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, (url, response.text[:500])
    return response.text


def matrix_row_ids(page: str) -> list[str]:
    return re.findall(r'<tr id="([^"]+)" data-technique=', page)


def shown_of_total(page: str) -> tuple[int, int]:
    shown = re.search(r'id="shown-count">(\d+)<', page)
    total = re.search(r'id="total-count">(\d+)<', page)
    assert shown and total
    return int(shown.group(1)), int(total.group(1))


def section(page: str, ident: str) -> str:
    """The part of the page from the element with this id to the next h2."""
    start = page.index(f'id="{ident}"')
    end = page.find("<h2", start + 1)
    return page[start:end if end > 0 else len(page)]


# -- the page queries ----------------------------------------------------------------------

def test_there_is_a_page_query_per_page_part() -> None:
    names = page_query_names()
    assert len(names) >= 14, names
    assert {n.split("-")[0] for n in names} == {"matrix", "technique", "instrument", "cell", "partner"}


def test_page_queries_answer_their_header_examples_on_the_catalogue(kg_store: EmbeddedStore) -> None:
    for name in page_query_names():
        query = page_query(name)
        assert query.title and query.description and query.columns, name
        assert all(p.example for p in query.parameters), name
        params = {p.name: (Literal(p.example == "true") if p.type == "boolean" else URIRef(str(p.example)))
                  for p in query.parameters}
        rows = run(kg_store, name, **params)
        assert rows, name
        assert set(rows[0]) == set(query.columns), name


# -- /matrix ---------------------------------------------------------------------------------

def test_matrix_shows_all_55_rows_of_the_four_cluster_tables(api_client) -> None:
    page = get_page(api_client, "/matrix")
    ids = matrix_row_ids(page)
    assert len(ids) == 55 and shown_of_total(page) == (55, 55)
    assert {i.split("-")[0] for i in ids} == {"diffraction", "imaging", "bulk", "surface"}
    assert ids[0] == "diffraction-01" and ids[-1] == "surface-13"  # D5.1 table order


def test_matrix_row_shows_its_columns_with_links(api_client) -> None:
    page = get_page(api_client, "/matrix?cluster=Imaging")
    row = page[page.index('<tr id="imaging-04"'):]
    row = row[:row.index("</tr>")]
    assert '<a href="/techniques/neutron-imaging" data-kind="technique">Neutron imaging</a>' in row
    for text in ("Commercial", "&gt; 4 µm x 4 µm", "cm (full cell)", "ms - s", "neutron absorption contrast"):
        assert text in row, text
    assert 'href="/instruments/ill-d50"' in row
    assert 'href="/cells/cea-coin-cells-small-sized"' in row
    assert 'href="/partners/CEA"' in row and 'href="/partners/ILL"' in row
    assert 'href="/matrix?observable=lithium-distribution-and-gradients"' in row
    assert "(L)" in row


def test_imaging_rows_giving_lithium_distribution_include_narrower_observables(api_client) -> None:
    page = get_page(api_client, "/matrix?cluster=Imaging&observable=lithium-distribution-and-gradients")
    assert matrix_row_ids(page) == ["imaging-04", "imaging-05", "imaging-09", "imaging-12", "imaging-13"]
    assert shown_of_total(page) == (5, 55)
    ndp = page[page.index('<tr id="imaging-13"'):]
    ndp = ndp[:ndp.index("</tr>")]
    # Neutron depth profiling gives only the narrower "Lithium density depth profile".
    assert "Lithium density depth profile" in ndp and ">Lithium distribution and gradients<" not in ndp


def test_observable_filter_agrees_with_the_named_query(kg_store: EmbeddedStore) -> None:
    """Rows found by the filter are the rows whose techniques instruments-for-observable finds."""
    observable = URIRef("https://w3id.org/bigmap-kg/id/observable/chemical-gradients")
    techniques = {str(r["technique"]) for r in row_records(kg_store, observable=observable)}
    named = get_query("instruments-for-observable").run(kg_store, {"observable": "Chemical gradients"})
    assert {str(r["technique"]) for r in named.rows} == techniques
    assert len(techniques) == 7  # 8 rows: neutron imaging has two


def test_operando_filter_keeps_rows_with_an_available_cell_or_commercial_format(api_client) -> None:
    page = get_page(api_client, "/matrix?operando=1")
    ids = matrix_row_ids(page)
    assert shown_of_total(page) == (30, 55)
    assert "imaging-02" in ids  # commercial XRD-CT: no cell listed, the commercial cell is the sample
    assert "imaging-15" in ids  # BCDI model row: an available windowed coin-cell holder, no time given
    assert "imaging-09" not in ids  # neutron imaging, realistic: its only cell is in development
    assert "bulk-07" not in ids  # a time resolution ("min to hr") but no cell
    assert page.count('data-operando="yes"') == 30 and 'data-operando="no"' not in page
    assert 'id="operando-meaning"' in page and "available" in section(page, "operando-meaning")


def test_partner_and_category_filters(api_client) -> None:
    cth = get_page(api_client, "/matrix?partner=cth")
    assert matrix_row_ids(cth) == ["diffraction-05", "imaging-07", "imaging-08", "imaging-12", "imaging-18",
                                   "bulk-02", "bulk-08", "surface-09"]
    commercial = get_page(api_client, "/matrix?category=Commercial")
    assert shown_of_total(commercial) == (7, 55)
    assert all(i.startswith(("diffraction", "imaging")) for i in matrix_row_ids(commercial))


def test_filters_combine_and_blank_ones_are_ignored(api_client) -> None:
    page = get_page(api_client, "/matrix?cluster=Imaging&category=Realistic&operando=1&partner=&observable=")
    assert matrix_row_ids(page) == ["imaging-07", "imaging-11", "imaging-12", "imaging-13"]
    assert '<option value="Imaging" selected>' in page


def test_filter_choices_count_the_rows_they_select(api_client) -> None:
    page = get_page(api_client, "/matrix")
    assert re.search(r'<option value="Imaging">Imaging \(23\)</option>', page)
    assert re.search(r'<option value="Commercial">Commercial \(7\)</option>', page)
    assert re.search(r'<option value="CEA">CEA \(25\)</option>', page)
    # observables nest: "Lithium distribution and gradients" is indented under "Chemical gradients"
    assert re.search(r'<option value="lithium-distribution-and-gradients">(\u00a0)+Lithium distribution '
                     r'and gradients \(6\)</option>', page)


def test_no_matching_row_says_so(api_client) -> None:
    page = get_page(api_client, "/matrix?cluster=SurfaceSpectroscopy&category=Commercial")
    assert matrix_row_ids(page) == [] and 'id="no-rows"' in page


def test_unknown_filter_value_is_a_404_page(api_client) -> None:
    page = get_page(api_client, "/matrix?cluster=Optics", 404)
    assert "no cluster" in html.unescape(page) and "Imaging" in page


def test_every_link_of_the_matrix_and_cell_index_leads_to_a_page(api_client) -> None:
    hrefs = set()
    for url in ("/matrix", "/cells", "/partners"):
        hrefs |= set(re.findall(r'href="(/(?:techniques|instruments|cells|partners)/[^"#?]+)"', get_page(api_client, url)))
    assert len(hrefs) > 150
    kinds = {h.split("/")[1] for h in hrefs}
    assert kinds == {"techniques", "instruments", "cells", "partners"}
    for href in sorted(hrefs):
        get_page(api_client, href)


# -- technique pages -------------------------------------------------------------------------

def test_technique_page_shows_numbers_with_units_and_the_original_text(api_client) -> None:
    page = html.unescape(get_page(api_client, "/techniques/x-ray-micro-tomography"))
    assert '<h1 id="technique-name">X-ray micro-tomography</h1>' in page
    commercial = section(page, "imaging-01")
    for original, value in (("> 200µm x 200µm", "min 40000 µm²"), ("(res: < 1 μm)", "max 1 µm"),
                            ("(res: < 50 nm)", "max 50 nm")):
        assert f'<td class="original-text">{original}</td><td class="value">{value}</td>' in commercial
    assert '<td class="original-text">μs to s</td><td class="value">no number</td>' in commercial
    realistic = section(page, "imaging-07")
    assert '<td class="original-text">100x100 µm ²</td><td class="value">10000 µm²</td>' in realistic
    assert "Recent Tomographic Imaging Developments at the PSICHE Beamline" in realistic


def test_technique_page_lists_instruments_cells_partners_and_observables(api_client) -> None:
    page = get_page(api_client, "/techniques/x-ray-micro-tomography")
    instruments = section(page, "instruments")
    assert re.findall(r'href="/instruments/([^"]+)"', instruments) == [
        "soleil-anatomix", "esrf-bm05", "esrf-id19", "soleil-psiche", "psi-tomcat"]
    cells = section(page, "cells")
    assert 'href="/cells/cth-pfa-operando-cell"' in cells and "listed on a matrix row; primary technique" in cells
    partners = re.findall(r'href="/partners/([^"]+)"', section(page, "partners"))
    assert partners == ["CEA", "CNRS", "CTH", "ESRF", "SOLEIL", "UOXF"]
    observables = section(page, "observables")
    assert "Morphology" in observables and "High" in observables
    assert "2 rows, 5 instruments, 9 cells, 6 partners" in page


def test_technique_page_links_broader_and_narrower_techniques(api_client) -> None:
    xrd = get_page(api_client, "/techniques/x-ray-diffraction")
    narrower = section(xrd, "narrower")
    for ident in ("laboratory-x-ray-diffraction", "nano-diffraction", "synchrotron-x-ray-diffraction",
                  "x-ray-diffraction-computed-tomography"):
        assert f'href="/techniques/{ident}"' in narrower
    lab = get_page(api_client, "/techniques/laboratory-x-ray-diffraction")
    assert 'href="/techniques/x-ray-diffraction"' in section(lab, "broader")


def test_grouping_technique_without_a_row_says_so(api_client) -> None:
    page = get_page(api_client, "/techniques/x-ray-tomography")
    assert 'id="no-rows"' in page and "D5.1 gives no matrix row for this technique" in page
    assert 'href="/techniques/x-ray-micro-tomography"' in section(page, "narrower")


def test_unknown_technique_is_a_404_html_page(api_client) -> None:
    page = get_page(api_client, "/techniques/x-ray-crystal-gazing", 404)
    assert "no technique" in html.unescape(page) and "<h1>Error 404</h1>" in page
    response = api_client.get("/techniques/x-ray-crystal-gazing", headers={"accept": "application/json"})
    assert response.status_code == 404 and "no technique" in response.json()["error"]
    assert api_client.get("/techniques/..%2Fetc", headers=HTML).status_code == 404


def test_technique_rows_come_with_their_readings(kg_store: EmbeddedStore) -> None:
    technique = URIRef("https://w3id.org/bigmap-kg/id/technique/neutron-imaging")
    rows = matrix_rows(kg_store, row_records(kg_store, technique=technique), technique, readings=True)
    assert [r.entry.id for r in rows] == ["imaging-04", "imaging-09"]
    realistic = {q.column.label: (q.text, q.value) for q in rows[1].readings}
    assert realistic["operando time resolution"] == ("4 hr", "4 h")
    assert rows[1].operando_basis == "only cells in development: Operando cell compatible for x-rays"


# -- instrument pages ------------------------------------------------------------------------

def test_instrument_page_shows_techniques_cells_rows_and_measurements(api_client) -> None:
    page = get_page(api_client, "/instruments/ill-d50")
    assert "<h1 id=\"instrument-name\">D50</h1>" in page and "NeXT" in page and "Grenoble" in page
    assert 'href="/partners/ILL"' in section(page, "instrument-facts")
    assert len(re.findall(r'href="/techniques/', section(page, "instrument-facts"))) == 4
    assert 'href="/cells/cea-neutron-imaging"' in section(page, "cells")
    assert len(re.findall(r"<li>", section(page, "rows"))) == 5
    assert "D5.3 operando neutron imaging at ILL" in section(page, "logbook")


def test_instrument_outside_the_consortium_names_its_site(api_client) -> None:
    page = get_page(api_client, "/instruments/psi-tomcat")
    assert "no BIG-MAP partner" in page and "PSI, Villigen (CH)" in page
    assert 'href="/cells/cth-peek-operando-cell"' in page


# -- cells -----------------------------------------------------------------------------------

def test_cell_index_lists_every_cell_and_marks_appendix_a_sheets(api_client) -> None:
    page = get_page(api_client, "/cells")
    table = section(page, "cell-index")
    assert shown_of_total(page) == (72, 72)
    assert len(re.findall(r'<tr id="', table)) == 72
    assert len(re.findall(r"<td>yes</td>\s*</tr>", table)) == 35
    sheets = get_page(api_client, "/cells?sheet=1")
    assert shown_of_total(sheets) == (35, 72)
    bleith = table[table.index('<tr id="cea-bleith-be-cell"'):]
    bleith = bleith[:bleith.index("</tr>")]
    for text in ("Reflection", "Homemade", "available", 'href="/partners/CEA"', 'href="/techniques/x-ray-diffraction"'):
        assert text in bleith, text


def test_cell_index_filters_by_partner_and_status(api_client) -> None:
    cth = get_page(api_client, "/cells?partner=CTH")
    assert shown_of_total(cth) == (11, 72)
    developing = get_page(api_client, "/cells?partner=CTH&status=in-development")
    assert shown_of_total(developing) == (4, 72)
    get_page(api_client, "/cells?status=broken", 404)


def test_cell_page_shows_the_appendix_a_sheet(api_client) -> None:
    page = html.unescape(get_page(api_client, "/cells/cea-bleith-be-cell"))
    facts = section(page, "cell-facts")
    for text in ("Reflection", "Homemade", "titanium and PEEK", "beryllium (~100 μm)",
                 'href="/techniques/x-ray-diffraction"', 'href="/instruments/cea-panalytical-empyrean"'):
        assert text in facts, text
    assert 'href="/techniques/laboratory-x-ray-diffraction#diffraction-03"' in section(page, "rows")
    assert 'href="https://doi.org/10.1016/j.electacta.2015.06.105"' in page
    get_page(api_client, "/cells/no-such-cell", 404)


# -- partners --------------------------------------------------------------------------------

def test_partner_index_lists_the_18_partners(api_client) -> None:
    page = get_page(api_client, "/partners")
    rows = re.findall(r'<tr id="([^"]+)">', page)
    assert len(rows) == 18 and "CTH" in rows and "BASF" in rows
    cea = page[page.index('<tr id="CEA">'):]
    cea = cea[:cea.index("</tr>")]
    assert re.findall(r'<td class="num">(\d+)</td>', cea) == ["1", "8", "21", "2", "19", "4"]


def test_partner_page_lists_sites_instruments_cells_techniques_and_measurements(api_client) -> None:
    page = get_page(api_client, "/partners/CEA")
    assert "CEA Grenoble, Grenoble (FR)" in section(page, "sites")
    assert len(re.findall(r'href="/instruments/', section(page, "instruments"))) == 8
    assert len(re.findall(r'href="/cells/', section(page, "cells"))) == 21
    assert len(re.findall(r'href="/techniques/', section(page, "techniques"))) == 19
    logbook = section(page, "logbook")
    assert len(re.findall(r"<tr><td>", logbook)) == 4
    assert "D5.3 XRS by CEA at ESRF ID20" in logbook and 'href="/instruments/esrf-id20"' in logbook
    assert "not recorded" in logbook  # the D5.3 logbook gives no measurement dates


def test_partner_without_catalogue_entries_says_so(api_client) -> None:
    page = get_page(api_client, "/partners/BASF")
    assert "The graph records no instrument run by BASF" in page
    assert "The logbook holds no measurement performed by BASF" in page
    get_page(api_client, "/partners/XYZ", 404)


def test_catalogue_pages_need_a_token_when_reads_are_protected(kg_store, tokens) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from bigmap_kg.settings import Settings

    settings = Settings(tokens_file=tokens.file, store=kg_store.path, read_access="token")
    with TestClient(create_app(settings, store=kg_store)) as client:
        for url in ("/matrix", "/techniques/x-ray-diffraction", "/cells", "/partners/CTH"):
            assert client.get(url).status_code == 401, url
        authorised = client.get("/matrix", headers={"authorization": f"Bearer {tokens.reader}"})
        assert authorised.status_code == 200 and shown_of_total(authorised.text) == (55, 55)


# -- in a browser ----------------------------------------------------------------------------

@pytest.mark.slow
def test_browser_filters_imaging_rows_by_observable_and_follows_a_technique_link(page, live_service) -> None:
    page.goto(live_service + "/matrix")
    assert page.locator("#shown-count").inner_text() == "55"
    with page.expect_navigation():
        page.select_option("#filter-cluster", "Imaging")  # the script submits on change
    assert page.locator("#shown-count").inner_text() == "23"
    with page.expect_navigation():
        page.select_option("#filter-observable", "lithium-distribution-and-gradients")
    assert "cluster=Imaging" in page.url and "observable=lithium-distribution-and-gradients" in page.url
    rows = page.locator("#matrix tbody tr")
    assert rows.count() == 5 and page.locator("#shown-count").inner_text() == "5"
    techniques = [rows.nth(i).locator("td.technique a").inner_text() for i in range(5)]
    assert techniques[:2] == ["Neutron imaging", "Neutron tomography"]
    with page.expect_navigation():
        rows.nth(1).locator("td.technique a").click()
    assert page.url.endswith("/techniques/neutron-tomography")
    assert page.locator("h1").inner_text() == "Neutron tomography"
    assert page.locator("#imaging-05 td.original-text").first.inner_text() == ">4 microns"


@pytest.mark.slow
def test_browser_operando_checkbox_and_clear_link(page, live_service) -> None:
    page.goto(live_service + "/matrix?category=Commercial")
    assert page.locator("#shown-count").inner_text() == "7"
    with page.expect_navigation():
        page.check("#filter-operando")
    assert page.locator("#shown-count").inner_text() == "7"  # every commercial row is operando capable
    with page.expect_navigation():
        page.select_option("#filter-category", "Model")
    assert page.locator("#shown-count").inner_text() == "6"
    assert page.locator('#matrix tbody tr[data-operando="no"]').count() == 0
    with page.expect_navigation():
        page.click("#clear-filters")
    assert page.locator("#matrix tbody tr").count() == 55


@pytest.mark.slow
def test_browser_loads_every_catalogue_page(page, live_service) -> None:
    expected = {"/matrix": "The experimental matrix", "/cells": "The cell index", "/partners": "Partners",
                "/techniques/x-ray-diffraction": "X-ray diffraction", "/instruments/ill-d50": "D50",
                "/cells/cea-bleith-be-cell": "Bleith Be-cell", "/partners/CTH": "CTH"}
    for url, title in expected.items():
        page.goto(live_service + url)
        assert page.locator("h1").inner_text().startswith(title), url
    page.goto(live_service + "/cells")
    with page.expect_navigation():
        page.select_option("#filter-partner", "CTH")
    assert page.locator("#shown-count").inner_text() == "11"
    with page.expect_navigation():
        page.locator("#cell-index tbody tr").first.locator("td a").first.click()
    assert "/cells/cth-" in page.url and page.locator("#cell-facts").is_visible()


@pytest.mark.slow
def test_browser_filters_work_without_javascript(browser, live_service) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_service + "/matrix")
        page.select_option("#filter-cluster", "Imaging")
        page.check("#filter-operando")
        assert page.locator("#shown-count").inner_text() == "55"  # nothing is sent until the button
        with page.expect_navigation():
            page.click("#matrix-filters button[type=submit]")
        assert page.locator("#shown-count").inner_text() == "10"
        assert page.locator('#matrix tbody tr[data-cluster="Imaging"][data-operando="yes"]').count() == 10
    finally:
        context.close()
