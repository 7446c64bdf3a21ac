"""write_table: Excel-friendly CSV and XLSX, formula-injection safe, atomic; and round trips."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saima.tabular import Column, InputError, Problem, read_table, write_table
from saima.testing import examples

FRAME = pl.DataFrame(
    {
        "单位": ["东城区", '=HYPERLINK("x")', "-3", "@a", "+1", "plain"],
        "value": [8.5, -2.0, None, 0.1 + 0.2, 1e20, 3.0],
        "n": [1, 2, 3, -4, None, 6],
        "ok": [True, False, None, True, True, False],
    }
)


def test_csv_bytes(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_table(FRAME, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines == [
        "单位,value,n,ok",
        "东城区,8.5,1,TRUE",
        '"\'=HYPERLINK(""x"")",-2,2,FALSE',
        "'-3,,3,",
        "'@a,0.30000000000000004,-4,TRUE",
        "'+1,1e+20,,TRUE",
        "plain,3,6,FALSE",
        "",
    ]


def test_csv_quotes_commas_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_table(pl.DataFrame({"a": ["x,y", "line\nbreak", '"q"']}), path)
    frame = read_table(path, [Column("a")]).frame
    assert frame["a"].to_list() == ["x,y", "line\nbreak", '"q"']


def test_xlsx_cells(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(FRAME, path, sheet_name="结果")
    book = openpyxl.load_workbook(path)
    sheet = book["结果"]
    assert [c.value for c in sheet[1]] == ["单位", "value", "n", "ok"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet["A3"].value == '=HYPERLINK("x")'
    assert sheet["A3"].data_type == "s"
    assert sheet["A3"].quotePrefix
    assert sheet["A4"].value == "-3" and sheet["A4"].data_type == "s"
    assert sheet["B3"].value == -2 and sheet["B3"].data_type == "n"
    assert sheet["B4"].value is None
    assert sheet["C2"].value == 1 and isinstance(sheet["C2"].value, int)
    assert sheet["D2"].value is True
    assert sheet.column_dimensions["A"].width == 17  # '=HYPERLINK("x")' plus 2
    assert sheet.column_dimensions["B"].width == 21  # "0.30000000000000004" plus 2


def test_xlsx_cjk_width_counts_double(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(pl.DataFrame({"a": ["东城区固定资产投资"], "b": ["abcdefghi"]}), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.column_dimensions["A"].width == 20
    assert sheet.column_dimensions["B"].width == 11


def test_xlsx_other_types(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    frame = pl.DataFrame(
        {"d": [dt.date(2024, 1, 2)], "nan": [float("nan")], "ctl": ["a\x01b"], "none": [None]}
    )
    write_table(frame, path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].value == dt.datetime(2024, 1, 2)
    assert sheet["B2"].value is None
    assert sheet["C2"].value == "ab"
    assert sheet["D2"].value is None


@pytest.mark.parametrize("name", ["out.txt", "out.xls", "out"])
def test_other_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as info:
        write_table(FRAME, tmp_path / name)
    [problem] = info.value.problems
    assert problem.file == name
    assert problem.message.startswith("cannot be written: the name must end in .csv or .xlsx")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        write_table(FRAME, tmp_path / "nope" / "out.csv")
    assert info.value.problems == [
        Problem("out.csv", f"cannot be written: the folder {tmp_path / 'nope'} does not exist")
    ]


@pytest.mark.parametrize("name", ["out.csv", "out.xlsx"])
def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"old")

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    bad = pl.DataFrame({"a": [Boom()]}, schema={"a": pl.Object})
    with pytest.raises(RuntimeError, match="boom"):
        write_table(bad, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == [name]


def test_replaces_existing_file_with_normal_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    write_table(FRAME, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["out.csv"]


def test_permission_error_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    with pytest.raises(InputError) as info:
        write_table(FRAME, tmp_path / "out.xlsx")
    assert info.value.problems == [
        Problem("out.xlsx", "cannot be written: permission denied (is the file open in Excel?)")
    ]
    assert os.listdir(tmp_path) == []


# --- round trips -------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip("\ufeff\u200b") == s)
TRICKY = st.sampled_from(["=1+1", "-3", "+4", "@x", "'=x", "''-1", "'abc", "东城区", "=", "-"])
NUMBER = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**15), 10**15).map(
    float
)
ROUND_TRIP_COLUMNS = [Column("text"), Column("number", "number", allow_blank=True)]


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(TEXT | TRICKY, st.none() | NUMBER), min_size=0, max_size=8),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_write_then_read_round_trips(rows: list[tuple[str, float | None]], suffix: str) -> None:
    frame = pl.DataFrame(
        {"text": [r[0] for r in rows], "number": [r[1] for r in rows]},
        schema={"text": pl.String, "number": pl.Float64},
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"round{suffix}"
        write_table(frame, path)
        back = read_table(path, ROUND_TRIP_COLUMNS).frame
    assert back["text"].to_list() == frame["text"].to_list()
    assert back["number"].to_list() == frame["number"].to_list()
    assert back["_row"].to_list() == list(range(2, len(rows) + 2))
