#!/usr/bin/env python3
"""Install Saima as a user would (`pip install .`, no extras) into a scratch environment and use it.

The development environment has the test extras, which bring their own dependencies; a module
that imports something only they provide would pass every test and fail for a user. This installs
the package alone, imports every module of it (with Django set up), and runs the worked example
of the domain notes through `saima race`, checking its scores, and renders a page in both
languages with its static files (templates, translations and assets travel with the code).

    python3 tools/check_install.py [--keep]
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKED = ROOT / "examples" / "worked"
#: The worked example's totals (domain notes): East 100.00, West 71.43, North 60.00.
EXPECTED = {"East": "100.00", "West": "71.43", "North": "60.00"}

IMPORT_ALL = """
import os, pkgutil, importlib
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
import django
django.setup()
import saima
skipped = ("saima.testing",)  # the test suite's pytest plugin
names = [m.name for m in pkgutil.walk_packages(saima.__path__, "saima.")
         if ".tests" not in m.name and not m.name.startswith(skipped)]
for name in names:
    importlib.import_module(name)
print(f"imported {len(names)} modules")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.utils import translation
for language, words in (("zh-hans", "登录"), ("en", "Sign in")):
    client = Client(SERVER_NAME="localhost", HTTP_ACCEPT_LANGUAGE=language)
    page = client.get("/login/")
    assert page.status_code == 200 and words in page.content.decode(), (language, page.status_code)
    html = page.content.decode()
    for asset in ("saima/saima.css", "saima/vendor/htmx-2.0.11.min.js"):
        assert asset in html, asset
        assert client.get("/static/" + asset).status_code == 200, asset
print("the login page renders in both languages, with its static files")
"""


def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"plain install: {' '.join(map(str, args))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="saima-install-"))
    try:
        venv.EnvBuilder(with_pip=True).create(scratch / "venv")
        python = scratch / "venv" / ("Scripts" if sys.platform == "win32" else "bin") / "python"
        # No byte-compiling of every installed module: only what the checks import is compiled.
        run(
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            ROOT,
        )
        (scratch / "data").mkdir()
        env = {"PATH": str(python.parent), "SAIMA_DATA_DIR": str(scratch / "data")}
        print(run(python, "-c", IMPORT_ALL, cwd=scratch, env=env).strip())
        out = scratch / "worked.csv"
        files = {name: WORKED / f"{name}.csv" for name in ("targets", "actuals", "units")}
        run(
            python.parent / "saima",
            "race",
            "--rules",
            WORKED / "rules.toml",
            *(arg for name, path in files.items() for arg in (f"--{name}", path)),
            "--period",
            "2026-Q1",
            "--out",
            out,
            cwd=scratch,
            env=env,
        )
        with out.open(encoding="utf-8-sig") as handle:
            totals = {row["unit"]: f"{float(row['total']):.2f}" for row in csv.DictReader(handle)}
        if totals != EXPECTED:
            sys.exit(f"plain install: the worked example gave {totals}, not {EXPECTED}")
        print(f"plain install: the worked example gives {totals}")
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
