"""What the query benchmark times, each a *case* run the way the CLI and the service run it.

- ``query``: a top-level named query (``queries/*.rq``) through ``NamedQuery.run`` (the answer
  read whole, as rdflib terms), with its header's example parameters, and for some queries also
  with values that hit the synthetic logbook (a synthetic sample: the header's example names a
  sample of the D5.3 logbook);
- ``plan``: ``bigmap-kg plan FILE`` for a D5.5 example request (read and resolved against the
  store, filtered, planned, rendered as Markdown);
- ``report``: ``bigmap-kg report NAME`` (Markdown), over the example requests, which the
  benchmark stores for the reports and drops afterwards.

Cases only call the ``TripleStore`` interface, so they run on any backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bigmap_kg.queries import NamedQuery, list_queries
from bigmap_kg.store.base import TripleStore

REQUESTS = Path(__file__).resolve().parent.parent / "examples" / "requests"
PLAN_REQUESTS = ("d55-operando-cracking.yaml", "d55-sei-and-graphite-ex-situ.json",
                 "d55-structure-and-oxidation-operando.yaml")
REPORTS = ("discarded-instruments", "missing-observables", "archive-completeness")
PER_REQUEST_REPORTS = ("discarded-instruments", "missing-observables")
# Values that hit the synthetic logbook where the header's example does not (cell 7 of prefix SYN).
SYNTHETIC = {
    "experiment-sequences": {"sample": "SYN-CC-0000007"},
    "sample-history": {"sample": "SYN-POS-0000007"},
}
# The logbook queries the target (median <= 100 ms at 1 000 000 measurements) is about;
# the dashboard aggregate has its own (<= 200 ms); plans and reports <= 200 ms.
LOGBOOK_QUERIES = ("who-measured-material", "who-used-technique", "experiments-by-partner",
                   "who-investigated-observable", "experiment-sequences", "sample-history",
                   "modelling-triggered-experiments", "archive-completeness",
                   "measurements-of-material", "measurements-missing-from-archive")
AGGREGATE = "measurements-by-partner-and-technique"
TARGET_MS = {**dict.fromkeys(LOGBOOK_QUERIES, 100.0), AGGREGATE: 200.0}


@dataclass(frozen=True)
class Case:
    kind: str  # query, plan or report
    name: str
    params: dict[str, str] = field(default_factory=dict)
    values: str = ""  # example (the header's), synthetic, or empty

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}" + (f" [{self.values}]" if self.values else "")

    @property
    def target_ms(self) -> float | None:
        if self.kind == "query":
            return TARGET_MS.get(self.name)
        if self.kind == "plan" or (self.kind == "report" and "request" in self.params):
            return 200.0
        return None


def examples(query: NamedQuery) -> dict[str, str]:
    """The header's example values of the required parameters."""
    return {p.name: str(p.example) for p in query.parameters if p.required and p.example is not None}


def query_cases() -> list[Case]:
    cases = []
    for q in list_queries():
        params = examples(q)
        cases.append(Case("query", q.name, params, "example" if params else ""))
        if q.name in SYNTHETIC:
            cases.append(Case("query", q.name, SYNTHETIC[q.name], "synthetic"))
    return cases


def plan_cases() -> list[Case]:
    return [Case("plan", name) for name in PLAN_REQUESTS]


def report_cases() -> list[Case]:
    """Each report over every stored request, and the per-request ones for one request each
    (the target: plan and report for one request)."""
    cases = [Case("report", name) for name in REPORTS]
    cases += [Case("report", name, {"request": Path(request).stem}, Path(request).stem)
              for name in PER_REQUEST_REPORTS for request in PLAN_REQUESTS]
    return cases


# -- running a case -------------------------------------------------------------------------------
def _run_query(store: TripleStore, case: Case) -> int:
    from bigmap_kg.queries import get_query

    return len(get_query(case.name).run(store, case.params))


def _run_plan(store: TripleStore, case: Case) -> int:
    from bigmap_kg.planner_report import plan_report, render_plan_report
    from bigmap_kg.requests import read_request

    request = read_request(REQUESTS / case.name, store)
    report = plan_report(store, request)
    render_plan_report(report, "md")
    plans = report["plans"]
    return len(plans) if isinstance(plans, list) else 0


def _run_report(store: TripleStore, case: Case) -> int:
    from bigmap_kg.reports import get_report

    return len(get_report(case.name).make(store, case.params.get("request"), "md").splitlines())


RUNNERS: dict[str, Callable[[TripleStore, Case], int]] = {
    "query": _run_query, "plan": _run_plan, "report": _run_report}


def run_case(store: TripleStore, case: Case) -> int:
    """Run the case once; its size: answer rows (query), plans (plan) or lines (report)."""
    return RUNNERS[case.kind](store, case)


def store_requests(store: TripleStore) -> list[str]:
    """Store the example requests (the reports read stored requests); their batch graphs."""
    from bigmap_kg.requests import add_request, read_request
    from bigmap_kg.validation import Validator

    drop_stored_requests(store)  # left by a run killed before it dropped them
    validator, graphs = Validator(), []
    for path in sorted(REQUESTS.glob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            graphs.append(add_request(store, read_request(path, store), validator, str(path)).graph)
    return graphs


def drop_stored_requests(store: TripleStore) -> None:
    """Drop the import batches holding characterisation requests (the synthetic logbook has none)."""
    from bigmap_kg.namespaces import BATCH_PREFIX, BMK

    rows = store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?r a <{BMK.CharacterisationRequest}> }} "
                        f'FILTER(STRSTARTS(STR(?g), "{BATCH_PREFIX}")) }}').rows
    for row in rows:
        store.drop_graph(str(row["g"]))
