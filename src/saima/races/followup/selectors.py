"""Reads after publication: laggard statements (表态发言), the commitments being followed, and
objections, each scoped to what the reader may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.org.access import Access
from saima.org.models import Unit
from saima.races.definitions.selectors import visible_races
from saima.races.models import LaggardStatement, Objection, Publication, RaceDefinition
from saima.races.results.selectors import current_publication, statements_of

#: Why a unit was called to account, as `selectors.laggards` names it.
REASONS = {
    "yellow_flag": gettext_lazy("yellow flag"),
    "last_place": gettext_lazy("last place of its group"),
    "red_light": gettext_lazy("red light"),
}


def published_on(publication: Publication) -> datetime.date:
    """The day a result was published, in the office's time zone."""
    return timezone.localtime(publication.published_at).date()


def reasons_of(statement: LaggardStatement) -> list[str]:
    """Why the unit was called to account, in the reader's language."""
    return [str(REASONS.get(code, code)) for code in statement.why]


#: The largest primary key a database stores: a larger number in a URL is simply not found.
_MAX_PK = 2**63 - 1


def _pk(pk: int) -> int:
    return pk if 0 < pk <= _MAX_PK else 0


def _race_visible(access: Access, race_id: int) -> bool:
    return visible_races(access).filter(pk=race_id).exists()


def readable_statements(
    access: Access, race: RaceDefinition, period: str
) -> QuerySet[LaggardStatement]:
    """The statements of a period this person may read: all for the office and leaders, a unit's
    own for its people."""
    found = statements_of(race, period)
    return found if access.sees_everything else found.filter(unit_id__in=access.own_units)


def readable_statement(access: Access, pk: int, code: str | None = None) -> LaggardStatement:
    """One statement, if this person may read it: 404 when it (or its race, for this person)
    does not exist, 403 when it is another unit's."""
    statement = (
        LaggardStatement.objects.select_related(
            "unit", "publication__race", "submitted_by", "reviewed_by"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if (
        statement is None
        or (code is not None and statement.publication.race.code != code)
        or not _race_visible(access, statement.publication.race_id)
    ):
        raise Http404(_("There is no statement %(pk)s.") % {"pk": pk})
    if not access.can_read_unit(statement.unit_id):
        raise PermissionDenied(_("You may not see the statement of another unit."))
    return statement


def may_file_statement(access: Access, statement: LaggardStatement) -> bool:
    return statement.status in (
        LaggardStatement.Status.REQUESTED,
        LaggardStatement.Status.RETURNED,
    ) and (access.is_office or statement.unit_id in access.own_units)


@dataclass(frozen=True)
class Commitment:
    """An accepted statement being followed, with the days to (or since) its commitment date."""

    statement: LaggardStatement
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def open_commitments(access: Access) -> list[Commitment]:
    """Accepted statements not yet closed, across races, the most urgent first."""
    today = timezone.localdate()
    found = (
        LaggardStatement.objects.filter(status=LaggardStatement.Status.ACCEPTED)
        .select_related("unit", "publication__race")
        .order_by("commitment_date", "unit__order", "unit__code")
    )
    if not access.sees_everything:
        found = found.filter(unit_id__in=access.own_units)
    return [
        Commitment(statement=s, days_left=(s.commitment_date - today).days)
        for s in found
        if s.commitment_date is not None
    ]


def readable_objections(access: Access, race: RaceDefinition, period: str) -> QuerySet[Objection]:
    """Objections to any version of a race's period that this person may read."""
    found = Objection.objects.filter(
        publication__race=race, publication__period=period
    ).select_related("unit", "publication", "evidence", "filed_by", "answered_by")
    return found if access.sees_everything else found.filter(unit_id__in=access.own_units)


def readable_objection(access: Access, pk: int) -> Objection:
    """One objection, if this person may read it (404 / 403 as for statements)."""
    objection = (
        Objection.objects.select_related(
            "unit", "publication__race", "evidence", "filed_by", "answered_by"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if objection is None or not _race_visible(access, objection.publication.race_id):
        raise Http404(_("There is no objection %(pk)s.") % {"pk": pk})
    if not access.can_read_unit(objection.unit_id):
        raise PermissionDenied(_("You may not see the objection of another unit."))
    return objection


def objection_window_open(publication: Publication) -> bool:
    return timezone.localdate() <= publication.objections_until


def objecting_units(access: Access, publication: Publication) -> list[Unit]:
    """The units this person may object for on this result now (empty when they may not)."""
    if access.is_office or not objection_window_open(publication):
        return []
    current = current_publication(publication.race, publication.period)
    if current is None or current.pk != publication.pk:
        return []
    ranked = {row["unit"] for row in publication.standings}
    units = Unit.objects.filter(pk__in=access.own_units, code__in=ranked)
    return list(units.order_by("order", "code"))
