"""The store interface shared by every backend, and the parts they implement alike."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from bigmap_kg.errors import Location, StoreError
from bigmap_kg.namespaces import DERIVED_GRAPHS
from bigmap_kg.store.change import Change, value_of

if TYPE_CHECKING:
    from bigmap_kg.summary.contributions import Classes

_DESCRIBE_CHUNK = 500
_APPEND_CHUNK = 20_000


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


class TripleStore(ABC):
    """A quad store that our queries read as the union of its named graphs.

    Every write keeps the logbook summary graph current in the same transaction
    (:mod:`bigmap_kg.summary`); ``maintain_summary = False`` turns that off (benchmarks)."""

    maintain_summary: bool = True
    #: Triples one INSERT / DELETE DATA operation may hold, and rows of one VALUES block of an
    #: update; None: any number (a server's limits).
    max_operation_lines: int | None = None
    max_values_rows: int | None = None
    #: A server whose engine cannot compile some standard queries: its forms of them are shipped
    #: as ``queries/dialects/<dialect>/<name>.rq`` (:func:`bigmap_kg.queries.text_for`).
    dialect: str | None = None
    _summary_current: bool | None = None
    _hierarchy: Classes | None = None

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

    def checked_json(self, sparql: str, check: Callable[[int], None],
                     default_graphs: list[str] | None = None,
                     named_graphs: list[str] | None = None) -> bytes | None:
        """A SELECT answer as SPARQL JSON results written straight from the engine's terms, with
        ``check(rows so far)`` called before each row (it raises to stop: a row limit, a
        deadline); None where the backend cannot, or the query is not a SELECT. The dataset as
        for :meth:`stream`."""
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
            parts.append(self.data_text(str(iri), data))
        if parts:
            self._write(" ;\n".join(parts), Change(added={str(iri): data},
                                                    removed_graphs={str(iri)} if replace else set()))

    def swap_graph(self, old: str, new: str, data: Graph) -> None:
        """Remove one named graph and write another in its place, in one transaction: a reader
        (or a crash) sees the old graph or the new one, never neither nor both."""
        old_iri, new_iri = check_graph_iri(old), check_graph_iri(new)
        parts = [f"DROP SILENT GRAPH <{old_iri}>"]
        if old_iri != new_iri:
            parts.append(f"DROP SILENT GRAPH <{new_iri}>")
        if len(data):
            parts.append(self.data_text(str(new_iri), data))
        self._write(" ;\n".join(parts), Change(added={str(new_iri): data},
                                                removed_graphs={str(old_iri), str(new_iri)}))

    def stage(self, lines: list[str]) -> str:
        """Write N-Triples lines (no blank nodes) where no query reads them, ahead of a write
        that reads them in its one transaction; the staging graph's name. Only stores whose
        ``max_values_rows`` limits a write's VALUES blocks need to (and do)."""
        raise StoreError("this store does not stage writes")

    def data_text(self, graph: str, data: Graph) -> str:
        """The update operations adding ``data`` to a named graph, for a write's one request."""
        return self.insert_text(graph, ntriples(data))

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
        self._write(f"DROP SILENT GRAPH <{iri}>", Change(removed_graphs={str(iri)}))

    def update(self, sparql: str, change: Change | None = None) -> None:
        """Run a SPARQL update (the caller is responsible for validation). ``change``: what it
        adds and removes, when the caller knows (``Change()``: nothing the derived graphs read);
        otherwise the derived graphs are derived again whole after it."""
        self.check_update_text(sparql)
        self._write(sparql, change)

    def check_update_text(self, sparql: str) -> None:
        """Refuse update text the engine cannot take safely (nothing to check by default)."""
        return None

    def send_update(self, sparql: str) -> None:
        """Run a SPARQL update as it is, the derived graphs left alone (their own maintenance)."""
        self._update(sparql)

    @property
    def writable(self) -> bool:
        """Whether this store takes updates."""
        return True

    def rebuild_summary(self) -> None:
        """Derive the summary and names graphs again (after writes that went around bigmap-kg)."""
        self._write("", None)

    def ensure_summary(self) -> bool:
        """Derive the summary and names graphs where they are not current (a store written before
        them, or around bigmap-kg, or interrupted while deriving them); True when they were
        derived. Nothing on a read-only store."""
        from bigmap_kg import summary  # it reads named queries, whose module imports this one

        if not self.maintain_summary or not self.writable or summary.is_current(self):
            return False
        self.rebuild_summary()
        return True

    def _write(self, sparql: str, change: Change | None) -> None:
        """Send a write, with the derived graphs' change in the same transaction (or a rebuild
        after it where the change is unknown)."""
        if not self.maintain_summary:
            if sparql:
                self._update(sparql)
            return
        from bigmap_kg import summary  # it reads named queries, whose module imports this one

        if self._summary_current is None:
            self._summary_current = summary.is_current(self)
        if self._hierarchy is None and self._summary_current and change is not None:
            self._hierarchy = summary.classes(self)
        hierarchy = self._hierarchy if self._summary_current else None
        try:
            self._hierarchy = summary.write(self, sparql, change, hierarchy)
        except BaseException:
            # A refused write changed nothing; a rebuild cut short left no marker: the store
            # says which (asked again at the next write, instead of deriving everything again).
            self._summary_current = self._hierarchy = None
            raise
        self._summary_current = True

    # -- what the derived graphs are computed from -------------------------------------------
    def describe(self, subjects: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """Each subject's triples as ``(graph, predicate, object)``, from every named graph
        (objects: IRI text, :class:`~bigmap_kg.summary.view.Lit` for literals; no blank nodes)."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for start in range(0, len(subjects), _DESCRIBE_CHUNK):
            values = " ".join(f"<{s}>" for s in subjects[start:start + _DESCRIBE_CHUNK])
            rows = self.select(f"SELECT ?s ?g ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
                               "GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?o)) }").rows
            for row in rows:
                obj = value_of(row["o"])
                if obj is not None:
                    found.setdefault(str(row["s"]), []).append((str(row["g"]), str(row["p"]), obj))
        return found

    def referrers(self, predicate: str, objects: list[str]) -> dict[str, list[tuple[str, str]]]:
        """The subjects that have ``predicate`` with each of the objects, as ``(graph, subject)``."""
        found: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(objects), _DESCRIBE_CHUNK):
            values = " ".join(f"<{o}>" for o in objects[start:start + _DESCRIBE_CHUNK])
            rows = self.select(f"SELECT ?o ?g ?s WHERE {{ VALUES ?o {{ {values} }} "
                               f"GRAPH ?g {{ ?s <{predicate}> ?o }} FILTER(isIRI(?s)) }}").rows
            for row in rows:
                found.setdefault(str(row["o"]), []).append((str(row["g"]), str(row["s"])))
        return found

    def labels(self, iris: list[str]) -> dict[str, str]:
        """One skos:prefLabel (else rdfs:label) of each IRI that has one."""
        found: dict[str, str] = {}
        for start in range(0, len(iris), _DESCRIBE_CHUNK):
            values = " ".join(f"<{i}>" for i in iris[start:start + _DESCRIBE_CHUNK])
            rows = self.select(
                f"SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?s {{ {values} }} "
                f"{{ ?s <{SKOS.prefLabel}> ?l }} UNION {{ ?s <{RDFS.label}> ?l }} }} GROUP BY ?s").rows
            found.update({str(r["s"]): str(r["label"]) for r in rows if r["label"] is not None})
        return found

    def typed_subjects(self) -> Iterator[str]:
        """Every IRI that has a class, outside the derived graphs, once each."""
        outside = " && ".join(f"?g != <{g}>" for g in DERIVED_GRAPHS)
        rows = self.select("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c } "
                           f"FILTER(isIRI(?s) && {outside}) }}").rows
        return (str(row["s"]) for row in rows)

    def graph_subjects(self, graph: str) -> set[str]:
        """The IRIs a stored named graph describes."""
        rows = self.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{check_graph_iri(graph)}> "
                           "{ ?s ?p ?o } FILTER(isIRI(?s)) }").rows
        return {str(row["s"]) for row in rows}

    def append(self, graph: str, lines: Iterable[str]) -> None:
        """Add N-Triples lines (no blank nodes) to a graph, in as many transactions as it takes:
        for derived data only, whose marker says when it is whole."""
        iri = check_graph_iri(graph)
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= _APPEND_CHUNK:
                self._update(self.insert_text(iri, "\n".join(chunk)))
                chunk = []
        if chunk:
            self._update(self.insert_text(iri, "\n".join(chunk)))

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
