"""Checks on reported figures, run before they are stored (the engine part of the reporting cycle).

Units report cumulative figures (the value from January to the month); a slip of a digit or of a
unit of measure is cheaper to catch at submission than after a bulletin is published. `run_checks`
looks at the submitted `figures` against the stored `history` and returns one row per finding:
unit, indicator, year, month, check, severity (`error` blocks the submission, `warning` needs an
acknowledgement), an English message that names the figures, `value` (always the submitted
figure's value) and `reference` (the figure the check compared with, in the check's own terms).

Everything is vectorised over Polars frames: no Python loop runs per figure.

## The series a figure is compared with

The *series* of a unit and indicator is the union of `figures` and `history`, where a submitted
figure replaces a stored one of the same month (a resubmission). Rows with a blank value are not
part of it. The *previous period* of a figure is the latest earlier month of the same year in the
series. *Last year's same-period value* is the row's `last_year_value` or, when that is blank, the
series figure of the same month of the year before.

## The checks (kinds: amount, count, growth, level)

- `negative` — amount/count: `value < 0`. Reference: none.
- `decrease` — amount/count: `value < previous` (previous period of the same year). Reference:
  the previous figure; the message names both figures and both months.
- `growth_mismatch` — amount/count with a reported `growth` and last year's value `L > 0`:
  `computed = (value − L)·100 / L`; flagged when `|growth − computed| > growth_tolerance_pp`
  (exactly at the tolerance is not flagged). Reference: the computed growth. For the *growth*
  kind the value *is* the growth and the cumulative amounts it was computed from are not reported,
  so there is nothing to recompute it from: the check is skipped.
- `outlier_history` — the figure's monthly increment against the unit's own increments of last
  year and of this year's earlier months (the series, January of last year up to the month before).
  For amount/count the increment is `(value − previous) / (month − previous month)`, and for the
  first period of a year `value / month`: an increment that spans several months (January reported
  with February, or a month missing) is spread evenly so every point is one month's worth. Growth
  and level figures are not cumulative sums, so for them the "increment" is the value itself.
  Reference: the median of the comparison points.
- `outlier_group` — the unit against the *other* units of its race group (`groups`) on the same
  indicator and month, from the series: the value for growth/level, the year-on-year growth
  `(value − L)·100 / L` for amount/count (only where `L > 0`). Skipped without `groups`; units
  without a group are neither judged nor compared with. Reference: the others' median.
- `red_without_reason` — the light given for the figure in `lights` is `red` and `note` is blank
  (null or only whitespace). Reference: none.
- `unit_slip` — amount/count: the ratio `r = value / reference` to the previous period's figure or
  to last year's same-period value lies within `[f·(1 − b), f·(1 + b)]`, or `1 / r` does, with
  `f = slip_factor` (10 000: 万元 written for 亿元) and `b = slip_band`. The previous period is
  named as the reference when both match. A slip explains the other symptoms of the same row, so
  when `unit_slip` is reported (not `off`) the row's `decrease`, `growth_mismatch`,
  `outlier_history` and `outlier_group` are not.

## Robust z

For a figure `x` and comparison points `y₁…yₙ` (not including `x`): `med = median(y)`,
`MAD = median(|yᵢ − med|)`, `z = (x − med) / (1.4826·MAD)`. When `MAD = 0`, the mean absolute
deviation from the median `MeanAD = mean(|yᵢ − med|)` is used instead, with its own normal
consistency constant: `z = (x − med) / (1.253314·MeanAD)` (the modified z-score of Iglewicz and
Hoaglin, as in IBM SPSS). When both are 0, or `n < outlier_min_points`, there is no judgement.
Flagged when `|z| > outlier_threshold`. Comparisons of computed figures round to nine decimals so
that floating-point noise does not move a figure across a threshold.

## Configuration, validation, output

`config` maps an indicator to a `CheckConfig`; indicators without one use the defaults. A
`CheckConfig.severity` mapping overrides `DEFAULT_SEVERITY` check by check; `off` drops the check.
Missing columns, blank keys (unit, indicator, year, month), months outside 1–12, figures given
twice, indicators without a kind and unknown check codes raise `DataError` naming what is wrong.
Blank and non-finite (NaN, ±inf treated as blank) values never raise: a check that needs a figure
that is blank is simply not made. Findings are sorted by unit, indicator, year, month, check; with
nothing found the result is an empty frame with `FINDINGS_SCHEMA`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import polars as pl

from saima.engine.errors import DataError
from saima.engine.frames import COMPARE_DIGITS, FINDINGS_SCHEMA, KINDS, SCHEDULED_KINDS
from saima.engine.text import _, format_expr, template

Severity = Literal["error", "warning", "off"]

CHECKS = (
    "decrease",
    "growth_mismatch",
    "outlier_history",
    "outlier_group",
    "red_without_reason",
    "unit_slip",
    "negative",
)
DEFAULT_SEVERITY: Mapping[str, Severity] = MappingProxyType(
    {
        "decrease": "error",
        "negative": "error",
        "unit_slip": "error",
        "growth_mismatch": "warning",
        "outlier_history": "warning",
        "outlier_group": "warning",
        "red_without_reason": "warning",
    }
)
SEVERITIES = ("error", "warning", "off")

#: Scale that makes the MAD estimate the standard deviation of normal data.
MAD_SCALE = 1.4826
#: Scale that makes the mean absolute deviation estimate it (√(π/2)).
MEAN_AD_SCALE = 1.253314

FIGURE_COLUMNS = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
    "last_year_value": pl.Float64,
    "growth": pl.Float64,
    "note": pl.String,
}
HISTORY_COLUMNS = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
}
LIGHT_COLUMNS = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "light": pl.String,
}
_KEYS = ("unit", "indicator", "year", "month")

# What the findings say. A finding leaves the engine as a plain string (and is stored as one);
# each wording is a template of its own, declared so that a platform can recognise a stored
# finding and say it in its reader's language.
NEGATIVE = template(_("cumulative value %(value)s for %(period)s is negative"))
DECREASE = template(
    _(
        "cumulative value %(value)s for %(period)s is lower than %(previous)s for "
        "%(previous_period)s; a cumulative figure cannot fall"
    )
)
GROWTH_MISMATCH = template(
    _(
        "reported growth %(growth)s%% differs from the computed %(computed)s%% (%(value)s "
        "against last year's %(last_year)s for %(last_period)s) by %(difference)s pp, more "
        "than the %(tolerance)s pp allowed"
    )
)
OUTLIER_HISTORY_INCREMENT = template(
    _(
        "monthly increment %(increment)s for %(period)s is far from this unit's own record: "
        "robust z %(z)s against %(count)s earlier months (median %(median)s, threshold "
        "%(threshold)s)"
    )
)
OUTLIER_HISTORY_VALUE = template(
    _(
        "value %(value)s for %(period)s is far from this unit's own record: robust z %(z)s "
        "against %(count)s earlier months (median %(median)s, threshold %(threshold)s)"
    )
)
OUTLIER_GROUP_GROWTH = template(
    _(
        "year-on-year growth %(growth)s%% for %(period)s is far from the other units of group "
        "%(group)s: robust z %(z)s against %(count)s units (median %(median)s, threshold "
        "%(threshold)s)"
    )
)
OUTLIER_GROUP_VALUE = template(
    _(
        "value %(value)s for %(period)s is far from the other units of group %(group)s: robust "
        "z %(z)s against %(count)s units (median %(median)s, threshold %(threshold)s)"
    )
)
UNIT_SLIP_TIMES_PREVIOUS = template(
    _(
        "value %(value)s for %(period)s is about %(ratio)s times the figure for "
        "%(reference_period)s (%(reference)s): a unit-of-measure slip (万元 written for 亿元, "
        "or the reverse)?"
    )
)
UNIT_SLIP_FRACTION_PREVIOUS = template(
    _(
        "value %(value)s for %(period)s is about 1/%(ratio)s of the figure for "
        "%(reference_period)s (%(reference)s): a unit-of-measure slip (万元 written for 亿元, "
        "or the reverse)?"
    )
)
UNIT_SLIP_TIMES_LAST_YEAR = template(
    _(
        "value %(value)s for %(period)s is about %(ratio)s times last year's figure for "
        "%(reference_period)s (%(reference)s): a unit-of-measure slip (万元 written for 亿元, "
        "or the reverse)?"
    )
)
UNIT_SLIP_FRACTION_LAST_YEAR = template(
    _(
        "value %(value)s for %(period)s is about 1/%(ratio)s of last year's figure for "
        "%(reference_period)s (%(reference)s): a unit-of-measure slip (万元 written for 亿元, "
        "or the reverse)?"
    )
)
RED_WITHOUT_REASON = template(_("the light for %(period)s is red and the note gives no reason"))


def _default_severity() -> Mapping[str, Severity]:
    return DEFAULT_SEVERITY


@dataclass(frozen=True)
class CheckConfig:
    """How one indicator's figures are checked; every field has a default.

    `severity` overrides `DEFAULT_SEVERITY` per check code (the others keep their default);
    after construction it holds the full, merged mapping.
    """

    severity: Mapping[str, Severity] = field(default_factory=_default_severity, hash=False)
    growth_tolerance_pp: float = 0.5
    outlier_threshold: float = 5.0
    outlier_min_points: int = 5
    slip_factor: float = 10_000.0
    slip_band: float = 0.3

    def __post_init__(self) -> None:
        given = dict(self.severity)
        unknown = sorted(str(code) for code in given if code not in CHECKS)
        if unknown:
            raise DataError(
                _(
                    "unknown check code(s) %(codes)s; the checks are %(checks)s",
                    codes=", ".join(map(repr, unknown)),
                    checks=", ".join(CHECKS),
                )
            )
        # Codes and values only: nothing in these details to translate.
        bad = sorted(f"{c}: {level!r}" for c, level in given.items() if level not in SEVERITIES)
        if bad:
            raise DataError(_("a severity must be 'error', 'warning' or 'off'"), details=bad)
        object.__setattr__(self, "severity", MappingProxyType({**DEFAULT_SEVERITY, **given}))
        problems = []
        if not _finite(self.growth_tolerance_pp) or self.growth_tolerance_pp < 0:
            problems.append(
                _(
                    "growth_tolerance_pp %(value)s must be ≥ 0",
                    value=repr(self.growth_tolerance_pp),
                )
            )
        if not _finite(self.outlier_threshold) or self.outlier_threshold <= 0:
            problems.append(
                _("outlier_threshold %(value)s must be > 0", value=repr(self.outlier_threshold))
            )
        if not isinstance(self.outlier_min_points, int) or self.outlier_min_points < 1:
            problems.append(
                _(
                    "outlier_min_points %(value)s must be an int ≥ 1",
                    value=repr(self.outlier_min_points),
                )
            )
        if not _finite(self.slip_band) or not 0 <= self.slip_band < 1:
            problems.append(_("slip_band %(value)s must be in [0, 1)", value=repr(self.slip_band)))
        elif not _finite(self.slip_factor) or self.slip_factor * (1 - self.slip_band) <= 1:
            problems.append(
                _(
                    "slip_factor %(factor)s with slip_band %(band)s would take an unchanged "
                    "figure for a slip: slip_factor·(1 − slip_band) must be > 1",
                    factor=repr(self.slip_factor),
                    band=repr(self.slip_band),
                )
            )
        if problems:
            raise DataError(_("the check configuration cannot be used"), details=problems)


def _finite(number: object) -> bool:
    return isinstance(number, int | float) and math.isfinite(number)


def run_checks(
    figures: pl.DataFrame,
    history: pl.DataFrame,
    *,
    kinds: Mapping[str, str],
    groups: Mapping[str, str] | None = None,
    lights: pl.DataFrame | None = None,
    config: Mapping[str, CheckConfig] | None = None,
) -> pl.DataFrame:
    """Findings on the submitted `figures` (see the module docstring for every rule).

    `figures`: unit, indicator, year, month, value, last_year_value, growth, note (the last four
    may hold blanks). `history`: unit, indicator, year, month, value. `kinds`: indicator → kind.
    `groups`: unit → race group. `lights`: unit, indicator, year, month, light. `config`:
    indicator → CheckConfig.
    """
    sub = _normalise(figures, FIGURE_COLUMNS, "figures")
    hist = _normalise(history, HISTORY_COLUMNS, "history")
    light_frame = _normalise(lights, LIGHT_COLUMNS, "lights") if lights is not None else None
    _check_unique(sub, "figures")
    indicators = sorted(set(sub["indicator"].to_list()))
    params = _params(indicators, kinds, config or {})
    if sub.height == 0:
        return empty_findings()

    # Units of the race groups count as comparison points even when they submit nothing.
    grouped = {str(u) for u, g in (groups or {}).items() if g is not None}
    keys = _Keys(sub, indicators, grouped)
    sub = keys.encode(sub).with_row_index("figure_id")
    hist = keys.encode(hist.filter(pl.col("year").is_in(keys.years))).filter(
        pl.col("key").is_not_null()
    )
    series = _series(sub, hist, params, keys)
    subj = (
        series.filter(pl.col("figure_id").is_not_null())
        .select("figure_id", "previous_value", "previous_month", "increment")
        .join(sub, on="figure_id", how="left")
        .join(params, on="indicator_index", how="left")
    )
    subj = subj.join(_last_year(series, subj["key"]), on="key", how="left").with_columns(
        last_year=pl.coalesce("last_year_value", "last_year_in_series")
    )
    subj = subj.join(_history_stats(series, subj, keys), on="figure_id", how="left")
    if groups:
        subj = subj.join(_group_stats(series, sub, subj, groups, keys), on="figure_id", how="left")
    else:
        subj = subj.with_columns(
            **{
                c: pl.lit(None, dtype=pl.Float64)
                for c in ("group_z", "group_median", "group_metric")
            },
            group_count=pl.lit(None, dtype=pl.Int64),
            group_name=pl.lit(None, dtype=pl.String),
        )
    found = [*_value_findings(subj)]
    if light_frame is not None:
        found.append(_red_without_reason(sub, light_frame, keys))
    return _assemble(found, sub, params)


class _Keys:
    """One integer per unit × indicator × month of the submitted figures' years and the year
    before: `key = (unit·width + indicator)·span + (t − first)` with `t = 12·year + month − 1`.

    Joins and sorts over the (large) history are then on one integer column. Rows of other
    units, indicators or years get a null key.
    """

    def __init__(self, sub: pl.DataFrame, indicators: list[str], extra_units: set[str]) -> None:
        years = sorted(set(sub["year"].to_list()))
        self.units = pl.Enum(sorted(set(sub["unit"].to_list()) | extra_units))
        self.codes = pl.Enum(indicators)
        self.width = len(indicators)
        self.years = sorted({y for x in years for y in (x - 1, x)})
        self.first = (years[0] - 1) * 12
        self.span = (years[-1] - years[0] + 2) * 12

    def encode(self, frame: pl.DataFrame) -> pl.DataFrame:
        unit = pl.col("unit").cast(self.units, strict=False).to_physical().cast(pl.Int64)
        code = pl.col("indicator").cast(self.codes, strict=False).to_physical().cast(pl.Int64)
        offset = pl.col("year") * 12 + pl.col("month") - 1 - self.first
        inside = pl.col("year").is_in(self.years)
        return frame.with_columns(
            unit_index=unit,
            indicator_index=code,
            key=pl.when(inside).then((unit * self.width + code) * self.span + offset),
        )


def blocking(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings that block a submission (severity `error`)."""
    return findings.filter(pl.col("severity") == "error")


