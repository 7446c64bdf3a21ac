"""Reads of race definitions: which races a person may read, a race's rules for the engine and as
TOML, its periods (by rhythm), its units, and the window of dates an adjustment counts in."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from saima.common.engine_text import say
from saima.engine import Period, PeriodError, Rules, parse_period
from saima.org.access import Access
from saima.org.models import Unit
from saima.races.definitions.rules import check_rules, effective_mapping, to_toml
from saima.races.models import RaceDefinition, Rhythm


def race_rules(race: RaceDefinition) -> Rules:
    """The engine's rules of a stored race (checked again: an indicator may have changed)."""
    return check_rules(race.rules, source=race.code)


def race_toml(race: RaceDefinition) -> str:
    """The race's rules as the TOML of `docs/rules.md`, complete for `saima race`."""
    return to_toml(effective_mapping(race.rules))


def read_race_period(race: RaceDefinition, text: str) -> Period:
    """A period of this race's year; ValidationError otherwise."""
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise ValidationError({"period": [say(exc.args[0])]}) from None
    if period.year != race.year:
        raise ValidationError(
            {
                "period": [
                    _("%(period)s is outside the race's year %(year)s.")
                    % {"period": period.label, "year": race.year}
                ]
            }
        )
    return period


#: Months per race in each rhythm.
RHYTHM_MONTHS = {Rhythm.MONTH: 1, Rhythm.QUARTER: 3, Rhythm.HALF: 6, Rhythm.YEAR: 12}


_KIND = {Rhythm.MONTH: "month", Rhythm.QUARTER: "quarter", Rhythm.HALF: "half", Rhythm.YEAR: "year"}


def race_periods(race: RaceDefinition) -> list[Period]:
    """The periods at which this race is run (published), in order."""
    step = RHYTHM_MONTHS[Rhythm(race.rhythm)]
    kind = _KIND[Rhythm(race.rhythm)]
    return [Period(race.year, month, kind) for month in range(step, 13, step)]


def is_race_period(race: RaceDefinition, period: Period) -> bool:
    return any(p.label == period.label for p in race_periods(race))


def previous_race_period(race: RaceDefinition, period: Period) -> Period | None:
    earlier = [p for p in race_periods(race) if p.month < period.month]
    return earlier[-1] if earlier else None


def adjustment_window(race: RaceDefinition, period: Period) -> tuple[datetime.date, datetime.date]:
    """Events that count in a race of `period`: from the start of its rhythm's block to its end.

    A Q2 race counts April to June; a monthly comment in May of a quarterly race counts April
    and May; an annual race counts the whole year.
    """
    step = RHYTHM_MONTHS[Rhythm(race.rhythm)]
    first_month = (period.month - 1) // step * step + 1
    last_day = calendar.monthrange(period.year, period.month)[1]
    return (
        datetime.date(period.year, first_month, 1),
        datetime.date(period.year, period.month, last_day),
    )


def race_units(race: RaceDefinition) -> list[Unit]:
    """The active units of the race's groups, in display order."""
    return list(
        Unit.objects.filter(active=True, race_group__in=race.groups.all())
        .select_related("race_group")
        .order_by("race_group__order", "race_group__code", "order", "code")
    )


def visible_races(access: Access):
    """Races whose results this person may read: all for the office and leaders; for a unit,
    the races of its groups."""
    races = RaceDefinition.objects.prefetch_related("groups").order_by("-year", "code")
    if access.sees_everything:
        return races
    groups = Unit.objects.filter(pk__in=access.own_units).values_list("race_group", flat=True)
    return races.filter(groups__in=list(groups)).distinct()


def readable_race(access: Access, code: str) -> RaceDefinition:
    """The race named by `code` if this person may read its results (404 otherwise: a unit does
    not learn of races it is not in)."""
    race = visible_races(access).filter(code=code).first()
    if race is None:
        raise Http404(_("There is no race with the code %(code)s.") % {"code": code})
    return race


def race_period(race: RaceDefinition, text: str) -> Period:
    """One of the race's periods, from its name; ValidationError naming the allowed ones."""
    allowed = race_periods(race)
    names = ", ".join(p.label for p in allowed)
    raw = (text or "").strip()
    try:
        period = parse_period(raw[:16])
    except PeriodError:
        period = None
    found = next((p for p in allowed if period is not None and p.label == period.label), None)
    if found is None:
        raise ValidationError(
            {
                "period": [
                    _("%(period)s is not a period of this race: choose one of %(periods)s.")
                    % {"period": raw or "—", "periods": names}
                ]
            }
        )
    return found
