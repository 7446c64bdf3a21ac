"""The meeting screen's slide of overdue supervision items (督办事项逾期), drawn from the
supervision app's selector: the most overdue first, as many as a room can read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from saima.bulletins.meeting.selectors import ROWS, Slide
from saima.org.access import Access
from saima.races.models import RaceDefinition
from saima.supervision.selectors import overdue_items


def overdue_slides(access: Access, race: RaceDefinition, period: str) -> list[Slide]:
    rows = overdue_items(access)
    if not rows:
        return []
    shown = [
        {
            "reference": r.item.reference,
            "title": r.item.title,
            "unit": r.item.lead_unit.name,
            "days": r.days_overdue,
            "step": r.top_step.action_label if r.top_step else "",
            "action": r.top_step.action if r.top_step else "",
        }
        for r in rows[:ROWS]
    ]
    return [
        Slide(
            "supervision",
            _("Overdue supervision items"),
            {"rows": shown, "more": max(0, len(rows) - ROWS), "total": len(rows)},
        )
    ]
