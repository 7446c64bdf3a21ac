"""API round trips: indicators, targets, figures and their history, progress."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from saima.engine import parse_period
from saima.metrics import selectors
from saima.metrics.models import Observation, Target
from saima.org.access import Access
from saima.org.tests.api_helpers import call, client_for

FAI_JUNE = "/api/observations/east/fai/2026-06"


def _observation(unit: str, indicator: str, year: int, month: int) -> Observation:
    return Observation.objects.get(
        unit__code=unit, indicator__code=indicator, year=year, month=month
    )


# --- Indicators ----------------------------------------------------------------------------------


def test_indicators(world):
    response = client_for(world, "stranger").get("/api/indicators")

    assert [row["code"] for row in response.json()] == ["fai", "ivag", "pm25", "projects"]
    assert response.json()[2] == {
        "code": "pm25",
        "name_zh": "PM2.5浓度",
        "name_en": "PM2.5 concentration",
        "kind": "level",
        "direction": "lower",
        "measure_zh": "微克/立方米",
        "measure_en": "µg/m³",
        "decimals": 1,
        "frequency": "monthly",
        "combined_jan_feb": False,
        "profile": None,
    }


def test_indicator_detail(world):
    response = client_for(world, "leader", "token").get("/api/indicators/fai")

    assert response.status_code == 200
    assert response.json()["name_en"] == "Fixed-asset investment"


# --- Figures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["session", "token"])
def test_reporter_puts_a_figure_then_reads_it_and_its_history(world, auth):
    client = client_for(world, "east_reporter", auth)

    put = call(
        client,
        "PUT",
        FAI_JUNE,
        {"value": "80.50", "last_year_value": 70, "growth": "15", "note": " ahead "},
    )

    assert put.status_code == 200, put.content
    assert put.json()["value"] == "80.5"
    listed = client.get("/api/observations?period=2026-06&unit=east&indicator=fai").json()
    assert len(listed) == 1
    row = listed[0]
    assert {k: row[k] for k in ("unit", "indicator", "period", "year", "month")} == {
        "unit": "east",
        "indicator": "fai",
        "period": "2026-06",
        "year": 2026,
        "month": 6,
    }
    assert (row["value"], row["last_year_value"], row["growth"]) == ("80.5", "70", "15")
    assert (row["note"], row["entered_by"]) == ("ahead", "east_reporter")
    assert row["entered_at"]
    history = client.get(f"{FAI_JUNE}/history").json()
    assert [(h["change"], h["changed_by"], h["value"]) for h in history] == [
        ("changed", "east_reporter", "80.5")
    ]
    stored = _observation("east", "fai", 2026, 6)
    assert stored.value == Decimal("80.5")
    assert stored.entered_by == world.user("east_reporter")


def test_history_keeps_every_change_in_order(world):
    reporter = client_for(world, "east_reporter")
    office = client_for(world, "office", "token")

    call(reporter, "PUT", "/api/observations/east/fai/2026-07", {"value": "90"})
    call(office, "PUT", "/api/observations/east/fai/2026-07", {"value": "91", "note": "fixed"})
    call(reporter, "PUT", "/api/observations/east/fai/2026-07", {"value": None})

    history = client_for(world, "leader").get("/api/observations/east/fai/2026-07/history").json()
    assert [(h["change"], h["changed_by"], h["value"], h["note"]) for h in history] == [
        ("created", "east_reporter", "90", ""),
        ("changed", "office", "91", "fixed"),
        ("changed", "east_reporter", None, ""),
    ]


def test_history_of_a_figure_never_entered_is_empty(world):
    response = client_for(world, "east_reporter").get(f"{FAI_JUNE}/history")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("0.1", "0.1"),
        (58.5, "58.5"),
        (120, "120"),
        ("1,234.5", "1234.5"),
        ("0", "0"),
        ("99999999999999.9", "99999999999999.9"),
        ("1234567.12345", "1234567.12345"),
        (None, None),
    ],
)
def test_figures_travel_as_exact_decimal_strings(world, sent, shown):
    client = client_for(world, "office")
    # North County has no June figure yet, and May's is below all of these but zero: a
    # figure for a month with nothing earlier to compare with travels through every check.
    Observation.objects.filter(unit__code="north", indicator__code="fai", year=2026).delete()

    response = call(client, "PUT", "/api/observations/north/fai/2026-06", {"value": sent})

    assert response.status_code == 200, response.content
    assert response.json()["value"] == shown
    expected = None if shown is None else Decimal(shown)
    stored = Observation.objects.filter(
        unit__code="north", indicator__code="fai", year=2026, month=6
    ).first()
    assert (stored.value if stored else None) == expected  # a blank figure stores nothing


def test_a_growth_figure_may_be_negative(world):
    response = call(
        client_for(world, "east_reporter"),
        "PUT",
        "/api/observations/east/ivag/2026-06",
        {"value": -1.5},
    )

    assert response.status_code == 200
    assert response.json()["value"] == "-1.5"


def test_a_quarter_names_its_last_month(world):
    client = client_for(world, "office")

    response = call(client, "PUT", "/api/observations/west/fai/2026-Q2", {"value": "55"})

    assert response.json()["period"] == "2026-06"
    assert _observation("west", "fai", 2026, 6).value == Decimal("55")
    listed = client.get("/api/observations?period=2026-H1&unit=west&indicator=fai").json()
    assert [row["value"] for row in listed] == ["55"]


@pytest.mark.parametrize(
    ("persona", "units"),
    [
        ("office", {"east", "west"}),
        ("leader", {"east", "west"}),
        ("east_reporter", {"east"}),
        ("west_approver", {"west"}),
        ("stranger", set()),
    ],
)
def test_figures_list_only_readable_units(world, persona, units):
    rows = client_for(world, persona).get("/api/observations?period=2026-06").json()

    assert {row["unit"] for row in rows} == units  # North County has not reported June
    assert len(rows) == 4 * len(units)


# --- Targets -------------------------------------------------------------------------------------


def test_office_sets_a_target_and_reads_it_back(world):
    client = client_for(world, "office", "token")

    put = call(
        client,
        "PUT",
        "/api/targets/east/fai/2026",
        {"value": "150.5", "not_applicable": False, "last_year_total": 130},
    )

    assert put.status_code == 200, put.content
    listed = client.get("/api/targets?year=2026&unit=east&indicator=fai").json()
    assert listed == [
        {
            "unit": "east",
            "indicator": "fai",
            "year": 2026,
            "value": "150.5",
            "not_applicable": False,
            "last_year_total": "130",
            "profile": None,
        }
    ]
    target = Target.objects.get(unit__code="east", indicator__code="fai", year=2026)
    assert target.value == Decimal("150.5")
    assert target.history.latest().history_user == world.user("office")


def test_office_marks_a_target_not_applicable_for_a_new_year(world):
    client = client_for(world, "office")

    put = call(client, "PUT", "/api/targets/north/ivag/2027", {"not_applicable": True})

    assert put.status_code == 200
    assert (put.json()["value"], put.json()["not_applicable"]) == (None, True)
    assert Target.objects.filter(year=2027).count() == 1


@pytest.mark.parametrize(
    ("persona", "count"), [("office", 12), ("east_reporter", 4), ("stranger", 0)]
)
def test_targets_list_only_readable_units(world, persona, count):
    rows = client_for(world, persona).get("/api/targets?year=2026").json()

    assert len(rows) == count


def test_targets_filter_by_indicator(world):
    rows = client_for(world, "leader").get("/api/targets?year=2026&indicator=projects&unit=").json()

    assert [(row["unit"], row["value"]) for row in rows] == [
        ("east", "28.8"),
        ("west", "21.6"),
        ("north", "16.8"),
    ]


# --- Progress ------------------------------------------------------------------------------------


def _engine_rows(access: Access, period: str, scope: selectors.Scope | None = None) -> list[dict]:
    frame = selectors.progress(access, parse_period(period), scope or selectors.Scope())
    return [
        {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


@pytest.mark.parametrize(
    "persona", ["office", "leader", "east_reporter", "west_approver", "stranger"]
)
def test_progress_matches_the_selector_for_the_same_access(world, persona):
    response = client_for(world, persona, "token").get("/api/progress?period=2026-06")

    assert response.status_code == 200
    expected = _engine_rows(Access.for_user(world.user(persona)), "2026-06")
    assert response.json() == expected


def test_progress_is_read_page_by_page_following_the_link(world):
    """A page of `limit` rows from `offset`; the pages, followed by their `Link`, are the whole
    list in its order, each page saying how many rows there are in all."""
    client = client_for(world, "office", "token")
    whole = client.get("/api/progress?period=2026-06")
    assert whole.status_code == 200 and "Link" not in whole
    rows = whole.json()
    assert whole["X-Total-Count"] == str(len(rows)) and len(rows) > 5
    read, url, pages = [], "/api/progress?period=2026-06&limit=3", 0
    while url:
        page = client.get(url)
        assert page.status_code == 200 and page["X-Total-Count"] == str(len(rows))
        assert 1 <= len(page.json()) <= 3
        read += page.json()
        pages += 1
        url = page.get("Link", "").partition(">")[0].lstrip("<")
    assert read == rows and pages == -(-len(rows) // 3)
    past = client.get(f"/api/progress?period=2026-06&offset={len(rows)}")
    assert past.json() == [] and "Link" not in past
    for bad in ("limit=0", "limit=20001", "offset=-1", "limit=many"):
        refused = client.get(f"/api/progress?period=2026-06&{bad}")
        assert refused.status_code == 400 and "detail" in refused.json(), bad


def test_progress_rows_carry_the_computed_measures(world):
    rows = client_for(world, "office").get("/api/progress?period=2026-06&unit=east&indicator=fai")

    [row] = rows.json()
    assert (row["unit"], row["indicator"], row["period"]) == ("east", "fai", "2026-06")
    assert row["value"] == pytest.approx(79.2)
    assert row["target"] == pytest.approx(144)
    assert row["time_progress"] == pytest.approx(50)
    assert row["completion"] == pytest.approx(55)
    assert row["gap_pp"] == pytest.approx(5)
    assert (row["light"], row["double_over_half"]) == ("green", True)
    for key in ("run_rate_needed", "run_rate_ratio", "projection", "required_growth", "growth"):
        assert key in row


def test_a_level_in_the_progress_list_has_a_gap_and_no_completion(world):
    """PM2.5 (a lower-is-better level) is never a completion rate: its gap is value − target."""
    rows = client_for(world, "office").get("/api/progress?period=2026-06&unit=east&indicator=pm25")
    [row] = rows.json()
    assert row["completion"] is None and row["double_over_half"] is None
    assert row["level_gap"] == pytest.approx(row["value"] - row["target"])


def test_progress_filtered_to_one_unit_matches_the_selector(world):
    east = world.units["east"]
    scope = selectors.Scope(unit_ids=frozenset({east.pk}))

    response = client_for(world, "east_reporter").get("/api/progress?period=2026-Q2&unit=east")

    expected = _engine_rows(Access.for_user(world.user("east_reporter")), "2026-Q2", scope)
    assert response.json() == expected
    assert {row["period"] for row in expected} == {"2026-Q2"}
    assert len(expected) == 4
