"""The overview: the grid of lights, its counts, the not-reported list and double over half."""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def office(as_user):
    return as_user("office")


def _html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_counts_and_grid_at_june(office):
    response = office.get("/?period=2026-06")
    board = response.context["board"]
    # East and West report all four indicators (all green in the world); North reports nothing.
    assert board.counts == {"green": 8, "yellow": 0, "red": 0, "missing": 4}
    html = response.content.decode()
    assert [g.name for g in board.groups] == ["Counties", "Districts"]  # RaceGroup's ordering
    assert html.count('data-light="green"') == 8
    assert html.count('data-light="missing"') == 4


def _tips(html: str) -> dict:
    blob = re.search(r'<script id="saima-cells" type="application/json">(.*?)</script>', html, re.S)
    assert blob, "no tooltip data"
    return json.loads(blob.group(1))


def _key(tips: dict, unit_page: str, code: str) -> str:
    """The `data-k` of the cell of the unit whose page is `unit_page`, on indicator `code`."""
    [unit] = [u for u, link in tips["links"].items() if link == unit_page]
    [indicator] = [i for i, c in tips["codes"].items() if c == code]
    return f"{unit}.{indicator}"


def test_cells_link_to_the_unit_page_at_the_indicator(office):
    html = _html(office, "/?period=2026-06")
    tips = _tips(html)
    key = _key(tips, "/units/east/?period=2026-06", "fai")
    grid = html.split('id="grid-title"')[1].split("</table>")[0]
    assert f'<td data-k="{key}" data-light="green">' in grid
    # saima.js links a cell to links[unit] + "#ind-" + codes[indicator] (see test_browser).
    unit, indicator = key.split(".")
    assert tips["links"][unit] + "#ind-" + tips["codes"][indicator] == (
        "/units/east/?period=2026-06#ind-fai"
    )
    assert 'href="/units/east/?period=2026-06"' in grid
    assert 'href="/indicators/pm25/?period=2026-06"' in html


def _tooltip(tips: dict, key: str) -> list:
    """A cell's figures as the hover box shows them: value and target with their measure."""
    figures = tips["cells"][key]
    measure = tips["measures"][key.split(".")[1]]
    amounts = [tips["dash"] if text is None else text + measure for text in figures[:2]]
    return amounts + figures[2:]


def test_cell_tooltip_names_the_figures(office):
    html = _html(office, "/?period=2026-06")
    tips = _tips(html)
    key = _key(tips, "/units/east/?period=2026-06", "fai")
    assert f'<td data-k="{key}" data-light="green">' in html
    # Value, target, completion, time progress, gap, light: formatted by the server.
    assert _tooltip(tips, key) == [
        "79.20 100m yuan",
        "144.00 100m yuan",
        "55.0%",
        "50.0%",
        "+5.0 pp",
        "green",
    ]
    assert tips["cells"][key][:2] == ["79.20", "144.00"]  # the measure is sent once
    unit, indicator = key.split(".")
    assert tips["units"][unit] == "East District"
    assert tips["indicators"][indicator] == "Fixed-asset investment"
    assert tips["measures"][indicator] == " 100m yuan"
    assert tips["labels"]["value"] == "Value" and tips["labels"]["gap"] == "Gap"
    grid = html.split('id="grid-title"')[1].split("</table>")[0]
    assert " title=" not in grid
    assert "100m yuan" not in grid and "#ind-" not in grid  # nothing per cell but the light


def test_not_reported_lists_north_county_at_june(office):
    response = office.get("/?period=2026-06")
    [(unit, indicators)] = response.context["board"].not_reported
    assert unit.code == "north"
    assert [i.code for i in indicators] == ["fai", "ivag", "pm25", "projects"]
    section = response.content.decode().split('id="not-reported"')[1].split("</section>")[0]
    assert "North County" in section and "East District" not in section


