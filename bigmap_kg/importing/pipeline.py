"""One import, all or nothing: read every input, map rows to RDF, resolve references, check IDs
against the store, validate with the shapes, and only when nothing is wrong write one batch
graph with its provenance, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from bigmap_kg.importing.batches import Agent, dependants, find_batch, now, provenance
from bigmap_kg.importing.checks import (
    bad_iris,
    described_twice,
    ids_in_two_entries,
    loose_blank_nodes,
    own_subjects,
)
from bigmap_kg.importing.formats import ReaderOptions, is_tabular, read_source
from bigmap_kg.importing.problems import ERROR, WARNING, ImportProblem, ImportReport, Origin
from bigmap_kg.importing.resolve import Resolver, local_name
from bigmap_kg.importing.rows import map_tables, register_ids
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.importing.tables import Table
from bigmap_kg.loader import batch_graph_name, referenced_types
from bigmap_kg.namespaces import BATCH_PREFIX, BMK
from bigmap_kg.queries import inject_values, query_text
from bigmap_kg.store.base import TripleStore, is_iri
from bigmap_kg.validation import Problem, Validator

CHUNK = 400


class Progress(Protocol):
    """Told what the import is doing (a progress bar on a terminal)."""

    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class ImportOptions:
    dry_run: bool = False
    replace: str | None = None
    agent: Agent | None = None
    readers: ReaderOptions = field(default_factory=ReaderOptions)
    authorise: Callable[[Graph], None] | None = None  # raises when the importer may not write the data


@dataclass
class ImportOutcome:
    """What an import did (or, on a dry run or with errors, would have done)."""

    report: ImportReport
    batch: str | None = None
    written: bool = False
    already: bool = False
    replaced: str | None = None
    rows: int = 0
    triples: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        if not self.report.ok:
            return f"refused: {len(self.report.errors)} error(s); nothing was written"
        speed = (f"{self.rows} rows, {self.triples} triples in {self.seconds:.2f} s "
                 f"({self.rows_per_second:,.0f} rows/s)")
        if self.already:
            return f"already stored as {self.batch}: nothing added ({speed})"
        if not self.written:
            return f"dry run: valid; would store {speed} as {self.batch}"
        replaced = f", replacing {self.replaced}" if self.replaced else ""
        return f"stored {speed} as {self.batch}{replaced}"

    def to_dict(self) -> dict[str, object]:
        return {**self.report.to_dict(), "batch": self.batch, "written": self.written,
                "already_stored": self.already, "replaced": self.replaced, "rows": self.rows,
                "triples": self.triples, "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows_per_second, 1)}


def run_import(store: TripleStore, sources: list[Source], options: ImportOptions | None = None,
               validator: Validator | None = None, progress: Progress | None = None) -> ImportOutcome:
    options = options or ImportOptions()
    progress = progress or _Silent()
    started, clock = now(), time.perf_counter()
    report = ImportReport(files=[s.name for s in sources])
    mapped = _read_all(store, sources, options, report, progress)
    outcome = ImportOutcome(report, rows=mapped.rows, triples=len(mapped.graph))
    if report.ok and len(mapped.graph) == 0:
        report.add(ImportProblem(Origin(", ".join(report.files) or "(no file)"), "nothing to import",
                                 expected="at least one row"))
    replace = find_batch(store, options.replace) if options.replace else None
    if len(mapped.graph):
        outcome.batch = batch_graph_name(mapped.graph)
        if options.authorise is not None and report.ok:  # the report of mistakes comes first
            options.authorise(mapped.graph)
        progress.phase("checking IDs against the store")
        report.extend(_stored_conflicts(store, mapped, {outcome.batch, *([replace] if replace else [])}))
        if replace is not None:
            report.extend(_kept_for_others(store, mapped, replace, outcome.batch))
        progress.phase("validating with the shapes")
        report.extend(_shape_problems(store, mapped, validator or Validator(), report.problems, replace))
    outcome.seconds = time.perf_counter() - clock
    if not report.ok or options.dry_run or outcome.batch is None:
        return outcome
    if outcome.batch in store.graphs() and replace in (None, outcome.batch):
        outcome.already = True
        return outcome
    progress.phase("writing")
    data = mapped.graph  # the provenance joins the entries' graph (no copy of a large graph)
    for triple in provenance(outcome.batch, sources, options.agent or Agent.current_user(),
                             mapped.rows, len(mapped.graph), started, now()):
        data.add(triple)
    if replace is not None:
        store.swap_graph(replace, outcome.batch, data)
        outcome.replaced = replace
    else:
        store.write_graph(outcome.batch, data)
    outcome.written = True
    outcome.seconds = time.perf_counter() - clock
    return outcome


def _read_all(store: TripleStore, sources: list[Source], options: ImportOptions, report: ImportReport,
              progress: Progress) -> Mapped:
    resolver = Resolver(store)
    mapped = Mapped()
    tables: list[Table] = []
    progress.phase("reading files", len(sources))
    # Tables first, their IDs registered, so that records and crates read next can refer to them.
    ordered = sorted(sources, key=lambda s: not is_tabular(s))
    for source in ordered:
        if tables and not is_tabular(source):
            register_ids(tables, resolver, Mapped())
        read = read_source(source, resolver, options.readers)
        _checked(read.mapped, Origin(source.name))
        _register_described(read.mapped.graph, resolver)
        tables.extend(read.tables)
        report.extend(described_twice(mapped, read.mapped))
        mapped.merge(read.mapped)
        progress.advance()
    progress.phase("mapping rows", sum(len(t.rows) for t in tables))
    rows = map_tables(tables, resolver, progress.advance)
    report.extend(described_twice(mapped, rows))
    mapped.merge(rows)
    report.extend(mapped.problems)
    report.extend(ids_in_two_entries(mapped))
    return mapped


def _checked(mapped: Mapped, origin: Origin) -> None:
    """Invalid IRIs (their triples are dropped: they would break the store) and loose blank
    nodes are problems; every IRI subject in our namespace is an entry of the import."""
    bad = bad_iris(mapped, origin)
    if bad:
        mapped.problems.extend(bad)
        for triple in [t for t in mapped.graph if any(isinstance(x, URIRef) and not is_iri(str(x))
                                                      for x in t)]:
            mapped.graph.remove(triple)
    mapped.problems.extend(loose_blank_nodes(mapped.graph, origin))
    for entry in own_subjects(mapped.graph):
        mapped.entries.setdefault(entry, origin)


def _register_described(graph: Graph, resolver: Resolver) -> None:
    """Entries an RDF input describes with an ID can be referred to by the tables' rows."""
    for entry, ident in graph.subject_objects(BMK.identifier):
        for cls in graph.objects(entry, RDF.type):
            if isinstance(entry, URIRef) and isinstance(cls, URIRef):
                resolver.register(cls, str(ident), entry)


