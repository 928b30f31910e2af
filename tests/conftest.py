"""Fixtures: a fresh store per test, a real Oxigraph server on 127.0.0.1 for the remote backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bigmap_kg.loader import init_store
from bigmap_kg.store import EmbeddedStore, RemoteStore, TripleStore
from bigmap_kg.validation import Validator
from tests import servers
from tests.servers import free_port

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A real Oxigraph server with its own data folder; yields its base URL."""
    try:
        with servers.oxigraph_server(tmp_path / "oxigraph") as server:
            yield server.base
    except servers.ServerMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """A real Virtuoso with its own database, shared by the tests of a session (it takes ~4 s to
    start); tests get it emptied of our graphs (``any_store``) or reset to the catalogue."""
    try:
        with servers.virtuoso_server(tmp_path_factory.mktemp("virtuoso") / "db") as server:
            yield server
    except servers.ServerMissing as exc:
        pytest.fail(str(exc))


def emptied(store: TripleStore) -> TripleStore:
    store.drop_all()
    return store


BACKENDS = ["embedded", "oxigraph-server", pytest.param("virtuoso", marks=pytest.mark.slow)]


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TripleStore]:
    """Each backend in turn, empty: the store contract must hold for all."""
    if request.param == "embedded":
        store: TripleStore = EmbeddedStore(tmp_path / "store")
    elif request.param == "virtuoso":
        store = emptied(request.getfixturevalue("virtuoso").store())
    else:
        base = request.getfixturevalue("oxigraph_server")
        store = RemoteStore(f"{base}/query", f"{base}/update")
    yield store
    store.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "store")
    yield s
    s.close()


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator()


@pytest.fixture
def loaded_store(store: EmbeddedStore, validator: Validator) -> EmbeddedStore:
    """A fresh embedded store holding ontology, shapes and the reference catalogue."""
    init_store(store, validator)
    return store


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"BIGMAP_KG_STORE": str(tmp_path / "cli-store")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BIGMAP_KG_ENDPOINT", raising=False)
    return dict(os.environ) | env


# -- the HTTP service -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def initialised_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store folder holding ontology, shapes and catalogue, made once per session;
    tests copy it (``kg_store``) instead of loading the catalogue again."""
    folder = tmp_path_factory.mktemp("initialised") / "store"
    store = EmbeddedStore(folder)
    init_store(store, Validator())
    store.close()
    return folder


@contextmanager
def store_copy(source: Path, target: Path) -> Iterator[EmbeddedStore]:
    """An embedded store opened on a copy of a store folder, closed afterwards."""
    shutil.copytree(source, target)
    s = EmbeddedStore(target)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def kg_store(initialised_store_dir: Path, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A fresh copy of the initialised store, for one test."""
    with store_copy(initialised_store_dir, tmp_path / "kg-store") as s:
        yield s


@dataclass
class Tokens:
    """Tokens issued for tests: admin, two partners (CTH, CEA) and a reader."""

    file: Path
    admin: str
    cth: str
    cea: str
    reader: str


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    from bigmap_kg.access import TokenBook
    from bigmap_kg.namespaces import ID

    path = tmp_path_factory.mktemp("tokens") / "tokens.toml"
    book = TokenBook.load(path)
    return Tokens(path, book.add("operator", "admin"), book.add("cth-hook", "partner", ID["partner/CTH"]),
                  book.add("cea-hook", "partner", ID["partner/CEA"]), book.add("auditor", "reader"))


