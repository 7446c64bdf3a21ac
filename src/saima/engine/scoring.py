"""Scoring methods: turn each unit's metric on an item into points, group by group.

All items of a race are scored in one vectorised pass: each row carries its item's parameters
(joined from a small table, one row per item), group statistics (places, min, max, mean, median)
are window expressions over the item and the grouping keys, and the method column picks which
formula gives the points. The same function scores the what-if scenarios behind "what would gain
one place" (grouping keys then include the scenario).

Per method, with `w` the weight, `x` the metric and `b(x)` the metric turned so that larger is
better (`−x` when lower is better):

- `rank`: `w − (place − 1)·step`, places by competition ranking of `b(x)` (1, 1, 3);
- `efficacy`: `w·(base + span·s)` with `s = (b(x) − min b)/(max b − min b)` in the group (1 when
  all are equal), or `s = (x − impermissible)/(satisfactory − impermissible)` clamped to 0…1
  (only capped at 1 when `clamp = false`);
- `attainment`: `w·r` with `r = x/target` (`target/x` when lower is better) within 0…cap;
- `bands`: the points of the best band whose threshold `b(x)` reaches;
- `linear`: `base_points + slope·b(x − reference)/per` within `min_points…max_points`;
- `manual`: the points given.

Points always lie within 0…w (0…cap·w for attainment with a cap above 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from saima.engine.errors import DataError
from saima.engine.frames import COMPARE_DIGITS
from saima.engine.rules import Item
from saima.engine.text import _

Keys = Sequence[str]

_METHODS = pl.Enum(["rank", "efficacy", "attainment", "bands", "linear", "manual"])
_REFERENCE_KINDS = pl.Enum(["target", "mean", "median", "number"])

_PARAMETERS = {
    "item": pl.String,
    "scoring_method": _METHODS,
    "sign": pl.Float64,
    "full_points": pl.Float64,
    "step": pl.Float64,
    "base": pl.Float64,
    "span": pl.Float64,
    "satisfactory": pl.Float64,
    "impermissible": pl.Float64,
    "clamp": pl.Boolean,
    "cap": pl.Float64,
    "on_completion": pl.Boolean,
    "reference_kind": _REFERENCE_KINDS,
    "reference_value": pl.Float64,
    "base_points": pl.Float64,
    "slope": pl.Float64,
    "per": pl.Float64,
    "min_points": pl.Float64,
    "max_points": pl.Float64,
    "qualify": pl.Float64,
}


def better(item: Item, expr: pl.Expr) -> pl.Expr:
    """The metric turned so that larger is better, whatever the item's direction."""
    return -expr if item.lower_is_better else expr


def max_points(item: Item) -> float:
    """The most an item can give: its weight, or more only under an attainment cap above 1."""
    return item.weight * max(item.cap, 1.0) if item.method == "attainment" else item.weight


def rank_step(item: Item) -> float:
    """The points a place is worth under `rank`: `step`, or `step_pct` of the weight."""
    return item.step if item.step is not None else item.weight * (item.step_pct or 0) / 100


def score(
    frame: pl.DataFrame, items: Sequence[Item], keys: Keys, *, statistics: bool = False
) -> pl.DataFrame:
    """Add `taking_part`, `place`, `normalised` and `raw_points` to rows of the given items.

    `frame` has one row per unit and item with `item`, the grouping `keys`, the metric `x`, its
    reference `x_target` and `participant` (applicable, reported, not excluded). Raw points are
    before any spreading of the weight of items that do not apply.

    With `statistics`, the frame brings each row's group statistics (`place`, `group_min`,
    `group_max`, `group_mean`, `group_median`, as `_group_statistics` computes them) instead of
    the whole group: the what-if scenarios of `saima.engine.gains` score a few rows against
    statistics they work out.
    """
    columns = frame.columns
    parameters = _parameters(items)
    # Each row's item as its position among `items` (null for another item): the parameters are
    # picked by position rather than joined on the code. A race's frame carries that position
    # already (`item_index`, its place among the rules' items, which are `items`).
    if "item_index" in frame.columns:
        index = frame["item_index"]
    else:
        index = frame["item"].cast(pl.Enum(parameters["item"]), strict=False).to_physical()
    frame = pl.concat([frame, parameters.drop("item")[index]], how="horizontal")
    frame = frame.with_columns(taking_part=pl.col("participant") & _qualifies())
    _check_references(frame, items)
    frame = frame.with_columns(better_x=pl.col("sign") * pl.col("x"))
    if not statistics:
        frame = frame.with_columns(group_id=_group_id(frame, keys, index))
        frame = _group_statistics(frame, items, "group_id")
    frame = _bands(frame, items)
    share = _efficacy_share()
    ratio = _attainment_ratio()
    reference = _linear_reference()
    method = pl.col("scoring_method")
    raw = (
        pl.when(method == "rank")
        .then(pl.col("full_points") - (pl.col("place") - 1) * pl.col("step"))
        .when(method == "efficacy")
        .then(pl.col("full_points") * (pl.col("base") + pl.col("span") * share))
        .when(method == "attainment")
        .then(pl.col("full_points") * ratio)
        .when(method == "bands")
        .then(pl.col("band_points"))
        .when(method == "linear")
        .then(
            (
                pl.col("base_points")
                + (pl.col("sign") * (pl.col("x") - reference) / pl.col("per")).round(COMPARE_DIGITS)
                * pl.col("slope")
            ).clip(pl.col("min_points"), pl.col("max_points"))
        )
        .otherwise(pl.col("x"))
    )
    normalised = (
        pl.when(method == "efficacy")
        .then(share)
        .when(method == "attainment")
        .then(ratio)
        .when(method == "linear")
        .then(reference)
    )
    cap = (
        pl.when(method == "attainment")
        .then(pl.col("full_points") * pl.col("cap").clip(1))
        .otherwise(pl.col("full_points"))
    )
    points = raw.cast(pl.Float64).clip(0, cap).round(COMPARE_DIGITS)
    return frame.with_columns(
        normalised=_masked(normalised),
        raw_points=pl.when(pl.col("taking_part")).then(points).otherwise(pl.lit(0.0)),
    ).select(*(c for c in columns if c not in _ADDED), *_ADDED)


