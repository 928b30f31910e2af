"""What the planner says, as data and as documents: the filtering outcome and the plans of one
request, the discarded-instrument report and the missing-observable report over stored requests.

The JSON of ``bigmap-kg plan`` is one object with the keys ``request``, ``kept``, ``discarded``,
``undecided``, ``missing`` and ``plans`` (docs/planning.md). Things appear by label, with the
IRI beside it in a ``*_iri`` field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import URIRef

from bigmap_kg.document import Document, Table, table_csv
from bigmap_kg.errors import BigmapKGError
from bigmap_kg.filtering import Candidate, FilterResult, run_filters
from bigmap_kg.planning import INTEGRITY_NAME, Plan, build_plans
from bigmap_kg.requests import Request, stored_requests
from bigmap_kg.store.base import TripleStore

QUADRANT_NAME = {
    "HighFidelityHighCost": "high fidelity, high cost",
    "LowFidelityHighCost": "low fidelity, high cost",
    "HighFidelityLowCost": "high fidelity, low cost",
    "LowFidelityLowCost": "low fidelity, low cost",
}

ITEM_COLUMNS = [("request", "request"), ("observable", "observable"), ("instrument", "instrument"),
                ("partner", "partner"), ("technique", "technique"), ("criterion", "criterion"),
                ("reason", "reason")]


class Labeller:
    def __init__(self, result: FilterResult):
        self.labels = result.labels
        self.partners = result.partners

    def __call__(self, iri: URIRef | None) -> str:
        if iri is None:
            return ""
        return self.labels.get(iri, str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1])

    def partner(self, instrument: URIRef) -> tuple[str, str | None]:
        partner = self.partners.get(instrument)
        return (self(partner), str(partner)) if partner is not None else ("", None)


def _base(result: FilterResult, cand: Candidate, name: Labeller) -> dict[str, object]:
    partner, partner_iri = name.partner(cand.instrument)
    return {
        "request": result.request.id,
        "observable": name(cand.observable), "instrument": name(cand.instrument),
        "partner": partner, "technique": name(cand.technique),
        "observable_iri": str(cand.observable), "instrument_iri": str(cand.instrument),
        "partner_iri": partner_iri, "technique_iri": str(cand.technique),
    }


def filter_items(result: FilterResult) -> dict[str, list[dict[str, object]]]:
    """The ``kept``, ``discarded``, ``undecided`` and ``missing`` lists of one request."""
    name = Labeller(result)
    kept: list[dict[str, object]] = []
    discarded: list[dict[str, object]] = []
    undecided: list[dict[str, object]] = []
    for cand in result.candidates:
        base = _base(result, cand, name)
        status = cand.status
        if status == "kept":
            entry = cand.best_entry
            kept.append({**base,
                         "matched": sorted(name(m) for m in cand.matched[entry]),
                         "quality": name(cand.quality.get(entry)),
                         "cells": sorted(name(c) for c in cand.cells),
                         "holders": sorted(name(h) for h in cand.holders),
                         "reasons": [f"{v.criterion}: {v.reason}" for v in cand.entries[entry]]})
            continue
        target = discarded if status == "discarded" else undecided
        for verdict in cand.verdicts(status):
            target.append({**base, "criterion": verdict.criterion, "reason": verdict.reason})
    return {"kept": kept, "discarded": discarded, "undecided": undecided,
            "missing": missing_items(result, name)}


def missing_items(result: FilterResult, name: Labeller | None = None) -> list[dict[str, object]]:
    """Requested observables with no kept instrument, with the instruments that came closest."""
    name = name or Labeller(result)
    items: list[dict[str, object]] = []
    kept = {c.observable for c in result.by_status("kept")}
    for observable in result.request.observables:
        if observable.iri in kept:
            continue
        mine = [c for c in result.candidates if c.observable == observable.iri]
        unsure = [c for c in mine if c.status == "undecided"]
        out = [c for c in mine if c.status == "discarded"]
        out.sort(key=lambda c: (len(c.verdicts("discarded")), name(c.instrument), name(c.technique)))
        if not mine:
            why = "no technique in the catalogue gives this observable"
        elif unsure:
            why = (f"no instrument confirmed: {len(unsure)} could not be decided for want of facts, "
                   f"{len(out)} discarded")
        else:
            why = f"all {len(out)} candidate instrument(s) discarded"
        items.append({
            "request": result.request.id, "observable": observable.label,
            "observable_iri": str(observable.iri),
            "asked_as": result.request.asked.get(observable.iri, observable.label),
            "why": why,
            "undecided": [_closest(c, "undecided", name) for c in unsure],
            "closest": [_closest(c, "discarded", name) for c in out],
        })
    return items


def _closest(cand: Candidate, status: str, name: Labeller) -> dict[str, object]:
    partner, _ = name.partner(cand.instrument)
    verdicts = cand.verdicts(status)
    return {"instrument": name(cand.instrument), "partner": partner, "technique": name(cand.technique),
            "criteria": [v.criterion for v in verdicts], "reasons": [v.reason for v in verdicts]}


def plan_items(plans: list[Plan], result: FilterResult) -> list[dict[str, object]]:
    name = Labeller(result)
    items: list[dict[str, object]] = []
    for plan in plans:
        items.append({
            "rank": plan.rank, "quadrant": QUADRANT_NAME[str(plan.quadrant).rsplit("#", 1)[-1]],
            "quadrant_iri": str(plan.quadrant), "matches_wish": plan.matches_wish,
            "fidelity": plan.fidelity, "cost": plan.cost, "samples": plan.samples,
            "shipments": plan.shipments, "uncovered": [name(o) for o in plan.uncovered],
            "unconfirmed_steps": plan.unconfirmed_steps,
            "steps": [{
                "order": s.order, "instrument": name(s.instrument), "partner": name.partner(s.instrument)[0],
                "technique": name(s.technique), "observables": [name(o) for o in s.observables],
                "site": name(s.facts.site), "large_scale_facility": s.facts.facility,
                "sample_integrity": INTEGRITY_NAME.get(s.facts.integrity, "unknown"),
                "sample": s.sample, "quality": name(s.quality) or "unknown",
                "cells": [name(c) for c in s.cells], "holders": [name(h) for h in s.holders],
                "fidelity": s.fidelity, "cost": s.cost, "logged": s.facts.logged, "flags": s.flags,
                "instrument_iri": str(s.instrument), "technique_iri": str(s.technique),
            } for s in plan.steps],
        })
    return items


def request_summary(request: Request) -> dict[str, object]:
    return {
        "id": request.id, "iri": str(request.iri), "title": request.title,
        "observables": [o.label for o in request.observables],
        "asked_as": {o.label: request.asked[o.iri] for o in request.observables if o.iri in request.asked},
        "correlated": [[o.label for o in g] for g in request.groups],
        "sample_shape": request.sample_shape.label,
        "region_of_interest": {"kind": request.roi_kind.label.lower(),
                               "size": request.roi_size.text if request.roi_size else None},
        "operando": request.operando,
        "time_resolution": request.time_resolution.text if request.time_resolution else None,
        "fidelity": request.fidelity.label.lower(), "cost": request.cost.label.lower(),
        "author": request.author.label if request.author else None,
    }


def plan_report(store: TripleStore, request: Request, limit: int = 5,
                include_undecided: bool = False) -> dict[str, object]:
    """Filtering and plans for one request, as one JSON-ready object."""
    result = run_filters(store, request)
    plans = build_plans(store, result, limit, include_undecided)
    return {"request": request_summary(request), **filter_items(result),
            "plans": plan_items(plans, result)}


# -- documents ------------------------------------------------------------------------------------
def plan_document(report: dict[str, object]) -> Document:
    req: dict[str, object] = report["request"]  # type: ignore[assignment]
    doc = Document(f"Measurement plans for request {req['id']}")
    roi: dict[str, object] = req["region_of_interest"]  # type: ignore[assignment]
    doc.paragraph(
        f"{req.get('title') or ''} Observables: {', '.join(req['observables'])}"  # type: ignore[arg-type]
        f"; sample: {req['sample_shape']}; region of interest: {roi['kind']}"
        + (f" {roi['size']}" if roi.get("size") else "")
        + f"; operando: {'yes' if req['operando'] else 'no'}"
        + (f", a dataset every {req['time_resolution']}" if req.get("time_resolution") else "")
        + f"; fidelity wanted: {req['fidelity']}; cost accepted: {req['cost']}.")
    kept: list[dict[str, object]] = report["kept"]  # type: ignore[assignment]
    doc.heading(f"Kept instruments ({len(kept)})")
    doc.table(Table([("observable", "observable"), ("instrument", "instrument"), ("partner", "partner"),
                     ("technique", "technique"), ("quality", "quality"), ("cells", "operando cells"),
                     ("holders", "sample holders")], kept))  # type: ignore[arg-type]
    for key, title in (("discarded", "Discarded instruments"), ("undecided", "Undecided (facts missing)")):
        rows: list[dict[str, object]] = report[key]  # type: ignore[assignment]
        doc.heading(f"{title} ({len(rows)})")
        doc.table(Table(ITEM_COLUMNS[1:], rows))  # type: ignore[arg-type]
    missing: list[dict[str, object]] = report["missing"]  # type: ignore[assignment]
    doc.heading(f"Missing observables ({len(missing)})")
    if not missing:
        doc.paragraph("Every requested observable has at least one kept instrument.")
    for item in missing:
        asked = f" (asked as '{item['asked_as']}')" if item["asked_as"] != item["observable"] else ""
        doc.heading(f"{item['observable']}{asked}", 3)
        doc.paragraph(f"{str(item['why']).capitalize()}. Closest instruments and why they were removed:")
        doc.items([f"{c['instrument']} ({c['partner'] or 'outside the consortium'}, {c['technique']}): "
                   + " ".join(c["reasons"]) for c in item["closest"]])  # type: ignore[attr-defined]
    plans: list[dict[str, object]] = report["plans"]  # type: ignore[assignment]
    doc.heading(f"Plans ({len(plans)})")
    if not plans:
        undecided = report["undecided"]
        doc.paragraph("No plan: no requested observable has a kept instrument."
                      + (" Some instruments could not be decided (see above): `bigmap-kg plan "
                         "--include-undecided` builds plans from them too, flagged as unconfirmed."
                         if undecided else ""))
    for plan in plans:
        doc.heading(f"Plan {plan['rank']}: {plan['quadrant']} (fidelity {plan['fidelity']:.2f}, "
                    f"cost {plan['cost']:.2f})", 3)
        doc.paragraph(f"{plan['samples']} sample(s), {plan['shipments']} shipment(s)"
                      + ("" if plan["matches_wish"] else "; outside the fidelity and cost wanted")
                      + (f"; not covered: {', '.join(plan['uncovered'])}" if plan["uncovered"] else "")  # type: ignore[arg-type]
                      + ".")
        doc.table(Table([("order", "#"), ("instrument", "instrument"), ("partner", "partner"),
                         ("technique", "technique"), ("observables", "observables"),
                         ("sample_integrity", "sample"), ("sample", "sample no."),
                         ("quality", "quality"), ("cells", "cells"), ("holders", "holders"),
                         ("fidelity", "fidelity"), ("cost", "cost"), ("flags", "flags")],
                        plan["steps"]))  # type: ignore[arg-type]
    return doc


def render_plan_report(report: dict[str, object], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    doc = plan_document(report)
    return doc.to_html() if fmt == "html" else doc.to_markdown()


def _results(store: TripleStore, request_id: str | None) -> list[FilterResult]:
    requests = stored_requests(store, request_id)
    if not requests:
        raise BigmapKGError("no request is stored yet",
                            hint="add one with bigmap-kg request add FILE (examples/requests/)")
    return [run_filters(store, r) for r in requests]


def discarded_table(results: Iterable[FilterResult]) -> Table:
    rows: list[dict[str, object]] = []
    for result in results:
        rows += filter_items(result)["discarded"]
    return Table(ITEM_COLUMNS, rows)


def missing_table(results: list[FilterResult]) -> Table:
    """Observables with no kept instrument over all requests, the most wanted first."""
    requested: dict[str, int] = {}
    merged: dict[str, dict[str, object]] = {}
    for result in results:
        for observable in result.request.observables:
            requested[str(observable.iri)] = requested.get(str(observable.iri), 0) + 1
        for item in missing_items(result):
            row = merged.setdefault(str(item["observable_iri"]), {
                "observable": item["observable"], "observable_iri": item["observable_iri"],
                "requests": [], "why": [], "closest": []})
            row["requests"].append(item["request"])  # type: ignore[attr-defined]
            row["why"].append(f"{item['request']}: {item['why']}")  # type: ignore[attr-defined]
            for c in item["closest"]:  # type: ignore[attr-defined]
                line = f"{c['instrument']} ({c['partner']}, {c['technique']}): {' '.join(c['reasons'])}"
                if line not in row["closest"]:  # type: ignore[operator]
                    row["closest"].append(line)  # type: ignore[attr-defined]
    rows = []
    for iri, row in merged.items():
        row["missing_in"] = len(row["requests"])  # type: ignore[arg-type]
        row["requested"] = requested[iri]
        rows.append(row)
    rows.sort(key=lambda r: (-int(r["missing_in"]), -int(r["requested"]), str(r["observable"])))  # type: ignore[call-overload]
    return Table([("observable", "observable"), ("missing_in", "missing in (requests)"),
                  ("requested", "requested by"), ("requests", "request ids"), ("why", "why"),
                  ("closest", "closest instruments and why they were removed")], rows)


def render_table(title: str, intro: str, table: Table, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(table.rows, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return table_csv(table)
    doc = Document(title).paragraph(intro).table(table)
    return doc.to_html() if fmt == "html" else doc.to_markdown()


def discarded_report(store: TripleStore, request_id: str | None, fmt: str) -> str:
    table = discarded_table(_results(store, request_id))
    scope = f"request {request_id}" if request_id else "all stored requests"
    return render_table("Discarded instruments", f"Instruments removed by the filtering process for "
                        f"{scope} (D5.5 section 2.2.2), with the criterion and the reason.", table, fmt)


def missing_report(store: TripleStore, request_id: str | None, fmt: str) -> str:
    table = missing_table(_results(store, request_id))
    scope = f"request {request_id}" if request_id else "all stored requests"
    return render_table("Missing observables", f"Observables no available instrument can measure "
                        f"under the conditions of {scope}, the most wanted first (D5.5 section 2.2): "
                        "what new partners, techniques or developments could bring.", table, fmt)
