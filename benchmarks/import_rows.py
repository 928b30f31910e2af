"""Benchmark: rows per second of a bulk import with validation, for 10 000 measurement rows, on
a store holding only the catalogue and on one already holding 1 000 000 measurements.

    python -m benchmarks.import_rows [--rows 10000] [--store-measurements 0,1000000]
                                     [--backend embedded] [--output-dir benchmarks/results]
                                     [--keep-store PATH]

The rows (a measurements CSV and the samples CSV it refers to, in the templates' columns) are
imported end to end by ``run_import``: reading, mapping, resolving, checking IDs against the
store, validating with the shapes, writing. Each import and each store build runs in a fresh
process, so that its peak memory is its own. ``--backend`` (:mod:`benchmarks.backends`): the
store imported into is the embedded folder itself, an Oxigraph server on a copy of it, or a
Virtuoso database loaded from it (made before the clock starts; a server's copy is discarded
afterwards). Results: ``import.md`` and ``import.json``."""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from benchmarks.backends import BACKENDS, open_store
from benchmarks.nquads import write_nquads
from benchmarks.results import (
    ImportFigures,
    LoadFigures,
    Results,
    current_rss_mib,
    machine_facts,
    peak_rss_mib,
    process_peak_rss_mib,
    write_results,
)
from benchmarks.synthetic import Logbook, read_catalogue, write_csv
from bigmap_kg.importing.pipeline import run_import
from bigmap_kg.importing.source import Source
from bigmap_kg.loader import init_store
from bigmap_kg.resources import data_files
from bigmap_kg.store import EmbeddedStore

