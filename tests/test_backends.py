"""The named queries answer alike on every backend: the embedded store, an Oxigraph server and
Virtuoso, each holding the same ontology, shapes and catalogue (differential tests). Virtuoso
runs its own forms of the queries its engine cannot compile or answers wrongly
(queries/dialects/virtuoso/, tests/test_dialects.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from bigmap_kg.planner_report import plan_report
from bigmap_kg.queries import NamedQuery, list_queries, page_query
from bigmap_kg.requests import read_request
from bigmap_kg.resources import data_files, relative_name
from bigmap_kg.store import SelectResult, TripleStore

NAMED = list_queries()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requests"

PAGES = [page_query(item.name[:-3]) for item in data_files("queries", ".rq")
         if relative_name("queries", item).startswith("pages/")]


def _examples(query: NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.example is not None}


def _text(text: str) -> object:
    """A string as comparable: a GROUP_CONCAT's parts in any order (SPARQL leaves the order
    open), and the empty string of a GROUP_CONCAT over nothing like no value."""
    if not text:
        return None
    for separator in ("\n", "|", "; ", ", "):
        if separator in text:
            return tuple(sorted(text.split(separator)))
    if " " in text and all("://" in part for part in text.split(" ")):
        return tuple(sorted(text.split(" ")))
    return text


def _plain(term: Node | None) -> object:
    """A term as comparable across servers: blank nodes alike, numbers by value (booleans as 0
    and 1: Virtuoso gives EXISTS as a number), simple literals and xsd:string alike, language
    tags in lower case."""
    if term is None or isinstance(term, URIRef):
        return term
    if isinstance(term, BNode):
        return "_:"
    assert isinstance(term, Literal)
    from rdflib.namespace import XSD  # here: pytest trips over the closed namespace at module level

    if term.language:  # Oxigraph keeps a shared language tag on a GROUP_CONCAT, Virtuoso not
        text = _text(str(term))
        return text if isinstance(text, tuple) else (text, term.language.lower())
    if term.datatype == XSD.boolean:
        return Decimal(str(term) in ("true", "1"))
    if term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long):
        try:
            return Decimal(str(term))
        except InvalidOperation:
            return str(term)
    if term.datatype in (None, XSD.string):
        return _text(str(term))
    return (str(term), term.datatype)


def answer(result: SelectResult) -> Counter[tuple[object, ...]]:
    return Counter(tuple(_plain(row[v]) for v in result.variables) for row in result.rows)


@pytest.fixture(scope="module")
def reference(initialised_store_dir, tmp_path_factory) -> dict[str, Counter[tuple[object, ...]]]:
    """Every query's answer on the embedded store."""
    from tests.conftest import store_copy

    with store_copy(initialised_store_dir, tmp_path_factory.mktemp("ref") / "s") as store:
        answers = {q.name: answer(q.run(store, _examples(q))) for q in NAMED}
        answers |= {q.name: answer(store.select(q.text)) for q in PAGES if not q.parameters}
    return answers


@pytest.mark.parametrize("query", NAMED, ids=lambda q: q.name)
def test_named_query_answers_alike_on_every_backend(backend_store: TripleStore, query: NamedQuery,
                                                    reference) -> None:
    got = answer(query.run(backend_store, _examples(query)))
    assert got == reference[query.name]
    # the examples hit something (no D5.3 measurement was triggered by modelling or AI)
    assert sum(got.values()) > 0 or query.name == "modelling-triggered-experiments"


@pytest.mark.parametrize("query", [q for q in PAGES if not q.parameters], ids=lambda q: q.name)
def test_page_query_answers_alike_on_every_backend(backend_store: TripleStore, query: NamedQuery,
                                                   reference) -> None:
    assert answer(backend_store.select(query.text)) == reference[query.name]


def test_a_request_is_read_alike_on_every_backend(backend_store: TripleStore, initialised_store_dir,
                                                  tmp_path) -> None:
    """The request's observables, shapes and partners resolved against the store's labels (on
    Virtuoso 7.2.5 a UNION of the two label properties there answered nothing)."""
    from tests.conftest import store_copy

    request = EXAMPLES / "d55-sei-and-graphite-ex-situ.json"
    with store_copy(initialised_store_dir, tmp_path / "ref") as embedded:
        expected = read_request(request, embedded)
    assert read_request(request, backend_store) == expected


