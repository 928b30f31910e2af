"""Choosing a backend from a location: a folder (embedded) or an endpoint URL (remote)."""

from __future__ import annotations

from pathlib import Path

from bigmap_kg.store.base import TripleStore
from bigmap_kg.store.embedded import EmbeddedStore
from bigmap_kg.store.remote import RemoteStore


def open_store(
    path: str | Path | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    union_default_graph: bool = False,
) -> TripleStore:
    """A remote store when an endpoint is given, else the embedded store at ``path``."""
    if endpoint:
        return RemoteStore(endpoint, update_endpoint, union_default_graph=union_default_graph)
    return EmbeddedStore(path)
