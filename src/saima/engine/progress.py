"""Progress of each unit on each indicator against the time-sequence schedule (时序进度).

One vectorised pass over a frame of unit × indicator rows computes, for a period: time progress,
completion, the gap in percentage points, the light, double-over-half at the half year, the required
monthly run rate, the required growth for the rest of the year and the year-end projection.

Percentages are computed as `A·100/T` and `month·100/12` rather than as ratios times 100, so that
figures that are exact in decimal (20% against 25%) stay exact and land on the right side of a
threshold; comparisons round to nine decimals to absorb the last bit of floating-point noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    thresholds = thresholds or Thresholds()
    spec_frame = _spec_frame(targets, specs or {}, thresholds)
    frame = _assemble(targets, actuals, period, spec_frame)
    frame = _time_progress(frame, period)
    return _measures(frame, period).select(PROGRESS_COLUMNS)


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
    targets: pl.DataFrame, actuals: pl.DataFrame, period: Period, spec_frame: pl.DataFrame
) -> pl.DataFrame:
    base = targets.select(
        "unit",
        "indicator",
        pl.col("target").cast(pl.Float64),
        _optional(targets, "not_applicable", pl.Boolean).fill_null(False),
        _optional(targets, "last_year_total", pl.Float64),
        _optional(targets, "profile", pl.List(pl.Float64)).alias("_own_profile"),
    )
    _check_targets(base, spec_frame)
    current = actuals.filter(
        (pl.col("year") == period.year) & (pl.col("month") == period.month)
    ).select(
        "unit",
        "indicator",
        pl.col("value").cast(pl.Float64),
        _optional(actuals, "last_year_value", pl.Float64),
    )
    _check_unique(current, period)
    _check_orphans(current, base)
    last_year = actuals.filter(pl.col("year") == period.year - 1)
    same_month = last_year.filter(pl.col("month") == period.month).select(
        "unit", "indicator", pl.col("value").alias("_ly_row_value")
    )
    december = last_year.filter(pl.col("month") == 12).select(
        "unit", "indicator", pl.col("value").alias("_ly_row_total")
    )
    keys = ["unit", "indicator"]
    frame = (
        base.join(spec_frame, on="indicator", how="left")
        .with_columns(
            schedule=pl.when(pl.col("_own_profile").is_not_null())
            .then(pl.lit("profile"))
            .otherwise(pl.col("schedule")),
            profile=pl.coalesce("_own_profile", "profile"),
            combined=pl.when(pl.col("_own_profile").is_not_null())
            .then(pl.col("_own_profile").list.len() == 11)
            .otherwise(pl.col("combined")),
        )
        .join(current, on=keys, how="left")
        .join(same_month, on=keys, how="left")
        .join(december, on=keys, how="left")
    )
    amounts = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    return frame.with_columns(
        last_year_value=pl.coalesce(
            "last_year_value", pl.when(amounts).then(pl.col("_ly_row_value"))
        ),
        last_year_total=pl.coalesce(
            "last_year_total", pl.when(amounts).then(pl.col("_ly_row_total"))
        ),
        period=pl.lit(period.label),
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


def _check_unique(current: pl.DataFrame, period: Period) -> None:
    dup = current.group_by("unit", "indicator").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            f"some figures for {period.label} are given twice",
            details=[f"unit {u}, indicator {i}: {n} rows" for u, i, n in dup.iter_rows()],
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


def _time_progress(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """τ(p) in percent: linear, from a profile, or from the unit's own figures of last year."""
    month = period.month
    _check_combined(frame, period)
    profile_index = pl.when(pl.col("combined")).then(month - 2).otherwise(month - 1)
    from_profile = pl.col("profile").list.get(profile_index, null_on_oob=True)
    from_last_year = pl.col("last_year_value") * 100 / pl.col("last_year_total")
    tau = (
        pl.when(~pl.col("kind").is_in(list(SCHEDULED_KINDS)))
        .then(None)
        .when(pl.col("schedule") == "profile")
        .then(from_profile)
        .when(pl.col("schedule") == "last_year")
        .then(from_last_year)
        .otherwise(pl.lit(month * 100 / 12))
    )
    frame = frame.with_columns(time_progress=tau)
    _check_last_year(frame, period)
    return frame


def _check_combined(frame: pl.DataFrame, period: Period) -> None:
    if period.month != 1:
        return
    combined = frame.filter(pl.col("combined"))["indicator"].unique().sort().to_list()
    if combined:
        raise DataError(
            f"{period.label}: these indicators report January and February together, "
            "so there is no January figure: " + ", ".join(combined)
        )


def _check_last_year(frame: pl.DataFrame, period: Period) -> None:
    rows = frame.filter(
        (pl.col("schedule") == "last_year")
        & ~pl.col("not_applicable")
        & pl.col("value").is_not_null()
    )
    bad = rows.filter(
        pl.col("time_progress").is_null()
        | (pl.col("last_year_total") <= 0)
        | (pl.col("time_progress") < 0)
        | (pl.col("time_progress") > 100)
    )
    if bad.height:
        raise DataError(
            f"the last-year schedule cannot be computed for {period.label}",
            details=[
                f"unit {r['unit']}, indicator {r['indicator']}: needs last year's "
                f"{period.month:02d} figure and last year's total (December), "
                f"positive and with the first not above the second; "
                f"found {r['last_year_value']} and {r['last_year_total']}"
                for r in bad.iter_rows(named=True)
            ],
        )


def _measures(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
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
    remaining = period.remaining_months
    growth = (
        pl.when(kind == "growth")
        .then(value)
        .otherwise(
            pl.when(pl.col("last_year_value") > 0).then(
                (value - pl.col("last_year_value")) * 100 / pl.col("last_year_value")
            )
        )
    )
    return frame.with_columns(
        light=light,
        double_over_half=_double_over_half(period, good),
        run_rate_needed=pl.when(scheduled & (remaining > 0)).then((target - value) / remaining),
        run_rate_ratio=pl.when(scheduled & (remaining > 0) & (value > 0)).then(
            ((target - value) / remaining) / (value / period.month)
        ),
        required_growth=_required_growth(remaining),
        projection=pl.when(scheduled & (pl.col("time_progress") > 0)).then(
            value * 100 / pl.col("time_progress")
        ),
        growth=growth,
        applicable=applicable,
    ).with_columns(
        [
            pl.when(applicable).then(pl.col(c)).alias(c)
            for c in ("completion", "gap_pp", "double_over_half", "run_rate_needed")
        ]
    )


def _double_over_half(period: Period, good: pl.Expr) -> pl.Expr:
    if not period.is_half_year:
        return pl.lit(None, dtype=pl.Boolean)
    return pl.when(pl.col("value").is_not_null()).then(good >= 0)


def _required_growth(remaining: int) -> pl.Expr:
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
