"""The derived graphs as text: summary cells and name keys as N-Triples, and the update
operations that change their counts relative to what is stored (so that the change is applied
to the counts as the write's own transaction finds them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

from rdflib import Literal

from bigmap_kg.namespaces import BMK_IRI, NAMES_GRAPH, SUMMARY_GRAPH
from bigmap_kg.queries import sparql_term
from bigmap_kg.summary.contributions import INSTANCE_KINDS, Cell, Fact, cell_iri

T = TypeVar("T")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

#: Raised whenever the derived graphs change meaning: a store with another version is derived again.
VERSION = 6
SUMMARY, NAMES = f"<{SUMMARY_GRAPH}>", f"<{NAMES_GRAPH}>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_LITERAL_DIMENSIONS = frozenset({"countedProblem"})


def count_property(cell: Cell) -> str:
    return f"<{BMK_IRI}{'instanceCount' if cell[0] in INSTANCE_KINDS else 'measurementCount'}>"


def literal(text: str) -> str:
    return sparql_term(Literal(text))


def cell_lines(cell: Cell, count: int | None = None) -> list[str]:
    """The cell's triples (its count among them when given), as N-Triples lines."""
    kind, dims = cell
    iri = f"<{cell_iri(cell)}>"
    lines = [f"{iri} {_TYPE} <{BMK_IRI}{kind}> ."]
    for name, value in dims:
        if value is not None:
            term = literal(value) if name in _LITERAL_DIMENSIONS else f"<{value}>"
            lines.append(f"{iri} <{BMK_IRI}{name}> {term} .")
    if count is not None:
        lines.append(f"{iri} {count_property(cell)} \"{count}\"^^<{_INTEGER}> .")
    return lines


def marker_lines() -> list[str]:
    return [f"{SUMMARY} {_TYPE} <{BMK_IRI}LogbookSummary> .",
            f"{SUMMARY} <{BMK_IRI}summaryVersion> {VERSION} ."]


def _parts(items: list[T], size: int | None) -> list[list[T]]:
    """``items`` in runs of at most ``size`` (one run: no limit); none when there are none."""
    step = size or len(items) or 1
    return [items[start:start + step] for start in range(0, len(items), step)]


def _data(operation: str, graph: str, lines: list[str], max_lines: int | None = None) -> list[str]:
    return [f"{operation} DATA {{ GRAPH {graph} {{\n" + "\n".join(part) + "\n} }"
            for part in _parts(lines, max_lines)]


def delta_operations(delta: Counter[Cell], removed: set[Fact], added: set[Fact],
                     max_lines: int | None = None, max_rows: int | None = None,
                     stage: Callable[[list[str]], str] | None = None) -> tuple[list[str], list[str]]:
    """The operations adding ``delta`` to the stored counts (a cell that reaches 0 is removed)
    and changing the derived facts: those to send before the write's own operations, and those
    to send after them.

    The counts change in *one* operation, which comes first: in an Oxigraph transaction, an
    operation with a WHERE clause evaluated after other operations wrote makes the rest of the
    transaction slow (a 10 000-row import: 9.6 s with four such operations of 2 000 cells each,
    5.1 s with one of 7 700 cells ahead of the data). The removal of cells that reach 0, a second
    such operation, only comes with a write that removes entries, and goes last.

    A server's limits (the store's ``max_operation_lines``, ``max_values_rows``, ``stage``):
    ``max_lines`` triples per INSERT / DELETE DATA operation, in as many as it takes; past
    ``max_rows`` changed cells, the changes are written as triples by ``stage`` (to a graph no
    query reads, whose name it returns) and the two operations read them from there instead of
    a VALUES block."""
    changed = sorted(((cell, n) for cell, n in delta.items() if n), key=lambda item: cell_iri(item[0]))
    if not changed:
        source = None
    elif stage is not None and max_rows is not None and len(changed) > max_rows:
        staged = stage([f'<{cell_iri(c)}> {count_property(c)} "{n}"^^<{XSD_INTEGER}> .' for c, n in changed])
        source = f"GRAPH <{staged}> {{ ?cell ?count ?change }}"
    else:
        source = "VALUES (?cell ?count ?change) {\n    " + "\n    ".join(
            f"(<{cell_iri(c)}> {count_property(c)} {n})" for c, n in changed) + " }"
    before = [f"""DELETE {{ GRAPH {SUMMARY} {{ ?cell ?count ?old }} }}
INSERT {{ GRAPH {SUMMARY} {{ ?cell ?count ?new }} }}
WHERE {{ {source}
  OPTIONAL {{ GRAPH {SUMMARY} {{ ?cell ?count ?old }} }}
  BIND(COALESCE(?old, 0) + ?change AS ?new) }}"""] if source else []
    after = _data("INSERT", SUMMARY, [line for c, n in changed if n > 0 for line in cell_lines(c)], max_lines)
    for graph in sorted({g for g, _line in removed ^ added}):
        gone = sorted(line for g, line in removed - added if g == graph)
        new = sorted(line for g, line in added - removed if g == graph)
        after += _data("DELETE", f"<{graph}>", gone, max_lines)
        after += _data("INSERT", f"<{graph}>", new, max_lines)
    if source and any(n < 0 for _c, n in changed):
        after.append(f"""DELETE {{ GRAPH {SUMMARY} {{ ?cell ?p ?o }} }}
WHERE {{ {source} FILTER(?change < 0)
  GRAPH {SUMMARY} {{ ?cell ?count ?n FILTER(?count IN (<{BMK_IRI}measurementCount>, <{BMK_IRI}instanceCount>)
                     && ?n <= 0) ?cell ?p ?o }} }}""")
    return before, after


def counted_lines(counts: Counter[Cell]) -> Iterable[str]:
    for cell, n in sorted(counts.items(), key=lambda item: cell_iri(item[0])):
        if n > 0:
            yield from cell_lines(cell, n)
