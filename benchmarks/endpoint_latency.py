"""Benchmark: ``/sparql`` latency through our service (``bigmap-kg serve`` on the embedded store)
against the same query sent straight to an Oxigraph server holding the same data, measured in
one run with the requests interleaved; and the service's peak resident memory.

    python -m benchmarks.endpoint_latency [--store FOLDER | --keep-store DIR --measurements N]
                                          [--repeats 21] [--output-dir DIR]

``FOLDER`` is an embedded store; without it, a store of ``N`` synthetic measurements (default
1 000 000) made as the import benchmark makes it, kept under ``DIR`` when given. Two hard-linked
copies are made with ``oxigraph backup`` (seconds, even for the 1 M store): the service opens one, ``oxigraph
serve-read-only --union-default-graph`` the other, so both read the same data the same way (the
default graph is the union of the named graphs). Results: ``endpoint.md`` and ``endpoint.json``."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.results import machine_facts, machine_line, process_peak_rss_mib
from tests.servers import free_port, oxigraph_binary, wait_until_answers

RESULTS = Path(__file__).parent / "results"
TARGET_RATIO = 1.25
BMK = "https://w3id.org/bigmap-kg/ontology#"
QUERIES = {
    "point lookup (one instrument)":
        "SELECT ?p ?o WHERE { <https://w3id.org/bigmap-kg/id/instrument/esrf-id31> ?p ?o }",
    "1 000 rows": f"SELECT ?m ?d WHERE {{ ?m <{BMK}startDate> ?d }} LIMIT 1000",
    "count of measurements": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{BMK}Measurement> }}",
    "measurements per partner":
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?m <{BMK}performedBy> ?p }} GROUP BY ?p",
}


@dataclass
class Latency:
    query: str
    rows: int
    service_ms: float
    direct_ms: float

    @property
    def ratio(self) -> float:
        return self.service_ms / self.direct_ms


def _ask(url: str, query: str) -> tuple[float, int]:
    request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(json.loads(body)["results"]["bindings"])


def measure(service: str, direct: str, repeats: int) -> list[Latency]:
    found = []
    for name, query in QUERIES.items():
        for _ in range(2):  # warm-up, both
            _ask(service, query), _ask(direct, query)
        ours, theirs, rows = [], [], 0
        for _ in range(repeats):  # interleaved, so that both see the same machine
            elapsed, rows = _ask(service, query)
            ours.append(elapsed)
            theirs.append(_ask(direct, query)[0])
        found.append(Latency(name, rows, statistics.median(ours), statistics.median(theirs)))
    return found


def _start(command: list[str], env: dict[str, str] | None, url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_answers(process, url, command[0], seconds=120)
    return process


def run(store: Path, repeats: int, work: Path) -> dict[str, object]:
    for name in ("service", "server"):
        subprocess.run([oxigraph_binary(), "backup", "--location", str(store),
                        "--destination", str(work / name)], check=True, capture_output=True)
    port, server_port = free_port(), free_port()
    env = {"PATH": str(Path(sys.executable).parent), "BIGMAP_KG_STORE": str(work / "service"),
           "BIGMAP_KG_PORT": str(port), "BIGMAP_KG_QUERY_TIMEOUT": "300",
           "BIGMAP_KG_RESULT_LIMIT": "10000000"}
    service = f"http://127.0.0.1:{port}/sparql"
    direct = f"http://127.0.0.1:{server_port}/query"
    ours = _start([str(Path(sys.executable).parent / "bigmap-kg"), "serve"], env,
                  service + "?query=ASK%7B%7D")
    theirs = _start([oxigraph_binary(), "serve-read-only", "--location", str(work / "server"),
                     "--bind", f"127.0.0.1:{server_port}", "--union-default-graph"], None,
                    direct + "?query=ASK%7B%7D")
    try:
        latencies = measure(service, direct, repeats)
        rss = process_peak_rss_mib(ours.pid)
    finally:
        for process in (ours, theirs):
            process.terminate()
            process.wait(timeout=30)
    return {"benchmark": "endpoint_latency", "machine": machine_facts(), "store": str(store),
            "repeats": repeats, "target_ratio": TARGET_RATIO, "service_peak_rss_mib": round(rss, 1),
            "latencies": [asdict(x) | {"ratio": round(x.ratio, 3)} for x in latencies]}


def to_markdown(result: dict[str, object]) -> str:
    machine: dict[str, object] = result["machine"]  # type: ignore[assignment]
    lines = ["# /sparql through the service against an Oxigraph server on the same data", "",
             machine_line(machine) + ".", "",
             f"Store: `{result['store']}`. Median of {result['repeats']} interleaved requests after 2 "
             "warm-ups, each a new HTTP connection, SPARQL JSON results read whole. "
             f"Target: ratio ≤ {TARGET_RATIO}.", "",
             "| query | rows | service (ms) | Oxigraph server (ms) | ratio |", "|---|---:|---:|---:|---:|"]
    for x in result["latencies"]:  # type: ignore[attr-defined]
        mark = "" if x["ratio"] <= TARGET_RATIO else " **(over)**"
        lines.append(f"| {x['query']} | {x['rows']} | {x['service_ms']:.1f} | {x['direct_ms']:.1f} | "
                     f"{x['ratio']:.2f}{mark} |")
    lines += ["", f"Peak resident memory of the service process: {result['service_peak_rss_mib']} MiB "
              "(target ≤ 2 048 MiB).", ""]
    return "\n".join(lines)


def _kept(keep: Path, measurements: int, work: Path) -> Path:
    from benchmarks.import_rows import catalogue_store, kept_store

    catalogue = catalogue_store(work / "catalogue")
    return kept_store(keep, catalogue, measurements, seed=1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="an embedded store folder")
    parser.add_argument("--keep-store", type=Path, default=None,
                        help="keep the synthetic store here and reuse it (without --store; "
                             "default: made in the work folder and deleted)")
    parser.add_argument("--measurements", type=int, default=1_000_000,
                        help="size of the kept store to use (without --store)")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--work-dir", type=Path, default=None, help="where the two copies go")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=options.work_dir, prefix="bigmap-kg-endpoint-") as work:
        keep = options.keep_store or Path(work) / "kept"
        store = options.store or _kept(keep, options.measurements, Path(work))
        result = run(store, options.repeats, Path(work))
    options.output_dir.mkdir(parents=True, exist_ok=True)
    (options.output_dir / "endpoint.json").write_text(json.dumps(result, indent=2) + "\n")
    (options.output_dir / "endpoint.md").write_text(to_markdown(result))
    print(to_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
