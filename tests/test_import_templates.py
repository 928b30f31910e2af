"""The import templates (CSV, JSON-LD, XLSX), the JSON-LD @context, and the XLSX reader: templates
read back as their entry types, drop-downs hold the vocabulary, workbook cells read as the CSV
reader's text, and merged cells, formulas and broken files are problems placed in their cells."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import rdflib.namespace as ns
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from rdflib import Graph, Literal, URIRef

from bigmap_kg.errors import UnknownReference
from bigmap_kg.importing.columns import Column, EntryType, entry_types
from bigmap_kg.importing.source import Source
from bigmap_kg.importing.tables import read_csv, read_json_tables
from bigmap_kg.importing.templates import (
    CONTEXT_URL,
    WORKBOOK_NAME,
    context_document,
    csv_template,
    datatype,
    json_template,
    template,
    workbook_template,
    write_examples,
)
from bigmap_kg.importing.workbook import LISTS_SHEET, README_SHEET, read_xlsx
from bigmap_kg.importing.workbook_template import closed_choices
from bigmap_kg.namespaces import BMK
from bigmap_kg.validation import load_kind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "templates"
TYPES = list(entry_types().values())


def all_types_workbook() -> Any:
    return load_workbook(io.BytesIO(workbook_template([et.key for et in TYPES])))


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, cached: dict[str, str]) -> bytes:
    """A workbook whose formula cells carry saved values, as Excel writes them (openpyxl cannot):
    ``{"B2": "3"}`` or ``{"B2": "e:#DIV/0!"}`` for an error value."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for ref, value in cached.items():
                    kind, value = ("e", value[2:]) if value.startswith("e:") else ("n", value)
                    text = re.sub(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v ?/>',
                                  rf'<c r="{ref}"\1 t="{kind}"><f>\2</f><v>{value}</v>', text)
                content = text.encode()
            target.writestr(name, content)
    return out.getvalue()


# -- CSV templates ------------------------------------------------------------------------------
@pytest.mark.parametrize("et", TYPES, ids=lambda et: et.key)
def test_csv_template_reads_back_as_its_entry_type_without_header_problems(et: EntryType) -> None:
    data = csv_template(et)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to keep the file UTF-8
    for name in (f"{et.key}.csv", "upload.csv"):  # by file name, and by the ID column alone
        result = read_csv(Source(name, data))
        assert [t.entry_type for t in result.tables] == [et]
        assert [p.message for p in result.problems] == ["the table has a header but no rows"]


def test_template_finds_the_entry_type_by_key_title_or_file_stem() -> None:
    records = entry_types()["archive_records"]
    assert template("Archive records", "csv") == template("archive_records", "csv") == csv_template(records)
    assert template("sample", "json") == json_template(["samples"])
    assert template("cells", "xlsx") == workbook_template(["cells"])


def test_unknown_entry_type_or_format_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownReference, match="unknown entry type 'specimens'") as caught:
        template("specimens", "csv")
    assert "samples" in (caught.value.hint or "")
    with pytest.raises(UnknownReference, match="unknown template format 'ods'"):
        template("samples", "ods")


# -- the JSON-LD context and JSON templates ------------------------------------------------------
def filled_value(column: Column) -> str:
    value = {"date": "2022-11-21", "decimal": "80", "integer": "3", "boolean": "true",
             "url": "https://archive.big-map.eu/records/ggvxb-z1a82"}.get(column.kind, column.example or "x")
    return value.split(";")[0].strip() or "x"


def parse_filled(types: list[EntryType]) -> Graph:
    """The JSON template of the types, every key given a value, parsed with the context inlined."""
    document = json.loads(json_template([et.key for et in types]))
    assert document["@context"] == CONTEXT_URL
    document["@context"] = context_document()["@context"]
    for item, et in zip(document["@graph"], types, strict=True):
        for column in et.columns:
            value = filled_value(column)
            item[column.name] = [value] if column.multiple else value
    return Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.mark.parametrize("et", TYPES, ids=lambda et: et.key)
def test_json_template_keys_map_to_their_properties_through_the_context(et: EntryType) -> None:
    graph = parse_filled([et])
    entry = graph.value(predicate=ns.RDF.type, object=et.cls)
    assert entry is not None
    for column in et.columns:
        objects = list(graph.objects(entry, column.property))
        assert len(objects) == 1, f"{et.key}.{column.name} -> {column.property}"
        kind = datatype(column)
        expected = Literal(filled_value(column), datatype=ns.XSD[kind.removeprefix("xsd:")] if kind else None)
        assert objects[0] == expected, column.name
    assert set(graph.predicates()) == {ns.RDF.type} | {c.property for c in et.columns}


