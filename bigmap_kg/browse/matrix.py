"""The rows of the D5.1 experimental matrix, with what each row names (``matrix-*.rq``).

A row is *operando capable* when it lists an available electrochemical cell, or when it is a
"commercial" row, whose commercial coin, pouch or cylindrical cell is itself measured operando
(D5.1 section 2.3; the planner's operando-cell criterion uses the same rule). The rule is
written once, in ``queries/pages/matrix-rows.rq``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from bigmap_kg.browse.graph import (
    Labels,
    Link,
    Record,
    decimal_text,
    natural_key,
    number,
    run,
    text,
    truth,
    unique,
)
from bigmap_kg.namespaces import BMK
from bigmap_kg.store.base import TripleStore

# The order of the cluster tables and categories in D5.1 (sections 2.2 and 2.3).
CLUSTER_ORDER = (BMK.DiffractionAndScattering, BMK.Imaging, BMK.BulkSpectroscopy, BMK.SurfaceSpectroscopy)
CATEGORY_ORDER = (BMK.Commercial, BMK.Realistic, BMK.Model)
QUANTITY_ORDER = (BMK.probedArea, BMK.probedAreaResolution, BMK.penetrationDepth,
                  BMK.penetrationDepthResolution, BMK.operandoTimeResolution)


def rank(order: tuple[URIRef, ...], iri: str | None) -> int:
    return next((i for i, term in enumerate(order) if str(term) == iri), len(order))


@dataclass(frozen=True)
class Listed:
    """An instrument, cell or sample holder, with who runs it and where it stands."""

    thing: Link
    partner: Link | None = None
    site: Link | None = None
    in_development: bool = False


@dataclass(frozen=True)
class Capability:
    """An observable a row gives, with its quality and the row's wording."""

    observable: Link
    quality: str | None
    text: str | None

    @property
    def grade(self) -> str:
        """H, M or L ('' where the row gives no quality)."""
        return self.quality[0] if self.quality else ""


@dataclass(frozen=True)
class Cited:
    reference: Link
    citation: str | None


@dataclass(frozen=True)
class Reading:
    """One size or time of a row: the text as D5.1 writes it and the numbers read from it."""

    column: Link
    text: str
    minimum: str | None
    maximum: str | None
    symbol: str | None

    @property
    def value(self) -> str | None:
        """'1 cm²', '0.3 – 1 µm', 'min 10 ms', 'max 1 µm'; None where the text gives no number."""
        unit = f" {self.symbol}" if self.symbol else ""
        if self.minimum is not None and self.maximum is not None:
            if self.minimum == self.maximum:
                return f"{self.minimum}{unit}"
            return f"{self.minimum} – {self.maximum}{unit}"
        if self.minimum is not None:
            return f"min {self.minimum}{unit}"
        if self.maximum is not None:
            return f"max {self.maximum}{unit}"
        return None


@dataclass
class MatrixRow:
    entry: Link
    cluster: Link
    row: int
    category: Link | None
    technique: Link
    probed_area: str | None
    probed_area_resolution: str | None
    penetration_depth: str | None
    penetration_depth_resolution: str | None
    time_resolution: str | None
    detection_limit: str | None
    observables_text: str | None
    additional_information: str | None
    available_cells: int
    commercial: bool
    operando: bool
    observables: list[Capability] = field(default_factory=list)
    instruments: list[Listed] = field(default_factory=list)
    cells: list[Listed] = field(default_factory=list)
    holders: list[Listed] = field(default_factory=list)
    references: list[Cited] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)

    @property
    def partners(self) -> list[Link]:
        """The partners that run an instrument, cell or holder the row lists."""
        return unique([x.partner for x in (*self.instruments, *self.cells, *self.holders) if x.partner])

    @property
    def operando_basis(self) -> str:
        """Why the row is operando capable, or why not."""
        available = [c.thing.label for c in self.cells if not c.in_development]
        developing = [c.thing.label for c in self.cells if c.in_development]
        if self.commercial and available:
            return "commercial cells measured as they are; available cells: " + ", ".join(available)
        if self.commercial:
            return "commercial coin, pouch or cylindrical cells measured as they are"
        if available:
            return "available cell" + ("s" if len(available) > 1 else "") + ": " + ", ".join(available)
        if developing:
            return "only cells in development: " + ", ".join(developing)
        return "no electrochemical cell listed"


def row_records(store: TripleStore, **params: Node | None) -> list[Record]:
    """The lines of ``matrix-rows.rq`` for the given filters."""
    return run(store, "matrix-rows", **params)


def matrix_rows(store: TripleStore, records: list[Record], technique: URIRef | None = None,
                readings: bool = False) -> list[MatrixRow]:
    """The rows of ``records`` with what they name, in D5.1 order; with ``readings``, also the
    numbers of their sizes and times."""
    links = run(store, "matrix-links", technique=technique)
    quantities = run(store, "matrix-quantities", technique=technique) if readings else []
    labels = Labels(store, records, links, quantities)
    rows = {str(r["entry"]): _row(r, labels) for r in records}
    for line in links:
        row = rows.get(str(line["entry"]))
        if row is not None:
            _attach(row, line, labels)
    for line in quantities:
        row = rows.get(str(line["entry"]))
        if row is not None:
            row.readings.append(_reading(line, labels))
    for row in rows.values():
        _tidy(row)
    return sorted(rows.values(), key=lambda r: (rank(CLUSTER_ORDER, r.cluster.iri), r.row))


def _row(r: Record, labels: Labels) -> MatrixRow:
    return MatrixRow(
        entry=labels.need(r["entry"]), cluster=labels.need(r["cluster"]), row=number(r["row"]),
        category=labels.link(r["category"]), technique=labels.need(r["technique"]),
        probed_area=text(r["probed_area"]), probed_area_resolution=text(r["probed_area_resolution"]),
        penetration_depth=text(r["penetration_depth"]),
        penetration_depth_resolution=text(r["penetration_depth_resolution"]),
        time_resolution=text(r["time_resolution"]), detection_limit=text(r["detection_limit"]),
        observables_text=text(r["observables_text"]),
        additional_information=text(r["additional_information"]),
        available_cells=number(r["available_cells"]), commercial=truth(r["commercial"]),
        operando=truth(r["operando"]))


def _attach(row: MatrixRow, line: Record, labels: Labels) -> None:
    role, thing = str(line["role"]), labels.need(line["thing"])
    if role == "observable":
        quality = labels.link(line["quality"])
        row.observables.append(Capability(thing, quality.label if quality else None, text(line["text"])))
    elif role == "reference":
        row.references.append(Cited(thing, text(line["text"])))
    else:
        listed = Listed(thing, labels.link(line["partner"]), labels.link(line["site"]),
                        line["status"] == BMK.InDevelopment)
        {"instrument": row.instruments, "cell": row.cells, "holder": row.holders}[role].append(listed)


def _reading(line: Record, labels: Labels) -> Reading:
    return Reading(labels.need(line["column"]), str(line["text"]), decimal_text(line["min"]),
                   decimal_text(line["max"]), text(line["symbol"]))


def _tidy(row: MatrixRow) -> None:
    grade = {"H": 0, "M": 1, "L": 2, "": 3}
    row.observables.sort(key=lambda c: (grade.get(c.grade, 3), c.observable.sort_key))
    for listed in (row.instruments, row.cells, row.holders):
        listed.sort(key=lambda x: x.thing.sort_key)
    row.references.sort(key=lambda c: natural_key(c.reference.id))
    row.readings.sort(key=lambda q: (rank(QUANTITY_ORDER, q.column.iri), q.text))

