"""How projects read on a page: statuses as a colour, an icon and a word; amounts in 万元.

The engine decides every status; this only shows it. Colours are the Okabe–Ito palette of the
lights (safe for colour-blind readers): green done, blue on track, yellow due within the window,
red overdue, grey with no date; "done late" is done, drawn as a green diamond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from saima.common import formatting as fmt
from saima.engine.calendar import Week


@dataclass(frozen=True)
class StatusLook:
    key: str
    colour: str
    ink: str
    icon: str
    label: Promise
    symbol: str  # the ECharts symbol on the battle map


STATUSES: dict[str, StatusLook] = {
    "overdue": StatusLook("overdue", "#d55e00", "#ffffff", "✕", _("overdue"), "circle"),
    "due_soon": StatusLook("due_soon", "#f0e442", "#1b1f24", "!", _("due soon"), "circle"),
    "on_track": StatusLook("on_track", "#0072b2", "#ffffff", "→", _("on track"), "circle"),
    "unscheduled": StatusLook(
        "unscheduled", "#999999", "#1b1f24", "·", _("no date yet"), "emptyCircle"
    ),
    "done_late": StatusLook("done_late", "#009e73", "#ffffff", "✓", _("done late"), "diamond"),
    "done": StatusLook("done", "#009e73", "#ffffff", "✓", _("done"), "circle"),
}


def status(key: str | None) -> StatusLook | None:
    return STATUSES.get(key) if key else None


def wan(value: Decimal | float | None, decimals: int = 0) -> str:
    """An amount in 万元 for the eye (`12,500`); a dash when there is none."""
    return fmt.number(None if value is None else float(value), decimals)


def plain(value: Decimal | None) -> str:
    """An amount as a form shows it back: no separators, no trailing zeros."""
    if value is None:
        return ""
    return "0" if value == 0 else format(Decimal(value).normalize(), "f")


def week_label(week: Week) -> str:
    return f"{week.label} ({week.monday:%m-%d}–{week.sunday:%m-%d})"


def day(value: date | None) -> str:
    return value.isoformat() if value else fmt.DASH
