"""Drafting, editing, issuing: what is refused (with a message, nothing changed) and what issuing
does (files kept, the bulletin frozen, the units' to-do lists and email)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from saima.bulletins import services
from saima.bulletins.delivery import bulletins_to_read
from saima.bulletins.models import Bulletin, BulletinFile, Delivery, FrozenError
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.results.services import race_publish
from saima.testing import drawn_once


@pytest.fixture(scope="module", autouse=True)
def _drawn_once_in_the_module():
    """The tests that issue the kept draft get its files drawn once for the module (the first
    test to issue it draws them; see `saima.testing.drawn_once`)."""
    with drawn_once(cache={}):
        yield


def _state() -> list[tuple]:
    return list(
        Bulletin.objects.order_by("pk").values_list(
            "pk", "status", "number", "title", "office", "paragraphs", "updated_at"
        )
    )


def _refused(call, field: str, words: str) -> None:
    before = _state()
    with pytest.raises(ValidationError) as caught:
        call()
    messages = caught.value.message_dict
    assert field in messages, messages
    assert words in " ".join(messages[field]), messages
    assert _state() == before


def test_a_period_with_no_published_result_is_refused(race, office) -> None:
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="race", period="2026-Q1"),
        "period",
        "no published result for 2026-Q1",
    )
    assert not Bulletin.objects.exists()


def test_the_draft_is_written_from_the_current_version(published, race, office) -> None:
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-H1")
    assert bulletin.period == "2026-Q2"  # H1 of a quarterly race is its Q2
    assert bulletin.publication_id == published.pk
    assert bulletin.version == 1 and bulletin.status == "draft"
    keys = [p["key"] for p in bulletin.paragraphs]
    assert keys == [
        "overview",
        "standings",
        "distinctions",
        "behind",
        "half",
        "statements",
        "next",
    ]
    assert bulletin.title == "关于2026年第二季度重点工作赛马结果的通报"
    english = services.bulletin_draft(
        office, race=race, kind="monthly", period="2026-05", language="en"
    )
    assert (
        english.title == "Monthly comment on the progress of key work in January to month 5 of 2026"
    )
    assert [p["key"] for p in english.paragraphs] == ["lights", "gaps", "run_rates", "next"]


def test_refusals_while_drafting(published, race, office) -> None:
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="monthly", period="2026-Q1"),
        "period",
        "2026-05",
    )
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="weekly", period="2026-Q2"),
        "kind",
        "",
    )
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="race", period="2025-Q2"),
        "period",
        "2025-Q2",
    )
    services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="race", period="2026-Q2"),
        "period",
        "open already",
    )


def test_others_may_not_draft(world, published, race) -> None:
    from django.core.exceptions import PermissionDenied

    for persona in ("leader", "east_reporter", "stranger"):
        with pytest.raises(PermissionDenied):
            services.bulletin_draft(
                Access.for_user(world.user(persona)), race=race, kind="race", period="2026-Q2"
            )
    assert not Bulletin.objects.exists()


def test_edit_changes_fields_and_paragraphs(draft, office) -> None:
    edited = services.bulletin_edit(
        office, draft, title="新标题", paragraphs={"next": "下一步：抓落实。"}, date="2026-07-10"
    )
    assert edited.title == "新标题"
    assert {p["key"]: p["text"] for p in edited.paragraphs}["next"] == "下一步：抓落实。"
    assert edited.history.count() >= 3  # drafted, fields, this edit


def test_an_emptied_paragraph_is_refused(draft, office) -> None:
    _refused(
        lambda: services.bulletin_edit(office, draft, paragraphs={"overview": "   "}),
        "paragraphs.overview",
        "is empty",
    )
    _refused(
        lambda: services.bulletin_edit(office, draft, paragraphs={"nope": "text"}),
        "paragraphs",
        "nope",
    )
    _refused(lambda: services.bulletin_edit(office, draft, title=""), "title", "title")
    _refused(lambda: services.bulletin_edit(office, draft, number="12a"), "number", "whole number")
    _refused(lambda: services.bulletin_edit(office, draft, date="10/07/2026"), "date", "YYYY-MM-DD")
    _refused(
        lambda: services.bulletin_edit(office, draft, recipients="x\x00y"), "recipients", "NUL"
    )


def test_a_number_used_this_year_is_refused(draft, race, office) -> None:
    other = services.bulletin_draft(office, race=race, kind="monthly", period="2026-05")
    _refused(
        lambda: services.bulletin_edit(office, other, prefix="青重办发", number=12),
        "number",
        "青重办发〔2026〕12号 is already used",
    )
    # another year or another office's code is another number
    services.bulletin_edit(office, other, prefix="青重办发", number=12, year=2027)
    services.bulletin_edit(office, other, prefix="青政办发", number=12, year=2026)


def test_issue_keeps_the_files_freezes_and_delivers(world, draft, office) -> None:
    east = world.user("east_reporter")
    east.email = "east@example.org"
    east.save()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        issued = services.bulletin_issue(office, draft)
    assert issued.status == "issued" and issued.issued_by_id == office.user_id
    files = {f.format: f for f in BulletinFile.objects.filter(bulletin=issued)}
    assert sorted(files) == ["docx", "pdf", "xlsx"]
    assert bytes(files["pdf"].data).startswith(b"%PDF")
    assert bytes(files["docx"].data).startswith(b"PK")
    units = set(Delivery.objects.filter(bulletin=issued).values_list("unit__code", flat=True))
    assert units == {"east", "west", "north"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["east@example.org"]
    assert "青重办发〔2026〕12号" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    reader = Access.for_user(east)
    import datetime

    tasks = list(bulletins_to_read(reader, datetime.date(2026, 7, 10)))
    assert [t.url for t in tasks] == [f"/bulletins/{issued.pk}/"]
    assert services.delivery_read(reader, issued) == 1
    assert list(bulletins_to_read(reader, datetime.date(2026, 7, 10))) == []
    # frozen: no edit, no delete, no second issue; the model refuses too
    _refused(lambda: services.bulletin_edit(office, issued, title="x"), "__all__", "issued")
    _refused(lambda: services.bulletin_issue(office, issued), "__all__", "issued")
    _refused(lambda: services.bulletin_delete(office, issued), "__all__", "issued")
    issued.title = "changed"
    with pytest.raises(FrozenError):
        issued.save()
    with pytest.raises(FrozenError):
        files["pdf"].delete()


def test_issue_needs_every_document_field(published, race, office) -> None:
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    services.bulletin_edit(office, bulletin, office="", number=None, recipients="")
    _refused(lambda: services.bulletin_issue(office, bulletin), "office", "issuing office")
    assert not BulletinFile.objects.exists()


def test_a_new_version_needs_a_reason_and_follows_the_republished_result(
    draft, race, office
) -> None:
    services.bulletin_issue(office, draft)
    _refused(
        lambda: services.bulletin_draft(office, race=race, kind="race", period="2026-Q2"),
        "reason",
        "needs a reason",
    )
    republished = race_publish(
        office, race, parse_period("2026-Q2"), reason="a figure was corrected"
    )
    second = services.bulletin_draft(
        office, race=race, kind="race", period="2026-Q2", reason="result republished"
    )
    assert second.version == 2 and second.publication_id == republished.pk
    assert second.number == 13  # the next free number of the office's code
