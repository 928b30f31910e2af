"""Timing cases in a separate process that holds the store open, with a time limit per run.

A query cannot be stopped inside pyoxigraph, so the limit is kept from outside: the worker
reports after every run, and a run that has not finished within ``timeout`` seconds gets the
worker killed (and a new one started for the next case). The worker's peak resident memory is
that of the store and the cases alone."""

from __future__ import annotations

import multiprocessing
import statistics
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from benchmarks.backends import open_store
from benchmarks.query_cases import Case, run_case, store_requests
from benchmarks.results import peak_rss_mib


@dataclass
class Timing:
    """The runs of one case: seconds of the timed runs, after ``warmups`` untimed ones."""

    case: Case
    seconds: list[float] = field(default_factory=list)
    warmups: int = 0
    size: int | None = None
    error: str | None = None
    peak_rss_mib: float = 0.0

    @property
    def median_ms(self) -> float | None:
        return 1000 * statistics.median(self.seconds) if self.seconds else None


@dataclass(frozen=True)
class Plan:
    """How often to run a case: ``warmups`` then ``repeats``, fewer when one run takes longer
    than ``budget`` seconds divided by the runs (at least one timed run)."""

    warmups: int = 2
    repeats: int = 7
    budget: float = 60.0


def _runs(first: float, plan: Plan) -> tuple[int, int]:
    """More warm-ups and timed runs after a first warm-up that took ``first`` seconds."""
    if first * (plan.warmups + plan.repeats) <= plan.budget:
        return plan.warmups - 1, plan.repeats
    return 0, max(1, min(plan.repeats, int(plan.budget / max(first, 1e-9)) - 1))


def _timed(store: object, case: Case) -> tuple[float, int]:
    clock = time.perf_counter()
    size = run_case(store, case)  # type: ignore[arg-type]
    return time.perf_counter() - clock, size


def _serve(conn: Connection, backend: str, folder: Path) -> None:
    """The worker: open the store, then time each case it is sent until it gets None."""
    store = open_store(backend, folder)
    try:
        while (job := conn.recv()) is not None:
            command, payload = job
            try:
                if command == "requests":
                    conn.send(("done", store_requests(store)))
                elif command == "quads":
                    conn.send(("done", store.triple_count()))
                elif command == "load":  # seconds the backend took to take the data in, if it did
                    conn.send(("done", getattr(store, "load_seconds", None)))
                elif command == "drop":
                    for graph in payload:
                        store.drop_graph(graph)
                    conn.send(("done", None))
                else:
                    _time_case(conn, store, *payload)
            except Exception as exc:  # reported to the parent, which records it
                conn.send(("error", f"{type(exc).__name__}: {exc}"[:500]))
    finally:
        store.close()


def _time_case(conn: Connection, store: object, case: Case, plan: Plan) -> None:
    first, size = _timed(store, case)
    conn.send(("warmup", first))
    warmups, repeats = _runs(first, plan)
    for _ in range(warmups):
        conn.send(("warmup", _timed(store, case)[0]))
    for _ in range(repeats):
        seconds, size = _timed(store, case)
        conn.send(("run", seconds))
    conn.send(("done", (size, peak_rss_mib())))


class Worker:
    """The parent's side: a worker process on ``folder``, restarted after a timeout."""

    def __init__(self, backend: str, folder: Path, timeout: float):
        self.backend, self.folder, self.timeout = backend, folder, timeout
        self.peak_rss_mib = 0.0
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self.backend, self.folder), daemon=True)
        self._process.start()

    def call(self, command: str, payload: object = None) -> object:
        """A command other than timing (count the quads, store or drop the requests); its answer."""
        self._conn.send((command, payload))
        kind, value = self._conn.recv()
        if kind == "error":
            raise RuntimeError(f"the benchmark worker failed on {command}: {value}")
        return value

    def time(self, case: Case, plan: Plan) -> Timing:
        timing = Timing(case)
        self._conn.send(("time", (case, plan)))
        while True:
            if not self._conn.poll(self.timeout):
                timing.error = f"a run took longer than {self.timeout:g} s: stopped"
                self._restart()
                return timing
            kind, value = self._conn.recv()
            if kind == "warmup":
                timing.warmups += 1
            elif kind == "run":
                timing.seconds.append(value)
            elif kind == "error":
                timing.error = value
                return timing
            else:
                timing.size, timing.peak_rss_mib = value
                self.peak_rss_mib = max(self.peak_rss_mib, timing.peak_rss_mib)
                return timing

    def _restart(self) -> None:
        self._process.kill()
        self._process.join()
        self._start()

    def close(self) -> None:
        try:
            self._conn.send(None)
            self._process.join(timeout=60)
        finally:
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
