"""Progress of each unit on each indicator against the time-sequence schedule (时序进度).

One vectorised pass over a frame of unit × indicator rows computes, for a period: time progress,
completion, the gap in percentage points, the light, double-over-half at the half year, the required
monthly run rate, the required growth for the rest of the year and the year-end projection.

Percentages are computed as `A·100/T` and `month·100/12` rather than as ratios times 100, so that
figures that are exact in decimal (20% against 25%) stay exact and land on the right side of a
threshold; comparisons round to nine decimals to absorb the last bit of floating-point noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from saima.engine.errors import DataError
from saima.engine.periods import Period
from saima.engine.rules import POSITIVE_TARGET_KINDS, SCHEDULED_KINDS, Rules, Thresholds

#: Digits kept when comparing computed figures, so 4.000000000000001 equals 4.
COMPARE_DIGITS = 9

LIGHTS = ("green", "yellow", "red")
MISSING = "missing"
NOT_APPLICABLE = "n/a"

TARGETS_SCHEMA = {"unit": pl.String, "indicator": pl.String, "target": pl.Float64}
ACTUALS_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
}


@dataclass(frozen=True)
class IndicatorSpec:
    """What the engine needs to know about an input indicator to judge its progress."""

    code: str
    kind: str = "amount"
    direction: str = "higher"
    profile: tuple[float, ...] | str = "linear"
    combined_jan_feb: bool = False
    yellow: float | None = None

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
    for code, item in rules.indicators.items():
        profile = item.profile if item.profile is not None else "linear"
        specs[code] = IndicatorSpec(
            code=code,
            kind=item.kind,
            direction=item.direction,
            profile=tuple(profile) if isinstance(profile, list) else profile,
            combined_jan_feb=rules.combined_for(item),
            yellow=item.yellow_pp,
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
        raise DataError("no period to compute")
    years = {p.year for p in periods}
    if len(years) != 1:
        raise DataError("the periods must belong to one year")
    thresholds = thresholds or Thresholds()
    spec_frame = _spec_frame(targets, specs or {}, thresholds)
    frame = _assemble(targets, actuals, periods, spec_frame)
    frame = _time_progress(frame)
    text = [pl.col(c).cast(pl.String) for c in ("unit", "indicator", "kind", "direction")]
    return (
        _measures(frame).with_columns(text).select(*PROGRESS_COLUMNS, pl.col("_m").alias("month"))
    )


PROGRESS_COLUMNS = [
    "unit",
    "indicator",
    "period",
    "kind",
    "direction",
    "value",
    "target",
    "last_year_value",
    "time_progress",
    "completion",
    "gap_pp",
    "light",
    "double_over_half",
    "run_rate_needed",
    "run_rate_ratio",
    "required_growth",
    "projection",
    "growth",
    "applicable",
]


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
) -> pl.DataFrame:
    """One row per target × period with its figure, last year's figures and its schedule.

    Units and indicators become one integer key, so the joins over the (large) figures are on
    integers against the (small) targets; the checks that name offending rows run only when a
    cheap count shows something is wrong.
    """
    base = targets.select(
        "unit",
        "indicator",
        pl.col("target").cast(pl.Float64),
        _optional(targets, "not_applicable", pl.Boolean).fill_null(False),
        _optional(targets, "last_year_total", pl.Float64),
        _optional(targets, "profile", pl.List(pl.Float64)).alias("_own_profile"),
    )
    _check_targets(base, spec_frame)
    year = periods[0].year
    months = sorted({p.month for p in periods})
    labels = {p.month: p.label for p in periods}
    pair = _PairKey(base)
    base = base.with_columns(_pk=pair.expr())
    current = (
        actuals.lazy()
        .filter((pl.col("year") == year) & pl.col("month").is_in(months))
        .select(
            pl.col("month").cast(pl.Int64).alias("_m"),
            pl.col("value").cast(pl.Float64),
            _optional(actuals, "last_year_value", pl.Float64),
            _pk=pair.expr(),
        )
        .with_columns(_k=pl.col("_pk") * 16 + pl.col("_m"))
        .collect()
    )
    grid = (
        base.select("_pk")
        .join(pl.DataFrame({"_m": months}, schema={"_m": pl.Int64}), how="cross")
        .with_columns(_k=pl.col("_pk") * 16 + pl.col("_m"))
    )
    absent = grid.filter(~pl.col("_k").is_in(current["_k"].implode()))
    if current.height + absent.height != grid.height:
        # Some figures have no target or are given twice: name them.
        named = _named(actuals, year, months, pair)
        _check_orphans(named, base)
        _check_unique(named, labels)
    figures = pl.concat(
        [
            current.select("_pk", "_m", "_k", "value", "last_year_value"),
            absent.with_columns(
                value=pl.lit(None, dtype=pl.Float64),
                last_year_value=pl.lit(None, dtype=pl.Float64),
            ),
        ]
    )
    last_year = actuals.filter(pl.col("year") == year - 1)
    figures = _last_year_rows(figures, last_year, spec_frame, pair)
    units = _target_attributes(base, spec_frame, last_year, pair)
    frame = figures.join(units, on="_pk", how="left")
    frame = _schedule_columns(frame, spec_frame, base, pair)
    amounts = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    return frame.with_columns(
        period=pl.col("_m").replace_strict(labels, return_dtype=pl.String),
        last_year_value=pl.coalesce(
            "last_year_value", pl.when(amounts).then(pl.col("_ly_row_value"))
        ),
        last_year_total=pl.coalesce(
            "last_year_total", pl.when(amounts).then(pl.col("_ly_row_total"))
        ),
    )


def _named(actuals: pl.DataFrame, year: int, months: list[int], pair: _PairKey) -> pl.DataFrame:
    """This year's figures with their names, for messages about them."""
    return actuals.filter((pl.col("year") == year) & pl.col("month").is_in(months)).select(
        "unit", "indicator", pl.col("month").cast(pl.Int64).alias("_m")
    )


