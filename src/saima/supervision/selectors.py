"""Reads of supervision items and rectification lists for the pages, the API, the race and the
other apps (`open_items_of_unit` for the unit's page, `overdue_items` for the meeting screen,
`listed_items` for the bulletin). Every date, rate and step is the engine's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from saima.common.formatting import fixed
from saima.engine.supervision import escalations, item_dates, on_time_rates, rectification_rates
from saima.org.access import Access
from saima.org.models import Unit
from saima.supervision import frames
from saima.supervision.access import items_for, lists_for
from saima.supervision.models import (
    OPEN_STATUSES,
    Escalation,
    Event,
    Extension,
    Item,
    Rectification,
    RectificationList,
    Source,
    Status,
)
from saima.supervision.rules import ladder, rules, today, work_calendar


@dataclass
class Filters:
    source: str = ""
    unit: str = ""
    leader: str = ""
    status: str = ""
    overdue: bool = False
    mine: bool = False


@dataclass
class Row:
    """An item as the ledger lists it."""

    item: Item
    ack_due: datetime.date | None = None
    deadline_due: datetime.date | None = None
    overdue: bool = False
    days_overdue: int = 0
    steps: list[Escalation] = field(default_factory=list)
    co_units: list[Unit] = field(default_factory=list)

    @property
    def top_step(self) -> Escalation | None:
        return self.steps[-1] if self.steps else None


def filtered(access: Access, filters: Filters) -> QuerySet[Item]:
    items = items_for(access)
    if filters.source:
        items = items.filter(source=filters.source)
    if filters.unit:
        items = items.filter(Q(lead_unit__code=filters.unit) | Q(co_units__code=filters.unit))
    if filters.leader:
        items = items.filter(leader__username=filters.leader)
    if filters.status == "open":
        items = items.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        items = items.filter(status=filters.status)
    if filters.mine and access.user_id is not None:
        items = items.filter(leader_id=access.user_id)
    return items.distinct()


def rows(access: Access, filters: Filters, day: datetime.date | None = None) -> list[Row]:
    """The ledger's rows: the leader's own items first, then by deadline; overdue from the
    engine's effective deadline."""
    found = rows_of(list(filtered(access, filters).prefetch_related("co_units")), day)
    if filters.overdue:
        found = [r for r in found if r.overdue]
    mine = access.user_id
    found.sort(
        key=lambda r: (
            r.item.leader_id != mine if mine else False,
            not r.item.is_open,
            r.deadline_due or datetime.date.max,
            r.item.reference,
        )
    )
    return found


def row_of(item: Item, day: datetime.date | None = None) -> Row:
    return rows_of([item], day)[0]


def rows_of(items: list[Item], day: datetime.date | None = None) -> list[Row]:
    day = day or today()
    dates = _dates(items)
    steps: dict[int, list[Escalation]] = {}
    for step in Escalation.objects.filter(item__in=items).order_by("taken_on", "pk"):
        steps.setdefault(step.item_id, []).append(step)
    found = []
    for item in items:
        ack_due, deadline_due = dates.get(item.pk, (None, item.deadline))
        late = item.is_open and deadline_due is not None and deadline_due < day
        found.append(
            Row(
                item=item,
                ack_due=ack_due,
                deadline_due=deadline_due,
                overdue=late,
                days_overdue=(day - deadline_due).days if late else 0,
                steps=steps.get(item.pk, []),
                co_units=list(item.co_units.all()),
            )
        )
    return found


def _dates(items: list[Item]) -> dict[int, tuple[datetime.date, datetime.date]]:
    if not items:
        return {}
    found = item_dates(frames.items_frame(items), calendar=work_calendar(), rules=rules())
    return {
        int(pk): (ack, deadline)
        for pk, ack, deadline in found.select("item", "ack_due", "deadline_due").iter_rows()
    }


