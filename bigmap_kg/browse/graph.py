"""Running the page queries and turning their terms into labelled links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.term import Node

from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.namespaces import ID
from bigmap_kg.output import labels_of
from bigmap_kg.queries import inject_values, page_query
from bigmap_kg.store.base import TripleStore

Record = dict[str, Node | None]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
PREFIXES = {"https://w3id.org/emmo/domain/characterisation-methodology/chameo#": "chameo:",
            "https://w3id.org/bigmap-kg/ontology#": "bmk:"}


def run(store: TripleStore, name: str, **params: Node | None) -> list[Record]:
    """The solutions of a page query, each parameter ``x`` bound as ``?_x`` (None: unbound)."""
    query = page_query(name)
    known = {p.name for p in query.parameters}
    bound = {k: v for k, v in params.items() if v is not None}
    for key in bound:
        if key not in known:
            raise UnknownReference(f"page query {name!r} has no parameter {key!r}", Location(field=key))
    text = inject_values(query.text, [([f"_{k}"], [[v]]) for k, v in bound.items()], query.name)
    return store.select(text).rows


def entity_iri(kind: str, ident: str) -> URIRef:
    """The IRI ``id/<kind>/<ident>`` of a catalogue entity, for the last segment of its IRI."""
    if not _ID.match(ident):
        raise UnknownReference(f"{ident!r} is not the name of a {kind}", Location(field=kind),
                               hint="names are the last part of the IRI, such as x-ray-diffraction")
    return ID[f"{kind}/{ident}"]


@dataclass(frozen=True)
class Link:
    """A thing of the graph with its label; ``kind`` and ``id`` name its page."""

    iri: str
    label: str

    @property
    def kind(self) -> str:
        """``technique``, ``cell``, ``partner``, ... for ``id/<kind>/<id>`` IRIs, else ''."""
        rest = self.iri[len(str(ID)):] if self.iri.startswith(str(ID)) else ""
        return rest.split("/", 1)[0] if "/" in rest else ""

    @property
    def id(self) -> str:
        return re.split(r"[/#]", self.iri)[-1]

    @property
    def sort_key(self) -> str:
        return self.label.casefold()


class Labels:
    """The labels of every IRI in some records, fetched at once."""

    def __init__(self, store: TripleStore, *record_lists: list[Record]):
        iris = {v for records in record_lists for r in records for v in r.values() if isinstance(v, URIRef)}
        self._labels = labels_of(store, iris)

    def link(self, term: Node | None) -> Link | None:
        if not isinstance(term, URIRef):
            return None
        return Link(str(term), self._labels.get(term) or _short(str(term)))

    def need(self, term: Node | None) -> Link:
        link = self.link(term)
        if link is None:
            raise ValueError(f"expected an IRI, got {term!r}")
        return link


def _short(iri: str) -> str:
    for prefix, short in PREFIXES.items():
        if iri.startswith(prefix):
            return short + iri[len(prefix):]
    return re.split(r"[/#]", iri)[-1] or iri


def text(term: Node | None) -> str | None:
    """A literal's text; None for no value or an empty one."""
    return str(term) if term is not None and str(term) != "" else None


def texts(term: Node | None, separator: str = " | ") -> list[str]:
    """The values a query joined with ``separator`` (GROUP_CONCAT)."""
    joined = text(term)
    return joined.split(separator) if joined else []


def number(term: Node | None) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


def truth(term: Node | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def decimal_text(term: Node | None) -> str | None:
    """A number as the shortest plain decimal: 40000.0 -> '40000', 0.30 -> '0.3'."""
    if not isinstance(term, Literal):
        return None
    return format(Decimal(str(term)).normalize(), "f")


def unique(links: list[Link]) -> list[Link]:
    """Each link once, sorted by label."""
    return sorted({link.iri: link for link in links}.values(), key=lambda link: link.sort_key)


def natural_key(name: str) -> list[int | str]:
    """Sorts 'd51-8' before 'd51-15'."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]
