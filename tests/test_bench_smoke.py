"""The benchmark's pandas baseline must keep computing what the engine computes.

Runs the synthetic data generator and both implementations of `bench/` on a small data set and
checks that progress and standings agree, so the baseline stays honest as the engine changes.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.syspath_prepend(str(BENCH))
    names = ("national", "saima_side", "pandas_baseline", "compare")
    return {name: importlib.import_module(name) for name in names}


def test_engine_and_pandas_baseline_agree_on_a_small_national_set(bench: dict) -> None:
    data = bench["national"].make_dataset(60, 8, (3, 6, 12), n_adjustments=20)
    engine = bench["saima_side"].run_engine(data)
    baseline = bench["pandas_baseline"].run_pandas(bench["pandas_baseline"].pandas_inputs(data))
    assert bench["compare"].disagreements(engine, baseline) == []
    assert sorted(engine.races) == [3, 6, 12]
    standings = engine.races[12].standings
    assert standings.height == 60
    assert standings["group"].n_unique() == 6
    assert set(standings["flag"]) == {"red", "yellow", ""}


def test_the_data_set_is_deterministic(bench: dict) -> None:
    make = bench["national"].make_dataset
    first, second = make(30, 6, (3,), n_adjustments=10), make(30, 6, (3,), n_adjustments=10)
    assert first.actuals.equals(second.actuals)
    assert first.targets.equals(second.targets)
    assert first.adjustments.equals(second.adjustments)
    assert sum(item.weight for item in first.rules.items) == 100


def test_gains_and_its_oracle_agree_on_a_small_national_set(bench: dict) -> None:
    data = bench["national"].make_dataset(40, 6, (3,), n_adjustments=10)
    race = bench["saima_side"].run_engine(data).races[3]
    units = race.standings.filter(race.standings["rank"] > 1)["unit"].to_list()[:4]
    _, expected = bench["saima_side"].time_gains_oracle(race, units)
    _, found = bench["saima_side"].time_gains(race, units)
    assert found.height == len(units) * len(data.rules.items)
    assert found.fill_null(-1.0).equals(expected.fill_null(-1.0))
