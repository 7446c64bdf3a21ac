"""Writes of the races app: definitions, previews, publication, and the registers around them.

Every write checks who is asking, validates everything before it changes anything, and runs in
one transaction: a refused request leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.engine import Period, PeriodError, RaceResult, Rules, gains, parse_period
from saima.engine.pipeline import compute_race
from saima.org.access import Access, require_office
from saima.org.models import RaceGroup
from saima.org.text import clean_text
from saima.races import followup
from saima.races.models import Objection, Publication, RaceDefinition
from saima.races.rules import check_rules, effective_mapping, to_toml
from saima.races.selectors import RaceInputs, is_race_period, race_inputs, race_periods
from saima.web.engine_text import say
from saima.web.requests import whole_number

#: Words of the races' addresses that a race code would shadow (pages whose own address needs
#: more than the word, such as `evidence/<id>/`, and the API's words).
ADDRESS_WORDS = frozenset(
    {
        "definitions",
        "evidence",
        "follow-up",
        "objections",
        "statements",
        "preview",
        "publish",
        "results",
    }
)


#: The longest reason a republication may give.
REASON_MAX = 4000


def check_code_free(code: str) -> None:
    """Refuse a code that a page of the races app (`new`, `import`...) or a word of its API
    already uses: the race's own pages would be out of reach."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    taken = code in ADDRESS_WORDS
    # Each address of the race must lead to the race's own page or route, not another's.
    own = {
        ("races:race", "race"),
        ("races:definition", "definition"),
        ("api:get_definition", "get_definition"),
        ("api:get_definition_toml", "get_definition_toml"),
    }
    for name, expected in own:
        with contextlib.suppress(NoReverseMatch, Resolver404):
            taken = taken or resolve(reverse(name, kwargs={"code": code})).url_name != expected
    if taken:
        raise ValidationError(
            _("%(code)s is the name of a page; choose another code.") % {"code": code}
        )


# --- Definitions -------------------------------------------------------------------------------


def definition_save(
    access: Access,
    *,
    race: RaceDefinition | None = None,
    code: str,
    name_zh: str,
    name_en: str,
    groups: Iterable[RaceGroup],
    rhythm: str,
    rules: Mapping[str, Any],
    monthly_comment: bool = True,
    objection_days: int = 7,
    active: bool = True,
) -> RaceDefinition:
    """Create or change a race; the rules are validated exactly as `saima race` validates TOML.

    Raises ValidationError (field → messages); the rules' problems are listed under `rules`, each
    naming its key. The year is the rules' year.
    """
    require_office(access)
    groups = list(groups)
    checked = check_rules(rules)  # RulesError: the caller shows its details
    errors: dict[str, list[str]] = {}
    try:
        check_code_free(code)
    except ValidationError as exc:
        errors.setdefault("code", []).extend(exc.messages)
    if not groups:
        errors.setdefault("groups", []).append(_("Choose at least one race group."))
    if race is not None and race.publications.exists():
        _check_published_race(race, checked.year, rhythm, groups, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if race is None:
            race = RaceDefinition(code=code)
        changed = race.pk is None or dict(race.rules) != dict(rules)
        race.code = code
        race.name_zh = name_zh
        race.name_en = name_en
        race.year = checked.year
        race.rhythm = rhythm
        race.rules = dict(rules)
        race.monthly_comment = monthly_comment
        race.objection_days = objection_days
        race.active = active
        race.updated_by_id = access.user_id
        if race.pk is not None and changed:
            race.revision += 1
        race.full_clean(exclude=["groups"])
        race.save()
        race.groups.set(groups)
    return race


def _check_published_race(
    race: RaceDefinition,
    year: int,
    rhythm: str,
    groups: list[RaceGroup],
    errors: dict[str, list[str]],
) -> None:
    """What a race with published results may not change: its published periods and the units
    that read them must stay where they are (a new year or rhythm is a new race)."""
    if race.year != year:
        errors.setdefault("rules", []).append(
            _("The race has published results for %(year)s; its year cannot change.")
            % {"year": race.year}
        )
    if race.rhythm != rhythm:
        errors.setdefault("rhythm", []).append(
            _(
                "The race has published results (%(rhythm)s); its rhythm cannot change. "
                "Define a new race for another rhythm."
            )
            % {"rhythm": race.get_rhythm_display()}
        )
    kept = {g.pk for g in groups}
    dropped = [g.name for g in race.groups.all() if g.pk not in kept]
    if dropped:
        errors.setdefault("groups", []).append(
            _(
                "The race has published results for %(groups)s; a group with published results "
                "cannot be taken out of the race."
            )
            % {"groups": ", ".join(dropped)}
        )


def race_rules(race: RaceDefinition) -> Rules:
    """The engine's rules of a stored race (checked again: an indicator may have changed)."""
    return check_rules(race.rules, source=race.code)


def race_toml(race: RaceDefinition) -> str:
    """The race's rules as the TOML of `docs/rules.md`, complete for `saima race`."""
    return to_toml(effective_mapping(race.rules))


# --- Preview and publication -------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    race: RaceDefinition
    period: Period
    rules: Rules
    inputs: RaceInputs
    result: RaceResult

    @property
    def missing(self) -> list[dict[str, Any]]:
        return self.result.missing.to_dicts()


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


def race_preview(access: Access, race: RaceDefinition, period: Period) -> Preview:
    """The race as it would be published now, with the missing figures listed (office only)."""
    require_office(access)
    return _compute(race, period)


def _compute(race: RaceDefinition, period: Period) -> Preview:
    rules = race_rules(race)
    inputs = race_inputs(race, rules, period)
    _check_inputs(race, rules, period, inputs)
    result = compute_race(rules, period, inputs)
    return Preview(race=race, period=period, rules=rules, inputs=inputs, result=result)


def _check_inputs(race: RaceDefinition, rules: Rules, period: Period, inputs: RaceInputs) -> None:
    """What the platform refuses before the engine runs, in the office's words."""
    problems: list[str] = []
    if inputs.units.height == 0:
        problems.append(_("The race's groups have no active units."))
    units = inputs.units["unit"].to_list()
    have = set(inputs.targets.select("unit", "indicator").iter_rows())
    for item in rules.items:
        if not item.needs_target:
            continue
        lacking = [u for u in units if (u, item.source) not in have and u not in item.exempt]
        if lacking:
            problems.append(
                _("Indicator %(indicator)s has no %(year)s target for: %(units)s.")
                % {"indicator": item.source, "year": rules.year, "units": ", ".join(lacking)}
            )
    this_period = inputs.actuals.filter(
        (pl.col("year") == period.year)
        & (pl.col("month") == period.month)
        & pl.col("value").is_not_null()
    )
    if this_period.height == 0:
        problems.append(
            _("There are no figures for %(period)s: nothing to race on.") % {"period": period.label}
        )
    if problems:
        raise ValidationError(problems)


def objection_to_cite(access: Access, pk: int | str) -> Objection:
    """The objection a republication names, by its id (office only); ValidationError if none."""
    require_office(access)
    number = whole_number(pk)
    found = Objection.objects.filter(pk=number).first() if number else None
    if found is None:
        raise ValidationError({"objection": [_("There is no such objection.")]})
    return found


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
        preview = _compute(race, period)
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
        followup.request_statements(access, publication)
    return publication
