"""Writes of people, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from saima.org.models import ApiToken, Membership, Role, Unit

TOKEN_PREFIX = "saima_"


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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
