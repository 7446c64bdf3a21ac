"""The configuration pages (Django admin) are the office's only, whatever the staff flag says."""

from __future__ import annotations

import pytest

from saima.testing import PERSONAS

PAGES = [
    "/admin/",
    "/admin/org/unit/",
    "/admin/org/membership/",
    "/admin/metrics/indicator/",
    "/admin/metrics/target/",
    "/admin/metrics/observation/",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_admin_matrix(client, world, persona, page):
    if persona != "anonymous":
        user = world.user(persona)
        user.is_staff = True  # a staff flag alone must not open the office's pages
        user.save(update_fields=["is_staff"])
        client.force_login(user)
    response = client.get(page)
    if persona == "office":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_office_sees_a_units_history_of_figures(client, world):
    client.force_login(world.user("office"))
    observation = world.units["east"].observations.first()
    response = client.get(f"/admin/metrics/observation/{observation.pk}/history/")
    assert response.status_code == 200
