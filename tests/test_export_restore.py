"""`export` and `restore` round-trip every named graph losslessly, on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from bigmap_kg.errors import ParseError, StoreError
from bigmap_kg.importing.pipeline import run_import
from bigmap_kg.importing.source import Source
from bigmap_kg.loader import init_store
from bigmap_kg.store import EmbeddedStore, TripleStore
from bigmap_kg.store.restore import restore

DATA = Path(__file__).parent / "data" / "import"
SHIPMENT = b"""@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
<https://w3id.org/bigmap-kg/id/shipment/RT-1> a bmk:Shipment ; bmk:identifier "RT-1" ;
    bmk:sender <https://w3id.org/bigmap-kg/id/partner/FZJ> ; bmk:recipient <https://w3id.org/bigmap-kg/id/partner/CTH> ;
    bmk:shipmentStatus bmk:Delivered ;
    bmk:hasContent [ a bmk:ShipmentContent ; bmk:sampleKind "LNO aged" ; bmk:amount 0.5 ] ,
                   [ a bmk:ShipmentContent ; bmk:sampleKind "Gr aged" ; bmk:amount 1.0 ] .
"""


def _graphs(dump: bytes, fmt: str) -> dict[str, object]:
    ds = Dataset()
    ds.parse(data=dump, format=fmt)
    return {str(g.identifier): g for g in ds.graphs() if isinstance(g.identifier, URIRef)
            and len(g)}


@pytest.mark.slow
def test_export_then_restore_gives_every_named_graph_back(any_store: TripleStore, tmp_path: Path) -> None:
    fmt = "trig" if isinstance(any_store, EmbeddedStore) else "nquads"  # each format on one backend
    init_store(any_store)
    outcome = run_import(any_store, [Source.from_path(DATA / "samples.csv"), Source.from_path(
        DATA / "measurements.csv"), Source("shipment.ttl", SHIPMENT)])
    assert outcome.written, outcome.report.to_text()
    dump = any_store.export(fmt)
    any_store.update("DROP ALL")
    assert any_store.graphs() == []
    counts = restore(any_store, dump, fmt)
    before, after = _graphs(dump, fmt), _graphs(any_store.export(fmt), fmt)
    assert set(before) == set(after) == set(counts) and len(before) == 4
    for name, graph in before.items():
        if not isomorphic(graph, after[name]):  # type: ignore[arg-type]
            _both, first, second = graph_diff(to_isomorphic(graph), to_isomorphic(after[name]))  # type: ignore[arg-type]
            pytest.fail(f"{name} differs:\nonly before:\n{first.serialize(format='nt')}\n"
                        f"only after:\n{second.serialize(format='nt')}")


def test_restore_into_a_store_holding_data_needs_replace(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "a") as store:
        init_store(store)
        dump = store.export("nquads")
        with pytest.raises(StoreError, match="not empty"):
            restore(store, dump, "nquads")
        counts = restore(store, dump, "nquads", replace=True)
        assert sum(counts.values()) == store.triple_count()


def test_a_broken_dump_is_refused_with_its_line_and_nothing_written(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "a") as store:
        with pytest.raises(ParseError, match="line 2"):
            restore(store, b"<http://a> <http://b> <http://c> <http://g> .\n<http://a> <b> .\n", "nquads")
        with pytest.raises(ParseError, match="outside any named graph"):
            restore(store, b"<http://a> <http://b> <http://c> .\n", "nquads")
        assert store.graphs() == []
