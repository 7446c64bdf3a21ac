"""The horse race (赛马): score, total, rank and flag the units of each race group.

`score_races` takes the progress rows of one or more periods (from `compute_progress_periods`),
the units with their race groups, and optional adjustments, manual scores and the previous
result, and returns a `RaceResult` per period: the standings (one row per unit) and the
explanation (one row per unit × item: metric, place or normalised value, points, weight). The
periods are stacked and scored in one pass; only the standings (flags, rank changes) go period
by period, each race against the one before. `score_race` is the race of a single period: a
batch of one. What would gain a unit one place is `saima.engine.gains`.

Each unit × item row is found by position, not joined by name: the units, their groups, the
items and the periods are numbered (`unit_index`, `group_index`, `item_index`,
`period_index`), the progress row of each (unit, indicator) is picked by a key made of those
numbers, and the group statistics and per-unit sums run over integers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from saima.engine.errors import DataError
from saima.engine.frames import (
    ADJUSTMENTS_SCHEMA,
    COMPARE_DIGITS,
    DEFAULT_GROUP,
    EXPLANATION_COLUMNS,
    ITEM_COLUMNS,
    MISSING,
    NOT_APPLICABLE,
    PREVIOUS_SCHEMA,
    STANDINGS_COLUMNS,
    conform,
)
from saima.engine.periods import Period
from saima.engine.rules import METRICS_FROM_TARGET, Rules
from saima.engine.scoring import Keys, better, score
from saima.engine.text import _, format_expr, template

GROUP = ["group"]

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

#: The numbers of a unit × item row of a batch: the unit's row in the units, its group's
#: number, the item's place among the rules' items, the period's place among the races.
INDEXES = ("unit_index", "group_index", "item_index", "period_index")
#: The columns of the progress rows a race reads.
PROGRESS_READ = (
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
        frame = self.items.with_columns(
            metric=pl.col("metric_name"), metric_value=pl.col("x"), note=note
        ).select(EXPLANATION_COLUMNS)
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


#: Adjustments or manual scores for a batch of races: one frame for every period, or a frame
#: per period label.
PerPeriod = pl.DataFrame | Mapping[str, pl.DataFrame] | None


def score_race(
    rules: Rules,
    progress: pl.DataFrame,
    units: pl.DataFrame,
    *,
    adjustments: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    previous: pl.DataFrame | None = None,
) -> RaceResult:
    """Compute a race from the period's progress rows: `score_races` with one period.

    Progress without rows is a race in which every figure is missing (the rules' missing policy
    decides what follows); progress of several periods is refused.
    """
    labels = progress["period"].unique(maintain_order=True).to_list() if progress.height else [""]
    if len(labels) > 1:
        raise DataError(
            _("the progress rows are of several periods; a race is of one"),
            details=sorted(str(label) for label in labels),
        )
    batch = _Batch(rules, progress, units, labels)
    return batch.results(adjustments, scores, previous)[0]


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

    Refused (DataError): units named twice or without a name, a (unit, indicator) given twice
    in a period's progress, a period asked for twice, and under `missing = error` a missing
    figure (named for the first period that lacks one). A period without progress rows is a
    race in which every figure is missing.
    """
    labels = _period_labels(progress, periods)
    if not labels:
        return []
    return _Batch(rules, progress, units, labels).results(adjustments, scores, previous)


def _period_labels(progress: pl.DataFrame, periods: Sequence[str | Period] | None) -> list[str]:
    if periods is None:
        return progress["period"].unique().sort().to_list() if progress.height else []
    labels = [p.label if isinstance(p, Period) else str(p) for p in periods]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise DataError(_("a period is asked for twice"), details=twice)
    return labels


