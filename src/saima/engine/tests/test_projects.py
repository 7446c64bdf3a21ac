"""Key projects: milestone status, reverse scheduling, stages, investment and unit figures."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import DataError, IndicatorSpec, compute_progress, parse_period
from saima.engine.projects import (
    DEFAULT_LEAD_DAYS,
    MILESTONE_STATUSES,
    SCHEDULE_CHAIN,
    STAGES,
    ConversionRates,
    ProjectIndicatorCodes,
    ProjectRules,
    check_stage_change,
    investment_plan,
    investment_progress,
    milestone_status,
    milestone_statuses,
    project_indicators,
    project_unit_figures,
    reverse_schedule,
    stage_at,
    stages_at,
)
from saima.engine.rates import rate_percent

JUNE = parse_period("2026-06")
D = date

# --- milestone status ----------------------------------------------------------------------------

TODAY = D(2026, 4, 20)


@pytest.mark.parametrize(
    ("planned", "actual", "status"),
    [
        (D(2026, 4, 10), D(2026, 4, 10), "done"),  # on the planned day
        (D(2026, 4, 10), D(2026, 4, 1), "done"),
        (D(2026, 4, 10), D(2026, 4, 11), "done_late"),
        (D(2026, 5, 10), D(2026, 4, 20), "done"),  # done today, ahead of plan
        (D(2026, 4, 19), None, "overdue"),  # yesterday
        (D(2026, 4, 20), None, "due_soon"),  # today is not yet overdue
        (D(2026, 5, 4), None, "due_soon"),  # today + 14
        (D(2026, 5, 5), None, "on_track"),  # today + 15
        (D(2026, 4, 10), D(2026, 4, 21), "overdue"),  # done tomorrow: not done today
        (None, None, "unscheduled"),
        (None, D(2026, 3, 1), "done"),
    ],
)
def test_milestone_status_from_dates_alone(planned, actual, status):
    assert milestone_status(planned, actual, TODAY) == status
    frame = pl.DataFrame(
        {"planned": [planned], "actual": [actual]}, schema={"planned": pl.Date, "actual": pl.Date}
    )
    assert milestone_statuses(frame, TODAY)["status"].item() == status


def test_due_soon_window_is_a_parameter_and_days_late_are_counted():
    assert milestone_status(D(2026, 4, 27), None, TODAY, soon_days=7) == "due_soon"
    assert milestone_status(D(2026, 4, 28), None, TODAY, soon_days=7) == "on_track"
    frame = pl.DataFrame(
        {
            "milestone": ["land", "planning", "started"],
            "planned": [D(2026, 4, 10), D(2026, 4, 1), D(2026, 6, 30)],
            "actual": [D(2026, 4, 13), None, None],
        }
    )
    found = milestone_statuses(frame, TODAY)
    assert found.select("milestone", "status", "days_late").rows() == [
        ("land", "done_late", 3),
        ("planning", "overdue", 19),
        ("started", "on_track", None),
    ]


dates = st.one_of(st.none(), st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)))
ORDER = {"on_track": 0, "due_soon": 1, "overdue": 2}


@settings(max_examples=300, deadline=None)
@given(
    dates,
    dates,
    st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)),
    st.integers(0, 400),
    st.integers(0, 30),
)
def test_status_never_improves_as_today_moves_on_without_an_actual_date(
    planned, actual, today, step, soon
):
    later = today + timedelta(days=step)
    before = milestone_status(planned, None, today, soon_days=soon)
    after = milestone_status(planned, None, later, soon_days=soon)
    if planned is not None:
        assert ORDER[after] >= ORDER[before]
    # The frame says what the function says, with or without an actual date.
    frame = pl.DataFrame(
        {"planned": [planned], "actual": [actual]}, schema={"planned": pl.Date, "actual": pl.Date}
    )
    status = milestone_statuses(frame, today, soon_days=soon)["status"].item()
    assert status == milestone_status(planned, actual, today, soon_days=soon)
    assert status in MILESTONE_STATUSES


# --- reverse scheduling --------------------------------------------------------------------------


def test_reverse_schedule_from_a_start_date_with_the_default_lead_times():
    assert reverse_schedule("started", D(2026, 6, 30)) == {
        "approval": D(2026, 1, 16),
        "land": D(2026, 2, 15),
        "planning": D(2026, 4, 16),
        "environment": D(2026, 5, 16),
        "construction_permit": D(2026, 6, 15),  # 15 days before the start
        "started": D(2026, 6, 30),
    }
    assert list(reverse_schedule("started", D(2026, 6, 30))) == list(SCHEDULE_CHAIN[:6])


def test_a_project_changes_its_own_lead_times():
    leads = {**DEFAULT_LEAD_DAYS, "construction_permit": 20, "environment": 0}
    dates = reverse_schedule("in_production", D(2027, 9, 30), lead_days=leads)
    assert dates["completed"] == D(2027, 8, 1)  # 60 days before production
    assert dates["started"] == D(2026, 8, 1)  # 365 days before completion
    assert dates["construction_permit"] == D(2026, 7, 12)
    assert dates["environment"] == dates["construction_permit"]
    assert "at_capacity" not in dates
    short = reverse_schedule(
        "land", D(2026, 3, 1), chain=("approval", "land"), lead_days={"approval": 10}
    )
    assert short == {"approval": D(2026, 2, 19), "land": D(2026, 3, 1)}


def test_reverse_scheduling_refuses_what_it_cannot_compute():
    with pytest.raises(DataError) as refused:
        reverse_schedule("started", D(2026, 6, 30), lead_days={"approval": 10, "land": -5})
    assert [str(d) for d in refused.value.details] == [
        "planning: no lead time",
        "environment: no lead time",
        "construction_permit: no lead time",
        "land: the lead time -5 must be a whole number of days, 0 or more",
    ]
    with pytest.raises(DataError, match="'opening' is not a milestone of the scheduling chain"):
        reverse_schedule("opening", D(2026, 6, 30))


# --- stages --------------------------------------------------------------------------------------


def test_the_stage_on_any_date():
    changes = [
        (D(2026, 1, 5), "signed"),
        (D(2026, 3, 1), "started"),
        (D(2026, 3, 1), "landed"),  # the same day, recorded after: a correction
        (D(2026, 2, 1), "landed"),
    ]
    assert stage_at(changes, D(2025, 12, 31)) == "planned"
    assert stage_at(changes, D(2026, 1, 5)) == "signed"
    assert stage_at(changes, D(2026, 2, 28)) == "landed"
    assert stage_at(changes, D(2026, 3, 1)) == "landed"
    frame = pl.DataFrame(
        {
            "project": ["p"] * 4 + ["q"],
            "stage": [s for _d, s in changes] + ["signed"],
            "date": [d for d, _s in changes] + [D(2026, 6, 1)],
        }
    )
    assert stages_at(frame, D(2026, 3, 1)).sort("project").rows() == [
        ("p", "landed", D(2026, 3, 1))
    ]
    assert stages_at(frame, D(2026, 6, 1)).sort("project")["stage"].to_list() == [
        "landed",
        "signed",
    ]


def test_stage_changes_the_service_may_accept_or_not():
    check_stage_change("signed", "started")  # skipping a stage is allowed
    check_stage_change("started", "landed", reason="construction permit withdrawn")
    with pytest.raises(
        DataError, match="moving a project back from started to landed needs a reason"
    ):
        check_stage_change("started", "landed", reason="  ")
    with pytest.raises(DataError, match="already at the stage signed"):
        check_stage_change("signed", "signed")
    with pytest.raises(DataError, match="'opened' is not a stage"):
        check_stage_change("signed", "opened")
    with pytest.raises(DataError, match="dated 2026-03-01, before the current stage's date"):
        check_stage_change("signed", "landed", current_since=D(2026, 3, 2), on=D(2026, 3, 1))
    assert STAGES[0] == "planned" and STAGES[-1] == "at_capacity"


def test_an_unknown_stage_in_a_frame_is_named():
    frame = pl.DataFrame({"project": ["p"], "stage": ["opened"], "date": [D(2026, 1, 1)]})
    with pytest.raises(DataError) as refused:
        stages_at(frame, D(2026, 6, 30))
    assert "project p: stage 'opened' on 2026-01-01" in str(refused.value)


# --- investment ----------------------------------------------------------------------------------

PROJECTS = pl.DataFrame(
    {
        "project": ["E1", "E2", "E3", "W1"],
        "unit": ["East", "East", "East", "West"],
        "annual_plan": [1200.0, 600.0, None, 900.0],
    }
)
PLANS = pl.DataFrame(
    {
        "project": ["E1"] * 4 + ["W1"] * 3,
        "month": [3, 6, 9, 12, 6, 7, 8],
        "amount": [100.0, 300.0, 400.0, 400.0, 300.0, 300.0, 300.0],
    }
)
INVESTMENT = pl.DataFrame(
    {
        "project": ["E1", "E1", "E2", "E3", "W1"],
        "year": [2026] * 5,
        "month": [5, 6, 6, 6, 6],
        "value": [300.0, 450.0, 275.0, 80.0, 240.0],
    }
)


def test_the_monthly_plan_accumulates_to_the_annual_plan():
    plan = investment_plan(PROJECTS, PLANS)
    e1 = plan.filter(pl.col("project") == "E1")
    assert e1["cumulative"].to_list() == [0, 0, 100, 100, 100, 400, 400, 400, 800, 800, 800, 1200]
    assert e1.filter(pl.col("month") == 6)["share"].item() == 400 * 100 / 1200
    assert e1["share"][-1] == 100.0
    e2 = plan.filter(pl.col("project") == "E2")  # no monthly split: linear
    assert e2.filter(pl.col("month") == 3).select("cumulative", "share").row(0) == (150.0, 25.0)
    assert set(plan["project"]) == {"E1", "E2", "W1"}  # E3 has no plan this year


def test_a_wrong_monthly_plan_is_refused_naming_the_project_and_month():
    wrong = pl.DataFrame(
        {
            "project": ["E1", "E1", "E1", "E1", "E1", "W1", "W1", "X", "E3"],
            "month": [3, 3, 5, 13, 12, 6, 12, 1, 2],
            "amount": [100.0, 100.0, -1.0, 5.0, 400.0, 100.0, 700.0, 1.0, 3.0],
        }
    )
    with pytest.raises(DataError) as refused:
        investment_plan(PROJECTS, wrong)
    assert [str(d) for d in refused.value.details] == [
        "project E1: month 13 does not exist (months run from 1 to 12)",
        "project E1, month 3: planned 2 times",
        "project E1, month 5: the planned amount -1 must be 0 or more",
        "project E3 has a monthly plan but no annual plan (or is not listed)",
        "project X has a monthly plan but no annual plan (or is not listed)",
    ]
    no_plan = pl.DataFrame({"project": ["E3"], "month": [2], "amount": [3.0]})
    with pytest.raises(DataError, match="project E3 has a monthly plan but no annual plan"):
        investment_progress(JUNE, projects=PROJECTS, plans=no_plan, investment=INVESTMENT)
    sums = pl.DataFrame(
        {
            "project": ["E1", "E1", "W1", "W1"],
            "month": [6, 9, 6, 12],
            "amount": [1000.0, 300.0, 100.0, 700.0],
        }
    )
    with pytest.raises(DataError, match="must sum to the annual plan") as refused:
        investment_plan(PROJECTS, sums)
    assert [str(d) for d in refused.value.details] == [
        "project E1, month 9: the cumulative plan 1300 passes the annual plan 1200",
        "project W1, month 12: the monthly plans sum to 800, 100 short of the annual plan 900",
    ]


def test_a_monthly_plan_of_decimals_sums_exactly():
    projects = pl.DataFrame({"project": ["p"], "unit": ["u"], "annual_plan": [0.3]})
    plans = pl.DataFrame({"project": ["p"] * 3, "month": [1, 2, 3], "amount": [0.1, 0.1, 0.1]})
    assert investment_plan(projects, plans)["cumulative"][-1] == 0.3


def test_investment_progress_per_project_against_its_own_plan_and_the_linear_schedule():
    found = investment_progress(JUNE, projects=PROJECTS, plans=PLANS, investment=INVESTMENT)
    rows = {r["project"]: r for r in found.iter_rows(named=True)}
    e1 = rows["E1"]
    assert (e1["annual_plan"], e1["planned_to_date"], e1["value"]) == (1200.0, 400.0, 450.0)
    assert e1["completion"] == 37.5
    assert e1["plan_progress"] == 400 * 100 / 1200
    assert round(e1["gap_pp"], 9) == round(37.5 - 100 / 3, 9)
    assert (e1["linear_progress"], e1["gap_linear_pp"]) == (50.0, -12.5)
    assert e1["light"] == "green"
    assert e1["run_rate_needed"] == 125.0  # (1200 − 450) / 6
    assert e1["run_rate_ratio"] == round(125 / 75, 9)
    assert e1["projection"] == 1350.0
    e2 = rows["E2"]  # linear: 275 of 600 against 50%
    assert (e2["plan_progress"], e2["gap_pp"], e2["gap_linear_pp"]) == (
        50.0,
        275 * 100 / 600 - 50,
        275 * 100 / 600 - 50,
    )
    assert e2["light"] == "yellow"  # −4.2 pp
    assert rows["W1"]["light"] == "red"  # 240 of 900 = 26.7% against 33.3%: −6.7 pp
    e3 = rows["E3"]  # reports investment, has no plan this year
    assert (e3["light"], e3["value"], e3["completion"], e3["plan_progress"]) == (
        "n/a",
        80.0,
        None,
        None,
    )


def test_a_project_that_did_not_report_is_missing_not_zero():
    found = investment_progress(
        parse_period("2026-05"), projects=PROJECTS, plans=PLANS, investment=INVESTMENT
    )
    assert found.filter(pl.col("project") == "W1")["light"].item() == "missing"
    assert found.filter(pl.col("project") == "E1")["completion"].item() == 25.0


def test_investment_summed_by_unit():
    found = investment_progress(
        JUNE, projects=PROJECTS, plans=PLANS, investment=INVESTMENT, by="unit"
    )
    east = found.filter(pl.col("unit") == "East").row(0, named=True)
    assert (east["with_plan"], east["reported"]) == (2, 3)
    assert (east["annual_plan"], east["planned_to_date"], east["value"]) == (1800.0, 700.0, 805.0)
    assert east["completion"] == 805 * 100 / 1800
    assert east["plan_progress"] == 700 * 100 / 1800
    assert east["light"] == "green"


def test_the_linear_gap_is_the_indicators_gap():
    """With no monthly split, a project is an amount indicator on the linear schedule: the
    indicators' own progress computes the same gap, light and run rate."""
    found = investment_progress(JUNE, projects=PROJECTS, plans=PLANS, investment=INVESTMENT)
    targets = pl.DataFrame(
        {"unit": ["E1", "E2", "W1"], "indicator": ["i"] * 3, "target": [1200.0, 600.0, 900.0]}
    )
    actuals = pl.DataFrame(
        {
            "unit": ["E1", "E2", "W1"],
            "indicator": ["i"] * 3,
            "year": [2026] * 3,
            "month": [6] * 3,
            "value": [450.0, 275.0, 240.0],
        }
    )
    linear = compute_progress(targets, actuals, JUNE).sort("unit")
    ours = found.filter(pl.col("project").is_in(["E1", "E2", "W1"])).sort("project")
    assert ours["gap_linear_pp"].to_list() == linear["gap_pp"].to_list()
    e2 = ours.filter(pl.col("project") == "E2")
    assert e2["light"].item() == linear.filter(pl.col("unit") == "E2")["light"].item()
    profile = tuple(
        investment_plan(PROJECTS, PLANS).filter(pl.col("project") == "E1")["share"].to_list()
    )
    scheduled = compute_progress(
        targets.head(1), actuals.head(1), JUNE, specs={"i": IndicatorSpec("i", profile=profile)}
    )
    assert ours.head(1)["gap_pp"].item() == scheduled["gap_pp"].item()


