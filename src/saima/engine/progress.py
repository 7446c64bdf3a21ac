"""Progress of each unit on each indicator against the time-sequence schedule (时序进度).

One vectorised pass over a frame of unit × indicator rows computes, for a period: time progress,
completion, the gap in percentage points, the light, double-over-half at the half year (completion
≥ 50% of the annual task at the end of June, amounts and counts only), the gap of a level in its
own unit, the required monthly run rate, the required growth for the rest of the year and the
year-end projection.

Percentages are computed as `A·100/T` and `month·100/12` rather than as ratios times 100, so that
figures that are exact in decimal (20% against 25%) stay exact and land on the right side of a
threshold; comparisons round to nine decimals to absorb the last bit of floating-point noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from saima.engine.errors import DataError
from saima.engine.frames import (
    COMPARE_DIGITS,
    DIRECTIONS,
    KINDS,
    LIGHTS,
    MISSING,
    NOT_APPLICABLE,
    POSITIVE_TARGET_KINDS,
    PROGRESS_COLUMNS,
    SCHEDULED_KINDS,
)
from saima.engine.periods import Period
from saima.engine.rules import Rules, Thresholds
from saima.engine.text import _


@dataclass(frozen=True)
class IndicatorSpec:
    """What the engine needs to know about an input indicator to judge its progress."""

    code: str
    kind: str = "amount"
    direction: str = "higher"
    profile: tuple[float, ...] | str = "linear"
    combined_jan_feb: bool = False
    yellow: float | None = None
    #: Whether every figure needs a target. Without, a unit's figures that have no target get a
    #: row of their own (no target, so no completion, gap or light): a race may rank them.
    needs_target: bool = True

    def yellow_threshold(self, thresholds: Thresholds) -> float:
        if self.yellow is not None:
            return self.yellow
        if self.kind == "growth":
            return thresholds.growth_yellow_pp
        if self.kind == "level":
            return thresholds.level_yellow_pct
        return thresholds.yellow_pp


def specs_from_rules(rules: Rules) -> dict[str, IndicatorSpec]:
    """The indicator specs the rules imply, one per input indicator."""
    specs = {}
    targeted = rules.targeted_indicators
    for code, item in rules.indicators.items():
        profile = item.profile if item.profile is not None else "linear"
        specs[code] = IndicatorSpec(
            code=code,
            kind=item.kind,
            direction=item.direction,
            profile=tuple(profile) if isinstance(profile, list) else profile,
            combined_jan_feb=rules.combined_for(item),
            yellow=item.yellow_pp,
            needs_target=code in targeted,
        )
    return specs


def compute_progress(
    targets: pl.DataFrame,
    actuals: pl.DataFrame,
    period: Period,
    *,
    specs: Mapping[str, IndicatorSpec] | None = None,
    thresholds: Thresholds | None = None,
) -> pl.DataFrame:
    """Progress for every unit × indicator with a target, at `period`.

    `targets`: unit, indicator, target, and optionally not_applicable (Boolean),
    last_year_total (last year's full-year amount) and profile (a unit's own schedule, a list of
    cumulative percentages that overrides the indicator's). `actuals`: unit, indicator, year,
    month, value and optionally last_year_value (last year's same-period amount). Rows of the
    previous year in `actuals` feed the `last_year` schedule and last year's figures.
    """
    return compute_progress_periods(
        targets, actuals, [period], specs=specs, thresholds=thresholds
    ).drop("month")


def compute_progress_periods(
    targets: pl.DataFrame,
    actuals: pl.DataFrame,
    periods: Sequence[Period],
    *,
    specs: Mapping[str, IndicatorSpec] | None = None,
    thresholds: Thresholds | None = None,
) -> pl.DataFrame:
    """Progress at several periods of one year in one vectorised pass (a `month` column added).

    The same figures as calling `compute_progress` once per period, without re-reading the
    actuals for each: a year's twelve months of a national data set are one pass.
    """
    if not periods:
        raise DataError(_("no period to compute"))
    years = {p.year for p in periods}
    if len(years) != 1:
        raise DataError(_("the periods must belong to one year"))
    thresholds = thresholds or Thresholds()
    specs = specs or {}
    spec_frame = _spec_frame(targets, specs, thresholds)
    untargeted = sorted(code for code, spec in specs.items() if not spec.needs_target)
    frame = _without_combined_january(_assemble(targets, actuals, periods, spec_frame, untargeted))
    # Eager steps, one after the other: Polars may round a division by a constant differently
    # in a lazy query, and the figures must not depend on how they were computed.
    frame = frame.with_columns(time_progress=_time_progress())
    _check_last_year(frame)
    text = {"kind": pl.col("kind_name"), "direction": pl.col("direction_name")}
    columns = [text[c].alias(c) if c in text else pl.col(c) for c in PROGRESS_COLUMNS]
    return _measures(frame).select(*columns, "month")


def _spec_frame(
    targets: pl.DataFrame, specs: Mapping[str, IndicatorSpec], thresholds: Thresholds
) -> pl.DataFrame:
    codes = sorted(set(targets["indicator"].unique().to_list()) | set(specs))
    rows = []
    for code in codes:
        spec = specs.get(code, IndicatorSpec(code))
        profile = spec.profile
        rows.append(
            {
                "indicator": code,
                "kind": spec.kind,
                "direction": spec.direction,
                "schedule": profile if isinstance(profile, str) else "profile",
                "profile": list(profile) if not isinstance(profile, str) else None,
                "combined": spec.combined_jan_feb,
                "yellow": spec.yellow_threshold(thresholds),
            }
        )
    schema = {
        "indicator": pl.String,
        "kind": pl.String,
        "direction": pl.String,
        "schedule": pl.String,
        "profile": pl.List(pl.Float64),
        "combined": pl.Boolean,
        "yellow": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _optional(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)


def _assemble(
    targets: pl.DataFrame,
    actuals: pl.DataFrame,
    periods: Sequence[Period],
    spec_frame: pl.DataFrame,
    untargeted: list[str],
    without_target: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per target × period with its figure, last year's figures and its schedule; and
    for the `untargeted` indicators, one per unit with figures in the periods but no target
    (found when some figures have no target: then the rows are assembled again with them,
    `without_target`).

    The rows come period by period, each period's rows in the order of the targets: the
    per-target columns (names, target, the indicator's spec) are the targets' own columns
    repeated, not looked up row by row. Units and indicators become one integer key, and the
    figures land on their rows by position (a scatter), not by a join; the checks that name
    offending rows run only when a cheap count shows something is wrong.
    """
    base = targets.select(
        pl.col("unit").cast(pl.String),
        pl.col("indicator").cast(pl.String),
        pl.col("target").cast(pl.Float64),
        _optional(targets, "not_applicable", pl.Boolean).fill_null(False),
        _optional(targets, "last_year_total", pl.Float64),
        _optional(targets, "profile", pl.List(pl.Float64)).alias("own_profile"),
    )
    year = periods[0].year
    months = sorted({p.month for p in periods})
    labels = {p.month: p.label for p in periods}
    given = base.height
    if without_target is not None:
        base = pl.concat([base, without_target])
    pair = _PairKey(base)
    table = _indicator_table(spec_frame, pair)
    index = base["indicator"].cast(pair.indicators).to_physical()
    _check_target_values(base.head(given), table["kind"].gather(index.head(given)), spec_frame)
    rows = _Rows(pair, base.select(pair.expr()).to_series())
    if rows.duplicated:
        _check_targets(base.head(given), spec_frame)  # names the targets given twice
    last_year = actuals.filter(pl.col("year") == year - 1)
    per_target = _target_attributes(base, table, index, last_year, pair, rows)
    grid = _Grid(months, base.height)
    current = (
        actuals.lazy()
        .filter((pl.col("year") == year) & pl.col("month").is_in(months))
        .select(
            pl.col("value").cast(pl.Float64),
            _optional(actuals, "last_year_value", pl.Float64),
            slot=grid.slot(pl.col("month"), rows.expr(pair.expr())),
        )
        .collect()
        .rechunk()
    )
    if current["slot"].null_count():
        if without_target is None and untargeted:
            found = _without_target(base, actuals, year, months, untargeted)
            if found.height:
                return _assemble(targets, actuals, periods, spec_frame, untargeted, found)
        # Some figures have no target: name them.
        _check_orphans(_named(actuals, year, months), base)
        current = current.drop_nulls("slot")
    at = grid.scatter(current["slot"])
    if grid.size - at.null_count() != current.height:
        # Some figures are given twice: name them.
        _check_unique(_named(actuals, year, months), labels)
    frame = pl.concat(
        [_month_rows(per_target, month, spec_frame, pair) for month in months],
        how="vertical",
        rechunk=True,
    ).with_columns(current.drop("slot")[at])
    # Every column as plain values: Polars keeps a column that is one value repeated (one
    # target, one period) as a constant, and divides by a constant slightly differently.
    frame = pl.DataFrame(frame.get_columns())
    # The names only go to the output: the targets' own columns, referenced once per period
    # rather than copied.
    names = pl.concat(
        [
            per_target.select(*_NAMES, period=pl.lit(labels[month], dtype=pl.String))
            for month in months
        ],
        how="vertical",
        rechunk=False,
    )
    frame = pl.concat([frame, names], how="horizontal")
    same_month = _last_year_rows(frame, last_year, months, pair, rows, grid)
    if same_month is None:
        return frame
    return frame.with_columns(last_year_value=pl.coalesce("last_year_value", same_month))


def _without_target(
    base: pl.DataFrame, actuals: pl.DataFrame, year: int, months: list[int], untargeted: list[str]
) -> pl.DataFrame:
    """Rows like the targets' for the (unit, indicator) pairs with figures in `months` but no
    target, of the indicators scored without one; in the order of the names."""
    pairs = (
        actuals.lazy()
        .filter(
            (pl.col("year") == year)
            & pl.col("month").is_in(months)
            & pl.col("indicator").cast(pl.String).is_in(untargeted)
        )
        .select(pl.col("unit").cast(pl.String), pl.col("indicator").cast(pl.String))
        .unique()
        .collect()
        .join(base.select("unit", "indicator"), on=["unit", "indicator"], how="anti")
        .sort("unit", "indicator")
    )
    return pairs.select(
        "unit",
        "indicator",
        target=pl.lit(None, dtype=pl.Float64),
        not_applicable=pl.lit(False),
        last_year_total=pl.lit(None, dtype=pl.Float64),
        own_profile=pl.lit(None, dtype=pl.List(pl.Float64)),
    )


class _Rows:
    """The target row of each pair key: a dense table when the keys are dense, else a join."""

    def __init__(self, pair: _PairKey, keys: pl.Series) -> None:
        size = len(pair.units.categories) * pair.width
        numbers = pl.int_range(keys.len(), dtype=pl.UInt32, eager=True)
        self.dense: pl.Series | None = None
        self.table: pl.DataFrame | None = None
        if size <= max(4 * keys.len(), 1 << 16):
            empty = pl.repeat(None, size, dtype=pl.UInt32, eager=True)
            self.dense = empty.scatter(keys, numbers) if keys.len() else empty
            #: Whether some key is given twice (two targets for one unit and indicator).
            self.duplicated = size - self.dense.null_count() != keys.len()
        else:
            self.table = pl.DataFrame({"pair_key": keys, "target_row": numbers})
            self.duplicated = keys.n_unique() != keys.len()

    def of(self, keys: pl.Series) -> pl.Series:
        """The target row of each key; null for keys without a target (or null keys)."""
        return pl.select(self.expr(pl.lit(keys))).to_series()

    def expr(self, keys: pl.Expr) -> pl.Expr:
        """The target row of each key, as an expression."""
        if self.dense is not None:
            return pl.lit(self.dense).gather(keys)
        assert self.table is not None
        return keys.replace_strict(
            self.table["pair_key"], self.table["target_row"], default=None, return_dtype=pl.UInt32
        )


class _Grid:
    """Positions of the target × period rows: period by period, targets in order within each."""

    def __init__(self, months: Sequence[int], n_targets: int) -> None:
        self.n = n_targets
        self.size = len(months) * n_targets
        place = dict.fromkeys(range(13), 0) | {m: i for i, m in enumerate(months)}
        self.place = pl.Series([place[m] for m in range(13)], dtype=pl.Int64)

    def slots(self, month: pl.Series, row: pl.Series) -> pl.Series:
        """The position of each (month, target row); the months must be among the grid's."""
        return pl.select(self.slot(pl.lit(month), pl.lit(row))).to_series()

    def slot(self, month: pl.Expr, row: pl.Expr) -> pl.Expr:
        """The position of each (month, target row), as an expression."""
        return pl.lit(self.place).gather(month) * self.n + row.cast(pl.Int64)

    def scatter(self, slots: pl.Series) -> pl.Series:
        """For each position, the number of the row that lands on it (null for none)."""
        empty = pl.repeat(None, self.size, dtype=pl.UInt32, eager=True)
        if slots.len() == 0:
            return empty
        return empty.scatter(slots, pl.int_range(slots.len(), dtype=pl.UInt32, eager=True))

    def values(self, slots: pl.Series, values: pl.Series) -> pl.Series:
        """A column of the grid with `values` at `slots` and null elsewhere."""
        empty = pl.repeat(None, self.size, dtype=pl.Float64, eager=True)
        return empty.scatter(slots, values) if slots.len() else empty


def _named(actuals: pl.DataFrame, year: int, months: list[int]) -> pl.DataFrame:
    """This year's figures with their names, for messages about them."""
    return actuals.filter((pl.col("year") == year) & pl.col("month").is_in(months)).select(
        "unit", "indicator", pl.col("month").cast(pl.Int64)
    )


def _indicator_table(spec_frame: pl.DataFrame, pair: _PairKey) -> pl.DataFrame:
    """The spec of each indicator that has targets, in the order of the pair key's indexes."""
    names = pl.DataFrame({"indicator": pair.indicators.categories})
    return names.join(spec_frame, on="indicator", how="left", maintain_order="left").with_columns(
        pl.col("kind").cast(_KINDS),
        pl.col("direction").cast(_DIRECTIONS),
        pl.col("schedule").cast(_SCHEDULES),
    )


def _target_attributes(
    base: pl.DataFrame,
    table: pl.DataFrame,
    index: pl.Series,
    last_year: pl.DataFrame,
    pair: _PairKey,
    rows: _Rows,
) -> pl.DataFrame:
    """Per target: names, the indicator's spec, last year's total, the schedule."""
    spec = table.drop("indicator", "profile").with_columns(
        kind_name=pl.col("kind").cast(pl.String),
        direction_name=pl.col("direction").cast(pl.String),
    )
    attributes = spec[index]  # one row per target, by the indicator's index
    december = (
        last_year.lazy()
        .filter(pl.col("month") == 12)
        .select(pl.col("value").cast(pl.Float64).alias("december_value"), pair_key=pair.expr())
        .collect()
    )
    found = (
        december.with_columns(target_row=rows.of(december["pair_key"]))
        .filter(pl.col("target_row").is_not_null())
        .unique("target_row", keep="first")
    )
    total = pl.repeat(None, base.height, dtype=pl.Float64, eager=True)
    if found.height:
        total = total.scatter(found["target_row"], found["december_value"])
    own = pl.col("own_profile").is_not_null()
    scheduled = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    frame = pl.concat([base, attributes], how="horizontal").with_columns(
        indicator_index=index,
        last_december=total,
    )
    return frame.with_columns(
        last_year_total=pl.coalesce(
            "last_year_total", pl.when(scheduled).then(pl.col("last_december"))
        ),
        schedule=pl.when(own).then(pl.lit("own", dtype=_SCHEDULES)).otherwise("schedule"),
        combined=pl.when(own)
        .then(pl.col("own_profile").list.len() == 11)
        .otherwise(pl.col("combined")),
        on_last_year_schedule=scheduled & (pl.col("schedule") == "last_year"),
    ).drop("last_december")


#: Text columns of the targets that only go to the output.
_NAMES = ("unit", "indicator", "kind_name", "direction_name")


def _month_rows(
    per_target: pl.DataFrame, month: int, spec_frame: pl.DataFrame, pair: _PairKey
) -> pl.DataFrame:
    """The rows of one period: every target (but its names), with τ from a profile.

    Linear τ and τ from last year's figures are computed later, over all the rows at once.
    """
    schedule = pl.col("schedule")
    tau = pl.when(~pl.col("kind").is_in(list(SCHEDULED_KINDS))).then(None)
    if per_target["own_profile"].null_count() < per_target.height:
        tau = tau.when(schedule == "own").then(_profile_at(pl.col("own_profile"), month))
    profiles = _profiles_at(spec_frame, pair, month)
    if profiles is not None:
        tau = tau.when(schedule == "profile").then(
            pl.lit(profiles).gather(pl.col("indicator_index"))
        )
    return per_target.with_columns(
        month=pl.lit(month, dtype=pl.Int64), fixed_time_progress=tau
    ).drop("own_profile", "indicator_index", *_NAMES)


def _profile_at(profile: pl.Expr, month: int) -> pl.Expr:
    """A profile's entry for `month`: 12 entries from January, 11 from February."""
    entry = pl.lit(month) - pl.when(profile.list.len() == 11).then(2).otherwise(1)
    return pl.when(entry >= 0).then(profile.list.get(entry, null_on_oob=True))


def _profiles_at(spec_frame: pl.DataFrame, pair: _PairKey, month: int) -> pl.Series | None:
    """Each indicator's profile entry for `month`, by the pair key's indicator index."""
    names = pair.indicators.categories.to_list()
    profiles = dict(spec_frame.select("indicator", "profile").iter_rows())
    if not any(profiles.get(name) is not None for name in names):
        return None
    entries = []
    for name in names:
        profile = profiles.get(name)
        entry = None
        if profile is not None:
            position = month - (2 if len(profile) == 11 else 1)
            entry = profile[position] if 0 <= position < len(profile) else None
        entries.append(entry)
    return pl.Series("profile_entry", entries, dtype=pl.Float64)


_KINDS = pl.Enum(KINDS)
_DIRECTIONS = pl.Enum(DIRECTIONS)
_SCHEDULES = pl.Enum(["linear", "profile", "last_year", "own"])


class _PairKey:
    """An integer for each (unit, indicator) of the targets; null for pairs without a target."""

    def __init__(self, base: pl.DataFrame) -> None:
        self.units = pl.Enum(base["unit"].unique().sort())
        self.indicators = pl.Enum(base["indicator"].unique().sort())
        self.width = max(len(self.indicators.categories), 1)

    def expr(self) -> pl.Expr:
        unit = pl.col("unit").cast(self.units, strict=False).to_physical().cast(pl.Int64)
        indicator = pl.col("indicator").cast(self.indicators, strict=False).to_physical()
        return unit * self.width + indicator.cast(pl.Int64)


def _last_year_rows(
    frame: pl.DataFrame,
    last_year: pl.DataFrame,
    months: list[int],
    pair: _PairKey,
    rows: _Rows,
    grid: _Grid,
) -> pl.Series | None:
    """Last year's same-month figure for amounts and counts whose row does not carry it.

    Wanted where it is compared (a figure is reported) or where it sets the schedule (the
    `last_year` profile); only the rows of last year that some row wants are read. None when
    no row wants one.
    """
    scheduled = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    wanting = (
        pl.col("last_year_value").is_null()
        & scheduled
        & (pl.col("value").is_not_null() | pl.col("on_last_year_schedule"))
    )
    needy = frame.select(slot=wanting.arg_true())
    if needy.height == 0 or last_year.height == 0:
        return None
    wanted = frame["indicator"].gather(needy["slot"]).unique().to_list()
    same_month = (
        last_year.lazy()
        .filter(pl.col("month").is_in(months))
        .filter(pl.col("indicator").is_in(wanted))
        .select(pl.col("month").cast(pl.Int64), pl.col("value"), pair_key=pair.expr())
        .collect()
    )
    row = rows.of(same_month["pair_key"])
    found = (
        same_month.select(
            pl.col("value").cast(pl.Float64),
            slot=grid.slots(same_month["month"], row),
        )
        .filter(pl.col("slot").is_not_null())
        .unique("slot", keep="first")
        .join(needy.with_columns(pl.col("slot").cast(pl.Int64)), on="slot", how="inner")
    )
    return grid.values(found["slot"], found["value"])


def _check_targets(base: pl.DataFrame, spec_frame: pl.DataFrame) -> None:
    joined = base.join(spec_frame.select("indicator", "kind"), on="indicator", how="left")
    bad = joined.filter(
        ~pl.col("not_applicable")
        & pl.col("kind").is_in(list(POSITIVE_TARGET_KINDS))
        & (pl.col("target") <= 0)
    )
    missing = joined.filter(~pl.col("not_applicable") & pl.col("target").is_null())
    details = [
        _(
            "unit %(unit)s, indicator %(indicator)s: target %(target)s must be positive "
            "for a %(kind)s indicator",
            unit=r["unit"],
            indicator=r["indicator"],
            target=f"{r['target']:g}",
            kind=r["kind"],
        )
        for r in bad.iter_rows(named=True)
    ] + [
        _(
            "unit %(unit)s, indicator %(indicator)s: the target is blank "
            "(write n/a if the indicator does not apply to this unit)",
            unit=r["unit"],
            indicator=r["indicator"],
        )
        for r in missing.iter_rows(named=True)
    ]
    if details:
        raise DataError(_("some targets cannot be used"), details=details)
    dup = base.group_by("unit", "indicator").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            _("some targets are given twice"),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s: %(count)s targets",
                    unit=u,
                    indicator=i,
                    count=n,
                )
                for u, i, n in dup.iter_rows()
            ],
        )


