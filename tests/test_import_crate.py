"""A sample exported as an RO-Crate / .eln archive, and read back into a fresh store without loss."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import store_copy
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from bigmap_kg.entries import describe_entry
from bigmap_kg.errors import UnknownReference
from bigmap_kg.importing.crate import export_crate, read_crate
from bigmap_kg.importing.pipeline import run_import
from bigmap_kg.importing.resolve import Resolver
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.loader import write_batch
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.validation import Validator

REPO = Path(__file__).resolve().parents[1]
D53 = REPO / "catalogue" / "logbook" / "d53-demonstrator.ttl"
WHEN = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)

BATCH = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/bigmap-kg/id/> .

id:sample\\/crate-cell-1 a bmk:Sample ;
    bmk:identifier "crate-cell-1" ; skos:prefLabel "Crate test coin cell"@en ;
    bmk:sampleShape bmk:CoinCellShape ; bmk:madeOf id:material\\/lno, id:material\\/graphite ;
    bmk:preparedBy id:partner\\/FZJ ; bmk:stateOfHealth 80.0 ;
    bmk:description "A coin cell cycled to 80 % SoH; \\"quoted\\" and\\nmultiline." .

id:sample\\/crate-cathode-1 a bmk:Sample ;
    bmk:identifier "crate-cathode-1" ;
    bmk:sampleShape bmk:ElectrodeShape ; bmk:madeOf id:material\\/lno ;
    bmk:preparedBy id:partner\\/FZJ ; bmk:derivedFrom id:sample\\/crate-cell-1 .

id:measurement\\/crate-xps-1 a bmk:Measurement ;
    bmk:identifier "crate-xps-1" ;
    bmk:measuredSample id:sample\\/crate-cathode-1 ;
    bmk:technique id:technique\\/x-ray-photoelectron-spectroscopy ;
    bmk:performedBy id:partner\\/CEA ; bmk:mode bmk:PostMortem ;
    bmk:startDate "2024-02-01"^^xsd:date ; bmk:endDate "2024-02-03"^^xsd:date .

id:record\\/crate-xps-record a bmk:ArchiveRecord ;
    bmk:identifier "crate-xps-record" ;
    bmk:url "https://archive.big-map.eu/records/crate-1"^^xsd:anyURI ;
    bmk:documents id:measurement\\/crate-xps-1 ; bmk:author id:partner\\/CEA ;
    bmk:tag "xps", "cathode" ;
    bmk:hasFile [ a bmk:DataFile ; bmk:fileName "xps-survey.csv" ] ,
                [ a bmk:DataFile ; bmk:fileName "xps-c1s.csv" ] .

id:notebook\\/crate-note-1 a bmk:NotebookEntry ;
    bmk:identifier "crate-note-1" ;
    bmk:url "https://eln.example.org/entries/42"^^xsd:anyURI ;
    bmk:documents id:sample\\/crate-cell-1 ; bmk:author id:partner\\/FZJ ;
    bmk:created "2024-01-15"^^xsd:date ; bmk:linksRecord id:record\\/crate-xps-record .

id:shipment\\/crate-ship-1 a bmk:Shipment ;
    bmk:identifier "crate-ship-1" ;
    bmk:sender id:partner\\/FZJ ; bmk:recipient id:partner\\/CEA ;
    bmk:shipmentStatus bmk:Delivered ; bmk:shipDate "2024-01-20"^^xsd:date ;
    bmk:toLargeScaleFacility false ;
    bmk:hasContent [ a bmk:ShipmentContent ; bmk:sampleKind "LNO aged" ; bmk:amount 0.5 ] ;
    bmk:shippedSample id:sample\\/crate-cathode-1 .
"""
ENTRIES = sorted(URIRef(ID[name]) for name in (
    "sample/crate-cell-1", "sample/crate-cathode-1", "measurement/crate-xps-1",
    "record/crate-xps-record", "notebook/crate-note-1", "shipment/crate-ship-1"))


@pytest.fixture
def logbook_store(kg_store: EmbeddedStore, validator: Validator) -> EmbeddedStore:
    """The catalogue store with the small logbook batch above written into it."""
    result = write_batch(kg_store, parse_bytes(BATCH, "batch.ttl"), validator, "batch.ttl")
    assert result.written, result.report
    return kg_store


