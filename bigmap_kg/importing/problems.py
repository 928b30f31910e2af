"""What an import found wrong, each problem placed in its file, sheet, row and column."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from bigmap_kg.errors import BigmapKGError, Location

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a file, and in it a sheet, a row (as the user counts them:
    the header is row 1 of a CSV or sheet; entries of a JSON list count from 1) and a column."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ImportProblem:
    """One problem: where, the value found, what is wrong, what is expected."""

    origin: Origin
    message: str
    value: str | None = None
    expected: str | None = None
    severity: str = ERROR
    code: str | None = None  # a stable name for the kind of problem, e.g. missing-column

    def to_text(self) -> str:
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        expected = f"; expected {self.expected}" if self.expected else ""
        return f"{self.origin.where()}: {self.severity}: {self.message}{value}{expected}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self.origin)
        data.update(value=self.value, message=self.message, expected=self.expected,
                    severity=self.severity, code=self.code)
        return data

    @classmethod
    def from_error(cls, exc: BigmapKGError, origin: Origin) -> ImportProblem:
        """A library error (a unit, a quantity...) placed at a cell."""
        return cls(origin, exc.message, expected=exc.hint)


@dataclass
class ImportReport:
    """Every problem of an import; it may write only when there is no error."""

    files: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity != ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, problem: ImportProblem) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[ImportProblem]) -> None:
        self.problems.extend(problems)

    def sorted_problems(self) -> list[ImportProblem]:
        def key(p: ImportProblem) -> tuple[str, str, int, str, str]:
            o = p.origin
            return (o.file, o.sheet or "", o.row or 0, o.column or "", p.message)
        return sorted(self.problems, key=key)

    def to_text(self) -> str:
        head = (f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) in "
                f"{', '.join(self.files) or 'the input'}")
        return "\n".join([head, *(p.to_text() for p in self.sorted_problems())])

    def to_dict(self) -> dict[str, object]:
        return {"files": self.files, "ok": self.ok, "errors": len(self.errors),
                "warnings": len(self.warnings),
                "problems": [p.to_dict() for p in self.sorted_problems()]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


class ImportRefused(BigmapKGError):
    """An import with errors: nothing was written. Carries the whole report."""

    def __init__(self, report: ImportReport):
        self.report = report
        first = report.errors[0] if report.errors else None
        location = Location(file=first.origin.file, row=first.origin.row,
                            field=first.origin.column) if first else None
        super().__init__(f"{len(report.errors)} error(s); nothing was written", location)