def test_investment_for_a_project_not_listed_or_given_twice_is_refused():
    extra = pl.concat(
        [
            INVESTMENT,
            pl.DataFrame(
                {"project": ["Z", "E2"], "year": [2026, 2026], "month": [6, 6], "value": [1.0, 2.0]}
            ),
        ]
    )
    with pytest.raises(DataError) as refused:
        investment_progress(JUNE, projects=PROJECTS, plans=PLANS, investment=extra)
    assert [str(d) for d in refused.value.details] == [
        "project Z: investment is reported for 2026-06 but the project is not listed",
        "project E2, 2026-06: 2 investment figures",
    ]


# --- unit figures --------------------------------------------------------------------------------


def _changes(rows: dict[str, list[tuple[date, str]]]) -> pl.DataFrame:
    flat = [(p, s, d) for p, changes in rows.items() for d, s in changes]
    return pl.DataFrame(flat, schema=["project", "stage", "date"], orient="row")


WORLD_CHANGES = _changes(
    {
        "A": [(D(2025, 11, 10), "signed"), (D(2026, 2, 1), "landed"), (D(2026, 4, 15), "started")],
        "B": [(D(2026, 1, 20), "signed"), (D(2026, 5, 10), "landed")],
        "C": [(D(2026, 3, 1), "signed")],
        "D": [(D(2026, 2, 1), "signed"), (D(2026, 3, 1), "started"), (D(2026, 6, 20), "completed")],
        # Started, then moved back (a correction): no longer counts as started.
        "E": [
            (D(2026, 1, 5), "signed"),
            (D(2026, 2, 1), "landed"),
            (D(2026, 3, 10), "started"),
            (D(2026, 5, 1), "landed"),
        ],
        "G": [(D(2026, 7, 2), "signed")],  # after the period
        "I": [(D(2025, 6, 1), "signed"), (D(2025, 9, 1), "landed"), (D(2026, 1, 15), "started")],
        "J": [(D(2025, 5, 1), "signed"), (D(2026, 1, 10), "landed")],
        "H": [
            (D(2026, 1, 10), "signed"),
            (D(2026, 1, 30), "landed"),
            (D(2026, 2, 20), "started"),
            (D(2026, 6, 30), "in_production"),  # on the period's last day
        ],
    }
)
WORLD_PROJECTS = pl.DataFrame(
    {
        "project": ["A", "B", "C", "D", "E", "F", "G", "I", "J", "H"],
        "unit": ["East"] * 9 + ["West"],
    }
)
WORLD_MILESTONES = pl.DataFrame(
    [
        ("A", "construction_permit", D(2026, 4, 10), D(2026, 4, 10)),
        ("A", "started", D(2026, 4, 30), D(2026, 4, 15)),
        ("B", "landed", D(2026, 4, 30), D(2026, 5, 10)),
        ("B", "started", D(2026, 6, 15), None),
        ("C", "landed", D(2026, 5, 31), None),
        ("C", "started", D(2026, 9, 30), None),
        ("D", "started", D(2026, 2, 28), D(2026, 3, 1)),
        ("D", "in_production", D(2026, 12, 31), None),
        ("I", "started", D(2025, 12, 31), D(2026, 1, 15)),
    ],
    schema={"project": pl.String, "milestone": pl.String, "planned": pl.Date, "actual": pl.Date},
    orient="row",
)
WORLD_INVESTMENT = pl.DataFrame(
    {
        "project": ["A", "A", "B", "D", "H"],
        "year": [2026] * 5,
        "month": [5, 6, 6, 6, 6],
        "value": [300.0, 450.0, 250.5, 100.25, 80.0],
    }
)


