"""National-scale benchmark of the Saima engine against a plain pandas baseline.

    python bench/run.py [--quick] [--runs N]

Builds a synthetic national data set (2,850 units in 6 race groups, 40 indicators, 12 monthly
periods of 2026 plus 2025), computes progress for every period and a race for every quarter with
the engine and with pandas, checks that both give the same figures, and times them interleaved.
Then times "what would gain one place" for every unit of the last race, and the slow oracle of it
against it on a few units (the same answers, and the ratio). Exits non-zero only if two sides
disagree; times are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import disagreements
from national import Dataset, make_dataset
from pandas_baseline import PandasInputs, pandas_inputs, run_pandas
from saima_side import group_by_size, run_engine, time_gains, time_gains_oracle

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
TARGET_SECONDS = 1.0
TARGET_RATIO = 5.0
TARGETS = (
    "whole national computation under 1 second on 2 cores, "
    "at least 5x faster than the pandas baseline"
)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    runs = args.runs or (2 if args.quick else 5)
    started = time.perf_counter()
    data = make_dataset()
    built = time.perf_counter() - started
    inputs = pandas_inputs(data)
    print(_describe(data, built))
    problems = _warm_up_and_check(data, inputs)
    timings = _interleaved(data, inputs, runs)
    gains_figures = _gains(data, args.gains_group, args.gains_sample)
    report = _report(data, runs, timings, gains_figures, problems)
    _print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures written to {RESULTS.relative_to(Path.cwd()) if _under_cwd() else RESULTS}")
    return 0 if report["agree"] else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 timed runs instead of 5")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per side")
    parser.add_argument(
        "--gains-group",
        default="smallest",
        help="race group whose units the oracle of `gains` is timed on: a group name, smallest "
        "(default), largest, or none (no gains timing at all)",
    )
    parser.add_argument(
        "--gains-sample",
        type=int,
        default=8,
        help="how many units the oracle is timed on (about 1.6 s each)",
    )
    return parser.parse_args(argv)


def _under_cwd() -> bool:
    return RESULTS.is_relative_to(Path.cwd())


def _describe(data: Dataset, built: float) -> str:
    groups = data.units.group_by("group").len().sort("len")
    sizes = ", ".join(f"{g} {n}" for g, n in groups.iter_rows())
    return (
        f"data: {data.units.height} units in {groups.height} groups ({sizes}); "
        f"{len(data.rules.items)} indicators; {data.targets.height:,} targets; "
        f"{data.actuals.height:,} actual rows; {data.adjustments.height} adjustments; "
        f"{len(data.months)} periods, {len(data.race_months)} races (built in {built:.2f} s)"
    )


def _warm_up_and_check(data: Dataset, inputs: PandasInputs) -> list[str]:
    """One untimed run of each side; their figures must agree."""
    problems = disagreements(run_engine(data), run_pandas(inputs))
    if problems:
        print("\nDISAGREEMENT between the engine and the pandas baseline:")
        for line in problems:
            print(f"  {line}")
    else:
        print(
            "agreement: progress (gap_pp, light and the other measures) for every period; "
            "totals (1e-6), ranks, flags, rank changes for every quarter"
        )
    return problems


def _interleaved(data: Dataset, inputs: PandasInputs, runs: int) -> dict[str, list[dict]]:
    timings: dict[str, list[dict]] = {"engine": [], "pandas": []}
    for run in range(runs):
        timings["engine"].append(run_engine(data).seconds)
        timings["pandas"].append(run_pandas(inputs).seconds)
        engine, pandas = timings["engine"][-1]["total"], timings["pandas"][-1]["total"]
        print(f"run {run + 1}/{runs}: engine {engine:.3f} s, pandas {pandas:.3f} s", flush=True)
    return timings


def _gains(data: Dataset, group: str, sample: int) -> dict[str, Any]:
    """ "What would gain one place" for every unit of the last race, and, as the baseline, the
    oracle (whole groups re-scored per unit and item) against `gains` on a few units of a group:
    both must agree there."""
    if group == "none":
        return {"skipped": True}
    race = run_engine(data).races[data.race_months[-1]]
    print("timing gains for every unit of the last race ...", flush=True)
    seconds, frame = time_gains(race)
    if group in ("smallest", "largest"):
        group = group_by_size(race, group)
    members = race.standings.filter(pl.col("group") == group).sort("rank")
    units = members["unit"].to_list()[1 : 1 + sample]
    print(f"timing the oracle and gains for {len(units)} units of group {group} ...", flush=True)
    oracle_seconds, expected = time_gains_oracle(race, units)
    fast_seconds, found = time_gains(race, units)
    agree = expected.fill_null(-1.0).equals(found.fill_null(-1.0))
    return {
        "period": race.period,
        "units": race.standings.height,
        "items": len(data.rules.items),
        "seconds": seconds,
        "answers": frame.height,
        "with_a_gain": int(frame["gain_one_place"].is_not_null().sum()),
        "sample": {
            "group": group,
            "group_size": members.height,
            "units": len(units),
            "oracle_seconds": oracle_seconds,
            "gains_seconds": fast_seconds,
            "ratio": oracle_seconds / fast_seconds,
            "agree": agree,
        },
    }


def _summary(samples: list[dict], phase: str) -> dict[str, float]:
    values = [s[phase] for s in samples]
    return {"median": statistics.median(values), "min": min(values), "runs": values}


def _report(
    data: Dataset,
    runs: int,
    timings: dict[str, list[dict]],
    gains_figures: dict[str, Any],
    problems: list[str],
) -> dict[str, Any]:
    phases = ("total", "progress", "race")
    sides = {side: {p: _summary(timings[side], p) for p in phases} for side in timings}
    engine, pandas = sides["engine"]["total"], sides["pandas"]["total"]
    ratio = pandas["median"] / engine["median"]
    return {
        "runs": runs,
        "sizes": {
            "units": data.units.height,
            "groups": data.units["group"].n_unique(),
            "indicators": len(data.rules.items),
            "periods": len(data.months),
            "races": len(data.race_months),
            "targets": data.targets.height,
            "actual_rows": data.actuals.height,
            "adjustments": data.adjustments.height,
        },
        "machine": _machine(),
        "seconds": sides,
        "ratio_pandas_over_engine": {
            p: sides["pandas"][p]["median"] / sides["engine"][p]["median"] for p in phases
        },
        "gains": gains_figures,
        "targets": {
            "text": TARGETS,
            "engine_under_1s": engine["median"] < TARGET_SECONDS,
            "at_least_5x": ratio >= TARGET_RATIO,
        },
        "agree": not problems and gains_figures.get("sample", {}).get("agree", True),
        "disagreements": problems,
    }


def _machine() -> dict[str, Any]:
    import numpy
    import pandas

    return {
        "cpus": os.cpu_count(),
        "POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS", "(not set)"),
        "polars_threads": pl.thread_pool_size(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
    }


def _print(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print(
        f"\n{report['runs']} timed runs per side, interleaved, after one warm-up; "
        f"polars {machine['polars']} on {machine['polars_threads']} threads "
        f"(POLARS_MAX_THREADS={machine['POLARS_MAX_THREADS']}), {machine['cpus']} CPUs; "
        f"pandas {machine['pandas']}"
    )
    print(f"\n{'phase':<26}{'engine med':>11}{'min':>8}{'pandas med':>12}{'min':>8}{'ratio':>8}")
    for phase, label in (
        ("progress", "progress (12 periods)"),
        ("race", "races (4 quarters)"),
        ("total", "whole computation"),
    ):
        e, p = report["seconds"]["engine"][phase], report["seconds"]["pandas"][phase]
        ratio = report["ratio_pandas_over_engine"][phase]
        print(
            f"{label:<26}{e['median']:>10.3f}s{e['min']:>7.3f}s"
            f"{p['median']:>11.3f}s{p['min']:>7.3f}s{ratio:>7.1f}x"
        )
    gains = report["gains"]
    if not gains.get("skipped"):
        sample = gains["sample"]
        print(
            f"\nwhat would gain one place (computed when a result is published; not in the "
            f"figures above): {gains['units']} units × {gains['items']} items, "
            f"{gains['period']}: {gains['seconds']:.1f} s"
        )
        print(
            f"  against the oracle on {sample['units']} units of {sample['group']} "
            f"({sample['group_size']} units): oracle {sample['oracle_seconds']:.2f} s, gains "
            f"{sample['gains_seconds']:.2f} s, {sample['ratio']:.0f}x; "
            f"{'same answers' if sample['agree'] else 'DIFFERENT ANSWERS'}"
        )
    targets = report["targets"]
    print(f"\ntargets from the issue: {targets['text']}")
    print(f"  engine under 1 s:     {_yes(targets['engine_under_1s'])}")
    print(f"  at least 5x pandas:   {_yes(targets['at_least_5x'])}")
    print(f"  results agree:        {_yes(report['agree'])}")


def _yes(flag: bool) -> str:
    return "met" if flag else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
