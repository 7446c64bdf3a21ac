"""`saima worker`: run background jobs (the task backend's worker, with Saima's housekeeping)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from saima.jobs.worker import HOUSEKEEPING_SECONDS, housekeeping, start_housekeeping


class Command(BaseCommand):
    help = "Run background jobs until stopped (any number of workers, on any machine)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="run the jobs waiting now, then exit"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks when idle"
        )
        parser.add_argument("--worker-id", default=None, help="a name unique among the workers")
        parser.add_argument(
            "--housekeeping",
            type=float,
            default=HOUSEKEEPING_SECONDS,
            help="seconds between looks for dead workers' jobs and the day's periodic jobs",
        )

    def handle(self, *args, batch: bool, interval: float, worker_id, **options):
        flags = {"interval": interval, "startup_delay": False, "reload": False}
        if worker_id:
            flags["worker_id"] = worker_id
        if batch:
            housekeeping()
            call_command("db_worker", batch=True, **flags)
            return
        start_housekeeping(options["housekeeping"])
        call_command("db_worker", **flags)