def world(rules: ProjectRules | None = None, period=JUNE) -> dict[str, dict]:
    frame = project_unit_figures(
        period,
        projects=WORLD_PROJECTS,
        stage_changes=WORLD_CHANGES,
        milestones=WORLD_MILESTONES,
        investment=WORLD_INVESTMENT,
        rules=rules or ProjectRules(),
    )
    return {r["unit"]: r for r in frame.iter_rows(named=True)}


def _rates(row: dict) -> dict[str, tuple]:
    names = ("signed_to_landed", "landed_to_started", "started_to_in_production")
    return {n: (row[n], row[f"{n}_num"], row[f"{n}_den"]) for n in names}


def test_unit_figures_with_the_default_definitions():
    east, west = world()["East"], world()["West"]
    assert (east["investment"], east["reported"], east["started"]) == (800.75, 3, 3)
    assert _rates(east) == {
        "signed_to_landed": (75.0, 3, 4),  # signed this year: B C D E; since landed: B D E
        "landed_to_started": (40.0, 2, 5),  # landed this year: A B D E J; started: A D
        "started_to_in_production": (0.0, 0, 3),  # started this year: A D I
    }
    assert (
        east["milestones_on_time"],
        east["milestones_done_on_time"],
        east["milestones_due"],
    ) == (
        33.3,
        2,
        6,
    )
    assert (west["investment"], west["started"]) == (80.0, 1)
    assert _rates(west)["started_to_in_production"] == (100.0, 1, 1)
    assert (west["milestones_on_time"], west["milestones_due"]) == (None, 0)


