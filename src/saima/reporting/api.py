"""API routes of the reporting cycle: the status board, workflow steps, and figures.

Every write of a figure is here (`PUT /api/observations/...` on `figures_router`, mounted beside
the catalogue's reads, and `POST /api/reporting/figures`), and goes through `figures_save`, the
same path as the web form and the imports.
Errors: 400 (bad input, a refused row, a step the state does not allow, a locked month),
403 (not the caller's unit or role), 404 (unknown unit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, MonthName, PeriodName
from saima.common.text import NOTE_LENGTH
from saima.engine import Period, parse_period
from saima.metrics.api import (
    Figure,
    Note,
    ObservationOut,
    check_figures,
    figure,
    indicator_by_code,
    observation_out,
    open_period,
)
from saima.metrics.models import Observation
from saima.metrics.services import to_decimal
from saima.org.access import Access, access_of, readable_unit
from saima.org.models import Unit
from saima.reporting import selectors, services
from saima.reporting.services import FigureRow, FiguresRefused, figures_save

router = Router(tags=["reporting"])
#: Writes of one figure, at the address of the figures the catalogue lists (`/api/observations`).
figures_router = Router(tags=["metrics"])

Year = Annotated[int, Field(ge=1990, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
Check = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Comment = Annotated[str, Field(max_length=NOTE_LENGTH)]


def _month(text: str) -> Period:
    period = parse_period(text)
    return Period(period.year, period.month)


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


# --- Status ------------------------------------------------------------------------------------


class StatusQuery(Schema):
    period: MonthName


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
    period: MonthName,
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
    period: MonthName
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


class ObservationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    value: Figure = Field(description="Cumulative value from January; null clears it.")
    last_year_value: Figure = None
    growth: Figure = Field(None, description="Reported growth in percent.")
    note: Note = ""


def editable_unit(access: Access, code: str) -> Unit:
    """The unit named by `code`, if this person may enter its figures (404 / 403)."""
    unit = readable_unit(access, code)
    if not access.can_edit_figures(unit.pk):
        raise PermissionDenied(_("You may not enter figures for %(unit)s.") % {"unit": unit})
    return unit


@figures_router.put(
    "/observations/{unit}/{indicator}/{period}", response={200: ObservationOut, **ERRORS}
)
def put_observation(
    request, unit: Code, indicator: Code, period: PeriodName, payload: ObservationIn
):
    """Store one cumulative figure: the unit's reporter or the office."""
    access = access_of(request)
    the_unit = editable_unit(access, unit)
    the_indicator = indicator_by_code(indicator)
    the_period = open_period(period)
    check_figures(payload, "value", "last_year_value", "growth")
    row = FigureRow(
        unit_code=the_unit.code,
        indicator_code=the_indicator.code,
        year=the_period.year,
        month=the_period.month,
        value=to_decimal(payload.value, field="value"),
        last_year_value=to_decimal(payload.last_year_value, field="last_year_value"),
        growth=to_decimal(payload.growth, field="growth"),
        note=(payload.note or "").strip(),
    )
    # The one path for figures: checks, period locks, workflow state and history.
    try:
        figures_save(access=access, user=request.user, rows=[row], source="api")
    except FiguresRefused as refused:
        # One figure: its problems are the value's.
        raise ValidationError({"value": refused.row_errors.get(0, [])}) from None
    key = {"unit": the_unit, "indicator": the_indicator, "year": row.year, "month": row.month}
    stored = Observation.objects.select_related("entered_by").filter(**key).first()
    # A blank figure where none was stored writes nothing: answer with the blank figure.
    return observation_out(stored or Observation(**key))
