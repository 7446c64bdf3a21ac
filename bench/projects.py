"""Province-scale benchmark of the projects engine against a plain pandas computation.

    python bench/projects.py [--quick] [--runs N] [--units N] [--projects N]

Builds a synthetic province deterministically (150 units, 3,000 key projects with 20 milestones
each, dated stage changes, monthly investment plans and twelve months of cumulative completed
investment), then, for one period and its last day, computes with the engine and with pandas:
every milestone's status, each project's investment against its plan, each unit's investment
against the sum of its plans, and each unit's figures from projects (investment completed,
projects started, the three conversion rates with their counts, milestones on time). Checks
that both sides give the same figures, then times them interleaved. Exits non-zero only if
they disagree; times are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from saima.engine import Period
from saima.engine.calendar import period_end
from saima.engine.projects import (
    FORMALITIES,
    STAGE_RANK,
    STAGES,
    investment_progress,
    milestone_statuses,
    project_unit_figures,
)

RESULTS = Path(__file__).resolve().parent / "results" / "projects.json"
YEAR = 2026
SEED = 20260630
MILESTONES_PER_PROJECT = 20
# Twenty milestones: the formalities, the stages after signing, and image-progress nodes.
MILESTONE_CODES = (
    *FORMALITIES,
    *STAGES[1:],
    *(f"node_{n:02d}" for n in range(1, MILESTONES_PER_PROJECT - len(FORMALITIES) - 5)),
)
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Province:
    projects: pl.DataFrame
    plans: pl.DataFrame
    investment: pl.DataFrame
    stage_changes: pl.DataFrame
    milestones: pl.DataFrame
    period: Period

    @property
    def today(self) -> date:
        return period_end(self.period)


def make_province(n_units: int = 150, n_projects: int = 3000, month: int = 6) -> Province:
    """A deterministic province: projects spread over units, each somewhere along the pipeline."""
    rng = np.random.default_rng(SEED)
    units = [f"U{n:03d}" for n in range(n_units)]
    names = [f"P{n:05d}" for n in range(n_projects)]
    owner = rng.integers(0, n_units, n_projects)
    annual = np.round(rng.lognormal(8, 1, n_projects), 2)
    annual[rng.random(n_projects) < 0.05] = np.nan  # no investment planned this year
    projects = pl.DataFrame(
        {"project": names, "unit": [units[i] for i in owner], "annual_plan": annual},
        schema={"project": pl.String, "unit": pl.String, "annual_plan": pl.Float64},
    ).with_columns(pl.col("annual_plan").fill_nan(None))
    return Province(
        projects=projects,
        plans=_plans(rng, names, annual),
        investment=_investment(rng, names, annual),
        stage_changes=_stage_changes(rng, names),
        milestones=_milestones(rng, names),
        period=Period(YEAR, month),
    )


def _plans(rng: np.random.Generator, names: list[str], annual: np.ndarray) -> pl.DataFrame:
    """Monthly amounts in cents summing exactly to the annual plan; a tenth of projects linear."""
    rows: dict[str, list] = {"project": [], "month": [], "amount": []}
    for name, total in zip(names, annual, strict=True):
        if np.isnan(total) or rng.random() < 0.1:
            continue
        weights = rng.random(12) * (np.arange(12) + 3)
        cents = np.floor(weights / weights.sum() * round(total * 100)).astype(np.int64)
        cents[-1] += round(total * 100) - cents.sum()
        rows["project"] += [name] * 12
        rows["month"] += list(range(1, 13))
        rows["amount"] += list(cents / 100)
    return pl.DataFrame(
        rows, schema={"project": pl.String, "month": pl.Int64, "amount": pl.Float64}
    )


def _investment(rng: np.random.Generator, names: list[str], annual: np.ndarray) -> pl.DataFrame:
    """Cumulative completed investment for every month; about 2% of figures not reported."""
    base = np.nan_to_num(annual, nan=100.0)
    pace = rng.uniform(0.6, 1.3, len(names))
    rows: dict[str, list] = {"project": [], "year": [], "month": [], "value": []}
    for month in range(1, 13):
        value = np.round(base * pace * month / 12 * rng.uniform(0.9, 1.1, len(names)), 2)
        keep = rng.random(len(names)) >= 0.02
        rows["project"] += [n for n, k in zip(names, keep, strict=True) if k]
        rows["value"] += list(value[keep])
        rows["year"] += [YEAR] * int(keep.sum())
        rows["month"] += [month] * int(keep.sum())
    return pl.DataFrame(
        rows,
        schema={"project": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64},
    )


def _stage_changes(rng: np.random.Generator, names: list[str]) -> pl.DataFrame:
    """Each project climbs some stages from a start in 2025 or 2026; one in twenty steps back."""
    rows: dict[str, list] = {"project": [], "stage": [], "date": []}
    for name in names:
        day = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 700)))
        for stage in STAGES[1 : 1 + int(rng.integers(0, len(STAGES)))]:
            rows["project"].append(name)
            rows["stage"].append(stage)
            rows["date"].append(day)
            day += timedelta(days=int(rng.integers(0, 120)))
        if len(rows["stage"]) and rows["project"][-1] == name and rng.random() < 0.05:
            back = STAGES[max(STAGE_RANK[rows["stage"][-1]] - 1, 1)]
            rows["project"].append(name)
            rows["stage"].append(back)
            rows["date"].append(day)
    return pl.DataFrame(rows, schema={"project": pl.String, "stage": pl.String, "date": pl.Date})


def _milestones(rng: np.random.Generator, names: list[str]) -> pl.DataFrame:
    """Twenty milestones a project, planned through 2025–2027; done early, late or not yet."""
    n = len(names) * len(MILESTONE_CODES)
    planned = np.datetime64("2025-06-01") + rng.integers(0, 900, n).astype("timedelta64[D]")
    offset = rng.integers(-30, 45, n).astype("timedelta64[D]")
    done = rng.random(n) < 0.6
    frame = pl.DataFrame(
        {
            "project": np.repeat(names, len(MILESTONE_CODES)),
            "milestone": np.tile(MILESTONE_CODES, len(names)),
            "planned": planned,
            "actual": planned + offset,
            "_done": done,
        }
    )
    unplanned = rng.random(n) < 0.01
    return (
        frame.with_columns(
            pl.col("planned").cast(pl.Date),
            pl.when(pl.col("_done")).then(pl.col("actual").cast(pl.Date)).alias("actual"),
        )
        .with_columns(
            pl.when(pl.lit(pl.Series(unplanned)))
            .then(None)
            .otherwise(pl.col("planned"))
            .alias("planned")
        )
        .drop("_done")
    )


# --- the engine ----------------------------------------------------------------------------------


def run_engine(data: Province) -> tuple[dict[str, pl.DataFrame], dict[str, float]]:
    seconds: dict[str, float] = {}
    out: dict[str, pl.DataFrame] = {}
    start = time.perf_counter()
    out["statuses"] = milestone_statuses(data.milestones, data.today)
    seconds["statuses"] = time.perf_counter() - start
    mark = time.perf_counter()
    out["figures"] = project_unit_figures(
        data.period,
        projects=data.projects,
        stage_changes=data.stage_changes,
        milestones=data.milestones,
        investment=data.investment,
    )
    seconds["figures"] = time.perf_counter() - mark
    mark = time.perf_counter()
    for by in ("project", "unit"):
        out[f"investment_{by}"] = investment_progress(
            data.period,
            projects=data.projects,
            plans=data.plans,
            investment=data.investment,
            by=by,
        )
    seconds["investment"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - start
    return out, seconds


# --- the pandas baseline -------------------------------------------------------------------------


@dataclass(frozen=True)
class PandasProvince:
    projects: pd.DataFrame
    plans: pd.DataFrame
    investment: pd.DataFrame
    stage_changes: pd.DataFrame
    milestones: pd.DataFrame
    period: Period
    today: pd.Timestamp


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Column by column through NumPy (`to_pandas()` needs pyarrow, not a dependency)."""
    columns = {}
    for name, dtype in frame.schema.items():
        series = frame[name]
        if dtype == pl.Date:
            columns[name] = pd.to_datetime(series.cast(pl.Datetime("ms")).to_numpy())
        else:
            columns[name] = series.to_numpy()
    return pd.DataFrame(columns)


