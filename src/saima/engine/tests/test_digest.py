"""Digests for bulletins: the worked example to the last decimal, and invariants on generated
progress frames."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import IndicatorSpec, compute_progress, digest, parse_period
from saima.testing import examples

from .builders import actuals, targets

WORKED_TARGETS = [("East", "fai", 200.0), ("West", "fai", 100.0), ("North", "fai", 150.0)]
WORKED_ACTUALS = [
    ("East", "fai", "2026-Q1", 58.0),
    ("West", "fai", "2026-Q1", 24.0),
    ("North", "fai", "2026-Q1", 33.0),
]


def worked(period: str = "2026-Q1", rows=WORKED_ACTUALS, specs=None) -> pl.DataFrame:
    return compute_progress(
        targets(WORKED_TARGETS), actuals(rows), parse_period(period), specs=specs
    )


def test_area_progress_adds_the_units_up() -> None:
    area = digest.area_progress(worked()).row(0, named=True)
    assert area["indicator"] == "fai"
    assert area["units"] == 3
    assert (area["value"], area["target"]) == (115.0, 450.0)
    assert area["completion"] == round(115 * 100 / 450, 9)  # 25.555555556
    assert area["time_progress"] == 25.0
    assert area["gap_pp"] == round(115 * 100 / 450 - 25, 9)
    # each unit's projection is A / τ: 232 + 96 + 132
    assert area["projection"] == 460.0
    assert area["projected_completion"] == round(460 * 100 / 450, 9)


def test_behind_counts_and_measures_the_units_behind() -> None:
    row = digest.behind(worked()).row(0, named=True)
    assert row == {
        "indicator": "fai",
        "kind": "amount",
        "judged": 3,
        "behind": 2,
        "red": 0,
        "shortfall": 2.0,  # West −1.0, North −3.0
        "worst_unit": "North",
        "worst_gap": -3.0,
    }


def test_lights_and_largest_gaps() -> None:
    lights = digest.light_counts(worked()).row(0, named=True)
    assert (lights["green"], lights["yellow"], lights["red"], lights["missing"]) == (1, 2, 0, 0)
    gaps = digest.largest_gaps(worked(), n=1).to_dicts()
    assert gaps == [
        {
            "unit": "North",
            "indicator": "fai",
            "completion": 22.0,
            "time_progress": 25.0,
            "gap_pp": -3.0,
        }
    ]


def test_run_rates_name_who_must_speed_up_most() -> None:
    rates = digest.run_rates(worked()).to_dicts()
    # North: (150 − 33) / 9 a month against 11 so far; West: (100 − 24) / 9 against 8.
    assert [r["unit"] for r in rates] == ["North", "West"]
    assert rates[0]["run_rate_needed"] == 13.0
    assert rates[0]["run_rate_ratio"] == round(13 / 11, 9)


def test_double_over_half_takes_the_engine_flag_as_given() -> None:
    half = [
        ("East", "fai", "2026-06", 110.0),
        ("West", "fai", "2026-06", 47.5),
        ("North", "fai", "2026-06", None),
    ]
    progress = worked("2026-H1", half)
    found = digest.double_over_half(progress).to_dicts()
    flags = dict(zip(progress["unit"], progress["double_over_half"], strict=True))
    judged = [u for u, f in flags.items() if f is not None]
    assert found == [
        {
            "indicator": "fai",
            "judged": len(judged),
            "reached": sum(1 for u in judged if flags[u]),
            "not_reached": sorted(u for u in judged if not flags[u]),
        }
    ]
    assert digest.double_over_half(worked()).height == 0  # no flag outside the half year


def test_lower_is_better_turns_the_gap() -> None:
    specs = {"fai": IndicatorSpec("fai", direction="lower")}
    rows = digest.behind(worked(specs=specs)).to_dicts()
    # Lower is better: East, 4 pp ahead of a ceiling-like schedule, is the one behind.
    assert [(r["worst_unit"], r["behind"]) for r in rows] == [("East", 1)]


def test_movers() -> None:
    rose, fell = digest.movers(
        [
            {"unit": "a", "group": "g", "rank": 1, "rank_change": 2},
            {"unit": "b", "group": "g", "rank": 2, "rank_change": -1},
            {"unit": "c", "group": "g", "rank": 3, "rank_change": -1},
            {"unit": "d", "group": "g", "rank": 4, "rank_change": 0},
            {"unit": "e", "group": "g", "rank": 5, "rank_change": None},
        ]
    )
    assert [r["unit"] for r in rose] == ["a"]
    assert [r["unit"] for r in fell] == ["b", "c"]


figures = st.lists(
    st.tuples(
        st.floats(min_value=1, max_value=1000, allow_nan=False),
        st.one_of(st.none(), st.floats(min_value=0, max_value=1200, allow_nan=False)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=examples(60), deadline=None)
@given(figures, st.sampled_from(["2026-03", "2026-H1", "2026-Q3"]))
def test_digest_invariants(rows, period) -> None:
    units = [f"u{i:02d}" for i in range(len(rows))]
    progress = compute_progress(
        targets([(u, "fai", t) for u, (t, _a) in zip(units, rows, strict=True)]),
        actuals([(u, "fai", period, a) for u, (_t, a) in zip(units, rows, strict=True)]),
        parse_period(period),
    )
    lights = digest.light_counts(progress).row(0, named=True)
    assert sum(lights[light] for light in digest.LIGHT_ORDER) == len(units)
    found = digest.behind(progress)
    if found.height:
        row = found.row(0, named=True)
        assert row["behind"] == lights["yellow"] + lights["red"]
        assert row["shortfall"] > 0 and row["worst_gap"] < 0
        assert -row["worst_gap"] >= row["shortfall"] - 1e-9
    area = digest.area_progress(progress)
    reported = [(t, a) for t, a in rows if a is not None]
    if reported:
        assert area["units"][0] == len(reported)
        assert abs(area["value"][0] - sum(a for _t, a in reported)) < 1e-6
    else:
        assert area.height == 0
    gaps = digest.largest_gaps(progress, n=len(units))["gap_pp"].to_list()
    assert gaps == sorted(gaps)