def test_keys_with_two_meanings_follow_the_objects_type() -> None:
    graph = parse_filled([entry_types()["shipments"], entry_types()["measurements"], entry_types()["instruments"]])
    shipment = graph.value(predicate=ns.RDF.type, object=BMK.Shipment)
    measurement = graph.value(predicate=ns.RDF.type, object=BMK.Measurement)
    instrument = graph.value(predicate=ns.RDF.type, object=BMK.Instrument)
    assert (shipment, BMK.shippedSample, Literal("CTH-LNO-0042")) in graph
    assert (measurement, BMK.measuredSample, Literal("CTH-LNO-0042")) in graph
    assert (shipment, BMK.shipmentStatus, Literal("Delivered")) in graph
    assert (instrument, BMK.status, Literal("Available")) in graph
    assert (measurement, BMK.atSite, None) in graph and (instrument, BMK.locatedAt, None) in graph


def test_context_datatypes_agree_with_the_ontology_ranges() -> None:
    ontology = load_kind("ontology")
    checked = 0
    for et in TYPES:
        for column in et.columns:
            kind = datatype(column)
            if kind is None:
                continue
            assert (column.property, ns.RDF.type, ns.OWL.DatatypeProperty) in ontology, column.name
            assert ontology.value(column.property, ns.RDFS.range) == ns.XSD[kind.removeprefix("xsd:")], column.name
            checked += 1
    assert checked >= 10


def test_json_template_reads_back_with_the_json_reader() -> None:
    data = json_template([et.key for et in TYPES])
    result = read_json_tables(Source("all.json", data), json.loads(data))
    assert [t.entry_type for t in result.tables] == TYPES
    assert result.problems == []


# -- the XLSX template ---------------------------------------------------------------------------
def test_xlsx_template_reads_back_as_one_empty_table_per_type() -> None:
    result = read_xlsx(Source("template.xlsx", workbook_template([et.key for et in TYPES])))
    assert [(t.sheet, t.entry_type, t.rows) for t in result.tables] == [(et.title, et, []) for et in TYPES]
    assert [p.to_text() for p in result.problems] == [
        "template.xlsx: error: the workbook holds no entries; expected a sheet per entry type, its column "
        "names on row 1 and one row per entry below"]


def test_filled_template_reads_its_rows_and_passes_over_the_unused_sheets() -> None:
    book = all_types_workbook()
    samples = book["Samples"]
    samples.append(["CTH-LNO-0042", "LNO electrode", "Electrode"])
    result = read_xlsx(Source("filled.xlsx", xlsx_bytes(book)))
    assert result.problems == []
    [table] = [t for t in result.tables if t.rows]
    assert (table.sheet, [r.number for r in table.rows]) == ("Samples", [2])
    assert table.rows[0].values["sample_shape"] == "Electrode" and table.rows[0].values["materials"] == ""


