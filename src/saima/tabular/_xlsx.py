"""Reading one worksheet of an .xlsx/.xlsm workbook into a raw grid.

Workbooks are opened read-only with cached values (what the user saw in Excel). Everything that
can go wrong inside openpyxl on a damaged or mislabelled file becomes a plain message: office
users meet renamed CSVs, password-protected workbooks and half-copied files daily.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from saima.engine.text import Text, _
from saima.tabular._sheet import ExcelError, RawRow, RawSheet

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK"


class WorkbookProblem(ValueError):
    """The workbook cannot be read; the message is for the user."""


def read_xlsx(path: Path, sheet: str | None) -> RawSheet:
    """The values of the named (or first) worksheet, as Excel last computed them."""
    _check_magic(path)
    with _open(path, data_only=True) as book:
        ws = _worksheet(book, sheet)
        title = ws.title
        rows = _guard(lambda: list(_values(ws)))
    return RawSheet(
        sheet=title,
        rows=rows,
        is_workbook=True,
        formula_cells=lambda: _guard(lambda: _formula_cells(path, title)),
    )


def _check_magic(path: Path) -> None:
    """Recognise OLE2 files (.xls, encrypted .xlsx) and non-zips before openpyxl tries."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(_OLE_MAGIC):
        raise WorkbookProblem(
            _(
                "is an old-format .xls file or a password-protected workbook; remove the "
                'password and save it as "Excel Workbook (*.xlsx)"'
            )
        )
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookProblem(_not_workbook(_("not a zip archive")))


@contextmanager
def _open(path: Path, *, data_only: bool) -> Iterator[Any]:
    """Open read-only, turning any failure into WorkbookProblem and always closing."""
    book = _guard(lambda: openpyxl.load_workbook(path, read_only=True, data_only=data_only))
    try:
        yield book
    finally:
        book.close()


def _guard(action: Any) -> Any:
    """Run an openpyxl action; a damaged file may raise nearly anything, never show a traceback."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            return action()
    except WorkbookProblem:
        raise
    except zipfile.BadZipFile as exc:
        raise WorkbookProblem(
            _not_workbook(_("damaged zip archive: %(error)s", error=str(exc)))
        ) from None
    except Exception as exc:  # openpyxl raises KeyError, ValueError, XML errors, ...
        raise WorkbookProblem(_not_workbook(type(exc).__name__)) from None


def _not_workbook(reason: Text | str) -> Text:
    return _(
        "is not a valid Excel workbook (%(reason)s); open it in Excel and save it as "
        '"Excel Workbook (*.xlsx)"',
        reason=reason,
    )


def _worksheet(book: Any, sheet: str | None) -> Any:
    """The requested worksheet, or the first one."""
    sheets = book.worksheets
    if not sheets:
        raise WorkbookProblem(_("has no worksheets"))
    if sheet is None:
        return sheets[0]
    for ws in sheets:
        if ws.title == sheet:
            return ws
    for ws in sheets:  # forgive case and surrounding spaces
        if ws.title.strip().casefold() == sheet.strip().casefold():
            return ws
    names = ", ".join(ws.title for ws in sheets)
    raise WorkbookProblem(
        _(
            "has no sheet named %(sheet)s; its sheets are: %(sheets)s",
            sheet=repr(sheet),
            sheets=names,
        )
    )


def _values(ws: Any) -> Iterator[RawRow]:
    """Rows of converted cell values, numbered from 1 as in Excel."""
    ws.reset_dimensions()  # some generators write wrong <dimension> tags
    for number, row in enumerate(ws.iter_rows(), start=1):
        yield number, [_cell_value(cell) for cell in row]


def _cell_value(cell: Any) -> object:
    """A cell's value, with percent cells in percent and error and formula markers."""
    value = cell.value
    data_type = getattr(cell, "data_type", "n")
    if value is None:
        # A formula whose cached result is "" (t="str") is blank, not an uncomputed formula.
        return "" if data_type == "str" else None
    if data_type == "e":
        return ExcelError(str(value))
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and is_percent_format(getattr(cell, "number_format", None)):
        return float(Decimal(repr(value)) * 100)
    return value


def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows the cell as a percentage (a % outside quotes and escapes)."""
    if not number_format:
        return False
    quoted = False
    escaped = False
    for char in number_format:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "%" and not quoted:
            return True
    return False


def _formula_cells(path: Path, title: str) -> dict[tuple[int, int], str]:
    """Formula text by cell, read in a second pass (cached values hide formulas)."""
    found: dict[tuple[int, int], str] = {}
    with _open(path, data_only=False) as book:
        ws = book[title]
        ws.reset_dimensions()
        for number, row in enumerate(ws.iter_rows(), start=1):
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    found[number, index] = str(cell.value)
    return found
