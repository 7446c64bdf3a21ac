"""read_table: from a user's CSV or XLSX file to a typed, validated polars frame.

All problems in a file are collected and reported together, each pointing at the row and column
as Excel shows them, so the user can fix the file in one sitting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import polars as pl
from openpyxl.utils import get_column_letter

from saima.engine.text import Text, _
from saima.tabular._cells import CellProblem, display, is_blank, to_bool, to_int, to_number
from saima.tabular._cells import to_text as _to_text
from saima.tabular._csv import CsvProblem, read_csv_text
from saima.tabular._encoding import EncodingProblem, decode
from saima.tabular._parse import is_na_token
from saima.tabular._problems import InputError, Problem
from saima.tabular._schema import NOT_APPLICABLE_SUFFIX, ROW, Column, Table, column_label
from saima.tabular._schema import header_key as _key
from saima.tabular._sheet import Formula, RawRow, RawSheet
from saima.tabular._xlsx import WorkbookProblem, read_xlsx

MAX_PROBLEMS = 1000
_HEADER_SEARCH = 10
"""Title rows above the header (a merged "2024年重点工作" banner) are skipped up to this many."""

CSV_SUFFIXES = frozenset({".csv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


class _TooMany(Exception):
    """Raised internally once MAX_PROBLEMS have been collected."""


@dataclass
class _Problems:
    """Collects problems for one file, with that file's name and sheet filled in."""

    file: str
    sheet: str | None = None
    items: list[Problem] = field(default_factory=list)

    def add(self, message: Text, row: int | None = None, column: str | None = None) -> None:
        self.items.append(Problem(self.file, message, self.sheet, row, column))
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(
                Problem(
                    self.file,
                    _(
                        "too many problems; stopped checking after the first %(count)s",
                        count=MAX_PROBLEMS,
                    ),
                    self.sheet,
                )
            )
            raise _TooMany

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


@dataclass(frozen=True)
class _Bound:
    """A declared column found in the file: where it is and how the user wrote it."""

    column: Column
    index: int
    header: str
    letter: str | None

    @property
    def label(self) -> str:
        return column_label(self.letter, self.header)


def read_table(
    path: str | os.PathLike[str],
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    label: str | None = None,
) -> Table:
    """Read and validate a CSV or XLSX file; raise InputError listing every problem found.

    `label` replaces the file's base name in messages. `sheet` picks a worksheet by name
    (workbooks only; the first worksheet by default).
    """
    file = Path(path)
    problems = _Problems(label or file.name)
    raw = _read_raw(file, sheet, problems)
    problems.sheet = raw.sheet
    try:
        return _build(raw, columns, problems)
    except _TooMany:
        raise InputError(problems.items) from None


def _read_raw(file: Path, sheet: str | None, problems: _Problems) -> RawSheet:
    """The raw grid of the file, after checking it exists and has a format we read."""
    reader = _reader_for(file, problems)
    try:
        return reader(file, sheet)
    except (EncodingProblem, WorkbookProblem) as exc:
        problems.add(exc.args[0])
    except CsvProblem as exc:
        problems.add(exc.args[0], row=exc.row)
    except OSError as exc:
        problems.add(_("cannot be read (%(error)s)", error=exc.strerror or type(exc).__name__))
    raise InputError(problems.items)


def _reader_for(file: Path, problems: _Problems) -> Callable[[Path, str | None], RawSheet]:
    """Choose the reader by suffix; explain missing files and unsupported formats."""
    suffix = file.suffix.lower()
    if not file.exists():
        problems.add(_("does not exist"))
    elif file.is_dir():
        problems.add(_("is a folder, not a file"))
    elif suffix == ".xls":
        problems.add(
            _(
                "is in the old .xls format, which is not supported; save it as "
                '"Excel Workbook (*.xlsx)"'
            )
        )
    elif suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        if suffix:
            problems.add(
                _("is not a CSV or XLSX file (the name ends in %(suffix)s)", suffix=repr(suffix))
            )
        else:
            problems.add(_("is not a CSV or XLSX file (the name has no extension)"))
    problems.raise_if_any()
    return _read_csv if suffix in CSV_SUFFIXES else read_xlsx


