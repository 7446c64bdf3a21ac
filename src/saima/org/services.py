"""Writes of race groups, units, people, roles and API tokens: the only place they change.

The office's configuration pages (the admin) call these too, so a unit's parent can never be its
own descendant and a role always fits its unit, whichever page or script makes the change.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.org.access import Access, require_office
from saima.org.models import ApiToken, Membership, RaceGroup, Role, Unit

TOKEN_PREFIX = "saima_"
#: A token's last use is recorded at most this often.
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: list[tuple[str, Unit | None]],
    email: str = "",
    is_staff: bool = False,
):
    """Create a person with their roles (office, leader, or reporter/approver of a unit)."""
    user = get_user_model().objects.create_user(
        username=username, password=password, email=email, is_staff=is_staff
    )
    for role, unit in roles:
        Membership.objects.create(user=user, role=Role(role), unit=unit)
    return user


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token; the key is returned once and only its hash is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[: len(TOKEN_PREFIX) + 6], digest=_digest(key)
    )
    return token, key


def api_token_user(key: str):
    """The active user a token belongs to, or None for a wrong, revoked or inactive token."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        # Recorded at most once a resolution: a read through the API is not a write each time.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token; revoking it again changes nothing (the first date stands)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def race_group_save(
    *,
    access: Access,
    group: RaceGroup | None = None,
    code: str,
    name_zh: str,
    name_en: str,
    order: int = 0,
) -> RaceGroup:
    """Create or change a race group (the office)."""
    require_office(access)
    group = RaceGroup() if group is None else RaceGroup.objects.select_for_update().get(pk=group.pk)
    group.code, group.name_zh, group.name_en, group.order = code, name_zh, name_en, order
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def unit_save(
    *,
    access: Access,
    unit: Unit | None = None,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    parent: Unit | None = None,
    race_group: RaceGroup | None = None,
    active: bool = True,
    order: int = 0,
) -> Unit:
    """Create or change a unit (the office). Its parent may not be itself or one of its own
    units: the tree of units has no loop."""
    require_office(access)
    unit = Unit() if unit is None else Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.pk is not None and parent is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == unit.pk:
                raise ValidationError(
                    {"parent": _("A unit cannot belong to itself or to one of its own units.")}
                )
            ancestor = ancestor.parent
    unit.code, unit.name_zh, unit.name_en, unit.kind = code, name_zh, name_en, kind
    unit.parent, unit.race_group, unit.active, unit.order = parent, race_group, active, order
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def membership_save(
    *,
    access: Access,
    membership: Membership | None = None,
    user,
    role: str,
    unit: Unit | None = None,
) -> Membership:
    """Give a person a role (the office): a unit's reporter or approver names the unit; the
    office and leaders name none."""
    require_office(access)
    if role in (Role.REPORTER, Role.APPROVER) and unit is None:
        raise ValidationError({"unit": _("A reporter or approver belongs to a unit.")})
    if role in (Role.OFFICE, Role.LEADER) and unit is not None:
        raise ValidationError({"unit": _("The office and leaders see every unit: name none.")})
    if membership is None:
        membership = Membership()
    else:
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.user, membership.role, membership.unit = user, role, unit
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_delete(*, access: Access, membership: Membership) -> None:
    """Take a role away from a person (the office)."""
    require_office(access)
    Membership.objects.filter(pk=membership.pk).delete()
