"""Where items come from: the problems other apps know of, each offered as an item with one
action and linked back to its origin.

An origin is named `kind:key`:

- `statement:<pk>` — an accepted laggard statement's commitment (races follow-up);
- `objection:<pk>` — an upheld objection, whose corrective action the office follows;
- `problem:<pk>` — a project's weekly problem (the projects app is told through
  `problem_link_supervision` once the item exists);
- `light:<unit>:<indicator>` — a red light that has persisted three months running.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from saima.engine import Period
from saima.metrics.selectors import cached_progress, latest_period
from saima.org.access import Access
from saima.org.models import Unit
from saima.projects.models import WeeklyProblem
from saima.projects.weekly.selectors import open_problems
from saima.projects.weekly.services import problem_link_supervision
from saima.races.followup.selectors import open_commitments
from saima.races.models import LaggardStatement, Objection
from saima.supervision.models import Item, Source

#: Months a red light must persist to be offered.
PERSISTS = 3
#: Default days to a deadline when the origin gives none.
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Origin:
    """A problem offered as an item: what the form starts from."""

    key: str
    source: str
    title: str
    task: str
    lead_unit: Unit
    deadline: datetime.date | None
    url: str
    leader_id: int | None = None
    label: str = ""


def _statement(statement: LaggardStatement) -> Origin:
    race = statement.publication.race
    return Origin(
        key=f"statement:{statement.pk}",
        source=Source.RACE,
        title=_("Carry out the commitment of %(unit)s (%(race)s %(period)s)")
        % {"unit": statement.unit, "race": race.name, "period": statement.publication.period},
        task="\n".join(t for t in (statement.commitment, statement.measures) if t),
        lead_unit=statement.unit,
        deadline=statement.commitment_date,
        url=reverse("races:statement", args=[race.code, statement.pk]),
        label=_("Laggard statement"),
    )


def _objection(objection: Objection) -> Origin:
    race = objection.publication.race
    return Origin(
        key=f"objection:{objection.pk}",
        source=Source.OBJECTION,
        title=_("Correct what the upheld objection of %(unit)s found (%(race)s %(period)s)")
        % {"unit": objection.unit, "race": race.name, "period": objection.publication.period},
        task=objection.answer or objection.reason,
        lead_unit=objection.unit,
        deadline=None,
        url=reverse("races:objection", args=[objection.pk]),
        label=_("Upheld objection"),
    )


def _problem(problem: WeeklyProblem) -> Origin:
    project = problem.project
    return Origin(
        key=f"problem:{problem.pk}",
        source=Source.PROJECT,
        title=_("Solve the problem of project %(code)s %(name)s")
        % {"code": project.code, "name": project.name},
        task=problem.text,
        lead_unit=project.unit,
        deadline=None,
        url=reverse("projects:problems"),
        leader_id=project.leader_id,
        label=_("Project problem"),
    )


def _light(unit: Unit, indicator, period: Period) -> Origin:
    return Origin(
        key=f"light:{unit.code}:{indicator.code}",
        source=Source.LIGHT,
        title=_("Turn round %(indicator)s of %(unit)s (red for %(months)s months to %(period)s)")
        % {"indicator": indicator, "unit": unit, "months": PERSISTS, "period": period.label},
        task=_("%(indicator)s has shown a red light for %(months)s months running.")
        % {"indicator": indicator, "months": PERSISTS},
        lead_unit=unit,
        deadline=None,
        url=reverse("unit", args=[unit.code]) if _has_unit_page() else "",
        label=_("Persistent red light"),
    )


def _has_unit_page() -> bool:
    try:
        reverse("unit", args=["x"])
    except Exception:
        return False
    return True


def persistent_red_lights(access: Access) -> list[Origin]:
    """Units × indicators red in each of the last three months with figures."""
    latest = latest_period()
    if latest is None:
        return []
    months = [latest]
    while len(months) < PERSISTS:
        year, month = months[-1].year, months[-1].month - 1
        if month == 0:
            year, month = year - 1, 12
        months.append(Period(year, month))
    red = None
    for period in months:
        found = cached_progress(access, period)
        if found.is_empty() or "light" not in found.columns:
            return []
        pairs = set(found.filter(found["light"] == "red").select("unit", "indicator").iter_rows())
        red = pairs if red is None else red & pairs
    if not red:
        return []
    from saima.metrics.models import Indicator

    units = {u.code: u for u in Unit.objects.filter(code__in={u for u, _i in red})}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={i for _u, i in red})}
    return [
        _light(units[u], indicators[i], latest)
        for u, i in sorted(red)
        if u in units and i in indicators
    ]


def candidates(access: Access) -> dict[str, list[Origin]]:
    """Every origin not yet an item, by kind (the office's page of where problems are)."""
    taken = set(Item.objects.exclude(origin="").values_list("origin", flat=True))
    statements = [_statement(c.statement) for c in open_commitments(access)]
    objections = [
        _objection(o)
        for o in Objection.objects.filter(status=Objection.Status.UPHELD).select_related(
            "unit", "publication__race"
        )
        if access.sees_everything or o.unit_id in access.own_units
    ]
    problems = [_problem(p) for p in open_problems(access).select_related("project__unit")]
    found = {
        "statement": statements,
        "objection": objections,
        "problem": problems,
        "light": persistent_red_lights(access),
    }
    return {k: [o for o in v if o.key not in taken] for k, v in found.items()}


def resolve(access: Access, key: str) -> Origin:
    """The origin named by `key`, if it exists and may become an item; ValidationError naming
    `origin` otherwise."""
    kind, _sep, rest = (key or "").partition(":")
    found: Origin | None = None
    if kind in ("statement", "objection", "problem") and rest.isdigit():
        pk = int(rest)
        if kind == "statement":
            s = (
                LaggardStatement.objects.filter(pk=pk, status=LaggardStatement.Status.ACCEPTED)
                .select_related("unit", "publication__race")
                .first()
            )
            found = _statement(s) if s is not None else None
        elif kind == "objection":
            o = (
                Objection.objects.filter(pk=pk, status=Objection.Status.UPHELD)
                .select_related("unit", "publication__race")
                .first()
            )
            found = _objection(o) if o is not None else None
        else:
            p = open_problems(access).filter(pk=pk).select_related("project__unit").first()
            found = _problem(p) if p is not None else None
    elif kind == "light":
        found = next((o for o in persistent_red_lights(access) if o.key == key), None)
    if found is None:
        raise ValidationError(
            {"origin": [_("%(origin)s cannot become a supervision item.") % {"origin": key[:100]}]}
        )
    return found


def linked(*, access: Access, user, item: Item) -> None:
    """Tell the origin's app that it has become this item (the projects' hook)."""
    kind, _sep, rest = item.origin.partition(":")
    if kind == "problem" and rest.isdigit():
        problem = WeeklyProblem.objects.filter(pk=int(rest)).first()
        if problem is not None:
            problem_link_supervision(
                access=access,
                user=user,
                problem=problem,
                item_id=item.pk,
                reference=item.reference,
                url=reverse("supervision:item", args=[item.pk]),
            )
