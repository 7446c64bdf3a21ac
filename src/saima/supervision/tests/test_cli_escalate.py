"""`saima escalate` refuses a bad date by name (the job itself: test_origins.py)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_escalate_refuses_a_bad_date(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "saima.cli", "escalate", "--today", "2026-13-40"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SAIMA_DATA_DIR": str(tmp_path)},
    )
    assert completed.returncode == 2
    assert "2026-13-40" in completed.stderr
