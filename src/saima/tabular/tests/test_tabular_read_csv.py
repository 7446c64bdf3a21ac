"""read_table on CSV files: encodings, delimiters, headers, rows and cell types."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from saima.tabular import Column, InputError, Problem, read_table

UNIT = Column("unit", aliases=("单位", "单位名称"))
TARGET = Column("target", "number", aliases=("目标",))
COLUMNS = [UNIT, TARGET]

MakeCsv = Callable[..., Path]


def problems(path: Path, columns: list[Column] = COLUMNS, **kwargs: object) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_table(path, columns, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def only(path: Path, columns: list[Column] = COLUMNS, **kwargs: object) -> Problem:
    found = problems(path, columns, **kwargs)
    assert len(found) == 1, found
    return found[0]


# --- files and formats -------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert only(tmp_path / "nope.csv") == Problem("nope.csv", "does not exist")


def test_label_replaces_file_name(tmp_path: Path) -> None:
    assert only(tmp_path / "nope.csv", label="targets file").file == "targets file"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    assert only(tmp_path / "d.csv") == Problem("d.csv", "is a folder, not a file")


def test_old_xls(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert "old .xls format" in only(tmp_path / "old.xls").message
    assert "save it as" in only(tmp_path / "old.xls").message


@pytest.mark.parametrize("name", ["data.json", "data.XLSB", "data"])
def test_other_suffix(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("x")
    assert "not a CSV or XLSX file" in only(tmp_path / name).message


def test_txt_is_read_as_csv(csv_file: MakeCsv) -> None:
    table = read_table(csv_file("unit,target\n东城区,1\n", name="t.txt"), COLUMNS)
    assert table.frame["unit"].to_list() == ["东城区"]


@pytest.mark.parametrize("content", ["", "\n\n", " , \n,,\n"])
def test_empty_file(csv_file: MakeCsv, content: str) -> None:
    assert only(csv_file(content)) == Problem("targets.csv", "is empty: there is no header row")


# --- encodings ---------------------------------------------------------------------------------

CHINESE = "单位,目标\n东城区,固定资产投资\n"
UNIT_TEXT = [Column("unit", aliases=("单位",)), Column("target", aliases=("目标",))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_encodings_are_detected(csv_file: MakeCsv, encoding: str) -> None:
    table = read_table(csv_file(CHINESE, encoding=encoding), UNIT_TEXT)
    assert table.frame["unit"].to_list() == ["东城区"]
    assert table.frame["target"].to_list() == ["固定资产投资"]
    assert table.headers == {"unit": "单位", "target": "目标"}


def test_gb18030_four_byte_characters(csv_file: MakeCsv) -> None:
    path = csv_file("单位,目标\n𠀀城区,固定资产投资\n", encoding="gb18030")
    assert read_table(path, UNIT_TEXT).frame["unit"].to_list() == ["𠀀城区"]


def test_gbk_with_rare_name_characters(csv_file: MakeCsv) -> None:
    path = csv_file("单位,目标\n张喆工作室,王堃\n东城区,李昇\n", encoding="gbk")
    assert read_table(path, UNIT_TEXT).frame["target"].to_list() == ["王堃", "李昇"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_is_refused(csv_file: MakeCsv, encoding: str) -> None:
    problem = only(csv_file("unit,target\na,1\n", encoding=encoding))
    assert problem.file == "targets.csv" and problem.row is None
    assert "UTF-16" in problem.message and "not supported" in problem.message


def test_latin1_is_refused(csv_file: MakeCsv) -> None:
    problem = only(csv_file("unit,target\nCafé,Zürich\n", encoding="latin-1"))
    assert problem.message.startswith("looks like windows-")
    assert problem.message.endswith("save the file as UTF-8 or GBK")


def test_shift_jis_is_refused(csv_file: MakeCsv) -> None:
    text = "単位,目標\nテスト,ひらがな\nカタカナ,データ\n"
    problem = only(csv_file(text, encoding="shift_jis"))
    assert problem.message == (
        "looks like Shift_JIS text, which is not supported; save the file as UTF-8 or GBK"
    )


def test_undecodable_bytes(csv_file: MakeCsv) -> None:
    problem = only(csv_file(b"unit,target\n\xff\xfe\xfd\x80,1\n" * 3))
    assert "save the file as UTF-8 or GBK" in problem.message


# --- delimiters and quoting --------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(csv_file: MakeCsv, delimiter: str) -> None:
    path = csv_file(f"unit{delimiter}target\n东城区{delimiter}1,234.5\n".replace(",234", "234"))
    assert read_table(path, COLUMNS).frame["target"].to_list() == [1234.5]


def test_semicolon_file_with_decimal_commas_in_quotes(csv_file: MakeCsv) -> None:
    path = csv_file('unit;target\n"a;b";"1,234"\n')
    frame = read_table(path, COLUMNS).frame
    assert frame["unit"].to_list() == ["a;b"]
    assert frame["target"].to_list() == [1234.0]


def test_quoted_fields_with_commas_and_newlines(csv_file: MakeCsv) -> None:
    path = csv_file('unit,target\n"东城区,北片\n二组","1,234"\nb,abc\n')
    found = problems(path)
    assert found == [Problem("targets.csv", "'abc' is not a number", None, 3, "target")]


# --- header row --------------------------------------------------------------------------------


def test_header_matching_is_forgiving(csv_file: MakeCsv) -> None:
    columns = [Column("last_year_value", "number"), Column("unit_name"), Column("code")]
    path = csv_file(" Last year value ,UNIT-NAME,ＣＯＤＥ\n1,a,b\n")
    table = read_table(path, columns)
    assert table.headers == {
        "last_year_value": "Last year value",
        "unit_name": "UNIT-NAME",
        "code": "ＣＯＤＥ",
    }
    assert table.frame.columns == ["last_year_value", "unit_name", "code", "_row"]


def test_aliases_and_extra_columns(csv_file: MakeCsv) -> None:
    table = read_table(csv_file("备注,单位名称,目标\nx,东城区,5\n"), COLUMNS)
    assert table.frame.columns == ["unit", "target", "_row"]
    assert table.headers == {"unit": "单位名称", "target": "目标"}


def test_header_appearing_twice(csv_file: MakeCsv) -> None:
    found = problems(csv_file("unit,目标,单位\na,1,b\n"))
    assert found == [
        Problem(
            "targets.csv",
            "is read as 'unit', but column unit already is; keep only one of them",
            None,
            1,
            "单位",
        )
    ]


def test_header_matched_by_two_columns(csv_file: MakeCsv) -> None:
    columns = [Column("unit", aliases=("name",)), Column("name", required=False)]
    found = problems(csv_file("name\na\n"), columns)
    assert found[0] == Problem(
        "targets.csv",
        "header 'name' could mean 'unit' or 'name'; rename the column",
        None,
        1,
        "name",
    )


def test_missing_required_columns_listed_once(csv_file: MakeCsv) -> None:
    columns = [*COLUMNS, Column("owner"), Column("note", required=False)]
    found = problems(csv_file("名称,备注\na,b\n"), columns)
    assert found == [
        Problem(
            "targets.csv",
            "missing required columns: unit (or 单位, 单位名称), target (or 目标), owner; "
            "the header row has: 名称, 备注",
            row=1,
        )
    ]


def test_optional_column_absent(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("note", required=False), Column("x", "number", required=False)]
    frame = read_table(csv_file("unit\na\n"), columns).frame
    assert frame.columns == ["unit", "_row"]


def test_header_is_first_non_blank_row_and_title_rows_are_skipped(csv_file: MakeCsv) -> None:
    path = csv_file("\n,,\n2024年重点工作目标,,\nunit,target\n\na,1\n,\nb,2\n")
    frame = read_table(path, COLUMNS).frame
    assert frame["unit"].to_list() == ["a", "b"]
    assert frame["_row"].to_list() == [6, 8]


def test_row_numbers_count_records_not_lines(csv_file: MakeCsv) -> None:
    path = csv_file('unit,target\n"multi\nline",1\nb,x\n')
    assert only(path) == Problem("targets.csv", "'x' is not a number", None, 3, "target")


def test_empty_table_keeps_schema(csv_file: MakeCsv) -> None:
    columns = [
        *COLUMNS,
        Column("n", "int"),
        Column("ok", "bool"),
        Column("p", "number", na_tokens=True),
    ]
    frame = read_table(csv_file("unit,target,n,ok,p\n"), columns).frame
    assert frame.schema == pl.Schema(
        {
            "unit": pl.String,
            "target": pl.Float64,
            "n": pl.Int64,
            "ok": pl.Boolean,
            "p": pl.Float64,
            "p_not_applicable": pl.Boolean,
            "_row": pl.Int64,
        }
    )
    assert frame.height == 0


# --- cells -------------------------------------------------------------------------------------


def test_text_cells_are_trimmed_and_blank_required_is_a_problem(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("note", allow_blank=True)]
    path = csv_file("unit,note\n\u3000东城区 ,  \n ,x\n")
    found = problems(path, columns)
    assert found == [Problem("targets.csv", "is blank", None, 3, "unit")]
    frame = read_table(csv_file("unit,note\n\u3000东城区 ,  \n"), columns).frame
    assert frame.row(0) == ("东城区", None, 2)


def test_all_cell_problems_are_collected(csv_file: MakeCsv) -> None:
    path = csv_file("单位,目标\n,abc\nb,1\n,—\nc,(2)\n")
    assert problems(path) == [
        Problem("targets.csv", "is blank", None, 2, "单位"),
        Problem("targets.csv", "'abc' is not a number", None, 2, "目标"),
        Problem("targets.csv", "is blank", None, 4, "单位"),
        Problem("targets.csv", "'—' means no figure, but this column needs one", None, 4, "目标"),
    ]


def test_number_cells(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("target", "number", allow_blank=True)]
    path = csv_file('unit,target\na,"1,234.5"\nb,8.5%\nc,-\nd,\ne,（3.2）\nf,１２\n')
    frame = read_table(path, columns).frame
    assert frame["target"].to_list() == [1234.5, 8.5, None, None, -3.2, 12.0]


def test_number_blank_not_allowed(csv_file: MakeCsv) -> None:
    assert only(csv_file("unit,target\na, \n")) == Problem(
        "targets.csv", "is blank", None, 2, "target"
    )


def test_na_tokens(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("target", "number", na_tokens=True)]
    path = csv_file("unit,target\na,n/a\nb,N/A\nc,na\nd,不适用\ne,不考核\nf,3\ng,Ｎ／Ａ\n")
    frame = read_table(path, columns).frame
    assert frame["target"].to_list() == [None] * 5 + [3.0, None]
    assert frame["target_not_applicable"].to_list() == [True] * 5 + [False, True]


def test_na_tokens_not_accepted_without_flag(csv_file: MakeCsv) -> None:
    assert only(csv_file("unit,target\na,不适用\n")).message == "'不适用' is not a number"


def test_int_cells(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("n", "int", allow_blank=True)]
    frame = read_table(csv_file('unit,n\na,"1,000"\nb,\nc,3.0\n'), columns).frame
    assert frame["n"].to_list() == [1000, None, 3]
    assert only(csv_file("unit,n\na,3.5\n"), columns) == Problem(
        "targets.csv", "'3.5' is not a whole number", None, 2, "n"
    )


def test_bool_cells(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("key", "bool")]
    frame = read_table(csv_file("unit,key\na,是\nb,否\nc,\nd,√\ne,YES\n"), columns).frame
    assert frame["key"].to_list() == [True, False, False, True, True]
    problem = only(csv_file("unit,key\na,maybe\n"), columns)
    assert (problem.row, problem.column) == (2, "key")
    assert problem.message.startswith("'maybe' is not yes/no")


def test_apostrophe_escape_is_undone(csv_file: MakeCsv) -> None:
    columns = [UNIT, Column("target", "number")]
    frame = read_table(csv_file("unit,target\n'=SUM(A1),'-3\n'abc,1\n"), columns).frame
    assert frame["unit"].to_list() == ["=SUM(A1)", "'abc"]
    assert frame["target"].to_list() == [-3.0, 1.0]


def test_problem_cap(csv_file: MakeCsv) -> None:
    path = csv_file("unit,target\n" + "a,x\n" * 1500)
    found = problems(path)
    assert len(found) == 1001
    assert found[-1] == Problem(
        "targets.csv", "too many problems; stopped checking after the first 1000"
    )
    assert "... and 981 more problems" in str(InputError(found))


def test_broken_csv_names_the_record(csv_file: MakeCsv) -> None:
    path = csv_file('unit,target\na,1\nb,"' + "x" * 200_000 + '"\n')
    problem = only(path)
    assert (problem.file, problem.row) == ("targets.csv", 3)
    assert problem.message.startswith("cannot be read as CSV (field larger than field limit")
