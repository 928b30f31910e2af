"""The logbook on a time line, as D5.3 draws it in its Gantt chart (Figure 19): one bar per
experiment from the sample's reception at the partner to the end of the measurement, and the
shipments as vertical markers.

Only the dates the graph records are used: a measurement's ``bmk:startDate``/``bmk:startMonth``
and ``bmk:endDate``, a shipment's ``bmk:shipDate`` and ``bmk:receptionDate``/``bmk:receptionMonth``.
Where only a month is known the time line says so; where no date is known the experiment or
shipment is listed as undated. Nothing is estimated. The queries are ``queries/pages/timeline-*.rq``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from rdflib.term import Node

from bigmap_kg.queries import page_query
from bigmap_kg.store.base import TripleStore

_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True, order=True)
class When:
    """A day, or only a month where the graph records no day (``xsd:gYearMonth``)."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def of(cls, term: Node | None) -> When | None:
        """The date of an ``xsd:date``, ``xsd:dateTime`` or ``xsd:gYearMonth`` literal."""
        match = _DATE.match(str(term)) if term is not None else None
        if match is None:
            return None
        year, month, day = int(match[1]), int(match[2]), match[3]
        if not 1 <= month <= 12:
            return None
        return cls(year, month, int(day) if day else None)

    @property
    def month_only(self) -> bool:
        return self.day is None

    @property
    def first(self) -> date:
        """The first day it can be."""
        return date(self.year, self.month, self.day or 1)

    @property
    def last(self) -> date:
        """The last day it can be."""
        return date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")

    @property
    def text(self) -> str:
        month = f"{calendar.month_abbr[self.month]} {self.year}"
        return month if self.day is None else f"{self.day} {month}"


def _when_text(when: When | None) -> str:
    if when is None:
        return "not recorded"
    return when.text + (" (month only)" if when.month_only else "")


@dataclass
class Experiment:
    """One measurement of the logbook and the dates the graph gives for it."""

    iri: str
    label: str
    partner: str
    technique: str
    place: str
    mode: str
    samples: list[str]
    started: When | None = None
    ended: When | None = None
    received: When | None = None
    shipment: str | None = None
    sender: str | None = None

    @property
    def start(self) -> When | None:
        """Where its bar starts: the measurement's own start, else the sample reception."""
        return self.started or self.received

    @property
    def dated(self) -> bool:
        return self.start is not None

    def tooltip(self) -> str:
        reception = _when_text(self.received)
        if self.shipment:
            reception += f"; {self.shipment}"
        return "\n".join([
            self.label,
            f"Partner: {self.partner or 'not recorded'}",
            f"Technique: {self.technique or 'not recorded'}",
            f"Samples: {'; '.join(self.samples) or 'not recorded'}",
            f"Sample reception: {reception}",
            f"Measurement start: {_when_text(self.started)}",
            f"Measurement end: {_when_text(self.ended)}",
        ])


@dataclass
class Shipment:
    iri: str
    label: str
    sender: str
    recipient: str
    technique: str
    status: str
    sent: When | None = None
    received: When | None = None

    @property
    def dated(self) -> bool:
        return self.sent is not None or self.received is not None


@dataclass
class Marker:
    """Shipments of one sender that left (``sent``), or else arrived (``received``), on one date."""

    kind: str
    when: When
    sender: str
    shipments: list[Shipment] = field(default_factory=list)

    def tooltip(self) -> str:
        verb = "sent" if self.kind == "sent" else "received"
        n = len(self.shipments)
        head = (f"{self.sender or 'unknown sender'}: {n} parcel{'s' if n != 1 else ''} {verb} "
                f"{'in' if self.when.month_only else 'on'} {_when_text(self.when)}")
        return "\n".join([head, *(s.label for s in self.shipments)])


@dataclass
class Timeline:
    experiments: list[Experiment]
    shipments: list[Shipment]

    @property
    def dated(self) -> list[Experiment]:
        return [e for e in self.experiments if e.dated]

    @property
    def undated(self) -> list[Experiment]:
        return [e for e in self.experiments if not e.dated]

    @property
    def undated_shipments(self) -> list[Shipment]:
        return [s for s in self.shipments if not s.dated]

    @property
    def markers(self) -> list[Marker]:
        """One marker per sender and date: the ship date where recorded, else the reception."""
        found: dict[tuple[str, When, str], Marker] = {}
        for s in self.shipments:
            kind, when = ("sent", s.sent) if s.sent is not None else ("received", s.received)
            if when is None:
                continue
            found.setdefault((kind, when, s.sender), Marker(kind, when, s.sender)).shipments.append(s)
        return sorted(found.values(), key=lambda m: (m.when, m.sender, m.kind))

    def span(self) -> tuple[date, date] | None:
        """The first and last day any recorded date can be, else None."""
        whens = [w for e in self.experiments for w in (e.started, e.ended, e.received) if w]
        whens += [w for s in self.shipments for w in (s.sent, s.received) if w]
        if not whens:
            return None
        return min(w.first for w in whens), max(w.last for w in whens)


def _text(term: Node | None) -> str:
    return str(term) if term is not None else ""


def experiments(store: TripleStore) -> list[Experiment]:
    """The measurements, each with the earliest reception of a parcel that delivered its samples."""
    found: dict[str, Experiment] = {}
    for row in page_query("timeline-experiments").run(store).rows:
        iri = str(row["measurement"])
        received = When.of(row["received"])
        known = found.get(iri)
        if known is None:
            found[iri] = Experiment(
                iri=iri, label=_text(row["label"]) or iri.rsplit("/", 1)[-1],
                partner=_text(row["partner"]), technique=_text(row["technique"]),
                place=_text(row["place"]), mode=_text(row["mode"]),
                samples=sorted(s for s in _text(row["samples"]).split("\n") if s),
                started=When.of(row["start"]), ended=When.of(row["end"]), received=received,
                shipment=_text(row["shipmentLabel"]) or None, sender=_text(row["sender"]) or None)
        elif received is not None and (known.received is None or received < known.received):
            known.received, known.shipment = received, _text(row["shipmentLabel"]) or None
            known.sender = _text(row["sender"]) or None
    return sorted(found.values(), key=lambda e: (e.start is None, e.start or When(0, 1), e.partner,
                                                 e.technique, e.label))


def shipments(store: TripleStore) -> list[Shipment]:
    rows = page_query("timeline-shipments").run(store).rows
    found = [Shipment(
        iri=str(row["shipment"]), label=_text(row["label"]) or str(row["shipment"]).rsplit("/", 1)[-1],
        sender=_text(row["sender"]), recipient=_text(row["recipient"]),
        technique=_text(row["technique"]), status=_text(row["status"]),
        sent=When.of(row["sent"]), received=When.of(row["received"])) for row in rows]
    return sorted(found, key=lambda s: (not s.dated, s.sent or s.received or When(0, 1), s.label))


def load_timeline(store: TripleStore) -> Timeline:
    """The logbook's experiments and shipments with the dates the graph records."""
    return Timeline(experiments(store), shipments(store))
