"""Choosing a backend from a location: a folder (embedded) or an endpoint URL (remote)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bigmap_kg.store.base import TripleStore
from bigmap_kg.store.embedded import EmbeddedStore
from bigmap_kg.store.remote import RemoteStore
from bigmap_kg.store.virtuoso import VirtuosoStore

if TYPE_CHECKING:
    from bigmap_kg.settings import Settings


def open_store(
    path: str | Path | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    union_default_graph: bool = False,
    server: str = "generic",
    credentials: tuple[str, str] | None = None,
    graph_list_seconds: float = 0.0,
) -> TripleStore:
    """A remote store when an endpoint is given (Virtuoso's dialect when ``server`` is
    ``virtuoso``), else the embedded store at ``path``."""
    if endpoint and server == "virtuoso":
        return VirtuosoStore(endpoint, update_endpoint, credentials=credentials,
                             graph_list_seconds=graph_list_seconds)
    if endpoint:
        return RemoteStore(endpoint, update_endpoint, union_default_graph=union_default_graph,
                           credentials=credentials, graph_list_seconds=graph_list_seconds)
    return EmbeddedStore(path)


def store_from_settings(settings: Settings) -> TripleStore:
    """The store the settings name (``store``, or ``endpoint`` and what goes with it), its
    logbook summary counted if it has none current (once, for a store from before it)."""
    password = settings.endpoint_password
    credentials = ((settings.endpoint_user, password.get_secret_value())
                   if settings.endpoint_user and password is not None else None)
    store = open_store(settings.store, endpoint=settings.endpoint,
                       update_endpoint=settings.update_endpoint,
                       union_default_graph=settings.union_default_graph,
                       server=settings.server, credentials=credentials,
                       graph_list_seconds=settings.graph_list_seconds)
    store.ensure_summary()
    return store
