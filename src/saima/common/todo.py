"""What is waiting for a person: each app says what it asks of whom (figures due, a statement
to file, a supervision item to acknowledge...), and the to-do page and the count in the header
gather it, without the pages app importing any of them.

    todo.add("reporting", figures_due)   # figures_due(access, today) -> Iterable[Task]
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Task:
    """One thing a person should do, with where to do it."""

    #: What kind of thing it is, as people read it ("Figures", "Laggard statement").
    kind: Promise | str
    #: The thing itself ("Dongcheng District: figures for 2026-10").
    title: str
    #: Where to do it.
    url: str
    #: By when, if there is a date.
    due: datetime.date | None = None
    #: A line of detail (the reason a figure was returned, what a commitment promised).
    detail: str = ""
    #: Late already.
    overdue: bool = False


Provider = Callable[[Any, datetime.date], Iterable[Task]]

_PROVIDERS: dict[str, Provider] = {}


def add(key: str, provider: Provider) -> None:
    """Add (or replace, by key) what an app asks of people."""
    _PROVIDERS[key] = provider


def tasks_for(access: Any, today: datetime.date) -> list[Task]:
    """Everything waiting for this person: overdue first, then by due date, then undated."""
    found = [task for provider in _PROVIDERS.values() for task in provider(access, today)]
    return sorted(
        found,
        key=lambda t: (not t.overdue, t.due is None, t.due or datetime.date.max, str(t.title)),
    )
