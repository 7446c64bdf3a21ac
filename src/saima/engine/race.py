"""The horse race (赛马): score, total, rank and flag the units of each race group.

`score_race` takes the progress frame of the period (from `compute_progress`), the units with their
race groups, and optional adjustments, manual scores and the previous result. It returns the
standings (one row per unit) and the explanation (one row per unit × item: metric, place or
normalised value, points, weight). `score_races` computes the races of several periods (a year's
quarters, each against the one before) in one pass, with the same results. What would gain a unit
one place is `saima.engine.gains`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from saima.engine.errors import DataError
from saima.engine.periods import Period
from saima.engine.progress import COMPARE_DIGITS, MISSING
from saima.engine.rules import Rules
from saima.engine.scoring import Keys, better, score
from saima.engine.text import _, format_expr, template

GROUP = ["group"]
DEFAULT_GROUP = "all"

# The notes of an explanation and the reasons a unit is not ranked: plain strings in the frames
# (and in what a platform stores), declared so that a platform can say them in its language.
NOTE_NOT_APPLICABLE = template(_("does not apply; weight spread over the other items"))
NOTE_MISSING = {
    "zero": template(_("no figure (missing = zero)")),
    "exclude": template(_("no figure (missing = exclude)")),
    "error": template(_("no figure (missing = error)")),
}
NOTE_NOT_QUALIFYING = template(_("below the qualifying threshold"))
REASON_NO_FIGURE = template(_("no figure for %(items)s"))
REASON_NO_ITEM = template(_("no item applies to this unit"))

ITEM_COLUMNS = [
    "group",
    "unit",
    "item",
    "indicator",
    "method",
    "metric_name",
    "x",
    "x_target",
    "light",
    "applicable",
    "missing",
    "taking_part",
    "place",
    "normalised",
    "raw_points",
    "points",
    "weight",
]


@dataclass(frozen=True)
class RaceResult:
    """What a race computes: standings, the explanation of every score, and what was missing."""

    rules: Rules
    period: str
    standings: pl.DataFrame
    missing: pl.DataFrame
    scored: pl.DataFrame
    adjustments: pl.DataFrame

    @functools.cached_property
    def items(self) -> pl.DataFrame:
        """One row per unit and item, in order (sorted on first use: a national race need not)."""
        return self.scored.select(ITEM_COLUMNS).sort("group", "unit", "item")

    def explanation(self, gained: pl.DataFrame | None = None) -> pl.DataFrame:
        """Why each score: per unit and item the metric, place or normalised value, points, weight.

        With `gained` (from `gains`), also the smallest improvement that would gain one place.
        """
        note = (
            pl.when(~pl.col("applicable"))
            .then(pl.lit(NOTE_NOT_APPLICABLE))
            .when(pl.col("missing"))
            .then(pl.lit(NOTE_MISSING[self.rules.missing.policy]))
            .when(~pl.col("taking_part"))
            .then(pl.lit(NOTE_NOT_QUALIFYING))
            .otherwise(pl.lit(""))
        )
        frame = self.items.select(
            "group",
            "unit",
            "item",
            "indicator",
            "method",
            pl.col("metric_name").alias("metric"),
            pl.col("x").alias("metric_value"),
            "light",
            "place",
            "normalised",
            "points",
            "weight",
            note.alias("note"),
        )
        if gained is not None:
            frame = frame.join(gained, on=["unit", "item"], how="left")
        return frame

    def wide(self) -> pl.DataFrame:
        """Standings with `metric_<code>` and `score_<code>` columns per item."""
        metrics = self.items.pivot(on="item", index="unit", values="x").rename(
            lambda c: c if c == "unit" else f"metric_{c}"
        )
        scores = self.items.pivot(on="item", index="unit", values="points").rename(
            lambda c: c if c == "unit" else f"score_{c}"
        )
        order = [f"metric_{i.code}" for i in self.rules.items]
        order += [f"score_{i.code}" for i in self.rules.items]
        return (
            self.standings.join(metrics, on="unit", how="left")
            .join(scores, on="unit", how="left")
            .select(*self.standings.columns, *order)
        )


def score_race(
    rules: Rules,
    progress: pl.DataFrame,
    units: pl.DataFrame,
    *,
    adjustments: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    previous: pl.DataFrame | None = None,
) -> RaceResult:
    """Compute a race from the period's progress rows."""
    long = _item_frame(rules, progress, units, scores)
    # Unit by unit, items in the rules' order, as the messages have always listed them.
    missing = (
        long.filter(pl.col("missing")).sort("_u", "_i").select("group", "unit", "item", "indicator")
    )
    long, excluded = _apply_missing_policy(rules, long, missing)
    adjust = adjustment_totals(rules, adjustments, units)
    # Grouped by the group's number rather than its name: the same groups, cheaper windows.
    scored = score_items(rules, long, ["_g"])
    per_unit = _per_unit(rules, scored, units, adjust)
    scored = scored.drop(_POSITIONS)
    if per_unit is None:
        totals = rank_units(rules, scored, adjust, GROUP)
    else:
        totals = rank_totals(rules, per_unit, GROUP).drop("tie")
    standings = _standings(rules, scored, totals, excluded, previous)
    period = progress["period"][0] if progress.height else ""
    return RaceResult(
        rules=rules,
        period=period,
        standings=standings,
        missing=missing.sort("group", "unit", "item"),
        scored=scored,
        adjustments=adjust,
    )


