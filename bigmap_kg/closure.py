"""What is reachable from a node along edges (a class's superclasses, subclasses): one walk for
the shape engine and the derived graphs."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def reachable(start: T, neighbours: Callable[[T], Iterable[T]]) -> set[T]:
    """``start`` and every node reachable from it (cycles are walked once)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
