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
from pathlib import Path

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
