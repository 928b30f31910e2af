"""One instrument or beamline: who runs it, where, which techniques it serves, which cells and
holders fit it, the matrix rows that list it and the logbook measurements made on it
(``instrument-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bigmap_kg.browse.graph import Labels, Link, entity_iri, run, text, texts
from bigmap_kg.errors import Location, UnknownReference
from bigmap_kg.namespaces import BMK
from bigmap_kg.store.base import TripleStore


@dataclass(frozen=True)
class Related:
    """A cell, holder, matrix row or measurement linked to the instrument."""

    thing: Link
    how: str
    technique: Link | None = None
    partner: Link | None = None
    in_development: bool = False


@dataclass
class InstrumentPage:
    instrument: Link
    alt_labels: list[str]
    status: Link | None
    partner: Link | None
    site: Link | None
    city: str | None
    country: str | None
    models: list[str]
    descriptions: list[str]
    techniques: list[Link] = field(default_factory=list)
    cells: list[Related] = field(default_factory=list)
    holders: list[Related] = field(default_factory=list)
    rows: list[Related] = field(default_factory=list)
    measurements: list[Related] = field(default_factory=list)

    @property
    def in_development(self) -> bool:
        return self.status is not None and self.status.iri == str(BMK.InDevelopment)


def instrument_page(store: TripleStore, ident: str) -> InstrumentPage:
    iri = entity_iri("instrument", ident)
    about = run(store, "instrument-about", instrument=iri)
    if not about:
        raise UnknownReference(f"no instrument {ident!r}", Location(iri=str(iri)),
                               hint="the matrix and the technique pages link every instrument")
    related = run(store, "instrument-related", instrument=iri)
    labels = Labels(store, about, related)
    first = about[0]
    page = InstrumentPage(
        labels.need(first["instrument"]), sorted(texts(first["alt_labels"])), labels.link(first["status"]),
        labels.link(first["partner"]), labels.link(first["site"]), text(first["city"]),
        text(first["country"]), sorted(texts(first["model"])), sorted(texts(first["description"])))
    groups = {"cell": page.cells, "holder": page.holders, "row": page.rows, "measurement": page.measurements}
    for line in related:
        relation, thing = str(line["relation"]), labels.need(line["thing"])
        if relation == "technique":
            page.techniques.append(thing)
            continue
        groups[relation].append(Related(thing, str(line["how"]), labels.link(line["technique"]),
                                        labels.link(line["partner"]), line["status"] == BMK.InDevelopment))
    page.techniques.sort(key=lambda t: t.sort_key)
    for group in groups.values():
        group.sort(key=lambda r: (r.how, r.thing.sort_key))
    return page
