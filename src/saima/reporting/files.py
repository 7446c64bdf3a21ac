"""Spreadsheets in and out of the reporting cycle: templates, uploads and the office's import.

- `build_template(unit, period, *, indicators, previous, last_year, current=None, due=None)`:
  the pre-filled, protected, signed XLSX a unit fills in (bytes).
- `parse_template(data, *, filename, unit, period)`: a filled template back to `FigureRow`s.
- `parse_bulk(data, *, filename, period)`: the office's CSV/XLSX of every unit × indicator.
- `preview_changes(rows, *, access)`: new / changed / unchanged / refused, before any write.

Every parser raises `saima.tabular.InputError` whose problems name file, sheet, row and column,
and nothing else for bad input; nothing here writes to the database (the confirm step calls
`saima.reporting.services.figures_save` with all rows in one transaction).
"""

from __future__ import annotations

from saima.common.workbooks import (
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
)
from saima.reporting.files_bulk import BULK_COLUMNS, parse_bulk
from saima.reporting.files_preview import (
    CHANGED,
    NEW,
    REFUSED,
    UNCHANGED,
    Change,
    preview_changes,
)
from saima.reporting.files_rows import FigureRow
from saima.reporting.files_template import (
    COLUMNS,
    DATA_SHEET,
    FIRST_ROW,
    META_SHEET,
    TEMPLATE_VERSION,
    Current,
    build_template,
    parse_template,
)

__all__ = [
    "BULK_COLUMNS",
    "CHANGED",
    "COLUMNS",
    "DATA_SHEET",
    "FIRST_ROW",
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "META_SHEET",
    "NEW",
    "REFUSED",
    "TEMPLATE_VERSION",
    "UNCHANGED",
    "Change",
    "Current",
    "FigureRow",
    "build_template",
    "parse_bulk",
    "parse_template",
    "preview_changes",
]
