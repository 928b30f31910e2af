"""The planner page's form: what it offers (observables, sample shapes, partners and stored
requests, from the graph), how its fields become a request mapping for
:func:`bigmap_kg.requests.request_from_mapping`, and which field each problem of an invalid
request belongs to. The query is ``queries/pages/planner-choices.rq``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bigmap_kg.errors import BigmapKGError, Location, ParseError
from bigmap_kg.planner_report import plan_report
from bigmap_kg.queries import page_query
from bigmap_kg.requests import InvalidRequest, Request, request_from_mapping, stored_requests
from bigmap_kg.store.base import TripleStore

LEVELS = ("any", "high", "low")
ROI_KINDS = ("average", "random", "specific")
DEFAULT_LIMIT = 5
MAX_LIMIT = 50  # as POST /plan allows
# The form's fields, in the order they are shown; problems of a request go to one of them.
FIELDS = ("observables", "correlated", "sample_shape", "roi", "operando", "time_resolution",
          "fidelity", "cost", "author", "limit")


@dataclass(frozen=True)
class Choice:
    label: str
    alternatives: str = ""


@dataclass
class Choices:
    """What the form offers: observables by group, sample shapes, partners, stored requests."""

    groups: list[tuple[str, list[Choice]]]
    shapes: list[Choice]
    partners: list[Choice]
    examples: list[tuple[str, str]]

    @property
    def observable_count(self) -> int:
        return sum(len(items) for _, items in self.groups)


def planner_choices(store: TripleStore) -> Choices:
    """The form's choices; an observable under two broad observables is listed under the first."""
    groups: dict[str, list[Choice]] = {}
    seen: set[str] = set()
    shapes: list[Choice] = []
    partners: list[Choice] = []
    for row in page_query("planner-choices").run(store).rows:
        choice = Choice(str(row["label"]), str(row["alternatives"] or ""))
        kind = str(row["kind"])
        if kind == "sample shape":
            shapes.append(choice)
        elif kind == "partner":
            partners.append(choice)
        elif choice.label not in seen:
            seen.add(choice.label)
            groups.setdefault(str(row["groupLabel"] or "Other"), []).append(choice)
    examples = [(r.id, r.title or r.id) for r in stored_requests(store)]
    return Choices(_grouped(groups), shapes, partners, examples)


def _grouped(groups: dict[str, list[Choice]]) -> list[tuple[str, list[Choice]]]:
    """The groups by name; broad observables with nothing under them gathered under "Other"."""
    alone = sorted((c for name, items in groups.items() for c in items
                    if len(items) == 1 and items[0].label == name), key=lambda c: c.label.lower())
    kept = sorted(((name, items) for name, items in groups.items()
                   if not (len(items) == 1 and items[0].label == name)), key=lambda g: g[0].lower())
    return kept + ([("Other", alone)] if alone else [])


def _groups_text(text: str) -> list[list[str]]:
    """Correlated groups written one per line (or separated by ';'), observables by commas."""
    lines = [line for line in re.split(r"[\n;]", text) if line.strip()]
    return [[name.strip() for name in line.split(",") if name.strip()] for line in lines]


