"""Reading CSV files as Excel writes them: comma, semicolon or tab separated, quoted fields."""

from __future__ import annotations

import csv
import io

from saima.engine.text import Text, _
from saima.tabular._sheet import RawRow, RawSheet

_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 10
ESCAPE_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make spreadsheet programs treat a CSV cell as a formula."""


class CsvProblem(ValueError):
    """The text is not CSV we can read; carries the record number where it broke."""

    def __init__(self, message: Text, row: int | None) -> None:
        super().__init__(message)
        self.row = row


def needs_escape(text: str) -> bool:
    """Whether write_table must prefix an apostrophe so Excel will not run the cell as a formula.

    Text that already looks escaped (apostrophe before a trigger) is escaped once more, so that
    reading undoes exactly one apostrophe and every string round-trips.
    """
    if text.startswith(ESCAPE_TRIGGERS):
        return True
    return text.startswith("'") and needs_escape(text[1:])


def unescape(text: str) -> str:
    """Undo write_table's formula-injection apostrophe."""
    return text[1:] if text.startswith("'") and needs_escape(text[1:]) else text


def read_csv_text(text: str) -> RawSheet:
    """Split decoded CSV text into records, numbered as Excel numbers rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[RawRow] = []
    try:
        for number, record in enumerate(reader, start=1):
            rows.append((number, [unescape(cell) for cell in record]))
    except csv.Error as exc:
        raise CsvProblem(
            _("cannot be read as CSV (%(error)s)", error=str(exc)), len(rows) + 1
        ) from None
    return RawSheet(sheet=None, rows=rows, is_workbook=False)


def sniff_delimiter(text: str) -> str:
    """Pick , ; or tab from the header line (the first line holding any of them)."""
    seen = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        counts = _count_outside_quotes(line)
        best = max(_DELIMITERS, key=lambda d: counts[d])  # ties go to the comma
        if counts[best]:
            return best
        seen += 1
        if seen >= _SNIFF_LINES:
            break
    return ","


def _count_outside_quotes(line: str) -> dict[str, int]:
    """Count candidate delimiters in a line, ignoring those inside double quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return counts
