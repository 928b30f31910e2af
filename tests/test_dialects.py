"""A server's own forms of shipped queries (``queries/dialects/<dialect>/``) stand in for the
standard ones without changing any answer: each replaces a shipped query with the same header,
and on the embedded store the planner gives the same verdicts, reasons and plans with either."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from conftest import store_copy
from rdflib import Graph, Literal

from bigmap_kg import resources
from bigmap_kg.filtering import _answerless, criteria, group_pairs, request_table, run_filters
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.planner_report import plan_report
from bigmap_kg.queries import DIALECTS, get_query, text_for
from bigmap_kg.requests import Request, parse_request
from bigmap_kg.store import EmbeddedStore, SelectResult
from bigmap_kg.store.virtuoso import VirtuosoStore

DIALECT_FILES = [item for item in resources.data_files("queries", ".rq")
                 if resources.relative_name("queries", item).startswith(f"{DIALECTS}/")]
SHAPES = ["coin cell", "pouch cell", "cylindrical cell", "model cell", "electrode", "thin film",
          "powder", "liquid electrolyte", "separator"]
#: Ex situ on a specific region with a correlated pair, ex situ on average, and operando on a
#: region with a time resolution: with every sample shape, every rule of the criteria is met.
SETTINGS = {
    "ex-situ-region": {"observables": ["surface chemical composition", "surface morphology"],
                       "correlated": [["surface chemical composition", "surface morphology"]],
                       "region_of_interest": {"kind": "specific", "size": "20 µm"}, "operando": False},
    "ex-situ-average": {"observables": ["crystal structure", "oxidation state"],
                        "region_of_interest": "average", "operando": False},
    "operando-region": {"observables": ["crystal structure", "lithium distribution and gradients",
                                        "secondary-particle cracking"],
                        "correlated": [["crystal structure", "lithium distribution and gradients"]],
                        "region_of_interest": {"kind": "specific", "size": "500 nm"},
                        "operando": True, "time_resolution": "10 min"},
}


def _relative(item: object) -> str:
    return resources.relative_name("queries", item)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def stores(initialised_store_dir, tmp_path_factory) -> Iterator[tuple[EmbeddedStore, EmbeddedStore]]:
    """The same catalogue twice: one store running the standard forms, one the Virtuoso forms.
    D5.1 lists no sample shapes an instrument or technique takes: two are added, so that the
    sample-shape criterion's first rules are met too."""
    folder = tmp_path_factory.mktemp("dialects")
    accepts = Graph()
    accepts.add((ID["instrument/esrf-id16a"], BMK.acceptsSampleShape, BMK.ElectrodeShape))
    accepts.add((ID["technique/laboratory-x-ray-diffraction"], BMK.acceptsSampleShape, BMK.PowderShape))
    with store_copy(initialised_store_dir, folder / "standard") as standard, \
            store_copy(initialised_store_dir, folder / "virtuoso") as as_virtuoso:
        as_virtuoso.dialect = VirtuosoStore.dialect
        for store in (standard, as_virtuoso):
            store.write_graph("urn:x-test:accepted-shapes", accepts)
        yield standard, as_virtuoso


def request_of(store: EmbeddedStore, shape: str, setting: str) -> Request:
    data = {"id": f"{setting}-{shape.replace(' ', '-')}", "sample_shape": shape, **SETTINGS[setting]}
    return parse_request(json.dumps(data), "test", store)


def test_every_dialect_form_replaces_a_shipped_query_and_keeps_its_header() -> None:
    assert DIALECT_FILES, "the Virtuoso forms are shipped"
    for item in DIALECT_FILES:
        dialect, name = _relative(item)[len(DIALECTS) + 1:].split("/", 1)
        assert dialect == VirtuosoStore.dialect, f"{_relative(item)}: no store speaks {dialect!r}"
        standard = resources.data_dir("queries").joinpath(*name.split("/"))
        assert standard.is_file(), f"{_relative(item)} stands in for no shipped query"
        header = [line for line in item.read_text(encoding="utf-8").splitlines() if line.startswith("#+")]
        assert header == [line for line in standard.read_text(encoding="utf-8").splitlines()
                          if line.startswith("#+")], _relative(item)


