"""Bulk import: rows to RDF, every problem placed at its file, row and column, all or nothing,
batches with provenance, idempotent re-import, replace and undo."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from bigmap_kg.errors import EntryConflict
from bigmap_kg.importing.batches import list_batches, undo
from bigmap_kg.importing.pipeline import ImportOptions, ImportOutcome, run_import
from bigmap_kg.importing.problems import ImportProblem
from bigmap_kg.importing.source import Source
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.store import EmbeddedStore

DATA = Path(__file__).parent / "data" / "import"
SAMPLES = Source.from_path(DATA / "samples.csv")
MEASUREMENTS = Source.from_path(DATA / "measurements.csv")
PROV = "http://www.w3.org/ns/prov#"


def csv(name: str, text: str) -> Source:
    return Source(name, text.encode("utf-8"))


def errors(outcome: ImportOutcome) -> list[ImportProblem]:
    return outcome.report.errors


def one_error(outcome: ImportOutcome) -> ImportProblem:
    assert len(errors(outcome)) == 1, outcome.report.to_text()
    return errors(outcome)[0]


@pytest.fixture
def logbook(kg_store: EmbeddedStore) -> EmbeddedStore:
    outcome = run_import(kg_store, [SAMPLES, MEASUREMENTS])
    assert outcome.written, outcome.report.to_text()
    return kg_store


def test_rows_become_entries_with_references_resolved_by_acronym_name_and_formula(logbook: EmbeddedStore) -> None:
    m = ID["measurement/CEA-XRD-2022-003"]
    ask = logbook.query(f"""PREFIX bmk: <{BMK}>
        ASK {{ <{m}> bmk:technique <{ID}technique/x-ray-diffraction> ; bmk:performedBy <{ID}partner/CEA> ;
                     bmk:instrument <{ID}instrument/esrf-id31> ; bmk:mode bmk:Operando ;
                     bmk:measuredSample <{ID}sample/CTH-LNO-0042>, <{ID}sample/CTH-CC-0007> .
               <{ID}sample/CTH-LNO-0042> bmk:derivedFrom <{ID}sample/CTH-CC-0007> ;
                     bmk:madeOf <{ID}material/lno> ; bmk:preparedBy <{ID}partner/CTH> ;
                     bmk:stateOfHealth 80.0 }}""")
    assert ask is True


def test_imported_measurements_answer_the_logbook_question(logbook: EmbeddedStore) -> None:
    from bigmap_kg.queries import get_query

    rows = get_query("measurements-of-material").run(logbook, {"material": "LNO"}).rows
    assert {str(r["measurement"]) for r in rows} >= {str(ID["measurement/CTH-RAMAN-2022-014"]),
                                                     str(ID["measurement/CEA-XRD-2022-003"])}


def test_batch_carries_prov_provenance_with_file_hashes_rows_and_tool(logbook: EmbeddedStore) -> None:
    [batch] = [b for b in list_batches(logbook) if b.rows is not None]
    assert (batch.rows == 4 and batch.files == "samples.csv | measurements.csv") or batch.files == \
        "measurements.csv | samples.csv"
    digest = hashlib.sha256((DATA / "samples.csv").read_bytes()).hexdigest()
    ask = logbook.query(f"""PREFIX prov: <{PROV}> PREFIX bmk: <{BMK}>
        ASK {{ GRAPH <{batch.graph}> {{
            <{batch.graph}> prov:wasGeneratedBy ?a ; prov:generatedAtTime ?t ; prov:wasDerivedFrom ?f .
            ?a prov:wasAssociatedWith ?tool, ?person ; prov:used ?f .
            ?tool a prov:SoftwareAgent . ?person a prov:Person .
            ?f bmk:sha256 "{digest}" }} }}""")
    assert ask is True
    assert batch.triples is not None and batch.triples > 30


def test_importing_the_same_files_twice_adds_nothing(logbook: EmbeddedStore) -> None:
    before = logbook.triple_count()
    again = run_import(logbook, [SAMPLES, MEASUREMENTS])
    assert again.already and not again.written and logbook.triple_count() == before


def test_a_file_with_ten_distinct_errors_reports_ten_and_writes_nothing(logbook: EmbeddedStore) -> None:
    before = logbook.triple_count()
    outcome = run_import(logbook, [Source.from_path(DATA / "ten-errors.csv")])
    found = {(p.origin.row, p.origin.column) for p in errors(outcome)}
    assert found == {(2, "start_date"), (2, "technique"), (3, "mode"), (3, "partner"), (4, "samples"),
                     (4, "start_date"), (5, "measurement_id"), (6, "measurement_id"), (7, "instrument"),
                     (7, "triggered_by")}
    assert len(errors(outcome)) == 10 and not outcome.written
    assert logbook.triple_count() == before


def test_unknown_reference_names_file_row_column_and_the_closest_names(logbook: EmbeddedStore) -> None:
    outcome = run_import(logbook, [csv("m.csv", "measurement_id,samples,technique,partner,mode\n"
                                               "X-1,CTH-LNO-0043,Raman,Chalmer,operando\n")])
    by_column = {p.origin.column: p for p in errors(outcome)}
    assert by_column["partner"].origin.file == "m.csv" and by_column["partner"].origin.row == 2
    assert "Chalmers (CTH)" in (by_column["partner"].expected or "")
    assert "CTH-LNO-0042" in (by_column["samples"].expected or "")


def test_wrong_date_out_of_range_and_wrong_type_are_errors_at_their_cells(kg_store: EmbeddedStore) -> None:
    outcome = run_import(kg_store, [
        csv("s.csv", "sample_id,sample_shape,state_of_health\nS-1,Powder,120\nS-2,Powder,lots\n"),
        csv("i.csv", "instrument_id,name,operated_by,status,queued_samples\nx-1,X,CEA,Available,2.5\n"),
        csv("sh.csv", "shipment_id,sender,recipient,status,ship_date,to_large_scale_facility\n"
                      "P-1,CEA,UU,Delivered,2022-02-30,perhaps\n")])
    messages = {(p.origin.file, p.origin.row, p.origin.column): p.message for p in errors(outcome)}
    assert "out of range" in messages[("s.csv", 2, "state_of_health")]
    assert "not a number" in messages[("s.csv", 3, "state_of_health")]
    assert "not a whole number" in messages[("i.csv", 2, "queued_samples")]
    assert "not a day of the calendar" in messages[("sh.csv", 2, "ship_date")]
    assert "not yes or no" in messages[("sh.csv", 2, "to_large_scale_facility")]
    assert len(errors(outcome)) == 5


def test_missing_required_column_is_one_error_on_the_header(kg_store: EmbeddedStore) -> None:
    problem = one_error(run_import(kg_store, [csv("s.csv", "sample_id,name\nS-1,a\nS-2,b\n")]))
    assert (problem.origin.row, problem.origin.column) == (1, "sample_shape")
    assert "required column" in problem.message


def test_unknown_column_is_an_error_not_a_dropped_field(kg_store: EmbeddedStore) -> None:
    problem = one_error(run_import(kg_store, [csv("s.csv", "sample_id,sample_shape,colour\nS-1,Powder,red\n")]))
    assert problem.origin.column == "colour" and "unknown column" in problem.message


def test_duplicate_id_in_the_file_and_already_stored_are_errors(logbook: EmbeddedStore) -> None:
    outcome = run_import(logbook, [csv("s.csv", "sample_id,sample_shape\nS-9,Powder\nS-9,Powder\n"
                                               "CTH-CC-0007,Coin cell\n")])
    rows = {p.origin.row: p for p in errors(outcome)}
    assert set(rows) == {3, 4}
    assert "duplicate" in rows[3].message and "row 2" in rows[3].message
    assert "already stored" in rows[4].message and "--replace" in (rows[4].expected or "")


def test_encoding_problem_names_the_line_and_how_to_save_as_utf8(kg_store: EmbeddedStore) -> None:
    data = "sample_id,sample_shape,description\nS-1,Powder,ok\nS-2,Powder,séché\n".encode("latin-1")
    problem = one_error(run_import(kg_store, [Source("s.csv", data)]))
    assert problem.origin.row == 3 and "not UTF-8" in problem.message and "UTF-8" in (problem.expected or "")


def test_a_byte_order_mark_is_not_part_of_the_first_column(kg_store: EmbeddedStore) -> None:
    data = "\ufeffsample_id;sample_shape\nS-1;Powder\n".encode()
    assert run_import(kg_store, [Source("s.csv", data)]).written


def test_empty_file_and_header_without_rows_are_errors(kg_store: EmbeddedStore) -> None:
    assert "empty" in one_error(run_import(kg_store, [csv("s.csv", "")])).message
    assert "no rows" in one_error(run_import(kg_store, [csv("s.csv", "sample_id,sample_shape\n")])).message


def test_warnings_are_reported_and_do_not_block(logbook: EmbeddedStore) -> None:
    outcome = run_import(logbook, [csv("r.csv", "record_id,title,documents,author\n"
                                               "rec-1,Raman maps,CTH-RAMAN-2022-014,Chalmers\n")])
    assert outcome.written and outcome.report.ok
    assert any("URL or DOI" in w.message and w.origin.row == 2 for w in outcome.report.warnings)


def test_dry_run_reports_and_writes_nothing(kg_store: EmbeddedStore) -> None:
    before = kg_store.triple_count()
    outcome = run_import(kg_store, [SAMPLES], ImportOptions(dry_run=True))
    assert outcome.report.ok and not outcome.written and outcome.batch
    assert kg_store.triple_count() == before


def test_replace_swaps_a_batch_for_its_corrected_version(logbook: EmbeddedStore) -> None:
    first = run_import(logbook, [csv("s.csv", "sample_id,sample_shape,state_of_health\nS-1,Powder,50\n"
                                              "S-2,Powder,60\n")])
    refused = run_import(logbook, [csv("s.csv", "sample_id,sample_shape,state_of_health\nS-1,Powder,55\n")])
    assert "already stored" in one_error(refused).message
    assert first.batch is not None
    fixed = run_import(logbook, [csv("s.csv", "sample_id,sample_shape,state_of_health\nS-1,Powder,55\n")],
                       ImportOptions(replace=first.batch.rsplit("/", 1)[-1][:12]))
    assert fixed.written and fixed.replaced == first.batch
    assert first.batch not in logbook.graphs()
    soh = logbook.select(f"SELECT ?v WHERE {{ <{ID}sample/S-1> <{BMK}stateOfHealth> ?v }}").rows
    assert [r["v"] for r in soh] == [Literal("55", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))]
    assert not logbook.query(f"ASK {{ <{ID}sample/S-2> ?p ?o }}")


def test_undo_removes_a_batch_but_not_while_other_batches_refer_to_it(kg_store: EmbeddedStore) -> None:
    samples = run_import(kg_store, [SAMPLES])
    measurements = run_import(kg_store, [MEASUREMENTS])
    assert samples.batch and measurements.batch
    with pytest.raises(EntryConflict, match="refer to entries of this batch"):
        undo(kg_store, samples.batch)
    undo(kg_store, measurements.batch)
    undo(kg_store, samples.batch)
    assert not kg_store.query(f"ASK {{ <{ID}sample/CTH-CC-0007> ?p ?o }}")
    assert all(b.graph not in (samples.batch, measurements.batch) for b in list_batches(kg_store))


def test_json_document_in_the_templates_keys_imports_like_the_csv(kg_store: EmbeddedStore) -> None:
    grouped = b'{"samples": [{"sample_id": "J-1", "sample_shape": "Powder", "materials": ["LNO", "graphite"]}]}'
    graph = (b'{"@context": "https://w3id.org/bigmap-kg/import/context.jsonld", "@graph": ['
             b'{"@type": "Sample", "sample_id": "J-2", "sample_shape": "Powder", "derived_from": "J-1"}]}')
    outcome = run_import(kg_store, [Source("a.json", grouped), Source("b.jsonld", graph)])
    assert outcome.written, outcome.report.to_text()
    assert kg_store.query(f"ASK {{ <{ID}sample/J-2> <{BMK}derivedFrom> <{ID}sample/J-1> }}")


def test_json_entry_missing_a_required_key_names_its_index_and_key(kg_store: EmbeddedStore) -> None:
    problem = one_error(run_import(kg_store, [Source("a.json", b'{"samples": [{"sample_id": "J-1"}]}')]))
    assert (problem.origin.sheet, problem.origin.row, problem.origin.column) == ("samples", 1, "sample_shape")


def test_turtle_files_join_the_same_all_or_nothing_batch(kg_store: EmbeddedStore) -> None:
    turtle = Source("x.ttl", f"<{ID}sample/T-1> a <{BMK}Sample> ; <{BMK}identifier> \"T-1\" ; "
                             f"<{BMK}sampleShape> <{BMK}PowderShape> .".encode())
    bad = csv("m.csv", "measurement_id,samples,technique,partner,mode\nM-1,T-1,Raman,CTH,nowhere\n")
    before = kg_store.triple_count()
    assert not run_import(kg_store, [turtle, bad]).written
    assert kg_store.triple_count() == before
    good = csv("m.csv", "measurement_id,samples,technique,partner,mode\nM-1,T-1,Raman,CTH,operando\n")
    assert run_import(kg_store, [turtle, good]).written


def test_a_record_can_document_a_measurement_imported_in_the_same_run(kg_store: EmbeddedStore) -> None:
    record = Path(__file__).parent.parent / "examples" / "import" / "invenio-record.json"
    outcome = run_import(kg_store, [Source.from_path(record), SAMPLES, MEASUREMENTS])
    assert outcome.written, outcome.report.to_text()
    assert kg_store.query(f"ASK {{ ?r a <{BMK}ArchiveRecord> ; <{BMK}documents> "
                          f"<{ID}measurement/CTH-RAMAN-2022-014> }}")


def test_docs_list_every_column_as_the_templates_define_them() -> None:
    from bigmap_kg.importing.templates import columns_markdown

    text = (Path(__file__).parent.parent / "docs" / "import.md").read_text(encoding="utf-8")
    block = text.split("<!-- columns:begin")[1].split("-->", 1)[1].split("<!-- columns:end -->")[0]
    assert block.strip() == columns_markdown().strip(), "regenerate the block with columns_markdown()"


def test_the_example_rows_of_the_docs_import_together(kg_store: EmbeddedStore) -> None:
    from bigmap_kg.importing.columns import entry_types
    from bigmap_kg.importing.templates import columns_markdown

    blocks = columns_markdown().split("```csv\n")[1:]
    sources = [csv("parent.csv", "sample_id,sample_shape,prepared_by\nCTH-CC-0007,Coin cell,CTH\n")]
    for et, block in zip(entry_types().values(), blocks, strict=True):
        sources.append(csv(f"{et.key}.csv", block.split("```")[0]))
    outcome = run_import(kg_store, sources)
    assert outcome.written, outcome.report.to_text()
    assert outcome.rows == 1 + len(entry_types())


# -- regressions found in review -------------------------------------------------------------------
def test_a_loose_blank_node_entry_is_refused(kg_store: EmbeddedStore) -> None:
    turtle = (f"[] a <{BMK}Measurement> ; <{BMK}identifier> \"FAKE-1\" ; "
              f"<{BMK}performedBy> <{ID}partner/CEA> .").encode()
    outcome = run_import(kg_store, [Source("m.ttl", turtle)])
    assert not outcome.written and all(p.origin.file == "m.ttl" for p in errors(outcome))
    assert any("without an IRI" in p.message for p in errors(outcome))


def test_replace_refuses_to_drop_an_entry_another_batch_refers_to(kg_store: EmbeddedStore) -> None:
    samples = run_import(kg_store, [SAMPLES])
    assert samples.batch and run_import(kg_store, [MEASUREMENTS]).written
    outcome = run_import(kg_store, [csv("s.csv", "sample_id,sample_shape\nOTHER-1,Powder\n")],
                         ImportOptions(replace=samples.batch))
    assert not outcome.written and samples.batch in kg_store.graphs()
    assert any("referred to by" in p.message for p in errors(outcome))


def test_replace_does_not_resolve_references_to_the_entries_it_removes(kg_store: EmbeddedStore) -> None:
    samples = run_import(kg_store, [SAMPLES])
    assert samples.batch
    outcome = run_import(kg_store, [MEASUREMENTS], ImportOptions(replace=samples.batch))
    assert not outcome.written and {p.origin.column for p in errors(outcome)} == {"samples"}


def test_an_entry_described_in_two_files_of_one_import_is_an_error(kg_store: EmbeddedStore) -> None:
    turtle = Source("more.ttl", f"<{ID}sample/CTH-LNO-0042> <{BMK}stateOfHealth> 70.0 .".encode())
    outcome = run_import(kg_store, [SAMPLES, turtle])
    assert any("described twice" in p.message for p in errors(outcome)) and not outcome.written


def test_an_id_taken_by_a_stored_entry_under_another_iri_is_an_error(kg_store: EmbeddedStore) -> None:
    assert run_import(kg_store, [SAMPLES]).written
    turtle = (f"<https://example.org/cells/7> a <{BMK}Sample> ; <{BMK}identifier> \"CTH-CC-0007\" ; "
              f"<{BMK}sampleShape> <{BMK}CoinCellShape> .").encode()
    problem = one_error(run_import(kg_store, [Source("cell.ttl", turtle)]))
    assert "already used by" in problem.message


def test_nested_nodes_cannot_add_to_stored_catalogue_entries(kg_store: EmbeddedStore) -> None:
    turtle = (f"<{ID}sample/NEW-9> a <{BMK}Sample> ; <{BMK}identifier> \"NEW-9\" ; "
              f"<{BMK}sampleShape> <{BMK}PowderShape> .\n"
              f"<{ID}sample/fzj-lno-aged-electrode> <{BMK}preparedBy> <{ID}partner/CTH> .").encode()
    problem = one_error(run_import(kg_store, [Source("x.ttl", turtle)]))
    assert "already stored" in problem.message and "reference catalogue" in (problem.expected or "")


def test_an_invalid_iri_is_reported_not_a_crash(kg_store: EmbeddedStore) -> None:
    doc = (b'{"@context": {"battery": "https://w3id.org/emmo/domain/battery#", "schema": "https://schema.org/"},'
           b' "@id": "https://example.org/cell/a>b", "@type": "battery:battery_b7fdab58_6e91_4c84_b097_b06eff86a124",'
           b' "schema:productID": "CELL-1"}')
    outcome = run_import(kg_store, [Source("cell.json", doc)])  # BattINFO JSON-LD, read with rdflib
    assert any("not a valid IRI" in p.message for p in errors(outcome))


def test_instruments_and_cells_of_the_same_import_can_be_referred_to(kg_store: EmbeddedStore) -> None:
    outcome = run_import(kg_store, [
        SAMPLES,
        csv("instruments.csv", "instrument_id,name,operated_by,status,techniques\n"
                               "cth-raman-2,WITec alpha300 R,CTH,Available,Raman\n"),
        csv("cells.csv", "cell_id,name,owner,status,optimised_for\ncth-cell,Raman cell,CTH,Available,cth-raman-2\n"),
        csv("m.csv", "measurement_id,samples,technique,partner,mode,instrument,cell\n"
                     "M-9,CTH-LNO-0042,Raman,CTH,operando,WITec alpha300 R,cth-cell\n")])
    assert outcome.written, outcome.report.to_text()


def test_one_problem_elsewhere_in_a_file_does_not_hide_shape_findings(kg_store: EmbeddedStore) -> None:
    assert run_import(kg_store, [SAMPLES]).written
    turtle = (f"<{ID}sample/CTH-CC-0007> <{BMK}stateOfHealth> 70.0 .\n"
              f"<{ID}sample/NEW-1> a <{BMK}Sample> ; <{BMK}identifier> \"NEW-1\" ; "
              f"<{BMK}stateOfHealth> 150.0 .").encode()
    outcome = run_import(kg_store, [Source("data.ttl", turtle)])
    assert len(errors(outcome)) == 3  # already stored; no sample shape; health out of range


def test_a_record_with_files_round_trips_through_an_eln_archive(kg_store: EmbeddedStore, tmp_path: Path) -> None:
    from bigmap_kg.importing.crate import export_crate

    assert run_import(kg_store, [SAMPLES, MEASUREMENTS, csv(
        "r.csv", "record_id,documents,files\nrec-9,CTH-RAMAN-2022-014,map.h5; raw.h5\n")]).written
    archive = export_crate(kg_store, "CTH-LNO-0042")
    other = EmbeddedStore(tmp_path / "other")
    from bigmap_kg.loader import init_store

    init_store(other)
    outcome = run_import(other, [Source("s.eln", archive)])
    assert outcome.written, outcome.report.to_text()
    names = other.select(f"SELECT ?n WHERE {{ ?r <{BMK}hasFile>/<{BMK}fileName> ?n }}").rows
    assert sorted(str(r["n"]) for r in names) == ["map.h5", "raw.h5"]
    other.close()


def test_the_same_content_with_fresh_blank_nodes_names_the_same_batch() -> None:
    from rdflib import BNode, Graph

    from bigmap_kg.loader import batch_graph_name

    def request(size: str, shared: bool = False) -> Graph:
        g = Graph()
        r, q = ID["request/r"], BNode()
        g.add((r, BMK.roiSize, q))
        g.add((q, BMK.originalText, Literal(size)))
        if shared:  # a blank node that is the value of two triples: the general canonical form
            g.add((r, BMK.requiredTimeResolution, q))
        return g

    assert batch_graph_name(request("500 nm")) == batch_graph_name(request("500 nm"))
    assert batch_graph_name(request("500 nm")) != batch_graph_name(request("600 nm"))
    assert batch_graph_name(request("500 nm", True)) == batch_graph_name(request("500 nm", True))
