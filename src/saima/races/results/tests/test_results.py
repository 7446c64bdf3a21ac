"""Results pages, downloads and API: what each person sees, and that a published race
re-checks with `saima race` on its exported inputs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from django.test import override_settings

from saima import cli
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.results.services import race_publish
from saima.testing import PERSONAS

Q1 = parse_period("2026-Q1")
#: Jobs left to a worker (`run_pending`), as in production, instead of run in the request.
QUEUED = override_settings(SAIMA_JOBS_INLINE=False)


@pytest.fixture
def published(publication):
    """The race's 2026-Q1 result, published once for the module (`saima.testing`)."""
    return publication


RESULT = "/races/keywork/2026-Q1/"
#: What each persona gets on each page (east_reporter is in the districts, like west).
PAGES = {
    "/races/": {p: 200 for p in ("office", "leader", "east_reporter", "west_approver", "stranger")},
    "/races/keywork/": {"office": 200, "leader": 200, "east_reporter": 200, "west_approver": 200},
    "/races/keywork/preview/?period=2026-Q1": {"office": 200},
    RESULT: {"office": 200, "leader": 200, "east_reporter": 200, "west_approver": 200},
    RESULT + "units/east/": {"office": 200, "leader": 200, "east_reporter": 200},
    RESULT + "units/west/": {"office": 200, "leader": 200, "west_approver": 200},
    RESULT + "results.csv": {
        "office": 200,
        "leader": 200,
        "east_reporter": 200,
        "west_approver": 200,
    },
    RESULT + "results.xlsx": {
        "office": 200,
        "leader": 200,
        "east_reporter": 200,
        "west_approver": 200,
    },
    RESULT + "explanation.csv": {
        "office": 200,
        "leader": 200,
        "east_reporter": 200,
        "west_approver": 200,
    },
    RESULT + "bundle.zip": {"office": 200, "leader": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", list(PAGES))
def test_page_matrix(published, as_user, persona, url) -> None:
    response = as_user(persona).get(url)
    expected = PAGES[url].get(persona)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif expected is None:
        # a unit's people are refused another unit's explanation; a stranger sees no race at all
        assert response.status_code in (403, 404), (url, persona)
    else:
        assert response.status_code == expected, (url, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_publish_matrix(world, race, as_user, persona) -> None:
    client = as_user(persona)
    response = client.post("/races/keywork/publish/", {"period": "2026-Q1"})
    from saima.races.models import Publication

    if persona == "office":
        assert response.status_code == 302
        assert Publication.objects.count() == 1
    else:
        assert response.status_code in (302, 403, 404)
        if persona == "anonymous":
            assert "/login/" in response["Location"]
        assert not Publication.objects.exists()


API = "/api/races/keywork"
API_READS = {
    f"{API}/publications": {"office", "leader", "east_reporter", "west_approver"},
    f"{API}/results/2026-Q1": {"office", "leader", "east_reporter", "west_approver"},
    f"{API}/results/2026-Q1/explanation/east": {"office", "leader", "east_reporter"},
    f"{API}/results/2026-Q1/file?format=xlsx": {
        "office",
        "leader",
        "east_reporter",
        "west_approver",
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", list(API_READS))
def test_api_read_matrix(published, as_user, persona, url) -> None:
    response = as_user(persona).get(url)
    if persona == "anonymous":
        assert response.status_code == 401
    elif persona in API_READS[url]:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ["preview", "publish"])
def test_api_write_matrix(world, race, as_user, persona, route) -> None:
    from saima.races.models import Publication

    response = as_user(persona).post(
        f"{API}/{route}", json.dumps({"period": "2026-Q1"}), content_type="application/json"
    )
    if persona == "office":
        assert response.status_code == (200 if route == "preview" else 202)
    elif persona == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code in (403, 404)
    assert Publication.objects.count() == (1 if persona == "office" and route == "publish" else 0)


def test_api_refuses_bad_input_without_a_500(world, race, as_user) -> None:
    client = as_user("office")
    for body in (
        {"period": "2026-Q9"},
        {"period": "2025-Q1"},
        {"period": "2026-05"},
        {"period": "2026-Q1", "extra": 1},
        {},
    ):
        response = client.post(f"{API}/publish", json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (body, response.content)
    assert client.get(f"{API}/results/2026-Q1").status_code == 404
    assert client.get(f"{API}/results/nonsense").status_code == 400
    assert client.get("/api/races/nope/publications").status_code == 404


def test_republish_through_the_api_needs_a_reason(world, race, as_user) -> None:
    client = as_user("office")
    body = {"period": "2026-Q1"}
    assert client.post(f"{API}/publish", body, content_type="application/json").status_code == 202
    again = client.post(f"{API}/publish", body, content_type="application/json")
    assert again.status_code == 400
    assert "reason" in again.json()["errors"]
    body["reason"] = "corrected"
    assert client.post(f"{API}/publish", body, content_type="application/json").status_code == 202
    versions = client.get(f"{API}/publications").json()
    assert [v["version"] for v in versions] == [2, 1]


@QUEUED
def test_publishing_through_the_api_is_a_job_to_poll(world, race, as_user) -> None:
    """202 with the job at once, nothing published in the request; the same request again, while
    the job waits, is the same job; a worker runs it; polling then says done, with the version and
    where to read it."""
    from saima.jobs.models import Job
    from saima.jobs.worker import run_pending
    from saima.races.models import Publication

    client = as_user("office")
    body = json.dumps({"period": "2026-Q1"})
    first = client.post(f"{API}/publish", body, content_type="application/json")
    assert first.status_code == 202, first.content
    job = first.json()
    assert job["kind"] == "races.publish" and job["status"] == "queued"
    assert job["progress"] == 0 and job["result_url"] is None and job["result"] == {}
    assert first["Location"] == job["url"] == f"/api/jobs/{job['id']}"
    assert not Publication.objects.exists()
    second = client.post(f"{API}/publish", body, content_type="application/json")
    assert second.status_code == 202 and second.json()["id"] == job["id"]
    assert Job.objects.count() == 1 and Job.objects.get().started_by == world.user("office")

    polled = client.get(job["url"])
    assert polled.status_code == 200 and polled.json()["status"] == "queued"
    assert "no-store" in polled["Cache-Control"]  # never a cached, stale status
    run_pending()
    done = client.get(job["url"]).json()
    assert done["status"] == "done" and done["progress"] == 100
    publication = Publication.objects.get()
    assert done["result"]["version"] == publication.version == 1
    assert done["result"]["publication"] == publication.pk
    assert done["result_url"] == "/races/keywork/2026-Q1/?version=1"
    assert "version 1" in done["message"]
    read = client.get(done["result"]["api_url"])
    assert read.status_code == 200 and read.json()["version"] == 1
    # Done: the same request again is a new version's, and needs a reason.
    again = client.post(f"{API}/publish", body, content_type="application/json")
    assert again.status_code == 400 and "reason" in again.json()["errors"]


def test_result_page_shows_standings_flags_and_laggards(published, as_user) -> None:
    html = as_user("leader").get(RESULT).content.decode()
    assert 'data-unit="east"' in html and 'data-flag="red"' in html
    assert 'id="laggards"' in html


def test_explanation_page_lists_every_item(published, as_user) -> None:
    html = as_user("east_reporter").get(RESULT + "units/east/").content.decode()
    for item in ("fai", "ivag", "pm25", "projects"):
        assert f'data-item="{item}"' in html


def test_results_download_is_the_cli_out_format(published, as_user, tmp_path) -> None:
    body = as_user("office").get(RESULT + "results.xlsx").content
    path = tmp_path / "results.xlsx"
    path.write_bytes(body)
    sheet = openpyxl.load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    for column in ("group", "unit", "rank", "total", "flag", "rank_change"):
        assert column in header
    for code in ("fai", "ivag", "pm25", "projects"):
        assert f"metric_{code}" in header and f"score_{code}" in header
    assert sheet.max_row == 1 + len(published.standings)


@pytest.mark.parametrize(
    ("persona", "units"),
    [
        ("office", {"east", "west", "north"}),
        ("leader", {"east", "west", "north"}),
        ("east_reporter", {"east"}),
        ("west_approver", {"west"}),
    ],
)
def test_each_reader_downloads_the_explanation_they_may_read(
    published, as_user, persona, units
) -> None:
    """Everyone in the race downloads all the standings, but a unit's people only the
    explanation of their own unit's scores."""
    client = as_user(persona)
    results = pl.read_csv(io.BytesIO(client.get(RESULT + "results.csv").content))
    assert set(results["unit"]) == {"east", "west", "north"}
    explanation = pl.read_csv(io.BytesIO(client.get(RESULT + "explanation.csv").content))
    assert set(explanation["unit"]) == units
    assert explanation.height == 4 * len(units)  # one row per unit and item
    body = client.get(RESULT + "explanation.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    column = [cell.value for cell in sheet[1]].index("unit")
    assert {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} == units


def _unzip(body: bytes, folder: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(folder)


def recheck(bundle: bytes, folder: Path, period: str) -> pl.DataFrame:
    """Run `saima race` on an exported bundle, as someone without Saima would."""
    _unzip(bundle, folder)
    argv = [
        "race",
        "--rules",
        str(folder / "rules.toml"),
        "--targets",
        str(folder / "targets.csv"),
        "--actuals",
        str(folder / "actuals.csv"),
        "--units",
        str(folder / "units.csv"),
        "--period",
        period,
        "--out",
        str(folder / "recheck.csv"),
    ]
    for name in ("adjustments", "scores", "previous"):
        if (folder / f"{name}.csv").exists():
            argv += [f"--{name}", str(folder / f"{name}.csv")]
    assert cli.main(argv) == 0
    return pl.read_csv(folder / "recheck.csv")


def assert_same_result(published_rows: list[dict], recomputed: pl.DataFrame) -> None:
    ours = {row["unit"]: (row["rank"], row["total"], row["flag"] or "") for row in published_rows}
    theirs = {
        unit: (rank, total, flag or "")
        for unit, rank, total, flag in recomputed.select("unit", "rank", "total", "flag")
        .fill_null("")
        .iter_rows()
    }
    assert theirs.keys() == ours.keys()
    for unit, (rank, total, flag) in ours.items():
        rank2, total2, flag2 = theirs[unit]
        assert (rank, flag) == (None if rank2 == "" else rank2, flag2), unit
        assert total == total2, unit


def test_exported_inputs_recheck_with_the_cli(world, race, as_user, tmp_path) -> None:
    office = Access.for_user(world.user("office"))
    first = race_publish(office, race, Q1)
    second = race_publish(office, race, parse_period("2026-Q2"))  # with a previous result
    for publication in (first, second):
        folder = tmp_path / publication.period
        body = (
            as_user("office")
            .get(f"/races/keywork/{publication.period}/bundle.zip?version={publication.version}")
            .content
        )
        recomputed = recheck(body, folder, publication.period)
        assert_same_result(publication.standings, recomputed)
        # and the file the results page offers is the one in the bundle
        offered = (
            as_user("office")
            .get(f"/races/keywork/{publication.period}/results.csv?version={publication.version}")
            .content
        )
        assert offered == (folder / "results.csv").read_bytes()


def test_standings_say_how_many_figures_a_unit_lacks(world, race, as_user) -> None:
    """North County has not reported June: under the `zero` policy it is ranked, and its row says
    what it is ranked without, in the preview and in the published result."""
    client = as_user("office")
    preview = client.get("/races/keywork/preview/?period=2026-Q2").content.decode()
    assert "4 figures missing, scored zero" in preview
    race_publish(Access.for_user(world.user("office")), race, parse_period("2026-Q2"))
    published = client.get("/races/keywork/2026-Q2/").content.decode()
    assert "4 figures missing, scored zero" in published


def test_an_improvement_is_shown_rounded_up() -> None:
    """What would gain a place is shown at the published decimals, never below what is needed."""
    from saima.races.results.present import at_least

    assert at_least(7.307342451, 2) == 7.31
    assert at_least(7.3003, 2) == 7.31
    assert at_least(0.6, 2) == 0.6  # 0.6 is 0.59999... as a float: still 0.60
    assert at_least(2.0, 0) == 2.0
    assert at_least(None, 2) is None
