"""Helpers shared by the page tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_user(client, world):
    """A client signed in as one of the world's personas (or anonymous)."""

    def sign_in(name: str):
        if name != "anonymous":
            client.force_login(world.user(name))
        return client

    return sign_in


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Pages judge "the future" by today's date: fix it, so the tests do not age."""
    from datetime import date

    from saima.web import periods

    fixed = date(2026, 11, 25)
    monkeypatch.setattr(periods.timezone, "localdate", lambda: fixed)
    return fixed
