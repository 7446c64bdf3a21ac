"""API routes after publication (under /api/races): laggard statements, their follow-up, and
objections.

Statements are read as the page shows them (the office and leaders: all; a unit's people: their
own); a unit's people (or the office) submit them, the office accepts, returns and follows them up.
Objections are filed as JSON by a unit's people while the window is open, with the evidence file
attached by a multipart upload; the office answers them and republishes citing an upheld one.
Errors: 400 (bad input, a step the state does not allow, a closed window), 403 (not the caller's
unit or role), 404 (unknown race, period, statement or objection).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, Id, PeriodName, Status, body_limit
from saima.common.evidence import max_bytes
from saima.jobs.api import JobOut, job_accepted
from saima.org.access import Access, access_of
from saima.org.models import Unit
from saima.races.definitions.selectors import read_race_period, readable_race
from saima.races.followup import selectors, services
from saima.races.models import LaggardStatement, Objection, Publication
from saima.races.results.selectors import readable_publication

router = Router(tags=["races"])

Text = Annotated[str, Field(max_length=services.TEXT_MAX)]


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _published(access: Access, code: str, period: str) -> Publication:
    race = readable_race(access, code)
    return readable_publication(access, race, read_race_period(race, period).label)


# --- Statements --------------------------------------------------------------------------------


class StatementOut(Schema):
    id: int
    race: str
    period: str
    version: int = Field(description="The version of the result that asked for the statement.")
    unit: str
    why: list[str] = Field(description="yellow_flag, last_place and/or red_light")
    status: str = Field(description="requested, submitted, returned, accepted, fulfilled or missed")
    cause: str
    measures: str
    commitment: str
    commitment_date: datetime.date | None
    days_left: int | None = Field(
        description="Days until the commitment date (negative: overdue), while it is followed."
    )
    submitted_by: str | None
    submitted_at: datetime.datetime | None
    reviewed_by: str | None
    reviewed_at: datetime.datetime | None
    office_comment: str
    follow_up: str


def _statement_out(statement: LaggardStatement) -> StatementOut:
    followed = statement.status == LaggardStatement.Status.ACCEPTED and statement.commitment_date
    return StatementOut(
        id=statement.pk,
        race=statement.publication.race.code,
        period=statement.publication.period,
        version=statement.publication.version,
        unit=statement.unit.code,
        why=list(statement.why),
        status=statement.status,
        cause=statement.cause,
        measures=statement.measures,
        commitment=statement.commitment,
        commitment_date=statement.commitment_date,
        days_left=(statement.commitment_date - timezone.localdate()).days if followed else None,
        submitted_by=_name(statement.submitted_by),
        submitted_at=statement.submitted_at,
        reviewed_by=_name(statement.reviewed_by),
        reviewed_at=statement.reviewed_at,
        office_comment=statement.office_comment,
        follow_up=statement.follow_up,
    )


def _statement(request, statement_id: Id) -> tuple[Access, LaggardStatement]:
    access = access_of(request)
    return access, selectors.readable_statement(access, statement_id)


def _reread(statement: LaggardStatement) -> StatementOut:
    found = LaggardStatement.objects.select_related(
        "unit", "publication__race", "submitted_by", "reviewed_by"
    ).get(pk=statement.pk)
    return _statement_out(found)


@router.get("/{code}/{period}/statements", response={200: list[StatementOut], **ERRORS})
def list_statements(request, code: Code, period: PeriodName):
    """The statements of a period's laggards (a unit's people: their own)."""
    access = access_of(request)
    publication = _published(access, code, period)
    found = selectors.readable_statements(access, publication.race, publication.period)
    return [_statement_out(s) for s in found.select_related("publication__race")]


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    cause: Annotated[Text, Field(min_length=1)]
    measures: Annotated[Text, Field(min_length=1)]
    commitment: Annotated[Text, Field(min_length=1)]
    commitment_date: datetime.date


@router.post("/statements/{statement_id}/submit", response={200: StatementOut, **ERRORS})
def submit_statement(request, statement_id: Id, payload: SubmitIn):
    """File the statement (the unit's reporter or approver, or the office)."""
    access, statement = _statement(request, statement_id)
    done = services.statement_submit(
        access,
        statement,
        cause=payload.cause,
        measures=payload.measures,
        commitment=payload.commitment,
        commitment_date=payload.commitment_date,
    )
    return _reread(done)


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: Text = ""


@router.post("/statements/{statement_id}/accept", response={200: StatementOut, **ERRORS})
def accept_statement(request, statement_id: Id, payload: ReviewIn | None = None):
    """Accept a submitted statement (the office); its commitment is followed from now on."""
    access, statement = _statement(request, statement_id)
    done = services.statement_accept(access, statement, comment=payload.comment if payload else "")
    return _reread(done)


@router.post("/statements/{statement_id}/return", response={200: StatementOut, **ERRORS})
def return_statement(request, statement_id: Id, payload: ReviewIn):
    """Return a submitted statement to its unit (the office), with a comment."""
    access, statement = _statement(request, statement_id)
    return _reread(services.statement_return(access, statement, comment=payload.comment))


class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Text, Field(min_length=1)]
    outcome: Literal["", "fulfilled", "missed"] = Field(
        "", description='"" keeps following; fulfilled or missed (only after the date) closes.'
    )


