"""Hostile input (issue 7, part): inputs that crash Oxigraph's Rust parser or evaluator (a
segmentation fault takes the whole service down) are refused with a 4xx before they reach it,
and every upload path answers random or malicious bytes with a located problem."""

from __future__ import annotations

import os

import pytest

from bigmap_kg.errors import ParseError, QuerySyntaxError
from bigmap_kg.importing.pipeline import ImportOptions, run_import
from bigmap_kg.importing.source import Source
from bigmap_kg.nesting import MAX_DEPTH, json_depth
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.store import EmbeddedStore

NESTED_QUERY = "SELECT * WHERE { " + "{" * 5000 + "}" * 5000 + " }"
NESTED_JSONLD = '{"@id": "http://a", "http://p": ' + '{"http://p": ' * 10000 + "1" + "}" * 10000 + "}"
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
<rdf:Description rdf:about="http://ex.org/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>"""


def test_a_query_nested_thousands_deep_is_refused_not_a_crash() -> None:
    store = EmbeddedStore(None)
    with pytest.raises(QuerySyntaxError, match="nested"):
        store.query(NESTED_QUERY)
    assert store.query("ASK { { { } } }") is True


def test_json_ld_nested_thousands_deep_is_refused_with_its_line() -> None:
    with pytest.raises(ParseError, match="nested 10001 levels"):
        parse_bytes(NESTED_JSONLD, "deep.jsonld")
    assert json_depth('{"a": "{{{{[[[["}')[0] == 1  # brackets in strings do not count
    assert MAX_DEPTH >= 64


def test_the_sparql_endpoint_answers_400_to_a_deeply_nested_query(api_client) -> None:
    r = api_client.get("/sparql", params={"query": NESTED_QUERY})
    assert r.status_code == 400 and "nested" in r.json()["error"]
    assert api_client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(("name", "data"), [
    ("deep.json", ("[" * 10000 + "]" * 10000).encode()),
    ("deep.jsonld", NESTED_JSONLD.encode()),
    ("random.csv", os.urandom(3000)),
    ("random.xlsx", os.urandom(3000)),
    ("random.eln", os.urandom(3000)),
    ("xxe.rdf", XXE),
    ("unbalanced.ttl", b"<http://a> <http://b> [ <http://c> ( 1 2 ."),
])
def test_hostile_files_are_refused_by_the_importer_with_a_problem(kg_store: EmbeddedStore, name: str,
                                                                  data: bytes) -> None:
    before = kg_store.triple_count()
    outcome = run_import(kg_store, [Source(name, data)], ImportOptions())
    assert not outcome.report.ok and not outcome.written
    assert all(p.origin.file == name for p in outcome.report.errors)
    assert "passwd" not in outcome.report.to_text() and "root:" not in outcome.report.to_text()
    assert kg_store.triple_count() == before


def test_formula_text_in_a_csv_is_stored_as_text_never_evaluated(kg_store: EmbeddedStore) -> None:
    data = b"sample_id,sample_shape,description\nF-1,Powder,=cmd|' /C calc'!A0\n"
    assert run_import(kg_store, [Source("f.csv", data)]).written
    rows = kg_store.select("SELECT ?d WHERE { <https://w3id.org/bigmap-kg/id/sample/F-1> "
                           "<https://w3id.org/bigmap-kg/ontology#description> ?d }").rows
    assert [str(r["d"]) for r in rows] == ["=cmd|' /C calc'!A0"]


def test_formula_text_is_escaped_again_when_a_result_is_written_as_csv(kg_store: EmbeddedStore) -> None:
    from bigmap_kg.output import render

    data = b"sample_id,sample_shape,description\nF-2,Powder,=cmd|' /C calc'!A0\n"
    assert run_import(kg_store, [Source("f.csv", data)]).written
    result = kg_store.select("SELECT ?d WHERE { <https://w3id.org/bigmap-kg/id/sample/F-2> "
                             "<https://w3id.org/bigmap-kg/ontology#description> ?d }")
    text = render(result, "csv", {})
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0"  # the apostrophe makes it text in a spreadsheet