class _Batch:
    """The unit × item rows of every period raced, stacked period by period and scored in one
    pass; only the standings (flags, rank changes) go period by period."""

    def __init__(
        self, rules: Rules, progress: pl.DataFrame, units: pl.DataFrame, labels: list[str]
    ) -> None:
        self.rules, self.labels = rules, labels
        self.units = _race_units(units)
        grid = _item_grid(rules, self.units)
        self.size = grid.height
        sources = pl.Series([item.source for item in rules.items], dtype=pl.String)
        found = _progress_rows(progress, labels, self.units["unit"], sources)
        count = len(labels)
        period = pl.int_range(count, dtype=pl.UInt32, eager=True).alias("period_index")
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
        rules, labels = self.rules, self.labels
        long = _with_metrics(rules, self.long, *self._manual(scores))
        missing = (
            long.filter(pl.col("missing"))
            .sort("period_index", "unit_index", "item_index")
            .select("period_index", "unit_index", "group", "unit", "item", "indicator")
        )
        if rules.missing.policy == "error" and missing.height:
            _refuse_missing(missing)
        long, excluded = _exclusions(rules, long, missing)
        keys = ["period_index", "group_index"]
        scored = _spread(score(long, rules.items, keys), keys)
        adjust = self._adjustments(adjustments)
        totals = _with_adjustments(
            self._per_unit(scored),
            pl.concat(
                [
                    frame.with_columns(period_index=pl.lit(k, dtype=pl.UInt32))
                    for k, frame in enumerate(adjust)
                ]
            ),
            on=["period_index", "unit"],
        )
        totals = rank_totals(rules, totals, ["period_index", *GROUP]).drop("tie")
        scored = scored.drop(INDEXES)
        by_period = totals.partition_by("period_index", as_dict=True, include_key=False)
        out = excluded.partition_by("period_index", as_dict=True, include_key=False)
        lacking = missing.drop("unit_index").partition_by(
            "period_index", as_dict=True, include_key=False
        )
        no_exclusion = excluded.drop("period_index").clear()
        none_missing = missing.drop("period_index", "unit_index").clear()
        results = []
        for k, label in enumerate(labels):
            standings = _standings(rules, by_period[(k,)], out.get((k,), no_exclusion), previous)
            results.append(
                RaceResult(
                    rules=rules,
                    period=label,
                    standings=standings,
                    missing=lacking.get((k,), none_missing).sort("group", "unit", "item"),
                    scored=scored.slice(k * self.size, self.size),
                    adjustments=adjust[k],
                )
            )
            previous = standings
        return results

    def _manual(self, scores: PerPeriod) -> tuple[pl.DataFrame, list[str]]:
        """The manual points, to be joined on unit and item (and the period, given per period)."""
        if not isinstance(scores, Mapping):
            return _manual_points(self.rules, scores), ["unit", "item"]
        each = [
            _manual_points(self.rules, scores.get(label)).with_columns(
                period_index=pl.lit(k, dtype=pl.UInt32)
            )
            for k, label in enumerate(self.labels)
        ]
        on = ["period_index", "unit", "item"]
        return pl.concat(each).select(*on, "manual_points"), on

    def _adjustments(self, adjustments: PerPeriod) -> list[pl.DataFrame]:
        """Each period's bonus, deduction and veto per unit."""
        if not isinstance(adjustments, Mapping):
            shared = adjustment_totals(self.rules, adjustments, self.units)
            return [shared] * len(self.labels)
        return [
            adjustment_totals(self.rules, adjustments.get(label), self.units)
            for label in self.labels
        ]

    def _per_unit(self, scored: pl.DataFrame) -> pl.DataFrame:
        """Per period and unit: the items' points, exclusion, tie-break value and the lights
        behind the flags, before the adjustments."""
        figures = scored.group_by("period_index", "unit_index").agg(**_unit_figures(self.rules))
        named = self.units[figures["unit_index"]]
        return pl.concat([named, figures.drop("unit_index")], how="horizontal")


def _race_units(units: pl.DataFrame) -> pl.DataFrame:
    """The units as names and groups (a blank group is `DEFAULT_GROUP`); each named once."""
    frame = units.select(
        pl.col("unit").cast(pl.String), pl.col("group").cast(pl.String).fill_null(DEFAULT_GROUP)
    )
    if frame["unit"].null_count():
        raise DataError(_("some units have no name"))
    twice = frame.filter(pl.col("unit").is_duplicated())["unit"].unique(maintain_order=True)
    if twice.len():
        raise DataError(
            _("some units are named twice"),
            details=[_("unit %(unit)s", unit=name) for name in twice.to_list()],
        )
    return frame


def _item_grid(rules: Rules, units: pl.DataFrame) -> pl.DataFrame:
    """One row per item × unit (items outer, units inner in their order), numbered."""
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
    groups = pl.Enum(units["group"].unique().sort())
    numbered_units = units.with_row_index("unit_index").with_columns(
        group_index=pl.col("group").cast(groups).to_physical()
    )
    return (
        spec.with_row_index("item_index")
        .join(numbered_units, how="cross")
        .select(*units.columns, *spec.columns, "unit_index", "group_index", "item_index")
    )


