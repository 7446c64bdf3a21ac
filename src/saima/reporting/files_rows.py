"""The row type the parsers produce (the write side's `FigureRow`), and exact cell decimals."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from saima.reporting.services import FigureRow
from saima.tabular import parse_number

__all__ = ["CellError", "FigureRow", "cell_decimal", "decimal_of_float", "figure_row"]


class CellError(ValueError):
    """A cell's content is not a figure; the message is for the user."""


def figure_row(
    *,
    unit_code: str,
    indicator_code: str,
    year: int,
    month: int,
    value: Decimal | None,
    last_year_value: Decimal | None = None,
    growth: Decimal | None = None,
    note: str = "",
) -> FigureRow:
    return FigureRow(
        unit_code=unit_code,
        indicator_code=indicator_code,
        year=year,
        month=month,
        value=value,
        last_year_value=last_year_value,
        growth=growth,
        note=note,
    )


def decimal_of_float(value: float) -> Decimal:
    """The figure the user typed: a float's shortest repr, not its binary expansion."""
    if not math.isfinite(value):
        raise CellError(_("is not a finite number"))
    return Decimal(repr(value))


def cell_decimal(value: object, *, percent: bool = False) -> Decimal | None:
    """A cell (number, numeric text or blank) as an exact Decimal; CellError otherwise.

    `percent` is true when the cell is shown as a percentage (Excel stores 8.5% as 0.085), so the
    figure is kept in percent, as saima.tabular does.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(_("is a yes/no value, not a number"))
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(_("is a date, not a number; type the figure"))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = decimal_of_float(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        return _text_decimal(value)
    else:
        raise CellError(_("is not a number"))
    return number * 100 if percent else number


def _text_decimal(text: str) -> Decimal | None:
    """Numbers typed as text ("1,234.5", full-width digits, "8.5%"); words are refused."""
    try:
        number = parse_number(text)
    except ValueError:
        raise CellError(
            _("“%(text)s” is text, not a number; type the figure") % {"text": text.strip()[:40]}
        ) from None
    if number is None:
        return None
    try:
        return decimal_of_float(number)
    except InvalidOperation:  # pragma: no cover - repr of a finite float is always a decimal
        raise CellError(_("is not a number")) from None
