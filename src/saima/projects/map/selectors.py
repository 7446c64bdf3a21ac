"""The battle map (挂图作战): every project's milestones against today, grouped by unit or by
leader in charge, as the page's table and the chart's data.

Statuses, spans and counts are the engine's (`battle_map`, `status_counts`); this module only
reads the records and lays the engine's answer out for the page and for ECharts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from saima.engine.projects import ATTENTION, battle_map, status_counts
from saima.projects import frames, present
from saima.projects.models import MilestoneCode, Project, Stage
from saima.projects.rules import current_settings

GROUPINGS = ("unit", "leader")
#: About how many projects one page of the map shows (whole groups: a group is never split).
PAGE_PROJECTS = 120


@dataclass(frozen=True)
class MapPage:
    """One page of the map: the groups shown, the summary of every group, the chart data."""

    groups: list[dict]
    summary: list[dict]
    totals: dict
    chart: dict
    pages: int
    number: int


def _project_rows(projects: QuerySet[Project], group_by: str) -> pl.DataFrame:
    """Every project (code and group) in the order the map shows them, without loading a model
    per project: `project`, `group`, `group_name`."""
    english = (get_language() or "zh-hans").lower().startswith("en")
    order = (
        ("unit__order", "unit__code", "code")
        if group_by == "unit"
        else ("leader_name", "unit__order", "code")
    )
    rows = list(
        projects.order_by(*order).values_list(
            "code", "unit__code", "unit__name_zh", "unit__name_en", "leader_name"
        )
    )
    unknown = "—"
    if group_by == "unit":
        groups = [
            (code, unit, name_en if english else name_zh)
            for code, unit, name_zh, name_en, _l in rows
        ]
    else:
        groups = [(code, leader or unknown, leader or unknown) for code, *_u, leader in rows]
    return pl.DataFrame(
        groups,
        schema={"project": pl.String, "group": pl.String, "group_name": pl.String},
        orient="row",
    )


def map_page(
    projects: QuerySet[Project],
    *,
    today: date,
    group_by: str = "unit",
    number: int = 1,
    late_only: bool = False,
    everything: bool = False,
) -> MapPage:
    """The map of `projects` at `today`: groups of about `PAGE_PROJECTS` projects a page (all
    of them with `everything`), with only late projects (a milestone overdue or due soon) when
    `late_only`."""
    settings = current_settings()
    milestones = frames.milestone_frame(projects)
    rows, statuses = battle_map(
        _project_rows(projects, group_by), milestones, today, soon_days=settings.soon_days
    )
    if late_only:
        keep = rows.filter((pl.col("n_overdue") > 0) | (pl.col("n_due_soon") > 0))["project"]
        rows = rows.filter(pl.col("project").is_in(keep.implode()))
        statuses = statuses.filter(pl.col("project").is_in(keep.implode()))
    counts = status_counts(rows, "group").join(
        rows.select("group", "group_name").unique("group"),
        on="group",
        how="left",
        maintain_order="left",
    )
    summary = [
        {
            **row,
            "anchor": f"g{n}",
            "page": 0,
        }
        for n, row in enumerate(counts.iter_rows(named=True))
    ]
    pages = _paginate(summary, everything)
    number = min(max(number, 1), max(pages, 1))
    shown = {s["group"] for s in summary if s["page"] == number}
    on_page = rows.filter(pl.col("group").is_in(list(shown)))
    by_code = {p.code: p for p in projects.filter(code__in=on_page["project"].to_list())}
    per_project = {r["project"]: r for r in on_page.iter_rows(named=True)}
    points: dict[str, list[dict]] = {}
    names = {code: str(label) for code, label in MilestoneCode.choices}
    for m in statuses.filter(pl.col("project").is_in(list(per_project))).iter_rows(named=True):
        m["label"] = str(names.get(m["milestone"], m["name"] or m["milestone"]))
        points.setdefault(m["project"], []).append(m)
    groups = []
    for item in summary:
        if item["group"] not in shown:
            continue
        members = [by_code[c] for c in on_page.filter(pl.col("group") == item["group"])["project"]]
        groups.append(
            {
                **item,
                "projects": [
                    {
                        "project": p,
                        "row": per_project[p.code],
                        "status": present.status(per_project[p.code]["worst"]),
                        "milestones": points.get(p.code, []),
                        "overdue": [m for m in points.get(p.code, []) if m["status"] == "overdue"],
                    }
                    for p in members
                ],
            }
        )
    totals = {
        "projects": int(rows.height),
        **{f"n_{s}": int(rows[f"n_{s}"].sum()) for s in ATTENTION},
        "projects_overdue": int((rows["n_overdue"] > 0).sum()),
    }
    return MapPage(
        groups=groups,
        summary=summary,
        totals=totals,
        chart=chart_data(groups, today),
        pages=pages,
        number=number,
    )


def _paginate(summary: list[dict], everything: bool) -> int:
    """Put whole groups on pages of about `PAGE_PROJECTS` projects; return how many pages."""
    page, filled = 1, 0
    for item in summary:
        if not everything and filled and filled + item["projects"] > PAGE_PROJECTS:
            page, filled = page + 1, 0
        item["page"] = page
        filled += item["projects"]
    return page if summary else 0


def chart_data(groups: list[dict], today: date) -> dict:
    """What `projects/map.js` draws: per group, the projects (rows), each project's span and
    its milestones as points at their date (the actual date once done, else the planned one),
    with the words of the tooltips already in the reader's language."""
    stage_names = dict(Stage.choices)
    dates = [today]
    out = []
    for group in groups:
        labels, links, spans, points = [], [], [], []
        for index, item in enumerate(group["projects"]):
            project, row = item["project"], item["row"]
            labels.append(project.display_name)
            links.append(reverse("projects:project", args=[project.code]))
            if row["start"] and row["end"]:
                spans.append([index, row["start"].isoformat(), row["end"].isoformat()])
                dates += [row["start"], row["end"]]
            for m in item["milestones"]:
                at = m["actual"] if m["status"] in ("done", "done_late") else m["planned"]
                if at is None:
                    continue
                points.append(
                    [
                        at.isoformat(),
                        index,
                        m["status"],
                        m["label"],
                        present.day(m["planned"]),
                        present.day(m["actual"]),
                        m["days_late"],
                    ]
                )
        out.append(
            {
                "id": f"map-{group['anchor']}",
                "title": group["group_name"],
                "projects": labels,
                "stages": [str(stage_names[i["project"].stage]) for i in group["projects"]],
                "links": links,
                "spans": spans,
                "points": points,
            }
        )
    # A window around today: a year back, a year and a half ahead (points outside are clipped;
    # the table below the chart lists every overdue milestone whatever its date).
    first = max(min(dates), today - timedelta(days=365))
    last = min(max(dates), today + timedelta(days=548))
    return {
        "labels": {
            "planned": str(_("planned")),
            "actual": str(_("actual")),
            "days_late": str(_("days late")),
            "today": str(_("today")),
            "stage": str(_("stage")),
        },
        "today": today.isoformat(),
        "min": (first - timedelta(days=15)).isoformat(),
        "max": (last + timedelta(days=15)).isoformat(),
        "groups": out,
        "statuses": {
            key: {"colour": look.colour, "label": str(look.label), "symbol": look.symbol}
            for key, look in present.STATUSES.items()
        },
    }