@router.post("/statements/{statement_id}/follow-up", response={200: StatementOut, **ERRORS})
def follow_up_statement(request, statement_id: Id, payload: FollowUpIn):
    """Record a follow-up of an accepted commitment (the office), optionally closing it."""
    access, statement = _statement(request, statement_id)
    done = services.statement_follow_up(
        access, statement, note=payload.note, outcome=payload.outcome
    )
    return _reread(done)


@router.get("/follow-up", response={200: list[StatementOut], **ERRORS})
def open_commitments(request):
    """Accepted statements still followed, across races, the most urgent first."""
    access = access_of(request)
    if not access.sees_everything and not access.own_units:
        raise PermissionDenied(_("The follow-up of commitments is for the office and leaders."))
    return [_statement_out(c.statement) for c in selectors.open_commitments(access)]


# --- Objections --------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class ObjectionOut(Schema):
    id: int
    race: str
    period: str
    version: int = Field(description="The version of the result objected to.")
    unit: str
    reason: str
    evidence: EvidenceOut | None
    filed_by: str | None
    filed_at: datetime.datetime
    status: str = Field(description="open, upheld or dismissed")
    answer: str
    answered_by: str | None
    answered_at: datetime.datetime | None
    cited_by: list[int] = Field(description="Versions of the result published citing it.")


def _objection_out(objection: Objection) -> ObjectionOut:
    e = objection.evidence
    return ObjectionOut(
        id=objection.pk,
        race=objection.publication.race.code,
        period=objection.publication.period,
        version=objection.publication.version,
        unit=objection.unit.code,
        reason=objection.reason,
        evidence=EvidenceOut(
            id=e.pk,
            name=e.name,
            content_type=e.content_type,
            size=e.size,
            sha256=e.sha256,
            url=reverse("races:evidence", args=[e.pk]),
        )
        if e is not None
        else None,
        filed_by=_name(objection.filed_by),
        filed_at=objection.filed_at,
        status=objection.status,
        answer=objection.answer,
        answered_by=_name(objection.answered_by),
        answered_at=objection.answered_at,
        cited_by=sorted(objection.republications.values_list("version", flat=True)),
    )


def _objection(request, objection_id: Id) -> tuple[Access, Objection]:
    access = access_of(request)
    return access, selectors.readable_objection(access, objection_id)


def _reread_objection(objection: Objection) -> ObjectionOut:
    found = Objection.objects.select_related(
        "unit", "publication__race", "evidence", "filed_by", "answered_by"
    ).get(pk=objection.pk)
    return _objection_out(found)


@router.get("/{code}/{period}/objections", response={200: list[ObjectionOut], **ERRORS})
def list_objections(request, code: Code, period: PeriodName):
    """Objections to any version of a period's result (a unit's people: their own)."""
    access = access_of(request)
    publication = _published(access, code, period)
    found = selectors.readable_objections(access, publication.race, publication.period)
    return [_objection_out(o) for o in found.select_related("publication__race")]


class ObjectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: Code
    reason: Annotated[Text, Field(min_length=1)]


@router.post("/{code}/{period}/objections", response={201: ObjectionOut, **ERRORS})
def file_objection(request, code: Code, period: PeriodName, payload: ObjectionIn):
    """Object to the current version of a period's result (the unit's reporter or approver),
    while the window is open. Attach evidence with `POST /objections/{id}/evidence`."""
    access = access_of(request)
    publication = _published(access, code, period)
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": [_unknown_unit(payload.unit)]})
    objection = services.objection_file(access, publication, unit, reason=payload.reason)
    return Status(201, _reread_objection(objection))


def _unknown_unit(code: str) -> str:
    return _("There is no unit with the code %(code)s.") % {"code": code}


@decorate_view(body_limit(max_bytes))
@router.post("/objections/{objection_id}/evidence", response={200: ObjectionOut, **ERRORS})
def attach_objection_evidence(request, objection_id: Id, file: File[UploadedFile]):
    """Attach (or replace) the evidence of an open objection (multipart field `file`: PDF, PNG,
    JPEG, DOCX or XLSX), while the window is open."""
    access, objection = _objection(request, objection_id)
    return _reread_objection(services.objection_attach_evidence(access, objection, file))


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["upheld", "dismissed"]
    answer: Annotated[Text, Field(min_length=1)]


@router.post("/objections/{objection_id}/answer", response={200: ObjectionOut, **ERRORS})
def answer_objection(request, objection_id: Id, payload: AnswerIn):
    """Uphold or dismiss an open objection, with the answer (the office)."""
    access, objection = _objection(request, objection_id)
    done = services.objection_answer(
        access, objection, status=payload.status, answer=payload.answer
    )
    return _reread_objection(done)


class RepublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(min_length=1)]


@router.post("/objections/{objection_id}/republish", response={202: JobOut, **ERRORS})
def republish(request, objection_id: Id, payload: RepublishIn, response: HttpResponse):
    """Republish the period citing an upheld objection (the office; correct the inputs first),
    as a background job: 202 with the job, polled at its `url` (also the `Location` header) until
    `done` (its `result` names the new version). Refusals known before computing come at once."""
    access, objection = _objection(request, objection_id)
    job = services.objection_republish_start(
        access, objection, user=request.user, reason=payload.reason
    )
    return job_accepted(response, job)
