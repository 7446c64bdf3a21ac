"""API of supervision (`/api/supervision`): items and their acts (acknowledge, feedback, closure,
return, extension), the per-unit on-time rates, and rectification lists. Every write is the
services'; who may do what is the same as on the pages. Evidence files are attached on the item's
page (multipart forms); the API lists their addresses."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, Day, Id, Status
from saima.org.access import access_of
from saima.org.models import Unit
from saima.supervision import origins, selectors, services
from saima.supervision.access import readable_item, readable_list, readable_rectification
from saima.supervision.models import (
    Event,
    Extension,
    Level,
    Rectification,
    RectificationList,
    Rhythm,
)
from saima.supervision.rules import today

router = Router(tags=["supervision"])

Text = Annotated[str, Field(max_length=4000)]


class ItemOut(Schema):
    id: int
    reference: str
    title: str
    task: str
    source: str
    origin: str
    lead_unit: str
    co_units: list[str]
    leader: str | None
    level: str
    rhythm: str
    status: str
    assigned_on: date
    acknowledge_by: date | None
    deadline: date = Field(description="The original deadline, kept on record")
    extended_to: date | None
    extension_granted: date | None
    effective_deadline: date | None = Field(
        description="The deadline the rates count: the extension's if granted by the original one"
    )
    acknowledged_on: date | None
    closed_on: date | None
    overdue_days: int
    steps: list[str] = Field(description="Escalation steps taken (step codes), in order")
    url: str


def _item_out(row: selectors.Row) -> ItemOut:
    item = row.item
    return ItemOut(
        id=item.pk,
        reference=item.reference,
        title=item.title,
        task=item.task,
        source=item.source,
        origin=item.origin,
        lead_unit=item.lead_unit.code,
        co_units=[u.code for u in row.co_units],
        leader=item.leader.get_username() if item.leader else None,
        level=item.level,
        rhythm=item.rhythm,
        status=item.status,
        assigned_on=item.assigned_on,
        acknowledge_by=row.ack_due,
        deadline=item.deadline,
        extended_to=item.extended_to,
        extension_granted=item.extension_granted,
        effective_deadline=row.deadline_due,
        acknowledged_on=item.acknowledged_on,
        closed_on=item.closed_on,
        overdue_days=row.days_overdue,
        steps=[s.step for s in row.steps],
        url=f"/supervision/{item.pk}/",
    )


class ItemFilters(Schema):
    source: Annotated[str, Field(max_length=16)] = ""
    unit: Annotated[str, Field(max_length=32)] = ""
    leader: Annotated[str, Field(max_length=150)] = ""
    status: Annotated[str, Field(max_length=20)] = ""
    overdue: bool = False
    mine: bool = False


@router.get("/items", response={200: list[ItemOut], **ERRORS})
def list_items(request, filters: Query[ItemFilters]):
    """The items the caller may read (the ledger), the leader's own first."""
    access = access_of(request)
    found = selectors.rows(access, selectors.Filters(**filters.dict()))
    return [_item_out(r) for r in found]


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=200)]
    task: Text
    source: Annotated[str, Field(max_length=16)]
    lead_unit: Annotated[str, Field(max_length=32)] | None = None
    co_units: list[Code] = []
    leader: Annotated[str, Field(max_length=150)] | None = None
    deadline: Day | None = None
    level: Annotated[str, Field(max_length=10)] = Level.ORDINARY
    rhythm: Annotated[str, Field(max_length=10)] = Rhythm.MONTHLY
    ack_days: Annotated[int, Field(ge=0, le=30)] | None = None
    origin: Annotated[str, Field(max_length=100)] = ""


@router.post("/items", response={201: ItemOut, **ERRORS})
def create_item(request, payload: ItemIn):
    """Assign an item (the office). `origin` (`statement:12`, `objection:3`, `problem:5`,
    `light:east:fai`) links it back to where the problem is."""
    access = access_of(request)
    units = {u.code: u for u in Unit.objects.filter(active=True)}
    errors: dict[str, list[str]] = {}
    leader = None
    if payload.leader:
        leader = get_user_model().objects.filter(username=payload.leader).first()
        if leader is None:
            errors["leader"] = [_("There is no such person.")]
    unknown = [c for c in payload.co_units if c not in units]
    if unknown:
        errors["co_units"] = [_("No active unit has the code %(code)s.") % {"code": unknown[0]}]
    origin_url = ""
    if payload.origin and access.is_office:
        try:
            origin_url = origins.resolve(access, payload.origin).url
        except ValidationError as exc:
            errors.update(exc.message_dict)
    data = services.ItemData(
        title=payload.title,
        task=payload.task,
        source=payload.source,
        lead_unit=units.get(payload.lead_unit or ""),
        co_units=[units[c] for c in payload.co_units if c in units],
        leader=leader,
        deadline=payload.deadline,
        level=payload.level,
        rhythm=payload.rhythm,
        ack_days=payload.ack_days,
        origin=payload.origin,
        origin_url=origin_url,
    )
    with transaction.atomic():
        if errors and access.is_office:
            raise ValidationError(errors)
        item = services.item_create(access=access, user=request.user, data=data)
        origins.linked(access=access, user=request.user, item=item)
    return Status(201, _item_out(selectors.row_of(item)))


