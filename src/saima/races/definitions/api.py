"""API routes of race definitions (mounted at /api/races): list, read, TOML, create, change.

Reading: the office and leaders read every race; a unit reads the races of its groups (404 for
the others, so a unit does not learn of races it is not in). Writing: the office only. The rules
are given as the mapping of `docs/rules.md` (`rules`) or as its TOML text (`toml`), and are
validated exactly as `saima race` validates a rules file: a refusal is a 400 whose
`errors.rules` lists each problem with its key (`indicator[2].weight: ...`), and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, Code, Flag, Status
from saima.common.engine_text import say, say_all
from saima.engine import RulesError
from saima.org.access import Access, access_of, require_office
from saima.org.models import RaceGroup
from saima.races.definitions.forms import MAX_TOML_BYTES, unstorable
from saima.races.definitions.rules import parse_toml
from saima.races.definitions.selectors import race_toml, readable_race, visible_races
from saima.races.definitions.services import check_code_free, definition_save
from saima.races.models import RaceDefinition

router = Router(tags=["races"])

RhythmName = Literal["month", "quarter", "half", "year"]
NameZh = Annotated[str, Field(min_length=1, max_length=100)]
NameEn = Annotated[str, Field(min_length=1, max_length=200)]
ObjectionDays = Annotated[int, Field(ge=0, le=90)]
TomlText = Annotated[str, Field(max_length=MAX_TOML_BYTES, description="The rules as TOML")]


class DefinitionSummaryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    year: int
    groups: list[str]
    rhythm: str
    monthly_comment: bool
    objection_days: int
    active: bool
    revision: int
    updated_at: datetime
    updated_by: str | None


class DefinitionOut(DefinitionSummaryOut):
    rules: dict[str, Any] = Field(description="The rules as stored (docs/rules.md, parsed)")


class DefinitionIn(Schema):
    """A new race: its code, names, groups, rhythm, and rules as a mapping or as TOML."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name_zh: NameZh
    name_en: NameEn
    groups: list[Code] = Field(min_length=1)
    rhythm: RhythmName = "quarter"
    monthly_comment: Flag = True
    objection_days: ObjectionDays = 7
    active: Flag = True
    rules: dict[str, Any] | None = None
    toml: TomlText | None = None


class DefinitionChangeIn(Schema):
    """A change of a race: the fields given change, the others stay."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name_zh: NameZh | None = None
    name_en: NameEn | None = None
    groups: list[Code] | None = Field(None, min_length=1)
    rhythm: RhythmName | None = None
    monthly_comment: Flag | None = None
    objection_days: ObjectionDays | None = None
    active: Flag | None = None
    rules: dict[str, Any] | None = None
    toml: TomlText | None = None


def _summary(race: RaceDefinition) -> dict[str, Any]:
    return {
        "code": race.code,
        "name_zh": race.name_zh,
        "name_en": race.name_en,
        "year": race.year,
        "groups": [g.code for g in race.groups.all()],
        "rhythm": race.rhythm,
        "monthly_comment": race.monthly_comment,
        "objection_days": race.objection_days,
        "active": race.active,
        "revision": race.revision,
        "updated_at": race.updated_at,
        "updated_by": race.updated_by.get_username() if race.updated_by else None,
    }


def _out(race: RaceDefinition) -> DefinitionOut:
    return DefinitionOut(**_summary(race), rules=race.rules)


def _groups(codes: list[str]) -> list[RaceGroup]:
    found = {g.code: g for g in RaceGroup.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {"groups": [_("There is no race group %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    return [found[c] for c in dict.fromkeys(codes)]


def _rules_of(payload: DefinitionIn | DefinitionChangeIn) -> dict[str, Any] | None:
    """The rules given as a mapping or as TOML (not both); RulesError for bad TOML."""
    if payload.rules is not None and payload.toml is not None:
        raise ValidationError({"rules": [_("Give the rules as a mapping or as TOML, not both.")]})
    if payload.toml is not None:
        return parse_toml(payload.toml)
    return payload.rules


def _parsed(payload: DefinitionIn | DefinitionChangeIn) -> dict[str, Any] | None:
    try:
        return _rules_of(payload)
    except RulesError as exc:
        raise ValidationError({"rules": say_all(exc.details) or [say(exc.args[0])]}) from None


def _save(
    access: Access, race: RaceDefinition | None, fields: dict[str, Any], rules
) -> RaceDefinition:
    try:
        check_code_free(fields["code"])
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    try:
        problems = unstorable(rules)
        if problems:
            raise RulesError(_("The rules cannot be stored"), details=problems)
        return definition_save(access, race=race, rules=rules, **fields)
    except RulesError as exc:
        raise ValidationError({"rules": say_all(exc.details) or [say(exc.args[0])]}) from None


def _office_race(access: Access, code: str) -> RaceDefinition:
    require_office(access)
    return readable_race(access, code)


@router.get("/definitions", response={200: list[DefinitionSummaryOut], **ERRORS})
def list_definitions(request):
    """The races the caller may read: all for the office and leaders, a unit's own otherwise."""
    races = visible_races(access_of(request)).select_related("updated_by")
    return [DefinitionSummaryOut(**_summary(race)) for race in races]


@router.get("/definitions/{code}", response={200: DefinitionOut, **ERRORS})
def get_definition(request, code: Code):
    return _out(readable_race(access_of(request), code))


#: The rules file is TOML, not JSON: its 200 is described by hand (ninja would say JSON).
TOML_RESPONSE = {
    "responses": {
        200: {
            "description": "The rules file (docs/rules.md), as a download",
            "content": {"application/toml": {"schema": {"type": "string"}}},
        }
    }
}


@router.get("/definitions/{code}/toml", response={200: None, **ERRORS}, openapi_extra=TOML_RESPONSE)
def get_definition_toml(request, code: Code):
    """The rules as the TOML of docs/rules.md, complete for `saima race`."""
    race = readable_race(access_of(request), code)
    try:
        text = race_toml(race)
    except RulesError as exc:
        raise ValidationError({"rules": say_all(exc.details) or [say(exc.args[0])]}) from None
    response = HttpResponse(text, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{race.code}.toml"'
    return response


@router.post("/definitions", response={201: DefinitionOut, **ERRORS})
def create_definition(request, payload: DefinitionIn):
    """A new race (the office)."""
    access = access_of(request)
    require_office(access)
    if payload.rules is None and payload.toml is None:
        raise ValidationError(
            {"rules": [_("Give the rules as a mapping (rules) or as TOML (toml).")]}
        )
    fields = payload.model_dump(exclude={"rules", "toml"})
    fields["groups"] = _groups(payload.groups)
    rules = _parsed(payload)
    race = _save(access, None, fields, rules)
    return Status(201, _out(race))


@router.put("/definitions/{code}", response={200: DefinitionOut, **ERRORS})
def change_definition(request, code: Code, payload: DefinitionChangeIn):
    """Change a race (the office): the fields given, and the rules if given."""
    access = access_of(request)
    race = _office_race(access, code)
    rules = _parsed(payload)
    given = payload.model_dump(exclude={"rules", "toml"}, exclude_none=True)
    fields = {
        "code": race.code,
        "name_zh": race.name_zh,
        "name_en": race.name_en,
        "rhythm": race.rhythm,
        "monthly_comment": race.monthly_comment,
        "objection_days": race.objection_days,
        "active": race.active,
        **given,
    }
    fields["groups"] = _groups(payload.groups) if payload.groups else list(race.groups.all())
    race = _save(access, race, fields, race.rules if rules is None else rules)
    return _out(race)
