"""The derived graphs: logbook counts and name keys, kept current on every write.

Counted from the logbook itself, the dashboard aggregate and the planner's "logged" facts take
seconds at 100 000 measurements, and a case-insensitive name lookup lower-cases every label of
the store (7 s at 100 000 measurements). Two graphs hold what those need, derived from the
rest of the store:

- the summary graph: measurement counts (``queries/summary/contributions.rq`` says which),
  one cell per partner, instrument, technique and sample shape combination;
- the names graph: every entry's names in lower case (``queries/summary/names.rq``), the keys
  a named query's label parameter is matched against.

Every write the store makes carries, in the same transaction, their change: the touched
measurements' contributions are subtracted before it and added after it, and the touched
entries' name keys are dropped before it and derived again after it. A write whose reach is
unknown (a raw SPARQL update, a restore) rebuilds both whole instead. A measurement's
contribution depends on its own triples and on its samples' shapes, so the measurements a write
touches are the subjects it describes or removes and the stored measurements of those subjects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.term import Node

from bigmap_kg.namespaces import BMK_IRI, NAMES_GRAPH, SUMMARY_GRAPH
from bigmap_kg.queries import query_text, values_block

if TYPE_CHECKING:
    from bigmap_kg.store.base import TripleStore

#: Raised whenever the derived graphs change meaning: a store with another version is rebuilt.
VERSION = 3
#: Subjects per VALUES block when finding the measurements of touched samples.
_CHUNK = 5000
_SKOS = "http://www.w3.org/2004/02/skos/core#"


def _full(text: str) -> str:
    """The text with ``bmk:``/``skos:`` names as full IRIs and ``SUMMARY``/``NAMES`` as the
    graphs' IRIs: the operations join the caller's update in one request, where a prologue of
    their own is not portable."""
    text = text.replace("SUMMARY", f"<{SUMMARY_GRAPH}>").replace("NAMES", f"<{NAMES_GRAPH}>")
    text = re.sub(r"\bskos:(\w+)", lambda m: f"<{_SKOS}{m.group(1)}>", text)
    return re.sub(r"\bbmk:(\w+)", lambda m: f"<{BMK_IRI}{m.group(1)}>", text)


def _bound(name: str, variable: str, subjects: list[str] | None) -> str:
    """The SELECT of ``queries/summary/<name>.rq`` (without its prologue), the variable bound to
    the subjects (None: unbound, every subject)."""
    text = query_text(f"summary/{name}")
    body = _full(text[text.index("\nSELECT") + 1:])
    rows: list[list[Node | None]] = [[URIRef(s)] for s in subjects or []]
    return body.replace("#@bindings", "" if subjects is None else values_block([variable], rows), 1)


def _contributions(measurements: list[str] | None) -> str:
    return _bound("contributions", "m", measurements)


def _names(entries: list[str] | None) -> str:
    return _bound("names", "entry", entries)


_CELL = _full("?cell a ?kind ; bmk:countedPartner ?partner ; bmk:countedTechnique ?technique ;\n"
              "  bmk:countedInstrument ?instrument ; bmk:countedSampleShape ?shape ;\n"
              "  bmk:measurementCount ?new")

# The summary graph holds the version marker while there is anything to derive: a measurement or
# a name key (a store without either has no derived graphs).
_SOMETHING = ("{ GRAPH ?anyIn { ?anyMeasurement a bmk:Measurement } } UNION "
              "{ GRAPH NAMES { ?anyEntry bmk:nameKey ?anyKey } }")
_MARKER = _full(f"""INSERT {{ GRAPH SUMMARY {{
  SUMMARY a bmk:LogbookSummary ; bmk:summaryVersion {VERSION} }} }}
WHERE {{ FILTER EXISTS {{ {_SOMETHING} }} }} ;
DELETE {{ GRAPH SUMMARY {{ SUMMARY ?p ?o }} }}
WHERE {{ GRAPH SUMMARY {{ SUMMARY ?p ?o }} FILTER NOT EXISTS {{ {_SOMETHING} }} }}""")
# Nothing to derive: no measurement and no name.
_NOTHING = ("FILTER NOT EXISTS { GRAPH ?anyIn { ?anyMeasurement a bmk:Measurement } } "
            "FILTER NOT EXISTS { GRAPH ?anyIn {\n"
            "  ?anyEntry bmk:identifier|skos:prefLabel|skos:altLabel|bmk:formula ?anyName } }")

_EMPTY_CELLS = _full("""DELETE { GRAPH SUMMARY { ?cell ?p ?o } }
WHERE { GRAPH SUMMARY { ?cell bmk:measurementCount ?count . FILTER(?count <= 0) ?cell ?p ?o } }""")

_STORED_COUNTS = _full("SELECT ?cell ?n WHERE { GRAPH SUMMARY { ?cell bmk:measurementCount ?n } }")
_STORED_NAMES = _full("SELECT ?entry ?key WHERE { GRAPH NAMES { ?entry bmk:nameKey ?key } }")


def rebuild_text() -> str:
    """The update operations that derive both graphs again from the rest of the store."""
    return _full(f"""DROP SILENT GRAPH SUMMARY ;
