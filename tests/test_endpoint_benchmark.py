"""The endpoint-latency benchmark runs end to end (its figures are in benchmarks/results, never
checked here: speed is measured by `make bench`, not by tests)."""

from __future__ import annotations

import json

import pytest

from benchmarks import endpoint_latency


@pytest.mark.slow
def test_endpoint_benchmark_compares_the_service_with_an_oxigraph_server(initialised_store_dir, tmp_path):
    out = tmp_path / "results"
    assert endpoint_latency.main(["--store", str(initialised_store_dir), "--repeats", "1",
                                  "--output-dir", str(out), "--work-dir", str(tmp_path)]) == 0
    result = json.loads((out / "endpoint.json").read_text())
    assert [x["query"] for x in result["latencies"]] == list(endpoint_latency.QUERIES)
    for x in result["latencies"]:
        assert x["service_ms"] > 0 and x["direct_ms"] > 0 and x["ratio"] > 0
    assert result["latencies"][0]["rows"] > 0  # the instrument is in the catalogue
    assert result["service_peak_rss_mib"] > 0
    assert "| point lookup (one instrument) |" in (out / "endpoint.md").read_text()
