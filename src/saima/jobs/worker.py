"""The worker: the task backend's own (`db_worker` of django-tasks-db) with Saima's housekeeping
beside it, which starts again the jobs of a worker that died and enqueues the day's periodic jobs.

`saima worker` runs it in the foreground (as many as wanted, on any machine that reaches the
database); `saima demo` runs one in a thread of its own process.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from saima.jobs import services

logger = logging.getLogger("saima.jobs")

#: How often (seconds) a worker looks for dead workers' jobs and for the day's periodic jobs.
HOUSEKEEPING_SECONDS = 30.0


def housekeeping() -> None:
    """One round: dead workers' jobs started again, the day's periodic jobs enqueued (once)."""
    try:
        again = services.jobs_recover()
        if again:
            logger.warning("started again jobs %s, whose worker stopped", again)
        if settings.SAIMA_PERIODIC:
            services.periodic_enqueue(today=timezone.localdate(), names=settings.SAIMA_PERIODIC)
    except OperationalError as exc:  # busy database: the next round will do
        logger.warning("housekeeping skipped: %s", exc)
    finally:
        close_old_connections()


def _housekeeping_loop(stop: threading.Event, every: float) -> None:
    try:
        while True:
            housekeeping()
            if stop.wait(every):
                return
    finally:
        connection.close()


def start_housekeeping(every: float = HOUSEKEEPING_SECONDS) -> threading.Event:
    """Housekeeping in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_housekeeping_loop, args=(stop, every), name="saima-housekeeping", daemon=True
    )
    thread.start()
    return stop


def make_worker(*, interval: float = 1.0, worker_id: str | None = None) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )


def start_in_thread(*, interval: float = 1.0) -> threading.Thread:
    """A worker and its housekeeping in daemon threads of this process (the demo's)."""
    start_housekeeping()
    worker = make_worker(interval=interval, worker_id=f"demo-{get_random_string(8)}")

    def run() -> None:
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="saima-worker", daemon=True)
    thread.start()
    return thread


def run_pending() -> int:
    """Run every task ready now, in this thread, then return: the worker's own loop without its
    connection housekeeping (which would end a test's transaction). For tests and scripts."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    worker = make_worker(interval=0, worker_id=f"batch-{get_random_string(8)}")
    ran = 0
    while True:
        with transaction.atomic():
            found = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if found is not None:
                found.claim(worker.worker_id)
        if found is None:
            return ran
        worker.run_task(found)
        ran += 1
