"""Every write of a job: starting it (once per key), its progress, its end, and picking up jobs
whose worker died.

A job's row and its task are written in one transaction (the task backend keeps its tasks in the
same database), so a job is never started without its task nor its task queued without the job.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext, suppress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saima.common import jobs as registry
from saima.common.engine_text import say_error
from saima.engine import EngineError
from saima.jobs.models import Job

logger = logging.getLogger("saima.jobs")

#: A running job whose worker has shown no sign of life for this long is taken to be dead.
STALE_AFTER = datetime.timedelta(seconds=settings.SAIMA_JOB_STALE_SECONDS)
#: How often a running job tells that its worker is alive.
HEARTBEAT_SECONDS = max(1.0, STALE_AFTER.total_seconds() / 6)
#: Failures worth another attempt: the database busy or gone for a moment.
RETRYABLE = (OperationalError,)


class JobError(Exception):
    """A job that cannot be started (an unknown kind)."""


def _kind(key: str) -> registry.Kind:
    kind = registry.get(key)
    if kind is None:
        raise JobError(f"no job kind {key!r}")
    return kind


def job_start(
    *,
    kind: str,
    arguments: dict,
    user=None,
    key: str | None = None,
    language: str | None = None,
) -> Job:
    """Start a job, or find the one already started for `key`.

    A job with the same key that is waiting, running or done is returned as it is (the same
    publication asked twice is one job); one that failed is started again.
    """
    _kind(kind)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        job = None
        if key is not None:
            job = Job.objects.select_for_update().filter(key=key).first()
            if job is not None and job.status != Job.Status.FAILED:
                return job
        if job is None:
            try:
                with transaction.atomic():
                    job = Job.objects.create(
                        kind=kind,
                        key=key,
                        arguments=arguments,
                        started_by=user if user is not None and user.pk else None,
                        language=language,
                    )
            except IntegrityError:
                # Another request with the same key won the race: its job is ours.
                return Job.objects.get(key=key)
        else:
            job.status = Job.Status.QUEUED
            job.arguments = arguments
            job.attempts = 0
            job.progress = 0
            job.step = ""
            job.message = ""
            job.url = ""
            job.finished_at = None
            job.save()
        if not settings.SAIMA_JOBS_INLINE:
            _enqueue(job)
    if settings.SAIMA_JOBS_INLINE:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def _enqueue(job: Job, *, delay: int = 0) -> None:
    from saima.jobs.tasks import run_job_task

    task = run_job_task
    if delay:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def job_progress(job: Job, percent: int, step: str = "") -> None:
    """Tell the page how far the job is (and that its worker is alive)."""
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        progress=percent, step=step[:200], heartbeat_at=timezone.now()
    )
    job.progress, job.step = percent, step[:200]


def job_finish(job: Job, outcome: registry.Outcome) -> None:
    """Mark the job done with its outcome; inside the handler's own transaction, so the work and
    its being done are stored together or not at all."""
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        progress=100,
        step="",
        message=outcome.message,
        url=outcome.url,
        data=outcome.data,
        finished_at=now,
        heartbeat_at=now,
    )
    job.status = Job.Status.DONE


def _fail(job: Job, message: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, message=message, step="", finished_at=now, heartbeat_at=now
    )


@contextmanager
def _heartbeat(job_id: int):
    """While the job runs, a thread records every few seconds that its worker is alive."""
    stop = threading.Event()

    def beat() -> None:
        from django.db import connection

        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                with suppress(OperationalError):  # busy: the next beat will do
                    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _claim(job_id: int) -> Job | None:
    """Take the job for this worker: None if it is done, failed, or alive in another worker."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if (
            job.status == Job.Status.RUNNING
            and job.heartbeat_at
            and now - job.heartbeat_at < (STALE_AFTER)
        ):
            return None
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    return job


def run_job(job_id: int) -> str:
    """Run a job (what the task does): its handler, then its outcome, a retry or its failure."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    kind = _kind(job.kind)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            handler = kind.resolve()
            beating = nullcontext() if settings.SAIMA_JOBS_INLINE else _heartbeat(job.pk)
            with beating:
                outcome = handler(job, lambda percent, step="": job_progress(job, percent, step))
        except RETRYABLE as exc:
            if job.attempts < kind.attempts:
                logger.warning(
                    "job %s: attempt %s failed (%s), retrying", job.pk, job.attempts, exc
                )
                with transaction.atomic():
                    Job.objects.filter(pk=job.pk).update(
                        status=Job.Status.QUEUED, step=_("Waiting to try again")
                    )
                    _enqueue(job, delay=kind.backoff * job.attempts)
                return "retry"
            _fail(job, _("The job failed: the database was busy. Try again later."))
            return "failed"
        except (ValidationError, EngineError) as exc:
            _fail(job, "\n".join(_messages(exc)))
            return "failed"
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _fail(job, _("The job failed unexpectedly; the error has been logged."))
            return "failed"
        job.refresh_from_db(fields=["status"])
        if job.status != Job.Status.DONE:
            job_finish(job, outcome)
    return "done"


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return [str(m) for messages in exc.message_dict.values() for m in messages]
        return [str(m) for m in exc.messages]
    return [say_error(exc)]


def jobs_recover(*, now: datetime.datetime | None = None) -> list[int]:
    """Jobs whose worker died (running, silent past `STALE_AFTER`): started again where that is
    safe, failed otherwise. Returns the ids of the jobs started again."""
    now = now or timezone.now()
    limit = now - STALE_AFTER
    again: list[int] = []
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True)
    )
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status != Job.Status.RUNNING:
                continue
            if job.heartbeat_at is not None and job.heartbeat_at >= limit:
                continue
            kind = registry.get(job.kind)
            _abandon_task(job.task_id)
            if kind is not None and kind.retry_after_crash and job.attempts < kind.attempts:
                job.status = Job.Status.QUEUED
                job.step = _("Waiting to try again")
                job.save(update_fields=["status", "step"])
                _enqueue(job)
                again.append(job.pk)
            else:
                with translation.override(job.language or settings.LANGUAGE_CODE):
                    _fail(job, _("The worker running this job stopped; start it again."))
    return again


def _abandon_task(task_id: str) -> None:
    """The dead worker's task, still marked running by the task backend: marked failed."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="saima.jobs.services.WorkerLost",
        traceback="the worker stopped while running this task",
    )


#: Short names of the periodic jobs, as `SAIMA_PERIODIC` may give them.
PERIODIC_ALIASES = {"reminders": "reporting.remind", "escalation": "supervision.escalate"}


def periodic_enqueue(*, today: datetime.date, names: list[str]) -> list[Job]:
    """The day's periodic jobs (`reporting.remind`, `supervision.escalate`), once per day
    whichever worker asks first: their key holds the day."""
    started = []
    for name in (PERIODIC_ALIASES.get(n, n) for n in names):
        if registry.get(name) is None:
            logger.warning("periodic job %r: no such kind of job", name)
            continue
        started.append(
            job_start(
                kind=name,
                arguments={"today": today.isoformat()},
                key=f"{name}:{today.isoformat()}",
            )
        )
    return started


Progress = Callable[[int, str], None]
