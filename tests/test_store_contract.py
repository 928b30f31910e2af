"""The store contract: every backend behaves the same (embedded, a real Oxigraph server, Virtuoso)."""

from __future__ import annotations

import time

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from bigmap_kg.errors import StoreError
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.store import SelectResult, TripleStore

LABEL = URIRef("http://example.org/label")
G1 = "https://w3id.org/bigmap-kg/graph/test-1"
G2 = "https://w3id.org/bigmap-kg/graph/test-2"
# Not a bigmap-kg entry (no skos label, no measurement): nothing of it is derived into the
# summary and names graphs, whose upkeep tests/test_summary.py proves.
DATA = parse_bytes(b"""
@prefix ex: <http://example.org/> .
ex:a ex:label "A"@en ; ex:n 3 ; ex:q [ ex:v "nested" ] .
""", "data.ttl")


def test_written_graph_is_listed_and_counted(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    assert G1 in any_store.graphs()
    assert any_store.triple_count(G1) == len(DATA)


def test_queries_see_the_union_of_named_graphs(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    extra = Graph()
    extra.add((URIRef("http://example.org/b"), LABEL, Literal("B")))
    any_store.write_graph(G2, extra)
    result = any_store.select(
        "SELECT ?l WHERE { ?s <http://example.org/label> ?l } ORDER BY STR(?l)")
    assert isinstance(result, SelectResult)
    assert [str(r["l"]) for r in result.rows] == ["A", "B"]


def test_replace_swaps_a_graph_content(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    small = Graph()
    small.add((URIRef("http://example.org/c"), LABEL, Literal("C")))
    any_store.write_graph(G1, small, replace=True)
    assert isomorphic(any_store.graph(G1), small)


def test_drop_removes_only_that_graph(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    any_store.write_graph(G2, DATA)
    any_store.drop_graph(G1)
    assert any_store.graphs() == [G2]


def test_ask_and_construct_return_bool_and_graph(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    assert any_store.query("ASK { ?s ?p 3 }") is True
    built = any_store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(built, Graph) and isomorphic(built, DATA)


def test_export_round_trips_every_graph(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    dump = any_store.export("nquads")
    ds = Dataset()
    ds.parse(data=dump.decode(), format="nquads")
    assert isomorphic(ds.graph(URIRef(G1)), DATA)


def test_a_failing_update_writes_nothing(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    with pytest.raises(StoreError):
        any_store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <http://x/a> <http://x/b> 1 }} }} ; "
                         "THIS IS NOT SPARQL")
    assert any_store.graphs() == [G1]


def test_graph_names_that_break_sparql_are_refused(any_store: TripleStore) -> None:
    with pytest.raises(StoreError):
        any_store.write_graph("http://x/> } ; DROP ALL ; { <", DATA)


def _second_graph(store: TripleStore) -> None:
    extra = Graph()
    extra.add((URIRef("http://example.org/b"), LABEL, Literal("B")))
    store.write_graph(G2, extra)


def test_stream_reads_the_union_or_the_graphs_asked_for(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    _second_graph(any_store)
    query = "SELECT ?l WHERE { ?s <http://example.org/label> ?l } ORDER BY STR(?l)"
    union = any_store.stream(query)
    assert union.kind == "select" and union.variables == ["l"]
    assert [str(row[0]) for row in union.rows] == ["A", "B"]
    only_g2 = any_store.stream(query, default_graphs=[G2])
    assert [str(row[0]) for row in only_g2.rows] == ["B"]
    named = any_store.stream("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                             default_graphs=[], named_graphs=[G1])
    assert [str(row[0]) for row in named.rows] == [G1]


def test_stream_answers_ask_and_construct(any_store: TripleStore) -> None:
    any_store.write_graph(G1, DATA)
    ask = any_store.stream("ASK { ?s ?p 3 }")
    assert ask.kind == "ask" and ask.boolean is True
    graph = any_store.stream("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert graph.kind == "graph" and len(list(graph.rows)) == len(DATA)


def test_literals_with_unicode_line_separators_are_written_whole(any_store: TripleStore) -> None:
    """Regression (review): Virtuoso's writer split N-Triples at U+2028, NEL and form feeds,
    which rdflib and Oxigraph leave unescaped inside a literal."""
    text = "a\u2028b\x85c\x0cd\x1ee"
    data = parse_bytes(('@prefix ex: <http://example.org/> .\nex:s ex:q [ ex:p "'
                        + text.encode("unicode_escape").decode().replace("\\x", "\\u00") + '" ] .\n').encode(),
                       "data.ttl")
    any_store.write_graph(G1, data)
    assert isomorphic(any_store.graph(G1), data)
    assert str(next(iter(data.objects(None, URIRef("http://example.org/p"))))) == text


def test_a_store_of_many_graphs_answers_over_all_of_them(any_store: TripleStore) -> None:
    """One batch graph per import: a logbook soon holds hundreds (Virtuoso echoes every graph of
    a query's dataset as a response header, which broke answers past about 48 graphs)."""
    many = 150
    any_store.update(" ;\n".join(
        f"INSERT DATA {{ GRAPH <{G1}-{i}> {{ <http://example.org/s{i}> <http://example.org/label> \"{i}\" }} }}"
        for i in range(many)))
    assert len([g for g in any_store.graphs() if g.startswith(G1)]) == many
    counted = any_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/label> ?l }")
    assert int(str(counted.rows[0]["n"])) == many
    answer = any_store.stream("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[g for g in any_store.graphs() if g.startswith(G1)])
    assert len(list(answer.rows)) == many


def test_a_kept_graph_list_is_renewed_by_our_writes_and_by_its_expiry(oxigraph_server: str, monkeypatch) -> None:
    """``graph_list_seconds``: a remote store reuses its list of graphs (the dataset of each
    query) for that long; its own writes renew it at once, another client's once it expires."""
    from bigmap_kg.settings import Settings
    from bigmap_kg.store import RemoteStore, store_from_settings

    endpoints = f"{oxigraph_server}/query", f"{oxigraph_server}/update"
    other = RemoteStore(*endpoints)
    monkeypatch.setenv("BIGMAP_KG_GRAPH_LIST_SECONDS", "3600")
    keeping = store_from_settings(Settings(endpoint=endpoints[0], update_endpoint=endpoints[1]))
    assert isinstance(keeping, RemoteStore) and keeping.graph_list_seconds == 3600
    label = "SELECT ?l WHERE { ?s <http://example.org/label> ?l }"
    before = keeping.graphs()
    other.write_graph(G1, DATA)
    assert keeping.graphs() == before and keeping.select(label).rows == []  # kept: not seen yet
    assert G1 in other.graphs()  # a store that keeps nothing asks every time
    keeping.write_graph(G2, DATA)
    assert {G1, G2} <= set(keeping.graphs()) and keeping.select(label).rows  # renewed by our write
    other.drop_graph(G2)
    keeping.graph_list_seconds = 0.05
    time.sleep(0.1)
    assert G2 not in keeping.graphs()