def _target_attributes(
    base: pl.DataFrame, spec_frame: pl.DataFrame, last_year: pl.DataFrame, pair: _PairKey
) -> pl.DataFrame:
    """Per target: names, the indicator's spec, last year's December figure, the schedule."""
    december = (
        last_year.filter(pl.col("month") == 12)
        .select(pl.col("value").alias("_ly_row_total"), _pk=pair.expr())
        .filter(pl.col("_pk").is_not_null())
    )
    specs = spec_frame.drop("profile").with_columns(
        pl.col("indicator").cast(pair.indicators, strict=False),
        pl.col("kind").cast(_KINDS),
        pl.col("direction").cast(_DIRECTIONS),
        pl.col("schedule").cast(_SCHEDULES),
    )
    own = pl.col("_own_profile").is_not_null()
    return (
        base.with_columns(
            pl.col("unit").cast(pair.units), pl.col("indicator").cast(pair.indicators)
        )
        .join(specs, on="indicator", how="left")
        .join(december, on="_pk", how="left")
        .with_columns(
            schedule=pl.when(own).then(pl.lit("own", dtype=_SCHEDULES)).otherwise("schedule"),
            combined=pl.when(own)
            .then(pl.col("_own_profile").list.len() == 11)
            .otherwise(pl.col("combined")),
        )
        .drop("_own_profile")
    )


def _schedule_columns(
    frame: pl.DataFrame, spec_frame: pl.DataFrame, base: pl.DataFrame, pair: _PairKey
) -> pl.DataFrame:
    """τ from the indicators' profiles and the targets' own profiles, where there are any."""
    spec_table = _profile_table(spec_frame, ["indicator"], "profile")
    own_table = _profile_table(base, ["_pk"], "_own_profile")
    indicator_key = pl.col("indicator").to_physical().cast(pl.Int64) * 16 + pl.col("_m")
    if spec_table.height:
        keyed = spec_table.select(
            (
                pl.col("indicator").cast(pair.indicators, strict=False).to_physical().cast(pl.Int64)
                * 16
                + pl.col("_m")
            ).alias("_ik"),
            "_tauprofile",
        )
        frame = frame.with_columns(_ik=indicator_key).join(keyed, on="_ik", how="left")
    else:
        frame = frame.with_columns(_tauprofile=pl.lit(None, dtype=pl.Float64))
    if own_table.height:
        keyed = own_table.select(
            (pl.col("_pk") * 16 + pl.col("_m")).alias("_k"), "_tau_own_profile"
        )
        frame = frame.join(keyed, on="_k", how="left")
    else:
        frame = frame.with_columns(_tau_own_profile=pl.lit(None, dtype=pl.Float64))
    return frame


_KINDS = pl.Enum(["amount", "growth", "count", "level"])
_DIRECTIONS = pl.Enum(["higher", "lower"])
_SCHEDULES = pl.Enum(["linear", "profile", "last_year", "own"])


