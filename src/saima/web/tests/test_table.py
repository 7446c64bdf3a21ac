"""The dense table: every unit × indicator in compact cells, a total row, filter and sort, and
the same rows as an XLSX file."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([\w-]+)">', html)


def test_table_shows_every_unit_and_a_total_row(as_user, world):
    html = as_user("office").get("/table/?period=2026-06").content.decode()
    assert set(_rows(html)) == {u.code for u in world.units.values() if u.race_group_id}
    assert "Whole area" in html
    assert "Time progress" in html
    # A light is never colour alone: each cell carries its icon.
    assert re.search(r'data-light="(green|yellow|red)"[^>]*><a [^>]*>[\d.,%-]+ <b aria-label', html)


def test_table_filters_by_race_group(as_user, world):
    html = as_user("office").get("/table/?period=2026-06&group=counties").content.decode()
    shown = set(_rows(html))
    assert shown and all(world.units[code].race_group.code == "counties" for code in shown)


def test_table_sorts_by_an_indicator_best_first_then_worst_first(as_user):
    client = as_user("office")
    reversed_somewhere = False
    for code in ("fai", "ivag", "pm25", "projects"):
        best = _rows(client.get(f"/table/?period=2026-06&sort={code}").content.decode())
        worst = _rows(client.get(f"/table/?period=2026-06&sort={code}&dir=desc").content.decode())
        assert best and set(best) == set(worst)
        # North County has no June figures: last both ways.
        assert best[-1] == worst[-1] == "north"
        reversed_somewhere |= best[:-1] == worst[:-1][::-1] and best != worst
    assert reversed_somewhere


def test_download_holds_exactly_the_rows_shown(as_user):
    client = as_user("office")
    query = "period=2026-06&group=districts&sort=fai"
    html = client.get(f"/table/?{query}").content.decode()
    response = client.get(f"/table.xlsx?{query}")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "Unit" and rows[0][7] == "Completion (%)"
    units_in_file = list(dict.fromkeys(row[2] for row in rows[1:]))
    shown = re.findall(r'<th scope="row" class="dense__unit"><a [^>]*>([^<]+)</a>', html)
    assert units_in_file == shown
    for row in rows[1:]:
        for value in row[5:10]:
            # Rounded as people read it: never 0.5999999999999996.
            assert value is None or len(repr(value).split(".")[-1]) <= 4


def test_indicator_ranking_download(as_user):
    response = as_user("leader").get("/indicators/fai/ranking.xlsx?period=2026-06")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Rank"
    assert [row[1] for row in rows[1:]] and all(
        isinstance(r[1], int) or r[1] is None for r in rows[1:]
    )


def test_reporter_sees_only_their_unit_in_the_table(as_user):
    html = as_user("east_reporter").get("/table/?period=2026-06").content.decode()
    assert _rows(html) == ["east"]


@pytest.mark.parametrize("path", ["/table/?period=2026-06", "/dashboard/?period=2026-06", "/todo/"])
def test_no_unrounded_figure_is_shown(as_user, path):
    html = as_user("office").get(path).content.decode()
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert not re.search(r"\d\.\d{5,}", text), re.search(r".{30}\d\.\d{5,}.{10}", text)
