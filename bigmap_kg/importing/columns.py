"""The import templates' columns, read from ``mappings/columns.yaml``: one entry type per sheet,
CSV file or JSON key, each column mapped to one property of the ontology."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

import yaml
from rdflib import URIRef
from rdflib.namespace import SKOS

from bigmap_kg.errors import ParseError
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.resources import data_dir

KINDS = ("id", "text", "date", "decimal", "integer", "boolean", "url", "quantity", "ref", "file")
MULTI_SEPARATOR = ";"


def _term(name: str) -> URIRef:
    if name.startswith("skos:"):
        return SKOS[name.removeprefix("skos:")]
    return BMK[name]  # DefinedNamespace: an unknown term fails here


@dataclass(frozen=True)
class Column:
    """One column of a template."""

    name: str
    kind: str
    property: URIRef
    about: str
    example: str = ""
    required: bool = False
    multiple: bool = False
    closed: bool = False
    classes: tuple[URIRef, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    quantity_kind: URIRef | None = None

    def expected(self) -> str:
        """What the column takes, in words (for error messages and the read-me sheet)."""
        text = {
            "id": "an ID (letters, digits, - . _ ~)", "text": "text", "date": "a date written YYYY-MM-DD",
            "decimal": "a number", "integer": "a whole number", "boolean": "yes or no",
            "url": "an http(s) address", "file": "a file name",
            "quantity": "a number and a unit, such as " + ("2 min" if self.quantity_kind == BMK.Duration
                                                          else "500 nm"),
            "ref": "the name or ID of a known " + " or ".join(_words(c) for c in self.classes),
        }[self.kind]
        if self.minimum is not None and self.maximum is not None:
            text += f" from {self.minimum:g} to {self.maximum:g}"
        elif self.minimum is not None:
            text += f" ≥ {self.minimum:g}"
        if self.multiple:
            text += f" (several: separate with '{MULTI_SEPARATOR}')"
        return text


def _words(cls: URIRef) -> str:
    from bigmap_kg.importing.resolve import class_name

    return class_name(cls)


@dataclass(frozen=True)
class EntryType:
    """One kind of entry: its class, where its IRIs live, its columns."""

    key: str
    cls: URIRef
    folder: str
    title: str
    about: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.kind == "id")

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def iri(self, identifier: str) -> URIRef:
        return ID[f"{self.folder}/{quote(identifier.strip(), safe='-._~')}"]


def _column(raw: dict[str, object], where: str) -> Column:
    try:
        classes = raw.get("class", [])
        classes = [classes] if isinstance(classes, str) else list(classes)  # type: ignore[call-overload]
        kind = str(raw["kind"])
        if kind not in KINDS:
            raise ParseError(f"{where}: unknown column kind {kind!r}", hint=f"one of {', '.join(KINDS)}")
        qkind = raw.get("quantity_kind")
        return Column(
            name=str(raw["name"]), kind=kind, property=_term(str(raw["property"])),
            about=str(raw.get("about", "")), example=str(raw.get("example", "") or ""),
            required=bool(raw.get("required", False)), multiple=bool(raw.get("multiple", False)),
            closed=bool(raw.get("closed", False)), classes=tuple(BMK[c] for c in classes),
            minimum=raw.get("min"), maximum=raw.get("max"),  # type: ignore[arg-type]
            quantity_kind=BMK[str(qkind)] if qkind else None)
    except (KeyError, AttributeError) as exc:
        raise ParseError(f"{where}: bad column definition ({exc})") from exc


@cache
def entry_types() -> dict[str, EntryType]:
    """Every entry type of ``mappings/columns.yaml``, by key, in the file's order."""
    text = data_dir("mappings").joinpath("columns.yaml").read_text(encoding="utf-8")
    found: dict[str, EntryType] = {}
    for key, raw in yaml.safe_load(text).items():
        columns = tuple(_column(c, f"mappings/columns.yaml: {key}") for c in raw["columns"])
        found[key] = EntryType(key, BMK[raw["class"]], raw["folder"], raw["title"], raw["about"], columns)
    return found


def entry_type(name: str) -> EntryType:
    """An entry type by key (``samples``), title (``Archive records``) or a file stem like it."""
    types = entry_types()
    wanted = name.strip().lower().replace(" ", "_").replace("-", "_")
    for key, et in types.items():
        if wanted in (key, key.rstrip("s"), et.title.lower().replace(" ", "_")):
            return et
    raise KeyError(name)


def type_for_header(header: list[str]) -> EntryType | None:
    """The entry type whose ID column the header holds (each type's ID column name is its own)."""
    names = {h.strip().lower() for h in header}
    matches = [et for et in entry_types().values() if et.id_column.name in names]
    return matches[0] if len(matches) == 1 else None


def find(key: str) -> EntryType:
    """An entry type by key, title or file stem (``samples``, ``Archive records``, ``sample``)."""
    from bigmap_kg.errors import UnknownReference

    try:
        return entry_type(key)
    except KeyError:
        raise UnknownReference(f"unknown entry type {key!r}",
                               hint=f"one of {', '.join(entry_types())}") from None