def pandas_inputs(data: Province) -> PandasProvince:
    return PandasProvince(
        projects=to_pandas(data.projects),
        plans=to_pandas(data.plans),
        investment=to_pandas(data.investment),
        stage_changes=to_pandas(data.stage_changes),
        milestones=to_pandas(data.milestones),
        period=data.period,
        today=pd.Timestamp(data.today),
    )


def run_pandas(data: PandasProvince) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    seconds: dict[str, float] = {}
    out: dict[str, pd.DataFrame] = {}
    start = time.perf_counter()
    out["statuses"] = pandas_statuses(data.milestones, data.today)
    seconds["statuses"] = time.perf_counter() - start
    mark = time.perf_counter()
    out["figures"] = pandas_figures(data)
    seconds["figures"] = time.perf_counter() - mark
    mark = time.perf_counter()
    out["investment_project"], out["investment_unit"] = pandas_investment(data)
    seconds["investment"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - start
    return out, seconds


def pandas_statuses(milestones: pd.DataFrame, today: pd.Timestamp, soon: int = 14) -> pd.DataFrame:
    planned, actual = milestones["planned"], milestones["actual"]
    done = actual.notna() & (actual <= today)
    late = done & planned.notna() & (actual > planned)
    status = np.select(
        [
            late,
            done,
            planned.isna(),
            planned < today,
            planned <= today + pd.Timedelta(days=soon),
        ],
        ["done_late", "done", "unscheduled", "overdue", "due_soon"],
        "on_track",
    )
    days_late = np.where(
        late,
        (actual - planned).dt.days,
        np.where(~done & (planned < today), (today - planned).dt.days, np.nan),
    )
    return milestones.assign(status=status, days_late=days_late)


def _rate(num: pd.Series, den: pd.Series, decimals: int = 1) -> pd.Series:
    """Half up from the exact ratio, in integers."""
    scale = 10**decimals
    num, den = num.astype("int64"), den.astype("int64")
    safe = den.where(den > 0, 1)
    rounded = (2 * num * 100 * scale + safe) // (2 * safe)
    return (rounded.astype(str).str.zfill(decimals + 1).pipe(_point, decimals)).where(den > 0)


def _point(text: pd.Series, decimals: int) -> pd.Series:
    return (text.str[:-decimals] + "." + text.str[-decimals:]).astype(float)


def pandas_figures(data: PandasProvince) -> pd.DataFrame:
    end = pd.Timestamp(period_end(data.period))
    first = pd.Timestamp(date(data.period.year, 1, 1))
    listed = data.projects[["project", "unit"]]
    changes = data.stage_changes.reset_index(names="_order")
    changes = changes[changes["date"] <= end].sort_values(
        ["project", "date", "_order"], kind="stable"
    )
    changes["rank"] = changes["stage"].map(STAGE_RANK)
    per = changes.groupby("project", sort=False)["rank"].last().rename("rank").to_frame()
    for stage in ("signed", "landed", "started", "in_production"):
        at = changes["rank"] >= STAGE_RANK[stage]
        run = (~at).astype("int64").groupby(changes["project"]).cumsum()
        last_run = run.groupby(changes["project"]).transform("max")
        mask = at & (run == last_run)
        per[f"reached_{stage}"] = changes["date"].where(mask).groupby(changes["project"]).min()
    frame = listed.merge(per, left_on="project", right_index=True, how="left")
    frame["rank"] = frame["rank"].fillna(0)
    this_year = {
        s: frame[f"reached_{s}"].between(first, end)
        for s in ("signed", "landed", "started", "in_production")
    }
    frame["started"] = this_year["started"]
    conversions = (("signed", "landed"), ("landed", "started"), ("started", "in_production"))
    for source, target in conversions:
        basis = this_year[source]
        frame[f"{source}_to_{target}_num"] = basis & (frame["rank"] >= STAGE_RANK[target])
        frame[f"{source}_to_{target}_den"] = basis
    count_columns = [c for c in frame.columns if c.endswith(("_num", "_den"))] + ["started"]
    figures = frame.groupby("unit")[count_columns].sum()
    period = data.investment[
        (data.investment["year"] == data.period.year)
        & (data.investment["month"] == data.period.month)
        & data.investment["value"].notna()
    ].merge(listed, on="project")
    grouped = period.groupby("unit")["value"]
    figures["investment"] = grouped.sum().round(6)
    figures["reported"] = grouped.size()
    figures["reported"] = figures["reported"].fillna(0).astype("int64")
    milestones = data.milestones.merge(listed, on="project")
    due = milestones[milestones["planned"].between(first, end)]
    on_time = due["actual"].notna() & (due["actual"] <= due["planned"])
    figures["milestones_due"] = due.groupby("unit").size()
    figures["milestones_done_on_time"] = on_time.groupby(due["unit"]).sum()
    figures[["milestones_due", "milestones_done_on_time"]] = (
        figures[["milestones_due", "milestones_done_on_time"]].fillna(0).astype("int64")
    )
    for source, target in conversions:
        name = f"{source}_to_{target}"
        figures[name] = _rate(figures[f"{name}_num"], figures[f"{name}_den"])
    figures["milestones_on_time"] = _rate(
        figures["milestones_done_on_time"], figures["milestones_due"]
    )
    return figures.reset_index()


def pandas_investment(data: PandasProvince) -> tuple[pd.DataFrame, pd.DataFrame]:
    month = data.period.month
    projects = data.projects[data.projects["annual_plan"] > 0][["project", "unit", "annual_plan"]]
    plans = data.plans[data.plans["month"] <= month]
    split = plans.groupby("project")["amount"].sum().round(6).rename("planned_to_date")
    frame = data.projects[["project", "unit"]].merge(
        projects[["project", "annual_plan"]], on="project", how="left"
    )
    frame = frame.merge(split, left_on="project", right_index=True, how="left")
    linear = frame["annual_plan"].notna() & ~frame["project"].isin(data.plans["project"])
    frame.loc[linear, "planned_to_date"] = (frame.loc[linear, "annual_plan"] * month / 12).round(6)
    actual = data.investment[
        (data.investment["year"] == data.period.year) & (data.investment["month"] == month)
    ][["project", "value"]]
    frame = frame.merge(actual, on="project", how="left")
    share = np.where(
        linear, month * 100 / 12, frame["planned_to_date"] * 100 / frame["annual_plan"]
    )
    if month == 12:
        share = np.where(frame["annual_plan"].notna(), 100.0, np.nan)
    by_project = _measures(frame.assign(plan_progress=share), month)
    grouped = frame.groupby("unit")
    units = pd.DataFrame(
        {
            "with_plan": grouped["annual_plan"].count(),
            "reported": grouped["value"].count(),
            "annual_plan": grouped["annual_plan"].sum(min_count=1).round(6),
            "planned_to_date": grouped["planned_to_date"].sum(min_count=1),
            "value": grouped["value"].sum(min_count=1).round(6),
        }
    ).reset_index()
    unit_share = units["planned_to_date"] * 100 / units["annual_plan"]
    if month == 12:
        unit_share = unit_share.where(units["annual_plan"].isna(), 100.0)
    by_unit = _measures(units.assign(plan_progress=unit_share), month)
    return by_project, by_unit


def _measures(frame: pd.DataFrame, month: int, yellow: float = 5.0) -> pd.DataFrame:
    value, target = frame["value"], frame["annual_plan"]
    completion = value * 100 / target
    gap = completion - frame["plan_progress"]
    good = gap.round(9)
    light = np.select(
        [target.isna(), value.isna(), good >= 0, good >= -yellow],
        ["n/a", "missing", "green", "yellow"],
        "red",
    )
    remaining = 12 - month
    run_rate = ((target - value) / remaining).round(9) if remaining else np.nan
    return frame.assign(
        completion=completion,
        gap_pp=gap,
        gap_linear_pp=completion - month * 100 / 12,
        light=light,
        run_rate_needed=run_rate,
    )


# --- comparing -----------------------------------------------------------------------------------


def disagreements(engine: dict[str, pl.DataFrame], baseline: dict[str, pd.DataFrame]) -> list[str]:
    problems = []
    ours, theirs = to_pandas(engine["statuses"]), baseline["statuses"]
    if not (ours["status"].to_numpy() == theirs["status"].to_numpy()).all():
        problems.append("milestone statuses differ")
    if not np.allclose(
        ours["days_late"].astype(float), theirs["days_late"].astype(float), equal_nan=True
    ):
        problems.append("days late differ")
    problems += _compare(
        "unit figures",
        to_pandas(engine["figures"]),
        baseline["figures"],
        "unit",
        exact=[
            "started",
            "reported",
            "milestones_due",
            "milestones_done_on_time",
            *(f"{n}_{p}" for n in _CONVERSIONS for p in ("num", "den")),
        ],
        numbers=["investment", *_CONVERSIONS, "milestones_on_time"],
    )
    for by in ("project", "unit"):
        problems += _compare(
            f"investment by {by}",
            to_pandas(engine[f"investment_{by}"]),
            baseline[f"investment_{by}"],
            by,
            exact=["light"],
            numbers=[
                "planned_to_date",
                "value",
                "completion",
                "plan_progress",
                "gap_pp",
                "gap_linear_pp",
                "run_rate_needed",
            ],
        )
    return problems


_CONVERSIONS = ("signed_to_landed", "landed_to_started", "started_to_in_production")


def _compare(
    what: str, ours: pd.DataFrame, theirs: pd.DataFrame, key: str, exact: list, numbers: list
) -> list[str]:
    both = ours.merge(theirs, on=key, how="outer", suffixes=("_e", "_p"), indicator=True)
    problems = []
    if (both["_merge"] != "both").any():
        problems.append(f"{what}: rows on one side only")
    for column in exact:
        left, right = both[f"{column}_e"], both[f"{column}_p"]
        same = (left == right) | (left.isna() & right.isna())
        if not same.all():
            problems.append(f"{what}: {column} differs for {both.loc[~same, key].tolist()[:5]}")
    for column in numbers:
        left = both[f"{column}_e"].astype(float).to_numpy()
        right = both[f"{column}_p"].astype(float).to_numpy()
        close = np.isclose(left, right, rtol=0, atol=TOLERANCE, equal_nan=True)
        if not close.all():
            problems.append(f"{what}: {column} differs for {both.loc[~close, key].tolist()[:5]}")
    return problems


# --- running -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 timed runs instead of 5")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per side")
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--month", type=int, default=6, help="the period's month")
    args = parser.parse_args(argv)
    runs = args.runs or (2 if args.quick else 5)
    started = time.perf_counter()
    data = make_province(args.units, args.projects, args.month)
    inputs = pandas_inputs(data)
    print(
        f"data: {data.projects['unit'].n_unique()} units, {data.projects.height:,} projects, "
        f"{data.milestones.height:,} milestones, {data.stage_changes.height:,} stage changes, "
        f"{data.plans.height:,} plan rows, {data.investment.height:,} investment figures; "
        f"period {data.period.label} (built in {time.perf_counter() - started:.2f} s)"
    )
    engine, _ = run_engine(data)
    baseline, _ = run_pandas(inputs)
    problems = disagreements(engine, baseline)
    for line in problems:
        print(f"  DISAGREEMENT: {line}")
    if not problems:
        print(
            "agreement: milestone statuses and days late; unit figures (counts exact, rates "
            "and investment to 1e-6); investment by project and by unit (lights exact)"
        )
    timings: dict[str, list[dict]] = {"engine": [], "pandas": []}
    for run in range(runs):
        timings["engine"].append(run_engine(data)[1])
        timings["pandas"].append(run_pandas(inputs)[1])
        print(
            f"run {run + 1}/{runs}: engine {timings['engine'][-1]['total']:.3f} s, "
            f"pandas {timings['pandas'][-1]['total']:.3f} s",
            flush=True,
        )
    report = _report(data, runs, timings, problems)
    _print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if not problems else 1


PHASES = (
    ("statuses", "milestone statuses"),
    ("figures", "unit figures from projects"),
    ("investment", "investment by project and unit"),
    ("total", "all of it"),
)


def _report(data: Province, runs: int, timings: dict, problems: list[str]) -> dict[str, Any]:
    def summary(side: str, phase: str) -> dict[str, float]:
        values = [t[phase] for t in timings[side]]
        return {"median": statistics.median(values), "min": min(values)}

    seconds = {side: {p: summary(side, p) for p, _ in PHASES} for side in timings}
    return {
        "runs": runs,
        "sizes": {
            "units": data.projects["unit"].n_unique(),
            "projects": data.projects.height,
            "milestones": data.milestones.height,
            "stage_changes": data.stage_changes.height,
            "investment_figures": data.investment.height,
        },
        "period": data.period.label,
        "polars_threads": pl.thread_pool_size(),
        "seconds": seconds,
        "ratio_pandas_over_engine": {
            p: seconds["pandas"][p]["median"] / seconds["engine"][p]["median"] for p, _ in PHASES
        },
        "agree": not problems,
        "disagreements": problems,
    }


def _print(report: dict[str, Any]) -> None:
    print(
        f"\n{report['runs']} timed runs per side, interleaved, after one untimed run; "
        f"polars on {report['polars_threads']} threads"
    )
    print(f"\n{'phase':<34}{'engine med':>11}{'min':>8}{'pandas med':>12}{'min':>8}{'ratio':>8}")
    for phase, label in PHASES:
        e, p = report["seconds"]["engine"][phase], report["seconds"]["pandas"][phase]
        ratio = report["ratio_pandas_over_engine"][phase]
        print(
            f"{label:<34}{e['median']:>10.3f}s{e['min']:>7.3f}s"
            f"{p['median']:>11.3f}s{p['min']:>7.3f}s{ratio:>7.1f}x"
        )
    print(f"\nresults agree: {'yes' if report['agree'] else 'NO'}")


if __name__ == "__main__":
    sys.exit(main())
