"""A progress bar (rich) for large imports, on the terminal's error stream."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    """One bar per phase of an import (reading, mapping rows, validating, writing)."""

    def __init__(self, progress: Progress):
        self._progress = progress
        self._task: TaskID | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, completed=task.total or task.completed, total=task.total or 1)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


class PhaseLines:
    """Without a terminal: one line per phase on the error stream (for logs and scripts)."""

    def phase(self, name: str, total: int | None = None) -> None:
        count = f" ({total})" if total is not None else ""
        print(f"import: {name}{count}", file=sys.stderr, flush=True)

    def advance(self, n: int = 1) -> None:
        pass


@contextmanager
def progress_bar(show: bool) -> Iterator[RichProgress | PhaseLines]:
    """A rich progress bar when ``show``, else phase lines."""
    if not show:
        yield PhaseLines()
        return
    columns = (TextColumn("{task.description:32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        bar = RichProgress(progress)
        yield bar
        bar.phase("done", 1)
        bar.advance(1)
