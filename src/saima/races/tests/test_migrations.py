"""The migration that moved a publication's frozen inputs from rows of JSON to an archive."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saima.engine import parse_period
from saima.engine.frames import INPUT_SCHEMAS
from saima.org.access import Access
from saima.races.models import Publication
from saima.races.results.services import race_publish
from saima.testing import make_race

BEFORE = ("races", "0002_statement_withdrawn")
ARCHIVE = ("races", "0003_publication_inputs_archive")


def _migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_frozen_inputs_move_to_rows_and_back_unchanged(committed_world) -> None:
    office = Access.for_user(committed_world.user("office"))
    publication = race_publish(office, make_race(committed_world), parse_period("2026-Q1"))
    frozen = publication.frozen_inputs()
    archive = bytes(publication.inputs)
    try:
        old = _migrate(BEFORE)
        rows = old.get_model("races", "Publication").objects.get(pk=publication.pk).inputs
        assert rows == {
            name: frame.to_dicts()
            for name in INPUT_SCHEMAS
            if (frame := getattr(frozen, name)) is not None
        }
        assert rows["actuals"] and rows["targets"] and rows["units"]
    finally:
        _migrate(ARCHIVE)
    again = Publication.objects.get(pk=publication.pk)
    assert bytes(again.inputs) == archive  # the rows made the same archive, byte for byte