class _PairKey:
    """An integer for each (unit, indicator) of the targets; null for pairs without a target."""

    def __init__(self, base: pl.DataFrame) -> None:
        self.units = pl.Enum(base["unit"].unique().sort())
        self.indicators = pl.Enum(base["indicator"].unique().sort())
        self.width = max(len(self.indicators.categories), 1)

    def indexes(self, indicators: pl.Series) -> list[int]:
        """The integer positions of these indicators (those without targets are left out)."""
        cast = indicators.cast(self.indicators, strict=False).drop_nulls()
        return cast.to_physical().cast(pl.Int64).to_list()

    def names(self, indexes: pl.Series) -> list[str]:
        """The indicator codes at these integer positions."""
        categories = self.indicators.categories
        return sorted({categories[i] for i in indexes.unique().to_list()})

    def expr(self) -> pl.Expr:
        unit = pl.col("unit").cast(self.units, strict=False).to_physical().cast(pl.Int64)
        indicator = pl.col("indicator").cast(self.indicators, strict=False).to_physical()
        return unit * self.width + indicator.cast(pl.Int64)


def _last_year_rows(
    figures: pl.DataFrame, last_year: pl.DataFrame, spec_frame: pl.DataFrame, pair: _PairKey
) -> pl.DataFrame:
    """Last year's same-month figure for amounts and counts whose row does not carry it.

    Wanted where it is compared (a figure is reported) or where it sets the schedule (the
    `last_year` profile); only those indicators' rows of last year are read.
    """
    scheduled = spec_frame.filter(pl.col("kind").is_in(list(SCHEDULED_KINDS)))
    own_schedule = scheduled.filter(pl.col("schedule") == "last_year")
    indicator = pl.col("_pk") % pair.width
    wanting = (
        pl.col("last_year_value").is_null()
        & indicator.is_in(pair.indexes(scheduled["indicator"]))
        & (pl.col("value").is_not_null() | indicator.is_in(pair.indexes(own_schedule["indicator"])))
    )
    needy = figures.filter(wanting)
    if needy.height == 0 or last_year.height == 0:
        return figures.with_columns(_ly_row_value=pl.lit(None, dtype=pl.Float64))
    wanted = pair.names(needy["_pk"] % pair.width)
    same_month = (
        last_year.filter(
            pl.col("month").is_in(needy["_m"].unique().implode())
            & pl.col("indicator").is_in(wanted)
        )
        .select(
            pl.col("value").alias("_ly_row_value"),
            _k=pair.expr() * 16 + pl.col("month").cast(pl.Int64),
        )
        .filter(pl.col("_k").is_not_null())
        .unique("_k", keep="first")
    )
    # Only the rows that want it look last year's figure up; the others keep null.
    found = pl.col("_k").replace_strict(
        same_month["_k"], same_month["_ly_row_value"], default=None, return_dtype=pl.Float64
    )
    return figures.with_columns(_ly_row_value=pl.when(wanting).then(found))


def _profile_table(frame: pl.DataFrame, keys: list[str], column: str) -> pl.DataFrame:
    """Profiles as rows (keys, month, τ): 12 entries from January, 11 from February."""
    listed = frame.filter(pl.col(column).is_not_null()).select(*keys, pl.col(column))
    first = pl.when(pl.col(column).list.len() == 11).then(2).otherwise(1)
    return (
        listed.with_columns(
            _first=first,
            _tau=pl.col(column),
        )
        .explode("_tau")
        .with_columns(_m=(pl.col("_first") + pl.int_range(pl.len()).over(keys)).cast(pl.Int64))
        .select(*keys, "_m", pl.col("_tau").alias(f"_tau{column}"))
    )


def _check_targets(base: pl.DataFrame, spec_frame: pl.DataFrame) -> None:
    joined = base.join(spec_frame.select("indicator", "kind"), on="indicator", how="left")
    bad = joined.filter(
        ~pl.col("not_applicable")
        & pl.col("kind").is_in(list(POSITIVE_TARGET_KINDS))
        & (pl.col("target") <= 0)
    )
    missing = joined.filter(~pl.col("not_applicable") & pl.col("target").is_null())
    details = [
        f"unit {r['unit']}, indicator {r['indicator']}: target {r['target']:g} must be positive "
        f"for a {r['kind']} indicator"
        for r in bad.iter_rows(named=True)
    ] + [
        f"unit {r['unit']}, indicator {r['indicator']}: the target is blank "
        "(write n/a if the indicator does not apply to this unit)"
        for r in missing.iter_rows(named=True)
    ]
    if details:
        raise DataError("some targets cannot be used", details=details)
    dup = base.group_by("unit", "indicator").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            "some targets are given twice",
            details=[f"unit {u}, indicator {i}: {n} targets" for u, i, n in dup.iter_rows()],
        )


