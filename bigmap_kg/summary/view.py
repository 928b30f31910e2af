"""What the derived graphs are computed from: the entries' descriptions, as the store holds them
(before a write) or as a write leaves them (after it, without asking the store again).

A description is a list of ``(graph, predicate, object)``; IRIs are plain strings, literals
:class:`Lit` (a string that remembers it was a literal); blank nodes are left out, the derived
graphs read none. The derived graphs themselves are never part of a description."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bigmap_kg.namespaces import DERIVED_GRAPHS
from bigmap_kg.store.change import Change, Lit, Quad, Ref

_DERIVED = frozenset(DERIVED_GRAPHS)


class StoreView:
    """The store as it is: descriptions and referrers read in batches, and remembered."""

    def __init__(self, store: object):
        from bigmap_kg.store.base import TripleStore

        assert isinstance(store, TripleStore)
        self.store = store
        self._described: dict[str, list[Quad]] = {}
        self._referred: dict[tuple[str, str], list[Ref]] = {}

    def fetch(self, subjects: Iterable[str]) -> None:
        todo = [s for s in dict.fromkeys(subjects) if s not in self._described]
        if todo:
            found = self.store.describe(todo)
            for s in todo:
                self._described[s] = [q for q in found.get(s, ()) if q[0] not in _DERIVED]

    def fetch_referrers(self, predicate: str, objects: Iterable[str]) -> None:
        todo = [o for o in dict.fromkeys(objects) if (predicate, o) not in self._referred]
        if todo:
            found = self.store.referrers(predicate, todo)
            for o in todo:
                self._referred[(predicate, o)] = [r for r in found.get(o, ()) if r[0] not in _DERIVED]

    def description(self, subject: str) -> list[Quad]:
        self.fetch([subject])
        return self._described[subject]

    def values(self, subject: str, predicate: str) -> list[str]:
        return [o for _g, p, o in self.description(subject) if p == predicate]

    def referrers(self, predicate: str, obj: str) -> list[str]:
        self.fetch_referrers(predicate, [obj])
        return [s for _g, s in self._referred[(predicate, obj)]]

    def forget(self, keep: str | None = None) -> None:
        """Drop what was read (a rebuild reads the store in chunks), but the descriptions that
        have the predicate ``keep`` (samples, which many chunks' measurements share)."""
        if keep is None:
            self._described.clear()
        else:
            self._described = {s: quads for s, quads in self._described.items()
                               if any(p == keep for _g, p, _o in quads)}
        self._referred.clear()


class ChangedView:
    """The store as a write leaves it: what ``base`` read, without what the change removes, with
    what it adds."""

    def __init__(self, base: StoreView, change: Change):
        self.base, self.change = base, change
        self._added: dict[str, list[Quad]] = defaultdict(list)
        self._added_refs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for graph, s, p, o in change.added_quads():
            self._added[s].append((graph, p, o))
            if not isinstance(o, Lit):
                self._added_refs[(p, o)].append(s)

    def _kept(self, graph: str, subject: str) -> bool:
        return graph not in self.change.removed_graphs and subject not in self.change.removed_subjects

    def fetch(self, subjects: Iterable[str]) -> None:
        self.base.fetch(subjects)

    def fetch_referrers(self, predicate: str, objects: Iterable[str]) -> None:
        self.base.fetch_referrers(predicate, objects)

    def values(self, subject: str, predicate: str) -> list[str]:
        kept = [o for g, p, o in self.base.description(subject)
                if p == predicate and self._kept(g, subject)]
        return kept + [o for _g, p, o in self._added.get(subject, ()) if p == predicate]

    def referrers(self, predicate: str, obj: str) -> list[str]:
        self.base.fetch_referrers(predicate, [obj])
        kept = [s for g, s in self.base._referred[(predicate, obj)] if self._kept(g, s)]
        return kept + self._added_refs.get((predicate, obj), [])

    def added_subjects(self) -> set[str]:
        return set(self._added)


View = StoreView | ChangedView