def _stored_conflicts(store: TripleStore, mapped: Mapped, allowed: set[str]) -> list[ImportProblem]:
    """An entry already stored (in another batch, or the catalogue) is an error on its row."""
    entries = sorted(mapped.entries)
    problems = []
    text = query_text("import/stored-entries")
    for start in range(0, len(entries), CHUNK):
        rows: list[list[Node | None]] = [[iri] for iri in entries[start:start + CHUNK]]
        query = inject_values(text, [(["entry"], rows)], "import/stored-entries")
        for row in store.select(query).rows:
            graph = str(row["graph"])
            if graph in allowed:
                continue
            entry = row["entry"]
            assert isinstance(entry, URIRef)
            origin = mapped.entries[entry]
            fix = (f"; to correct that import, re-import it with --replace {graph}"
                   if graph.startswith(BATCH_PREFIX) else " (it is part of the reference catalogue)")
            problems.append(ImportProblem(
                origin, f"{local_name(entry)!r} is already stored (<{entry}>, in graph {graph})",
                value=local_name(entry), expected=f"a new ID{fix}"))
    return problems + _ids_taken(store, mapped)


def _ids_taken(store: TripleStore, mapped: Mapped) -> list[ImportProblem]:
    """An ID that a stored entry of the same class already has, under another IRI."""
    new = {(str(ident), entry) for entry, ident in mapped.graph.subject_objects(BMK.identifier)
           if isinstance(entry, URIRef) and entry in mapped.entries}
    ids = sorted({ident for ident, _ in new})
    problems = []
    for start in range(0, len(ids), CHUNK):
        rows: list[list[Node | None]] = [[Literal(i)] for i in ids[start:start + CHUNK]]
        query = inject_values(query_text("import/entries-by-identifier"), [(["id"], rows)],
                              "entries-by-identifier")
        for row in store.select(query).rows:
            ident, thing = str(row["id"]), row["thing"]
            for entry in [e for i, e in new if i == ident and e != thing]:
                if (entry, RDF.type, row["type"]) in mapped.graph:
                    problems.append(ImportProblem(
                        mapped.entries[entry], f"the ID {ident!r} is already used by <{thing}>",
                        value=ident, expected="another ID, or the same IRI as the stored entry"))
    return problems


