"""The stores a benchmark can run against, by name: the one place that opens them.

``embedded``: pyoxigraph on disk (``bigmap_kg.store.EmbeddedStore``) on the folder itself.
``oxigraph-server``: ``oxigraph serve`` on a hard-linked copy of the folder (``oxigraph backup``:
seconds, even for the 1 000 000-measurement store), reached over the SPARQL 1.1 protocol by
``bigmap_kg.store.RemoteStore``, as docs/scaling.md sets one up (``--union-default-graph``, so no
graph list is asked for with each query); the
server and the copy go when the store is closed, or when the process that started them ends.
``virtuoso``: Virtuoso Open Source with a new database in a temporary folder, the store's quads
dumped to N-Quads (``oxigraph dump``) and loaded by Virtuoso's bulk loader (``ld_dir``,
``rdf_loader_run``, then a checkpoint), reached by ``bigmap_kg.store.VirtuosoStore`` as
docs/scaling.md sets one up, with ``BIGMAP_KG_GRAPH_LIST_SECONDS`` as bigmap-kg reads it; its load
time is the store's ``load_seconds``.
The timing code only calls the ``TripleStore`` interface."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bigmap_kg.settings import Settings
from bigmap_kg.store import EmbeddedStore, RemoteStore
from bigmap_kg.store.base import TripleStore
from bigmap_kg.store.virtuoso import VirtuosoStore, endpoints
from tests.servers import Server, oxigraph_binary, start_oxigraph, start_virtuoso

_PR_SET_PDEATHSIG = 1


def _embedded(folder: Path) -> TripleStore:
    return EmbeddedStore(folder)


def _end_with_parent() -> None:
    """In the server's process before it starts: a benchmark worker killed at its time limit
    takes its server with it (Linux)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServedStore(RemoteStore):
    """A RemoteStore on an Oxigraph server this process started on ``folder``, a copy of a
    store folder."""

    def __init__(self, server: Server, folder: Path):
        super().__init__(f"{server.base}/query", f"{server.base}/update", union_default_graph=True,
                         timeout=600)
        self.server, self.folder = server, folder

    def close(self) -> None:
        super().close()
        _end(self.server, self.folder)


def _end(server: Server, folder: Path) -> None:
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _oxigraph_server(folder: Path) -> TripleStore:
    copy = Path(tempfile.mkdtemp(prefix="bigmap-kg-bench-server-"))
    subprocess.run([oxigraph_binary(), "backup", "--location", str(folder), "--destination",
                    str(copy / "store")], check=True, capture_output=True)
    server = start_oxigraph(copy / "store", union_default_graph=True, seconds=300,
                            preexec_fn=_end_with_parent)
    return ServedStore(server, copy)


class LoadedVirtuoso(VirtuosoStore):
    """A VirtuosoStore on a Virtuoso this process started and bulk-loaded; ``load_seconds``: the
    dump and the load."""

    def __init__(self, server: Server, folder: Path, load_seconds: float):
        query, update = endpoints(server.base)
        super().__init__(query, update, credentials=server.credentials, timeout=600,
                         graph_list_seconds=Settings().graph_list_seconds)
        self.server, self.folder, self.load_seconds = server, folder, load_seconds

    def close(self) -> None:
        super().close()
        _end(self.server, self.folder)


def _virtuoso_memory_mib() -> int:
    """A quarter of the machine's memory for Virtuoso's buffers (its tuning guide: up to two
    thirds on a dedicated machine; here it shares the machine with the benchmark)."""
    return max(200, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4 // 2**20)


def _virtuoso(folder: Path) -> TripleStore:
    work = Path(tempfile.mkdtemp(prefix="bigmap-kg-bench-virtuoso-"))
    try:
        server = start_virtuoso(work, memory_mib=_virtuoso_memory_mib(), timeout=600,
                                preexec_fn=_end_with_parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        clock = time.perf_counter()
        load = work / "load"
        load.mkdir()
        subprocess.run([oxigraph_binary(), "dump", "--location", str(folder), "--file",
                        str(load / "store.nq")], check=True, capture_output=True)
        # quads of the default graph (none are written there) would go to this graph
        server.isql(f"ld_dir('{load}', 'store.nq', 'urn:x-bigmap-kg:bench-default');")
        server.isql("rdf_loader_run();", timeout=7200)
        failed = server.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
        if "store.nq" in failed:
            raise RuntimeError(f"Virtuoso's bulk loader failed: {failed.strip()}")
        server.isql("checkpoint;", timeout=3600)
        seconds = time.perf_counter() - clock
        shutil.rmtree(load)
    except BaseException:
        _end(server, work)
        raise
    return LoadedVirtuoso(server, work, seconds)


OPENERS: dict[str, Callable[[Path], TripleStore]] = {"embedded": _embedded,
                                                      "oxigraph-server": _oxigraph_server,
                                                      "virtuoso": _virtuoso}
BACKENDS = tuple(OPENERS)


def open_store(backend: str, folder: Path) -> TripleStore:
    """The store of ``backend`` holding the data of the embedded store folder ``folder``."""
    try:
        opener = OPENERS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}") from None
    return opener(folder)
