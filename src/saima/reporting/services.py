"""Writes of the reporting cycle: figures, the submission workflow, locks and reminders.

`figures_save` is the one path by which figures are written (web form, XLSX upload, API, bulk
import): per-row permission, lock, future-period, submission-state and optimistic-concurrency
checks, then the engine's checks, all in one transaction (every row or none).

The workflow of one unit × month (decided here, and written out in the tests' matrix):

    (not started) ─save─► draft ─submit─► submitted ─approve─► approved ─accept─► accepted
                                  ▲            │                   │                  │
                                  └─ returned ◄┴── return ─────────┴──────────────────┘

- submit: the unit's reporter or the office, from draft or returned; every required figure
  present, no blocking check finding, every warning acknowledged with a comment.
- approve: the unit's approver or the office, from submitted.
- accept: the office, from approved.
- return (a comment is required): the office from submitted, approved or accepted; the unit's
  approver from submitted only (back to their reporter). Reporters never return.
- While a unit's figures are submitted, approved or accepted, only the office changes them; a change
  after acceptance needs a reason, kept in the figure's history (`history_change_reason`).
- While a month is locked nothing of it changes: no figure, no transition.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from saima.common import formatting as fmt
from saima.common.engine_text import say
from saima.common.text import NOTE_LENGTH
from saima.engine import Period
from saima.metrics.models import Indicator, Observation
from saima.metrics.services import to_decimal
from saima.org.access import Access
from saima.org.models import Unit
from saima.reporting import calendar, checking, selectors
from saima.reporting.checking import Finding
from saima.reporting.models import (
    Acknowledgement,
    PeriodLockEvent,
    Reminder,
    ReportingPeriod,
    Submission,
)

Status = Submission.Status
#: States in which the unit's reporter may change figures.
REPORTER_EDITABLE = (Status.DRAFT, Status.RETURNED)
#: Longest reason kept with a changed figure (django-simple-history's change-reason column).
REASON_LENGTH = 100

FigureKey = tuple[str, str, int, int]


@dataclass(frozen=True)
class FigureRow:
    """One figure as any path hands it in: unit and indicator codes, the month, the values."""

    unit_code: str
    indicator_code: str
    year: int
    month: int
    value: Decimal | None
    last_year_value: Decimal | None = None
    growth: Decimal | None = None
    note: str = ""

    @property
    def key(self) -> FigureKey:
        return (self.unit_code, self.indicator_code, self.year, self.month)


@dataclass
class SaveResult:
    """What `figures_save` stored (changed rows only) and what the checks found on every row."""

    stored: list[Observation] = field(default_factory=list)
    unchanged: list[FigureKey] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def unacknowledged(self) -> list[Finding]:
        return [f for f in self.findings if f.needs_acknowledgement and not f.acknowledged]


class FiguresRefused(ValidationError):
    """`figures_save` refused every row; `row_errors` maps row index (0-based) to messages.
    `findings` holds the checks' other findings (warnings, notes) when the rows got as far as
    the checks, so a form can show every problem of a figure at once."""

    def __init__(self, row_errors: dict[int, list[str]], findings: list | None = None):
        self.row_errors = dict(sorted(row_errors.items()))
        self.findings = list(findings or [])
        super().__init__({f"rows.{index}": messages for index, messages in self.row_errors.items()})


class WorkflowError(ValidationError):
    """A transition the submission's state or the month's lock does not allow (400)."""


# --- Helpers ---------------------------------------------------------------------------------


def _label(year: int, month: int) -> str:
    return Period(year, month).label


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _user_name(user) -> str:
    return fmt.person(user) if user is not None else _("someone")


def _locked_message(sched: calendar.Schedule) -> str:
    return _("%(period)s is locked (by %(who)s at %(when)s: %(reason)s); nothing can change.") % {
        "period": sched.period.label,
        "who": sched.locked_by or _("someone"),
        "when": _when(sched.locked_at),
        "reason": sched.lock_reason or _("no reason given"),
    }


def check_not_locked(year: int, month: int) -> None:
    sched = calendar.schedule(year, month)
    if sched.locked:
        raise WorkflowError(_locked_message(sched))


def _lock_submission(unit: Unit, year: int, month: int) -> Submission:
    """The unit's submission row for the month, created as a draft if missing, locked FOR UPDATE."""
    submission, _created = Submission.objects.get_or_create(unit=unit, year=year, month=month)
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _figure_text(value: Decimal | None) -> str:
    if value is None:
        return _("blank")
    return "0" if value == 0 else format(value.normalize(), "f")


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class _Prepared:
    index: int
    row: FigureRow
    unit: Unit
    indicator: Indicator
    value: Decimal | None
    last_year_value: Decimal | None
    growth: Decimal | None
    note: str


