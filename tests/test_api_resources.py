"""Named queries, reports, plans and requests over HTTP; the OpenAPI document; read access; settings."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bigmap_kg.queries import list_queries
from bigmap_kg.settings import Settings

D55_REQUEST = {"id": "d55-cracking", "observables": ["particle cracking"], "sample_shape": "electrode",
               "region_of_interest": {"kind": "specific", "size": "10 µm"}, "operando": True,
               "time_resolution": "2 min"}


def test_queries_lists_every_named_query_with_its_parameters(api_client):
    listed = api_client.get("/queries").json()
    assert [q["name"] for q in listed] == [q.name for q in list_queries()]
    who = next(q for q in listed if q["name"] == "who-measured-material")
    assert who["parameters"][0]["name"] == "material" and who["columns"]


def test_named_query_answers_who_measured_lno(api_client):
    rows = api_client.get("/queries/who-measured-material", params={"material": "LNO"}).json()
    partners = {row["partner"]["label"] for row in rows}
    assert {"CEA", "UU"} <= partners
    text = api_client.get("/queries/who-measured-material", params={"material": "LNO", "format": "csv"}).text
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "partner" and len(table) == len(rows) + 1


def test_named_query_with_unknown_parameter_is_404_naming_it(api_client):
    r = api_client.get("/queries/who-measured-material", params={"materiel": "LNO"})
    assert r.status_code == 404
    assert r.json()["location"]["field"] == "materiel"


def test_unknown_query_is_404(api_client):
    assert api_client.get("/queries/who-ate-the-cake").status_code == 404


def test_plan_reproduces_the_d55_example(api_client):
    report = api_client.post("/plan", json=D55_REQUEST).json()
    discarded = {(d["instrument"], d["criterion"]) for d in report["discarded"]}
    assert ("ANATOMIX", "operando-cell") in discarded and ("ID16B", "time-resolution") in discarded
    assert [m["observable"] for m in report["missing"]] == ["Particle cracking"]
    assert report["plans"] == []


def test_plan_as_html_is_a_page_of_the_site(api_client):
    r = api_client.post("/plan", params={"format": "html"}, json=D55_REQUEST)
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/planner"' in r.text and "ANATOMIX" in r.text


def test_plan_of_a_stored_request(api_client, tokens):
    headers = {"authorization": f"Bearer {tokens.admin}"}
    assert api_client.post("/requests", json=D55_REQUEST, headers=headers).status_code == 201
    report = api_client.post("/plan", params={"stored": "d55-cracking"}).json()
    assert report["request"]["id"] == "d55-cracking"
    missing = api_client.get("/reports/missing-observables").json()
    assert [row["observable"] for row in missing] == ["Particle cracking"]
    discarded = api_client.get("/reports/discarded-instruments", params={"request": "d55-cracking",
                                                                         "format": "csv"}).text
    assert "ANATOMIX" in discarded and discarded.startswith("request,")


def test_reports_index_and_archive_completeness(api_client):
    names = [r["name"] for r in api_client.get("/reports").json()]
    assert names == ["missing-observables", "discarded-instruments", "archive-completeness"]
    rows = api_client.get("/reports/archive-completeness").json()
    assert len(rows) == 21
    page = api_client.get("/reports/archive-completeness", headers={"accept": "text/html"})
    assert "<title>Archive completeness · bigmap-kg</title>" in page.text and "21 rows." in page.text


def test_reports_without_a_stored_request_say_how_to_add_one(api_client):
    r = api_client.get("/reports/missing-observables")
    assert r.status_code == 400 and "no request is stored" in r.json()["error"]


def test_openapi_documents_every_route_with_examples(api_client):
    spec = api_client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/sparql", "/sparql/update", "/entries", "/entries/{entry_id}", "/validate", "/queries",
                 "/queries/{name}", "/reports", "/reports/{name}", "/requests", "/requests/{request_id}", "/plan"):
        assert path in paths, path
        for method, op in paths[path].items():
            assert op.get("summary") or op.get("description"), (path, method)
    assert paths["/entries"]["post"]["requestBody"]["content"]["text/turtle"]["example"].startswith("@prefix")
    assert paths["/plan"]["post"]["requestBody"]["content"]["application/json"]["example"]["observables"]
    assert "bearer" in json.dumps(spec["components"]["securitySchemes"]).lower()
    assert not [p for p in paths if p in ("/", "/matrix", "/charts")], "web pages stay out of the API document"


@pytest.fixture
def protected(kg_store, tokens):
    settings = Settings(tokens_file=tokens.file, read_access="token")
    with TestClient(create_app(settings, store=kg_store)) as client:
        yield client


def test_reads_need_a_token_when_the_operator_says_so(protected, tokens):
    assert protected.get("/sparql", params={"query": "ASK {}"}).status_code == 401
    assert protected.get("/queries").status_code == 401
    assert protected.get("/", headers={"accept": "text/html"}).status_code == 401
    ok = protected.get("/queries", headers={"authorization": f"Bearer {tokens.reader}"})
    assert ok.status_code == 200


def test_the_query_endpoint_checks_the_token_it_reads_itself(protected, tokens):
    """/sparql reads its parameters and token without FastAPI's dependencies (for speed)."""
    query = {"query": "ASK {}"}
    assert protected.post("/sparql", data=query).status_code == 401
    assert protected.get("/sparql", params=query, headers={"authorization": "Bearer nope"}).status_code == 401
    ok = protected.get("/sparql", params=query, headers={"authorization": f"Bearer {tokens.reader}"})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_the_query_endpoint_s_parameters_and_token_are_in_the_api_document(api_client):
    operation = api_client.get("/openapi.json").json()["paths"]["/sparql"]
    names = {m: {p["name"] for p in op["parameters"]} for m, op in operation.items()}
    assert names == {"get": {"query", "default-graph-uri", "named-graph-uri", "format"},
                     "post": {"default-graph-uri", "named-graph-uri", "format"}}
    assert all(op["security"] == [{"HTTPBearer": []}] and "401" in op["responses"] for op in operation.values())