def test_started_may_exclude_later_stages():
    east = world(ProjectRules(rates=ConversionRates(later_stages=False)))["East"]
    assert _rates(east)["signed_to_landed"] == (50.0, 2, 4)  # B E; D has gone on to completed
    assert _rates(east)["landed_to_started"] == (20.0, 1, 5)  # A only
    assert east["started"] == 3  # the count of projects started is not a rate


def test_rates_over_the_projects_signed_this_year():
    east = world(ProjectRules(rates=ConversionRates(basis="signed_this_year")))["East"]
    assert _rates(east) == {
        "signed_to_landed": (75.0, 3, 4),
        "landed_to_started": (25.0, 1, 4),
        "started_to_in_production": (0.0, 0, 4),
    }


def test_rates_over_the_whole_annual_list():
    east = world(ProjectRules(rates=ConversionRates(basis="annual_list")))["East"]
    assert _rates(east) == {
        "signed_to_landed": (66.7, 6, 9),
        "landed_to_started": (33.3, 3, 9),
        "started_to_in_production": (0.0, 0, 9),
    }


def test_rates_over_the_projects_planned_to_reach_the_stage_by_the_period():
    east = world(ProjectRules(rates=ConversionRates(basis="planned_by_period")))["East"]
    assert _rates(east) == {
        "signed_to_landed": (50.0, 1, 2),  # planned to land: B C
        "landed_to_started": (66.7, 2, 3),  # planned to start this year by June: A B D (not I)
        "started_to_in_production": (None, 0, 0),  # D plans production in December
    }


