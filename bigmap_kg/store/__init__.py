"""Triple stores: one interface, an embedded Oxigraph backend, a SPARQL 1.1 protocol backend and
Virtuoso's dialect of it."""

from bigmap_kg.store.base import QueryResult, SelectResult, TripleStore
from bigmap_kg.store.embedded import EmbeddedStore
from bigmap_kg.store.factory import open_store, store_from_settings
from bigmap_kg.store.remote import RemoteStore
from bigmap_kg.store.virtuoso import VirtuosoStore

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "SelectResult",
    "TripleStore",
    "VirtuosoStore",
    "open_store",
    "store_from_settings",
]
