"""The reporting cycle: the calendar, each unit's submission per month, locks, acknowledgements
of check warnings, and the reminders sent.

A period here is one month of cumulative figures (`2026-10` = January–October 2026), named by its
year and month as `metrics.Observation` is.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.metrics.models import Observation
from saima.org.models import Unit, person_field


def _year():
    return models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )


def _month():
    return models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )


class ReportingPeriod(models.Model):
    """The office's dates for one month's figures, and whether the month is locked.

    A month without a row follows the default rule of `saima.reporting.calendar`.
    """

    year = _year()
    month = _month()
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = person_field(verbose_name=_("locked by"))
    lock_reason = models.TextField(_("reason for the lock"), blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="reporting_period_unique"),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")),
                name="reporting_period_due_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class PeriodLockEvent(models.Model):
    """One lock or unlock of a month: who, when and why."""

    class Action(models.TextChoices):
        LOCK = "lock", _("locked")
        UNLOCK = "unlock", _("unlocked")

    year = _year()
    month = _month()
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    by = person_field(verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("period lock event")
        verbose_name_plural = _("period lock events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.get_action_display()}"


class Submission(models.Model):
    """One unit's figures for one month, moving through the workflow.

    draft → submitted → approved → accepted; the unit's approver may return a submitted report,
    the office may return a submitted, approved or accepted one (→ returned, then submitted again).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    unit = models.ForeignKey(Unit, related_name="submissions", on_delete=models.CASCADE)
    year = _year()
    month = _month()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_by = person_field(verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = person_field(verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    accepted_by = person_field(verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    returned_by = person_field(verbose_name=_("returned by"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_comment = models.TextField(_("reason for the return"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"], name="submission_unique_unit_month"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}-{self.month:02d} · {self.get_status_display()}"


class Acknowledgement(models.Model):
    """A check warning on a figure that a person has looked at and explained."""

    observation = models.ForeignKey(
        Observation, related_name="acknowledgements", on_delete=models.CASCADE
    )
    check_code = models.CharField(_("check"), max_length=64)
    value = models.DecimalField(
        _("value acknowledged"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    message = models.TextField(_("finding"), blank=True)
    comment = models.TextField(_("comment"))
    by = person_field(verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.observation} · {self.check_code}"


class Reminder(models.Model):
    """An email sent to a unit about one month's figures (before or after the due date)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    unit = models.ForeignKey(Unit, related_name="reminders", on_delete=models.CASCADE)
    year = _year()
    month = _month()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month", "kind", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}-{self.month:02d} · {self.get_kind_display()}"
