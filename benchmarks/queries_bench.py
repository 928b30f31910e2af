"""Benchmark: load time, every named query, plans and reports, and peak memory, on stores holding
10 000, 100 000 and 1 000 000 synthetic measurements besides the catalogue.

    python -m benchmarks.queries_bench [--sizes 10000,100000,1000000] [--backend embedded]
                                       [--keep-store PATH] [--output-dir benchmarks/results]

Each store is made as the import benchmark makes its large store (``import_rows.build_store``:
synthetic N-Quads, ``Store.bulk_load``, ``Store.optimize``) and can be kept and reused the same
way (``--keep-store``). The cases (``query_cases.py``) are timed in a worker process holding the
store open (``query_worker.py``): median of the timed runs after warm-ups. Results:
``queries.md`` and ``queries.json``."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.backends import BACKENDS
from benchmarks.import_rows import build_store, catalogue_store, in_subprocess, kept_store, log
from benchmarks.query_cases import Case, plan_cases, query_cases, report_cases
from benchmarks.query_results import QueryResults, SizeRun, read_before, write_results
from benchmarks.query_worker import Plan, Timing, Worker
from benchmarks.results import LoadFigures, machine_facts
from bigmap_kg.settings import Settings
from bigmap_kg.store import EmbeddedStore

RESULTS = Path(__file__).parent / "results"


@dataclass
class Options:
    sizes: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])
    backend: str = "embedded"
    output_dir: Path = RESULTS
    keep_store: Path | None = None
    seed: int = 1
    work_dir: Path | None = None
    warmups: int = 2
    repeats: int = 7
    budget: float = 60.0  # seconds a case may take in all before its runs are cut down
    timeout: float = 600.0  # seconds one run may take before it is stopped
    baseline: Path | None = None  # an earlier queries.json: its medians fill the "before" column
    only: list[str] = field(default_factory=list)  # case names to run (default: all)

    def described(self) -> dict[str, object]:
        return {"sizes": ",".join(map(str, self.sizes)), "backend": self.backend, "seed": self.seed,
                "warmups": self.warmups, "repeats": self.repeats, "budget": self.budget,
                "timeout": self.timeout, "kept_store": self.keep_store is not None,
                "only": ",".join(self.only), "graph_list_seconds": Settings().graph_list_seconds}


def _store_for(options: Options, catalogue_dir: Path, work: Path, n: int) -> tuple[Path, LoadFigures | None]:
    if n == 0:
        shutil.copytree(catalogue_dir, work / "store-0")
        return work / "store-0", None
    if options.keep_store is not None:
        return kept_store(options.keep_store, catalogue_dir, n, options.seed)
    log(f"making a store holding {n:,} synthetic measurements")
    target = work / f"store-{n}"
    return target, in_subprocess(build_store, catalogue_dir, target, n, options.seed)


def _wanted(options: Options, cases: list[Case]) -> list[Case]:
    return [c for c in cases if not options.only or c.name in options.only]


def time_cases(worker: Worker, options: Options, measurements: int) -> list[Timing]:
    """Every query and plan case, then the reports over the stored example requests."""
    plan, timings = Plan(options.warmups, options.repeats, options.budget), list[Timing]()
    for case in _wanted(options, query_cases() + plan_cases()):
        timings.append(_timed(worker, case, plan, measurements))
    reports = _wanted(options, report_cases())
    if reports:
        try:
            graphs = worker.call("requests")
        except RuntimeError as exc:  # the example requests cannot be stored (Virtuoso 7.2.5)
            for case in reports:
                timings.append(Timing(case, error=f"the example requests were not stored: {exc}"[:500]))
                log(f"{measurements:,}: {case.key}: {timings[-1].error}")
            return timings
        try:
            timings += [_timed(worker, case, plan, measurements) for case in reports]
        finally:
            worker.call("drop", graphs)
    return timings


def _timed(worker: Worker, case: Case, plan: Plan, measurements: int) -> Timing:
    timing = worker.time(case, plan)
    said = f"{timing.median_ms:,.1f} ms median of {len(timing.seconds)}" if timing.seconds else timing.error
    log(f"{measurements:,}: {case.key} {case.params or ''}: {said} (size {timing.size})")
    return timing


def measure_size(options: Options, store_dir: Path, n: int, load: LoadFigures | None) -> SizeRun:
    worker = Worker(options.backend, store_dir, options.timeout)
    try:
        quads, loaded = worker.call("quads"), worker.call("load")
        assert isinstance(quads, int) and (loaded is None or isinstance(loaded, float))
        run = SizeRun(n, quads, load, time_cases(worker, options, n), backend_load_seconds=loaded)
    finally:
        worker.close()
    run.peak_rss_mib = worker.peak_rss_mib
    return run


def run_benchmark(options: Options) -> QueryResults:
    results = QueryResults(options.backend, options.described(), machine=machine_facts())
    if options.baseline is not None:
        results.before = read_before(options.baseline)
    with tempfile.TemporaryDirectory(prefix="bigmap-kg-qbench-", dir=options.work_dir) as tmp:
        work = Path(tmp)
        log("loading ontology, shapes and catalogue into a new store")
        clock = time.perf_counter()
        catalogue_dir = catalogue_store(work / "catalogue")
        results.catalogue_seconds = time.perf_counter() - clock
        store = EmbeddedStore(catalogue_dir)
        results.catalogue_quads = store.triple_count()
        store.close()
        for n in options.sizes:
            store_dir, load = _store_for(options, catalogue_dir, work, n)
            results.sizes.append(measure_size(options, store_dir, n, load))
            write_results(results, options.output_dir)  # so far: a long run leaves its figures as it goes
            if options.keep_store is None or n == 0:
                shutil.rmtree(store_dir)
    return results


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.queries_bench",
                                     description=(__doc__ or "").split("\n")[0])
    add = parser.add_argument
    add("--sizes", default="10000,100000,1000000", help="comma-separated synthetic measurement counts")
    add("--backend", default="embedded", choices=BACKENDS, help="the store to run against")
    add("--output-dir", type=Path, default=RESULTS, help="where queries.md and queries.json go")
    add("--keep-store", type=Path, default=None, help="keep the generated stores here and reuse them")
    add("--seed", type=int, default=1, help="seed of the synthetic logbook (default 1)")
    add("--work-dir", type=Path, default=None, help="where temporary stores go")
    add("--warmups", type=int, default=2, help="untimed runs before the timed ones (default 2)")
    add("--repeats", type=int, default=7, help="timed runs per case (default 7)")
    add("--budget", type=float, default=60.0, help="seconds per case before its runs are cut down")
    add("--timeout", type=float, default=600.0, help="seconds one run may take before it is stopped")
    add("--baseline", type=Path, default=None, help="an earlier queries.json, shown as 'before'")
    add("--only", default="", help="comma-separated case names (queries, request files, reports)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 0 or args.warmups < 1 or args.repeats < 1:
        parser.error("--sizes must be at least 0, --warmups and --repeats at least 1")
    return Options(sizes, args.backend, args.output_dir, args.keep_store, args.seed, args.work_dir,
                   args.warmups, args.repeats, args.budget, args.timeout, args.baseline,
                   [s.strip() for s in args.only.split(",") if s.strip()])


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    results = run_benchmark(options)
    markdown, data = write_results(results, options.output_dir)
    print(markdown.read_text(encoding="utf-8"))
    log(f"wrote {markdown} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
