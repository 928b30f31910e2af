"""POST/PUT/DELETE /entries and /validate: validated writes, per-partner access, nothing half-written."""

from __future__ import annotations

import pytest

from bigmap_kg.namespaces import DERIVED_GRAPHS, ID

PREFIXES = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sample: <https://w3id.org/bigmap-kg/id/sample/> .
@prefix partner: <https://w3id.org/bigmap-kg/id/partner/> .
@prefix material: <https://w3id.org/bigmap-kg/id/material/> .
"""


def sample(name: str, partner: str = "CTH", label: str = "LNO pristine electrode, batch 2") -> str:
    return PREFIXES + f"""
sample:{name} a bmk:Sample ;
    skos:prefLabel "{label}"@en ;
    bmk:identifier "{name.upper()}" ;
    bmk:sampleShape bmk:ElectrodeShape ;
    bmk:madeOf material:lno ;
    bmk:preparedBy partner:{partner} .
"""


TURTLE = {"content-type": "text/turtle"}


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **TURTLE}


def triples(client) -> int:
    derived = ", ".join(f"<{g}>" for g in DERIVED_GRAPHS)  # counts and name keys change with entries
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({derived})) }}"
    r = client.get("/sparql", params={"query": query})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])



@pytest.fixture
def api_client(writing_client):
    """These service tests run on the embedded store, an Oxigraph server and Virtuoso."""
    return writing_client

def test_partner_creates_own_sample_and_reads_it_back(api_client, tokens):
    r = api_client.post("/entries", content=sample("cth-lno-b2"), headers=auth(tokens.cth))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["iris"] == [str(ID["sample/cth-lno-b2"])]
    assert body["graph"].startswith("https://w3id.org/bigmap-kg/graph/batch/")
    got = api_client.get("/entries/sample/cth-lno-b2", headers={"accept": "application/n-triples"})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/n-triples")
    assert '"CTH-LNO-B2"' in got.text


def test_same_content_posted_twice_is_stored_once(api_client, tokens):
    first = api_client.post("/entries", content=sample("cth-lno-b3"), headers=auth(tokens.cth))
    before = triples(api_client)
    again = api_client.post("/entries", content=sample("cth-lno-b3"), headers=auth(tokens.cth))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["written"] is False
    assert triples(api_client) == before


def test_invalid_entry_gets_422_with_the_shacl_report_and_nothing_is_written(api_client, tokens):
    bad = sample("cth-bad").replace('    bmk:identifier "CTH-BAD" ;\n', "").replace(
        "bmk:sampleShape bmk:ElectrodeShape", "bmk:sampleShape bmk:Nonsense")
    before = triples(api_client)
    r = api_client.post("/entries", content=bad, headers=auth(tokens.cth))
    assert r.status_code == 422
    results = r.json()["report"]["results"]
    assert results and {"focus", "path", "value", "message", "severity"} <= set(results[0])
    assert any(p["focus"].endswith("cth-bad") for p in results)
    assert triples(api_client) == before


def test_syntax_error_names_line_and_column(api_client, tokens):
    r = api_client.post("/entries", content=PREFIXES + "sample:x a bmk:Sample ; bmk:identifier .\n", headers=auth(tokens.cth))
    assert r.status_code == 400
    assert r.json()["location"]["line"] == 6


def test_creating_an_existing_entry_is_a_conflict(api_client, tokens):
    api_client.post("/entries", content=sample("cth-lno-b4"), headers=auth(tokens.cth))
    r = api_client.post("/entries", content=sample("cth-lno-b4", label="renamed"), headers=auth(tokens.cth))
    assert r.status_code == 409
    assert "PUT" in r.json()["hint"]


def test_partner_changes_its_entry_with_put(api_client, tokens):
    api_client.post("/entries", content=sample("cth-lno-b5"), headers=auth(tokens.cth))
    r = api_client.put("/entries/sample/cth-lno-b5", content=sample("cth-lno-b5", label="LNO, batch 5 (corrected)"),
                       headers=auth(tokens.cth))
    assert r.status_code == 200, r.text
    text = api_client.get("/entries/sample/cth-lno-b5", params={"format": "turtle"}).text
    assert "batch 5 (corrected)" in text and "batch 2" not in text


def test_delete_removes_the_entry(api_client, tokens):
    api_client.post("/entries", content=sample("cth-lno-b6"), headers=auth(tokens.cth))
    before = triples(api_client)
    r = api_client.delete("/entries/sample/cth-lno-b6", headers=auth(tokens.cth))
    assert r.status_code == 204
    assert api_client.get("/entries/sample/cth-lno-b6").status_code == 404
    assert triples(api_client) == before - 6
    assert api_client.delete("/entries/sample/cth-lno-b6", headers=auth(tokens.cth)).status_code == 404


WRITES = [
    ("post", "/entries", lambda: sample("cea-lno-x", partner="CEA")),
    ("put", "/entries/sample/fzj-lno-aged-electrode", lambda: sample("fzj-lno-aged-electrode", partner="FZJ")),
    ("delete", "/entries/sample/fzj-lno-aged-electrode", lambda: None),
    ("post", "/sparql/update", lambda: "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> 1 } }"),
    ("post", "/requests", lambda: '{"id": "r1", "observables": ["crystal structure"], "sample_shape": "powder",'
                                  ' "region_of_interest": {"kind": "average"}, "operando": false, "author": "CEA"}'),
]
BAD_TOKENS = {
    "no token": None,
    "wrong token": "bmk_" + "A" * 43,
    "malformed token": "let-me-in",
    "not bearer": "Basic Zm9vOmJhcg==",
}


@pytest.mark.parametrize(("method", "url", "body"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_every_write_route_refuses_a_missing_wrong_or_malformed_token(api_client, method, url, body, case):
    before = triples(api_client)
    headers = {"content-type": "application/sparql-update" if "sparql" in url else
               "application/json" if "requests" in url else "text/turtle"}
    token = BAD_TOKENS[case]
    if token is not None:
        headers["authorization"] = token if token.startswith("Basic") else f"Bearer {token}"
    r = api_client.request(method.upper(), url, content=body(), headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert triples(api_client) == before


@pytest.mark.parametrize(("method", "url", "body"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
def test_every_write_route_refuses_another_partners_token(api_client, tokens, method, url, body):
    """The CTH token may not write CEA's or FZJ's entries, nor send raw updates."""
    before = triples(api_client)
    headers = {"authorization": f"Bearer {tokens.cth}",
               "content-type": "application/sparql-update" if "sparql" in url else
               "application/json" if "requests" in url else "text/turtle"}
    r = api_client.request(method.upper(), url, content=body(), headers=headers)
    assert r.status_code == 403, r.text
    assert triples(api_client) == before


def test_reader_token_cannot_write(api_client, tokens):
    r = api_client.post("/entries", content=sample("cth-lno-r"), headers=auth(tokens.reader))
    assert r.status_code == 403


def test_partner_cannot_change_catalogue_entries(api_client, tokens):
    instrument = PREFIXES + """<https://w3id.org/bigmap-kg/id/instrument/esrf-id31> skos:prefLabel "mine"@en ."""
    r = api_client.put("/entries/instrument/esrf-id31", content=instrument, headers=auth(tokens.cth))
    assert r.status_code == 403
    assert "reference catalogue" in r.json()["error"]