def test_xlsx_template_has_the_read_me_first_and_the_lists_hidden() -> None:
    book = all_types_workbook()
    assert book.sheetnames == [README_SHEET, *(et.title for et in TYPES), LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    readme = [row[0] for row in book[README_SHEET].iter_rows(values_only=True)]
    for et in TYPES:
        assert f"Sheet '{et.title}'" in readme
        assert all(c.name in readme for c in et.columns)
    sheet = book["Measurements"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].comment.text.startswith("Required.")


def drop_down(sheet: Any, book: Any, letter: str) -> list[str] | None:
    """The labels of the list validation on the column's row 2, read from the lists sheet."""
    for check in sheet.data_validations.dataValidation:
        if f"{letter}2" in check.sqref and check.type == "list":
            assert f"{letter}1000" in check.sqref
            formula = check.formula1
            if formula.startswith('"'):
                return formula.strip('"').split(",")
            name, cells = formula.split("!")
            return [c.value for row in book[name][cells.replace("$", "")] for c in row]
    return None


def test_closed_columns_drop_down_the_vocabulary_labels() -> None:
    book = all_types_workbook()
    ontology = load_kind("ontology")
    for et in TYPES:
        for position, column in enumerate(et.columns, start=1):
            labels = drop_down(book[et.title], book, get_column_letter(position))
            if not column.closed:
                assert labels is None or column.kind == "boolean", column.name
                continue
            assert labels == list(closed_choices(et, column)) and labels, column.name
            vocabulary = {str(o) for cls in column.classes for s in ontology.subjects(ns.RDF.type, cls)
                          for o in ontology.objects(s, ns.SKOS.prefLabel)}
            assert set(labels) <= vocabulary, column.name
    measurements = book["Measurements"]
    assert drop_down(measurements, book, "H") == ["Ex situ", "In situ", "Operando", "Post mortem"]
    requests = [c.name for c in entry_types()["requests"].columns]
    fidelity = get_column_letter(requests.index("fidelity") + 1)
    assert drop_down(book["Characterisation requests"], book, fidelity) == ["High", "Low", "Any"]  # the shape's
    assert drop_down(book["Shipments"], book, "J") == ["yes", "no"]


def test_date_columns_check_dates_and_show_them_as_yyyy_mm_dd() -> None:
    book = all_types_workbook()
    sheet = book["Measurements"]
    columns = [c.name for c in entry_types()["measurements"].columns]
    for name in ("start_date", "end_date"):
        letter = get_column_letter(columns.index(name) + 1)
        assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
        assert any(v.type == "date" and f"{letter}2" in v.sqref for v in sheet.data_validations.dataValidation)
    assert sheet.column_dimensions["A"].number_format == "@"  # IDs stay text: "2022-11" is no date


def test_xlsx_template_bytes_do_not_change_between_runs() -> None:
    assert workbook_template(["samples", "cells"]) == workbook_template(["samples", "cells"])


# -- reading filled workbooks ---------------------------------------------------------------------
def filled_book() -> Workbook:
    book = Workbook()
    measurements = book.active
    measurements.title = "Measurements"
    measurements.append(["measurement_id", "partner", "start_date", "technique", "samples", "mode"])
    measurements.append(["M-1", "Chalmers", dt.datetime(2022, 11, 21, 9, 30), "Raman", "S-1", "Operando"])
    for number in (2, 3, 4):
        measurements.append([f"M-{number}", "FZJ" if number == 2 else None, dt.date(2022, 12, number), "XRD",
                             "S-1", "Ex situ"])
    measurements.merge_cells("B3:B5")
    instruments = book.create_sheet("Instruments")
    instruments.append(["instrument_id", "queued_samples", "description", "name", "status"])
    instruments.append(["cth-raman-2", 3, True, "WITec", "Available"])
    instruments.append(["cth-xrd-1", 4.0, 2.5, "D8", "Available"])
    return book


def test_filled_workbook_reads_dates_and_numbers_as_text_and_reports_the_merged_range() -> None:
    result = read_xlsx(Source("logbook.xlsx", xlsx_bytes(filled_book())))
    measurements, instruments = result.tables
    assert [r.number for r in measurements.rows] == [2, 3, 4, 5]
    assert measurements.rows[0].values == {"measurement_id": "M-1", "partner": "Chalmers",
                                           "start_date": "2022-11-21", "technique": "Raman",
                                           "samples": "S-1", "mode": "Operando"}
    assert [r.values["partner"] for r in measurements.rows] == ["Chalmers", "FZJ", "", ""]
    assert [r.values["queued_samples"] for r in instruments.rows] == ["3", "4"]
    assert [r.values["description"] for r in instruments.rows] == ["yes", "2.5"]
    [merged] = result.problems
    assert (merged.origin.sheet, merged.origin.row, merged.origin.column) == ("Measurements", 3, "partner")
    assert merged.message == "cells B3:B5 are merged" and merged.value == "FZJ"
    assert "unmerge them and repeat the value" in (merged.expected or "")


def test_formula_without_a_saved_value_is_a_problem_in_its_cell() -> None:
    book = filled_book()
    book["Instruments"]["B3"] = "=B2+1"
    result = read_xlsx(Source("logbook.xlsx", xlsx_bytes(book)))
    formula = [p for p in result.problems if "formula" in p.message]
    assert [(p.origin.sheet, p.origin.row, p.origin.column) for p in formula] == [("Instruments", 3,
                                                                                   "queued_samples")]
    assert formula[0].message == "cell B3 holds a formula with no saved value (=B2+1)"
    assert "formulas are not calculated" in (formula[0].expected or "")
    assert result.tables[1].rows[1].values["queued_samples"] == ""


def test_formula_with_a_saved_value_reads_the_value_and_an_error_value_is_a_problem() -> None:
    book = filled_book()
    book["Instruments"]["B3"] = "=B2+1"
    book["Instruments"]["C3"] = "=1/0"
    data = with_cached_values(xlsx_bytes(book), {"B3": "4", "C3": "e:#DIV/0!"})
    result = read_xlsx(Source("logbook.xlsx", data))
    assert result.tables[1].rows[1].values["queued_samples"] == "4"
    errors = [p for p in result.problems if p.origin.sheet == "Instruments"]
    assert [(p.origin.row, p.origin.column, p.message) for p in errors] == [
        (3, "description", "cell C3 holds the error #DIV/0!")]


def test_header_not_on_row_1_is_a_problem() -> None:
    book = Workbook()
    book.active.title = "Samples"
    book.active["A3"], book.active["A4"] = "sample_id", "S-1"
    [problem] = read_xlsx(Source("late.xlsx", xlsx_bytes(book))).problems[:1]
    assert (problem.origin.sheet, problem.origin.row) == ("Samples", 1)
    assert problem.message == "row 1 is blank: the column names must be on row 1"


def test_blank_sheets_are_skipped_with_a_warning_and_a_blank_workbook_is_refused() -> None:
    book = Workbook()
    book.active.title = "Sheet1"
    result = read_xlsx(Source("blank.xlsx", xlsx_bytes(book)))
    assert [(p.severity, p.origin.sheet, p.message) for p in result.problems] == [
        ("warning", "Sheet1", "the sheet is empty: it was skipped"),
        ("error", None, "the workbook holds no entries")]


@pytest.mark.parametrize(("data", "message"), [
    (b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
    (b"sample_id,name\nS-1,x\n", "not a readable XLSX workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "the file is an Excel 97-2003 workbook (.xls)"),
], ids=["corrupt-zip", "csv-named-xlsx", "xls"])
def test_a_file_that_is_no_xlsx_workbook_is_one_problem(data: bytes, message: str) -> None:
    result = read_xlsx(Source("broken.xlsx", data))
    assert result.tables == []
    [problem] = result.problems
    assert problem.origin.file == "broken.xlsx" and problem.message.startswith(message)
    assert "xlsx" in (problem.expected or "")


# -- examples/templates ----------------------------------------------------------------------------
def workbook_digest(data: bytes) -> dict[str, object]:
    """What a workbook says: sheets, their states, cell values and checks (not openpyxl's bytes)."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: (sheet.sheet_state, [list(row) for row in sheet.iter_rows(values_only=True)],
                          [(v.type, v.formula1, v.formula2, str(v.sqref)) for v in
                           sheet.data_validations.dataValidation])
            for sheet in book.worksheets}


def generated(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*"))
            if p.suffix in (".csv", ".json", ".jsonld", ".xlsx")}


def test_examples_templates_are_up_to_date(tmp_path: Path) -> None:
    if os.environ.get("BIGMAP_KG_REGENERATE"):
        for old in generated(EXAMPLES):
            (EXAMPLES / old).unlink()
        write_examples(EXAMPLES)
    fresh = {p.name: p.read_bytes() for p in write_examples(tmp_path)}
    stored = generated(EXAMPLES) if EXAMPLES.is_dir() else {}
    hint = "regenerate with BIGMAP_KG_REGENERATE=1 pytest tests/test_import_templates.py"
    assert sorted(stored) == sorted(fresh), hint
    assert len(fresh) == 2 * len(TYPES) + 2
    for name, data in fresh.items():
        if name == WORKBOOK_NAME:
            assert workbook_digest(stored[name]) == workbook_digest(data), hint
        else:
            assert stored[name] == data, f"{name}: {hint}"
    assert json.loads(stored["context.jsonld"]) == context_document()


def test_published_context_defines_every_column_and_class() -> None:
    context = context_document()["@context"]
    assert context["@version"] == 1.1 and context["bmk"] == str(BMK._NS)
    for et in TYPES:
        definition = context[str(et.cls).rsplit("#", 1)[-1]]
        scoped = definition.get("@context", {}) if isinstance(definition, dict) else {}
        for column in et.columns:
            term = scoped.get(column.name, context.get(column.name))
            iri = term["@id"] if isinstance(term, dict) else term
            assert URIRef(iri.replace("bmk:", str(BMK._NS)).replace("skos:", str(ns.SKOS))) == column.property
