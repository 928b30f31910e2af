"""POST /import, GET /batches, DELETE /batches/{name}: bulk import over HTTP, all or nothing, with
the partner rules of /entries, every problem placed, batches undone by whom they belong to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bigmap_kg.settings import Settings
from bigmap_kg.store import EmbeddedStore

DATA = Path(__file__).parent / "data" / "import"
SAMPLES = ("samples.csv", (DATA / "samples.csv").read_bytes())
MEASUREMENTS = ("measurements.csv", (DATA / "measurements.csv").read_bytes())
# the CTH row of measurements.csv only (its other row is performed by CEA)
CTH_MEASUREMENTS = ("cth-measurements.csv", b"".join(MEASUREMENTS[1].splitlines(keepends=True)[:2]))
TEN_ERRORS = ("ten-errors.csv", (DATA / "ten-errors.csv").read_bytes())
CTH = "https://w3id.org/bigmap-kg/id/partner/CTH"


def bearer(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}


def upload(client: Any, token: str | None, *files: tuple[str, bytes], **fields: Any) -> Any:
    parts: list[tuple[str, tuple[str | None, bytes | str, str | None]]] = [
        ("files", (name, data, "text/csv")) for name, data in files]
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append((key, (None, str(item), None)))
    return client.post("/import", files=parts, headers=bearer(token))


def triples(client: Any) -> int:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def batch_graphs(client: Any) -> list[str]:
    return [b["graph"] for b in client.get("/batches").json()]


@pytest.fixture
def cth_batch(api_client: Any, tokens: Any) -> str:
    """CTH's samples and its own measurement, imported by the CTH token."""
    r = upload(api_client, tokens.cth, SAMPLES, CTH_MEASUREMENTS)
    assert r.status_code == 200, r.text
    return str(r.json()["batch"])



@pytest.fixture
def api_client(writing_client):
    """These service tests run on the embedded store, an Oxigraph server and Virtuoso."""
    return writing_client

def test_partner_imports_its_samples_and_measurements_as_one_batch(api_client, tokens):
    r = upload(api_client, tokens.cth, SAMPLES, CTH_MEASUREMENTS)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] and body["written"] and not body["already_stored"]
    assert body["files"] == ["samples.csv", "cth-measurements.csv"] and body["rows"] == 3
    assert body["batch"].startswith("https://w3id.org/bigmap-kg/graph/batch/")
    assert body["summary"].startswith("stored 3 rows")
    assert api_client.get("/entries/measurement/CTH-RAMAN-2022-014").status_code == 200
    assert api_client.get("/entries/sample/CTH-LNO-0042").status_code == 200


def listed(client: Any, token: str, batch: str) -> dict[str, Any]:
    [found] = [b for b in client.get("/batches", headers=bearer(token)).json() if b["graph"] == batch]
    return dict(found)


def test_batches_lists_the_import_with_its_agent_rows_and_files(api_client, tokens, cth_batch):
    info = listed(api_client, tokens.reader, cth_batch)
    assert info["agent"] == "cth-hook" and info["rows"] == 3 and info["triples"] > 20
    assert set(info["files"].split(" | ")) == {"samples.csv", "cth-measurements.csv"}


def test_batches_lists_the_partner_a_partner_token_imported_for(api_client, tokens, cth_batch):
    assert listed(api_client, tokens.reader, cth_batch)["partner"] == CTH


def test_partner_token_is_refused_another_partners_row_and_nothing_is_written(api_client, tokens):
    before = triples(api_client)
    r = upload(api_client, tokens.cth, SAMPLES, MEASUREMENTS)
    assert r.status_code == 403, r.text
    assert "CEA-XRD-2022-003" in r.json()["error"] and "attributed to CEA" in r.json()["error"]
    assert triples(api_client) == before
    assert api_client.get("/entries/sample/CTH-LNO-0042").status_code == 404


def test_admin_imports_rows_of_several_partners(api_client, tokens):
    r = upload(api_client, tokens.admin, SAMPLES, MEASUREMENTS)
    assert r.status_code == 200 and r.json()["written"], r.text
    info = listed(api_client, tokens.reader, r.json()["batch"])
    assert info["partner"] is None and info["agent"] == "operator"


