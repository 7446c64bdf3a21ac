"""What the races' follow-up asks of whom, for the to-do list (`saima.common.todo`).

- A unit's people: laggard statements asked of the unit (requested or returned), commitments
  whose date is near or past, and answers to the unit's objections given in the last days.
- The office: statements submitted for review and objections waiting for an answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.common.todo import Task
from saima.org.access import Access
from saima.races.models import LaggardStatement, Objection

STATEMENT = gettext_lazy("Laggard statement")
COMMITMENT = gettext_lazy("Commitment due")
OBJECTION = gettext_lazy("Objection")

#: Days an objection's answer stays on the unit's list after it was given.
ANSWER_DAYS = 14
#: Days before a commitment's date that it shows on the list.
COMMITMENT_DAYS = 14


def _statement_url(statement: LaggardStatement) -> str:
    return reverse("races:statement", args=[statement.publication.race.code, statement.pk])


def tasks_for(access: Access, today: datetime.date) -> Iterator[Task]:
    if access.user_id is None:
        return
    if access.is_office:
        yield from _office(today)
    elif access.own_units:
        yield from _unit(access, today)


def _unit(access: Access, today: datetime.date) -> Iterator[Task]:
    Status = LaggardStatement.Status
    statements = (
        LaggardStatement.objects.filter(unit_id__in=access.own_units)
        .filter(
            Q(status__in=(Status.REQUESTED, Status.RETURNED))
            | Q(
                status=Status.ACCEPTED,
                commitment_date__lte=today + timedelta(days=COMMITMENT_DAYS),
            )
        )
        .select_related("unit", "publication__race")
    )
    for statement in statements:
        values = {
            "unit": statement.unit.name,
            "race": statement.publication.race.name,
            "period": statement.publication.period,
        }
        if statement.status == Status.ACCEPTED:
            yield Task(
                kind=COMMITMENT,
                title=_("%(unit)s: the commitment made after %(race)s %(period)s") % values,
                url=_statement_url(statement),
                due=statement.commitment_date,
                detail=statement.commitment,
                overdue=statement.commitment_date < today,
            )
            continue
        detail = ""
        if statement.status == Status.RETURNED:
            detail = _("Returned by the office: %(comment)s") % {
                "comment": statement.office_comment or "—"
            }
        yield Task(
            kind=STATEMENT,
            title=_("%(unit)s: a statement is asked after %(race)s %(period)s") % values,
            url=_statement_url(statement),
            detail=detail,
        )
    since = timezone.now() - timedelta(days=ANSWER_DAYS)
    answered = (
        Objection.objects.filter(unit_id__in=access.own_units, answered_at__gte=since)
        .exclude(status=Objection.Status.OPEN)
        .select_related("unit", "publication__race")
    )
    for objection in answered:
        yield Task(
            kind=OBJECTION,
            title=_("%(unit)s: your objection to %(race)s %(period)s was %(status)s")
            % {
                "unit": objection.unit.name,
                "race": objection.publication.race.name,
                "period": objection.publication.period,
                "status": objection.get_status_display(),
            },
            url=reverse("races:objection", args=[objection.pk]),
            detail=objection.answer,
        )


def _office(today: datetime.date) -> Iterator[Task]:
    submitted = LaggardStatement.objects.filter(
        status=LaggardStatement.Status.SUBMITTED
    ).select_related("unit", "publication__race")
    for statement in submitted:
        yield Task(
            kind=STATEMENT,
            title=_("%(unit)s: statement on %(race)s %(period)s to review")
            % {
                "unit": statement.unit.name,
                "race": statement.publication.race.name,
                "period": statement.publication.period,
            },
            url=_statement_url(statement),
        )
    waiting = Objection.objects.filter(status=Objection.Status.OPEN).select_related(
        "unit", "publication__race"
    )
    for objection in waiting:
        yield Task(
            kind=OBJECTION,
            title=_("%(unit)s objects to %(race)s %(period)s: answer it")
            % {
                "unit": objection.unit.name,
                "race": objection.publication.race.name,
                "period": objection.publication.period,
            },
            url=reverse("races:objection", args=[objection.pk]),
            detail=objection.reason,
        )
