"""The same computation written in plain pandas, as a competent pandas user would write it.

Vectorised: one merge per period for progress; per quarter, one long frame of unit × item rows,
each scoring method applied with groupby-transform over (item, group), then totals, ranks and
flags with groupby. No per-unit Python loops. It reads the rule parameters from the `Rules` object
but uses nothing else from Saima.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from national import Dataset

from saima.engine import Rules

KEYS = ["unit", "indicator"]
SCHEDULED = ["amount", "count"]
DIGITS = 9


@dataclass
class PandasInputs:
    rules: Rules
    units: pd.DataFrame
    targets: pd.DataFrame
    actuals: pd.DataFrame
    adjustments: pd.DataFrame
    months: tuple[int, ...]
    race_months: tuple[int, ...]


@dataclass
class PandasOutput:
    progress: dict[int, pd.DataFrame]
    standings: dict[int, pd.DataFrame]
    seconds: dict[str, float]


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Column by column through NumPy (`DataFrame.to_pandas()` needs pyarrow, not a dependency)."""
    try:
        return frame.to_pandas()
    except ModuleNotFoundError:
        return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


def pandas_inputs(data: Dataset) -> PandasInputs:
    return PandasInputs(
        rules=data.rules,
        units=to_pandas(data.units),
        targets=to_pandas(data.targets),
        actuals=to_pandas(data.actuals),
        adjustments=to_pandas(data.adjustments),
        months=data.months,
        race_months=data.race_months,
    )


def run_pandas(inputs: PandasInputs) -> PandasOutput:
    start = time.perf_counter()
    specs = indicator_table(inputs.rules)
    progress = {
        month: compute_progress(inputs.targets, inputs.actuals, specs, inputs.rules.year, month)
        for month in inputs.months
    }
    middle = time.perf_counter()
    standings: dict[int, pd.DataFrame] = {}
    previous = None
    for month in inputs.race_months:
        previous = score_race(inputs, progress[month], previous)
        standings[month] = previous
    end = time.perf_counter()
    seconds = {"progress": middle - start, "race": end - middle, "total": end - start}
    return PandasOutput(progress=progress, standings=standings, seconds=seconds)


# --- progress --------------------------------------------------------------------------------


def indicator_table(rules: Rules) -> pd.DataFrame:
    rows = []
    thresholds = rules.thresholds
    default_yellow = {
        "growth": thresholds.growth_yellow_pp,
        "level": thresholds.level_yellow_pct,
    }
    for item in rules.items:
        profile = item.profile if item.profile is not None else "linear"
        rows.append(
            {
                "indicator": item.source,
                "kind": item.kind,
                "direction": item.direction,
                "schedule": profile if isinstance(profile, str) else "profile",
                "profile": profile if isinstance(profile, list) else None,
                "yellow": item.yellow_pp
                if item.yellow_pp is not None
                else default_yellow.get(item.kind, thresholds.yellow_pp),
            }
        )
    return pd.DataFrame(rows).drop_duplicates("indicator")


def compute_progress(
    targets: pd.DataFrame, actuals: pd.DataFrame, specs: pd.DataFrame, year: int, month: int
) -> pd.DataFrame:
    current = actuals[(actuals["year"] == year) & (actuals["month"] == month)]
    last_year = actuals[actuals["year"] == year - 1]
    same = last_year.loc[last_year["month"] == month, [*KEYS, "value"]]
    december = last_year.loc[last_year["month"] == 12, [*KEYS, "value"]]
    specs = specs.assign(
        _profile_tau=[p[month - 1] if p is not None else np.nan for p in specs["profile"]]
    )
    frame = (
        targets.merge(specs, on="indicator", how="left")
        .merge(current[[*KEYS, "value", "last_year_value"]], on=KEYS, how="left")
        .merge(same.rename(columns={"value": "_ly_value"}), on=KEYS, how="left")
        .merge(december.rename(columns={"value": "_ly_total"}), on=KEYS, how="left")
    )
    scheduled = frame["kind"].isin(SCHEDULED)
    frame["last_year_value"] = frame["last_year_value"].fillna(frame["_ly_value"].where(scheduled))
    frame["last_year_total"] = frame["last_year_total"].fillna(frame["_ly_total"].where(scheduled))
    frame["time_progress"] = _time_progress(frame, month)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _measures(frame, month)


