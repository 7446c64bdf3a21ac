"""The engine's checks, run on figures about to be stored or about to be submitted.

This module only gathers frames and reads findings back; what is checked, and how severe each
finding is, is `saima.engine.checks`' business. A finding is *blocking* (the figure is refused),
*needs acknowledgement* (a warning that someone must explain with a comment before submitting) or
neither (information).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl

from saima.engine import checks
from saima.metrics.models import Indicator, Observation, check_config
from saima.org.models import Unit
from saima.reporting import progress

HISTORY_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
}
FIGURE_SCHEMA = {
    **HISTORY_SCHEMA,
    "last_year_value": pl.Float64,
    "growth": pl.Float64,
    "note": pl.String,
}


@dataclass(frozen=True)
class CandidateFigure:
    """A figure as it would be stored: the checks see it in place of the stored one."""

    unit: Unit
    indicator: Indicator
    year: int
    month: int
    value: Decimal | None
    last_year_value: Decimal | None = None
    growth: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """One check result on one figure."""

    unit: str
    indicator: str
    year: int
    month: int
    check: str
    severity: str
    message: str
    value: float | None = None
    reference: float | None = None
    blocking: bool = False
    needs_acknowledgement: bool = False
    acknowledged: bool = False
    indicator_name: str = ""

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.unit, self.indicator, self.year, self.month)

    def with_acknowledged(self, done: bool) -> Finding:
        return replace(self, acknowledged=done)


def _float(value) -> float | None:
    return None if value is None else float(value)


def _history(unit_ids: set[int], years: set[int]) -> pl.DataFrame:
    """Stored figures of the units this year and last: what a figure is compared with."""
    wanted = years | {y - 1 for y in years}
    rows = Observation.objects.filter(unit_id__in=unit_ids, year__in=wanted).values_list(
        "unit__code", "indicator__code", "year", "month", "value"
    )
    return pl.DataFrame(
        [(u, i, y, m, _float(v)) for u, i, y, m, v in rows], schema=HISTORY_SCHEMA, orient="row"
    )


def findings_for_rows(
    candidates: list[CandidateFigure], stored: dict | None = None
) -> list[Finding]:
    """Check the candidate figures against the stored history (candidates replace stored ones).

    `stored` is accepted for callers that hold the stored rows already; the history is read here.
    """
    if not candidates:
        return []
    figures = pl.DataFrame(
        [
            (
                c.unit.code,
                c.indicator.code,
                c.year,
                c.month,
                _float(c.value),
                _float(c.last_year_value),
                _float(c.growth),
                c.note,
            )
            for c in candidates
        ],
        schema=FIGURE_SCHEMA,
        orient="row",
    )
    units = {c.unit.code: c.unit for c in candidates}
    indicators = {c.indicator.code: c.indicator for c in candidates}
    # The race group's other units are read too, so that a single unit's figure is compared
    # with its group's (the outlier_group check), not only with its own history.
    peers = {
        unit.code: unit
        for unit in Unit.objects.filter(
            race_group_id__in={u.race_group_id for u in units.values() if u.race_group_id},
            active=True,
        ).select_related("race_group")
    }
    everyone = {**peers, **units}
    history = _history({u.pk for u in everyone.values()}, {c.year for c in candidates})
    history = history.filter(pl.col("indicator").is_in(list(indicators)))
    keys = figures.select("unit", "indicator", "year", "month")
    history = history.join(keys, on=["unit", "indicator", "year", "month"], how="anti")
    return _run(figures, history, everyone, indicators, progress.lights(candidates))


def findings_for_unit(unit: Unit, year: int, month: int) -> list[Finding]:
    """Check a unit's stored figures for the month, marking the warnings already explained."""
    observations = list(
        Observation.objects.filter(unit=unit, year=year, month=month).select_related("indicator")
    )
    candidates = [
        CandidateFigure(
            unit, o.indicator, o.year, o.month, o.value, o.last_year_value, o.growth, o.note
        )
        for o in observations
    ]
    findings = findings_for_rows(candidates)
    done = current_acknowledgements(observations)
    by_key = {(unit.code, o.indicator.code, o.year, o.month): o for o in observations}
    return [
        f.with_acknowledged(
            (by_key[f.key].pk, f.check, by_key[f.key].value) in done if f.key in by_key else False
        )
        for f in findings
    ]


def current_acknowledgements(observations: Iterable[Observation]) -> set[tuple]:
    """(observation id, check, value) of every comment given: valid while the value stands."""
    from saima.reporting.models import Acknowledgement

    ids = [o.pk for o in observations if o.pk is not None]
    rows = Acknowledgement.objects.filter(observation_id__in=ids).values_list(
        "observation_id", "check_code", "value"
    )
    return {(pk, check, None if value is None else Decimal(value)) for pk, check, value in rows}


def _run(
    figures: pl.DataFrame,
    history: pl.DataFrame,
    units: dict,
    indicators: dict,
    lights: pl.DataFrame | None,
) -> list[Finding]:
    kinds = {code: indicator.kind for code, indicator in indicators.items()}
    groups = {code: unit.race_group.code for code, unit in units.items() if unit.race_group_id}
    config = {
        code: check_config(indicator.check_settings)
        for code, indicator in indicators.items()
        if indicator.check_settings
    }
    frame = checks.run_checks(
        figures, history, kinds=kinds, groups=groups, lights=lights, config=config
    )
    blocking = set(_keys(checks.blocking(frame)))
    attention = set(_keys(checks.needs_acknowledgement(frame)))
    found = []
    for row in frame.iter_rows(named=True):
        key = (row["unit"], row["indicator"], row["year"], row["month"], row["check"])
        indicator = indicators.get(row["indicator"])
        found.append(
            Finding(
                unit=row["unit"],
                indicator=row["indicator"],
                year=row["year"],
                month=row["month"],
                check=row["check"],
                severity=row["severity"],
                message=row["message"],
                value=row.get("value"),
                reference=row.get("reference"),
                blocking=key in blocking,
                needs_acknowledgement=key in attention and key not in blocking,
                indicator_name=indicator.name if indicator else row["indicator"],
            )
        )
    return found


def _keys(frame: pl.DataFrame) -> list[tuple]:
    return [
        (r["unit"], r["indicator"], r["year"], r["month"], r["check"])
        for r in frame.iter_rows(named=True)
    ]