#: Adjustments or manual scores for a batch of races: one frame for every period, or a frame
#: per period label.
PerPeriod = pl.DataFrame | Mapping[str, pl.DataFrame] | None


def score_races(
    rules: Rules,
    progress: pl.DataFrame,
    units: pl.DataFrame,
    *,
    periods: Sequence[str | Period] | None = None,
    adjustments: PerPeriod = None,
    scores: PerPeriod = None,
    previous: pl.DataFrame | None = None,
) -> list[RaceResult]:
    """The races of several periods in one vectorised pass: one `RaceResult` per period.

    `progress` holds the rows of several periods (from `compute_progress_periods`, say a year's
    months); `periods` picks the periods to race, in order (default: every period of
    `progress`, in order). Each race's previous result is the race before it; the first one's is
    `previous`. `adjustments` and `scores` are one frame for every period, or a mapping from the
    period's label to its frame (a period missing from it has none).

    The results are those of `score_race` called period by period on the period's rows, figure
    for figure; and where `score_race` would refuse a period, so does this, with its error.
    """
    labels = _period_labels(progress, periods)
    if not labels:
        return []
    results = None
    try:
        batch = _Batch(rules, progress, units, labels)
        if batch.long is not None:
            results = batch.results(adjustments, scores, previous)
    except DataError:
        pass  # the races one by one raise it for the period at fault, as `score_race` would
    if results is None:
        results = _one_by_one(rules, progress, units, labels, adjustments, scores, previous)
    return results


def _period_labels(progress: pl.DataFrame, periods: Sequence[str | Period] | None) -> list[str]:
    if periods is None:
        return progress["period"].unique().sort().to_list() if progress.height else []
    labels = [p.label if isinstance(p, Period) else str(p) for p in periods]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise DataError(_("a period is asked for twice"), details=twice)
    return labels


def _for_period(frames: PerPeriod, label: str) -> pl.DataFrame | None:
    return frames.get(label) if isinstance(frames, Mapping) else frames


def _one_by_one(
    rules: Rules,
    progress: pl.DataFrame,
    units: pl.DataFrame,
    labels: list[str],
    adjustments: PerPeriod,
    scores: PerPeriod,
    previous: pl.DataFrame | None,
) -> list[RaceResult]:
    results = []
    for label in labels:
        result = score_race(
            rules,
            progress.filter(pl.col("period") == label),
            units,
            adjustments=_for_period(adjustments, label),
            scores=_for_period(scores, label),
            previous=previous,
        )
        results.append(result)
        previous = result.standings
    return results


