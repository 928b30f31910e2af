"""The D5.1 competence mapping (Figures 4-6) and the observable coverage map, read from the graph.

D5.1 (section 2.1) plots the techniques of each category of experiment (laboratory, neutron,
synchrotron) as bubbles: x is the typical length scale probed (Å, nm, µm), y the dimension of the
property mapping (1D, 2D, 3D), the bubble size the number of partners able to carry the technique
out, the colour its cluster, and a green contour marks operando. Here every one of those values is
a query on the graph (``queries/pages/chart-*.rq``); drawing them is :mod:`bigmap_kg.svg_charts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from bigmap_kg import queries
from bigmap_kg.namespaces import BMK
from bigmap_kg.output import labels_of
from bigmap_kg.queries import NamedQuery
from bigmap_kg.store import TripleStore
from bigmap_kg.terms import truthy

# The x axis: the three orders of magnitude of D5.1's charts, in order.
LENGTH_SCALES: tuple[tuple[URIRef, str], ...] = (
    (BMK.angstrom, "Å"), (BMK.nanometre, "nm"), (BMK.micrometre, "µm"))
# The y axis.
DIMENSIONS = (1, 2, 3)
# The three charts, in D5.1's figure order, with the slug used for element ids.
CATEGORIES: tuple[tuple[URIRef, str, str], ...] = (
    (BMK.LaboratoryFacility, "laboratory", "Figure 4"),
    (BMK.NeutronFacility, "neutron", "Figure 5"),
    (BMK.SynchrotronFacility, "synchrotron", "Figure 6"),
)
# The clusters in the order of the D5.1 matrix tables (section 2.3).
CLUSTER_ORDER: tuple[URIRef, ...] = (
    BMK.DiffractionAndScattering, BMK.Imaging, BMK.BulkSpectroscopy, BMK.SurfaceSpectroscopy)


def page_query(name: str) -> NamedQuery:
    """``queries/pages/chart-<name>.rq``, with its header read."""
    return queries.page_query(f"chart-{name}")


def technique_id(technique: URIRef) -> str:
    """The last path segment of a technique IRI: the technique page is /techniques/<id>."""
    return str(technique).rstrip("/").rsplit("/", 1)[-1]


def _text(value: Node | None) -> str:
    return "" if value is None else str(value)


def _split(value: Node | None, separator: str) -> tuple[str, ...]:
    return tuple(sorted(part for part in _text(value).split(separator) if part))


@dataclass(frozen=True)
class Bubble:
    """One technique in one category: where it sits and how big it is."""

    technique: URIRef
    label: str
    short: str
    cluster: URIRef | None
    partners: tuple[str, ...]
    instruments: tuple[str, ...]
    operando: bool
    scales: tuple[int, ...]  # indices into LENGTH_SCALES, sorted
    dimension: int | None

    @property
    def ident(self) -> str:
        return technique_id(self.technique)

    @property
    def placed(self) -> bool:
        return bool(self.scales) and self.dimension in DIMENSIONS

    @property
    def x(self) -> float:
        """Position on the length axis: 0 Å, 1 nm, 2 µm; a range sits between its ends."""
        return (self.scales[0] + self.scales[-1]) / 2

    @property
    def length_text(self) -> str:
        if not self.scales:
            return "not given by the sources"
        ends = {LENGTH_SCALES[self.scales[0]][1], LENGTH_SCALES[self.scales[-1]][1]}
        return "–".join(s for _, s in LENGTH_SCALES if s in ends)


@dataclass
class CompetenceChart:
    """The bubbles of one category (one of D5.1 Figures 4-6)."""

    category: URIRef
    slug: str
    figure: str
    title: str
    bubbles: list[Bubble] = field(default_factory=list)

    @property
    def placed(self) -> list[Bubble]:
        return [b for b in self.bubbles if b.placed]

    @property
    def unplaced(self) -> list[Bubble]:
        return [b for b in self.bubbles if not b.placed]

    def bubble(self, short_or_label: str) -> Bubble:
        for b in self.bubbles:
            if short_or_label in (b.short, b.label):
                return b
        raise KeyError(short_or_label)


def _bubble(row: dict[str, Node | None]) -> Bubble:
    scale_index = {str(iri): i for i, (iri, _) in enumerate(LENGTH_SCALES)}
    scales = tuple(sorted({scale_index[s] for s in _text(row["scales"]).split() if s in scale_index}))
    dimension = row["dimension"]
    return Bubble(
        technique=URIRef(str(row["technique"])),
        label=_text(row["label"]) or technique_id(URIRef(str(row["technique"]))),
        short=_text(row["short"]) or _text(row["label"]),
        cluster=URIRef(str(row["cluster"])) if row["cluster"] is not None else None,
        partners=_split(row["partnerNames"], "|"),
        instruments=_split(row["instrumentNames"], "|"),
        operando=truthy(row["operando"]),
        scales=scales,
        dimension=int(str(dimension)) if dimension is not None else None,
    )


def competence_charts(store: TripleStore) -> list[CompetenceChart]:
    """The three charts, in figure order; bubbles largest first, then by label."""
    titles = labels_of(store, {iri for iri, _, _ in CATEGORIES})
    charts = {iri: CompetenceChart(iri, slug, figure, titles.get(iri, slug))
              for iri, slug, figure in CATEGORIES}
    for row in page_query("competence").run(store).rows:
        chart = charts.get(URIRef(str(row["category"])))
        if chart is not None:
            chart.bubbles.append(_bubble(row))
    for chart in charts.values():
        chart.bubbles.sort(key=lambda b: (-len(b.partners), b.short.lower(), b.label))
    return list(charts.values())


@dataclass(frozen=True)
class UncategorisedInstrument:
    instrument: URIRef
    label: str
    partner: str
    site: str
    techniques: str


def uncategorised_instruments(store: TripleStore) -> list[UncategorisedInstrument]:
    """Instruments of matrix techniques that no chart can hold (no facility kind is known)."""
    return [UncategorisedInstrument(URIRef(str(r["instrument"])), _text(r["label"]), _text(r["partner"]),
                                    _text(r["site"]), _text(r["techniques"]))
            for r in page_query("uncategorised").run(store).rows]


@dataclass(frozen=True)
class ObservableRow:
    observable: URIRef
    label: str
    depth: int  # 0 at the top of the skos:broader tree


@dataclass(frozen=True)
class TechniqueColumn:
    technique: URIRef
    label: str
    short: str
    cluster: URIRef | None

    @property
    def ident(self) -> str:
        return technique_id(self.technique)


@dataclass(frozen=True)
class Cell:
    instruments: int  # available instruments serving the technique
    rows: int  # matrix rows of the technique giving the observable


@dataclass
class CoverageMap:
    """Observables (rows) against matrix techniques (columns)."""

    observables: list[ObservableRow]
    techniques: list[TechniqueColumn]
    cells: dict[tuple[URIRef, URIRef], Cell]

    def cell(self, observable: URIRef, technique: URIRef) -> Cell | None:
        return self.cells.get((observable, technique))

    def techniques_giving(self, observable: URIRef) -> int:
        return sum(1 for (o, _) in self.cells if o == observable)

    @property
    def unmeasured(self) -> list[ObservableRow]:
        """Observables no technique of the matrix gives."""
        return [o for o in self.observables if self.techniques_giving(o.observable) == 0]


def _tree_order(rows: list[dict[str, Node | None]]) -> list[ObservableRow]:
    """Depth first along skos:broader, siblings by label (an observable under two broader
    observables sits under the first by IRI)."""
    label = {URIRef(str(r["observable"])): _text(r["label"]) for r in rows}
    children: dict[URIRef | None, list[URIRef]] = {}
    for r in rows:
        parent = URIRef(str(r["parent"])) if r["parent"] is not None else None
        children.setdefault(parent if parent in label else None, []).append(URIRef(str(r["observable"])))
    ordered: list[ObservableRow] = []

    def walk(parent: URIRef | None, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=lambda o: label[o].lower()):
            if all(child != o.observable for o in ordered):
                ordered.append(ObservableRow(child, label[child], depth))
                walk(child, depth + 1)

    walk(None, 0)
    ordered += [ObservableRow(o, label[o], 0) for o in sorted(label, key=lambda o: label[o].lower())
                if all(o != r.observable for r in ordered)]  # only in a skos:broader cycle
    return ordered


def coverage_map(store: TripleStore) -> CoverageMap:
    observables = _tree_order(page_query("observables").run(store).rows)
    order = {c: i for i, c in enumerate(CLUSTER_ORDER)}
    columns = [TechniqueColumn(URIRef(str(r["technique"])), _text(r["label"]),
                               _text(r["short"]) or _text(r["label"]),
                               URIRef(str(r["cluster"])) if r["cluster"] is not None else None)
               for r in page_query("techniques").run(store).rows]
    columns.sort(key=lambda c: order.get(c.cluster, len(order)) if c.cluster else len(order))  # stable
    cells = {(URIRef(str(r["observable"])), URIRef(str(r["technique"]))):
             Cell(int(str(r["instruments"])), int(str(r["rows"])))
             for r in page_query("coverage").run(store).rows}
    return CoverageMap(observables, columns, cells)
