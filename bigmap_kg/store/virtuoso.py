"""Virtuoso Open Source over the SPARQL 1.1 protocol: what its dialect needs, kept here so that
the named queries stay standard SPARQL.

* The default graph of a Virtuoso query without a dataset is the union of ALL its graphs,
  Virtuoso's own included (its RDF views, the LDP vocabulary, its service description); its
  ``input:default-graph-exclude`` pragma makes ``GRAPH <iri>`` patterns come back empty (7.2.5).
  So the store lists our graphs (all but Virtuoso's) and names them as the dataset of every query
  (as ``DEFINE input:default-graph-uri`` / ``input:named-graph-uri`` pragmas: Virtuoso echoes the
  protocol's ``default-graph-uri`` / ``named-graph-uri`` parameters as one response header each,
  and Python's HTTP client refuses an answer of more than 100 headers), as for any server without
  a union default graph.
* Updates go to the authenticated endpoint (``/sparql-auth``, HTTP digest, a user with the
  SPARQL_UPDATE role such as ``dba``); the anonymous ``/sparql`` refuses them.
* ``INSERT DATA`` refuses blank nodes ("not allowed in a constant clause"); ``INSERT { } WHERE
  { }`` takes them, but one operation compiles to at most 10 000 lines of SQL (a few thousand
  triples), and a blank-node label may not be used in two operations. So the triples without
  blank nodes go in ``INSERT DATA`` operations, and those with blank nodes in ``INSERT { } WHERE
  { }`` operations of about 500 triples, each holding whole groups of connected blank nodes; all
  in ONE request, which Virtuoso runs as one transaction.
* One operation holds at most ``max_operation_lines`` (2 000) triples and ``max_values_rows``
  (500) VALUES rows: an ``INSERT DATA`` of 4 000 dated triples compiled and one of 5 000 did not
  ("SP030: memory exhausted"); the derived counts' update with 2 000 cells did not ("SP031: the
  length of generated SQL text has exceeded 10000 lines", or with 8 000 "SQ199: maximum size of
  a code vector exceeded"). Imports of 1 000 rows and more failed on this.
* One request holds at most 10 MB of text ("SR...: the requested string session is longer than
  10Mb"). A write whose data is larger is staged: its triples are first written to a staging
  graph in as many requests as it takes (``STAGING``: not one of our graphs, so no query sees
  it), then the write's one request adds the staging graph to its target and drops it (``ADD``,
  ``DROP``), with the derived graphs' change: readers see all of the write or none of it. A
  write refused at the end drops its staging graph; one left by a process killed while staging
  is dropped by the next write that stages, a day later.
* Listing the graphs with ``SELECT DISTINCT ?g`` takes seconds; grouping the physical quads
  takes milliseconds (``list_graphs_query``).
* A dataset with no default graph or no named graphs means all of Virtuoso's graphs there: an
  empty part is named by a graph that holds nothing (``NO_GRAPH``).
* ``DROP ALL`` would drop Virtuoso's own graphs too: our graphs are dropped one by one.
* Its SPARQL compiler refuses some standard forms (an EXISTS as an operand of || or &&: SQ074;
  an EXISTS reading a variable bound outside it by a BIND: SP031; a variable built on an EXISTS
  read in two places, two OPTIONAL sub-queries side by side, or a FILTER comparing two
  variables of an OPTIONAL: SQ156), and answers some wrongly. The planner's queries and the named
  query that meet these have a Virtuoso form in ``queries/dialects/virtuoso/`` (``dialect``),
  which gives the standard answers on the embedded store (tests/test_dialects.py) but runs
  slower on Oxigraph, so the standard form stays the one the other stores run.
* An ASK answer in SPARQL JSON comes as one binding of ``__ASK_RETVAL`` (1 or 0) instead of
  ``{"boolean": ...}``.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from typing import Any

from rdflib import Graph
from SPARQLWrapper import SPARQLWrapper

from bigmap_kg.errors import StoreError
from bigmap_kg.store.base import check_graph_iri, ntriples
from bigmap_kg.store.change import Change
from bigmap_kg.store.remote import RemoteStore

#: Graphs a fresh Virtuoso 7 holds for itself; ``system_graphs`` adds a site's own.
VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
_ASK_VARIABLE = "__ASK_RETVAL"
NO_GRAPH = "urn:x-bigmap-kg:no-graph"  # named for an empty part of a dataset
_BLANK_SUBJECT = re.compile(r"^(_:\S+) ")
_BLANK_OBJECT = re.compile(r" (_:[^\s\"<>]+) \.$")
TRIPLES_PER_OPERATION = 500  # with blank nodes (INSERT { } WHERE { })
LINES_PER_OPERATION = 2_000  # INSERT DATA, DELETE DATA
VALUES_PER_OPERATION = 500
REQUEST_BYTES = 8 * 2**20  # Virtuoso refuses more than 10 MB of update text in one request
STAGING = "urn:x-bigmap-kg:staging:"  # + seconds since the epoch, "-", a random name
STALE_SECONDS = 86_400


def endpoints(base: str) -> tuple[str, str]:
    """The query and update endpoints of a Virtuoso at ``base`` (``http://host:8890``)."""
    base = base.rstrip("/")
    return f"{base}/sparql", f"{base}/sparql-auth"


class _Groups:
    """N-Triples lines grouped so that lines sharing a blank node stay together (union-find)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.plain: list[str] = []
        self.blank: list[tuple[str, str]] = []  # (a blank node of the line, the line)

    def find(self, label: str) -> str:
        root = self.parent.setdefault(label, label)
        while root != self.parent[root]:
            root = self.parent[root]
        self.parent[label] = root
        return root

    def add(self, line: str) -> None:
        line = line.strip(" \r\t")
        if not line:
            return
        subject, obj = _BLANK_SUBJECT.match(line), _BLANK_OBJECT.search(line)
        labels = [m.group(1) for m in (subject, obj) if m]
        if not labels:
            self.plain.append(line)
            return
        if len(labels) == 2:
            self.parent[self.find(labels[0])] = self.find(labels[1])
        self.blank.append((labels[0], line))

    def chunks(self, size: int) -> list[list[str]]:
        """The lines with blank nodes, in chunks of about ``size`` lines of whole groups."""
        grouped: dict[str, list[str]] = {}
        for label, line in self.blank:
            grouped.setdefault(self.find(label), []).append(line)
        chunks: list[list[str]] = [[]]
        for lines in grouped.values():
            if len(chunks[-1]) >= size:
                chunks.append([])
            chunks[-1].extend(lines)
        return [c for c in chunks if c]


class VirtuosoStore(RemoteStore):
    """A Virtuoso server: ``query_endpoint`` its ``/sparql``, ``update_endpoint`` its
    ``/sparql-auth`` with ``credentials`` (user, password)."""

    # DISTINCT over every quad took 2.2 s on the catalogue alone; grouping the physical quads
    # (no RDF views: input:storage "") 3 ms.
    list_graphs_query = 'DEFINE input:storage "" SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'

    dialect = "virtuoso"
    max_operation_lines = LINES_PER_OPERATION
    max_values_rows = VALUES_PER_OPERATION
    #: Data of a write above this many bytes of N-Triples is staged (the rest of the write's
    #: request, the derived graphs' change, must fit beside it).
    stage_above_bytes = REQUEST_BYTES // 2

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None, *,
                 timeout: float = 60.0, credentials: tuple[str, str] | None = None,
                 system_graphs: tuple[str, ...] = (), graph_list_seconds: float = 0.0):
        super().__init__(query_endpoint, update_endpoint, union_default_graph=False,
                         timeout=timeout, credentials=credentials,
                         graph_list_seconds=graph_list_seconds)
        self.system_graphs = frozenset(VIRTUOSO_GRAPHS + tuple(system_graphs))
        self._staged: list[str] = []

    def graphs(self) -> list[str]:
        return [g for g in self._all_graphs() if not g.startswith(STAGING)]

    def _all_graphs(self) -> list[str]:
        return [g for g in super().graphs() if g not in self.system_graphs]

    # -- large writes -----------------------------------------------------------------------
    def data_text(self, graph: str, data: Graph) -> str:
        triples = ntriples(data)
        if len(triples.encode("utf-8")) <= self.stage_above_bytes:
            return self.insert_text(graph, triples)
        staging = self.stage([line for line in triples.split("\n") if line.strip()])
        return (f"ADD SILENT GRAPH <{staging}> TO GRAPH <{check_graph_iri(graph)}> ;\n"
                f"DROP SILENT GRAPH <{staging}>")

    def stage(self, lines: list[str]) -> str:
        """Write the N-Triples lines to a new staging graph in requests of at most
        ``REQUEST_BYTES``; the graph is dropped when the write that reads it is done."""
        self._drop_stale_staging()
        staging = f"{STAGING}{int(time.time())}-{uuid.uuid4().hex}"
        self._staged.append(staging)
        try:
            request: list[str] = []
            size = 0
            for operation in self._insert_operations(staging, lines):
                length = len(operation.encode("utf-8")) + 3
                if request and size + length > REQUEST_BYTES:
                    self._update(" ;\n".join(request))
                    request, size = [], 0
                request.append(operation)
                size += length
            if request:
                self._update(" ;\n".join(request))
        except BaseException:
            self._end_staging()
            raise
        return staging

    def _drop_stale_staging(self) -> None:
        now = time.time()
        for graph in self._all_graphs():
            if graph.startswith(STAGING):
                started = graph[len(STAGING):].split("-", 1)[0]
                if started.isdigit() and now - int(started) > STALE_SECONDS:
                    self._update(f"DROP SILENT GRAPH <{check_graph_iri(graph)}>")

    def _write(self, sparql: str, change: Change | None) -> None:
        try:
            super()._write(sparql, change)
        finally:
            self._end_staging()

    def _end_staging(self) -> None:
        """Drop the staging graphs of a write (gone already when it went through)."""
        staged, self._staged = self._staged, []
        for graph in staged:
            with contextlib.suppress(StoreError):  # the write's own error matters; a day later it goes
                self._update(f"DROP SILENT GRAPH <{graph}>")

    def _dataset(self, graphs: list[str] | None, named: list[str] | None
                 ) -> tuple[list[str], list[str]]:
        default, named_graphs = super()._dataset(graphs, named)
        if graphs is None and named is None:
            return default, named_graphs
        # Virtuoso reads "no default graph" or "no named graphs" as "all its graphs"
        return default or [NO_GRAPH], named_graphs or [NO_GRAPH]

    def _send_dataset(self, wrapper: SPARQLWrapper, text: str, default: list[str],
                      named: list[str]) -> None:
        # Virtuoso's own pragmas, not the protocol's parameters: it echoes each of those as a
        # response header, and past 100 headers (about 48 graphs) Python's HTTP client refuses the
        # answer ("got more than 100 headers")
        if not default and not named:
            return
        pragmas = [f"DEFINE input:default-graph-uri <{check_graph_iri(g)}>" for g in default]
        pragmas += [f"DEFINE input:named-graph-uri <{check_graph_iri(g)}>" for g in named]
        form = wrapper.queryType
        wrapper.setQuery("\n".join(pragmas) + "\n" + text)
        wrapper.queryType = form

    def insert_text(self, graph: str, triples: str) -> str:
        # not splitlines(): U+2028, \x85... stand unescaped in literals
        return " ;\n".join(self._insert_operations(graph, triples.split("\n")))

    def _insert_operations(self, graph: str, lines: list[str]) -> list[str]:
        iri = check_graph_iri(graph)
        groups = _Groups()
        for line in lines:
            groups.add(line)
        plain, step = groups.plain, self.max_operation_lines or LINES_PER_OPERATION
        parts = [f"INSERT DATA {{ GRAPH <{iri}> {{\n" + "\n".join(plain[start:start + step]) + "\n} }"
                 for start in range(0, len(plain), step)]
        parts += [f"INSERT {{ GRAPH <{iri}> {{\n" + "\n".join(chunk) + "\n} } WHERE { }"
                  for chunk in groups.chunks(TRIPLES_PER_OPERATION)]
        return parts

    def drop_all_text(self) -> str:
        return " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in self.graphs())

    def _boolean(self, data: dict[str, Any]) -> bool | None:
        boolean = super()._boolean(data)
        if boolean is not None:
            return boolean
        if data.get("head", {}).get("vars") == [_ASK_VARIABLE]:
            rows = data["results"]["bindings"]
            return bool(rows) and rows[0][_ASK_VARIABLE]["value"] not in ("0", "false")
        return None
