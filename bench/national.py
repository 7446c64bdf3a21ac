"""A synthetic national-scale data set for the engine benchmark, built deterministically.

Units sit in race groups of different sizes (like provinces); every unit has an annual target on
every indicator, twelve cumulative monthly figures of the current year and, for amounts and counts,
twelve of last year. Figures are seasonal and spread: some units run ahead, some behind, and about
0.5% of the current figures are not reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from saima.engine import Rules, rules_from_mapping

YEAR = 2026
SEED = 20260331
GROUP_SHARES = (0.042, 0.081, 0.133, 0.183, 0.245, 0.316)
GROUP_NAMES = ("north", "east", "west", "south", "central", "coast")
MISSING_SHARE = 0.005

BACK_LOADED = [5, 10, 18, 26, 35, 48, 56, 64, 73, 82, 90, 100]
FRONT_LOADED = [10, 17, 27, 35, 43, 52, 60, 68, 76, 84, 92, 100]
LINEAR = [round(m * 100 / 12, 4) for m in range(1, 13)]
LINEAR[-1] = 100


@dataclass(frozen=True)
class Indicator:
    """One input indicator and the way the race scores it (weight is a share, rescaled later)."""

    code: str
    kind: str
    direction: str
    weight: float
    method: dict[str, Any]
    metric: str | None = None
    profile: list[float] | str | None = None
    scale: float = 100.0
    extra: dict[str, Any] = field(default_factory=dict)


def _bands(*pairs: tuple[float, float]) -> dict[str, Any]:
    return {"method": "bands", "bands": [list(p) for p in pairs]}


_EFF = {"method": "efficacy"}
_RANK = {"method": "rank", "step": 0.004}
_RANK_PCT = {"method": "rank", "step_pct": 0.15}
_ATT = {"method": "attainment", "cap": 1.2}
_LIN = {"method": "linear", "base": 0.6, "slope": 0.02, "reference": "mean"}
_GROWTH_BANDS = _bands((9, 1.0), (7, 0.85), (5, 0.7), (2, 0.5), (0, 0.3))
_GAP_BANDS = _bands((0, 1.0), (-3, 0.8), (-6, 0.6), (-10, 0.3))

#: The catalogue, ordered so that its first few entries already mix kinds, methods and metrics.
CATALOGUE: tuple[Indicator, ...] = (
    Indicator("A01", "amount", "higher", 3, _EFF, "gap", BACK_LOADED, 800),
    Indicator("C01", "count", "higher", 2, _RANK, "gap", None, 30),
    Indicator("G01", "growth", "higher", 3, _GROWTH_BANDS, "growth", None, 6.5),
    Indicator("L01", "level", "lower", 2, _ATT, "value", None, 38),
    Indicator("A02", "amount", "higher", 3, _RANK_PCT, "gap", "last_year", 500),
    Indicator("A03", "amount", "higher", 3, _LIN, "completion", FRONT_LOADED, 120),
    Indicator("A04", "amount", "higher", 3, _ATT, "completion", None, 1500),
    Indicator(
        "G02",
        "growth",
        "lower",
        2,
        {"method": "efficacy", "satisfactory": -1.0, "impermissible": 3.0},
        "growth_vs_target",
        None,
        1.5,
    ),
    Indicator("A05", "amount", "higher", 3, _GAP_BANDS, "gap", None, 300),
    Indicator("A06", "amount", "higher", 3, _EFF, "growth", None, 220, {"tie": True}),
    Indicator("C02", "count", "higher", 2, _EFF, "completion", None, 12),
    Indicator("L02", "level", "lower", 2, _EFF, "value", None, 5.5),
    Indicator("A07", "amount", "lower", 2, _EFF, "gap", None, 90),
    Indicator("G03", "growth", "higher", 3, _ATT, "growth", None, 7.0),
    Indicator("A08", "amount", "higher", 3, _RANK, "completion", "last_year", 260),
    Indicator("L03", "level", "higher", 2, _GAP_BANDS, "gap", None, 85),
    Indicator("A09", "amount", "higher", 3, _LIN, "gap", BACK_LOADED, 640),
    Indicator("C03", "count", "higher", 2, _GAP_BANDS, "gap", None, 8),
    Indicator("A10", "amount", "higher", 3, _RANK_PCT, "growth", None, 75),
    Indicator("G04", "growth", "higher", 2, _EFF, "gap", None, 5.0),
    Indicator("A11", "amount", "higher", 3, _EFF, "gap", FRONT_LOADED, 410),
    Indicator("A12", "amount", "higher", 2, _ATT, "completion", None, 55),
    Indicator("C04", "count", "higher", 2, _RANK, "completion", None, 40),
    Indicator("A13", "amount", "higher", 3, _EFF, "completion", "last_year", 330),
    Indicator("L04", "level", "higher", 2, _LIN | {"per": 0.5}, "value", None, 45),
    Indicator("A14", "amount", "higher", 2, _GAP_BANDS, "gap", None, 150),
    Indicator("G05", "growth", "higher", 2, _RANK_PCT, "growth_vs_target", None, 6.0),
    Indicator("A15", "amount", "lower", 2, _ATT, "completion", None, 60),
    Indicator("A16", "amount", "higher", 3, _EFF, "gap", None, 980),
    Indicator("C05", "count", "higher", 2, _EFF, "gap", None, 20),
    Indicator("A17", "amount", "higher", 3, _LIN, "growth", None, 140),
    Indicator("A18", "amount", "higher", 2, _RANK, "gap", BACK_LOADED, 700),
    Indicator("G06", "growth", "higher", 2, _GROWTH_BANDS, "growth", None, 7.5),
    Indicator("A19", "amount", "higher", 3, _EFF, "completion", None, 210),
    Indicator("A20", "amount", "higher", 3, _GAP_BANDS, "gap", FRONT_LOADED, 95),
    Indicator("C06", "count", "higher", 2, _ATT, "completion", None, 16),
    Indicator("A21", "amount", "higher", 3, _EFF, "gap", None, 520),
    Indicator("A22", "amount", "higher", 3, _RANK_PCT, "completion", None, 180),
    Indicator("A23", "amount", "higher", 2, _LIN, "gap", None, 66),
    Indicator("A24", "amount", "higher", 2, _EFF, "gap", None, 360),
)


@dataclass(frozen=True)
class Dataset:
    """Inputs of the computation, in the shapes `saima.engine` expects."""

    rules: Rules
    units: pl.DataFrame
    targets: pl.DataFrame
    actuals: pl.DataFrame
    adjustments: pl.DataFrame
    months: tuple[int, ...]

    @property
    def race_months(self) -> tuple[int, ...]:
        return tuple(m for m in self.months if m % 3 == 0)


def make_dataset(
    n_units: int = 2850,
    n_indicators: int = 40,
    months: Sequence[int] = tuple(range(1, 13)),
    *,
    n_adjustments: int = 300,
    seed: int = SEED,
) -> Dataset:
    """The benchmark's inputs: same arguments, same frames."""
    rng = np.random.default_rng(seed)
    indicators = CATALOGUE[:n_indicators]
    weights = _weights([i.weight for i in indicators])
    units = _units(n_units)
    unit_scale = rng.lognormal(0.0, 0.6, n_units)
    unit_form = rng.normal(0.0, 0.05, n_units)
    targets, actuals = [], []
    for indicator in indicators:
        t, a = _indicator_frames(rng, indicator, units["unit"], unit_scale, unit_form)
        targets.append(t)
        actuals.append(a)
    return Dataset(
        rules=_rules(indicators, weights),
        units=units,
        targets=pl.concat(targets),
        actuals=_drop_missing(rng, pl.concat(actuals)),
        adjustments=_adjustments(rng, units["unit"], n_adjustments),
        months=tuple(months),
    )


