"""Writes of race results: the preview (computed live) and publication, which freezes a snapshot
(inputs, rules, standings, explanations, gains) and asks the laggards of the new result for
statements. Every write checks who is asking, validates everything before it changes anything,
and runs in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.jobs import Outcome
from saima.common.text import clean_text
from saima.engine import Period, gains, parse_period
from saima.jobs.services import job_finish, job_start
from saima.org.access import Access, require_office
from saima.org.models import Unit
from saima.races.definitions.selectors import is_race_period, race_periods, race_toml
from saima.races.history import save_change
from saima.races.models import LaggardStatement, Objection, Publication, RaceDefinition
from saima.races.results.selectors import (
    compute_preview,
    laggards,
    statements_of,
)

#: The longest reason a republication may give.
REASON_MAX = 4000
#: The kind of job that publishes a race (declared in the app's `ready`).
PUBLISH_JOB = "races.publish"


# --- Definitions -------------------------------------------------------------------------------


# --- Preview and publication -------------------------------------------------------------------


def _check_citable(objection: Objection, race: RaceDefinition, period: Period) -> None:
    """An objection a new version may cite: upheld, to this result, and not cited before."""
    if (
        objection.publication.race_id != race.pk
        or objection.publication.period != period.label
        or objection.status != Objection.Status.UPHELD
    ):
        raise ValidationError(
            {"objection": [_("Only an upheld objection to this result can be cited.")]}
        )
    cited = objection.republications.order_by("version").first()
    if cited is not None:
        raise ValidationError(
            {
                "objection": [
                    _("Version %(version)s already cites this objection.")
                    % {"version": cited.version}
                ]
            }
        )


def race_publish(
    access: Access,
    race: RaceDefinition,
    period: Period,
    *,
    reason: str = "",
    objection: Objection | None = None,
    job=None,
    progress: Callable[[int, str], None] | None = None,
) -> Publication:
    """Freeze the race of `period` as a new published version.

    The first publication of a period needs no reason; every later one does (and may cite the
    objection it answers). Raises ValidationError, RulesError or DataError and changes nothing.

    The race and what would gain one place are computed before the transaction (on a national
    race that takes seconds, and no writer waits for it); the transaction then checks again what
    may have changed meanwhile (the version, the rules' revision, the objection) and writes the
    publication, its statements and, run as a job (`job`), the job's outcome: all or nothing, so
    a worker stopped in the middle leaves no half publication and the job not done.
    """
    require_office(access)
    reason, problem = clean_text(reason, limit=REASON_MAX)
    if problem:
        raise ValidationError({"reason": [problem]})
    _check_period(race, period)
    progress = progress or _no_progress
    _check_republish(race, period, reason, _latest_version(race, period))
    if objection is not None:
        _check_citable(_fresh(objection), race, period)
    revision = race.revision
    progress(5, _("Computing the standings"))
    preview = compute_preview(race, period)
    result = preview.result
    progress(25, _("Working out what would gain each unit one place"))
    explanation = result.explanation(gains(result))
    progress(90, _("Saving the publication"))
    with transaction.atomic():
        # Serialise publications of one race, so two offices cannot take the same version.
        locked = RaceDefinition.objects.select_for_update().filter(pk=race.pk).first()
        if locked is None or locked.revision != revision:
            raise ValidationError(
                {"race": [_("The race's rules changed while it was computed; publish again.")]}
            )
        latest = _latest_version(race, period)
        _check_republish(race, period, reason, latest)
        if objection is not None:
            # As stored now, locked: a second click must not cite it twice.
            objection = (
                Objection.objects.select_for_update(of=("self",))
                .select_related("publication")
                .get(pk=objection.pk)
            )
            _check_citable(objection, race, period)
        publication = Publication.objects.create(
            race=race,
            period=period.label,
            version=latest + 1,
            reason=reason,
            objection=objection,
            rules_toml=race_toml(race),
            rules_revision=race.revision,
            inputs=preview.inputs.to_archive(),
            standings=result.wide().to_dicts(),
            explanation=explanation.to_dicts(),
            missing=result.missing.to_dicts(),
            published_by_id=access.user_id,
            objections_until=timezone.localdate() + datetime.timedelta(days=race.objection_days),
        )
        request_statements(access, publication)
        if job is not None:
            job_finish(job, publish_outcome(publication))
    return publication


def publish_outcome(publication: Publication) -> Outcome:
    """What the job that published shows: the version and where to read it."""
    code, period, version = publication.race.code, publication.period, publication.version
    url = reverse("races:result", args=[code, period])
    api_url = reverse("api:result", args=[code, period])
    return Outcome(
        _("Published %(period)s, version %(version)s.") % {"period": period, "version": version},
        url=f"{url}?version={version}",
        data={
            "publication": publication.pk,
            "race": code,
            "period": period,
            "version": version,
            "api_url": f"{api_url}?version={version}",
        },
    )


def _check_period(race: RaceDefinition, period: Period) -> None:
    if not is_race_period(race, period):
        allowed = ", ".join(p.label for p in race_periods(race))
        raise ValidationError(
            {
                "period": [
                    _("This race is published for %(periods)s, not for %(period)s.")
                    % {"periods": allowed, "period": period.label}
                ]
            }
        )


def _no_progress(percent: int, step: str = "") -> None:
    pass


def _fresh(objection: Objection) -> Objection:
    return Objection.objects.select_related("publication").get(pk=objection.pk)


def _latest_version(race: RaceDefinition, period: Period) -> int:
    found = Publication.objects.filter(race=race, period=period.label).aggregate(Max("version"))
    return found["version__max"] or 0


def _check_republish(race: RaceDefinition, period: Period, reason: str, latest: int) -> None:
    if latest and not reason:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "%(period)s is already published (version %(version)s); "
                        "republishing needs a reason."
                    )
                    % {"period": period.label, "version": latest}
                ]
            }
        )


def publish_job_start(
    access: Access,
    race: RaceDefinition,
    period: Period,
    *,
    user,
    reason: str = "",
    objection: Objection | None = None,
):
    """Start publishing as a background job (the page's way: a national race takes longer than
    a proxy waits). The same request twice, before the first is done, is the same job: its key
    names the version it will publish. Refusals known before computing come at once."""
    require_office(access)
    reason_text, problem = clean_text(reason, limit=REASON_MAX)
    if problem:
        raise ValidationError({"reason": [problem]})
    _check_period(race, period)
    latest = _latest_version(race, period)
    _check_republish(race, period, reason_text, latest)
    if objection is not None:
        _check_citable(_fresh(objection), race, period)
    return job_start(
        kind=PUBLISH_JOB,
        arguments={
            "race": race.pk,
            "period": period.label,
            "reason": reason_text,
            "objection": objection.pk if objection is not None else None,
        },
        user=user,
        key=f"{PUBLISH_JOB}:{race.pk}:{period.label}:v{latest + 1}",
    )


def run_publish_job(job, progress) -> Outcome:
    """The handler of a publishing job: publishes as its starter, if still of the office."""
    access = Access.for_user(job.started_by)
    race = RaceDefinition.objects.get(pk=job.arguments["race"])
    period = parse_period(job.arguments["period"])
    objection_id = job.arguments.get("objection")
    objection = Objection.objects.get(pk=objection_id) if objection_id else None
    publication = race_publish(
        access,
        race,
        period,
        reason=job.arguments.get("reason", ""),
        objection=objection,
        job=job,
        progress=progress,
    )
    return publish_outcome(publication)


def request_statements(access: Access, publication: Publication) -> list[LaggardStatement]:
    """Ask each laggard unit of a newly published result for a statement.

    A unit that already has a statement on an earlier version of the same result keeps it (the
    statement moves on with the result, its reasons brought up to date); the others get a new
    request. A statement not yet accepted whose unit is no laggard in the new version is
    withdrawn, and asked for again should a later version make the unit a laggard again. An
    accepted commitment stands: it was made, and is followed, whatever the new version says.
    """
    reasons = {row["unit"]: row["reasons"] for row in laggards(publication)}
    earlier = statements_of(publication.race, publication.period).select_for_update(of=("self",))
    for statement in earlier:
        _bring_up_to_date(access, statement, reasons.get(statement.unit.code))
    have = {statement.unit.code for statement in earlier}
    units = Unit.objects.filter(code__in=[code for code in reasons if code not in have])
    return LaggardStatement.objects.bulk_create(
        [LaggardStatement(publication=publication, unit=u, why=reasons[u.code]) for u in units]
    )


def _bring_up_to_date(access: Access, statement: LaggardStatement, why: list[str] | None) -> None:
    """A statement of an earlier version, after a republication that gives `why` (None: the unit
    is no laggard any more)."""
    if why is None:
        if statement.status in (
            LaggardStatement.Status.REQUESTED,
            LaggardStatement.Status.RETURNED,
            LaggardStatement.Status.SUBMITTED,
        ):
            statement.status = LaggardStatement.Status.WITHDRAWN
            save_change(statement, access, "withdrawn", ["status"])
    elif statement.status == LaggardStatement.Status.WITHDRAWN:
        statement.status, statement.why = LaggardStatement.Status.REQUESTED, why
        save_change(statement, access, "asked again", ["status", "why"])
    elif statement.why != why:
        statement.why = why
        save_change(statement, access, "reasons", ["why"])