def _progress_rows(
    progress: pl.DataFrame, labels: list[str], unit_names: pl.Series, sources: pl.Series
) -> pl.DataFrame:
    """The progress columns a race reads for each unit × item row of each period, stacked
    period by period (null where the progress has no row: a period without rows is all null).

    Picked by position: each (unit, indicator) of a period's rows gets an integer key, and a
    period whose rows name the same units and indicators in the same order as the period
    before (as `compute_progress_periods` gives them) reuses its positions. Rows of units that
    are not in the race are left out; a (unit, indicator) given twice in a period is refused.
    """
    columns = [c for c in PROGRESS_READ if c not in ("unit", "indicator")]
    period = pl.col("period").cast(pl.String)
    stacked = []
    names = index = None
    for label in labels:
        rows = progress.select(pl.arg_where(period == label)).to_series()
        if rows.len():
            first, last = rows[0], rows[-1]
            contiguous = last - first + 1 == rows.len()
            part = progress.slice(first, rows.len()) if contiguous else progress[rows]
        else:
            part = progress.clear()
        these = part.select("unit", "indicator")
        if index is None or not these.equals(names):
            names, index = these, _position_index(these, unit_names, sources, label)
        stacked.append(part.select(columns).rechunk()[index])
    return pl.concat(stacked, rechunk=True)


def _position_index(
    progress: pl.DataFrame, unit_names: pl.Series, sources: pl.Series, label: str
) -> pl.Series:
    """For each unit × item row (items outer, units inner), the row of `progress` with its unit
    and the item's indicator; null where there is none."""
    units = pl.Enum(unit_names)
    indicators = pl.Enum(sources.unique().sort())
    width = len(indicators.categories)
    keys = progress.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        key=pl.col("unit").cast(pl.String).cast(units, strict=False).to_physical().cast(pl.Int64)
        * width
        + pl.col("indicator")
        .cast(pl.String)
        .cast(indicators, strict=False)
        .to_physical()
        .cast(pl.Int64),
    ).drop_nulls("key")
    size = unit_names.len() * width
    table = pl.repeat(None, size, dtype=pl.UInt32, eager=True)
    if keys.height:
        table = table.scatter(keys["key"], keys["row"])
    if size - table.null_count() != keys.height:
        _refuse_twice(progress, keys, label)
    start = pl.int_range(unit_names.len(), dtype=pl.Int64, eager=True) * width
    wanted = pl.concat(
        [start + index for index in sources.cast(indicators).to_physical().to_list()]
    )
    return table.gather(wanted)


def _refuse_twice(progress: pl.DataFrame, keys: pl.DataFrame, label: str) -> None:
    """Name the (unit, indicator) pairs a period's progress gives twice."""
    twice = progress[keys.filter(pl.col("key").is_duplicated())["row"]].select(
        pl.col("unit").cast(pl.String), pl.col("indicator").cast(pl.String)
    )
    raise DataError(
        _("the progress of %(period)s gives some figures twice", period=label),
        details=[
            _("unit %(unit)s, indicator %(indicator)s", unit=u, indicator=i)
            for u, i in twice.unique(maintain_order=True).iter_rows()
        ],
    )


def _with_metrics(
    rules: Rules, frame: pl.DataFrame, manual: pl.DataFrame, on: list[str]
) -> pl.DataFrame:
    """The item × unit rows with their progress: the manual points (joined on `on`), the
    exemptions, whether the item applies, the metric `x`, its reference `x_target`, and
    whether the figure is missing."""
    if manual.height:
        frame = frame.join(manual, on=on, how="left", maintain_order="left")
    else:
        frame = frame.with_columns(manual_points=pl.lit(None, dtype=pl.Float64))
    exempt = pl.DataFrame(
        [(item.code, unit) for item in rules.items for unit in item.exempt],
        schema={"item": pl.String, "unit": pl.String},
        orient="row",
    ).with_columns(exempt=pl.lit(True))
    if exempt.height:
        frame = frame.join(exempt, on=["item", "unit"], how="left", maintain_order="left")
    else:
        frame = frame.with_columns(exempt=pl.lit(None, dtype=pl.Boolean))
    is_manual = pl.col("method") == "manual"
    applicable = (
        pl.when(pl.col("exempt").fill_null(False))
        .then(False)
        .when(is_manual)
        .then(True)
        .otherwise(pl.col("applicable").fill_null(True))
    )
    frame = frame.with_columns(
        x=pl.when(is_manual).then(pl.col("manual_points")).otherwise(_metric()),
        x_target=_metric_target(),
        applicable=applicable,
    )
    _check_targets_present(frame)
    return frame.with_columns(
        missing=pl.col("applicable") & pl.col("x").is_null(),
        light=pl.when(pl.col("applicable")).then(pl.col("light")).otherwise(pl.lit(NOT_APPLICABLE)),
    )