def _check_unique(current: pl.DataFrame, labels: Mapping[int, str]) -> None:
    dup = current.group_by("unit", "indicator", "month").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            _("some figures are given twice"),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s, %(period)s: %(count)s rows",
                    unit=u,
                    indicator=i,
                    period=labels[m],
                    count=n,
                )
                for u, i, m, n in dup.iter_rows()
            ],
        )


def _check_orphans(current: pl.DataFrame, base: pl.DataFrame) -> None:
    orphans = current.join(base, on=["unit", "indicator"], how="anti")
    if orphans.height:
        raise DataError(
            _("some figures have no target"),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s: a figure is reported but the "
                    "targets have no row",
                    unit=u,
                    indicator=i,
                )
                for u, i in orphans.select("unit", "indicator").iter_rows()
            ],
        )


def _check_target_values(base: pl.DataFrame, kind: pl.Series, spec_frame: pl.DataFrame) -> None:
    """A cheap look for unusable targets; `_check_targets` names them if there are any."""
    positive = kind.is_in(list(POSITIVE_TARGET_KINDS))
    target = base["target"]
    wrong = ~base["not_applicable"] & ((positive & (target <= 0)) | target.is_null())
    if wrong.any():
        _check_targets(base, spec_frame)


def _time_progress() -> pl.Expr:
    """τ(p) in percent: linear, from a profile, or from the unit's own figures of last year."""
    from_last_year = pl.col("last_year_value") * 100 / pl.col("last_year_total")
    scheduled = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    schedule = pl.col("schedule")
    return (
        pl.when(~scheduled)
        .then(None)
        .when(schedule.is_in(["own", "profile"]))
        .then(pl.col("fixed_time_progress"))
        .when(schedule == "last_year")
        .then(from_last_year)
        .otherwise(pl.col("month") * 100 / 12)
    )


