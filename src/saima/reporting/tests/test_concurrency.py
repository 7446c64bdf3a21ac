"""Many people at once, on PostgreSQL (SQLite serialises writers, so it proves nothing there).

Every thread has its own database connection, closed when it is done; the data is committed
(`transactional_db`) so the threads see it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from saima.metrics.models import Observation, Target
from saima.org.access import Access
from saima.org.models import Unit
from saima.reporting import services
from saima.reporting.models import Submission
from saima.reporting.services import FigureRow

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
)
UNITS = 200
#: Threads at a time: well under PostgreSQL's default 100 connections.
WORKERS = 32


def run_at_once(jobs: list, workers: int = WORKERS) -> list:
    """Run the callables from a pool, all released together; each closes its connections."""
    gate = threading.Event()

    def run(job):
        gate.wait()
        try:
            return job()
        except ValidationError as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        gate.set()
        return [future.result(timeout=120) for future in futures]


@pytest.fixture
def many_units(committed_world):
    """200 more districts, each with a target and a complete June 2026."""
    fai = committed_world.indicators["fai"]
    units = Unit.objects.bulk_create(
        Unit(code=f"d{i:03d}", name_zh=f"区{i}", name_en=f"District {i}", kind="district")
        for i in range(UNITS)
    )
    Target.objects.bulk_create(
        Target(unit=u, indicator=fai, year=2026, value=Decimal(100)) for u in units
    )
    Observation.objects.bulk_create(
        Observation(unit=u, indicator=fai, year=2026, month=6, value=Decimal(60)) for u in units
    )
    return units


def test_200_submissions_at_once_each_stored_once(committed_world, many_units):
    office = committed_world.user("office")
    access = Access.for_user(office)

    def submit(unit: Unit):
        return lambda: services.submission_submit(
            access=access, user=office, unit=unit, year=2026, month=6
        )

    # Every unit submitted twice at the same moment: one wins, the other is refused.
    jobs = [submit(unit) for unit in many_units for _twice in range(2)]
    results = run_at_once(jobs)
    won = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, services.WorkflowError)]
    assert len(won) == UNITS and len(refused) == UNITS, [
        r for r in results if not isinstance(r, Submission | services.WorkflowError)
    ]
    assert sorted(s.unit_id for s in won) == sorted(u.pk for u in many_units)
    stored = Submission.objects.filter(unit__in=many_units, year=2026, month=6)
    assert stored.count() == UNITS
    assert set(stored.values_list("status", flat=True)) == {"submitted"}
    assert all("already" not in str(r) for r in refused)


def test_two_people_saving_the_same_figure(committed_world, many_units):
    office, reporter = committed_world.user("office"), committed_world.user("east_reporter")
    key = ("east", "fai", 2026, 6)

    def save(user, value: str):
        row = FigureRow("east", "fai", 2026, 6, Decimal(value))
        return lambda: services.figures_save(
            access=Access.for_user(user),
            user=user,
            rows=[row],
            source="test",
            expected_versions={key: 0},
        )

    for attempt in range(5):
        results = run_at_once([save(office, f"8{attempt}"), save(reporter, f"9{attempt}")], 2)
        saved = [r for r in results if isinstance(r, services.SaveResult)]
        refused = [r for r in results if isinstance(r, services.FiguresRefused)]
        assert len(saved) == 1 and len(refused) == 1, results
        (message,) = refused[0].row_errors[0]
        stored = Observation.objects.get(
            unit__code="east", indicator__code="fai", year=2026, month=6
        )
        assert stored.version == 1
        assert message.startswith(f"Changed by {stored.entered_by.username} at ")
        assert message.endswith(f" to {format(stored.value.normalize(), 'f')}; reload.")
        Observation.objects.filter(pk=stored.pk).update(version=0)


def test_two_people_creating_the_same_figure(committed_world, many_units):
    office, reporter = committed_world.user("office"), committed_world.user("east_reporter")
    key = ("east", "fai", 2026, 10)

    def save(user, value: str):
        row = FigureRow("east", "fai", 2026, 10, Decimal(value))
        return lambda: services.figures_save(
            access=Access.for_user(user),
            user=user,
            rows=[row],
            source="test",
            expected_versions={key: 0},
        )

    results = run_at_once([save(office, "120"), save(reporter, "121")], 2)
    assert sorted(type(r).__name__ for r in results) == ["FiguresRefused", "SaveResult"]
    assert Observation.objects.filter(unit__code="east", year=2026, month=10).count() == 1
