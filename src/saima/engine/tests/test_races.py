"""`score_races`: several periods in one pass, figure for figure what `score_race` gives."""

from __future__ import annotations

import polars as pl
import pytest

from saima.engine import (
    DataError,
    Period,
    RaceResult,
    compute_progress_periods,
    score_race,
    score_races,
    specs_from_rules,
)

from .builders import actuals, rules, targets

UNITS = ["A", "B", "C", "D", "E", "F", "G"]
GROUPS = {"A": "north", "B": "north", "C": "north", "D": "south", "E": "south", "F": "south"}
MONTHS = [3, 6, 9, 12]

BODY = """
[flags]
red = 1
yellow = 1
progress_award = 1
[[indicator]]
code = "gdp"
metric = "value"
weight = 30
method = "rank"
step = 5
exempt = ["G"]
[[indicator]]
code = "fai"
metric = "completion"
weight = 30
method = "efficacy"
[[indicator]]
code = "tax"
metric = "value"
weight = 25
method = "bands"
bands = [[60, 25], [40, 15], [0, 5]]
[[indicator]]
code = "jobs"
metric = "value"
weight = 15
method = "linear"
base_points = 10
slope = 0.1
reference = "mean"
"""

MANUAL = """
[[indicator]]
code = "inspection"
weight = 10
method = "manual"
"""


def _figure(unit: int, code: int, month: int) -> float:
    return float((unit * 37 + code * 11 + month * 5) % 83)


def _inputs(body: str, *, gaps=(), not_applicable=()):
    race_rules = rules(body)
    codes = sorted({i.source for i in race_rules.items if i.method != "manual"})
    target_rows = [(u, c, 100.0) for u in UNITS for c in codes]
    na = [(u, c) in not_applicable for u, c, _ in target_rows]
    actual_rows = [
        (u, c, f"2026-{m:02d}", _figure(i, j, m))
        for i, u in enumerate(UNITS)
        for j, c in enumerate(codes)
        for m in MONTHS
        if (u, c, m) not in gaps
    ]
    progress = compute_progress_periods(
        targets(target_rows, not_applicable=na),
        actuals(actual_rows),
        [Period(2026, m) for m in MONTHS],
        specs=specs_from_rules(race_rules),
        thresholds=race_rules.thresholds,
    )
    units = pl.DataFrame({"unit": UNITS, "group": [GROUPS.get(u) for u in UNITS]})
    return race_rules, progress, units


def _one_by_one(race_rules, progress, units, *, previous=None, per_period=None, **kwargs):
    results = []
    for month in MONTHS:
        label = f"2026-{month:02d}"
        extra = {k: v.get(label) for k, v in (per_period or {}).items()}
        result = score_race(
            race_rules,
            progress.filter(pl.col("period") == label),
            units,
            previous=previous,
            **kwargs,
            **extra,
        )
        results.append(result)
        previous = result.standings
    return results


def _assert_same(batch: list[RaceResult], single: list[RaceResult], views: bool = True) -> None:
    assert len(batch) == len(single)
    for ours, theirs in zip(batch, single, strict=True):
        assert ours.period == theirs.period
        for name in ("standings", "missing", "scored", "adjustments"):
            a, b = getattr(ours, name), getattr(theirs, name)
            if name == "adjustments":  # one row per unit, in no particular order
                a, b = a.sort("unit"), b.sort("unit")
            assert a.schema == b.schema, name
            assert a.equals(b), name
        assert ours.items.equals(theirs.items)
        if not views:  # a unit named twice has no wide view
            continue
        assert ours.wide().equals(theirs.wide())
        assert ours.explanation().equals(theirs.explanation())


def _adjustments(rows) -> pl.DataFrame:
    unit, points, veto, category = zip(*rows, strict=True)
    return pl.DataFrame({"unit": unit, "points": points, "veto": veto, "category": category})


def test_the_quarters_in_one_pass_equal_the_races_one_by_one():
    race_rules, progress, units = _inputs(BODY)
    batch = score_races(race_rules, progress, units)
    _assert_same(batch, _one_by_one(race_rules, progress, units))
    assert [r.period for r in batch] == ["2026-03", "2026-06", "2026-09", "2026-12"]
    assert batch[1].standings["rank_change"].null_count() < len(UNITS)


def test_chosen_periods_previous_result_adjustments_and_veto():
    race_rules, progress, units = _inputs(BODY.replace("[flags]\n", '[flags]\nveto = "last"\n'))
    adjust = _adjustments([("A", 2.0, False, "x"), ("D", -3.0, True, "y"), ("E", 1.5, False, "x")])
    first = score_race(race_rules, progress.filter(pl.col("month") == 3), units)
    periods = [Period(2026, m) for m in MONTHS[1:]]
    batch = score_races(
        race_rules, progress, units, periods=periods, adjustments=adjust, previous=first.standings
    )
    # Against the races one by one from the second quarter, the first as their previous result.
    expected, previous = [], first.standings
    for period in periods:
        result = score_race(
            race_rules,
            progress.filter(pl.col("period") == period.label),
            units,
            adjustments=adjust,
            previous=previous,
        )
        expected.append(result)
        previous = result.standings
    _assert_same(batch, expected)
    assert batch[0].standings.filter(pl.col("unit") == "D")["veto"].item() is True


