"""Background jobs: one job per key, progress and outcome on the page that started it, retries of
what is safe to retry, a publication complete or absent whatever stops its worker, and jobs of a
dead worker started again."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saima.common import jobs as registry
from saima.jobs import services
from saima.jobs.models import Job
from saima.jobs.worker import run_pending
from saima.races.models import Publication
from saima.races.results import services as publishing

PUBLISH = "/races/keywork/publish/"
QUEUED = override_settings(SAIMA_JOBS_INLINE=False)


def _calls() -> dict[str, int]:
    return {"count": 0}


@pytest.fixture
def flaky_kind():
    """A kind whose first attempt meets a busy database."""
    calls = _calls()

    def handler(job, progress):
        calls["count"] += 1
        progress(50, "half way")
        if calls["count"] == 1:
            raise OperationalError("database is locked")
        return registry.Outcome("done after a retry")

    registry.add(registry.Kind("test.flaky", "flaky", handler=handler, backoff=0))
    yield calls


@QUEUED
def test_the_same_publication_asked_twice_is_one_job(world, race, as_user) -> None:
    office = as_user("office")
    first = office.post(PUBLISH, {"period": "2026-Q1"})
    second = office.post(PUBLISH, {"period": "2026-Q1"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert not Publication.objects.exists()  # nothing done in the request
    run_pending()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert Publication.objects.count() == 1
    assert "version 1" in job.message and job.url.endswith("?version=1")
    # The task ran once; asking again for the same publication now needs a reason (v2).
    again = office.post(PUBLISH, {"period": "2026-Q1"}, follow=True)
    assert "republishing needs a reason" in again.content.decode()
    assert Publication.objects.count() == 1


@QUEUED
def test_the_page_that_started_the_job_shows_its_progress_then_its_outcome(
    world, race, as_user
) -> None:
    office = as_user("office")
    response = office.post(PUBLISH, {"period": "2026-Q1"})
    page = office.get(response["Location"]).content.decode()
    job = Job.objects.get()
    assert f'hx-get="/jobs/{job.pk}/status/"' in page  # polled while it waits
    assert "<script" not in page.split("<main", 1)[-1]  # no inline script
    run_pending()
    fragment = office.get(f"/jobs/{job.pk}/status/")
    assert "no-store" in fragment["Cache-Control"]
    text = fragment.content.decode()
    assert "hx-get" not in text  # finished: no more polling
    assert "Published 2026-Q1, version 1." in text and "?version=1" in text
    assert "Published 2026-Q1" in office.get(f"/jobs/{job.pk}/").content.decode()


@QUEUED
def test_only_the_starter_and_the_office_follow_a_job(world, race, as_user) -> None:
    job = services.job_start(
        kind="reporting.remind", arguments={}, user=world.user("east_reporter")
    )
    assert as_user("east_reporter").get(f"/jobs/{job.pk}/status/").status_code == 200
    assert as_user("office").get(f"/jobs/{job.pk}/").status_code == 200
    assert as_user("west_approver").get(f"/jobs/{job.pk}/").status_code == 403
    assert as_user("office").get("/jobs/999999/").status_code == 404
    # Someone else's job named in a page's address is not shown there.
    page = as_user("west_approver").get(f"/races/?job={job.pk}").content.decode()
    assert f"job-{job.pk}" not in page
    # A job named in the address that is not a number, or too long, is no job and no error.
    for raw in ("abc", "9" * 40, "-1"):
        assert as_user("office").get(f"/races/?job={raw}").status_code == 200
    assert as_user("office").get("/races/?job=1%00").status_code == 400  # the input middleware


@QUEUED
def test_a_busy_database_is_tried_again(world, flaky_kind) -> None:
    job = services.job_start(kind="test.flaky", arguments={}, key="flaky-1")
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.attempts == 2 and flaky_kind["count"] == 2
    assert job.message == "done after a retry"


@QUEUED
def test_a_refused_publication_fails_with_the_reason_and_can_be_started_again(
    world, race, as_user, monkeypatch
) -> None:
    office = world.user("office")
    from saima.engine import parse_period
    from saima.org.access import Access

    access = Access.for_user(office)
    period = parse_period("2026-Q1")
    job = publishing.publish_job_start(access, race, period, user=office)
    # The race's rules change while it is computed: the job refuses, naming why, and publishes
    # nothing.
    compute = publishing.compute_preview

    def compute_while_edited(race_, period_):
        type(race).objects.filter(pk=race.pk).update(revision=race.revision + 7)
        return compute(race_, period_)

    monkeypatch.setattr(publishing, "compute_preview", compute_while_edited)
    run_pending()
    monkeypatch.setattr(publishing, "compute_preview", compute)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "rules changed" in job.message
    assert not Publication.objects.exists()
    race.refresh_from_db()
    again = publishing.publish_job_start(access, race, period, user=office)
    assert again.pk == job.pk and again.status == Job.Status.QUEUED
    run_pending()
    again.refresh_from_db()
    assert again.status == Job.Status.DONE and Publication.objects.count() == 1


@QUEUED
@pytest.mark.parametrize("stop", [SystemExit, KeyboardInterrupt, RuntimeError])
def test_a_worker_stopped_while_saving_leaves_no_half_publication(
    world, race, monkeypatch, stop
) -> None:
    """The worker dies after the publication row is written but before the transaction ends:
    nothing of the publication stays, and the job is not done."""
    from saima.engine import parse_period
    from saima.org.access import Access

    office = world.user("office")
    job = publishing.publish_job_start(
        Access.for_user(office), race, parse_period("2026-Q1"), user=office
    )

    def die(*args, **kwargs):
        assert Publication.objects.count() == 1  # written, inside the transaction
        raise stop("the worker stops here")

    monkeypatch.setattr(publishing, "request_statements", die)
    if stop is RuntimeError:
        services.run_job(job.pk)
    else:
        with pytest.raises(stop):
            services.run_job(job.pk)
    assert not Publication.objects.exists()
    job.refresh_from_db()
    assert job.status != Job.Status.DONE


@QUEUED
def test_a_dead_workers_job_is_started_again_and_publishes_once(world, race) -> None:
    from saima.engine import parse_period
    from saima.org.access import Access

    office = world.user("office")
    job = publishing.publish_job_start(
        Access.for_user(office), race, parse_period("2026-Q1"), user=office
    )
    # A worker took it and died: the task stays "running", the job silent.
    task = DBTaskResult.objects.get()
    task.claim("dead-worker")
    long_ago = timezone.now() - services.STALE_AFTER - datetime.timedelta(seconds=5)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=long_ago
    )
    # A live job is left alone.
    assert services.jobs_recover(now=long_ago) == []
    assert services.jobs_recover() == [job.pk]
    task.refresh_from_db()
    assert task.status == "FAILED"
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert Publication.objects.count() == 1
    # The old task, run late by a worker that comes back, does nothing.
    assert services.run_job(job.pk) == "skipped"
    assert Publication.objects.count() == 1


@QUEUED
def test_a_job_that_keeps_dying_fails_with_a_message(world) -> None:
    job = services.job_start(kind="reporting.remind", arguments={})
    long_ago = timezone.now() - services.STALE_AFTER * 2
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=3, heartbeat_at=long_ago
    )
    assert services.jobs_recover() == []
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "stopped" in job.message


@QUEUED
def test_periodic_jobs_are_enqueued_once_a_day_whoever_asks(world) -> None:
    today = datetime.date(2026, 4, 20)
    first = services.periodic_enqueue(today=today, names=["reporting.remind", "no.such"])
    second = services.periodic_enqueue(today=today, names=["reminders"])  # its short name
    assert [j.pk for j in first] == [j.pk for j in second]
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
    run_pending()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and "reminders sent" in job.message


def test_an_unknown_kind_is_refused(world) -> None:
    with pytest.raises(services.JobError):
        services.job_start(kind="no.such", arguments={})


@QUEUED
@pytest.mark.parametrize(
    "persona", ["office", "leader", "east_reporter", "west_approver", "stranger", "anonymous"]
)
@pytest.mark.parametrize("suffix", ["", "status/"])
def test_job_pages_matrix(world, as_user, persona, suffix) -> None:
    """The starter (here the east reporter) and the office follow a job; no one else does."""
    job = services.job_start(
        kind="reporting.remind", arguments={}, user=world.user("east_reporter")
    )
    response = as_user(persona).get(f"/jobs/{job.pk}/{suffix}")
    if persona in ("office", "east_reporter"):
        assert response.status_code == 200
    elif persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403


# --- a large import as a job -------------------------------------------------------------------

IMPORT = "/reporting/import/"
LARGE = override_settings(SAIMA_JOBS_INLINE=False, SAIMA_IMPORT_JOB_ROWS=2)


def _file(name: str, data: bytes):
    import io

    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _preview(client, data: bytes):
    response = client.post(IMPORT, {"period": "2026-07", "file": _file("bureau.csv", data)})
    assert response.status_code == 200, response.context.get("problems")
    return response.context["token"]


@LARGE
def test_a_large_import_is_saved_by_a_worker_once(world, as_user) -> None:
    from saima.metrics.models import Observation

    client = as_user("office")
    token = _preview(client, b"unit,indicator,value\r\neast,fai,95.5\r\nwest,fai,80\r\n")
    before = Observation.objects.count()
    confirm = {"period": "2026-07", "confirm": "1", "token": token}
    response = client.post(IMPORT, confirm)
    assert response.status_code == 302 and "job=" in response["Location"]
    assert Observation.objects.count() == before  # not in the request
    page = client.get(response["Location"]).content.decode()
    assert "hx-get=" in page
    # Confirming again is refused (the preview is spent): still one job.
    assert client.post(IMPORT, confirm).status_code == 400
    assert Job.objects.filter(kind="reporting.import").count() == 1
    run_pending()
    job = Job.objects.get(kind="reporting.import")
    assert job.status == Job.Status.DONE, job.message
    assert "2 figures saved" in job.message
    assert Observation.objects.count() == before + 2


@LARGE
def test_a_large_import_refused_by_a_figure_changed_meanwhile_saves_nothing(world, as_user) -> None:
    from decimal import Decimal

    from saima.metrics.models import Observation
    from saima.org.access import Access
    from saima.reporting import services as reporting
    from saima.reporting.files import FigureRow

    client = as_user("office")
    token = _preview(client, b"unit,indicator,value\r\neast,fai,95.5\r\nwest,fai,80\r\n")
    client.post(IMPORT, {"period": "2026-07", "confirm": "1", "token": token})
    reporter = world.user("east_reporter")
    reporting.figures_save(
        access=Access.for_user(reporter),
        user=reporter,
        rows=[FigureRow("east", "fai", 2026, 7, Decimal("90"))],
        source="web",
    )
    before = Observation.objects.count()
    run_pending()
    job = Job.objects.get(kind="reporting.import")
    assert job.status == Job.Status.FAILED
    assert "east · fai" in job.message
    assert Observation.objects.count() == before


@QUEUED
def test_the_escalation_run_is_a_job_once_supervision_is_installed(world) -> None:
    from django.apps import apps

    if not apps.is_installed("saima.supervision"):
        pytest.skip("the supervision app is not installed")
    today = datetime.date(2026, 6, 15)
    services.periodic_enqueue(today=today, names=["supervision.escalate"])
    services.periodic_enqueue(today=today, names=["supervision.escalate"])
    run_pending()
    job = Job.objects.get(kind="supervision.escalate")
    assert job.status == Job.Status.DONE, job.message
    assert job.data["taken"] == 0  # no items in this world
