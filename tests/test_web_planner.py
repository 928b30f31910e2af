"""The planner page /planner: the form offers the graph's vocabulary, a submission runs the D5.5
filtering process and ranks plans, and invalid input comes back with each problem at its field."""

from __future__ import annotations

import html
import re
import urllib.parse
from pathlib import Path

import pytest

from bigmap_kg.planner_form import PlannerForm, form_field, run_form
from bigmap_kg.planner_report import plan_report
from bigmap_kg.requests import add_request, read_request, request_from_mapping
from bigmap_kg.store import EmbeddedStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requests"

# D5.5 section 2.2.2: operando secondary-particle cracking in a cathode, as the form sends it
# (the same request as examples/requests/d55-operando-cracking.yaml).
CRACKING = {"run": "1", "observable": ["Particle cracking"], "sample_shape": "Electrode",
            "roi_kind": "specific", "roi_size": "500 nm", "operando": "yes",
            "time_resolution": "2 min", "fidelity": "high", "cost": "any", "limit": "5"}


def section(page: str, element_id: str) -> str:
    """The content of the element with that id, nested elements of its kind included."""
    start = re.search(rf'<(\w+)\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert start is not None, element_id
    depth, body = 1, page[start.end():]
    for tag in re.finditer(rf"<(/?){start.group(1)}\b[^>]*>", body):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return body[: tag.start()]
    raise AssertionError(f"element {element_id!r} is not closed")


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body cells of a table, as text."""
    rows = re.findall(r"<tr>(.*?)</tr>", section(page, table_id), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells if row]


def graph_observables(store: EmbeddedStore) -> set[str]:
    rows = store.select("""
        PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?label WHERE { ?o a/rdfs:subClassOf* bmk:Observable ; skos:prefLabel ?label }
    """).rows
    return {str(r["label"]) for r in rows}


def test_form_offers_every_observable_and_sample_shape_of_the_graph(api_client, kg_store):
    page = api_client.get("/planner").text
    boxes = [html.unescape(v) for v in re.findall(r'name="observable" value="([^"]+)"', page)]
    expected = graph_observables(kg_store)
    assert len(expected) >= 50  # the catalogue's observables, not almost nothing
    assert sorted(boxes) == sorted(expected)  # each once
    shapes = re.findall(r'<option value="([^"]+)"', section(page, "sample_shape"))
    assert {"Coin cell", "Electrode", "Powder", "Liquid electrolyte"} <= set(shapes) and len(shapes) == 9
    assert "Results" not in page and 'id="results"' not in page  # nothing is run before a submission


def test_d55_cracking_example_discards_the_nano_tomographs_and_reports_cracking_missing(api_client):
    response = api_client.get("/planner", params=CRACKING)
    assert response.status_code == 200
    page = response.text
    discarded = table_rows(page, "discarded")
    by_instrument: dict[str, set[str]] = {}
    for _, instrument, _, technique, criterion, _ in discarded:
        if technique == "X-ray nano-tomography":
            by_instrument.setdefault(instrument, set()).add(criterion)
    assert by_instrument["ANATOMIX"] == {"operando-cell", "time-resolution"}
    assert by_instrument["ID16B"] == {"operando-cell", "time-resolution"}
    reasons = " ".join(row[5] for row in discarded if row[1] in ("ANATOMIX", "ID16B"))
    assert "No available operando cell for X-ray nano-tomography" in reasons
    assert "10 min to hours" in reasons
    missing = section(page, "missing")
    assert re.search(r'<strong class="observable">Particle cracking</strong>', missing)
    assert "kept-none" in page and "no-plans" in page
    assert '<input type="checkbox" name="observable" value="Particle cracking" checked>' in page


def test_page_shows_what_plan_report_computes(api_client, kg_store):
    params = {**CRACKING, "include_undecided": "yes", "limit": "3"}
    page = api_client.get("/planner", params=params).text
    request = request_from_mapping(PlannerForm.from_params(
        {k: v if isinstance(v, list) else [v] for k, v in params.items()}).mapping(), "test", kg_store)
    report = plan_report(kg_store, request, 3, include_undecided=True)
    for key in ("discarded", "undecided"):
        assert len(table_rows(page, key)) == len(report[key])  # type: ignore[arg-type]
    plans = re.findall(r'<section class="plan" data-rank="(\d+)">', page)
    assert [int(r) for r in plans] == [p["rank"] for p in report["plans"]]  # type: ignore[attr-defined]
    assert len(plans) == 3
    first = report["plans"][0]  # type: ignore[index]
    assert f'fidelity <strong>{first["fidelity"]:.2f}</strong>' in page
    assert f'cost <strong>{first["cost"]:.2f}</strong>' in page
    assert "unconfirmed (" in page  # undecided instruments are flagged in the steps


def test_invalid_input_comes_back_with_each_problem_next_to_its_field(api_client):
    params = {**CRACKING, "observable": ["Particle cracking", "oxidaton state"],
              "roi_size": "500 parsecs", "limit": "many"}
    response = api_client.get("/planner", params=params)
    assert response.status_code == 422
    page = response.text
    observables = section(page, "field-observables")
    assert "unknown observable &#39;oxidaton state&#39;" in observables
    assert "closest known: Oxidation state" in observables
    roi = section(page, "field-roi")
    assert "unknown unit &#39;parsecs&#39;" in roi and 'value="500 parsecs"' in roi
    assert "whole number from 1 to" in section(page, "field-limit")
    assert 'class="problem"' not in section(page, "field-sample_shape")
    assert "3 problem(s)" in section(page, "problem-summary")
    assert 'id="results"' not in page


def test_missing_required_fields_are_named_at_their_fields(api_client):
    response = api_client.get("/planner", params={"run": "1", "operando": "no", "time_resolution": "2 min"})
    assert response.status_code == 422
    page = response.text
    assert "the request gives no &#39;observables&#39;" in section(page, "field-observables")
    assert "the request gives no &#39;sample_shape&#39;" in section(page, "field-sample_shape")
    assert "only asked for operando" in section(page, "field-operando")


def test_stored_request_loads_into_the_form(api_client, kg_store):
    request = read_request(EXAMPLES / "d55-structure-and-oxidation-operando.yaml", kg_store)
    add_request(kg_store, request)
    page = api_client.get("/planner").text
    assert '<option value="d55-structure-and-oxidation-operando">' in section(page, "example")
    page = api_client.get("/planner", params={"example": request.id}).text
    assert "d55-structure-and-oxidation-operando" in section(page, "loaded")
    for label in ("Crystal structure", "Oxidation state"):
        assert f'name="observable" value="{label}" checked>' in page
    assert "Crystal structure, Oxidation state</textarea>" in page
    assert re.search(r'<option value="Coin cell" selected>', page)
    assert 'value="10 min"' in section(page, "field-operando")
    assert '<option value="CEA" selected>' in page
    assert 'id="results"' not in page  # loading fills the form; Plan runs it


def test_unknown_example_is_a_problem_on_the_page(api_client):
    response = api_client.get("/planner", params={"example": "no-such-request"})
    assert response.status_code == 422
    assert "no stored request &#39;no-such-request&#39;" in response.text


def test_form_fields_become_the_request_keys_of_docs_planning():
    form = PlannerForm.from_params({
        "observable": ["Crystal structure", "Oxidation state", "SEI chemistry"],
        "correlated": ["Crystal structure, Oxidation state\n\nSEI chemistry; "],
        "sample_shape": ["Electrode"], "roi_kind": ["specific"], "roi_size": ["5 µm"],
        "operando": ["no"], "fidelity": ["HIGH"], "cost": ["low"], "author": ["UU"]})
    assert form.mapping() == {
        "observables": ["Crystal structure", "Oxidation state", "SEI chemistry"],
        "correlated": [["Crystal structure", "Oxidation state"], ["SEI chemistry"]],
        "sample_shape": "Electrode", "region_of_interest": {"kind": "specific", "size": "5 µm"},
        "operando": False, "fidelity": "high", "cost": "low", "author": "UU"}
    assert [form_field(f) for f in ("observables[2]", "correlated[0][1]", "region_of_interest.size",
                                    "region_of_interest", "time_resolution", "id", None)] == [
        "observables", "correlated", "roi", "roi", "time_resolution", "general", "general"]


def test_a_lone_correlated_observable_is_a_problem_at_the_correlated_field(kg_store):
    form = PlannerForm.from_params({"observable": ["Crystal structure"], "correlated": ["Crystal structure"],
                                    "sample_shape": ["Electrode"], "operando": ["no"]})
    outcome = run_form(kg_store, form)
    assert outcome.report is None
    assert "at least two observables" in outcome.problems["correlated"][0]["message"]


# -- in a browser ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_browser_reproduces_d55_cracking_example_through_the_form(page, live_service):
    page.goto(live_service + "/planner")
    page.fill("#observable-search", "crack")
    visible = page.locator("label.observable:visible")
    assert visible.count() == 1 and "Particle cracking" in visible.inner_text()
    page.check("input[name=observable][value='Particle cracking']")
    assert page.inner_text("#selected-count") == "1"
    page.select_option("#sample_shape", "Electrode")
    assert page.is_disabled("#roi_size")
    page.select_option("#roi_kind", "specific")
    page.fill("#roi_size", "500 nm")
    assert page.is_disabled("#time_resolution")
    page.check("#operando-yes")
    page.fill("#time_resolution", "2 min")
    page.select_option("#fidelity", "high")
    page.click("#plan-button")
    page.wait_for_selector("#results")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["observable"] == ["Particle cracking"] and query["roi_size"] == ["500 nm"]  # linkable
    rows = page.locator("#discarded tbody tr")
    removed = {(rows.nth(i).locator("td").nth(1).inner_text(), rows.nth(i).locator("td.criterion").inner_text())
               for i in range(rows.count())}
    for instrument in ("ANATOMIX", "ID16B"):
        assert {(instrument, "operando-cell"), (instrument, "time-resolution")} <= removed
    assert page.locator("#missing .observable").all_inner_texts() == ["Particle cracking"]
    assert page.locator("#kept-none").is_visible()


@pytest.mark.slow
def test_browser_shows_problems_next_to_the_fields(page, live_service):
    page.goto(live_service + "/planner")
    page.check("input[name=observable][value='Oxidation state']")
    page.select_option("#sample_shape", "Powder")
    page.select_option("#roi_kind", "specific")
    page.fill("#roi_size", "half a particle")
    page.click("#plan-button")
    page.wait_for_selector("#field-roi .problem")
    assert "half a particle" in page.inner_text("#field-roi .problem")
    assert page.locator("#field-observables .problem").count() == 0
    assert page.locator("input[name=observable][value='Oxidation state']").is_checked()
