"""The shared test world (personas and a small city) for every test of the project."""

import pytest
from hypothesis import settings

pytest_plugins = ["saima.testing"]

# The test command runs the suite twice (SQLite and PostgreSQL) and chooses this profile
# (`--hypothesis-profile=ci`): every property test runs a quarter of the examples it runs under
# Hypothesis's default profile, which is what a developer's plain `pytest` uses (see
# `saima.testing.examples`). Each run draws new examples, so the runs add up.
settings.register_profile("ci", max_examples=25, print_blob=True)

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
