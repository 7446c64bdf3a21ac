"""The unit's XLSX template: how it is built, and every way a filled one is refused."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from saima.engine import Period
from saima.metrics.models import Observation
from saima.reporting.files import (
    COLUMNS,
    DATA_SHEET,
    FIRST_ROW,
    MAX_UPLOAD_BYTES,
    META_SHEET,
    build_template,
    parse_template,
)
from saima.reporting.tests.test_files_support import PERIOD, fill, row_of, template_for
from saima.tabular import InputError

NAME = "east.xlsx"


def parse(world, data: bytes, unit: str = "east", period: Period = PERIOD):
    return parse_template(data, filename=NAME, unit=world.units[unit], period=period)


def problems_of(world, data: bytes, **kwargs):
    count = Observation.objects.count()
    with pytest.raises(InputError) as caught:
        parse(world, data, **kwargs)
    assert Observation.objects.count() == count  # nothing written
    return caught.value.problems


def only_problem(world, data: bytes, **kwargs):
    problems = problems_of(world, data, **kwargs)
    assert len(problems) == 1, problems
    assert problems[0].file == NAME
    return problems[0]


def book_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- building --------------------------------------------------------------------------------


def test_the_template_is_protected_with_only_the_value_cells_unlocked(world):
    book = book_of(template_for(world))
    sheet = book[DATA_SHEET]
    assert sheet.protection.sheet is True
    fai, ivag = row_of(book, "fai"), row_of(book, "ivag")
    assert sheet[f"F{fai}"].protection.locked is False
    assert sheet[f"H{fai}"].protection.locked is False
    assert sheet[f"G{fai}"].protection.locked is False  # an amount's growth
    assert sheet[f"G{ivag}"].protection.locked is True  # a growth indicator's value is its growth
    for column in "ABCDE":
        assert sheet[f"{column}{fai}"].protection.locked is True
    assert sheet["A2"].protection.locked is True


def test_the_value_cells_carry_decimal_validation_with_chinese_messages(world):
    book = book_of(template_for(world))
    sheet = book[DATA_SHEET]
    rules = sheet.data_validations.dataValidation
    assert rules and all(rule.type == "decimal" for rule in rules)
    for code in world.indicators:
        cell = f"F{row_of(book, code)}"
        covering = [rule for rule in rules if cell in rule.sqref]
        assert len(covering) == 1, code
        assert covering[0].showErrorMessage and "数字" in covering[0].error
        assert covering[0].prompt and covering[0].showInputMessage
    amount = next(r for r in rules if f"F{row_of(book, 'fai')}" in r.sqref)
    assert amount.formula1 == "0"  # a cumulative amount cannot be negative


def test_the_headers_are_bilingual_and_number_formats_follow_decimals(world):
    book = book_of(template_for(world))
    sheet = book[DATA_SHEET]
    assert [sheet.cell(2, i + 1).value for i in range(len(COLUMNS))] == [c.zh for c in COLUMNS]
    assert [sheet.cell(3, i + 1).value for i in range(len(COLUMNS))] == [c.en for c in COLUMNS]
    assert (
        sheet["F2"].value == "本期累计" and sheet["F2"].comment.text == "This period (cumulative)"
    )
    assert sheet[f"F{row_of(book, 'fai')}"].number_format == "0.00"
    assert sheet[f"F{row_of(book, 'projects')}"].number_format == "0"
    assert sheet[f"D{row_of(book, 'fai')}"].value == 1.5
    assert sheet[f"E{row_of(book, 'fai')}"].value == 2.25
    assert "东城区" in sheet["A1"].value and "2026-07" in sheet["A1"].value


def test_the_metadata_sheet_is_hidden_protected_and_signed(world):
    book = book_of(template_for(world))
    meta = book[META_SHEET]
    assert meta.sheet_state == "hidden" and meta.protection.sheet is True
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)}
    assert values["unit"] == "east" and values["period"] == "2026-07"
    assert values["version"] == "1" and len(values["signature"]) > 20


def test_the_due_date_is_in_the_title_and_formulas_cannot_be_injected(world):
    unit = world.units["east"]
    unit.name_zh = "=HYPERLINK(1)"
    data = build_template(
        unit,
        PERIOD,
        indicators=list(world.indicators.values()),
        previous={},
        last_year={},
        due=dt.date(2026, 8, 8),
    )
    title = book_of(data)[DATA_SHEET]["A1"]
    assert title.data_type == "s" and "2026-08-08" in title.value


# --- parsing a good template -----------------------------------------------------------------


def test_a_filled_template_gives_exact_decimal_rows(world):
    data = fill(template_for(world), {"fai": 1234.56, "ivag": -1.5, "pm25": 31, "projects": 9})
    rows = {r.indicator_code: r for r in parse(world, data)}
    assert rows["fai"].value == Decimal("1234.56")  # not the float's binary expansion
    assert rows["ivag"].value == Decimal("-1.5")  # growth may be negative
    assert rows["pm25"].value == Decimal(31)
    assert rows["fai"].last_year_value == Decimal("2.25")
    assert {r.unit_code for r in rows.values()} == {"east"}
    assert {(r.year, r.month) for r in rows.values()} == {(2026, 7)}


def test_blank_rows_are_not_reported_and_percent_cells_are_read_in_percent(world):
    def percent(book):
        cell = book[DATA_SHEET][f"G{row_of(book, 'fai')}"]
        cell.value = 0.085
        cell.number_format = "0.0%"

    rows = parse(world, fill(template_for(world), {"fai": 12.5}, edit=percent))
    assert [(r.indicator_code, r.value, r.growth) for r in rows] == [
        ("fai", Decimal("12.5"), Decimal("8.500"))
    ]


def test_numeric_text_is_read_and_a_note_alone_is_a_row(world):
    def note(book):
        book[DATA_SHEET][f"H{row_of(book, 'pm25')}"] = "监测站检修"

    rows = parse(world, fill(template_for(world), {"fai": "1,234.5"}, edit=note))
    found = {r.indicator_code: r for r in rows}
    assert found["fai"].value == Decimal("1234.5")
    assert found["pm25"].value is None and found["pm25"].note == "监测站检修"


# --- refusals ---------------------------------------------------------------------------------


def test_a_csv_renamed_to_xlsx_is_refused(world):
    problem = only_problem(world, "单位,指标\n东城区,固定资产投资\n".encode("gbk"))
    assert "CSV" in problem.message and problem.sheet is None


def test_random_bytes_are_not_a_workbook(world):
    assert (
        "not an Excel workbook" in only_problem(world, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).message
    )


def test_a_truncated_file_is_refused(world):
    data = template_for(world)
    assert "damaged or incomplete" in only_problem(world, data[: len(data) // 2]).message


def test_a_corrupt_member_is_refused(world):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_for(world))) as source, zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 3]
            z.writestr(info, body)
    assert "cannot be read" in only_problem(world, out.getvalue()).message


def test_a_password_protected_workbook_is_refused(world):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "password" in only_problem(world, ole).message


def test_an_empty_file_is_refused(world):
    assert "empty" in only_problem(world, b"").message


def test_a_file_over_50_mb_is_refused_before_it_is_read(world, tmp_path):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    started = time.monotonic()
    problem = only_problem(world, big.read_bytes())
    assert time.monotonic() - started < 2
    assert "50 MB" in problem.message


def test_a_zip_bomb_is_refused_without_inflating_it(world, monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):  # 200 MB of zeros, about 200 KB compressed
                member.write(chunk)
    data = out.getvalue()
    assert len(data) < 1024 * 1024

    def no_inflating(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    problem = only_problem(world, data)
    assert "zip bomb" in problem.message or "MB" in problem.message


def test_too_many_entries_are_refused(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(1001):
            archive.writestr(f"xl/x{index}.xml", "")
    assert "too many parts" in only_problem(world, out.getvalue()).message


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in only_problem(world, out.getvalue()).message


def test_a_template_of_another_unit_is_refused(world):
    problem = only_problem(world, fill(template_for(world, "west"), {"fai": 1}))
    assert "west" in problem.message and "east" in problem.message


def test_a_template_of_another_period_is_refused(world):
    problem = only_problem(world, fill(template_for(world, period=Period(2026, 6)), {"fai": 1}))
    assert "2026-06" in problem.message and "2026-07" in problem.message


def test_a_tampered_unit_in_the_metadata_is_refused(world):
    def tamper(book):
        meta = book[META_SHEET]
        meta["B2"] = "east"  # West's template relabelled as East's

    problem = only_problem(world, fill(template_for(world, "west"), {"fai": 1}, edit=tamper))
    assert "signature" in problem.message and problem.sheet == META_SHEET


def test_a_missing_signature_is_refused(world):
    def strip(book):
        book[META_SHEET]["B5"] = None

    assert "signature" in only_problem(world, fill(template_for(world), {}, edit=strip)).message


def test_a_workbook_without_the_metadata_sheet_is_refused(world):
    book = openpyxl.Workbook()
    book.active.append(["指标代码", "本期累计"])
    assert "not a Saima template" in only_problem(world, save(book)).message


def test_a_renamed_column_is_named_with_its_place(world):
    def rename(book):
        book[DATA_SHEET]["F2"] = "本月数"

    problem = only_problem(world, fill(template_for(world), {"fai": 1}, edit=rename))
    assert (problem.sheet, problem.row, problem.column) == (DATA_SHEET, 2, "F (本期累计)")
    assert "本月数" in problem.message


def test_a_deleted_column_is_named(world):
    def delete(book):
        book[DATA_SHEET].delete_cols(5)

    problems = problems_of(world, fill(template_for(world), {"fai": 1}, edit=delete))
    assert problems[0].row == 2 and problems[0].column == "E (去年同期)"
    assert "去年同期" in problems[0].message


def test_merged_cells_in_the_data_area_are_refused(world):
    def merge(book):
        row = row_of(book, "fai")
        book[DATA_SHEET].merge_cells(f"F{row}:G{row}")

    data = fill(template_for(world), {"fai": 1}, edit=merge)
    problem = only_problem(world, data)
    assert (problem.row, problem.column) == (FIRST_ROW, "F")
    assert "merged" in problem.message


def test_a_formula_instead_of_a_value_is_refused(world):
    data = fill(template_for(world), {"fai": "=D4*1.1"})
    problem = only_problem(world, data)
    assert (problem.sheet, problem.row, problem.column) == (DATA_SHEET, FIRST_ROW, "F (本期累计)")
    assert problem.message == "“=D4*1.1” is a formula; type the figure"


def test_text_in_a_number_cell_is_refused(world):
    problem = only_problem(world, fill(template_for(world), {"projects": "十二"}))
    assert (problem.row, problem.column) == (FIRST_ROW + 3, "F (本期累计)")
    assert "十二" in problem.message and "not a number" in problem.message


def test_a_date_in_a_number_cell_is_refused(world):
    problem = only_problem(world, fill(template_for(world), {"fai": dt.datetime(2026, 7, 31)}))
    assert problem.column == "F (本期累计)" and "date" in problem.message


def test_a_negative_cumulative_amount_is_refused(world):
    problem = only_problem(world, fill(template_for(world), {"fai": -3}))
    assert (problem.row, problem.column) == (FIRST_ROW, "F (本期累计)")
    assert "negative" in problem.message


def test_a_duplicate_indicator_row_is_refused(world):
    def duplicate(book):
        sheet = book[DATA_SHEET]
        sheet.protection.sheet = False
        sheet[f"A{row_of(book, 'pm25')}"] = "fai"

    problem = only_problem(world, fill(template_for(world), {"fai": 1, "pm25": 2}, edit=duplicate))
    assert (problem.row, problem.column) == (FIRST_ROW + 2, "A (指标代码)")
    assert "twice" in problem.message and f"row {FIRST_ROW}" in problem.message


def test_an_unknown_indicator_is_refused(world):
    def rename(book):
        book[DATA_SHEET][f"A{row_of(book, 'pm25')}"] = "gdp"

    problem = only_problem(world, fill(template_for(world), {"pm25": 2}, edit=rename))
    assert (problem.row, problem.column) == (FIRST_ROW + 2, "A (指标代码)")
    assert "gdp" in problem.message


def test_rows_added_below_the_table_are_refused(world):
    below = FIRST_ROW + len(COLUMNS)  # well past the four indicators

    def add(book):
        book[DATA_SHEET][f"A{below}"] = "gdp"
        book[DATA_SHEET][f"F{below}"] = 5

    problem = only_problem(world, fill(template_for(world), {"fai": 1}, edit=add))
    assert (problem.sheet, problem.row, problem.column) == (DATA_SHEET, below, None)
    assert "below the table" in problem.message


def test_every_problem_is_reported_at_once(world):
    data = fill(template_for(world), {"fai": "=1+1", "projects": "abc", "pm25": True})
    problems = problems_of(world, data)
    assert [(p.row, p.column) for p in problems] == [
        (FIRST_ROW, "F (本期累计)"),
        (FIRST_ROW + 2, "F (本期累计)"),
        (FIRST_ROW + 3, "F (本期累计)"),
    ]


def test_an_added_column_is_refused(world):
    def add(book):
        book[DATA_SHEET][f"{get_column_letter(len(COLUMNS) + 1)}2"] = "备注2"

    problem = only_problem(world, fill(template_for(world), {"fai": 1}, edit=add))
    assert problem.column == "I" and "备注2" in problem.message
