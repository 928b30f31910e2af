"""Restoring a dump written by ``export`` (TriG or N-Quads): every named graph of the file, in
one update, so that a restore is whole or not at all."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from bigmap_kg.errors import Location, ParseError, StoreError
from bigmap_kg.store.base import TripleStore

FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def read_dump(data: bytes, fmt: str, name: str = "dump") -> dict[str, list[str]]:
    """The N-Triples lines of each named graph of a dump; triples outside any named graph are an
    error (a dump holds named graphs only)."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown dump format {fmt!r}", hint="use trig or nquads")
    graphs: dict[str, list[str]] = defaultdict(list)
    try:
        for quad in ox.parse(data, FORMATS[fmt]):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise ParseError("a triple outside any named graph: a dump holds named graphs only",
                                 Location(file=name), hint="restore files written by `bigmap-kg export`")
            graphs[quad.graph_name.value].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    except SyntaxError as exc:
        raise ParseError(f"not valid {fmt}: {exc.msg}", Location(file=name, line=exc.lineno,
                                                                  column=exc.offset)) from exc
    return dict(graphs)


def restore(store: TripleStore, data: bytes, fmt: str, *, name: str = "dump",
            replace: bool = False) -> dict[str, int]:
    """Make the store hold the dump's graphs. Refused when the store holds data, unless
    ``replace``: then everything else is removed, in the same transaction."""
    graphs = read_dump(data, fmt, name)
    if store.graphs() and not replace:
        raise StoreError("the store is not empty", Location(file=name),
                         hint="restore into an empty store, or replace everything the store holds")
    drop = store.drop_all_text() if replace else ""
    parts = [drop] if drop else []
    for graph, lines in graphs.items():
        parts.append(store.insert_text(graph, "\n".join(lines)))
    if parts:
        store.update(" ;\n".join(parts))
    return {graph: len(lines) for graph, lines in graphs.items()}


def bulk_restore(store: TripleStore, path: str, fmt: str) -> int:
    """Load a large dump into an *empty* embedded store with Oxigraph's bulk loader (streamed
    from the file, not one transaction: a failure empties the store again, and an interrupted
    load leaves a store without the derived graphs' marker, so it is derived again when opened).
    The derived graphs come with the dump; they are derived again when they are not of this
    version. Returns the number of quads loaded."""
    from bigmap_kg.store.embedded import EmbeddedStore

    if not isinstance(store, EmbeddedStore):
        raise StoreError("a bulk restore loads the embedded store only",
                         hint="restore without --bulk, or load the dump with the server's own loader")
    if fmt not in FORMATS:
        raise StoreError(f"unknown dump format {fmt!r}", hint="use trig or nquads")
    if store.graphs():
        raise StoreError("the store is not empty", Location(file=path),
                         hint="a bulk restore goes into an empty store; remove it or choose another --store")
    try:
        loaded = store.bulk_load_file(path, FORMATS[fmt])
        if store.has_default_graph_triples():
            raise ParseError("a triple outside any named graph: a dump holds named graphs only",
                             Location(file=path), hint="restore files written by `bigmap-kg export`")
    except BaseException:
        store.clear()
        raise
    store._summary_current = None
    store.ensure_summary()
    return loaded
