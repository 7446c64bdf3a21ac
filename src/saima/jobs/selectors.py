"""Reads of jobs: who may see which."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from saima.jobs.models import Job
from saima.org.access import Access


def readable_job(access: Access, job_id: int) -> Job:
    """A job its starter or the office may follow; 404 for one that does not exist."""
    job = Job.objects.filter(pk=job_id).select_related("started_by").first()
    if job is None:
        raise Http404
    if not (access.is_office or (job.started_by_id and job.started_by_id == access.user_id)):
        raise PermissionDenied
    return job


def job_of_request(access: Access, raw: str | None) -> Job | None:
    """The job named by a page's `?job=`, if the reader may follow it (else nothing)."""
    if not raw or not raw.isdigit() or len(raw) > 18:
        return None
    try:
        return readable_job(access, int(raw))
    except (Http404, PermissionDenied):
        return None