class _Batch:
    """The item frames of several periods stacked period by period (`_p`, the period's number)
    and scored in one pass; only the standings (flags, rank changes) go period by period.

    `long` is None when the inputs call for the general path (units named twice, a period
    without rows, a figure given twice): then the races are computed one by one.
    """

    def __init__(
        self, rules: Rules, progress: pl.DataFrame, units: pl.DataFrame, labels: list[str]
    ) -> None:
        self.rules, self.units, self.labels = rules, units, labels
        self.long: pl.DataFrame | None = None
        names = units["unit"].cast(pl.String)
        if names.null_count() or names.is_duplicated().any():
            return
        grid, spec = _item_grid(rules, units)
        self.size = grid.height
        found = _periods_by_position(progress, labels, names, spec["indicator"], _NEEDED[2:])
        if found is None:
            return
        count = len(labels)
        period = pl.int_range(count, dtype=pl.UInt32, eager=True).alias("_p")
        self.long = pl.concat(
            [
                pl.concat([grid] * count, rechunk=True),
                found,
                period.gather(pl.int_range(count, eager=True).repeat_by(grid.height).explode())
                .rechunk()
                .to_frame(),
            ],
            how="horizontal",
        )

    def results(
        self, adjustments: PerPeriod, scores: PerPeriod, previous: pl.DataFrame | None
    ) -> list[RaceResult]:
        rules, labels, units = self.rules, self.labels, self.units
        long = _with_metrics(rules, self.long, *self._manual(scores))
        missing = (
            long.filter(pl.col("missing"))
            .sort("_p", "_u", "_i")
            .select("_p", "group", "unit", "item", "indicator")
        )
        if rules.missing.policy == "error" and missing.height:
            raise DataError(_("figures are missing"))  # `score_race` names them, by period
        long, excluded = _exclusions(rules, long, missing)
        scored = _spread(score(long, rules.items, ["_p", "_g"]), ["_p", "_g"], "_p")
        adjust = (
            {
                label: adjustment_totals(rules, _for_period(adjustments, label), units)
                for label in labels
            }
            if isinstance(adjustments, Mapping)
            else None
        )
        if adjust is None:
            shared = adjustment_totals(rules, adjustments, units)
            adjust = dict.fromkeys(labels, shared)
            totals = _with_adjustments(self._per_unit(scored), shared)
        else:
            each = pl.concat(
                [
                    a.with_columns(_p=pl.lit(k, dtype=pl.UInt32))
                    for k, a in enumerate(adjust.values())
                ]
            )
            totals = _with_adjustments(self._per_unit(scored), each, on=["_p", "unit"])
        totals = rank_totals(rules, totals, ["_p", *GROUP]).drop("tie")
        scored = scored.drop(*_POSITIONS)
        by_period = totals.partition_by("_p", as_dict=True, include_key=False)
        out = excluded.partition_by("_p", as_dict=True, include_key=False)
        lacking = missing.partition_by("_p", as_dict=True, include_key=False)
        results = []
        for k, label in enumerate(labels):
            rows = scored.slice(k * self.size, self.size).drop("_p")
            standings = _standings(
                rules, rows, by_period[(k,)], out.get((k,), _NO_EXCLUSIONS), previous
            )
            results.append(
                RaceResult(
                    rules=rules,
                    period=label,
                    standings=standings,
                    missing=lacking.get((k,), missing.drop("_p").clear()).sort(
                        "group", "unit", "item"
                    ),
                    scored=rows,
                    adjustments=adjust[label],
                )
            )
            previous = standings
        return results

    def _manual(self, scores: PerPeriod) -> tuple[pl.DataFrame, list[str]]:
        if not isinstance(scores, Mapping):
            return _manual_points(self.rules, scores), ["unit", "item"]
        each = [
            _manual_points(self.rules, scores.get(label)).with_columns(
                _p=pl.lit(k, dtype=pl.UInt32)
            )
            for k, label in enumerate(self.labels)
        ]
        return pl.concat(each).select("_p", "unit", "item", "_manual"), ["_p", "unit", "item"]

    def _per_unit(self, scored: pl.DataFrame) -> pl.DataFrame:
        """`_per_unit` per period and unit, before the adjustments."""
        figures = scored.group_by("_p", "_u").agg(**_unit_figures(self.rules))
        named = self.units.select("unit", pl.col("group").fill_null(DEFAULT_GROUP))
        return pl.concat([named[figures["_u"]], figures.drop("_u")], how="horizontal")


_NEEDED = (
    "unit",
    "indicator",
    "kind",
    "value",
    "target",
    "completion",
    "gap_pp",
    "growth",
    "light",
    "applicable",
)
_NO_EXCLUSIONS = pl.DataFrame(schema={"unit": pl.String, "reason": pl.String})


def _periods_by_position(
    progress: pl.DataFrame,
    labels: list[str],
    unit_names: pl.Series,
    sources: pl.Series,
    columns: Sequence[str],
) -> pl.DataFrame | None:
    """`_progress_by_position` for the periods of `labels`, stacked period by period.

    Periods whose rows name the same units and indicators in the same order as the period
    before (as `compute_progress_periods` gives them) reuse its positions. None when some period
    has no row or gives some (unit, indicator) twice.
    """
    period = pl.col("period").cast(pl.String)
    stacked = []
    names = index = None
    for label in labels:
        rows = progress.select(pl.arg_where(period == label)).to_series()
        if rows.len() == 0:
            return None
        first, last = rows[0], rows[-1]
        contiguous = last - first + 1 == rows.len()
        part = progress.slice(first, rows.len()) if contiguous else progress[rows]
        these = part.select("unit", "indicator")
        if index is None or not these.equals(names):
            names, index = these, _position_index(these, unit_names, sources)
            if index is None:
                return None
        stacked.append(part.select(columns).rechunk()[index])
    return pl.concat(stacked, rechunk=True)


#: Positions `_item_frame` adds: the unit's row in the units, its group's number, the item's
#: place among the rules' items.
_POSITIONS = ("_u", "_g", "_i")


def item_frame(
    rules: Rules, progress: pl.DataFrame, units: pl.DataFrame, scores: pl.DataFrame | None
) -> pl.DataFrame:
    """One row per unit × item with the metric `x` and its reference `x_target`."""
    return _item_frame(rules, progress, units, scores).drop(_POSITIONS)


def _item_frame(
    rules: Rules, progress: pl.DataFrame, units: pl.DataFrame, scores: pl.DataFrame | None
) -> pl.DataFrame:
    """`item_frame` with the positions of `_POSITIONS`, so that later steps need no names."""
    frame, spec = _item_grid(rules, units)
    found = _progress_by_position(progress.select(_NEEDED), units["unit"], spec["indicator"])
    if found is not None:
        frame = pl.concat([frame, found], how="horizontal")
    else:
        frame = frame.join(
            progress.select(_NEEDED).rename({"indicator": "_indicator"}),
            left_on=["unit", "indicator"],
            right_on=["unit", "_indicator"],
            how="left",
        )
    return _with_metrics(rules, frame, _manual_points(rules, scores), ["unit", "item"])


