"""The spreadsheet pages: template download, upload → preview → confirm, the office's import."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import openpyxl
import pytest

from saima.metrics.models import Observation
from saima.reporting import upload_views
from saima.reporting.files import DATA_SHEET, MAX_UPLOAD_BYTES
from saima.reporting.tests.test_files_support import fill, row_of

TEMPLATE = "/reporting/template/east/2026-07.xlsx"
UPLOAD = "/reporting/upload/east/2026-07/"
IMPORT = "/reporting/import/"
JULY = {"fai": 95.5, "ivag": 7.7, "pm25": 30.5, "projects": 17}


def upload_file(name: str, data: bytes):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def july_count() -> int:
    return Observation.objects.filter(year=2026, month=7).count()


# --- download ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("east_reporter", 200),
        ("office", 200),
        ("west_approver", 403),
        ("leader", 403),
        ("stranger", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_download_the_template(as_user, persona, status):
    assert as_user(persona).get(TEMPLATE).status_code == status


def test_the_approver_downloads_their_units_template(as_user):
    response = as_user("west_approver").get("/reporting/template/west/2026-07.xlsx")
    assert response.status_code == 200
    assert "saima-west-2026-07.xlsx" in response["Content-Disposition"]


def test_the_downloaded_template_is_pre_filled_from_the_stored_figures(as_user, world):
    data = as_user("east_reporter").get(TEMPLATE).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    fai = row_of(book, "fai")
    assert sheet[f"D{fai}"].value == pytest.approx(79.2)  # June 2026
    assert sheet[f"E{fai}"].value == pytest.approx(84)  # July 2025
    assert sheet[f"F{fai}"].value is None
    assert "2026-08-08" in sheet["A1"].value  # the calendar's due date


@pytest.mark.parametrize("period", ["2026-13", "2027-01", "x" * 40, "2026-W14"])
def test_a_bad_or_future_period_is_a_400(as_user, period):
    assert (
        as_user("east_reporter").get(f"/reporting/template/east/{period}.xlsx").status_code == 400
    )


def test_an_unknown_unit_is_a_404(as_user):
    assert as_user("office").get("/reporting/template/nowhere/2026-07.xlsx").status_code == 404


# --- upload, preview, confirm -----------------------------------------------------------------


def test_template_round_trip_stores_exact_decimals(as_user, world):
    client = as_user("east_reporter")
    filled = fill(client.get(TEMPLATE).content, JULY)
    before = Observation.objects.count()
    preview = client.post(UPLOAD, {"file": upload_file("east.xlsx", filled)})
    assert preview.status_code == 200
    changes = preview.context["changes"]
    assert [(c.row.indicator_code, c.status, c.new_value) for c in changes] == [
        ("fai", "new", Decimal("95.5")),
        ("ivag", "new", Decimal("7.7")),
        ("pm25", "new", Decimal("30.5")),
        ("projects", "new", Decimal("17")),
    ]
    assert b"95.5" in preview.content
    assert Observation.objects.count() == before  # nothing written by the preview
    done = client.post(UPLOAD, {"confirm": "1", "token": preview.context["token"]})
    assert done.status_code == 200, done.context.get("problems")
    stored = {
        o.indicator.code: o.value
        for o in Observation.objects.filter(unit__code="east", year=2026, month=7)
    }
    assert stored == {
        "fai": Decimal("95.5"),
        "ivag": Decimal("7.7"),
        "pm25": Decimal("30.5"),
        "projects": Decimal("17"),
    }
    assert Observation.objects.count() == before + 4
    again = client.post(UPLOAD, {"confirm": "1", "token": preview.context["token"]})
    assert again.status_code == 400  # the token is spent


def test_a_correction_previews_as_changed_from_the_stored_value(as_user, world):
    client = as_user("east_reporter")
    data = client.get("/reporting/template/east/2026-06.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book[DATA_SHEET][f"F{row_of(book, 'fai')}"].value == pytest.approx(79.2)
    filled = fill(data, {"fai": 80})
    preview = client.post(
        "/reporting/upload/east/2026-06/", {"file": upload_file("e.xlsx", filled)}
    )
    statuses = {c.row.indicator_code: (c.status, c.old_text) for c in preview.context["changes"]}
    assert statuses["fai"] == ("changed", "79.2")
    assert statuses["pm25"][0] == "unchanged"


def test_a_bad_upload_shows_its_problems_and_writes_nothing(as_user, world):
    client = as_user("east_reporter")
    filled = fill(client.get(TEMPLATE).content, {"fai": "=D4*1.1", "projects": "abc"})
    before = Observation.objects.count()
    response = client.post(UPLOAD, {"file": upload_file("east.xlsx", filled)})
    assert response.status_code == 400
    problems = response.context["problems"]
    place = "east.xlsx, sheet 填报表, row 4, column F (本期累计)"
    assert problems[0] == f"{place}: “=D4*1.1” is a formula; type the figure"
    assert "row 7, column F (本期累计)" in problems[1]
    assert Observation.objects.count() == before


def test_a_template_of_another_unit_is_refused_on_upload(as_user, world):
    office = as_user("office")
    west = office.get("/reporting/template/west/2026-07.xlsx").content
    response = office.post(UPLOAD, {"file": upload_file("west.xlsx", fill(west, {"fai": 1}))})
    assert response.status_code == 400 and "west" in response.context["problems"][0]


def test_a_file_over_50_mb_is_refused_quickly(as_user, tmp_path):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    client = as_user("east_reporter")
    started = time.monotonic()
    with big.open("rb") as handle:
        response = client.post(UPLOAD, {"file": handle})
    assert response.status_code == 400
    assert "50 MB" in response.context["problems"][0]
    assert time.monotonic() - started < 30


def test_an_oversized_body_is_refused_before_it_is_read(as_user, world):
    client = as_user("east_reporter")
    response = client.generic(
        "POST",
        UPLOAD,
        b"x" * 10,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        # Over the page's limit, under the limit of every route (SAIMA_MAX_REQUEST_BYTES).
        CONTENT_LENGTH=str(MAX_UPLOAD_BYTES + 1024 * 1024),
    )
    assert response.status_code == 400 and b"50 MB" in response.content


def test_the_upload_form_still_needs_its_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("east_reporter"))
    assert client.post(UPLOAD, {}).status_code == 403


def test_a_parser_crash_is_not_a_500(as_user, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(upload_views, "parse_template", boom)
    response = as_user("east_reporter").post(UPLOAD, {"file": upload_file("e.xlsx", b"PK")})
    assert response.status_code == 400 and "could not be read" in response.context["problems"][0]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("west_approver", 403), ("leader", 403), ("stranger", 403), ("anonymous", 302)],
)
def test_only_reporters_and_the_office_upload(as_user, persona, status):
    assert as_user(persona).post(UPLOAD, {}).status_code == status
    assert as_user(persona).get(UPLOAD).status_code == status


def test_an_upload_without_a_file_or_with_a_stale_token(as_user):
    client = as_user("east_reporter")
    assert client.get(UPLOAD).status_code == 200
    assert client.post(UPLOAD, {}).status_code == 400
    assert client.post(UPLOAD, {"confirm": "1", "token": "forged"}).status_code == 400


# --- the office's import ----------------------------------------------------------------------


def gbk_import() -> bytes:
    lines = [
        "单位,指标,本期累计,情况说明",
        "东城区,固定资产投资,95.5,",
        "西城区,新开工项目,13,新增",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("office", 200),
        ("leader", 403),
        ("east_reporter", 403),
        ("west_approver", 403),
        ("stranger", 403),
        ("anonymous", 302),
    ],
)
def test_the_import_is_for_the_office_only(as_user, persona, status):
    assert as_user(persona).get(IMPORT).status_code == status
    if persona != "office":
        assert as_user(persona).post(IMPORT, {}).status_code == status


def test_the_office_imports_a_gbk_csv(as_user, world):
    client = as_user("office")
    before = Observation.objects.count()
    preview = client.post(
        IMPORT, {"period": "2026-07", "file": upload_file("统计.csv", gbk_import())}
    )
    assert preview.status_code == 200
    assert [
        (c.row.unit_code, c.row.indicator_code, c.status) for c in preview.context["changes"]
    ] == [
        ("east", "fai", "new"),
        ("west", "projects", "new"),
    ]
    assert Observation.objects.count() == before
    done = client.post(
        IMPORT, {"period": "2026-07", "confirm": "1", "token": preview.context["token"]}
    )
    assert done.status_code == 200, done.context.get("problems")
    assert Observation.objects.count() == before + 2
    west = Observation.objects.get(
        unit__code="west", indicator__code="projects", year=2026, month=7
    )
    assert (west.value, west.note) == (Decimal(13), "新增")


def test_an_import_with_refused_rows_cannot_be_confirmed(as_user, world):
    client = as_user("office")
    data = b"unit,indicator,value\r\neast,fai,1\r\nnorth,fai,2\r\n"
    world.units["north"].active = False
    world.units["north"].save()
    response = client.post(IMPORT, {"period": "2026-07", "file": upload_file("a.csv", data)})
    assert response.status_code == 400
    assert "no longer active" in response.context["problems"][0]
    assert july_count() == 0


def test_an_import_for_a_bad_period_is_a_400(as_user):
    response = as_user("office").post(
        IMPORT, {"period": "2026-99", "file": upload_file("a.csv", b"x")}
    )
    assert response.status_code == 400


def test_a_figure_changed_between_preview_and_confirm_refuses_the_whole_import(as_user, world):
    from saima.org.access import Access
    from saima.reporting import services
    from saima.reporting.files import FigureRow

    client = as_user("office")
    preview = client.post(IMPORT, {"period": "2026-07", "file": upload_file("a.csv", gbk_import())})
    assert [c.status for c in preview.context["changes"]] == ["new", "new"]
    reporter = world.user("east_reporter")
    services.figures_save(
        access=Access.for_user(reporter),
        user=reporter,
        rows=[FigureRow("east", "fai", 2026, 7, Decimal("90"))],
        source="web",
    )
    before = Observation.objects.count()
    done = client.post(
        IMPORT, {"period": "2026-07", "confirm": "1", "token": preview.context["token"]}
    )
    assert done.status_code == 400 and "east · fai" in done.context["problems"][0]
    assert Observation.objects.count() == before  # West's row did not land either
    assert not Observation.objects.filter(unit__code="west", year=2026, month=7).exists()
