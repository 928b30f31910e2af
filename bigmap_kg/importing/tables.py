"""Reading tables: CSV files and JSON documents written in the templates' columns. (XLSX
workbooks are read in :mod:`bigmap_kg.importing.workbook`.)"""

from __future__ import annotations

import csv
import difflib
import io
import json
from dataclasses import dataclass, field

from bigmap_kg.importing.columns import EntryType, entry_type, entry_types, type_for_header
from bigmap_kg.importing.problems import ImportProblem, Origin
from bigmap_kg.importing.source import Source

Value = str | list[str]


@dataclass
class TableRow:
    """One row: its number as the user counts it, and the raw text of each column."""

    number: int
    values: dict[str, Value]


@dataclass
class Table:
    """The rows of one entry type read from one file (and sheet)."""

    file: str
    sheet: str | None
    entry_type: EntryType
    rows: list[TableRow] = field(default_factory=list)

    def origin(self, row: int | None = None, column: str | None = None) -> Origin:
        return Origin(self.file, self.sheet, row, column)


@dataclass
class ReadResult:
    tables: list[Table] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def check_header(header: list[str], et: EntryType, origin: Origin, row: int = 1) -> list[ImportProblem]:
    """Blank, repeated, unknown and missing required columns, each one problem."""
    problems: list[ImportProblem] = []
    known = [c.name for c in et.columns]
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        where = Origin(origin.file, origin.sheet, row, name or f"#{position}")
        if not name:
            problems.append(ImportProblem(where, f"column {position} has no name", expected="a column name"))
        elif name in seen:
            problems.append(ImportProblem(where, f"column {name!r} appears twice", value=name,
                                          expected="each column once"))
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"one of {', '.join(close)}" if close else f"a column of {et.title}: {', '.join(known)}"
            problems.append(ImportProblem(where, f"unknown column {name!r} for {et.title.lower()}",
                                          value=name, expected=hint))
        seen.add(name)
    for column in et.columns:
        if column.required and column.name not in seen:
            problems.append(ImportProblem(Origin(origin.file, origin.sheet, row, column.name),
                                          f"required column {column.name!r} is missing",
                                          expected=f"a column {column.name!r}: {column.about}",
                                          code="missing-column"))
    return problems


def choose_type(header: list[str], hint_name: str, origin: Origin) -> EntryType | ImportProblem:
    """The entry type of a table: by its ID column, else by the file or sheet name."""
    found = type_for_header(header)
    if found is not None:
        return found
    try:
        return entry_type(hint_name)
    except KeyError:
        ids = ", ".join(et.id_column.name for et in entry_types().values())
        return ImportProblem(Origin(origin.file, origin.sheet, 1),
                             "cannot tell which entries this table holds",
                             expected=f"a header with one of the ID columns {ids}, or a file named like "
                                      f"the entry type (samples.csv, measurements.csv...)")


