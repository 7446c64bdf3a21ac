"""Writes of race results: the preview (computed live) and publication, which freezes a snapshot
(inputs, rules, standings, explanations, gains) and asks the laggards of the new result for
statements. Every write checks who is asking, validates everything before it changes anything,
and runs in one transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.text import clean_text
from saima.engine import Period, gains
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
) -> Publication:
    """Freeze the race of `period` as a new published version.

    The first publication of a period needs no reason; every later one does (and may cite the
    objection it answers). Raises ValidationError, RulesError or DataError and changes nothing.
    """
    require_office(access)
    reason, problem = clean_text(reason, limit=REASON_MAX)
    if problem:
        raise ValidationError({"reason": [problem]})
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
    with transaction.atomic():
        # Serialise publications of one race, so two offices cannot take the same version.
        RaceDefinition.objects.select_for_update().filter(pk=race.pk).first()
        latest = (
            Publication.objects.filter(race=race, period=period.label).aggregate(Max("version"))[
                "version__max"
            ]
            or 0
        )
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
        if objection is not None:
            # As stored now, locked: a second click must not cite it twice.
            objection = (
                Objection.objects.select_for_update(of=("self",))
                .select_related("publication")
                .get(pk=objection.pk)
            )
            _check_citable(objection, race, period)
        preview = compute_preview(race, period)
        result = preview.result
        explanation = result.explanation(gains(result))
        publication = Publication.objects.create(
            race=race,
            period=period.label,
            version=latest + 1,
            reason=reason,
            objection=objection,
            rules_toml=race_toml(race),
            rules_revision=race.revision,
            inputs=preview.inputs.to_json(),
            standings=result.wide().to_dicts(),
            explanation=explanation.to_dicts(),
            missing=result.missing.to_dicts(),
            published_by_id=access.user_id,
            objections_until=timezone.localdate() + datetime.timedelta(days=race.objection_days),
        )
        request_statements(access, publication)
    return publication


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