def test_partner_cannot_smuggle_triples_about_another_entry(api_client, tokens):
    data = sample("cth-lno-b7") + '\n<https://w3id.org/bigmap-kg/id/sample/fzj-lno-aged-electrode> bmk:identifier "X" .\n'
    r = api_client.post("/entries", content=data, headers=auth(tokens.cth))
    assert r.status_code == 403
    assert "fzj-lno-aged-electrode" in r.json()["error"]


def test_admin_changes_a_catalogue_sample(api_client, tokens):
    r = api_client.put("/entries/sample/fzj-lno-aged-electrode",
                       content=sample("fzj-lno-aged-electrode", partner="FZJ", label="LNO aged (FZJ), relabelled"),
                       headers=auth(tokens.admin))
    assert r.status_code == 200, r.text
    assert "relabelled" in api_client.get("/entries/sample/fzj-lno-aged-electrode").text


def test_validate_checks_without_writing(api_client):
    before = triples(api_client)
    good = api_client.post("/validate", content=sample("cth-v1"), headers=TURTLE)
    bad = api_client.post("/validate", content=sample("cth-v2").replace("bmk:preparedBy partner:CTH", "bmk:preparedBy sample:nobody"),
                          headers=TURTLE)
    assert good.status_code == 200 and good.json()["conforms"] is True
    assert bad.status_code == 422 and bad.json()["conforms"] is False
    assert any("preparedBy" in (p["path"] or "") for p in bad.json()["report"]["results"])
    assert triples(api_client) == before


def test_upload_larger_than_the_limit_is_refused(kg_store, tokens):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from bigmap_kg.settings import Settings

    app = create_app(Settings(tokens_file=tokens.file, max_upload_bytes=100), store=kg_store)
    with TestClient(app) as client:
        r = client.post("/validate", content=sample("cth-big"), headers=TURTLE)
    assert r.status_code == 413
    assert "at most 100" in r.json()["error"]


REQUEST = ('{"id": "cth-structure", "observables": ["crystal structure"], "sample_shape": "electrode",'
           ' "region_of_interest": {"kind": "average"}, "operando": false}')


