"""What a caller expects in a file (Column) and what it gets back (Table).

Header matching is forgiving in the ways Excel users differ without meaning to (case, full-width
letters, spaces versus underscores) and strict about ambiguity, because a figure read from the
wrong column is worse than an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from saima.tabular._problems import Problem

Kind = Literal["text", "number", "bool", "int"]

ROW = "_row"
"""Name of the column holding each record's row number as Excel shows it."""

NOT_APPLICABLE_SUFFIX = "_not_applicable"

_SEPARATORS = re.compile(r"[\s\-_]+")


@dataclass(frozen=True)
class Column:
    """One expected column: its canonical name, type and the headers users may write for it."""

    name: str
    kind: Kind = "text"
    required: bool = True
    aliases: tuple[str, ...] = ()
    allow_blank: bool = False
    na_tokens: bool = False

    def __post_init__(self) -> None:
        """Catch schema mistakes early; these are programming errors, not user input."""
        if self.kind not in ("text", "number", "bool", "int"):
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.na_tokens and self.kind != "number":
            raise ValueError(f"na_tokens is only for number columns ({self.name})")

    @property
    def keys(self) -> tuple[str, ...]:
        """The normalised header spellings that select this column."""
        return tuple(dict.fromkeys(header_key(h) for h in (self.name, *self.aliases)))

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of this column in a Table."""
        return _DTYPES[self.kind]


_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "number": pl.Float64(),
    "int": pl.Int64(),
    "bool": pl.Boolean(),
}


def header_key(header: str) -> str:
    """Fold a header so "Last year value", "last_year_value" and "ＬＡＳＴ-year value" agree."""
    folded = unicodedata.normalize("NFKC", header).strip().casefold()
    return _SEPARATORS.sub("_", folded).strip("_")


@dataclass(frozen=True)
class Table:
    """A validated table plus what is needed to point the user back at a cell."""

    frame: pl.DataFrame
    file: str
    sheet: str | None
    headers: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)
    """Canonical name -> column letter, for XLSX files (empty for CSV)."""

    def problem(self, row: int | None, column: str | None, message: str) -> Problem:
        """A Problem at a place in this table; `column` is a canonical name (or None)."""
        return Problem(
            file=self.file,
            message=message,
            sheet=self.sheet,
            row=row,
            column=None if column is None else self.column_label(column),
        )

    def column_label(self, column: str) -> str:
        """How the user knows a column: "C (target)" in a workbook, "target" in a CSV."""
        base = column
        if column not in self.headers and column.endswith(NOT_APPLICABLE_SUFFIX):
            base = column.removesuffix(NOT_APPLICABLE_SUFFIX)
        header = self.headers.get(base, column)
        letter = self.letters.get(base)
        return column_label(letter, header)


def column_label(letter: str | None, header: str) -> str:
    """Render a column for messages: letter plus header when the letter is known."""
    return header if letter is None else f"{letter} ({header})"
