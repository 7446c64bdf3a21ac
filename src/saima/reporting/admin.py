"""The reporting cycle in the admin: the office reads everything; only the calendar's dates are
edited here, through the service. Locks, workflow steps, acknowledgements and reminders change
through the services (pages, API, `remind`), so that each is checked and recorded."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from saima.org.admin import ReadOnlyAdmin, ServiceAdmin
from saima.reporting import services
from saima.reporting.models import (
    Acknowledgement,
    PeriodLockEvent,
    Reminder,
    ReportingPeriod,
    Submission,
)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ServiceAdmin):
    """The calendar's dates, through `reporting_period_set`; locks change on the board."""

    list_display = ("year", "month", "opens_on", "due_on", "locked_at", "locked_by")
    list_filter = ("year",)
    fields = ("year", "month", "opens_on", "due_on")

    @staticmethod
    def write(access, user, period, data):
        if period is not None and (period.year, period.month) != (data["year"], data["month"]):
            raise ValidationError(_("A month's dates stay with their month; add another month."))
        return services.reporting_period_set(access=access, user=user, **data)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("unit", "year", "month", "status", "submitted_at", "approved_at", "accepted_at")
    list_filter = ("year", "month", "status")
    list_select_related = ("unit",)
    search_fields = ("unit__code", "unit__name_zh", "unit__name_en")


@admin.register(PeriodLockEvent)
class PeriodLockEventAdmin(ReadOnlyAdmin):
    list_display = ("year", "month", "action", "by", "at", "reason")
    list_filter = ("year", "action")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("observation", "check_code", "comment", "by", "at")
    list_filter = ("check_code",)
    list_select_related = ("observation__unit", "observation__indicator", "by")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "month", "kind", "sent_at", "recipients")
    list_filter = ("year", "month", "kind")
    list_select_related = ("unit",)