def test_partner_request_is_attributed_to_its_partner(api_client, tokens):
    r = api_client.post("/requests", content=REQUEST, headers={"authorization": f"Bearer {tokens.cth}",
                                                                "content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["author"] == "CTH"
    listed = api_client.get("/requests").json()
    assert [q["id"] for q in listed] == ["cth-structure"]
    again = api_client.post("/requests", content=REQUEST, headers={"authorization": f"Bearer {tokens.cth}",
                                                                    "content-type": "application/json"})
    assert again.status_code == 409


def test_request_with_unknown_observable_lists_problems_by_field(api_client, tokens):
    body = REQUEST.replace("crystal structure", "crystal structur").replace('"electrode"', '"brick"')
    r = api_client.post("/requests", content=body, headers={"authorization": f"Bearer {tokens.cth}",
                                                             "content-type": "application/json"})
    assert r.status_code == 422
    fields = {p["location"]["field"] for p in r.json()["problems"]}
    assert fields == {"observables[0]", "sample_shape"}
    assert "Crystal structure" in r.json()["problems"][0]["hint"]


def test_jsonld_entry_is_validated_and_stored(api_client, tokens):
    import json

    doc = {"@context": {"bmk": "https://w3id.org/bigmap-kg/ontology#",
                        "skos": "http://www.w3.org/2004/02/skos/core#"},
           "@id": "https://w3id.org/bigmap-kg/id/sample/cth-lno-json", "@type": "bmk:Sample",
           "skos:prefLabel": {"@value": "LNO electrode sent as JSON-LD", "@language": "en"},
           "bmk:identifier": "CTH-LNO-JSON",
           "bmk:sampleShape": {"@id": "bmk:ElectrodeShape"},
           "bmk:madeOf": {"@id": "https://w3id.org/bigmap-kg/id/material/lno"},
           "bmk:preparedBy": {"@id": "https://w3id.org/bigmap-kg/id/partner/CTH"}}
    headers = {"authorization": f"Bearer {tokens.cth}", "content-type": "application/ld+json"}
    r = api_client.post("/entries", content=json.dumps(doc), headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["iris"] == ["https://w3id.org/bigmap-kg/id/sample/cth-lno-json"]
    back = api_client.get("/entries/sample/cth-lno-json", headers={"accept": "application/ld+json"}).json()
    assert any("CTH-LNO-JSON" in json.dumps(node) for node in back)
    del doc["bmk:identifier"]
    doc["@id"] = "https://w3id.org/bigmap-kg/id/sample/cth-lno-json-2"
    bad = api_client.post("/entries", content=json.dumps(doc), headers=headers)
    assert bad.status_code == 422 and bad.json()["report"]["violations"] >= 1


def test_entry_typed_also_as_a_catalogue_class_is_refused(api_client, tokens):
    """Regression: typing a partner as a Sample too must not make it a partner-writable entry."""
    data = PREFIXES + """partner:EVIL a bmk:LaboratoryPartner, bmk:Sample ; skos:prefLabel "EVIL"@en ;
        bmk:identifier "EVIL" ; bmk:sampleShape bmk:ElectrodeShape ; bmk:madeOf material:lno ;
        bmk:preparedBy partner:CTH ."""
    before = triples(api_client)
    r = api_client.post("/entries", content=data, headers=auth(tokens.cth))
    assert r.status_code == 403 and "LaboratoryPartner" in r.json()["error"]
    assert triples(api_client) == before


def test_loose_blank_node_is_refused(api_client, tokens):
    """Regression: a blank node that hangs from no entry would escape the attribution check."""
    data = sample("cth-lno-b8") + """
[] a bmk:Sample ; bmk:preparedBy partner:CEA ; skos:prefLabel "x"@en ."""
    before = triples(api_client)
    r = api_client.post("/entries", content=data, headers=auth(tokens.cth))
    assert r.status_code == 400 and "belong to no entry" in r.json()["error"]
    assert triples(api_client) == before


def test_batch_posted_again_after_a_delete_is_written_again(api_client, tokens):
    """Regression: the same content after a delete must come back, not be reported as stored."""
    two = sample("cth-pair-1") + sample("cth-pair-2").replace(PREFIXES, "")
    assert api_client.post("/entries", content=two, headers=auth(tokens.cth)).status_code == 201
    assert api_client.delete("/entries/sample/cth-pair-1", headers=auth(tokens.cth)).status_code == 204
    again = api_client.post("/entries", content=two, headers=auth(tokens.cth))
    assert again.status_code == 201 and again.json()["written"] is True
    assert api_client.get("/entries/sample/cth-pair-1").status_code == 200


def test_two_partners_creating_one_entry_at_once_store_it_once(api_client, tokens):
    """Regression: the existence check and the write happen under one lock."""
    from concurrent.futures import ThreadPoolExecutor

    def post(token: str, partner: str) -> int:
        return api_client.post("/entries", content=sample("contested", partner=partner),
                               headers=auth(token)).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(post, (tokens.cth, tokens.cea), ("CTH", "CEA")))
    assert statuses == [201, 403]  # the second sees the first's entry: another partner's
    text = api_client.get("/entries/sample/contested", params={"format": "ntriples"}).text
    assert text.count("preparedBy") == 1


def test_bad_entry_id_is_a_400(api_client):
    assert api_client.get("/entries/sample/a%3Eb").status_code == 400
