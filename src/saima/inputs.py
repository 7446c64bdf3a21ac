"""Read the race's input files into the frames the engine takes, checking them against each other.

Every problem names the file, sheet, row and column, and all problems of a file are reported at
once. Nothing here computes a figure: that is the engine's job.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from saima.engine import Period, PeriodError, Rules, parse_period
from saima.engine.frames import DEFAULT_GROUP, DIRECTIONS, KINDS, RaceInputs
from saima.tabular import Column, InputError, Problem, Table, read_table

UNIT = Column("unit", aliases=("单位", "单位名称", "unit name"))
INDICATOR = Column("indicator", aliases=("指标", "指标代码", "indicator code"))

TARGET_COLUMNS = (
    UNIT,
    INDICATOR,
    Column("target", "number", na_tokens=True, aliases=("目标", "目标值", "年度目标")),
    Column(
        "last_year_total",
        "number",
        required=False,
        allow_blank=True,
        aliases=("上年全年", "去年全年", "上年总量"),
    ),
    Column("kind", required=False, allow_blank=True, aliases=("类型",)),
    Column("direction", required=False, allow_blank=True, aliases=("方向",)),
)
ACTUAL_COLUMNS = (
    UNIT,
    INDICATOR,
    Column("period", aliases=("期间", "时期", "月份")),
    Column("value", "number", allow_blank=True, aliases=("数值", "累计值", "完成值", "实际")),
    Column(
        "last_year_value",
        "number",
        required=False,
        allow_blank=True,
        aliases=("去年同期", "上年同期"),
    ),
)
UNIT_COLUMNS = (UNIT, Column("group", aliases=("组别", "赛道", "分组")))
ADJUSTMENT_COLUMNS = (
    UNIT,
    Column("points", "number", aliases=("分值", "分数", "加减分")),
    Column("reason", allow_blank=True, aliases=("原因", "事由")),
    Column("veto", "bool", required=False, aliases=("一票否决", "否决")),
    Column("category", required=False, allow_blank=True, aliases=("类别",)),
)
SCORE_COLUMNS = (
    UNIT,
    Column("item", aliases=("项目", "指标")),
    Column("points", "number", aliases=("分值", "得分")),
)
PREVIOUS_COLUMNS = (
    UNIT,
    Column("group", required=False, allow_blank=True),
    Column("rank", "int", allow_blank=True),
    Column("last_places", "int", required=False, allow_blank=True),
)
#: Names of the summary rows statistical sheets carry at the bottom; they are not units.
TOTAL_ROW_NAMES = frozenset({"合计", "总计", "小计", "全市合计", "total", "totals", "sum"})


def read_period(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise InputError(Problem(file="--period", message=str(exc))) from None


def read_targets(
    path: Path, *, indicators: set[str] | None, targeted: set[str] | None = None
) -> Table:
    """The targets file; with the rules, its indicators must be theirs (`indicators`), and
    those some item reads with a target (`targeted`) must have rows."""
    table = read_table(path, TARGET_COLUMNS)
    frame = table.frame.rename({"target_not_applicable": "not_applicable"}, strict=False)
    table = Table(frame=frame, file=table.file, sheet=table.sheet, headers=table.headers)
    problems = _duplicates(table, ["unit", "indicator"], "target")
    problems += _kinds(table) + _total_rows(table)
    if indicators is not None:
        problems += _unknown(table, "indicator", indicators, "is not an indicator of the rules")
    if targeted:
        present = set(table.frame["indicator"].to_list())
        for code in sorted(targeted - present):
            problems.append(
                Problem(
                    file=table.file,
                    message=f"the rules score indicator {code!r}, "
                    "but the targets have no row for it",
                )
            )
    _raise(problems)
    return table


def read_actuals(path: Path, *, year: int, indicators: set[str] | None) -> Table:
    table = read_table(path, ACTUAL_COLUMNS)
    years, months, problems = [], [], []
    for row, text in table.frame.select("_row", "period").iter_rows():
        try:
            period = parse_period(text)
        except PeriodError as exc:
            problems.append(table.problem(row, "period", str(exc)))
            years.append(None)
            months.append(None)
            continue
        if period.year not in (year, year - 1):
            problems.append(
                table.problem(
                    row,
                    "period",
                    f"{period.label} is outside the year {year} "
                    f"(rows of {year - 1} are read as last year's figures)",
                )
            )
        years.append(period.year)
        months.append(period.month)
    frame = table.frame.with_columns(
        year=pl.Series(years, dtype=pl.Int64), month=pl.Series(months, dtype=pl.Int64)
    )
    table = Table(frame=frame, file=table.file, sheet=table.sheet, headers=table.headers)
    problems += _total_rows(table)
    if not problems:
        problems += _duplicates(table, ["unit", "indicator", "year", "month"], "figure")
    if indicators is not None:
        problems += _unknown(table, "indicator", indicators, "is not an indicator of the rules")
    _raise(problems)
    return table


def load_race_files(
    *,
    rules: Rules,
    targets: Path,
    actuals: Path,
    units: Path | None = None,
    adjustments: Path | None = None,
    scores: Path | None = None,
    previous: Path | None = None,
) -> RaceInputs:
    """Read and cross-check every input of a race; raise InputError naming each problem."""
    indicators = scored_indicators(rules)
    target_table = read_targets(targets, indicators=indicators, targeted=rules.targeted_indicators)
    actual_table = read_actuals(actuals, year=rules.year, indicators=indicators)
    adjustment_table = _read_optional(adjustments, ADJUSTMENT_COLUMNS)
    score_table = _read_optional(scores, SCORE_COLUMNS)
    previous_table = _read_optional(previous, PREVIOUS_COLUMNS)
    if units is None:
        # The units of the targets, and of this year's figures (items may need no target).
        this_year = actual_table.frame.filter(pl.col("year") == rules.year)
        names = sorted(set(target_table.frame["unit"].to_list()) | set(this_year["unit"]))
        unit_frame = pl.DataFrame({"unit": names, "group": [DEFAULT_GROUP] * len(names)})
    else:
        unit_table = read_table(units, UNIT_COLUMNS)
        _raise(_duplicates(unit_table, ["unit"], "unit"))
        unit_frame = unit_table.frame.select("unit", "group")
    known = set(unit_frame["unit"].to_list())
    problems: list[Problem] = []
    for table in (target_table, actual_table, adjustment_table, score_table):
        if table is not None:
            problems += _unknown(table, "unit", known, "is not in the units file")
    if score_table is not None:
        manual = {item.code for item in rules.items if item.method == "manual"}
        problems += _unknown(score_table, "item", manual, "is not a manual item of the rules")
        problems += _duplicates(score_table, ["unit", "item"], "score")
    _raise(problems)
    return RaceInputs(
        targets=target_table.frame,
        actuals=actual_table.frame,
        units=unit_frame,
        adjustments=None if adjustment_table is None else adjustment_table.frame,
        scores=None if score_table is None else score_table.frame,
        previous=None if previous_table is None else previous_table.frame,
    )


def scored_indicators(rules: Rules) -> set[str]:
    """The input indicators the rules read figures of (every item but the manual ones)."""
    return {item.source for item in rules.items if item.method != "manual"}


def _read_optional(path: Path | None, columns: tuple[Column, ...]) -> Table | None:
    return None if path is None else read_table(path, columns)


def _duplicates(table: Table, keys: list[str], what: str) -> list[Problem]:
    first_rows = table.frame.group_by(keys, maintain_order=True).agg(pl.col("_row").alias("rows"))
    problems = []
    for row in first_rows.filter(pl.col("rows").list.len() > 1).iter_rows(named=True):
        rows = row["rows"]
        names = ", ".join(str(row[k]) for k in keys if k not in ("year", "month"))
        for later in rows[1:]:
            problems.append(
                table.problem(
                    later,
                    keys[-1] if what != "figure" else "period",
                    f"duplicate {what} for {names}: row {rows[0]} gives it already",
                )
            )
    return problems


def _unknown(table: Table, column: str, known: set[str], message: str) -> list[Problem]:
    rows = table.frame.filter(~pl.col(column).is_in(sorted(known)))
    return [
        table.problem(row, column, f"{value!r} {message}")
        for row, value in rows.select("_row", column).iter_rows()
    ]


def _total_rows(table: Table) -> list[Problem]:
    rows = table.frame.filter(pl.col("unit").str.to_lowercase().is_in(sorted(TOTAL_ROW_NAMES)))
    return [
        table.problem(row, "unit", f"{unit!r} looks like a totals row, not a unit; remove the row")
        for row, unit in rows.select("_row", "unit").iter_rows()
    ]


def _kinds(table: Table) -> list[Problem]:
    problems = []
    for column, allowed in (("kind", KINDS), ("direction", DIRECTIONS)):
        if column not in table.frame.columns:
            continue
        bad = table.frame.filter(
            pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed))
        )
        for row, value in bad.select("_row", column).iter_rows():
            problems.append(
                table.problem(row, column, f"{value!r} is not one of {', '.join(allowed)}")
            )
    return problems


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)
