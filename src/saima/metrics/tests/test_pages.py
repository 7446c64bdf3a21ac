"""The office's targets and schedule pages: who may do what, the grid, the XLSX round trip (all
or nothing, problems named by sheet, row and column), the profile editor, and the calendar."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from saima.metrics.models import Indicator, Target
from saima.testing import PERSONAS

# office, leader, east_reporter, west_approver, stranger, anonymous
MATRIX = {
    "targets": ("get", "/targets/?year=2026", (200, 200, 403, 403, 403, 302)),
    "targets save": ("post", "/targets/?year=2026", (302, 403, 403, 403, 403, 302)),
    "targets xlsx": ("get", "/targets/targets.xlsx?year=2026", (200, 200, 403, 403, 403, 302)),
    "targets import": ("post", "/targets/import/?year=2026", (400, 403, 403, 403, 403, 302)),
    "profiles": ("get", "/targets/profiles/", (200, 200, 403, 403, 403, 302)),
    "profile": ("get", "/targets/profiles/fai/", (200, 200, 403, 403, 403, 302)),
    "profile save": ("post", "/targets/profiles/fai/", (302, 403, 403, 403, 403, 302)),
    "calendar": ("get", "/reporting/calendar/?year=2026", (200, 200, 200, 200, 403, 302)),
    "calendar save": ("post", "/reporting/calendar/?year=2026", (400, 403, 403, 403, 403, 302)),
}
CASES = [
    pytest.param(name, method, path, persona, statuses[i], id=f"{name}-{persona}")
    for name, (method, path, statuses) in MATRIX.items()
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("name", "method", "path", "persona", "status"), CASES)
def test_matrix(as_user, name, method, path, persona, status):
    data = {"action": "linear"} if name == "profile save" else {"month": "13"}
    if name == "calendar save":
        data = {"month": "3", "opens_on": "2026-04-01", "due_on": "2026-03-01"}
    response = (
        getattr(as_user(persona), method)(path, data)
        if method == "post"
        else getattr(as_user(persona), method)(path)
    )
    assert response.status_code == status


def test_office_edits_targets_on_the_page(as_user, world):
    client = as_user("office")
    response = client.post("/targets/?year=2026", {"t-east-fai": "150", "t-west-pm25": "n/a"})
    assert response.status_code == 302
    east = Target.objects.get(unit=world.units["east"], indicator__code="fai", year=2026)
    assert east.value == Decimal(150)
    assert Target.objects.get(unit=world.units["west"], indicator__code="pm25").not_applicable


def test_a_bad_target_saves_nothing_and_names_the_cell(as_user, world):
    client = as_user("office")
    response = client.post("/targets/?year=2026", {"t-east-fai": "150", "t-west-fai": "-3"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "West District · Fixed-asset investment" in html or "West District" in html
    assert 'aria-invalid="true"' in html
    assert Target.objects.get(unit=world.units["east"], indicator__code="fai").value != 150


def _workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "targets 2026"
    sheet.append(["unit", "unit_name", "indicator", "indicator_name", "value", "last_year_total"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_then_import_round_trip(as_user, world):
    client = as_user("office")
    exported = client.get("/targets/targets.xlsx?year=2026").content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("unit", "unit_name", "indicator", "indicator_name", "value")
    changed = [list(r) for r in rows[1:]]
    for row in changed:
        if row[0] == "east" and row[2] == "fai":
            row[4] = "222"
    upload = io.BytesIO(_workbook(changed))
    upload.name = "targets.xlsx"
    response = client.post("/targets/import/?year=2026", {"file": upload})
    assert response.status_code == 302, __import__("re").findall(
        r"<li>(.*?)</li>", response.content.decode()
    )[:5]
    assert Target.objects.get(unit=world.units["east"], indicator__code="fai").value == 222


def test_import_is_all_or_nothing_and_names_sheet_row_column(as_user, world):
    upload = io.BytesIO(
        _workbook([["east", "", "fai", "", "300", None], ["west", "", "fai", "", "-5", None]])
    )
    upload.name = "targets.xlsx"
    response = as_user("office").post("/targets/import/?year=2026", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "targets 2026" in html and "row 3" in html and "E (value)" in html
    assert Target.objects.get(unit=world.units["east"], indicator__code="fai").value != 300


def test_import_refuses_a_non_workbook(as_user):
    upload = io.BytesIO(b"unit,indicator\n")
    upload.name = "targets.xlsx"
    response = as_user("office").post("/targets/import/?year=2026", {"file": upload})
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()


def test_profile_is_drawn_and_saved(as_user, world):
    client = as_user("office")
    html = client.get("/targets/profiles/fai/").content.decode()
    assert 'id="saima-charts"' in html and 'id="profile-fai"' in html
    points = [8, 8, 18, 27, 36, 46, 55, 64, 73, 82, 91, 100]
    response = client.post(
        "/targets/profiles/fai/",
        {f"p{i}": str(v) for i, v in enumerate(points)} | {"action": "save"},
    )
    assert response.status_code == 302
    assert Indicator.objects.get(code="fai").profile == [float(v) for v in points]


def test_a_falling_profile_is_refused(as_user):
    points = [10, 5, 18, 27, 36, 46, 55, 64, 73, 82, 91, 100]
    response = as_user("office").post(
        "/targets/profiles/fai/",
        {f"p{i}": str(v) for i, v in enumerate(points)} | {"action": "save"},
    )
    assert response.status_code == 400
    assert Indicator.objects.get(code="fai").profile is None or Indicator.objects.get(
        code="fai"
    ).profile != [float(v) for v in points]


def test_calendar_has_quarterly_indicators_only_at_quarter_ends(as_user, world):
    world.indicators["projects"].frequency = Indicator.Frequency.QUARTERLY
    world.indicators["projects"].save()
    html = as_user("office").get("/reporting/calendar/?year=2026").content.decode()
    import re

    counts = dict(re.findall(r'data-month="2026-(\d\d)".*?data-due-count="(\d+)"', html, re.S))
    assert int(counts["03"]) == int(counts["02"]) + 1
    assert int(counts["06"]) == int(counts["05"]) + 1


def test_office_moves_a_due_date(as_user):
    response = as_user("office").post(
        "/reporting/calendar/?year=2026",
        {"month": "10", "opens_on": "2026-11-01", "due_on": "2026-11-12"},
    )
    assert response.status_code == 302
    html = as_user("office").get("/reporting/calendar/?year=2026").content.decode()
    assert "2026-11-12" in html
