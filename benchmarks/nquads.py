"""The synthetic logbook (``synthetic.py``) as N-Quads for pyoxigraph's bulk loader: a store that
already holds a large logbook, one graph per 10 000 measurements as successive imports would
leave it (a cell's samples, shipments, measurements and records share a graph)."""

from __future__ import annotations

from typing import TextIO

from benchmarks.synthetic import (
    ARCHIVE,
    MEASUREMENTS_PER_GRAPH,
    Logbook,
    MeasurementRow,
    RecordRow,
    Row,
    SampleRow,
    ShipmentRow,
)
from bigmap_kg.namespaces import BATCH_PREFIX, BMK, ID

_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _p(name: str) -> str:
    return f"<{BMK[name]}>"


def _lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"^^<{_XSD}{datatype}>" if datatype else "")


def graph_name(prefix: str, index: int) -> str:
    return f"{BATCH_PREFIX}synthetic-{prefix.lower()}-{index:04d}"


def _sample_quads(s: SampleRow) -> list[tuple[str, str]]:
    pairs = [(_TYPE, _p("Sample")), (_p("identifier"), _lit(s.ident)), (_SKOS_LABEL, _lit(s.name)),
             (_p("sampleShape"), f"<{s.shape.iri}>"), (_p("preparedBy"), f"<{s.prepared_by.iri}>"),
             (_p("stateOfHealth"), _lit(str(s.state_of_health), "decimal"))]
    pairs += [(_p("madeOf"), f"<{m.iri}>") for m in s.materials]
    if s.derived_from:
        pairs.append((_p("derivedFrom"), f"<{ID}sample/{s.derived_from}>"))
    return pairs


def _measurement_quads(m: MeasurementRow) -> list[tuple[str, str]]:
    pairs = [(_TYPE, _p("Measurement")), (_p("identifier"), _lit(m.ident)), (_SKOS_LABEL, _lit(m.name)),
             (_p("technique"), f"<{m.setup.technique.iri}>"), (_p("performedBy"), f"<{m.setup.partner.iri}>"),
             (_p("mode"), f"<{m.mode.iri}>"), (_p("startDate"), _lit(m.start, "date")),
             (_p("endDate"), _lit(m.end, "date")), (_p("triggeredBy"), f"<{m.trigger.iri}>")]
    pairs += [(_p("measuredSample"), f"<{ID}sample/{s}>") for s in m.samples]
    pairs += [(_p("investigatedObservable"), f"<{o.iri}>") for o in m.observables]
    if m.with_instrument:
        pairs.append((_p("instrument"), f"<{m.setup.instrument.iri}>"))
    if m.follows:
        pairs.append((_p("follows"), f"<{ID}measurement/{m.follows}>"))
    return pairs


def _shipment_quads(s: ShipmentRow) -> list[tuple[str, str]]:
    pairs = [(_TYPE, _p("Shipment")), (_p("identifier"), _lit(s.ident)), (_SKOS_LABEL, _lit(s.label)),
             (_p("sender"), f"<{s.sender.iri}>"), (_p("recipient"), f"<{s.recipient.iri}>"),
             (_p("intendedTechnique"), f"<{s.technique.iri}>"), (_p("shipmentStatus"), _p(s.status)),
             (_p("shipDate"), _lit(s.ship, "date"))]
    pairs += [(_p("shippedSample"), f"<{ID}sample/{sample}>") for sample in s.samples]
    if s.received:
        pairs.append((_p("receptionDate"), _lit(s.received, "date")))
    return pairs


def _record_quads(r: RecordRow) -> list[tuple[str, str]]:
    return [(_TYPE, _p("ArchiveRecord")), (_p("identifier"), _lit(r.ident)), (_SKOS_LABEL, _lit(r.label)),
            (_p("author"), f"<{r.author.iri}>"), (_p("documents"), f"<{ID}measurement/{r.measurement}>"),
            (_p("url"), _lit(f"{ARCHIVE}{r.ident.lower()}", "anyURI"))]


def _subject_and_pairs(row: Row) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(row, SampleRow):
        return f"<{ID}sample/{row.ident}>", _sample_quads(row)
    if isinstance(row, MeasurementRow):
        return f"<{ID}measurement/{row.ident}>", _measurement_quads(row)
    if isinstance(row, ShipmentRow):
        return f"<{ID}shipment/{row.ident}>", _shipment_quads(row)
    return f"<{ID}record/{row.ident}>", _record_quads(row)


def write_nquads(logbook: Logbook, out: TextIO) -> int:
    """The logbook as N-Quads, streamed; returns the number of quads written."""
    written = measurements = 0
    graph = f"<{graph_name(logbook.prefix, 0)}>"
    for row in logbook.rows():
        if isinstance(row, SampleRow) and measurements and measurements % MEASUREMENTS_PER_GRAPH == 0:
            graph = f"<{graph_name(logbook.prefix, measurements // MEASUREMENTS_PER_GRAPH)}>"
        subject, pairs = _subject_and_pairs(row)
        out.write("".join(f"{subject} {p} {o} {graph} .\n" for p, o in pairs))
        written += len(pairs)
        measurements += isinstance(row, MeasurementRow)
    return written
