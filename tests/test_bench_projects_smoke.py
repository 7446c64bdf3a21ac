"""The projects benchmark's pandas baseline must keep computing what the engine computes.

Runs `bench/projects.py` on a small province, for a mid-year and the year-end period, and checks
that both sides agree, so the baseline stays honest as the engine changes.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("projects")


@pytest.mark.parametrize("month", [6, 12])
def test_engine_and_pandas_agree_on_a_small_province(bench, month: int) -> None:
    data = bench.make_province(12, 120, month)
    engine, _ = bench.run_engine(data)
    baseline, _ = bench.run_pandas(bench.pandas_inputs(data))
    assert bench.disagreements(engine, baseline) == []
    assert engine["statuses"].height == 120 * 20
    assert set(engine["statuses"]["status"]) >= {"done", "done_late", "overdue", "on_track"}
    figures = engine["figures"]
    assert figures["started"].sum() > 0 and figures["signed_to_landed_den"].sum() > 0


def test_the_province_is_deterministic(bench) -> None:
    first, second = bench.make_province(5, 40), bench.make_province(5, 40)
    assert first.milestones.equals(second.milestones)
    assert first.stage_changes.equals(second.stage_changes)
    assert first.plans.equals(second.plans)
