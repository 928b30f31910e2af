"""The import benchmark (benchmarks/import_rows.py) works, at a tiny size: its synthetic logbook
loads and imports without a problem, its phases add up, its results files are written, a kept
store is reused. No timing is asserted here: speed is measured by ``make bench``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.import_rows import (
    Options,
    build_store,
    in_subprocess,
    kept_store,
    parse_args,
    time_import,
    write_inputs,
)
from benchmarks.results import Results, machine_facts, write_results
from benchmarks.synthetic import MEASUREMENT_COLUMNS, SAMPLE_COLUMNS
from bigmap_kg.importing.columns import entry_type
from bigmap_kg.namespaces import BMK
from bigmap_kg.store import EmbeddedStore

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
    with pytest.raises(SystemExit):
        parse_args(["--store-measurements", "many"])