#: The columns `score` adds (or, given `statistics`, replaces).
_ADDED = ("taking_part", "place", "normalised", "raw_points")


def _group_id(frame: pl.DataFrame, keys: Keys, index: pl.Series) -> pl.Series:
    """One integer per item and group: window statistics over one integer column are cheap."""
    gid = pl.repeat(0, frame.height, dtype=pl.Int64, eager=True).alias("group_id")
    for column in [index, *(frame[key] for key in keys)]:
        if column.dtype == pl.String:
            column = column.cast(pl.Categorical).to_physical()
        column = column.cast(pl.Int64).fill_null(-1) + 1
        gid = gid * (int(column.max() or 0) + 1) + column
    return gid


def _group_statistics(frame: pl.DataFrame, items: Sequence[Item], group: str) -> pl.DataFrame:
    """Places, and the group statistics that some item of this race needs (median sorts).

    Places are a window over the group; the statistics are one aggregation per group, joined
    back (cheaper than a window each).
    """
    methods = {item.method for item in items}
    references = {item.reference for item in items if item.method == "linear"}
    group_efficacy = any(i.method == "efficacy" and i.satisfactory is None for i in items)
    statistics = {}
    if group_efficacy:
        statistics["group_min"] = _masked(pl.col("better_x")).min()
        statistics["group_max"] = _masked(pl.col("better_x")).max()
    if "linear" in methods and "mean" in references:
        statistics["group_mean"] = _masked(pl.col("x")).mean().round(COMPARE_DIGITS)
    if "linear" in methods and "median" in references:
        statistics["group_median"] = _masked(pl.col("x")).median().round(COMPARE_DIGITS)
    place = (
        _masked(pl.col("better_x").round(COMPARE_DIGITS))
        .rank("min", descending=True)
        .over(group)
        .cast(pl.Int64)
    )
    frame = frame.with_columns(place=place)
    if statistics:
        by_group = frame.group_by(group).agg(**statistics)
        frame = frame.join(by_group, on=group, how="left", maintain_order="left")
    missing = pl.lit(None, dtype=pl.Float64)
    return frame.with_columns(
        **{
            name: missing
            for name in ("group_min", "group_max", "group_mean", "group_median")
            if name not in statistics
        }
    )


def _parameters(items: Sequence[Item]) -> pl.DataFrame:
    rows = []
    for item in items:
        step = rank_step(item)
        reference = item.reference
        rows.append(
            {
                "item": item.code,
                "scoring_method": item.method,
                "sign": -1.0 if item.lower_is_better else 1.0,
                "full_points": float(item.weight),
                "step": float(step),
                "base": item.base,
                "span": item.span,
                "satisfactory": item.satisfactory,
                "impermissible": item.impermissible,
                "clamp": item.clamp,
                "cap": item.cap,
                "on_completion": item.effective_metric == "completion",
                "reference_kind": reference if isinstance(reference, str) else "number",
                "reference_value": None if isinstance(reference, str) else reference,
                "base_points": item.base_points,
                "slope": item.slope,
                "per": item.per,
                "min_points": 0.0 if item.min_points is None else item.min_points,
                "max_points": float(item.weight if item.max_points is None else item.max_points),
                "qualify": item.qualify,
            }
        )
    return pl.DataFrame(rows, schema=_PARAMETERS)


def takes_part(item: Item, x: pl.Series) -> pl.Series:
    """Whether each metric value passes the item's `qualify` threshold, as `score` decides."""
    parameters = _parameters([item]).drop("item")
    frame = pl.concat([pl.DataFrame({"x": x}), parameters[[0] * len(x)]], how="horizontal")
    return frame.select(_qualifies())["qualify"].fill_null(True)


