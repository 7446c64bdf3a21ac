"""Who may do what, on every page and API route of bulletins and meeting mode, as every persona;
bad input through the pages and the API refused without a 500; the list's query count."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saima.bulletins import services
from saima.bulletins.models import Bulletin
from saima.org.access import Access
from saima.testing import PERSONAS, keep

READERS = {"office", "leader", "east_reporter", "west_approver"}


@pytest.fixture(scope="module")
def kept_issued(kept_world, kept_draft, django_db_blocker):
    """The draft issued (its files drawn) once for the module's tests (see `keep`)."""
    with keep(django_db_blocker):
        yield services.bulletin_issue(Access.for_user(kept_world.user("office")), kept_draft)


@pytest.fixture
def issued(kept_issued, draft):
    """The kept issued bulletin, fetched afresh for the test."""
    return Bulletin.objects.get(pk=kept_issued.pk)


def _expect(response, persona: str, allowed: set[str], ok: int = 200) -> None:
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif persona in allowed:
        assert response.status_code == ok, (persona, response.status_code)
    else:
        assert response.status_code in (403, 404), (persona, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_pages(issued, race, office, as_user, persona) -> None:
    draft = services.bulletin_draft(office, race=race, kind="monthly", period="2026-05")
    client = as_user(persona)
    everyone = READERS | {"stranger"}
    _expect(client.get("/bulletins/"), persona, everyone)
    _expect(client.get("/meeting/"), persona, everyone)
    _expect(client.get("/meeting/?race=keywork&period=2026-Q1&theme=light"), persona, everyone)
    _expect(client.get(f"/bulletins/{issued.pk}/"), persona, READERS)
    _expect(client.get(f"/bulletins/{draft.pk}/"), persona, {"office"})
    for fmt in ("docx", "pdf", "xlsx"):
        _expect(client.get(f"/bulletins/{issued.pk}/bulletin.{fmt}"), persona, READERS)
    _expect(client.get(f"/bulletins/{draft.pk}/bulletin.xlsx"), persona, {"office"})
    _expect(
        client.get("/bulletins/new/?race=keywork&kind=race&period=2026-Q2"), persona, {"office"}
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_pages(published, race, office, as_user, persona) -> None:
    client = as_user(persona)
    response = client.post(
        "/bulletins/new/", {"race": "keywork", "kind": "race", "period": "2026-Q2"}
    )
    _expect(response, persona, {"office"}, ok=302)
    created = Bulletin.objects.first()
    assert (created is not None) == (persona == "office")
    draft = created or services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    before = draft.title
    _expect(
        client.post(f"/bulletins/{draft.pk}/edit/", {"title": "改过的标题"}),
        persona,
        {"office"},
        ok=302,
    )
    draft.refresh_from_db()
    assert (draft.title == "改过的标题") == (persona == "office") or draft.title == before
    services.bulletin_edit(office, draft, prefix="青重办发", number=3, recipients="各单位")
    _expect(client.post(f"/bulletins/{draft.pk}/issue/"), persona, {"office"}, ok=302)
    draft.refresh_from_db()
    assert draft.issued == (persona == "office")
    if draft.issued:
        # a unit's people mark it read; the office and leaders have nothing to mark
        _expect(client.post(f"/bulletins/{draft.pk}/read/"), persona, set(), ok=302)
    else:
        # issued by the office for the reading below: its files are not this test's business
        # (the office's issue above draws them), so they are not drawn again for each persona
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(services, "issue_files", lambda pk: {})
            services.bulletin_issue(office, draft)
        _expect(
            client.post(f"/bulletins/{draft.pk}/read/"),
            persona,
            {"east_reporter", "west_approver"},
            ok=302,
        )
    other = services.bulletin_draft(office, race=race, kind="monthly", period="2026-04")
    _expect(client.post(f"/bulletins/{other.pk}/delete/"), persona, {"office"}, ok=302)
    assert Bulletin.objects.filter(pk=other.pk).exists() == (persona != "office")


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_matrix(issued, race, office, as_user, persona) -> None:
    client = as_user(persona)
    draft = services.bulletin_draft(office, race=race, kind="monthly", period="2026-05")

    def expect(response, allowed, ok=200):
        if persona == "anonymous":
            assert response.status_code == 401
        elif persona in allowed:
            assert response.status_code == ok, (persona, response.content)
        else:
            assert response.status_code in (403, 404), (persona, response.status_code)

    listed = client.get("/api/bulletins")
    expect(listed, READERS | {"stranger"})
    if listed.status_code == 200:
        ids = {row["id"] for row in listed.json()}
        assert (draft.pk in ids) == (persona == "office")
        assert (issued.pk in ids) == (persona in READERS)
    expect(client.get(f"/api/bulletins/{issued.pk}"), READERS)
    expect(client.get(f"/api/bulletins/{issued.pk}/file?format=docx"), READERS)
    expect(
        client.patch(
            f"/api/bulletins/{draft.pk}",
            json.dumps({"title": "API 标题", "number": 40, "prefix": "青重办发"}),
            content_type="application/json",
        ),
        {"office"},
    )
    expect(client.post(f"/api/bulletins/{draft.pk}/issue"), {"office"})
    created = client.post(
        "/api/bulletins",
        json.dumps({"race": "keywork", "kind": "monthly", "period": "2026-03"}),
        content_type="application/json",
    )
    expect(created, {"office"}, ok=201)
    assert Bulletin.objects.filter(period="2026-03").exists() == (persona == "office")


def test_api_refuses_bad_input_without_a_500(issued, race, office, as_user) -> None:
    client = as_user("office")
    draft = services.bulletin_draft(office, race=race, kind="monthly", period="2026-05")
    before = Bulletin.objects.count()
    for body in (
        {"race": "keywork", "period": "2026-Q3"},
        {"race": "keywork", "kind": "monthly", "period": "2026-Q3"},
        {"race": "keywork", "period": "2026-Q9"},
        {"race": "key\x00work", "period": "2026-Q2"},
        {"race": "keywork", "period": "2026-Q2", "language": "fr"},
        {"race": "keywork", "period": "2026-Q2", "extra": 1},
    ):
        response = client.post("/api/bulletins", json.dumps(body), content_type="application/json")
        assert response.status_code in (400, 404), (body, response.content)
    assert Bulletin.objects.count() == before
    for body in (
        {"paragraphs": {"lights": ""}},
        {"paragraphs": {"nope": "x"}},
        {"number": issued.number, "prefix": issued.prefix, "year": issued.year},
        {"number": 0},
        {"title": ""},
        {"date": "2026-13-01"},
    ):
        response = client.patch(
            f"/api/bulletins/{draft.pk}", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400, (body, response.content)
    response = client.patch(
        f"/api/bulletins/{issued.pk}", json.dumps({"title": "x"}), content_type="application/json"
    )
    assert response.status_code == 400 and "issued" in response.json()["detail"]
    assert client.get("/api/bulletins/999999").status_code == 404
    assert client.get("/api/bulletins/0").status_code == 400
    assert client.get(f"/api/bulletins/{issued.pk}/file?format=exe").status_code == 400


def test_pages_refuse_bad_input_with_a_message(draft, as_user) -> None:
    client = as_user("office")
    response = client.post(
        f"/bulletins/{draft.pk}/edit/", {"title": draft.title, "paragraph-overview": ""}
    )
    assert response.status_code == 400
    assert "is empty" in response.content.decode()
    draft.refresh_from_db()
    assert draft.paragraphs[0]["text"]
    response = client.post("/bulletins/new/", {"race": "keywork", "period": "2026-Q3"})
    assert response.status_code == 400 and "no published result" in response.content.decode()
    assert client.get("/bulletins/new/?race=nope").status_code == 404
    assert client.get("/meeting/?race=nope&period=x&interval=abc").status_code == 200


def test_the_list_does_not_query_per_bulletin(published, race, office, as_user) -> None:
    for month in range(1, 3):
        services.bulletin_draft(office, race=race, kind="monthly", period=f"2026-{month:02d}")
    client = as_user("office")
    client.get("/bulletins/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/bulletins/").status_code == 200
    for month in range(3, 7):
        services.bulletin_draft(office, race=race, kind="monthly", period=f"2026-{month:02d}")
    with CaptureQueriesContext(connection) as more:
        assert client.get("/bulletins/").status_code == 200
    assert len(more) == len(few)
