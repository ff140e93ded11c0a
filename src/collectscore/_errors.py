"""Errors users see: each names the table, column, rows and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: How many example rows a problem lists before saying "(+N more)".
EXAMPLE_ROWS = 5


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input table.

    ``rows`` holds example row numbers (0-based positions, as ``df.iloc``) and
    ``n_rows`` how many rows have the problem in all (0 when it is about the
    table or a column as a whole). ``line_offset`` turns positions into file
    line numbers when the table came from a CSV file (header on line 1 → 2).
    """

    table: str
    column: str | None
    expected: str
    received: str
    fix: str
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    source: str | None = None
    line_offset: int | None = None

    def describe(self) -> str:
        where = f"table '{self.table}'"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.source:
            where += f" ({self.source})"
        text = f"{where}: expected {self.expected}; got {self.received}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:EXAMPLE_ROWS])
            more = self.n_rows - min(len(self.rows), EXAMPLE_ROWS)
            text += f" in {self.n_rows} row{'s' if self.n_rows != 1 else ''} (rows {shown}"
            if more > 0:
                text += f", +{more} more"
            text += ")"
            if self.line_offset is not None:
                lines = ", ".join(str(r + self.line_offset) for r in self.rows[:EXAMPLE_ROWS])
                text += f" [file lines {lines}]"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


@dataclass
class ContractError(ValueError):
    """Input that breaks the data contract; lists every problem found at once."""

    problems: Sequence[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} with the input data:"
        return "\n".join([head, *(f"  - {p.describe()}" for p in self.problems)])

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its problems (not its message) when it crosses a process boundary:
        # raised in a Dask or Spark task, it reaches the caller whole
        return (type(self), (list(self.problems),))

    def tables(self) -> set[str]:
        return {p.table for p in self.problems}

    def columns(self) -> set[tuple[str, str | None]]:
        return {(p.table, p.column) for p in self.problems}


class ConfigError(ValueError):
    """A configuration or argument value outside what is accepted."""


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` probably meant: a case-insensitive match, else a close spelling."""
    options = list(candidates)
    folded = {c.lower(): c for c in options}
    key = name.strip().lower()
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'amount'?"`` when a close candidate exists, else ``""``."""
    match = closest(name, candidates)
    return f"; did you mean '{match}'?" if match else ""
