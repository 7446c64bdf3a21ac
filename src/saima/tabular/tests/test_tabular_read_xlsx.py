"""read_table on XLSX workbooks built with openpyxl: sheets, cell types and broken files."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from saima.tabular import Column, InputError, Problem, read_table

UNIT = Column("unit", aliases=("单位",))
TARGET = Column("target", "number", aliases=("目标",))
COLUMNS = [UNIT, TARGET]

MakeXlsx = Callable[..., Path]


def problems(path: Path, columns: list[Column] = COLUMNS, **kwargs: Any) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_table(path, columns, **kwargs)
    return info.value.problems


def only(path: Path, columns: list[Column] = COLUMNS, **kwargs: Any) -> Problem:
    found = problems(path, columns, **kwargs)
    assert len(found) == 1, found
    return found[0]


def test_reads_first_sheet_with_types(xlsx_file: MakeXlsx) -> None:
    columns = [
        UNIT,
        TARGET,
        Column("n", "int"),
        Column("key", "bool"),
        Column("note", allow_blank=True),
    ]
    path = xlsx_file(
        [
            ["单位", "目标", "n", "key", "note"],
            [101, 12.5, 3.0, True, None],
            ["东城区", 7, 4, "是", 5.5],
        ]
    )
    table = read_table(path, columns)
    assert table.sheet == "Sheet1"
    assert table.letters == {"unit": "A", "target": "B", "n": "C", "key": "D", "note": "E"}
    assert table.frame.rows() == [
        ("101", 12.5, 3, True, None, 2),
        ("东城区", 7.0, 4, True, "5.5", 3),
    ]


def test_percent_cells_are_in_percent(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file(
        [["unit", "target"], ["a", 0.085], ["b", 0.1], ["c", 1], ["d", "8.5%"], ["e", 0.085]],
        formats={"B2": "0.0%", "B3": "0%", "B4": "0.00%", "B6": '0.000"%"'},
    )
    frame = read_table(path, COLUMNS).frame
    assert frame["target"].to_list() == [8.5, 10.0, 100.0, 8.5, 0.085]


def test_date_in_number_cell(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file(
        [["unit", "target"], ["a", dt.date(2024, 3, 1)], ["b", dt.datetime(2024, 3, 1, 9, 30)]]
    )
    assert problems(path) == [
        Problem("targets.xlsx", "'2024-03-01' is a date, not a number", "Sheet1", 2, "B (target)"),
        Problem(
            "targets.xlsx",
            "'2024-03-01 09:30:00' is a date, not a number",
            "Sheet1",
            3,
            "B (target)",
        ),
    ]


def test_bool_in_number_cell(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["unit", "target"], ["a", True]])
    assert only(path) == Problem(
        "targets.xlsx", "TRUE is a yes/no value, not a number", "Sheet1", 2, "B (target)"
    )


def test_formula_without_cached_value(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["unit", "target", "base"], ["a", "=C2*2", 1], ["=D3", 5, 2]])
    assert problems(path) == [
        Problem(
            "targets.xlsx",
            "'=C2*2' is a formula with no computed value; save the file in Excel or paste values",
            "Sheet1",
            2,
            "B (target)",
        ),
        Problem(
            "targets.xlsx",
            "'=D3' is a formula with no computed value; save the file in Excel or paste values",
            "Sheet1",
            3,
            "A (unit)",
        ),
    ]


def _set_cached_values(path: Path) -> None:
    """Rewrite sheet1 as Excel saves it: formulas with cached results, including "" and errors."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>target</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>note</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><f>1+1</f><v>2</v></c>'
        '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>b</t></is></c>'
        '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_cached_formula_values_and_excel_errors(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["x"]])
    _set_cached_values(path)
    columns = [UNIT, TARGET, Column("note", allow_blank=True)]
    assert problems(path, columns) == [
        Problem(
            "targets.xlsx",
            "holds the Excel error #DIV/0!; fix the formula or enter the value",
            "Sheet1",
            3,
            "B (target)",
        )
    ]


def test_text_from_numbers_and_dates(xlsx_file: MakeXlsx) -> None:
    columns = [UNIT, Column("code"), Column("day")]
    path = xlsx_file([["unit", "code", "day"], ["a", 101, dt.date(2024, 1, 2)], ["b", 1.5, "x"]])
    frame = read_table(path, columns).frame
    assert frame["code"].to_list() == ["101", "1.5"]
    assert frame["day"].to_list() == ["2024-01-02", "x"]


