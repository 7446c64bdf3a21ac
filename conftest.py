"""The shared test world (personas and a small city) for every test of the project."""

import pytest
from hypothesis import settings

pytest_plugins = ["saima.testing"]

# The test command runs the suite twice (SQLite and PostgreSQL) and chooses this profile
# (`--hypothesis-profile=ci`): every property test runs a quarter of the examples it runs under
# Hypothesis's default profile, which is what a developer's plain `pytest` uses (see
# `saima.testing.examples`). Each run draws new examples, so the runs add up.
settings.register_profile("ci", max_examples=25, print_blob=True)

DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database: the test command's PostgreSQL leg, "
        "since the others run the same code whatever the database (the SQLite leg runs them)",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-tests-only"):
        return
    kept, others = [], []
    for item in items:
        uses = (
            item.get_closest_marker("django_db")
            or item.get_closest_marker("postgresql_leg")
            or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses else others).append(item)
    if others:
        config.hook.pytest_deselected(items=others)
        items[:] = kept


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages keep computed figures under a data version
    (history ids), and a rolled-back test database can hand out the same ids again."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the settings' language: a request or a test that switched to Chinese
    leaves that language active in the thread otherwise."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