@dataclass
class PlannerForm:
    """The form's values, as text, exactly as submitted (so they can be shown again)."""

    observables: list[str] = field(default_factory=list)
    correlated: str = ""
    sample_shape: str = ""
    roi_kind: str = "average"
    roi_size: str = ""
    operando: bool = False
    time_resolution: str = ""
    fidelity: str = "any"
    cost: str = "any"
    author: str = ""
    include_undecided: bool = False
    limit: str = str(DEFAULT_LIMIT)

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> PlannerForm:
        """From query parameters (each name with its list of values)."""
        def one(name: str, default: str = "") -> str:
            values = params.get(name) or [default]
            return values[-1].strip()

        return cls(
            observables=[o.strip() for o in params.get("observable", []) if o.strip()],
            correlated=one("correlated"), sample_shape=one("sample_shape"),
            roi_kind=one("roi_kind", "average").lower(), roi_size=one("roi_size"),
            operando=one("operando", "no").lower() in ("yes", "true", "1", "on"),
            time_resolution=one("time_resolution"), fidelity=one("fidelity", "any").lower(),
            cost=one("cost", "any").lower(), author=one("author"),
            include_undecided=one("include_undecided", "no").lower() in ("yes", "true", "1", "on"),
            limit=one("limit", str(DEFAULT_LIMIT)))

    @classmethod
    def from_request(cls, request: Request) -> PlannerForm:
        """The form filled in from a stored request."""
        return cls(
            observables=[o.label for o in request.observables],
            correlated="\n".join(", ".join(o.label for o in g) for g in request.groups),
            sample_shape=request.sample_shape.label, roi_kind=request.roi_kind.label.lower(),
            roi_size=request.roi_size.text if request.roi_size else "", operando=request.operando,
            time_resolution=request.time_resolution.text if request.time_resolution else "",
            fidelity=request.fidelity.label.lower(), cost=request.cost.label.lower(),
            author=request.author.label if request.author else "")

    def mapping(self) -> dict[str, object]:
        """The request keys of docs/planning.md; empty fields are left out, so that a missing
        required one is reported by the request reader."""
        data: dict[str, object] = {"operando": self.operando, "fidelity": self.fidelity or "any",
                                   "cost": self.cost or "any"}
        if self.observables:
            data["observables"] = list(self.observables)
        if self.correlated.strip():
            data["correlated"] = _groups_text(self.correlated)
        if self.sample_shape:
            data["sample_shape"] = self.sample_shape
        if self.roi_kind or self.roi_size:
            roi: dict[str, object] = {"kind": self.roi_kind or "average"}
            if self.roi_size:
                roi["size"] = self.roi_size
            data["region_of_interest"] = roi
        if self.time_resolution:
            data["time_resolution"] = self.time_resolution
        if self.author:
            data["author"] = self.author
        return data

    def plan_limit(self) -> int:
        """The number of plans asked for; raises when it is not 1 to MAX_LIMIT."""
        if not self.limit.isdigit() or not 1 <= int(self.limit) <= MAX_LIMIT:
            raise ParseError(f"the number of plans is a whole number from 1 to {MAX_LIMIT}, "
                             f"not {self.limit!r}", Location(field="limit"), hint=f"default {DEFAULT_LIMIT}")
        return int(self.limit)


def form_field(request_field: str | None) -> str:
    """The form field a problem's ``Location.field`` belongs to (``observables[1]`` ->
    ``observables``, ``region_of_interest.size`` -> ``roi``); ``general`` for the rest."""
    name = re.split(r"[.\[]", request_field or "", maxsplit=1)[0]
    if name == "region_of_interest":
        return "roi"
    return name if name in FIELDS else "general"


def problems_by_field(problems: list[BigmapKGError]) -> dict[str, list[dict[str, str]]]:
    """Each problem's message and hint under the form field it names."""
    found: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        found.setdefault(form_field(problem.location.field), []).append(
            {"message": problem.message, "hint": problem.hint or "",
             "field": problem.location.field or ""})
    return found


@dataclass
class Outcome:
    """What the page shows after a submission: the report, or the problems by field."""

    report: dict[str, object] | None
    problems: dict[str, list[dict[str, str]]]


def run_form(store: TripleStore, form: PlannerForm) -> Outcome:
    """Check the form as a request (every problem at once) and, when it is valid, filter and plan."""
    problems: list[BigmapKGError] = []
    limit = DEFAULT_LIMIT
    try:
        limit = form.plan_limit()
    except ParseError as exc:
        problems.append(exc)
    try:
        request = request_from_mapping(form.mapping(), "planner form", store, default_id="planner-form")
    except InvalidRequest as exc:
        problems += exc.problems
    if problems:
        return Outcome(None, problems_by_field(problems))
    return Outcome(plan_report(store, request, limit, form.include_undecided), {})