def test_a_numerator_of_every_project_that_got_there_may_pass_100_unless_capped():
    rates = ConversionRates(numerator="reached_this_year")
    east = world(ProjectRules(rates=rates))["East"]
    assert _rates(east)["signed_to_landed"] == (125.0, 5, 4)  # A B D E J landed this year
    assert _rates(east)["landed_to_started"] == (60.0, 3, 5)  # A D I
    capped = world(ProjectRules(rates=ConversionRates(numerator="reached_this_year", cap=True)))
    assert _rates(capped["East"])["signed_to_landed"] == (100.0, 5, 4)


def test_milestones_on_time_over_every_milestone_planned_by_the_period():
    east = world(ProjectRules(milestones_from="all"))["East"]
    assert (east["milestones_on_time"], east["milestones_due"]) == (28.6, 7)


def test_an_earlier_period_sees_only_what_had_happened():
    east = world(period=parse_period("2026-03"))["East"]
    assert east["started"] == 3  # D (1 March), E (10 March, not yet moved back), I
    assert east["investment"] is None and east["reported"] == 0


def test_unit_figures_in_the_layout_of_actuals_and_their_definitions():
    rows = project_indicators(
        JUNE,
        projects=WORLD_PROJECTS,
        stage_changes=WORLD_CHANGES,
        milestones=WORLD_MILESTONES,
        investment=WORLD_INVESTMENT,
    )
    assert rows.columns == ["unit", "indicator", "year", "month", "value", "last_year_value"]
    assert rows.filter(pl.col("unit") == "East").select("indicator", "value").rows() == [
        ("project_investment", 800.75),
        ("projects_started", 3.0),
        ("signed_to_landed", 75.0),
        ("landed_to_started", 40.0),
        ("started_to_in_production", 0.0),
        ("milestones_on_time", 33.3),
    ]
    only = ProjectRules(
        codes=ProjectIndicatorCodes(
            investment="fai_projects",
            started="new_starts",
            signed_to_landed=None,
            landed_to_started=None,
            started_to_in_production=None,
            milestones_on_time=None,
        )
    )
    rows = project_indicators(
        JUNE,
        projects=WORLD_PROJECTS,
        stage_changes=WORLD_CHANGES,
        milestones=WORLD_MILESTONES,
        investment=WORLD_INVESTMENT,
        rules=only,
    )
    assert rows.rows() == [
        ("East", "fai_projects", 2026, 6, 800.75, None),
        ("East", "new_starts", 2026, 6, 3.0, None),
        ("West", "fai_projects", 2026, 6, 80.0, None),
        ("West", "new_starts", 2026, 6, 1.0, None),
    ]
    described = ProjectRules().describe()
    assert str(described["signed_to_landed"]) == (
        "landed ÷ signed: those of them at landed or a later stage at the end of the period, "
        "out of the projects that reached signed this year by the end of the period; not "
        "capped at 100%; rounded once to 1 decimal(s)"
    )
    assert set(described) == set(ProjectIndicatorCodes().mapping().values())