def _item_grid(rules: Rules, units: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per item × unit (items outer, units inner in their order), and the items."""
    spec = pl.DataFrame(
        [
            {
                "item": item.code,
                "indicator": item.source,
                "method": item.method,
                "metric_name": "points" if item.method == "manual" else item.effective_metric,
                "weight": float(item.weight),
            }
            for item in rules.items
        ]
    )
    units = units.select("unit", pl.col("group").fill_null(DEFAULT_GROUP))
    known = set(units["unit"].to_list())
    strangers = [(i.code, u) for i in rules.items for u in i.exempt if u not in known]
    if strangers:
        raise DataError(
            _("the rules exempt units that are not in the race"),
            details=[
                _("item %(item)s: exempt unit %(unit)s", item=code, unit=repr(unit))
                for code, unit in strangers
            ],
        )
    # Item by item, every unit in the units' order.
    numbered_spec = spec.with_row_index("_i")
    groups = pl.Enum(units["group"].unique().sort())
    numbered_units = units.with_row_index("_u").with_columns(
        _g=pl.col("group").cast(groups).to_physical()
    )
    frame = numbered_spec.join(numbered_units, how="cross").select(
        *units.columns, *spec.columns, *_POSITIONS
    )
    return frame, spec


def _with_metrics(
    rules: Rules, frame: pl.DataFrame, manual: pl.DataFrame, on: list[str]
) -> pl.DataFrame:
    """The item × unit rows with their progress: the manual points (joined on `on`), the
    exemptions, whether the item applies, the metric `x`, its reference `x_target`, and
    whether the figure is missing."""
    if manual.height:
        frame = frame.join(manual, on=on, how="left", maintain_order="left")
    else:
        frame = frame.with_columns(_manual=pl.lit(None, dtype=pl.Float64))
    exempt = pl.DataFrame(
        [(item.code, unit) for item in rules.items for unit in item.exempt],
        schema={"item": pl.String, "unit": pl.String},
        orient="row",
    ).with_columns(_exempt=pl.lit(True))
    if exempt.height:
        frame = frame.join(exempt, on=["item", "unit"], how="left", maintain_order="left")
    else:
        frame = frame.with_columns(_exempt=pl.lit(None, dtype=pl.Boolean))
    is_manual = pl.col("method") == "manual"
    applicable = (
        pl.when(pl.col("_exempt").fill_null(False))
        .then(False)
        .when(is_manual)
        .then(True)
        .otherwise(pl.col("applicable").fill_null(True))
    )
    frame = frame.with_columns(
        x=pl.when(is_manual).then(pl.col("_manual")).otherwise(_metric()),
        x_target=_metric_target(),
        applicable=applicable,
    )
    _check_targets_present(frame)
    return frame.with_columns(
        missing=pl.col("applicable") & pl.col("x").is_null(),
        light=pl.when(pl.col("applicable")).then(pl.col("light")).otherwise(pl.lit("n/a")),
    )


def _progress_by_position(
    progress: pl.DataFrame, unit_names: pl.Series, sources: pl.Series
) -> pl.DataFrame | None:
    """The progress columns for each row of the item × unit frame (items outer, units inner).

    Each (unit, indicator) of the progress gets an integer key, and the rows are picked by
    position, not by a join on names. None (the caller joins) when the units are not unique or
    the progress has some (unit, indicator) twice.
    """
    unit_names = unit_names.cast(pl.String)
    if progress.height == 0 or unit_names.null_count() or unit_names.is_duplicated().any():
        return None
    index = _position_index(progress, unit_names, sources)
    if index is None:
        return None
    return progress.drop("unit", "indicator").rechunk()[index]


def _position_index(
    progress: pl.DataFrame, unit_names: pl.Series, sources: pl.Series
) -> pl.Series | None:
    """For each row of the item × unit frame, the row of `progress` with its unit and the
    item's indicator (null where none); None if some (unit, indicator) comes twice."""
    units = pl.Enum(unit_names.cast(pl.String))
    indicators = pl.Enum(sources.unique().sort())
    width = len(indicators.categories)
    keys = progress.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
        _key=pl.col("unit").cast(units, strict=False).to_physical().cast(pl.Int64) * width
        + pl.col("indicator").cast(indicators, strict=False).to_physical().cast(pl.Int64),
    ).drop_nulls("_key")
    size = unit_names.len() * width
    table = pl.repeat(None, size, dtype=pl.UInt32, eager=True)
    if keys.height:
        table = table.scatter(keys["_key"], keys["_row"])
    if size - table.null_count() != keys.height:
        return None
    start = pl.int_range(unit_names.len(), dtype=pl.Int64, eager=True) * width
    wanted = pl.concat(
        [start + index for index in sources.cast(indicators).to_physical().to_list()]
    )
    return table.gather(wanted)


