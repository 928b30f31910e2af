"""The logbook summary graph stays equal to a recount of the logbook through every kind of write,
in the same transaction as the write, on the embedded store and an Oxigraph server."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from bigmap_kg.access import Identity
from bigmap_kg.entries import create_entries, delete_entry, describe_entry, replace_entry
from bigmap_kg.errors import BigmapKGError
from bigmap_kg.importing.batches import undo
from bigmap_kg.importing.pipeline import run_import
from bigmap_kg.importing.source import Source
from bigmap_kg.namespaces import BMK, ID, SUMMARY_GRAPH
from bigmap_kg.parsing import parse_bytes
from bigmap_kg.queries import get_query
from bigmap_kg.store import EmbeddedStore, TripleStore
from bigmap_kg.store.change import Change
from bigmap_kg.store.restore import restore
from bigmap_kg.summary import check, is_current
from bigmap_kg.validation import Validator

ADMIN = Identity("operator", "admin")
SAMPLES = Source("samples.csv", b"""sample_id,name,sample_shape,derived_from,materials,prepared_by
SUM-CC-1,LNO||Gr coin cell,Coin cell,,LNO; graphite,Chalmers
SUM-LNO-1,LNO electrode from the cell,electrode,SUM-CC-1,LiNiO2,Chalmers
""")
MEASUREMENTS = Source("measurements.csv", b"""measurement_id,samples,technique,partner,instrument,mode,start_date
SUM-RAMAN-1,SUM-LNO-1,Raman,Chalmers,,post mortem,2022-11-21
SUM-XRD-1,SUM-LNO-1,XRD,CEA,ID31,operando,2022-12-05
SUM-XRD-2,SUM-CC-1,XRD,CEA,ID31,operando,2022-12-06
""")
CTH, CEA = URIRef(ID["partner/CTH"]), URIRef(ID["partner/CEA"])
RAMAN = URIRef(ID["technique/raman-spectroscopy"])
XRD = URIRef(ID["technique/x-ray-diffraction"])
ID31 = str(ID["instrument/esrf-id31"])


def dashboard(store: TripleStore) -> dict[tuple[str, str], int]:
    rows = get_query("measurements-by-partner-and-technique").run(store, {}).rows
    return {(str(r["partner"]), str(r["technique"])): int(str(r["measurements"])) for r in rows}


def history(store: TripleStore, sample: str) -> int:
    return len(get_query("sample-history").run(store, {"sample": sample}))


def shape_cells(store: TripleStore, instrument: str = ID31, technique: str = str(XRD)) -> dict[str, int]:
    """Measurements on the instrument with the technique per sample shape, as the summary holds them."""
    rows = store.select(f"""PREFIX bmk: <{BMK}>
        SELECT ?shape ?n WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{
          ?c a bmk:InstrumentShapeCount ; bmk:countedInstrument <{instrument}> ;
             bmk:countedTechnique <{technique}> ; bmk:countedSampleShape ?shape ; bmk:measurementCount ?n }} }}""").rows
    return {str(r["shape"]).rsplit("#", 1)[1]: int(str(r["n"])) for r in rows}


def plus(before: dict[tuple[str, str], int], changes: dict[tuple[URIRef, URIRef], int]) -> dict[tuple[str, str], int]:
    after = dict(before)
    for (partner, technique), n in changes.items():
        key = (str(partner), str(technique))
        after[key] = after.get(key, 0) + n
        if not after[key]:
            del after[key]
    return after


def test_the_initialised_store_has_a_current_summary_equal_to_a_recount(writable_store: TripleStore) -> None:
    assert is_current(writable_store)
    assert check(writable_store) == []
    assert sum(dashboard(writable_store).values()) > 0  # the D5.3 demonstrator's measurements


def test_imports_entry_changes_and_undo_keep_the_summary_equal_to_a_recount(
        writable_store: TripleStore) -> None:
    store, validator = writable_store, Validator()
    before = dashboard(store)
    shapes_before = shape_cells(store)

    samples = run_import(store, [SAMPLES], validator=validator)
    measurements = run_import(store, [MEASUREMENTS], validator=validator)
    assert samples.written and measurements.written, measurements.report.to_text()
    assert check(store) == []
    assert dashboard(store) == plus(before, {(CTH, RAMAN): 1, (CEA, XRD): 2})
    shapes = shape_cells(store)
    assert shapes.get("ElectrodeShape", 0) == shapes_before.get("ElectrodeShape", 0) + 1
    assert shapes.get("CoinCellShape", 0) == shapes_before.get("CoinCellShape", 0) + 1

    assert history(store, "Sum-Lno-1") and history(store, "lno ELECTRODE from the cell")

    # A sample's shape and name change: the measurement of it moves to another cell, and the
    # sample is found by its new name only.
    electrode = URIRef(ID["sample/SUM-LNO-1"])
    description = describe_entry(store, electrode)
    assert not list(description.triples((None, BMK.nameKey, None)))
    description.set((electrode, BMK.sampleShape, BMK.PowderShape))
    description.set((electrode, SKOS.prefLabel, Literal("Powder scraped from the cell")))
    replace_entry(store, electrode, description, validator, ADMIN)
    assert check(store) == []
    assert history(store, "powder scraped from the cell") and not history(store, "LNO electrode from the cell")
    shapes = shape_cells(store)
    assert shapes.get("ElectrodeShape", 0) == shapes_before.get("ElectrodeShape", 0)
    assert shapes.get("PowderShape", 0) == shapes_before.get("PowderShape", 0) + 1

    delete_entry(store, URIRef(ID["measurement/SUM-XRD-2"]), ADMIN)
    assert check(store) == []
    assert dashboard(store) == plus(before, {(CTH, RAMAN): 1, (CEA, XRD): 1})

    undo(store, measurements.batch)
    assert check(store) == []
    assert dashboard(store) == before
    assert shape_cells(store) == shapes_before


def test_a_new_entry_counts_and_a_refused_write_leaves_the_summary_alone(writable_store: TripleStore) -> None:
    store, validator = writable_store, Validator()
    before = dashboard(store)
    entry = parse_bytes(f"""@prefix bmk: <{BMK}> .
