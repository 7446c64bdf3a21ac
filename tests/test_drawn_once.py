"""`saima.testing.drawn_once`: a bulletin whose document was issued before in the run gets the
files drawn then; a document that differs in anything is drawn afresh."""

from __future__ import annotations

from saima import testing
from saima.bulletins import services
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.results.services import race_publish


def test_the_same_document_is_drawn_once_and_another_afresh(world, race, monkeypatch) -> None:
    office = Access.for_user(world.user("office"))
    race_publish(office, race, parse_period("2026-Q1"))
    bulletin = services.bulletin_draft(office, race=race, kind="race", period="2026-Q1")
    drawn = []

    def draw(bulletin_id: int) -> dict[str, bytes]:
        drawn.append(bulletin_id)
        return {"pdf": b"%PDF-" + str(len(drawn)).encode()}

    monkeypatch.setattr(services, "issue_files", draw)
    monkeypatch.setattr(testing, "_DRAWN", {})
    with testing.drawn_once():
        first = services.issue_files(bulletin.pk)
        assert services.issue_files(bulletin.pk) == first == {"pdf": b"%PDF-1"}
        with testing.drawn_once():  # nested: the same cache
            assert services.issue_files(bulletin.pk) == first
        assert len(drawn) == 1
        services.bulletin_edit(office, bulletin, title="另一个标题")
        assert services.issue_files(bulletin.pk) == {"pdf": b"%PDF-2"}
    assert services.issue_files is draw  # in force only inside
    assert len(drawn) == 2