def test_number_text_cells_and_full_width_spaces(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["unit", "target"], ["\u3000东城区\u3000", " 1,234.5 "], ["b", "abc"]])
    assert only(path) == Problem("targets.xlsx", "'abc' is not a number", "Sheet1", 3, "B (target)")


def test_merged_title_row_and_blank_rows(xlsx_file: MakeXlsx) -> None:
    def merge(book: Any) -> None:
        book.active.merge_cells("A1:C1")

    path = xlsx_file(
        [
            ["2024年重点工作目标"],
            [],
            ["单位", "目标", None],
            ["a", 1],
            [],
            [None, None],
            ["b", "x"],
        ],
        extra=merge,
    )
    assert only(path) == Problem("targets.xlsx", "'x' is not a number", "Sheet1", 7, "B (目标)")


def test_merged_header_cells(xlsx_file: MakeXlsx) -> None:
    def merge(book: Any) -> None:
        book.active.merge_cells("B1:C1")

    columns = [UNIT, TARGET, Column("extra", required=False)]
    path = xlsx_file([["unit", "target", None, "note"], ["a", 1, 2, "n"]], extra=merge)
    table = read_table(path, columns)
    assert table.frame.rows() == [("a", 1.0, 2)]


def test_unrelated_first_row_is_the_header(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["名称", "数值"], ["a", 1]])
    assert only(path) == Problem(
        "targets.xlsx",
        "missing required columns: unit (or 单位), target (or 目标); "
        "the header row has: 名称, 数值",
        "Sheet1",
        1,
    )


def test_duplicate_header_names_column_letters(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["unit", "target", "目标"], ["a", 1, 2]])
    assert only(path) == Problem(
        "targets.xlsx",
        "is read as 'target', but column B (target) already is; keep only one of them",
        "Sheet1",
        1,
        "C (目标)",
    )


def test_named_sheet(xlsx_file: MakeXlsx) -> None:
    def add(book: Any) -> None:
        book.create_sheet("目标表").append(["unit", "target"])
        book["目标表"].append(["z", 9])

    path = xlsx_file([["nothing"]], extra=add)
    table = read_table(path, COLUMNS, sheet="目标表")
    assert (table.sheet, table.frame.rows()) == ("目标表", [("z", 9.0, 2)])


def test_unknown_sheet(xlsx_file: MakeXlsx) -> None:
    def add(book: Any) -> None:
        book.create_sheet("Other")

    path = xlsx_file([["unit"]], extra=add)
    assert only(path, sheet="Missing") == Problem(
        "targets.xlsx", "has no sheet named 'Missing'; its sheets are: Sheet1, Other"
    )


def test_empty_sheet(xlsx_file: MakeXlsx) -> None:
    assert only(xlsx_file([])) == Problem(
        "targets.xlsx", "is empty: there is no header row", "Sheet1"
    )


def test_problems_collected_across_the_sheet(xlsx_file: MakeXlsx) -> None:
    rows: list[list[Any]] = [["unit", "target"]] + [[None, "x"] for _ in range(3)]
    found = problems(xlsx_file(rows))
    assert [(p.row, p.column, p.message) for p in found] == [
        (2, "A (unit)", "is blank"),
        (2, "B (target)", "'x' is not a number"),
        (3, "A (unit)", "is blank"),
        (3, "B (target)", "'x' is not a number"),
        (4, "A (unit)", "is blank"),
        (4, "B (target)", "'x' is not a number"),
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"unit,target\na,1\n", "is not a valid Excel workbook"),
        (bytes(range(256)) * 4, "is not a valid Excel workbook"),
        (b"", "is not a valid Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected"),
    ],
)
def test_not_a_workbook(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    problem = only(path)
    assert problem.file == "bad.xlsx"
    assert fragment in problem.message


def test_truncated_workbook(xlsx_file: MakeXlsx) -> None:
    path = xlsx_file([["unit", "target"], ["a", 1]])
    path.write_bytes(path.read_bytes()[:300])
    assert "is not a valid Excel workbook" in only(path).message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "z.xlsm"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "is not a valid Excel workbook" in only(path).message