# -- CSV --------------------------------------------------------------------------------------
def decode(source: Source) -> str | ImportProblem:
    """UTF-8 text (a byte-order mark is dropped); anything else is a problem with its line."""
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ImportProblem(Origin(source.name, row=1), "the file is UTF-16 text",
                             expected="UTF-8 text (in Excel: save as 'CSV UTF-8')")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        return ImportProblem(Origin(source.name, row=line),
                             f"not UTF-8 text: byte 0x{byte} on line {line}",
                             expected="UTF-8 text (in Excel: save as 'CSV UTF-8'; in LibreOffice: "
                                      "character set Unicode (UTF-8))")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv(source: Source) -> ReadResult:
    text = decode(source)
    if isinstance(text, ImportProblem):
        return ReadResult(problems=[text])
    if not text.strip():
        return ReadResult(problems=[ImportProblem(Origin(source.name), "the file is empty",
                                                  expected="a header row and one row per entry")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    try:
        lines = list(reader)
    except csv.Error as exc:
        return ReadResult(problems=[ImportProblem(Origin(source.name, row=reader.line_num),
                                                  f"not a readable CSV file: {exc}")])
    header = [h.strip().lower() for h in lines[0]]
    stem = source.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return table_from_lines(source.name, None, header, lines[1:], stem, first_row=2)


def table_from_lines(file: str, sheet: str | None, header: list[str], lines: list[list[str]],
                     hint_name: str, first_row: int) -> ReadResult:
    """A table from a header and rows of text (CSV lines, or sheet rows)."""
    origin = Origin(file, sheet)
    et = choose_type(header, hint_name, origin)
    if isinstance(et, ImportProblem):
        return ReadResult(problems=[et])
    problems = check_header(header, et, origin, row=first_row - 1)
    table = Table(file, sheet, et)
    for number, cells in enumerate(lines, start=first_row):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(ImportProblem(table.origin(number), f"row has {len(cells)} cells but the header "
                                          f"only {len(header)} columns", expected="one cell per column"))
        values: dict[str, Value] = {name: cells[i].strip() if i < len(cells) else ""
                                    for i, name in enumerate(header) if name}
        table.rows.append(TableRow(number, values))
    if not table.rows:
        problems.append(ImportProblem(table.origin(first_row), "the table has a header but no rows",
                                      expected="one row per entry below the header", code="no-rows"))
    return ReadResult([table], problems)


# -- JSON (the templates' plain keys; the @context makes it JSON-LD too) ----------------------
def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _rows(items: list[object], table: Table, problems: list[ImportProblem]) -> None:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(ImportProblem(table.origin(number), "an entry must be a JSON object",
                                          value=_text(item)[:60], expected='{"column": "value", ...}'))
            continue
        values: dict[str, Value] = {}
        for key, value in item.items():
            if key in ("@type", "@id"):
                continue
            values[key] = [_text(v) for v in value] if isinstance(value, list) else _text(value)
        header_problems = check_header(list(values), table.entry_type, table.origin(), row=number)
        # a key left out of one object is a missing value (the row mapper says so), not a missing column
        problems.extend(p for p in header_problems if p.code != "missing-column")
        table.rows.append(TableRow(number, values))


def read_json_tables(source: Source, document: object) -> ReadResult:
    """``{"samples": [...], "measurements": [...]}``, or JSON-LD ``{"@graph": [{"@type": "Sample"...}]}``."""
    result = ReadResult()
    if not isinstance(document, dict):
        result.problems.append(ImportProblem(Origin(source.name), "the document is not a JSON object",
                                             expected='{"samples": [...], "measurements": [...]}'))
        return result
    groups: dict[str, list[object]] = {}
    for key, value in document.items():
        if key == "@context":
            continue
        if key == "@graph" and isinstance(value, list):
            for item in value:
                name = str(item.get("@type", "")) if isinstance(item, dict) else ""
                groups.setdefault(name or "(no @type)", []).append(item)
            continue
        groups[key] = value if isinstance(value, list) else [value]
    for key, items in groups.items():
        et = _json_type(key)
        if et is None:
            known = ", ".join(entry_types())
            result.problems.append(ImportProblem(Origin(source.name, key), f"unknown entry type {key!r}",
                                                 value=key, expected=f"one of {known}"))
            continue
        table = Table(source.name, key, et)
        _rows(items, table, result.problems)
        result.tables.append(table)
    if not result.tables and not result.problems:
        result.problems.append(ImportProblem(Origin(source.name), "the document holds no entries",
                                             expected='{"samples": [...], ...}'))
    return result


def _json_type(key: str) -> EntryType | None:
    for et in entry_types().values():
        if key == str(et.cls).rsplit("#", 1)[-1]:
            return et
    try:
        return entry_type(key)
    except KeyError:
        return None


def load_json(source: Source) -> object | ImportProblem:
    text = decode(source)
    if isinstance(text, ImportProblem):
        return text
    if not text.strip():
        return ImportProblem(Origin(source.name), "the file is empty", expected="a JSON document")
    try:
        return json.loads(text)
    except RecursionError:
        return ImportProblem(Origin(source.name), "the JSON is nested too deeply to be read",
                             expected="entries a few levels deep")
    except json.JSONDecodeError as exc:
        return ImportProblem(Origin(source.name, row=exc.lineno, column=f"character {exc.colno}"),
                             f"not valid JSON: {exc.msg}")
