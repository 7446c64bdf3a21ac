#!/usr/bin/env python3
"""Set up a private virtual environment and run Saima's main job, its tests or its benchmarks.

Needs nothing but Python 3.11+. The environment lives in `.venv` beside this repository and is
refreshed whenever `pyproject.toml` changes.

    python3 tools/dev.py start    # the main job
    python3 tools/dev.py test     # lint, format check and the whole test suite
    python3 tools/dev.py bench    # the benchmarks in bench/
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".saima-installed"


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_environment() -> None:
    """Create `.venv` and install the project with its development extras, once per change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older Python
        sys.exit(f"Saima needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"Creating the virtual environment in {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]")
    STAMP.write_text(wanted)


def start() -> None:
    example = ROOT / "examples" / "worked"
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    _run(
        BIN / "saima",
        "race",
        "--rules",
        example / "rules.toml",
        "--targets",
        example / "targets.csv",
        "--actuals",
        example / "actuals.csv",
        "--units",
        example / "units.csv",
        "--period",
        "2026-Q1",
        "--out",
        out / "worked-race.xlsx",
    )
    city = ROOT / "examples" / "city"
    _run(
        BIN / "saima",
        "race",
        "--rules",
        city / "rules.toml",
        "--targets",
        city / "targets.xlsx",
        "--actuals",
        city / "actuals.csv",
        "--units",
        city / "units.csv",
        "--adjustments",
        city / "adjustments.csv",
        "--scores",
        city / "scores.csv",
        "--previous",
        city / "previous-2026-Q1.csv",
        "--period",
        "2026-H1",
        "--out",
        out / "city-race-2026-H1.xlsx",
        "--explain",
        out / "city-race-2026-H1-explained.csv",
    )
    print(f"Results written to {out.relative_to(ROOT)}/", flush=True)


def test() -> None:
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")


def bench() -> None:
    _run(BIN / "python", ROOT / "bench" / "run.py", *sys.argv[2:])


COMMANDS = {"start": start, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 tools/dev.py {{{'|'.join(COMMANDS)}}}")
    ensure_environment()
    COMMANDS[sys.argv[1]]()
