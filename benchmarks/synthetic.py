"""A synthetic logbook of realistic shape, for the benchmarks.

Coin cells, each with the positive and negative electrodes harvested from it (sample lineage),
and about ten measurements per cell. Each measurement names a set-up of the catalogue (an
instrument, a technique it serves and the partner that runs it), a mode (operando on the cell,
post mortem or ex situ on its electrodes), dates, a trigger, sometimes observables and the
measurement it follows. The samples travel: a shipment carries them from the partner that made
them to each of the first two other partners that measure them, before the first of those
measurements. About a third of the measurements have an archive record documenting them.
Everything it refers to is read from the catalogue store, so the rows resolve and validate like
real ones.

The same logbook is written as N-Quads for pyoxigraph's bulk loader (``nquads.py``) or as CSV
files in the import templates' columns (the rows a benchmark imports: samples and measurements
only)."""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import URIRef

from bigmap_kg.importing.resolve import Resolver, local_name
from bigmap_kg.namespaces import BMK
from bigmap_kg.queries import inject_values
from bigmap_kg.store.base import TripleStore

QUERIES = Path(__file__).parent / "queries"
MEASUREMENTS_PER_CELL = 10
MEASUREMENTS_PER_GRAPH = 10_000  # a multiple of MEASUREMENTS_PER_CELL: a cell's rows share a graph
SHIPMENTS_PER_CELL = 2  # at most: to the first two partners, other than the maker, that measure it
RECORD_SHARE = 0.3  # of the measurements, documented by an archive record
ARCHIVE = "https://archive.big-map.eu/records/"
FIRST_DAY = date(2020, 1, 1).toordinal()
SAMPLE_COLUMNS = ("sample_id", "name", "sample_shape", "derived_from", "materials", "prepared_by",
                  "state_of_health")
MEASUREMENT_COLUMNS = ("measurement_id", "name", "samples", "technique", "partner", "instrument", "mode",
                       "start_date", "end_date", "observables", "triggered_by", "follows")
THING_CLASSES = (BMK.Partner, BMK.MeasurementMode, BMK.Trigger, BMK.SampleShape, BMK.Material,
                 BMK.Observable)


@dataclass(frozen=True)
class Named:
    """A catalogue thing: its IRI (for N-Quads) and a label the importer resolves to it (for CSV)."""

    iri: str
    label: str


@dataclass(frozen=True)
class Setup:
    instrument: Named
    technique: Named
    partner: Named


@dataclass(frozen=True)
class Catalogue:
    """What a synthetic logbook refers to, read from a store holding the catalogue."""

    setups: list[Setup]
    things: dict[URIRef, dict[str, Named]]  # class -> local name -> thing

    def pick(self, cls: URIRef, local: str) -> Named:
        try:
            return self.things[cls][local]
        except KeyError:
            raise KeyError(f"the catalogue has no {local_name(cls)} {local!r}") from None

    def all(self, cls: URIRef) -> list[Named]:
        return list(self.things[cls].values())


def _query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _resolves(resolver: Resolver, cls: URIRef, thing: Named) -> bool:
    """The label names exactly this thing for the importer (and is one value of a column)."""
    return ";" not in thing.label and resolver.resolve([cls], thing.label).iri == URIRef(thing.iri)


def read_catalogue(store: TripleStore) -> Catalogue:
    """Set-ups and things of the catalogue whose labels the importer resolves unambiguously."""
    resolver = Resolver(store)
    setups: dict[tuple[str, ...], Setup] = {}
    for row in store.select(_query("measurement-setups")).rows:
        parts = [Named(str(row[k]), str(row[f"{k}Label"])) for k in ("instrument", "technique", "partner")]
        classes = (BMK.Instrument, BMK.Technique, BMK.Partner)
        if all(_resolves(resolver, c, p) for c, p in zip(classes, parts, strict=True)):
            setups.setdefault(tuple(p.iri for p in parts), Setup(*parts))
    text = inject_values(_query("things-of-class"), [(["class"], [[c] for c in THING_CLASSES])])
    things: dict[URIRef, dict[str, Named]] = {c: {} for c in THING_CLASSES}
    for row in store.select(text).rows:
        cls, thing = row["class"], Named(str(row["thing"]), str(row["label"]))
        assert isinstance(cls, URIRef)
        if _resolves(resolver, cls, thing):
            things[cls].setdefault(local_name(thing.iri), thing)
    if not setups:
        raise ValueError("the store holds no instrument with a technique and an operator: run init_store")
    return Catalogue(list(setups.values()), things)