def _without_combined_january(frame: pl.DataFrame) -> pl.DataFrame:
    """Indicators reporting January and February together have no January period: drop it.

    A January figure reported for such an indicator anyway is an error, not something to hide.
    """
    january = pl.col("combined") & (pl.col("month") == 1)
    if not frame.select(january.any()).item():
        return frame
    reported = frame.filter(january & pl.col("value").is_not_null())
    if reported.height:
        raise DataError(
            _(
                "these indicators report January and February together, so a January figure "
                "cannot be right"
            ),
            details=[
                _("unit %(unit)s, indicator %(indicator)s", unit=u, indicator=i)
                for u, i in reported.select("unit", "indicator").rows()
            ],
        )
    return frame.filter(~january)


def _last_year_wrong() -> pl.Expr:
    """Rows on the last-year schedule whose τ cannot be computed from last year's figures."""
    concerned = (
        (pl.col("schedule") == "last_year")
        & ~pl.col("not_applicable")
        & pl.col("value").is_not_null()
    )
    wrong = (
        pl.col("time_progress").is_null()
        | (pl.col("last_year_total") <= 0)
        | (pl.col("time_progress").round(COMPARE_DIGITS) < 0)
        | (pl.col("time_progress").round(COMPARE_DIGITS) > 100)
    )
    return concerned & wrong