def test_a_bad_token_is_refused_even_on_open_reads(api_client):
    r = api_client.get("/queries", headers={"authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"] == "malformed token"


def test_settings_come_from_the_config_file_and_environment(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('port = 8123\nquery_timeout = 5.5\nread_access = "token"\nhost = "0.0.0.0"\n')
    monkeypatch.setenv("BIGMAP_KG_CONFIG", str(config))
    monkeypatch.setenv("BIGMAP_KG_HOST", "127.0.0.2")
    settings = Settings()
    assert (settings.port, settings.query_timeout, settings.read_access) == (8123, 5.5, "token")
    assert settings.host == "127.0.0.2"  # the environment wins over the file


def test_bad_setting_names_the_field(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('read_access = "sometimes"\n')
    monkeypatch.setenv("BIGMAP_KG_CONFIG", str(config))
    with pytest.raises(ValueError, match="read_access"):
        Settings()


def test_token_commands_store_only_hashes(tmp_path, initialised_store_dir):
    tokens = tmp_path / "tokens.toml"
    cli = [str(Path(sys.executable).parent / "bigmap-kg"), "--store", str(tmp_path / "store")]
    import shutil

    shutil.copytree(initialised_store_dir, tmp_path / "store")
    out = subprocess.run([*cli, "token", "add", "kit-hook", "--partner", "cth", "--tokens-file", str(tokens)],
                         capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    assert token.startswith("bmk_") and len(token) == 47
    text = tokens.read_text()
    assert token not in text and 'partner = "https://w3id.org/bigmap-kg/id/partner/CTH"' in text
    listed = subprocess.run([*cli, "token", "list", "--tokens-file", str(tokens)], capture_output=True, text=True)
    assert "kit-hook" in listed.stdout and token not in listed.stdout
    unknown = subprocess.run([*cli, "token", "add", "x", "--partner", "Atlantis", "--tokens-file", str(tokens)],
                             capture_output=True, text=True)
    assert unknown.returncode == 2 and "unknown partner 'Atlantis'" in unknown.stderr
    subprocess.run([*cli, "token", "revoke", "kit-hook", "--tokens-file", str(tokens)], check=True,
                   capture_output=True)
    assert "kit-hook" not in tokens.read_text()
