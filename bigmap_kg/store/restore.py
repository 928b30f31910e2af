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
