"""What one entry adds to the derived graphs: the summary cells it counts in and its name keys.

Every entry counts once in the ``TypeCount`` of each class it is an instance of (its asserted
classes and their superclasses), and in ``InDevelopmentCount`` when its status says it is in
development. A logbook measurement (an instance of ``bmk:Measurement`` with a technique) also
counts once in each cell its facts fall in; a fact it does not record is a dimension left out:

- ``PartnerTechniqueCount`` (partner, technique): the dashboard aggregate;
- ``UsageCount`` (partner, technique, instrument or none): who used a technique;
- ``InstrumentTechniqueCount`` (instrument, technique), ``UnnamedInstrumentCount`` (partner,
  technique; no instrument named), ``InstrumentShapeCount`` (instrument, technique, shape of a
  measured sample) and ``UnnamedInstrumentShapeCount`` (partner, technique, shape): the
  planner's logbook facts;
- ``ActivityCount`` (partner, technique, instrument, mode, trigger, request): what a partner
  measured; ``TriggerCount`` (partner, technique, trigger, request): which measurements
  modelling, AI or a request triggered;
- ``MaterialCount`` (material, partner, technique, mode): who measured a material. A measured
  sample's materials are those it is made of; a sample that names none has those of its nearest
  ancestors that do, along each line of descent (a piece cut from an LNO electrode is LNO; the
  graphite electrode harvested from an LNO||Gr cell names graphite and stays graphite);
- ``ObservableCount`` (observable, partner, technique): who investigated an observable;
- ``ArchiveCount`` (partner, technique, problem): measurements without an archive record,
  without a notebook entry, or with both not linked to each other (D5.3 Figures 25-26).

Besides the counts, two kinds of derived facts: name keys (the names graph), an entry's
identifiers, labels and formulas in lower case, for every entry but the logbook's events
(measurements, shipments, archive records, notebook entries), which no named query looks up by
name; and the materials a sample counts as (``bmk:countsAsMaterial`` in the summary graph),
by the rule above, which ``measurements-of-material`` lists from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from itertools import product

from rdflib import Literal

from bigmap_kg.closure import reachable
from bigmap_kg.namespaces import BMK_IRI, NAMES_GRAPH, SUMMARY_GRAPH
from bigmap_kg.queries import sparql_term
from bigmap_kg.store.change import Lit
from bigmap_kg.summary.view import View

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
NAME_PREDICATES = (BMK_IRI + "identifier", _SKOS + "prefLabel", _SKOS + "altLabel", BMK_IRI + "formula")
CELL_PREFIX = "https://w3id.org/bigmap-kg/summary/"


def bmk(name: str) -> str:
    return BMK_IRI + name


TECHNIQUE, PARTNER, INSTRUMENT = bmk("technique"), bmk("performedBy"), bmk("instrument")
MODE, TRIGGER, REQUEST = bmk("mode"), bmk("triggeredBy"), bmk("answersRequest")
OBSERVABLE, SAMPLE = bmk("investigatedObservable"), bmk("measuredSample")
SHAPE, MADE_OF, DERIVED_FROM = bmk("sampleShape"), bmk("madeOf"), bmk("derivedFrom")
DOCUMENTS, LINKS_RECORD, STATUS = bmk("documents"), bmk("linksRecord"), bmk("status")
MEASUREMENT, RECORD, NOTEBOOK = bmk("Measurement"), bmk("ArchiveRecord"), bmk("NotebookEntry")
IN_DEVELOPMENT = bmk("InDevelopment")
UNNAMED_CLASSES = frozenset({MEASUREMENT, bmk("Shipment"), RECORD, NOTEBOOK})
#: The counts of these kinds are of entries (bmk:instanceCount), the others' of measurements.
INSTANCE_KINDS = frozenset({"TypeCount", "InDevelopmentCount"})
#: The problems an ArchiveCount counts, as archive-completeness words them.
NO_RECORD_NO_ENTRY = "no archive record and no notebook entry"
NO_RECORD, NO_ENTRY = "no archive record", "no notebook entry"
NOT_LINKED = "archive record and notebook entry not linked"

SAMPLE_CLASS, COUNTS_AS = bmk("Sample"), bmk("countsAsMaterial")
Fact = tuple[str, str]  # the derived graph, an N-Triples line
Dims = tuple[tuple[str, str | None], ...]  # (dimension property local name, value or None)
Cell = tuple[str, Dims]  # kind local name, dimensions


class Classes:
    """The class hierarchy (``rdfs:subClassOf`` pairs): each class with its superclasses."""

    def __init__(self, located: Iterable[tuple[str, str, str]]):
        """``located``: (graph, subclass, superclass) of each rdfs:subClassOf triple."""
        self.located = frozenset(located)
        self.pairs = frozenset((sub, sup) for _g, sub, sup in self.located)
        self._parents: dict[str, set[str]] = {}
        for sub, sup in self.pairs:
            self._parents.setdefault(sub, set()).add(sup)
        self._closure: dict[str, frozenset[str]] = {}

    def closure(self, cls: str) -> frozenset[str]:
        found = self._closure.get(cls)
        if found is None:
            found = self._closure[cls] = frozenset(reachable(cls, lambda c: self._parents.get(c, ())))
        return found

    def of(self, types: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for t in types:
            if not isinstance(t, Lit):
                out |= self.closure(t)
        return frozenset(out)


def cell(kind: str, **dimensions: str | None) -> Cell:
    """A cell of ``kind``; each dimension ``X`` is the property ``bmk:countedX``."""
    return kind, tuple((f"counted{name}", value) for name, value in dimensions.items())


def cell_iri(cell: Cell) -> str:
    kind, dims = cell
    key = " ".join(f"{name}={value if value is not None else '-'}" for name, value in dims)
    return f"{CELL_PREFIX}{kind}/{hashlib.md5(key.encode('utf-8')).hexdigest()}"


def _iris(values: list[str]) -> set[str]:
    return {v for v in values if not isinstance(v, Lit)}


def _or_none(values: set[str]) -> set[str | None]:
    return set(values) if values else {None}


class Contributions:
    """The cells and name keys of entries in one view of the store."""

    def __init__(self, view: View, classes: Classes):
        self.view, self.classes = view, classes

    def types(self, subject: str) -> frozenset[str]:
        return self.classes.of(self.view.values(subject, RDF_TYPE))

    def prefetch(self, subjects: list[str]) -> None:
        """Read in batches what the cells of these entries need (their samples and ancestors,
        the records and notebook entries documenting them)."""
        view = self.view
        view.fetch(subjects)
        samples = {s for m in subjects for s in _iris(view.values(m, SAMPLE))}
        frontier = samples
        seen: set[str] = set()
        while frontier:
            view.fetch(frontier)
            seen |= frontier
            frontier = {a for s in frontier for a in _iris(view.values(s, DERIVED_FROM))} - seen
        measurements = [m for m in subjects if view.values(m, SAMPLE) or view.values(m, TECHNIQUE)]
        view.fetch_referrers(DOCUMENTS, measurements)
        documenting = {d for m in measurements for d in view.referrers(DOCUMENTS, m)}
        view.fetch(documenting)
        view.fetch({r for d in documenting for r in _iris(view.values(d, LINKS_RECORD))})

    def cells(self, subject: str) -> set[Cell]:
        types = self.types(subject)
        out: set[Cell] = {cell("TypeCount", Class=c) for c in types}
        if IN_DEVELOPMENT in self.view.values(subject, STATUS):
            out |= {cell("InDevelopmentCount", Class=c) for c in types}
        if MEASUREMENT in types:
            out |= self.measurement_cells(subject)
        return out

    def measurement_cells(self, m: str) -> set[Cell]:
        v = self.view
        techniques = _iris(v.values(m, TECHNIQUE))
        if not techniques:
            return set()
        partners, instruments = _iris(v.values(m, PARTNER)), _iris(v.values(m, INSTRUMENT))
        modes = _or_none(_iris(v.values(m, MODE)))
        samples = _iris(v.values(m, SAMPLE))
        shapes = {sh for s in samples for sh in _iris(v.values(s, SHAPE))}
        out: set[Cell] = set()
        add = out.add
        for p, t in product(partners, techniques):
            add(cell("PartnerTechniqueCount", Partner=p, Technique=t))
            for i in _or_none(instruments):
                add(cell("UsageCount", Partner=p, Technique=t, Instrument=i))
            if not instruments:
                add(cell("UnnamedInstrumentCount", Partner=p, Technique=t))
                for sh in shapes:
                    add(cell("UnnamedInstrumentShapeCount", Partner=p, Technique=t, SampleShape=sh))
        for i, t in product(instruments, techniques):
            add(cell("InstrumentTechniqueCount", Instrument=i, Technique=t))
            for sh in shapes:
                add(cell("InstrumentShapeCount", Instrument=i, Technique=t, SampleShape=sh))
        triggers, requests = _or_none(_iris(v.values(m, TRIGGER))), _or_none(_iris(v.values(m, REQUEST)))
        for p, t, trigger, request in product(partners, techniques, triggers, requests):
            add(cell("TriggerCount", Partner=p, Technique=t, Trigger=trigger, Request=request))
        for p, t, i, mode, trigger, request in product(partners, techniques, _or_none(instruments), modes,
                                                      triggers, requests):
            add(cell("ActivityCount", Partner=p, Technique=t, Instrument=i, Mode=mode, Trigger=trigger,
                     Request=request))
        materials = {mat for s in samples for mat in self.materials(s)}
        for mat, p, t, mode in product(materials, partners, techniques, modes):
            add(cell("MaterialCount", Material=mat, Partner=p, Technique=t, Mode=mode))
        for o, p, t in product(_iris(v.values(m, OBSERVABLE)), partners, techniques):
            add(cell("ObservableCount", Observable=o, Partner=p, Technique=t))
        problem = self.archive_problem(m)
        if problem is not None:
            for p, t in product(partners, techniques):
                add(cell("ArchiveCount", Partner=p, Technique=t, Problem=problem))
        return out

    def materials(self, sample: str) -> set[str]:
        """The sample's materials, else its nearest ancestors' along each line of descent."""
        found: set[str] = set()
        seen, todo = {sample}, [sample]
        while todo:
            s = todo.pop()
            own = _iris(self.view.values(s, MADE_OF))
            if own:
                found |= own
                continue
            for parent in _iris(self.view.values(s, DERIVED_FROM)):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return found

    def archive_problem(self, m: str) -> str | None:
        v = self.view
        documenting = v.referrers(DOCUMENTS, m)
        records = [d for d in documenting if RECORD in self.types(d)]
        entries = [d for d in documenting if NOTEBOOK in self.types(d)]
        if not records and not entries:
            return NO_RECORD_NO_ENTRY
        if not records:
            return NO_RECORD
        if not entries:
            return NO_ENTRY
        for entry in entries:
            for record in _iris(v.values(entry, LINKS_RECORD)):
                if m in v.values(record, DOCUMENTS):
                    return None
        return NOT_LINKED

    def facts(self, subject: str) -> set[Fact]:
        """The entry's derived facts: its name keys, and for a sample the materials it counts as."""
        found = {(str(NAMES_GRAPH), key_line(subject, key)) for key in self.name_keys(subject)}
        if SAMPLE_CLASS in self.types(subject):
            found |= {(str(SUMMARY_GRAPH), material_line(subject, m)) for m in self.materials(subject)}
        return found

    def name_keys(self, subject: str) -> set[str]:
        types = self.view.values(subject, RDF_TYPE)
        if not types or UNNAMED_CLASSES.intersection(types):
            return set()
        return {name.lower() for p in NAME_PREDICATES for name in self.view.values(subject, p)
                if isinstance(name, Lit)}


def key_line(entry: str, key: str) -> str:
    return f"<{entry}> <{BMK_IRI}nameKey> {sparql_term(Literal(key))} ."


def material_line(sample: str, material: str) -> str:
    return f"<{sample}> <{COUNTS_AS}> <{material}> ."


def affected(view: View, touched: Iterable[str]) -> set[str]:
    """The entries whose cells and facts a change of ``touched`` can alter: themselves, the
    samples made from them and the measurements of all these (materials are inherited), and the
    measurements records and notebook entries among them document."""
    touched = set(touched)
    out = set(touched)
    view.fetch(touched)
    frontier, family = set(touched), set(touched)
    while frontier:
        view.fetch_referrers(DERIVED_FROM, frontier)
        frontier = {d for s in frontier for d in view.referrers(DERIVED_FROM, s)} - family
        family |= frontier
    view.fetch_referrers(SAMPLE, family)
    out |= family | {m for s in family for m in view.referrers(SAMPLE, s)}
    out |= {m for t in touched for m in _iris(view.values(t, DOCUMENTS))}
    return out


def chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
