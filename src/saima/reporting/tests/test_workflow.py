"""Every workflow step × every persona × the states it starts from, each outcome written out."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from saima.reporting import services
from saima.reporting.models import Submission
from saima.reporting.tests.conftest import set_status

# June 2026: East and West have every figure in the world, with no check finding.
MONTH = 6
OK, DENIED, REFUSED = "ok", "403", "400"
PERSONAS = ("office", "leader", "east_reporter", "west_approver", "stranger", "anonymous")

# (action, unit, starting status): outcomes in the order of PERSONAS.
MATRIX = {
    ("submit", "east", "draft"): (OK, DENIED, OK, DENIED, DENIED, DENIED),
    ("submit", "east", "returned"): (OK, DENIED, OK, DENIED, DENIED, DENIED),
    ("submit", "east", "submitted"): (REFUSED, DENIED, REFUSED, DENIED, DENIED, DENIED),
    ("submit", "east", "accepted"): (REFUSED, DENIED, REFUSED, DENIED, DENIED, DENIED),
    ("submit", "west", "draft"): (OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("approve", "west", "submitted"): (OK, DENIED, DENIED, OK, DENIED, DENIED),
    ("approve", "west", "draft"): (REFUSED, DENIED, DENIED, REFUSED, DENIED, DENIED),
    ("approve", "west", "approved"): (REFUSED, DENIED, DENIED, REFUSED, DENIED, DENIED),
    ("approve", "east", "submitted"): (OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("accept", "west", "approved"): (OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("accept", "west", "submitted"): (REFUSED, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("accept", "east", "approved"): (OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("return", "west", "submitted"): (OK, DENIED, DENIED, OK, DENIED, DENIED),
    ("return", "west", "approved"): (OK, DENIED, DENIED, REFUSED, DENIED, DENIED),
    ("return", "west", "accepted"): (OK, DENIED, DENIED, REFUSED, DENIED, DENIED),
    ("return", "west", "draft"): (REFUSED, DENIED, DENIED, REFUSED, DENIED, DENIED),
    ("return", "east", "submitted"): (OK, DENIED, DENIED, DENIED, DENIED, DENIED),
}
AFTER = {"submit": "submitted", "approve": "approved", "accept": "accepted", "return": "returned"}
CASES = [
    pytest.param(action, unit, start, persona, outcomes[i], id=f"{action}-{unit}-{start}-{persona}")
    for (action, unit, start), outcomes in MATRIX.items()
    for i, persona in enumerate(PERSONAS)
]


def test_matrix_is_complete():
    assert all(len(outcomes) == len(PERSONAS) for outcomes in MATRIX.values())
    assert {action for action, _u, _s in MATRIX} == set(services.TRANSITIONS)


@pytest.mark.parametrize(("action", "unit", "start", "persona", "outcome"), CASES)
def test_transition(world, access_of_persona, action, unit, start, persona, outcome):
    set_status(world, unit, MONTH, start)
    user = None if persona == "anonymous" else world.user(persona)
    run = {
        "access": access_of_persona(persona),
        "user": user,
        "unit": world.units[unit],
        "year": 2026,
        "month": MONTH,
        "action": action,
        "comment": "Please recheck the investment figure.",
    }
    stored = Submission.objects.get(unit=world.units[unit], year=2026, month=MONTH)
    if outcome == OK:
        services.submission_transition(**run)
        stored.refresh_from_db()
        assert stored.status == AFTER[action]
        assert getattr(stored, f"{AFTER[action]}_by") == user
        assert getattr(stored, f"{AFTER[action]}_at") is not None
        return
    expected = PermissionDenied if outcome == DENIED else services.WorkflowError
    with pytest.raises(expected) as refused:
        services.submission_transition(**run)
    assert str(refused.value)
    stored.refresh_from_db()
    assert stored.status == start


def test_refusal_names_the_state(world, access_of_persona):
    set_status(world, "west", MONTH, "draft")
    with pytest.raises(services.WorkflowError) as refused:
        services.submission_approve(
            access=access_of_persona("office"),
            user=world.user("office"),
            unit=world.units["west"],
            year=2026,
            month=MONTH,
        )
    assert refused.value.messages == [
        "The figures of West District for 2026-06 are draft: they can be approved only when "
        "submitted."
    ]


def test_return_needs_a_comment(world, access_of_persona):
    set_status(world, "west", MONTH, "submitted")
    with pytest.raises(services.WorkflowError, match="comment is required"):
        services.submission_return(
            access=access_of_persona("office"),
            user=world.user("office"),
            unit=world.units["west"],
            year=2026,
            month=MONTH,
            comment="  ",
        )


def test_full_cycle_is_recorded_in_history(world, access_of_persona):
    east = world.units["east"]
    steps = [
        ("east_reporter", "submit"),
        ("office", "return"),
        ("east_reporter", "submit"),
        ("office", "approve"),
        ("office", "accept"),
    ]
    for persona, action in steps:
        services.submission_transition(
            access=access_of_persona(persona),
            user=world.user(persona),
            unit=east,
            year=2026,
            month=MONTH,
            action=action,
            comment="The note on FAI is missing.",
        )
    submission = Submission.objects.get(unit=east, year=2026, month=MONTH)
    assert submission.status == "accepted"
    assert submission.return_comment == "The note on FAI is missing."
    history = list(submission.history.order_by("history_date", "history_id"))
    assert [h.status for h in history] == [
        "draft",  # created by the first step
        "submitted",
        "returned",
        "submitted",
        "approved",
        "accepted",
    ]
    assert [h.history_user.username for h in history[1:]] == [p for p, _a in steps]


def test_unknown_action_is_refused(world, access_of_persona):
    with pytest.raises(services.WorkflowError):
        services.submission_transition(
            access=access_of_persona("office"),
            user=world.user("office"),
            unit=world.units["east"],
            year=2026,
            month=MONTH,
            action="publish",
        )


def test_submit_needs_every_required_figure(world, access_of_persona):
    # North County has not reported June 2026.
    with pytest.raises(services.WorkflowError) as refused:
        services.submission_submit(
            access=access_of_persona("office"),
            user=world.user("office"),
            unit=world.units["north"],
            year=2026,
            month=MONTH,
        )
    assert refused.value.messages == [
        "Fixed-asset investment is missing.",
        "Industrial value-added growth is missing.",
        "PM2.5 concentration is missing.",
        "Projects started is missing.",
    ]


def test_the_city_has_nothing_to_submit(world, access_of_persona):
    with pytest.raises(services.WorkflowError, match="no figures to report"):
        services.submission_submit(
            access=access_of_persona("office"),
            user=world.user("office"),
            unit=world.units["city"],
            year=2026,
            month=MONTH,
        )