def _clean_row(index: int, row: FigureRow, units: dict, indicators: dict, errors) -> _Prepared:
    unit, indicator = units.get(row.unit_code), indicators.get(row.indicator_code)
    if unit is None:
        errors[index].append(
            _("There is no unit with the code %(code)s.") % {"code": row.unit_code}
        )
    if indicator is None:
        errors[index].append(
            _("There is no indicator with the code %(code)s.") % {"code": row.indicator_code}
        )
    elif indicator.computed:
        errors[index].append(
            _("%(indicator)s is computed from other records; no one reports it.")
            % {"indicator": indicator.name}
        )
    numbers = {}
    for name in ("value", "last_year_value", "growth"):
        try:
            numbers[name] = to_decimal(getattr(row, name), field=name)
        except ValidationError as exc:
            numbers[name] = None
            errors[index].extend(m for ms in exc.message_dict.values() for m in ms)
    value = numbers["value"]
    note = (row.note or "").strip()
    if len(note) > NOTE_LENGTH:
        errors[index].append(
            _("The note is longer than %(limit)s characters.") % {"limit": NOTE_LENGTH}
        )
    negative = value is not None and value < 0
    if negative and indicator is not None and indicator.kind != Indicator.Kind.GROWTH:
        errors[index].append(_("A cumulative figure cannot be negative."))
    return _Prepared(
        index,
        row,
        unit,
        indicator,
        value,
        numbers["last_year_value"],
        numbers["growth"],
        note,
    )


def _check_row_allowed(
    item: _Prepared, access: Access, today: date, locks: dict, submissions: dict, errors
) -> None:
    """Permission, future month, lock and submission state of one row."""
    row, unit = item.row, item.unit
    if not (1 <= row.month <= 12 and 1990 <= row.year <= 2100):
        errors[item.index].append(
            _("%(year)s-%(month)s is not a month.") % {"year": row.year, "month": row.month}
        )
        return
    if not access.can_edit_figures(unit.pk):
        errors[item.index].append(_("You may not enter figures for %(unit)s.") % {"unit": unit})
        return
    if (row.year, row.month) > (today.year, today.month):
        errors[item.index].append(
            _("%(period)s is in the future.") % {"period": _label(row.year, row.month)}
        )
        return
    sched = locks[(row.year, row.month)]
    if sched.locked:
        errors[item.index].append(_locked_message(sched))
        return
    submission = submissions.get((unit.pk, row.year, row.month))
    if submission and submission.status not in REPORTER_EDITABLE and not access.is_office:
        errors[item.index].append(
            _(
                "The figures of %(unit)s for %(period)s are %(status)s; ask for them to be "
                "returned before changing them."
            )
            % {
                "unit": unit,
                "period": _label(row.year, row.month),
                "status": submission.get_status_display(),
            }
        )


def _changed(item: _Prepared, stored: Observation | None) -> bool:
    if stored is None:
        return any(v is not None for v in (item.value, item.last_year_value, item.growth)) or bool(
            item.note
        )
    return (
        stored.value != item.value
        or stored.last_year_value != item.last_year_value
        or stored.growth != item.growth
        or stored.note != item.note
    )


