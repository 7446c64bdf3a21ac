"""What bulletins ask of people: a unit's people read each bulletin issued to their unit (the
to-do list shows it until someone of the unit marks it read)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from saima.common.todo import Task


def bulletins_to_read(access, today: datetime.date) -> Iterator[Task]:
    from saima.bulletins.selectors import unread

    seen: set[int] = set()
    for delivery in unread(access):
        bulletin = delivery.bulletin
        if bulletin.pk in seen:
            continue
        seen.add(bulletin.pk)
        yield Task(
            kind=_("Bulletin to read"),
            title=f"{bulletin.reference} {bulletin.title}".strip(),
            url=reverse("bulletins:detail", args=[bulletin.pk]),
            detail=str(delivery.unit.name),
        )
