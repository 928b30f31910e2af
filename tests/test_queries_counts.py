"""The dashboard aggregate (queries/measurements-by-partner-and-technique.rq) counts the D5.3
logbook's measurements per partner and technique as Python counts them from the graph."""

from __future__ import annotations

from collections import Counter

from rdflib import RDF, Graph, URIRef

from bigmap_kg.namespaces import BMK
from bigmap_kg.queries import get_query
from bigmap_kg.store import EmbeddedStore


def counted_in_python(store: EmbeddedStore) -> Counter[tuple[URIRef, URIRef]]:
    graph = Graph()  # the union of the named graphs, as the queries read it
    for name in store.graphs():
        graph += store.graph(name)
    counts: Counter[tuple[URIRef, URIRef]] = Counter()
    for measurement in set(graph.subjects(RDF.type, BMK.Measurement)):
        partners, techniques = set(graph.objects(measurement, BMK.performedBy)), set(
            graph.objects(measurement, BMK.technique))
        for partner in partners:
            for technique in techniques:
                counts[(partner, technique)] += 1  # type: ignore[index]
    return counts


def test_measurements_by_partner_and_technique_match_the_catalogue_logbook(kg_store: EmbeddedStore) -> None:
    query = get_query("measurements-by-partner-and-technique")

    result = query.run(kg_store)

    answered = {(row["partner"], row["technique"]): int(row["measurements"]) for row in result.rows}  # type: ignore[arg-type]
    expected = counted_in_python(kg_store)
    assert len(result) == len(answered)  # one row per pair
    assert answered == dict(expected)
    assert sum(answered.values()) == 21  # the D5.3 demonstrator's measurements
    assert result.variables == list(query.columns)


def test_the_most_frequent_pairs_come_first(kg_store: EmbeddedStore) -> None:
    counts = [int(row["measurements"]) for row in get_query("measurements-by-partner-and-technique").run(kg_store).rows]  # type: ignore[arg-type]
    assert counts == sorted(counts, reverse=True) and counts