def test_dry_run_returns_the_report_and_writes_nothing(api_client, tokens):
    before = triples(api_client)
    r = upload(api_client, tokens.cth, SAMPLES, CTH_MEASUREMENTS, dry_run="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] and not body["written"] and body["summary"].startswith("dry run: valid")
    assert triples(api_client) == before and body["batch"] not in batch_graphs(api_client)


def test_upload_with_errors_is_422_with_every_problem_placed_and_nothing_written(api_client, tokens, cth_batch):
    before = triples(api_client)
    r = upload(api_client, tokens.admin, TEN_ERRORS)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "refused: 10 error(s); nothing was written" and not body["written"]
    found = {(p["file"], p["row"], p["column"]) for p in body["problems"] if p["severity"] == "error"}
    assert found == {("ten-errors.csv", row, column) for row, column in [
        (2, "start_date"), (2, "technique"), (3, "mode"), (3, "partner"), (4, "samples"), (4, "start_date"),
        (5, "measurement_id"), (6, "measurement_id"), (7, "instrument"), (7, "triggered_by")]}
    assert triples(api_client) == before


def test_partner_gets_the_report_for_errors_in_its_own_rows(api_client, tokens, cth_batch):
    bad = (b"measurement_id,samples,technique,partner,mode,start_date\n"
           b"CTH-M-9,CTH-LNO-0042,Ramen,CTH,ex situ,21/11/2022\n")
    r = upload(api_client, tokens.cth, ("bad.csv", bad))
    assert r.status_code == 422, r.text
    assert {(p["row"], p["column"]) for p in r.json()["problems"]} == {(2, "technique"), (2, "start_date")}


def test_the_same_upload_twice_is_already_stored(api_client, tokens, cth_batch):
    before = triples(api_client)
    again = upload(api_client, tokens.cth, SAMPLES, CTH_MEASUREMENTS)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["already_stored"] and not body["written"] and body["batch"] == cth_batch
    assert body["summary"].startswith(f"already stored as {cth_batch}")
    assert triples(api_client) == before


def test_another_partner_cannot_undo_the_batch_but_its_partner_can(api_client, tokens, cth_batch):
    refused = api_client.delete(f"/batches/{cth_batch}", headers=bearer(tokens.cea))
    assert refused.status_code == 403 and "attributed to CTH" in refused.json()["error"]
    assert cth_batch in batch_graphs(api_client)
    name = cth_batch.rsplit("/", 1)[-1]
    done = api_client.delete(f"/batches/{name[:12]}", headers=bearer(tokens.cth))
    assert done.status_code == 200 and done.json() == {"batch": cth_batch, "removed": True}
    assert cth_batch not in batch_graphs(api_client)
    assert api_client.get("/entries/sample/CTH-LNO-0042").status_code == 404


def test_undo_is_refused_while_other_batches_refer_to_it_unless_forced(api_client, tokens):
    samples = upload(api_client, tokens.cth, SAMPLES).json()["batch"]
    measurements = upload(api_client, tokens.cth, CTH_MEASUREMENTS).json()["batch"]
    conflict = api_client.delete(f"/batches/{samples}", headers=bearer(tokens.cth))
    assert conflict.status_code == 409 and "refer to entries of this batch" in conflict.json()["error"]
    assert samples in batch_graphs(api_client)
    forced = api_client.delete(f"/batches/{samples}", params={"force": "true"}, headers=bearer(tokens.admin))
    assert forced.status_code == 200
    assert batch_graphs(api_client).count(measurements) == 1 and samples not in batch_graphs(api_client)


def test_undoing_an_unknown_batch_is_404(api_client, tokens):
    r = api_client.delete("/batches/0123456789abcdef", headers=bearer(tokens.admin))
    assert r.status_code == 404 and "no batch" in r.json()["error"]


def test_partner_replaces_only_its_own_batch(api_client, tokens, cth_batch):
    fixed = SAMPLES[1].replace(b"aged to 80 % SoH", b"aged to 80 % SoH (corrected)")
    refused = upload(api_client, tokens.cea, ("samples.csv", fixed), replace=cth_batch)
    assert refused.status_code == 403 and cth_batch in batch_graphs(api_client)
    r = upload(api_client, tokens.cth, ("samples.csv", fixed), CTH_MEASUREMENTS, replace=cth_batch)
    assert r.status_code == 200, r.text
    assert r.json()["replaced"] == cth_batch and cth_batch not in batch_graphs(api_client)


def test_reader_token_cannot_import_or_undo_and_no_token_is_401(api_client, tokens, cth_batch):
    before = triples(api_client)
    reader = upload(api_client, tokens.reader, SAMPLES)
    assert reader.status_code == 403
    anonymous = upload(api_client, None, SAMPLES)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert api_client.delete(f"/batches/{cth_batch}", headers=bearer(tokens.reader)).status_code == 403
    assert api_client.delete(f"/batches/{cth_batch}").status_code == 401
    assert triples(api_client) == before and cth_batch in batch_graphs(api_client)


@pytest.mark.parametrize("sent", ["../../x.csv", "..\\..\\x.csv", "/etc/x.csv"])
def test_uploaded_file_is_reported_by_its_base_name(api_client, tokens, sent):
    r = upload(api_client, tokens.cth, (sent, b"measurement_id,samples,technique,partner,mode\n"
                                              b"CTH-M-7,NOPE-1,Raman,CTH,ex situ\n"))
    assert r.status_code == 422, r.text
    assert r.json()["files"] == ["x.csv"] and {p["file"] for p in r.json()["problems"]} == {"x.csv"}


def test_request_without_files_is_400(api_client, tokens):
    fields_only = api_client.post("/import", files=[("dry_run", (None, "true"))], headers=bearer(tokens.cth))
    assert fields_only.status_code == 400 and fields_only.json()["location"] == {"field": "files"}
    not_a_form = api_client.post("/import", content=b"sample_id\nS-1\n",
                                 headers={"content-type": "text/csv", **bearer(tokens.cth)})
    assert not_a_form.status_code == 400


def test_unknown_form_field_and_bad_flag_are_400_naming_the_field(api_client, tokens):
    unknown = upload(api_client, tokens.cth, SAMPLES, dryrun="true")
    assert unknown.status_code == 400 and unknown.json()["location"] == {"field": "dryrun"}
    flag = upload(api_client, tokens.cth, SAMPLES, dry_run="maybe")
    assert flag.status_code == 400 and flag.json()["location"] == {"field": "dry_run"}


@pytest.fixture
def small_limit(kg_store: EmbeddedStore, tokens: Any) -> Iterator[Any]:
    settings = Settings(tokens_file=tokens.file, store=kg_store.path, max_upload_bytes=2_000)
    with TestClient(create_app(settings, store=kg_store)) as client:
        yield client


def test_upload_larger_than_max_upload_bytes_is_413_and_nothing_is_written(small_limit, tokens):
    before = triples(small_limit)
    big = ("big.csv", SAMPLES[1] + b"\n" * 3_000)
    declared = upload(small_limit, tokens.cth, big)
    assert declared.status_code == 413 and "2000" in declared.json()["error"]
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + big[1] + f"\r\n--{boundary}--\r\n".encode()
    streamed = small_limit.post("/import", content=iter([body[:1_000], body[1_000:]]),
                                headers={"content-type": f"multipart/form-data; boundary={boundary}",
                                         **bearer(tokens.cth)})
    assert streamed.status_code == 413
    assert triples(small_limit) == before


def test_openapi_documents_the_import_routes(api_client):
    paths = api_client.get("/openapi.json").json()["paths"]
    for path, method in (("/import", "post"), ("/batches", "get"), ("/batches/{name}", "delete")):
        assert paths[path][method]["summary"], path
    body = paths["/import"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["files"] and {"dry_run", "replace", "documents"} <= set(body["properties"])
    assert paths["/import"]["post"]["responses"]["422"]["content"]["application/json"]["example"]["problems"]


def test_a_partner_with_mistakes_in_its_rows_gets_the_report_before_the_access_check(api_client, tokens):
    bad = ("cth.csv", b"measurement_id,samples,technique,partner,mode\nCTH-X-1,CTH-LNO-0042,Raman,Chalmer,operando\n")
    r = upload(api_client, tokens.cth, SAMPLES, bad)
    assert r.status_code == 422, r.text
    assert any(p["column"] == "partner" and p["row"] == 2 for p in r.json()["problems"])


def test_the_templates_json_ld_context_is_served(api_client):
    from bigmap_kg.importing.templates import context_document

    r = api_client.get("/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == context_document()


def test_only_an_admin_may_force_an_undo(api_client, tokens, cth_batch):
    r = api_client.delete(f"/batches/{cth_batch}", params={"force": "true"}, headers=bearer(tokens.cth))
    assert r.status_code == 403 and "admin" in r.json()["error"]


def test_a_partner_imports_a_record_with_files_over_http(api_client, tokens, cth_batch):
    record = (Path(__file__).parent.parent / "examples" / "import" / "invenio-record.json").read_bytes()
    r = upload(api_client, tokens.cth, ("record.json", record))
    assert r.status_code == 200, r.text


def test_a_request_id_that_is_no_iri_is_404_not_a_query_error(api_client):
    r = api_client.get("/requests/%C2%9D")
    assert r.status_code == 404, r.text