def _kept_for_others(store: TripleStore, mapped: Mapped, replace: str, batch: str) -> list[ImportProblem]:
    """A replaced batch's entries that other graphs refer to must stay in the corrected import."""
    problems = []
    for entry, other, graph in dependants(store, replace):
        if URIRef(entry) not in mapped.entries and graph != batch:
            problems.append(ImportProblem(
                Origin(next(iter(mapped.entries.values())).file if mapped.entries else "(input)"),
                f"<{entry}> of the replaced batch is referred to by <{other}> (graph {graph}); the "
                "corrected import leaves it out", value=entry,
                expected="keep that entry in the corrected file, or undo the entries referring to it"))
    return problems


def _shape_problems(store: TripleStore, mapped: Mapped, validator: Validator,
                    known: list[ImportProblem], replace: str | None = None) -> list[ImportProblem]:
    """The shapes' findings on the new entries, each placed at its row and column; a finding
    where the mapping already put a problem is not said twice."""
    graph = mapped.graph
    context = referenced_types(store, graph, without=replace)
    report = validator.validate(graph, context=context)
    subjects = set(graph.subjects())
    # a finding is not said twice: not where the mapping already put an error on the same cell,
    # not twice the same message at one place, not under a required column the header lacks
    taken = {(p.origin, p.message) for p in known} | {
        (p.origin, None) for p in known if p.severity == ERROR and p.origin.row is not None
        and p.origin.column is not None}
    missing = {(p.origin.file, p.origin.sheet, p.origin.column) for p in known if p.code == "missing-column"}
    problems = []
    fallback = Origin(next(iter(mapped.entries.values())).file if mapped.entries else (
        known[0].origin.file if known else "(input)"))
    for finding in report.problems:
        focus = _node(finding.focus, subjects)
        if focus is None:
            continue  # a context node (only its type is known here), not a new entry
        origin = _origin(mapped, graph, focus, finding) or fallback
        if (origin, None) in taken or (origin, finding.message) in taken or (
                origin.file, origin.sheet, origin.column) in missing:
            continue
        taken.add((origin, finding.message))
        problems.append(ImportProblem(origin, finding.message, value=finding.value,
                                      severity=ERROR if finding.severity == "Violation" else WARNING))
    return problems


def _node(text: str, subjects: set[Node]) -> Node | None:
    for candidate in (URIRef(text), BNode(text)):
        if candidate in subjects:
            return candidate
    return None


def _origin(mapped: Mapped, graph: Graph, focus: Node, finding: Problem) -> Origin | None:
    if isinstance(focus, BNode):  # a quantity or content line: placed at the cell that holds it
        for parent, prop in graph.subject_predicates(focus):
            return mapped.cells.get((parent, local_name(str(prop)))) or (
                mapped.entries.get(parent) if isinstance(parent, URIRef) else None)
        return None
    if finding.path is not None:
        cell = mapped.cells.get((focus, finding.path.rsplit("/", 1)[-1]))
        if cell is not None:
            return cell
    return mapped.entries.get(focus) if isinstance(focus, URIRef) else None

