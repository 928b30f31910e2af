"""Measurement plans (D5.5 section 2.3) built from the instruments the filtering kept.

A plan picks one kept instrument and technique per requested observable, merges what one
instrument measures by one technique into one step, orders the steps (non-destructive first,
destructive last, then by site to spare shipments), counts samples and shipments, scores
fidelity and cost from 0 to 1, places the plan in its D5.5 Table 3 quadrant, and flags steps the
logbook has never seen. ``docs/planning.md`` explains every number.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import URIRef

from bigmap_kg.filtering import LEVEL_SCORE, UNKNOWN, FilterResult, planning_query, quality_score
from bigmap_kg.namespaces import BMK
from bigmap_kg.queries import Table, inject_values
from bigmap_kg.requests import Request
from bigmap_kg.store.base import TripleStore
from bigmap_kg.terms import truthy

AVAILABILITY_COST = {BMK.High: 0.0, BMK.Medium: 0.5, BMK.Low: 1.0}
FACILITY_COST, LAB_COST = 1.0, 0.2
SHIPMENT_COST, EXTRA_SAMPLE_COST = 0.25, 0.1
SHIPMENT_FIDELITY_LOSS = 0.02
HIGH_FIDELITY, HIGH_COST = 0.6, 0.5
INTEGRITY_ORDER = {BMK.NonDestructive: 0, None: 1, BMK.Degrading: 2, BMK.Destructive: 3}
INTEGRITY_NAME = {BMK.NonDestructive: "non-destructive", None: "unknown",
                  BMK.Degrading: "degrading", BMK.Destructive: "destructive"}
OPTIONS_PER_OBSERVABLE = 6
BEAM = 60


@dataclass
class Facts:
    partner: URIRef | None = None
    facility: bool = False
    site: URIRef | None = None
    quality: URIRef | None = None
    availability: URIRef | None = None
    queued: int = 0
    integrity: URIRef | None = None
    logged: int = 0
    partner_logged: int = 0


@dataclass
class CellFacts:
    quality: URIRef | None = None
    performance: URIRef | None = None


@dataclass
class Option:
    """One kept instrument and technique for one observable."""

    observable: URIRef
    instrument: URIRef
    technique: URIRef
    quality: URIRef | None
    cells: set[URIRef]
    holders: set[URIRef]
    unconfirmed: list[str] = field(default_factory=list)


@dataclass
class Step:
    order: int
    instrument: URIRef
    technique: URIRef
    observables: list[URIRef]
    facts: Facts
    quality: URIRef | None
    cells: list[URIRef]
    holders: list[URIRef]
    sample: int = 1
    fidelity: float = 0.0
    cost: float = 0.0
    flags: list[str] = field(default_factory=list)

    @property
    def place(self) -> URIRef:
        return self.facts.site or self.facts.partner or self.instrument


@dataclass
class Plan:
    steps: list[Step]
    samples: int
    shipments: int
    fidelity: float
    cost: float
    quadrant: URIRef
    matches_wish: bool
    utility: float
    uncovered: list[URIRef]
    rank: int = 0

    @property
    def flags(self) -> list[str]:
        return [flag for step in self.steps for flag in step.flags]

    @property
    def unconfirmed_steps(self) -> int:
        return sum(any(f.startswith("unconfirmed") for f in step.flags) for step in self.steps)


def quadrant(fidelity: float, cost: float) -> URIRef:
    high_f, high_c = fidelity >= HIGH_FIDELITY, cost >= HIGH_COST
    return {(True, True): BMK.HighFidelityHighCost, (False, True): BMK.LowFidelityHighCost,
            (True, False): BMK.HighFidelityLowCost, (False, False): BMK.LowFidelityLowCost}[(high_f, high_c)]


def _options(result: FilterResult, include_undecided: bool) -> dict[URIRef, list[Option]]:
    options: dict[URIRef, list[Option]] = {o.iri: [] for o in result.request.observables}
    statuses = ("kept", "undecided") if include_undecided else ("kept",)
    for cand in result.candidates:
        status = cand.status
        if status not in statuses:
            continue
        usable = [e for e in cand.entries if cand.entry_status(e) == status]
        qualities = [cand.quality.get(e) for e in usable]
        best = max(qualities, key=quality_score, default=None)
        unconfirmed = [f"unconfirmed ({v.criterion}): {v.reason}" for v in cand.verdicts("undecided")]
        options[cand.observable].append(Option(cand.observable, cand.instrument, cand.technique, best,
                                               cand.cells, cand.holders, unconfirmed))
    return options


def _facts(store: TripleStore, options: list[Option]) -> dict[tuple[URIRef, URIRef], Facts]:
    pairs = sorted({(o.instrument, o.technique) for o in options})
    if not pairs:
        return {}
    table: Table = (["instrument", "technique"], [list(p) for p in pairs])
    facts: dict[tuple[URIRef, URIRef], Facts] = {}
    for row in store.select(inject_values(planning_query("step-facts", store), [table])).rows:
        facts[(row["instrument"], row["technique"])] = Facts(  # type: ignore[index]
            partner=row["partner"], facility=truthy(row["facility"]),  # type: ignore[arg-type]
            site=row["site"], quality=row["quality"], availability=row["availability"],  # type: ignore[arg-type]
            queued=_count(row["queued"]),
            integrity=row["integrity"], logged=_count(row["logged"]),  # type: ignore[arg-type]
            partner_logged=_count(row["partner_logged"]))
    return facts


def _count(value: object) -> int:
    return int(str(value)) if value is not None else 0


def _cell_facts(store: TripleStore, cells: set[URIRef]) -> dict[URIRef, CellFacts]:
    if not cells:
        return {}
    table: Table = (["cell"], [[c] for c in sorted(cells)])
    rows = store.select(inject_values("""
        PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
        SELECT ?cell ?quality ?performance WHERE {
          #@bindings
          OPTIONAL { ?cell bmk:quality ?quality }
          OPTIONAL { ?cell bmk:electrochemicalPerformance ?performance }
        }""", [table])).rows
    return {row["cell"]: CellFacts(row["quality"], row["performance"]) for row in rows}  # type: ignore[misc, arg-type]


def _level(value: URIRef | None) -> float:
    return LEVEL_SCORE.get(value, UNKNOWN) if value is not None else UNKNOWN


def step_fidelity(step: Step, request: Request, cells: dict[URIRef, CellFacts]) -> float:
    parts = [_level(step.quality), _level(step.facts.quality)]
    if request.operando:
        cell_scores = [(_level(cells[c].quality) + _level(cells[c].performance)) / 2
                       for c in step.cells if c in cells] or [UNKNOWN]
        parts.append(max(cell_scores))
    return sum(parts) / len(parts)


def step_cost(step: Step) -> float:
    availability = (AVAILABILITY_COST.get(step.facts.availability, UNKNOWN)
                    if step.facts.availability is not None else UNKNOWN)
    queue = min(step.facts.queued / 10, 1.0)
    time_cost = (availability + queue) / 2
    return 0.6 * (FACILITY_COST if step.facts.facility else LAB_COST) + 0.4 * time_cost


def _order(steps: list[Step]) -> list[Step]:
    first_seen: dict[URIRef, int] = {}
    for step in steps:
        first_seen.setdefault(step.place, len(first_seen))
    ordered = sorted(steps, key=lambda s: (INTEGRITY_ORDER.get(s.facts.integrity, 1),
                                           first_seen[s.place], str(s.instrument), str(s.technique)))
    for n, step in enumerate(ordered, start=1):
        step.order = n
    return ordered


def _logistics(steps: list[Step], request: Request, home: URIRef | None) -> tuple[int, int]:
    """Samples and shipments; assigns each step its sample number."""
    if request.operando:
        places: dict[URIRef, int] = {}
        for step in steps:
            step.sample = places.setdefault(step.instrument, len(places) + 1)
        shipments = sum(1 for step in {s.instrument: s for s in steps}.values()
                        if home is None or step.facts.partner != home)
        return len(places), shipments
    samples, shipments, here = 1, 0, home
    destructive_seen = False
    for step in steps:
        if destructive_seen:  # the previous destructive step consumed the sample
            samples += 1
            here = home
        step.sample = samples
        where = step.facts.partner or step.place
        if here is None or where != here:
            shipments += 1
        here = where
        destructive_seen = step.facts.integrity == BMK.Destructive
    return samples, shipments


def _constraints_hold(choice: tuple[Option, ...], request: Request) -> bool:
    by_observable = {o.observable: o for o in choice}
    for group in request.groups:
        chosen = [by_observable[m.iri] for m in group if m.iri in by_observable]
        if len(chosen) < 2:
            continue
        if request.operando and len({o.instrument for o in chosen}) > 1:
            return False  # correlated operando: one instrument, same sample, same time
        if (not request.operando and request.roi_kind.iri == BMK.SpecificROI
                and len({o.instrument for o in chosen}) > 1
                and not set.intersection(*(o.holders for o in chosen))):
            return False  # the same region travels in one holder that fits every instrument
    return True


def build_plans(store: TripleStore, result: FilterResult, limit: int = 5,
                include_undecided: bool = False) -> list[Plan]:
    """Ranked candidate plans for the request (best first), at most ``limit``. Plans use the kept
    instruments; with ``include_undecided`` also those a criterion could not decide, each such
    step flagged as unconfirmed (plans with fewer unconfirmed steps rank first)."""
    request = result.request
    options = _options(result, include_undecided)
    covered = [o for o in request.observables if options[o.iri]]
    uncovered = [o.iri for o in request.observables if not options[o.iri]]
    if not covered:
        return []
    all_options = [opt for o in covered for opt in options[o.iri]]
    facts = _facts(store, all_options)
    cells = _cell_facts(store, {c for opt in all_options for c in opt.cells})
    home = request.author.iri if request.author else None

    def utility(opt: Option) -> float:
        probe = Step(0, opt.instrument, opt.technique, [opt.observable],
                     facts.get((opt.instrument, opt.technique), Facts()), opt.quality,
                     sorted(opt.cells), sorted(opt.holders))
        return _utility(step_fidelity(probe, request, cells), step_cost(probe), request)

    scores = {id(opt): utility(opt) for opt in all_options}  # computed once, sorted on many times

    def option_score(opt: Option) -> float:
        return scores[id(opt)]

    shortlist = [sorted(options[o.iri], key=lambda x: (-option_score(x), str(x.instrument)))
                 [:OPTIONS_PER_OBSERVABLE] for o in covered]
    plans: dict[tuple[tuple[str, str, tuple[str, ...]], ...], Plan] = {}
    for choice in _choices(shortlist, option_score):
        if not _constraints_hold(choice, request):
            continue
        plan = _plan(choice, request, facts, cells, home, uncovered)
        key = tuple(sorted((str(s.instrument), str(s.technique), tuple(map(str, s.observables)))
                           for s in plan.steps))
        plans.setdefault(key, plan)
    ranked = sorted(plans.values(), key=lambda p: (
        p.unconfirmed_steps, not p.matches_wish, -round(p.utility, 6), len(p.steps), p.shipments,
        [str(s.instrument) for s in p.steps]))
    for n, plan in enumerate(ranked, start=1):
        plan.rank = n
    return ranked[:limit]


def _choices(shortlist: list[list[Option]], score: Callable[[Option], float]) -> list[tuple[Option, ...]]:
    """All combinations when few, else a beam search over the best options."""
    total = 1
    for opts in shortlist:
        total *= len(opts)
    if total <= 2000:
        return list(itertools.product(*shortlist))
    beam: list[tuple[Option, ...]] = [()]
    for opts in shortlist:
        grown = [(*partial, opt) for partial in beam for opt in opts]
        grown.sort(key=lambda p: -sum(score(o) for o in p))
        beam = grown[:BEAM]
    return beam


def _utility(fidelity: float, cost: float, request: Request) -> float:
    w_f = 2.0 if request.fidelity.iri == BMK.High else 1.0
    w_c = {BMK.Low: 2.0, BMK.High: 0.5}.get(request.cost.iri, 1.0)
    return w_f * fidelity - w_c * cost


def _wish_met(value: float, threshold: float, wish: URIRef) -> bool:
    if wish == BMK.High:
        return value >= threshold
    if wish == BMK.Low:
        return value < threshold
    return True


def _plan(choice: tuple[Option, ...], request: Request, facts: dict[tuple[URIRef, URIRef], Facts],
          cells: dict[URIRef, CellFacts], home: URIRef | None, uncovered: list[URIRef]) -> Plan:
    merged: dict[tuple[URIRef, URIRef], Step] = {}
    for opt in choice:
        key = (opt.instrument, opt.technique)
        if key in merged:
            step = merged[key]
            step.observables.append(opt.observable)
            step.flags += [f for f in opt.unconfirmed if f not in step.flags]
            if _level(opt.quality) < _level(step.quality):
                step.quality = opt.quality  # a step is as good as its weakest observable
            continue
        merged[key] = Step(0, opt.instrument, opt.technique, [opt.observable],
                           facts.get(key, Facts()), opt.quality, sorted(opt.cells), sorted(opt.holders),
                           flags=list(opt.unconfirmed))
    steps = _order(list(merged.values()))
    samples, shipments = _logistics(steps, request, home)
    for step in steps:
        step.fidelity = round(step_fidelity(step, request, cells), 3)
        step.cost = round(step_cost(step), 3)
        if step.facts.logged == 0 and step.facts.partner_logged == 0:
            step.flags.append("never logged: no measurement in the logbook used this instrument "
                              "with this technique; confirm with the partner")
        elif step.facts.logged == 0:
            step.flags.append("the partner has logged this technique, but never named this "
                              "instrument in the logbook")
    fidelity = max(0.0, sum(s.fidelity for s in steps) / len(steps) - SHIPMENT_FIDELITY_LOSS * shipments)
    logistics = min(1.0, SHIPMENT_COST * shipments + EXTRA_SAMPLE_COST * (samples - 1))
    cost = 0.7 * sum(s.cost for s in steps) / len(steps) + 0.3 * logistics
    fidelity, cost = round(fidelity, 3), round(cost, 3)
    matches = (_wish_met(fidelity, HIGH_FIDELITY, request.fidelity.iri)
               and _wish_met(cost, HIGH_COST, request.cost.iri))
    return Plan(steps, samples, shipments, fidelity, cost, quadrant(fidelity, cost), matches,
                _utility(fidelity, cost, request), uncovered)
