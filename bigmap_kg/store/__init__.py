"""Triple stores: one interface, an embedded Oxigraph backend and a SPARQL 1.1 protocol backend."""

from bigmap_kg.store.base import QueryResult, SelectResult, TripleStore
from bigmap_kg.store.embedded import EmbeddedStore
from bigmap_kg.store.factory import open_store
from bigmap_kg.store.remote import RemoteStore

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "SelectResult",
    "TripleStore",
    "open_store",
]
