"""The supervision items of the test world, built through the services as the office on a fixed
today (2026-06-10, a Wednesday)."""

from __future__ import annotations

import datetime

import pytest

from saima.org.access import Access

TODAY = datetime.date(2026, 6, 10)


@pytest.fixture
def today(monkeypatch):
    """Fix the office's today (the services and pages read `timezone.localdate`)."""
    from django.utils import timezone

    day = {"value": TODAY}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day["value"])

    class Clock:
        def __call__(self) -> datetime.date:
            return day["value"]

        def set(self, value: datetime.date) -> None:
            day["value"] = value

    return Clock()


def access(world, name: str = "office") -> Access:
    return Access.for_user(world.user(name))


def item_data(world, **changes):
    from saima.supervision.services import ItemData

    fields = {
        "title": "推进老旧小区改造",
        "task": "完成东城区三个老旧小区改造的开工手续",
        "source": "meeting",
        "lead_unit": world.units["east"],
        "co_units": [world.units["west"]],
        "leader": world.user("leader"),
        "deadline": TODAY + datetime.timedelta(days=30),
        "level": "key",
        "rhythm": "weekly",
    }
    fields.update(changes)
    return ItemData(**fields)


def make_item(world, **changes):
    from saima.supervision.services import item_create

    return item_create(
        access=access(world), user=world.user("office"), data=item_data(world, **changes)
    )


@pytest.fixture
def item(world, today):
    return make_item(world)
