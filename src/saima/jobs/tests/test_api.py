"""`GET /api/jobs/{id}`: a job as the API shows it, to the person who started it and the office
only (the job page's rule), as every persona."""

from __future__ import annotations

import pytest
from django.test import override_settings

from saima.jobs import services
from saima.jobs.models import Job
from saima.testing import PERSONAS

QUEUED = override_settings(SAIMA_JOBS_INLINE=False)
#: A job East's reporter started: who may read it.
READS = {
    "office": 200,
    "leader": 403,
    "east_reporter": 200,
    "west_approver": 403,
    "stranger": 403,
    "anonymous": 401,
}


@QUEUED
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_a_job(world, as_user, persona) -> None:
    job = services.job_start(
        kind="reporting.remind", arguments={}, user=world.user("east_reporter")
    )
    response = as_user(persona).get(f"/api/jobs/{job.pk}")
    assert response.status_code == READS[persona], response.content
    body = response.json()
    if response.status_code == 200:
        assert body["id"] == job.pk and body["kind"] == "reporting.remind"
        assert body["status"] == "queued" and body["url"] == f"/api/jobs/{job.pk}"
        assert body["page"] == f"/jobs/{job.pk}/"
    else:
        assert body["detail"] and "kind" not in body


@QUEUED
def test_an_unknown_or_impossible_job(world, as_user) -> None:
    client = as_user("office")
    assert client.get("/api/jobs/999999").status_code == 404
    assert client.get("/api/jobs/0").status_code == 400
    assert client.get(f"/api/jobs/{10**30}").status_code == 400
    assert client.get("/api/jobs/abc").status_code == 400


@QUEUED
def test_a_failed_job_says_why_and_shows_no_result(world, as_user) -> None:
    job = services.job_start(kind="reporting.remind", arguments={}, user=world.user("office"))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, message="The job failed: the database was busy."
    )
    body = as_user("office").get(f"/api/jobs/{job.pk}").json()
    assert body["status"] == "failed" and "busy" in body["message"]
    assert body["result_url"] is None and body["result"] == {}


def test_the_routes_that_start_a_job_document_202_and_the_job(db) -> None:
    from saima.api import api

    document = api.get_openapi_schema()
    job = {"$ref": "#/components/schemas/JobOut"}
    for path in ("/api/races/{code}/publish", "/api/races/objections/{objection_id}/republish"):
        responses = document["paths"][path]["post"]["responses"]
        assert responses[202]["content"]["application/json"]["schema"] == job
        assert 201 not in responses and 200 not in responses
    read = document["paths"]["/api/jobs/{job_id}"]["get"]["responses"]
    assert read[200]["content"]["application/json"]["schema"] == job
    fields = document["components"]["schemas"]["JobOut"]["properties"]
    assert {"id", "kind", "status", "progress", "message", "url", "result_url", "result"} <= set(
        fields
    )
