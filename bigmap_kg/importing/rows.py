"""Turning table rows into RDF: each cell parsed by its column's kind, references resolved,
every problem kept with its file, sheet, row and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from bigmap_kg.errors import BigmapKGError, Location
from bigmap_kg.importing.columns import MULTI_SEPARATOR, Column
from bigmap_kg.importing.problems import ImportProblem, Origin
from bigmap_kg.importing.resolve import ENTRY_CLASSES, Resolver, local_name
from bigmap_kg.importing.source import Mapped
from bigmap_kg.importing.tables import Table, TableRow, Value
from bigmap_kg.namespaces import BMK
from bigmap_kg.quantities import parse_quantity

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0"}


class Invalid(Exception):
    """A cell whose text is not what its column takes."""

    def __init__(self, message: str, expected: str | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected


def values_of(raw: Value, column: Column) -> list[str]:
    items = raw if isinstance(raw, list) else (raw.split(MULTI_SEPARATOR) if column.multiple else [raw])
    return [v.strip() for v in items if v.strip()]


def register_ids(tables: list[Table], resolver: Resolver, mapped: Mapped) -> set[Origin]:
    """First pass: every entry's ID, so that rows can refer to entries further down or in other
    files; an ID given twice is an error on its second row (returned, so that row is not mapped)."""
    seen: dict[tuple[URIRef, str], Origin] = {}
    repeated: set[Origin] = set()
    for table in tables:
        et = table.entry_type
        for row in table.rows:
            raw = row.values.get(et.id_column.name, "")
            ident = raw.strip() if isinstance(raw, str) else ""
            origin = table.origin(row.number, et.id_column.name)
            if not ident:
                continue
            if (et.cls, ident) in seen:
                first = seen[(et.cls, ident)]
                mapped.problems.append(ImportProblem(
                    origin, f"duplicate {et.id_column.name} {ident!r}: already used at {first.where()}",
                    value=ident, expected="each ID once per import"))
                repeated.add(table.origin(row.number))
                continue
            seen[(et.cls, ident)] = origin
            if _ID.fullmatch(ident):
                resolver.register(et.cls, ident, et.iri(ident))
                if et.cls not in ENTRY_CLASSES:  # instruments and cells are referred to by name too
                    for column in et.columns:
                        if column.property in (SKOS.prefLabel, SKOS.altLabel):
                            for name in values_of(row.values.get(column.name, ""), column):
                                resolver.register_name(et.cls, name, et.iri(ident))
    return repeated


def prefetch_references(tables: list[Table], resolver: Resolver) -> None:
    """Look up every entry ID that rows refer to, in a few queries."""
    wanted: list[str] = []
    for table in tables:
        for column in table.entry_type.columns:
            if column.kind == "ref" and any(c in ENTRY_CLASSES for c in column.classes):
                for row in table.rows:
                    wanted.extend(values_of(row.values.get(column.name, ""), column))
    resolver.prefetch(wanted)


def _map_row(table: Table, row: TableRow, resolver: Resolver, mapped: Mapped) -> None:
    et = table.entry_type
    id_col = et.id_column
    raw_id = row.values.get(id_col.name, "")
    ident = raw_id.strip() if isinstance(raw_id, str) else ""
    origin = table.origin(row.number)
    if not ident:
        mapped.problems.append(ImportProblem(table.origin(row.number, id_col.name),
                                             f"the row has no {id_col.name}", expected=id_col.expected()))
        return
    if not _ID.fullmatch(ident):
        mapped.problems.append(ImportProblem(table.origin(row.number, id_col.name),
                                             f"{ident!r} is not a usable ID", value=ident,
                                             expected=id_col.expected()))
        return
    entry = et.iri(ident)
    mapped.entries.setdefault(entry, origin)
    g = mapped.graph
    g.add((entry, RDF.type, et.cls))
    g.add((entry, BMK.identifier, Literal(ident)))
    for column in et.columns:
        if column.kind == "id":
            continue
        cell = table.origin(row.number, column.name)
        mapped.cells[(entry, local_name(column.property))] = cell
        texts = values_of(row.values.get(column.name, ""), column)
        if not texts:
            if column.required and (column.name in row.values or table.file.lower().endswith(".json")):
                mapped.problems.append(ImportProblem(cell, f"{column.name} is required and empty",
                                                     expected=column.expected()))
            continue
        if len(texts) > 1 and not column.multiple:
            texts = [", ".join(texts)]
        for text in texts:
            try:
                for term in _terms(column, text, entry, resolver, mapped):
                    g.add((entry, column.property, term))
            except Invalid as exc:
                mapped.problems.append(ImportProblem(cell, exc.message, value=text, expected=exc.expected))


def _terms(column: Column, text: str, entry: URIRef, resolver: Resolver, mapped: Mapped) -> list[Node]:
    kind = column.kind
    if kind == "text":
        return [Literal(text)]
    if kind == "date":
        return [Literal(_date(text), datatype=XSD.date)]
    if kind in ("decimal", "integer"):
        return [_number(column, text)]
    if kind == "boolean":
        if text.lower() in TRUE | FALSE:
            return [Literal(text.lower() in TRUE)]
        raise Invalid(f"{text!r} is not yes or no", "yes or no (true / false)")
    if kind == "url":
        if not _URL.fullmatch(text):
            raise Invalid(f"{text!r} is not an http(s) address", "an address such as https://...")
        return [Literal(text, datatype=XSD.anyURI)]
    if kind == "quantity":
        assert column.quantity_kind is not None
        try:
            quantity = parse_quantity(text, column.quantity_kind, Location(field=column.name))
        except BigmapKGError as exc:
            raise Invalid(exc.message, exc.hint) from exc
        return [quantity.to_graph(mapped.graph)]
    if kind == "file":
        node = BNode()  # part of the record's description, as a quantity is
        mapped.graph.add((node, RDF.type, BMK.DataFile))
        mapped.graph.add((node, BMK.fileName, Literal(text)))
        return [node]
    resolution = resolver.resolve(list(column.classes), text)
    if resolution.iri is None:
        raise Invalid(resolution.problem or f"unknown {text!r}", resolution.expected)
    return [resolution.iri]


def _date(text: str) -> date:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise Invalid(f"{text!r} is not a day of the calendar", "a real date written YYYY-MM-DD") from exc
    raise Invalid(f"{text!r} is not a date written YYYY-MM-DD",
                  "a date written YYYY-MM-DD, such as 2022-11-21")


def _number(column: Column, text: str) -> Literal:
    compact = text.replace(" ", "")
    if not _NUMBER.fullmatch(compact):
        raise Invalid(f"{text!r} is not a number", column.expected())
    if re.fullmatch(r"[-+]?\d{1,3},\d{3}", compact):
        raise Invalid(f"{text!r}: is the comma a decimal point or a thousands separator?",
                      f"{compact.replace(',', '')} or {compact.replace(',', '.')}")
    try:
        value = Decimal(compact.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern lets only numbers through
        raise Invalid(f"{text!r} is not a number", column.expected()) from exc
    if column.kind == "integer" and value != value.to_integral_value():
        raise Invalid(f"{text!r} is not a whole number", column.expected())
    if (column.minimum is not None and value < Decimal(str(column.minimum))) or (
            column.maximum is not None and value > Decimal(str(column.maximum))):
        raise Invalid(f"{text} is out of range", column.expected())
    if column.kind == "integer":
        return Literal(int(value), datatype=XSD.nonNegativeInteger if (column.minimum or 0) >= 0
                       else XSD.integer)
    return Literal(value, datatype=XSD.decimal)


def map_tables(tables: list[Table], resolver: Resolver,
               on_row: Callable[[int], None] | None = None) -> Mapped:
    """All tables of an import as one graph, with every problem; ``on_row`` is told of progress."""
    mapped = Mapped()
    repeated = register_ids(tables, resolver, mapped)
    prefetch_references(tables, resolver)
    for table in tables:
        for row in table.rows:
            mapped.rows += 1
            if table.origin(row.number) not in repeated:
                _map_row(table, row, resolver, mapped)
            if on_row is not None:
                on_row(1)
    return mapped
