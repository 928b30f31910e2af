"""Any SPARQL 1.1 server over the protocol: SPARQLWrapper for queries and updates."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.error import URLError

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from bigmap_kg.errors import Location, QuerySyntaxError, StoreError
from bigmap_kg.sparql_text import is_update, query_form
from bigmap_kg.store.base import Answer, QueryResult, SelectResult, TripleStore


def _term(binding: dict[str, str]) -> Node:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


class RemoteStore(TripleStore):
    """A store behind SPARQL 1.1 query and update endpoints.

    Our queries read the union of the named graphs. With ``union_default_graph`` the server is
    trusted to do that itself (Oxigraph ``--union-default-graph``, Virtuoso); otherwise every
    query names the graphs as ``default-graph-uri`` and ``named-graph-uri`` (protocol §2.1.4).
    """

    #: The query listing the named graphs (a server may know a faster one).
    list_graphs_query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str | None = None,
        *,
        union_default_graph: bool = False,
        timeout: float = 60.0,
        credentials: tuple[str, str] | None = None,
        graph_list_seconds: float = 0.0,
    ):
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint
        self.union_default_graph = union_default_graph
        self.timeout = timeout
        self.credentials = credentials
        # How long the graph list may be reused (0: asked for with every query). Our own writes
        # drop it; another program's writes are seen once it has expired.
        self.graph_list_seconds = graph_list_seconds
        self._graph_list: tuple[float, list[str]] | None = None
        self._writes = 0  # a list read while a write went on is not kept

    # -- what a server's dialect changes (see virtuoso.py) -----------------------------------
    def _dataset(self, graphs: list[str] | None, named: list[str] | None
                 ) -> tuple[list[str], list[str]]:
        """The default and named graphs sent with a query: ``graphs`` for both unless ``named``
        is given; none at all leaves the dataset to the server."""
        default = graphs or []
        return default, default if named is None else named

    def _authenticate(self, wrapper: SPARQLWrapper) -> None:
        """Credentials for the update endpoint (HTTP digest, which Virtuoso asks for; a server
        asking for basic authentication gets it too)."""
        if self.credentials:
            wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(*self.credentials)

    def _boolean(self, data: dict[str, Any]) -> bool | None:
        """The answer of an ASK query in SPARQL JSON results, None for a SELECT answer."""
        return bool(data["boolean"]) if "boolean" in data else None

    def _wrapper(self, text: str, graphs: list[str] | None = None,
                 named: list[str] | None = None) -> SPARQLWrapper:
        # No update endpoint here: a text SPARQLWrapper takes for an update must not reach one.
        wrapper = SPARQLWrapper(self.query_endpoint)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self.timeout))
        if is_update(text):
            raise StoreError("this is an update, not a query", Location(iri=self.query_endpoint),
                             hint="use update() (over HTTP: the update endpoint)")
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form from keywords anywhere in the text ("ADD" in a comment
        # makes an update of it); our reading skips comments, strings and IRIs.
        wrapper.queryType = query_form(text)
        self._send_dataset(wrapper, text, *self._dataset(graphs, named))
        return wrapper

    def _send_dataset(self, wrapper: SPARQLWrapper, text: str, default: list[str],
                      named: list[str]) -> None:
        """The query's dataset as protocol parameters (``default-graph-uri``, ``named-graph-uri``)."""
        for graph in default:
            wrapper.addDefaultGraph(graph)
        for graph in named:
            wrapper.addNamedGraph(graph)

    def _run(self, wrapper: SPARQLWrapper) -> bytes:
        try:
            response = wrapper.query().response
            return response.read()  # type: ignore[no-any-return]
        except QueryBadFormed as exc:
            detail = str(exc).split("Response:", 1)[-1].strip()
            raise QuerySyntaxError(f"SPARQL syntax error (the server could not parse the query): "
                                   f"{detail}", Location(iri=self.query_endpoint)) from exc
        except (SPARQLWrapperException, URLError, OSError) as exc:
            raise StoreError(
                f"the SPARQL server refused or failed: {exc}",
                Location(iri=self.query_endpoint),
                hint="is the server running and the URL right?",
            ) from exc

    def graphs(self) -> list[str]:
        kept = self._graph_list
        if kept is not None and time.monotonic() - kept[0] < self.graph_list_seconds:
            return list(kept[1])
        asked, writes = time.monotonic(), self._writes
        wrapper = self._wrapper(self.list_graphs_query)
        wrapper.setReturnFormat(JSON)
        data = json.loads(self._run(wrapper))
        graphs = sorted(row["g"]["value"] for row in data["results"]["bindings"])
        if self.graph_list_seconds > 0 and writes == self._writes:
            self._graph_list = (asked, graphs)
        return list(graphs)

    def query(self, sparql: str) -> QueryResult:
        if is_update(sparql):
            raise StoreError("this is an update, not a query", hint="use update()")
        graphs = None if self.union_default_graph else self.graphs()
        return self._query(sparql, graphs, None)

    def stream(self, sparql: str, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        if is_update(sparql):
            raise StoreError("this is an update, not a query", hint="send it to the update endpoint")
        if default_graphs is None and named_graphs is None and not self.union_default_graph:
            default_graphs = self.graphs()
        elif default_graphs is not None or named_graphs is not None:
            # the request names its dataset: what it leaves out is empty (protocol 2.1.4)
            default_graphs, named_graphs = default_graphs or [], named_graphs or []
        result = self._query(sparql, default_graphs, named_graphs)
        if isinstance(result, bool):
            return Answer("ask", boolean=result)
        if isinstance(result, SelectResult):
            return Answer("select", result.variables,
                          iter([tuple(row[v] for v in result.variables) for row in result.rows]))
        return Answer("graph", ["subject", "predicate", "object"], iter(list(result)))

    def _query(self, sparql: str, graphs: list[str] | None, named: list[str] | None) -> QueryResult:
        wrapper = self._wrapper(sparql, graphs, named)
        kind = wrapper.queryType
        if kind in ("CONSTRUCT", "DESCRIBE"):
            wrapper.setReturnFormat(TURTLE)
            graph = Graph()
            graph.parse(data=self._run(wrapper), format="turtle")
            return graph
        wrapper.setReturnFormat(JSON)
        data = json.loads(self._run(wrapper))
        boolean = self._boolean(data)
        if boolean is not None:
            return boolean
        variables = list(data["head"].get("vars", []))
        rows = [
            {name: (_term(b[name]) if name in b else None) for name in variables}
            for b in data["results"]["bindings"]
        ]
        return SelectResult(variables, rows)

    @property
    def writable(self) -> bool:
        return bool(self.update_endpoint)

    def _update(self, sparql: str) -> None:
        if not self.update_endpoint:
            raise StoreError(
                "this store has no update endpoint",
                Location(iri=self.query_endpoint),
                hint="give --update-endpoint (or BIGMAP_KG_UPDATE_ENDPOINT)",
            )
        wrapper = SPARQLWrapper(self.query_endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self.timeout))
        wrapper.setQuery(sparql)
        self._authenticate(wrapper)
        try:
            wrapper.query()
        except (SPARQLWrapperException, URLError, OSError) as exc:
            raise StoreError(
                f"the SPARQL server refused the update: {exc}",
                Location(iri=self.update_endpoint),
            ) from exc
        finally:  # the update may have made or dropped graphs
            self._writes += 1
            self._graph_list = None

    def close(self) -> None:
        return None
