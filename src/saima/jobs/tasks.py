"""The one task of the task backend: run a job. Everything a job does is in its handler (the
kinds in `saima.common.jobs`); this task only carries the job's id to a worker."""

from __future__ import annotations

from django_tasks import task

from saima.jobs.services import run_job


@task()
def run_job_task(job_id: int) -> str:
    return run_job(job_id)
