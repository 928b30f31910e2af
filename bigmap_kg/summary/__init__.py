"""The derived graphs: logbook counts and name keys, kept current on every write.

Counted from the logbook itself, "who measured LNO?", "what did CEA measure?", the dashboard
aggregate and the planner's logbook facts walk every measurement (seconds to minutes at a
million measurements), and a case-insensitive name lookup lower-cases every label of the store.
Two graphs hold what those need, derived from the rest of the store:

- the summary graph: counts, one cell per combination of the dimensions of its kind
  (:mod:`bigmap_kg.summary.contributions` says which entry counts where);
- the names graph: entries' names in lower case, the keys a named query's label parameter is
  matched against.

A write says what it changes (:class:`Change`: triples added per graph, graphs removed, entries
removed). From that, before the write is sent, the entries whose cells it can alter are found
and their cells computed as the store holds them and as the write will leave them; the
difference is sent with the write, in the same transaction, as changes relative to the stored
counts. A write whose reach is unknown (a raw SPARQL update, a restore) or that changes the class
hierarchy derives both graphs again whole: the graphs are dropped with the write, derived from
the store in chunks and written, the version marker last, so that a store interrupted on the way
has no marker and is derived again when it is next opened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef

from bigmap_kg.namespaces import BMK_IRI, DERIVED_GRAPHS, NAMES_GRAPH, SUMMARY_GRAPH
from bigmap_kg.store.change import Change
from bigmap_kg.summary.cells import (
    NAMES,
    SUMMARY,
    VERSION,
    counted_lines,
    delta_operations,
    key_line,
    marker_lines,
)
from bigmap_kg.summary.contributions import (
    Cell,
    Classes,
    Contributions,
    affected,
    cell_iri,
    chunked,
)
from bigmap_kg.summary.view import ChangedView, StoreView

if TYPE_CHECKING:
    from bigmap_kg.store.base import TripleStore

__all__ = ["VERSION", "Change", "Difference", "check", "derive", "is_current", "rebuild", "write"]

SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_OUTSIDE = " && ".join(f"?g != <{g}>" for g in DERIVED_GRAPHS)
_SOMETHING = f"{{ GRAPH ?g {{ ?s a ?c }} FILTER({_OUTSIDE}) }}"
#: Entries per chunk when deriving the graphs whole.
CHUNK = 10_000


def is_current(store: TripleStore) -> bool:
    """The derived graphs are of this version, or the store holds nothing to derive them from."""
    marker = f"GRAPH {SUMMARY} {{ {SUMMARY} <{BMK_IRI}summaryVersion> {VERSION} }}"
    return bool(store.query(f"ASK {{ {{ {marker} }} UNION {{ FILTER NOT EXISTS {_SOMETHING} }} }}"))


def classes(store: TripleStore) -> Classes:
    rows = store.select(f"SELECT DISTINCT ?sub ?sup WHERE {{ GRAPH ?g {{ ?sub <{SUBCLASS_OF}> ?sup }} "
                        f"FILTER(isIRI(?sub) && isIRI(?sup) && {_OUTSIDE}) }}").rows
    return Classes((str(r["sub"]), str(r["sup"])) for r in rows)


def needs_rebuild(store: TripleStore, change: Change) -> bool:
    """The change alters the class hierarchy, which every entry's type counts depend on."""
    if change.adds_predicate(URIRef(SUBCLASS_OF)):
        return True
    if change.removed_graphs and store.query(
            "ASK { VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(change.removed_graphs))
            + f" }} GRAPH ?g {{ ?s <{SUBCLASS_OF}> ?o }} }}"):
        return True
    return bool(change.removed_subjects) and bool(store.query(
        "ASK { VALUES ?s { " + " ".join(f"<{s}>" for s in sorted(change.removed_subjects))
        + f" }} GRAPH ?g {{ ?s <{SUBCLASS_OF}> ?o }} }}"))


def _touched(store: TripleStore, change: Change) -> set[str]:
    touched = {s for _g, s, _p, _o in change.added_quads()} | set(change.removed_subjects)
    for graph in change.removed_graphs:
        touched |= store.graph_subjects(graph)
    return touched


def delta(store: TripleStore, change: Change, hierarchy: Classes
          ) -> tuple[Counter[Cell], set[tuple[str, str]], set[tuple[str, str]]] | None:
    """How the write of ``change`` changes the counts and the name keys (None: nothing), read
    from the store as it is before the write."""
    before_view = StoreView(store)
    after_view = ChangedView(before_view, change)
    touched = _touched(store, change)
    if not touched:
        return None
    subjects = sorted(affected(before_view, touched) | affected(after_view, touched))
    before, after = Contributions(before_view, hierarchy), Contributions(after_view, hierarchy)
    counts: Counter[Cell] = Counter()
    for chunk in chunked(subjects, CHUNK):
        before.prefetch(chunk)
        after.prefetch(chunk)
        for s in chunk:
            counts.subtract(before.cells(s))
            counts.update(after.cells(s))
    removed_keys = {(s, k) for s in touched for k in before.name_keys(s)}
    added_keys = {(s, k) for s in touched for k in after.name_keys(s)}
    return counts, removed_keys, added_keys