def _conflict_message(stored: Observation) -> str:
    return _("Changed by %(who)s at %(when)s to %(value)s; reload.") % {
        "who": _user_name(stored.entered_by),
        "when": _when(stored.entered_at),
        "value": _figure_text(stored.value),
    }


def figures_save(
    *,
    access: Access,
    user,
    rows: list[FigureRow],
    source: str,
    expected_versions: dict | None = None,
    acknowledgements: dict | None = None,
    change_reason: str = "",
    today: date | None = None,
) -> SaveResult:
    """Check and store figures: every row or none (FiguresRefused with per-row messages).

    `expected_versions`: {(unit_code, indicator_code, year, month): version the editor saw}
    (0 for a figure that did not exist); a figure stored since is refused with who changed it.
    `acknowledgements`: {(unit_code, indicator_code, year, month, check): comment} for the
    check warnings the person has explained. `source` (web, xlsx, api, import...) is kept in the
    figure's history with the reason. Unchanged rows are not written (their version stays).
    """
    try:
        with transaction.atomic():
            return _figures_save(
                access=access,
                user=user,
                rows=rows,
                source=source,
                expected=expected_versions or {},
                acknowledged=acknowledgements or {},
                reason=(change_reason or "").strip(),
                today=today or calendar.today(),
            )
    except IntegrityError:
        # Two people created the same figure at once: the later one reloads.
        raise FiguresRefused(
            {0: [_("Someone else stored one of these figures at the same time; reload.")]}
        ) from None


def _figures_save(*, access, user, rows, source, expected, acknowledged, reason, today):
    errors: dict[int, list[str]] = defaultdict(list)
    units = Unit.objects.in_bulk({r.unit_code for r in rows}, field_name="code")
    indicators = Indicator.objects.in_bulk({r.indicator_code for r in rows}, field_name="code")
    prepared = [_clean_row(i, row, units, indicators, errors) for i, row in enumerate(rows)]
    if len(reason) > REASON_LENGTH:
        errors[0].append(_("Keep the reason to %(n)s characters.") % {"n": REASON_LENGTH})
    seen: dict[FigureKey, int] = {}
    for item in prepared:
        if item.row.key in seen:
            errors[item.index].append(
                _("The same figure is also in row %(row)s.") % {"row": seen[item.row.key] + 1}
            )
        seen.setdefault(item.row.key, item.index)
    if errors:
        raise FiguresRefused(errors)

    months = {(r.year, r.month) for r in rows if 1 <= r.month <= 12 and 1990 <= r.year <= 2100}
    locks = {m: calendar.schedule(*m) for m in months}
    submissions = _lock_submissions(prepared, access)
    for item in prepared:
        _check_row_allowed(item, access, today, locks, submissions, errors)
    if errors:
        raise FiguresRefused(errors)

    stored = _lock_observations(prepared)
    changed = [item for item in prepared if _changed(item, stored.get(item.row.key))]
    for item in prepared:
        current = stored.get(item.row.key)
        want = expected.get(item.row.key)
        if want is not None and int(want) != (current.version if current else 0):
            errors[item.index].append(
                _conflict_message(current) if current else _("This figure was removed; reload.")
            )
    accepted = {
        key for key, s in submissions.items() if s is not None and s.status == Status.ACCEPTED
    }
    for item in changed:
        if (item.unit.pk, item.row.year, item.row.month) in accepted and not reason:
            errors[item.index].append(
                _("%(unit)s's figures for %(period)s are accepted: give a reason for the change.")
                % {"unit": item.unit, "period": _label(item.row.year, item.row.month)}
            )
    findings = checking.findings_for_rows(prepared_rows(prepared))
    blocking_keys = {item.row.key for item in changed}
    for finding in findings:
        if finding.blocking and finding.key in blocking_keys:
            errors[seen[finding.key]].append(say(finding.message))
    if errors:
        raise FiguresRefused(errors, [f for f in findings if not f.blocking])

    result = SaveResult()
    history_reason = reason or (f"{source}" if source else "")
    for item in prepared:
        if item in changed:
            result.stored.append(_write(item, stored.get(item.row.key), user, history_reason))
        else:
            result.unchanged.append(item.row.key)
    for item in changed:
        _ensure_submission(item, submissions)
    observations = dict(stored)
    for observation in result.stored:
        key = (
            observation.unit.code,
            observation.indicator.code,
            observation.year,
            observation.month,
        )
        observations[key] = observation
    result.findings = _acknowledge(findings, observations, acknowledged, user)
    return result