def _weights(shares: list[float]) -> list[int]:
    """Whole-number weights proportional to `shares` that sum to exactly 100."""
    raw = np.array(shares, dtype=float) * 100 / sum(shares)
    whole = np.floor(raw).astype(int)
    order = np.argsort(-(raw - whole), kind="stable")
    whole[order[: 100 - int(whole.sum())]] += 1
    return [int(w) for w in whole]


def _units(n_units: int) -> pl.DataFrame:
    sizes = np.floor(np.array(GROUP_SHARES) * n_units).astype(int)
    sizes[-1] += n_units - int(sizes.sum())
    groups = np.repeat(np.array(GROUP_NAMES), sizes)
    return pl.DataFrame({"unit": [f"U{i:04d}" for i in range(n_units)], "group": groups})


def _indicator_frames(
    rng: np.random.Generator,
    indicator: Indicator,
    units: pl.Series,
    unit_scale: np.ndarray,
    unit_form: np.ndarray,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    build = {"amount": _amounts, "count": _amounts, "growth": _growths, "level": _levels}
    target, last_total, current, last_year, ly_current = build[indicator.kind](
        rng, indicator, unit_scale, unit_form
    )
    targets = pl.DataFrame(
        {
            "unit": units,
            "indicator": indicator.code,
            "target": target,
            "last_year_total": last_total,
        },
        schema_overrides={"last_year_total": pl.Float64},
    )
    frames = [_long(units, indicator.code, YEAR, current, ly_current)]
    if last_year is not None:
        frames.append(_long(units, indicator.code, YEAR - 1, last_year, None))
    return targets, pl.concat(frames)


def _long(
    units: pl.Series, code: str, year: int, values: np.ndarray, last: np.ndarray | None
) -> pl.DataFrame:
    n_units, n_months = values.shape
    last_values = last.ravel() if last is not None else np.full(values.size, np.nan)
    return pl.DataFrame(
        {
            "unit": np.repeat(units.to_numpy(), n_months),
            "indicator": code,
            "year": year,
            "month": np.tile(np.arange(1, n_months + 1), n_units),
            "value": values.ravel(),
            "last_year_value": last_values,
        },
        schema_overrides={"year": pl.Int64, "month": pl.Int64},
    ).with_columns(pl.col("last_year_value").fill_nan(None))


def _shape(indicator: Indicator) -> np.ndarray:
    """The cumulative seasonal share of the year by month, in [0, 1]."""
    if isinstance(indicator.profile, list):
        return np.array(indicator.profile, dtype=float) / 100
    seasonal = np.arange(1, 13) + 0.6 * np.sin(np.arange(1, 13) * np.pi / 6)
    return seasonal / seasonal[-1]


def _cumulative(
    rng: np.random.Generator, total: np.ndarray, shape: np.ndarray, noise: float
) -> np.ndarray:
    """Cumulative monthly figures reaching about `total`, seasonal, with month-to-month noise."""
    steps = np.diff(np.concatenate([[0.0], shape]))
    monthly = total[:, None] * steps[None, :] * rng.lognormal(0.0, noise, (total.size, 12))
    return np.cumsum(monthly, axis=1)


def _amounts(
    rng: np.random.Generator, ind: Indicator, scale: np.ndarray, form: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = scale.size
    count = ind.kind == "count"
    target = ind.scale * scale * rng.lognormal(0.0, 0.25, n)
    target = np.maximum(np.round(target), 1.0) if count else np.round(target, 2)
    sign = -1.0 if ind.direction == "lower" else 1.0
    pace = np.clip(1 + sign * form + rng.normal(0.0, 0.08, n), 0.5, 1.6)
    yoy = np.clip(rng.normal(0.07, 0.04, n), -0.1, 0.25)
    shape = _shape(ind)
    last_year = _cumulative(rng, target / (1 + yoy), shape, 0.12)
    current = _cumulative(rng, target * pace, shape, 0.15)
    digits = 0 if count else 2
    # Whole numbers where last year's figures set the schedule: the engine computes December's
    # time progress as L·100/L, which can come out at 100.00000000000001 and be refused.
    ly_digits = 0 if ind.profile == "last_year" else digits
    last_year = np.maximum(np.round(last_year, ly_digits), 0.0)
    last_year[:, -1] = np.maximum(last_year[:, -1], 1.0)
    current = np.round(current, digits)
    return target, last_year[:, -1], current, last_year, last_year


def _growths(
    rng: np.random.Generator, ind: Indicator, scale: np.ndarray, form: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, None, np.ndarray]:
    n = scale.size
    sign = -1.0 if ind.direction == "lower" else 1.0
    target = np.round(ind.scale + rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], n), 1)
    drift = sign * 30 * form + rng.normal(0.0, 1.2, n)
    noise = rng.normal(0.0, 1.0, (n, 12)) * 2.5 / np.sqrt(np.arange(1, 13))
    current = np.round(target[:, None] + drift[:, None] + noise, 1)
    base = 200 * scale * rng.lognormal(0.0, 0.2, n)
    seasonal = np.cumsum(np.full(12, 1 / 12))
    last_year = np.round(base[:, None] * seasonal[None, :], 2)
    return target, last_year[:, -1], current, None, last_year


