"""Reads of the reporting cycle: who owes what, the status board, and a unit's form rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from saima.engine.frames import SCHEDULED_KINDS
from saima.metrics.models import Indicator, Observation, Target
from saima.org.models import Membership, Role, Unit
from saima.reporting import calendar
from saima.reporting.models import Reminder, Submission

#: Every status the board shows, in its order; "late" is past due and not yet submitted.
STATUSES = {
    "not_started": _("not started"),
    "draft": _("draft"),
    "submitted": _("submitted"),
    "approved": _("approved"),
    "accepted": _("accepted"),
    "returned": _("returned"),
    "late": _("late"),
}
#: Underlying statuses that turn "late" after the due date.
NOT_YET_SUBMITTED = ("not_started", "draft", "returned")


def reports_in(indicator: Indicator, month: int) -> bool:
    """Whether the indicator is reported for this month (quarterly ones at quarter ends;
    January is folded into February when the two are combined; one computed from other records
    is never reported)."""
    if indicator.computed:
        return False
    if indicator.frequency == Indicator.Frequency.QUARTERLY and month % 3:
        return False
    return not (indicator.combined_jan_feb and month == 1)


def required_indicators(unit_ids, year: int, month: int) -> dict[int, list[Indicator]]:
    """The indicators each unit must report for the month: those with an applicable target."""
    targets = (
        Target.objects.filter(unit_id__in=unit_ids, year=year, not_applicable=False)
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code")
    )
    found: dict[int, list[Indicator]] = defaultdict(list)
    for target in targets:
        if reports_in(target.indicator, month):
            found[target.unit_id].append(target.indicator)
    return dict(found)


def reporting_units(year: int):
    """Active units with at least one applicable target in the year (the city itself has none)."""
    with_targets = Target.objects.filter(year=year, not_applicable=False).values("unit_id")
    return Unit.objects.filter(active=True, pk__in=with_targets).select_related("race_group")


@dataclass
class StatusRow:
    """One unit on the board."""

    unit: Unit
    base_status: str
    late: bool
    submission: Submission | None
    figures: int
    required: int
    reminders: list[Reminder] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "late" if self.late else self.base_status

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def base_label(self) -> str:
        return str(STATUSES[self.base_status])


def status_rows(year: int, month: int, *, today: date | None = None) -> list[StatusRow]:
    """Every reporting unit's status for the month, in a fixed number of queries."""
    today = today or calendar.today()
    sched = calendar.schedule(year, month)
    units = list(reporting_units(year))
    ids = [u.pk for u in units]
    submissions = {
        s.unit_id: s
        for s in Submission.objects.filter(unit_id__in=ids, year=year, month=month).select_related(
            "submitted_by", "approved_by", "accepted_by", "returned_by"
        )
    }
    counts = dict(
        Observation.objects.filter(unit_id__in=ids, year=year, month=month, value__isnull=False)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    required = required_indicators(ids, year, month)
    reminders = defaultdict(list)
    for reminder in Reminder.objects.filter(unit_id__in=ids, year=year, month=month):
        reminders[reminder.unit_id].append(reminder)
    rows = []
    for unit in units:
        submission = submissions.get(unit.pk)
        figures = counts.get(unit.pk, 0)
        if submission is not None:
            base = submission.status
        else:
            base = "draft" if figures else "not_started"
        late = sched.is_past_due(today) and base in NOT_YET_SUBMITTED
        rows.append(
            StatusRow(
                unit,
                base,
                late,
                submission,
                figures,
                len(required.get(unit.pk, [])),
                reminders[unit.pk],
            )
        )
    return rows


def recent_reminders(limit: int = 20) -> list[Reminder]:
    """The reminders sent last, newest first: when, for which month, to which unit and whom."""
    return list(Reminder.objects.select_related("unit").order_by("-sent_at", "-pk")[:limit])


@dataclass
class BoardGroup:
    name: str
    rows: list[StatusRow]


@dataclass
class StatusBoard:
    schedule: calendar.Schedule
    today: date
    groups: list[BoardGroup]
    counts: dict[str, int]
    late: list[StatusRow]

    @property
    def rows(self) -> list[StatusRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def count_items(self) -> list[tuple[str, str, int]]:
        return [(key, str(label), self.counts[key]) for key, label in STATUSES.items()]


def _group_key(unit: Unit) -> tuple:
    group = unit.race_group
    head = (1, 0, "") if group is None else (0, group.order, group.code)
    return (*head, unit.order, unit.code)


def status_board(year: int, month: int, *, today: date | None = None) -> StatusBoard:
    """The board of a month: units by race group, counts per status, who is late."""
    today = today or calendar.today()
    rows = sorted(status_rows(year, month, today=today), key=lambda r: _group_key(r.unit))
    groups: dict = {}
    for row in rows:
        group = row.unit.race_group
        name = group.name if group else str(_("Not in a race group"))
        groups.setdefault(group.pk if group else None, BoardGroup(name, [])).rows.append(row)
    counted = Counter(row.status for row in rows)
    return StatusBoard(
        schedule=calendar.schedule(year, month),
        today=today,
        groups=list(groups.values()),
        counts={key: counted.get(key, 0) for key in STATUSES},
        late=[row for row in rows if row.late],
    )


def unit_emails(unit: Unit) -> list[str]:
    """Email addresses of the unit's reporters and approvers (active people with one)."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(
                unit=unit, role__in=[Role.REPORTER, Role.APPROVER]
            ).values("user_id"),
        )
        .exclude(email="")
    )
    return sorted({user.email for user in users})


def submission_of(unit: Unit, year: int, month: int) -> Submission | None:
    return (
        Submission.objects.filter(unit=unit, year=year, month=month)
        .select_related("submitted_by", "approved_by", "accepted_by", "returned_by")
        .first()
    )


@dataclass
class FormRow:
    """One indicator of a unit's form: what was reported before and what is stored now."""

    indicator: Indicator
    observation: Observation | None
    previous: Observation | None
    last_year: Observation | None
    history: list = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.observation.version if self.observation else 0

    @property
    def shows_growth(self) -> bool:
        # Amounts and counts are reported with their growth; a growth figure already is one.
        return self.indicator.kind in SCHEDULED_KINDS


def form_rows(unit: Unit, year: int, month: int) -> list[FormRow]:
    """The indicators the unit reports for the month, each with its figures (four queries)."""
    indicators = required_indicators([unit.pk], year, month).get(unit.pk, [])
    prev_year, prev_month = calendar.previous_month(year, month)
    wanted = Q(year=year, month=month) | Q(year=year - 1, month=month)
    if prev_year == year:
        wanted |= Q(year=year, month=prev_month)
    found = {
        (o.indicator_id, o.year, o.month): o
        for o in Observation.objects.filter(wanted, unit=unit).select_related("entered_by")
    }
    history = defaultdict(list)
    current = [o.pk for (i, y, m), o in found.items() if (y, m) == (year, month)]
    for record in (
        Observation.history.filter(id__in=current)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    ):
        history[record.indicator_id].append(record)
    return [
        FormRow(
            indicator=indicator,
            observation=found.get((indicator.pk, year, month)),
            previous=found.get((indicator.pk, year, prev_month)) if prev_year == year else None,
            last_year=found.get((indicator.pk, year - 1, month)),
            history=history[indicator.pk],
        )
        for indicator in indicators
    ]


@dataclass
class CalendarMonth:
    """One month of the reporting calendar."""

    schedule: calendar.Schedule
    due: list[Indicator]

    @property
    def label(self) -> str:
        return self.schedule.period.label

    @property
    def monthly(self) -> list[Indicator]:
        return [i for i in self.due if i.frequency != Indicator.Frequency.QUARTERLY]

    @property
    def quarterly(self) -> list[Indicator]:
        return [i for i in self.due if i.frequency == Indicator.Frequency.QUARTERLY]


def calendar_months(year: int) -> list[CalendarMonth]:
    """The twelve months of a year: dates, lock, and the indicators reported for each (quarterly
    ones at quarter ends only, January folded into February where combined, computed never)."""
    indicators = list(Indicator.objects.order_by("order", "code"))
    return [
        CalendarMonth(
            calendar.schedule(year, month), [i for i in indicators if reports_in(i, month)]
        )
        for month in range(1, 13)
    ]