def test_a_wrong_rate_definition_is_refused():
    with pytest.raises(DataError) as refused:
        ConversionRates(basis="signed", decimals=9)  # type: ignore[arg-type]
    assert [str(d) for d in refused.value.details] == [
        "basis 'signed': use one of from_stage_this_year, signed_this_year, annual_list, "
        "planned_by_period",
        "decimals 9: use 0 to 6",
    ]


def test_changes_or_milestones_of_projects_not_listed_are_refused():
    changes = pl.concat([WORLD_CHANGES, _changes({"Q": [(D(2026, 1, 1), "signed")]})])
    with pytest.raises(DataError, match="stage changes name projects that are not listed"):
        project_unit_figures(
            JUNE,
            projects=WORLD_PROJECTS,
            stage_changes=changes,
            milestones=WORLD_MILESTONES,
            investment=WORLD_INVESTMENT,
        )


def test_units_without_changes_milestones_or_figures():
    empty_changes = pl.DataFrame(schema={"project": pl.String, "stage": pl.String, "date": pl.Date})
    empty_milestones = WORLD_MILESTONES.clear()
    empty_investment = WORLD_INVESTMENT.clear()
    found = project_unit_figures(
        JUNE,
        projects=WORLD_PROJECTS,
        stage_changes=empty_changes,
        milestones=empty_milestones,
        investment=empty_investment,
    )
    assert found["unit"].to_list() == ["East", "West"]
    assert found["started"].to_list() == [0, 0]
    assert found["signed_to_landed"].to_list() == [None, None]
    assert found["investment"].to_list() == [None, None]


