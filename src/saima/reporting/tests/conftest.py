"""Helpers shared by the reporting tests: a fixed today, access per persona, figure rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from saima.org.access import Access

#: The tests' today: October 2026 was due on 2026-11-08, so it is late for whoever has not sent it.
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Pages and services judge "today" by `timezone.localdate`: fix it, so tests do not age."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def access_of_persona(world):
    """The `Access` of a persona of the world (or of nobody, for "anonymous")."""

    def access(name: str) -> Access:
        if name == "anonymous":
            return Access(user_id=None)
        return Access.for_user(world.user(name))

    return access


def rows_for(unit: str, year: int, month: int, values: dict) -> list:
    """FigureRows for one unit and month: {indicator: value}."""
    from saima.reporting.services import FigureRow

    return [
        FigureRow(unit, code, year, month, None if value is None else Decimal(str(value)))
        for code, value in values.items()
    ]


#: A complete, plausible October 2026 for East District (one figure per indicator).
EAST_OCTOBER = {"fai": "120.5", "ivag": "7.7", "pm25": "30.5", "projects": "24"}


def save(world, persona: str, unit: str, month: int, values: dict, **kwargs):
    """figures_save as a persona, for one unit and month of 2026."""
    from saima.reporting.services import figures_save

    user = world.user(persona)
    return figures_save(
        access=Access.for_user(user),
        user=user,
        rows=rows_for(unit, 2026, month, values),
        source="test",
        **kwargs,
    )


def set_status(world, unit: str, month: int, status: str):
    """Put a unit's month straight into a workflow state (the start of a transition test)."""
    from saima.reporting.models import Submission

    submission, _created = Submission.objects.update_or_create(
        unit=world.units[unit], year=2026, month=month, defaults={"status": status}
    )
    return submission
