"""The history of laggard statements and objections: each change saved with who made it and why,
and read back as people read it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from saima.common import formatting as fmt
from saima.org.access import Access

#: The change reason each write records in the history, as people read it.
ACTIONS = {
    "submitted": gettext_lazy("statement filed"),
    "accepted": gettext_lazy("accepted by the office"),
    "returned": gettext_lazy("returned by the office"),
    "follow-up": gettext_lazy("follow-up noted"),
    "follow-up fulfilled": gettext_lazy("follow-up: fulfilled"),
    "follow-up missed": gettext_lazy("follow-up: commitment missed"),
    "filed": gettext_lazy("objection filed"),
    "evidence": gettext_lazy("evidence attached"),
    "upheld": gettext_lazy("upheld by the office"),
    "dismissed": gettext_lazy("dismissed by the office"),
    "withdrawn": gettext_lazy("withdrawn: no longer a laggard in the republished result"),
    "asked again": gettext_lazy("asked again: a laggard again in the republished result"),
    "reasons": gettext_lazy("reasons updated by the republished result"),
}


def history_of(instance) -> list[dict]:
    """Every recorded change of a statement or objection, the latest first."""
    records = instance.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    return [
        {
            "when": r.history_date,
            "who": fmt.person(r.history_user) if r.history_user else "—",
            "status": r.get_status_display(),
            "action": str(ACTIONS.get(r.history_change_reason or "", "")),
        }
        for r in records
    ]


def person_of(access: Access):
    """The user behind an access (None for an anonymous one)."""
    return get_user_model().objects.filter(pk=access.user_id).first()


def save_change(instance, access: Access, reason: str, fields: list[str]) -> None:
    """Save the changed fields, recording who changed them and why in the history."""
    instance._history_user = person_of(access)
    instance._change_reason = reason[:100]
    instance.save(update_fields=fields)
