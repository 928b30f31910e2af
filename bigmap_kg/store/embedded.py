"""The default backend: an embedded Oxigraph store on disk (or in memory)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from bigmap_kg.errors import Location, StoreError
from bigmap_kg.store.base import QueryResult, SelectResult, TripleStore, is_update
from bigmap_kg.terms import to_rdflib


class EmbeddedStore(TripleStore):
    """pyoxigraph on disk at ``path``; in memory when ``path`` is None."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the embedded store: {exc}",
                Location(file=str(self.path)),
                hint="is another bigmap-kg process using it? Close it or choose --store",
            ) from exc

    def query(self, sparql: str) -> QueryResult:
        if is_update(sparql):
            raise StoreError("this is an update, not a query", hint="use update()")
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc.msg}",
                             Location(line=exc.lineno, column=exc.offset)) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [
                {name: (to_rdflib(sol[name]) if sol[name] is not None else None)
                 for name in variables}
                for sol in result
            ]
            return SelectResult(variables, rows)
        graph = Graph()
        for triple in result:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                       to_rdflib(triple.object)))
        return graph

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL update syntax error: {exc.msg}",
                             Location(line=exc.lineno, column=exc.offset)) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"update failed: {exc}") from exc

    def export(self, fmt: str = "trig") -> bytes:
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
        if fmt not in formats:
            raise StoreError(f"unknown export format {fmt!r}", hint="use trig or nquads")
        data = self._store.dump(format=formats[fmt])
        assert isinstance(data, bytes)
        return data

    def close(self) -> None:
        self._store.flush() if self.path is not None else None
        del self._store
