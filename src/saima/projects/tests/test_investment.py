"""Investment: a plan's months must sum to it; a reported figure is checked like a figure; the
pages judge it like an indicator; the unit figures the race reads, with exact counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saima.engine import Period
from saima.metrics.models import Indicator, Target
from saima.metrics.selectors import observation_frame, progress
from saima.org.access import Access
from saima.projects import figures
from saima.projects.investment import selectors, services
from saima.projects.models import AnnualPlan, InvestmentActual
from saima.projects.tests.conftest import office

MAY = Period(2026, 5)


def access(world, name: str) -> Access:
    return Access.for_user(world.user(name))


def test_a_plan_whose_months_do_not_sum_is_refused(world, projects):
    with pytest.raises(ValidationError) as refused:
        services.plan_save(
            access=office(world),
            user=world.user("office"),
            project=projects["W1"],
            year=2026,
            total=Decimal("600"),
            monthly=[Decimal(50)] * 11 + [Decimal("49.5")],
        )
    assert refused.value.message_dict["monthly"] == [
        "The months add up to 599.5, not the annual plan 600 (a difference of 0.5)."
    ]
    plan = AnnualPlan.objects.get(project=projects["W1"], year=2026)
    assert (plan.amount, plan.monthly) == (Decimal(600), [])
    with pytest.raises(PermissionDenied):
        services.plan_save(
            access=access(world, "east_reporter"),
            user=world.user("east_reporter"),
            project=projects["E1"],
            year=2026,
            total=Decimal(1),
        )


@pytest.mark.parametrize(
    ("month", "value", "words"),
    [
        (6, "3800000", "about 10000 times the figure for 2026-05"),  # 万元 for 亿元, the reverse
        (6, "300", "lower than 380 for 2026-05"),
        (7, "500", "has not begun"),
        (4, "400", "less than this figure"),  # April above May: May would fall
    ],
)
def test_reported_investment_is_checked_like_a_figure(world, projects, month, value, words):
    before = list(InvestmentActual.objects.values_list("year", "month", "value"))
    with pytest.raises(ValidationError) as refused:
        services.actual_save(
            access=access(world, "east_reporter"),
            user=world.user("east_reporter"),
            project=projects["E1"],
            year=2026,
            month=month,
            value=Decimal(value),
        )
    messages = " ".join(m for ms in refused.value.message_dict.values() for m in ms)
    assert words in messages, messages
    assert list(InvestmentActual.objects.values_list("year", "month", "value")) == before


def test_a_reporter_reports_their_units_project_only(world, projects):
    saved = services.actual_save(
        access=access(world, "east_reporter"),
        user=world.user("east_reporter"),
        project=projects["E1"],
        year=2026,
        month=6,
        value=Decimal("455.5"),
        note="6月完成",
    )
    assert (saved.value, saved.entered_by.username) == (Decimal("455.5"), "east_reporter")
    assert saved.history.first().history_user.username == "east_reporter"
    for name in ("leader", "west_approver", "stranger"):
        with pytest.raises(PermissionDenied):
            services.actual_save(
                access=access(world, name),
                user=world.user(name),
                project=projects["E1"],
                year=2026,
                month=6,
                value=Decimal(1),
            )


def test_each_project_is_judged_against_its_own_plan(world, projects):
    (e1,) = [
        r
        for r in selectors.by_project(office(world), MAY, world.units["east"])
        if r["project"].code == "E1"
    ]
    assert e1["planned_to_date"] == 400  # 50 + 50 + 100 + 100 + 100
    assert e1["value"] == 380
    assert e1["completion"] == pytest.approx(100 * 380 / 1200)
    assert e1["plan_progress"] == pytest.approx(100 * 400 / 1200)
    assert e1["gap_pp"] == pytest.approx(100 * 380 / 1200 - 100 * 400 / 1200)
    assert e1["light"] == "yellow"
    assert e1["run_rate_needed"] == pytest.approx((1200 - 380) / 7)


def test_units_sum_their_projects(world, projects):
    rows = {r["unit"].code: r for r in selectors.by_unit(office(world), MAY)}
    assert set(rows) == {"east", "west", "north"}
    east, west = rows["east"], rows["west"]
    assert (east["with_plan"], east["reported"], east["annual_plan"], east["value"]) == (
        1,
        1,
        1200,
        380,
    )
    assert (west["with_plan"], west["reported"], west["annual_plan"], west["value"]) == (
        1,
        0,
        600,
        None,
    )
    assert west["planned_to_date"] == pytest.approx(250)  # linear: 5/12 of 600
    assert west["light"] == "missing"
    assert rows["north"]["light"] == "n/a"
    only_east = selectors.by_unit(access(world, "east_reporter"), MAY)
    assert [r["unit"].code for r in only_east] == ["east"]


def test_the_unit_figures_with_their_counts(world, projects):
    found = figures.unit_figures(["east", "west", "north"], [(2026, 5)])
    east, north, west = found.sort("unit").iter_rows(named=True)
    assert (east["investment"], east["reported"], east["started"]) == (380.0, 1, 1)
    assert (
        east["signed_to_landed"],
        east["signed_to_landed_num"],
        east["signed_to_landed_den"],
    ) == (50.0, 1, 2)
    assert (east["landed_to_started"], east["started_to_in_production"]) == (100.0, 0.0)
    assert (
        east["milestones_on_time"],
        east["milestones_done_on_time"],
        east["milestones_due"],
    ) == (20.0, 1, 5)
    assert (
        west["signed_to_landed"],
        west["landed_to_started"],
        west["started_to_in_production"],
    ) == (100.0, 0.0, None)
    assert (west["investment"], west["milestones_on_time"]) == (None, None)
    assert (north["started"], north["signed_to_landed"]) == (0, None)


def test_a_computed_indicator_reads_the_figures_like_reported_ones(world, projects):
    started = Indicator.objects.create(
        code="kp-started",
        name_zh="重点项目开工",
        name_en="Key projects started",
        kind="count",
        decimals=0,
        source="projects.started",
    )
    invest = Indicator.objects.create(
        code="kp-invest",
        name_zh="重点项目投资",
        name_en="Key-project investment",
        kind="amount",
        decimals=2,
        measure_zh="亿元",
        source="projects.investment_100m",
    )
    for unit in ("east", "west"):
        Target.objects.create(unit=world.units[unit], indicator=started, year=2026, value=4)
        Target.objects.create(
            unit=world.units[unit], indicator=invest, year=2026, value=Decimal("0.12")
        )
    frame = observation_frame(office(world), MAY)
    mine = {
        (r["unit"], r["indicator"]): r["value"]
        for r in frame.iter_rows(named=True)
        if r["indicator"].startswith("kp-")
    }
    assert mine[("east", "kp-started")] == 1.0
    assert mine[("east", "kp-invest")] == pytest.approx(0.038)  # 380 万元 in 亿元
    assert ("west", "kp-invest") not in mine  # nothing reported: missing, not zero
    rows = {
        (r["unit"], r["indicator"]): r for r in progress(office(world), MAY).iter_rows(named=True)
    }
    assert rows[("east", "kp-started")]["completion"] == pytest.approx(25.0)
    assert rows[("west", "kp-invest")]["light"] == "missing"
    # The definitions printed beside the figures follow the office's settings.
    assert "the projects that reached signed this year" in figures.definitions()["signed_to_landed"]


def test_the_figures_follow_a_change_of_the_records(world, projects):
    first = figures.unit_figures(["east"], [(2026, 6)])
    services.actual_save(
        access=office(world),
        user=world.user("office"),
        project=projects["E1"],
        year=2026,
        month=6,
        value=Decimal(500),
    )
    assert first["investment"].to_list() == [None]
    assert figures.unit_figures(["east"], [(2026, 6)])["investment"].to_list() == [500.0]
