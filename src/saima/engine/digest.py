"""Digests of a period's progress and standings, for bulletins and the meeting screen.

A bulletin says more than each unit's row: how the whole area stands on each indicator, which
indicators most units are behind on and by how much, who has reached double over half, the
largest gaps, the run rates needed, who rose and who fell. These are computations, so they live
here, over the frames `compute_progress` and `score_race` return; the bulletins only word them.

Every function takes the progress frame of one period (one row per unit × indicator) or the
standings of one race, and returns a small frame in a fixed order, so that the same inputs always
give the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from saima.engine.progress import COMPARE_DIGITS, LIGHTS, MISSING, NOT_APPLICABLE

#: Indicators measured against the time schedule, whose completions add up over units.
SCHEDULED = ("amount", "count")
#: Indicators whose gap is in percentage points (against the schedule or the target growth).
GAP_IN_POINTS = ("amount", "count", "growth")
#: Every light a count reports, in order.
LIGHT_ORDER = (*LIGHTS, MISSING, NOT_APPLICABLE)


def _good() -> pl.Expr:
    """The gap turned so that above zero is good, whatever the direction."""
    return (
        pl.when(pl.col("direction") == "lower").then(-pl.col("gap_pp")).otherwise(pl.col("gap_pp"))
    )


def area_progress(progress: pl.DataFrame) -> pl.DataFrame:
    """The area's progress on each amount or count indicator: the units' figures added up.

    Columns: indicator, units (with a figure), value and target (sums), completion (% of the
    summed target), time_progress (the schedule, weighted by target: the indicator's own when
    every unit has the same), gap_pp, projection (sum of the year-end projections, when every
    unit has one), projected_completion (% of the summed target) and on_schedule (the gap on
    the good side of zero for the indicator's direction). Units with no figure or to which the
    indicator does not apply are left out of both sums.
    """
    rows = progress.filter(
        pl.col("kind").is_in(SCHEDULED)
        & pl.col("applicable")
        & pl.col("value").is_not_null()
        & (pl.col("target") > 0)
    )
    summed = (
        rows.group_by("indicator", maintain_order=True)
        .agg(
            units=pl.len(),
            direction=pl.col("direction").first(),
            value=pl.col("value").sum(),
            target=pl.col("target").sum(),
            weighted=(pl.col("time_progress") * pl.col("target")).sum(),
            projection=pl.col("projection").sum(),
            projected_units=pl.col("projection").is_not_null().sum(),
        )
        .sort("indicator")
    )
    round_ = COMPARE_DIGITS
    return (
        summed.select(
            "indicator",
            "direction",
            pl.col("units").cast(pl.Int64),
            "value",
            "target",
            (pl.col("value") * 100 / pl.col("target")).round(round_).alias("completion"),
            (pl.col("weighted") / pl.col("target")).round(round_).alias("time_progress"),
            pl.when(pl.col("projected_units") == pl.col("units"))
            .then(pl.col("projection"))
            .alias("projection"),
        )
        .with_columns(
            gap_pp=(pl.col("completion") - pl.col("time_progress")).round(round_),
            projected_completion=(pl.col("projection") * 100 / pl.col("target")).round(round_),
        )
        .with_columns(on_schedule=_good() >= 0)
    )


def behind(progress: pl.DataFrame) -> pl.DataFrame:
    """Per indicator measured in points: how many units are behind, and by how much.

    Columns: indicator, kind, judged (units with a green, yellow or red light), behind (yellow
    or red), red, shortfall (the mean distance of the units behind, in points, positive),
    worst_unit and worst_gap (the unit furthest behind and its gap, signed as the engine gives
    it). Ordered with the indicators most units are behind on first, then the largest
    shortfall, then by code. Indicators no unit is behind on are left out.
    """
    judged = progress.filter(
        pl.col("kind").is_in(GAP_IN_POINTS)
        & pl.col("light").is_in(LIGHTS)
        & pl.col("gap_pp").is_not_null()
    ).with_columns(good=_good().round(COMPARE_DIGITS))
    late = judged.filter(pl.col("light") != "green")
    counts = judged.group_by("indicator").agg(
        judged=pl.len().cast(pl.Int64), kind=pl.col("kind").first()
    )
    worst = (
        late.sort("indicator", "good", "unit")
        .group_by("indicator", maintain_order=True)
        .agg(
            behind=pl.len().cast(pl.Int64),
            red=(pl.col("light") == "red").sum().cast(pl.Int64),
            shortfall=(-pl.col("good")).mean().round(COMPARE_DIGITS),
            worst_unit=pl.col("unit").first(),
            worst_gap=pl.col("gap_pp").first(),
        )
    )
    return (
        counts.join(worst, on="indicator", how="inner")
        .select(
            "indicator", "kind", "judged", "behind", "red", "shortfall", "worst_unit", "worst_gap"
        )
        .sort(["behind", "shortfall", "indicator"], descending=[True, True, False])
    )


def light_counts(progress: pl.DataFrame) -> pl.DataFrame:
    """Per indicator, how many units have each light (one column per light of LIGHT_ORDER)."""
    counts = (
        progress.group_by("indicator", "light")
        .agg(n=pl.len().cast(pl.Int64))
        .filter(pl.col("light").is_in(LIGHT_ORDER))
    )
    indicators = progress.select("indicator").unique().sort("indicator")
    out = indicators
    for light in LIGHT_ORDER:
        part = counts.filter(pl.col("light") == light).select("indicator", pl.col("n").alias(light))
        out = out.join(part, on="indicator", how="left")
    return out.with_columns(pl.col(list(LIGHT_ORDER)).fill_null(0))


def double_over_half(progress: pl.DataFrame) -> pl.DataFrame:
    """Per indicator, the engine's double-over-half flag counted: judged (flag given), reached,
    and the units not reached (in order). Empty outside the half year (the engine gives no
    flag there). The flag is taken as the engine gives it, never recomputed."""
    flagged = progress.filter(pl.col("double_over_half").is_not_null())
    return (
        flagged.sort("indicator", "unit")
        .group_by("indicator", maintain_order=True)
        .agg(
            judged=pl.len().cast(pl.Int64),
            reached=pl.col("double_over_half").sum().cast(pl.Int64),
            not_reached=pl.col("unit").filter(~pl.col("double_over_half")),
        )
        .sort("indicator")
    )


def largest_gaps(progress: pl.DataFrame, n: int = 5) -> pl.DataFrame:
    """The `n` units × indicators furthest behind the schedule (amounts and counts), worst
    first: unit, indicator, completion, time_progress, gap_pp (signed as the engine gives it)."""
    rows = progress.filter(
        pl.col("kind").is_in(SCHEDULED)
        & pl.col("light").is_in(("yellow", "red"))
        & pl.col("gap_pp").is_not_null()
    ).with_columns(good=_good().round(COMPARE_DIGITS))
    return (
        rows.sort("good", "unit", "indicator")
        .head(n)
        .select("unit", "indicator", "completion", "time_progress", "gap_pp")
    )


def run_rates(progress: pl.DataFrame, n: int = 5) -> pl.DataFrame:
    """The `n` units × indicators that must speed up most: the monthly run rate the rest of the
    year needs against the monthly average so far (`run_rate_ratio`), highest first, among
    those behind the schedule. Columns: unit, indicator, value, target, run_rate_needed,
    run_rate_ratio."""
    rows = progress.filter(
        pl.col("kind").is_in(SCHEDULED)
        & pl.col("light").is_in(("yellow", "red"))
        & pl.col("run_rate_ratio").is_not_null()
        & (pl.col("run_rate_ratio") > 1)
    )
    return (
        rows.sort(["run_rate_ratio", "unit", "indicator"], descending=[True, False, False])
        .head(n)
        .select("unit", "indicator", "value", "target", "run_rate_needed", "run_rate_ratio")
    )


def movers(standings: Iterable[Mapping[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Who rose and who fell against the previous race: (rose, fell), each a list of the
    standings' rows, the largest move first, then by group and rank."""
    rows = [dict(row) for row in standings if row.get("rank_change")]
    rose = [row for row in rows if row["rank_change"] > 0]
    fell = [row for row in rows if row["rank_change"] < 0]

    def order(row: dict) -> tuple:
        return (-abs(row["rank_change"]), str(row.get("group")), row.get("rank") or 0, row["unit"])

    return sorted(rose, key=order), sorted(fell, key=order)


#: How good each light is, to say whether a change of light is a step up or down.
_LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2}


