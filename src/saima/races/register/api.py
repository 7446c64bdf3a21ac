"""API routes of the adjustments register and manual scores (under /api/races).

The register is read as the page shows it (the office and leaders: every unit; a unit's people:
their own units); the office enters entries as JSON, attaches an evidence file with a multipart
upload, and withdraws entries with a reason. Manual scores are read by the office and leaders and
replaced one race period at a time by the office.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.urls import reverse
from ninja import Field, File, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, CodeFilter, Flag, Id, PeriodName, Status, body_limit
from saima.common.evidence import max_bytes
from saima.org.access import access_of
from saima.races.definitions.selectors import race_period, readable_race
from saima.races.models import Adjustment, ManualScore
from saima.races.register import selectors, services

router = Router(tags=["races"])

Reason = Annotated[str, Field(max_length=services.MAX_REASON)]
Points = Annotated[Decimal, Field(allow_inf_nan=False)]


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class AdjustmentOut(Schema):
    id: int
    unit: str
    category: str
    date: datetime.date
    points: str
    reason: str
    veto: bool
    counts_in: str | None = Field(description="The race period the event counts in.")
    evidence: EvidenceOut | None
    entered_by: str | None
    entered_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    withdrawn_by: str | None
    withdraw_reason: str


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _out(entry: Adjustment) -> AdjustmentOut:
    period = selectors.counting_period(entry.race, entry.date)
    evidence = None
    if entry.evidence_id is not None:
        e = entry.evidence
        evidence = EvidenceOut(
            id=e.pk,
            name=e.name,
            content_type=e.content_type,
            size=e.size,
            sha256=e.sha256,
            url=reverse("races:evidence", args=[e.pk]),
        )
    return AdjustmentOut(
        id=entry.pk,
        unit=entry.unit.code,
        category=entry.category,
        date=entry.date,
        points=selectors.plain(entry.points),
        reason=entry.reason,
        veto=entry.veto,
        counts_in=period.label if period else None,
        evidence=evidence,
        entered_by=_name(entry.entered_by),
        entered_at=entry.entered_at,
        withdrawn_at=entry.withdrawn_at,
        withdrawn_by=_name(entry.withdrawn_by),
        withdraw_reason=entry.withdraw_reason,
    )


class AdjustmentFilters(Schema):
    unit: CodeFilter = None
    category: CodeFilter = None


@router.get("/{code}/adjustments", response={200: list[AdjustmentOut], **ERRORS})
def list_adjustments(request, code: Code, filters: Query[AdjustmentFilters]):
    """The race's register entries the caller may read, newest first (withdrawn ones too)."""
    access = access_of(request)
    race = readable_race(access, code)
    entries = selectors.register_entries(
        access, race, unit=filters.unit or None, category=filters.category or None
    )
    return [_out(entry) for entry in entries.select_related("race")]


class AdjustmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: Code
    category: Annotated[str, Field(min_length=1, max_length=16)]
    date: datetime.date
    points: Points
    reason: Annotated[Reason, Field(min_length=1)]
    veto: Flag = False


@router.post("/{code}/adjustments", response={201: AdjustmentOut, **ERRORS})
def add_adjustment(request, code: Code, payload: AdjustmentIn):
    """Enter an event (the office). Attach its evidence file with `.../{id}/evidence`."""
    access = access_of(request)
    race = readable_race(access, code)
    entry = services.adjustment_add(
        access,
        race,
        unit=payload.unit,
        category=payload.category,
        date=payload.date,
        points=payload.points,
        reason=payload.reason,
        veto=payload.veto,
    )
    return Status(201, _out(entry))


@decorate_view(body_limit(max_bytes))
@router.post("/{code}/adjustments/{entry_id}/evidence", response={200: AdjustmentOut, **ERRORS})
def attach_evidence(request, code: Code, entry_id: Id, file: File[UploadedFile]):
    """Attach an evidence file (multipart field `file`: PDF, PNG, JPEG, DOCX or XLSX)."""
    access = access_of(request)
    race = readable_race(access, code)
    entry = selectors.adjustment_entry(access, race, entry_id)
    return _out(services.adjustment_attach_evidence(access, entry, file))


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Reason, Field(min_length=1)]


@router.post("/{code}/adjustments/{entry_id}/withdraw", response={200: AdjustmentOut, **ERRORS})
def withdraw_adjustment(request, code: Code, entry_id: Id, payload: WithdrawIn):
    """Withdraw an entry with a reason (the office); it stays in the register."""
    access = access_of(request)
    race = readable_race(access, code)
    entry = selectors.adjustment_entry(access, race, entry_id)
    return _out(services.adjustment_withdraw(access, entry, payload.reason))


# --- Manual scores -----------------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    name: str
    weight: float


class ScoreOut(Schema):
    unit: str
    item: str
    points: str


class ScoresOut(Schema):
    period: str
    items: list[ItemOut]
    scores: list[ScoreOut]


class ScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: Annotated[str, Field(min_length=1, max_length=200)]
    item: Annotated[str, Field(min_length=1, max_length=64)]
    points: Points


class ScoresIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scores: list[ScoreIn] = Field(max_length=services.MAX_SCORE_ROWS)


def _scores_out(race, period, scores: list[ManualScore]) -> ScoresOut:
    return ScoresOut(
        period=period.label,
        items=[
            ItemOut(code=i.code, name=i.name, weight=i.weight) for i in selectors.manual_items(race)
        ],
        scores=[
            ScoreOut(unit=s.unit.code, item=s.item, points=selectors.plain(s.points))
            for s in scores
        ],
    )


@router.get("/{code}/scores/{period}", response={200: ScoresOut, **ERRORS})
def get_scores(request, code: Code, period: PeriodName):
    """The manual scores of one race period (the office and leaders)."""
    access = access_of(request)
    race = readable_race(access, code)
    selectors.require_scores_reader(access)
    the_period = race_period(race, period)
    return _scores_out(race, the_period, selectors.period_scores(race, the_period))


@router.put("/{code}/scores/{period}", response={200: ScoresOut, **ERRORS})
def put_scores(request, code: Code, period: PeriodName, payload: ScoresIn):
    """Replace every manual score of one race period (the office): all rows or none."""
    access = access_of(request)
    race = readable_race(access, code)
    rows = [services.ScoreRow(unit=s.unit, item=s.item, points=s.points) for s in payload.scores]
    saved = services.manual_scores_save(access, race, period, rows)
    return _scores_out(race, race_period(race, period), saved)