def prepared_rows(prepared: list[_Prepared]) -> list[checking.CandidateFigure]:
    return [
        checking.CandidateFigure(
            unit=item.unit,
            indicator=item.indicator,
            year=item.row.year,
            month=item.row.month,
            value=item.value,
            last_year_value=item.last_year_value,
            growth=item.growth,
            note=item.note,
        )
        for item in prepared
    ]


def _lock_submissions(prepared: list[_Prepared], access: Access) -> dict:
    """The existing submission rows of the rows' unit × months, locked in a stable order."""
    keys = sorted({(item.unit.pk, item.row.year, item.row.month) for item in prepared})
    found: dict = dict.fromkeys(keys)
    if not keys:
        return found
    unit_ids = {k[0] for k in keys}
    years = {k[1] for k in keys}
    for submission in (
        Submission.objects.select_for_update()
        .filter(unit_id__in=unit_ids, year__in=years)
        .order_by("pk")
    ):
        key = (submission.unit_id, submission.year, submission.month)
        if key in found:
            found[key] = submission
    return found


def _ensure_submission(item: _Prepared, submissions: dict) -> None:
    key = (item.unit.pk, item.row.year, item.row.month)
    if submissions.get(key) is None:
        submissions[key] = _lock_submission(item.unit, item.row.year, item.row.month)


def _lock_observations(prepared: list[_Prepared]) -> dict[FigureKey, Observation]:
    """The stored figures the rows name, locked FOR UPDATE (one query)."""
    keys = {item.row.key for item in prepared}
    unit_ids = {item.unit.pk for item in prepared}
    indicator_ids = {item.indicator.pk for item in prepared}
    years = {item.row.year for item in prepared}
    found = (
        Observation.objects.select_for_update(of=("self",))
        # Not `entered_by`: a row re-read after waiting for its lock keeps stale joined columns.
        .select_related("unit", "indicator")
        .filter(unit_id__in=unit_ids, indicator_id__in=indicator_ids, year__in=years)
        .order_by("pk")
    )
    result = {}
    for observation in found:
        key = (
            observation.unit.code,
            observation.indicator.code,
            observation.year,
            observation.month,
        )
        if key in keys:
            result[key] = observation
    return result


def _write(item: _Prepared, stored: Observation | None, user, reason: str) -> Observation:
    observation = stored or Observation(
        unit=item.unit, indicator=item.indicator, year=item.row.year, month=item.row.month
    )
    observation.value = item.value
    observation.last_year_value = item.last_year_value
    observation.growth = item.growth
    observation.note = item.note
    observation.entered_by = user
    observation.version = (stored.version if stored else 0) + 1
    observation._history_user = user
    if reason:
        observation._change_reason = reason
    # Uniqueness is the database's job here: a racing insert is an IntegrityError (a conflict).
    observation.full_clean(validate_unique=False, validate_constraints=False)
    observation.save()
    return observation


