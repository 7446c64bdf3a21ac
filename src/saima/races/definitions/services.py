"""Writes of race definitions: a race's name, groups, rhythm and rules, validated exactly as
`saima race` validates its TOML. Every write checks who is asking, validates everything before
it changes anything, and runs in one transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saima.org.access import Access, require_office
from saima.org.models import RaceGroup
from saima.races.definitions.rules import check_rules
from saima.races.models import RaceDefinition

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
