"""The exception hierarchy. Every error carries where the problem is and a hint.

CLI exit codes are mapped in :mod:`bigmap_kg.cli`; HTTP status codes in ``api/``.
"""

from __future__ import annotations

from dataclasses import dataclass


def shown(text: str) -> str:
    """``text`` as it can be written out: a lone UTF-16 surrogate (half of a pair, no character,
    which JSON or YAML escapes can produce) as its escape, ``\\ud800``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Location:
    """Where a problem is: any of file, line, column, row, field, IRI."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None
    iri: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field!r}")
        if self.iri:
            parts.append(f"<{self.iri}>")
        return ", ".join(parts)


class BigmapKGError(Exception):
    """Root of all bigmap-kg errors."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location or Location()
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ParseError(BigmapKGError):
    """Input could not be read (syntax error, unknown format, unreadable file)."""


class ValidationFailed(BigmapKGError):
    """Input was read but breaks the shapes; carries the report."""

    def __init__(self, report: object, message: str | None = None):
        self.report = report
        super().__init__(message or "the data breaks the shapes; nothing was written")


class UnknownReference(BigmapKGError):
    """A name (query, parameter, partner, technique...) that is not known."""


class StoreError(BigmapKGError):
    """The store could not be opened, read or written."""


class QuerySyntaxError(StoreError):
    """A SPARQL query or update that does not parse."""


class EntryConflict(BigmapKGError):
    """An entry that exists already (create) or does not exist (change, delete)."""


class OntologyInconsistent(BigmapKGError):
    """The reasoner found the ontology plus data inconsistent."""
