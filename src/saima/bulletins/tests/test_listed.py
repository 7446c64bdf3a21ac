"""The supervision items listed for 通报 in a bulletin: named when their 通报 step was taken in
the bulletin's period (the race period's months, or the comment's month), left out when it was
taken before or after, frozen in the facts at drafting so that an issued bulletin never changes
when an item is listed afterwards — in the text, the DOCX, the XLSX, the PDF and the page."""

from __future__ import annotations

import datetime
import io

import docx
import openpyxl
import pytest
from django.utils import timezone

from saima.bulletins import selectors, services
from saima.bulletins.documents import sheets, word
from saima.bulletins.documents.layout import body
from saima.bulletins.models import BulletinFile
from saima.supervision import services as supervision
from saima.testing import drawn_once

D = datetime.date


@pytest.fixture
def day(monkeypatch):
    """The office's today, set by each step of the story."""
    value = {"day": D(2026, 1, 5)}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: value["day"])

    def set_day(new: datetime.date) -> None:
        value["day"] = new

    return set_day


def _item(world, office, title: str, deadline: datetime.date, unit: str = "east"):
    return supervision.item_create(
        access=office,
        user=world.user("office"),
        data=supervision.ItemData(
            title=title,
            task=f"{title}：按期完成",
            source="meeting",
            lead_unit=world.units[unit],
            deadline=deadline,
        ),
    )


@pytest.fixture
def listed(world, office, day, published):
    """Three overdue items whose 通报 step the daily run takes in March, in May and in July."""
    day(D(2026, 2, 2))
    early = _item(world, office, "三月通报的供水管网改造", D(2026, 3, 2), "west")
    supervision.escalation_run(today=D(2026, 3, 20), notify=False)
    day(D(2026, 4, 1))
    inside = _item(world, office, "五月通报的老旧小区改造", D(2026, 5, 4))
    supervision.escalation_run(today=D(2026, 5, 20), notify=False)
    day(D(2026, 6, 1))
    late = _item(world, office, "七月通报的停车场建设", D(2026, 6, 29), "north")
    supervision.escalation_run(today=D(2026, 7, 10), notify=False)
    day(D(2026, 7, 15))
    return {"early": early, "inside": inside, "late": late}


def _titles(bulletin) -> list[str]:
    return [row["title"] for row in bulletin.facts["listed"]["items"]]


def test_the_race_bulletin_lists_the_items_of_its_period(world, office, race, listed) -> None:
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    facts = bulletin.facts["listed"]
    assert (facts["start"], facts["end"], facts["as_of"]) == (
        "2026-04-01",
        "2026-06-30",
        "2026-06-30",
    )
    assert _titles(bulletin) == ["五月通报的老旧小区改造"]
    row = facts["items"][0]
    item = listed["inside"]
    assert row["reference"] == item.reference
    assert row["lead_unit"] == world.units["east"].name_zh
    assert row["listed_on"] == "2026-05-20"
    # Overdue from the deadline (4 May) to the period's end (30 June): 57 days.
    assert (row["deadline"], row["days_overdue"]) == ("2026-05-04", 57)
    # The latest step by then: the interview came with the same run (15 days after).
    assert (row["step"], row["step_on"]) == ("约谈", "2026-05-20")
    section = {p["key"]: p for p in bulletin.paragraphs}["listed"]
    assert section["heading"] == "督办事项通报"
    assert "五月通报的老旧小区改造" in section["text"] and "逾期57天" in section["text"]
    assert "2026年4月1日至2026年6月30日" in section["text"]
    assert [p["key"] for p in bulletin.paragraphs][-2:] == ["listed", "next"]

    document = selectors.document(bulletin)
    tables = [b for b in body(document) if b.kind == "table" and b.caption == "督办事项通报"]
    assert tables[0].rows == [
        [
            item.reference,
            "五月通报的老旧小区改造",
            row["lead_unit"],
            "2026-05-04",
            "57",
            "约谈 2026-05-20",
        ]
    ]
    opened = docx.Document(io.BytesIO(word.render(document)))
    cells = {cell.text for table in opened.tables for r in table.rows for cell in r.cells}
    assert "五月通报的老旧小区改造" in cells and item.reference in cells
    assert "三月通报的供水管网改造" not in cells and "七月通报的停车场建设" not in cells
    assert any("五月通报的老旧小区改造" in p.text for p in opened.paragraphs)
    book = openpyxl.load_workbook(io.BytesIO(sheets.render(document)))
    sheet = book["督办事项"]
    assert [c.value for c in sheet[4]] == [
        item.reference,
        "五月通报的老旧小区改造",
        row["lead_unit"],
        "2026-05-04",
        57,
        "约谈 2026-05-20",
    ]
    assert sheet.max_row == 4