def unit_rates(access: Access, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Per lead unit the reader may see: on-time acknowledgement, feedback and closure in
    [start, end] (the engine's counts and rates)."""
    items = items_for(access).filter(assigned_on__lte=end)
    frame = frames.items_frame(items)
    if frame.is_empty():
        return []
    rates = on_time_rates(frame, start, end, calendar=work_calendar(), rules=rules())
    names = {u.code: u for u in Unit.objects.filter(code__in=rates["unit"].to_list())}
    decimals = rules().decimals
    return [
        {
            **row,
            "unit": names[row["unit"]],
            **{
                f"{k}_text": percent_text(row[f"{k}_rate"], decimals)
                for k in ("ack", "feedback", "closure")
            },
        }
        for row in rates.iter_rows(named=True)
    ]


def percent_text(value: float | None, decimals: int) -> str:
    """A rate as pages write it (rounded by the engine; written with its decimals)."""
    return "" if value is None else f"{fixed(value, decimals)}%"


def timeline(item: Item) -> list[Event]:
    return list(item.events.select_related("by", "unit").prefetch_related("files"))


def pending_extension(item: Item) -> Extension | None:
    return item.extensions.filter(decision=Extension.Decision.PENDING).first()


def due_steps(items: QuerySet[Item], day: datetime.date) -> pl.DataFrame:
    """The steps of the ladder due and not yet taken (what the next escalation run would do)."""
    return escalations(
        frames.items_frame(items.filter(status__in=OPEN_STATUSES)),
        day,
        ladder=ladder(),
        taken=frames.taken_frame(),
        calendar=work_calendar(),
        rules=rules(),
    )


def open_items_of_unit(access: Access, unit: Unit) -> list[Row]:
    """The open items a unit leads or helps with, as the reader may see them (the unit's page)."""
    return rows(access, Filters(unit=unit.code, status="open"))


def overdue_items(access: Access, day: datetime.date | None = None) -> list[Row]:
    """Open items past their deadline, the most overdue first (the meeting screen)."""
    found = rows(access, Filters(status="open", overdue=True), day)
    return sorted(found, key=lambda r: (-r.days_overdue, r.item.reference))


def listed_items(start: datetime.date, end: datetime.date) -> list[Escalation]:
    """Items whose "listed in the bulletin" (通报) step was taken in [start, end]: what a bulletin
    of that period names."""
    return list(
        Escalation.objects.filter(action="bulletin", taken_on__range=(start, end))
        .select_related("item__lead_unit")
        .order_by("taken_on", "item__reference")
    )


# --- Rectification -----------------------------------------------------------------------------


def rectification_lists(access: Access) -> list[dict[str, Any]]:
    """Each list the reader may see, with its completion (rectified ÷ due, today)."""
    lists = list(lists_for(access).annotate(entry_count=Count("entries")))
    rates = list_rates([rl.pk for rl in lists])
    return [{**list_rate(rates, rl.pk), "list": rl} for rl in lists]


def list_rate(rates: dict[int, dict[str, Any]], pk: int) -> dict[str, Any]:
    """A list's counts and rate (zeros and no rate when nothing is in it)."""
    found = {"due": 0, "rectified": 0, "basically_done": 0, "rate": None}
    found.update({k: v for k, v in rates.get(pk, {}).items() if k != "list"})
    found["rate_text"] = percent_text(found["rate"], rules().decimals)
    return found


def list_rates(pks: list[int], day: datetime.date | None = None) -> dict[int, dict[str, Any]]:
    entries = Rectification.objects.filter(rectification_list_id__in=pks)
    frame = frames.rectification_frame(entries)
    if frame.is_empty():
        return {}
    found = rectification_rates(frame, day or today(), by=("list",), rules=rules())
    return {int(r["list"]): r for r in found.iter_rows(named=True)}


def entries_for(access: Access, rectification_list: RectificationList) -> QuerySet[Rectification]:
    entries = rectification_list.entries.select_related("unit", "verified_by").prefetch_related(
        "files"
    )
    if access.sees_everything:
        return entries
    return entries.filter(unit_id__in=access.own_units)


def sources() -> list[tuple[str, str]]:
    return list(Source.choices)


def statuses() -> list[tuple[str, str]]:
    return [("open", _("open")), *Status.choices]


def latest_feedback(items: list[Item]) -> dict[int, str]:
    """Each item's latest progress report (lead unit's), by item pk."""
    found: dict[int, str] = {}
    events = Event.objects.filter(item__in=items, kind=Event.Kind.FEEDBACK).order_by("day", "pk")
    for item_id, day, text in events.values_list("item_id", "day", "text"):
        found[item_id] = f"{day.isoformat()} {text}"
    return found