# --- properties ----------------------------------------------------------------------------------

STAGE_DATES = st.dates(min_value=D(2025, 6, 1), max_value=D(2026, 9, 30))


@st.composite
def projects_world(draw):
    count = draw(st.integers(1, 8))
    names = [f"p{n}" for n in range(count)]
    units = {p: draw(st.sampled_from(["East", "West", "North"])) for p in names}
    changes = {
        p: draw(st.lists(st.tuples(STAGE_DATES, st.sampled_from(STAGES[1:])), max_size=5))
        for p in names
    }
    milestones = [
        (p, draw(st.sampled_from(["land", "landed", "started", "in_production"])), planned, actual)
        for p in names
        for planned, actual in draw(
            st.lists(st.tuples(STAGE_DATES, st.one_of(st.none(), STAGE_DATES)), max_size=3)
        )
    ]
    values = {
        p: draw(st.one_of(st.none(), st.integers(0, 10**7).map(lambda n: n / 100))) for p in names
    }
    rates = draw(
        st.builds(
            ConversionRates,
            basis=st.sampled_from(
                ["from_stage_this_year", "signed_this_year", "annual_list", "planned_by_period"]
            ),
            numerator=st.sampled_from(["of_basis", "reached_this_year"]),
            later_stages=st.booleans(),
            cap=st.booleans(),
        )
    )
    return units, changes, milestones, values, ProjectRules(rates=rates)


