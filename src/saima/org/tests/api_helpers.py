"""Helpers for the API tests: a client per persona and auth kind, and a database snapshot."""

from __future__ import annotations

import json

from django.test import Client

from saima.metrics.models import Observation, Target
from saima.org.models import ApiToken
from saima.org.services import api_token_create

AUTH_KINDS = ("session", "token")


def client_for(world, persona: str, auth: str = "session") -> Client:
    """A test client signed in as `persona` by session, or carrying a fresh token of theirs."""
    if persona == "anonymous":
        return Client()
    user = world.user(persona)
    if auth == "session":
        client = Client()
        client.force_login(user)
        return client
    _token, key = api_token_create(user=user, name=f"{persona} test token")
    return Client(headers={"Authorization": f"Bearer {key}"})


def call(client: Client, method: str, path: str, body: object = None, *, raw: bytes | None = None):
    """One request; a body goes as JSON (or as raw bytes, to send something that is not JSON)."""
    if raw is not None:
        return client.generic(method, path, raw, content_type="application/json")
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def snapshot() -> dict:
    """Everything a write could change: figures, targets, their history, tokens."""
    return {
        "observations": sorted(
            Observation.objects.values_list(
                "unit_id",
                "indicator_id",
                "year",
                "month",
                "value",
                "last_year_value",
                "growth",
                "note",
                "entered_by_id",
            )
        ),
        "observation_history": Observation.history.count(),
        "targets": sorted(
            Target.objects.values_list(
                "unit_id", "indicator_id", "year", "value", "not_applicable", "last_year_total"
            )
        ),
        "target_history": Target.history.count(),
        "tokens": sorted(ApiToken.objects.values_list("id", "user_id", "name", "revoked_at")),
    }
