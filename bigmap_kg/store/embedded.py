"""The default backend: an embedded Oxigraph store on disk (or in memory)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from bigmap_kg.errors import Location, ParseError, QuerySyntaxError, StoreError
from bigmap_kg.namespaces import DERIVED_GRAPHS
from bigmap_kg.nesting import MAX_DEPTH
from bigmap_kg.sparql_text import is_update, nesting
from bigmap_kg.store.base import Answer, QueryResult, Row, SelectResult, TripleStore, check_graph_iri
from bigmap_kg.store.change import Lit
from bigmap_kg.terms import Terms

_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
NATIVE_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


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

    def _evaluate(self, sparql: str, options: dict[str, object]
                  ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if is_update(sparql):
            raise StoreError("this is an update, not a query",
                             hint="use update() (over HTTP: the update endpoint)")
        _check_nesting(sparql)
        try:
            return self._store.query(sparql, **options)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc.msg}",
                                   Location(line=exc.lineno, column=exc.offset)) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def query(self, sparql: str) -> QueryResult:
        result = self._evaluate(sparql, {"use_default_graph_as_union": True})
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [dict(zip(variables, row, strict=True)) for row in _solutions(result)]
            return SelectResult(variables, rows)
        graph = Graph()
        for row in _triples(result):
            graph.add(row)  # type: ignore[arg-type]  # a triple's terms are never None
        return graph

    def stream(self, sparql: str, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        result = self._evaluate(sparql, _dataset(default_graphs, named_graphs))
        if isinstance(result, ox.QueryBoolean):
            return Answer("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            return Answer("select", variables, _solutions(result))
        return Answer("graph", ["subject", "predicate", "object"], _triples(result))

    def native_results(self, sparql: str, fmt: str, default_graphs: list[str] | None = None,
                       named_graphs: list[str] | None = None) -> bytes | None:
        """Oxigraph writes the answer itself: a 1 000-row answer took 6 ms this way and 50 ms
        through rdflib terms and our writer."""
        if fmt not in NATIVE_FORMATS:
            return None
        result = self._evaluate(sparql, _dataset(default_graphs, named_graphs))
        if isinstance(result, ox.QueryTriples):
            return None
        try:
            data = result.serialize(format=NATIVE_FORMATS[fmt])
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc
        assert isinstance(data, bytes)
        return data

    def checked_json(self, sparql: str, check: Callable[[int], None],
                     default_graphs: list[str] | None = None,
                     named_graphs: list[str] | None = None) -> bytes | None:
        """Without rdflib terms in between (10 000-measurement store, one thread): a point
        look-up's 11 rows took 154 us through them and our writer, 121 us this way; 10 000 rows
        326 ms and 199 ms."""
        result = self._evaluate(sparql, _dataset(default_graphs, named_graphs))
        if not isinstance(result, ox.QuerySolutions):
            return None
        variables = [v.value for v in result.variables]
        bindings: list[dict[str, object]] = []
        try:
            for sol in result:
                check(len(bindings))
                bindings.append({name: _json_term(term)
                                 for name, term in zip(variables, sol, strict=True) if term is not None})
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")

    def check_update_text(self, sparql: str) -> None:
        _check_nesting(sparql)

    def _update(self, sparql: str) -> None:
        """Updates bigmap-kg makes itself (from parsed data, nested two levels) are sent as they
        are; text from outside is checked first (:meth:`update`)."""
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL update syntax error: {exc.msg}",
                             Location(line=exc.lineno, column=exc.offset)) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"update failed: {exc}") from exc

    def graphs(self) -> list[str]:
        """The named graphs holding data (Oxigraph's own list, without a scan of every quad)."""
        names = []
        for graph in self._store.named_graphs():
            if isinstance(graph, ox.NamedNode) and next(
                    iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None:
                names.append(graph.value)
        return sorted(names)

    def describe(self, subjects: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """Index look-ups (``quads_for_pattern``), no query to plan."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for s in subjects:
            quads = [(q.graph_name.value, q.predicate.value, _value(q.object))
                     for q in self._store.quads_for_pattern(ox.NamedNode(s), None, None, None)
                     if isinstance(q.graph_name, ox.NamedNode) and not isinstance(q.object, ox.BlankNode)]
            if quads:
                found[s] = quads
        return found

    def referrers(self, predicate: str, objects: list[str]) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        p = ox.NamedNode(predicate)
        for o in objects:
            refs = [(q.graph_name.value, q.subject.value)
                    for q in self._store.quads_for_pattern(None, p, ox.NamedNode(o), None)
                    if isinstance(q.graph_name, ox.NamedNode) and isinstance(q.subject, ox.NamedNode)]
            if refs:
                found[o] = refs
        return found

    def labels(self, iris: list[str]) -> dict[str, str]:
        """Index look-ups: a VALUES block joined to skos:prefLabel scanned every label of the
        logbook (34 ms for a plan's 215 things at 1 000 000 measurements)."""
        found: dict[str, str] = {}
        for iri in iris:
            for predicate in (_PREF_LABEL, _LABEL):
                quads = self._store.quads_for_pattern(ox.NamedNode(iri), predicate, None, None)
                label = next(iter(quads), None)
                if label is not None and isinstance(label.object, ox.Literal):
                    found[iri] = label.object.value
                    break
        return found

    def typed_subjects(self) -> Iterator[str]:
        seen: set[str] = set()
        for q in self._store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, None):
            if (isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode)
                    and q.graph_name.value not in DERIVED_GRAPHS and q.subject.value not in seen):
                seen.add(q.subject.value)
                yield q.subject.value

    def append(self, graph: str, lines: Iterable[str]) -> None:
        """Oxigraph's bulk loader (not transactional; the derived graphs' marker is written last)."""
        data = "\n".join(lines).encode("utf-8")
        if data:
            try:
                self._store.bulk_load(data, ox.RdfFormat.N_TRIPLES,
                                      to_graph=ox.NamedNode(str(check_graph_iri(graph))))
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreError(f"bulk load failed: {exc}") from exc

    def bulk_load_file(self, path: str, fmt: ox.RdfFormat) -> int:
        """Oxigraph's bulk loader on a file, then compaction (queries are slow on a freshly
        bulk-loaded store until it is compacted); the number of quads the store then holds."""
        try:
            self._store.bulk_load(path=path, format=fmt)
            self._store.flush()
            self._store.optimize()
        except SyntaxError as exc:
            raise ParseError(f"not valid {fmt.name}: {exc.msg}",
                             Location(file=path, line=exc.lineno, column=exc.offset)) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"bulk load failed: {exc}", Location(file=path)) from exc
        return len(self._store)

    def has_default_graph_triples(self) -> bool:
        found = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        return next(iter(found), None) is not None

    def clear(self) -> None:
        """Remove everything (a failed bulk load)."""
        self._store.clear()

    def export(self, fmt: str = "trig") -> bytes:
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
        if fmt not in formats:
            raise StoreError(f"unknown export format {fmt!r}", hint="use trig or nquads")
        data = self._store.dump(format=formats[fmt])
        assert isinstance(data, bytes)
        return data

    def close(self) -> None:
        """Flush and release the store (again: nothing)."""
        if not hasattr(self, "_store"):
            return
        if self.path is not None:
            self._store.flush()
        del self._store


def _check_nesting(sparql: str) -> None:
    """Oxigraph crashes the process (it does not raise) on queries nested a few thousand deep."""
    depth = nesting(sparql) if sparql.count("{") + sparql.count("(") > MAX_DEPTH else 0
    if depth > MAX_DEPTH:
        raise QuerySyntaxError(f"the query is nested {depth} levels deep",
                               hint=f"at most {MAX_DEPTH} levels of {{ }} ( ) [ ] are accepted")


def _solutions(result: ox.QuerySolutions) -> Iterator[Row]:
    """The solutions as rows, one value per variable in the answer's order."""
    try:
        term = Terms()
        for sol in result:
            yield tuple(map(term, sol))
    except (OSError, ValueError) as exc:
        raise StoreError(f"query failed: {exc}") from exc


def _triples(result: ox.QueryTriples) -> Iterator[Row]:
    try:
        term = Terms()
        for t in result:
            yield (term(t.subject), term(t.predicate), term(t.object))
    except (OSError, ValueError) as exc:
        raise StoreError(f"query failed: {exc}") from exc


def _dataset(default_graphs: list[str] | None, named_graphs: list[str] | None) -> dict[str, object]:
    """The query options for a protocol dataset: exactly the graphs given (none given of a kind:
    none of that kind); without any, the default graph is the union of the named graphs."""
    if default_graphs is None and named_graphs is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": _nodes(default_graphs), "named_graphs": _nodes(named_graphs)}


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    """A term as SPARQL 1.1 JSON results write it (a quoted triple as SPARQL-star does)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": datatype}
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _nodes(graphs: list[str] | None) -> list[ox.NamedNode]:
    return [ox.NamedNode(str(check_graph_iri(g))) for g in graphs or []]


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    return Lit(term.value) if isinstance(term, ox.Literal) else str(getattr(term, "value", term))
