"""Fuzzing the parsers: whatever the file, they return rows or raise InputError, nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os

import openpyxl
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from saima.engine import Period
from saima.reporting.files import DATA_SHEET, FIRST_ROW, parse_bulk, parse_template
from saima.reporting.tests.test_files_support import PERIOD, template_for
from saima.tabular import InputError
from saima.testing import examples

#: Raise with SAIMA_FUZZ_EXAMPLES=500 for a longer run.
EXAMPLES = int(os.environ.get("SAIMA_FUZZ_EXAMPLES", 0)) or examples(30)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADERS = st.sampled_from(
    [
        "unit",
        "单位",
        "indicator",
        "指标",
        "value",
        "本期累计",
        "累计值",
        "去年同期",
        "增速",
        "情况说明",
        "period",
        "note",
        "",
        "=A1",
    ]
)
NAMES = st.sampled_from(["east", "东城区", "West District", "fai", "固定资产投资", "ivag", "gdp"])
CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    NAMES,
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", "=1/0", "-", "—", "1,234.5", "8.5%", "(3)", "n/a"]),
)


def _put(sheet, row: int, column: int, value) -> None:
    # openpyxl refuses control characters (IllegalCharacterError); merged cells are read-only
    with contextlib.suppress(Exception):
        sheet.cell(row, column, value)


@st.composite
def workbooks(draw, base: bytes | None = None) -> bytes:
    """A random workbook, or random edits of `base` (a template)."""
    book = openpyxl.load_workbook(io.BytesIO(base)) if base else openpyxl.Workbook()
    sheet = book[DATA_SHEET] if base else book.active
    if base is None:
        for column, header in enumerate(draw(st.lists(HEADERS, max_size=7)), start=1):
            _put(sheet, 1, column, header)
    first = FIRST_ROW if base else 2
    for _ in range(draw(st.integers(0, 25))):
        row = draw(st.integers(1, first + 8))
        column = draw(st.integers(1, 10))
        _put(sheet, row, column, draw(CELLS))
    for _ in range(draw(st.integers(0, 2))):
        row, column = draw(st.integers(1, first + 6)), draw(st.integers(1, 8))
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + draw(st.integers(0, 2)),
            end_column=column + draw(st.integers(0, 2)),
        )
    for index in range(draw(st.integers(0, 2))):
        extra = book.create_sheet(f"extra{index}", index=draw(st.integers(0, len(book.sheetnames))))
        _put(extra, 1, 1, draw(CELLS))
    if base and draw(st.booleans()):
        sheet.delete_cols(draw(st.integers(1, 9)))
    out = io.BytesIO()
    try:
        book.save(out)
    except Exception:  # openpyxl cannot write every combination it accepts; not our concern
        reject()
    data = out.getvalue()
    if draw(st.integers(0, 9)) == 0:  # now and then, a truncated or bit-flipped copy
        cut = draw(st.integers(0, 10**6)) % len(data)
        data = data[:cut] + bytes([draw(st.integers(0, 255))]) + data[cut + 1 :]
    return data


ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1", "shift_jis", "big5", "cp1252"]
)
DELIMITERS = st.sampled_from([",", ";", "\t", "|", " "])
CSV_CELLS = st.one_of(
    NAMES,
    HEADERS,
    st.text(max_size=10),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(['"', "'=1", "1e400", "nan", "2026-07", "2026-06", "-5", "１２"]),
)


@st.composite
def csv_files(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    delimiter = draw(DELIMITERS)
    header = draw(st.lists(HEADERS, min_size=1, max_size=7))
    rows = draw(st.lists(st.lists(CSV_CELLS, max_size=8), max_size=8))
    text = "\r\n".join(delimiter.join(line) for line in [header, *rows])
    encoding = draw(ENCODINGS)
    return text.encode(encoding, errors="replace")


def _rows_or_input_error(parse) -> None:
    try:
        rows = parse()
    except InputError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert isinstance(rows, list)


@FUZZ
@given(data=workbooks())
def test_bulk_workbooks_give_rows_or_input_error(world, data):
    _rows_or_input_error(lambda: parse_bulk(data, filename="f.xlsx", period=PERIOD))


@FUZZ
@given(data=csv_files())
def test_bulk_csv_gives_rows_or_input_error(world, data):
    _rows_or_input_error(lambda: parse_bulk(data, filename="f.csv", period=PERIOD))


@FUZZ
@given(data=st.data())
def test_edited_templates_give_rows_or_input_error(world, data):
    base = template_for(world)
    edited = data.draw(workbooks(base=base))
    _rows_or_input_error(
        lambda: parse_template(edited, filename="t.xlsx", unit=world.units["east"], period=PERIOD)
    )


@FUZZ
@given(data=workbooks())
def test_random_workbooks_are_not_templates(world, data):
    _rows_or_input_error(
        lambda: parse_template(
            data, filename="t.xlsx", unit=world.units["east"], period=Period(2026, 7)
        )
    )