def _metric() -> pl.Expr:
    name = pl.col("metric_name")
    return (
        pl.when(name == "completion")
        .then(
            # A level has no completion in the progress rows; a rule that scores it scores the
            # value relative to the target (%), and the pages say so.
            pl.when(pl.col("kind") == "level")
            .then(pl.col("value") * 100 / pl.col("target"))
            .otherwise(pl.col("completion"))
        )
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
    empty = pl.DataFrame(schema={"unit": pl.String, "item": pl.String, "manual_points": pl.Float64})
    manual_codes = {item.code for item in rules.items if item.method == "manual"}
    if scores is None or not manual_codes:
        return empty
    chosen = scores.filter(pl.col("item").is_in(list(manual_codes))).select(
        "unit", "item", pl.col("points").cast(pl.Float64).alias("manual_points")
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
        {"item": [i.code for i in rules.items], "weight": [float(i.weight) for i in rules.items]}
    )
    bad = chosen.join(weights, on="item").filter(
        (pl.col("manual_points") < 0) | (pl.col("manual_points") > pl.col("weight"))
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
                for u, i, p, w in bad.select("unit", "item", "manual_points", "weight").iter_rows()
            ],
        )
    return chosen


def _check_targets_present(frame: pl.DataFrame) -> None:
    lacking = frame.filter(
        (pl.col("method") != "manual")
        & pl.col("applicable")
        & pl.col("target").is_null()
        & pl.col("metric_name").is_in(list(METRICS_FROM_TARGET))
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
                for u, i, c in lacking.select("unit", "indicator", "item")
                .unique(maintain_order=True)
                .iter_rows()
            ],
        )


def _refuse_missing(missing: pl.DataFrame) -> None:
    """Under `missing = error`: name the missing figures of the first period that has some."""
    first = missing.filter(pl.col("period_index") == pl.col("period_index").first())
    raise DataError(
        _("the race cannot be computed: figures are missing and the rules say missing = error"),
        details=[
            _(
                "unit %(unit)s, item %(item)s (indicator %(indicator)s): no figure",
                unit=u,
                item=c,
                indicator=i,
            )
            for u, c, i in first.select("unit", "item", "indicator").iter_rows()
        ],
    )


