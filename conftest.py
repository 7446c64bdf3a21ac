"""The shared test world (personas and a small city) for every test of the project."""

import pytest

pytest_plugins = ["saima.testing"]


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
