"""The `saima` command end to end: bundled examples, and every kind of bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from saima.cli import main
from saima.inputs import (
    ACTUAL_COLUMNS,
    ADJUSTMENT_COLUMNS,
    PREVIOUS_COLUMNS,
    SCORE_COLUMNS,
    TARGET_COLUMNS,
    UNIT_COLUMNS,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKED = EXAMPLES / "worked"
CITY = EXAMPLES / "city"


@pytest.fixture
def worked(tmp_path: Path) -> Path:
    folder = tmp_path / "worked"
    shutil.copytree(WORKED, folder)
    return folder


def race_args(folder: Path, out: Path, **override: str) -> list[str]:
    args = {
        "--rules": str(folder / "rules.toml"),
        "--targets": str(folder / "targets.csv"),
        "--actuals": str(folder / "actuals.csv"),
        "--units": str(folder / "units.csv"),
        "--period": "2026-Q1",
        "--out": str(out),
    }
    args.update(override)
    return ["race", *[part for pair in args.items() for part in pair]]


def test_worked_example_end_to_end(worked, tmp_path, capsys):
    out = tmp_path / "race.csv"
    assert main(race_args(worked, out)) == 0
    frame = pl.read_csv(out)
    rows = {r["unit"]: r for r in frame.iter_rows(named=True)}
    assert {u: round(r["total"], 2) for u, r in rows.items()} == {
        "East": 100.0,
        "West": 71.43,
        "North": 60.0,
    }
    assert {u: r["rank"] for u, r in rows.items()} == {"East": 1, "West": 2, "North": 3}
    assert rows["East"]["flag"] == "red" and rows["North"]["flag"] == "yellow"
    for column in (
        "group",
        "unit",
        "rank",
        "total",
        "flag",
        "rank_change",
        "metric_fai",
        "score_fai",
    ):
        assert column in frame.columns
    printed = capsys.readouterr().out
    assert "71.43" in printed and "East" in printed


def test_xlsx_output_and_explanation(worked, tmp_path):
    out, why = tmp_path / "race.xlsx", tmp_path / "why.xlsx"
    assert main([*race_args(worked, out), "--explain", str(why)]) == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    west = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "West")
    assert round(west[header.index("total")], 2) == 71.43
    explained = openpyxl.load_workbook(why).active
    header = [c.value for c in explained[1]]
    rows = {r[header.index("unit")]: r for r in explained.iter_rows(min_row=2, values_only=True)}
    assert rows["West"][header.index("gain_one_place")] == 5.0
    assert rows["North"][header.index("gain_one_place")] == 2.0
    assert rows["East"][header.index("gain_one_place")] is None


def test_city_example_end_to_end(tmp_path, capsys):
    out, why = tmp_path / "city.csv", tmp_path / "why.csv"
    code = main(
        [
            "race",
            "--rules",
            str(CITY / "rules.toml"),
            "--targets",
            str(CITY / "targets.xlsx"),
            "--actuals",
            str(CITY / "actuals.csv"),
            "--units",
            str(CITY / "units.csv"),
            "--adjustments",
            str(CITY / "adjustments.csv"),
            "--scores",
            str(CITY / "scores.csv"),
            "--previous",
            str(CITY / "previous-2026-Q1.csv"),
            "--period",
            "2026-H1",
            "--out",
            str(out),
            "--explain",
            str(why),
        ]
    )
    assert code == 0, capsys.readouterr().err
    frame = pl.read_csv(out)
    units = pl.read_csv(CITY / "units.csv")
    assert frame.height == units.height
    assert set(frame["group"]) == set(units["group"])
    for group in frame.partition_by("group"):
        ranked = group.filter(pl.col("rank").is_not_null())
        assert sorted(ranked["rank"])[0] == 1
        assert (ranked.sort("rank")["total"].diff().drop_nulls() <= 1e-9).all()
    assert frame["rank_change"].is_not_null().any()
    assert pl.read_csv(why, infer_schema_length=None).height > frame.height


def test_progress_end_to_end(worked, tmp_path):
    out = tmp_path / "progress.csv"
    code = main(
        [
            "progress",
            "--targets",
            str(worked / "targets.csv"),
            "--actuals",
            str(worked / "actuals.csv"),
            "--period",
            "2026-Q1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    frame = pl.read_csv(out)
    assert frame.columns[:13] == [
        "unit",
        "indicator",
        "period",
        "value",
        "target",
        "time_progress",
        "completion",
        "gap_pp",
        "light",
        "double_over_half",
        "run_rate_needed",
        "required_growth",
        "projection",
    ]
    west = frame.filter(pl.col("unit") == "West").row(0, named=True)
    assert (west["time_progress"], west["completion"], west["gap_pp"]) == (25.0, 24.0, -1.0)
    assert west["light"] == "yellow"


def test_progress_of_the_city_with_its_rules(tmp_path):
    out = tmp_path / "progress.xlsx"
    code = main(
        [
            "progress",
            "--targets",
            str(CITY / "targets.xlsx"),
            "--actuals",
            str(CITY / "actuals.csv"),
            "--rules",
            str(CITY / "rules.toml"),
            "--period",
            "2026-H1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    header = rows[0]
    assert {r[header.index("light")] for r in rows[1:]} >= {"green", "red"}
    assert any(r[header.index("double_over_half")] is True for r in rows[1:])


def test_console_script_entry_point(worked, tmp_path):
    out = tmp_path / "race.csv"
    completed = subprocess.run(
        [sys.executable, "-m", "saima.cli", *race_args(worked, out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert out.exists()


# --- bad input: exit code 2, a message naming the place, no output file ------------------------


def refused(args: list[str], out: Path, capsys) -> str:
    assert main(args) == 2
    assert not out.exists()
    assert not list(out.parent.glob(f"{out.name}*")), "no partial or temporary output file"
    return capsys.readouterr().err


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_file_that_does_not_exist(worked, tmp_path, capsys):
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out, **{"--actuals": str(tmp_path / "nope.csv")}), out, capsys)
    assert "nope.csv" in err and "does not exist" in err


def test_a_file_that_is_not_csv_or_xlsx(worked, tmp_path, capsys):
    out = tmp_path / "out.csv"
    pdf = write(tmp_path / "actuals.pdf", "%PDF-1.4")
    err = refused(race_args(worked, out, **{"--actuals": str(pdf)}), out, capsys)
    assert "actuals.pdf" in err and "not a CSV or XLSX" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"unit,indicator\nEast,fai\n")
    err = refused(race_args(worked, out, **{"--targets": str(fake)}), out, capsys)
    assert "fake.xlsx" in err


def test_an_output_that_is_not_csv_or_xlsx(worked, tmp_path, capsys):
    out = tmp_path / "out.txt"
    err = refused(race_args(worked, out), out, capsys)
    assert "out.txt" in err and ".csv or .xlsx" in err


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_are_read(worked, tmp_path, encoding):
    write(worked / "units.csv", "单位,组别\nEast,城区\nWest,城区\nNorth,城区\n", encoding)
    out = tmp_path / "out.csv"
    assert main(race_args(worked, out)) == 0
    assert set(pl.read_csv(out)["group"]) == {"城区"}


def test_a_wrong_encoding(worked, tmp_path, capsys):
    write(worked / "units.csv", "unit,group\nEast,Zürich\nWest,Zürich\nNorth,Zürich\n", "latin-1")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "units.csv" in err and ("UTF-8" in err or "GBK" in err)


def test_a_missing_column(worked, tmp_path, capsys):
    write(worked / "targets.csv", "unit,indicator\nEast,fai\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv" in err and "target" in err


def test_text_in_a_number_cell(worked, tmp_path, capsys):
    write(
        worked / "actuals.csv",
        "unit,indicator,period,value\nEast,fai,2026-03,58\n"
        "West,fai,2026-03,twenty\nNorth,fai,2026-03,33\n",
    )
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "actuals.csv, row 3, column value" in err and "'twenty' is not a number" in err


def test_a_duplicate_row(worked, tmp_path, capsys):
    write(
        worked / "actuals.csv",
        "unit,indicator,period,value\nEast,fai,2026-03,58\n"
        "West,fai,2026-03,24\nNorth,fai,2026-03,33\nWest,fai,2026-Q1,25\n",
    )
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "actuals.csv, row 5, column period" in err and "row 3 gives it already" in err


def test_a_unit_missing_from_the_units_file(worked, tmp_path, capsys):
    write(worked / "units.csv", "unit,group\nEast,districts\nWest,districts\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv, row 4, column unit: 'North' is not in the units file" in err
    assert "actuals.csv, row 4, column unit" in err


def test_an_indicator_missing_from_the_rules(worked, tmp_path, capsys):
    with (worked / "actuals.csv").open("a") as handle:
        handle.write("East,gdp,2026-03,10\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "actuals.csv, row 5, column indicator: 'gdp' is not an indicator of the rules" in err


def test_an_indicator_of_the_rules_missing_from_the_targets(worked, tmp_path, capsys):
    rules = (worked / "rules.toml").read_text().replace("weight = 100", "weight = 60")
    rules += '\n[[indicator]]\ncode = "gdp"\nweight = 40\nmethod = "rank"\nstep = 5\n'
    (worked / "rules.toml").write_text(rules)
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv" in err and "'gdp'" in err and "no row for it" in err


def test_a_missing_target_where_the_metric_needs_one(worked, tmp_path, capsys):
    write(worked / "targets.csv", "unit,indicator,target\nEast,fai,200\nWest,fai,100\n")
    write(
        worked / "actuals.csv",
        "unit,indicator,period,value\nEast,fai,2026-03,58\nWest,fai,2026-03,24\n",
    )
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "unit North, indicator fai (item fai): no target" in err


def test_a_blank_target_cell(worked, tmp_path, capsys):
    write(worked / "targets.csv", "unit,indicator,target\nEast,fai,200\nWest,fai,\nNorth,fai,150\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv, row 3, column target" in err


@pytest.mark.parametrize("target", ["0", "-100"])
def test_a_zero_or_negative_target(worked, tmp_path, capsys, target):
    write(
        worked / "targets.csv",
        f"unit,indicator,target\nEast,fai,200\nWest,fai,{target}\nNorth,fai,150\n",
    )
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "unit West, indicator fai" in err and "must be positive" in err


def test_a_period_outside_the_rules_year(worked, tmp_path, capsys):
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out, **{"--period": "2025-Q1"}), out, capsys)
    assert "2025-Q1 is outside the rules' year 2026" in err
    write(
        worked / "actuals.csv",
        "unit,indicator,period,value\nEast,fai,2026-03,58\n"
        "West,fai,2024-03,24\nNorth,fai,2026-03,33\n",
    )
    err = refused(race_args(worked, out), out, capsys)
    assert "actuals.csv, row 3, column period: 2024-03 is outside the year 2026" in err


def test_a_period_that_is_not_a_period(worked, tmp_path, capsys):
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out, **{"--period": "2026-Q5"}), out, capsys)
    assert "'2026-Q5' is not a period" in err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weight = 100", "weight = 100\n[[", "TOML syntax error"),
        ("weight = 100", "weight = 100\nwieght = 3", "indicator[1].wieght: unknown key"),
        ("weight = 100", "weight = 90", "weights must sum to 100; they sum to 90"),
        (
            'profile = "linear"',
            "profile = [10, 20, 15, 40, 50, 60, 70, 80, 90, 95, 98, 100]",
            "indicator[1].profile: decreases at entry 3",
        ),
        (
            'profile = "linear"',
            "profile = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 99]",
            "indicator[1].profile: ends at 99",
        ),
    ],
)
def test_bad_rules(worked, tmp_path, capsys, old, new, expected):
    rules = (worked / "rules.toml").read_text()
    assert old in rules
    (worked / "rules.toml").write_text(rules.replace(old, new, 1))
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "rules.toml" in err and expected in err


def test_bad_xlsx_cell_names_sheet_row_and_column(worked, tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "目标"
    sheet.append(["单位", "指标", "目标"])
    sheet.append(["East", "fai", 200])
    sheet.append(["West", "fai", "一百"])
    sheet.append(["North", "fai", 150])
    book.save(tmp_path / "targets.xlsx")
    out = tmp_path / "out.csv"
    err = refused(
        race_args(worked, out, **{"--targets": str(tmp_path / "targets.xlsx")}), out, capsys
    )
    assert "targets.xlsx, sheet 目标, row 3, column C (目标)" in err


def test_a_failed_run_leaves_an_existing_output_untouched(worked, tmp_path, capsys):
    out = tmp_path / "out.csv"
    out.write_text("earlier result\n")
    write(worked / "targets.csv", "unit,indicator\n")
    assert main(race_args(worked, out)) == 2
    assert out.read_text() == "earlier result\n"


def test_a_totals_row_is_not_a_unit(worked, tmp_path, capsys):
    with (worked / "targets.csv").open("a", encoding="utf-8") as handle:
        handle.write("合计,fai,450\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv, row 5, column unit: '合计' looks like a totals row" in err


def test_remind_refuses_a_bad_date(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "saima.cli", "remind", "--today", "2026-13-40"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SAIMA_DATA_DIR": str(tmp_path)},
    )
    assert completed.returncode == 2
    assert "2026-13-40" in completed.stderr


# --- optional columns are optional in fact ------------------------------------------------------

FULL = {
    "targets": "unit,indicator,target,last_year_total,kind,direction\n"
    "East,fai,200,180,amount,higher\nWest,fai,100,90,amount,higher\n"
    "North,fai,150,140,amount,higher\n",
    "actuals": "unit,indicator,period,value,last_year_value\n"
    "East,fai,2026-03,58,50\nWest,fai,2026-03,24,20\nNorth,fai,2026-03,33,30\n",
    "adjustments": "unit,points,reason,veto,category\nEast,-1,late report,no,reporting\n"
    "North,2,award,no,awards\n",
    "previous": "unit,group,rank,last_places\nEast,districts,2,0\nWest,districts,1,0\n"
    "North,districts,3,1\n",
}
#: Each optional column of each input file, as `saima.inputs` declares them.
OPTIONAL = [
    (stem, column.name)
    for stem, columns in (
        ("targets", TARGET_COLUMNS),
        ("actuals", ACTUAL_COLUMNS),
        ("adjustments", ADJUSTMENT_COLUMNS),
        ("previous", PREVIOUS_COLUMNS),
        ("units", UNIT_COLUMNS),
        ("scores", SCORE_COLUMNS),
    )
    for column in columns
    if not column.required
]


def _full_files(folder: Path, without: tuple[str, str] | None = None) -> dict[str, str]:
    """The worked example with every optional column (or all but one), and its options."""
    options = {}
    for stem, text in FULL.items():
        lines = text.splitlines()
        if without is not None and without[0] == stem:
            drop = lines[0].split(",").index(without[1])
            lines = [
                ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines
            ]
        write(folder / f"{stem}.csv", "\n".join(lines) + "\n")
        options[f"--{stem}"] = str(folder / f"{stem}.csv")
    return options


def test_the_optional_columns_are_those_the_tests_leave_out():
    assert sorted(OPTIONAL) == sorted(
        [
            ("targets", "last_year_total"),
            ("targets", "kind"),
            ("targets", "direction"),
            ("actuals", "last_year_value"),
            ("adjustments", "veto"),
            ("adjustments", "category"),
            ("previous", "group"),
            ("previous", "last_places"),
        ]
    )


@pytest.mark.parametrize(("stem", "column"), OPTIONAL)
def test_a_race_without_an_optional_column(worked, tmp_path, capsys, stem, column):
    full_out, out = tmp_path / "full.csv", tmp_path / "out.csv"
    assert main(race_args(worked, full_out, **_full_files(worked))) == 0, capsys.readouterr().err
    code = main(race_args(worked, out, **_full_files(worked, without=(stem, column))))
    assert code == 0, capsys.readouterr().err
    # None of these columns changes the worked example's race: the same standings either way.
    expected = pl.read_csv(full_out).select("unit", "total", "rank", "rank_change", "last_places")
    assert pl.read_csv(out).select(expected.columns).equals(expected)
    assert dict(expected.select("unit", pl.col("total").round(2)).iter_rows()) == {
        "East": 99.0,
        "West": 71.43,
        "North": 62.0,
    }


@pytest.mark.parametrize(
    ("stem", "column"), [o for o in OPTIONAL if o[0] in ("targets", "actuals")]
)
def test_progress_without_an_optional_column(worked, tmp_path, capsys, stem, column):
    files = _full_files(worked, without=(stem, column))
    out = tmp_path / "progress.csv"
    args = ["--targets", files["--targets"], "--actuals", files["--actuals"]]
    assert main(["progress", *args, "--period", "2026-Q1", "--out", str(out)]) == 0
    west = pl.read_csv(out).filter(pl.col("unit") == "West").row(0, named=True)
    assert (west["completion"], west["gap_pp"], west["light"]) == (24.0, -1.0, "yellow")


# --- targets only where an item uses one -------------------------------------------------------

PUBLISHED = """name = "Published statistics, 2026 Q1"
year = 2026

