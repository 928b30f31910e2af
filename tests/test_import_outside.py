"""Readers for formats users already have: BIG-MAP Archive (InvenioRDM v12) record JSON, and
BattINFO JSON-LD as the BattINFO Converter writes it."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib.namespace
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from bigmap_kg.importing.battinfo import is_battinfo, read_battinfo
from bigmap_kg.importing.invenio import is_invenio, read_invenio
from bigmap_kg.importing.problems import ERROR, WARNING, ImportProblem
from bigmap_kg.importing.resolve import Resolver
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.loader import validate_against_store, write_batch
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.store import EmbeddedStore
from bigmap_kg.validation import Validator

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "examples" / "import" / "invenio-record.json"
ONTOLOGIES = Path(__file__).resolve().parents[2] / "shared" / "ontologies"
BATTERY_CONTEXT = "https://w3id.org/emmo/domain/battery/context"
CONTEXT_COPY = ONTOLOGIES / "domain-battery" / "context" / "context.json"
FIXTURES = ONTOLOGIES / "BattINFO" / "examples" / "tests" / "fixtures"
CONVERTER_OUTPUTS = [FIXTURES / "converter" / "coin-cell.converter.sample.jsonld",
                     FIXTURES / "converter" / "coincell_reference_v3.jsonld",
                     FIXTURES / "interop" / "converter-versions" / "converter-v1.1.17.coincell.jsonld"]
BATTERY = "https://w3id.org/emmo/domain/battery#"
COIN_CELL = URIRef(BATTERY + "battery_b7fdab58_6e91_4c84_b097_b06eff86a124")
POUCH_CELL = URIRef(BATTERY + "battery_392b3f47_d62a_4bd4_a819_b58b09b8843a")
CYLINDRICAL = URIRef(BATTERY + "battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40")
MEASUREMENT = ID["measurement/CTH-RAMAN-2022-014"]
ANY_URI = rdflib.namespace.XSD.anyURI  # (a module-level XSD makes pytest warn)

MEASUREMENT_TTL = f"""
@prefix bmk: <{BMK}> .
<{MEASUREMENT}> a bmk:Measurement ; bmk:identifier "CTH-RAMAN-2022-014" ;
    bmk:measuredSample <{ID}sample/fzj-lno-aged-electrode> ;
    bmk:technique <{ID}technique/raman-spectroscopy> ; bmk:performedBy <{ID}partner/CTH> ;
    bmk:mode bmk:PostMortem .
