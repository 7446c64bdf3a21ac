"""What the reporting cycle asks of whom, for the to-do list (`saima.common.todo`).

- A unit's reporter: the month being reported now (and the months before it still owed), due on
  the calendar's date, late after it; figures returned to the unit, with the reason.
- A unit's approver: submitted figures waiting for approval.
- The office: approved figures waiting for acceptance.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from saima.common.todo import Task
from saima.org.access import Access
from saima.org.models import Unit
from saima.reporting import calendar, selectors
from saima.reporting.models import Submission

FIGURES = gettext_lazy("Monthly figures")
RETURNED = gettext_lazy("Figures returned")
TO_APPROVE = gettext_lazy("Figures to approve")
TO_ACCEPT = gettext_lazy("Figures to accept")

#: How many months back an unsubmitted month still shows on a reporter's list.
LOOKBACK_MONTHS = calendar.REMIND_LOOKBACK_MONTHS


def _form_url(unit: Unit, year: int, month: int) -> str:
    return f"{reverse('reporting:unit', args=[unit.code])}?period={year:04d}-{month:02d}"


def _months(today: datetime.date) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    found = []
    for _step in range(LOOKBACK_MONTHS):
        year, month = calendar.previous_month(year, month)
        found.append((year, month))
    return found


def tasks_for(access: Access, today: datetime.date) -> Iterator[Task]:
    if access.user_id is None:
        return
    yield from _owed(access, today)
    yield from _to_approve(access)
    if access.is_office:
        yield from _to_accept()


def _owed(access: Access, today: datetime.date) -> Iterator[Task]:
    """Months the reporter's units still owe: not started, draft or returned."""
    if not access.reporter_units:
        return
    units = {u.pk: u for u in Unit.objects.filter(pk__in=access.reporter_units, active=True)}
    months = _months(today)
    submissions = {
        (s.unit_id, s.year, s.month): s
        for s in Submission.objects.filter(unit_id__in=list(units)).filter(_month_filter(months))
    }
    for year, month in months:
        sched = calendar.schedule(year, month)
        if sched.locked or today < sched.opens_on:
            continue
        required = selectors.required_indicators(list(units), year, month)
        for unit_id, unit in sorted(units.items(), key=lambda kv: (kv[1].order, kv[1].code)):
            if not required.get(unit_id):
                continue
            submission = submissions.get((unit_id, year, month))
            status = submission.status if submission else None
            label = f"{year:04d}-{month:02d}"
            if status == Submission.Status.RETURNED:
                who = submission.returned_by
                yield Task(
                    kind=RETURNED,
                    title=_("%(unit)s: figures for %(period)s were returned")
                    % {"unit": unit.name, "period": label},
                    url=_form_url(unit, year, month),
                    due=sched.due_on,
                    detail=_("Returned by %(who)s: %(reason)s")
                    % {
                        "who": (who.get_full_name() or who.get_username()) if who else "—",
                        "reason": submission.return_comment or "—",
                    },
                    overdue=sched.is_past_due(today),
                )
            elif status in (None, Submission.Status.DRAFT):
                count = len(required[unit_id])
                yield Task(
                    kind=FIGURES,
                    title=ngettext(
                        "%(unit)s: %(count)d figure to report for %(period)s",
                        "%(unit)s: %(count)d figures to report for %(period)s",
                        count,
                    )
                    % {"unit": unit.name, "count": count, "period": label},
                    url=_form_url(unit, year, month),
                    due=sched.due_on,
                    detail=_("Enter them on the form or upload the template, then submit."),
                    overdue=sched.is_past_due(today),
                )


def _month_filter(months: list[tuple[int, int]]) -> Q:
    condition = Q(pk__in=[])
    for year, month in months:
        condition |= Q(year=year, month=month)
    return condition


def _to_approve(access: Access) -> Iterator[Task]:
    if not access.approver_units:
        return
    waiting = Submission.objects.filter(
        unit_id__in=access.approver_units, status=Submission.Status.SUBMITTED
    ).select_related("unit")
    for submission in waiting.order_by("year", "month", "unit__order", "unit__code"):
        yield Task(
            kind=TO_APPROVE,
            title=_("%(unit)s: figures for %(period)s wait for your approval")
            % {
                "unit": submission.unit.name,
                "period": f"{submission.year:04d}-{submission.month:02d}",
            },
            url=_form_url(submission.unit, submission.year, submission.month),
        )


def _to_accept() -> Iterator[Task]:
    waiting = (
        Submission.objects.filter(status=Submission.Status.APPROVED)
        .values_list("year", "month")
        .order_by("year", "month")
    )
    counts: dict[tuple[int, int], int] = {}
    for key in waiting:
        counts[key] = counts.get(key, 0) + 1
    for (year, month), count in counts.items():
        label = f"{year:04d}-{month:02d}"
        yield Task(
            kind=TO_ACCEPT,
            title=ngettext(
                "%(count)d unit's figures for %(period)s wait for acceptance",
                "%(count)d units' figures for %(period)s wait for acceptance",
                count,
            )
            % {"count": count, "period": label},
            url=f"{reverse('reporting:board')}?period={label}",
        )
