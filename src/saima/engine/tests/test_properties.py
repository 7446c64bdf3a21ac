"""Invariants of the race, checked on generated races."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saima.engine import compute_progress, parse_period, score_race, specs_from_rules
from saima.testing import examples

from .builders import actuals, race, rules, targets

SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

figure = st.integers(min_value=-100_000, max_value=100_000).map(lambda n: n / 100)
names = st.lists(
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ东西南北城", min_size=1, max_size=4),
    min_size=1,
    max_size=10,
    unique=True,
)

METHODS = st.sampled_from(
    [
        'method = "rank"\nstep = 7',
        'method = "rank"\nstep_pct = 12.5',
        'method = "efficacy"',
        'method = "efficacy"\nbase = 0.5\nspan = 0.3',
        'method = "efficacy"\nsatisfactory = 300\nimpermissible = -200\nclamp = false',
        'method = "attainment"',
        'method = "bands"\nbands = [[500, 60], [0, 40], [-300, 10]]',
        'method = "linear"\nbase_points = 30\nslope = 0.5\nper = 10\nreference = "mean"',
        'method = "linear"\nbase_points = 30\nslope = 2\nreference = 0\nmin_points = 5',
    ]
)


@st.composite
def races(draw, method=None):
    units = draw(names)
    method = method or draw(METHODS)
    weight = draw(st.sampled_from([60, 70, 100]))
    body = f'[[indicator]]\ncode = "v"\nmetric = "value"\nweight = {weight}\n{method}\n'
    if weight != 100:
        body += (
            f'[[indicator]]\ncode = "w"\nmetric = "value"\nweight = {100 - weight}\n'
            'method = "efficacy"\n'
        )
    values = {u: {"v": draw(figure), "w": draw(figure)} for u in units}
    groups = {u: draw(st.sampled_from(["g1", "g2"])) for u in units}
    return body, values, groups


@SETTINGS
@given(races())
def test_ranks_are_a_competition_ranking_within_each_group(case):
    body, values, groups = case
    standings = race(body, values, groups=groups).standings
    for group in set(groups.values()):
        rows = standings.filter(pl.col("group") == group).select("total", "rank").rows()
        for total, rank in rows:
            assert rank == 1 + sum(1 for other, _ in rows if round(other, 2) > round(total, 2))


@SETTINGS
@given(races())
def test_each_item_score_lies_within_its_weight(case):
    body, values, groups = case
    items = race(body, values, groups=groups).items
    for points, weight in items.select("points", "weight").iter_rows():
        assert 0 <= points <= weight


@SETTINGS
@given(
    races(method='method = "rank"\nstep = 9'),
    st.sampled_from(["rank", "efficacy"]),
)
def test_lower_is_better_on_negated_values_equals_higher_is_better(case, method):
    body, values, groups = case
    body = body.replace(
        'method = "rank"\nstep = 9',
        f'method = "{method}"\nstep = 9' if method == "rank" else 'method = "efficacy"',
    )
    higher = race(body, values, groups=groups)
    negated = {u: {k: -v for k, v in f.items()} for u, f in values.items()}
    lower = race(
        body.replace('metric = "value"', 'metric = "value"\ndirection = "lower"'),
        negated,
        groups=groups,
    )
    assert (
        higher.items.select("unit", "item", "points")
        .sort("unit", "item")
        .equals(lower.items.select("unit", "item", "points").sort("unit", "item"))
    )
    assert higher.standings.select("unit", "rank", "total").equals(
        lower.standings.select("unit", "rank", "total")
    )


def _inputs(values, groups):
    target_rows = [(u, c, 100.0) for u in values for c in ("v", "w")]
    actual_rows = [(u, c, "2026-Q1", v) for u in values for c, v in values[u].items()]
    unit_frame = pl.DataFrame({"unit": list(groups), "group": list(groups.values())})
    return targets(target_rows), actuals(actual_rows), unit_frame


def _score(body, target_frame, actual_frame, unit_frame):
    race_rules = rules(body)
    prog = compute_progress(
        target_frame,
        actual_frame,
        parse_period("2026-Q1"),
        specs=specs_from_rules(race_rules),
        thresholds=race_rules.thresholds,
    )
    return prog, score_race(race_rules, prog, unit_frame)


@SETTINGS
@given(races(), st.randoms(use_true_random=False))
def test_permuting_input_rows_changes_nothing(case, random):
    body, values, groups = case
    target_frame, actual_frame, unit_frame = _inputs(values, groups)
    _, before = _score(body, target_frame, actual_frame, unit_frame)

    def shuffled(frame):
        order = list(range(frame.height))
        random.shuffle(order)
        return frame[order]

    _, after = _score(body, shuffled(target_frame), shuffled(actual_frame), shuffled(unit_frame))
    assert before.standings.equals(after.standings)
    assert before.items.equals(after.items)


@SETTINGS
@given(races(), figure, figure, st.sampled_from(["g1", "g2"]))
def test_adding_a_unit_leaves_the_others_metrics_unchanged(case, v, w, group):
    body, values, groups = case
    target_frame, actual_frame, unit_frame = _inputs(values, groups)
    prog_before, before = _score(body, target_frame, actual_frame, unit_frame)
    values = {**values, "新来": {"v": v, "w": w}}
    groups = {**groups, "新来": group}
    prog_after, after = _score(body, *_inputs(values, groups))
    kept = prog_after.filter(pl.col("unit") != "新来").sort("unit", "indicator")
    assert prog_before.sort("unit", "indicator").equals(kept)
    metrics = after.items.filter(pl.col("unit") != "新来").select("unit", "item", "x")
    assert before.items.select("unit", "item", "x").equals(metrics)