@pytest.fixture
def api_client(kg_store: EmbeddedStore, tokens: Tokens) -> Iterator[Any]:
    """The service in-process (FastAPI TestClient) on a fresh initialised store."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from bigmap_kg.settings import Settings

    settings = Settings(tokens_file=tokens.file, store=kg_store.path)
    with TestClient(create_app(settings, store=kg_store)) as client:
        yield client


def start_service(store_dir: Path, tokens_file: Path, extra_env: dict[str, str] | None = None
                  ) -> tuple[subprocess.Popen[bytes], str]:
    """``bigmap-kg serve`` in a subprocess on a free port; returns the process and base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIGMAP_KG_")}
    env |= {"BIGMAP_KG_STORE": str(store_dir), "BIGMAP_KG_TOKENS_FILE": str(tokens_file),
            "BIGMAP_KG_PORT": str(port)} | (extra_env or {})
    proc = subprocess.Popen([str(Path(sys.executable).parent / "bigmap-kg"), "serve"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        servers.wait_until_answers(proc, f"{base}/sparql?query=ASK%7B%7D", "bigmap-kg serve")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return proc, base


@pytest.fixture(scope="session")
def live_service(initialised_store_dir: Path, tokens: Tokens,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``bigmap-kg serve`` on 127.0.0.1 over a copy of the initialised store, shared by
    the tests that only read (browser tests, protocol clients). Yields the base URL."""
    folder = tmp_path_factory.mktemp("live") / "store"
    shutil.copytree(initialised_store_dir, folder)
    proc, base = start_service(folder, tokens.file)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("BIGMAP_KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is not installed: run .ci/run or apt-get install chromium chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_service: str) -> Iterator[Any]:
    """A new browser page; ``page.goto(live_service + "/matrix")``. Failed requests and
    JavaScript errors fail the test."""
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    pg.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert not errors, errors


# -- the same catalogue on every backend ----------------------------------------------------

@pytest.fixture(scope="session")
def catalogue_dump(initialised_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The initialised store (ontology, shapes, catalogue) as N-Quads, to restore elsewhere."""
    with store_copy(initialised_store_dir, tmp_path_factory.mktemp("dump") / "store") as s:
        return s.export("nquads")


@pytest.fixture(scope="session")
def oxigraph_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """An Oxigraph server shared by the tests of a session that reset it themselves."""
    try:
        with servers.oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "db") as server:
            yield server
    except servers.ServerMissing as exc:
        pytest.fail(str(exc))


def holding_catalogue(store: TripleStore, dump: bytes, expected: dict[str, int]) -> TripleStore:
    """``store`` as the initialised store is: restored from the dump unless it holds exactly
    the same graphs with the same numbers of triples already (a test wrote, or another emptied)."""
    from bigmap_kg.store.restore import restore

    if {g: store.triple_count(g) for g in store.graphs()} != expected:
        restore(store, dump, "nquads", replace=True)
    return store


def _initialised_on(backend: str, request: pytest.FixtureRequest, initialised_store_dir: Path,
                    catalogue_dump: bytes, tmp_path: Path) -> Iterator[TripleStore]:
    if backend == "embedded":
        with store_copy(initialised_store_dir, tmp_path / "kg-store") as s:
            yield s
        return
    from bigmap_kg.store.restore import read_dump

    expected = {g: len(lines) for g, lines in read_dump(catalogue_dump, "nquads").items()}
    server = request.getfixturevalue("virtuoso" if backend == "virtuoso" else "oxigraph_session")
    yield holding_catalogue(server.store(), catalogue_dump, expected)


@pytest.fixture(params=BACKENDS)
def backend_store(request: pytest.FixtureRequest, initialised_store_dir: Path, catalogue_dump: bytes,
                  tmp_path: Path) -> Iterator[TripleStore]:
    """The initialised store on each backend in turn: a fresh embedded copy, or a shared server
    reset to the same graphs."""
    yield from _initialised_on(request.param, request, initialised_store_dir, catalogue_dump, tmp_path)


@pytest.fixture(params=BACKENDS)
def writable_store(request: pytest.FixtureRequest, initialised_store_dir: Path, catalogue_dump: bytes,
                   tmp_path: Path) -> Iterator[TripleStore]:
    """The initialised store on each backend in turn, for the service's write paths (entries,
    imports) and the derived graphs' upkeep."""
    yield from _initialised_on(request.param, request, initialised_store_dir, catalogue_dump, tmp_path)


def _client(store: TripleStore, tokens: Tokens, tmp_path: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from bigmap_kg.settings import Settings

    settings = Settings(tokens_file=tokens.file, store=tmp_path / "unused")
    with TestClient(create_app(settings, store=store)) as client:
        yield client


@pytest.fixture
def service_client(backend_store: TripleStore, tokens: Tokens, tmp_path: Path) -> Iterator[Any]:
    """The service in-process on the initialised store of each backend in turn; a module that
    wants its service tests run on every backend names it as its ``api_client``."""
    yield from _client(backend_store, tokens, tmp_path)


@pytest.fixture
def writing_client(writable_store: TripleStore, tokens: Tokens, tmp_path: Path) -> Iterator[Any]:
    """The service on the embedded store and an Oxigraph server, for the tests that write."""
    yield from _client(writable_store, tokens, tmp_path)
