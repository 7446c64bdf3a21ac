"""Key projects, the parts the pages build on: the whole plan from one date, the battle map,
who has reported a week, and the checks on amounts (slips, plan sums, reported investment)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import DataError
from saima.engine.projects import (
    ATTENTION,
    DEFAULT_LEAD_DAYS,
    MILESTONE_NAMES,
    MILESTONES,
    SCHEDULE_CHAIN,
    amount_slips,
    battle_map,
    check_investment,
    milestone_status,
    plan_differences,
    plan_milestones,
    reverse_schedule,
    status_counts,
    weekly_reporting,
)
from saima.testing import examples

D = date

# --- the whole plan from one date ----------------------------------------------------------------


def test_the_whole_chain_is_planned_from_the_start_date():
    assert plan_milestones("started", D(2026, 6, 30)) == {
        "approval": D(2026, 1, 16),
        "land": D(2026, 2, 15),
        "planning": D(2026, 4, 16),
        "environment": D(2026, 5, 16),
        "construction_permit": D(2026, 6, 15),
        "started": D(2026, 6, 30),
        "completed": D(2027, 6, 30),  # 365 days of construction
        "in_production": D(2027, 8, 29),  # 60 days to commissioning
        "at_capacity": D(2028, 2, 25),  # 180 days of ramp-up
    }


def test_planning_from_a_formality_or_the_last_stage():
    leads = {**DEFAULT_LEAD_DAYS, "land": 10, "planning": 5}
    found = plan_milestones("land", D(2026, 3, 1), lead_days=leads)
    assert found["approval"] == D(2026, 1, 30)
    assert found["planning"] == D(2026, 3, 11)
    assert found["environment"] == D(2026, 3, 16)
    assert list(found) == list(SCHEDULE_CHAIN)
    last = plan_milestones("at_capacity", D(2028, 1, 1))
    assert last == reverse_schedule("at_capacity", D(2028, 1, 1))


def test_planning_forwards_needs_the_lead_times_too():
    leads = {k: v for k, v in DEFAULT_LEAD_DAYS.items() if k != "completed"}
    with pytest.raises(DataError) as refused:
        plan_milestones("started", D(2026, 6, 30), lead_days=leads)
    assert [str(d) for d in refused.value.details] == ["completed: no lead time"]
    with pytest.raises(DataError):
        plan_milestones("started", D(2026, 6, 30), lead_days={**DEFAULT_LEAD_DAYS, "started": -1})


@settings(max_examples=examples(100), deadline=None)
@given(
    st.sampled_from(SCHEDULE_CHAIN),
    st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)),
    st.lists(st.integers(0, 400), min_size=len(SCHEDULE_CHAIN), max_size=len(SCHEDULE_CHAIN)),
)
def test_planned_dates_follow_the_chain_with_the_lead_times_between(target, on, days):
    leads = dict(zip(SCHEDULE_CHAIN, days, strict=True))
    found = plan_milestones(target, on, lead_days=leads)
    assert list(found) == list(SCHEDULE_CHAIN) and found[target] == on
    for before, after in itertools.pairwise(SCHEDULE_CHAIN):
        assert found[after] - found[before] == timedelta(days=leads[before])


def test_every_milestone_has_a_name():
    assert MILESTONES[:2] == ("signed", "landed") and MILESTONES[2:] == SCHEDULE_CHAIN
    assert str(MILESTONE_NAMES["environment"]) == "environmental assessment"
    assert str(MILESTONE_NAMES["in_production"]) == "in production"


# --- the battle map ------------------------------------------------------------------------------

TODAY = D(2026, 6, 10)
PROJECTS = pl.DataFrame(
    {"project": ["A", "B", "C"], "unit": ["east", "west", "east"], "leader": ["Li", "Li", "Wang"]}
)
MILESTONE_ROWS = pl.DataFrame(
    {
        "project": ["A", "A", "A", "B", "B", "Z"],
        "milestone": ["approval", "land", "started", "approval", "land", "approval"],
        "planned": [
            D(2026, 3, 1),
            D(2026, 5, 1),
            D(2026, 6, 20),
            D(2026, 2, 1),
            None,
            D(2026, 1, 1),
        ],
        "actual": [D(2026, 3, 5), None, None, D(2026, 1, 20), None, None],
    },
    schema_overrides={"planned": pl.Date, "actual": pl.Date},
)


def test_the_battle_map_sums_each_projects_milestones():
    rows, milestones = battle_map(PROJECTS, MILESTONE_ROWS, TODAY)
    assert rows["project"].to_list() == ["A", "B", "C"]  # the projects' order; Z is not listed
    a, b, c = rows.iter_rows(named=True)
    assert (a["start"], a["end"]) == (D(2026, 3, 1), D(2026, 6, 20))
    assert (a["n_done_late"], a["n_overdue"], a["n_due_soon"]) == (1, 1, 1)
    assert (a["worst"], a["next_due"], a["days_late"]) == ("overdue", D(2026, 5, 1), 40)
    assert (b["start"], b["end"], b["worst"]) == (D(2026, 1, 20), D(2026, 2, 1), "unscheduled")
    assert (b["n_done"], b["n_unscheduled"], b["next_due"]) == (1, 1, None)
    assert c["worst"] is None and c["start"] is None
    assert sum(c[f"n_{s}"] for s in ATTENTION) == 0
    assert (c["unit"], c["leader"]) == ("east", "Wang")  # the projects' own columns are kept
    assert milestones.select("project", "milestone", "status").rows() == [
        ("A", "approval", "done_late"),
        ("A", "land", "overdue"),
        ("A", "started", "due_soon"),
        ("B", "approval", "done"),
        ("B", "land", "unscheduled"),
    ]


def test_counts_by_unit_or_by_leader():
    rows, _milestones = battle_map(PROJECTS, MILESTONE_ROWS, TODAY)
    by_unit = status_counts(rows, "unit")
    assert by_unit.select("unit", "projects", "projects_overdue", "n_overdue", "n_done").rows() == [
        ("east", 2, 1, 1, 0),
        ("west", 1, 0, 0, 1),
    ]
    by_leader = status_counts(rows, "leader")
    assert by_leader.select("leader", "projects", "n_due_soon").rows() == [
        ("Li", 2, 1),
        ("Wang", 1, 0),
    ]


def test_a_later_today_never_makes_a_project_look_better():
    before, _ = battle_map(PROJECTS, MILESTONE_ROWS.with_columns(actual=None), TODAY)
    after, _ = battle_map(PROJECTS, MILESTONE_ROWS.with_columns(actual=None), D(2026, 7, 1))
    rank = {s: n for n, s in enumerate(ATTENTION)}
    for old, new in zip(before["worst"], after["worst"], strict=True):
        if old is not None:
            assert rank[new] <= rank[old]


@settings(max_examples=examples(80), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.one_of(st.none(), st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))),
            st.one_of(st.none(), st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))),
        ),
        max_size=12,
    ),
    st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)),
)
def test_every_milestone_is_counted_once_under_its_own_status(rows, today):
    frame = pl.DataFrame(
        [(p, f"m{n}", planned, actual) for n, (p, planned, actual) in enumerate(rows)],
        schema={
            "project": pl.String,
            "milestone": pl.String,
            "planned": pl.Date,
            "actual": pl.Date,
        },
        orient="row",
    )
    summary, statuses = battle_map(PROJECTS, frame, today)
    assert sum(summary[f"n_{s}"].sum() for s in ATTENTION) == len(rows)
    for project, planned, actual in rows:
        status = milestone_status(planned, actual, today)
        assert summary.filter(pl.col("project") == project)[f"n_{status}"].item() >= 1
    assert statuses.height == len(rows)


# --- who has reported a week ---------------------------------------------------------------------


def test_who_has_reported_the_week():
    projects = pl.DataFrame(
        {"project": ["A", "B", "C", "D"], "unit": ["east", "east", "west", "north"]}
    )
    reports = pl.DataFrame({"project": ["B", "C", "C", "Z"]})  # C twice, Z not listed
    found = weekly_reporting(projects, reports)
    assert found.rows() == [
        ("east", 2, 1, ["A"]),
        ("west", 1, 1, []),
        ("north", 1, 0, ["D"]),
    ]


# --- checks on amounts ---------------------------------------------------------------------------


def test_reported_investment_is_checked_like_a_cumulative_figure():
    history = pl.DataFrame(
        {
            "project": ["A", "A", "B"],
            "year": [2026, 2026, 2025],
            "month": [4, 5, 6],
            "value": [12.0, 15.5, 3.0],
        }
    )
    figures = pl.DataFrame(
        {
            "project": ["A", "B", "C"],
            "year": [2026, 2026, 2026],
            "month": [6, 6, 6],
            "value": [155000.0, -1.0, 8.0],
        }
    )
    found = check_investment(figures, history)
    assert found.select("project", "check", "severity", "reference").rows() == [
        ("A", "unit_slip", "error", 15.5),  # 10,000 times May's 15.5: 万元 in a 亿元 field
        ("B", "negative", "error", None),
    ]
    assert "万元 written for 亿元" in found["message"][0]
    falling = pl.DataFrame({"project": ["A"], "year": [2026], "month": [6], "value": [14.0]})
    assert check_investment(falling, history)["check"].to_list() == ["decrease"]
    fine = pl.DataFrame({"project": ["A"], "year": [2026], "month": [6], "value": [19.0]})
    assert check_investment(fine, history).is_empty()


def test_an_amount_about_ten_thousand_times_its_reference_is_a_slip():
    frame = pl.DataFrame(
        {
            "row": [2, 3, 4, 5, 6],
            "value": [120000.0, 12.0, 0.0012, 12.0, 80000.0],
            "reference": [12.0, 12.5, 12.0, None, 12.0],
        }
    )
    found = amount_slips(frame)
    assert found["row"].to_list() == [2, 4]
    assert found["ratio"].to_list() == pytest.approx([10_000.0, 0.0001])
    assert amount_slips(frame, band=0.4)["row"].to_list() == [2, 4, 6]  # 6,667 times


def test_a_monthly_plan_that_does_not_sum_to_the_annual_plan():
    plans = pl.DataFrame(
        {
            "project": ["A"] * 12 + ["B"] * 12 + ["C"] * 2,
            "month": list(range(1, 13)) * 2 + [1, 2],
            "amount": [0.1] * 12 + [100.0] * 11 + [99.5] + [1.0, 2.0],
        }
    )
    annual = pl.DataFrame(
        {"project": ["A", "B", "C", "D"], "annual_plan": [1.2, 1200.0, None, 50.0]}
    )
    assert plan_differences(plans, annual).rows() == [
        ("B", 1200.0, 1199.5, 0.5),
        ("C", None, 3.0, -3.0),
    ]