def test_adjustments_and_manual_scores_per_period():
    race_rules, progress, units = _inputs(
        BODY.replace('weight = 30\nmethod = "rank"', 'weight = 20\nmethod = "rank"') + MANUAL
    )
    adjust = {
        "2026-03": _adjustments([("A", 2.0, False, "x")]),
        "2026-09": _adjustments([("B", -1.0, True, "y"), ("C", 4.0, False, "x")]),
    }
    scores = {
        label: pl.DataFrame(
            {"unit": UNITS[:5], "item": ["inspection"] * 5, "points": [k + 1.0, 2.0, 3.5, 0.0, 9]}
        )
        for k, label in enumerate(["2026-03", "2026-06", "2026-12"])
    }
    batch = score_races(race_rules, progress, units, adjustments=adjust, scores=scores)
    single = _one_by_one(
        race_rules, progress, units, per_period={"adjustments": adjust, "scores": scores}
    )
    _assert_same(batch, single)
    one_frame = scores["2026-06"]
    _assert_same(
        score_races(race_rules, progress, units, scores=one_frame),
        _one_by_one(race_rules, progress, units, scores=one_frame),
    )


@pytest.mark.parametrize("policy", ["zero", "exclude"])
def test_missing_figures_under_each_policy(policy):
    gaps = {("B", "fai", 6), ("E", "tax", 6), ("E", "tax", 9), ("A", "gdp", 12)}
    body = f'[missing]\npolicy = "{policy}"\n' + BODY
    race_rules, progress, units = _inputs(body, gaps=gaps)
    batch = score_races(race_rules, progress, units)
    _assert_same(batch, _one_by_one(race_rules, progress, units))
    assert batch[0].missing.height == 0 and batch[1].missing.height == 2


def test_missing_figures_under_policy_error_raise_as_the_first_race_would():
    race_rules, progress, units = _inputs(
        '[missing]\npolicy = "error"\n' + BODY, gaps={("C", "jobs", 9)}
    )
    with pytest.raises(DataError) as single:
        _one_by_one(race_rules, progress, units)
    with pytest.raises(DataError) as batch:
        score_races(race_rules, progress, units)
    assert str(batch.value) == str(single.value)
    assert batch.value.details == single.value.details


def test_items_that_do_not_apply_in_some_periods_only():
    race_rules, progress, units = _inputs(BODY, not_applicable={("C", "tax"), ("F", "jobs")})
    # The not-applicable rows of the later quarters only: the first has every item applying.
    progress = progress.with_columns(
        applicable=pl.when(pl.col("month") == 3).then(True).otherwise(pl.col("applicable"))
    )
    _assert_same(score_races(race_rules, progress, units), _one_by_one(race_rules, progress, units))


def test_units_named_twice_or_without_a_name_are_refused():
    race_rules, progress, units = _inputs(BODY)
    twice = pl.concat([units, units.head(1)])
    for run in (score_races, _one_by_one):
        with pytest.raises(DataError, match="some units are named twice") as caught:
            run(race_rules, progress, twice)
        assert caught.value.details == ["unit A"]
    nameless = units.with_columns(unit=pl.when(pl.col("unit") != "C").then(pl.col("unit")))
    with pytest.raises(DataError, match="some units have no name"):
        score_races(race_rules, progress, nameless)


def test_a_figure_given_twice_in_a_period_is_refused():
    race_rules, progress, units = _inputs(BODY)
    again = progress.filter((pl.col("unit") == "B") & (pl.col("indicator") == "tax"))
    twice = pl.concat([progress, again.filter(pl.col("month") == 6)])
    with pytest.raises(DataError, match="the progress of 2026-06 gives some figures twice") as e:
        score_races(race_rules, twice, units)
    assert e.value.details == ["unit B, indicator tax"]
    with pytest.raises(DataError, match="gives some figures twice"):
        score_race(race_rules, twice.filter(pl.col("month") == 6), units)


def test_a_period_without_rows_is_a_race_without_figures():
    # Without its rows a period has no targets either: an item whose metric needs one refuses.
    race_rules, progress, units = _inputs(BODY)
    with pytest.raises(DataError, match="no target for an item whose metric needs one"):
        score_races(race_rules, progress, units, periods=["2026-06", "2026-07"])
    race_rules, progress, units = _inputs(BODY.replace('"completion"', '"value"'))
    results = score_races(race_rules, progress, units, periods=["2026-06", "2026-07"])
    empty = score_race(race_rules, progress.clear(), units)
    july = results[1]
    assert july.period == "2026-07" and empty.period == ""
    assert july.missing.height == empty.missing.height == len(UNITS) * 4 - 1  # G is exempt
    assert july.missing.equals(empty.missing) and july.scored.equals(empty.scored)
    against = ("rank_change", "progress_award", "last_places")  # July's are against June
    assert july.standings.drop(against).equals(empty.standings.drop(against))
    assert set(july.standings["rank"]) == {1}  # every unit scores zero
    assert july.standings["rank_change"].is_not_null().all()


def test_one_race_is_of_one_period():
    race_rules, progress, units = _inputs(BODY)
    with pytest.raises(DataError, match="several periods") as caught:
        score_race(race_rules, progress, units)
    assert caught.value.details == ["2026-03", "2026-06", "2026-09", "2026-12"]


def test_no_period_no_race_and_a_period_asked_twice_is_refused():
    race_rules, progress, units = _inputs(BODY)
    assert score_races(race_rules, progress.clear(), units) == []
    with pytest.raises(DataError, match="asked for twice"):
        score_races(race_rules, progress, units, periods=["2026-03", "2026-03"])