[[indicator]]
code = "iva"
kind = "growth"
metric = "growth"
weight = 60
method = "rank"
step = 10

[[indicator]]
code = "pm25"
kind = "level"
direction = "lower"
weight = 40
method = "efficacy"
"""
PUBLISHED_FIGURES = (
    "unit,indicator,period,value\nEast,iva,2026-03,6.5\nWest,iva,2026-03,5.1\n"
    "North,iva,2026-03,7.2\nEast,pm25,2026-03,38\nWest,pm25,2026-03,31\nNorth,pm25,2026-03,45\n"
)


def test_a_race_on_published_statistics_needs_no_targets(worked, tmp_path, capsys):
    """Growth by rank and a level by efficacy against the group: an empty targets file."""
    write(worked / "rules.toml", PUBLISHED)
    write(worked / "targets.csv", "unit,indicator,target\n")
    write(worked / "actuals.csv", PUBLISHED_FIGURES)
    out = tmp_path / "out.csv"
    assert main(race_args(worked, out)) == 0, capsys.readouterr().err
    frame = pl.read_csv(out)
    # iva: 7.2, 6.5, 5.1 rank 60, 50, 40; pm25 (lower is better): 31 → 40, 38 → 32, 45 → 24.
    assert dict(frame.select("unit", pl.col("total").round(2)).iter_rows()) == {
        "North": 84.0,
        "East": 82.0,
        "West": 80.0,
    }
    assert dict(frame.select("unit", "rank").iter_rows()) == {"North": 1, "East": 2, "West": 3}
    # Without a units file the units are those of the figures.
    out = tmp_path / "alone.csv"
    assert (
        main([*race_args(worked, out)[:-4], "--out", str(out)][:0] or _without_units(worked, out))
        == 0
    )
    assert pl.read_csv(out).height == 3


def _without_units(folder: Path, out: Path) -> list[str]:
    args = race_args(folder, out)
    at = args.index("--units")
    return args[:at] + args[at + 2 :]


def test_only_the_items_that_use_a_target_need_one(worked, tmp_path, capsys):
    rules = PUBLISHED.replace("weight = 60", "weight = 30").replace("weight = 40", "weight = 20")
    rules += '\n[[indicator]]\ncode = "fai"\nmetric = "gap"\nweight = 50\nmethod = "efficacy"\n'
    write(worked / "rules.toml", rules)
    write(
        worked / "actuals.csv",
        PUBLISHED_FIGURES
        + "".join(f"{u},fai,2026-03,{v}\n" for u, v in (("East", 58), ("West", 24), ("North", 33))),
    )
    out = tmp_path / "out.csv"
    assert main(race_args(worked, out)) == 0, capsys.readouterr().err
    # fai: efficacy on the gap as in the worked example (50, 35.71, 30); iva and pm25 as in the
    # race above at half their weight.
    assert dict(pl.read_csv(out).select("unit", pl.col("total").round(2)).iter_rows()) == {
        "East": 86.0,
        "West": 65.71,
        "North": 72.0,
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ('metric = "gap"\nmethod = "rank"\nstep = 5', "no row for it"),
        ('metric = "completion"\nmethod = "rank"\nstep = 5', "no row for it"),
        ('metric = "value"\nmethod = "attainment"', "no row for it"),
        (
            'metric = "value"\nmethod = "linear"\nbase_points = 50\nslope = 1\n'
            'reference = "target"',
            "no row for it",
        ),
    ],
)
def test_an_item_that_uses_a_target_still_needs_one(worked, tmp_path, capsys, item, message):
    write(
        worked / "rules.toml",
        f'name = "r"\nyear = 2026\n[[indicator]]\ncode = "fai"\nweight = 100\n{item}\n',
    )
    write(worked / "targets.csv", "unit,indicator,target\n")
    out = tmp_path / "out.csv"
    err = refused(race_args(worked, out), out, capsys)
    assert "targets.csv" in err and "'fai'" in err and message in err


def test_progress_of_published_statistics_without_targets(worked, tmp_path, capsys):
    write(worked / "rules.toml", PUBLISHED)
    write(worked / "targets.csv", "unit,indicator,target\n")
    write(worked / "actuals.csv", PUBLISHED_FIGURES)
    out = tmp_path / "progress.csv"
    args = ["progress", "--targets", str(worked / "targets.csv")]
    args += ["--actuals", str(worked / "actuals.csv"), "--period", "2026-Q1"]
    # With the rules, the figures of items scored without a target are shown, with no light.
    assert main([*args, "--rules", str(worked / "rules.toml"), "--out", str(out)]) == 0
    frame = pl.read_csv(out)
    assert frame.height == 6
    assert frame["target"].null_count() == 6 and frame["light"].null_count() == 6
    assert "6 rows for 2026-Q1" in capsys.readouterr().out
    # Without rules nothing says a figure may go without a target: progress needs one.
    err = refused([*args, "--out", str(tmp_path / "bare.csv")], tmp_path / "bare.csv", capsys)
    assert "a figure is reported but the targets have no row" in err
