"""The computation timed on the Saima side: progress for every period, a race for each quarter."""

from __future__ import annotations

import time
from dataclasses import dataclass

import polars as pl
from national import Dataset

from saima.engine import (
    Period,
    RaceResult,
    compute_progress_periods,
    gains,
    score_races,
    specs_from_rules,
)


@dataclass
class EngineOutput:
    progress: dict[int, pl.DataFrame]
    races: dict[int, RaceResult]
    seconds: dict[str, float]


def run_engine(data: Dataset) -> EngineOutput:
    """Progress for each month of `data.months` in one pass, then the races of the quarter ends."""
    start = time.perf_counter()
    specs = specs_from_rules(data.rules)
    every_month = compute_progress_periods(
        data.targets,
        data.actuals,
        [Period(data.rules.year, month) for month in data.months],
        specs=specs,
        thresholds=data.rules.thresholds,
    )
    middle = time.perf_counter()
    # The quarters' races in one pass, each against the one before, as an office computing the
    # year's races would: the same results as `score_race` quarter by quarter.
    quarters = score_races(
        data.rules,
        every_month,
        data.units,
        periods=[Period(data.rules.year, month) for month in data.race_months],
        adjustments=data.adjustments,
    )
    races = dict(zip(data.race_months, quarters, strict=True))
    end = time.perf_counter()
    seconds = {"progress": middle - start, "race": end - middle, "total": end - start}
    # The engine answers with one frame for the year; split it by month for the comparison only.
    progress = {
        month: frame.drop("month")
        for (month,), frame in every_month.partition_by("month", as_dict=True).items()
    }
    return EngineOutput(progress=progress, races=races, seconds=seconds)


def group_by_size(result: RaceResult, which: str) -> str:
    """The name of the smallest or largest race group."""
    sizes = result.standings.group_by("group").len().sort("len", "group")
    return sizes["group"][0 if which == "smallest" else -1]


def time_gains(result: RaceResult, units: list[str] | None = None) -> tuple[float, pl.DataFrame]:
    """`gains` for `units` (all units: None), timed."""
    start = time.perf_counter()
    frame = gains(result, units=units)
    return time.perf_counter() - start, frame


def time_gains_oracle(result: RaceResult, units: list[str]) -> tuple[float, pl.DataFrame]:
    """The test oracle of `gains` (whole groups re-scored, one unit and item at a time), timed."""
    from saima.engine.tests.gains_oracle import gains_oracle

    start = time.perf_counter()
    frame = gains_oracle(result, units=units)
    return time.perf_counter() - start, frame
