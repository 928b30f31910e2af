"""The stores a benchmark can run against, by name: the one place that opens them.

Only ``embedded`` (pyoxigraph on disk, ``bigmap_kg.store.EmbeddedStore``) for now. A remote
backend (an Oxigraph server or Virtuoso behind ``bigmap_kg.store.RemoteStore``) is added here:
its entry starts or reaches the server holding the data of ``folder`` and returns the store;
the timing code only calls the ``TripleStore`` interface."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bigmap_kg.store import EmbeddedStore
from bigmap_kg.store.base import TripleStore


def _embedded(folder: Path) -> TripleStore:
    return EmbeddedStore(folder)


OPENERS: dict[str, Callable[[Path], TripleStore]] = {"embedded": _embedded}
BACKENDS = tuple(OPENERS)


def open_store(backend: str, folder: Path) -> TripleStore:
    """The store of ``backend`` holding the data of the embedded store folder ``folder``."""
    try:
        opener = OPENERS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}") from None
    return opener(folder)