def test_the_page_shows_the_listed_items(as_user, office, race, listed) -> None:
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    page = as_user("office").get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "五月通报的老旧小区改造" in page and listed["inside"].reference in page
    assert "三月通报的供水管网改造" not in page and "七月通报的停车场建设" not in page


def test_a_monthly_comment_lists_its_month_only(office, race, listed) -> None:
    may = services.bulletin_draft(office, race=race, kind="monthly", period="2026-05")
    assert _titles(may) == ["五月通报的老旧小区改造"]
    assert may.facts["listed"]["start"] == "2026-05-01"
    june = services.bulletin_draft(office, race=race, kind="monthly", period="2026-06")
    assert _titles(june) == []
    assert "listed" not in [p["key"] for p in june.paragraphs]
    march = services.bulletin_draft(office, race=race, kind="monthly", period="2026-03")
    assert _titles(march) == ["三月通报的供水管网改造"]


def test_an_issued_bulletin_keeps_its_list(world, office, race, listed, day) -> None:
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q2")
    services.bulletin_edit(
        office, bulletin, office="青河市重点工作推进办公室", prefix="青重办发", number="7"
    )
    with drawn_once(cache={}):
        issued = services.bulletin_issue(office, bulletin)
    before = (issued.facts, issued.paragraphs)
    stored = bytes(BulletinFile.objects.get(bulletin=issued, format="docx").data)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(bytes(BulletinFile.objects.get(bulletin=issued, format="pdf").data))
    printed = "".join("".join(page.get_textpage().get_text_range().split()) for page in pdf)
    assert "督办事项通报" in printed and "五月通报的老旧小区改造" in printed
    assert "七月通报的停车场建设" not in printed
    xlsx = BulletinFile.objects.get(bulletin=issued, format="xlsx").data
    assert openpyxl.load_workbook(io.BytesIO(bytes(xlsx)))["督办事项"]["B4"].value == (
        "五月通报的老旧小区改造"
    )
    # Afterwards, an item is listed on a day of the period (the run catches up late).
    day(D(2026, 5, 1))
    _item(world, office, "补登的道路整治", D(2026, 6, 1), "west")
    day(D(2026, 7, 20))
    supervision.escalation_run(today=D(2026, 6, 25), notify=False)
    issued.refresh_from_db()
    assert (issued.facts, issued.paragraphs) == before
    assert bytes(BulletinFile.objects.get(bulletin=issued, format="docx").data) == stored
    text = "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(word.render(selectors.document(issued)))).tables
        for r in table.rows
        for cell in r.cells
    )
    assert "补登的道路整治" not in text and "五月通报的老旧小区改造" in text
    page = as_page(world, issued)
    assert "补登的道路整治" not in page and "五月通报的老旧小区改造" in page
    # A new version, drawn now, names it.
    again = services.bulletin_draft(
        office, race=race, kind="race", period="2026-Q2", reason="补登督办事项"
    )
    assert sorted(_titles(again)) == sorted(["五月通报的老旧小区改造", "补登的道路整治"])


def as_page(world, bulletin) -> str:
    from django.test import Client

    client = Client()
    client.force_login(world.user("office"))
    return client.get(f"/bulletins/{bulletin.pk}/").content.decode()