_LISTED = re.compile(r"(: )([^():]+?)(\)|\.$)")  # "(in development: A, B)", "holder: A, B."


def _unordered_lists(value: object) -> object:
    """A plan report as comparable: the parts of a list a GROUP_CONCAT wrote in a reason ("in
    development: A, B") in any order (SPARQL leaves it open; Oxigraph and Virtuoso differ)."""
    if isinstance(value, dict):
        return {k: _unordered_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unordered_lists(v) for v in value]
    if isinstance(value, str):
        return _LISTED.sub(lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))) + m.group(3), value)
    return value


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir()))
def test_a_plan_comes_out_alike_on_every_backend(backend_store: TripleStore, initialised_store_dir,
                                                 tmp_path, example: str) -> None:
    """Every example request's plan report, on Virtuoso through its forms of the planner's
    queries (queries/dialects/virtuoso/)."""
    from tests.conftest import store_copy

    request = EXAMPLES / example
    with store_copy(initialised_store_dir, tmp_path / "ref") as embedded:
        expected = plan_report(embedded, read_request(request, embedded))
    got = plan_report(backend_store, read_request(request, backend_store))
    assert _unordered_lists(got) == _unordered_lists(expected)
    assert got["plans"] or got["missing"]


@pytest.mark.slow
@pytest.mark.parametrize("server", ["oxigraph_session", "virtuoso"])
def test_cli_initialises_and_queries_a_remote_server_from_its_settings(server, request, monkeypatch):
    """``bigmap-kg init`` and ``query`` on a server named by the environment alone (endpoint,
    update endpoint and, for Virtuoso, its kind and the update credentials)."""
    from typer.testing import CliRunner

    from bigmap_kg.cli import app

    running = request.getfixturevalue(server)
    running.store().drop_all()
    for key, value in running.settings().items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    init = runner.invoke(app, ["init"])
    assert init.exit_code == 0, init.output
    got = runner.invoke(app, ["query", "instruments-for-technique", "--param", "technique=nano-tomography",
                              "--format", "json"])
    assert got.exit_code == 0, got.output
    assert {row["instrument"]["label"] for row in json.loads(got.output)} >= {"ID16A", "ANATOMIX"}


_LIMIT = re.compile(r"^LIMIT \d+\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def logbook_dir(initialised_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue and a synthetic logbook of 1 000 measurements (the benchmarks' generator)."""
    from benchmarks.import_rows import build_store

    target = tmp_path_factory.mktemp("logbook") / "store"
    build_store(initialised_store_dir, target, 1_000, seed=1)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["oxigraph-server", "virtuoso"])
def test_plans_and_named_queries_answer_alike_on_a_store_with_a_logbook(backend: str, logbook_dir: Path,
                                                                        tmp_path: Path) -> None:
    """With a logbook the servers plan the queries differently: Virtuoso 7.2.5 compiled the
    correlation filters on the catalogue alone and not once 1 000 measurements were there
    (SQ156). The servers hold the same data by a dump and a bulk load (the benchmarks' way)."""
    from benchmarks.backends import open_store
    from tests.conftest import store_copy

    examples = sorted(p.name for p in EXAMPLES.iterdir())
    with store_copy(logbook_dir, tmp_path / "ref") as embedded:
        plans = {e: _unordered_lists(plan_report(embedded, read_request(EXAMPLES / e, embedded))) for e in examples}
        answers = {q.name: answer(q.run(embedded, _examples(q))) for q in NAMED}
        # the two unordered listings stop at 1 000 rows, which each server picks as it goes:
        # their rows are looked up in the whole answer
        whole = {q.name: answer(embedded.select(_LIMIT.sub("", q.bind(_examples(q)))))
                 for q in NAMED if _LIMIT.search(q.text)}
    served = open_store(backend, logbook_dir)
    try:
        for example in examples:
            got = plan_report(served, read_request(EXAMPLES / example, served))
            assert _unordered_lists(got) == plans[example], example
        for query in NAMED:
            got_rows = answer(query.run(served, _examples(query)))
            if query.name in whole:
                assert got_rows.total() == answers[query.name].total(), query.name
                assert not got_rows - whole[query.name], query.name
            else:
                assert got_rows == answers[query.name], query.name
    finally:
        served.close()
