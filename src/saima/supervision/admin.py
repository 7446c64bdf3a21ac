"""The office reads supervision's records in the admin; the settings (days to acknowledge, the
escalation ladder...) are saved through `services.settings_save`. Items, their timeline and the
rectification lists are written only by the services (the pages and the API)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from saima.org.admin import ReadOnlyAdmin, ServiceAdmin
from saima.supervision import services
from saima.supervision.models import (
    Escalation,
    Event,
    Extension,
    Item,
    Rectification,
    RectificationList,
    SupervisionSettings,
)


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "source", "lead_unit", "deadline", "status")
    list_filter = ("status", "source", "level")
    search_fields = ("reference", "title")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "day", "unit", "by")
    list_filter = ("kind",)


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("item", "new_deadline", "requested_on", "decision", "decided_on")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("item", "step", "action", "since", "taken_on")
    list_filter = ("action",)


@admin.register(RectificationList)
class RectificationListAdmin(ReadOnlyAdmin):
    list_display = ("title", "source", "reference", "created_on")


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("problem", "unit", "deadline", "status", "verified_on")
    list_filter = ("status",)


def _write_settings(access, user, obj, data) -> SupervisionSettings:
    return services.settings_save(
        access=access,
        user=user,
        ack_working_days=data["ack_working_days"],
        closure=data["closure"],
        continuing=data["continuing"],
        decimals=data["decimals"],
        ladder_steps=data.get("ladder") or [],
    )


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(ServiceAdmin, SimpleHistoryAdmin):
    fields = ("ack_working_days", "closure", "continuing", "decimals", "ladder")
    write = staticmethod(_write_settings)
