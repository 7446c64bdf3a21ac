"""After publication: laggard statements (表态发言) and objections."""

from __future__ import annotations

from saima.org.models import Unit
from saima.races.models import LaggardStatement, Publication
from saima.races.selectors import laggards


def request_statements(publication: Publication) -> list[LaggardStatement]:
    """Ask each laggard unit of a newly published result for a statement.

    A unit that already has a statement on an earlier version of the same result keeps it (the
    statement moves on with the result); the others get a new request.
    """
    earlier = set(
        LaggardStatement.objects.filter(
            publication__race=publication.race, publication__period=publication.period
        ).values_list("unit__code", flat=True)
    )
    rows = [row for row in laggards(publication) if row["unit"] not in earlier]
    units = {u.code: u for u in Unit.objects.filter(code__in=[r["unit"] for r in rows])}
    return LaggardStatement.objects.bulk_create(
        [
            LaggardStatement(publication=publication, unit=units[row["unit"]], why=row["reasons"])
            for row in rows
            if row["unit"] in units
        ]
    )
