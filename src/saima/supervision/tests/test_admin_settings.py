"""The office's supervision settings in the admin go through the service: a ladder the engine
refuses is shown on the form and nothing is stored."""

from __future__ import annotations

import json

from saima.supervision.models import SupervisionSettings
from saima.supervision.rules import ladder


def _post(client, ladder_steps):
    return client.post(
        "/admin/supervision/supervisionsettings/add/",
        {
            "ack_working_days": "3",
            "closure": "closed",
            "continuing": "excluded",
            "decimals": "1",
            "ladder": json.dumps(ladder_steps),
        },
    )


def test_a_wrong_ladder_is_refused_on_the_form(client, world):
    client.force_login(world.user("office"))
    response = _post(client, [{"code": "a", "trigger": "late", "delay": -1}])
    assert response.status_code == 200
    assert "the trigger" in response.content.decode()
    assert not SupervisionSettings.objects.exists()


def test_the_office_sets_its_ladder(client, world):
    client.force_login(world.user("office"))
    steps = [
        {"code": "remind", "trigger": "deadline", "delay": 0, "action": "reminder"},
        {"code": "list", "trigger": "deadline", "delay": 3, "action": "bulletin"},
    ]
    assert _post(client, steps).status_code == 302
    saved = SupervisionSettings.objects.get()
    assert saved.ack_working_days == 3
    assert [s.code for s in ladder()] == ["remind", "list"]
