"""The main menu: each app adds its own entries (in its `AppConfig.ready`), so no app edits the
layout's template to be reachable, and the pages app imports none of them.

    menu.add(menu.Entry("projects", _("Projects"), "projects:index", order=40,
                        current=("projects",)))

The layout shows the entries the reader may see (`visible`), in `order`, marking the one whose
app or page is showing (`current`: URL namespaces or URL names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


def _everyone(access: Any) -> bool:
    return True


@dataclass(frozen=True)
class Entry:
    """One item of the main menu."""

    key: str
    label: Promise | str
    url_name: str
    order: int = 100
    #: URL namespaces (`races`) or URL names (`units`) under which the entry is the current one.
    current: tuple[str, ...] = ()
    #: Who sees the entry, given their `saima.org.access.Access`.
    visible: Callable[[Any], bool] = field(default=_everyone)
    #: Whether the link carries the page's `?period=` (pages of figures).
    keeps_period: bool = False


_ENTRIES: dict[str, Entry] = {}


def add(entry: Entry) -> None:
    """Add (or replace, by key) an entry of the main menu."""
    _ENTRIES[entry.key] = entry


def entries() -> list[Entry]:
    """Every entry, in order."""
    return sorted(_ENTRIES.values(), key=lambda e: (e.order, e.key))


def for_request(request, access: Any) -> list[dict[str, Any]]:
    """The entries this reader sees, as the layout shows them: label, address, current or not,
    and whether the layout should carry the page's period on the link."""
    match = getattr(request, "resolver_match", None)
    here = set()
    if match is not None:
        # The view's full name ("reporting:unit"), so that a page of one app named like a page
        # of another ("unit") does not light the other's entry.
        here = {match.view_name, *match.namespaces}
    shown = []
    for entry in entries():
        if not entry.visible(access):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        shown.append(
            {
                "key": entry.key,
                "label": entry.label,
                "url": url,
                "current": bool(here & set(entry.current)),
                "keeps_period": entry.keeps_period,
            }
        )
    return shown
