"""The D5.5 filtering process (section 2.2): candidates for a request, then each criterion.

Candidates come from ``queries/planning/candidates.rq``: one per requested observable,
instrument, technique and matrix row. Each criterion is one SPARQL file in ``queries/filters/``;
adding a criterion is adding a file. A criterion receives the candidates and the request as
``VALUES`` tables and returns, for the candidates it applies to, a verdict (``kept``,
``discarded`` or ``undecided``) and a sentence; a candidate it returns nothing for is one it does
not apply to (operando criteria on an ex situ request, say).

A candidate passes on a matrix row when no criterion discards that row; an instrument is kept for
an observable when one of its rows passes every criterion, undecided when the best row has a
criterion that could not be decided, and discarded otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from bigmap_kg import resources
from bigmap_kg.errors import Location, ParseError
from bigmap_kg.namespaces import BMK
from bigmap_kg.output import labels_of
from bigmap_kg.queries import (
    NamedQuery,
    Table,
    inject_values,
    mentions,
    parse_query,
    query_file,
    query_text,
    text_for,
)
from bigmap_kg.requests import Request
from bigmap_kg.store.base import SelectResult, TripleStore

VERDICTS = ("kept", "undecided", "discarded")
CANDIDATE_COLUMNS = ["observable", "instrument", "technique", "entry"]
LEVEL_SCORE = {BMK.High: 1.0, BMK.Medium: 0.67, BMK.Low: 0.33}
UNKNOWN = 0.5
_OUTERMOST_BINDINGS = re.compile(r"\A[^{]*\bWHERE\s*\{\s*#@bindings[ \t]*$", re.MULTILINE | re.IGNORECASE)


def quality_score(quality: Node | None) -> float:
    """A matrix row's quality for an observable as a score (High 1, Medium 0.67, Low 0.33, any
    other level 0.5); none given ranks below all."""
    if quality is None:
        return -1.0
    return LEVEL_SCORE.get(quality, UNKNOWN)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Criterion:
    name: str
    title: str
    description: str
    applies: str
    query: NamedQuery


@lru_cache(maxsize=1)
def criteria() -> tuple[Criterion, ...]:
    """The criteria of ``queries/filters/``, in file-name order."""
    found = []
    for item in resources.data_files("queries", ".rq"):
        name = resources.relative_name("queries", item)
        if not name.startswith("filters/"):
            continue
        text = item.read_text(encoding="utf-8")
        query = parse_query(name[len("filters/"):-len(".rq")], text)
        for column in ("?verdict", "?reason", "#@bindings"):
            if column not in text:
                raise ParseError(f"the criterion must use {column}", Location(file=f"queries/{name}"))
        applies = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                        if line.startswith("#+ applies:")), "always")
        found.append(Criterion(query.name, query.title, query.description, applies, query))
    return tuple(found)


def planning_query(name: str, store: TripleStore | None = None) -> str:
    """A building block of the planner, ``queries/planning/<name>.rq`` (in the form written for
    ``store``'s dialect, where it has one)."""
    if not query_file(f"planning/{name}").is_file():
        raise ParseError(f"no planning query {name!r}", Location(file=f"queries/planning/{name}.rq"))
    text = query_text(f"planning/{name}")
    return text if store is None else text_for(store, f"planning/{name}", text)


@dataclass
class Verdict:
    criterion: str
    verdict: str
    reason: str


@dataclass(eq=False)
class Candidate:
    """One requested observable on one instrument by one technique, over its matrix rows."""

    observable: URIRef
    instrument: URIRef
    technique: URIRef
    entries: dict[URIRef, list[Verdict]] = field(default_factory=dict)
    matched: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    quality: dict[URIRef, URIRef | None] = field(default_factory=dict)
    cells: set[URIRef] = field(default_factory=set)
    holders: set[URIRef] = field(default_factory=set)

    def entry_status(self, entry: URIRef) -> str:
        verdicts = {v.verdict for v in self.entries[entry]}
        for status in ("discarded", "undecided"):
            if status in verdicts:
                return status
        return "kept"

    @property
    def best_entry(self) -> URIRef:
        """The row that goes furthest: kept before undecided before discarded, then fewest
        discarding criteria, then the first in IRI order."""
        return min(sorted(self.entries), key=lambda e: (
            VERDICTS.index(self.entry_status(e)),
            sum(v.verdict == "discarded" for v in self.entries[e]),
            sum(v.verdict == "undecided" for v in self.entries[e])))

    @property
    def status(self) -> str:
        return self.entry_status(self.best_entry)

    def verdicts(self, kind: str) -> list[Verdict]:
        return [v for v in self.entries[self.best_entry] if v.verdict == kind]


@dataclass
class FilterResult:
    request: Request
    candidates: list[Candidate]
    labels: dict[URIRef, str]
    partners: dict[URIRef, URIRef]

    def by_status(self, status: str) -> list[Candidate]:
        return [c for c in self.candidates if c.status == status]



def _answerless(text: str, tables: list[Table]) -> bool:
    """True when a criterion can answer nothing: its outermost group starts with the bare
    ``#@bindings`` marker, so it joins every table it mentions, and one of those has no rows (the
    correlation groups of a request without any). Such a criterion is not sent: Virtuoso 7.2.5
    could not compile some of them (SQ156, empty VALUES blocks in two sub-queries)."""
    if _OUTERMOST_BINDINGS.search(text) is None:
        return False
    return any(not rows and any(mentions(text, n) for n in names) for names, rows in tables)


def request_table(request: Request) -> Table:
    """The request's parameters as one row (``UNDEF`` where not given)."""

    def decimal(value: Decimal | None) -> Literal | None:
        return None if value is None else Literal(format(value, "f"), datatype=XSD.decimal)

    names = ["_shape", "_roiKind", "_roiSize", "_roiText", "_operando", "_time", "_timeText"]
    row: list[Node | None] = [
        request.sample_shape.iri, request.roi_kind.iri,
        decimal(request.roi_size.si if request.roi_size else None),
        Literal(request.roi_size.text) if request.roi_size else None,
        Literal(request.operando),
        decimal(request.time_resolution.si if request.time_resolution else None),
        Literal(request.time_resolution.text) if request.time_resolution else None,
    ]
    return names, [row]


def group_pairs(request: Request) -> Table:
    """Every ordered pair of distinct observables of each correlation group."""
    rows: list[list[Node | None]] = []
    for n, group in enumerate(request.groups, start=1):
        for member in group:
            for other in group:
                if member != other:
                    rows.append([Literal(n), member.iri, other.iri])
    return ["_group", "_member", "_other"], rows


def run_filters(store: TripleStore, request: Request,
                selected: Iterable[Criterion] | None = None) -> FilterResult:
    """Candidates for the request and every criterion's verdict on them."""
    observables: Table = (["observable"], [[o.iri] for o in request.observables])
    rows = store.select(inject_values(planning_query("candidates", store), [observables])).rows
    candidates: dict[tuple[Node | None, ...], Candidate] = {}
    for row in rows:
        key = (row["observable"], row["instrument"], row["technique"])
        cand = candidates.get(key)
        if cand is None:
            cand = candidates[key] = Candidate(*key)  # type: ignore[arg-type]
        entry = row["entry"]
        assert isinstance(entry, URIRef)
        cand.entries.setdefault(entry, [])
        cand.matched.setdefault(entry, set()).add(row["matched"])  # type: ignore[arg-type]
        # a row giving the observable twice (two capabilities, say the one asked and a narrower
        # one) counts with its best quality: the rows come in no fixed order within an entry
        quality = row["quality"]
        if entry not in cand.quality or quality_score(quality) > quality_score(cand.quality[entry]):
            cand.quality[entry] = quality  # type: ignore[assignment]
    table: Table = (CANDIDATE_COLUMNS, [[c.observable, c.instrument, c.technique, e]
                                        for c in candidates.values() for e in c.entries])
    tables = [table, request_table(request), group_pairs(request)]
    chosen = list(selected if selected is not None else criteria())
    sources = {c.name: text_for(store, f"filters/{c.name}", c.query.text) for c in chosen}
    texts = {name: inject_values(text, tables, name) for name, text in sources.items()
             if not _answerless(text, tables)}
    # The criteria are independent queries: evaluated side by side (the engine computes without
    # the interpreter lock; a plan at 1 000 000 measurements spends most of its time in them).
    with ThreadPoolExecutor(max_workers=max(1, min(len(texts), os.cpu_count() or 1))) as pool:
        sent = dict(zip(texts, pool.map(store.select, texts.values()), strict=True))
    answers = [sent.get(c.name, SelectResult([], [])) for c in chosen]
    for criterion, answer in zip(chosen, answers, strict=True):
        found: dict[tuple[Candidate, URIRef], list[Verdict]] = {}
        for row in answer.rows:
            cand = candidates.get((row["observable"], row["instrument"], row["technique"]))
            entry = row["entry"]
            if cand is None or entry not in cand.entries:
                continue
            verdict = str(row["verdict"])
            if verdict not in VERDICTS:
                raise ParseError(f"criterion {criterion.name!r} gave the verdict {verdict!r}",
                                 Location(file=f"queries/filters/{criterion.name}.rq"),
                                 hint="a criterion answers kept, discarded or undecided")
            found.setdefault((cand, entry), []).append(  # type: ignore[arg-type]
                Verdict(criterion.name, verdict, str(row["reason"])))
            if verdict == "kept":
                for column, target in (("cells", cand.cells), ("holders", cand.holders)):
                    value = row.get(column)
                    target.update(URIRef(v) for v in str(value or "").split())
        for (cand, entry), verdicts in found.items():
            cand.entries[entry].append(_combine(verdicts))
    ordered = sorted(candidates.values(),
                     key=lambda c: (str(c.observable), str(c.instrument), str(c.technique)))
    return FilterResult(request, ordered, *_labels_and_partners(store, ordered))


def _combine(verdicts: list[Verdict]) -> Verdict:
    """One verdict of a criterion on one matrix row that gives several values (two resolutions,
    say): kept when any value reaches the request, else undecided when any is unknown. The
    reasons are sorted: a store returns the values in no particular order."""
    for status in VERDICTS:
        reasons = sorted({v.reason for v in verdicts if v.verdict == status})
        if reasons:
            return Verdict(verdicts[0].criterion, status, " ".join(reasons))
    raise AssertionError("no verdict")  # pragma: no cover - verdicts is never empty


def _labels_and_partners(store: TripleStore, candidates: list[Candidate]
                         ) -> tuple[dict[URIRef, str], dict[URIRef, URIRef]]:
    iris: set[URIRef] = set()
    for c in candidates:
        iris.update((c.observable, c.instrument, c.technique, *c.cells, *c.holders))
        for matched in c.matched.values():
            iris.update(matched)
        iris.update(q for q in c.quality.values() if q is not None)
    table: Table = (["instrument"], [[i] for i in sorted({c.instrument for c in candidates})])
    rows = store.select(inject_values("""
        PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
        SELECT ?instrument (SAMPLE(?p) AS ?partner) WHERE {
          #@bindings
          ?instrument bmk:operatedBy ?p .
        } GROUP BY ?instrument""", [table])).rows
    partners = {row["instrument"]: row["partner"] for row in rows
                if isinstance(row["instrument"], URIRef) and isinstance(row["partner"], URIRef)}
    return labels_of(store, iris | set(partners.values())), partners