def _metric() -> pl.Expr:
    name = pl.col("metric_name")
    return (
        pl.when(name == "completion")
        .then(pl.col("completion"))
        .when(name == "gap")
        .then(pl.col("gap_pp"))
        .when(name == "growth")
        .then(pl.col("growth"))
        .when(name == "growth_vs_target")
        .then(pl.col("value") - pl.col("target"))
        .otherwise(pl.col("value"))
    )


def _metric_target() -> pl.Expr:
    """What `reference = "target"` and attainment compare the metric with."""
    name = pl.col("metric_name")
    return (
        pl.when(name.is_in(["gap", "growth_vs_target"]))
        .then(pl.lit(0.0))
        .when(name == "completion")
        .then(pl.lit(100.0))
        .when((name == "growth") & (pl.col("kind") == "growth"))
        .then(pl.col("target"))
        .when(name == "value")
        .then(pl.col("target"))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )


def _manual_points(rules: Rules, scores: pl.DataFrame | None) -> pl.DataFrame:
    empty = pl.DataFrame(schema={"unit": pl.String, "item": pl.String, "_manual": pl.Float64})
    manual_codes = {item.code for item in rules.items if item.method == "manual"}
    if scores is None or not manual_codes:
        return empty
    chosen = scores.filter(pl.col("item").is_in(list(manual_codes))).select(
        "unit", "item", pl.col("points").cast(pl.Float64).alias("_manual")
    )
    dup = chosen.group_by("unit", "item").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            _("manual scores are given twice"),
            details=[
                _("unit %(unit)s, item %(item)s", unit=u, item=i)
                for u, i in dup.select("unit", "item").iter_rows()
            ],
        )
    weights = pl.DataFrame(
        {"item": [i.code for i in rules.items], "_weight": [float(i.weight) for i in rules.items]}
    )
    bad = chosen.join(weights, on="item").filter(
        (pl.col("_manual") < 0) | (pl.col("_manual") > pl.col("_weight"))
    )
    if bad.height:
        raise DataError(
            _("manual points must lie between 0 and the item's weight"),
            details=[
                _(
                    "unit %(unit)s, item %(item)s: %(points)s points (weight %(weight)s)",
                    unit=u,
                    item=i,
                    points=f"{p:g}",
                    weight=f"{w:g}",
                )
                for u, i, p, w in bad.select("unit", "item", "_manual", "_weight").iter_rows()
            ],
        )
    return chosen


def _check_targets_present(frame: pl.DataFrame) -> None:
    lacking = frame.filter(
        (pl.col("method") != "manual")
        & pl.col("applicable")
        & pl.col("target").is_null()
        & pl.col("metric_name").is_in(["completion", "gap", "growth_vs_target"])
    )
    if lacking.height:
        raise DataError(
            _("some units have no target for an item whose metric needs one"),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s (item %(item)s): no target",
                    unit=u,
                    indicator=i,
                    item=c,
                )
                for u, i, c in lacking.select("unit", "indicator", "item").unique().iter_rows()
            ],
        )


