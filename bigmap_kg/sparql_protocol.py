"""Answering SPARQL 1.1 Protocol queries: limits, timeouts and the result formats.

A query runs in a worker thread (the embedded store releases the GIL while it evaluates). The
caller waits at most ``timeout`` seconds; rows are pulled one by one, so a query that streams is
stopped as soon as its time is up or it passes ``limit`` rows. A query that computes for long
before its first row (a large ORDER BY or GROUP BY) cannot be interrupted inside the engine: its
caller gets the timeout error at once, and the worker stays busy until the engine is done. At
most ``workers`` queries evaluate at a time; beyond that a query is refused as busy, so runaway
queries cannot pile up.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from bigmap_kg.errors import BigmapKGError
from bigmap_kg.sparql_text import query_form, top_level_limit
from bigmap_kg.store.base import Answer, Row, TripleStore


class QueryTimeout(BigmapKGError):
    """The query ran longer than the service allows."""


class ResultTooLarge(BigmapKGError):
    """The answer has more rows than the service allows."""


class ServiceBusy(BigmapKGError):
    """Every query worker is busy."""


@dataclass
class Outcome:
    """A finished answer: all rows in memory (at most ``limit``)."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    native: bytes | None = None  # the answer as the engine serialised it (format asked for)


class QueryRunner:
    """Runs protocol queries with a timeout, a row limit and a bounded number of workers."""

    def __init__(self, store: TripleStore, *, timeout: float, limit: int, workers: int):
        self.store = store
        self.timeout = timeout
        self.limit = limit
        self._slots = threading.BoundedSemaphore(workers)
        # Worker threads kept for the service's life: starting a thread per query cost 1.2 ms,
        # four times a point look-up's own time.
        self._pool = _Workers(workers)

    def run(self, sparql: str, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, fmt: str | None = None) -> Outcome:
        """The answer; with ``fmt`` (json, xml) the store may serialise it itself when its size
        is bounded by the query's LIMIT (or it is an ASK), else the rows come one by one."""
        if not self._slots.acquire(timeout=min(1.0, self.timeout)):
            raise self._busy()
        job = self._start(sparql, default_graphs, named_graphs, fmt)
        if not job.done.wait(self.timeout):
            job.cancelled = True
            raise self._timeout()
        return job.result()

    async def run_async(self, sparql: str, default_graphs: list[str] | None = None,
                        named_graphs: list[str] | None = None, fmt: str | None = None) -> Outcome:
        """:meth:`run` for an event loop: the caller's coroutine waits without holding a thread
        (a free worker is taken at once; when none is free, :meth:`run` waits for one in a
        thread, so the loop is never blocked)."""
        if not self._slots.acquire(blocking=False):
            from anyio import to_thread

            return await to_thread.run_sync(self.run, sparql, default_graphs, named_graphs, fmt)
        job = self._start(sparql, default_graphs, named_graphs, fmt)
        assert job.future is not None
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job.future)), self.timeout)
        except TimeoutError:
            job.cancelled = True
            raise self._timeout() from None
        return job.result()

    def _start(self, sparql: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
               fmt: str | None) -> _Job:
        """Hand the query to a worker; the caller holds a slot, which the job gives back."""
        deadline = time.monotonic() + self.timeout
        form = query_form(sparql)  # read once: the job and the choice of writer need it
        job = _Job(self, sparql, default_graphs, named_graphs, deadline, form,
                   self._native(form, sparql, fmt), json_rows=fmt == "json" and form == "SELECT")
        try:
            job.future = self._pool.submit(job.work)
        except BaseException:
            self._slots.release()
            raise
        return job

    def _busy(self) -> ServiceBusy:
        return ServiceBusy("every query worker is busy with earlier queries",
                           hint=f"try again in a moment; long queries end after {self.timeout:g} s")

    def _native(self, form: str, sparql: str, fmt: str | None) -> str | None:
        if fmt is None:
            return None
        limit = top_level_limit(sparql)
        bounded = form == "ASK" or (form == "SELECT" and limit is not None and limit <= self.limit)
        return fmt if bounded else None

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than {self.timeout:g} s and was ended",
                            hint="narrow it (more specific patterns, LIMIT), or ask the operator "
                                 "to raise query_timeout")


class _Workers:
    """A fixed set of daemon threads running submitted calls (a runaway query must not keep the
    process from ending, which ThreadPoolExecutor's joined threads would)."""

    def __init__(self, count: int):
        self._calls: queue.SimpleQueue[tuple[Callable[[], None], Future[None]]] = queue.SimpleQueue()
        for n in range(count):
            threading.Thread(target=self._serve, name=f"sparql-query-{n}", daemon=True).start()

    def submit(self, call: Callable[[], None]) -> Future[None]:
        future: Future[None] = Future()
        self._calls.put((call, future))
        return future

    def _serve(self) -> None:
        while True:
            call, future = self._calls.get()
            try:
                call()
                future.set_result(None)
            except BaseException as exc:  # the job keeps its own error; this only ends the future
                future.set_exception(exc)


class _Job:
    def __init__(self, runner: QueryRunner, sparql: str, default_graphs: list[str] | None,
                 named_graphs: list[str] | None, deadline: float, form: str,
                 native: str | None = None, json_rows: bool = False):
        self.runner = runner
        self.form = form
        self.native = native
        self.json_rows = json_rows  # a SELECT answer, written as JSON from the engine's terms
        self.args = (sparql, default_graphs, named_graphs)
        self.deadline = deadline
        self.done = threading.Event()
        self.cancelled = False
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None
        self.future: Future[None] | None = None

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome

    def work(self) -> None:
        answer: Answer | None = None
        try:
            data = (self.runner.store.native_results(self.args[0], self.native, *self.args[1:])
                    if self.native else None)
            if data is not None:
                self.outcome = Outcome("ask" if self.form == "ASK" else "select", native=data)
                return
            if self.json_rows:
                data = self.runner.store.checked_json(self.args[0], self._check, *self.args[1:])
                if data is not None:
                    self.outcome = Outcome("select", native=data)
                    return
            answer = self.runner.store.stream(*self.args)
            self.outcome = self._collect(answer)
        except BaseException as exc:  # handed to the waiting caller, without this thread's frames
            self.error = _without_frames(exc)
        finally:
            # The engine's iterator must be dropped on the thread that made it.
            close = getattr(answer.rows, "close", None) if answer is not None else None
            if close is not None:
                close()
            answer = None
            self.runner._slots.release()
            self.done.set()

    def _check(self, count: int, noun: str = "rows") -> None:
        """Before each row: the time left, and the row limit (``count`` rows taken so far)."""
        if self.cancelled or time.monotonic() > self.deadline:
            raise self.runner._timeout()
        limit = self.runner.limit
        if count == limit:
            raise ResultTooLarge(f"the answer has more than {limit} {noun}",
                                 hint="add LIMIT (and OFFSET to page), or ask the operator "
                                      "to raise result_limit")

    def _collect(self, answer: Answer) -> Outcome:
        rows: list[Row] = []
        noun = "triples" if answer.kind == "graph" else "rows"
        for row in answer.rows:
            self._check(len(rows), noun)
            rows.append(row)
        return Outcome(answer.kind, answer.variables, rows, answer.boolean)


def _without_frames(exc: BaseException) -> BaseException:
    """The error without tracebacks along its cause/context chain: a traceback keeps the
    engine's iterator alive, and it must be dropped on the worker thread that made it."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc
