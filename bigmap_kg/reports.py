"""The reports the CLI and the service offer, by name: title, what they show, how to make them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.store.base import TripleStore


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    per_request: bool
    make: Callable[[TripleStore, str | None, str], str]


def _discarded(store: TripleStore, request: str | None, fmt: str) -> str:
    from bigmap_kg.planner_report import discarded_report

    return discarded_report(store, request, fmt)


def _missing(store: TripleStore, request: str | None, fmt: str) -> str:
    from bigmap_kg.planner_report import missing_report

    return missing_report(store, request, fmt)


def _archive(store: TripleStore, request: str | None, fmt: str) -> str:
    from bigmap_kg.output import named_query_report

    return named_query_report(store, "measurements-missing-from-archive", {}, fmt)


REPORTS = {r.name: r for r in (
    Report("missing-observables", "Missing observables",
           "Observables no available instrument can measure under the stored requests' conditions, "
           "the most wanted first (D5.5 section 2.2).", True, _missing),
    Report("discarded-instruments", "Discarded instruments",
           "Instruments the filtering process removed for the stored requests, with the criterion "
           "and the reason (D5.5 section 2.2.2).", True, _discarded),
    Report("archive-completeness", "Archive completeness",
           "Logbook measurements without an archive record, a notebook entry, or the link between "
           "them (D5.3 section 3.4).", False, _archive),
)}


def get_report(name: str) -> Report:
    if name not in REPORTS:
        raise UnknownReference(f"no report named {name!r}", Location(field="report"),
                               hint="reports: " + ", ".join(REPORTS))
    return REPORTS[name]
