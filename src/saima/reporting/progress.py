"""Progress (and the light) of figures not stored yet, computed by the engine.

The form's live light and the checks' `red_without_reason` both need the light a typed figure
would get: the stored figures of the month are read, the candidates put in their place, and
`saima.engine.compute_progress` does the rest. No formula is written here.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from saima.engine import DataError, Period, compute_progress
from saima.metrics.selectors import Scope, indicator_specs, observation_frame, target_frame
from saima.org.access import Access
from saima.org.models import Role

#: Reads on behalf of the services (the caller has already been authorised for the rows).
_EVERYTHING = Access(user_id=None, roles=frozenset({Role.OFFICE}))
LIGHT_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "light": pl.String,
}


def candidate_progress(candidates) -> pl.DataFrame:
    """The engine's progress rows of the candidates' units × indicators at each of their months,
    with the candidates' values in place of the stored ones (plus year and month columns)."""
    by_month = defaultdict(list)
    for candidate in candidates:
        by_month[(candidate.year, candidate.month)].append(candidate)
    frames = [_one_month(Period(y, m), items) for (y, m), items in sorted(by_month.items())]
    frames = [frame for frame in frames if frame is not None and frame.height]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _one_month(period: Period, candidates) -> pl.DataFrame | None:
    units = {c.unit.code: c.unit for c in candidates}
    indicators = {c.indicator.code: c.indicator for c in candidates}
    scope = Scope(
        unit_ids=frozenset(u.pk for u in units.values()),
        indicator_ids=frozenset(i.pk for i in indicators.values()),
    )
    targets = target_frame(_EVERYTHING, period.year, scope)
    stored = observation_frame(_EVERYTHING, period, scope)
    typed = pl.DataFrame(
        [
            (
                c.unit.code,
                c.indicator.code,
                c.year,
                c.month,
                _float(c.value),
                _float(c.last_year_value),
            )
            for c in candidates
        ],
        schema={**{k: stored.schema[k] for k in stored.columns}},
        orient="row",
    )
    actuals = pl.concat(
        [stored.join(typed, on=["unit", "indicator", "year", "month"], how="anti"), typed]
    ).join(targets.select("unit", "indicator"), on=["unit", "indicator"], how="semi")
    try:
        frame = compute_progress(
            targets, actuals, period, specs=indicator_specs(indicators.values())
        )
    except DataError:
        return None
    return frame.with_columns(year=pl.lit(period.year), month=pl.lit(period.month))


def lights(candidates) -> pl.DataFrame | None:
    """unit, indicator, year, month, light of the candidates (None when nothing is judged)."""
    frame = candidate_progress(candidates)
    if frame.height == 0:
        return None
    return frame.select(list(LIGHT_SCHEMA)).cast(LIGHT_SCHEMA).filter(pl.col("light").is_not_null())


def _float(value) -> float | None:
    return None if value is None else float(value)
