"""Races in the admin: the office reads everything here. Definitions, the register, statements
and objections change through the races' pages and API (their services check and record each
change); published results never change at all."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from saima.org.admin import ReadOnlyAdmin
from saima.races.models import (
    Adjustment,
    Evidence,
    LaggardStatement,
    ManualScore,
    Objection,
    Publication,
    RaceDefinition,
)


@admin.register(RaceDefinition)
class RaceDefinitionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "year", "rhythm", "revision", "active")
    list_filter = ("year", "rhythm", "active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("race", "period", "version", "published_at", "published_by", "reason")
    list_filter = ("race", "period")
    list_select_related = ("race", "published_by")
    exclude = ("inputs", "standings", "explanation")


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("race", "unit", "category", "date", "points", "veto", "withdrawn_at")
    list_filter = ("race", "category", "veto")
    list_select_related = ("race", "unit")


@admin.register(ManualScore)
class ManualScoreAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("race", "period", "unit", "item", "points")
    list_filter = ("race", "period")
    list_select_related = ("race", "unit")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "content_type", "size", "uploaded_by", "uploaded_at")
    exclude = ("data",)


@admin.register(LaggardStatement)
class LaggardStatementAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("publication", "unit", "status", "commitment_date")
    list_filter = ("status",)
    list_select_related = ("publication__race", "unit")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("publication", "unit", "status", "filed_at", "answered_at")
    list_filter = ("status",)
    list_select_related = ("publication__race", "unit")