def _masked(expr: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("taking_part")).then(expr)


def _qualifies() -> pl.Expr:
    gap = (pl.col("sign") * (pl.col("x") - pl.col("qualify"))).round(COMPARE_DIGITS)
    return pl.col("qualify").is_null() | (gap >= 0).fill_null(False)


def _efficacy_share() -> pl.Expr:
    fixed = (pl.col("x") - pl.col("impermissible")) / (
        pl.col("satisfactory") - pl.col("impermissible")
    )
    fixed = pl.when(pl.col("clamp")).then(fixed.clip(0, 1)).otherwise(fixed.clip(upper_bound=1))
    spread = pl.col("group_max") - pl.col("group_min")
    in_group = (
        pl.when(spread.round(COMPARE_DIGITS) == 0)
        .then(pl.lit(1.0))
        .otherwise((pl.col("better_x") - pl.col("group_min")) / spread)
    )
    return pl.when(pl.col("satisfactory").is_not_null()).then(fixed).otherwise(in_group)


def _attainment_ratio() -> pl.Expr:
    reference = pl.when(pl.col("on_completion")).then(pl.lit(100.0)).otherwise(pl.col("x_target"))
    # Lower is better: a level at or below zero is as good as a level can be (the cap), not a
    # negative ratio scoring nothing; so the points never fall as the level improves.
    ratio = (
        pl.when((pl.col("sign") < 0) & (pl.col("x") <= 0))
        .then(pl.col("cap"))
        .when(pl.col("sign") < 0)
        .then(reference / pl.col("x"))
        .otherwise(pl.col("x") / reference)
    )
    return ratio.clip(0, pl.col("cap"))


def _linear_reference() -> pl.Expr:
    kind = pl.col("reference_kind")
    return (
        pl.when(kind == "target")
        .then(pl.col("x_target"))
        .when(kind == "mean")
        .then(pl.col("group_mean"))
        .when(kind == "median")
        .then(pl.col("group_median"))
        .otherwise(pl.col("reference_value"))
    )


def _bands(frame: pl.DataFrame, items: Sequence[Item]) -> pl.DataFrame:
    """`band_points`: the points of the best band reached, by an as-of join on the metric."""
    edges = [
        {
            "item": item.code,
            "band_edge": round(-threshold if item.lower_is_better else threshold, COMPARE_DIGITS),
            "band_points": float(points),
        }
        for item in items
        if item.method == "bands"
        for threshold, points in item.bands or []
    ]
    if not edges:
        return frame.with_columns(band_points=pl.lit(None, dtype=pl.Float64))
    table = pl.DataFrame(edges).sort("band_edge")
    rows = frame.select(pl.arg_where(pl.col("scoring_method") == "bands").alias("row"))["row"]
    reached = (
        frame.select("item", pl.col("better_x").round(COMPARE_DIGITS).fill_null(float("-inf")))[
            rows
        ]
        .with_columns(row=rows)
        .sort("better_x")
        .join_asof(
            table,
            left_on="better_x",
            right_on="band_edge",
            by="item",
            strategy="backward",
            check_sortedness=False,  # both sides are sorted on the key, hence within each item
        )
    )
    points = pl.repeat(None, frame.height, dtype=pl.Float64, eager=True)
    if reached.height:
        points = points.scatter(reached["row"], reached["band_points"].fill_null(0.0))
    return frame.with_columns(band_points=points)


def _check_references(frame: pl.DataFrame, items: Sequence[Item]) -> None:
    """Attainment and linear-to-target compare with a target; each unit taking part needs one."""
    needing = [
        item
        for item in items
        if (item.method == "attainment" and item.effective_metric != "completion")
        or (item.method == "linear" and item.reference == "target")
    ]
    if not needing:
        return
    codes = [item.code for item in needing]
    suspicious = (
        pl.col("item").is_in(codes)
        & pl.col("taking_part")
        & (
            pl.col("x_target").is_null()
            | ((pl.col("scoring_method") == "attainment") & (pl.col("x_target") <= 0))
        )
    )
    if not frame.select(suspicious.any()).item():
        return
    suspect = frame.filter(suspicious)
    for item in needing:
        rows = suspect.filter(pl.col("item") == item.code)
        lacking = rows.filter(pl.col("x_target").is_null())
        if lacking.height:
            raise DataError(
                _(
                    "item %(item)s: %(method)s needs the target of the %(metric)s metric",
                    item=item.code,
                    method=item.method,
                    metric=item.effective_metric,
                ),
                details=[_("unit %(unit)s: no target", unit=u) for u in lacking["unit"].to_list()],
            )
        if rows.height:
            raise DataError(
                _(
                    "item %(item)s: attainment divides by the target, which must be positive",
                    item=item.code,
                ),
                details=[
                    _("unit %(unit)s: target %(target)s", unit=u, target=f"{t:g}")
                    for u, t in rows.select("unit", "x_target").iter_rows()
                ],
            )