def test_a_50_mb_literal_is_refused_413_on_every_upload_path_and_nothing_is_written(
        api_client, tokens, kg_store: EmbeddedStore) -> None:
    before = kg_store.triple_count()
    big = b'<http://example.org/a> <http://example.org/b> "' + b"x" * 50_000_000 + b'" .'
    admin = {"Authorization": f"Bearer {tokens.admin}"}
    for route, media in (("/entries", "text/turtle"), ("/validate", "text/turtle"),
                         ("/sparql", "application/sparql-query"), ("/sparql/update", "application/sparql-update")):
        r = api_client.post(route, content=big, headers={**admin, "Content-Type": media})
        assert r.status_code == 413, (route, r.text[:200])
    r = api_client.post("/import", files=[("files", ("big.ttl", big, "text/turtle"))], headers=admin)
    assert r.status_code == 413
    assert kg_store.triple_count() == before


def test_escaped_surrogates_in_a_request_get_a_4xx_naming_the_key_never_a_500(api_client) -> None:
    """Found by schemathesis: ``{"\\ud800\\udc00": null}`` sent to /plan. A pair is one character
    (U+10000) and an unknown key; half a pair is no character and is refused where it stands."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    pair = api_client.post("/plan", content=b'{"\\ud800\\udc00": null}', headers=headers)
    assert 400 <= pair.status_code < 500
    assert "unknown key '\U00010000'" in pair.text
    lone = api_client.post("/plan", content=b'{"title": "a\\udc00", "observables": []}', headers=headers)
    assert 400 <= lone.status_code < 500
    body = lone.json()
    assert "lone UTF-16 surrogate" in body["error"] and body["location"]["field"] == "title"
    html = api_client.post("/plan", content=b'{"\\ud800": 1}', headers={**headers, "Accept": "text/html"})
    assert 400 <= html.status_code < 500 and "surrogate" in html.text


_LAUGHS_ENTITIES = '<!ENTITY a0 "lol">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
LAUGHS = (f'<?xml version="1.0"?><!DOCTYPE r [{_LAUGHS_ENTITIES}]>'
          '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">'
          '<rdf:Description rdf:about="http://ex.org/a"><ex:p>&a9;</ex:p></rdf:Description></rdf:RDF>').encode()
HOSTILE_BODIES = [  # (name, media type, body)
    ("random.ttl", "text/turtle", os.urandom(3000)),
    ("xxe.rdf", "application/rdf+xml", XXE),
    ("laughs.rdf", "application/rdf+xml", LAUGHS),
    ("unbalanced.ttl", "text/turtle", b"<http://a> <http://b> [ <http://c> ( 1 2 ."),
    ("bad-iri.ttl", "text/turtle", b'<http://ex.org/a b> <http://ex.org/p> "x" .'),
    ("deep.jsonld", "application/ld+json", NESTED_JSONLD.encode()),
]


@pytest.mark.parametrize(("name", "media", "body"), HOSTILE_BODIES, ids=[b[0] for b in HOSTILE_BODIES])
def test_hostile_bodies_get_a_4xx_on_every_upload_path_and_the_store_is_unchanged(
        api_client, tokens, kg_store: EmbeddedStore, name: str, media: str, body: bytes) -> None:
    """Random bytes, XXE, entity expansion (a billion laughs), unbalanced Turtle, an IRI with a
    space and 10 000-level JSON-LD, sent to each upload path and the SPARQL endpoints."""
    before = kg_store.triple_count()
    admin = {"Authorization": f"Bearer {tokens.admin}", "Accept": "application/json"}
    answers = [api_client.post(route, content=body, headers={**admin, "Content-Type": media})
               for route in ("/entries", "/validate")]
    answers.append(api_client.post("/import", files=[("files", (name, body, media))], headers=admin))
    answers += [api_client.post(route, content=body, headers={**admin, "Content-Type": kind})
                for route, kind in (("/sparql", "application/sparql-query"),
                                    ("/sparql/update", "application/sparql-update"),
                                    ("/plan", "application/json"))]
    for answer in answers:
        assert 400 <= answer.status_code < 500, (answer.request.url.path, answer.status_code, answer.text[:300])
        assert answer.json()["error"], answer.request.url.path
        assert "root:" not in answer.text and "lollollol" not in answer.text
    assert kg_store.triple_count() == before
