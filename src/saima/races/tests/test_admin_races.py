"""The races in the admin: the office reads them; nobody changes a published result there."""

from __future__ import annotations

import pytest

from saima.testing import PERSONAS

MODELS = [
    "racedefinition",
    "publication",
    "adjustment",
    "manualscore",
    "evidence",
    "laggardstatement",
    "objection",
]


@pytest.fixture
def published(publication):
    """The race's 2026-Q1 result, published once for the module (`saima.testing`)."""
    return publication


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", MODELS)
def test_admin_matrix(client, world, published, persona, model):
    if persona != "anonymous":
        user = world.user(persona)
        user.is_staff = True  # a staff flag alone must not open the office's pages
        user.save(update_fields=["is_staff"])
        client.force_login(user)
    response = client.get(f"/admin/races/{model}/")
    if persona == "office":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_a_publication_is_read_only_in_the_admin(client, world, published):
    client.force_login(world.user("office"))
    url = f"/admin/races/publication/{published.pk}/change/"
    assert client.get(url).status_code == 200
    # The admin has no change permission: the form is shown read-only and a post is refused.
    assert client.post(url, {"reason": "edited"}).status_code == 403
    published.refresh_from_db()
    assert published.reason == ""
    assert client.post(f"/admin/races/publication/{published.pk}/delete/").status_code == 403
