"""The life of a supervision item through the services: who may do what, the bad input refused
by name with nothing changed, the original deadline kept, a closed item's history final, and the
escalation job idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from saima.common.evidence import check_evidence, read_upload
from saima.races.register.tests.test_evidence import png_bytes
from saima.supervision import services
from saima.supervision.models import ClosedError, Escalation, Event, Item, Status
from saima.supervision.tests.conftest import TODAY, access, item_data, make_item

D = datetime.date


def fingerprint():
    return (
        tuple(Item.objects.values_list("pk", "status", "extended_to", "closed_on").order_by("pk")),
        Event.objects.count(),
        Escalation.objects.count(),
    )


def refused(field: str, call, *args, **kwargs) -> str:
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert fingerprint() == before
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


def east(world):
    return access(world, "east_reporter")


def west(world):
    return access(world, "west_approver")


def run_life(world, item):
    user = world.user("east_reporter")
    services.item_acknowledge(access=east(world), user=user, item=item)
    services.item_feedback(
        access=east(world),
        user=user,
        item=item,
        text="已完成两个小区的开工手续",
        files=[check_evidence("site.png", png_bytes())],
    )
    services.item_request_closure(access=east(world), user=user, item=item, text="全部完成")
    return Item.objects.get(pk=item.pk)


def test_the_life_of_an_item(world, item):
    assert item.reference == "DB2026-001" and item.status == Status.ASSIGNED
    assert item.assigned_on == TODAY
    services.item_feedback(
        access=west(world), user=world.user("west_approver"), item=item, text="配合提供用地资料"
    )
    item = run_life(world, item)
    assert item.status == Status.CLOSURE_REQUESTED
    services.item_return(
        access=access(world), user=world.user("office"), item=item, reason="缺少验收材料"
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    services.item_request_closure(
        access=east(world), user=world.user("east_reporter"), item=item, text="补充验收材料"
    )
    services.item_close(access=access(world), user=world.user("office"), item=item)
    item.refresh_from_db()
    assert (item.status, item.closed_on) == (Status.CLOSED, TODAY)
    kinds = list(item.events.values_list("kind", "unit__code"))
    assert kinds == [
        ("assigned", "east"),
        ("co_feedback", "west"),
        ("acknowledged", "east"),
        ("feedback", "east"),
        ("closure_requested", "east"),
        ("returned", None),
        ("closure_requested", "east"),
        ("closed", None),
    ]
    assert item.events.get(kind="feedback").files.get().name == "site.png"


def test_who_may_do_what(world, item):
    office, leader, reporter = access(world), access(world, "leader"), east(world)
    user = world.user("office")
    with pytest.raises(PermissionDenied):
        services.item_create(access=leader, user=user, data=item_data(world))
    with pytest.raises(PermissionDenied):
        services.item_acknowledge(access=office, user=user, item=item)
    with pytest.raises(PermissionDenied):
        services.item_acknowledge(access=west(world), user=user, item=item)
    with pytest.raises(PermissionDenied):
        services.item_feedback(access=access(world, "stranger"), user=user, item=item, text="x")
    with pytest.raises(PermissionDenied):
        services.item_request_closure(access=west(world), user=user, item=item, text="x")
    with pytest.raises(PermissionDenied):
        services.item_close(access=reporter, user=user, item=item)
    with pytest.raises(PermissionDenied):
        services.item_return(access=leader, user=user, item=item, reason="x")
    with pytest.raises(PermissionDenied):
        services.extension_request(
            access=west(world), user=user, item=item, new_deadline=D(2026, 9, 1), reason="x"
        )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"lead_unit": None}, "lead_unit", "lead unit"),
        ({"deadline": TODAY - datetime.timedelta(days=1)}, "deadline", "before today"),
        ({"deadline": None}, "deadline", "YYYY-MM-DD"),
        ({"title": "  "}, "title", "required"),
        ({"source": "rumour"}, "source", "source"),
        ({"rhythm": "daily"}, "rhythm", "weekly"),
        ({"co_units": "east"}, "co_units", "lead unit"),
        ({"leader": "east_reporter"}, "leader", "leader"),
    ],
)
def test_bad_items_are_refused_by_name(world, today, changes, field, words):
    if "co_units" in changes:
        changes["co_units"] = [world.units[changes["co_units"]]]
    if "leader" in changes:
        changes["leader"] = world.user(changes["leader"])
    message = refused(
        field,
        services.item_create,
        access=access(world),
        user=world.user("office"),
        data=item_data(world, **changes),
    )
    assert words in message


def test_a_deadline_on_the_day_is_accepted(world, today):
    assert make_item(world, deadline=TODAY).deadline == TODAY


def test_one_item_per_origin(world, today):
    make_item(world, origin="statement:1")
    message = refused(
        "origin",
        services.item_create,
        access=access(world),
        user=world.user("office"),
        data=item_data(world, origin="statement:1"),
    )
    assert "DB2026-001" in message


def test_no_feedback_on_a_closed_item_and_no_closure_without_feedback(world, item):
    user = world.user("east_reporter")
    services.item_acknowledge(access=east(world), user=user, item=item)
    refused(
        "feedback",
        services.item_request_closure,
        access=east(world),
        user=user,
        item=item,
        text="完成",
    )
    refused("feedback", services.item_close, access=access(world), user=user, item=item)
    item = run_life_after_ack(world, item)
    services.item_close(access=access(world), user=world.user("office"), item=item)
    message = refused(
        "item", services.item_feedback, access=east(world), user=user, item=item, text="再报"
    )
    assert "closed" in message
    refused(
        "status",
        services.item_extend,
        access=access(world),
        user=user,
        item=item,
        new_deadline=D(2026, 12, 1),
        reason="x",
    )
    refused("status", services.item_return, access=access(world), user=user, item=item, reason="x")
    event = item.events.first()
    event.text = "changed"
    with pytest.raises(ClosedError):
        event.save()
    with pytest.raises(ClosedError):
        event.delete()


def run_life_after_ack(world, item):
    user = world.user("east_reporter")
    services.item_feedback(access=east(world), user=user, item=item, text="进展")
    services.item_request_closure(access=east(world), user=user, item=item, text="完成")
    return Item.objects.get(pk=item.pk)


def test_feedback_before_acknowledgement_is_refused(world, item):
    refused(
        "status",
        services.item_feedback,
        access=east(world),
        user=world.user("east_reporter"),
        item=item,
        text="进展",
    )


def test_an_extension_needs_a_reason_and_the_office_and_keeps_the_original_deadline(world, item):
    user = world.user("east_reporter")
    original = item.deadline
    refused(
        "reason",
        services.extension_request,
        access=east(world),
        user=user,
        item=item,
        new_deadline=original + datetime.timedelta(days=20),
        reason=" ",
    )
    refused(
        "new_deadline",
        services.extension_request,
        access=east(world),
        user=user,
        item=item,
        new_deadline=original,
        reason="用地未批",
    )
    extension = services.extension_request(
        access=east(world),
        user=user,
        item=item,
        new_deadline=original + datetime.timedelta(days=20),
        reason="用地未批",
    )
    item.refresh_from_db()
    assert item.extended_to is None  # not until the office approves
    with pytest.raises(PermissionDenied):
        services.extension_decide(access=east(world), user=user, extension=extension, approve=True)
    refused(
        "note",
        services.extension_decide,
        access=access(world),
        user=user,
        extension=extension,
        approve=False,
    )
    services.extension_decide(
        access=access(world), user=world.user("office"), extension=extension, approve=True
    )
    item.refresh_from_db()
    assert item.deadline == original
    assert (item.extended_to, item.extension_granted) == (
        original + datetime.timedelta(days=20),
        TODAY,
    )
    assert item.current_deadline == item.extended_to


def test_evidence_of_the_wrong_type_or_too_large_is_refused(world, item, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as caught:
        read_upload(SimpleUploadedFile("a.pdf", b"MZ not a pdf"))
    assert "evidence" in caught.value.message_dict
    settings.SAIMA_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        read_upload(SimpleUploadedFile("a.png", png_bytes()))
    assert "larger" in " ".join(caught.value.message_dict["evidence"])


def test_the_escalation_job_sends_each_reminder_once(world, today):
    reporter = world.user("east_reporter")
    reporter.email = "east@example.org"
    reporter.save()
    item = make_item(world, deadline=TODAY + datetime.timedelta(days=2), co_units=[])
    # Never acknowledged: the acknowledgement was due on Friday 12 June.
    today.set(D(2026, 6, 15))
    first = services.escalation_run(today=D(2026, 6, 15))
    assert [(s.step, s.action, s.since) for s in first.taken] == [
        ("acknowledgement_reminder", "reminder", D(2026, 6, 13)),
        ("reminder", "reminder", D(2026, 6, 13)),
    ]
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["east@example.org"]
    assert "DB2026-001" in mail.outbox[0].subject
    again = services.escalation_run(today=D(2026, 6, 15))
    assert again.taken == [] and len(mail.outbox) == 2
    # A week after the deadline: the bulletin step, recorded, no email.
    later = services.escalation_run(today=D(2026, 6, 19))
    assert [(s.step, s.action) for s in later.taken] == [("bulletin", "bulletin")]
    assert len(mail.outbox) == 2
    assert item.events.filter(kind="escalated").count() == 3


def test_closing_late_after_a_return(world, today):
    item = make_item(world, deadline=D(2026, 6, 20))
    user = world.user("east_reporter")
    services.item_acknowledge(access=east(world), user=user, item=item)
    run_life_after_ack(world, item)
    today.set(D(2026, 6, 19))
    services.item_return(access=access(world), user=world.user("office"), item=item, reason="不全")
    today.set(D(2026, 6, 25))
    services.item_request_closure(access=east(world), user=user, item=item, text="补齐")
    services.item_close(access=access(world), user=world.user("office"), item=item)
    from saima.supervision.selectors import unit_rates

    rates = {r["unit"].code: r for r in unit_rates(access(world), D(2026, 6, 1), D(2026, 6, 30))}
    assert (rates["east"]["closure_due"], rates["east"]["closure_on_time"]) == (1, 0)
    assert rates["east"]["ack_rate"] == 100.0
