"""Fixtures of the bulletins' tests: the world's race published for Q1 and Q2, and a draft.

Both are made once per test module and kept (`kept_published`, `kept_draft`, see
`saima.testing.keep`); each test gets them afresh from the database, and what it writes is rolled
back after it.
"""

from __future__ import annotations

import pytest

from saima.bulletins import services
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.results.services import race_publish
from saima.testing import keep


@pytest.fixture
def office(world) -> Access:
    return Access.for_user(world.user("office"))


@pytest.fixture(scope="module")
def kept_published(kept_world, kept_race, django_db_blocker):
    """Q1 and Q2 published (Q2 against Q1, so ranks change), once for the module's tests."""
    office = Access.for_user(kept_world.user("office"))
    with keep(django_db_blocker):
        race_publish(office, kept_race, parse_period("2026-Q1"))
        yield race_publish(office, kept_race, parse_period("2026-Q2"))


@pytest.fixture
def published(kept_published, race):
    """The kept Q2 publication, fetched afresh for the test."""
    from saima.races.models import Publication

    return Publication.objects.get(pk=kept_published.pk)


@pytest.fixture(scope="module")
def kept_draft(kept_world, kept_race, kept_published, django_db_blocker):
    """A draft of the Q2 race bulletin with its document fields filled in, once for the module's
    tests."""
    office = Access.for_user(kept_world.user("office"))
    with keep(django_db_blocker):
        bulletin = services.bulletin_draft(office, race=kept_race, kind="race", period="2026-Q2")
        yield services.bulletin_edit(
            office,
            bulletin,
            office="青河市重点工作推进办公室",
            prefix="青重办发",
            number="12",
            recipients="各区、县人民政府",
        )


@pytest.fixture
def draft(kept_draft, published):
    """The kept draft, fetched afresh for the test."""
    from saima.bulletins.models import Bulletin

    return Bulletin.objects.get(pk=kept_draft.pk)