@pytest.fixture
def fresh_store(initialised_store_dir: Path, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A second catalogue store, without the batch: where the crate is imported."""
    with store_copy(initialised_store_dir, tmp_path / "second-store") as store:
        yield store


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}


def metadata(data: bytes) -> dict[str, Any]:
    found = [v for k, v in members(data).items() if k.endswith("/ro-crate-metadata.json")]
    assert len(found) == 1
    return json.loads(found[0])


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in doc["@graph"]}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read(data: bytes, store: EmbeddedStore, **options: Any) -> Mapped:
    return read_crate(Source("export.eln", data), Resolver(store), **options)


def errors(mapped: Mapped) -> list[str]:
    return [p.to_text() for p in mapped.problems if p.severity == "error"]


def assert_same(expected: Graph, found: Graph, what: str) -> None:
    if not isomorphic(expected, found):
        _, only_expected, only_found = graph_diff(to_isomorphic(expected), to_isomorphic(found))
        pytest.fail(f"{what} differs\n-- lost on the way:\n{only_expected.serialize(format='nt')}"
                    f"-- added on the way:\n{only_found.serialize(format='nt')}")


# -- the round trip -----------------------------------------------------------------------------

def test_exported_logbook_imports_into_a_fresh_store_without_loss(logbook_store, fresh_store, validator):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    mapped = read(data, fresh_store)
    assert not mapped.problems, [p.to_text() for p in mapped.problems]
    assert sorted(mapped.entries) == ENTRIES and mapped.rows == len(ENTRIES)
    result = write_batch(fresh_store, mapped.graph, validator, "export.eln")
    assert result.written and result.report.conforms
    for entry in ENTRIES:
        assert_same(describe_entry(logbook_store, entry), describe_entry(fresh_store, entry), str(entry))


def test_archive_goes_through_the_import_pipeline_by_its_suffix(logbook_store, fresh_store, validator):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    outcome = run_import(fresh_store, [Source("crate-cell-1.eln", data)], validator=validator)
    assert outcome.report.ok and outcome.written, outcome.report.to_text()
    assert outcome.rows == len(ENTRIES)
    assert_same(describe_entry(logbook_store, ENTRIES[0]), describe_entry(fresh_store, ENTRIES[0]), str(ENTRIES[0]))

def test_export_by_iri_holds_the_same_entries_as_by_id(logbook_store):
    by_iri = export_crate(logbook_store, str(ID["sample/crate-cathode-1"]), published=WHEN)
    by_identifier = export_crate(logbook_store, "crate-cathode-1", published=WHEN)
    assert by_iri == by_identifier
    mentioned = [m["@id"] for m in by_id(metadata(by_iri))["./"]["mentions"]]
    assert mentioned[0] == str(ID["sample/crate-cathode-1"]) and sorted(mentioned) == [str(e) for e in ENTRIES]


def test_turtle_file_holds_the_same_triples_as_the_metadata(logbook_store, fresh_store):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    turtle = next(v for k, v in members(data).items() if k.endswith("/bigmap-kg.ttl"))
    assert_same(read(data, fresh_store).graph, Graph().parse(data=turtle, format="turtle"), "bigmap-kg.ttl")


def test_entries_use_prefixed_keys_exact_literals_and_a_readable_name(logbook_store):
    nodes = by_id(metadata(export_crate(logbook_store, "crate-cell-1", published=WHEN)))
    cell = nodes[str(ID["sample/crate-cell-1"])]
    assert cell["@type"] == "bmk:Sample" and cell["name"] == "Crate test coin cell"
    assert cell["bmk:identifier"] == "crate-cell-1"
    assert cell["bmk:stateOfHealth"] == {"@value": "80", "@type": "xsd:decimal"}  # as stored
    assert cell["skos:prefLabel"] == {"@value": "Crate test coin cell", "@language": "en"}
    shipment = nodes[str(ID["shipment/crate-ship-1"])]
    content = nodes[shipment["bmk:hasContent"]["@id"]]
    assert shipment["bmk:hasContent"]["@id"].startswith("_:") and content["@type"] == "bmk:ShipmentContent"


# -- the RO-Crate and .eln shape -----------------------------------------------------------------

def test_export_is_an_ro_crate_in_one_top_folder(logbook_store):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    files = members(data)
    assert {name.split("/")[0] for name in files} == {"bigmap-kg-crate-cell-1"}
    doc = metadata(data)
    assert doc["@context"][0] == "https://w3id.org/ro/crate/1.1/context"
    assert doc["@context"][1]["bmk"] == "https://w3id.org/bigmap-kg/ontology#"
    nodes = by_id(doc)
    descriptor = nodes["ro-crate-metadata.json"]
    assert descriptor["@type"] == "CreativeWork" and descriptor["about"] == {"@id": "./"}
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.1"}
    assert nodes[descriptor["sdPublisher"]["@id"]]["@type"] == "Organization"
    root = nodes["./"]
    assert root["@type"] == "Dataset" and root["name"] == "bigmap-kg export of sample crate-cell-1"
    assert "2 sample(s), 1 measurement(s), 1 shipment(s)" in root["description"]
    assert datetime.fromisoformat(root["datePublished"]) == WHEN
    assert nodes[root["license"]["@id"]]["name"].startswith("Creative Commons")
    for part in root["hasPart"]:
        entity = nodes[part["@id"]]
        content = files[f"bigmap-kg-crate-cell-1/{part['@id']}"]
        assert entity["@type"] == "File" and entity["encodingFormat"] == "text/turtle"
        assert entity["contentSize"] == str(len(content))
        assert entity["sha256"] == hashlib.sha256(content).hexdigest()


def test_crate_zipped_without_top_folder_reads_the_same(logbook_store, fresh_store):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    flat = rezip({name.split("/", 1)[1]: content for name, content in members(data).items()})
    assert_same(read(data, fresh_store).graph, read(flat, fresh_store).graph, "the flat crate")


def test_blank_nodes_of_two_reads_never_merge(logbook_store, fresh_store):
    data = export_crate(logbook_store, "crate-cell-1", published=WHEN)
    both = read(data, fresh_store)
    both.merge(read(data, fresh_store))
    assert len(list(both.graph.subjects(None, BMK.ShipmentContent))) == 2


# -- problems ------------------------------------------------------------------------------------

def test_unknown_sample_names_the_closest_ids(kg_store):
    with pytest.raises(UnknownReference, match="fzj-lno-aged-electrode") as info:
        export_crate(kg_store, "fzj-lno-aged-electrod")
    assert "unknown sample" in info.value.message


def test_member_climbing_out_of_the_folder_is_refused(logbook_store, fresh_store):
    files = members(export_crate(logbook_store, "crate-cell-1", published=WHEN))
    mapped = read(rezip({**files, "../evil": b"owned"}), fresh_store)
    assert not len(mapped.graph) and not mapped.entries
    assert [(p.value, p.severity) for p in mapped.problems] == [("../evil", "error")]
    assert "unsafe member name" in mapped.problems[0].message


def test_member_over_the_size_limit_is_refused(logbook_store, fresh_store):
    mapped = read(export_crate(logbook_store, "crate-cell-1", published=WHEN), fresh_store,
                  max_member_bytes=1000)
    assert not len(mapped.graph)
    assert any("too large" in p.message and p.value.endswith("ro-crate-metadata.json") for p in mapped.problems)


def test_member_compressed_like_a_zip_bomb_is_refused(fresh_store):
    mapped = read(rezip({"crate/ro-crate-metadata.json": b"{}", "crate/zeros.bin": bytes(4 * 2**20)}),
                  fresh_store)
    assert [p.value for p in mapped.problems] == ["crate/zeros.bin"]
    assert "zip bomb" in mapped.problems[0].message


def test_file_that_is_not_a_zip_is_a_problem(fresh_store):
    assert "not a ZIP archive" in errors(read(b'{"@graph": []}', fresh_store))[0]


def test_zip_without_metadata_file_is_a_problem(fresh_store):
    assert "no ro-crate-metadata.json" in errors(read(rezip({"crate/data.csv": b"a,b"}), fresh_store))[0]


def test_bad_json_is_placed_at_its_line_and_column(fresh_store):
    mapped = read(rezip({"crate/ro-crate-metadata.json": b'{\n  "@graph": [\n    {"@id": "./",}\n  ]\n}'}),
                  fresh_store)
    assert "line 3, column 18" in errors(mapped)[0]


def test_entity_with_unknown_class_is_placed_in_the_graph(logbook_store, fresh_store):
    files = members(export_crate(logbook_store, "crate-cell-1", published=WHEN))
    name = next(k for k in files if k.endswith("ro-crate-metadata.json"))
    doc = json.loads(files[name])
    index = next(i for i, n in enumerate(doc["@graph"]) if n["@id"] == str(ID["sample/crate-cell-1"]))
    doc["@graph"][index]["@type"] = "bmk:Sampel"
    mapped = read(rezip({**files, name: json.dumps(doc).encode()}), fresh_store)
    [problem] = [p for p in mapped.problems if p.severity == "error"]
    assert (problem.value, problem.origin.row, problem.origin.column) == (
        "bmk:Sampel", index + 1, f"@graph[{index}].@type")
    assert "bmk:Sample" in (problem.expected or "")
    assert URIRef(ID["sample/crate-cell-1"]) not in mapped.entries


def test_remote_context_other_than_ro_crate_is_not_fetched(fresh_store):
    doc = {"@context": ["https://w3id.org/ro/crate/1.1/context", "https://example.org/other.jsonld"],
           "@graph": [{"@id": "ro-crate-metadata.json", "@type": "CreativeWork",
                       "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"}, "about": {"@id": "./"}}]}
    mapped = read(rezip({"crate/ro-crate-metadata.json": json.dumps(doc).encode()}), fresh_store)
    assert [p.value for p in mapped.problems] == ["https://example.org/other.jsonld"]
    assert mapped.problems[0].origin.column == "@context[1]"


def test_foreign_crate_without_our_entries_is_a_warning(fresh_store):
    doc = {"@context": "https://w3id.org/ro/crate/1.1/context",
           "@graph": [{"@id": "ro-crate-metadata.json", "@type": "CreativeWork",
                       "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"}, "about": {"@id": "./"}},
                      {"@id": "./", "@type": "Dataset", "name": "Some experiment", "hasPart": []},
                      {"@id": "#alice", "@type": "Person", "name": "Alice"}]}
    mapped = read(rezip({"exp/ro-crate-metadata.json": json.dumps(doc).encode()}), fresh_store)
    assert not len(mapped.graph) and [p.severity for p in mapped.problems] == ["warning"]


# -- the D5.3 demonstrator ------------------------------------------------------------------------

def test_d53_aged_electrode_exports_its_cell_measurements_shipments_and_records(kg_store):
    source = Graph().parse(D53, format="turtle")
    electrode, cell = URIRef(ID["sample/fzj-lno-aged-electrode"]), URIRef(ID["sample/fzj-lno-gr-aged-cell"])
    assert set(source.objects(electrode, BMK.derivedFrom)) == {cell}
    assert not set(source.subjects(BMK.derivedFrom, electrode))
    measured = {m for s in (electrode, cell) for m in source.subjects(BMK.measuredSample, s)}
    shipped = {m for s in (electrode, cell) for m in source.subjects(BMK.shippedSample, s)}
    records = {r for x in (electrode, cell, *measured) for r in source.subjects(BMK.documents, x)}
    # as the file writes them: 14 measurements and 14 shipments carry the electrode (none the
    # cell itself); 4 records document the cell or one of those measurements
    assert (len(measured), len(shipped), len(records)) == (14, 14, 4)

    doc = metadata(export_crate(kg_store, "fzj-lno-aged-electrode", published=WHEN))
    nodes = by_id(doc)
    mentioned = [URIRef(m["@id"]) for m in nodes["./"]["mentions"]]
    assert mentioned[:2] == [electrode, cell]
    assert set(mentioned) == {electrode, cell} | measured | shipped | records
    assert nodes[str(cell)]["name"] == "FZJ LNO||Gr coin cell, baseline electrolyte, aged to 80 % SoH"
    assert "2 sample(s), 14 measurement(s), 14 shipment(s), 4 archive record(s)" in nodes["./"]["description"]


def test_store_without_ontology_reads_entries_with_a_warning(logbook_store, store):
    mapped = read(export_crate(logbook_store, "crate-cell-1", published=WHEN), store)
    assert sorted(mapped.entries) == ENTRIES
    assert [p.severity for p in mapped.problems] == ["warning"] and "no ontology" in mapped.problems[0].message
