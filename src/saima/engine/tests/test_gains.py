"""`gains` works group statistics out by hand; the oracle re-scores whole groups with the race's
own code. On generated races of every method and option they must give the same answers."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from saima.engine import gains
from saima.testing import examples

from .builders import race
from .gains_oracle import gains_oracle

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

#: Figures on a coarse grid, so that ties (shared places, equal totals) happen often.
figure = st.integers(min_value=-40, max_value=40).map(lambda n: n * 2.5)

ADJUSTMENTS = {
    "unit": pl.String,
    "points": pl.Float64,
    "reason": pl.String,
    "veto": pl.Boolean,
    "category": pl.String,
}

METHODS = [
    'method = "rank"\nstep = 7',
    'method = "rank"\nstep_pct = 40',
    'method = "efficacy"',
    'method = "efficacy"\nbase = 0.5\nspan = 0.3',
    'method = "efficacy"\nsatisfactory = 60\nimpermissible = -40',
    'method = "efficacy"\nsatisfactory = 60\nimpermissible = -40\nclamp = false',
    'method = "attainment"\ncap = 1.2',
    'method = "bands"\nbands = [[50, 40], [0, 25], [-30, 10]]',
    'method = "linear"\nbase_points = 30\nslope = 0.5\nper = 10\nreference = "mean"',
    'method = "linear"\nbase_points = 20\nslope = 1\nreference = "median"\nmax_points = 35',
    'method = "linear"\nbase_points = 30\nslope = 2\nreference = 0\nmin_points = 5',
]


@st.composite
def races(draw):
    units = [f"U{n}" for n in range(draw(st.integers(min_value=2, max_value=9)))]
    first = draw(st.sampled_from(METHODS))
    second = draw(st.sampled_from(METHODS))
    qualify = draw(st.sampled_from(["", "qualify = -20\n", "qualify = 10\n"]))
    lower = draw(st.booleans())
    direction = 'kind = "level"\ndirection = "lower"\n' if lower else ""
    if lower and "bands" in first:
        first = 'method = "bands"\nbands = [[-30, 40], [0, 25], [50, 10]]'
    if lower and "satisfactory" in first:
        first = first.replace("satisfactory = 60", "satisfactory = -40").replace(
            "impermissible = -40", "impermissible = 60"
        )
    weight = draw(st.sampled_from([40, 60]))
    body = (
        f'[[indicator]]\ncode = "v"\nmetric = "value"\nweight = {weight}\n{direction}{first}\n'
        f"{qualify}"
        f'[[indicator]]\ncode = "w"\nmetric = "value"\nweight = {100 - weight}\n{second}\n'
    )
    header = draw(
        st.sampled_from(
            [
                "",
                'tie_break = "v"\n',
                'tie_break = "w"\n',
                "decimals = 0\n",
                '[missing]\npolicy = "exclude"\n',
                '[flags]\nveto = "last"\n',
            ]
        )
    )
    body = header + body  # top-level keys and tables come before the [[indicator]] tables
    values = {}
    for unit in units:
        row = {"v": draw(figure), "w": draw(figure)}
        if draw(st.integers(0, 9)) == 0:
            del row["v"]  # a missing figure
        values[unit] = row
    groups = {u: draw(st.sampled_from(["g1", "g2"])) for u in units}
    vetoed = [u for u in units if draw(st.integers(0, 6)) == 0]
    adjustments = pl.DataFrame(
        {
            "unit": vetoed,
            "points": [-1.0] * len(vetoed),
            "reason": ["veto"] * len(vetoed),
            "veto": [True] * len(vetoed),
            "category": ["safety"] * len(vetoed),
        },
        schema=ADJUSTMENTS,
    )
    return body, values, groups, adjustments


def _answers(frame: pl.DataFrame) -> dict[tuple[str, str], float | None]:
    return {(u, i): g for u, i, g in frame.iter_rows()}


def _same(fast: float | None, slow: float | None) -> bool:
    if fast is None or slow is None:
        return fast is slow
    return math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-9)


@SETTINGS
@given(races())
@example(
    (
        '[[indicator]]\ncode = "v"\nmetric = "value"\nweight = 60\nmethod = "rank"\nstep = 7\n'
        'qualify = 10\n[[indicator]]\ncode = "w"\nmetric = "value"\nweight = 40\n'
        'method = "efficacy"\n',
        {"A": {"v": 20.0, "w": 0.0}, "B": {"v": 5.0, "w": 10.0}, "C": {"v": 15.0, "w": 2.5}},
        {"A": "g1", "B": "g1", "C": "g1"},
        pl.DataFrame(schema=ADJUSTMENTS),
    )
)
def test_gains_agree_with_the_oracle(case):
    body, values, groups, adjustments = case
    result = race(body, values, groups=groups, adjustments=adjustments)
    fast, slow = gains(result), gains_oracle(result)
    assert fast.select("unit", "item").rows() == slow.select("unit", "item").rows()
    found, expected = _answers(fast), _answers(slow)
    wrong = {
        key: (found[key], expected[key]) for key in expected if not _same(found[key], expected[key])
    }
    assert not wrong, wrong


def test_gains_for_chosen_units_only():
    body = '[[indicator]]\ncode = "v"\nmetric = "value"\nweight = 100\nmethod = "efficacy"\n'
    result = race(body, {"A": {"v": 30.0}, "B": {"v": 20.0}, "C": {"v": 10.0}})
    # C is the group's minimum: it scores the base whatever it does below B, and B's score falls
    # as C closes in; they meet at 20, where both are the minimum.
    assert gains(result, units=["C"]).rows() == [("C", "v", 10.0)]
    assert gains(result, units=["A"]).height == 0  # first already


def test_a_place_won_on_the_tie_break_before_joining_the_item():
    """B is below the qualifying threshold (10) of v, the tie-break. Drawing level with R on v
    (at 9) shares R's place; crossing the threshold would make B the group's minimum and lift A
    past it. The smallest improvement is 9, not one beyond A's reach."""
    body = (
        'tie_break = "v"\n[[indicator]]\ncode = "v"\nmetric = "value"\nweight = 60\n'
        'method = "efficacy"\nbase = 0\nspan = 1\nqualify = 10\n'
        '[[indicator]]\ncode = "w"\nmetric = "value"\nweight = 40\nmethod = "efficacy"\n'
    )
    values = {
        "D": {"v": 300.0, "w": 40.0},
        "A": {"v": 200.0, "w": 0.0},
        "R": {"v": 9.0, "w": 25.0},
        "B": {"v": 0.0, "w": 25.0},
    }
    result = race(body, values)
    assert result.standings.select("unit", "rank").rows() == [
        ("D", 1),
        ("R", 2),
        ("B", 3),
        ("A", 4),
    ]
    assert gains(result, units=["B"]).rows() == [("B", "v", 9.0), ("B", "w", 0.02)]
    assert gains_oracle(result, units=["B"]).rows() == [("B", "v", 9.0), ("B", "w", 0.02)]
