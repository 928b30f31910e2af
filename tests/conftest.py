"""Fixtures: a fresh store per test, a real Oxigraph server on 127.0.0.1 for the remote backend."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bigmap_kg.loader import init_store
from bigmap_kg.store import EmbeddedStore, RemoteStore, TripleStore
from bigmap_kg.validation import Validator

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the oxigraph server (PyPI package 'oxigraph') is not installed")
    return found


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A real Oxigraph server with its own data folder; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(tmp_path / "oxigraph"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph server did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["embedded", "oxigraph-server"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TripleStore]:
    """Each backend in turn: the store contract must hold for all."""
    if request.param == "embedded":
        store: TripleStore = EmbeddedStore(tmp_path / "store")
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
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"bigmap-kg serve did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.2)


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
