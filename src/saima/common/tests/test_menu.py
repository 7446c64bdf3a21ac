"""The main menu is what the apps registered, shown to whom each entry is for, with the current
page marked and the period carried on the pages of figures."""

from __future__ import annotations

import re

from saima.common import menu


def _links(html: str) -> list[tuple[str, str, bool]]:
    nav = html[html.index('<nav class="topnav"') : html.index("</nav>")]
    return [
        (label.strip(), href, "aria-current" in attrs)
        for href, attrs, label in re.findall(r'<a href="([^"]*)"([^>]*)>([^<]*)</a>', nav)
    ]


def test_every_registered_entry_is_in_the_menu_in_order(as_user):
    html = as_user("office").get("/races/").content.decode()
    links = _links(html)
    assert [label for label, _href, _current in links] == [
        "Overview",
        "Units",
        "Indicators",
        "Table",
        "Dashboard",
        "Reporting",
        "Targets",
        "Races",
        "Projects",
        "Supervision",
        "Bulletins",
        "Meeting screen",
    ]
    assert [label for label, _href, current in links if current] == ["Races"]


def test_pages_of_figures_keep_the_period(as_user):
    links = _links(as_user("leader").get("/units/?period=2026-03").content.decode())
    assert ("Overview", "/?period=2026-03", False) in links
    assert ("Units", "/units/?period=2026-03", True) in links
    assert ("Races", "/races/", False) in links


def test_an_entry_shows_only_to_whom_it_is_for(as_user, monkeypatch):
    monkeypatch.setattr(menu, "_ENTRIES", dict(menu._ENTRIES))
    menu.add(menu.Entry("office-only", "Office only", "overview", visible=lambda a: a.is_office))
    assert "Office only" in as_user("office").get("/units/").content.decode()


def test_an_entry_hidden_from_a_reporter(client, world, monkeypatch):
    monkeypatch.setattr(menu, "_ENTRIES", dict(menu._ENTRIES))
    menu.add(menu.Entry("office-only", "Office only", "overview", visible=lambda a: a.is_office))
    client.force_login(world.user("east_reporter"))
    assert "Office only" not in client.get("/units/").content.decode()
