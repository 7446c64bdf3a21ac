"""`saima worker` lowers its CPU priority (`--nice`, `SAIMA_WORKER_NICE`), so that a national
publication computing in a worker does not slow the pages served on the same machine."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

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


def group_nice() -> str:
    """This process's session group's niceness: "-" where it has no group of its own (the file is
    empty in the root group, the session of init, as under some CI runners and containers) or the
    kernel has no session groups."""
    group = Path("/proc/self/autogroup")
    words = group.read_text().split() if group.exists() else []
    return words[-1] if words else "-"


PROBE = f"""
import os, threading
from pathlib import Path

started = threading.Event()
stop = threading.Event()
# A thread that exists before the priority is lowered, like Polars' pool (a daemon, so that a
# failure below ends the probe with its traceback instead of waiting for the thread).
threading.Thread(target=lambda: (started.set(), stop.wait()), daemon=True).start()
started.wait()
from saima.cli import lower_priority

lower_priority(7)


def niceness(tid):
    try:
        stat = Path(f"/proc/self/task/{{tid}}/stat").read_text()
    except FileNotFoundError:  # a short-lived thread (an allocator's, a pool's) ended meanwhile
        return None
    return int(stat.rsplit(")", 1)[1].split()[16])


{inspect.getsource(group_nice)}

nices = {{niceness(tid) for tid in os.listdir("/proc/self/task")}} - {{None}}
print(sorted(nices), group_nice())
stop.set()
"""


def _probe(new_session: bool) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=new_session,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="no /proc on this system")
def test_every_thread_is_lowered_and_the_session_when_the_worker_leads_it() -> None:
    """A worker leading its own session (systemd, a supervisor) would share the CPU with the
    app servers' session as an equal, whatever its threads' niceness: its session is lowered."""
    lowered = os.nice(0) + 7
    if Path("/proc/self/autogroup").exists():
        assert _probe(new_session=True) == f"[{lowered}] {lowered}"
        before = group_nice()
        # Started from a shell, the session is the shell's: it is left as it was.
        assert _probe(new_session=False) == f"[{lowered}] {before}"
        assert group_nice() == before
    else:
        assert _probe(new_session=True) == f"[{lowered}] -"