def test_everyone_reported_in_may(office):
    response = office.get("/?period=2026-05")
    assert response.context["board"].not_reported == []
    assert response.context["board"].counts["missing"] == 0
    assert "Every figure for this period is in." in response.content.decode()


def test_double_over_half_board_at_june_only(office):
    june = _html(office, "/?period=2026-06")
    assert 'id="double-over-half"' in june
    half = june.split('id="double-over-half"')[1]
    assert half.count('data-half="yes"') == 4  # East and West, investment and projects
    assert half.count('data-half="missing"') == 2  # North has not reported
    assert "Industrial value-added growth" not in half  # growth is not on the schedule
    assert 'id="double-over-half"' not in _html(office, "/?period=2026-05")
    assert 'id="double-over-half"' in _html(office, "/?period=2026-H1")


def test_period_links_keep_the_canonical_form(office):
    html = _html(office, "/?period=2026-h1")
    assert 'href="/?period=2025-H2"' in html
    assert 'href="/?period=2026-H2"' not in html  # December is in the future
    assert 'href="/units/?period=2026-H1"' in html
    month = _html(office, "/?period=2026-6")
    assert 'href="/?period=2026-05"' in month and 'href="/?period=2026-07"' in month


def test_default_period_is_the_latest_with_figures(office):
    response = office.get("/")
    assert response.context["period"].label == "2026-06"


def test_period_picker_lists_months_with_figures(office):
    html = _html(office, "/?period=2026-03")
    assert '<option value="2026-03" selected>' in html
    assert '<option value="2026-06"' in html and '<option value="2025-12"' in html


def test_indicator_page_ranks_units_within_groups(as_user, world):
    from saima.metrics.models import Observation

    Observation.objects.filter(unit__code="west", indicator__code="fai", year=2026, month=6).update(
        value=70
    )
    response = as_user("office").get("/indicators/fai/?period=2026-06")
    groups = {g.name: g.rows for g in response.context["groups"]}
    districts = [(rank, f.unit.code) for rank, f in groups["Districts"]]
    assert districts == [(1, "west"), (2, "east")]  # 70/108 = 64.8% beats 79.2/144 = 55%
    assert [(rank, f.unit.code) for rank, f in groups["Counties"]] == [(None, "north")]


def test_level_indicator_ranks_lower_first(as_user):
    response = as_user("office").get("/indicators/pm25/?period=2026-06")
    groups = {g.name: g.rows for g in response.context["groups"]}
    districts = [(rank, f.unit.code) for rank, f in groups["Districts"]]
    assert districts == [(1, "east"), (2, "west")]  # 28.4 µg/m³ beats 31.6


def test_units_index_groups_readable_units(as_user):
    html = _html(as_user("leader"), "/units/?period=2026-06")
    for name in ("Districts", "Counties", "East District", "North County", "Qinghe City"):
        assert name in html
    reporter = _html(as_user("west_approver"), "/units/?period=2026-06")
    assert "West District" in reporter and "East District" not in reporter


def test_indicators_index_lists_every_indicator(as_user):
    html = _html(as_user("stranger"), "/indicators/?period=2026-06")
    for name in ("Fixed-asset investment", "PM2.5 concentration", "Projects started"):
        assert name in html


