"""Security settings and limits: `check --deploy` clean in production with the proxy and HTTPS
variables set, login throttling per account and per address, the Content-Security-Policy,
`no-store` on signed-in pages, and bodies refused by their declared size before anything reads
them."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from saima.common.security import client_ip
from saima.common.text import NOTE_LENGTH

SRC = Path(__file__).resolve().parents[1] / "src" / "saima"

PRODUCTION = {
    "SAIMA_MODE": "production",
    "ALLOWED_HOSTS": "saima.example.gov",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "CSRF_TRUSTED_ORIGINS": "https://saima.example.gov",
}


def deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAIMA_", "DJANGO_"))}
    for name in ("SECRET_KEY", "DEBUG", "DATABASE_URL", *PRODUCTION):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "saima.settings",
            "SAIMA_DATA_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(50),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_in_production_with_the_variables_set_gives_no_warning(tmp_path):
    done = deploy_check(tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_hsts_and_the_redirect(tmp_path):
    bare = {k: v for k, v in PRODUCTION.items() if k not in ("SECURE_HSTS_SECONDS",)}
    bare["SECURE_SSL_REDIRECT"] = "false"
    done = deploy_check(tmp_path, **bare)
    assert done.returncode != 0
    assert "security.W004" in done.stderr + done.stdout
    assert "security.W008" in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}, "give the header and its value"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS='a year': give a whole number"),
        ({"SAIMA_LOGIN_FAILURE_LIMIT": "-1"}, "give a number of 0 or more"),
    ],
)
def test_a_bad_security_variable_refuses_to_start(tmp_path, env, message):
    done = deploy_check(tmp_path, **env)
    assert done.returncode != 0
    assert message in done.stderr


def test_the_settings_read_the_proxy_and_origins(tmp_path):
    probe = (
        "import django,os; os.environ['DJANGO_SETTINGS_MODULE']='saima.settings'; "
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECURE_HSTS_SECONDS)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAIMA_", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            **clean,
            "SAIMA_DATA_DIR": str(tmp_path),
            **{k: v for k, v in PRODUCTION.items() if k != "SAIMA_MODE"},
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == (
        "('HTTP_X_FORWARDED_PROTO', 'https') ['https://saima.example.gov'] 31536000"
    )


# --- Content-Security-Policy, caching ---------------------------------------------------------


def test_every_page_has_a_content_security_policy_without_inline_script(client, as_user):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy
    assert "Content-Security-Policy" in as_user("office").get("/")


def test_no_template_has_inline_script_or_event_handlers():
    """The policy forbids inline script: every script is a file (`src`), JSON data excepted."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    found = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in inline_script.finditer(text)]
        found += [f"{path.name}: {m.group(0)[:60]}" for m in handler.finditer(text)]
    assert found == []


def test_signed_in_pages_and_token_answers_are_not_stored(client, as_user, world):
    from saima.org.services import api_token_create

    office = as_user("office")
    for url in ("/", "/api/units"):
        assert "no-store" in office.get(url)["Cache-Control"], url
    _token, key = api_token_create(user=world.user("leader"), name="script")
    script = Client(headers={"Authorization": f"Bearer {key}"})
    response = script.get("/api/units")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- Login throttling -------------------------------------------------------------------------


def _sign_in(client, username: str, password: str, address: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def passwords(world):
    users = {}
    for name in ("office", "leader"):
        user = world.user(name)
        user.set_password(f"{name}-Correct-horse-9")
        user.save()
        users[name] = f"{name}-Correct-horse-9"
    return users


def test_an_account_is_locked_after_five_failures_from_anywhere(client, passwords, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert _sign_in(client, "office", passwords["office"], "10.0.0.1").status_code == 302
    client.logout()
    for n in range(4):
        assert _sign_in(client, "office", "wrong", f"10.0.1.{n}").status_code == 200
    assert _sign_in(client, "office", "wrong", "10.0.1.9").status_code == 429  # the fifth
    locked = _sign_in(client, "office", passwords["office"], "10.0.2.1")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    # Another account from another address is not affected.
    assert _sign_in(client, "leader", passwords["leader"], "10.0.2.2").status_code == 302


def test_an_address_is_locked_after_five_failures_whatever_the_account(client, passwords):
    for n in range(4):
        assert _sign_in(client, f"guess{n}", "wrong", "10.9.9.9").status_code == 200
    assert _sign_in(client, "guess9", "wrong", "10.9.9.9").status_code == 429
    assert _sign_in(client, "leader", passwords["leader"], "10.9.9.9").status_code == 429
    assert _sign_in(client, "leader", passwords["leader"], "10.9.9.10").status_code == 302


def test_the_client_address_behind_trusted_proxies():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    with override_settings(SAIMA_TRUSTED_PROXIES=0):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(SAIMA_TRUSTED_PROXIES=1):
        assert client_ip(request) == "203.0.113.7"  # the forged first entry is ignored


def test_passwords_are_validated():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "12345678901", "password1234"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Qinghe-key-work-2026")


# --- Bodies refused by their declared size, unread ---------------------------------------------


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _declared(client, url: str, size: int, **extra):
    """POST `url` declaring a multipart body of `size` bytes that cannot be read."""
    return client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": Unreadable()},
        **extra,
    )


MB = 1024 * 1024


@pytest.mark.parametrize(
    "url",
    [
        "/api/races/keywork/adjustments/1/evidence",
        "/api/races/objections/1/evidence",
        "/races/keywork/2026-Q1/objections/",
        "/races/objections/1/",
        "/races/new/",
        "/races/import/",
    ],
)
def test_upload_routes_refuse_a_body_over_their_limit_unread(as_user, url):
    client = as_user("west_approver")
    response = _declared(client, url, 11 * MB)
    assert response.status_code == 400
    text = response.content.decode()
    assert "larger than" in text


def test_every_route_refuses_a_body_over_the_backstop_unread(as_user, client):
    for c, url in (
        (as_user("office"), "/api/reporting/figures"),
        (client, "/login/"),
        (as_user("office"), "/reporting/"),
    ):
        response = _declared(c, url, 200 * MB)
        assert response.status_code == 400, url
        assert "larger than 64 MB" in response.content.decode()


def test_one_note_limit_in_the_api_schema_and_the_form():
    from saima.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    notes = {
        f"{name}.{field}": spec.get("maxLength")
        or next(s.get("maxLength") for s in spec.get("anyOf", []) if "maxLength" in s)
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if field in ("note", "comment") and name in ("ObservationIn", "FigureIn", "TransitionIn")
    }
    assert len(notes) == 3
    assert set(notes.values()) == {NOTE_LENGTH}, notes
    template = (SRC / "reporting" / "templates" / "reporting" / "unit_form.html").read_text()
    assert 'maxlength="{% note_length %}"' in template