def _exclusions(
    rules: Rules, long: pl.DataFrame, missing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Who is left out of each period's race, with the reason: a unit lacking a figure under
    `missing = exclude`, a unit no item applies to. Marks `excluded` and `participant`."""
    by = ["period_index", "unit_index", "unit"]
    reasons = pl.DataFrame(
        schema={
            "period_index": pl.UInt32,
            "unit_index": pl.UInt32,
            "unit": pl.String,
            "reason": pl.String,
        }
    )
    if rules.missing.policy == "exclude" and missing.height:
        reasons = (
            missing.group_by(by)
            .agg(pl.col("item").sort().str.join(", ").alias("items"))
            .select(*by, format_expr(REASON_NO_FIGURE, items=pl.col("items")).alias("reason"))
        )
    no_items = reasons.clear()
    if not long["applicable"].fill_null(False).all():  # else every unit has an item
        no_items = (
            long.group_by(by)
            .agg(pl.col("applicable").any().alias("any"))
            .filter(~pl.col("any"))
            .select(*by, pl.lit(REASON_NO_ITEM).alias("reason"))
        )
    excluded = pl.concat([reasons, no_items]).unique(["period_index", "unit_index"], keep="first")
    if excluded.height:
        # A (period, unit) as one number: the period's number times the units, plus the unit's.
        n = int(long["unit_index"].max()) + 1
        place = pl.col("period_index").cast(pl.Int64) * n + pl.col("unit_index").cast(pl.Int64)
        is_excluded = place.is_in(excluded.select(place).to_series().implode())
    else:
        is_excluded = pl.lit(False)
    long = long.with_columns(excluded=is_excluded).with_columns(
        participant=pl.col("applicable") & ~pl.col("missing") & ~pl.col("excluded"),
    )
    return long, excluded.select("period_index", "unit", "reason")


def _spread(frame: pl.DataFrame, keys: Keys) -> pl.DataFrame:
    """The weight of items that do not apply to a unit spread over its other items (within its
    period: each period decides alone whether every item applies everywhere)."""
    applied = pl.when(pl.col("applicable")).then(pl.col("weight")).sum()
    spread = pl.when(applied > 0).then(100 / applied).over([*keys, "unit"])
    every = frame.group_by("period_index").agg(pl.col("applicable").all())["applicable"]
    if every.all():
        factor = pl.lit(1.0)  # every item applies to every unit: nothing to spread
    elif not every.any():
        factor = spread
    else:
        everywhere = pl.col("applicable").all().over("period_index")
        factor = pl.when(everywhere).then(pl.lit(1.0)).otherwise(spread)
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
    frame = conform(adjustments, ADJUSTMENTS_SCHEMA).select(
        "unit",
        pl.col("points").fill_null(0.0),
        pl.col("veto").fill_null(False),
        pl.col("category").fill_null(""),
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


def _cap(value: float | None) -> float:
    return float("inf") if value is None else value


def rank_totals(rules: Rules, totals: pl.DataFrame, keys: Keys) -> pl.DataFrame:
    """Competition ranks from `total`, `tie` and `veto` per unit within `keys`."""
    published = totals.with_columns(published=pl.col("total").round(rules.decimals))
    return published.with_columns(rank=_competition_rank(rules, list(keys))).drop("published")


def unit_totals(
    rules: Rules, scored: pl.DataFrame, adjust: pl.DataFrame, keys: Keys
) -> pl.DataFrame:
    """Per unit: the items' points, bonus, deduction, total, veto and tie-break value."""
    figures = _unit_figures(rules)
    totals = scored.group_by([*keys, "unit"]).agg(
        **{name: figures[name] for name in ("item_points", "excluded", "tie")}
    )
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
    rules: Rules, totals: pl.DataFrame, excluded: pl.DataFrame, previous: pl.DataFrame | None
) -> pl.DataFrame:
    """One period's standings from its per-unit totals, ranks and lights."""
    frame = totals
    if excluded.height:
        frame = frame.join(excluded.rename({"reason": "status"}), on="unit", how="left")
    else:
        frame = frame.with_columns(status=pl.lit(None, dtype=pl.String))
    frame = frame.with_columns(pl.col("status").fill_null("ranked"))
    frame = _flags(rules, frame)
    frame = _against_previous(rules, frame, previous)
    return frame.select(STANDINGS_COLUMNS).sort("group", "rank", "unit", nulls_last=True)


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
        rank_change=(pl.col("previous_rank") - pl.col("rank")).cast(pl.Int64)
    )
    awardable = pl.col("rank").is_not_null() & ~pl.col("veto") & (pl.col("rank_change") > 0)
    award = _best_n(awardable.fill_null(False), -pl.col("rank_change"), rules.flags.progress_award)
    before = pl.col("previous_last_places").fill_null(0)
    last_places = pl.when(is_last).then(before + 1).otherwise(0)
    return frame.with_columns(progress_award=award, last_places=last_places.cast(pl.Int64)).drop(
        "previous_rank", "previous_last_places"
    )


def _previous_frame(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """The previous race's rank and count of last places per unit. A blank group is the unit's
    group now; a blank count of last places is worked out from the rank (1 if it was last)."""
    prev = conform(previous, PREVIOUS_SCHEMA).rename(
        {"rank": "previous_rank", "last_places": "previous_last_places"}
    )
    prev = prev.join(
        current.select("unit", pl.col("group").alias("group_now")), on="unit", how="left"
    ).with_columns(group=pl.coalesce("group", "group_now"))
    was_last = pl.col("previous_rank") == pl.col("previous_rank").max().over("group")
    counted = pl.when(was_last).then(1).otherwise(0).cast(pl.Int64)
    return prev.select(
        "unit",
        "previous_rank",
        pl.coalesce("previous_last_places", counted).alias("previous_last_places"),
    )
