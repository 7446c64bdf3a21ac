"""Rates from counts, rounded once, and unit figures in the layout of actuals.

A published rate is rounded once, half up (四舍五入), from the exact ratio of two counts:
93/174 = 53.448… is 53.4, never 53.45 then 53.5. Integer arithmetic makes it exact: no
floating-point ratio is ever rounded, so 1/8 is 12.5 and, to no decimals, 13.

Projects and supervision give units figures (investment completed, on-time closure rate...) that a
race scores like reported figures: `as_actuals` writes them in the layout of actuals (unit,
indicator, year, month, value).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from saima.engine.errors import DataError
from saima.engine.periods import Period
from saima.engine.text import _


def rate_percent(
    numerator: int, denominator: int, decimals: int = 1, *, cap: bool = False
) -> float | None:
    """`numerator / denominator` in percent, rounded half up to `decimals`; None for 0 / 0.

    `cap`: at most 100.
    """
    _check_decimals(decimals)
    if denominator <= 0:
        return None
    scale = 10**decimals
    rounded = (2 * numerator * 100 * scale + denominator) // (2 * denominator)
    value = rounded / scale
    return min(value, 100.0) if cap else value


def rate_expr(
    numerator: pl.Expr, denominator: pl.Expr, decimals: int = 1, *, cap: bool = False
) -> pl.Expr:
    """`rate_percent` as a Polars expression over integer columns (null where the denominator is
    0)."""
    _check_decimals(decimals)
    scale = 10**decimals
    num, den = numerator.cast(pl.Int64), denominator.cast(pl.Int64)
    rounded = (2 * num * 100 * scale + den) // (2 * den)
    if decimals:
        # Written out and read back: Polars divides a column by a constant as a multiplication
        # by its inverse, which makes 333 / 10 come out as 33.300000000000004.
        digits = (rounded % scale).cast(pl.String).str.zfill(decimals)
        exact = pl.format("{}.{}", rounded // scale, digits).cast(pl.Float64)
    else:
        exact = rounded.cast(pl.Float64)
    value = pl.when(den > 0).then(exact)
    return pl.when(value > 100).then(100.0).otherwise(value) if cap else value


def _check_decimals(decimals: int) -> None:
    if not 0 <= decimals <= 6:
        raise DataError(
            _("a rate is published with 0 to 6 decimals, not %(decimals)s", decimals=decimals)
        )


def as_actuals(frame: pl.DataFrame, period: Period, codes: Mapping[str, str]) -> pl.DataFrame:
    """Unit figures in the layout of actuals (`frames.ACTUALS_SCHEMA`): one row per unit and
    indicator, with no last year's value.

    `frame` has a `unit` column and one column per figure; `codes` maps each figure's column to
    the indicator code the race knows it by. Rows come sorted by unit, then in `codes`' order.
    """
    columns = list(codes)
    order = {column: n for n, column in enumerate(columns)}
    long = frame.select(
        pl.col("unit").cast(pl.String), *(pl.col(c).cast(pl.Float64) for c in columns)
    ).unpivot(index="unit", on=columns, variable_name="_figure", value_name="value")
    return long.sort("unit", pl.col("_figure").replace_strict(order, return_dtype=pl.Int64)).select(
        "unit",
        pl.col("_figure").replace_strict(dict(codes), return_dtype=pl.String).alias("indicator"),
        year=pl.lit(period.year, dtype=pl.Int64),
        month=pl.lit(period.month, dtype=pl.Int64),
        value="value",
        last_year_value=pl.lit(None, dtype=pl.Float64),
    )
