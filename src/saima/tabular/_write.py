"""write_table: a polars frame to a CSV or XLSX file that opens cleanly in Excel in China.

CSV gets a UTF-8 BOM (without it Excel in China reads UTF-8 as GBK and shows mojibake). Text
that Excel would run as a formula is neutralised. Files are replaced atomically, so a failed
write never leaves a half-written report where the old one was.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from saima.engine.text import _
from saima.tabular._csv import needs_escape
from saima.tabular._problems import InputError, Problem

_WIDTH_SAMPLE = 1000
"""Rows looked at when fitting column widths."""
_MIN_WIDTH = 6
_MAX_WIDTH = 60
_WHOLE_LIMIT = 1e16
"""Whole floats below this are written without ".0"; above it repr keeps them short."""


def write_table(
    frame: pl.DataFrame, path: str | os.PathLike[str], *, sheet_name: str = "Sheet1"
) -> None:
    """Write `frame` to .csv (UTF-8 with BOM) or .xlsx, replacing `path` atomically.

    Strings starting with = + - @ tab or CR cannot become formulas: in CSV they get a leading
    apostrophe (read_table removes it again); in XLSX they are stored as plain text cells marked
    "quote prefix", so Excel shows exactly the text and keeps it text when the cell is edited.
    Null and NaN become empty cells.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        _atomic(target, lambda handle: _write_csv(frame, handle))
    elif suffix == ".xlsx":
        _atomic(target, lambda handle: _write_xlsx(frame, handle, sheet_name))
    else:
        raise InputError(
            Problem(
                target.name,
                _(
                    "cannot be written: the name must end in .csv or .xlsx, not %(suffix)s",
                    suffix=repr(suffix or target.name),
                ),
            )
        )


def _atomic(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write into a temporary file beside `target`, then os.replace it into place."""
    if not target.parent.is_dir():
        raise InputError(
            Problem(
                target.name,
                _(
                    "cannot be written: the folder %(folder)s does not exist",
                    folder=str(target.parent),
                ),
            )
        )
    try:
        temp, handle = _temporary(target)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with handle:
            write(handle)
        os.replace(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise


def _temporary(target: Path) -> tuple[Path, IO[bytes]]:
    """A new hidden file beside `target`, created with the usual permissions (umask applies)."""
    for _attempt in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        return temp, os.fdopen(fd, "wb")
    raise FileExistsError(target)


def _write_error(target: Path, exc: OSError) -> InputError:
    """Explain an OS failure; Excel on Windows locks files it has open."""
    if isinstance(exc, PermissionError):
        return InputError(
            Problem(
                target.name,
                _("cannot be written: permission denied (is the file open in Excel?)"),
            )
        )
    return InputError(
        Problem(target.name, _("cannot be written (%(error)s)", error=str(exc.strerror or exc)))
    )


def _write_csv(frame: pl.DataFrame, handle: IO[bytes]) -> None:
    """Comma-separated UTF-8 with BOM and CRLF line ends, as Excel itself writes "CSV UTF-8"."""
    handle.write("\ufeff".encode())
    text = _TextSink(handle)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_csv_text(name) for name in frame.columns])
    for row in frame.iter_rows():
        writer.writerow([_csv_cell(value) for value in row])


class _TextSink:
    """Minimal text adapter (csv.writer only calls write) that encodes UTF-8 into `handle`."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    def write(self, text: str) -> int:
        return self._handle.write(text.encode("utf-8"))


def _csv_cell(value: object) -> str:
    """One CSV field: numbers exactly, strings escaped, nulls empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _csv_text(str(value))


def _csv_text(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    return "'" + text if needs_escape(text) else text


def _float_text(value: float) -> str:
    """Full precision (repr) without a pointless ".0"; NaN and infinity become empty."""
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < _WHOLE_LIMIT:
        return str(int(value))
    return repr(value)


def _write_xlsx(frame: pl.DataFrame, handle: IO[bytes], sheet_name: str) -> None:
    """A write-only workbook: bold header, typed cells, fitted widths."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    for index, width in enumerate(_widths(frame), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_header_cell(sheet, name) for name in frame.columns])
    for row in frame.iter_rows():
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    book.save(handle)


def _header_cell(sheet: Any, name: str) -> WriteOnlyCell:
    cell = _xlsx_cell(sheet, name)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cell(sheet: Any, value: object) -> WriteOnlyCell:
    """A cell holding the value with its own type; strings are never formulas."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if isinstance(value, float):
        return _float_cell(sheet, value)
    if isinstance(value, bool | int | dt.date | dt.time | dt.timedelta) or value is None:
        return WriteOnlyCell(sheet, value=value)
    return _text_cell(sheet, str(value))


def _float_cell(sheet: Any, value: float) -> WriteOnlyCell:
    """A number cell holding exactly `value`.

    openpyxl serialises floats with "%.16g", which loses the last digit of values such as
    0.1 + 0.2; for those we store repr (the shortest exact form) as the cell's raw text. This
    relies on openpyxl writing a non-numeric `_value` unchanged (checked by the round-trip test).
    """
    cell = WriteOnlyCell(sheet, value=value)
    if float(f"{value:.16g}") != value:
        cell._value = repr(value)
    return cell


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    """A plain text cell; text starting with "=" gets quote-prefix style instead of a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)  # control characters cannot be stored in XML
    cell = WriteOnlyCell(sheet, value=text)
    if cell.data_type != "s":
        cell.data_type = "s"
    if needs_escape(text):
        cell.quotePrefix = True
    return cell


def _widths(frame: pl.DataFrame) -> list[float]:
    """Column widths fitted to the header and the first rows; CJK characters count double."""
    sample = frame.head(_WIDTH_SAMPLE)
    return [
        _fit([name, *(_shown(v) for v in sample.get_column(name).to_list())])
        for name in frame.columns
    ]


def _fit(texts: Iterable[str]) -> float:
    widest = max((_display_width(t) for t in texts), default=0)
    return float(min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH))


def _shown(value: object) -> str:
    if value is None:
        return ""
    return _float_text(value) if isinstance(value, float) else str(value)


def _display_width(text: str) -> int:
    """Width in Excel character units: wide (CJK) characters take two."""
    longest_line = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest_line)
