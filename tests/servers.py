"""Real SPARQL servers on 127.0.0.1, each on free ports with its own data folder: an Oxigraph
server (PyPI ``oxigraph``) and Virtuoso Open Source (Debian's ``virtuoso-opensource-7-bin``).
Used by the test fixtures and the benchmarks; both stop the server afterwards."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bigmap_kg.store import RemoteStore, TripleStore
from bigmap_kg.store.virtuoso import VirtuosoStore, endpoints


class ServerMissing(RuntimeError):
    """The server's program is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server: its kind, base URL, and credentials for updates (Virtuoso)."""

    kind: str
    base: str
    process: subprocess.Popen[bytes]
    credentials: tuple[str, str] | None = None
    sql: str | None = None  # Virtuoso's SQL port, host:port, for isql

    def isql(self, statement: str, timeout: float = 60) -> str:
        """Run SQL in Virtuoso as the ``dba`` user (its bulk loader, a checkpoint); its output."""
        if self.sql is None or self.credentials is None:
            raise RuntimeError(f"the {self.kind} server has no SQL port")
        done = subprocess.run(["isql-vt", self.sql, *self.credentials, f"exec={statement}"],
                              check=True, capture_output=True, text=True, timeout=timeout)
        if "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"Virtuoso refused {statement!r}: {(done.stdout + done.stderr).strip()}")
        return done.stdout

    def stop(self) -> None:
        _stop(self.process)

    def store(self, timeout: float = 60.0) -> TripleStore:
        if self.kind == "virtuoso":
            query, update = endpoints(self.base)
            return VirtuosoStore(query, update, credentials=self.credentials, timeout=timeout)
        return RemoteStore(f"{self.base}/query", f"{self.base}/update", timeout=timeout)

    def settings(self) -> dict[str, str]:
        """The ``BIGMAP_KG_*`` environment that points bigmap-kg at this server."""
        store = self.store()
        assert isinstance(store, RemoteStore)
        env = {"BIGMAP_KG_ENDPOINT": store.query_endpoint,
               "BIGMAP_KG_UPDATE_ENDPOINT": store.update_endpoint or ""}
        if self.credentials:
            env |= {"BIGMAP_KG_SERVER": "virtuoso", "BIGMAP_KG_ENDPOINT_USER": self.credentials[0],
                    "BIGMAP_KG_ENDPOINT_PASSWORD": self.credentials[1]}
        return env


def wait_until_answers(process: subprocess.Popen[bytes], url: str, name: str, seconds: float = 60) -> None:
    """Poll ``url`` until it answers; the process's errors if it ends or time runs out first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{name} did not start: {process.communicate()[1]!r}") from None
            time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise ServerMissing("the oxigraph server (PyPI package 'oxigraph') is not installed")
    return found


def start_oxigraph(folder: Path, *, union_default_graph: bool = False, seconds: float = 60,
                   preexec_fn: Callable[[], None] | None = None) -> Server:
    """``oxigraph serve`` on the store in ``folder``; the caller stops it (``Server.stop``)."""
    port = free_port()
    union = ["--union-default-graph"] if union_default_graph else []
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}", *union],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(process, f"{base}/query?query=ASK%7B%7D", "the oxigraph server", seconds)
    return Server("oxigraph", base, process)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Server]:
    """``start_oxigraph``, stopped afterwards."""
    server = start_oxigraph(folder)
    try:
        yield server
    finally:
        server.stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {folder}
DefaultIsolation = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 20
ServerThreads = 20

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 0
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found or not shutil.which("isql-vt"):
        raise ServerMissing("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource-7-bin)")
    return found


def start_virtuoso(folder: Path, *, memory_mib: int = 200, timeout: int = 120,
                   preexec_fn: Callable[[], None] | None = None) -> Server:
    """Virtuoso with a new database in ``folder`` (files under it may be bulk-loaded); the
    ``dba`` password is set to a random one, which the returned server's stores use for updates.
    The caller stops it (``Server.stop``)."""
    binary = virtuoso_binary()
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    buffers = memory_mib * 1024 // 8 * 2 // 3  # 8 KiB pages, two thirds of the memory
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty=buffers * 3 // 4, timeout=timeout))
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_answers(process, f"{base}/sparql?query=ASK%7B%7D", "Virtuoso", seconds=120)
        password = secrets.token_urlsafe(12)
        server = Server("virtuoso", base, process, ("dba", "dba"), sql=f"127.0.0.1:{sql_port}")
        server.isql(f"USER_CHANGE_PASSWORD('dba', 'dba', '{password}');")
    except BaseException:
        _stop(process)
        raise
    server.credentials = ("dba", password)
    return server


@contextmanager
def virtuoso_server(folder: Path, *, memory_mib: int = 200, timeout: int = 120) -> Iterator[Server]:
    """``start_virtuoso``, stopped afterwards."""
    server = start_virtuoso(folder, memory_mib=memory_mib, timeout=timeout)
    try:
        yield server
    finally:
        server.stop()
