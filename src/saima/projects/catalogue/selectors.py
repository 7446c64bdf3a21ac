"""Reads of the project list and of one project's page, scoped by who is reading.

Statuses, investment progress and stage dates come from the engine, computed on the rows a page
shows; nothing here decides a status itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict

from saima.common import formatting as fmt
from saima.common.lights import light
from saima.engine import Period
from saima.engine.projects import battle_map, investment_plan, investment_progress
from saima.org.access import Access
from saima.org.models import Unit
from saima.projects import frames, present
from saima.projects.access import readable_projects
from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    Stage,
    StageChange,
    WeeklyPhoto,
    WeeklyReport,
    milestone_order,
)
from saima.projects.rules import current_settings

#: Projects on one page of the list.
PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    """What the list (and the battle map) is narrowed to; anything unknown is ignored."""

    unit: str = ""
    category: str = ""
    level: str = ""
    stage: str = ""
    leader: str = ""
    q: str = ""
    mine: bool = False

    def query(self) -> dict[str, str]:
        """The filters as a query string's values (for links that keep them)."""
        values = {k: v for k, v in self.__dict__.items() if isinstance(v, str) and v}
        if self.mine:
            values["mine"] = "1"
        return values


def read_filters(query: QueryDict, units: list[Unit]) -> Filters:
    def one(name: str, allowed: set[str] | None = None) -> str:
        value = (query.get(name) or "").strip()[:100]
        return value if allowed is None or value in allowed else ""

    return Filters(
        unit=one("unit", {u.code for u in units}),
        category=one("category", set(Project.Category.values)),
        level=one("level", set(Project.Level.values)),
        stage=one("stage", set(Stage.values)),
        leader=one("leader"),
        q=one("q"),
        mine=query.get("mine") == "1",
    )


def filtered(access: Access, filters: Filters, *, active_only: bool = True) -> QuerySet[Project]:
    """The readable projects the filters keep; the leader's own first when asked."""
    projects = readable_projects(access)
    if active_only:
        projects = projects.filter(active=True)
    if filters.unit:
        projects = projects.filter(unit__code=filters.unit)
    if filters.category:
        projects = projects.filter(category=filters.category)
    if filters.level:
        projects = projects.filter(level=filters.level)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.leader:
        projects = projects.filter(leader_name=filters.leader)
    if filters.q:
        projects = projects.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.mine:
        projects = projects.filter(leader_id=access.user_id)
    return projects.order_by("unit__order", "unit__code", "code")


def mine_first(projects: QuerySet[Project], access: Access) -> QuerySet[Project]:
    """The leader in charge sees the projects they watch first."""
    if access.user_id is None:
        return projects
    return projects.annotate(_mine=Count("pk", filter=Q(leader_id=access.user_id))).order_by(
        "-_mine", "unit__order", "unit__code", "code"
    )


def readable_units(access: Access) -> list[Unit]:
    """The units whose projects this person may read and that have projects."""
    with_projects = Project.objects.values("unit_id")
    return list(access.units().filter(pk__in=with_projects).order_by("order", "code"))


def leader_names(access: Access) -> list[str]:
    return sorted(
        set(readable_projects(access).exclude(leader_name="").values_list("leader_name", flat=True))
    )


def stage_counts(projects: QuerySet[Project]) -> list[dict]:
    """How many projects are at each stage, in the pipeline's order."""
    found = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    return [
        {"stage": value, "label": label, "count": found.get(value, 0)}
        for value, label in Stage.choices
    ]


