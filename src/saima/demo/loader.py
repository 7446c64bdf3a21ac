"""Write the generated demo data into the database, in one transaction, with bulk inserts.

Targets and figures are bulk-created with their history (`bulk_create_with_history`), so each
shows one "+" record with no user and the change reason "demo load".
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import time
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import Value
from django.utils import timezone

from saima.demo.bulletins import load_demo_bulletins
from saima.demo.catalogue import REPORTER_UNIT
from saima.demo.generate import Dataset, build_dataset, check_request
from saima.demo.projects import delete_demo_projects, load_demo_projects
from saima.demo.race import load_demo_race
from saima.demo.summary import CHANGE_REASON, DEMO_LOGINS, DEMO_PASSWORD, DemoSummary
from saima.demo.supervision import (
    add_closure_indicator,
    delete_demo_supervision,
    load_demo_supervision,
)
from saima.metrics.models import Indicator, Observation, Target
from saima.org.models import RaceGroup, Role, Unit
from saima.org.services import user_create

DEMO_USERNAMES = tuple(username for username, _role in DEMO_LOGINS)
BATCH = 2000
#: Objects made at a time before they are inserted (bounds the memory of a national load).
CHUNK = 50_000


class DemoError(Exception):
    """The demo cannot be loaded as asked (the message says why)."""


def load_demo(
    *,
    as_of: datetime.date,
    scale: str = "city",
    reset: bool = False,
    units: int | None = None,
) -> DemoSummary:
    """Fill the database with the demo city (or province), unless it already has units.

    With `reset`, first delete every unit, race group, indicator, target and figure, the history
    of targets and figures, and the demo logins: a reset is for a demo database only.
    """
    started = time.perf_counter()
    check_request(scale=scale, units=units)
    with transaction.atomic():
        if Unit.objects.exists() and not reset:
            return DemoSummary(
                loaded=False,
                message="The database already has units; nothing was loaded "
                "(reset to replace them with the demo).",
                race_groups=RaceGroup.objects.count(),
                units=Unit.objects.count(),
                indicators=Indicator.objects.count(),
                targets=Target.objects.count(),
                observations=Observation.objects.count(),
            )
        if reset:
            delete_demo_data()
        taken = sorted(
            get_user_model()
            .objects.filter(username__in=DEMO_USERNAMES)
            .values_list("username", flat=True)
        )
        if taken:
            raise DemoError(
                f"the demo logins {', '.join(taken)} already exist; load with reset to replace them"
            )
        data = build_dataset(as_of=as_of, scale=scale, units=units)
        _write(data)
        if data.scale == "city":
            load_demo_projects(as_of=data.as_of)
            add_closure_indicator(year=data.year)
            load_demo_supervision(as_of=data.as_of)
        published: tuple[str, ...] = ()
        if data.scale == "city" and data.months:
            published = load_demo_race(
                year=data.year, as_of=data.as_of, last_month=max(data.months)
            )
            load_demo_bulletins(published=published, last_month=max(data.months), year=data.year)
    return DemoSummary(
        loaded=True,
        message=f"Loaded the demo {data.scale} ({data.root[2]}).",
        scale=data.scale,
        as_of=data.as_of,
        year=data.year,
        months=data.months,
        race_groups=len(data.groups),
        units=len(data.units),
        indicators=len(data.indicators),
        targets=len(data.targets),
        observations=len(data.observations),
        notes=sum(1 for row in data.observations if row.note),
        red_units=data.red_units,
        missing_units=data.missing_units,
        published=published,
        logins=list(DEMO_LOGINS),
        seconds=time.perf_counter() - started,
    )


def delete_demo_data() -> None:
    """Delete all units, groups, indicators, targets, figures, their history and demo logins.

    Figures and targets are deleted with raw deletes, so that history does not record half a
    million deletions one by one.
    """
    from saima.reporting.models import Submission

    delete_races()
    delete_demo_supervision()
    delete_demo_projects()
    for model in (
        Submission.history.model,
        Submission,
        Observation.history.model,
        Observation,
        Target.history.model,
        Target,
    ):
        queryset = model._base_manager.all()
        queryset._raw_delete(queryset.db)
    Unit.objects.update(parent=None)
    Unit.objects.all().delete()
    RaceGroup.objects.all().delete()
    Indicator.objects.all().delete()
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()


def delete_races() -> None:
    """Every race and what hangs on it (a demo reset only: published results are otherwise
    never deleted). Query deletes skip `Publication.delete`, which refuses on purpose."""
    from saima.bulletins import models as bulletins
    from saima.races import models as races

    for model in (
        bulletins.Delivery.history.model,
        bulletins.Delivery,
        bulletins.BulletinFile,
        bulletins.Bulletin.history.model,
        bulletins.Bulletin,
        races.LaggardStatement,
        races.Objection,
        races.Publication,
        races.Adjustment,
        races.ManualScore,
        races.Evidence,
        races.RaceDefinition,
    ):
        model._base_manager.all().delete()


def _write(data: Dataset) -> None:
    now = timezone.now()
    groups = {}
    for order, spec in enumerate(data.groups, start=1):
        group = RaceGroup(code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en, order=order)
        group.full_clean(validate_unique=False, validate_constraints=False)
        groups[spec.code] = group
    RaceGroup.objects.bulk_create(groups.values())
    code, name_zh, name_en = data.root
    root = Unit(code=code, name_zh=name_zh, name_en=name_en, kind=Unit.Kind.CITY, order=0)
    root.full_clean()
    root.save()
    units = {}
    for order, spec in enumerate(data.units, start=1):
        unit = Unit(
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            kind=spec.kind,
            parent=root,
            race_group=groups[spec.group],
            order=order,
        )
        unit.full_clean(validate_unique=False, validate_constraints=False)
        units[spec.code] = unit
    Unit.objects.bulk_create(units.values(), batch_size=BATCH)
    indicators = {}
    for order, spec in enumerate(data.indicators, start=1):
        indicator = Indicator(
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            kind=spec.kind,
            direction=spec.direction,
            measure_zh=spec.measure_zh,
            measure_en=spec.measure_en,
            decimals=spec.decimals,
            frequency=Indicator.Frequency.MONTHLY,
            combined_jan_feb=spec.combined_jan_feb,
            profile=list(spec.profile) if spec.profile else None,
            order=order,
        )
        indicator.full_clean(validate_unique=False, validate_constraints=False)
        indicators[spec.code] = indicator
    Indicator.objects.bulk_create(indicators.values())

    targets = []
    for row in data.targets:
        target = Target(
            unit=units[row.unit],
            indicator=indicators[row.indicator],
            year=row.year,
            value=row.value,
            not_applicable=row.not_applicable,
            last_year_total=row.last_year_total,
        )
        targets.append(target)
    _bulk_with_history(targets, Target, now, units.values())

    observations = (
        Observation(
            unit=units[row.unit],
            indicator=indicators[row.indicator],
            year=row.year,
            month=row.month,
            value=row.value,
            last_year_value=row.last_year_value,
            growth=row.growth,
            note=row.note,
        )
        for row in data.observations
    )
    _bulk_with_history(observations, Observation, now, units.values())

    for username, _role in DEMO_LOGINS:
        user_create(
            username=username,
            password=DEMO_PASSWORD,
            roles=_roles(username, units),
            is_staff=username == "office",
        )
    _write_submissions(data, units)


#: When a demo month's report moved, as days after the month's end at a local hour: submitted on
#: the 5th, approved on the 6th, accepted on the 7th, all before the due date (the 8th).
SUBMITTED, APPROVED, ACCEPTED = (5, 10), (6, 10), (7, 15)


def _write_submissions(data: Dataset, units: dict[str, Unit]) -> None:
    """Every reported month of every unit as a report submitted, approved and accepted on time,
    dated before the month's due date; a unit with no figure for a month (the deliberately
    missing unit's latest month) has no report, so the board shows it late. The demo's reporter
    and approver sign their district's reports, the office accepts them all."""
    from saima.reporting import calendar
    from saima.reporting.models import Submission

    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    reported = {(row.unit, row.month) for row in data.observations if row.year == data.year}
    zone = timezone.get_current_timezone()

    def at(year: int, month: int, moment: tuple[int, int]) -> datetime.datetime:
        due = calendar.schedule(year, month).due_on
        day = datetime.date(due.year, due.month, min(moment[0], due.day))
        return datetime.datetime.combine(day, datetime.time(moment[1]), tzinfo=zone)

    # Each month's moments once (the schedule is a query), not once per unit.
    moments = {
        month: [at(data.year, month, moment) for moment in (SUBMITTED, APPROVED, ACCEPTED)]
        for month in data.months
    }
    rows = []
    for code, unit in units.items():
        own = code == REPORTER_UNIT
        for month in data.months:
            if (code, month) not in reported:
                continue
            submitted_at, approved_at, accepted_at = moments[month]
            rows.append(
                Submission(
                    unit=unit,
                    year=data.year,
                    month=month,
                    status=Submission.Status.ACCEPTED,
                    submitted_by=users.get("reporter") if own else None,
                    submitted_at=submitted_at,
                    approved_by=users.get("approver") if own else None,
                    approved_at=approved_at,
                    accepted_by=users.get("office"),
                    accepted_at=accepted_at,
                )
            )
    _bulk_with_history(rows, Submission, timezone.now(), units.values())


