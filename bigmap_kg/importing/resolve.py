"""Resolving the names written in import files to IRIs: partners by acronym or name, techniques
by acronym, instruments, materials by formula, closed vocabularies by label, and entries
(samples, measurements, records...) by their IDs, in the same import or already stored."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.term import Node

from bigmap_kg.namespaces import BMK
from bigmap_kg.queries import inject_values, query_text
from bigmap_kg.store.base import TripleStore, is_iri

# Entries are named by their IDs; everything else by its labels.
ENTRY_CLASSES = frozenset({BMK.Sample, BMK.Shipment, BMK.Measurement, BMK.ArchiveRecord,
                           BMK.NotebookEntry, BMK.CharacterisationRequest})
CHUNK = 400


@lru_cache(maxsize=65536)
def normal(text: str) -> str:
    """The form names are compared in: lower case, hyphens, underscores and slashes as spaces."""
    return " ".join(re.sub(r"[-_/]", " ", text.strip().lower()).split())


@lru_cache(maxsize=65536)
def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


@dataclass(frozen=True)
class Resolution:
    """A name resolved to an IRI, or why it could not be (with the closest known names)."""

    iri: URIRef | None
    problem: str | None = None
    expected: str | None = None


def class_name(cls: URIRef) -> str:
    """``ElectrochemicalCell`` -> ``electrochemical cell``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(cls)).lower()


