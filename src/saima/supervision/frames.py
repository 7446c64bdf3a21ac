"""The records as the engine's frames (`saima.engine.supervision.ITEM_COLUMNS`): the item's key is
its primary key as text, its unit the lead unit's code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import polars as pl
from django.db.models import QuerySet

from saima.engine.supervision import ITEM_COLUMNS
from saima.supervision.models import Escalation, Event, Item, Rectification

_LISTS = {
    Event.Kind.FEEDBACK: "feedback",
    Event.Kind.CLOSURE_REQUESTED: "closure_requests",
    Event.Kind.RETURNED: "returns",
}


def items_frame(items: QuerySet[Item] | Iterable[Item]) -> pl.DataFrame:
    """One row per item with its dates; the lists read in one query."""
    rows = list(
        (
            items
            if isinstance(items, QuerySet)
            else Item.objects.filter(pk__in=[i.pk for i in items])
        )
        .order_by()
        .values(
            "pk",
            "lead_unit__code",
            "assigned_on",
            "deadline",
            "ack_days",
            "acknowledged_on",
            "rhythm",
            "extended_to",
            "extension_granted",
            "closed_on",
        )
    )
    lists: dict[int, dict[str, list]] = defaultdict(lambda: {c: [] for c in _LISTS.values()})
    events = Event.objects.filter(item_id__in=[r["pk"] for r in rows], kind__in=list(_LISTS))
    for item_id, kind, day in events.order_by("day").values_list("item_id", "kind", "day"):
        lists[item_id][_LISTS[kind]].append(day)
    data = [
        {
            "item": str(r["pk"]),
            "unit": r["lead_unit__code"],
            "assigned": r["assigned_on"],
            "deadline": r["deadline"],
            "ack_days": r["ack_days"],
            "acknowledged": r["acknowledged_on"],
            "rhythm": r["rhythm"],
            "extended_to": r["extended_to"],
            "extension_granted": r["extension_granted"],
            "closed": r["closed_on"],
            **lists[r["pk"]],
        }
        for r in rows
    ]
    return pl.DataFrame(data, schema=ITEM_COLUMNS)


def taken_frame() -> pl.DataFrame:
    """`item`, `step` of every step already taken."""
    rows = list(Escalation.objects.values_list("item_id", "step"))
    return pl.DataFrame(
        {"item": [str(i) for i, _s in rows], "step": [s for _i, s in rows]},
        schema={"item": pl.String, "step": pl.String},
    )


def rectification_frame(entries: QuerySet[Rectification]) -> pl.DataFrame:
    """`item`, `list`, `unit`, `deadline`, `status`, `rectified_on`: a unit's "rectified" counts
    from the office's verification (until then it is still rectifying)."""
    rows = list(
        entries.order_by().values(
            "pk", "rectification_list_id", "unit__code", "deadline", "status", "verified_on"
        )
    )
    return pl.DataFrame(
        {
            "item": [str(r["pk"]) for r in rows],
            "list": [str(r["rectification_list_id"]) for r in rows],
            "unit": [r["unit__code"] for r in rows],
            "deadline": [r["deadline"] for r in rows],
            "status": [
                "rectifying"
                if r["status"] == Rectification.Status.RECTIFIED and r["verified_on"] is None
                else r["status"]
                for r in rows
            ],
            "rectified_on": [r["verified_on"] for r in rows],
        },
        schema={
            "item": pl.String,
            "list": pl.String,
            "unit": pl.String,
            "deadline": pl.Date,
            "status": pl.String,
            "rectified_on": pl.Date,
        },
    )
