"""The store interface shared by every backend, and the parts they implement alike."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from bigmap_kg.errors import Location, StoreError


@dataclass
class SelectResult:
    """The solutions of a SELECT query, as rdflib terms (None where unbound)."""

    variables: list[str]
    rows: list[dict[str, Node | None]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


QueryResult = SelectResult | bool | Graph
Row = tuple[Node | None, ...]


@dataclass
class Answer:
    """A query's answer as it is produced: ``kind`` is select, ask or graph; ``rows`` yields
    solutions (one term per variable) or triples, lazily, so a caller can stop early."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: Iterator[Row] = field(default_factory=lambda: iter(()))
    boolean: bool | None = None

def ntriples(graph: Graph) -> str:
    """A graph as N-Triples text (used inside INSERT DATA)."""
    return graph.serialize(format="nt")


_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s\x00-\x20\x7f-\x9f<>\"{}|\\^`]*")  # no controls


def is_iri(text: str) -> bool:
    """An absolute IRI without characters that break SPARQL text."""
    return _IRI.fullmatch(text) is not None


def check_graph_iri(graph: str) -> URIRef:
    """A graph name must be an absolute IRI without characters that break SPARQL text."""
    if not is_iri(graph):
        raise StoreError(f"not a valid graph IRI: {graph!r}", Location(iri=graph))
    return URIRef(graph)


def _subjects(data: Graph) -> set[str]:
    """The IRIs a graph describes."""
    return {str(s) for s in data.subjects() if isinstance(s, URIRef)}


