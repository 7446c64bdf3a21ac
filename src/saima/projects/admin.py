"""Key projects in the admin: the office reads them here; every change goes through the pages,
the API or an import (the services), so that it is checked and recorded with who and when."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from saima.org.admin import ReadOnlyAdmin
from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    ProjectSettings,
    StageChange,
    WeeklyPhoto,
    WeeklyProblem,
    WeeklyReport,
)


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name", "unit", "stage", "stage_since", "leader_name", "active")
    list_filter = ("stage", "category", "level", "active")
    list_select_related = ("unit",)
    search_fields = ("code", "name", "name_en", "owner")


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ("project", "previous", "stage", "date", "reason", "by", "at")
    list_filter = ("stage",)
    list_select_related = ("project", "by")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "code", "name", "planned", "actual", "proposed_at")
    list_filter = ("code",)
    list_select_related = ("project",)
    search_fields = ("project__code", "name")


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "year", "amount", "updated_by", "updated_at")
    list_filter = ("year",)
    list_select_related = ("project", "updated_by")


@admin.register(InvestmentActual)
class InvestmentActualAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "year", "month", "value", "entered_by", "entered_at")
    list_filter = ("year", "month")
    list_select_related = ("project", "entered_by")


@admin.register(WeeklyReport)
class WeeklyReportAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "year", "week", "reported_by", "reported_at")
    list_filter = ("year", "week")
    list_select_related = ("project", "reported_by")


@admin.register(WeeklyPhoto)
class WeeklyPhotoAdmin(ReadOnlyAdmin):
    list_display = ("report", "name", "content_type", "size", "uploaded_by", "uploaded_at")
    exclude = ("data",)


@admin.register(WeeklyProblem)
class WeeklyProblemAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "year", "week", "status", "supervision_item_id", "updated_at")
    list_filter = ("status", "year")
    list_select_related = ("project",)


@admin.register(ProjectSettings)
class ProjectSettingsAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("__str__", "soon_days", "rate_basis", "updated_by", "updated_at")
