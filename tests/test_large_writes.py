"""Writes larger than a server takes in one operation or one request: on every backend they land
whole with their derived counts; on Virtuoso (10 MB a request, a few thousand triples an
operation) they are staged where no query reads them and made visible by one request."""

from __future__ import annotations

import time

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from bigmap_kg import summary
from bigmap_kg.errors import StoreError
from bigmap_kg.namespaces import BMK
from bigmap_kg.store import TripleStore
from bigmap_kg.store.virtuoso import LINES_PER_OPERATION, STAGING, VirtuosoStore
from tests.conftest import emptied

BATCH = "https://w3id.org/bigmap-kg/graph/batch/large"


def samples(n: int, prefix: str = "S") -> Graph:
    graph = Graph()
    for i in range(n):
        sample = URIRef(f"https://w3id.org/bigmap-kg/id/sample/{prefix.lower()}-{i}")
        graph.add((sample, RDF.type, BMK.Sample))
        graph.add((sample, BMK.identifier, Literal(f"{prefix}-{i:05d}")))
    return graph


def count(store: TripleStore, query: str) -> int:
    return int(store.select(query).rows[0]["n"])  # type: ignore[arg-type]


def staging_graphs(store: VirtuosoStore) -> list[str]:
    return [g for g in store._all_graphs() if g.startswith(STAGING)]


@pytest.fixture
def staging_virtuoso(virtuoso) -> VirtuosoStore:
    """Virtuoso with its limits lowered, so that small writes take the staged path: data past
    10 kB and any change of counts are staged."""
    store = emptied(virtuoso.store())
    assert isinstance(store, VirtuosoStore)
    store.stage_above_bytes = 10_000
    store.max_values_rows = 0
    yield store
    store.close()


def test_a_write_of_more_triples_than_one_operation_takes_lands_whole(any_store: TripleStore) -> None:
    data = samples(2 * LINES_PER_OPERATION)  # 8 000 triples (Virtuoso refused 5 000 in one), 4 000 keys

    any_store.write_graph(BATCH, data)

    assert any_store.triple_count(BATCH) == len(data)
    assert summary.check(any_store) == []  # counts and name keys as a recount gives them


def test_a_staged_write_is_whole_and_leaves_no_staging_graph(staging_virtuoso: VirtuosoStore,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    staged: list[list[str]] = []
    stage = staging_virtuoso.stage
    monkeypatch.setattr(staging_virtuoso, "stage", lambda lines: staged.append(lines) or stage(lines))

    staging_virtuoso.write_graph(BATCH, samples(300))
    assert [len(lines) for lines in staged] == [600, 1]  # the data, the one changed count
    staging_virtuoso.write_graph(BATCH, samples(200, "T"), replace=True)

    assert staging_virtuoso.triple_count(BATCH) == 400
    assert count(staging_virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/bigmap-kg/ontology#Sample> }") == 200
    assert summary.check(staging_virtuoso) == []
    assert staging_graphs(staging_virtuoso) == []
    staging_virtuoso.drop_graph(BATCH)  # the counts' change staged too
    assert summary.check(staging_virtuoso) == [] and staging_virtuoso.graphs() == []


def test_a_staged_write_refused_at_the_end_leaves_the_store_as_it_was(
        staging_virtuoso: VirtuosoStore, monkeypatch: pytest.MonkeyPatch) -> None:
    staging_virtuoso.write_graph(BATCH, samples(100))
    before = {g: staging_virtuoso.triple_count(g) for g in staging_virtuoso.graphs()}
    send = staging_virtuoso._update

    def refuse_the_last_request(sparql: str) -> None:
        if "ADD SILENT GRAPH" in sparql:
            raise StoreError("the server went away")
        send(sparql)

    monkeypatch.setattr(staging_virtuoso, "_update", refuse_the_last_request)
    with pytest.raises(StoreError, match="went away"):
        staging_virtuoso.write_graph(BATCH + "-2", samples(300, "U"))
    monkeypatch.undo()

    assert {g: staging_virtuoso.triple_count(g) for g in staging_virtuoso.graphs()} == before
    assert staging_graphs(staging_virtuoso) == [] and summary.check(staging_virtuoso) == []


def test_staged_triples_are_seen_by_no_query(staging_virtuoso: VirtuosoStore) -> None:
    staged = staging_virtuoso.stage(["<urn:x:hidden> <urn:x:p> <urn:x:o> ."])

    assert staged in staging_graphs(staging_virtuoso)
    assert staged not in staging_virtuoso.graphs()
    assert staging_virtuoso.query("ASK { <urn:x:hidden> ?p ?o }") is False
    staging_virtuoso._end_staging()
    assert staging_graphs(staging_virtuoso) == []


def test_a_staging_graph_left_a_day_ago_goes_with_the_next_staged_write(staging_virtuoso: VirtuosoStore) -> None:
    old, current = f"{STAGING}{int(time.time()) - 2 * 86_400}-killed", f"{STAGING}{int(time.time())}-busy"
    for graph in (old, current):  # a process killed while staging; another one staging now
        staging_virtuoso._update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}")

    staging_virtuoso.write_graph(BATCH, samples(300))

    assert staging_graphs(staging_virtuoso) == [current]
    staging_virtuoso._update(f"DROP SILENT GRAPH <{current}>")