def _check_unique(current: pl.DataFrame, labels: Mapping[int, str]) -> None:
    dup = current.group_by("unit", "indicator", "_m").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            "some figures are given twice",
            details=[
                f"unit {u}, indicator {i}, {labels[m]}: {n} rows" for u, i, m, n in dup.iter_rows()
            ],
        )


def _check_orphans(current: pl.DataFrame, base: pl.DataFrame) -> None:
    orphans = current.join(base, on=["unit", "indicator"], how="anti")
    if orphans.height:
        raise DataError(
            "some figures have no target",
            details=[
                f"unit {u}, indicator {i}: a figure is reported but the targets have no row"
                for u, i in orphans.select("unit", "indicator").iter_rows()
            ],
        )


def _time_progress(frame: pl.DataFrame) -> pl.DataFrame:
    """τ(p) in percent: linear, from a profile, or from the unit's own figures of last year."""
    month = pl.col("_m")
    frame = _without_combined_january(frame)
    from_last_year = pl.col("last_year_value") * 100 / pl.col("last_year_total")
    tau = (
        pl.when(~pl.col("kind").is_in(list(SCHEDULED_KINDS)))
        .then(None)
        .when(pl.col("schedule") == "own")
        .then(pl.col("_tau_own_profile"))
        .when(pl.col("schedule") == "profile")
        .then(pl.col("_tauprofile"))
        .when(pl.col("schedule") == "last_year")
        .then(from_last_year)
        .otherwise(month * 100 / 12)
    )
    frame = frame.with_columns(time_progress=tau)
    _check_last_year(frame)
    return frame


def _without_combined_january(frame: pl.DataFrame) -> pl.DataFrame:
    """Indicators reporting January and February together have no January period: drop it.

    A January figure reported for such an indicator anyway is an error, not something to hide.
    """
    january = pl.col("combined") & (pl.col("_m") == 1)
    reported = frame.filter(january & pl.col("value").is_not_null())
    if reported.height:
        raise DataError(
            "these indicators report January and February together, so a January figure "
            "cannot be right",
            details=[
                f"unit {u}, indicator {i}" for u, i in reported.select("unit", "indicator").rows()
            ],
        )
    return frame.filter(~january)


def _check_last_year(frame: pl.DataFrame) -> None:
    rows = frame.filter(
        (pl.col("schedule") == "last_year")
        & ~pl.col("not_applicable")
        & pl.col("value").is_not_null()
    )
    bad = rows.filter(
        pl.col("time_progress").is_null()
        | (pl.col("last_year_total") <= 0)
        | (pl.col("time_progress").round(COMPARE_DIGITS) < 0)
        | (pl.col("time_progress").round(COMPARE_DIGITS) > 100)
    )
    if bad.height:
        raise DataError(
            "the last-year schedule cannot be computed",
            details=[
                f"unit {r['unit']}, indicator {r['indicator']}, {r['period']}: needs last year's "
                f"{r['_m']:02d} figure and last year's total (December), "
                f"positive and with the first not above the second; "
                f"found {r['last_year_value']} and {r['last_year_total']}"
                for r in bad.iter_rows(named=True)
            ],
        )


def _measures(frame: pl.DataFrame) -> pl.DataFrame:
    kind, value, target = pl.col("kind"), pl.col("value"), pl.col("target")
    lower = pl.col("direction") == "lower"
    scheduled = kind.is_in(list(SCHEDULED_KINDS))
    applicable = ~pl.col("not_applicable")
    completion = pl.when(kind.is_in(["amount", "count", "level"])).then(value * 100 / target)
    gap = (
        pl.when(scheduled)
        .then(pl.col("completion") - pl.col("time_progress"))
        .when(kind == "growth")
        .then(value - target)
        .otherwise(pl.col("completion") - 100)
    )
    frame = frame.with_columns(completion=completion).with_columns(gap_pp=gap)
    good = pl.when(lower).then(-pl.col("gap_pp")).otherwise(pl.col("gap_pp")).round(COMPARE_DIGITS)
    light = (
        pl.when(~applicable)
        .then(pl.lit(NOT_APPLICABLE))
        .when(value.is_null())
        .then(pl.lit(MISSING))
        .when(good.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(good >= 0)
        .then(pl.lit("green"))
        .when(good >= -pl.col("yellow"))
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("red"))
    )
    month = pl.col("_m")
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
        double_over_half=pl.when((month == 6) & value.is_not_null()).then(good >= 0),
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
            for c in ("completion", "gap_pp", "double_over_half", "run_rate_needed")
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
            raise DataError(f"indicator {code}: rows of the targets disagree on kind or direction")
    return specs
