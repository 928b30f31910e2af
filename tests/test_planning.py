"""Requests, the D5.5 filtering process, measurement plans and the planner's reports, on the
shipped catalogue in a real embedded store."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from rdflib import URIRef

from bigmap_kg.errors import EntryConflict, ParseError
from bigmap_kg.filtering import Criterion, criteria, planning_query, quality_score, run_filters
from bigmap_kg.loader import init_store
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.planner_report import (
    discarded_report,
    filter_items,
    missing_report,
    plan_report,
    render_plan_report,
)
from bigmap_kg.planning import Facts, Step, _logistics, _order, quadrant
from bigmap_kg.queries import Table, inject_values, parse_query
from bigmap_kg.requests import InvalidRequest, add_request, parse_request, read_request, stored_requests
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.validation import Validator

EXAMPLES = REPO / "examples" / "requests"
CRACKING = EXAMPLES / "d55-operando-cracking.yaml"


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("planning") / "store")
    init_store(store, Validator())
    yield store
    store.close()


@pytest.fixture(scope="module")
def with_requests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("reports") / "store")
    init_store(store, Validator())
    for path in sorted(EXAMPLES.iterdir()):
        add_request(store, read_request(path, store))
    yield store
    store.close()


def request_text(**changes: object) -> str:
    base: dict[str, object] = {"id": "t", "observables": ["crystal structure"], "sample_shape": "electrode",
                               "region_of_interest": "average", "operando": False}
    base.update(changes)
    return json.dumps({k: v for k, v in base.items() if v is not None})


def instrument(name: str) -> URIRef:
    return ID[f"instrument/{name}"]


# --- reading requests ------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_every_example_request_reads_and_validates(path: Path, kg: EmbeddedStore) -> None:
    from bigmap_kg.loader import validate_against_store
    from bigmap_kg.requests import request_graph

    request = read_request(path, kg)
    report = validate_against_store(kg, request_graph(request), Validator())
    assert report.conforms, report.to_text()


def test_unknown_observable_names_line_field_and_closest_labels(kg: EmbeddedStore) -> None:
    text = "id: t\nobservables:\n  - crystal structure\n  - oxidaton state\nsample_shape: powder\n" \
           "region_of_interest: average\noperando: false\n"
    with pytest.raises(InvalidRequest) as caught:
        parse_request(text, "req.yaml", kg)
    message = str(caught.value)
    assert "req.yaml, line 4, field 'observables[1]'" in message
    assert "unknown observable 'oxidaton state'" in message
    assert "Oxidation state" in message  # the closest known label


def test_every_problem_of_a_request_is_reported_at_once(kg: EmbeddedStore) -> None:
    text = request_text(colour="red", region_of_interest={"kind": "specific"},
                        time_resolution="2 min", sample_shape="brick", fidelity="great")
    with pytest.raises(InvalidRequest) as caught:
        parse_request(text, "req.json", kg)
    fields = {p.location.field for p in caught.value.problems}
    assert {"colour", "region_of_interest", "time_resolution", "sample_shape", "fidelity"} <= fields


@pytest.mark.parametrize(("value", "expected"), [
    ("2 parsecs", "unknown unit"), ("500 nm", "is not a time"), ("fast", "not a time with a unit"),
    ("0 s", "larger than zero")])
def test_time_resolution_needs_a_positive_time_with_a_known_unit(
        value: str, expected: str, kg: EmbeddedStore) -> None:
    with pytest.raises(InvalidRequest, match=expected):
        parse_request(request_text(operando=True, time_resolution=value), "r.json", kg)


def test_correlated_observables_must_also_be_requested(kg: EmbeddedStore) -> None:
    text = request_text(correlated=[["crystal structure", "oxidation state"]])
    with pytest.raises(InvalidRequest, match="correlated but not requested"):
        parse_request(text, "r.json", kg)


def test_values_with_units_are_converted_for_comparison(kg: EmbeddedStore) -> None:
    request = parse_request(request_text(region_of_interest={"kind": "specific", "size": "0.5 µm"},
                                         operando=True, time_resolution="2 minutes"), "r.json", kg)
    assert request.roi_size is not None and request.time_resolution is not None
    assert float(request.roi_size.si) == pytest.approx(5e-7)
    assert float(request.time_resolution.si) == 120


# --- storing requests --------------------------------------------------------------------------

def test_stored_request_reads_back_as_written(with_requests: EmbeddedStore) -> None:
    written = read_request(EXAMPLES / "d55-structure-and-oxidation-operando.yaml", with_requests)
    (back,) = stored_requests(with_requests, written.id)
    assert back.observables == written.observables
    assert back.groups == written.groups
    assert (back.operando, back.time_resolution, back.author) == (
        True, written.time_resolution, written.author)


def test_a_request_id_is_stored_once_and_the_second_write_changes_nothing(
        with_requests: EmbeddedStore) -> None:
    request = read_request(CRACKING, with_requests)
    before = with_requests.triple_count()
    with pytest.raises(EntryConflict, match="already stored"):
        add_request(with_requests, request)
    assert with_requests.triple_count() == before


def test_unknown_stored_request_is_an_error_that_suggests_ids(kg: EmbeddedStore) -> None:
    with pytest.raises(Exception, match="no stored request"):
        stored_requests(kg, "nothing-like-it")


# --- the filtering process ---------------------------------------------------------------------

def test_d55_example_discards_anatomix_and_id16b_and_reports_cracking_missing(kg: EmbeddedStore) -> None:
    report = plan_report(kg, read_request(CRACKING, kg))
    nano = {(d["instrument"], d["criterion"]) for d in report["discarded"]  # type: ignore[index, union-attr]
            if d["technique"] == "X-ray nano-tomography"}  # type: ignore[index]
    for name in ("ANATOMIX", "ID16B"):
        assert (name, "operando-cell") in nano
        assert (name, "time-resolution") in nano
    (missing,) = report["missing"]  # type: ignore[misc]
    assert missing["observable"] == "Particle cracking"
    assert missing["asked_as"] == "secondary-particle cracking"
    assert report["kept"] == [] and report["plans"] == []


def test_every_discarded_item_names_instrument_partner_technique_observable_criterion_reason(
        kg: EmbeddedStore) -> None:
    report = plan_report(kg, read_request(EXAMPLES / "d55-structure-and-oxidation-operando.yaml", kg))
    assert set(report) == {"request", "kept", "discarded", "undecided", "missing", "plans"}
    assert report["discarded"]
    for item in report["discarded"]:  # type: ignore[attr-defined]
        assert {"instrument", "partner", "technique", "observable", "criterion", "reason"} <= set(item)
        assert item["reason"]


def test_a_row_giving_the_observable_twice_counts_with_its_better_quality(kg: EmbeddedStore) -> None:
    """D5.1's X-ray diffraction computed tomography rows give narrower observables of crystal
    structure at High (lattice parameters), Medium (atomic site parameters) and Low (atomic
    thermal parameters): the candidate's row counts with the best, whatever order the store
    returns the rows in (Oxigraph gave Medium and Virtuoso High before)."""
    request = read_request(EXAMPLES / "lno-electrode-structure.yaml", kg)
    observables: Table = (["observable"], [[o.iri] for o in request.observables])
    given: dict[tuple[object, ...], set[object]] = {}
    for row in kg.select(inject_values(planning_query("candidates"), [observables])).rows:
        key = (row["observable"], row["instrument"], row["technique"], row["entry"])
        given.setdefault(key, set()).add(row["quality"])
    mixed = {key: q for key, q in given.items() if len(q) > 1}
    assert mixed, "the catalogue has rows giving an observable at two qualities"
    result = run_filters(kg, request)
    for cand in result.candidates:
        for entry in cand.entries:
            qualities = given[(cand.observable, cand.instrument, cand.technique, entry)]
            assert cand.quality[entry] == max(qualities, key=quality_score)


def test_missing_fact_leaves_the_criterion_undecided_not_kept_or_dropped(kg: EmbeddedStore) -> None:
    result = run_filters(kg, read_request(CRACKING, kg))
    micro = [c for c in result.candidates
             if c.instrument == instrument("soleil-anatomix") and c.technique == ID["technique/x-ray-micro-tomography"]]
    (cand,) = micro
    assert cand.status == "undecided"
    assert {v.criterion for v in cand.verdicts("undecided")} == {"region-of-interest", "time-resolution"}
    assert "(res: < 1 μm)" in " ".join(v.reason for v in cand.verdicts("undecided"))


def test_correlated_operando_keeps_only_instruments_measuring_the_whole_group(kg: EmbeddedStore) -> None:
    result = run_filters(kg, read_request(EXAMPLES / "d55-structure-and-oxidation-operando.yaml", kg))
    verdicts = {(c.instrument, c.observable): {v.criterion: v.verdict for v in c.entries[c.best_entry]}
                for c in result.candidates}
    structure = ID["observable/crystal-structure"]
    assert verdicts[(instrument("esrf-bm31"), structure)]["correlated-operando"] == "kept"
    assert verdicts[(instrument("ill-d20"), structure)]["correlated-operando"] == "discarded"


def test_correlated_region_ex_situ_needs_a_holder_that_fits_both_instruments(kg: EmbeddedStore) -> None:
    request = read_request(EXAMPLES / "d55-sei-and-graphite-ex-situ.json", kg)
    items = filter_items(run_filters(kg, request))
    quantes = [k for k in items["kept"] if k["instrument"] == "Quantes"
               and k["technique"] == "X-ray photoelectron spectroscopy"]
    assert quantes and quantes[0]["holders"] == ["XPS/SEM transfer chamber"]
    uu = [d for d in items["discarded"] if d["instrument"] == "PHI 5500"]
    assert [d["criterion"] for d in uu] == ["correlated-sample-holder"]


def test_an_instrument_in_development_is_discarded(kg: EmbeddedStore) -> None:
    request = parse_request(request_text(observables=["crystal structure"]), "r.json", kg)
    items = filter_items(run_filters(kg, request))
    assert any(d["instrument"] == "TUD lab XRD (Ag)" and d["criterion"] == "instrument-status"
               for d in items["discarded"])


def test_adding_a_criterion_is_adding_a_query(kg: EmbeddedStore) -> None:
    text = """#+ title: Never on Sundays
PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
SELECT ?observable ?instrument ?technique ?entry ?verdict ?reason WHERE {
  #@bindings
  ?instrument bmk:operatedBy <https://w3id.org/bigmap-kg/id/partner/CEA> .
  BIND("discarded" AS ?verdict) BIND("CEA is closed" AS ?reason)
}"""
    closed = Criterion("cea-closed", "closed", "", "always", parse_query("cea-closed", text))
    request = parse_request(request_text(), "r.json", kg)
    result = run_filters(kg, request, [*criteria(), closed])
    cea = [c for c in result.candidates if c.instrument == instrument("cea-titan")]
    assert cea and all(c.status == "discarded" for c in cea)
    assert {c.name for c in criteria()} == {p.stem for p in (REPO / "queries" / "filters").glob("*.rq")}


# --- plans ---------------------------------------------------------------------------------------

def step(name: str, integrity: URIRef | None, partner: str) -> Step:
    return Step(0, instrument(name), ID["technique/x"], [], Facts(partner=ID[f"partner/{partner}"],
                integrity=integrity), None, [], [])


def test_plan_orders_non_destructive_first_and_gives_each_destructive_step_its_sample(
        kg: EmbeddedStore) -> None:
    steps = _order([step("fib", BMK.Destructive, "NIC"), step("xrd", BMK.NonDestructive, "UU"),
                    step("fib2", BMK.Destructive, "NIC"), step("sync", BMK.Degrading, "ESRF")])
    assert [s.instrument for s in steps][:2] == [instrument("xrd"), instrument("sync")]
    request = parse_request(request_text(author="UU"), "r.json", kg)
    samples, shipments = _logistics(steps, request, ID["partner/UU"])
    assert samples == 2  # two destructive steps, two samples (D5.5 section 2.3.1)
    assert [s.sample for s in steps] == [1, 1, 1, 2]
    assert shipments == 3  # UU (home, no parcel) -> ESRF -> NIC, then a fresh sample UU -> NIC


@pytest.mark.parametrize(("fidelity", "cost", "expected"), [
    (0.8, 0.7, BMK.HighFidelityHighCost), (0.3, 0.7, BMK.LowFidelityHighCost),
    (0.8, 0.2, BMK.HighFidelityLowCost), (0.3, 0.2, BMK.LowFidelityLowCost)])
def test_plan_quadrant_follows_d55_table_3(fidelity: float, cost: float, expected: URIRef) -> None:
    assert quadrant(fidelity, cost) == expected


def test_best_plan_matches_the_fidelity_and_cost_wanted(kg: EmbeddedStore) -> None:
    report = plan_report(kg, read_request(EXAMPLES / "d55-sei-and-graphite-ex-situ.json", kg))
    best = report["plans"][0]  # type: ignore[index]
    assert best["quadrant"] == "high fidelity, low cost" and best["matches_wish"]
    assert {s["instrument"] for s in best["steps"]} <= {"Quantes", "Versa-Probe II", "CEA SEM (including FIB-SEM)"}
    assert best["shipments"] == 0  # the requester, CEA, measures at home
    fidelities = [p["fidelity"] - p["cost"] for p in report["plans"] if p["matches_wish"]]  # type: ignore[attr-defined]
    assert fidelities == sorted(fidelities, reverse=True)


def test_plans_flag_steps_the_logbook_has_never_seen(kg: EmbeddedStore) -> None:
    report = plan_report(kg, read_request(EXAMPLES / "lno-electrode-structure.yaml", kg))
    flags = [f for p in report["plans"] for s in p["steps"] for f in s["flags"]]  # type: ignore[attr-defined]
    assert any(f.startswith("never logged") for f in flags)


def test_undecided_instruments_enter_plans_only_on_request_and_flagged(kg: EmbeddedStore) -> None:
    request = read_request(CRACKING, kg)
    assert plan_report(kg, request)["plans"] == []
    plans = plan_report(kg, request, include_undecided=True)["plans"]
    assert plans and all(p["unconfirmed_steps"] == len(p["steps"]) for p in plans)  # type: ignore[index]


# --- reports -----------------------------------------------------------------------------------

def test_missing_observable_report_ranks_the_most_wanted_first(with_requests: EmbeddedStore) -> None:
    rows = json.loads(missing_report(with_requests, None, "json"))
    assert rows[0]["missing_in"] >= rows[-1]["missing_in"]
    cracking = next(r for r in rows if r["observable"] == "Particle cracking")
    assert cracking["requests"] == ["d55-operando-cracking"]
    assert any("ANATOMIX" in line or "ID16B" in line for line in cracking["closest"])


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_discarded_report_comes_in_every_format(with_requests: EmbeddedStore, fmt: str) -> None:
    text = discarded_report(with_requests, "d55-operando-cracking", fmt)
    assert "ANATOMIX" in text
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text)))
        assert header == ["request", "observable", "instrument", "partner", "technique", "criterion", "reason"]
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "<table" in text


def test_plan_report_renders_as_markdown_and_html(kg: EmbeddedStore) -> None:
    report = plan_report(kg, read_request(EXAMPLES / "d55-sei-and-graphite-ex-situ.json", kg))
    assert "## Plans" in render_plan_report(report, "md")
    html = render_plan_report(report, "html")
    assert "XPS/SEM transfer chamber" in html and "<h2>" in html


def test_reports_without_stored_requests_say_how_to_add_one(kg: EmbeddedStore) -> None:
    with pytest.raises(Exception, match="request add"):
        missing_report(kg, None, "md")


def test_request_reader_refuses_a_file_that_is_not_yaml(kg: EmbeddedStore) -> None:
    with pytest.raises(ParseError, match="line 2"):
        parse_request("observables: [a\nsample_shape: {", "bad.yaml", kg)


def test_a_row_passes_a_criterion_when_any_of_its_values_reaches_the_request(kg: EmbeddedStore) -> None:
    # The ex-situ XPS row gives two lateral resolutions, "res: ~2 μm" and "res. < 1 μm".
    request = parse_request(request_text(observables=["surface chemical composition"],
                                         region_of_interest={"kind": "specific", "size": "1.5 µm"}),
                            "r.json", kg)
    result = run_filters(kg, request)
    xps = [c for c in result.candidates if c.instrument == instrument("uu-phi-5500")
           and c.technique == ID["technique/x-ray-photoelectron-spectroscopy"]]
    assert xps and xps[0].status != "discarded"
    roi = [v for v in xps[0].entries[xps[0].best_entry] if v.criterion == "region-of-interest"]
    assert [v.verdict for v in roi] == ["kept"]


def test_thousands_separator_is_refused_rather_than_read_as_a_decimal(kg: EmbeddedStore) -> None:
    with pytest.raises(InvalidRequest, match="comma"):
        parse_request(request_text(region_of_interest={"kind": "specific", "size": "1,000 nm"}), "r.json", kg)


def test_required_keys_left_empty_are_reported_not_crashed_on(kg: EmbeddedStore) -> None:
    text = "observables:\nsample_shape:\nregion_of_interest: average\noperando:\n"
    with pytest.raises(InvalidRequest) as caught:
        parse_request(text, "r.yaml", kg)
    assert {p.location.field for p in caught.value.problems} >= {"observables", "sample_shape", "operando"}


def test_json_request_with_tabs_and_a_byte_order_mark_reads(kg: EmbeddedStore) -> None:
    text = '\ufeff{\n\t"observables": ["crystal structure"],\n\t"sample_shape": "powder",\n' \
           '\t"region_of_interest": "average",\n\t"operando": false\n}'
    assert parse_request(text, "r.json", kg).sample_shape.label == "Powder"