def _frames(units, changes, milestones, values):
    projects = pl.DataFrame({"project": list(units), "unit": list(units.values())})
    stage_changes = pl.DataFrame(
        [(p, s, d) for p, rows in changes.items() for d, s in rows],
        schema={"project": pl.String, "stage": pl.String, "date": pl.Date},
        orient="row",
    )
    milestone_frame = pl.DataFrame(
        milestones,
        schema={
            "project": pl.String,
            "milestone": pl.String,
            "planned": pl.Date,
            "actual": pl.Date,
        },
        orient="row",
    )
    investment = pl.DataFrame(
        [(p, 2026, 6, v) for p, v in values.items() if v is not None],
        schema={"project": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64},
        orient="row",
    )
    return projects, stage_changes, milestone_frame, investment


def _figures(units, changes, milestones, values, rules):
    projects, stage_changes, milestone_frame, investment = _frames(
        units, changes, milestones, values
    )
    return project_unit_figures(
        JUNE,
        projects=projects,
        stage_changes=stage_changes,
        milestones=milestone_frame,
        investment=investment,
        rules=rules,
    )


COUNTS = [
    "reported",
    "started",
    "signed_to_landed_num",
    "signed_to_landed_den",
    "landed_to_started_num",
    "landed_to_started_den",
    "started_to_in_production_num",
    "started_to_in_production_den",
    "milestones_done_on_time",
    "milestones_due",
]


@settings(max_examples=60, deadline=None)
@given(projects_world())
def test_a_units_figures_are_the_sums_of_its_projects(case):
    units, changes, milestones, values, rules = case
    by_unit = _figures(units, changes, milestones, values, rules)
    # Each project as a unit of its own, then summed by its real unit.
    alone = _figures({p: p for p in units}, changes, milestones, values, rules)
    summed = (
        alone.with_columns(pl.col("unit").replace_strict(units))
        .group_by("unit")
        .agg(
            *(pl.col(c).sum() for c in COUNTS),
            pl.col("investment").sum().round(6),
            pl.col("investment").is_not_null().any().alias("_any"),
        )
    )
    for row in summed.iter_rows(named=True):
        unit = by_unit.filter(pl.col("unit") == row["unit"]).row(0, named=True)
        assert {c: unit[c] for c in COUNTS} == {c: row[c] for c in COUNTS}
        assert unit["investment"] == (row["investment"] if row["_any"] else None)
        for name in ("signed_to_landed", "landed_to_started", "started_to_in_production"):
            num, den = unit[f"{name}_num"], unit[f"{name}_den"]
            if den == 0:
                assert unit[name] is None
                continue
            expected = rate_percent(num, den, cap=rules.rates.cap)
            assert unit[name] == expected


@settings(max_examples=60, deadline=None)
@given(projects_world(), st.lists(st.tuples(STAGE_DATES, st.sampled_from(STAGES[1:])), max_size=4))
def test_a_project_of_another_unit_never_changes_a_units_figures(case, other_changes):
    units, changes, milestones, values, rules = case
    before = _figures(units, changes, milestones, values, rules)
    more_units = {**units, "new": "Elsewhere"}
    more = _figures(
        more_units,
        {**changes, "new": other_changes},
        [*milestones, ("new", "started", D(2026, 3, 1), None)],
        {**values, "new": 12.5},
        rules,
    )
    assert more.filter(pl.col("unit") != "Elsewhere").equals(before)
