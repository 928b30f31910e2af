"""The SPARQL page /query: named queries as examples, vendored YASGUI, a plain form, offline use."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from api.pages.query import example_text
from bigmap_kg.queries import get_query, list_queries
from bigmap_kg.store import EmbeddedStore

VENDOR = Path(__file__).resolve().parent.parent / "api" / "static" / "vendor" / "yasgui"


def found(pattern: str, text: str) -> str:
    """The first group of the pattern's match in the page (the test fails when there is none)."""
    match = re.search(pattern, text, re.S)
    assert match is not None, pattern
    return match.group(1)


def counts_from(rows: list[list[str]]) -> dict[str, str]:
    return {kind: count for kind, count, *_ in rows}


def catalogue_counts(store: EmbeddedStore) -> dict[str, str]:
    result = get_query("catalogue-counts").run(store)
    kind, count = result.variables[:2]
    return {str(row[kind]): str(row[count]) for row in result.rows}


def test_query_page_lists_every_named_query_as_an_example(api_client):
    queries = list_queries()
    assert len(queries) >= 10  # the glob found the shipped queries, not almost nothing
    page = api_client.get("/query").text
    links = re.findall(r'<a class="example-link" href="([^"]+)" data-example="([^"]+)">([^<]+)</a>', page)
    assert [name for _, name, _ in links] == [q.name for q in queries]
    assert [html.unescape(title) for _, _, title in links] == [q.title for q in queries]
    assert all(href == f"/query?example={name}#plain" for href, name, _ in links)
    texts = json.loads(found(r'<script type="application/json" id="example-texts">(.*?)</script>', page))
    assert set(texts) == {q.name for q in queries}


def test_example_binds_required_parameters_to_their_example_in_a_values_block():
    query = get_query("instruments-for-observable")
    text = example_text(query)
    assert 'VALUES (?_observable ?_operando) {\n    ("lithium distribution and gradients" UNDEF) }' in text
    assert "#   ?_operando: only instruments with an available operando cell (optional" in text
    assert "#+" not in text  # the YAML header is replaced by a short comment


def test_every_example_runs_as_it_stands_with_the_named_query_answer(kg_store):
    for query in list_queries():
        values = {p.name: p.example for p in query.parameters if p.required and p.example}
        expected = query.run(kg_store, values)
        shown = kg_store.select(example_text(query))
        assert shown.variables == expected.variables, query.name
        assert shown.rows == expected.rows, query.name


def test_plain_form_is_prefilled_with_the_chosen_example(api_client):
    page = api_client.get("/query", params={"example": "who-used-technique"}).text
    form = found(r'<form class="plain-query" method="get" action="/sparql">(.*?)</form>', page)
    textarea = found(r'<textarea id="plain-query" name="query"[^>]*>(.*?)</textarea>', form)
    assert 'VALUES (?_technique) {\n    ("xrd") }' in html.unescape(textarea)  # names match in lower case
    options = re.findall(r'<option value="([a-z]+)">', form)
    assert options[:4] == ["json", "csv", "tsv", "xml"] and "turtle" in options
    assert '<li class="example chosen" data-example="who-used-technique">' in page


def test_unknown_example_falls_back_to_the_catalogue_counts(api_client):
    page = api_client.get("/query", params={"example": "no-such-query"}).text
    assert html.unescape(page).count("The named query 'catalogue-counts'") == 1  # in the textarea


