"""What supervision asks of whom, for the to-do list (`saima.common.todo`).

- A lead unit's people: items to acknowledge (by the acknowledgement's due day) and items to
  report on (by the current deadline).
- The office: closure requests and extension requests waiting for its answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy

from saima.common.todo import Task
from saima.org.access import Access
from saima.supervision.models import Extension, Item, Status

ACKNOWLEDGE = gettext_lazy("Supervision item to acknowledge")
REPORT = gettext_lazy("Supervision item to report on")
CLOSE = gettext_lazy("Closure requested")
EXTEND = gettext_lazy("Extension requested")


def tasks_for(access: Access, today: datetime.date) -> Iterator[Task]:
    if access.user_id is None:
        return
    if access.own_units:
        items = Item.objects.filter(
            lead_unit_id__in=access.own_units,
            status__in=(Status.ASSIGNED, Status.ACKNOWLEDGED, Status.IN_PROGRESS),
        ).select_related("lead_unit")
        for item in items:
            due = item.current_deadline
            yield Task(
                kind=ACKNOWLEDGE if item.status == Status.ASSIGNED else REPORT,
                title=f"{item.reference} {item.title}",
                url=reverse("supervision:item", args=[item.pk]),
                due=due,
                detail=str(item.lead_unit),
                overdue=due < today,
            )
    if access.is_office:
        for item in Item.objects.filter(status=Status.CLOSURE_REQUESTED):
            yield Task(
                kind=CLOSE,
                title=f"{item.reference} {item.title}",
                url=reverse("supervision:item", args=[item.pk]),
            )
        pending = Extension.objects.filter(decision=Extension.Decision.PENDING).select_related(
            "item"
        )
        for extension in pending:
            yield Task(
                kind=EXTEND,
                title=f"{extension.item.reference} {extension.item.title}",
                url=reverse("supervision:item", args=[extension.item_id]),
                detail=extension.reason[:200],
            )
