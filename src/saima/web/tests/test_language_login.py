"""Language switch, sign-in page and the demo logins."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings


def test_switch_to_chinese_shows_chinese_names(as_user):
    client = as_user("office")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/?period=2026-06"})
    assert response.status_code == 302
    html = client.get("/?period=2026-06").content.decode()
    assert "东城区" in html and "固定资产投资" in html and "城区组" in html
    assert '<html lang="zh-hans">' in html
    assert "East District" not in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "East District" in client.get("/?period=2026-06").content.decode()


def test_login_page_signs_in(client, world):
    from saima.testing import PASSWORD

    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/?period=2026-06").status_code == 200


def test_wrong_password_is_told(client, world):
    response = client.post("/login/", {"username": "leader", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


@pytest.fixture
def demo_module(monkeypatch):
    """The demo app, answering with sign-ins of the test's own."""
    from saima.demo.apps import DemoConfig

    logins = [("demo_office", "office administrator"), ("demo_east", "East reporter")]
    monkeypatch.setattr(DemoConfig, "sign_ins", lambda self: (logins, "demo-pass-123"))


@override_settings(DEMO=True)
def test_demo_login_page_lists_the_demo_logins(client, db, demo_module):
    html = client.get("/login/").content.decode()
    assert "demo_office" in html and "East reporter" in html and "demo-pass-123" in html


@override_settings(DEMO=False)
def test_production_login_page_hides_the_demo_logins(client, db, demo_module):
    html = client.get("/login/").content.decode()
    assert "demo_office" not in html and "demo-pass-123" not in html


@override_settings(DEMO=True)
def test_login_page_works_without_the_demo_app(client, db):
    others = [app for app in settings.INSTALLED_APPS if app != "saima.demo"]
    with override_settings(INSTALLED_APPS=others):
        response = client.get("/login/")
    assert response.status_code == 200
    assert "Demo sign-ins" not in response.content.decode()


@override_settings(DEMO=True)
def test_login_page_lists_the_real_demo_logins_when_present(client, db):
    demo = pytest.importorskip("saima.demo")
    html = client.get("/login/").content.decode()
    for username, _role in demo.DEMO_LOGINS:
        assert username in html
    assert demo.DEMO_PASSWORD in html