def _time_progress(frame: pd.DataFrame, month: int) -> pd.Series:
    last_year = frame["last_year_value"] * 100 / frame["last_year_total"]
    schedule = frame["schedule"]
    tau = np.select(
        [schedule == "profile", schedule == "last_year"],
        [frame["_profile_tau"], last_year],
        default=month * 100 / 12,
    )
    return pd.Series(tau, index=frame.index).where(frame["kind"].isin(SCHEDULED))


def _measures(frame: pd.DataFrame, month: int) -> pd.DataFrame:
    kind, value, target = frame["kind"], frame["value"], frame["target"]
    scheduled = kind.isin(SCHEDULED)
    tau = frame["time_progress"]
    ratio = (value * 100 / target).where(kind != "growth")
    completion = ratio.where(scheduled)  # a level has no completion rate
    gap = np.select(
        [scheduled, kind == "growth"], [completion - tau, value - target], default=ratio - 100
    )
    frame["completion"] = completion
    frame["level_ratio"] = ratio.where(kind == "level")
    frame["gap_pp"] = gap
    good = pd.Series(np.where(frame["direction"] == "lower", -gap, gap), index=frame.index)
    good = good.round(DIGITS)
    light = np.select(
        [value.isna(), good.isna(), good >= 0, good >= -frame["yellow"]],
        ["missing", None, "green", "yellow"],
        default="red",
    )
    frame["light"] = light
    # Half the annual task at June, amounts and counts where more is better.
    halves = scheduled & (frame["direction"] == "higher") & value.notna()
    frame["double_over_half"] = (
        (completion.round(DIGITS) >= 50).where(halves) if month == 6 else None
    )
    remaining = 12 - month
    needed = (target - value) / remaining if remaining else pd.Series(np.nan, index=frame.index)
    frame["run_rate_needed"] = needed.where(scheduled)
    frame["run_rate_ratio"] = (needed / (value / month)).where(scheduled & (value > 0))
    frame["required_growth"] = _required_growth(frame, remaining)
    frame["projection"] = (value * 100 / tau).where(scheduled & (tau > 0))
    ly_value = frame["last_year_value"]
    own_growth = ((value - ly_value) * 100 / ly_value).where(ly_value > 0)
    frame["growth"] = value.where(kind == "growth", own_growth)
    return frame.drop(columns=["_ly_value", "_ly_total", "_profile_tau", "profile", "schedule"])


def _required_growth(frame: pd.DataFrame, remaining: int) -> pd.Series:
    growth = frame["kind"] == "growth"
    total, same = frame["last_year_total"], frame["last_year_value"]
    goal = (total * (1 + frame["target"] / 100)).where(growth, frame["target"])
    done = (same * (1 + frame["value"] / 100)).where(growth, frame["value"])
    rest = total - same
    usable = frame["kind"].isin(["amount", "count", "growth"]) & (rest > 0) & (remaining > 0)
    return ((goal - done) * 100 / rest - 100).where(usable)


# --- the race --------------------------------------------------------------------------------


def item_table(rules: Rules) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for item in rules.items:
        step = item.step
        if item.method == "rank" and step is None:
            step = item.weight * (item.step_pct or 0) / 100
        rows.append(
            {
                "item": item.code,
                "indicator": item.source,
                "method": item.method,
                "metric": item.effective_metric,
                "weight": float(item.weight),
                "lower": item.lower_is_better,
                "step": step,
                "max_points": item.weight * max(item.cap, 1.0)
                if item.method == "attainment"
                else float(item.weight),
            }
        )
    return pd.DataFrame(rows)


def score_race(
    inputs: PandasInputs, progress: pd.DataFrame, previous: pd.DataFrame | None
) -> pd.DataFrame:
    rules = inputs.rules
    long = _long_frame(rules, progress, inputs.units)
    long["raw"] = 0.0
    for method, scorer in _SCORERS.items():
        rows = long["method"] == method
        if rows.any():
            long.loc[rows, "raw"] = scorer(long.loc[rows], rules)
    long["raw"] = _final_points(long)
    totals = _totals(rules, long, inputs.adjustments)
    totals = _flags(rules, totals)
    return _against_previous(rules, totals, previous)


