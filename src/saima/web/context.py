"""Template context every page gets: the reader's access, the main menu, the demo flag, the
language switch."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from saima.common import menu, todo
from saima.org.access import Access, access_of

#: How each language names itself on the switch.
SWITCH_LABELS = {"zh-hans": "中文", "en": "English"}


#: How long the header's to-do count is kept per person (the list itself is always fresh).
TODO_COUNT_SECONDS = 60


def _todo_key(access: Access) -> str:
    return f"saima:todo-count:{access.user_id}"


def known_todo_count(access: Access) -> int | None:
    """The header's count if it was counted in the last minute (no query), else None: the
    header then asks `todo_count` for it after the page has loaded, so that no page pays for
    every app's to-do queries."""
    count = cache.get(_todo_key(access))
    return count if isinstance(count, int) else None


def remember_todo_count(access: Access, count: int) -> None:
    cache.set(_todo_key(access), count, TODO_COUNT_SECONDS)


def todo_count(access: Access) -> int:
    """How many things wait for this person, counted now and kept a minute."""
    count = len(todo.tasks_for(access, timezone.localdate()))
    remember_todo_count(access, count)
    return count


def saima(request) -> dict:
    # A request refused before authentication (a bad Host header) has no user yet.
    access = access_of(request) if hasattr(request, "user") else Access(user_id=None)
    return {
        "access": access,
        "menu": menu.for_request(request, access) if access.user_id else [],
        "demo_mode": settings.DEMO,
        # The to-do count when known (None: the header loads it after the page).
        "todo_count": known_todo_count(access) if access.user_id else 0,
        "language_switch": [
            (code, SWITCH_LABELS.get(code, str(name))) for code, name in settings.LANGUAGES
        ],
    }