def _roles(username: str, units: dict[str, Unit]) -> list[tuple[str, Unit | None]]:
    from saima.demo.catalogue import REPORTER_UNIT

    return {
        "office": [(Role.OFFICE, None)],
        "leader": [(Role.LEADER, None)],
        "reporter": [(Role.REPORTER, units[REPORTER_UNIT])],
        "approver": [(Role.APPROVER, units[REPORTER_UNIT])],
    }[username]


def _bulk_with_history(objects: Iterable, model, when: datetime.datetime, units) -> None:
    """Insert the rows of the demo's `units`, each with its "+" history record (no user, the
    demo's change reason), as simple-history's bulk_create_with_history does; the database copies
    the rows just written into the history table (one INSERT ... SELECT) instead of a Python
    object being made and saved for each, which took half the province's load time. The objects
    are made and inserted a chunk at a time (the national scale has millions of figures)."""
    objects = iter(objects)
    while chunk := list(itertools.islice(objects, CHUNK)):
        model.objects.bulk_create(chunk, batch_size=BATCH)
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    stamps = {
        "history_date": Value(when, output_field=models.DateTimeField()),
        "history_change_reason": Value(CHANGE_REASON, output_field=models.TextField()),
        "history_type": Value("+", output_field=models.TextField()),
        "history_user_id": Value(None, output_field=models.IntegerField()),
    }
    rows = (
        model.objects.filter(unit__in=units)
        .order_by("pk")
        .annotate(**{f"stamp_{name}": value for name, value in stamps.items()})
        .values_list(*tracked, *(f"stamp_{name}" for name in stamps))
    )
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(history._meta.get_field(name).column) for name in [*tracked, *stamps])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}) {select}",
            params,
        )


