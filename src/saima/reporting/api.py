"""API routes of the reporting cycle: the status board, workflow steps, and figures.

Figures posted here go through `figures_save`, the same path as the web form and the imports.
Errors: 400 (bad input, a refused row, a step the state does not allow, a locked month),
403 (not the caller's unit or role), 404 (unknown unit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.engine import Period, parse_period
from saima.metrics.api import Figure, Note, figure
from saima.org.access import access_of, readable_unit
from saima.org.api import ERRORS, Code
from saima.org.models import Unit
from saima.reporting import selectors, services

router = Router(tags=["reporting"])

PeriodName = Annotated[str, Field(max_length=16, description="A month: 2026-10 (or 2026-Q3)")]
Year = Annotated[int, Field(ge=1990, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
Check = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Comment = Annotated[str, Field(max_length=4000)]


def _month(text: str) -> Period:
    period = parse_period(text)
    return Period(period.year, period.month)


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


# --- Status ------------------------------------------------------------------------------------


class StatusQuery(Schema):
    period: PeriodName


class ReminderOut(Schema):
    kind: str
    sent_at: datetime
    recipients: list[str]


class UnitStatusOut(Schema):
    unit: str
    name: str
    race_group: str | None
    status: str = Field(
        description="not_started, draft, submitted, approved, accepted, returned or late"
    )
    base_status: str
    late: bool
    figures: int
    required: int
    submitted_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    accepted_by: str | None
    accepted_at: datetime | None
    returned_by: str | None
    returned_at: datetime | None
    return_comment: str
    reminders: list[ReminderOut]


class StatusOut(Schema):
    period: str
    opens_on: str
    due_on: str
    locked: bool
    counts: dict[str, int]
    units: list[UnitStatusOut]


def _unit_status(row: selectors.StatusRow) -> UnitStatusOut:
    s = row.submission
    return UnitStatusOut(
        unit=row.unit.code,
        name=row.unit.name,
        race_group=row.unit.race_group.code if row.unit.race_group_id else None,
        status=row.status,
        base_status=row.base_status,
        late=row.late,
        figures=row.figures,
        required=row.required,
        submitted_by=_name(s.submitted_by) if s else None,
        submitted_at=s.submitted_at if s else None,
        approved_by=_name(s.approved_by) if s else None,
        approved_at=s.approved_at if s else None,
        accepted_by=_name(s.accepted_by) if s else None,
        accepted_at=s.accepted_at if s else None,
        returned_by=_name(s.returned_by) if s else None,
        returned_at=s.returned_at if s else None,
        return_comment=s.return_comment if s else "",
        reminders=[
            ReminderOut(kind=r.kind, sent_at=r.sent_at, recipients=list(r.recipients))
            for r in row.reminders
        ],
    )


@router.get("/status", response={200: StatusOut, **ERRORS})
def status(request, filters: Query[StatusQuery]):
    """Every reporting unit's status for a month (the office and leaders)."""
    access = access_of(request)
    if not access.sees_everything:
        raise PermissionDenied(_("The status board is for the office and leaders."))
    period = _month(filters.period)
    board = selectors.status_board(period.year, period.month)
    return StatusOut(
        period=period.label,
        opens_on=board.schedule.opens_on.isoformat(),
        due_on=board.schedule.due_on.isoformat(),
        locked=board.schedule.locked,
        counts=board.counts,
        units=[_unit_status(row) for row in board.rows],
    )


# --- Workflow ----------------------------------------------------------------------------------


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: Comment = ""


class SubmissionOut(Schema):
    unit: str
    period: str
    status: str
    return_comment: str


@router.post("/submissions/{unit}/{period}/{action}", response={200: SubmissionOut, **ERRORS})
def transition(
    request,
    unit: Code,
    period: PeriodName,
    action: Literal["submit", "approve", "accept", "return"],
    payload: TransitionIn | None = None,
):
    """One step of a unit's month: submit, approve, accept or return (with a comment)."""
    access = access_of(request)
    the_unit: Unit = readable_unit(access, unit)
    month = _month(period)
    submission = services.submission_transition(
        access=access,
        user=request.user,
        unit=the_unit,
        year=month.year,
        month=month.month,
        action=action,
        comment=payload.comment if payload else "",
    )
    return SubmissionOut(
        unit=the_unit.code,
        period=month.label,
        status=submission.status,
        return_comment=submission.return_comment,
    )


# --- Figures -----------------------------------------------------------------------------------


class FigureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: Code
    indicator: Code
    period: PeriodName
    value: Figure = Field(description="Cumulative value from January; null clears it.")
    last_year_value: Figure = None
    growth: Figure = None
    note: Note = ""
    version: Annotated[int, Field(ge=0)] | None = Field(
        None, description="The version you read (0: none stored); a newer one is refused."
    )
    acknowledgements: dict[Check, Comment] = Field(
        default_factory=dict, description="Check code → comment for the warnings you explain."
    )


class FiguresIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[FigureIn] = Field(max_length=5000)
    change_reason: Annotated[str, Field(max_length=100)] = ""


class StoredOut(Schema):
    unit: str
    indicator: str
    period: str
    value: str | None
    version: int


class FindingOut(Schema):
    unit: str
    indicator: str
    period: str
    check: str
    severity: str
    message: str
    blocking: bool
    needs_acknowledgement: bool
    acknowledged: bool


class SaveOut(Schema):
    stored: list[StoredOut]
    unchanged: int
    findings: list[FindingOut]


@router.post("/figures", response={200: SaveOut, **ERRORS})
def post_figures(request, payload: FiguresIn):
    """Store figures through the one path every channel uses: every row or none."""
    access = access_of(request)
    rows, versions, acks = [], {}, {}
    for item in payload.rows:
        unit = readable_unit(access, item.unit)
        if not access.can_edit_figures(unit.pk):
            raise PermissionDenied(_("You may not enter figures for %(unit)s.") % {"unit": unit})
        month = _month(item.period)
        row = services.FigureRow(
            unit_code=item.unit,
            indicator_code=item.indicator,
            year=month.year,
            month=month.month,
            value=item.value,
            last_year_value=item.last_year_value,
            growth=item.growth,
            note=item.note,
        )
        rows.append(row)
        if item.version is not None:
            versions[row.key] = item.version
        for check, comment in item.acknowledgements.items():
            acks[(*row.key, check)] = comment
    result = services.figures_save(
        access=access,
        user=request.user,
        rows=rows,
        source="api",
        expected_versions=versions,
        acknowledgements=acks,
        change_reason=payload.change_reason,
    )
    return SaveOut(
        stored=[
            StoredOut(
                unit=o.unit.code,
                indicator=o.indicator.code,
                period=Period(o.year, o.month).label,
                value=figure(o.value),
                version=o.version,
            )
            for o in result.stored
        ],
        unchanged=len(result.unchanged),
        findings=[
            FindingOut(
                unit=f.unit,
                indicator=f.indicator,
                period=Period(f.year, f.month).label,
                check=f.check,
                severity=f.severity,
                message=f.message,
                blocking=f.blocking,
                needs_acknowledgement=f.needs_acknowledgement,
                acknowledged=f.acknowledged,
            )
            for f in result.findings
        ],
    )
