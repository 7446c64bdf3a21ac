"""Configuration pages for the office: units, race groups, people's roles, API tokens.

The admin is the office's tool: every model admin here asks the same `Access` as the pages do, so
a leader or a unit's reporter cannot use it even if marked as staff. It is not a second way to
write: a model the office changes here has a `ServiceAdmin`, whose every save and delete goes
through the app's service (the same checks and history as the pages and the API); every other
model is read-only (`ReadOnlyAdmin`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from saima.org import services
from saima.org.access import Access, access_of
from saima.org.models import ApiToken, Membership, RaceGroup, Unit


def _office_only(request) -> bool:
    """The admin site is the office's: its role opens it, a staff flag alone does not."""
    return request.user.is_active and access_of(request).is_office


admin.site.has_permission = _office_only
# Roles are Memberships; Django's permission groups play no part in who may do what.
admin.site.unregister(Group)
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


class _Rehearsal(Exception):
    """Rolls back a service call made only to learn whether it would refuse."""


class ServiceAdmin(OfficeOnlyAdmin):
    """A model admin whose writes are the app's services.

    `write(access, user, obj, data)`, a static method, saves through the service and returns the
    saved object (`obj` is None when adding; `data` the form's cleaned fields);
    `erase(access, user, obj)`, when given, deletes through the service (otherwise nothing can
    be deleted here). Before saving, the form rehearses the write in a transaction that is rolled
    back, so whatever the service refuses is shown on the form, field by field, and nothing is
    stored.
    """

    write: Callable[[Access, Any, Any, dict[str, Any]], models.Model]
    erase: Callable[[Access, Any, Any], None] | None = None

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.erase is not None and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        write, access, original = self.write, access_of(request), obj

        class ServiceForm(form_class):
            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                try:
                    with transaction.atomic():
                        write(access, request.user, original, data)
                        raise _Rehearsal
                except _Rehearsal:
                    pass
                except ValidationError as exc:
                    _add_errors(self, exc)
                return data

        return ServiceForm

    def save_model(self, request, obj, form, change) -> None:
        saved = self.write(
            access_of(request), request.user, obj if change else None, form.cleaned_data
        )
        # The admin goes on with `obj` (its log entry, its redirect): make it the saved object.
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding, obj._state.db = False, saved._state.db

    def save_related(self, request, form, formsets, change) -> None:
        """Relations are the service's to write; a ServiceAdmin has no inlines."""

    def delete_model(self, request, obj) -> None:
        self.erase(access_of(request), request.user, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: by field where the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@admin.register(RaceGroup)
class RaceGroupAdmin(ServiceAdmin):
    list_display = ("code", "name_zh", "name_en", "order")
    search_fields = ("code", "name_zh", "name_en")
    fields = ("code", "name_zh", "name_en", "order")

    @staticmethod
    def write(access, user, group, data):
        return services.race_group_save(access=access, group=group, **data)


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "parent", "race_group", "active")
    list_filter = ("kind", "race_group", "active")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("parent", "race_group")
    fields = ("code", "name_zh", "name_en", "kind", "parent", "race_group", "active", "order")

    @staticmethod
    def write(access, user, unit, data):
        return services.unit_save(access=access, unit=unit, **data)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    list_select_related = ("user", "unit")
    autocomplete_fields = ("unit",)
    fields = ("user", "role", "unit")

    @staticmethod
    def write(access, user, membership, data):
        return services.membership_save(access=access, membership=membership, **data)

    @staticmethod
    def erase(access, user, membership):
        services.membership_delete(access=access, membership=membership)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """A token is made by its owner (the key is shown to them once); the office may revoke."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and access_of(request).is_office  # the list's action, no edit form

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
