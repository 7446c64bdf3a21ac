"""What changed since last month: lights that moved, worse first."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import digest
from saima.testing import examples

LIGHTS = ["green", "yellow", "red", "missing", "not_applicable"]


def _frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "light": pl.String,
            "gap_pp": pl.Float64,
        },
        orient="row",
    )


def test_changes_by_hand():
    before = _frame(
        [
            ("east", "fai", "green", 1.0),
            ("west", "fai", "yellow", -2.0),
            ("north", "fai", "red", -8.0),
            ("east", "gdp", "missing", None),
        ]
    )
    after = _frame(
        [
            ("east", "fai", "red", -6.5),  # green → red: worse
            ("west", "fai", "yellow", -1.0),  # same light: no change
            ("north", "fai", "green", 0.5),  # red → green: better
            ("east", "gdp", "green", 2.0),  # not judged before: left out
        ]
    )
    found = digest.light_changes(before, after)
    assert found.to_dicts() == [
        {
            "unit": "east",
            "indicator": "fai",
            "light_before": "green",
            "light": "red",
            "gap_before": 1.0,
            "gap_pp": -6.5,
            "better": False,
        },
        {
            "unit": "north",
            "indicator": "fai",
            "light_before": "red",
            "light": "green",
            "gap_before": -8.0,
            "gap_pp": 0.5,
            "better": True,
        },
    ]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LIGHTS), st.sampled_from(LIGHTS)), max_size=12))
def test_changes_are_exactly_the_moved_judged_lights(pairs):
    before = _frame([(f"u{i}", "fai", old, 0.0) for i, (old, _new) in enumerate(pairs)])
    after = _frame([(f"u{i}", "fai", new, 0.0) for i, (_old, new) in enumerate(pairs)])
    found = digest.light_changes(before, after)
    judged = {"green", "yellow", "red"}
    expected = {
        f"u{i}"
        for i, (old, new) in enumerate(pairs)
        if old in judged and new in judged and old != new
    }
    assert set(found["unit"].to_list()) == expected
    order = {"red": 0, "yellow": 1, "green": 2}
    for row in found.iter_rows(named=True):
        assert row["better"] == (order[row["light"]] > order[row["light_before"]])


def test_a_huge_robust_z_is_written_not_a_crash():
    from saima.engine.checks import _fixed2

    frame = pl.DataFrame({"z": [1.3669e23, 7.3, -0.05, None]})
    found = frame.select(_fixed2(pl.col("z")).alias("text"))["text"].to_list()
    assert found[1:] == ["7.30", "-0.05", None]
    assert found[0] is not None and "e" in found[0]


def test_larger_jumps_come_first():
    before = _frame([("a", "fai", "green", 1.0), ("b", "fai", "green", 1.0)])
    after = _frame([("a", "fai", "yellow", -1.0), ("b", "fai", "red", -9.0)])
    assert digest.light_changes(before, after)["unit"].to_list() == ["b", "a"]
