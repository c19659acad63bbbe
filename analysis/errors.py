"""Errors and data problems, shared by every reader and by the data model.

A reader that meets a bad row keeps every good row and records a :class:`DataProblem`; a file
that cannot be read at all (wrong kind, nothing valid) raises :class:`InputError`. Both name
where the fault is (file, row, column or packet), what was expected and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass


def _where(source: str | None, row: int | None, field: str | None) -> str:
    parts = []
    if source:
        parts.append(str(source))
    if row is not None:
        parts.append(f"row {row}")
    if field:
        parts.append(f"field '{field}'")
    return ", ".join(parts)


class SolewatchError(Exception):
    """Base class of every error solewatch raises on purpose."""


class InputError(SolewatchError, ValueError):
    """Input that cannot be used: says where, what was expected and what was found.

    Attributes keep the parts so callers (CLI, dashboard) can show or log them separately.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.field = field
        where = _where(source, row, field)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class DataProblem:
    """Something wrong in part of an input that was skipped; the rest was kept.

    ``row`` is 1-based as a person counts lines in the file (header included) when the input is
    a text file, or a packet/sample index for binary inputs (then ``field`` says which).
    """

    source: str
    message: str
    row: int | None = None
    field: str | None = None
    count: int = 1

    def __str__(self) -> str:
        where = _where(self.source, self.row, self.field)
        # ``row`` names the first of ``count`` rows with the same problem (text inputs)
        more = f" ({self.count} rows like this)" if self.count > 1 and self.row else ""
        return f"{where}: {self.message}{more}"
