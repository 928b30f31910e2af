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
from bigmap_kg.store.change import Change, Lit
from bigmap_kg.summary.cells import (
    NAMES,
    SUMMARY,
    VERSION,
    counted_lines,
    delta_operations,
    marker_lines,
)
from bigmap_kg.summary.contributions import (
    COUNTS_AS,
    Cell,
    Classes,
    Contributions,
    Fact,
    affected,
    cell_iri,
    chunked,
    key_line,
    material_line,
)
from bigmap_kg.summary.contributions import (
    SHAPE as SAMPLE_SHAPE,
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
    rows = store.select(f"SELECT DISTINCT ?g ?sub ?sup WHERE {{ GRAPH ?g {{ ?sub <{SUBCLASS_OF}> ?sup }} "
                        f"FILTER(isIRI(?sub) && isIRI(?sup) && {_OUTSIDE}) }}").rows
    return Classes((str(r["g"]), str(r["sub"]), str(r["sup"])) for r in rows)


def hierarchy_after(hierarchy: Classes, change: Change) -> Classes:
    """The class hierarchy as the write of ``change`` leaves it."""
    kept = {(g, sub, sup) for g, sub, sup in hierarchy.located
            if g not in change.removed_graphs and sub not in change.removed_subjects}
    if change.adds_predicate(URIRef(SUBCLASS_OF)):
        kept |= {(g, s, o) for g, s, p, o in change.added_quads()
                 if p == SUBCLASS_OF and not isinstance(o, Lit)}
    return Classes(kept)


def _touched(store: TripleStore, change: Change) -> set[str]:
    touched = {s for _g, s, _p, _o in change.added_quads()} | set(change.removed_subjects)
    for graph in change.removed_graphs:
        touched |= store.graph_subjects(graph)
    return touched


def delta(store: TripleStore, change: Change, hierarchy: Classes
          ) -> tuple[Counter[Cell], set[Fact], set[Fact]] | None:
    """How the write of ``change`` changes the counts and the derived facts (None: nothing),
    read from the store as it is before the write."""
    before_view = StoreView(store)
    after_view = ChangedView(before_view, change)
    touched = _touched(store, change)
    if not touched:
        return None
    subjects = sorted(affected(before_view, touched) | affected(after_view, touched))
    before, after = Contributions(before_view, hierarchy), Contributions(after_view, hierarchy)
    counts: Counter[Cell] = Counter()
    removed: set[Fact] = set()
    added: set[Fact] = set()
    for chunk in chunked(subjects, CHUNK):
        before.prefetch(chunk)
        after.prefetch(chunk)
        for s in chunk:
            counts.subtract(before.cells(s))
            counts.update(after.cells(s))
            removed |= before.facts(s)
            added |= after.facts(s)
    return counts, removed, added


def derive(store: TripleStore) -> tuple[Counter[Cell], set[Fact]]:
    """Every cell's count and every derived fact, from the rest of the store, read in chunks."""
    hierarchy, view = classes(store), StoreView(store)
    contributions = Contributions(view, hierarchy)
    counts: Counter[Cell] = Counter()
    facts: set[Fact] = set()
    for chunk in chunked(store.typed_subjects(), CHUNK):
        view.forget(keep=SAMPLE_SHAPE)  # samples are shared by the measurements of many chunks
        contributions.prefetch(chunk)
        for s in chunk:
            counts.update(contributions.cells(s))
            facts |= contributions.facts(s)
    return counts, facts


def rebuild(store: TripleStore, update: str = "") -> None:
    """Send ``update`` with both derived graphs dropped, then derive and write them again."""
    drops = f"DROP SILENT GRAPH {SUMMARY} ;\nDROP SILENT GRAPH {NAMES}"
    store.send_update(f"{update} ;\n{drops}" if update else drops)
    counts, facts = derive(store)
    if not counts and not facts:
        return
    store.append(str(SUMMARY_GRAPH), counted_lines(counts))
    for graph in DERIVED_GRAPHS:
        store.append(graph, sorted(line for g, line in facts if g == graph))
    store.send_update(f"INSERT DATA {{ GRAPH {SUMMARY} {{\n" + "\n".join(marker_lines()) + "\n} }")


def write(store: TripleStore, update: str, change: Change | None, hierarchy: Classes | None
          ) -> Classes | None:
    """Send ``update`` (which makes ``change``; None: unknown) with the derived graphs' change,
    or with a rebuild after it where the change is unknown or alters the class hierarchy (which
    every entry's type counts depend on). The hierarchy after the write, where it is known."""
    after = hierarchy_after(hierarchy, change) if change is not None and hierarchy is not None else None
    if change is None or hierarchy is None or after is None or after.pairs != hierarchy.pairs:
        rebuild(store, update)
        return None
    found = delta(store, change, hierarchy)
    operations = [update] if update else []
    if found is not None:
        counts, removed, added = found
        first, last = delta_operations(counts, removed, added, store.max_operation_lines,
                                       store.max_values_rows, store.stage)
        operations = first + operations + last
        if any(n > 0 and cell[0] == "TypeCount" for cell, n in counts.items()):
            operations.append(f"INSERT DATA {{ GRAPH {SUMMARY} {{\n" + "\n".join(marker_lines()) + "\n} }")
    if operations:
        store.send_update(" ;\n".join(operations))
    if found is not None and any(n < 0 and cell[0] == "TypeCount" for cell, n in found[0].items()) \
            and not store.query(f"ASK {_SOMETHING}"):
        # the write left nothing to derive from: no marker, no derived graphs
        store.send_update(f"DROP SILENT GRAPH {SUMMARY} ;\nDROP SILENT GRAPH {NAMES}")
    return after


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


def _stored_facts(store: TripleStore) -> set[Fact]:
    keys = store.select(f"SELECT ?entry ?key WHERE {{ GRAPH {NAMES} {{ ?entry <{BMK_IRI}nameKey> ?key }} }}"
                        ).rows
    materials = store.select(f"SELECT ?sample ?material WHERE {{ GRAPH {SUMMARY} {{ "
                             f"?sample <{COUNTS_AS}> ?material }} }}").rows
    return ({(str(NAMES_GRAPH), key_line(str(r["entry"]), str(r["key"]))) for r in keys}
            | {(str(SUMMARY_GRAPH), material_line(str(r["sample"]), str(r["material"]))) for r in materials})


def check(store: TripleStore) -> list[Difference]:
    """Cells whose stored count, and entries whose stored name keys, differ from what the rest
    of the store gives (empty: the derived graphs are right)."""
    counts, facts = derive(store)
    derived = {cell_iri(c): n for c, n in counts.items() if n > 0}
    stored = _stored_counts(store)
    found = [Difference(cell, stored.get(cell, 0), derived.get(cell, 0))
             for cell in sorted(set(derived) | set(stored)) if stored.get(cell, 0) != derived.get(cell, 0)]
    stored_facts = _stored_facts(store)
    found += [Difference(f"{graph}: {line}", int((graph, line) in stored_facts), int((graph, line) in facts))
              for graph, line in sorted(facts ^ stored_facts)]
    return found
