"""The demo's tests load the demo again and again (reset, another day, the command): its race
bulletin's files are drawn once per document in the run (see `saima.testing.drawn_once`)."""

import pytest

from saima.testing import drawn_once


@pytest.fixture(autouse=True)
def _drawn_once():
    with drawn_once():
        yield