def _acknowledge(findings, observations, acknowledged, user) -> list[Finding]:
    """Store the comments given for warnings; mark every finding acknowledged or not."""
    marked = []
    stored_acks = checking.current_acknowledgements(observations.values())
    for finding in findings:
        comment = str(acknowledged.get((*finding.key, finding.check), "") or "").strip()
        observation = observations.get(finding.key)
        done = (
            observation is not None
            and (observation.pk, finding.check, observation.value) in stored_acks
        )
        if finding.needs_acknowledgement and comment and observation is not None:
            Acknowledgement.objects.create(
                observation=observation,
                check_code=finding.check,
                value=observation.value,
                message=finding.message,
                comment=comment,
                by=user,
            )
            done = True
        marked.append(finding.with_acknowledged(done))
    return marked


# --- Workflow ----------------------------------------------------------------------------------


def _state_error(submission: Submission, verb: str, allowed: tuple[str, ...]) -> WorkflowError:
    names = ", ".join(str(Status(s).label) for s in allowed)
    return WorkflowError(
        _(
            "The figures of %(unit)s for %(period)s are %(status)s: they can be %(verb)s only when "
            "%(allowed)s."
        )
        % {
            "unit": submission.unit,
            "period": _label(submission.year, submission.month),
            "status": submission.get_status_display(),
            "verb": verb,
            "allowed": names,
        }
    )


def _start(access: Access, unit: Unit, year: int, month: int, allowed: bool, what: str):
    if not allowed:
        raise PermissionDenied(
            _("You may not %(what)s the figures of %(unit)s.") % {"what": what, "unit": unit}
        )
    check_not_locked(year, month)
    return _lock_submission(unit, year, month)


def _record(submission: Submission, user, **fields) -> Submission:
    for name, value in fields.items():
        setattr(submission, name, value)
    submission._history_user = user
    submission.save()
    return submission


@transaction.atomic
def submission_submit(
    *, access: Access, user, unit: Unit, year: int, month: int, today: date | None = None
) -> Submission:
    """Send a unit's figures for the month to its approver (reporter or office)."""
    submission = _start(access, unit, year, month, access.can_edit_figures(unit.pk), _("submit"))
    if submission.status not in REPORTER_EDITABLE:
        raise _state_error(submission, _("submitted"), REPORTER_EDITABLE)
    problems = submit_problems(unit, year, month)
    if problems:
        raise WorkflowError(problems)
    return _record(
        submission, user, status=Status.SUBMITTED, submitted_by=user, submitted_at=timezone.now()
    )


def submit_problems(unit: Unit, year: int, month: int) -> list[str]:
    """Why the unit's figures for the month cannot be submitted yet (empty: they can)."""
    required = selectors.required_indicators([unit.pk], year, month).get(unit.pk, [])
    if not required:
        return [
            _("%(unit)s has no figures to report for %(period)s.")
            % {"unit": unit, "period": _label(year, month)}
        ]
    present = set(
        Observation.objects.filter(
            unit=unit, year=year, month=month, value__isnull=False
        ).values_list("indicator_id", flat=True)
    )
    problems = [
        _("%(indicator)s is missing.") % {"indicator": indicator}
        for indicator in required
        if indicator.pk not in present
    ]
    for finding in checking.findings_for_unit(unit, year, month):
        if finding.blocking:
            problems.append(f"{finding.indicator_name}: {say(finding.message)}")
        elif finding.needs_acknowledgement and not finding.acknowledged:
            problems.append(
                _("%(indicator)s: %(message)s — explain it with a comment before submitting.")
                % {"indicator": finding.indicator_name, "message": say(finding.message)}
            )
    return problems


@transaction.atomic
def submission_approve(*, access: Access, user, unit: Unit, year: int, month: int) -> Submission:
    """The unit's approver (or the office) vouches for submitted figures."""
    allowed = access.can_approve_figures(unit.pk)
    submission = _start(access, unit, year, month, allowed, _("approve"))
    if submission.status != Status.SUBMITTED:
        raise _state_error(submission, _("approved"), (Status.SUBMITTED,))
    return _record(
        submission, user, status=Status.APPROVED, approved_by=user, approved_at=timezone.now()
    )


