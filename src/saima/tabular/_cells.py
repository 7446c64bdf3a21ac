"""Turning one raw cell (CSV text or an XLSX value) into a typed value, or a reason it cannot be.

Each converter raises CellProblem with a message that quotes what the user sees in the cell.
"""

from __future__ import annotations

import datetime as dt
import math

from saima.engine.text import _
from saima.tabular._parse import is_no_figure, normalise, parse_bool, parse_number
from saima.tabular._sheet import ExcelError, Formula

_MAX_EXACT_INT = 2**53


class CellProblem(ValueError):
    """A cell's content does not fit its column; the message is for the user."""


def is_blank(raw: object) -> bool:
    """Empty, whitespace-only or missing."""
    return raw is None or (isinstance(raw, str) and normalise(raw) == "")


def display(raw: object) -> str:
    """The cell as the user reads it, for text columns and messages (101.0 -> "101")."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return normalise_text(raw)
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    if isinstance(raw, ExcelError):
        return raw.code
    if isinstance(raw, Formula):
        return raw.text
    return str(raw)


def normalise_text(text: str) -> str:
    """Trim surrounding whitespace, including the full-width space Chinese input methods type."""
    return text.strip().strip("\ufeff\u200b").strip()


def _float_text(value: float) -> str:
    """Whole floats without ".0" (Excel stores every number as a float)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _reject_markers(raw: object) -> None:
    """Formulas without values and Excel error values are wrong in any column."""
    if isinstance(raw, Formula):
        raise CellProblem(
            _(
                "%(cell)s is a formula with no computed value; save the file in Excel or "
                "paste values",
                cell=repr(raw.text),
            )
        )
    if isinstance(raw, ExcelError):
        raise CellProblem(
            _("holds the Excel error %(error)s; fix the formula or enter the value", error=raw.code)
        )


def to_text(raw: object, *, allow_blank: bool) -> str | None:
    """A text cell: trimmed; None when blank and allowed."""
    _reject_markers(raw)
    text = display(raw)
    if text == "":
        if not allow_blank:
            raise CellProblem(_("is blank"))
        return None
    return text


def to_number(raw: object, *, allow_blank: bool) -> float | None:
    """A number cell: workbook numbers as stored, text through parse_number."""
    _reject_markers(raw)
    if isinstance(raw, bool):
        raise CellProblem(_("%(cell)s is a yes/no value, not a number", cell=display(raw)))
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        raise CellProblem(_("%(cell)s is a date, not a number", cell=repr(display(raw))))
    if isinstance(raw, int | float):
        return _finite(float(raw), raw)
    text = "" if raw is None else str(raw)
    try:
        value = parse_number(text)
    except ValueError as exc:
        raise CellProblem(exc.args[0]) from None
    if value is None and not allow_blank:
        if is_no_figure(text):
            raise CellProblem(
                _(
                    "%(cell)s means no figure, but this column needs one",
                    cell=repr(normalise(text)),
                )
            )
        raise CellProblem(_("is blank"))
    return value


def _finite(value: float, raw: object) -> float:
    """Workbooks cannot hold NaN or infinity, but a generated file might."""
    if not math.isfinite(value):
        raise CellProblem(_("%(cell)s is not a finite number", cell=repr(display(raw))))
    return value


def to_int(raw: object, *, allow_blank: bool) -> int | None:
    """A whole-number cell: like a number, but 3.5 is refused rather than rounded."""
    value = to_number(raw, allow_blank=allow_blank)
    if value is None:
        return None
    if not value.is_integer() or abs(value) > _MAX_EXACT_INT:
        raise CellProblem(_("%(cell)s is not a whole number", cell=repr(display(raw))))
    return int(value)


def to_bool(raw: object) -> bool:
    """A yes/no cell: workbook booleans as stored, 1/0 numbers, text through parse_bool."""
    _reject_markers(raw)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) or raw is None:
        try:
            return parse_bool(raw or "")
        except ValueError as exc:
            raise CellProblem(exc.args[0]) from None
    raise CellProblem(
        _(
            "%(cell)s is not yes/no (use 是/否, yes/no, true/false, 1/0, √/×)",
            cell=repr(display(raw)),
        )
    )
