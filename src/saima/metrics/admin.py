"""Configuration of indicators and targets for the office, with each change's history; every write
goes through `saima.metrics.services`, figures are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from saima.metrics import services
from saima.metrics.models import Indicator, Observation, Target
from saima.org.admin import ReadOnlyAdmin, ServiceAdmin


@admin.register(Indicator)
class IndicatorAdmin(ServiceAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "direction", "measure_zh", "frequency")
    list_filter = ("kind", "direction", "frequency")
    search_fields = ("code", "name_zh", "name_en")
    fields = services.INDICATOR_FIELDS

    @staticmethod
    def write(access, user, indicator, data):
        return services.indicator_save(access=access, user=user, indicator=indicator, **data)


@admin.register(Target)
class TargetAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ("unit", "indicator", "year", "value", "not_applicable")
    list_filter = ("year", "indicator")
    list_select_related = ("unit", "indicator")
    search_fields = ("unit__code", "unit__name_zh", "indicator__code")
    fields = ("unit", "indicator", "year", "value", "not_applicable", "last_year_total")

    @staticmethod
    def write(access, user, target, data):
        if target is not None and (target.unit_id, target.indicator_id, target.year) != (
            data["unit"].pk,
            data["indicator"].pk,
            data["year"],
        ):
            raise ValidationError(
                _("A target's unit, indicator and year stay as they are; add another target.")
            )
        return services.target_set(access=access, user=user, **data)


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    # Figures change only through the reporting path (checks, locks, workflow, versions):
    # the office reads them and their history here, and edits them in the reporting pages.

    list_display = ("unit", "indicator", "year", "month", "value", "entered_by", "entered_at")
    list_filter = ("year", "month", "indicator")
    list_select_related = ("unit", "indicator", "entered_by")
    search_fields = ("unit__code", "unit__name_zh", "indicator__code")
    readonly_fields = ("entered_by", "entered_at")
