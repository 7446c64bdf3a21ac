from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from saima.org.access import Access, readable_unit, require_office
from saima.org.models import Membership, Role
from saima.org.services import api_token_create, api_token_revoke, api_token_user

# persona -> (reads east, reads west, edits east, edits west, approves west, is office)
EXPECTED = {
    "office": (True, True, True, True, True, True),
    "leader": (True, True, False, False, False, False),
    "east_reporter": (True, False, True, False, False, False),
    "west_approver": (False, True, False, False, True, False),
    "stranger": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_access_matrix(world, persona):
    access = Access.for_user(world.user(persona))
    east, west = world.units["east"].pk, world.units["west"].pk
    found = (
        access.can_read_unit(east),
        access.can_read_unit(west),
        access.can_edit_figures(east),
        access.can_edit_figures(west),
        access.can_approve_figures(west),
        access.is_office,
    )
    assert found == EXPECTED[persona]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    access = Access.for_user(AnonymousUser())
    assert access.user_id is None and not access.units().exists()


def test_units_are_scoped(world):
    codes = {u.code for u in Access.for_user(world.user("east_reporter")).units()}
    assert codes == {"east"}
    assert Access.for_user(world.user("leader")).units().count() == 4


def test_readable_unit_gives_404_and_403(world):
    access = Access.for_user(world.user("east_reporter"))
    assert readable_unit(access, "east") == world.units["east"]
    with pytest.raises(PermissionDenied):
        readable_unit(access, "west")
    with pytest.raises(Http404):
        readable_unit(access, "nowhere")
    with pytest.raises(PermissionDenied):
        require_office(access)


def test_a_unit_role_needs_a_unit_and_an_office_role_none(world):
    user = world.user("stranger")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, role=Role.REPORTER, unit=None)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, role=Role.LEADER, unit=world.units["east"])


def test_tokens_are_hashed_and_revocable(world):
    user = world.user("east_reporter")
    token, key = api_token_create(user=user, name="script")
    assert key.startswith("saima_") and key not in (token.digest, token.prefix)
    assert api_token_user(key) == user
    assert api_token_user(key + "x") is None
    assert api_token_user("") is None
    api_token_revoke(token=token)
    assert api_token_user(key) is None
