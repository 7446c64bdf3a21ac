"""The demo city's key projects: about sixty across its fifteen units in every stage, plans and
figures that pass the checks, some overdue milestones, weeks of reports with problems, and two
project indicators scored in the race."""

from __future__ import annotations

import datetime
from collections import Counter

import polars as pl
import pytest

from saima.demo import load_demo
from saima.engine.projects import STAGES, check_investment, milestone_statuses, plan_differences
from saima.projects import frames
from saima.projects.models import Milestone, Project, StageChange, WeeklyProblem, WeeklyReport
from saima.races.models import Publication
from saima.testing import assert_month_by_month, drawn_once, keep

AS_OF = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def kept_city(django_db_setup, django_db_blocker):
    """The demo city, loaded once for the module's tests, which only read it (see `keep`)."""
    with keep(django_db_blocker):
        with drawn_once():
            loaded = load_demo(as_of=AS_OF)
        yield loaded


@pytest.fixture
def city(kept_city, db):
    return kept_city


def test_sixty_projects_in_every_stage_across_the_units(city) -> None:
    projects = Project.objects.all()
    assert projects.count() == 60
    assert set(projects.values_list("stage", flat=True)) == set(STAGES)
    assert Counter(projects.values_list("unit__code", flat=True)) == Counter(
        {code: 4 for code in projects.values_list("unit__code", flat=True).distinct()}
    )
    assert len(set(projects.values_list("unit", flat=True))) == 15
    assert projects.filter(leader__username="leader").count() == 12  # the demo leader's
    # A project's stage is the last of its changes, dated in order, and its milestone is dated.
    for project in projects.exclude(stage="planned"):
        changes = list(StageChange.objects.filter(project=project).order_by("date", "pk"))
        assert changes[-1].stage == project.stage and changes[-1].date == project.stage_since
        assert [c.date for c in changes] == sorted(c.date for c in changes)
        assert (
            Milestone.objects.get(project=project, code=project.stage).actual == project.stage_since
        )


def test_plans_sum_and_figures_pass_the_checks(city) -> None:
    everything = Project.objects.all()
    plans = frames.plan_frame(everything, 2026)
    annual = frames.project_frame(everything, 2026).filter(pl.col("annual_plan").is_not_null())
    assert annual.height >= 40
    assert plan_differences(plans, annual).is_empty()
    figures = frames.investment_frame(everything, [2026])
    assert figures.height > 300
    assert check_investment(figures, figures.clear()).is_empty()


def test_some_milestones_are_overdue_and_most_on_time(city) -> None:
    statuses = milestone_statuses(frames.milestone_frame(Project.objects.all()), AS_OF)
    counts = Counter(statuses["status"].to_list())
    assert counts["overdue"] >= 10
    assert counts["done"] > counts["done_late"] > 0
    assert counts["due_soon"] + counts["on_track"] > 50


def test_weeks_of_reports_with_problems(city) -> None:
    weeks = set(WeeklyReport.objects.values_list("year", "week"))
    assert len(weeks) == 4
    assert WeeklyProblem.objects.count() >= 20
    assert set(WeeklyProblem.objects.values_list("status", flat=True)) == {
        "open",
        "coordinating",
        "resolved",
    }
    current = max(weeks)
    reported = set(
        WeeklyReport.objects.filter(year=current[0], week=current[1]).values_list(
            "project__unit__code", flat=True
        )
    )
    assert 5 <= len(reported) < 15  # some units have not reported this week yet


@pytest.mark.parametrize("label", ["2026-Q1", "2026-Q2", "2026-Q3"])
def test_the_race_scores_two_project_indicators(city, label) -> None:
    publication = Publication.objects.get(race__code="keywork", period=label)
    for row in publication.standings:
        assert row["metric_kp-investment"] is not None, row["unit"]
        assert row["metric_kp-on-time"] is not None, row["unit"]
    scores = {round(row["score_kp-on-time"], 6) for row in publication.standings}
    assert len(scores) > 3  # the indicator separates the units


def test_the_race_with_project_indicators_rechecks_with_the_cli(city, tmp_path) -> None:
    """The published quarter's inputs, exported as files, carry the figures computed from the
    projects; `saima race` on them gives the same ranks and totals."""
    from saima.races.results.exports import bundle
    from saima.races.results.tests.test_results import assert_same_result, recheck

    publication = Publication.objects.get(race__code="keywork", period="2026-Q3")
    recomputed = recheck(bundle(publication), tmp_path, "2026-Q3")
    actuals = pl.read_csv(tmp_path / "actuals.csv").filter(pl.col("period") == "2026-09")
    assert actuals.filter(pl.col("indicator") == "kp-on-time").height == 15
    assert actuals.filter(pl.col("indicator") == "kp-investment").height == 15
    assert_same_result(publication.standings, recomputed)


def test_a_months_figures_do_not_depend_on_the_months_asked_with_it(city) -> None:
    from saima.projects import figures

    assert_month_by_month(figures._compute)
