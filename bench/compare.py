"""Check that the engine and the pandas baseline computed the same figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas_baseline import PandasOutput, to_pandas
from saima_side import EngineOutput

TOLERANCE = 1e-6
PROGRESS_NUMBERS = [
    "time_progress",
    "completion",
    "gap_pp",
    "run_rate_needed",
    "run_rate_ratio",
    "required_growth",
    "projection",
    "growth",
]
STANDING_EXACT = ["rank", "flag", "progress_award", "last_places", "rank_change", "veto"]


def disagreements(engine: EngineOutput, baseline: PandasOutput) -> list[str]:
    """Every difference found, as readable lines; empty when the two agree."""
    problems: list[str] = []
    for month, frame in engine.progress.items():
        problems += _progress(month, to_pandas(frame), baseline.progress[month])
    for month, race in engine.races.items():
        problems += _standings(month, to_pandas(race.standings), baseline.standings[month])
    return problems


def _progress(month: int, ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    keys = ["unit", "indicator"]
    both = ours.merge(theirs, on=keys, how="outer", suffixes=("_e", "_p"), indicator=True)
    problems = _unmatched(f"progress {month:02d}", both)
    for column in PROGRESS_NUMBERS:
        problems += _numbers(f"progress {month:02d}", both, column, keys)
    for column in ["light", "double_over_half"]:
        problems += _labels(f"progress {month:02d}", both, column, keys)
    return problems


def _standings(month: int, ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    both = ours.merge(theirs, on="unit", how="outer", suffixes=("_e", "_p"), indicator=True)
    where = f"race to month {month:02d}"
    problems = _unmatched(where, both)
    problems += _numbers(where, both, "total", ["unit"])
    for column in STANDING_EXACT:
        problems += _labels(where, both, column, ["unit"])
    return problems


def _unmatched(where: str, both: pd.DataFrame) -> list[str]:
    lonely = int((both["_merge"] != "both").sum())
    return [f"{where}: {lonely} rows on one side only"] if lonely else []


def _numbers(where: str, both: pd.DataFrame, column: str, keys: list[str]) -> list[str]:
    a = pd.to_numeric(both[f"{column}_e"], errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(both[f"{column}_p"], errors="coerce").to_numpy(dtype=float)
    same_null = np.isnan(a) == np.isnan(b)
    with np.errstate(invalid="ignore"):
        close = np.isnan(a) | (np.abs(a - b) <= TOLERANCE * np.maximum(1.0, np.abs(a)))
    bad = ~(same_null & close)
    return _report(where, column, both, bad, keys)


def _labels(where: str, both: pd.DataFrame, column: str, keys: list[str]) -> list[str]:
    a = [_plain(v) for v in both[f"{column}_e"]]
    b = [_plain(v) for v in both[f"{column}_p"]]
    bad = np.array([x != y for x, y in zip(a, b, strict=True)], dtype=bool)
    return _report(where, column, both, bad, keys)


def _plain(value: object) -> object:
    """None, NaN and pandas NA alike as None; numbers as floats; the rest as they are."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return value


def _report(
    where: str, column: str, both: pd.DataFrame, bad: np.ndarray, keys: list[str]
) -> list[str]:
    count = int(bad.sum())
    if not count:
        return []
    first = both.loc[bad, [*keys, f"{column}_e", f"{column}_p"]].head(3).to_dict("records")
    return [f"{where}: {column} differs on {count} rows, e.g. {first}"]