def _read_csv(file: Path, sheet: str | None) -> RawSheet:
    """Decode and split a CSV file; `sheet` does not apply and is ignored."""
    del sheet
    return read_csv_text(decode(file.read_bytes()))


def _build(raw: RawSheet, columns: Sequence[Column], problems: _Problems) -> Table:
    """Match the header, type every cell and assemble the frame."""
    header_at = _find_header(raw.rows, columns)
    if header_at is None:
        problems.add(_("is empty: there is no header row"))
        problems.raise_if_any()
    assert header_at is not None
    header_row, header_cells = raw.rows[header_at]
    bound = _bind(header_row, header_cells, columns, raw.is_workbook, problems)
    problems.raise_if_any()
    body = _fill_formulas(raw, raw.rows[header_at + 1 :], bound)
    data = _convert(body, bound, problems)
    problems.raise_if_any()
    return Table(
        frame=_frame(data, bound),
        file=problems.file,
        sheet=raw.sheet,
        headers={b.column.name: b.header for b in bound},
        letters={b.column.name: b.letter for b in bound if b.letter is not None},
    )


def _find_header(rows: list[RawRow], columns: Sequence[Column]) -> int | None:
    """Index of the header row: the first non-blank row, skipping title rows above it.

    A non-blank row that matches no declared column is taken for a title only when a later row
    (within the first few) does match; otherwise the first non-blank row is the header, so
    the "missing columns" message shows what the file has.
    """
    keys = {key for column in columns for key in column.keys}
    candidates = (i for i, (_, cells) in enumerate(rows) if not _row_blank(cells))
    non_blank = list(islice(candidates, _HEADER_SEARCH))
    for index in non_blank:
        if any(_key(display(cell)) in keys for cell in rows[index][1]):
            return index
    return non_blank[0] if non_blank else None


def _row_blank(cells: list[object]) -> bool:
    return all(is_blank(cell) for cell in cells)


def _bind(
    row: int,
    cells: list[object],
    columns: Sequence[Column],
    is_workbook: bool,
    problems: _Problems,
) -> list[_Bound]:
    """Map declared columns to header cells; report ambiguity, duplicates and absences."""
    by_key: dict[str, list[Column]] = {}
    for column in columns:
        for key in column.keys:
            by_key.setdefault(key, []).append(column)
    bound: dict[str, _Bound] = {}
    for index, cell in enumerate(cells):
        header = display(cell)
        letter = get_column_letter(index + 1) if is_workbook else None
        matches = by_key.get(_key(header), [])
        if len(matches) > 1:
            names = _either([repr(c.name) for c in matches])
            problems.add(
                _(
                    "header %(header)s could mean %(names)s; rename the column",
                    header=repr(header),
                    names=names,
                ),
                row,
                column_label(letter, header),
            )
        elif matches and matches[0].name in bound:
            first = bound[matches[0].name]
            problems.add(
                _(
                    "is read as %(name)s, but column %(first)s already is; keep only one of them",
                    name=repr(matches[0].name),
                    first=first.label,
                ),
                row,
                column_label(letter, header),
            )
        elif matches:
            bound[matches[0].name] = _Bound(matches[0], index, header, letter)
    _check_missing(row, cells, columns, bound, problems)
    return [bound[c.name] for c in columns if c.name in bound]


def _check_missing(
    row: int,
    cells: list[object],
    columns: Sequence[Column],
    bound: dict[str, _Bound],
    problems: _Problems,
) -> None:
    """One problem listing every missing required column and the headers the file has."""
    missing = [c for c in columns if c.required and c.name not in bound]
    if not missing:
        return
    wanted = _listed(
        [
            _("%(name)s (or %(aliases)s)", name=c.name, aliases=", ".join(c.aliases))
            if c.aliases
            else c.name
            for c in missing
        ]
    )
    found = ", ".join(h for h in (display(c) for c in cells) if h)
    if len(missing) == 1:
        message = _(
            "missing required column: %(wanted)s; the header row has: %(found)s",
            wanted=wanted,
            found=found or _("(nothing)"),
        )
    else:
        message = _(
            "missing required columns: %(wanted)s; the header row has: %(found)s",
            wanted=wanted,
            found=found or _("(nothing)"),
        )
    problems.add(message, row)


