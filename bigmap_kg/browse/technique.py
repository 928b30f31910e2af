"""One technique: what it is, who offers it with which instruments and cells, and its matrix rows
(``technique-*.rq`` and the ``matrix-*.rq`` queries bound to the technique)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bigmap_kg.browse.graph import Labels, Link, Record, entity_iri, run, text, texts, unique
from bigmap_kg.browse.matrix import Capability, Listed, MatrixRow, matrix_rows, row_records
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.namespaces import BMK
from bigmap_kg.store.base import TripleStore


@dataclass
class Linked:
    """An instrument, cell or holder linked to the technique, and the ways it is linked."""

    listed: Listed
    how: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mention:
    """An observable as one matrix row gives it."""

    row: MatrixRow
    capability: Capability


@dataclass
class TechniquePage:
    technique: Link
    definition: str | None
    alt_labels: list[str]
    cluster: Link | None
    sample_integrity: Link | None
    additional_information: str | None
    broader: list[Link] = field(default_factory=list)
    narrower: list[Link] = field(default_factory=list)
    instruments: list[Linked] = field(default_factory=list)
    cells: list[Linked] = field(default_factory=list)
    holders: list[Linked] = field(default_factory=list)
    matches: list[tuple[str, Link]] = field(default_factory=list)
    measurements: list[tuple[Link, Link | None]] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def partners(self) -> list[tuple[Link, list[str]]]:
        """Each partner with what it offers or did: instruments, cells, holders, logbook."""
        roles: dict[str, tuple[Link, list[str]]] = {}
        groups = (("instruments", self.instruments), ("cells", self.cells), ("sample holders", self.holders))
        for name, group in groups:
            for linked in group:
                if linked.listed.partner:
                    _add(roles, linked.listed.partner, name)
        for _, partner in self.measurements:
            if partner:
                _add(roles, partner, "logbook measurements")
        return sorted(roles.values(), key=lambda pr: pr[0].sort_key)

    @property
    def observables(self) -> list[tuple[Link, list[Mention]]]:
        """Each observable of the rows with the rows that give it."""
        found: dict[str, tuple[Link, list[Mention]]] = {}
        for row in self.rows:
            for cap in row.observables:
                found.setdefault(cap.observable.iri, (cap.observable, []))[1].append(Mention(row, cap))
        return sorted(found.values(), key=lambda om: om[0].sort_key)


def _add(roles: dict[str, tuple[Link, list[str]]], partner: Link, role: str) -> None:
    entry = roles.setdefault(partner.iri, (partner, []))
    if role not in entry[1]:
        entry[1].append(role)


def technique_page(store: TripleStore, ident: str) -> TechniquePage:
    iri = entity_iri("technique", ident)
    about = run(store, "technique-about", technique=iri)
    if not about:
        raise UnknownReference(f"no technique {ident!r}", Location(iri=str(iri)),
                               hint="the matrix links every technique it lists")
    related = run(store, "technique-related", technique=iri)
    labels = Labels(store, about, related)
    first = about[0]
    page = TechniquePage(labels.need(first["technique"]), text(first["definition"]),
                         sorted(texts(first["alt_labels"]), key=str.casefold), labels.link(first["cluster"]),
                         labels.link(first["sample_integrity"]), text(first["additional_information"]))
    _relate(page, related, labels)
    page.rows = matrix_rows(store, row_records(store, technique=iri), technique=iri, readings=True)
    return page


def _relate(page: TechniquePage, related: list[Record], labels: Labels) -> None:
    linked: dict[str, dict[str, Linked]] = {"instrument": {}, "cell": {}, "holder": {}}
    for line in related:
        relation, thing, how = str(line["relation"]), labels.need(line["thing"]), str(line["how"])
        if relation in linked:
            listed = Listed(thing, labels.link(line["partner"]), labels.link(line["site"]),
                            line["status"] == BMK.InDevelopment)
            entry = linked[relation].setdefault(thing.iri, Linked(listed))
            if how not in entry.how:
                entry.how.append(how)
        elif relation == "broader":
            page.broader.append(thing)
        elif relation == "narrower":
            page.narrower.append(thing)
        elif relation == "match":
            page.matches.append((how, thing))
        elif relation == "measurement":
            page.measurements.append((thing, labels.link(line["partner"])))
    page.broader, page.narrower = unique(page.broader), unique(page.narrower)
    page.instruments, page.cells, page.holders = (
        sorted(linked[k].values(), key=lambda x: x.listed.thing.sort_key)
        for k in ("instrument", "cell", "holder"))
    page.measurements.sort(key=lambda mp: mp[0].sort_key)