def derive(store: TripleStore) -> tuple[Counter[Cell], set[tuple[str, str]]]:
    """Every cell's count and every name key, from the rest of the store, read in chunks."""
    hierarchy, view = classes(store), StoreView(store)
    contributions = Contributions(view, hierarchy)
    counts: Counter[Cell] = Counter()
    keys: set[tuple[str, str]] = set()
    for chunk in chunked(store.typed_subjects(), CHUNK):
        view.forget()
        contributions.prefetch(chunk)
        for s in chunk:
            counts.update(contributions.cells(s))
            keys.update((s, k) for k in contributions.name_keys(s))
    return counts, keys


def rebuild(store: TripleStore, update: str = "") -> None:
    """Send ``update`` with both derived graphs dropped, then derive and write them again."""
    drops = f"DROP SILENT GRAPH {SUMMARY} ;\nDROP SILENT GRAPH {NAMES}"
    store.send_update(f"{update} ;\n{drops}" if update else drops)
    counts, keys = derive(store)
    if not counts and not keys:
        return
    store.append(str(SUMMARY_GRAPH), counted_lines(counts))
    store.append(str(NAMES_GRAPH), (key_line(e, k) for e, k in sorted(keys)))
    store.send_update(f"INSERT DATA {{ GRAPH {SUMMARY} {{\n" + "\n".join(marker_lines()) + "\n} }")


def write(store: TripleStore, update: str, change: Change | None, hierarchy: Classes | None) -> None:
    """Send ``update`` (which makes ``change``; None: unknown) with the derived graphs' change,
    or with a rebuild after it where the change is unknown or alters the class hierarchy."""
    if change is None or hierarchy is None or needs_rebuild(store, change):
        rebuild(store, update)
        return
    found = delta(store, change, hierarchy)
    operations = [update] if update else []
    if found is not None:
        counts, removed_keys, added_keys = found
        operations += delta_operations(counts, removed_keys, added_keys)
        if any(n > 0 and cell[0] == "TypeCount" for cell, n in counts.items()):
            operations.append(f"INSERT DATA {{ GRAPH {SUMMARY} {{\n" + "\n".join(marker_lines()) + "\n} }")
    if operations:
        store.send_update(" ;\n".join(operations))
    if found is not None and any(n < 0 and cell[0] == "TypeCount" for cell, n in found[0].items()) \
            and not store.query(f"ASK {_SOMETHING}"):
        # the write left nothing to derive from: no marker, no derived graphs
        store.send_update(f"DROP SILENT GRAPH {SUMMARY} ;\nDROP SILENT GRAPH {NAMES}")


@dataclass
class Difference:
    """A summary cell or a name key that differs from what the store derives now."""

    item: str
    stored: int
    derived: int


def _stored_counts(store: TripleStore) -> dict[str, int]:
    counts = f"<{BMK_IRI}measurementCount>, <{BMK_IRI}instanceCount>"
    rows = store.select(f"SELECT ?cell ?n WHERE {{ GRAPH {SUMMARY} {{ ?cell ?count ?n "
                        f"FILTER(?count IN ({counts})) }} }}").rows
    return {str(r["cell"]): int(str(r["n"])) for r in rows}


def _stored_keys(store: TripleStore) -> set[tuple[str, str]]:
    rows = store.select(f"SELECT ?entry ?key WHERE {{ GRAPH {NAMES} {{ ?entry <{BMK_IRI}nameKey> ?key }} }}"
                        ).rows
    return {(str(r["entry"]), str(r["key"])) for r in rows}


def check(store: TripleStore) -> list[Difference]:
    """Cells whose stored count, and entries whose stored name keys, differ from what the rest
    of the store gives (empty: the derived graphs are right)."""
    counts, keys = derive(store)
    derived = {cell_iri(c): n for c, n in counts.items() if n > 0}
    stored = _stored_counts(store)
    found = [Difference(cell, stored.get(cell, 0), derived.get(cell, 0))
             for cell in sorted(set(derived) | set(stored)) if stored.get(cell, 0) != derived.get(cell, 0)]
    stored_keys = _stored_keys(store)
    found += [Difference(f"{entry} name key {key!r}", int((entry, key) in stored_keys),
                         int((entry, key) in keys)) for entry, key in sorted(keys ^ stored_keys)]
    return found
