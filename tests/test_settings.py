"""Production settings refuse unsafe configurations; every variable fails loudly when wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='saima.settings'; django.setup()"


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAIMA_", "DJANGO_"))}
    clean.pop("SECRET_KEY", None)
    clean.pop("DEBUG", None)
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={**clean, "SAIMA_DATA_DIR": "/nonexistent/saima", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_demo_starts_with_safe_defaults():
    assert run_settings().returncode == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAIMA_MODE": "production", "ALLOWED_HOSTS": "x.example"}, "own SECRET_KEY"),
        (
            {
                "SAIMA_MODE": "production",
                "SECRET_KEY": "k" * 40,
                "DEBUG": "true",
                "ALLOWED_HOSTS": "x.example",
            },
            "DEBUG on",
        ),
        ({"SAIMA_MODE": "production", "SECRET_KEY": "k" * 40}, "ALLOWED_HOSTS"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe': use true or false"),
        ({"SAIMA_MODE": "staging"}, "use demo or production"),
        ({"SECRET_KEY_FILE": "/nonexistent/key"}, "cannot be read"),
    ],
)
def test_unsafe_or_unreadable_configuration_refuses_to_start(env, message):
    completed = run_settings(**env)
    assert completed.returncode != 0
    assert message in completed.stderr


def test_production_starts_with_a_proper_secret(tmp_path):
    key = tmp_path / "key"
    key.write_text("s" * 50)
    completed = run_settings(
        SAIMA_MODE="production", SECRET_KEY_FILE=str(key), ALLOWED_HOSTS="saima.example"
    )
    assert completed.returncode == 0, completed.stderr


def _test_database_name() -> str:
    """The PostgreSQL test database name the suite's settings give in a fresh process."""
    probe = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='saima.settings_test'; "
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['TEST']['NAME'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAIMA_", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**clean, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_two_runs_on_one_postgresql_server_use_different_test_databases():
    first, second = _test_database_name(), _test_database_name()
    assert first.startswith("test_test_")
    assert first != second
