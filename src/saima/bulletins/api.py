"""API routes of bulletins: list and read (issued ones for everyone in the race, drafts for the
office), draft, edit and issue (the office), and the files."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.bulletins import selectors, services
from saima.bulletins.documents import FORMATS
from saima.bulletins.models import Bulletin
from saima.bulletins.views import DRAWERS, file_name
from saima.common.api import ERRORS, Code, Id, PeriodName, Status
from saima.org.access import access_of, require_office
from saima.races.definitions.selectors import readable_race

router = Router(tags=["bulletins"])

Text = Annotated[str, Field(max_length=6000)]


class BulletinOut(Schema):
    id: int
    race: str
    kind: str
    period: str
    version: int
    status: str
    language: str
    reference: str
    office: str
    title: str
    recipients: str
    date: datetime.date | None
    issued_at: datetime.datetime | None
    reason: str


class BulletinDetailOut(BulletinOut):
    paragraphs: list[dict[str, str]]
    facts: dict[str, Any]


class DraftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    race: Code
    kind: Literal["race", "monthly"] = "race"
    period: PeriodName
    language: Literal["zh-hans", "en"] = "zh-hans"
    reason: Annotated[str, Field(max_length=4000)] = ""


class EditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    office: Annotated[str, Field(max_length=100)] | None = None
    prefix: Annotated[str, Field(max_length=30)] | None = None
    year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    number: Annotated[int, Field(ge=1, le=services.MAX_NUMBER)] | None = None
    title: Annotated[str, Field(max_length=300)] | None = None
    recipients: Annotated[str, Field(max_length=1000)] | None = None
    date: datetime.date | None = None
    paragraphs: dict[Annotated[str, Field(max_length=32)], Text] | None = None


class FileQuery(Schema):
    format: Literal["docx", "pdf", "xlsx"] = "pdf"


def _out(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "id": bulletin.pk,
        "race": bulletin.race.code,
        "kind": bulletin.kind,
        "period": bulletin.period,
        "version": bulletin.version,
        "status": bulletin.status,
        "language": bulletin.language,
        "reference": bulletin.reference,
        "office": bulletin.office,
        "title": bulletin.title,
        "recipients": bulletin.recipients,
        "date": bulletin.date,
        "issued_at": bulletin.issued_at,
        "reason": bulletin.reason,
    }


def _detail(bulletin: Bulletin) -> dict[str, Any]:
    return {**_out(bulletin), "paragraphs": bulletin.paragraphs, "facts": bulletin.facts}


@router.get("", response={200: list[BulletinOut], **ERRORS})
def bulletins(request):
    """The bulletins the caller may read, latest first."""
    found = selectors.visible_bulletins(access_of(request)).order_by("-created_at", "-pk")
    return [_out(b) for b in found[:500]]


@router.post("", response={201: BulletinDetailOut, **ERRORS})
def draft(request, payload: DraftIn):
    """Draft a race bulletin from a published result, or a monthly comment (office only)."""
    access = access_of(request)
    require_office(access)
    race = readable_race(access, payload.race)
    bulletin = services.bulletin_draft(
        access,
        race=race,
        kind=payload.kind,
        period=payload.period,
        language=payload.language,
        reason=payload.reason,
    )
    return Status(201, _detail(bulletin))


@router.get("/{bulletin_id}", response={200: BulletinDetailOut, **ERRORS})
def bulletin(request, bulletin_id: Id):
    """A bulletin with its paragraphs and the facts they were written from."""
    return _detail(selectors.readable_bulletin(access_of(request), bulletin_id))


@router.patch("/{bulletin_id}", response={200: BulletinDetailOut, **ERRORS})
def edit(request, bulletin_id: Id, payload: EditIn):
    """Change a draft's fields and paragraphs (office only); the fields not sent stay."""
    access = access_of(request)
    require_office(access)
    found = selectors.readable_bulletin(access, bulletin_id)
    changes = payload.dict(exclude_unset=True)
    paragraphs = changes.pop("paragraphs", None)
    edited = services.bulletin_edit(access, found, paragraphs=paragraphs, **changes)
    return _detail(edited)


@router.post("/{bulletin_id}/issue", response={200: BulletinDetailOut, **ERRORS})
def issue(request, bulletin_id: Id):
    """Issue a draft: its files are drawn and kept, and the units receive it (office only)."""
    access = access_of(request)
    require_office(access)
    found = selectors.readable_bulletin(access, bulletin_id)
    return _detail(services.bulletin_issue(access, found))


@router.get("/{bulletin_id}/file", response={200: None, **ERRORS})
def bulletin_file(request, bulletin_id: Id, query: Query[FileQuery]):
    """The bulletin as DOCX, PDF or XLSX: as issued, or a draft drawn now."""
    from django.http import HttpResponse

    found = selectors.readable_bulletin(access_of(request), bulletin_id)
    if found.issued:
        stored = selectors.stored_file(found, query.format)
        data = bytes(stored.data) if stored is not None else b""
    else:
        data = DRAWERS[query.format](selectors.document(found))
    response = HttpResponse(data, content_type=FORMATS[query.format])
    response["Content-Disposition"] = f'attachment; filename="{file_name(found, query.format)}"'
    return response