GENERATOR = 3  # bump when the synthetic logbook changes: kept stores are then rebuilt
RESULTS = Path(__file__).parent / "results"
T = TypeVar("T")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class PhaseClock:
    """A progress listener (the pipeline's ``Progress``) noting when each phase begins."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def phase(self, name: str, total: int | None = None) -> None:
        self.marks.append((name, time.perf_counter()))

    def advance(self, n: int = 1) -> None:
        pass

    def durations(self, start: float, end: float) -> dict[str, float]:
        """Seconds per phase; the first runs from ``start``, the last until ``end``."""
        spans: dict[str, float] = {}
        for i, (name, begun) in enumerate(self.marks):
            finish = self.marks[i + 1][1] if i + 1 < len(self.marks) else end
            spans[name] = spans.get(name, 0.0) + finish - (start if i == 0 else begun)
        return spans


def in_subprocess(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a fresh interpreter, so that its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# -- stores -----------------------------------------------------------------------------------
def catalogue_store(folder: Path) -> Path:
    """A new store holding ontology, shapes and catalogue (``init_store``), closed."""
    store = EmbeddedStore(folder)
    init_store(store)
    store.close()
    return folder


def _logbook(catalogue_dir: Path, prefix: str, measurements: int, seed: int) -> Logbook:
    store = EmbeddedStore(catalogue_dir)
    try:
        return Logbook(read_catalogue(store), prefix, measurements, seed)
    finally:
        store.close()


def build_store(catalogue_dir: Path, target: Path, measurements: int, seed: int) -> LoadFigures:
    """A copy of the catalogue store, plus a synthetic logbook of ``measurements`` measurements
    written as N-Quads (streamed to a file), bulk-loaded, and compacted (``Store.optimize``, as
    pyoxigraph advises after a bulk load), so that the timed import meets a settled store: without
    it, the first import after the load ran 3 times slower (benchmarks/README.md)."""
    shutil.copytree(catalogue_dir, target)
    logbook = _logbook(target, "SYN", measurements, seed)
    nquads = target.parent / f"{target.name}.nq"
    clock = time.perf_counter()
    with nquads.open("w", encoding="utf-8", buffering=1 << 20) as out:
        quads = write_nquads(logbook, out)
    generated = time.perf_counter() - clock
    store = ox.Store(str(target))
    clock = time.perf_counter()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    loaded, clock = time.perf_counter() - clock, time.perf_counter()
    store.optimize()  # compact now, so that the timed import does not share the machine with it
    optimized = time.perf_counter() - clock
    del store
    nquads.unlink()
    derived = derive(target, always=True)
    return LoadFigures(measurements, logbook.cells * 3, quads, generated, loaded, optimized, peak_rss_mib(),
                       derive_seconds=derived)


def derive(folder: Path, always: bool = False) -> float:
    """Derive the summary and names graphs of a store: ``always`` after a bulk load (it went
    around the store's writes, which keep them current, and the catalogue's marker says they
    are current), else only where they are missing or of another version (a kept store made
    before them). The seconds it took, 0 when nothing was done."""
    store = EmbeddedStore(folder)
    try:
        clock = time.perf_counter()
        if always:
            store.rebuild_summary()
        elif not store.ensure_summary():
            return 0.0
        return time.perf_counter() - clock
    finally:
        store.close()


def fingerprint(measurements: int, seed: int) -> dict[str, object]:
    """What a kept store was made from: the generator, its size and seed, the catalogue."""
    digest = hashlib.sha256()
    for kind in ("ontology", "shapes", "catalogue"):
        for item in data_files(kind, ".ttl"):
            digest.update(item.read_bytes())
    return {"generator": GENERATOR, "measurements": measurements, "seed": seed,
            "catalogue": digest.hexdigest()[:16]}


def kept_store(keep: Path, catalogue_dir: Path, measurements: int, seed: int) -> tuple[Path, LoadFigures]:
    """The store of ``measurements`` measurements kept under ``keep`` (made when missing or
    made from something else); the load figures are those of the run that made it."""
    folder, wanted = keep / f"measurements-{measurements}", fingerprint(measurements, seed)
    meta = folder / "benchmark.json"
    if meta.is_file():
        kept = json.loads(meta.read_text(encoding="utf-8"))
        if kept["made_from"] == wanted:
            log(f"reusing the kept store {folder / 'store'}")
            derived = in_subprocess(derive, folder / "store")
            if derived:  # made before the derived graphs, or with another version of them
                log(f"derived its summary and names graphs in {derived:.1f} s")
                kept["load"]["derive_seconds"] = derived
                meta.write_text(json.dumps(kept, indent=2), encoding="utf-8")
            return folder / "store", LoadFigures(**{**kept["load"], "reused": True})
        shutil.rmtree(folder)
    elif folder.exists():
        raise SystemExit(f"{folder} exists and is not a kept benchmark store: choose another --keep-store")
    folder.mkdir(parents=True)
    log(f"making a store holding {measurements:,} synthetic measurements in {folder} (kept)")
    load = in_subprocess(build_store, catalogue_dir, folder / "store", measurements, seed)
    meta.write_text(json.dumps({"made_from": wanted, "load": asdict(load)}, indent=2), encoding="utf-8")
    return folder / "store", load


# -- the timed import -------------------------------------------------------------------------
def write_inputs(catalogue_dir: Path, folder: Path, rows: int, seed: int) -> tuple[list[Path], int]:
    """The CSV files to import (samples, measurements) and how many sample rows they hold."""
    logbook = _logbook(catalogue_dir, "BENCH", rows, seed + 1)
    return list(write_csv(logbook, folder)), logbook.cells * 3


def time_import(store_dir: Path, inputs: list[Path], measurement_rows: int, store_measurements: int,
                undo: bool, backend: str = "embedded") -> ImportFigures:
    """One ``run_import`` of the inputs into the store of ``backend`` holding the folder's data,
    timed per phase; with ``undo`` the batch is dropped afterwards (a kept store is left as it
    was). Peak memory is this process's (a server's own is not counted)."""
    before = current_rss_mib()
    store = open_store(backend, store_dir)
    try:
        sources = [Source.from_path(p) for p in inputs]
        clock, start = PhaseClock(), time.perf_counter()
        outcome = run_import(store, sources, progress=clock)
        end = time.perf_counter()
        if not outcome.written or outcome.batch is None:
            raise RuntimeError(f"the benchmark's import was refused:\n{outcome.report.to_text()[:3000]}")
        if undo:
            store.drop_graph(outcome.batch)
    finally:
        server = getattr(store, "server", None)  # the benchmark's own server (benchmarks.backends)
        served = process_peak_rss_mib(server.process.pid) if server is not None else 0.0
        store.close()
    return ImportFigures(store_measurements, outcome.rows, measurement_rows, outcome.triples, outcome.seconds,
                         clock.durations(start, end), before, peak_rss_mib(), backend, served)


# -- the whole benchmark ----------------------------------------------------------------------
@dataclass
class Options:
    rows: int = 10_000
    store_measurements: list[int] = field(default_factory=lambda: [0, 1_000_000])
    output_dir: Path = RESULTS
    keep_store: Path | None = None
    seed: int = 1
    work_dir: Path | None = None  # where temporary stores go (default: the system's temp folder)
    backend: str = "embedded"


def _store_for(options: Options, catalogue_dir: Path, work: Path, n: int) -> tuple[Path, LoadFigures | None]:
    if n == 0:
        shutil.copytree(catalogue_dir, work / "store-0")
        return work / "store-0", None
    if options.keep_store is not None:
        return kept_store(options.keep_store, catalogue_dir, n, options.seed)
    log(f"making a store holding {n:,} synthetic measurements")
    target = work / f"store-{n}"
    return target, in_subprocess(build_store, catalogue_dir, target, n, options.seed)


def run_benchmark(options: Options) -> Results:
    sizes = ",".join(map(str, options.store_measurements))
    results = Results({"rows": options.rows, "store_measurements": sizes, "seed": options.seed,
                       "kept_store": options.keep_store is not None, "backend": options.backend},
                      machine=machine_facts())
    with tempfile.TemporaryDirectory(prefix="bigmap-kg-bench-", dir=options.work_dir) as tmp:
        work = Path(tmp)
        log("loading ontology, shapes and catalogue into a new store")
        catalogue_dir = catalogue_store(work / "catalogue")
        inputs, samples = write_inputs(catalogue_dir, work / "inputs", options.rows, options.seed)
        for n in options.store_measurements:
            store_dir, load = _store_for(options, catalogue_dir, work, n)
            if load is not None:
                results.loads.append(load)
                log(f"{load.quads:,} quads: generated in {load.generate_seconds:.1f} s, bulk-loaded in "
                    f"{load.load_seconds:.1f} s ({load.quads_per_second:,.0f} quads/s), optimized in "
                    f"{load.optimize_seconds:.1f} s")
            log(f"importing {options.rows:,} measurement rows and {samples:,} sample rows into a store "
                f"({options.backend}) holding {n:,} synthetic measurements")
            kept = n > 0 and options.keep_store is not None
            undo = kept and options.backend == "embedded"  # a server works on a copy
            figures = in_subprocess(time_import, store_dir, inputs, options.rows, n, undo, options.backend)
            log(f"{figures.rows:,} rows in {figures.seconds:.1f} s ({figures.rows_per_second:,.0f} rows/s)")
            results.imports.append(figures)
            if not kept:
                shutil.rmtree(store_dir)
    return results


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_rows",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="measurement rows to import (default 10000)")
    parser.add_argument("--store-measurements", default="0,1000000",
                        help="comma-separated sizes of the stores imported into (default 0,1000000)")
    parser.add_argument("--backend", default="embedded", choices=BACKENDS, help="the store imported into")
    parser.add_argument("--output-dir", type=Path, default=RESULTS, help="where import.md and import.json go")
    parser.add_argument("--keep-store", type=Path, default=None,
                        help="keep the generated large stores in this folder and reuse them in later runs")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic logbook (default 1)")
    parser.add_argument("--work-dir", type=Path, default=None, help="where temporary stores go")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.store_measurements.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--store-measurements takes whole numbers separated by commas, "
                     f"not {args.store_measurements!r}")
    if args.rows < 1 or not sizes or min(sizes) < 0:
        parser.error("--rows must be at least 1 and --store-measurements sizes at least 0")
    return Options(args.rows, sizes, args.output_dir, args.keep_store, args.seed, args.work_dir, args.backend)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    results = run_benchmark(options)
    markdown, data = write_results(results, options.output_dir)
    print(markdown.read_text(encoding="utf-8"))
    log(f"wrote {markdown} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
