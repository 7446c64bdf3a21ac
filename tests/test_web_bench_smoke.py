"""The web benchmark's own arithmetic (the full run needs gunicorn and PostgreSQL: bench/web.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "web.py"


@pytest.fixture(scope="module")
def web():
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_percentiles_are_nearest_rank(web):
    values = [i / 1000 for i in range(1, 101)]
    assert web.percentile(values, 0.50) == 0.050
    assert web.percentile(values, 0.99) == 0.099
    assert web.percentile([0.2], 0.99) == 0.2


def test_the_database_url_names_the_bench_database(web):
    assert web.database_url().endswith("/saima_bench")
    assert web.database_url("postgres").startswith("postgresql://")


def test_verdict_needs_both_the_time_and_the_ratio(web):
    def report(p99, ratio):
        page = {"page": "overview", "p99_ms": p99, "p99_ratio": ratio}
        return {"clients": 16, "scales": {"province": {"results": [page]}}}

    assert web._verdict(report(120.0, 3.5))["met"]
    assert not web._verdict(report(120.0, 4.5))["met"]
    assert not web._verdict(report(151.0, 2.0))["met"]
    assert web._verdict({"clients": 16, "scales": {}}) == {"target": web.TARGET, "measured": False}
