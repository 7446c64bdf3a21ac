"""API route of background jobs (mounted at /api/jobs): a job's status, progress and outcome.

A route that starts long work (publishing a race) answers 202 with the job, as `JobOut`, and a
`Location` header naming `GET /api/jobs/{id}`, which the caller polls until `status` is `done` or
`failed`. Who may read a job is what the job's page allows (`saima.jobs.selectors.readable_job`):
the person who started it, and the office.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema

from saima.common.api import ERRORS, Id, Status
from saima.jobs.models import Job
from saima.jobs.selectors import readable_job
from saima.org.access import access_of

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str = Field(description="races.publish, reporting.import, bulletins.issue, ...")
    label: str = Field(description="The kind in the reader's language.")
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(description="Percent done, 0–100.")
    step: str = Field(description="What the job is doing now, while it runs.")
    message: str = Field(description="The outcome, once done; why it failed, once failed.")
    url: str = Field(description="Where to poll the job: GET /api/jobs/{id}.")
    page: str = Field(description="The job's page, for a person.")
    result_url: str | None = Field(description="Where to read the result, once done.")
    result: dict[str, Any] = Field(
        description="What the job produced, once done; races.publish: race, period, version, "
        "publication (its id) and api_url (the published result as JSON)."
    )
    attempts: int
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


def job_url(job: Job) -> str:
    """Where the API reads the job."""
    return reverse("api:job", args=[job.pk])


def job_out(job: Job) -> dict[str, Any]:
    done = job.status == Job.Status.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": job.kind_label,
        "status": job.status,
        "progress": job.progress,
        "step": job.step,
        "message": job.message,
        "url": job_url(job),
        "page": reverse("jobs:detail", args=[job.pk]),
        "result_url": job.url if done and job.url else None,
        "result": job.data if done else {},
        "attempts": job.attempts,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def job_accepted(response: HttpResponse, job: Job):
    """A route's answer to work it started as a job: 202, the job, and where to poll it."""
    response["Location"] = job_url(job)
    return Status(202, job_out(job))


@router.get("/{job_id}", response={200: JobOut, **ERRORS}, url_name="job")
def job(request, job_id: Id):
    """A background job: its status, progress and, once finished, its outcome (the person who
    started it, and the office; anyone else 403)."""
    return job_out(readable_job(access_of(request), job_id))