def light_changes(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """What changed between two periods' progress (last month's and this month's): each unit ×
    indicator whose light moved between green, yellow and red, with both lights and gaps and
    `better` (True when the light improved). Rows judged in only one of the periods are left out.
    Worse first; within each, the larger jump (green ↔ red) first, then by indicator and unit.
    """
    rank = pl.DataFrame(
        {"light": list(_LIGHT_RANK), "rank": list(_LIGHT_RANK.values())},
        schema={"light": pl.String, "rank": pl.Int64},
    )

    def judged(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("light").is_in(list(_LIGHT_RANK))).join(
            rank, on="light", how="inner"
        )

    old = judged(before).select(
        "unit",
        "indicator",
        pl.col("light").alias("light_before"),
        pl.col("gap_pp").alias("gap_before"),
        pl.col("rank").alias("rank_before"),
    )
    new = judged(after).select(
        "unit", "indicator", "light", "gap_pp", pl.col("rank").alias("rank_after")
    )
    both = new.join(old, on=["unit", "indicator"], how="inner").filter(
        pl.col("rank_after") != pl.col("rank_before")
    )
    return (
        both.with_columns(
            better=pl.col("rank_after") > pl.col("rank_before"),
            jump=(pl.col("rank_after") - pl.col("rank_before")).abs(),
        )
        .sort(["better", "jump", "indicator", "unit"], descending=[False, True, False, False])
        .select("unit", "indicator", "light_before", "light", "gap_before", "gap_pp", "better")
    )
