"""The filters of the matrix page: their choices, and the matrix as a filter selects it.

Filter values are the last part of an IRI (``Imaging``, ``lithium-distribution-and-gradients``,
``CTH``), matched without regard to case; an unknown value is an :class:`UnknownReference`.
The observable filter keeps rows giving a narrower observable too (``skos:broader*``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from bigmap_kg.browse.graph import Labels, Link, Record, number, run
from bigmap_kg.browse.matrix import CATEGORY_ORDER, CLUSTER_ORDER, MatrixRow, matrix_rows, rank, row_records
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.store.base import TripleStore

FACETS = ("cluster", "observable", "category", "partner")


@dataclass(frozen=True)
class MatrixFilters:
    """What the reader asked for; None (or False) is no filter."""

    cluster: str | None = None
    observable: str | None = None
    category: str | None = None
    partner: str | None = None
    operando: bool = False

    @classmethod
    def of(cls, values: Mapping[str, str | None]) -> MatrixFilters:
        """From form values: blank means no filter; operando is on for 1, true, on or yes."""
        given = {k: (values.get(k) or "").strip() or None for k in FACETS}
        on = (values.get("operando") or "").strip().lower() in ("1", "true", "on", "yes")
        return cls(**given, operando=on)

    @property
    def active(self) -> bool:
        return self.operando or any(getattr(self, k) for k in FACETS)


@dataclass(frozen=True)
class Choice:
    """One value a filter offers: its form value, label, row count and depth in a hierarchy."""

    link: Link
    rows: int
    depth: int = 0

    @property
    def value(self) -> str:
        return self.link.id


@dataclass
class FilterChoices:
    clusters: list[Choice] = field(default_factory=list)
    observables: list[Choice] = field(default_factory=list)
    categories: list[Choice] = field(default_factory=list)
    partners: list[Choice] = field(default_factory=list)

    def of(self, facet: str) -> list[Choice]:
        return {"cluster": self.clusters, "observable": self.observables,
                "category": self.categories, "partner": self.partners}[facet]

    def resolve(self, facet: str, value: str | None) -> Choice | None:
        """The choice a form value names; an unknown value is an error."""
        if value is None:
            return None
        for choice in self.of(facet):
            if choice.value.casefold() == value.casefold():
                return choice
        known = ", ".join(sorted({c.value for c in self.of(facet)})[:12])
        raise UnknownReference(f"no {facet} {value!r} in the matrix", Location(field=facet),
                               hint=f"known values include {known}")


def filter_choices(store: TripleStore) -> FilterChoices:
    """Every value each filter offers, with the number of rows it selects on its own."""
    counts = run(store, "matrix-filter-options")
    tree = run(store, "matrix-observable-tree")
    labels = Labels(store, counts, tree)
    by_facet: dict[str, list[Choice]] = defaultdict(list)
    for line in counts:
        by_facet[str(line["facet"])].append(Choice(labels.need(line["value"]), number(line["rows"])))
    choices = FilterChoices(
        clusters=sorted(by_facet["cluster"], key=lambda c: rank(CLUSTER_ORDER, c.link.iri)),
        categories=sorted(by_facet["category"], key=lambda c: rank(CATEGORY_ORDER, c.link.iri)),
        partners=sorted(by_facet["partner"], key=lambda c: c.link.sort_key))
    choices.observables = observable_tree(by_facet["observable"], tree)
    return choices


def observable_tree(offered: list[Choice], tree: list[Record]) -> list[Choice]:
    """The offered observables depth-first under their broader ones, by label; an observable
    with two broader ones appears under each."""
    by_iri = {c.link.iri: c for c in offered}
    children: dict[str | None, list[Choice]] = defaultdict(list)
    has_parent: set[str] = set()
    for line in tree:
        child, parent = str(line["observable"]), line["broader"]
        if child in by_iri and parent is not None and str(parent) in by_iri:
            children[str(parent)].append(by_iri[child])
            has_parent.add(child)
    children[None] = [c for iri, c in by_iri.items() if iri not in has_parent]
    ordered: list[Choice] = []

    def walk(parent: str | None, depth: int, path: frozenset[str]) -> None:
        for choice in sorted(children[parent], key=lambda c: c.link.sort_key):
            if choice.link.iri in path:
                continue
            ordered.append(Choice(choice.link, choice.rows, depth))
            walk(choice.link.iri, depth + 1, path | {choice.link.iri})

    walk(None, 0, frozenset())
    return ordered


@dataclass
class MatrixView:
    filters: MatrixFilters
    choices: FilterChoices
    rows: list[MatrixRow]
    total: int
    chosen: dict[str, Choice] = field(default_factory=dict)


def matrix_view(store: TripleStore, filters: MatrixFilters) -> MatrixView:
    """The matrix rows the filters select, out of all rows."""
    choices = filter_choices(store)
    chosen = {facet: c for facet in FACETS if (c := choices.resolve(facet, getattr(filters, facet)))}
    every = row_records(store)
    if filters.active:
        params = {facet: URIRef(c.link.iri) for facet, c in chosen.items()}
        selected = row_records(store, **params, operando=Literal(True) if filters.operando else None)
    else:
        selected = every
    return MatrixView(filters, choices, matrix_rows(store, selected), len(every), chosen)