@dataclass(frozen=True)
class SampleRow:
    ident: str
    name: str
    shape: Named
    materials: tuple[Named, ...]
    prepared_by: Named
    derived_from: str | None
    state_of_health: int


@dataclass(frozen=True)
class MeasurementRow:
    ident: str
    name: str
    samples: tuple[str, ...]
    setup: Setup
    with_instrument: bool
    mode: Named
    start: str
    end: str
    observables: tuple[Named, ...]
    trigger: Named
    follows: str | None


@dataclass(frozen=True)
class ShipmentRow:
    ident: str
    label: str
    sender: Named
    recipient: Named
    samples: tuple[str, ...]
    technique: Named
    ship: str
    received: str | None  # None while in transit
    status: str  # Delivered, InTransit or Lost (local names of bmk terms)


@dataclass(frozen=True)
class RecordRow:
    ident: str
    label: str
    author: Named
    measurement: str


Row = SampleRow | MeasurementRow | ShipmentRow | RecordRow


class Logbook:
    """``measurements`` measurements on ``ceil(measurements / 10)`` coin cells and their two
    electrodes, IDs starting with ``prefix``; the same seed gives the same rows."""

    def __init__(self, catalogue: Catalogue, prefix: str, measurements: int, seed: int = 1):
        self.catalogue, self.prefix, self.measurements, self.seed = catalogue, prefix, measurements, seed
        pick = catalogue.pick
        self._coin, self._electrode = pick(BMK.SampleShape, "CoinCellShape"), pick(BMK.SampleShape,
                                                                                   "ElectrodeShape")
        self._positive, self._negative = pick(BMK.Material, "lno"), pick(BMK.Material, "graphite")
        self._electrolyte = pick(BMK.Material, "baseline-electrolyte")
        self._modes = [pick(BMK.MeasurementMode, m) for m in ("Operando", "PostMortem", "ExSitu")]
        self._plan = pick(BMK.Trigger, "PlannedTrigger")
        self._partners = catalogue.all(BMK.Partner)
        self._triggers = catalogue.all(BMK.Trigger)
        self._observables = catalogue.all(BMK.Observable)

    @property
    def cells(self) -> int:
        return math.ceil(self.measurements / MEASUREMENTS_PER_CELL)

    def rows(self) -> Iterator[Row]:
        """Per cell: its three samples, its shipments, then its measurements with their archive
        records. Shipments and records draw from a second random sequence, so that the samples
        and measurements are those of the same seed without them."""
        rng, extra = random.Random(self.seed), random.Random(f"shipments-and-records-{self.seed}")
        for cell in range(self.cells):
            samples = self._samples(rng, cell)
            yield from samples
            day = FIRST_DAY + rng.randrange(1500)
            previous = None
            first = cell * MEASUREMENTS_PER_CELL
            measured: list[MeasurementRow] = []
            for index in range(first, min(first + MEASUREMENTS_PER_CELL, self.measurements)):
                day += rng.randrange(1, 8)
                row = self._measurement(rng, index, [s.ident for s in samples], day, previous)
                previous = row.ident
                measured.append(row)
            yield from self._shipments(extra, cell, samples[0].prepared_by, measured)
            for row in measured:
                yield row
                if extra.random() < RECORD_SHARE:
                    yield RecordRow(f"{self.prefix}-R-{row.ident.rsplit('-', 1)[1]}", f"Data of {row.name}",
                                    row.setup.partner, row.ident)

    def _shipments(self, rng: random.Random, cell: int, maker: Named,
                   measured: list[MeasurementRow]) -> Iterator[ShipmentRow]:
        """From the maker to each of the first partners that measure the cell's samples."""
        firsts: dict[str, MeasurementRow] = {}
        for m in measured:
            if m.setup.partner.iri != maker.iri and len(firsts) < SHIPMENTS_PER_CELL:
                firsts.setdefault(m.setup.partner.iri, m)
        for number, m in enumerate(firsts.values()):
            carried = tuple(sorted({s for n in measured if n.setup.partner.iri == m.setup.partner.iri
                                    for s in n.samples}))
            arrival = date.fromisoformat(m.start).toordinal() - rng.randrange(1, 4)
            ship = date.fromordinal(arrival - rng.randrange(0, 6))
            status = "Delivered" if rng.random() < 0.98 else rng.choice(("InTransit", "Lost"))
            label = f"{maker.label} to {m.setup.partner.label}: cell {cell}"
            yield ShipmentRow(
                f"{self.prefix}-S-{cell:07d}-{number}", label, maker, m.setup.partner, carried,
                m.setup.technique, ship.isoformat(),
                date.fromordinal(arrival).isoformat() if status == "Delivered" else None, status)

    def _samples(self, rng: random.Random, cell: int) -> list[SampleRow]:
        cell_id = f"{self.prefix}-CC-{cell:07d}"
        partner, soh = rng.choice(self._partners), rng.choice((100, 90, 80, 70))
        materials = (self._positive, self._negative, self._electrolyte)
        return [
            SampleRow(cell_id, f"LNO||Gr coin cell {cell}", self._coin, materials, partner, None, soh),
            SampleRow(f"{self.prefix}-POS-{cell:07d}", f"LNO electrode harvested from {cell_id}",
                      self._electrode, (self._positive,), partner, cell_id, soh),
            SampleRow(f"{self.prefix}-NEG-{cell:07d}", f"Graphite electrode harvested from {cell_id}",
                      self._electrode, (self._negative,), partner, cell_id, soh)]

    def _measurement(self, rng: random.Random, index: int, samples: list[str], day: int,
                     previous: str | None) -> MeasurementRow:
        setup, draw = rng.choice(self.catalogue.setups), rng.random()
        measured: tuple[str, ...]
        if draw < 0.2:  # operando, on the cell
            mode, measured = self._modes[0], (samples[0],)
        elif draw < 0.8:  # post mortem, on one or both harvested electrodes
            mode, measured = self._modes[1], tuple(rng.sample(samples[1:], rng.choice((1, 2))))
        else:
            mode, measured = self._modes[2], (rng.choice(samples[1:]),)
        end = day + rng.randrange(4)
        return MeasurementRow(
            f"{self.prefix}-M-{index:07d}", f"{setup.technique.label} of {measured[0]}", measured, setup,
            rng.random() < 0.7, mode, date.fromordinal(day).isoformat(), date.fromordinal(end).isoformat(),
            tuple(rng.sample(self._observables, rng.choice((0, 0, 1, 1, 2)))),
            self._plan if rng.random() < 0.7 else rng.choice(self._triggers),
            previous if rng.random() < 0.3 else None)


