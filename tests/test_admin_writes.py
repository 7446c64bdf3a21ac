"""The admin is not a second way to write: every model it can change goes through the app's
service (the same checks, the same history as the pages and the API), every other is read-only.

The structural test walks every model registered in the admin; the others post to the admin what
a service refuses (or accepts) and check the database afterwards.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from saima.metrics.models import Indicator, Target
from saima.org.admin import ReadOnlyAdmin, ServiceAdmin
from saima.org.models import Membership, RaceGroup, Unit
from saima.org.services import api_token_create
from saima.reporting.models import ReportingPeriod
from saima.supervision.models import SupervisionSettings

#: Django's own account model keeps Django's admin: its forms run the password validators, and
#: a person's roles are Memberships, which go through the service.
FRAMEWORK_ADMINS = {get_user_model()}


def _office_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.user("office")
    return request


def test_every_admin_that_writes_goes_through_a_service(world):
    request = _office_request(world)
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model in FRAMEWORK_ADMINS:
            continue
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request, model())
            or model_admin.has_delete_permission(request, model())
        )
        if writes:
            writable.append(model)
            assert isinstance(model_admin, ServiceAdmin), model
            assert "save_model" not in vars(type(model_admin)), model  # the service's save
            assert "delete_model" not in vars(type(model_admin)), model
        else:
            assert isinstance(model_admin, ReadOnlyAdmin), model
    assert set(writable) == {
        RaceGroup,
        Unit,
        Membership,
        Indicator,
        Target,
        ReportingPeriod,
        SupervisionSettings,
    }


def _post(client, world, path: str, data: dict):
    client.force_login(world.user("office"))
    return client.post(path, {**data, "_save": "Save"})


def _target_form(world, value: str) -> dict:
    return {
        "unit": world.units["east"].pk,
        "indicator": world.indicators["fai"].pk,
        "year": 2027,
        "value": value,
        "last_year_total": "",
    }


def test_a_negative_target_is_refused_as_the_service_refuses_it(client, world):
    response = _post(client, world, "/admin/metrics/target/add/", _target_form(world, "-5"))
    assert response.status_code == 200  # the form again, with the service's message
    assert "needs a positive target" in response.content.decode()
    assert not Target.objects.filter(year=2027).exists()


def test_a_target_saved_in_the_admin_is_in_the_history_with_who(client, world):
    response = _post(client, world, "/admin/metrics/target/add/", _target_form(world, "130"))
    assert response.status_code == 302, response.content.decode()[:500]
    target = Target.objects.get(year=2027, unit=world.units["east"])
    assert target.value == Decimal("130")
    assert target.history.get().history_user == world.user("office")


def test_changing_a_target_goes_through_the_service(client, world):
    target = Target.objects.get(year=2026, unit=world.units["east"], indicator__code="fai")
    form = {**_target_form(world, "-1"), "year": 2026}
    response = _post(client, world, f"/admin/metrics/target/{target.pk}/change/", form)
    assert "needs a positive target" in response.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal("144.00")


def test_a_unit_cannot_become_its_own_descendant(client, world):
    city = world.units["city"]
    form = {
        "code": "city",
        "name_zh": city.name_zh,
        "name_en": city.name_en,
        "kind": "city",
        "parent": world.units["east"].pk,
        "race_group": "",
        "active": "on",
        "order": 0,
    }
    response = _post(client, world, f"/admin/org/unit/{city.pk}/change/", form)
    assert "cannot belong to itself" in response.content.decode()
    city.refresh_from_db()
    assert city.parent_id is None


def test_a_reporter_needs_a_unit(client, world):
    stranger = world.user("stranger")
    form = {"user": stranger.pk, "role": "reporter", "unit": ""}
    response = _post(client, world, "/admin/org/membership/add/", form)
    assert "belongs to a unit" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_indicators_kind_cannot_change_once_it_has_figures(client, world):
    fai = world.indicators["fai"]
    form = {
        "code": "fai",
        "name_zh": fai.name_zh,
        "name_en": fai.name_en,
        "kind": "level",
        "direction": "higher",
        "measure_zh": "",
        "measure_en": "",
        "decimals": 2,
        "frequency": "monthly",
        "profile": "null",
        "yellow_pp": "",
        "check_settings": "{}",
        "order": 1,
    }
    response = _post(client, world, f"/admin/metrics/indicator/{fai.pk}/change/", form)
    assert "its kind cannot change" in response.content.decode()
    fai.refresh_from_db()
    assert fai.kind == "amount"


def test_a_due_date_before_the_opening_is_refused(client, world):
    form = {"year": 2026, "month": 7, "opens_on": "2026-08-10", "due_on": "2026-08-01"}
    response = _post(client, world, "/admin/reporting/reportingperiod/add/", form)
    assert response.status_code == 200
    assert not ReportingPeriod.objects.filter(year=2026, month=7).exists()


def test_a_race_group_is_saved_through_the_service(client, world):
    form = {"code": "zones", "name_zh": "开发区组", "name_en": "Zones", "order": 3}
    assert _post(client, world, "/admin/org/racegroup/add/", form).status_code == 302
    assert RaceGroup.objects.get(code="zones").name_en == "Zones"


def test_a_membership_is_removed_through_the_service(client, world):
    membership = Membership.objects.get(user=world.user("east_reporter"))
    client.force_login(world.user("office"))
    response = client.post(
        f"/admin/org/membership/{membership.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("model", ["unit", "racegroup", "indicator", "target"])
def test_what_has_no_delete_service_cannot_be_deleted(client, world, model):
    client.force_login(world.user("office"))
    path = f"/admin/{'org' if model in ('unit', 'racegroup') else 'metrics'}/{model}/"
    obj = {"unit": Unit, "racegroup": RaceGroup, "indicator": Indicator, "target": Target}[model]
    first = obj.objects.first()
    response = client.post(f"{path}{first.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert obj.objects.filter(pk=first.pk).exists()


def test_the_office_revokes_a_token_but_cannot_edit_one(client, world):
    token, _key = api_token_create(user=world.user("east_reporter"), name="script")
    client.force_login(world.user("office"))
    assert client.get(f"/admin/org/apitoken/{token.pk}/change/").status_code in (200, 403)
    response = client.post(
        f"/admin/org/apitoken/{token.pk}/change/", {"name": "renamed", "_save": "Save"}
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/org/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.name == "script" and token.revoked_at is not None
