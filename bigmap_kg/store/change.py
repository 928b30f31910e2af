"""What a write changes, as the derived graphs see it (:mod:`bigmap_kg.summary`): triples added
per graph, graphs removed, entries removed; and the plain values descriptions are made of."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

Quad = tuple[str, str, str]  # graph, predicate, object
Ref = tuple[str, str]  # graph, subject


class Lit(str):
    """A literal's lexical form (an IRI is a plain ``str``)."""

    __slots__ = ()


def value_of(node: object) -> str | None:
    """An rdflib or plain term as a view value: IRI text, a :class:`Lit`, None for a blank node."""
    if isinstance(node, Literal):
        return Lit(str(node))
    if isinstance(node, URIRef):
        return str(node)
    return None


@dataclass
class Change:
    """What a write does, as far as the derived graphs care: triples it adds (per graph), whole
    graphs it removes, and subjects whose every triple it removes (an entry replaced or deleted)."""

    added: dict[str, Graph] = field(default_factory=dict)
    removed_graphs: set[str] = field(default_factory=set)
    removed_subjects: set[str] = field(default_factory=set)
    _quads: list[tuple[str, str, str, str]] | None = field(default=None, repr=False, compare=False)

    def added_quads(self) -> list[tuple[str, str, str, str]]:
        """``(graph, subject, predicate, object)`` of the added triples with an IRI subject and
        no blank-node object (read once)."""
        if self._quads is None:
            quads = []
            for graph, data in self.added.items():
                for s, p, o in data:
                    if isinstance(o, URIRef):
                        obj: str = str(o)
                    elif isinstance(o, Literal):
                        obj = Lit(o)
                    else:
                        continue
                    if isinstance(s, URIRef):
                        quads.append((graph, str(s), str(p), obj))
            self._quads = quads
        return self._quads

    def adds_predicate(self, predicate: URIRef) -> bool:
        return any(True for data in self.added.values() for _ in data.triples((None, predicate, None)))
