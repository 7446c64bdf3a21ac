"""Data kept through a module's tests (`saima.testing.keep`) is as built for every test: what a
test writes, and what it changes in memory, is gone for the next; a test that asks for no kept
data sees none, wherever it stands in the module."""

from __future__ import annotations

from decimal import Decimal

from saima.metrics.models import Observation
from saima.org.models import Unit
from saima.races.models import Publication, RaceDefinition
from saima.testing import make_race

#: The world's figures: 3 units × 4 indicators × 18 months, less North County's June 2026.
FIGURES = 3 * 4 * 18 - 4


def test_a_test_changes_the_kept_data(world, publication) -> None:
    east = world.units["east"]
    east.name_en = "Changed in memory only"
    Unit.objects.filter(code="west").update(name_en="Changed in the database")
    Observation.objects.filter(unit__code="north").delete()
    Observation.objects.filter(unit=east, year=2026, month=1).update(value=Decimal(-1))
    Publication.objects.filter(pk=publication.pk).update(version=7)
    make_race(world, code="another")


def test_the_next_test_sees_them_as_built(world, publication) -> None:
    assert world.units["east"].name_en == "East District"
    assert Unit.objects.get(code="west").name_en == "West District"
    assert Observation.objects.count() == FIGURES
    assert not Observation.objects.filter(value__lt=0).exists()
    assert Publication.objects.get() == publication
    assert publication.period == "2026-Q1" and publication.version == 1
    assert list(RaceDefinition.objects.values_list("code", flat=True)) == ["keywork"]


def test_a_test_of_the_world_alone_sees_no_race(world) -> None:
    assert Observation.objects.count() == FIGURES
    assert not RaceDefinition.objects.exists()


def test_a_test_that_asks_for_no_kept_data_sees_an_empty_database(db) -> None:
    assert not Unit.objects.exists()
    assert not RaceDefinition.objects.exists()