def list_rows(projects: list[Project], *, today: date, year: int) -> list[dict]:
    """The rows of a page of the list: each project with its most urgent milestone status,
    this year's plan and latest completed investment."""
    if not projects:
        return []
    ids = [p.pk for p in projects]
    subset = Project.objects.filter(pk__in=ids)
    settings = current_settings()
    summary, _milestones = battle_map(
        pl.DataFrame({"project": [p.code for p in projects]}),
        frames.milestone_frame(subset),
        today,
        soon_days=settings.soon_days,
    )
    worst = dict(zip(summary["project"], summary["worst"], strict=True))
    overdue = dict(zip(summary["project"], summary["n_overdue"], strict=True))
    plans = dict(
        AnnualPlan.objects.filter(project_id__in=ids, year=year).values_list("project_id", "amount")
    )
    latest = {}
    for project_id, month, value in (
        InvestmentActual.objects.filter(project_id__in=ids, year=year)
        .order_by("project_id", "month")
        .values_list("project_id", "month", "value")
    ):
        latest[project_id] = (month, value)
    return [
        {
            "project": p,
            "status": present.status(worst[p.code]),
            "overdue": overdue[p.code],
            "plan": plans.get(p.pk),
            "actual": latest.get(p.pk),
        }
        for p in projects
    ]


# --- one project ---------------------------------------------------------------------------------


def milestone_rows(project: Project, *, today: date) -> list[dict]:
    """The project's milestones in the order a project passes them, with their status."""
    settings = current_settings()
    milestones = list(
        Milestone.objects.filter(project=project).select_related("proposed_by", "updated_by")
    )
    milestones.sort(key=lambda m: milestone_order(m.code, m.planned))
    _summary, statuses = battle_map(
        pl.DataFrame({"project": [project.code]}),
        pl.DataFrame(
            {
                "project": [project.code] * len(milestones),
                "milestone": [m.code for m in milestones],
                "planned": [m.planned for m in milestones],
                "actual": [m.actual for m in milestones],
                "pk": [m.pk for m in milestones],
            },
            schema={
                "project": pl.String,
                "milestone": pl.String,
                "planned": pl.Date,
                "actual": pl.Date,
                "pk": pl.Int64,
            },
        ),
        today,
        soon_days=settings.soon_days,
    )
    by_pk = {row["pk"]: row for row in statuses.iter_rows(named=True)}
    return [
        {
            "milestone": m,
            "status": present.status(by_pk[m.pk]["status"]),
            "days_late": by_pk[m.pk]["days_late"],
        }
        for m in milestones
    ]


def stage_history(project: Project) -> list[StageChange]:
    return list(
        StageChange.objects.filter(project=project).select_related("by").order_by("date", "pk")
    )


def investment(project: Project, *, year: int, month: int) -> dict:
    """This year's plan and reports month by month, and the engine's judgement at the latest
    month reported (up to `month`), or at the month before `month` when none is."""
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    actuals = {
        a.month: a
        for a in InvestmentActual.objects.filter(project=project, year=year).select_related(
            "entered_by"
        )
    }
    reported_months = [m for m in actuals if m <= month]
    month = max(reported_months) if reported_months else month - 1
    subset = Project.objects.filter(pk=project.pk)
    projects = frames.project_frame(subset, year)
    plans = frames.plan_frame(subset, year)
    reported = frames.investment_frame(subset, [year])
    by_month = {}
    if plan is not None and plan.amount > 0:
        by_month = {
            row["month"]: row for row in investment_plan(projects, plans).iter_rows(named=True)
        }
    months = [{"month": m, "plan": by_month.get(m), "actual": actuals.get(m)} for m in range(1, 13)]
    progress = None
    if month:
        progress = investment_progress(
            Period(year, month), projects=projects, plans=plans, investment=reported
        ).row(0, named=True)
        progress["look"] = light(progress["light"])
        progress["gap_text"] = fmt.points(progress["gap_pp"])
    return {"plan": plan, "months": months, "progress": progress, "month": month}


def recent_reports(project: Project, limit: int = 8) -> list[WeeklyReport]:
    return list(
        WeeklyReport.objects.filter(project=project)
        .select_related("reported_by", "problem")
        .prefetch_related(Prefetch("photos", WeeklyPhoto.objects.defer("data")))
        .order_by("-year", "-week")[:limit]
    )


def proposals(access: Access) -> QuerySet[Milestone]:
    """Milestones with dates proposed and not yet confirmed, of projects this person reads."""
    return (
        Milestone.objects.filter(project__in=readable_projects(access), proposed_at__isnull=False)
        .select_related("project__unit", "proposed_by")
        .order_by("proposed_at", "pk")
    )