#: The grid's rows as the template wrote them before `grid_rows` made them in Python.
ROWS_AS_TEMPLATE = """{% load i18n saima %}{% translate "no target" as no_target %}
            {% for row in group.rows %}
              <tr><th scope="row"><a href="{% period_url 'unit' row.unit.code %}">{{ row.unit.name }}</a></th>{% for cell in row.cells %}{% if cell %}{% with light=cell.light %}<td data-k="{{ cell.key }}" data-light="{{ light.key }}">{{ light.icon }} {{ light.label }}</td>{% endwith %}{% else %}<td class="cell--none">{{ no_target }}</td>{% endif %}{% endfor %}</tr>
            {% endfor %}
"""  # noqa: E501
ROWS_BY_TAG = """{% load i18n saima %}{% translate "no target" as no_target %}
            {% grid_rows group.rows no_target %}
"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("period", ["2026-06", "2026-03"])
def test_grid_rows_are_the_template_loop_to_the_byte(office, language, period):
    """The national board's rows are made by a template tag, not a loop: same bytes."""
    from django.template import engines
    from django.utils.translation import override

    from saima.org.models import Unit
    from saima.web.present import Group, UnitRow

    response = office.get(f"/?period={period}", HTTP_ACCEPT_LANGUAGE=language)
    board = response.context["board"]
    engine = engines["django"]
    # A row with a cell of no target, and a name to escape.
    odd = Unit(code="odd", name_zh="甲&乙<丙>", name_en='A & "B" <C>')
    first = board.groups[0].rows[0]
    extra = Group(None, [UnitRow(odd, [None, *first.cells[1:]])])
    with override(language):
        for group in [*board.groups, extra]:
            context = {"group": group, "period": response.context["period"]}
            looped = engine.from_string(ROWS_AS_TEMPLATE).render(context)
            tagged = engine.from_string(ROWS_BY_TAG).render(context)
            assert tagged == looped
            assert 'data-light="' in tagged and "<tr><th" in tagged


def _grid_units(html: str) -> list[str]:
    grid = html.split('id="grid-title"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="/units/([a-z-]+)/', grid)


def test_a_small_scope_shows_every_group_and_can_show_one(office):
    html = _html(office, "/?period=2026-06")
    assert _grid_units(html) == ["north", "east", "west"]
    assert "group-nav" not in html
    response = office.get("/?period=2026-06&group=districts")
    html = response.content.decode()
    assert _grid_units(html) == ["east", "west"]
    assert response.context["board"].counts == {"green": 8, "yellow": 0, "red": 0, "missing": 0}
    nav = html.split('class="group-nav"')[1].split("</nav>")[0]
    assert '<a href="/?period=2026-06">all groups</a>' in nav
    assert '<a href="/?period=2026-06&amp;group=districts" aria-current="page">' in nav
    assert "Districts (2 units)" in nav and "Counties (1 unit)" in nav
    assert "The counts and the grid below are for Districts only." in html
    # Moving to another period keeps the group: the arrows and the period picker.
    assert 'href="/?period=2026-05&amp;group=districts"' in html
    assert '<input type="hidden" name="group" value="districts">' in html
    # The tooltip data is the shown group's only.
    assert sorted(_tips(html)["units"].values()) == ["East District", "West District"]


def test_a_large_scope_shows_one_group_at_a_time(office, monkeypatch):
    from saima.web import views

    monkeypatch.setattr(views, "OVERVIEW_UNITS", 2)
    html = _html(office, "/?period=2026-06")
    assert _grid_units(html) == ["north"]  # the first group, in the groups' order
    nav = html.split('class="group-nav"')[1].split("</nav>")[0]
    assert "one race group at a time (2 groups)" in nav
    assert "all groups" not in nav
    assert "The counts and the grid below are for Counties only." in html
    assert '<a href="/?period=2026-06&amp;group=counties" aria-current="page">' in nav
    assert _grid_units(_html(office, "/?period=2026-06&group=districts")) == ["east", "west"]


@pytest.mark.parametrize(
    ("group", "status"), [("nowhere", 404), ("..", 404), ("<b>", 404), ("districts\x00", 400)]
)
def test_an_unknown_group_is_refused(office, group, status):
    response = office.get("/", {"period": "2026-06", "group": group})
    assert response.status_code == status
    assert "<b>" not in response.content.decode()


def test_a_reporter_cannot_ask_for_a_group_without_their_unit(as_user):
    reporter = as_user("east_reporter")
    assert reporter.get("/?period=2026-06&group=districts").status_code == 200
    assert reporter.get("/?period=2026-06&group=counties").status_code == 404