def _apply_missing_policy(
    rules: Rules, long: pl.DataFrame, missing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    policy = rules.missing.policy
    if policy == "error" and missing.height:
        raise DataError(
            _("the race cannot be computed: figures are missing and the rules say missing = error"),
            details=[
                _(
                    "unit %(unit)s, item %(item)s (indicator %(indicator)s): no figure",
                    unit=u,
                    item=c,
                    indicator=i,
                )
                for u, c, i in missing.select("unit", "item", "indicator").iter_rows()
            ],
        )
    reasons = pl.DataFrame(schema={"unit": long.schema["unit"], "reason": pl.String})
    if policy == "exclude" and missing.height:
        reasons = (
            missing.group_by("unit")
            .agg(pl.col("item").sort().str.join(", ").alias("items"))
            .select("unit", format_expr(REASON_NO_FIGURE, items=pl.col("items")).alias("reason"))
        )
    no_items = reasons.clear()
    if not long["applicable"].fill_null(False).all():  # else every unit has an item
        no_items = (
            long.group_by("unit")
            .agg(pl.col("applicable").any().alias("any"))
            .filter(~pl.col("any"))
            .select("unit", pl.lit(REASON_NO_ITEM).alias("reason"))
        )
    excluded = pl.concat([reasons, no_items]).unique("unit", keep="first")
    is_excluded = pl.col("unit").is_in(excluded["unit"].implode()) if excluded.height else False
    long = long.with_columns(excluded=is_excluded).with_columns(
        participant=pl.col("applicable") & ~pl.col("missing") & ~pl.col("excluded"),
    )
    return long, excluded


def _exclusions(
    rules: Rules, long: pl.DataFrame, missing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`_apply_missing_policy` for the stacked periods of a batch (`_p`, and `_u` in `long`)."""
    by = ["_p", "unit"]
    reasons = pl.DataFrame(schema={"_p": pl.UInt32, "unit": pl.String, "reason": pl.String})
    if rules.missing.policy == "exclude" and missing.height:
        reasons = (
            missing.group_by(by)
            .agg(pl.col("item").sort().str.join(", ").alias("items"))
            .select(*by, format_expr(REASON_NO_FIGURE, items=pl.col("items")).alias("reason"))
        )
    no_items = reasons.clear()
    if not long["applicable"].fill_null(False).all():
        no_items = (
            long.group_by(by)
            .agg(pl.col("applicable").any().alias("any"))
            .filter(~pl.col("any"))
            .select(*by, pl.lit(REASON_NO_ITEM).alias("reason"))
        )
    excluded = pl.concat([reasons, no_items]).unique(by, keep="first")
    if excluded.height:
        # A (period, unit) as one number: the period's number times the units, plus the unit's.
        n = long["_u"].max() + 1
        unit = pl.col("unit").cast(pl.String).cast(pl.Enum(long["unit"][:n]))
        out = excluded.select(pl.col("_p").cast(pl.Int64) * n + unit.to_physical().cast(pl.Int64))
        place = pl.col("_p").cast(pl.Int64) * n + pl.col("_u").cast(pl.Int64)
        is_excluded = place.is_in(out.to_series().implode())
    else:
        is_excluded = False
    long = long.with_columns(excluded=is_excluded).with_columns(
        participant=pl.col("applicable") & ~pl.col("missing") & ~pl.col("excluded"),
    )
    return long, excluded


def score_items(rules: Rules, long: pl.DataFrame, keys: Keys) -> pl.DataFrame:
    """Score every item, then spread the weight of items that do not apply over the others."""
    return _spread(score(long, rules.items, keys), keys)


def _spread(frame: pl.DataFrame, keys: Keys, by: str | None = None) -> pl.DataFrame:
    """The weight of items that do not apply, spread over the others; `by` the column (the
    period of a batch) whose rows each decide alone whether every item applies everywhere."""
    applied = pl.when(pl.col("applicable")).then(pl.col("weight")).sum()
    spread = pl.when(applied > 0).then(100 / applied).over([*keys, "unit"])
    every = (
        frame.group_by(by).agg(pl.col("applicable").all())["applicable"]
        if by is not None
        else frame.select(pl.col("applicable").all()).to_series()
    )
    if every.all():
        factor = pl.lit(1.0)  # every item applies to every unit: nothing to spread
    elif not every.any():
        factor = spread
    else:
        factor = pl.when(pl.col("applicable").all().over(by)).then(pl.lit(1.0)).otherwise(spread)
    return frame.with_columns(
        points=pl.when(pl.col("applicable") & ~pl.col("excluded")).then(
            (pl.col("raw_points") * factor).round(COMPARE_DIGITS)
        ),
        weight=pl.when(pl.col("applicable")).then(pl.col("weight") * factor),
    )


def adjustment_totals(
    rules: Rules, adjustments: pl.DataFrame | None, units: pl.DataFrame
) -> pl.DataFrame:
    """Bonus and deduction per unit after the category and overall caps, and any veto."""
    schema = {"unit": pl.String, "bonus": pl.Float64, "deduction": pl.Float64, "veto": pl.Boolean}
    if adjustments is None or adjustments.height == 0:
        return pl.DataFrame(schema=schema)
    frame = adjustments.select(
        "unit",
        pl.col("points").cast(pl.Float64).fill_null(0.0),
        _optional(adjustments, "veto", pl.Boolean).fill_null(False),
        _optional(adjustments, "category", pl.String).fill_null(""),
    )
    unknown = frame.join(units.select("unit"), on="unit", how="anti")["unit"].unique().to_list()
    if unknown:
        raise DataError(
            _("adjustments name units that are not in the race"),
            details=[_("unit %(unit)s", unit=u) for u in sorted(unknown)],
        )
    caps = rules.adjustments
    by_category = frame.group_by("unit", "category").agg(
        bonus=pl.col("points").filter(pl.col("points") > 0).sum(),
        deduction=(-pl.col("points")).filter(pl.col("points") < 0).sum(),
        veto=pl.col("veto").any(),
    )
    category_cap = pl.col("category").replace_strict(
        caps.category_caps, default=None, return_dtype=pl.Float64
    )
    by_category = by_category.with_columns(
        bonus=pl.col("bonus").clip(upper_bound=category_cap.fill_null(float("inf"))),
        deduction=pl.col("deduction").clip(upper_bound=category_cap.fill_null(float("inf"))),
    )
    totals = by_category.group_by("unit").agg(
        pl.col("bonus").sum(), pl.col("deduction").sum(), pl.col("veto").any()
    )
    return totals.with_columns(
        bonus=pl.col("bonus").clip(upper_bound=_cap(caps.bonus_cap)).round(COMPARE_DIGITS),
        deduction=pl.col("deduction")
        .clip(upper_bound=_cap(caps.deduction_cap))
        .round(COMPARE_DIGITS),
    ).select(list(schema))


def _optional(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    """An optional column of an input frame, null where the frame has none."""
    column = pl.col(name) if name in frame.columns else pl.lit(None)
    return column.cast(dtype).alias(name)


def _cap(value: float | None) -> float:
    return float("inf") if value is None else value


def rank_units(
    rules: Rules, scored: pl.DataFrame, adjust: pl.DataFrame, keys: Keys
) -> pl.DataFrame:
    """Totals and competition ranks per unit; ties broken by the tie-break item's metric."""
    totals = unit_totals(rules, scored, adjust, keys)
    return rank_totals(rules, totals, keys).drop("tie")


def rank_totals(rules: Rules, totals: pl.DataFrame, keys: Keys) -> pl.DataFrame:
    """Competition ranks from `total`, `tie` and `veto` per unit within `keys`."""
    published = totals.with_columns(published=pl.col("total").round(rules.decimals))
    return published.with_columns(rank=_competition_rank(rules, list(keys))).drop("published")


def unit_totals(
    rules: Rules, scored: pl.DataFrame, adjust: pl.DataFrame, keys: Keys
) -> pl.DataFrame:
    """Per unit: the items' points, bonus, deduction, total, veto and tie-break value."""
    keys = list(keys)
    unit_keys = [*keys, "unit"]
    totals = scored.group_by(unit_keys).agg(
        item_points=pl.col("points").sum(),
        excluded=pl.col("excluded").any(),
        tie=_tie_expr(rules),
    )
    return _with_adjustments(totals, adjust)


def _per_unit(
    rules: Rules, scored: pl.DataFrame, units: pl.DataFrame, adjust: pl.DataFrame
) -> pl.DataFrame | None:
    """What `unit_totals` gives, and the lights behind the flags, in one aggregation.

    The units are numbered by their place in `units`, so the aggregation is on one integer
    rather than on names. None when the units are not unique (then `rank_units` and
    `_standings` do it by name).
    """
    names = units["unit"].cast(pl.String)
    if names.null_count() or names.is_duplicated().any():
        return None
    if "_u" in scored.columns:
        key = scored["_u"]
    else:
        key = scored["unit"].cast(pl.String).cast(pl.Enum(names), strict=False).to_physical()
    if key.null_count():
        return None
    figures = scored.with_columns(_u=key).group_by("_u").agg(**_unit_figures(rules))
    named = units.select("unit", pl.col("group").fill_null(DEFAULT_GROUP))[figures["_u"]]
    totals = pl.concat([named, figures.drop("_u")], how="horizontal")
    return _with_adjustments(totals, adjust)


def _unit_figures(rules: Rules) -> dict[str, pl.Expr]:
    """Per unit: the items' points, exclusion, tie-break value, and the lights behind the flags."""
    counted = pl.col("applicable") & (pl.col("method") != "manual")
    light = pl.col("light")
    red = light == "red"
    return {
        "item_points": pl.col("points").sum(),
        "excluded": pl.col("excluded").any(),
        "tie": _tie_expr(rules),
        "on_schedule": ((light == "green") | ~counted).all(),
        "no_red": ~(red & counted).any(),
        "behind": (light.is_in(["yellow", "red", MISSING]) & counted).any(),
        "red_light": (red & counted).any(),
    }


def _with_adjustments(
    totals: pl.DataFrame, adjust: pl.DataFrame, on: str | list[str] = "unit"
) -> pl.DataFrame:
    """Bonus, deduction and veto joined to the units' item points, and the total."""
    totals = totals.join(adjust, on=on, how="left").with_columns(
        pl.col("bonus").fill_null(0.0),
        pl.col("deduction").fill_null(0.0),
        pl.col("veto").fill_null(False),
    )
    total = pl.col("item_points") + pl.col("bonus") - pl.col("deduction")
    return totals.with_columns(total=pl.when(~pl.col("excluded")).then(total.round(COMPARE_DIGITS)))


def _tie_expr(rules: Rules) -> pl.Expr:
    if rules.tie_break is None:
        return pl.lit(0.0)
    item = rules.item(rules.tie_break)
    metric = pl.col("x").filter(pl.col("item") == item.code).first()
    return better(item, metric).round(COMPARE_DIGITS).fill_null(float("-inf"))


def _competition_rank(rules: Rules, keys: list[str]) -> pl.Expr:
    """Rank 1, 1, 3 on the total as published (rounded to the rules' decimals), so that the
    ranks never contradict the figures on the page; within a tied total, by the tie-break;
    vetoed units last if the rules say so."""
    sinks = rules.flags.veto == "last"
    part = [*keys, "veto"] if sinks else keys
    ranked = pl.col("published").is_not_null()
    first = pl.col("published").rank("min", descending=True).over(part)
    second = pl.col("tie").rank("min", descending=True).over([*part, "published"])
    place = first + second - 1
    if sinks:
        ahead = (ranked & ~pl.col("veto")).sum().over(keys)
        place = place + pl.when(pl.col("veto")).then(ahead).otherwise(0)
    return pl.when(ranked).then(place).cast(pl.Int64)


def _standings(
    rules: Rules,
    scored: pl.DataFrame,
    totals: pl.DataFrame,
    excluded: pl.DataFrame,
    previous: pl.DataFrame | None,
) -> pl.DataFrame:
    if "on_schedule" not in totals.columns:  # the lights behind the flags, per unit
        lights = scored.filter(pl.col("applicable") & (pl.col("method") != "manual"))
        conditions = lights.group_by("unit").agg(
            on_schedule=(pl.col("light") == "green").all(),
            no_red=~(pl.col("light") == "red").any(),
            behind=pl.col("light").is_in(["yellow", "red", MISSING]).any(),
            red_light=(pl.col("light") == "red").any(),
        )
        totals = totals.join(conditions, on="unit", how="left")
    frame = totals
    if excluded.height:
        frame = frame.join(excluded.rename({"reason": "status"}), on="unit", how="left")
    else:
        frame = frame.with_columns(status=pl.lit(None, dtype=pl.String))
    frame = frame.with_columns(pl.col("status").fill_null("ranked"))
    frame = _flags(rules, frame)
    frame = _against_previous(rules, frame, previous)
    columns = [
        "group",
        "unit",
        "rank",
        "total",
        "flag",
        "rank_change",
        "progress_award",
        "last_places",
        "veto",
        "bonus",
        "deduction",
        "item_points",
        "status",
    ]
    return frame.select(columns).sort("group", "rank", "unit", nulls_last=True)


def _flags(rules: Rules, frame: pl.DataFrame) -> pl.DataFrame:
    flags = rules.flags
    ranked = pl.col("rank").is_not_null()
    red_condition = {
        "any": pl.lit(True),
        "on_schedule": pl.col("on_schedule").fill_null(True),
        "no_red": pl.col("no_red").fill_null(True),
    }[flags.red_when]
    yellow_condition = {
        "any": pl.lit(True),
        "behind": pl.col("behind").fill_null(False),
        "red": pl.col("red_light").fill_null(False),
    }[flags.yellow_when]
    frame = frame.with_columns(
        red=_best_n(ranked & ~pl.col("veto") & red_condition, pl.col("rank"), flags.red)
    )
    frame = frame.with_columns(
        yellow=_best_n(ranked & ~pl.col("red") & yellow_condition, -pl.col("rank"), flags.yellow)
    )
    flag = pl.when(pl.col("red")).then(pl.lit("red")).when(pl.col("yellow")).then(pl.lit("yellow"))
    return frame.with_columns(flag=flag.otherwise(pl.lit(""))).drop("red", "yellow")


def _best_n(eligible: pl.Expr, order: pl.Expr, n: int) -> pl.Expr:
    """Eligible units with fewer than `n` eligible units strictly ahead of them (ties share)."""
    if n == 0:
        return pl.lit(False)
    ahead = pl.when(eligible).then(order).rank("min").over("group") - 1
    return (eligible & (ahead < n)).fill_null(False)


def _against_previous(
    rules: Rules, frame: pl.DataFrame, previous: pl.DataFrame | None
) -> pl.DataFrame:
    is_last = pl.col("rank").is_not_null() & (pl.col("rank") == pl.col("rank").max().over("group"))
    if previous is None or previous.height == 0:
        return frame.with_columns(
            rank_change=pl.lit(None, dtype=pl.Int64),
            progress_award=pl.lit(False),
            last_places=pl.when(is_last).then(1).otherwise(0).cast(pl.Int64),
        )
    prev = _previous_frame(previous, frame)
    frame = frame.join(prev, on="unit", how="left").with_columns(
        rank_change=(pl.col("prev_rank") - pl.col("rank")).cast(pl.Int64)
    )
    awardable = pl.col("rank").is_not_null() & ~pl.col("veto") & (pl.col("rank_change") > 0)
    award = _best_n(awardable.fill_null(False), -pl.col("rank_change"), rules.flags.progress_award)
    last_places = pl.when(is_last).then(pl.col("prev_last_places").fill_null(0) + 1).otherwise(0)
    return frame.with_columns(progress_award=award, last_places=last_places.cast(pl.Int64)).drop(
        "prev_rank", "prev_last_places"
    )


def _previous_frame(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    prev = previous.select(
        "unit",
        pl.col("rank").cast(pl.Int64).alias("prev_rank"),
        *(["group"] if "group" in previous.columns else []),
        *(["last_places"] if "last_places" in previous.columns else []),
    )
    if "group" not in prev.columns:
        prev = prev.join(current.select("unit", "group"), on="unit", how="left")
    if "last_places" in prev.columns:
        prev_last = pl.col("last_places").cast(pl.Int64)
    else:
        was_last = pl.col("prev_rank") == pl.col("prev_rank").max().over("group")
        prev_last = pl.when(was_last).then(1).otherwise(0)
    return prev.select("unit", "prev_rank", prev_last.alias("prev_last_places"))