<{ID["measurement/SUM-ENTRY-1"]}> a bmk:Measurement ;
    bmk:measuredSample <{ID["sample/fzj-lno-aged-electrode"]}> ; bmk:technique <{XRD}> ;
    bmk:performedBy <{CEA}> ; bmk:mode bmk:ExSitu .
""", "entry.ttl")
    create_entries(store, entry, validator, ADMIN)
    assert dashboard(store) == plus(before, {(CEA, XRD): 1})
    with pytest.raises(BigmapKGError):
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{ID['measurement/SUM-ENTRY-1']}> ?p ?o }} }} ; "
                     "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> } }", Change())
    assert dashboard(store) == plus(before, {(CEA, XRD): 1}) and check(store) == []


def test_a_raw_update_and_a_restore_recount_the_summary(writable_store: TripleStore) -> None:
    store = writable_store
    before = dashboard(store)
    store.update(f"""PREFIX bmk: <{BMK}>
INSERT DATA {{ GRAPH <https://w3id.org/bigmap-kg/graph/raw> {{
  <{ID["measurement/SUM-RAW-1"]}> a bmk:Measurement ; bmk:technique <{RAMAN}> ; bmk:performedBy <{CTH}> }} }}""")
    assert dashboard(store) == plus(before, {(CTH, RAMAN): 1}) and check(store) == []
    dump = store.export("nquads")
    store.update("DROP SILENT GRAPH <https://w3id.org/bigmap-kg/graph/raw>")
    assert dashboard(store) == before
    restore(store, dump, "nquads", replace=True)
    assert dashboard(store) == plus(before, {(CTH, RAMAN): 1}) and check(store) == []


def test_a_store_written_around_bigmap_kg_is_recounted_when_opened(kg_store: EmbeddedStore) -> None:
    from bigmap_kg.settings import Settings
    from bigmap_kg.store import store_from_settings

    expected = dashboard(kg_store)
    kg_store.maintain_summary = False
    kg_store.drop_graph(str(SUMMARY_GRAPH))
    assert not is_current(kg_store) and dashboard(kg_store) == {}
    path = kg_store.path
    kg_store.close()
    reopened = store_from_settings(Settings(store=path))
    try:
        assert is_current(reopened) and dashboard(reopened) == expected
    finally:
        reopened.close()


def test_the_first_write_to_a_store_without_summary_counts_it_whole(kg_store: EmbeddedStore) -> None:
    expected = dashboard(kg_store)
    kg_store.maintain_summary = False
    kg_store.drop_graph(str(SUMMARY_GRAPH))
    kg_store.maintain_summary = True
    kg_store._summary_current = None
    kg_store.write_graph("urn:bigmap-kg:test-unrelated", parse_bytes("<urn:a> <urn:b> <urn:c> .", "x.nt"))
    assert dashboard(kg_store) == expected and check(kg_store) == []


def test_loading_the_same_ontology_again_keeps_the_summary_without_deriving_it_again(
        kg_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import bigmap_kg.summary as summary
    from bigmap_kg.loader import init_store

    def refused(*_args: object) -> None:
        raise AssertionError("derived again whole")

    monkeypatch.setattr(summary, "rebuild", refused)
    init_store(kg_store)  # ontology, shapes and catalogue written again, each replacing itself
    assert check(kg_store) == []


def test_a_new_subclass_is_counted_with_its_superclass(kg_store: EmbeddedStore) -> None:
    before = {str(r["kind"]): int(str(r["count"])) for r in get_query("catalogue-counts").run(kg_store).rows}
    kg_store.write_graph("https://w3id.org/bigmap-kg/graph/test-classes", parse_bytes(f"""
        @prefix bmk: <{BMK}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:Beamtime> rdfs:subClassOf bmk:Measurement .
        <urn:x:b1> a <urn:x:Beamtime> .""".encode(), "classes.ttl"))
    after = {str(r["kind"]): int(str(r["count"])) for r in get_query("catalogue-counts").run(kg_store).rows}
    assert after["measurements"] == before["measurements"] + 1 and check(kg_store) == []


def test_a_shape_cell_iri_made_in_sparql_is_the_one_the_summary_stores(writable_store: TripleStore) -> None:
    """queries/filters/sample-shape.rq finds a cell by the IRI it makes from the dimensions."""
    run_import(writable_store, [SAMPLES], validator=Validator())
    run_import(writable_store, [MEASUREMENTS], validator=Validator())
    rows = writable_store.select(f"""PREFIX bmk: <{BMK}>
        SELECT ?cell ?made WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{
          {{ ?cell a bmk:InstrumentShapeCount ; bmk:countedInstrument ?i ; bmk:countedTechnique ?t ;
                   bmk:countedSampleShape ?s .
            BIND(IRI(CONCAT("https://w3id.org/bigmap-kg/summary/InstrumentShapeCount/", MD5(CONCAT(
              "countedInstrument=", STR(?i), " countedTechnique=", STR(?t), " countedSampleShape=", STR(?s)))))
              AS ?made) }}
          UNION
          {{ ?cell a bmk:UnnamedInstrumentShapeCount ; bmk:countedPartner ?p ; bmk:countedTechnique ?t ;
                   bmk:countedSampleShape ?s .
            BIND(IRI(CONCAT("https://w3id.org/bigmap-kg/summary/UnnamedInstrumentShapeCount/", MD5(CONCAT(
              "countedPartner=", STR(?p), " countedTechnique=", STR(?t), " countedSampleShape=", STR(?s)))))
              AS ?made) }} }} }}""").rows
    assert len(rows) >= 2 and all(r["cell"] == r["made"] for r in rows)


def test_a_refused_write_does_not_make_the_next_one_derive_everything_again(
        kg_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import bigmap_kg.summary as summary

    with pytest.raises(BigmapKGError):
        kg_store.update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } } ; THIS IS NOT SPARQL", Change())

    def refused(*_args: object) -> None:
        raise AssertionError("derived again whole")

    monkeypatch.setattr(summary, "rebuild", refused)
    kg_store.write_graph("urn:bigmap-kg:test-after-refusal", parse_bytes(
        f"<{ID['measurement/SUM-AFTER-1']}> a <{BMK.Measurement}> ; <{BMK.technique}> <{XRD}> ; "
        f"<{BMK.performedBy}> <{CEA}> .".encode(), "m.ttl"))
    assert check(kg_store) == []
