#!/usr/bin/env python3
"""Set up a private virtual environment and run Saima's main job, its tests or its benchmarks.

Needs nothing but Python 3.11+. The environment lives in `.venv` beside this repository and is
refreshed whenever `pyproject.toml` changes.

    python3 tools/dev.py start    # the main job: the demo city, served on localhost
    python3 tools/dev.py test     # lint, checks and the whole test suite (SQLite and PostgreSQL)
    python3 tools/dev.py bench    # the benchmarks in bench/
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".saima-installed"
POSTGRES_URL = os.environ.get("SAIMA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
BROWSER = "/usr/bin/chromium"


def _run(*args: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and completed.returncode != 0:
        sys.exit(completed.returncode)
    return completed.returncode


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


def ensure_browser() -> None:
    """Debian's Chromium (and CJK fonts) for the browser tests, installed where we may."""
    if Path(BROWSER).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Debian's chromium and CJK fonts for the browser tests", flush=True)
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "update", "-qq", env=quiet, check=False)
        _run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "fonts-noto-cjk",
            env=quiet,
            check=False,
        )
    if not Path(BROWSER).exists():
        print(f"No browser at {BROWSER}: the browser tests will be skipped.", flush=True)


#: What the bulletins need from Debian: Pango for WeasyPrint's PDF, the CJK fonts it embeds, and
#: LibreOffice (without a display) for the tests that open the DOCX, XLSX and PDF it writes.
DOCUMENT_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "fonts-noto-cjk",
    "libreoffice-writer-nogui",
    "libreoffice-calc-nogui",
    "libreoffice-draw-nogui",
)


def ensure_documents() -> None:
    """Pango, Noto CJK and LibreOffice for the bulletins, installed where we may."""
    if shutil.which("soffice") and Path("/usr/share/fonts/opentype/noto").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Pango, Noto CJK and LibreOffice for the bulletins", flush=True)
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "update", "-qq", env=quiet, check=False)
        _run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *DOCUMENT_PACKAGES,
            env=quiet,
            check=False,
        )
    if not shutil.which("soffice"):
        print("No LibreOffice: the tests that open bulletins in it will be skipped.", flush=True)


def postgres_reachable() -> bool:
    probe = (
        "import sys, psycopg\n"
        "try:\n"
        f"    psycopg.connect({POSTGRES_URL.replace('postgres://', 'postgresql://')!r},"
        " connect_timeout=3).close()\n"
        "except Exception as exc:\n"
        "    print(exc); sys.exit(1)\n"
    )
    return subprocess.run([str(BIN / "python"), "-c", probe], cwd=ROOT).returncode == 0


def start() -> None:
    _run(BIN / "saima", "demo", *sys.argv[2:])


#: Both legs: quiet, no cache folder, property tests with the "ci" profile's examples (conftest.py).
PYTEST = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=ci")


@dataclass
class Leg:
    """One run of the suite, with a data folder and a temporary folder of its own (the legs run
    at once), its output on the console or, with `log`, kept to be shown after."""

    name: str
    folder: str
    args: list[str]
    env: dict[str, str]
    log: Path | None = None
    process: subprocess.Popen | None = None

    def start(self, scratch: Path) -> None:
        folder = scratch / self.folder
        folder.mkdir()
        args = [*PYTEST, f"--basetemp={folder / 'tmp'}", *self.args]
        print(f"+ {BIN / 'python'} {' '.join(args)}", flush=True)
        env = {**self.env, "SAIMA_DATA_DIR": str(folder / "data")}
        if self.log is None:
            self.process = subprocess.Popen([BIN / "python", *args], cwd=ROOT, env=env)
            return
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [BIN / "python", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def finish(self) -> bool:
        """Wait for the leg, show its kept output, and say whether it passed."""
        assert self.process is not None
        if self.log is not None:
            print(f"== {self.name}: waiting for the leg to finish", flush=True)
        code = self.process.wait()
        if self.log is not None:
            print(f"== {self.name}: the leg's output", flush=True)
            sys.stdout.write(self.log.read_text())
        print(f"== {self.name}: {'passed' if code == 0 else f'FAILED (exit code {code})'}")
        sys.stdout.flush()
        return code == 0


def test() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="saima-test-"))
    env = {**os.environ, "SAIMA_DATA_DIR": str(scratch), "DJANGO_SETTINGS_MODULE": "saima.settings"}
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "lint-imports")
    _run(BIN / "python", "-m", "django", "check", "--fail-level", "WARNING", env=env)
    _run(BIN / "python", "-m", "django", "makemigrations", "--check", "--dry-run", env=env)
    ensure_browser()
    ensure_documents()
    # A user's `pip install .` (no extras) in a scratch environment, alongside the suite (after
    # the system libraries the PDF renderer loads are in place).
    print("+ python3 tools/check_install.py (in the background)", flush=True)
    install = subprocess.Popen([sys.executable, str(ROOT / "tools" / "check_install.py")], cwd=ROOT)
    # The suite runs with its own settings (fast hasher, in-memory mail, English source text).
    test_env = {**env, "DJANGO_SETTINGS_MODULE": "saima.settings_test"}
    postgres = postgres_reachable()
    # A test that makes its own PostgreSQL database (servers and workers as processes) runs in
    # the PostgreSQL leg, which ends sooner; without a server it runs (and skips) here.
    only_here = ["-m", "not postgresql_leg"] if postgres else []
    legs = [Leg("Tests on SQLite", "sqlite", only_here, test_env)]
    if postgres:
        # At the same time (the machine's other core, and the server's own processes): the
        # tests that use the database, with no browser; the others run the same code on any
        # database, and ran on SQLite. Its output follows the SQLite leg's.
        legs.append(
            Leg(
                f"Tests on PostgreSQL ({POSTGRES_URL})",
                "postgresql",
                ["-m", "not browser", "--database-tests-only", "src/saima", "tests"],
                {**test_env, "DATABASE_URL": POSTGRES_URL},
                log=scratch / "postgres.log",
            )
        )
    elif os.environ.get("SAIMA_REQUIRE_POSTGRES"):
        sys.exit(
            f"PostgreSQL is not reachable at {POSTGRES_URL} and SAIMA_REQUIRE_POSTGRES is set."
        )
    else:
        print(f"PostgreSQL is not reachable at {POSTGRES_URL}: skipped the PostgreSQL leg.")
    for leg in reversed(legs):  # the leg whose output waits starts first
        print(f"== {leg.name}{' (output after the SQLite leg)' if leg.log else ''}", flush=True)
        leg.start(scratch)
    failed = [leg.name for leg in legs if not leg.finish()]
    shutil.rmtree(scratch, ignore_errors=True)
    installed = install.wait() == 0
    if failed:
        sys.exit(f"Failed: {'; '.join(failed)} (see above).")
    if not installed:
        sys.exit("The package installed without its extras does not work (see above).")


def bench() -> None:
    _run(BIN / "python", ROOT / "bench" / "run.py", *sys.argv[2:])


COMMANDS = {"start": start, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 tools/dev.py {{{'|'.join(COMMANDS)}}}")
    ensure_environment()
    COMMANDS[sys.argv[1]]()
