"""Scoring methods: turn each unit's metric on an item into points, group by group.

Each method is a function from a frame of one item's rows (one row per unit, with the grouping keys,
the metric `x`, whether the unit takes part, and the item's reference figures) to the same frame
with `place`, `normalised` and `raw_points`. Group statistics (places, min, max, mean) are Polars
window expressions over the grouping keys, so a national race is one vectorised pass per item, and
the same code scores the what-if scenarios behind "what would gain one place".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from saima.engine.errors import DataError
from saima.engine.progress import COMPARE_DIGITS
from saima.engine.rules import Item

Keys = Sequence[str]


def better(item: Item, expr: pl.Expr) -> pl.Expr:
    """The metric turned so that larger is better, whatever the item's direction."""
    return -expr if item.lower_is_better else expr


def score_item(frame: pl.DataFrame, item: Item, keys: Keys) -> pl.DataFrame:
    """Add `place`, `normalised` and `raw_points` (before any weight spreading) to one item."""
    frame = frame.with_columns(
        taking_part=pl.col("participant") & _qualifies(item),
    )
    scored = _METHODS[item.method](frame, item, list(keys))
    points = pl.col("raw_points").clip(0, max_points(item)).round(COMPARE_DIGITS)
    return scored.with_columns(
        raw_points=pl.when(pl.col("taking_part")).then(points).otherwise(pl.lit(0.0))
    )


def max_points(item: Item) -> float:
    """The most an item can give: its weight, or more only under an attainment cap above 1."""
    return item.weight * max(item.cap, 1.0) if item.method == "attainment" else item.weight


def _qualifies(item: Item) -> pl.Expr:
    if item.qualify is None:
        return pl.lit(True)
    gap = better(item, pl.col("x") - item.qualify).round(COMPARE_DIGITS)
    return (gap >= 0).fill_null(False)


def _masked(expr: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("taking_part")).then(expr)


def _place(item: Item, keys: list[str]) -> pl.Expr:
    key = _masked(better(item, pl.col("x")).round(COMPARE_DIGITS))
    return key.rank("min", descending=True).over(keys).cast(pl.Int64)


def _rank(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    if item.step is not None:
        lost = (pl.col("place") - 1) * item.step
    else:
        lost = (pl.col("place") - 1) * (item.weight * (item.step_pct or 0) / 100)
    frame = frame.with_columns(place=_place(item, keys))
    return frame.with_columns(
        normalised=pl.lit(None, dtype=pl.Float64),
        raw_points=(item.weight - lost).cast(pl.Float64),
    )


def _efficacy(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    x = pl.col("x")
    if item.satisfactory is not None and item.impermissible is not None:
        share = (x - item.impermissible) / (item.satisfactory - item.impermissible)
        share = share.clip(0, 1) if item.clamp else share.clip(upper_bound=1)
    else:
        low = _masked(x).min().over(keys)
        high = _masked(x).max().over(keys)
        spread = high - low
        position = better(item, x) - (-high if item.lower_is_better else low)
        share = (
            pl.when(spread.round(COMPARE_DIGITS) == 0)
            .then(pl.lit(1.0))
            .otherwise(position / spread)
        )
    return frame.with_columns(
        place=_place(item, keys),
        normalised=_masked(share),
        raw_points=item.weight * (item.base + item.span * share),
    )


def _attainment(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    reference = pl.col("x_target")
    if item.effective_metric == "completion":
        reference = pl.lit(100.0)
    _require_reference(frame, item, "attainment")
    ratio = reference / pl.col("x") if item.lower_is_better else pl.col("x") / reference
    ratio = ratio.clip(0, item.cap)
    return frame.with_columns(
        place=_place(item, keys),
        normalised=_masked(ratio),
        raw_points=item.weight * ratio,
    )


def _bands(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    x = better(item, pl.col("x")).round(COMPARE_DIGITS)
    points: pl.Expr = pl.lit(0.0)
    for threshold, band_points in reversed(item.bands or []):
        edge = round(-threshold if item.lower_is_better else threshold, COMPARE_DIGITS)
        points = pl.when(x >= edge).then(pl.lit(float(band_points))).otherwise(points)
    return frame.with_columns(
        place=_place(item, keys),
        normalised=pl.lit(None, dtype=pl.Float64),
        raw_points=points,
    )


def _linear(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    reference = item.reference
    if reference == "target":
        _require_reference(frame, item, "linear")
        ref = pl.col("x_target")
    elif reference == "mean":
        ref = _masked(pl.col("x")).mean().over(keys).round(COMPARE_DIGITS)
    elif reference == "median":
        ref = _masked(pl.col("x")).median().over(keys).round(COMPARE_DIGITS)
    else:
        ref = pl.lit(float(reference or 0))
    steps = better(item, pl.col("x") - ref) / item.per
    low = 0.0 if item.min_points is None else item.min_points
    high = item.weight if item.max_points is None else item.max_points
    points = pl.lit(item.base_points or 0.0) + steps.round(COMPARE_DIGITS) * (item.slope or 0)
    return frame.with_columns(
        place=_place(item, keys),
        normalised=_masked(ref),
        raw_points=points.clip(low, high),
    )


def _manual(frame: pl.DataFrame, item: Item, keys: list[str]) -> pl.DataFrame:
    return frame.with_columns(
        place=_place(item, keys),
        normalised=pl.lit(None, dtype=pl.Float64),
        raw_points=pl.col("x"),
    )


def _require_reference(frame: pl.DataFrame, item: Item, method: str) -> None:
    if item.effective_metric == "completion" and method == "attainment":
        return
    lacking = frame.filter(pl.col("taking_part") & pl.col("x_target").is_null())
    if lacking.height:
        raise DataError(
            f"item {item.code}: {method} needs the target of the {item.effective_metric} metric",
            details=[f"unit {u}: no target" for u in lacking["unit"].to_list()],
        )
    if method == "attainment":
        zero = frame.filter(pl.col("taking_part") & (pl.col("x_target") <= 0))
        if zero.height:
            raise DataError(
                f"item {item.code}: attainment divides by the target, which must be positive",
                details=[
                    f"unit {u}: target {t:g}"
                    for u, t in zero.select("unit", "x_target").iter_rows()
                ],
            )


_METHODS: dict[str, Callable[[pl.DataFrame, Item, list[str]], pl.DataFrame]] = {
    "rank": _rank,
    "efficacy": _efficacy,
    "attainment": _attainment,
    "bands": _bands,
    "linear": _linear,
    "manual": _manual,
}
