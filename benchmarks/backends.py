"""The stores a benchmark can run against, by name: the one place that opens them.

``embedded``: pyoxigraph on disk (``bigmap_kg.store.EmbeddedStore``) on the folder itself.
``oxigraph-server``: ``oxigraph serve`` on a hard-linked copy of the folder (``oxigraph backup``:
seconds, even for the 1 000 000-measurement store), reached over the SPARQL 1.1 protocol by
``bigmap_kg.store.RemoteStore``, as docs/scaling.md sets one up (``--union-default-graph``, so no
graph list is asked for with each query); the
server and the copy go when the store is closed, or when the process that started them ends.
The timing code only calls the ``TripleStore`` interface."""

from __future__ import annotations

import ctypes
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from bigmap_kg.store import EmbeddedStore, RemoteStore
from bigmap_kg.store.base import TripleStore
from tests.servers import free_port, oxigraph_binary, wait_until_answers

_PR_SET_PDEATHSIG = 1


def _embedded(folder: Path) -> TripleStore:
    return EmbeddedStore(folder)


def _end_with_parent() -> None:
    """In the server's process before it starts: a benchmark worker killed at its time limit
    takes its server with it (Linux)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServedStore(RemoteStore):
    """A RemoteStore on a server this process started on a copy of a store folder."""

    def __init__(self, process: subprocess.Popen[bytes], base: str, copy: Path):
        super().__init__(f"{base}/query", f"{base}/update", union_default_graph=True, timeout=600)
        self._process, self._copy = process, copy

    def close(self) -> None:
        super().close()
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        shutil.rmtree(self._copy, ignore_errors=True)


def _oxigraph_server(folder: Path) -> TripleStore:
    copy = Path(tempfile.mkdtemp(prefix="bigmap-kg-bench-server-"))
    subprocess.run([oxigraph_binary(), "backup", "--location", str(folder), "--destination",
                    str(copy / "store")], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(copy / "store"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_end_with_parent)
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(process, f"{base}/query?query=ASK%7B%7D", "the oxigraph server", seconds=300)
    return ServedStore(process, base, copy)


OPENERS: dict[str, Callable[[Path], TripleStore]] = {"embedded": _embedded,
                                                      "oxigraph-server": _oxigraph_server}
BACKENDS = tuple(OPENERS)


def open_store(backend: str, folder: Path) -> TripleStore:
    """The store of ``backend`` holding the data of the embedded store folder ``folder``."""
    try:
        opener = OPENERS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}") from None
    return opener(folder)
