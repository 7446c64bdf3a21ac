"""Configuration of indicators and targets for the office, with each change's history."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from saima.metrics.models import Indicator, Observation, Target
from saima.org.admin import OfficeOnlyAdmin, ReadOnlyAdmin


@admin.register(Indicator)
class IndicatorAdmin(OfficeOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "direction", "measure_zh", "frequency")
    list_filter = ("kind", "direction", "frequency")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Target)
class TargetAdmin(OfficeOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("unit", "indicator", "year", "value", "not_applicable")
    list_filter = ("year", "indicator")
    list_select_related = ("unit", "indicator")
    search_fields = ("unit__code", "unit__name_zh", "indicator__code")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    # Figures change only through the reporting path (checks, locks, workflow, versions):
    # the office reads them and their history here, and edits them in the reporting pages.

    list_display = ("unit", "indicator", "year", "month", "value", "entered_by", "entered_at")
    list_filter = ("year", "month", "indicator")
    list_select_related = ("unit", "indicator", "entered_by")
    search_fields = ("unit__code", "unit__name_zh", "indicator__code")
    readonly_fields = ("entered_by", "entered_at")
