"""Who may see and change what: one place, used by every view, API route and admin page.

The office administrator sees and changes everything; a leader sees everything and changes
nothing; a unit's reporter sees its units and edits their figures; a unit's approver sees its units
and approves their figures. Scoping lives here and in the selectors that take an `Access`, never
only in templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from saima.org.models import Membership, Role, Unit


@dataclass(frozen=True)
class Access:
    """What one signed-in person may do, computed once per request."""

    user_id: int | None
    roles: frozenset[str] = frozenset()
    reporter_units: frozenset[int] = field(default_factory=frozenset)
    approver_units: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user) -> Access:
        if user is None or not user.is_authenticated:
            return cls(user_id=None)
        memberships = list(Membership.objects.filter(user=user).values_list("role", "unit_id"))
        roles = {role for role, _unit in memberships}
        if user.is_superuser:
            roles.add(Role.OFFICE)
        return cls(
            user_id=user.pk,
            roles=frozenset(roles),
            reporter_units=frozenset(u for r, u in memberships if r == Role.REPORTER),
            approver_units=frozenset(u for r, u in memberships if r == Role.APPROVER),
        )

    @property
    def is_office(self) -> bool:
        return Role.OFFICE in self.roles

    @property
    def sees_everything(self) -> bool:
        return self.is_office or Role.LEADER in self.roles

    @property
    def own_units(self) -> frozenset[int]:
        return self.reporter_units | self.approver_units

    @property
    def role_names(self) -> list[str]:
        return [str(Role(r).label) for r in sorted(self.roles)]

    def can_read_unit(self, unit_id: int) -> bool:
        return self.sees_everything or unit_id in self.own_units

    def can_edit_figures(self, unit_id: int) -> bool:
        return self.is_office or unit_id in self.reporter_units

    def can_approve_figures(self, unit_id: int) -> bool:
        return self.is_office or unit_id in self.approver_units

    def units(self) -> QuerySet[Unit]:
        """The units this person may read."""
        units = Unit.objects.filter(active=True).select_related("race_group", "parent")
        return units if self.sees_everything else units.filter(pk__in=self.own_units)


def access_of(request) -> Access:
    """The request's Access, computed once per request."""
    access = getattr(request, "saima_access", None)
    if access is None or access.user_id != getattr(request.user, "pk", None):
        access = Access.for_user(request.user)
        request.saima_access = access
    return access


def readable_unit(access: Access, code: str) -> Unit:
    """The unit named by `code`, if it exists and this person may read it (404 / 403)."""
    unit = Unit.objects.select_related("race_group", "parent").filter(code=code).first()
    if unit is None:
        raise Http404(_("There is no unit with the code %(code)s.") % {"code": code})
    if not access.can_read_unit(unit.pk):
        raise PermissionDenied(_("You may not see the figures of %(unit)s.") % {"unit": unit})
    return unit


def require_office(access: Access) -> None:
    if not access.is_office:
        raise PermissionDenied(_("Only the office may do this."))
