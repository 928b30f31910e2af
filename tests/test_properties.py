"""Property-based tests (hypothesis) for the tabular importer and the request parser: any input
gives a result or a located problem, never a crash; what is written comes back."""

from __future__ import annotations

import csv
import io
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import XSD

from bigmap_kg.errors import BigmapKGError
from bigmap_kg.importing.resolve import Resolver
from bigmap_kg.importing.rows import map_tables
from bigmap_kg.importing.source import Source
from bigmap_kg.importing.tables import read_csv
from bigmap_kg.loader import init_store
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.requests import parse_request
from bigmap_kg.store import EmbeddedStore

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,10}", fullmatch=True)


@cache
def catalogue() -> EmbeddedStore:
    """One in-memory store with the catalogue for all examples (reading only)."""
    store = EmbeddedStore(None)
    init_store(store)
    return store


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_read_as_csv_give_tables_or_located_problems(data: bytes) -> None:
    result = read_csv(Source("x.csv", data))
    assert result.tables or result.problems
    assert all(p.origin.file == "x.csv" for p in result.problems)


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=6))
def test_any_sample_table_maps_without_crashing_and_every_problem_is_placed(cells: list[list[str]]) -> None:
    header = ["sample_id", "sample_shape", "state_of_health", "description", "derived_from"]
    result = read_csv(Source("s.csv", _csv([header, *cells])))
    mapped = map_tables(result.tables, Resolver(catalogue()))
    for problem in mapped.problems:
        assert problem.origin.file == "s.csv" and problem.origin.row is not None and problem.origin.row >= 2


@SETTINGS
@given(st.dictionaries(IDS, st.tuples(st.integers(0, 100), CELL), min_size=1, max_size=6))
def test_written_rows_come_back_as_the_same_values(rows: dict[str, tuple[int, str]]) -> None:
    table = [["sample_id", "sample_shape", "state_of_health", "description"]]
    table += [[ident, "Powder", str(health), text] for ident, (health, text) in rows.items()]
    result = read_csv(Source("s.csv", _csv(table)))
    mapped = map_tables(result.tables, Resolver(catalogue()))
    assert not mapped.problems and mapped.rows == len(rows)
    for ident, (health, text) in rows.items():
        entry = ID[f"sample/{ident}"]
        assert mapped.graph.value(entry, BMK.stateOfHealth) == Literal(str(health), datatype=XSD.decimal)
        described = mapped.graph.value(entry, BMK.description)
        assert (described is None and not text.strip()) or str(described) == text.strip()


REQUEST_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | CELL,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(CELL, inner, max_size=3), max_leaves=8)
KEYS = st.sampled_from(["id", "observables", "sample_shape", "region_of_interest", "operando",
                        "time_resolution", "fidelity", "cost", "title", "correlate", "colour"])


@SETTINGS
@given(st.dictionaries(KEYS, REQUEST_VALUES, max_size=8))
def test_any_request_document_is_a_request_or_a_located_error(document: dict[str, object]) -> None:
    import json

    try:
        request = parse_request(json.dumps(document), "r.json", catalogue())
    except BigmapKGError as exc:
        assert str(exc)
        return
    assert request.observables and request.sample_shape is not None