def _long_frame(rules: Rules, progress: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    columns = [*KEYS, "kind", "value", "target", "completion", "level_ratio", "gap_pp", "growth"]
    long = units.merge(item_table(rules), how="cross").merge(progress[columns], on=KEYS, how="left")
    metric = long["metric"]
    # A level scored on "completion" is scored on its value relative to the target.
    completion = long["completion"].where(long["kind"] != "level", long["level_ratio"])
    long["x"] = np.select(
        [metric == "completion", metric == "gap", metric == "growth", metric == "growth_vs_target"],
        [completion, long["gap_pp"], long["growth"], long["value"] - long["target"]],
        default=long["value"],
    )
    long["x_target"] = np.select(
        [
            metric.isin(["gap", "growth_vs_target"]),
            metric == "completion",
            ((metric == "growth") & (long["kind"] == "growth")) | (metric == "value"),
        ],
        [0.0, 100.0, long["target"]],
        default=np.nan,
    )
    long["part"] = long["x"].notna()
    long["xb"] = np.where(long["lower"], -long["x"], long["x"])
    long["xm"] = long["x"].where(long["part"])
    return long


def _group_stat(frame: pd.DataFrame, column: str, how: str) -> pd.Series:
    return frame.groupby(["item", "group"])[column].transform(how)


def _rank_points(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    key = frame["xb"].round(DIGITS).where(frame["part"])
    place = key.groupby([frame["item"], frame["group"]]).rank(method="min", ascending=False)
    return frame["weight"] - (place - 1) * frame["step"]


def _efficacy_points(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    params = pd.DataFrame(
        [
            (i.code, i.base, i.span, i.satisfactory, i.impermissible, i.clamp)
            for i in rules.items
            if i.method == "efficacy"
        ],
        columns=["item", "base", "span", "sat", "imp", "clamp"],
    ).set_index("item")
    p = params.loc[frame["item"]].set_axis(frame.index)
    low, high = _group_stat(frame, "xm", "min"), _group_stat(frame, "xm", "max")
    spread = high - low
    position = np.where(frame["lower"], frame["xb"] - (-high), frame["x"] - low)
    relative = pd.Series(np.where(spread.round(DIGITS) == 0, 1.0, position / spread), frame.index)
    fixed = (frame["x"] - p["imp"]) / (p["sat"] - p["imp"])
    fixed = fixed.clip(0, 1).where(p["clamp"].astype(bool), fixed.clip(upper=1))
    share = fixed.where(p["sat"].notna(), relative)
    return frame["weight"] * (p["base"] + p["span"] * share)


def _attainment_points(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    cap = frame["item"].map({i.code: i.cap for i in rules.items})
    reference = frame["x_target"].where(frame["metric"] != "completion", 100.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(frame["x"] <= 0, cap, reference / frame["x"])
    ratio = pd.Series(np.where(frame["lower"], lower, frame["x"] / reference), frame.index)
    return frame["weight"] * ratio.clip(lower=0, upper=cap)


def _bands_points(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    points = pd.Series(0.0, index=frame.index)
    x = frame["xb"].round(DIGITS)
    for item in rules.items:
        if item.method != "bands":
            continue
        rows = frame["item"] == item.code
        found = pd.Series(0.0, index=frame.index[rows])
        for threshold, band_points in reversed(item.bands or []):
            edge = round(-threshold if item.lower_is_better else threshold, DIGITS)
            found = found.mask(x[rows] >= edge, float(band_points))
        points[rows] = found
    return points


def _linear_points(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    items = {i.code: i for i in rules.items if i.method == "linear"}
    get = frame["item"].map
    reference = get({c: i.reference for c, i in items.items()})
    if reference.isin(["median", "target"]).any():
        raise NotImplementedError("the baseline scores linear items against a mean or a number")
    mean = _group_stat(frame, "xm", "mean").round(DIGITS)
    ref = mean.where(reference == "mean", pd.to_numeric(reference, errors="coerce"))
    diff = frame["x"] - ref
    steps = pd.Series(np.where(frame["lower"], -diff, diff), frame.index) / get(
        {c: i.per for c, i in items.items()}
    )
    base = get({c: i.base_points or 0.0 for c, i in items.items()})
    slope = get({c: i.slope or 0.0 for c, i in items.items()})
    low = get({c: i.min_points or 0.0 for c, i in items.items()})
    high = frame["item"].map(
        {c: i.weight if i.max_points is None else i.max_points for c, i in items.items()}
    )
    return (base + steps.round(DIGITS) * slope).clip(lower=low, upper=high)


_SCORERS = {
    "rank": _rank_points,
    "efficacy": _efficacy_points,
    "attainment": _attainment_points,
    "bands": _bands_points,
    "linear": _linear_points,
}


def _final_points(long: pd.DataFrame) -> pd.Series:
    raw = long["raw"].clip(lower=0, upper=long["max_points"]).round(DIGITS)
    raw = raw.where(long["part"], 0.0)
    factor = 100 / long.groupby("unit")["weight"].transform("sum")
    return (raw * factor).round(DIGITS)


def adjustment_totals(rules: Rules, adjustments: pd.DataFrame) -> pd.DataFrame:
    caps = rules.adjustments
    frame = adjustments.assign(
        bonus=adjustments["points"].clip(lower=0),
        deduction=-adjustments["points"].clip(upper=0),
        category=adjustments["category"].fillna(""),
    )
    by_category = frame.groupby(["unit", "category"], as_index=False).agg(
        bonus=("bonus", "sum"), deduction=("deduction", "sum"), veto=("veto", "any")
    )
    cap = by_category["category"].map(caps.category_caps).fillna(np.inf)
    by_category["bonus"] = by_category["bonus"].clip(upper=cap)
    by_category["deduction"] = by_category["deduction"].clip(upper=cap)
    totals = by_category.groupby("unit").agg(
        bonus=("bonus", "sum"), deduction=("deduction", "sum"), veto=("veto", "any")
    )
    totals["bonus"] = totals["bonus"].clip(upper=_cap(caps.bonus_cap)).round(DIGITS)
    totals["deduction"] = totals["deduction"].clip(upper=_cap(caps.deduction_cap)).round(DIGITS)
    return totals


def _cap(value: float | None) -> float:
    return np.inf if value is None else value


def _totals(rules: Rules, long: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    totals = long.groupby(["group", "unit"], as_index=False)["raw"].sum()
    totals = totals.rename(columns={"raw": "item_points"})
    tie_item = rules.item(rules.tie_break) if rules.tie_break else None
    if tie_item is not None:
        tie = long.loc[long["item"] == tie_item.code, ["unit", "xb"]].rename(columns={"xb": "tie"})
        totals = totals.merge(tie, on="unit", how="left")
        totals["tie"] = totals["tie"].round(DIGITS).fillna(-np.inf)
    else:
        totals["tie"] = 0.0
    adjust = adjustment_totals(rules, adjustments)
    totals = totals.merge(adjust, left_on="unit", right_index=True, how="left")
    totals = totals.fillna({"bonus": 0.0, "deduction": 0.0, "veto": False})
    totals["veto"] = totals["veto"].astype(bool)
    totals["total"] = (totals["item_points"] + totals["bonus"] - totals["deduction"]).round(DIGITS)
    totals["published"] = totals["total"].round(rules.decimals)
    first = totals.groupby("group")["published"].rank(method="min", ascending=False)
    second = totals.groupby(["group", "published"])["tie"].rank(method="min", ascending=False)
    totals["rank"] = (first + second - 1).astype(int)
    return totals


def _best_n(frame: pd.DataFrame, eligible: pd.Series, order: pd.Series, n: int) -> pd.Series:
    if n == 0:
        return pd.Series(False, index=frame.index)
    ahead = order.where(eligible).groupby(frame["group"]).rank(method="min") - 1
    return eligible & (ahead < n)


def _flags(rules: Rules, totals: pd.DataFrame) -> pd.DataFrame:
    flags = rules.flags
    red = _best_n(totals, ~totals["veto"], totals["rank"], flags.red)
    yellow = _best_n(totals, ~red, -totals["rank"], flags.yellow)
    totals["flag"] = np.select([red, yellow], ["red", "yellow"], default="")
    return totals


def _against_previous(
    rules: Rules, totals: pd.DataFrame, previous: pd.DataFrame | None
) -> pd.DataFrame:
    is_last = totals["rank"] == totals.groupby("group")["rank"].transform("max")
    if previous is None:
        totals["rank_change"] = np.nan
        totals["progress_award"] = False
        totals["last_places"] = is_last.astype(int)
        return totals.sort_values(["group", "rank", "unit"], ignore_index=True)
    prev = previous[["unit", "rank", "last_places"]].rename(
        columns={"rank": "prev_rank", "last_places": "prev_last"}
    )
    totals = totals.merge(prev, on="unit", how="left")
    totals["rank_change"] = totals["prev_rank"] - totals["rank"]
    awardable = ~totals["veto"] & (totals["rank_change"] > 0)
    totals["progress_award"] = _best_n(
        totals, awardable, -totals["rank_change"], rules.flags.progress_award
    )
    last = totals["prev_last"].fillna(0) + 1
    totals["last_places"] = last.where(is_last, 0).astype(int)
    totals = totals.drop(columns=["prev_rank", "prev_last"])
    return totals.sort_values(["group", "rank", "unit"], ignore_index=True)
