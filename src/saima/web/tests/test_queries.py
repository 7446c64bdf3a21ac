"""Pages that list many units do not run a query per unit or per cell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saima.metrics.models import Observation, Target
from saima.org.models import Unit

PAGES = [
    "/?period=2026-06",
    "/units/?period=2026-06",
    "/units/east/?period=2026-06",
    "/indicators/?period=2026-06",
    "/indicators/fai/?period=2026-06",
    "/",  # the default period is looked up
]
#: The most queries any page may run (session, user, roles, figures, indicators, periods..., and
#: with each data version the fingerprint of the records computed figures come from: projects,
#: supervision; the unit's page also lists the unit's open supervision items).
MAX_QUERIES = 15


def _add_units(world, count: int) -> None:
    """`count` more districts with targets and figures for every indicator, 2025 and 2026."""
    units = Unit.objects.bulk_create(
        Unit(
            code=f"extra{i}",
            name_zh=f"新区{i}",
            name_en=f"Extra District {i}",
            kind="district",
            race_group=world.groups["districts"],
            order=10 + i,
        )
        for i in range(count)
    )
    targets, figures = [], []
    for unit in units:
        for indicator in world.indicators.values():
            targets.append(Target(unit=unit, indicator=indicator, year=2026, value=Decimal(100)))
            for year, months in ((2025, range(1, 13)), (2026, range(1, 7))):
                figures += [
                    Observation(
                        unit=unit, indicator=indicator, year=year, month=m, value=Decimal(5 * m)
                    )
                    for m in months
                ]
    Target.objects.bulk_create(targets)
    Observation.objects.bulk_create(figures)


def _count(client, path: str) -> int:
    """Queries of a request that computes its figures (not one served from the cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", PAGES)
def test_queries_do_not_grow_with_units(client, world, path, django_assert_max_num_queries):
    client.force_login(world.user("office"))
    before = _count(client, path)
    _add_units(world, 20)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path)
    assert response.status_code == 200
    assert _count(client, path) == before
    if path.startswith("/?"):
        assert response.content.decode().count("Extra District") >= 20


@pytest.mark.parametrize("path", PAGES)
def test_reporter_queries_are_bounded(client, world, path, django_assert_max_num_queries):
    _add_units(world, 20)
    client.force_login(world.user("east_reporter"))
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(path).status_code == 200