@transaction.atomic
def submission_accept(*, access: Access, user, unit: Unit, year: int, month: int) -> Submission:
    """The office takes approved figures in."""
    submission = _start(access, unit, year, month, access.is_office, _("accept"))
    if submission.status != Status.APPROVED:
        raise _state_error(submission, _("accepted"), (Status.APPROVED,))
    return _record(
        submission, user, status=Status.ACCEPTED, accepted_by=user, accepted_at=timezone.now()
    )


@transaction.atomic
def submission_return(
    *, access: Access, user, unit: Unit, year: int, month: int, comment: str
) -> Submission:
    """Send figures back to the reporter with a comment (the office, or the unit's approver)."""
    allowed = access.can_approve_figures(unit.pk)
    submission = _start(access, unit, year, month, allowed, _("return"))
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Say why the figures go back: a comment is required."))
    if len(comment) > NOTE_LENGTH:
        raise WorkflowError(
            _("The comment is longer than %(limit)s characters.") % {"limit": NOTE_LENGTH}
        )
    states = (
        (Status.SUBMITTED, Status.APPROVED, Status.ACCEPTED)
        if access.is_office
        else (Status.SUBMITTED,)
    )
    if submission.status not in states:
        raise _state_error(submission, _("returned"), states)
    return _record(
        submission,
        user,
        status=Status.RETURNED,
        returned_by=user,
        returned_at=timezone.now(),
        return_comment=comment,
    )


TRANSITIONS = {
    "submit": submission_submit,
    "approve": submission_approve,
    "accept": submission_accept,
    "return": submission_return,
}


def submission_transition(
    *, access: Access, user, unit: Unit, year: int, month: int, action: str, comment: str = ""
) -> Submission:
    """Run the transition named `action` (submit, approve, accept, return)."""
    if action not in TRANSITIONS:
        raise WorkflowError(_("%(action)s is not a step of the workflow.") % {"action": action})
    extra = {"comment": comment} if action == "return" else {}
    return TRANSITIONS[action](access=access, user=user, unit=unit, year=year, month=month, **extra)


# --- Calendar and locks -------------------------------------------------------------------------


def _require_office(access: Access) -> None:
    if not access.is_office:
        raise PermissionDenied(_("Only the office may do this."))


def _period_row(year: int, month: int) -> ReportingPeriod:
    opens_on, due_on = calendar.default_dates(year, month)
    row, _created = ReportingPeriod.objects.get_or_create(
        year=year, month=month, defaults={"opens_on": opens_on, "due_on": due_on}
    )
    return ReportingPeriod.objects.select_for_update().get(pk=row.pk)


@transaction.atomic
def reporting_period_set(
    *, access: Access, user, year: int, month: int, opens_on: date, due_on: date
) -> ReportingPeriod:
    """Set a month's opening and due dates (the office)."""
    _require_office(access)
    if due_on < opens_on:
        raise ValidationError({"due_on": _("The due date comes after the opening date.")})
    row = _period_row(year, month)
    row.opens_on, row.due_on = opens_on, due_on
    row.save(update_fields=["opens_on", "due_on"])
    return row


@transaction.atomic
def period_lock(
    *, access: Access, user, year: int, month: int, reason: str = ""
) -> ReportingPeriod:
    """Freeze a month: no figure and no submission of it changes until it is unlocked."""
    _require_office(access)
    row = _period_row(year, month)
    if row.locked:
        raise WorkflowError(_("%(period)s is already locked.") % {"period": _label(year, month)})
    row.locked_at, row.locked_by, row.lock_reason = timezone.now(), user, (reason or "").strip()
    row.save(update_fields=["locked_at", "locked_by", "lock_reason"])
    PeriodLockEvent.objects.create(
        year=year, month=month, action=PeriodLockEvent.Action.LOCK, by=user, reason=row.lock_reason
    )
    return row


