"""An input of an import (a file's name and bytes), and what a reader makes of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from bigmap_kg.importing.problems import ImportProblem, Origin


@dataclass(frozen=True)
class Source:
    """One input file: the name it is reported under, and its content."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        return cls(str(path), Path(path).read_bytes())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass
class Mapped:
    """What a reader made of its input: triples, rows read, problems, and the origin of each
    entry (its row) and of each (entry, property) (its cell), to place the shapes' findings."""

    graph: Graph = field(default_factory=lambda: Graph(store="SimpleMemory"))  # no contexts: faster
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    entries: dict[URIRef, Origin] = field(default_factory=dict)
    cells: dict[tuple[Node, str], Origin] = field(default_factory=dict)

    def merge(self, other: Mapped) -> None:
        if not len(self.graph):
            self.graph = other.graph  # the other is not used after it is merged: no copy
        else:
            for triple in other.graph:
                self.graph.add(triple)
        self.rows += other.rows
        self.problems.extend(other.problems)
        self.entries.update(other.entries)
        self.cells.update(other.cells)