def _check_last_year(frame: pl.DataFrame) -> None:
    if not frame.select(_last_year_wrong().any()).item():
        return
    bad = frame.filter(_last_year_wrong())
    raise DataError(
        _("the last-year schedule cannot be computed"),
        details=[
            _(
                "unit %(unit)s, indicator %(indicator)s, %(period)s: needs last year's "
                "%(month)s figure and last year's total (December), "
                "positive and with the first not above the second; "
                "found %(figure)s and %(total)s",
                unit=r["unit"],
                indicator=r["indicator"],
                period=r["period"],
                month=f"{r['month']:02d}",
                figure=str(r["last_year_value"]),
                total=str(r["last_year_total"]),
            )
            for r in bad.iter_rows(named=True)
        ],
    )


_LIGHT_NAMES = pl.Series("light", [*LIGHTS, MISSING, NOT_APPLICABLE], dtype=pl.String)


def _measures(frame: pl.DataFrame) -> pl.DataFrame:
    kind, value, target = pl.col("kind"), pl.col("value"), pl.col("target")
    lower = pl.col("direction") == "lower"
    scheduled = kind.is_in(list(SCHEDULED_KINDS))
    applicable = ~pl.col("not_applicable")
    # A level (PM2.5, a tax share) has no completion: 115% of a ceiling is not over-fulfilment.
    # Its gap is `level_gap`, value − target in its own unit; `gap_pp` keeps the relative
    # deviation from the target (%), which its light reads against `level_yellow_pct`.
    completion = pl.when(scheduled).then(value * 100 / target)
    gap = (
        pl.when(scheduled)
        .then(pl.col("completion") - pl.col("time_progress"))
        .when(kind == "growth")
        .then(value - target)
        .otherwise(value * 100 / target - 100)
    )
    frame = frame.with_columns(completion=completion).with_columns(gap_pp=gap)
    good = pl.when(lower).then(-pl.col("gap_pp")).otherwise(pl.col("gap_pp")).round(COMPARE_DIGITS)
    # The light as a position in _LIGHT_NAMES, then its name: cheaper than strings in each branch.
    light = (
        pl.when(~applicable)
        .then(4)
        .when(value.is_null())
        .then(3)
        .when(good.is_null())
        .then(None)
        .when(good >= 0)
        .then(0)
        .when(good >= -pl.col("yellow"))
        .then(1)
        .otherwise(2)
    )
    light = pl.lit(_LIGHT_NAMES).gather(light.cast(pl.UInt32))
    month = pl.col("month")
    remaining = (12 - month).cast(pl.Float64)
    growth = (
        pl.when(kind == "growth")
        .then(value)
        .otherwise(
            pl.when(pl.col("last_year_value") > 0).then(
                (value - pl.col("last_year_value")) * 100 / pl.col("last_year_value")
            )
        )
    )
    # Derived rates are kept to nine decimals: Polars may divide by a column that happens to be
    # constant as a multiplication by its reciprocal, one unit in the last place away.
    return frame.with_columns(
        light=light,
        # Half the annual task done at the end of June, whatever the profile (on schedule is the
        # light's business); only amounts and counts where more is better have a task to halve.
        double_over_half=pl.when((month == 6) & value.is_not_null() & scheduled & ~lower).then(
            pl.col("completion").round(COMPARE_DIGITS) >= 50
        ),
        level_gap=pl.when(kind == "level").then((value - target).round(COMPARE_DIGITS)),
        run_rate_needed=pl.when(scheduled & (remaining > 0)).then(
            ((target - value) / remaining).round(COMPARE_DIGITS)
        ),
        run_rate_ratio=pl.when(scheduled & (remaining > 0) & (value > 0)).then(
            (((target - value) / remaining) / (value / month)).round(COMPARE_DIGITS)
        ),
        required_growth=_required_growth(remaining).round(COMPARE_DIGITS),
        projection=pl.when(scheduled & (pl.col("time_progress") > 0)).then(
            (value * 100 / pl.col("time_progress")).round(COMPARE_DIGITS)
        ),
        growth=growth,
        applicable=applicable,
    ).with_columns(
        [
            pl.when(applicable).then(pl.col(c)).alias(c)
            for c in ("completion", "gap_pp", "double_over_half", "run_rate_needed", "level_gap")
        ]
    )


