"""Fixtures of the bulletins' tests: the world's race published for Q1 and Q2, and a draft."""

from __future__ import annotations

import pytest

from saima.bulletins import services
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.results.services import race_publish


@pytest.fixture
def office(world) -> Access:
    return Access.for_user(world.user("office"))


@pytest.fixture
def published(world, race, office):
    """Q1 and Q2 published (Q2 against Q1, so ranks change); the Q2 publication."""
    race_publish(office, race, parse_period("2026-Q1"))
    return race_publish(office, race, parse_period("2026-Q2"))


@pytest.fixture
def draft(published, race, office):
    """A draft of the Q2 race bulletin with its document fields filled in."""
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    return services.bulletin_edit(
        office,
        bulletin,
        office="青河市重点工作推进办公室",
        prefix="青重办发",
        number="12",
        recipients="各区、县人民政府",
    )