DROP SILENT GRAPH NAMES ;
INSERT {{ GRAPH SUMMARY {{ {_CELL} }} }}
WHERE {{ {{ {_contributions(None)} }} BIND(?n AS ?new) }} ;
INSERT {{ GRAPH NAMES {{ ?entry bmk:nameKey ?key }} }}
WHERE {{ {_names(None)} }} ;
{_MARKER}""")


def delta_text(measurements: list[str], sign: str) -> str:
    """The update operation adding (``+``) or subtracting (``-``) the contributions the
    measurements make now."""
    old = "OPTIONAL" if sign == "+" else ""
    head = _full(f"""DELETE {{ GRAPH SUMMARY {{ ?cell bmk:measurementCount ?old }} }}
INSERT {{ GRAPH SUMMARY {{ {_CELL} }} }}
WHERE {{""")
    tail = _full(f"""  {old} {{ GRAPH SUMMARY {{ ?cell bmk:measurementCount ?old }} }}
  BIND(COALESCE(?old, 0) {sign} ?n AS ?new) }}""")
    return f"{head} {{ {_contributions(measurements)} }}\n{tail}"


def names_text(entries: list[str], derive: bool) -> str:
    """The update operation dropping the entries' name keys, or deriving them from their names."""
    if derive:
        return _full(f"INSERT {{ GRAPH NAMES {{ ?entry bmk:nameKey ?key }} }}\nWHERE {{ {_names(entries)} }}")
    rows: list[list[Node | None]] = [[URIRef(e)] for e in entries]
    return _full(f"DELETE {{ GRAPH NAMES {{ ?entry bmk:nameKey ?key }} }}\nWHERE {{ "
                 f"{values_block(['entry'], rows)} GRAPH NAMES {{ ?entry bmk:nameKey ?key }} }}")


def is_current(store: TripleStore) -> bool:
    """The derived graphs are of this version, or the store holds nothing to derive them from."""
    return bool(store.query(_full(
        f"ASK {{ {{ GRAPH SUMMARY {{ SUMMARY bmk:summaryVersion {VERSION} }} }} UNION {{ {_NOTHING} }} }}")))


def touched_measurements(store: TripleStore, touched: list[str]) -> list[str]:
    """The touched subjects (the measurements among them are new, changed or removed) and the
    stored measurements of touched samples, sorted."""
    found = set(touched)
    for start in range(0, len(touched), _CHUNK):
        chunk: list[list[Node | None]] = [[URIRef(x)] for x in touched[start:start + _CHUNK]]
        rows = store.select(f"SELECT DISTINCT ?m WHERE {{ {values_block(['x'], chunk)} "
                            f"GRAPH ?g {{ ?m <{BMK_IRI}measuredSample> ?x }} }}").rows
        found.update(str(row["m"]) for row in rows)
    return sorted(found)


def maintained(store: TripleStore, update: str, touched: Iterable[str] | None, *,
               current: bool) -> str:
    """The update with the derived graphs' change around it; with a rebuild after it where the
    reach is unknown (``touched`` None) or the derived graphs are not current."""
    if touched is None or not current:
        return " ;\n".join(part for part in (update, rebuild_text()) if part)
    entries = sorted(set(touched))
    if not entries:
        return update
    measurements = touched_measurements(store, entries)
    return " ;\n".join(part for part in (
        delta_text(measurements, "-"), names_text(entries, derive=False), update,
        delta_text(measurements, "+"), names_text(entries, derive=True), _EMPTY_CELLS, _MARKER) if part)


@dataclass
class Difference:
    """A summary cell or a name key that differs from what the store derives now."""

    item: str
    stored: int
    derived: int


def check(store: TripleStore) -> list[Difference]:
    """Cells whose stored count, and entries whose stored name keys, differ from what the rest
    of the store gives (empty: the derived graphs are right)."""
    def counts(query: str) -> dict[str, int]:
        return {str(r["cell"]): int(str(r["n"])) for r in store.select(query).rows}

    def keys(query: str) -> set[tuple[str, str]]:
        return {(str(r["entry"]), str(r["key"])) for r in store.select(query).rows}

    derived, stored = counts(_contributions(None)), counts(_STORED_COUNTS)
    found = [Difference(cell, stored.get(cell, 0), derived.get(cell, 0))
             for cell in sorted(set(derived) | set(stored)) if stored.get(cell, 0) != derived.get(cell, 0)]
    derived_keys, stored_keys = keys(_names(None)), keys(_STORED_NAMES)
    found += [Difference(f"{entry} name key {key!r}", int((entry, key) in stored_keys),
                         int((entry, key) in derived_keys))
              for entry, key in sorted(derived_keys ^ stored_keys)]
    return found