def _listed(parts: list[Text | str]) -> Text | str:
    """`a, b, c` as text whose every part keeps its own translation."""
    out = parts[0]
    for part in parts[1:]:
        out = _("%(first)s, %(next)s", first=out, next=part)
    return out


def _either(parts: list[str]) -> Text | str:
    """`'a' or 'b'` as text whose `or` translates."""
    out: Text | str = parts[0]
    for part in parts[1:]:
        out = _("%(first)s or %(next)s", first=out, next=part)
    return out


def _fill_formulas(raw: RawSheet, body: list[RawRow], bound: list[_Bound]) -> list[RawRow]:
    """Replace blanks that are really uncomputed formulas (only re-reads when blanks exist)."""
    if raw.formula_cells is None:
        return body
    indexes = [b.index for b in bound]
    blanks = {
        (row, i) for row, cells in body for i in indexes if i >= len(cells) or cells[i] is None
    }
    if not blanks:
        return body
    formulas = {place: text for place, text in raw.formula_cells().items() if place in blanks}
    if not formulas:
        return body
    return [(row, _with_formulas(row, cells, formulas)) for row, cells in body]


def _with_formulas(row: int, cells: list[object], formulas: dict[tuple[int, int], str]) -> list:
    width = max([len(cells)] + [i + 1 for (r, i) in formulas if r == row])
    padded = cells + [None] * (width - len(cells))
    return [
        Formula(formulas[row, i]) if (row, i) in formulas else cell for i, cell in enumerate(padded)
    ]


_Data = dict[str, list[object]]


def _convert(body: list[RawRow], bound: list[_Bound], problems: _Problems) -> _Data:
    """Type every cell of every non-blank row, collecting problems as we go."""
    data: _Data = {ROW: []}
    for b in bound:
        data[b.column.name] = []
        if b.column.na_tokens:
            data[b.column.name + NOT_APPLICABLE_SUFFIX] = []
    for row, cells in body:
        if _row_blank(cells):
            continue
        data[ROW].append(row)
        for b in bound:
            cell = cells[b.index] if b.index < len(cells) else None
            _convert_cell(cell, b, data, _reporter(problems, row, b.label))
    return data


def _reporter(problems: _Problems, row: int, label: str) -> Callable[[Text], None]:
    """Report a cell problem at a fixed place."""
    return lambda message: problems.add(message, row, label)


def _convert_cell(cell: object, b: _Bound, data: _Data, report: Callable[[Text], None]) -> None:
    """Append one typed value (null on a problem) and the not-applicable flag if any."""
    column = b.column
    not_applicable = column.na_tokens and isinstance(cell, str) and is_na_token(cell)
    value: object = None
    if not not_applicable:
        try:
            value = _typed(cell, column)
        except CellProblem as exc:
            report(exc.args[0])
    data[column.name].append(value)
    if column.na_tokens:
        data[column.name + NOT_APPLICABLE_SUFFIX].append(not_applicable)


def _typed(cell: object, column: Column) -> object:
    """Dispatch on the column's kind."""
    if column.kind == "text":
        return _to_text(cell, allow_blank=column.allow_blank)
    if column.kind == "number":
        return to_number(cell, allow_blank=column.allow_blank)
    if column.kind == "int":
        return to_int(cell, allow_blank=column.allow_blank)
    return to_bool(cell)


def _frame(data: _Data, bound: list[_Bound]) -> pl.DataFrame:
    """Assemble the frame with an explicit schema, so even an empty table is well typed."""
    schema: dict[str, pl.DataType] = {}
    for b in bound:
        schema[b.column.name] = b.column.dtype
        if b.column.na_tokens:
            schema[b.column.name + NOT_APPLICABLE_SUFFIX] = pl.Boolean()
    schema[ROW] = pl.Int64()
    return pl.DataFrame({name: data[name] for name in schema}, schema=schema)
