"""API routes of race results: previews and publication (the office), published results and
explanations (as the pages show them), and the results as files in the CLI's OUT format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, PeriodName
from saima.jobs.api import JobOut, job_accepted
from saima.org.access import access_of
from saima.races.definitions.selectors import is_race_period, read_race_period, readable_race
from saima.races.models import Publication
from saima.races.results import exports
from saima.races.results.selectors import (
    laggards,
    objection_to_cite,
    publications_of,
    race_preview,
    readable_explanation,
    readable_publication,
)
from saima.races.results.services import publish_job_start

router = Router(tags=["races"])

Reason = Annotated[str, Field(max_length=4000)]


class PublicationOut(Schema):
    race: str
    period: str
    version: int
    reason: str
    objection: int | None
    rules_revision: int
    published_at: datetime
    published_by: str | None
    objections_until: date


class ResultOut(PublicationOut):
    standings: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    laggards: list[dict[str, Any]]


class ExplanationOut(Schema):
    race: str
    period: str
    version: int
    unit: str
    items: list[dict[str, Any]]


class PeriodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    period: PeriodName


class PublishIn(PeriodIn):
    reason: Reason = ""
    objection: int | None = None


class PreviewOut(Schema):
    race: str
    period: str
    publishable: bool
    standings: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    missing_policy: str


class VersionQuery(Schema):
    version: Annotated[int, Field(ge=1, le=9999)] | None = None


class FileQuery(VersionQuery):
    format: Literal["csv", "xlsx"] = "csv"


def _publication_out(publication: Publication) -> dict[str, Any]:
    return {
        "race": publication.race.code,
        "period": publication.period,
        "version": publication.version,
        "reason": publication.reason,
        "objection": publication.objection_id,
        "rules_revision": publication.rules_revision,
        "published_at": publication.published_at,
        "published_by": publication.published_by.get_username()
        if publication.published_by
        else None,
        "objections_until": publication.objections_until,
    }


def _read(request, code: str, period: str, version: int | None) -> Publication:
    access = access_of(request)
    race = readable_race(access, code)
    period_obj = read_race_period(race, period)
    return readable_publication(access, race, period_obj.label, version)


@router.get("/{code}/publications", response={200: list[PublicationOut], **ERRORS})
def publications(request, code: Code):
    """Every published version of the race, each period's latest first."""
    race = readable_race(access_of(request), code)
    return [_publication_out(p) for p in publications_of(race)]


@router.get("/{code}/results/{period}", response={200: ResultOut, **ERRORS})
def result(request, code: Code, period: PeriodName, query: Query[VersionQuery]):
    """A published result (the latest version, or `?version=`): standings, missing, laggards."""
    publication = _read(request, code, period, query.version)
    return {
        **_publication_out(publication),
        "standings": publication.standings,
        "missing": publication.missing,
        "laggards": laggards(publication),
    }


@router.get("/{code}/results/{period}/explanation/{unit}", response={200: ExplanationOut, **ERRORS})
def explanation(request, code: Code, period: PeriodName, unit: Code, query: Query[VersionQuery]):
    """Why a unit scored what it did: its own unit for a unit's people, any unit for the office
    and leaders."""
    publication = _read(request, code, period, query.version)
    rows = readable_explanation(access_of(request), publication, unit)
    return {
        "race": publication.race.code,
        "period": publication.period,
        "version": publication.version,
        "unit": unit,
        "items": rows,
    }


@router.get("/{code}/results/{period}/file", response={200: None, **ERRORS})
def result_file(request, code: Code, period: PeriodName, query: Query[FileQuery]):
    """The standings as `saima race --out` writes them, as CSV or XLSX."""
    publication = _read(request, code, period, query.version)
    body = exports.table_bytes(exports.results_frame(publication), f".{query.format}", "results")
    name = f"{publication.race.code}-{publication.period}-v{publication.version}.{query.format}"
    return exports.download(body, name)


@router.post("/{code}/preview", response={200: PreviewOut, **ERRORS})
def preview(request, code: Code, payload: PeriodIn):
    """The race computed now (office only); nothing is stored."""
    access = access_of(request)
    race = readable_race(access, code)
    period = read_race_period(race, payload.period)
    found = race_preview(access, race, period)
    return {
        "race": race.code,
        "period": period.label,
        "publishable": is_race_period(race, period),
        "standings": found.result.standings.to_dicts(),
        "missing": found.missing,
        "missing_policy": found.rules.missing.policy,
    }


@router.post("/{code}/publish", response={202: JobOut, **ERRORS})
def publish(request, code: Code, payload: PublishIn, response: HttpResponse):
    """Publish a race period (office only), as a background job: 202 with the job, whose `url`
    (also the `Location` header) is polled until it is `done` (its `result` names the version)
    or `failed`. A period already published needs a `reason`; that, a period the race is not
    published for, an objection that cannot be cited, or a caller not of the office are refused
    at once (400, 403). Asked again before the first is done, the same job comes back."""
    access = access_of(request)
    race = readable_race(access, code)
    period = read_race_period(race, payload.period)
    objection = None
    if payload.objection is not None:
        objection = objection_to_cite(access, payload.objection)
    job = publish_job_start(
        access, race, period, user=request.user, reason=payload.reason, objection=objection
    )
    return job_accepted(response, job)
