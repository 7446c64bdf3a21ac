"""The page of a job and the fragment that the page (and any page that started a job) polls."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from saima.common.pages import page
from saima.jobs.selectors import readable_job
from saima.org.access import access_of


@page
@require_safe
def detail(request, job_id: int):
    job = readable_job(access_of(request), job_id)
    return render(request, "jobs/detail.html", {"job": job})


@page
@require_safe
def status(request, job_id: int):
    """The job's status alone: polled every two seconds by htmx until the job is finished."""
    job = readable_job(access_of(request), job_id)
    response = render(request, "jobs/_status.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response
