"""Reading XLSX workbooks written in the templates' columns: every sheet but the read-me and the
hidden lists sheet is one table, rows numbered as Excel shows them (the header is row 1).

Cells become the text the CSV reader would have seen: dates ``YYYY-MM-DD``, whole numbers
without ``.0``, booleans ``yes`` / ``no``. Formulas are never calculated: a formula cell gives
the value Excel saved with it, and a formula saved without one (a file written by a script) is
a problem. Merged cells are a problem too: only their first cell holds the value.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bigmap_kg.importing.problems import WARNING, ImportProblem, Origin
from bigmap_kg.importing.source import Source
from bigmap_kg.importing.tables import ReadResult, table_from_lines

README_SHEET = "Read me"
LISTS_SHEET = "Lists"
SKIPPED_SHEETS = frozenset({README_SHEET.lower(), LISTS_SHEET.lower()})
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"
XLSX_EXPECTED = "an Excel workbook saved as .xlsx (Excel: File > Save as > Excel Workbook; " \
                "LibreOffice: File > Save as > Excel 2007-365)"


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(source: Source) -> ReadResult:
    """Every table sheet of a workbook, with every problem found in it. A sheet with a header and
    no rows (a template sheet left unused) is no problem, as long as some sheet holds entries."""
    opened = _open(source)
    if isinstance(opened, ImportProblem):
        return ReadResult(problems=[opened])
    values, formulas = opened
    result = ReadResult()
    for sheet in values.worksheets:
        if sheet.title.strip().lower() in SKIPPED_SHEETS:
            continue
        part = _read_sheet(source.name, sheet, formulas[sheet.title])
        result.tables.extend(part.tables)
        unused = {Origin(source.name, t.sheet, 2) for t in part.tables if not t.rows}
        result.problems.extend(p for p in part.problems if not (p.origin in unused and p.code == "no-rows"))
    if not any(t.rows for t in result.tables):
        result.problems.append(ImportProblem(Origin(source.name), "the workbook holds no entries",
                                             expected="a sheet per entry type, its column names on row 1 "
                                                      "and one row per entry below"))
    return result


def _open(source: Source) -> tuple[Workbook, Workbook] | ImportProblem:
    """The workbook twice: with the values Excel saved, and with the formulas."""
    if source.data.startswith(XLS_SIGNATURE):
        return ImportProblem(Origin(source.name), "the file is an Excel 97-2003 workbook (.xls)",
                             expected=XLSX_EXPECTED)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (we only read)
            values = load_workbook(io.BytesIO(source.data), data_only=True)
            formulas = load_workbook(io.BytesIO(source.data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        detail = str(exc).strip("'\"") or type(exc).__name__
        return ImportProblem(Origin(source.name), f"not a readable XLSX workbook ({detail})",
                             expected=XLSX_EXPECTED)
    return values, formulas


@dataclass
class _Grid:
    """A sheet's cells as text, trimmed to the area that holds values, with problems found."""

    texts: list[list[str]]
    problems: list[ImportProblem]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.texts), default=0)


def _read_sheet(file: str, sheet: Worksheet, formulas: Worksheet) -> ReadResult:
    grid = _grid(file, sheet, formulas)
    if not any(any(c.strip() for c in row) for row in grid.texts):
        empty = ImportProblem(Origin(file, sheet.title), "the sheet is empty: it was skipped",
                              severity=WARNING)
        return ReadResult(problems=grid.problems or [empty])
    header = [c.strip().lower() for c in grid.texts[0]]
    if not any(header):
        return ReadResult(problems=[ImportProblem(
            Origin(file, sheet.title, 1), "row 1 is blank: the column names must be on row 1",
            expected="the column names on row 1 (delete the blank rows above them)")])
    # a column with neither a name nor a value is a spacer, not a nameless column
    keep = [i for i, name in enumerate(header)
            if name or any(i < len(r) and r[i].strip() for r in grid.texts)]
    lines = [[row[i] if i < len(row) else "" for i in keep] for row in grid.texts[1:]]
    read = table_from_lines(file, sheet.title, [header[i] for i in keep], lines, sheet.title, first_row=2)
    placed = _merged_problems(file, sheet, header, len(grid.texts), grid.width)
    return ReadResult(read.tables, placed + grid.problems + read.problems)


def _grid(file: str, sheet: Worksheet, formulas: Worksheet) -> _Grid:
    texts: list[list[str]] = []
    problems: list[ImportProblem] = []
    header: list[str] = []
    for row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, 1), max_col=max(sheet.max_column, 1)):
        line: list[str] = []
        for cell in row:
            text, problem = _value(file, sheet.title, cell, formulas, header)
            line.append(text)
            if problem is not None:
                problems.append(problem)
        if not header:
            header = [c.strip().lower() for c in line]
        texts.append(line)
    while texts and not any(c.strip() for c in texts[-1]):
        texts.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in texts), default=0)
    return _Grid([r[:width] for r in texts], problems)


def _value(file: str, title: str, cell: Cell | MergedCell, formulas: Worksheet,
           header: list[str]) -> tuple[str, ImportProblem | None]:
    """A cell's text, and the problem with it: an error value, a formula with no saved value."""
    row, col, value, kind = cell.row, cell.column, cell.value, cell.data_type
    ref = f"{get_column_letter(col)}{row}"
    where = Origin(file, title, row, _column_name(header, col))
    if kind == "e":
        return "", ImportProblem(where, f"cell {ref} holds the error {value}", value=str(value),
                                 expected="a value (correct the formula or type the value)")
    if value is None and kind != "str":  # an empty text result is saved as type "str"
        formula = formulas.cell(row=row, column=col)
        if formula.data_type == "f":
            shown = formula.value if isinstance(formula.value, str) else getattr(formula.value, "text", "")
            return "", ImportProblem(where, f"cell {ref} holds a formula with no saved value ({shown})",
                                     value=str(shown), expected="the value typed in: formulas are not "
                                     "calculated on import (open and save the file in Excel, or paste "
                                     "the values)")
    return cell_text(value), None


def _column_name(header: list[str], col: int) -> str:
    name = header[col - 1] if col - 1 < len(header) else ""
    return name or get_column_letter(col)


def _merged_problems(file: str, sheet: Worksheet, header: list[str], height: int,
                     width: int) -> list[ImportProblem]:
    """One problem per merged range that overlaps the cells in use."""
    problems: list[ImportProblem] = []
    ranges = sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    for merged in ranges:
        if merged.min_row > height or merged.min_col > width:
            continue
        first = sheet.cell(row=merged.min_row, column=merged.min_col).value
        where = Origin(file, sheet.title, merged.min_row, _column_name(header, merged.min_col))
        across = "column" if merged.min_row == 1 else "row"
        problems.append(ImportProblem(
            where, f"cells {merged.coord} are merged", value=cell_text(first),
            expected=f"one value per cell: unmerge them and repeat the value in each {across}"))
    return problems
