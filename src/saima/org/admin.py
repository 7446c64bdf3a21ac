"""Configuration pages for the office: units, race groups, people's roles, API tokens.

The admin is the office's tool: every model admin here asks the same `Access` as the pages do, so
a leader or a unit's reporter cannot use it even if marked as staff.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from saima.org.access import access_of
from saima.org.models import ApiToken, Membership, RaceGroup, Unit


def _office_only(request) -> bool:
    """The admin site is the office's: its role opens it, a staff flag alone does not."""
    return request.user.is_active and access_of(request).is_office


admin.site.has_permission = _office_only
admin.site.site_header = _("Saima configuration")
admin.site.site_title = _("Saima")


class OfficeOnlyAdmin(admin.ModelAdmin):
    """Model admin open to the office administrator only."""

    def has_module_permission(self, request) -> bool:
        return access_of(request).is_office

    def has_view_permission(self, request, obj=None) -> bool:
        return access_of(request).is_office

    def has_add_permission(self, request) -> bool:
        return access_of(request).is_office

    def has_change_permission(self, request, obj=None) -> bool:
        return access_of(request).is_office

    def has_delete_permission(self, request, obj=None) -> bool:
        return access_of(request).is_office


class ReadOnlyAdmin(OfficeOnlyAdmin):
    """For records written only by services (figures, workflow steps): the office reads them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RaceGroup)
class RaceGroupAdmin(OfficeOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "order")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Unit)
class UnitAdmin(OfficeOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "parent", "race_group", "active")
    list_filter = ("kind", "race_group", "active")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("parent", "race_group")


@admin.register(Membership)
class MembershipAdmin(OfficeOnlyAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    list_select_related = ("user", "unit")
    autocomplete_fields = ("unit",)


@admin.register(ApiToken)
class ApiTokenAdmin(OfficeOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_select_related = ("user",)