class EventOut(Schema):
    id: int
    kind: str
    day: date
    unit: str | None
    text: str
    by: str | None
    files: list[str] = Field(description="Addresses of the evidence files (downloads)")


def _event_out(event: Event) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=event.kind,
        day=event.day,
        unit=event.unit.code if event.unit else None,
        text=event.text,
        by=event.by.get_username() if event.by else None,
        files=[f"/supervision/files/{f.pk}/" for f in event.files.all()],
    )


class ExtensionOut(Schema):
    id: int
    item: str
    new_deadline: date
    reason: str
    requested_on: date
    decision: str
    decided_on: date | None
    note: str


def _extension_out(extension: Extension) -> ExtensionOut:
    return ExtensionOut(
        id=extension.pk,
        item=extension.item.reference,
        new_deadline=extension.new_deadline,
        reason=extension.reason,
        requested_on=extension.requested_on,
        decision=extension.decision,
        decided_on=extension.decided_on,
        note=extension.note,
    )


class ItemDetailOut(ItemOut):
    timeline: list[EventOut]
    extensions: list[ExtensionOut]


@router.get("/items/{pk}", response={200: ItemDetailOut, **ERRORS})
def get_item(request, pk: Id):
    """An item with its timeline (never changed) and its extensions."""
    item = readable_item(access_of(request), pk)
    out = _item_out(selectors.row_of(item))
    return ItemDetailOut(
        **out.dict(),
        timeline=[_event_out(e) for e in selectors.timeline(item)],
        extensions=[_extension_out(e) for e in item.extensions.all()],
    )


def _item(request, pk: int) -> tuple:
    access = access_of(request)
    return access, readable_item(access, pk)


@router.post("/items/{pk}/acknowledge", response={200: ItemOut, **ERRORS})
def acknowledge(request, pk: Id):
    """The lead unit signs for the item."""
    access, item = _item(request, pk)
    item = services.item_acknowledge(access=access, user=request.user, item=item)
    return _item_out(selectors.row_of(item))


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Text
    unit: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="The co-unit reporting its part (default: the caller's unit)"
    )


@router.post("/items/{pk}/feedback", response={201: EventOut, **ERRORS})
def feedback(request, pk: Id, payload: FeedbackIn):
    """A progress report of the lead unit, or a co-unit's part."""
    access, item = _item(request, pk)
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise Http404(_("There is no unit with the code %(code)s.") % {"code": payload.unit})
    event = services.item_feedback(
        access=access, user=request.user, item=item, text=payload.text, unit=unit
    )
    return Status(201, _event_out(event))


class TextIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Text


@router.post("/items/{pk}/closure-request", response={201: EventOut, **ERRORS})
def closure_request(request, pk: Id, payload: TextIn):
    """The lead unit asks the office to close the item."""
    access, item = _item(request, pk)
    event = services.item_request_closure(
        access=access, user=request.user, item=item, text=payload.text
    )
    return Status(201, _event_out(event))


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: Text = ""


@router.post("/items/{pk}/close", response={200: ItemOut, **ERRORS})
def close(request, pk: Id, payload: CloseIn):
    """The office closes the item (办结)."""
    access, item = _item(request, pk)
    item = services.item_close(access=access, user=request.user, item=item, note=payload.note)
    return _item_out(selectors.row_of(item))


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text


@router.post("/items/{pk}/return", response={200: ItemOut, **ERRORS})
def return_item(request, pk: Id, payload: ReturnIn):
    """The office returns the closure request, saying why."""
    access, item = _item(request, pk)
    item = services.item_return(access=access, user=request.user, item=item, reason=payload.reason)
    return _item_out(selectors.row_of(item))


class ExtensionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    new_deadline: Day
    reason: Text


