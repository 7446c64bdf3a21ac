"""Helpers for the spreadsheet tests: templates built for the world, filled in with openpyxl."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from saima.engine import Period
from saima.reporting.files import DATA_SHEET, FIRST_ROW, build_template

#: A month after the world's last figures (June 2026): June is "last period", July 2025 last year.
PERIOD = Period(2026, 7)
VALUE_COLUMN = "F"


def template_for(world, unit: str = "east", period: Period = PERIOD) -> bytes:
    indicators = list(world.indicators.values())
    return build_template(
        world.units[unit],
        period,
        indicators=indicators,
        previous={i.code: Decimal("1.5") for i in indicators},
        last_year={i.code: Decimal("2.25") for i in indicators},
    )


def row_of(book, code: str) -> int:
    sheet = book[DATA_SHEET]
    for row in range(FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            return row
    raise AssertionError(code)


def fill(data: bytes, values: dict, *, edit=None) -> bytes:
    """Write {indicator code: value} into 本期累计 (and run `edit(book)` for anything else)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    for code, value in values.items():
        sheet[f"{VALUE_COLUMN}{row_of(book, code)}"] = value
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_support_builds_a_template(world):
    assert template_for(world).startswith(b"PK")
