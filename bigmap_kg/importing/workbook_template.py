"""The XLSX import template: a read-me sheet, one sheet per entry type with drop-down lists for
closed vocabularies (the shapes' sh:in lists, else the class's individuals) and date checks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import cache

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS

from bigmap_kg.importing.columns import Column, EntryType, find
from bigmap_kg.importing.workbook import LISTS_SHEET, README_SHEET
from bigmap_kg.namespaces import BMK_IRI
from bigmap_kg.validation import load_kind

FILLED_ROWS = 1000  # drop-downs and checks reach down to this row
FIXED_TIME = dt.datetime(2020, 9, 1)  # BIG-MAP's start: fixed so the bytes do not change
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BOLD = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFE699")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_FORMAT, DATE_FORMAT = "@", "yyyy-mm-dd"
README_TEXT = (
    "This workbook holds entries for the BIG-MAP knowledge graph (bigmap-kg): one sheet per entry "
    "type, one row per entry.",
    "Fill the rows below a sheet's header. Keep the column names on row 1 as they are; leave a cell "
    "empty when you have no value; delete the sheets you do not need or leave them empty.",
    "Columns with a yellow header are required. Point at a column name to see what it takes; "
    "columns with a drop-down take one of the listed values.",
    "Several values in one cell: separate them with ';'. Dates: YYYY-MM-DD. Refer to samples, "
    "measurements and records by their IDs, to partners, techniques and materials by name.",
    "Do not merge cells, and type values rather than formulas. The import checks every cell and "
    "reports every problem with its sheet, row and column; nothing is stored until there are none.",
)
README_COLUMNS = ("column", "required", "what it takes", "description", "example")


def workbook_template(keys: list[str]) -> bytes:
    """The XLSX workbook of the given entry types, bytes that do not change between runs."""
    types = [find(k) for k in keys]
    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    _fill_readme(readme, types)
    lists = _Lists(book.create_sheet(LISTS_SHEET))
    for et in types:
        _fill_entry_sheet(book.create_sheet(et.title), et, lists)
    lists.sheet.sheet_state = "hidden"
    book.move_sheet(lists.sheet, offset=len(types))  # last, out of the way
    book.properties.creator = "bigmap-kg"
    book.properties.created = book.properties.modified = FIXED_TIME
    return _saved(book)


def _fill_readme(sheet: Worksheet, types: list[EntryType]) -> None:
    sheet.append(["bigmap-kg import workbook"])
    sheet["A1"].font = Font(bold=True, size=14)
    for paragraph in README_TEXT:
        sheet.append([paragraph])
    for et in types:
        sheet.append([])
        sheet.append([f"Sheet '{et.title}'", et.about])
        sheet.cell(sheet.max_row, 1).font = BOLD
        sheet.append(list(README_COLUMNS))
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = BOLD, HEADER_FILL
        for c in et.columns:
            sheet.append([c.name, "yes" if c.required else "", c.expected(), c.about, c.example])
    for letter, width in zip("ABCDE", (26, 10, 48, 70, 30), strict=True):
        sheet.column_dimensions[letter].width = width


def _fill_entry_sheet(sheet: Worksheet, et: EntryType, lists: _Lists) -> None:
    sheet.append([c.name for c in et.columns])
    sheet.freeze_panes = "A2"
    for position, column in enumerate(et.columns, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(1, position)
        header.font, header.fill = BOLD, REQUIRED_FILL if column.required else HEADER_FILL
        note = f"{'Required. ' if column.required else ''}{column.about}\nTakes {column.expected()}."
        header.comment = Comment(note, "bigmap-kg", width=320, height=110)
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(max(len(column.name), len(column.example), 10) + 3, 45)
        dimension.number_format = DATE_FORMAT if column.kind == "date" else (
            "General" if column.kind in ("decimal", "integer", "boolean") else TEXT_FORMAT)
        check = _validation(et, column, lists)
        if check is not None:
            check.add(f"{letter}2:{letter}{FILLED_ROWS}")
            sheet.add_data_validation(check)


def _validation(et: EntryType, column: Column, lists: _Lists) -> DataValidation | None:
    """The check Excel makes as a cell is typed: a drop-down, a date, a number in range."""
    message = f"{column.name} takes {column.expected()}."
    if column.closed:
        message = f"{column.name} takes a value of the list" + ("; several: separate them with ';'."
                                                                if column.multiple else ".")
        check = DataValidation(type="list", formula1=lists.range_for(et, column), allow_blank=True)
        if column.multiple:  # several values typed with ';' must get through: warn only
            check.errorStyle = "warning"
    elif column.kind == "boolean":
        check = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    elif column.kind == "date":
        check = DataValidation(type="date", operator="greaterThan", formula1="DATE(1900,1,1)",
                               allow_blank=True)
    elif column.kind in ("decimal", "integer") and (column.minimum, column.maximum) != (None, None):
        check = _number_check(column)
    else:
        return None
    check.error, check.errorTitle, check.showErrorMessage = message, column.name[:32], True
    return check


def _number_check(column: Column) -> DataValidation:
    kind = "whole" if column.kind == "integer" else "decimal"
    low, high = (f"{b:g}" if b is not None else None for b in (column.minimum, column.maximum))
    if low is not None and high is not None:
        return DataValidation(type=kind, operator="between", formula1=low, formula2=high, allow_blank=True)
    if low is not None:
        return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=low, allow_blank=True)
    return DataValidation(type=kind, operator="lessThanOrEqual", formula1=high, allow_blank=True)


class _Lists:
    """The hidden sheet of drop-down choices: one list per distinct set of labels."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_for(self, et: EntryType, column: Column) -> str:
        choices = closed_choices(et, column)
        if choices not in self.ranges:
            position = len(self.ranges) + 1
            letter = get_column_letter(position)
            names = ", ".join(str(c).removeprefix(BMK_IRI) for c in column.classes)
            self.sheet.cell(1, position, value=f"{names} ({column.name})")
            for row, label in enumerate(choices, start=2):
                self.sheet.cell(row, position, value=label)
            self.ranges[choices] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(choices) + 1}"
        return self.ranges[choices]


