"""The cell index of D5.1 Appendix A and one page per electrochemical cell (``cell-*.rq``).

The graph holds the cells of the Appendix A sheets (``in_cell_index``) and the cells only the
matrix names, which often have no more than a name, a partner and a status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import URIRef

from bigmap_kg.browse.graph import Labels, Link, Record, entity_iri, run, text, texts, truth, unique
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.namespaces import BMK
from bigmap_kg.store.base import TripleStore


@dataclass(frozen=True)
class Reference:
    reference: Link
    citation: str | None
    doi: str | None


@dataclass
class Cell:
    cell: Link
    partner: Link | None
    status: Link | None
    origin: Link | None
    in_cell_index: bool
    specification: str | None = None
    casing: list[str] = field(default_factory=list)
    window: list[str] = field(default_factory=list)
    design: str | None = None
    optimised_for_text: str | None = None
    additional_information: str | None = None
    original_text: str | None = None
    clusters: list[Link] = field(default_factory=list)
    geometries: list[Link] = field(default_factory=list)
    primary_techniques: list[Link] = field(default_factory=list)
    other_techniques: list[Link] = field(default_factory=list)
    rows: list[tuple[Link, Link | None]] = field(default_factory=list)
    optimised_for: list[Link] = field(default_factory=list)
    usable_on: list[Link] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)

    @property
    def in_development(self) -> bool:
        return self.status is not None and self.status.iri == str(BMK.InDevelopment)

    @property
    def row_techniques(self) -> list[Link]:
        """The techniques of the matrix rows that list the cell."""
        return unique([t for _, t in self.rows if t])

    @property
    def techniques(self) -> list[Link]:
        """Every technique the cell is for: primary, other possible, or of a row listing it."""
        return unique([*self.primary_techniques, *self.other_techniques, *self.row_techniques])


STATUSES = {"available": BMK.Available, "in-development": BMK.InDevelopment}


@dataclass(frozen=True)
class CellFilters:
    """The filters of the cell index: a partner (the last part of its IRI), a status
    (``available`` or ``in-development``) and whether only cells with an Appendix A sheet."""

    partner: str | None = None
    status: str | None = None
    sheet: bool = False

    @classmethod
    def of(cls, values: Mapping[str, str | None]) -> CellFilters:
        partner = (values.get("partner") or "").strip() or None
        status = (values.get("status") or "").strip().lower() or None
        if status is not None and status not in STATUSES:
            raise UnknownReference(f"no cell status {status!r}", Location(field="status"),
                                   hint="available or in-development")
        sheet = (values.get("sheet") or "").strip().lower() in ("1", "true", "on", "yes")
        return cls(partner, status, sheet)

    @property
    def active(self) -> bool:
        return bool(self.partner or self.status or self.sheet)

    def apply(self, cells: list[Cell]) -> list[Cell]:
        """The cells that pass; a partner that owns no cell is an error."""
        owner = (self.partner or "").casefold()
        if owner and not any(p.id.casefold() == owner for p in self.partners_of(cells)):
            raise UnknownReference(f"no partner {self.partner!r} owns a cell", Location(field="partner"),
                                   hint="partners are named by their short name, such as CTH")
        status = str(STATUSES[self.status]) if self.status else None
        return [c for c in cells
                if (not owner or (c.partner is not None and c.partner.id.casefold() == owner))
                and (not status or (c.status is not None and c.status.iri == status))
                and (not self.sheet or c.in_cell_index)]

    @staticmethod
    def partners_of(cells: list[Cell]) -> list[Link]:
        return unique([c.partner for c in cells if c.partner])


def cell_index(store: TripleStore) -> list[Cell]:
    """Every cell, Appendix A sheets first, then by partner and name."""
    cells = _cells(store, None)
    return sorted(cells, key=lambda c: (not c.in_cell_index, c.partner.sort_key if c.partner else "",
                                        c.cell.sort_key))


def cell_page(store: TripleStore, ident: str) -> Cell:
    iri = entity_iri("cell", ident)
    cells = _cells(store, iri)
    if not cells:
        raise UnknownReference(f"no cell {ident!r}", Location(iri=str(iri)),
                               hint="the cell index lists every cell")
    return cells[0]


def _cells(store: TripleStore, iri: URIRef | None) -> list[Cell]:
    records = run(store, "cell-index", cell=iri)
    links = run(store, "cell-links", cell=iri)
    labels = Labels(store, records, links)
    cells = {str(r["cell"]): _cell(r, labels) for r in records}
    for line in links:
        cell = cells.get(str(line["cell"]))
        if cell is not None:
            _attach(cell, line, labels)
    for cell in cells.values():
        for group in (cell.clusters, cell.geometries, cell.primary_techniques, cell.other_techniques,
                      cell.optimised_for, cell.usable_on):
            group[:] = unique(group)
        cell.rows.sort(key=lambda rt: rt[0].sort_key)
    return list(cells.values())


def _cell(r: Record, labels: Labels) -> Cell:
    return Cell(labels.need(r["cell"]), labels.link(r["partner"]), labels.link(r["status"]),
                labels.link(r["origin"]), truth(r["in_cell_index"]), text(r["specification"]),
                texts(r["casing"]), texts(r["window"]), text(r["design"]), text(r["optimised_for"]),
                text(r["additional_information"]), text(r["original_text"]))


def _attach(cell: Cell, line: Record, labels: Labels) -> None:
    relation, thing = str(line["relation"]), labels.link(line["thing"])
    value = text(line["text"])
    if relation == "alt-label" and value:
        cell.alt_labels.append(value)
    elif relation == "description" and value:
        cell.descriptions.append(value)
    elif relation == "row" and thing:
        cell.rows.append((thing, labels.link(line["technique"])))
    elif relation == "reference" and thing:
        cell.references.append(Reference(thing, value, text(line["doi"])))
    elif thing:
        group = {"cluster": cell.clusters, "geometry": cell.geometries,
                 "primary-technique": cell.primary_techniques, "other-technique": cell.other_techniques,
                 "optimised-for": cell.optimised_for, "usable-on": cell.usable_on}.get(relation)
        if group is not None:
            group.append(thing)