def test_a_store_without_a_dialect_runs_the_standard_text(stores) -> None:
    standard, as_virtuoso = stores
    name = "filters/sample-shape"
    text = resources.data_dir("queries").joinpath("filters", "sample-shape.rq").read_text(encoding="utf-8")
    assert text_for(standard, name, text) == text
    assert text_for(as_virtuoso, name, text) != text
    assert text_for(as_virtuoso, "filters/instrument-status", "as shipped") == "as shipped"  # no Virtuoso form


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_virtuoso_forms_give_the_standard_verdicts_and_reasons(stores, setting: str) -> None:
    standard, as_virtuoso = stores
    verdicts: Counter[tuple[str, str]] = Counter()
    for shape in SHAPES:
        request = request_of(standard, shape, setting)
        want, got = run_filters(standard, request), run_filters(as_virtuoso, request)
        assert [(c.observable, c.instrument, c.technique, c.entries) for c in got.candidates] == \
               [(c.observable, c.instrument, c.technique, c.entries) for c in want.candidates], shape
        verdicts.update((v.criterion, v.verdict) for c in want.candidates
                        for found in c.entries.values() for v in found)
    # the criteria with a Virtuoso form that apply here reached more than one verdict
    applying = {criterion for criterion, _ in verdicts}
    for item in DIALECT_FILES:
        criterion = _relative(item).rsplit("/", 1)[1][:-len(".rq")]
        if criterion in applying:
            assert len({v for c, v in verdicts if c == criterion}) >= 2, (criterion, verdicts)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_virtuoso_forms_give_the_standard_plans(stores, setting: str) -> None:
    standard, as_virtuoso = stores
    for shape in ("coin cell", "electrode", "powder"):
        request = request_of(standard, shape, setting)
        assert plan_report(as_virtuoso, request) == plan_report(standard, request), shape


def test_a_criterion_joined_to_a_table_without_rows_is_not_sent(stores) -> None:
    """A request without correlated observables leaves the group table empty: the correlation
    criteria, which join it in their outermost group, can answer nothing and are not sent."""
    standard, _ = stores
    single = parse_request(json.dumps({"id": "single", "observables": ["crystal structure"],
                                       "sample_shape": "electrode", "region_of_interest": "average",
                                       "operando": False}), "test", standard)
    tables = [(["observable"], [[None]]), request_table(single), group_pairs(single)]
    skipped = {c.name for c in criteria() if _answerless(c.query.text, tables)}
    assert skipped == {"correlated-operando", "correlated-sample-holder"}
    # nested, the marker joins only the sub-query: such a criterion is sent
    nested = "SELECT ?x WHERE {\n  ?x ?p ?o .\n  OPTIONAL {\n    #@bindings\n    ?x ?q ?_other }\n}"
    assert not _answerless(nested, tables)
    result = run_filters(standard, single, [c for c in criteria() if c.name in skipped])
    assert result.candidates and all(not found for c in result.candidates for found in c.entries.values())


NAMED_FORMS = sorted(name[:-len(".rq")] for name in (_relative(i).split("/", 2)[2] for i in DIALECT_FILES)
                     if "/" not in name)


def _rows(result: SelectResult) -> list[list[object]]:
    """The rows in order, a GROUP_CONCAT's parts in any order (SPARQL leaves it open)."""
    def value(term: object) -> object:
        return tuple(sorted(str(term).split("; "))) if isinstance(term, Literal) else term
    return sorted(([value(row[v]) for v in result.variables] for row in result.rows), key=repr)


@pytest.mark.parametrize("name", NAMED_FORMS)
def test_the_virtuoso_form_of_a_named_query_gives_its_answers(stores, name: str) -> None:
    """With the example values, each optional parameter left out or given (operando false and
    true for a boolean); an observable asked is every observable of the catalogue in turn."""
    standard, as_virtuoso = stores
    query = get_query(name)
    required = {p.name: str(p.example) for p in query.parameters if p.required}
    choices: list[dict[str, str]] = [required]
    if "observable" in required:
        labels = standard.select("""PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT DISTINCT ?label WHERE { ?o a bmk:Observable ; skos:prefLabel ?label }""").rows
        choices = [{**required, "observable": str(r["label"])} for r in labels]
    for p in query.parameters:
        if not p.required and p.example is not None:
            values = ["true", "false"] if p.type == "boolean" else [p.example]
            choices += [{**c, p.name: v} for c in choices for v in values]
    answered = 0
    for values in choices:
        want = query.run(standard, values)
        got = query.run(as_virtuoso, values)
        assert got.variables == want.variables
        assert _rows(got) == _rows(want), values
        answered += len(want.rows) > 0
    assert answered >= len(choices) / 2
