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
  blank nodes go in one ``INSERT DATA`` (no such limit), and those with blank nodes in
  ``INSERT { } WHERE { }`` operations of about 500 triples, each holding whole groups of
  connected blank nodes; all in ONE request, which Virtuoso runs as one transaction.
* Listing the graphs with ``SELECT DISTINCT ?g`` takes seconds; grouping the physical quads
  takes milliseconds (``list_graphs_query``).
* A dataset with no default graph or no named graphs means all of Virtuoso's graphs there: an
  empty part is named by a graph that holds nothing (``NO_GRAPH``).
* ``DROP ALL`` would drop Virtuoso's own graphs too: our graphs are dropped one by one.
* An ASK answer in SPARQL JSON comes as one binding of ``__ASK_RETVAL`` (1 or 0) instead of
  ``{"boolean": ...}``.
"""

from __future__ import annotations

import re
from typing import Any

from SPARQLWrapper import SPARQLWrapper

from bigmap_kg.store.base import check_graph_iri
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
TRIPLES_PER_OPERATION = 500


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

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None, *,
                 timeout: float = 60.0, credentials: tuple[str, str] | None = None,
                 system_graphs: tuple[str, ...] = (), graph_list_seconds: float = 0.0):
        super().__init__(query_endpoint, update_endpoint, union_default_graph=False,
                         timeout=timeout, credentials=credentials,
                         graph_list_seconds=graph_list_seconds)
        self.system_graphs = frozenset(VIRTUOSO_GRAPHS + tuple(system_graphs))

    def graphs(self) -> list[str]:
        return [g for g in super().graphs() if g not in self.system_graphs]

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
        iri = check_graph_iri(graph)
        groups = _Groups()
        for line in triples.split("\n"):  # not splitlines(): U+2028, \x85... stand unescaped in literals
            groups.add(line)
        parts = [f"INSERT DATA {{ GRAPH <{iri}> {{\n" + "\n".join(groups.plain) + "\n} }"
                 ] if groups.plain else []
        parts += [f"INSERT {{ GRAPH <{iri}> {{\n" + "\n".join(chunk) + "\n} } WHERE { }"
                  for chunk in groups.chunks(TRIPLES_PER_OPERATION)]
        return " ;\n".join(parts)

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