def needs_acknowledgement(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings a unit must acknowledge before its figures are accepted (`warning`)."""
    return findings.filter(pl.col("severity") == "warning")


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)


# -- inputs ------------------------------------------------------------------------------------


def _normalise(frame: pl.DataFrame, columns: Mapping[str, pl.DataType], name: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            _("%(frame)s: missing column(s) %(columns)s", frame=name, columns=", ".join(missing))
        )
    exprs = []
    for column, dtype in columns.items():
        if column in ("unit", "indicator"):
            # Codes are text even when they look like numbers.
            exprs.append(pl.col(column).cast(pl.String))
        else:
            exprs.append(pl.col(column).cast(dtype))
    try:
        out = frame.select(exprs)
    except pl.exceptions.PolarsError as exc:
        raise DataError(
            _(
                "%(frame)s: a column has values of the wrong type (%(error)s)",
                frame=name,
                error=str(exc),
            )
        ) from None
    floats = [c for c, t in columns.items() if t == pl.Float64]
    out = out.with_columns(
        [pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats]
    )
    blank = [c for c in _KEYS if out[c].null_count()]
    if blank:
        raise DataError(
            _("%(frame)s: blank %(columns)s in some rows", frame=name, columns=", ".join(blank))
        )
    months = out.filter(~pl.col("month").is_between(1, 12))
    if months.height:
        raise DataError(
            _("%(frame)s: months run from 1 to 12", frame=name),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s: month %(month)s",
                    unit=u,
                    indicator=i,
                    month=m,
                )
                for u, i, _year, m in _key_rows(months)
            ],
        )
    return out


def _key_rows(frame: pl.DataFrame) -> list[tuple]:
    return frame.select(_KEYS).unique().sort(_KEYS).rows()


def _check_unique(frame: pl.DataFrame, name: str) -> None:
    dup = frame.filter(pl.struct(_KEYS).is_duplicated())
    if dup.height:
        raise DataError(
            _("%(frame)s: some figures are given twice", frame=name),
            details=[
                _(
                    "unit %(unit)s, indicator %(indicator)s, %(period)s",
                    unit=u,
                    indicator=i,
                    period=f"{y}-{m:02d}",
                )
                for u, i, y, m in _key_rows(dup)
            ],
        )


def _params(
    indicators: list[str], kinds: Mapping[str, str], config: Mapping[str, CheckConfig]
) -> pl.DataFrame:
    """One row per submitted indicator (by its position): its kind and its check parameters."""
    without = [code for code in indicators if code not in kinds]
    if without:
        raise DataError(_("some indicators have no kind"), details=without)
    wrong = sorted(f"{c}: {k!r}" for c, k in kinds.items() if k not in KINDS)
    if wrong:
        raise DataError(_("a kind must be one of %(kinds)s", kinds=", ".join(KINDS)), details=wrong)
    for code, item in config.items():
        if not isinstance(item, CheckConfig):
            raise DataError(
                _(
                    "config for indicator %(indicator)s: expected a CheckConfig, got %(value)s",
                    indicator=code,
                    value=repr(item),
                )
            )
    rows = []
    for position, code in enumerate(indicators):
        item = config.get(code) or CheckConfig()
        rows.append(
            {
                "indicator_index": position,
                "kind": kinds[code],
                "growth_tolerance": float(item.growth_tolerance_pp),
                "outlier_threshold": float(item.outlier_threshold),
                "outlier_min_points": int(item.outlier_min_points),
                "slip_factor": float(item.slip_factor),
                "slip_band": float(item.slip_band),
                **{f"severity_{check}": item.severity[check] for check in CHECKS},
            }
        )
    schema = {
        "indicator_index": pl.Int64,
        "kind": pl.String,
        "growth_tolerance": pl.Float64,
        "outlier_threshold": pl.Float64,
        "outlier_min_points": pl.Int64,
        "slip_factor": pl.Float64,
        "slip_band": pl.Float64,
        **{f"severity_{check}": pl.String for check in CHECKS},
    }
    return pl.DataFrame(rows, schema=schema)


# -- the series and its statistics -------------------------------------------------------------


def _series(
    sub: pl.DataFrame, hist: pl.DataFrame, params: pl.DataFrame, keys: _Keys
) -> pl.DataFrame:
    """Figures ∪ history with a value, sorted, with the previous period and the increment.

    Sorted on `2·key + source_order` (a submitted figure before a stored one of the same
    month), so a resubmission drops the stored figure and a stored figure given twice shows as
    two stored rows in a row.
    """
    frame = pl.concat(
        [
            sub.select("key", "value", "figure_id", source_order=pl.lit(0, dtype=pl.Int64)),
            hist.select(
                "key",
                "value",
                figure_id=pl.lit(None, dtype=pl.UInt32),
                source_order=pl.lit(1, dtype=pl.Int64),
            ),
        ]
    )
    frame = frame.sort(pl.col("key") * 2 + pl.col("source_order"))
    again = pl.col("key") == pl.col("key").shift(1)
    if frame.select((again & (pl.col("source_order").shift(1) == 1)).any()).item():
        _check_unique(hist, "history")
    cumulative = params.filter(pl.col("kind").is_in(list(SCHEDULED_KINDS)))["indicator_index"]
    frame = frame.filter(~(again & (pl.col("source_order") == 1)).fill_null(False)).filter(
        pl.col("value").is_not_null()
    )
    t = pl.col("key") % keys.span + keys.first
    pair = pl.col("key") // keys.span
    frame = frame.with_columns(
        indicator_index=pair % keys.width, year=t // 12, month=t % 12 + 1, pair=pair
    ).drop("source_order")
    same = (pl.col("pair").shift(1) == pl.col("pair")) & (pl.col("year").shift(1) == pl.col("year"))
    frame = frame.with_columns(
        cumulative=pl.col("indicator_index").is_in(cumulative.implode()),
        previous_value=pl.when(same).then(pl.col("value").shift(1)),
        previous_month=pl.when(same).then(pl.col("month").shift(1)),
    )
    months = pl.col("month") - pl.coalesce("previous_month", pl.lit(0))
    return frame.with_columns(
        increment=pl.when(pl.col("cumulative"))
        .then((pl.col("value") - pl.col("previous_value").fill_null(0.0)) / months)
        .otherwise(pl.col("value"))
    ).drop("pair")


def _last_year(series: pl.DataFrame, wanted: pl.Series) -> pl.DataFrame:
    """The series figures of the same month a year before the keys `wanted`, keyed by those."""
    return series.filter(pl.col("key").is_in((wanted - 12).implode())).select(
        pl.col("key") + 12, last_year_in_series="value"
    )


def _robust_z(x: pl.Expr, median: pl.Expr, mad: pl.Expr, mean_ad: pl.Expr) -> pl.Expr:
    scale = pl.when(mad > 0).then(mad * MAD_SCALE).when(mean_ad > 0).then(mean_ad * MEAN_AD_SCALE)
    return (x - median) / scale


def _history_stats(series: pl.DataFrame, subj: pl.DataFrame, keys: _Keys) -> pl.DataFrame:
    """Per submitted figure: its increments' comparison points from January last year on."""
    span = keys.span
    points = (
        series.select(
            pair=pl.col("key") // span, point_offset=pl.col("key") % span, increments="increment"
        )
        .join(
            subj.select(
                "figure_id",
                pair=pl.col("key") // span,
                figure_offset=pl.col("key") % span,
                first_offset=(pl.col("year") - 1) * 12 - keys.first,
            ),
            on="pair",
        )
        .filter(
            (pl.col("point_offset") < pl.col("figure_offset"))
            & (pl.col("point_offset") >= pl.col("first_offset"))
        )
    )
    # Each figure's points as one list: list medians are much faster than a median nested in a
    # group_by expression.
    stats = (
        points.group_by("figure_id")
        .agg("increments")
        .with_columns(history_median=pl.col("increments").list.median())
        .with_columns(
            deviations=(pl.col("increments") - pl.col("history_median")).list.eval(
                pl.element().abs()
            )
        )
    )
    return stats.join(subj.select("figure_id", "increment"), on="figure_id").select(
        "figure_id",
        "history_median",
        history_count=pl.col("increments").list.len().cast(pl.Int64),
        history_z=_robust_z(
            pl.col("increment"),
            pl.col("history_median"),
            pl.col("deviations").list.median(),
            pl.col("deviations").list.mean(),
        ),
    )


def _loo_median(frame: pl.DataFrame, key: str, column: str, out: str) -> pl.DataFrame:
    """Median of `column` within each `key` leaving the row's own value out, by order statistics.

    With the group sorted (n values v₀…vₙ₋₁) and the row at position r, the other n − 1 values
    have order statistics wₖ = vₖ for k < r and vₖ₊₁ otherwise, and their median is read off
    directly: no row is ever paired with every other. Adds `out`, `count` (the group's size) and
    `case`, which tells which of at most three medians a group's rows get (0: r above the
    middle, 1: r at or below the lower middle, 2: r at the upper middle of an even count).
    Equal values may sit in either order: removing one or the other leaves the same values.
    """
    frame = frame.sort(key, column).with_row_index("position")
    frame = frame.with_columns(
        count=pl.len().over(key).cast(pl.Int64),
        start=pl.col("position").min().over(key).cast(pl.Int64),
    ).with_columns(
        rank_in_group=pl.col("position").cast(pl.Int64) - pl.col("start"),
        others=pl.col("count") - 1,
    )
    k1 = ((pl.col("others") - 1) // 2).clip(lower_bound=0)
    k2 = pl.col("others") // 2

    def at(k: pl.Expr) -> pl.Expr:
        index = pl.col("start") + k + (k >= pl.col("rank_in_group")).cast(pl.Int64)
        return pl.col(column).gather(index.clip(upper_bound=max(frame.height - 1, 0)))

    middle = pl.when(pl.col("others") >= 1).then((at(k1) + at(k2)) / 2)
    case = (
        pl.when(pl.col("rank_in_group") > k2)
        .then(pl.lit(0, dtype=pl.Int64))
        .when(pl.col("rank_in_group") <= k1)
        .then(pl.lit(1, dtype=pl.Int64))
        .otherwise(pl.lit(2, dtype=pl.Int64))
    )
    return frame.with_columns(middle.alias(out), case=case).drop(
        "position", "start", "rank_in_group", "others"
    )


def _group_stats(
    series: pl.DataFrame,
    sub: pl.DataFrame,
    subj: pl.DataFrame,
    groups: Mapping[str, str],
    keys: _Keys,
) -> pl.DataFrame:
    """Per submitted figure: robust z of its growth (or value) against the rest of its group."""
    pairs = [(str(u), str(g)) for u, g in groups.items() if g is not None]
    names = sorted({g for _, g in pairs})
    unit_groups = (
        pl.DataFrame(pairs, schema={"unit": pl.String, "group_index": pl.String}, orient="row")
        .select(
            unit_index=pl.col("unit").cast(keys.units, strict=False).to_physical().cast(pl.Int64),
            group_index=pl.col("group_index").cast(pl.Enum(names)).to_physical().cast(pl.Int64),
        )
        .filter(pl.col("unit_index").is_not_null())
    )
    span, width = keys.span, keys.width
    period = pl.col("indicator_index") * span + pl.col("key") % span
    wanted = subj.select(period.unique().alias("indicator_period"))
    offsets = (subj["key"] % span).unique().implode()
    members = (
        series.filter((pl.col("key") % span).is_in(offsets))
        .with_columns(indicator_period=period)
        .join(wanted, on="indicator_period", how="semi")
        .with_columns(unit_index=pl.col("key") // span // width)
        .join(unit_groups, on="unit_index", how="inner")
    )
    members = (
        members.join(_last_year(series, members["key"]), on="key", how="left")
        .join(sub.select("figure_id", "last_year_value"), on="figure_id", how="left")
        .with_columns(last_year=pl.coalesce("last_year_value", "last_year_in_series"))
    )
    metric = (
        pl.when(~pl.col("cumulative"))
        .then(pl.col("value"))
        .when(pl.col("last_year") > 0)
        .then((pl.col("value") - pl.col("last_year")) * 100 / pl.col("last_year"))
    )
    members = members.select(
        "figure_id",
        "group_index",
        group_key=pl.col("group_index") * (width * span) + pl.col("indicator_period"),
        metric=metric,
    ).filter(pl.col("metric").is_not_null())
    members = _loo_median(members, "group_key", "metric", "group_median")
    # The MAD of the others around their own median: a row's centre is one of at most three
    # values per group (its case), so deviations are taken from each case's centre in turn and
    # the leave-one-out median of those is read where the case is the row's own.
    centres = members.select("group_key", centre_case="case", centre="group_median").unique(
        subset=["group_key", "centre_case"]
    )
    spread = (
        members.select("group_key", "group_index", "figure_id", "metric", own_case="case")
        .join(centres, on="group_key")
        .with_columns(
            deviation=(pl.col("metric") - pl.col("centre")).abs(),
            case_key=pl.col("group_key") * 3 + pl.col("centre_case"),
        )
    )
    spread = _loo_median(spread, "case_key", "deviation", "group_mad")
    others = pl.col("count") - 1
    # Summed over the whole group before the rows are narrowed to their own case.
    spread = spread.with_columns(
        mean_deviation=(pl.col("deviation").sum().over("case_key") - pl.col("deviation")) / others
    )
    mean_ad = pl.col("mean_deviation")
    return spread.filter(
        (pl.col("centre_case") == pl.col("own_case")) & pl.col("figure_id").is_not_null()
    ).select(
        "figure_id",
        group_count=others,
        group_median="centre",
        group_metric="metric",
        group_z=pl.when(others > 0).then(
            _robust_z(pl.col("metric"), pl.col("centre"), pl.col("group_mad"), mean_ad)
        ),
        group_name=pl.col("group_index").replace_strict(
            list(range(len(names))), names, return_dtype=pl.String
        ),
    )


# -- findings ----------------------------------------------------------------------------------


def _fmt(number: pl.Expr) -> pl.Expr:
    """A figure as text: integers without decimals, others to at most four decimals."""
    whole = (number.round(0) == number) & (number.abs() < 1e15)
    return (
        pl.when(whole)
        .then(number.cast(pl.Int64).cast(pl.String))
        .otherwise(number.round(4).cast(pl.String))
    )


def _fixed2(number: pl.Expr) -> pl.Expr:
    """A figure to exactly two decimals (7.30, -0.05); one too large for that (a robust z
    against a history with almost no spread can be 1e23) is written as the float it is,
    rather than failing the whole check."""
    cents = (number * 100).round(0).cast(pl.Int64, strict=False)
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (cents.abs() // 100).cast(pl.String)
    part = (cents.abs() % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(cents.is_null() & number.is_not_null())
        .then(number.cast(pl.String))
        .otherwise(pl.format("{}{}.{}", sign, whole, part))
    )


def unit_slip_expr(
    value: pl.Expr,
    reference: pl.Expr,
    factor: pl.Expr | float = 10_000.0,
    band: pl.Expr | float = 0.3,
) -> pl.Expr:
    """The `unit_slip` test: `value / reference`, or its inverse, lies within
    `[factor·(1 − band), factor·(1 + band)]` (a 万元 figure written where 亿元 are meant, or the
    reverse). False when either is 0; null when either is null. Other records of amounts (key
    projects' investment) use the same test, so a slip is caught alike everywhere."""
    factor = factor if isinstance(factor, pl.Expr) else pl.lit(float(factor))
    band = band if isinstance(band, pl.Expr) else pl.lit(float(band))
    lo, hi = factor * (1 - band), factor * (1 + band)
    usable = (reference != 0) & (value != 0)
    ratio = (value / reference).round(COMPARE_DIGITS)
    inverse = (reference / value).round(COMPARE_DIGITS)
    return usable & (ratio.is_between(lo, hi) | inverse.is_between(lo, hi))


def _month_label(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    return pl.format("{}-{}", year, month.cast(pl.String).str.zfill(2))


def _value_findings(subj: pl.DataFrame) -> list[pl.DataFrame]:
    """Every check on the figures themselves; one frame per check (_rid, check, ref, message)."""
    value, prev, ly = pl.col("value"), pl.col("previous_value"), pl.col("last_year")
    cumulative = pl.col("kind").is_in(list(SCHEDULED_KINDS))
    this_period = _month_label(pl.col("year"), pl.col("month"))
    prev_period = _month_label(pl.col("year"), pl.col("previous_month"))
    last_period = _month_label(pl.col("year") - 1, pl.col("month"))

    def slipped(reference: pl.Expr) -> pl.Expr:
        return unit_slip_expr(value, reference, pl.col("slip_factor"), pl.col("slip_band"))

    slip_prev = (cumulative & slipped(prev)).fill_null(False)
    slip_ly = (cumulative & slipped(ly)).fill_null(False)
    computed = (value - ly) * 100 / ly
    frame = subj.with_columns(
        slipped=(slip_prev | slip_ly) & (pl.col("severity_unit_slip") != "off"),
        slip_reference=pl.when(slip_prev).then(prev).when(slip_ly).then(ly),
        computed_growth=pl.when(cumulative & (ly > 0)).then(computed),
    )
    explained = ~pl.col("slipped")

    def pick(check: str, condition: pl.Expr, reference: pl.Expr, message: pl.Expr) -> pl.DataFrame:
        return frame.filter(condition.fill_null(False)).select(
            "figure_id",
            check=pl.lit(check),
            reference=reference.cast(pl.Float64),
            message=message,
        )

    none = pl.lit(None, dtype=pl.Float64)
    out = [
        pick(
            "negative",
            cumulative & (value < 0),
            none,
            format_expr(NEGATIVE, value=_fmt(value), period=this_period),
        ),
        pick(
            "decrease",
            cumulative & explained & (value < prev),
            prev,
            format_expr(
                DECREASE,
                value=_fmt(value),
                period=this_period,
                previous=_fmt(prev),
                previous_period=prev_period,
            ),
        ),
    ]
    difference = (pl.col("growth") - pl.col("computed_growth")).abs()
    out.append(
        pick(
            "growth_mismatch",
            explained & (difference.round(COMPARE_DIGITS) > pl.col("growth_tolerance")),
            pl.col("computed_growth"),
            format_expr(
                GROWTH_MISMATCH,
                growth=_fmt(pl.col("growth")),
                computed=_fmt(pl.col("computed_growth")),
                value=_fmt(value),
                last_year=_fmt(ly),
                last_period=last_period,
                difference=_fmt(difference),
                tolerance=_fmt(pl.col("growth_tolerance")),
            ),
        )
    )
    history = {
        "period": this_period,
        "z": _fixed2(pl.col("history_z")),
        "count": pl.col("history_count").cast(pl.String),
        "median": _fmt(pl.col("history_median")),
        "threshold": _fmt(pl.col("outlier_threshold")),
    }
    out.append(
        pick(
            "outlier_history",
            explained
            & (pl.col("history_count") >= pl.col("outlier_min_points"))
            & (pl.col("history_z").abs().round(COMPARE_DIGITS) > pl.col("outlier_threshold")),
            pl.col("history_median"),
            pl.when(cumulative)
            .then(
                format_expr(
                    OUTLIER_HISTORY_INCREMENT, increment=_fmt(pl.col("increment")), **history
                )
            )
            .otherwise(
                format_expr(OUTLIER_HISTORY_VALUE, value=_fmt(pl.col("increment")), **history)
            ),
        )
    )
    group = {
        "period": this_period,
        "group": pl.col("group_name"),
        "z": _fixed2(pl.col("group_z")),
        "count": pl.col("group_count").cast(pl.String),
        "median": _fmt(pl.col("group_median")),
        "threshold": _fmt(pl.col("outlier_threshold")),
    }
    out.append(
        pick(
            "outlier_group",
            explained
            & (pl.col("group_count") >= pl.col("outlier_min_points"))
            & (pl.col("group_z").abs().round(COMPARE_DIGITS) > pl.col("outlier_threshold")),
            pl.col("group_median"),
            pl.when(cumulative)
            .then(format_expr(OUTLIER_GROUP_GROWTH, growth=_fmt(pl.col("group_metric")), **group))
            .otherwise(
                format_expr(OUTLIER_GROUP_VALUE, value=_fmt(pl.col("group_metric")), **group)
            ),
        )
    )
    ratio = value / pl.col("slip_reference")
    times = ratio.abs() >= 1
    slip = {
        "value": _fmt(value),
        "period": this_period,
        "reference": _fmt(pl.col("slip_reference")),
    }
    multiple, fraction = _fmt(ratio.round(1)), _fmt((1 / ratio).round(1))
    out.append(
        pick(
            "unit_slip",
            pl.col("slipped"),
            pl.col("slip_reference"),
            pl.when(times & slip_prev)
            .then(
                format_expr(
                    UNIT_SLIP_TIMES_PREVIOUS, ratio=multiple, reference_period=prev_period, **slip
                )
            )
            .when(slip_prev)
            .then(
                format_expr(
                    UNIT_SLIP_FRACTION_PREVIOUS,
                    ratio=fraction,
                    reference_period=prev_period,
                    **slip,
                )
            )
            .when(times)
            .then(
                format_expr(
                    UNIT_SLIP_TIMES_LAST_YEAR, ratio=multiple, reference_period=last_period, **slip
                )
            )
            .otherwise(
                format_expr(
                    UNIT_SLIP_FRACTION_LAST_YEAR,
                    ratio=fraction,
                    reference_period=last_period,
                    **slip,
                )
            ),
        )
    )
    return out


def _red_without_reason(sub: pl.DataFrame, lights: pl.DataFrame, keys: _Keys) -> pl.DataFrame:
    lights = keys.encode(lights).filter(pl.col("key").is_not_null())
    if lights["key"].is_duplicated().any():
        _check_unique(lights, "lights")
    blank = pl.col("note").is_null() | (pl.col("note").str.strip_chars() == "")
    return (
        sub.select("figure_id", "key", "note", "year", "month")
        .join(lights.select("key", "light"), on="key", how="inner")
        .filter((pl.col("light").str.strip_chars().str.to_lowercase() == "red") & blank)
        .select(
            "figure_id",
            check=pl.lit("red_without_reason"),
            reference=pl.lit(None, dtype=pl.Float64),
            message=format_expr(
                RED_WITHOUT_REASON, period=_month_label(pl.col("year"), pl.col("month"))
            ),
        )
    )


def _assemble(found: list[pl.DataFrame], sub: pl.DataFrame, params: pl.DataFrame) -> pl.DataFrame:
    findings = pl.concat(found)
    if findings.height == 0:
        return empty_findings()
    severity = params.select(
        "indicator_index", *(pl.col(f"severity_{c}").alias(c) for c in CHECKS)
    ).unpivot(index="indicator_index", variable_name="check", value_name="severity")
    return (
        findings.join(
            sub.select("figure_id", "indicator_index", *_KEYS, "value"), on="figure_id", how="left"
        )
        .join(severity, on=["indicator_index", "check"], how="left")
        .filter(pl.col("severity") != "off")
        .select(*(pl.col(c).cast(t) for c, t in FINDINGS_SCHEMA.items()))
        .sort("unit", "indicator", "year", "month", "check")
    )