"""


def record(**changes: object) -> dict[str, object]:
    """The example record, with top-level or metadata fields changed (``metadata_<field>``)."""
    data = json.loads(RECORD.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key.startswith("metadata_"):
            data["metadata"][key.removeprefix("metadata_")] = value
        else:
            data[key] = value
    return data


def source(data: object, name: str = "record.json") -> Source:
    return Source(name, json.dumps(data).encode("utf-8"))


def errors(mapped: Mapped) -> list[ImportProblem]:
    return [p for p in mapped.problems if p.severity == ERROR]


@pytest.fixture
def with_measurement(kg_store: EmbeddedStore, validator: Validator) -> EmbeddedStore:
    result = write_batch(kg_store, parse_bytes(MEASUREMENT_TTL.encode(), "measurement.ttl"), validator)
    assert result.written, result.report.to_text()
    return kg_store


# -- InvenioRDM records -------------------------------------------------------------------

def test_record_becomes_an_archive_record_documenting_the_measurement_it_names(
        with_measurement: EmbeddedStore, validator: Validator) -> None:
    mapped = read_invenio(Source.from_path(RECORD), Resolver(with_measurement))
    assert mapped.problems == []
    rec = ID["record/r4m4n-cth95"]
    g = mapped.graph
    assert (rec, RDF.type, BMK.ArchiveRecord) in g
    assert g.value(rec, BMK.identifier) == Literal("r4m4n-cth95")
    assert g.value(rec, SKOS.prefLabel) == Literal("Raman mapping of aged LNO electrodes (D5.3 demonstrator)")
    assert g.value(rec, BMK.url) == Literal("https://archive.big-map.eu/records/r4m4n-cth95", datatype=ANY_URI)
    assert g.value(rec, BMK.documents) == MEASUREMENT
    assert g.value(rec, BMK.author) == ID["partner/CTH"]
    assert set(g.objects(rec, BMK.tag)) == {Literal(t) for t in ("Experiments", "Raman spectroscopy", "LNO", "D5.3")}
    files = {str(g.value(f, BMK.fileName)): f for f in g.objects(rec, BMK.hasFile)}
    assert all(isinstance(f, BNode) for f in files.values())
    assert sorted(files) == ["README.txt", "raman_map_LNO_aged.h5", "raman_map_LNO_aged_LiTDI.h5"]
    assert all((f, RDF.type, BMK.DataFile) in g for f in files.values())
    assert mapped.rows == 1 and list(mapped.entries) == [rec]
    assert mapped.cells[(rec, "documents")].column == "metadata.related_identifiers[0].identifier"
    report = validate_against_store(with_measurement, g, validator)
    assert report.problems == [], report.to_text()


@pytest.mark.parametrize("identifier", [
    str(MEASUREMENT), "CTH-RAMAN-2022-014", "https://notebook.example.org/entries/CTH-RAMAN-2022-014"])
def test_related_identifier_may_be_our_iri_the_bare_id_or_an_address_ending_with_the_id(
        with_measurement: EmbeddedStore, identifier: str) -> None:
    related = [{"identifier": "10.1234/a-paper", "scheme": "doi", "relation_type": {"id": "iscitedby"}},
               {"identifier": identifier, "scheme": "url", "relation_type": {"id": "documents"}}]
    mapped = read_invenio(source(record(metadata_related_identifiers=related)), Resolver(with_measurement))
    assert errors(mapped) == []
    assert mapped.graph.value(ID["record/r4m4n-cth95"], BMK.documents) == MEASUREMENT


def test_record_naming_an_unknown_measurement_is_an_error_with_the_field_path_and_closest_ids(
        with_measurement: EmbeddedStore) -> None:
    related = [{"identifier": "CTH-RAMAN-2022-041", "scheme": "other", "relation_type": {"id": "documents"}}]
    mapped = read_invenio(source(record(metadata_related_identifiers=related)), Resolver(with_measurement))
    (error,) = errors(mapped)
    assert error.origin.column == "metadata.related_identifiers[0].identifier"
    assert error.value == "CTH-RAMAN-2022-041"
    assert "CTH-RAMAN-2022-014" in (error.expected or "") and "--documents" in (error.expected or "")


def test_record_naming_nothing_is_an_error_unless_documents_names_the_measurement(
        with_measurement: EmbeddedStore) -> None:
    bare = source(record(metadata_related_identifiers=[]))
    (error,) = errors(read_invenio(bare, Resolver(with_measurement)))
    assert error.origin.column == "metadata.related_identifiers" and "--documents" in (error.expected or "")
    given = read_invenio(bare, Resolver(with_measurement), documents=["CTH-RAMAN-2022-014"])
    assert errors(given) == []
    assert given.graph.value(ID["record/r4m4n-cth95"], BMK.documents) == MEASUREMENT
    assert given.cells[(ID["record/r4m4n-cth95"], "documents")].column == "--documents"


@pytest.mark.parametrize("wrap", [lambda rs: rs, lambda rs: {"hits": {"hits": rs, "total": len(rs)}}],
                         ids=["list", "search-response"])
def test_a_list_or_search_response_gives_one_row_per_record(
        with_measurement: EmbeddedStore, wrap: Callable[[list[dict[str, object]]], object]) -> None:
    second = record(id="pxrf9-zfh45", links={}, pids={"doi": {"identifier": "10.1234/bma.pxrf9",
                                                                "provider": "external"}})
    data = wrap([record(), second])
    assert is_invenio(data)
    mapped = read_invenio(source(data), Resolver(with_measurement))
    assert errors(mapped) == [] and mapped.rows == 2
    first_iri, second_iri = ID["record/r4m4n-cth95"], ID["record/pxrf9-zfh45"]
    assert [o.row for o in mapped.entries.values()] == [1, 2]
    assert mapped.graph.value(second_iri, BMK.url) == Literal(
        "https://archive.big-map.eu/records/pxrf9-zfh45", datatype=ANY_URI)
    assert mapped.graph.value(second_iri, BMK.doi) == Literal("https://doi.org/10.1234/bma.pxrf9",
                                                              datatype=ANY_URI)
    assert mapped.graph.value(first_iri, BMK.doi) is None


def test_nan_in_a_record_is_an_error_at_its_field_path(with_measurement: EmbeddedStore) -> None:
    text = RECORD.read_text(encoding="utf-8").replace('"size": 5886', '"size": NaN')
    mapped = read_invenio(Source("record.json", text.encode()), Resolver(with_measurement))
    (error,) = errors(mapped)
    assert error.origin.column == "files.entries.README.txt.size"
    assert len(mapped.graph) == 0


def test_invalid_json_is_reported_at_its_line_and_column(kg_store: EmbeddedStore) -> None:
    mapped = read_invenio(Source("record.json", b'{"id": "r4m4n-cth95",\n  "metadata": }'), Resolver(kg_store))
    (error,) = errors(mapped)
    assert (error.origin.row, error.origin.column) == (2, "character 15")
    assert "not valid JSON" in error.message


@pytest.mark.parametrize(("value", "message"), [
    (None, "the record has no id"), ("ggvxb_z1a82", "not an InvenioRDM record ID"),
    (12345, "not an InvenioRDM record ID"), ("GGVXB-Z1A45", "not an InvenioRDM record ID")])
def test_record_without_id_or_with_a_malformed_id_is_an_error_at_id(
        kg_store: EmbeddedStore, value: object, message: str) -> None:
    data = record()
    data.pop("id") if value is None else data.update(id=value)
    (error,) = errors(read_invenio(source(data), Resolver(kg_store)))
    assert (error.origin.column, error.message) == ("id", message)


def test_record_id_whose_check_digits_do_not_match_is_a_warning(with_measurement: EmbeddedStore) -> None:
    # D5.3 Annex 5.5 prints ggvxb-z1a82; base32-lib's check digits for ggvxb-z1a are 45.
    mapped = read_invenio(source(record(id="ggvxb-z1a82", links={})), Resolver(with_measurement))
    (warning,) = [p for p in mapped.problems if p.severity == WARNING]
    assert warning.origin.column == "id" and "45" in (warning.expected or "")
    assert errors(mapped) == [] and ID["record/ggvxb-z1a82"] in mapped.entries


def test_affiliation_that_is_no_partner_is_a_warning_and_no_author(with_measurement: EmbeddedStore) -> None:
    creators = [{"person_or_org": {"type": "personal", "name": "Doe, Jane"},
                 "affiliations": [{"name": "University of Nowhere"}]}]
    mapped = read_invenio(source(record(metadata_creators=creators)), Resolver(with_measurement))
    (warning,) = mapped.problems
    assert warning.severity == WARNING
    assert warning.origin.column == "metadata.creators[0].affiliations[0].name"
    assert mapped.graph.value(ID["record/r4m4n-cth95"], BMK.author) is None


def test_invenio_detection_knows_records_and_nothing_else() -> None:
    data = record()
    assert is_invenio(data) and is_invenio([data]) and is_invenio({"hits": {"hits": []}})
    assert not is_invenio({"samples": [{"sample_id": "CTH-LNO-0042"}]})
    assert not is_invenio({"@context": BATTERY_CONTEXT, "@type": "CoinCell"})
    assert not is_battinfo(data)


# -- BattINFO JSON-LD ---------------------------------------------------------------------

def _needs_shared() -> None:
    if not CONTEXT_COPY.exists():
        pytest.skip("shared/ontologies (the BattINFO fixtures and the domain-battery context) is absent")


def _without_nan_ids(data: object) -> object:
    if isinstance(data, dict):
        return {k: _without_nan_ids(v) for k, v in data.items()
                if not (k == "@id" and isinstance(v, float) and math.isnan(v))}
    return [_without_nan_ids(v) for v in data] if isinstance(data, list) else data


def _parsed_independently(path: Path) -> Graph:
    """The converter output expanded by rdflib with the context copy pasted in by hand."""
    data = _without_nan_ids(json.loads(path.read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    local = json.loads(CONTEXT_COPY.read_text(encoding="utf-8"))["@context"]
    data["@context"] = [local if c == BATTERY_CONTEXT else c for c in data["@context"]]
    return Graph().parse(data=json.dumps(data), format="json-ld")


@pytest.mark.parametrize("path", CONVERTER_OUTPUTS, ids=lambda p: p.name)
def test_converter_output_becomes_one_coin_cell_sample_keeping_every_battinfo_triple(
        kg_store: EmbeddedStore, validator: Validator, path: Path) -> None:
    _needs_shared()
    mapped = read_battinfo(Source.from_path(path), Resolver(kg_store), {BATTERY_CONTEXT: CONTEXT_COPY})
    assert errors(mapped) == [], [p.to_text() for p in mapped.problems]
    (sample,) = mapped.entries
    g = mapped.graph
    product = str(g.value(sample, BMK.identifier))
    assert sample == ID[f"sample/{product}"] and product in ("Empa-bco-000007", "empa__ccid_123456")
    assert (sample, RDF.type, BMK.Sample) in g and (sample, RDF.type, COIN_CELL) in g
    assert g.value(sample, BMK.sampleShape) == BMK.CoinCellShape
    assert g.value(sample, BMK.madeOf) == ID["material/graphite"]
    assert URIRef("https://orcid.org/0000-0002-5003-1134") in set(g.subjects())
    ours = {(sample, RDF.type, BMK.Sample), *g.triples((sample, SKOS.prefLabel, None)),
            *((s, p, o) for s, p, o in g if str(p).startswith(str(BMK)))}
    theirs = Graph()
    blank = BNode()
    for s, p, o in set(g) - ours:
        theirs.add((blank if s == sample else s, p, blank if o == sample else o))
    assert isomorphic(theirs, _parsed_independently(path))
    report = validate_against_store(kg_store, g, validator)
    assert report.conforms, report.to_text()


def test_converter_output_without_its_context_mapped_is_a_problem_naming_the_file_and_url(
        kg_store: EmbeddedStore) -> None:
    _needs_shared()
    path = CONVERTER_OUTPUTS[0]
    mapped = read_battinfo(Source.from_path(path), Resolver(kg_store), {})
    (error,) = errors(mapped)
    assert error.origin.file == str(path) and error.value == BATTERY_CONTEXT
    assert f"--context {BATTERY_CONTEXT}=FILE" in (error.expected or "")
    assert len(mapped.graph) == 0


INLINE_CONTEXT = {"CoinCell": str(COIN_CELL), "PouchCell": str(POUCH_CELL),
                  "CylindricalBattery": str(CYLINDRICAL), "schema": "https://schema.org/"}


def cell(**fields: object) -> dict[str, object]:
    return {"@context": INLINE_CONTEXT, **fields}


@pytest.mark.parametrize(("kind", "shape"), [("CoinCell", BMK.CoinCellShape), ("PouchCell", BMK.PouchCellShape),
                                             ("CylindricalBattery", BMK.CylindricalCellShape)])
def test_cell_class_gives_the_sample_shape_and_a_known_manufacturer_prepared_it(
        kg_store: EmbeddedStore, validator: Validator, kind: str, shape: URIRef) -> None:
    data = cell(**{"@type": kind, "schema:productID": "CTH-CC-0099", "schema:name": "a cell",
                   "schema:manufacturer": {"@type": "schema:Organization", "schema:name": "Chalmers"}})
    assert is_battinfo(data)
    mapped = read_battinfo(source(data, "cell.jsonld"), Resolver(kg_store), {})
    assert mapped.problems == []
    sample = ID["sample/CTH-CC-0099"]
    assert mapped.graph.value(sample, BMK.sampleShape) == shape
    assert mapped.graph.value(sample, BMK.preparedBy) == ID["partner/CTH"]
    assert mapped.graph.value(sample, SKOS.prefLabel) == Literal("a cell")
    assert validate_against_store(kg_store, mapped.graph, validator).conforms


def test_cell_with_an_id_keeps_it_and_a_nan_id_counts_as_none(kg_store: EmbeddedStore) -> None:
    named = read_battinfo(source(cell(**{"@id": "https://example.org/cells/7", "@type": "CoinCell",
                                         "schema:productID": "X-7"})), Resolver(kg_store), {})
    assert list(named.entries) == [URIRef("https://example.org/cells/7")]
    text = json.dumps(cell(**{"@type": "CoinCell", "schema:productID": "X-8"}))
    text = text.replace('"@type"', '"@id": NaN, "@type"')
    blank = read_battinfo(Source("cell.jsonld", text.encode()), Resolver(kg_store), {})
    assert errors(blank) == [] and list(blank.entries) == [ID["sample/X-8"]]


def test_cell_without_id_or_product_id_is_an_error(kg_store: EmbeddedStore) -> None:
    mapped = read_battinfo(source(cell(**{"@type": "CoinCell"})), Resolver(kg_store), {})
    (error,) = errors(mapped)
    assert error.origin.column == "schema:productID"


def test_document_without_a_cell_at_its_root_is_an_error(kg_store: EmbeddedStore) -> None:
    data = copy.deepcopy(cell(**{"@type": "schema:Organization", "schema:name": "Empa"}))
    (error,) = errors(read_battinfo(source(data), Resolver(kg_store), {}))
    assert error.origin.column == "@type" and "CoinCell" in (error.expected or "")
