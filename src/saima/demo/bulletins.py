"""The demo's bulletins: the latest published quarter's race bulletin, issued (so the units have
one to read and meeting mode has a result), and a draft of the monthly comment of the last
month with figures, for the office to edit and issue."""

from __future__ import annotations

from saima.demo.race import DEMO_RACE_CODE

DEMO_OFFICE = "青河市重点工作推进办公室"
DEMO_PREFIX = "青重办发"
DEMO_RECIPIENTS = "各区、县（市）人民政府，各开发区管委会"


def load_demo_bulletins(*, published: tuple[str, ...], last_month: int, year: int) -> None:
    from django.contrib.auth import get_user_model

    from saima.bulletins import services
    from saima.org.access import Access
    from saima.races.models import RaceDefinition

    if not published:
        return
    office = Access.for_user(get_user_model().objects.get(username="office"))
    race = RaceDefinition.objects.get(code=DEMO_RACE_CODE)
    bulletin = services.bulletin_draft(office, race=race, kind="race", period=published[-1])
    bulletin = services.bulletin_edit(
        office,
        bulletin,
        office=DEMO_OFFICE,
        prefix=DEMO_PREFIX,
        number=len(published),
        recipients=DEMO_RECIPIENTS,
    )
    services.bulletin_issue(office, bulletin)
    comment = services.bulletin_draft(
        office, race=race, kind="monthly", period=f"{year}-{last_month:02d}"
    )
    services.bulletin_edit(office, comment, number=len(published) + 1)
