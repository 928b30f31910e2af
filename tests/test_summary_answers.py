"""The named queries that read the summary graph give what the logbook itself gives: each is
compared with the query it replaced (``tests/data/oracles/``, one row per measurement, counted
here), on the catalogue's D5.3 logbook plus a synthetic logbook written batch by batch."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from benchmarks.nquads import write_nquads
from benchmarks.synthetic import Logbook, read_catalogue
from bigmap_kg.queries import get_query, inject_values
from bigmap_kg.store import EmbeddedStore, TripleStore
from bigmap_kg.summary import check

ORACLES = Path(__file__).parent / "data" / "oracles"
Key = tuple[str | None, ...]


def _text(node: object) -> str | None:
    return None if node is None else str(node)


def oracle(store: TripleStore, name: str, params: dict[str, str], columns: tuple[str, ...]) -> Counter[Key]:
    """Distinct measurements of the replaced query's rows, counted per ``columns``."""
    text = (ORACLES / f"{name}.rq").read_text(encoding="utf-8")
    for key, value in params.items():
        text = inject_values(text, [([f"_{key}"], [[Literal(value.lower())]])], name)
    seen: dict[Key, set[str]] = {}
    for row in store.select(text).rows:
        seen.setdefault(tuple(_text(row[c]) for c in columns), set()).add(str(row["measurement"]))
    return Counter({k: len(v) for k, v in seen.items()})


def answered(store: TripleStore, name: str, params: dict[str, str], columns: tuple[str, ...]) -> Counter[Key]:
    rows = get_query(name).run(store, params).rows
    found: Counter[Key] = Counter()
    for row in rows:
        found[tuple(_text(row[c]) for c in columns)] += int(str(row["measurements"]))
    return found


CASES: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("who-measured-material", {"material": "LNO"}, ("partner", "material", "technique", "mode")),
    ("who-measured-material", {"material": "graphite"}, ("partner", "material", "technique", "mode")),
    ("experiments-by-partner", {"partner": "CEA"}, ("partner", "technique", "instrument", "mode")),
    ("experiments-by-partner", {"partner": "chalmers"}, ("partner", "technique", "instrument", "mode")),
    ("who-investigated-observable", {"observable": "structure"}, ("partner", "observable", "technique")),
    ("modelling-triggered-experiments", {}, ("partner", "trigger", "technique", "request")),
    ("archive-completeness", {}, ("partner", "technique", "problem")),
]


def add_synthetic(store: TripleStore, measurements: int) -> None:
    """A synthetic logbook (benchmarks/synthetic.py), one batch graph per 20 measurements, each
    written as an import writes its batch."""
    import benchmarks.nquads as nquads

    logbook = Logbook(read_catalogue(store), "ORA", measurements, seed=3)
    out = io.StringIO()
    original = nquads.MEASUREMENTS_PER_GRAPH
    nquads.MEASUREMENTS_PER_GRAPH = 20
    try:
        write_nquads(logbook, out)
    finally:
        nquads.MEASUREMENTS_PER_GRAPH = original
    dataset = Dataset()
    dataset.parse(data=out.getvalue(), format="nquads")
    for graph in dataset.graphs():
        if isinstance(graph.identifier, URIRef) and len(graph):
            store.write_graph(str(graph.identifier), graph)


@pytest.fixture
def logbook_store(kg_store: EmbeddedStore) -> EmbeddedStore:
    add_synthetic(kg_store, 200)
    return kg_store


@pytest.mark.parametrize(("name", "params", "columns"), CASES,
                         ids=[f"{c[0]}-{'-'.join(c[1].values())}" for c in CASES])
def test_a_summary_answer_counts_what_the_logbook_holds(logbook_store: EmbeddedStore, name: str,
                                                        params: dict[str, str], columns: tuple[str, ...]) -> None:
    expected = oracle(logbook_store, name, params, columns)
    assert expected, "the oracle found nothing: the case proves nothing"
    assert answered(logbook_store, name, params, columns) == expected


def test_catalogue_counts_count_every_kind_as_the_logbook_does(logbook_store: EmbeddedStore) -> None:
    def rows(run: Callable[[], list[dict[str, object]]]) -> dict[str, tuple[int, int]]:
        return {str(r["kind"]): (int(str(r["count"])), int(str(r["in_development"]))) for r in run()}

    text = (ORACLES / "catalogue-counts.rq").read_text(encoding="utf-8")
    expected = rows(lambda: logbook_store.select(text).rows)  # type: ignore[arg-type,return-value]
    assert expected["measurements"][0] > 200
    assert rows(lambda: get_query("catalogue-counts").run(logbook_store).rows) == expected  # type: ignore[arg-type,return-value]


def test_batches_written_one_by_one_keep_the_derived_graphs_equal_to_a_recount(
        logbook_store: EmbeddedStore) -> None:
    assert check(logbook_store) == []
