"""`saima worker` lowers its CPU priority (`--nice`, `SAIMA_WORKER_NICE`), so that a national
publication computing in a worker does not slow the pages served on the same machine."""

from __future__ import annotations

import pytest

from saima.cli import WORKER_NICE, _parser, worker_nice


def test_the_option_wins_then_the_environment_then_the_default() -> None:
    assert worker_nice(5, {"SAIMA_WORKER_NICE": "3"}) == 5
    assert worker_nice(None, {"SAIMA_WORKER_NICE": "3"}) == 3
    assert worker_nice(None, {"SAIMA_WORKER_NICE": " "}) == WORKER_NICE
    assert worker_nice(None, {}) == WORKER_NICE > 0
    assert worker_nice(0, {}) == 0  # 0 keeps the worker at the pages' priority


@pytest.mark.parametrize(("option", "text"), [(20, None), (-1, None), (None, "low")])
def test_a_niceness_out_of_range_is_refused_clearly(option, text) -> None:
    environ = {} if text is None else {"SAIMA_WORKER_NICE": text}
    with pytest.raises(SystemExit, match=r"niceness must be between 0 and 19|whole number"):
        worker_nice(option, environ)


def test_the_worker_command_takes_the_option() -> None:
    args = _parser().parse_args(["worker", "--nice", "7"])
    assert args.nice == 7
    assert _parser().parse_args(["worker"]).nice is None