def closed_choices(et: EntryType, column: Column) -> tuple[str, ...]:
    """The labels a closed column offers: the shapes' ``sh:in`` list for the entry type and
    property when there is one (in its order), else every individual of the column's class."""
    labels, members = _vocabulary()
    allowed = _shape_lists().get((et.cls, column.property))
    if allowed is not None:
        return tuple(labels[i] for i in allowed if i in labels)
    found = {labels[i] for cls in column.classes for i in members.get(cls, ()) if i in labels}
    return tuple(sorted(found, key=str.casefold))


@cache
def _vocabulary() -> tuple[dict[URIRef, str], dict[URIRef, set[URIRef]]]:
    """The English preferred label of each named thing of the ontology, and the things of each class."""
    ontology = load_kind("ontology")
    labels = {s: str(o) for s, o in ontology.subject_objects(SKOS.prefLabel)
              if isinstance(s, URIRef) and isinstance(o, Literal) and o.language in (None, "en")}
    members: dict[URIRef, set[URIRef]] = {}
    for thing, cls in ontology.subject_objects(RDF.type):
        if isinstance(thing, URIRef) and isinstance(cls, URIRef):
            members.setdefault(cls, set()).add(thing)
    return labels, members


@cache
def _shape_lists() -> dict[tuple[URIRef, URIRef], tuple[URIRef, ...]]:
    """``sh:in`` lists by (target class, property path) of the packaged shapes."""
    shapes = load_kind("shapes")
    found: dict[tuple[URIRef, URIRef], tuple[URIRef, ...]] = {}
    for shape, target in shapes.subject_objects(SH.targetClass):
        for prop in shapes.objects(shape, SH.property):
            path, choices = shapes.value(prop, SH.path), shapes.value(prop, SH["in"])
            if isinstance(path, URIRef) and isinstance(target, URIRef) and choices is not None:
                found[(target, path)] = tuple(i for i in Collection(shapes, choices) if isinstance(i, URIRef))
    return found


def _saved(book: Workbook) -> bytes:
    """The workbook's bytes, with fixed times in the zip entries (openpyxl's save would stamp now)."""
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), source.read(info.filename),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