class Resolver:
    """Names known to the store (read once per class), plus the entries of the running import."""

    def __init__(self, store: TripleStore):
        self.store = store
        self._labels: dict[URIRef, dict[str, set[URIRef]]] = {}
        self._preferred: dict[URIRef, dict[URIRef, str]] = {}
        self._written: dict[str, str] = {}  # a normalised name -> as the catalogue writes it
        self._batch: dict[URIRef, dict[str, URIRef]] = defaultdict(dict)
        self._batch_names: dict[URIRef, dict[str, set[URIRef]]] = defaultdict(dict)
        self._stored: dict[URIRef, dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
        self._looked_up: set[str] = set()

    # -- catalogue things by label -----------------------------------------------------------
    def _load(self, cls: URIRef) -> dict[str, set[URIRef]]:
        if cls not in self._labels:
            names: dict[str, set[URIRef]] = defaultdict(set)
            preferred: dict[URIRef, str] = {}
            text = inject_values(query_text("import/labels"), [(["class"], [[cls]])], "import/labels")
            for row in self.store.select(text).rows:
                thing = row["thing"]
                if not isinstance(thing, URIRef):
                    continue
                names[normal(str(row["name"]))].add(thing)
                self._written.setdefault(normal(str(row["name"])), str(row["name"]))
                names[normal(local_name(thing))].add(thing)
                preferred[thing] = str(row["pref"] if row["pref"] is not None else local_name(thing))
            self._labels[cls] = names
            self._preferred[cls] = preferred
        return self._labels[cls]

    def choices(self, cls: URIRef) -> list[str]:
        """The preferred labels of a class's things, sorted (the drop-down list of a template)."""
        self._load(cls)
        return sorted(set(self._preferred[cls].values()), key=str.lower)

    # -- entries by ID ---------------------------------------------------------------------
    def register(self, cls: URIRef, identifier: str, iri: URIRef) -> None:
        """An entry of the running import, so that later rows may refer to it."""
        self._batch[cls][identifier.strip()] = iri

    def register_name(self, cls: URIRef, name: str, iri: URIRef) -> None:
        """A name of a catalogue thing (instrument, cell) defined by the running import."""
        self._batch_names[cls].setdefault(normal(name), set()).add(iri)

    def prefetch(self, ids: list[str]) -> None:
        """Look the IDs up in the store in a few queries (not one per cell)."""
        todo = sorted({i.strip() for i in ids if i.strip()} - self._looked_up)
        self._looked_up.update(todo)
        for start in range(0, len(todo), CHUNK):
            rows: list[list[Node | None]] = [[Literal(i)] for i in todo[start:start + CHUNK]]
            text = inject_values(query_text("import/entries-by-identifier"), [(["id"], rows)],
                                 "import/entries-by-identifier")
            for row in self.store.select(text).rows:
                if isinstance(row["thing"], URIRef) and isinstance(row["type"], URIRef):
                    self._stored[row["type"]][str(row["id"])].add(row["thing"])

    def _entry(self, cls: URIRef, text: str) -> set[URIRef]:
        key = text.strip()
        if key in self._batch[cls]:
            return {self._batch[cls][key]}
        if key not in self._looked_up:
            self.prefetch([key])
        return set(self._stored[cls].get(key, set()))

    # -- the one entry point -----------------------------------------------------------------
    def resolve(self, classes: list[URIRef], text: str) -> Resolution:
        """The IRI a name stands for among things of the classes; an IRI is taken as it is
        when the store or the import knows it as one of them."""
        text = text.strip()
        found: set[URIRef] = set()
        for cls in classes:
            if cls in ENTRY_CLASSES:
                found |= self._entry(cls, text)
            elif text in self._batch[cls]:  # an instrument or cell of the same import, by its ID
                found.add(self._batch[cls][text])
            else:  # by name: the store's, and those of the same import
                found |= self._load(cls).get(normal(text), set()) | self._batch_names[cls].get(
                    normal(text), set())
        if not found and is_iri(text) and self._known_iri(classes, URIRef(text)):
            return Resolution(URIRef(text))
        if len(found) == 1:
            return Resolution(found.pop())
        what = " or ".join(class_name(c) for c in classes)
        if found:
            names = ", ".join(sorted(f"{self._label(i)} <{i}>" for i in found))
            return Resolution(None, f"{text!r} names more than one {what}: {names}",
                              "a more specific name or the IRI")
        return Resolution(None, f"unknown {what} {text!r}", self.closest(classes, text))

    def _known_iri(self, classes: list[URIRef], iri: URIRef) -> bool:
        for cls in classes:
            if cls in ENTRY_CLASSES:
                if iri in self._batch[cls].values():
                    return True
                values = " ".join(c.n3() for c in classes)
                if self.store.query(f"ASK {{ VALUES ?c {{ {values} }} {iri.n3()} a ?c }}"):
                    return True
            elif iri in self._load(cls).get(normal(local_name(iri)), set()):
                return True
        return False

    def _label(self, iri: URIRef) -> str:
        for preferred in self._preferred.values():
            if iri in preferred:
                return preferred[iri]
        return local_name(iri)

    def closest(self, classes: list[URIRef], text: str) -> str:
        """The closest known names, for the error message."""
        candidates: dict[str, str] = {}
        for cls in classes:
            if cls in ENTRY_CLASSES:
                for ident in [*self._batch[cls], *self._stored[cls], *self._stored_like(cls, text)]:
                    candidates.setdefault(normal(ident), ident)
            else:
                for name, things in self._load(cls).items():
                    for thing in things:
                        written = self._written.get(name, name)
                        pref = self._preferred[cls].get(thing, written)
                        candidates.setdefault(name, written if written == pref else f"{written} ({pref})")
        close = difflib.get_close_matches(normal(text), list(candidates), n=5, cutoff=0.6)
        shown: list[str] = []
        for name in close:
            if candidates[name] not in shown:
                shown.append(candidates[name])
        if shown:
            return "one of the closest known: " + ", ".join(shown)
        what = " or ".join(class_name(c) for c in classes)
        if all(c in ENTRY_CLASSES for c in classes):
            return f"the ID of a {what} stored already or in the same import"
        known = sorted({p for c in classes for p in self._preferred.get(c, {}).values()}, key=str.lower)
        more = ", ..." if len(known) > 12 else ""
        return f"a known {what}, such as " + ", ".join(known[:12]) + more

    def _stored_like(self, cls: URIRef, text: str) -> list[str]:
        """Stored IDs of the class that begin like the text (a few, for suggestions)."""
        prefix = text.strip()[:4]
        if not prefix:
            return []
        rows = self.store.select(
            "PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>\n"
            f"SELECT ?id WHERE {{ ?t a {cls.n3()} ; bmk:identifier ?id . "
            f"FILTER(STRSTARTS(LCASE(STR(?id)), LCASE({Literal(prefix).n3()}))) }} LIMIT 50").rows
        return [str(r["id"]) for r in rows]


def resolve_partner(store: TripleStore, name: str, field: str = "partner") -> URIRef:
    """A partner by acronym or name, or an UnknownReference naming the closest."""
    from bigmap_kg.errors import Location, UnknownReference

    resolution = Resolver(store).resolve([BMK.Partner], name)
    if resolution.iri is None:
        raise UnknownReference(resolution.problem or name, Location(field=field), hint=resolution.expected)
    return resolution.iri