def test_plain_form_submission_answers_catalogue_counts_as_csv(api_client, kg_store):
    page = api_client.get("/query").text
    text = html.unescape(found(r'<textarea id="plain-query" name="query"[^>]*>(.*?)</textarea>', page))
    answer = api_client.get("/sparql", params={"query": text, "format": "csv"},
                            headers={"accept": "text/html,*/*;q=0.8"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["kind", "count", "in_development"]
    assert len(rows) == 1 + 17
    assert counts_from(rows[1:]) == catalogue_counts(kg_store)


def test_vendored_yasgui_is_served_with_its_content_types(api_client):
    js = api_client.get("/static/vendor/yasgui/yasgui.min.js")
    css = api_client.get("/static/vendor/yasgui/yasgui.min.css")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "Yasgui" in js.text and ".yasqe" in css.text
    script = api_client.get("/static/query.js")
    assert "javascript" in script.headers["content-type"] and "new window.Yasgui" in script.text
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "@zazuko/yasgui" in readme and "MIT" in readme
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert sorted(p.name for p in VENDOR.iterdir()) == ["LICENSE", "README.md", "yasgui.min.css",
                                                        "yasgui.min.js"]


def test_query_page_loads_only_assets_of_this_service(api_client):
    page = api_client.get("/query").text
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/yasgui/yasgui.min.js" in assets and "/static/query.js" in assets
    assert all(a.startswith("/") or a.startswith("data:") for a in assets), assets


# -- in the browser ------------------------------------------------------------------------------

def live_counts(base: str) -> dict[str, str]:
    """The catalogue counts as the live service's /sparql gives them."""
    url = base + "/sparql?" + urllib.parse.urlencode({"query": get_query("catalogue-counts").text,
                                                       "format": "csv"})
    with urllib.request.urlopen(url, timeout=10) as answer:
        rows = list(csv.reader(io.StringIO(answer.read().decode("utf-8"))))
    return counts_from(rows[1:])


def record_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def assert_all_local(urls: list[str], base: str) -> None:
    assert urls, "no request recorded"
    outside = [u for u in urls if not (u.startswith(base + "/") or u.startswith(("data:", "blob:")))]
    assert not outside, f"requests that left the service: {outside}"


def run_in_editor(page) -> None:
    page.locator(".yasqe .yasqe_queryButton").click()


@pytest.mark.slow
def test_browser_runs_catalogue_counts_example_and_shows_the_counts(page, live_service):
    urls = record_requests(page)
    page.goto(live_service + "/query?example=archive-completeness")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator('a.example-link[data-example="catalogue-counts"]').click()
    editor = page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert editor.startswith("# What the graph holds")
    assert page.locator('li.example.chosen').get_attribute("data-example") == "catalogue-counts"
    run_in_editor(page)
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    shown = [r.split("\t") for r in rows.all_inner_texts()]
    assert len(shown) == 17
    expected = live_counts(live_service)
    assert counts_from([[c.strip() for c in r] for r in shown]) == expected
    techniques = page.locator(".yasr table.dataTable tbody tr", has_text="techniques").first
    assert techniques.locator("td").nth(1).inner_text().strip() == expected["techniques"]
    assert page.url.endswith("/query?example=catalogue-counts")
    assert_all_local(urls, live_service)
    assert any(u == live_service + "/sparql" for u in urls)


@pytest.mark.slow
def test_browser_shows_the_syntax_error_of_a_broken_query(page, live_service):
    urls = record_requests(page)
    page.goto(live_service + "/query")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator(".yasqe .CodeMirror-code").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?x WHERE { ?x rdfs:label")  # YASQE adds the rdfs PREFIX line
    page.keyboard.press("Control+Space")  # ask for completions: none may come from outside
    page.keyboard.type(" }")
    editor = page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert editor.endswith("SELECT ?x WHERE { ?x rdfs:label }")
    run_in_editor(page)
    error = page.locator(".yasr .sparql-error p.error")
    error.wait_for()
    line = editor.count("\n") + 1
    assert error.inner_text().startswith("Error: SPARQL syntax error")
    assert f"error at {line}:" in error.inner_text()  # the line where the object is missing
    assert page.locator(".yasr table.dataTable").count() == 0
    assert_all_local(urls, live_service)


@pytest.mark.slow
def test_browser_runs_a_parameterised_example_with_its_example_value(page, live_service):
    urls = record_requests(page)
    page.goto(live_service + "/query")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator('a.example-link[data-example="who-used-technique"]').click()
    run_in_editor(page)
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    url = live_service + "/sparql?" + urllib.parse.urlencode(
        {"query": get_query("who-used-technique").bind({"technique": "XRD"}), "format": "csv"})
    with urllib.request.urlopen(url, timeout=10) as answer:
        expected = list(csv.reader(io.StringIO(answer.read().decode("utf-8"))))[1:]
    assert expected and rows.count() == len(expected)
    assert "capable" in page.locator(".yasr table.dataTable").inner_text()
    assert_all_local(urls, live_service)
