"""The partners: an index, and one page per partner with its sites, instruments, cells,
techniques and the logbook measurements it performed (``partner-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bigmap_kg.browse.graph import Labels, Link, Record, entity_iri, number, run, text, texts
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.namespaces import BMK
from bigmap_kg.store.base import TripleStore


@dataclass(frozen=True)
class PartnerSummary:
    partner: Link
    kind: Link | None
    alt_labels: list[str]
    sites: int
    instruments: int
    cells: int
    holders: int
    techniques: int
    measurements: int


@dataclass(frozen=True)
class Site:
    site: Link
    city: str | None
    country: str | None


@dataclass(frozen=True)
class Owned:
    """An instrument, cell or holder of the partner."""

    thing: Link
    site: Link | None = None
    in_development: bool = False


@dataclass(frozen=True)
class Measurement:
    measurement: Link
    technique: Link | None
    instrument: Link | None
    site: Link | None
    mode: Link | None
    samples: list[str]
    observables: list[str]
    start: str | None
    end: str | None
    description: str | None


@dataclass
class PartnerPage:
    summary: PartnerSummary
    sites: list[Site] = field(default_factory=list)
    instruments: list[Owned] = field(default_factory=list)
    cells: list[Owned] = field(default_factory=list)
    holders: list[Owned] = field(default_factory=list)
    techniques: list[tuple[Link, list[Link]]] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)


def partner_index(store: TripleStore) -> list[PartnerSummary]:
    records = run(store, "partner-index")
    labels = Labels(store, records)
    return sorted((_summary(r, labels) for r in records), key=lambda s: s.partner.sort_key)


def partner_page(store: TripleStore, ident: str) -> PartnerPage:
    iri = entity_iri("partner", ident)
    records = run(store, "partner-index", partner=iri)
    if not records:
        raise UnknownReference(f"no partner {ident!r}", Location(iri=str(iri)),
                               hint="partners are named by their short name, such as CTH or ESRF")
    links = run(store, "partner-links", partner=iri)
    done = run(store, "partner-measurements", partner=iri)
    labels = Labels(store, records, links, done)
    page = PartnerPage(_summary(records[0], labels))
    techniques: dict[str, tuple[Link, list[Link]]] = {}
    for line in links:
        relation, thing = str(line["relation"]), labels.need(line["thing"])
        if relation == "site":
            page.sites.append(Site(thing, text(line["city"]), text(line["country"])))
        elif relation == "technique":
            via = labels.need(line["via"])
            techniques.setdefault(thing.iri, (thing, []))[1].append(via)
        else:
            group = {"instrument": page.instruments, "cell": page.cells, "holder": page.holders}[relation]
            group.append(Owned(thing, labels.link(line["site"]), line["status"] == BMK.InDevelopment))
    page.techniques = sorted(techniques.values(), key=lambda tv: tv[0].sort_key)
    for group in (page.instruments, page.cells, page.holders):
        group.sort(key=lambda o: o.thing.sort_key)
    page.measurements = [_measurement(r, labels) for r in done]
    return page


def _summary(r: Record, labels: Labels) -> PartnerSummary:
    return PartnerSummary(labels.need(r["partner"]), labels.link(r["kind"]), texts(r["alt_labels"]),
                          number(r["sites"]), number(r["instruments"]), number(r["cells"]),
                          number(r["holders"]), number(r["techniques"]), number(r["measurements"]))


def _measurement(r: Record, labels: Labels) -> Measurement:
    return Measurement(labels.need(r["measurement"]), labels.link(r["technique"]),
                       labels.link(r["instrument"]), labels.link(r["site"]), labels.link(r["mode"]),
                       texts(r["samples"]), texts(r["observables"]), text(r["start"]), text(r["end"]),
                       text(r["description"]))
