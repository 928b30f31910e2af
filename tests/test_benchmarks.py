"""The benchmarks work, at a tiny size. The import benchmark (benchmarks/import_rows.py): its
synthetic logbook conforms to the shapes, loads and imports without a problem, its phases add
up, its results files are written, a kept store is reused. The query benchmark
(benchmarks/queries_bench.py): every named query, plan and report is timed and written. No
timing is asserted here: speed is measured by ``make bench``."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph

from benchmarks.import_rows import (
    Options,
    build_store,
    in_subprocess,
    kept_store,
    parse_args,
    time_import,
    write_inputs,
)
from benchmarks.nquads import write_nquads
from benchmarks.queries_bench import main as main_of_queries
from benchmarks.queries_bench import parse_args as parse_query_args
from benchmarks.query_cases import PLAN_REQUESTS, REPORTS
from benchmarks.results import Results, machine_facts, write_results
from benchmarks.synthetic import MEASUREMENT_COLUMNS, SAMPLE_COLUMNS, Logbook, read_catalogue
from bigmap_kg.importing.columns import entry_type
from bigmap_kg.loader import validate_against_store
from bigmap_kg.namespaces import BMK
from bigmap_kg.queries import list_queries
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.validation import Validator

PHASES = ["reading files", "mapping rows", "checking IDs against the store", "validating with the shapes",
          "writing"]


@pytest.fixture
def catalogue(initialised_store_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(initialised_store_dir, target)
    return target


def count(store_dir: Path, query: str) -> int:
    store = EmbeddedStore(store_dir)
    try:
        return int(str(store.select(f"PREFIX bmk: <{BMK}>\n{query}").rows[0]["n"]))
    finally:
        store.close()


def test_synthetic_csv_files_use_the_templates_columns() -> None:
    assert set(SAMPLE_COLUMNS) <= {c.name for c in entry_type("samples").columns}
    assert set(MEASUREMENT_COLUMNS) <= {c.name for c in entry_type("measurements").columns}


def derived_graphs_match(folder: Path) -> bool:
    from bigmap_kg.store import EmbeddedStore
    from bigmap_kg.summary import check

    store = EmbeddedStore(folder)
    try:
        return check(store) == []
    finally:
        store.close()


def test_fifty_rows_import_into_a_store_holding_a_thousand_synthetic_measurements(
        catalogue: Path, tmp_path: Path) -> None:
    inputs, samples = write_inputs(catalogue, tmp_path / "inputs", 50, seed=1)
    load = build_store(catalogue, tmp_path / "store", 1000, seed=1)
    assert (load.measurements, load.samples) == (1000, 300) and load.quads > 10_000
    assert count(tmp_path / "store", 'SELECT (COUNT(*) AS ?n) { ?m a bmk:Measurement ; bmk:identifier ?id '
                                     'FILTER STRSTARTS(?id, "SYN-M-") }') == 1000
    assert count(tmp_path / "store", "SELECT (COUNT(*) AS ?n) { ?e bmk:derivedFrom ?cell . "
                                     "?cell bmk:sampleShape bmk:CoinCellShape ; bmk:identifier ?id "
                                     'FILTER STRSTARTS(?id, "SYN-CC-") }') == 200
    assert load.derive_seconds > 0 and derived_graphs_match(tmp_path / "store")  # the bulk load went around them

    figures = in_subprocess(time_import, tmp_path / "store", inputs, 50, 1000, True)

    assert (figures.rows, figures.measurement_rows, figures.store_measurements) == (50 + samples, 50, 1000)
    assert figures.triples > 50 * 10 and figures.peak_rss_mib > 0
    assert list(figures.phases) == PHASES
    assert sum(figures.phases.values()) == pytest.approx(figures.seconds, rel=0.05, abs=0.05)
    assert count(tmp_path / "store", 'SELECT (COUNT(*) AS ?n) { ?m bmk:identifier "BENCH-M-0000000" }') == 0


def test_results_are_written_as_a_markdown_table_and_json(catalogue: Path, tmp_path: Path) -> None:
    inputs, _ = write_inputs(catalogue, tmp_path / "inputs", 20, seed=1)
    shutil.copytree(catalogue, tmp_path / "store")
    figures = time_import(tmp_path / "store", inputs, 20, 0, False)
    results = Results({"rows": 20, "store_measurements": "0", "seed": 1, "kept_store": False},
                      imports=[figures], machine=machine_facts())

    markdown, data = write_results(results, tmp_path / "out")

    assert "| validating with the shapes |" in markdown.read_text(encoding="utf-8")
    written = json.loads(data.read_text(encoding="utf-8"))
    assert written["imports"][0]["rows"] == 26 and written["imports"][0]["rows_per_second"] > 0
    assert written["slowdown"] == {"0": 1.0} and written["machine"]["cpu_count"] >= 1


@pytest.mark.slow
def test_the_import_benchmark_imports_into_an_oxigraph_server_and_leaves_the_folder_as_it_was(
        catalogue: Path, tmp_path: Path) -> None:
    inputs, samples = write_inputs(catalogue, tmp_path / "inputs", 20, seed=1)
    shutil.copytree(catalogue, tmp_path / "store")

    figures = time_import(tmp_path / "store", inputs, 20, 0, False, "oxigraph-server")

    assert (figures.backend, figures.rows) == ("oxigraph-server", 20 + samples)
    assert figures.server_peak_rss_mib > 0 and list(figures.phases) == PHASES
    assert count(tmp_path / "store", 'SELECT (COUNT(*) AS ?n) { ?m bmk:identifier "BENCH-M-0000000" }') == 0
    results = Results({"rows": 20, "store_measurements": "0", "seed": 1, "kept_store": False,
                       "backend": "oxigraph-server"}, imports=[figures], machine=machine_facts())
    markdown = write_results(results, tmp_path / "out")[0].read_text(encoding="utf-8")
    assert markdown.startswith("# Import benchmark (oxigraph-server)") and "server's peak RSS" in markdown


def test_a_kept_store_is_made_once_then_reused(catalogue: Path, tmp_path: Path) -> None:
    first_dir, first = kept_store(tmp_path / "kept", catalogue, 100, seed=1)
    again_dir, again = kept_store(tmp_path / "kept", catalogue, 100, seed=1)
    assert first_dir == again_dir and not first.reused and again.reused
    assert again.quads == first.quads


def test_command_line_options_have_the_issue_s_defaults() -> None:
    options = parse_args([])
    assert (options.rows, options.store_measurements, options.keep_store) == (10_000, [0, 1_000_000], None)
    assert parse_args(["--store-measurements", "0,1_000"]).store_measurements == [0, 1000]
    assert isinstance(parse_args(["--keep-store", "x"]), Options)
    assert parse_args([]).backend == "embedded" and parse_args(["--backend", "virtuoso"]).backend == "virtuoso"
    with pytest.raises(SystemExit):
        parse_args(["--store-measurements", "many"])
    with pytest.raises(SystemExit):
        parse_args(["--backend", "nowhere"])


def test_the_synthetic_logbook_with_shipments_and_records_conforms_to_the_shapes(
        kg_store: EmbeddedStore, validator: Validator) -> None:
    logbook = Logbook(read_catalogue(kg_store), "SYN", 200, seed=1)
    text = io.StringIO()
    write_nquads(logbook, text)
    data = Graph()
    for s, p, o, _ in Dataset().parse(data=text.getvalue(), format="nquads").quads():
        data.add((s, p, o))

    report = validate_against_store(kg_store, data, validator)

    assert report.conforms, report.to_text()[:3000]
    kinds = Counter(type(row).__name__ for row in logbook.rows())
    assert kinds["MeasurementRow"] == 200 and kinds["SampleRow"] == 60
    assert kinds["ShipmentRow"] > 0 and 0 < kinds["RecordRow"] < 200
    assert len(set(data.subjects(RDF.type, BMK.Shipment))) == kinds["ShipmentRow"]
    assert len(set(data.subjects(RDF.type, BMK.ArchiveRecord))) == kinds["RecordRow"]


def test_the_query_benchmark_times_every_named_query_plan_and_report(tmp_path: Path) -> None:
    main_of_queries(["--sizes", "200", "--output-dir", str(tmp_path / "out"), "--work-dir", str(tmp_path),
                     "--warmups", "1", "--repeats", "1"])

    written = json.loads((tmp_path / "out" / "queries.json").read_text(encoding="utf-8"))
    [size] = written["sizes"]
    assert size["measurements"] == 200 and size["quads"] > 3_000 and size["peak_rss_mib"] > 0
    timed = {case["name"]: case for case in size["cases"]}
    assert set(timed) >= {q.name for q in list_queries()} | set(REPORTS) | set(PLAN_REQUESTS)
    assert all(case["median_ms"] > 0 and case["error"] is None for case in size["cases"]), size["cases"]
    assert timed["archive-completeness"]["size"] > 0
    assert size["load"]["quads"] > 3_000 and size["load"]["triples_per_second_load"] > 0
    markdown = (tmp_path / "out" / "queries.md").read_text(encoding="utf-8")
    assert "| query `who-measured-material` | material=LNO | 100 |" in markdown


def test_query_benchmark_options_have_the_issue_s_sizes_and_the_embedded_backend() -> None:
    options = parse_query_args([])
    assert (options.sizes, options.backend, options.warmups, options.repeats) == (
        [10_000, 100_000, 1_000_000], "embedded", 2, 7)
    with pytest.raises(SystemExit):
        parse_query_args(["--backend", "nowhere"])


@pytest.mark.slow
def test_the_oxigraph_server_backend_answers_from_a_copy_and_stops_with_the_store(catalogue: Path) -> None:
    """The query benchmark's remote backend: a real ``oxigraph serve`` on a copy of the folder,
    answering what the embedded store answers; closing the store ends the server, drops the copy."""
    from benchmarks.backends import ServedStore, open_store

    techniques = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t a <{BMK}Technique> }}"
    served = open_store("oxigraph-server", catalogue)
    assert isinstance(served, ServedStore)
    try:
        answered = int(str(served.select(techniques).rows[0]["n"]))
        assert answered == count(catalogue, techniques) > 0
    finally:
        served.close()
    assert served.server.process.poll() is not None and not served.folder.exists()


@pytest.mark.slow
def test_the_virtuoso_backend_bulk_loads_every_graph_and_stops_with_the_store(catalogue: Path) -> None:
    """The query benchmark's Virtuoso backend: a real Virtuoso, the store dumped and bulk-loaded
    (its time kept), holding the same graphs and answering what the embedded store answers;
    closing the store ends the server and drops its database."""
    from benchmarks.backends import LoadedVirtuoso, open_store

    techniques = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t a <{BMK}Technique> }}"
    embedded = EmbeddedStore(catalogue)
    graphs = sorted(embedded.graphs())
    embedded.close()
    served = open_store("virtuoso", catalogue)
    assert isinstance(served, LoadedVirtuoso)
    try:
        assert served.load_seconds > 0
        assert sorted(served.graphs()) == graphs
        answered = int(str(served.select(techniques).rows[0]["n"]))
        assert answered == count(catalogue, techniques) > 0
    finally:
        served.close()
    assert served.server.process.poll() is not None and not served.folder.exists()


def test_a_failed_case_is_written_on_one_table_line_with_the_server_s_own_message() -> None:
    from benchmarks.query_results import short_error

    answer = ("StoreError: <http://127.0.0.1:1/sparql>: the SPARQL server refused or failed: "
              "EndPointInternalError: The endpoint returned the HTTP status code 500. \n\nResponse:\n"
              "b'Virtuoso 37000 Error SQ156: Internal Optimized compiler error : unknown table in "
              "sqldf.c:1528.\\nPlease report the statement compiled.\\n\\nSPARQL query: ...'")
    assert short_error(answer) == ("Virtuoso 37000 Error SQ156: Internal Optimized compiler error : "
                                   "unknown table in sqldf.c:1528.")
    ours = short_error("StoreError: the store holds no observables\n  hint: a | b" + " x" * 200)
    assert "\n" not in ours and "a \\| b" in ours and len(ours) == 160
    assert short_error(None) == "no run"