def _required_growth(remaining: pl.Expr) -> pl.Expr:
    """Growth (%) the rest of the year needs over last year's same months to reach the target.

    `(L·(1+G) − A) / (L − L_p) − 1`: for amounts the target is `L·(1+G)` itself; for growth
    indicators `A = L_p·(1 + g)` and `G` is the target growth.
    """
    kind = pl.col("kind")
    total, same = pl.col("last_year_total"), pl.col("last_year_value")
    goal = pl.when(kind == "growth").then(total * (1 + pl.col("target") / 100)).otherwise("target")
    done = (
        pl.when(kind == "growth")
        .then(same * (1 + pl.col("value") / 100))
        .otherwise(pl.col("value"))
    )
    rest = total - same
    usable = kind.is_in(["amount", "count", "growth"]) & (rest > 0) & (remaining > 0)
    return pl.when(usable).then((goal - done) * 100 / rest - 100)


def indicator_specs_from_table(rows: Iterable[Mapping[str, object]]) -> dict[str, IndicatorSpec]:
    """Specs from rows of a targets file that carries optional kind and direction columns."""
    specs: dict[str, IndicatorSpec] = {}
    for row in rows:
        code = str(row["indicator"])
        kind = str(row.get("kind") or "amount")
        direction = str(row.get("direction") or "higher")
        spec = IndicatorSpec(code, kind=kind, direction=direction)
        if specs.setdefault(code, spec) != spec:
            raise DataError(
                _(
                    "indicator %(indicator)s: rows of the targets disagree on kind or direction",
                    indicator=code,
                )
            )
    return specs
