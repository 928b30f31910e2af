"""The command line, run in-process on a fresh embedded store per test."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bigmap_kg import __version__
from bigmap_kg.cli import app

runner = CliRunner()
GOOD = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/p> a bmk:Person ; skos:prefLabel "Ada"@en .
"""
BAD = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
<http://example.org/m12> a bmk:Measurement ; bmk:mode bmk:Operando .
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_version_prints_the_package_version(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_validate_exit_codes_are_0_valid_1_invalid_2_unreadable(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", "--standalone", _write(tmp_path, "g.ttl", GOOD)]).exit_code == 0
    bad = runner.invoke(app, ["validate", "--standalone", _write(tmp_path, "b.ttl", BAD)])
    assert bad.exit_code == 1 and "m12 names no known sample" in bad.stdout
    broken = runner.invoke(app, ["validate", _write(tmp_path, "x.ttl", "<a> <b> ")])
    assert broken.exit_code == 2 and "x.ttl, line 1" in broken.stderr


def test_validate_json_report_lists_focus_path_message(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--standalone", "--format", "json",
                                 _write(tmp_path, "b.ttl", BAD)])
    report = json.loads(result.stdout)["reports"][0]
    assert report["conforms"] is False
    first = report["results"][0]
    assert {"focus", "path", "value", "message", "severity"} <= set(first)


def test_import_refuses_an_invalid_file_and_writes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", _write(tmp_path, "g.ttl", GOOD)]).exit_code == 0
    before = runner.invoke(app, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"])
    result = runner.invoke(app, ["import", _write(tmp_path, "b.ttl", BAD)])
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    after = runner.invoke(app, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"])
    assert json.loads(before.stdout) == json.loads(after.stdout)


def test_importing_the_same_file_twice_adds_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = _write(tmp_path, "g.ttl", GOOD)
    runner.invoke(app, ["import", path])
    second = runner.invoke(app, ["import", path])
    assert second.exit_code == 0 and "already stored" in second.stdout


def test_query_list_and_unknown_parameter(cli_env: dict[str, str]) -> None:
    listing = runner.invoke(app, ["query", "--list"])
    assert "who-measured-material" in listing.stdout
    bad = runner.invoke(app, ["query", "who-measured-material", "--param", "colour=red"])
    assert bad.exit_code == 2 and "no parameter 'colour'" in bad.stderr


def test_query_json_is_an_array_keyed_by_columns_with_labels(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner.invoke(app, ["import", _write(tmp_path, "g.ttl", GOOD)])
    result = runner.invoke(app, ["sparql", "SELECT ?person WHERE { ?person a <https://w3id.org/bigmap-kg/ontology#Person> }",
                                 "--format", "json"])
    rows = json.loads(result.stdout)
    assert rows == [{"person": {"iri": "http://example.org/p", "label": "Ada"}}]


def test_export_writes_trig(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner.invoke(app, ["import", _write(tmp_path, "g.ttl", GOOD)])
    out = tmp_path / "dump.trig"
    assert runner.invoke(app, ["export", "--format", "trig", "-o", str(out)]).exit_code == 0
    assert "Ada" in out.read_text()


def test_request_add_plan_and_reports_from_the_command_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    from conftest import REPO

    example = str(REPO / "examples" / "requests" / "d55-operando-cracking.yaml")
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["request", "add", example])
    assert added.exit_code == 0 and "request d55-operando-cracking stored" in added.stdout
    again = runner.invoke(app, ["request", "add", example])
    assert again.exit_code == 2 and "already stored" in again.stderr
    plan = runner.invoke(app, ["plan", "d55-operando-cracking", "--format", "json"])
    assert plan.exit_code == 0
    assert set(json.loads(plan.stdout)) == {"request", "kept", "discarded", "undecided", "missing", "plans"}
    out = tmp_path / "missing.csv"
    report = runner.invoke(app, ["report", "missing-observables", "--format", "csv", "-o", str(out)])
    assert report.exit_code == 0 and "Particle cracking" in out.read_text()
    wrong = runner.invoke(app, ["report", "discarded-instruments", "--format", "pdf"])
    assert wrong.exit_code == 2 and "md, csv, json, html" in wrong.stderr
    archive = runner.invoke(app, ["report", "archive-completeness", "--format", "html"])
    assert archive.exit_code == 0 and archive.stdout.startswith("<!DOCTYPE html>")


def test_request_with_an_unknown_observable_is_refused_naming_the_line(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    bad = _write(tmp_path, "r.yaml", "observables: [crystal structure, lithum distribution]\n"
                 "sample_shape: electrode\nregion_of_interest: average\noperando: false\n")
    result = runner.invoke(app, ["request", "add", bad])
    assert result.exit_code == 2
    assert "r.yaml, line 1, field 'observables[1]'" in result.stderr
    assert "Lithium distribution" in result.stderr


def test_bulk_import_commands_report_list_and_undo_batches(cli_env: dict[str, str], tmp_path: Path) -> None:
    from conftest import REPO

    data = REPO / "tests" / "data" / "import"
    assert runner.invoke(app, ["init"]).exit_code == 0
    refused = runner.invoke(app, ["import", "--report", "json", str(data / "samples.csv"),
                                  str(data / "ten-errors.csv")])
    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert report["errors"] == 10 and report["written"] is False and "nothing was written" in refused.stderr
    stored = runner.invoke(app, ["import", "--partner", "Chalmers", "--progress",
                                 str(data / "samples.csv"), str(data / "measurements.csv")])
    assert stored.exit_code == 0, stored.output
    listed = json.loads(runner.invoke(app, ["batches", "--format", "json"]).stdout)
    [batch] = [b for b in listed if b["rows"] == 4]
    assert batch["partner"].endswith("/partner/CTH") and "samples.csv" in batch["files"]
    name = batch["graph"].rsplit("/", 1)[-1]
    assert runner.invoke(app, ["undo", name[:10]]).exit_code == 0
    assert all(b["graph"] != batch["graph"] for b in json.loads(
        runner.invoke(app, ["batches", "--format", "json"]).stdout))


def test_template_command_writes_each_format(cli_env: dict[str, str], tmp_path: Path) -> None:
    xlsx = tmp_path / "m.xlsx"
    assert runner.invoke(app, ["template", "measurements", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    csv_text = runner.invoke(app, ["template", "samples"]).stdout
    assert csv_text.lstrip("\ufeff").startswith("sample_id,")
    context = json.loads(runner.invoke(app, ["template", "context"]).stdout)
    assert "@context" in context
    bad = runner.invoke(app, ["template", "colours"])
    assert bad.exit_code == 2 and "unknown entry type" in bad.stderr


def test_export_and_restore_commands_round_trip_the_store(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    dump = tmp_path / "dump.nq"
    assert runner.invoke(app, ["export", "--format", "nquads", "-o", str(dump)]).exit_code == 0
    refused = runner.invoke(app, ["restore", str(dump)])
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    replaced = runner.invoke(app, ["restore", "--replace", str(dump)])
    assert replaced.exit_code == 0 and "restored 5 graphs" in replaced.stdout


def test_summary_command_finds_a_stale_count_and_derives_it_again(cli_env: dict[str, str]) -> None:
    import pyoxigraph as ox

    from bigmap_kg.namespaces import BMK_IRI, SUMMARY_GRAPH

    assert runner.invoke(app, ["init"]).exit_code == 0
    fine = runner.invoke(app, ["summary"])
    assert fine.exit_code == 0 and "match the rest of the store" in fine.stdout
    raw = ox.Store(cli_env["BIGMAP_KG_STORE"])  # a write around bigmap-kg: one count made wrong
    raw.update(f"DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?c <{BMK_IRI}measurementCount> ?n }} }} "
               f"INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?c <{BMK_IRI}measurementCount> 99 }} }} "
               f"WHERE {{ {{ SELECT ?c ?n WHERE {{ GRAPH <{SUMMARY_GRAPH}> "
               f"{{ ?c a <{BMK_IRI}PartnerTechniqueCount> ; <{BMK_IRI}measurementCount> ?n }} }} LIMIT 1 }} }}")
    del raw
    stale = runner.invoke(app, ["summary"])
    assert stale.exit_code == 1 and "stored 99" in stale.stderr and "--rebuild" in stale.stderr
    mended = runner.invoke(app, ["summary", "--rebuild"])
    assert mended.exit_code == 0 and "derived again" in mended.stdout
    assert runner.invoke(app, ["summary"]).exit_code == 0