# -- CSV in the templates' columns ----------------------------------------------------------
def _sample_cells(s: SampleRow) -> list[str]:
    return [s.ident, s.name, s.shape.label, s.derived_from or "", "; ".join(m.label for m in s.materials),
            s.prepared_by.label, str(s.state_of_health)]


def _measurement_cells(m: MeasurementRow) -> list[str]:
    return [m.ident, m.name, "; ".join(m.samples), m.setup.technique.label, m.setup.partner.label,
            m.setup.instrument.label if m.with_instrument else "", m.mode.label, m.start, m.end,
            "; ".join(o.label for o in m.observables), m.trigger.label, m.follows or ""]


def write_csv(logbook: Logbook, folder: Path) -> tuple[Path, Path]:
    """``samples.csv`` and ``measurements.csv`` in ``folder``, in the templates' columns."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "samples.csv", folder / "measurements.csv"
    with paths[0].open("w", newline="", encoding="utf-8") as s, \
            paths[1].open("w", newline="", encoding="utf-8") as m:
        samples, measurements = csv.writer(s), csv.writer(m)
        samples.writerow(SAMPLE_COLUMNS)
        measurements.writerow(MEASUREMENT_COLUMNS)
        for row in logbook.rows():
            if isinstance(row, SampleRow):
                samples.writerow(_sample_cells(row))
            elif isinstance(row, MeasurementRow):
                measurements.writerow(_measurement_cells(row))
    return paths
