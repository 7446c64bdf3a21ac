"""The office's bulk import (CSV in UTF-8 or GBK, XLSX) and the preview of its changes."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from saima.engine import Period
from saima.metrics.models import Observation
from saima.org.access import Access
from saima.reporting.files import (
    CHANGED,
    NEW,
    REFUSED,
    UNCHANGED,
    FigureRow,
    parse_bulk,
    preview_changes,
)
from saima.tabular import InputError

JUNE = Period(2026, 6)
JULY = Period(2026, 7)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_of(data: bytes, filename: str = "import.csv", period: Period = JULY):
    with pytest.raises(InputError) as caught:
        parse_bulk(data, filename=filename, period=period)
    return caught.value.problems


def test_a_gbk_csv_with_chinese_headers_and_unit_names(world):
    data = csv_bytes(
        [
            "单位,指标,本期累计,去年同期,增速,情况说明",
            "东城区,固定资产投资,84.70,77.00,10.0,",
            "西城区,规上工业增加值增速,7.4,,,受检修影响",
            '北山县,projects,"1,024",,,',
        ],
        "gbk",
    )
    rows = parse_bulk(data, filename="统计局.csv", period=JULY)
    assert rows == [
        FigureRow("east", "fai", 2026, 7, Decimal("84.7"), Decimal("77"), Decimal("10"), ""),
        FigureRow("west", "ivag", 2026, 7, Decimal("7.4"), None, None, "受检修影响"),
        FigureRow("north", "projects", 2026, 7, Decimal(1024), None, None, ""),
    ]


def test_utf8_with_bom_semicolons_english_headers_and_a_period_column(world):
    data = b"\xef\xbb\xbf" + csv_bytes(
        ["unit;indicator;value;period", "east;fai;1,5;2026-07"]
    ).replace(b"1,5", b"1.5")
    assert parse_bulk(data, filename="x.csv", period=JULY)[0].value == Decimal("1.5")


def test_an_xlsx_import(world):
    data = xlsx_bytes(
        [["单位", "指标", "累计值"], ["East District", "FAI", 12.25], ["west", "pm25", 30]]
    )
    rows = parse_bulk(data, filename="bureau.xlsx", period=JULY)
    assert [(r.unit_code, r.indicator_code, r.value) for r in rows] == [
        ("east", "fai", Decimal("12.25")),
        ("west", "pm25", Decimal(30)),
    ]


def test_unknown_units_and_indicators_are_named_with_row_and_column(world):
    data = csv_bytes(["单位,指标,本期累计", "南湖区,固定资产投资,1", "东城区,GDP,2"])
    problems = problems_of(data)
    assert [(p.row, p.column) for p in problems] == [(2, "单位"), (3, "指标")]
    assert "南湖区" in problems[0].message and "GDP" in problems[1].message


def test_duplicates_are_named(world):
    data = xlsx_bytes([["unit", "indicator", "value"], ["east", "fai", 1], ["东城区", "fai", 2]])
    [problem] = problems_of(data, filename="b.xlsx")
    assert (problem.sheet, problem.row, problem.column) == ("Sheet", 3, "B (indicator)")
    assert "twice" in problem.message and "row 2" in problem.message


def test_a_period_column_must_match_the_chosen_period(world):
    [problem] = problems_of(csv_bytes(["unit,indicator,value,period", "east,fai,1,2026-06"]))
    assert (problem.row, problem.column) == (2, "period") and "2026-06" in problem.message


def test_a_negative_amount_and_text_in_a_number_are_refused(world):
    [negative] = problems_of(csv_bytes(["unit,indicator,value", "east,ivag,-1", "east,fai,-1"]))
    assert (negative.row, negative.column) == (3, "value") and "negative" in negative.message
    [text] = problems_of(csv_bytes(["unit,indicator,value", "west,fai,many"]))
    assert (text.row, text.column) == (2, "value") and "many" in text.message


def test_a_missing_column_is_named(world):
    [problem] = problems_of(csv_bytes(["单位,本期累计", "东城区,1"]))
    assert problem.row == 1 and "indicator" in problem.message


def test_other_file_types_and_a_renamed_csv_are_refused(world):
    assert "not a CSV or XLSX" in problems_of(b"abc", filename="a.pdf")[0].message
    assert "CSV" in problems_of(csv_bytes(["unit,indicator,value"]), filename="a.xlsx")[0].message


# --- preview ---------------------------------------------------------------------------------


def rows_june(values: dict[tuple[str, str], str]) -> list[FigureRow]:
    return [
        FigureRow(unit, indicator, 2026, 6, Decimal(value))
        for (unit, indicator), value in values.items()
    ]


def test_preview_marks_new_changed_unchanged_and_refused(world):
    stored = Observation.objects.get(unit__code="east", indicator__code="pm25", year=2026, month=6)
    rows = [
        FigureRow("east", "pm25", 2026, 6, stored.value, stored.last_year_value, None, ""),
        FigureRow("east", "fai", 2026, 6, Decimal("99")),
        FigureRow("north", "fai", 2026, 6, Decimal("46")),  # North has not reported June
        FigureRow("east", "fai", 2026, 12, Decimal("5")),  # the future
    ]
    count = Observation.objects.count()
    changes = preview_changes(rows, access=Access.for_user(world.user("office")))
    assert Observation.objects.count() == count
    assert [c.status for c in changes] == [UNCHANGED, CHANGED, NEW, REFUSED]
    assert changes[1].old_value == Decimal("79.20") and changes[1].new_text == "99"
    assert changes[1].fields == ("value", "last_year_value")
    assert "future" in changes[3].reason
    assert changes[1].warnings and "robust z" in changes[1].warnings[0]  # a jump to explain


def test_preview_refuses_what_the_checks_block(world):
    rows = rows_june({("north", "fai"): "5"})  # below May's 38.5: a cumulative figure fell
    [change] = preview_changes(rows, access=Access.for_user(world.user("office")))
    assert change.status == REFUSED and "cannot fall" in change.reason


def test_preview_refuses_the_units_the_uploader_may_not_write(world):
    rows = rows_june({("east", "fai"): "80", ("west", "fai"): "60"})
    changes = preview_changes(rows, access=Access.for_user(world.user("east_reporter")))
    assert [c.status for c in changes] == [CHANGED, REFUSED]
    assert "West" in changes[1].reason or "西城区" in changes[1].reason


def test_preview_refuses_unknown_codes_and_negative_amounts(world):
    rows = [FigureRow("nowhere", "fai", 2026, 6, Decimal(1)), *rows_june({("east", "fai"): "-1"})]
    changes = preview_changes(rows, access=Access.for_user(world.user("office")))
    assert [c.status for c in changes] == [REFUSED, REFUSED]
    assert "nowhere" in changes[0].reason and "negative" in changes[1].reason


def test_preview_of_nothing_is_nothing(world):
    assert preview_changes([], access=Access.for_user(world.user("office"))) == []


def test_new_rows_are_new(world):
    changes = preview_changes(
        rows_june({("north", "projects"): "8.4"}), access=Access.for_user(world.user("office"))
    )
    assert changes[0].status == NEW and changes[0].old_text == "—"
