"""The raw grid both readers produce, before headers are matched and cells are typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

RawRow = tuple[int, list[object]]
"""(row number as Excel shows it, cell values left to right)."""


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell whose workbook holds no computed value (never opened in Excel)."""

    text: str


@dataclass(frozen=True, slots=True)
class ExcelError:
    """An Excel error value such as #DIV/0! or #N/A left in a cell."""

    code: str


@dataclass
class RawSheet:
    """Cell values of one sheet (or CSV file) with row numbers, as the user sees them."""

    sheet: str | None
    rows: list[RawRow]
    is_workbook: bool
    formula_cells: Callable[[], dict[tuple[int, int], str]] | None = field(default=None, repr=False)
    """For workbooks: formulas by (row, 0-based column), read in a slower second pass."""
