"""The demo city's supervision: about forty items from every source, some overdue at each step of
the ladder, two rectification lists, and the on-time closure rate scored by the race."""

from __future__ import annotations

import datetime
import tomllib

import pytest

from saima.demo import load_demo
from saima.demo.race import DEMO_RACE_TOML
from saima.testing import assert_month_by_month, keep

AS_OF = datetime.date(2026, 11, 25)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def kept_city(django_db_setup, django_db_blocker):
    with keep(django_db_blocker):
        yield load_demo(as_of=AS_OF)


@pytest.fixture
def city(kept_city, db):
    return kept_city


def test_items_from_every_source_in_every_state(city) -> None:
    from saima.supervision.models import Escalation, Item, Source, Status

    items = Item.objects.all()
    assert 35 <= items.count() <= 45
    assert set(items.values_list("source", flat=True)) == set(Source.values)
    assert set(items.values_list("status", flat=True)) == set(Status.values)
    steps = set(Escalation.objects.values_list("action", flat=True))
    assert steps == {"reminder", "bulletin", "interview"}
    assert items.filter(extended_to__isnull=False).count() >= 2


def test_two_rectification_lists_with_a_completion_rate(city) -> None:
    from saima.org.access import Access
    from saima.org.models import Role
    from saima.supervision.selectors import rectification_lists

    office = Access(user_id=None, roles=frozenset({Role.OFFICE}))
    lists = rectification_lists(office)
    assert len(lists) == 2
    assert all(row["due"] > 0 and row["rate"] is not None for row in lists)


def test_the_race_scores_the_on_time_closure_rate_and_its_weights_sum_to_100(city) -> None:
    from saima.races.models import Publication

    rules = tomllib.loads(DEMO_RACE_TOML.format(year=2026))
    assert sum(i["weight"] for i in rules["indicator"]) == 100
    assert "sv-closure" in {i["code"] for i in rules["indicator"]}
    latest = Publication.objects.order_by("-period", "-version").first()
    codes = {row["indicator"] for row in latest.explanation}
    assert "sv-closure" in codes


def test_the_ledger_page_of_the_demo(city, client) -> None:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="leader"))
    page = client.get("/supervision/")
    assert page.status_code == 200
    assert page.content.decode().count("data-overdue=") >= 5


def test_a_months_figures_do_not_depend_on_the_months_asked_with_it(city) -> None:
    from saima.supervision import figures

    assert_month_by_month(figures._compute)
