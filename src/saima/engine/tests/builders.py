"""Small builders so each engine test states only the figures it is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from saima.engine import (
    RaceResult,
    Rules,
    compute_progress,
    parse_period,
    parse_rules,
    score_race,
    specs_from_rules,
)

HEADER = 'name = "Test race"\nyear = 2026\n'


def rules(body: str) -> Rules:
    """Rules from the TOML body (the name and year are added)."""
    return parse_rules(HEADER + body)


def targets(rows: Iterable[tuple[str, str, float | None]], **extra: list) -> pl.DataFrame:
    unit, indicator, target = zip(*rows, strict=True)
    data = {"unit": list(unit), "indicator": list(indicator), "target": list(target), **extra}
    return pl.DataFrame(data, schema_overrides={"target": pl.Float64})


def actuals(rows: Iterable[tuple[str, str, str, float | None]], **extra: list) -> pl.DataFrame:
    unit, indicator, period, value = zip(*rows, strict=True)
    periods = [parse_period(p) for p in period]
    return pl.DataFrame(
        {
            "unit": list(unit),
            "indicator": list(indicator),
            "year": [p.year for p in periods],
            "month": [p.month for p in periods],
            "value": list(value),
            **extra,
        },
        schema_overrides={"value": pl.Float64, "year": pl.Int64, "month": pl.Int64},
    )


def progress(race_rules: Rules, target_frame, actual_frame, period: str) -> pl.DataFrame:
    return compute_progress(
        target_frame,
        actual_frame,
        parse_period(period),
        specs=specs_from_rules(race_rules),
        thresholds=race_rules.thresholds,
    )


def race(
    body: str,
    figures: Mapping[str, Mapping[str, float | None]],
    *,
    period: str = "2026-Q1",
    target: float | Mapping[str, Mapping[str, float | None]] = 100.0,
    groups: Mapping[str, str] | None = None,
    **kwargs,
) -> RaceResult:
    """Score a race from {unit: {indicator: value}}; every target 100 unless given."""
    race_rules = rules(body)
    units = list(figures)
    indicators = sorted({i.source for i in race_rules.items if i.method != "manual"})
    target_rows, actual_rows = [], []
    for unit in units:
        for code in indicators:
            value = target if isinstance(target, float) else target[unit][code]
            target_rows.append((unit, code, value))
            if code in figures[unit]:
                actual_rows.append((unit, code, period, figures[unit][code]))
    na = [t is None for _, _, t in target_rows]
    target_frame = targets(target_rows, not_applicable=na)
    actual_frame = actuals(actual_rows)
    unit_frame = pl.DataFrame({"unit": units, "group": [(groups or {}).get(u, "g") for u in units]})
    prog = progress(race_rules, target_frame, actual_frame, period)
    return score_race(race_rules, prog, unit_frame, **kwargs)


def by_unit(result: RaceResult, column: str) -> dict[str, object]:
    return dict(result.standings.select("unit", column).iter_rows())


def points(result: RaceResult, item: str) -> dict[str, float]:
    rows = result.items.filter(pl.col("item") == item).select("unit", "points").iter_rows()
    return {unit: round(value, 6) if value is not None else None for unit, value in rows}
