"""API routes for units, race groups and the caller's own API tokens; the API's two auth kinds.

Every route accepts either a signed-in session (CSRF enforced on unsafe methods) or a per-user
token (`Authorization: Bearer saima_...`). The token is tried first, so a script never trips the
session's CSRF check, and a wrong or revoked token is refused with 401 outright rather than falling
back to the session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from pydantic import AfterValidator

from saima.common.api import ERRORS, Code, Id, Status
from saima.common.text import storable_problem
from saima.org.access import access_of, readable_unit
from saima.org.models import ApiToken, RaceGroup, Unit
from saima.org.services import api_token_create, api_token_revoke, api_token_user

router = Router(tags=["org"])


# --- Authentication ------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer saima_...`: a per-user token; wrong or revoked is a 401."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token.strip())
        if user is None:
            raise AuthenticationError(message=_("The API token is wrong, revoked or inactive."))
        request.user = user  # so access_of(request) and history see the token's owner
        request.saima_token = True
        return user


class SessionAuth(NinjaSessionAuth):
    """Ninja's `django_auth`, consulted only for a signed-in session.

    An anonymous request then gets 401 (not a CSRF 403 first); a signed-in one still has CSRF
    checked on unsafe methods by the parent class.
    """

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def authenticators() -> list:
    """The API's auth, tried in order: the bearer token first, then the session."""
    return [TokenAuth(), SessionAuth()]


# --- Shared types and schemas ---------------------------------------------------------------------


# --- Units and race groups -----------------------------------------------------------------------


class RaceGroupOut(Schema):
    code: str
    name_zh: str
    name_en: str
    order: int


class UnitOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent: str | None
    race_group: str | None
    active: bool


def unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name_zh=unit.name_zh,
        name_en=unit.name_en,
        kind=unit.kind,
        parent=unit.parent.code if unit.parent_id else None,
        race_group=unit.race_group.code if unit.race_group_id else None,
        active=unit.active,
    )


@router.get("/units", response={200: list[UnitOut], **ERRORS})
def list_units(request):
    """The units the caller may read."""
    return [unit_out(unit) for unit in access_of(request).units()]


@router.get("/units/{code}", response={200: UnitOut, **ERRORS})
def get_unit(request, code: Code):
    return unit_out(readable_unit(access_of(request), code))


@router.get("/race-groups", response={200: list[RaceGroupOut], **ERRORS})
def list_race_groups(request):
    return [
        RaceGroupOut(code=g.code, name_zh=g.name_zh, name_en=g.name_en, order=g.order)
        for g in RaceGroup.objects.all()
    ]


# --- Tokens --------------------------------------------------------------------------------------


def _token_name(value: str) -> str:
    problem = storable_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class TokenIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_token_name)]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The token itself: shown this once, never again.")


def _token_fields(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def own_token(request, token_id: Id) -> ApiToken:
    """The caller's own token (404 for anyone else's, so ids reveal nothing)."""
    token = ApiToken.objects.filter(pk=token_id, user_id=request.user.pk).first()
    if token is None:
        raise Http404(_("You have no API token with the id %(id)s.") % {"id": token_id})
    return token


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def list_tokens(request):
    """The caller's own tokens, without their keys (only hashes are kept)."""
    tokens = ApiToken.objects.filter(user_id=request.user.pk).order_by("created_at", "pk")
    return [TokenOut(**_token_fields(token)) for token in tokens]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
def create_token(request, payload: TokenIn):
    """A new token for the caller; the key is in this response only. Needs a session."""
    if getattr(request, "saima_token", False):
        raise PermissionDenied(_("A token cannot create tokens; sign in to create one."))
    name = payload.name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    token, key = api_token_create(user=request.user, name=name)
    return Status(201, TokenCreatedOut(**_token_fields(token), key=key))


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
def revoke_token(request, token_id: Id):
    """Revoke one of the caller's tokens (revoking twice changes nothing)."""
    token = own_token(request, token_id)
    if token.revoked_at is None:
        api_token_revoke(token=token)
    return Status(204, None)