def _levels(
    rng: np.random.Generator, ind: Indicator, scale: np.ndarray, form: np.ndarray
) -> tuple[np.ndarray, None, np.ndarray, None, None]:
    n = scale.size
    sign = 1.0 if ind.direction == "lower" else -1.0
    target = np.round(ind.scale * rng.lognormal(0.0, 0.12, n), 1)
    level = target * (1 + sign * 0.6 * form + rng.normal(0.0, 0.06, n))
    drift = rng.normal(0.0, 0.03, (n, 12)) / np.sqrt(np.arange(1, 13))
    current = np.round(level[:, None] * (1 + drift), 1)
    return target, None, current, None, None


def _drop_missing(rng: np.random.Generator, actuals: pl.DataFrame) -> pl.DataFrame:
    """Leave out about 0.5% of the current year's figures (not reported)."""
    drop = (rng.random(actuals.height) < MISSING_SHARE) & (actuals["year"] == YEAR).to_numpy()
    return actuals.filter(pl.Series(~drop))


def _adjustments(rng: np.random.Generator, units: pl.Series, n_rows: int) -> pl.DataFrame:
    categories = np.array(["safety", "petition", "environment", "innovation", "award"])
    category = rng.choice(categories, n_rows, p=[0.25, 0.2, 0.2, 0.2, 0.15])
    deduction = np.isin(category, ["safety", "petition", "environment"])
    points = np.round(rng.uniform(0.5, 3.0, n_rows), 1) * np.where(deduction, -1.0, 1.0)
    safety = np.nonzero(category == "safety")[0]
    veto = np.zeros(n_rows, dtype=bool)
    veto[rng.choice(safety, min(4, n_rows // 50 + 1, safety.size), replace=False)] = True
    reasons = np.where(deduction, "incident or complaint", "award or innovation")
    return pl.DataFrame(
        {
            "unit": rng.choice(units.to_numpy(), n_rows),
            "points": points,
            "reason": np.where(veto, "major safety accident (veto)", reasons),
            "veto": veto,
            "category": category,
        }
    )


def _rules(indicators: Sequence[Indicator], weights: list[int]) -> Rules:
    items = [_item(ind, w) for ind, w in zip(indicators, weights, strict=True)]
    tie = next((i.code for i in indicators if i.extra.get("tie")), indicators[0].code)
    mapping = {
        "name": "national horse race (benchmark)",
        "year": YEAR,
        "tie_break": tie,
        "missing": {"policy": "zero"},
        "flags": {"red": 1, "yellow": 1},
        "adjustments": {
            "bonus_cap": 5.0,
            "deduction_cap": 8.0,
            "category_caps": {"safety": 3.0, "petition": 2.0},
        },
        "indicator": items,
    }
    return rules_from_mapping(mapping, source="bench")


def _item(ind: Indicator, weight: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": ind.code,
        "kind": ind.kind,
        "direction": ind.direction,
        "weight": weight,
    }
    if ind.metric is not None:
        item["metric"] = ind.metric
    if ind.profile is not None:
        item["profile"] = ind.profile
    if ind.code == "A02":
        item["yellow_pp"] = 3.0
    return item | _method(ind, weight)


def _method(ind: Indicator, weight: int) -> dict[str, Any]:
    spec = dict(ind.method)
    if spec["method"] == "bands":
        spec["bands"] = _oriented_bands(ind, spec["bands"], weight)
    elif spec["method"] == "linear":
        spec = {
            "method": "linear",
            "reference": spec["reference"],
            "base_points": round(spec.pop("base") * weight, 6),
            "slope": round(spec.pop("slope") * weight, 6),
            "per": spec.get("per", 1.0),
        }
    return spec


def _oriented_bands(ind: Indicator, bands: list[list[float]], weight: int) -> list[list[float]]:
    """Band thresholds best first; for growth kinds they are growth rates, else gaps in pp."""
    pairs = [[float(t), round(share * weight, 6)] for t, share in bands]
    if ind.direction == "lower":
        pairs = [[-t, p] for t, p in pairs]
    return pairs