@transaction.atomic
def period_unlock(*, access: Access, user, year: int, month: int, reason: str) -> ReportingPeriod:
    """Open a locked month again; the reason is required and recorded."""
    _require_office(access)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the period is unlocked.")})
    row = _period_row(year, month)
    if not row.locked:
        raise WorkflowError(_("%(period)s is not locked.") % {"period": _label(year, month)})
    row.locked_at, row.locked_by, row.lock_reason = None, None, ""
    row.save(update_fields=["locked_at", "locked_by", "lock_reason"])
    PeriodLockEvent.objects.create(
        year=year, month=month, action=PeriodLockEvent.Action.UNLOCK, by=user, reason=reason
    )
    return row


# --- Reminders ---------------------------------------------------------------------------------

#: Statuses that still owe the office figures.
OWING = ("not_started", "draft", "returned")


def reminder_kind(sched: calendar.Schedule, today: date) -> str | None:
    """Which reminder a month calls for today: due soon (N days before, up to the due day),
    overdue (after it), or none."""
    if sched.locked or today < sched.opens_on:
        return None
    if today > sched.due_on:
        return Reminder.Kind.OVERDUE
    if (sched.due_on - today).days <= calendar.REMIND_DAYS_BEFORE:
        return Reminder.Kind.DUE_SOON
    return None


def reminders_send(*, today: date | None = None, access: Access | None = None) -> list[Reminder]:
    """Email every unit that owes figures for a recent month; once a day per unit × month × kind.

    `saima remind` (a scheduled job) calls it without `access`; the board's button passes the
    office's, and only the office may send.

    "Due soon" goes once per month, in the REMIND_DAYS_BEFORE days up to the due date;
    "overdue" goes every day after it until the figures are submitted.
    """
    if access is not None:
        _require_office(access)
    today = today or calendar.today()
    sent: list[Reminder] = []
    year, month = today.year, today.month
    connection = get_connection()
    for _step in range(calendar.REMIND_LOOKBACK_MONTHS):
        year, month = calendar.previous_month(year, month)
        sched = calendar.schedule(year, month)
        kind = reminder_kind(sched, today)
        if kind is None:
            continue
        for row in selectors.status_rows(year, month):
            if row.base_status not in OWING:
                continue
            reminder = _remind(row.unit, sched, kind, today, connection)
            if reminder is not None:
                sent.append(reminder)
    return sent


def _remind(unit: Unit, sched: calendar.Schedule, kind: str, today: date, connection):
    previous = Reminder.objects.filter(unit=unit, year=sched.year, month=sched.month, kind=kind)
    if previous.filter(sent_on=today).exists():
        return None
    if kind == Reminder.Kind.DUE_SOON and previous.exists():
        return None
    recipients = selectors.unit_emails(unit)
    if not recipients:
        return None
    subject, body = reminder_text(unit, sched, kind)
    with transaction.atomic():
        try:
            reminder = Reminder.objects.create(
                unit=unit,
                year=sched.year,
                month=sched.month,
                kind=kind,
                sent_on=today,
                recipients=recipients,
            )
        except IntegrityError:  # another run got there first
            return None
        EmailMessage(subject, body, to=recipients, connection=connection).send()
    return reminder


def reminder_text(unit: Unit, sched: calendar.Schedule, kind: str) -> tuple[str, str]:
    values = {"unit": unit, "period": sched.period.label, "due": sched.due_on.isoformat()}
    if kind == Reminder.Kind.OVERDUE:
        subject = (
            _("[Saima] Overdue: %(unit)s's figures for %(period)s were due on %(due)s") % values
        )
        body = (
            _(
                "The figures of %(unit)s for %(period)s were due on %(due)s and have not been "
                "submitted yet. Please enter and submit them as soon as possible."
            )
            % values
        )
    else:
        subject = _("[Saima] %(unit)s's figures for %(period)s are due on %(due)s") % values
        body = (
            _(
                "The figures of %(unit)s for %(period)s are due on %(due)s. Please enter and "
                "submit them before then."
            )
            % values
        )
    return subject, body