def data_digest() -> str:
    """A SHA-256 of every demo row by natural keys (no ids, no timestamps)."""
    digest = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            digest.update(repr(tuple(row)).encode("utf-8"))
            digest.update(b"\n")

    feed(RaceGroup.objects.order_by("code").values_list("code", "name_zh", "name_en", "order"))
    feed(
        Unit.objects.order_by("code").values_list(
            "code", "name_zh", "name_en", "kind", "parent__code", "race_group__code", "order"
        )
    )
    feed(
        Indicator.objects.order_by("code").values_list(
            "code",
            "name_zh",
            "name_en",
            "kind",
            "direction",
            "measure_zh",
            "measure_en",
            "decimals",
            "frequency",
            "combined_jan_feb",
            "profile",
            "yellow_pp",
            "order",
        )
    )
    feed(
        Target.objects.order_by("unit__code", "indicator__code", "year").values_list(
            "unit__code",
            "indicator__code",
            "year",
            "value",
            "not_applicable",
            "last_year_total",
            "profile",
        )
    )
    feed(
        Observation.objects.order_by("unit__code", "indicator__code", "year", "month").values_list(
            "unit__code",
            "indicator__code",
            "year",
            "month",
            "value",
            "last_year_value",
            "growth",
            "note",
        )
    )
    return digest.hexdigest()