@router.post("/items/{pk}/extensions", response={201: ExtensionOut, **ERRORS})
def extend(request, pk: Id, payload: ExtensionIn):
    """The lead unit asks for an extension; the office's own extension is approved at once."""
    access, item = _item(request, pk)
    call = services.item_extend if access.is_office else services.extension_request
    extension = call(
        access=access,
        user=request.user,
        item=item,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    return Status(201, _extension_out(extension))


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: Text = ""


@router.post("/extensions/{pk}/decision", response={200: ExtensionOut, **ERRORS})
def decide(request, pk: Id, payload: DecisionIn):
    """The office approves or refuses an extension (a refusal says why)."""
    access = access_of(request)
    extension = Extension.objects.select_related("item").filter(pk=pk).first()
    if extension is None:
        raise Http404(_("There is no such extension request."))
    readable_item(access, extension.item_id)
    extension = services.extension_decide(
        access=access,
        user=request.user,
        extension=extension,
        approve=payload.approve,
        note=payload.note,
    )
    return _extension_out(extension)


class RateOut(Schema):
    unit: str
    ack_due: int
    ack_on_time: int
    ack_rate: float | None
    feedback_due: int
    feedback_on_time: int
    feedback_rate: float | None
    closure_due: int
    closure_on_time: int
    closure_rate: float | None


class Span(Schema):
    start: Day | None = None
    end: Day | None = None


@router.get("/rates", response={200: list[RateOut], **ERRORS})
def rates(request, span: Query[Span]):
    """Per lead unit, on-time acknowledgement, feedback and closure in [start, end] (default:
    1 January to today), as the engine counts them."""
    day = today()
    start, end = span.start or date(day.year, 1, 1), span.end or day
    if end < start:
        raise ValidationError({"end": [_("The period ends before it starts.")]})
    found = selectors.unit_rates(access_of(request), start, end)
    return [
        RateOut(
            **{**{k: v for k, v in r.items() if not k.endswith("_text")}, "unit": r["unit"].code}
        )
        for r in found
    ]


# --- Rectification -----------------------------------------------------------------------------


class RectificationOut(Schema):
    id: int
    problem: str
    measure: str
    unit: str
    deadline: date
    status: str
    progress: str
    reported_on: date | None
    verified_on: date | None
    verification: str
    files: list[str]


def _entry_out(entry: Rectification) -> RectificationOut:
    return RectificationOut(
        id=entry.pk,
        problem=entry.problem,
        measure=entry.measure,
        unit=entry.unit.code,
        deadline=entry.deadline,
        status=entry.status,
        progress=entry.progress,
        reported_on=entry.reported_on,
        verified_on=entry.verified_on,
        verification=entry.verification,
        files=[f"/supervision/rectification/files/{f.pk}/" for f in entry.files.all()],
    )


class ListOut(Schema):
    id: int
    title: str
    source: str
    reference: str
    created_on: date
    due: int | None = None
    rectified: int | None = None
    rate: float | None = Field(None, description="Rectified ÷ due today, in %")


def _list_out(found: RectificationList, rate: dict) -> ListOut:
    return ListOut(
        id=found.pk,
        title=found.title,
        source=found.source,
        reference=found.reference,
        created_on=found.created_on,
        due=rate.get("due"),
        rectified=rate.get("rectified"),
        rate=rate.get("rate"),
    )


class ListDetailOut(ListOut):
    entries: list[RectificationOut]


@router.get("/rectification", response={200: list[ListOut], **ERRORS})
def list_lists(request):
    """The rectification lists the caller may read, with their completion."""
    rows = selectors.rectification_lists(access_of(request))
    return [_list_out(r["list"], r) for r in rows]


class ListIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=200)]
    source: Annotated[str, Field(max_length=16)]
    reference: Annotated[str, Field(max_length=100)] = ""


@router.post("/rectification", response={201: ListOut, **ERRORS})
def create_list(request, payload: ListIn):
    """A new rectification list (the office)."""
    found = services.rectification_list_create(
        access=access_of(request), user=request.user, **payload.dict()
    )
    return Status(201, _list_out(found, {}))


@router.get("/rectification/{pk}", response={200: ListDetailOut, **ERRORS})
def get_list(request, pk: Id):
    """A list with the rectifications the caller may read."""
    access = access_of(request)
    found = readable_list(access, pk)
    rate = selectors.list_rate(selectors.list_rates([found.pk]), found.pk)
    return ListDetailOut(
        **_list_out(found, rate).dict(),
        entries=[_entry_out(e) for e in selectors.entries_for(access, found)],
    )


class EntryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    problem: Text
    measure: Text
    unit: Annotated[str, Field(max_length=32)] | None = None
    deadline: Day | None = None


@router.post("/rectification/{pk}/entries", response={201: RectificationOut, **ERRORS})
def add_entry(request, pk: Id, payload: EntryIn):
    """A problem of the list with its measure, responsible unit and deadline (the office)."""
    access = access_of(request)
    found = readable_list(access, pk)
    entry = services.rectification_add(
        access=access,
        user=request.user,
        rectification_list=found,
        problem=payload.problem,
        measure=payload.measure,
        unit=Unit.objects.filter(code=payload.unit or "").first(),
        deadline=payload.deadline,
    )
    return Status(201, _entry_out(entry))


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Annotated[str, Field(max_length=16)]
    progress: Text


@router.post("/rectification/entries/{pk}/report", response={200: RectificationOut, **ERRORS})
def report_entry(request, pk: Id, payload: ReportIn):
    """The responsible unit reports where the rectification stands."""
    access = access_of(request)
    entry = readable_rectification(access, pk)
    entry = services.rectification_report(
        access=access,
        user=request.user,
        rectification=entry,
        status=payload.status,
        progress=payload.progress,
    )
    return _entry_out(entry)


class VerifyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept: bool
    note: Text = ""


@router.post("/rectification/entries/{pk}/verify", response={200: RectificationOut, **ERRORS})
def verify_entry(request, pk: Id, payload: VerifyIn):
    """The office verifies a rectification reported as rectified, or sends it back saying why."""
    access = access_of(request)
    entry = readable_rectification(access, pk)
    entry = services.rectification_verify(
        access=access,
        user=request.user,
        rectification=entry,
        accept=payload.accept,
        note=payload.note,
    )
    return _entry_out(entry)
