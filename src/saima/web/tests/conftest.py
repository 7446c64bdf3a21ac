"""Helpers shared by the page tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Pages judge "the future" by today's date: fix it, so the tests do not age."""
    from datetime import date

    from saima.common import periods

    fixed = date(2026, 11, 25)
    monkeypatch.setattr(periods.timezone, "localdate", lambda: fixed)
    return fixed