class TripleStore(ABC):
    """A quad store that our queries read as the union of its named graphs.

    Every write keeps the logbook summary graph current in the same transaction
    (:mod:`bigmap_kg.summary`); ``maintain_summary = False`` turns that off (benchmarks)."""

    maintain_summary: bool = True
    _summary_current: bool | None = None

    @abstractmethod
    def query(self, sparql: str) -> QueryResult:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the union of all graphs."""

    @abstractmethod
    def stream(self, sparql: str, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        """Evaluate a query for the protocol endpoint. Without graphs given, the default graph
        is the union of the named graphs, as for :meth:`query`; otherwise the given graphs make
        the dataset (SPARQL 1.1 Protocol ``default-graph-uri`` / ``named-graph-uri``)."""

    def native_results(self, sparql: str, fmt: str, default_graphs: list[str] | None = None,
                       named_graphs: list[str] | None = None) -> bytes | None:
        """A SELECT or ASK answer serialised by the engine itself (``fmt``: json or xml), or None
        where the backend cannot; the dataset as for :meth:`stream`. Only for answers whose
        size is bounded beforehand (the caller checks the query's LIMIT)."""
        return None

    @abstractmethod
    def _update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    # -- shared behaviour ------------------------------------------------------------------
    def select(self, sparql: str) -> SelectResult:
        result = self.query(sparql)
        if not isinstance(result, SelectResult):
            raise StoreError("expected a SELECT query", hint="use query() for ASK or CONSTRUCT")
        return result

    def graphs(self) -> list[str]:
        """The named graphs holding data, sorted."""
        result = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(row["g"]) for row in result.rows)

    def triple_count(self, graph: str | None = None) -> int:
        if graph is None:
            text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{check_graph_iri(graph)}> {{ ?s ?p ?o }} }}"
        value = self.select(text).rows[0]["n"]
        return int(value) if value is not None else 0  # type: ignore[call-overload]

    def write_graph(self, graph: str, data: Graph, *, replace: bool = False) -> None:
        """Add the triples to a named graph, or replace its content, in one transaction."""
        iri = check_graph_iri(graph)
        parts = [f"DROP SILENT GRAPH <{iri}>"] if replace else []
        if len(data):
            parts.append(self.insert_text(iri, ntriples(data)))
        if parts:
            touched = _subjects(data) | (self._graph_subjects(iri) if replace else set())
            self._write(" ;\n".join(parts), touched)

    def swap_graph(self, old: str, new: str, data: Graph) -> None:
        """Remove one named graph and write another in its place, in one transaction: a reader
        (or a crash) sees the old graph or the new one, never neither nor both."""
        old_iri, new_iri = check_graph_iri(old), check_graph_iri(new)
        parts = [f"DROP SILENT GRAPH <{old_iri}>"]
        if old_iri != new_iri:
            parts.append(f"DROP SILENT GRAPH <{new_iri}>")
        if len(data):
            parts.append(self.insert_text(new_iri, ntriples(data)))
        touched = _subjects(data) | self._graph_subjects(old_iri) | self._graph_subjects(new_iri)
        self._write(" ;\n".join(parts), touched)

    def insert_text(self, graph: str, triples: str) -> str:
        """The update operation adding N-Triples text (blank nodes included) to a named graph."""
        return f"INSERT DATA {{ GRAPH <{check_graph_iri(graph)}> {{\n{triples}\n}} }}"

    def drop_all_text(self) -> str:
        """The update operations removing every graph of ours (not a server's own graphs);
        empty when there is nothing to remove."""
        return "DROP SILENT ALL"

    def drop_all(self) -> None:
        """Remove every graph of ours, in one transaction."""
        text = self.drop_all_text()
        if text:
            self._write(text, None)

    def drop_graph(self, graph: str) -> None:
        iri = check_graph_iri(graph)
        self._write(f"DROP SILENT GRAPH <{iri}>", self._graph_subjects(iri))

    def update(self, sparql: str, touched: Iterable[str] | None = None) -> None:
        """Run a SPARQL update (the caller is responsible for validation). ``touched``: the IRIs
        whose description it changes, when the caller knows them; otherwise the logbook
        summary is recounted whole in the same transaction."""
        self._write(sparql, touched)

    @property
    def writable(self) -> bool:
        """Whether this store takes updates."""
        return True

    def rebuild_summary(self) -> None:
        """Recount the logbook summary (after writes that went around bigmap-kg)."""
        self._write("", None)

    def ensure_summary(self) -> bool:
        """Count the logbook summary where it is not current (a store written before it existed,
        or around bigmap-kg); True when it was counted. Nothing on a read-only store."""
        from bigmap_kg import summary  # it reads named queries, whose module imports this one

        if not self.maintain_summary or not self.writable or summary.is_current(self):
            return False
        self.rebuild_summary()
        return True

    def _write(self, sparql: str, touched: Iterable[str] | None) -> None:
        """Send a write, with the logbook summary's change in the same transaction."""
        if self.maintain_summary:
            from bigmap_kg import summary  # it reads named queries, whose module imports this one

            if self._summary_current is None:
                self._summary_current = summary.is_current(self)
            sparql = summary.maintained(self, sparql, touched, current=self._summary_current)
        if sparql:
            self._update(sparql)
        self._summary_current = True if self.maintain_summary else None

    def _graph_subjects(self, graph: str) -> set[str]:
        """The IRIs a stored named graph describes."""
        rows = self.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{check_graph_iri(graph)}> "
                           "{ ?s ?p ?o } FILTER(isIRI(?s)) }").rows
        return {str(row["s"]) for row in rows}

    def graph(self, graph: str) -> Graph:
        """The content of one named graph."""
        iri = check_graph_iri(graph)
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        assert isinstance(result, Graph)
        return result

    def dataset(self) -> Dataset:
        """Every named graph, as an rdflib Dataset."""
        ds = Dataset()
        for name in self.graphs():
            target = ds.graph(URIRef(name))
            for triple in self.graph(name):
                target.add(triple)
        return ds

    def export(self, fmt: str = "trig") -> bytes:
        """All named graphs serialised as TriG or N-Quads."""
        if fmt not in ("trig", "nquads"):
            raise StoreError(f"unknown export format {fmt!r}", hint="use trig or nquads")
        return self.dataset().serialize(format=fmt, encoding="utf-8")

    def __enter__(self) -> TripleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
