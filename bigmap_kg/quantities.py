"""Reading values with units ("500 nm", "2 min") against the units of ``ontology/vocabulary.ttl``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from bigmap_kg.errors import Location, ParseError
from bigmap_kg.namespaces import BMK

_QUANTITY = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*(\S.*?)\s*$")


@dataclass(frozen=True)
class Unit:
    iri: URIRef
    symbol: str
    kind: URIRef
    si_factor: Decimal


@dataclass(frozen=True)
class Quantity:
    """A value as written, with its number and unit."""

    text: str
    value: Decimal
    unit: Unit

    @property
    def si(self) -> Decimal:
        """The value in the SI unit of its kind (metre, second, ...)."""
        return self.value * self.unit.si_factor

    def to_graph(self, graph: Graph) -> BNode:
        node = BNode()
        graph.add((node, RDF.type, BMK.Quantity))
        graph.add((node, BMK.originalText, Literal(self.text)))
        number = Literal(format(self.value, "f"), datatype=XSD.decimal)
        graph.add((node, BMK.minValue, number))
        graph.add((node, BMK.maxValue, number))
        graph.add((node, BMK.unit, self.unit.iri))
        return node


def unit_names(ontology: Graph) -> dict[str, Unit]:
    """Every name of every unit (symbol, labels, plural of the label), lower-cased, to its unit."""
    names: dict[str, Unit] = {}
    for iri in ontology.subjects(RDF.type, BMK.Unit):
        assert isinstance(iri, URIRef)
        symbol = str(ontology.value(iri, BMK.symbol) or "")
        kind = ontology.value(iri, BMK.quantityKind)
        factor = ontology.value(iri, BMK.siFactor)
        if not isinstance(kind, URIRef) or factor is None:
            continue
        unit = Unit(iri, symbol, kind, Decimal(str(factor)))
        labels = [symbol, *map(str, ontology.objects(iri, SKOS.prefLabel)),
                  *map(str, ontology.objects(iri, SKOS.altLabel))]
        for label in labels:
            if label:
                names[label.lower()] = unit
        for label in labels:
            if len(label) > 3 and label.isalpha():  # "minutes", "microns", "hours"
                names.setdefault(label.lower() + "s", unit)
    return names


@lru_cache(maxsize=1)
def _packaged_units() -> dict[str, Unit]:
    from bigmap_kg.validation import load_kind

    return unit_names(load_kind("ontology"))


KIND_NAMES = {BMK.Length: "a length", BMK.Duration: "a time", BMK.Area: "an area"}


def parse_quantity(text: object, kind: URIRef, location: Location,
                   units: dict[str, Unit] | None = None) -> Quantity:
    """A quantity of the given kind from text such as ``"500 nm"``; a clear error otherwise."""
    units = units if units is not None else _packaged_units()
    wanted = KIND_NAMES.get(kind, "a value")
    examples = {BMK.Length: "500 nm, 2 µm, 1 mm", BMK.Duration: "10 s, 2 min, 1 h"}.get(kind, "")
    match = _QUANTITY.match(str(text)) if isinstance(text, str) else None
    if match is None:
        raise ParseError(f"{text!r} is not {wanted} with a unit", location,
                         hint=f"write a number and a unit, such as {examples}")
    number, unit_text = match.groups()
    if re.fullmatch(r"[0-9]{1,3},[0-9]{3}", number):
        raise ParseError(f"{text!r}: is the comma a decimal point or a thousands separator?", location,
                         hint=f"write {number.replace(',', '')} or {number.replace(',', '.')}")
    try:
        value = Decimal(number.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
        raise ParseError(f"{number!r} is not a number", location) from exc
    unit = units.get(unit_text.lower())
    if unit is None:
        same_kind = sorted({u.symbol for u in units.values() if u.kind == kind})
        raise ParseError(f"unknown unit {unit_text!r} in {text!r}", location,
                         hint=f"use one of {', '.join(same_kind)}")
    if unit.kind != kind:
        raise ParseError(f"{text!r} is not {wanted}", location,
                         hint=f"write {wanted}, such as {examples}")
    if value <= 0:
        raise ParseError(f"{text!r} must be larger than zero", location)
    return Quantity(str(text).strip(), value, unit)
