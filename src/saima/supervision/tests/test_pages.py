"""The supervision pages: the leader's own items first, the ledger's filters and its XLSX, and
refusals shown on the page with nothing saved."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from saima.supervision.models import Event, Item
from saima.supervision.tests.conftest import TODAY, make_item


def test_the_leader_sees_their_items_first(world, today, client):
    other = make_item(world, title="别人负责", leader=None, deadline=TODAY)
    mine = make_item(world, title="我负责", deadline=TODAY + datetime.timedelta(days=60))
    client.force_login(world.user("leader"))
    page = client.get("/supervision/").content.decode()
    assert page.index(f'data-item="{mine.reference}"') < page.index(
        f'data-item="{other.reference}"'
    )
    only = client.get("/supervision/?mine=1").content.decode()
    assert other.reference not in only and mine.reference in only


def test_the_ledgers_filters(world, today, client):
    make_item(world, source="complaint")
    make_item(world, source="meeting", lead_unit=world.units["north"], co_units=[])
    client.force_login(world.user("office"))
    assert client.get("/supervision/?source=complaint").content.decode().count("data-item=") == 1
    assert client.get("/supervision/?unit=north").content.decode().count("data-item=") == 1
    assert client.get("/supervision/?unit=west").content.decode().count("data-item=") == 1
    assert client.get("/supervision/?status=closed").content.decode().count("data-item=") == 0
    assert client.get("/supervision/?leader=leader").content.decode().count("data-item=") == 2
    assert client.get("/supervision/?status=nonsense").status_code == 400
    assert client.get("/supervision/?from=2026-13-01").status_code == 400


def test_the_xlsx_as_offices_print_it(world, today, client):
    item = make_item(world, title='=HYPERLINK("x")')
    client.force_login(world.user("office"))
    response = client.get("/supervision/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Supervision items ledger"
    assert [c.value for c in sheet[3]][:6] == [
        "No.",
        "Reference",
        "Supervision item",
        "Task",
        "Source",
        "Lead unit",
    ]
    row = [c.value for c in sheet[4]]
    assert row[1] == item.reference and row[2] == '=HYPERLINK("x")'
    assert sheet["C4"].data_type == "s" and sheet["C4"].quotePrefix
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"


def test_refusals_on_the_item_page_change_nothing(world, today, client, settings):
    item = make_item(world)
    client.force_login(world.user("east_reporter"))
    before = Event.objects.count()
    response = client.post(f"/supervision/{item.pk}/", {"action": "feedback", "text": "x"})
    assert response.status_code == 400
    assert "Acknowledge the item before reporting" in response.content.decode()
    client.post(f"/supervision/{item.pk}/", {"action": "acknowledge"})
    before = Event.objects.count()
    bad = SimpleUploadedFile("report.pdf", b"MZ\x90 not a pdf")
    response = client.post(
        f"/supervision/{item.pk}/", {"action": "feedback", "text": "进展", "evidence": bad}
    )
    assert response.status_code == 400 and 'data-field="evidence"' in response.content.decode()
    settings.SAIMA_EVIDENCE_MAX_BYTES = 50
    big = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    response = client.post(
        f"/supervision/{item.pk}/", {"action": "feedback", "text": "进展", "evidence": big}
    )
    assert response.status_code == 400
    response = client.post(
        f"/supervision/{item.pk}/", {"action": "extend", "new_deadline": "2026-12-01", "reason": ""}
    )
    assert response.status_code == 400 and 'data-field="reason"' in response.content.decode()
    assert Event.objects.count() == before
    assert Item.objects.get(pk=item.pk).extended_to is None


def test_a_new_item_without_a_lead_unit_is_refused_on_the_form(world, today, client):
    client.force_login(world.user("office"))
    response = client.post(
        "/supervision/new/",
        {
            "title": "事项",
            "task": "内容",
            "source": "meeting",
            "lead_unit": "",
            "deadline": "2026-06-01",
            "level": "key",
            "rhythm": "weekly",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="lead_unit"' in html and 'data-field="deadline"' in html
    assert not Item.objects.exists()


def test_the_ledgers_queries_do_not_grow_with_items(world, today, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saima.supervision import services
    from saima.supervision.tests.conftest import access

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    make_item(world)
    client.force_login(world.user("leader"))
    paths = ("/supervision/", "/supervision/?format=xlsx", "/units/east/?period=2026-06")
    before = [count(p) for p in paths]
    east, user = access(world, "east_reporter"), world.user("east_reporter")
    for n in range(8):
        item = make_item(
            world, title=f"事项{n}", co_units=[world.units["west"], world.units["north"]]
        )
        services.item_acknowledge(access=east, user=user, item=item)
        services.item_feedback(access=east, user=user, item=item, text="进展")
    today.set(TODAY + datetime.timedelta(days=45))
    services.escalation_run(today=TODAY + datetime.timedelta(days=45))
    assert [count(p) for p in paths] == before
