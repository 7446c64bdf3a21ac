"""Race rules: which indicators are scored, how, and with what weight — read from TOML.

The rules are validated as a whole before any figure is looked at, and every problem names the key
it is about (`indicator[2].weight: ...`), so an office can fix a rules file without reading code.
`docs/rules.md` documents every key with an example.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from saima.engine.errors import EngineError
from saima.engine.frames import SCHEDULED_KINDS
from saima.engine.text import Text, _

Kind = Literal["amount", "growth", "count", "level"]
Direction = Literal["higher", "lower"]
Metric = Literal["completion", "gap", "growth", "growth_vs_target", "value"]
Method = Literal["rank", "efficacy", "attainment", "bands", "linear", "manual"]
MissingPolicy = Literal["zero", "exclude", "error"]

#: Metrics computed from the target: an item scoring one needs every unit's target.
METRICS_FROM_TARGET: frozenset[str] = frozenset({"completion", "gap", "growth_vs_target"})
_METRICS_BY_KIND: dict[str, frozenset[str]] = {
    "amount": frozenset({"completion", "gap", "growth", "value"}),
    "count": frozenset({"completion", "gap", "growth", "value"}),
    "growth": frozenset({"gap", "growth", "growth_vs_target"}),
    "level": frozenset({"completion", "gap", "value"}),
}
_DEFAULT_METRIC: dict[str, Metric] = {
    "amount": "gap",
    "count": "gap",
    "growth": "growth",
    "level": "value",
}
_WEIGHT_TOLERANCE = 1e-6


class RulesError(EngineError):
    """A rules file that cannot be used; `details` lists each problem with its key."""


class Problems(ValueError):
    """Several problems found at once by a validator; pydantic keeps it in the error's context,
    and each problem becomes a detail of its own."""

    def __init__(self, problems: list[Text]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Where the lights change colour."""

    yellow_pp: float = Field(5.0, ge=0)
    growth_yellow_pp: float = Field(1.0, ge=0)
    level_yellow_pct: float = Field(5.0, ge=0)


class Missing(_Strict):
    policy: MissingPolicy = "zero"


class Flags(_Strict):
    """Distinctions: red flags to the first, yellow to the last, a progress award to the climber."""

    red: int = Field(1, ge=0)
    yellow: int = Field(1, ge=0)
    red_when: Literal["any", "on_schedule", "no_red"] = "any"
    yellow_when: Literal["any", "behind", "red"] = "any"
    progress_award: int = Field(1, ge=0)
    veto: Literal["no_distinction", "last"] = "no_distinction"


class AdjustmentRules(_Strict):
    """Caps on bonus and deduction points (absent: no cap)."""

    bonus_cap: float | None = Field(None, ge=0)
    deduction_cap: float | None = Field(None, ge=0)
    category_caps: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)


class Item(_Strict):
    """One scored item: an input indicator (`data`) measured by a metric and scored by a method."""

    code: str = Field(min_length=1)
    data: str | None = None
    name: str | None = None
    kind: Kind = "amount"
    direction: Direction = "higher"
    metric: Metric | None = None
    weight: float = Field(gt=0, le=100)
    method: Method
    # rank
    step: float | None = Field(None, ge=0)
    step_pct: float | None = Field(None, ge=0, le=100)
    # efficacy
    base: float = Field(0.6, ge=0, le=1)
    span: float = Field(0.4, ge=0, le=1)
    satisfactory: float | None = None
    impermissible: float | None = None
    clamp: bool = True
    # attainment
    cap: float = Field(1.0, gt=0)
    # bands: [[threshold, points], ...], best first
    bands: list[tuple[float, float]] | None = None
    # linear
    base_points: float | None = None
    slope: float | None = None
    per: float = Field(1.0, gt=0)
    reference: Literal["target", "mean", "median"] | float | None = None
    min_points: float | None = None
    max_points: float | None = None
    # which units take part
    qualify: float | None = None
    exempt: list[str] = Field(default_factory=list)
    # time-sequence schedule and lights
    profile: list[float] | Literal["linear", "last_year"] | None = None
    combined_jan_feb: bool | None = None
    yellow_pp: float | None = Field(None, ge=0)

    @property
    def source(self) -> str:
        """The input indicator this item reads."""
        return self.data or self.code

    @property
    def effective_metric(self) -> Metric:
        return self.metric or _DEFAULT_METRIC[self.kind]

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def needs_target(self) -> bool:
        """Whether scoring this item reads the units' targets: a metric computed from the
        target (completion, gap, growth_vs_target), or a method that compares the metric with
        its target `T` (attainment, linear with `reference = "target"`). Ranking published
        figures against the group needs none."""
        if self.method == "manual":
            return False
        metric = self.effective_metric
        if metric in METRICS_FROM_TARGET:
            return True
        compares = self.method == "attainment" or (
            self.method == "linear" and self.reference == "target"
        )
        return compares and (metric == "value" or (metric == "growth" and self.kind == "growth"))

    @field_validator("code", "data")
    @classmethod
    def _plain_code(cls, value: str | None) -> str | None:
        if value is not None and (value != value.strip() or not value):
            raise ValueError(_("must not be blank or start or end with spaces"))
        return value

    @field_validator("profile")
    @classmethod
    def _valid_profile(cls, value: Any) -> Any:
        if isinstance(value, list):
            check_profile(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        problems = _item_problems(self)
        if problems:
            raise Problems(problems)
        return self


class Rules(_Strict):
    """A race: its name, year, scored items and the policies around them."""

    name: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    combined_jan_feb: bool = False
    tie_break: str | None = None
    decimals: int = Field(2, ge=0, le=6)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    missing: Missing = Field(default_factory=Missing)
    flags: Flags = Field(default_factory=Flags)
    adjustments: AdjustmentRules = Field(default_factory=AdjustmentRules)
    items: list[Item] = Field(alias="indicator", min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _whole(self) -> Rules:
        problems = _rules_problems(self)
        if problems:
            raise Problems(problems)
        return self

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def indicators(self) -> dict[str, Item]:
        """The first item reading each input indicator: its kind, direction and schedule."""
        out: dict[str, Item] = {}
        for item in self.items:
            out.setdefault(item.source, item)
        return out

    @property
    def targeted_indicators(self) -> set[str]:
        """The input indicators some item reads with a target: each unit needs one for them."""
        return {item.source for item in self.items if item.needs_target}

    def combined_for(self, item: Item) -> bool:
        """Whether this item's year starts with a combined January–February period."""
        if isinstance(item.profile, list):
            return len(item.profile) == 11
        if item.combined_jan_feb is not None:
            return item.combined_jan_feb
        return self.combined_jan_feb


def check_profile(profile: list[float]) -> None:
    """A profile is cumulative percent per period: 12 months, or 11 with Jan–Feb first."""
    if len(profile) not in (11, 12):
        raise ValueError(
            _(
                "has %(count)s entries; give 12 (January to December) "
                "or 11 (January–February together, then March to December)",
                count=len(profile),
            )
        )
    for position, (before, after) in enumerate(itertools.pairwise(profile), start=2):
        if after < before:
            raise ValueError(
                _(
                    "decreases at entry %(position)s (%(before)s then %(after)s); "
                    "a profile is cumulative and never goes down",
                    position=position,
                    before=f"{before:g}",
                    after=f"{after:g}",
                )
            )
    if any(not math.isfinite(v) or v < 0 for v in profile):
        raise ValueError(_("entries must be percentages from 0 to 100"))
    if profile[-1] != 100:
        raise ValueError(
            _(
                "ends at %(last)s; the last entry (December) must be 100",
                last=f"{profile[-1]:g}",
            )
        )


_METHOD_KEYS: dict[str, frozenset[str]] = {
    "rank": frozenset({"step", "step_pct"}),
    "efficacy": frozenset({"base", "span", "satisfactory", "impermissible", "clamp"}),
    "attainment": frozenset({"cap"}),
    "bands": frozenset({"bands"}),
    "linear": frozenset({"base_points", "slope", "per", "reference", "min_points", "max_points"}),
    "manual": frozenset(),
}
_ALL_METHOD_KEYS = frozenset().union(*_METHOD_KEYS.values())


def _item_problems(item: Item) -> list[Text]:
    problems: list[Text] = []
    foreign = sorted((item.model_fields_set & _ALL_METHOD_KEYS) - _METHOD_KEYS[item.method])
    if foreign:
        problems.append(
            _(
                "%(keys)s do(es) not apply to method %(method)s",
                keys=", ".join(foreign),
                method=repr(item.method),
            )
        )
    listed = isinstance(item.profile, list) and item.combined_jan_feb is not None
    if listed and item.combined_jan_feb != (len(item.profile) == 11):
        problems.append(
            _(
                "a profile has 11 entries exactly when January and February are combined; "
                "this one has %(count)s with combined_jan_feb = %(combined)s",
                count=len(item.profile),
                combined=str(item.combined_jan_feb).lower(),
            )
        )
    metric = item.effective_metric
    if metric not in _METRICS_BY_KIND[item.kind]:
        problems.append(
            _(
                "metric %(metric)s does not apply to a %(kind)s indicator (%(allowed)s)",
                metric=repr(metric),
                kind=item.kind,
                allowed=", ".join(sorted(_METRICS_BY_KIND[item.kind])),
            )
        )
    if item.profile is not None and item.kind not in SCHEDULED_KINDS:
        problems.append(
            _(
                "profile applies to amount and count indicators, not to %(kind)s",
                kind=item.kind,
            )
        )
    problems += _METHOD_CHECKS[item.method](item)
    return problems


def _check_rank(item: Item) -> list[Text]:
    if (item.step is None) == (item.step_pct is None):
        return [
            _("rank needs exactly one of step (points per place) or step_pct (%% of the weight)")
        ]
    return []


def _check_efficacy(item: Item) -> list[Text]:
    problems = []
    if item.base + item.span > 1 + 1e-12:
        problems.append(
            _(
                "base + span is %(sum)s; it must not exceed 1",
                sum=f"{item.base + item.span:g}",
            )
        )
    if (item.satisfactory is None) != (item.impermissible is None):
        problems.append(_("give both satisfactory and impermissible, or neither"))
    elif item.satisfactory is not None and item.satisfactory == item.impermissible:
        problems.append(_("satisfactory and impermissible must differ"))
    elif item.satisfactory is not None and item.impermissible is not None:
        better = item.satisfactory < item.impermissible
        if better != item.lower_is_better:
            problems.append(
                _(
                    "satisfactory must be the better value: above impermissible when higher is "
                    "better, below it when lower is better"
                )
            )
    return problems


def _check_attainment(item: Item) -> list[Text]:
    if item.effective_metric not in ("completion", "value", "growth"):
        return [
            _("attainment compares the metric with the target: use completion, value or growth")
        ]
    return []


def _check_bands(item: Item) -> list[Text]:
    if not item.bands:
        return [_("bands needs a list of [threshold, points] pairs, best first")]
    problems = []
    thresholds = [threshold for threshold, _points in item.bands]
    ordered = sorted(thresholds, reverse=not item.lower_is_better)
    if thresholds != ordered or len(set(thresholds)) != len(thresholds):
        if item.lower_is_better:
            problems.append(
                _("band thresholds must be distinct and in ascending order, best first")
            )
        else:
            problems.append(
                _("band thresholds must be distinct and in descending order, best first")
            )
    for threshold, points in item.bands:
        if not 0 <= points <= item.weight:
            problems.append(
                _(
                    "band %(threshold)s gives %(points)s points, outside 0–%(weight)s",
                    threshold=f"{threshold:g}",
                    points=f"{points:g}",
                    weight=f"{item.weight:g}",
                )
            )
    return problems


def _check_linear(item: Item) -> list[Text]:
    problems = []
    if item.slope is None or item.reference is None or item.base_points is None:
        problems.append(_("linear needs base_points, slope and reference"))
    low = 0.0 if item.min_points is None else item.min_points
    high = item.weight if item.max_points is None else item.max_points
    if not 0 <= low <= high <= item.weight:
        problems.append(
            _(
                "min_points %(low)s and max_points %(high)s must satisfy 0 ≤ min ≤ max ≤ weight",
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    if item.base_points is not None and not low <= item.base_points <= high:
        problems.append(
            _(
                "base_points %(base_points)s is outside %(low)s–%(high)s",
                base_points=f"{item.base_points:g}",
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    return problems


def _check_none(item: Item) -> list[Text]:
    return []


_METHOD_CHECKS = {
    "rank": _check_rank,
    "efficacy": _check_efficacy,
    "attainment": _check_attainment,
    "bands": _check_bands,
    "linear": _check_linear,
    "manual": _check_none,
}


def _rules_problems(rules: Rules) -> list[Text]:
    problems: list[Text] = []
    total = sum(item.weight for item in rules.items)
    if abs(total - 100) > _WEIGHT_TOLERANCE:
        problems.append(
            _(
                "weights must sum to 100; they sum to %(total)s (%(parts)s)",
                total=f"{total:g}",
                parts=" + ".join(f"{item.code} {item.weight:g}" for item in rules.items),
            )
        )
    codes = [item.code for item in rules.items]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(
            _(
                "item code %(code)s is used twice; give each [[indicator]] its own code",
                code=repr(code),
            )
        )
    by_source: dict[str, Item] = {}
    for item in rules.items:
        first = by_source.setdefault(item.source, item)
        for key in ("kind", "direction", "profile", "combined_jan_feb", "yellow_pp"):
            if getattr(first, key) != getattr(item, key) and item is not first:
                problems.append(
                    _(
                        "items %(first)s and %(second)s read indicator %(indicator)s "
                        "but disagree on %(key)s",
                        first=repr(first.code),
                        second=repr(item.code),
                        indicator=repr(item.source),
                        key=key,
                    )
                )
    if rules.tie_break is not None and rules.tie_break not in codes:
        problems.append(
            _(
                "tie_break names %(code)s, which is not an item code",
                code=repr(rules.tie_break),
            )
        )
    return problems


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules file."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RulesError(_("%(file)s: the rules file does not exist", file=path.name)) from None
    except IsADirectoryError:
        raise RulesError(_("%(file)s: is a folder, not a rules file", file=path.name)) from None
    except UnicodeDecodeError:
        raise RulesError(_("%(file)s: the rules file must be UTF-8 text", file=path.name)) from None
    return parse_rules(text, source=path.name)


def parse_rules(text: str, *, source: str = "rules") -> Rules:
    """Validate rules given as TOML text."""
    return rules_from_mapping(load_toml(text, source=source), source=source)


def load_toml(text: str, *, source: str = "rules") -> dict[str, Any]:
    """Parse TOML text; RulesError for a syntax error or nesting too deep to be rules."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(
            _("%(source)s: TOML syntax error: %(error)s", source=source, error=str(exc))
        ) from None
    except RecursionError:
        data = None
    if data is None or too_deep(data):
        raise RulesError(
            _("%(source)s: arrays or tables are nested too deeply", source=source)
        ) from None
    return data


#: Deeper than any rules file: `bands = [[60, 10]]` inside an [[indicator]] is four levels.
MAX_DEPTH = 16


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and tables nest deeper than `limit` (walked without recursion)."""
    pending = [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(value, Mapping):
            pending.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            pending.extend((v, depth + 1) for v in value)
    return False


def rules_from_mapping(data: Mapping[str, Any], *, source: str = "rules") -> Rules:
    """Validate rules given as a mapping (parsed TOML, or stored in a database)."""
    try:
        return Rules.model_validate(dict(data))
    except ValidationError as exc:
        details = [line for error in exc.errors() for line in _describe(error)]
        raise RulesError(
            _("%(source)s: the rules are not valid", source=source), details=details
        ) from None


#: The template of a problem with the key it is about (`indicator[2].weight: ...`).
KEYED = "%(key)s: %(problem)s"


def _describe(error: Mapping[str, Any]) -> list[Text | str]:
    """One pydantic error as details: one per problem, each with its key."""
    loc = [part for part in error["loc"] if not _is_type_tag(part)]
    key = _key_path(loc)
    problems = _problems(error, loc)
    if not key:
        return list(problems)
    return [_("%(key)s: %(problem)s", key=key, problem=problem) for problem in problems]


def _problems(error: Mapping[str, Any], loc: list[object]) -> list[Text | str]:
    """The problems of one error: ours as we wrote them, pydantic's own as engine text (its
    message where we do not know the error)."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "value_error":
        raised = context.get("error")
        if isinstance(raised, Problems):
            return list(raised.problems)
        if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Text):
            return [raised.args[0]]
    if kind == "extra_forbidden":
        close = _suggestion(loc)
        if close is None:
            return [_("unknown key")]
        return [_("unknown key (did you mean %(suggestion)s?)", suggestion=repr(close))]
    if kind == "missing":
        return [_("is required")]
    message = str(error["msg"]).removeprefix("Value error, ")
    text = _pydantic_text(kind, context)
    # Only where it says exactly what pydantic says: the English stays as it has always been.
    return [text if text is not None and str(text) == message else message]


def _number(value: object) -> str:
    """A bound as pydantic writes it: 0 for 0.0, 0.5 for 0.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pydantic_text(kind: str, context: Mapping[str, Any]) -> Text | None:
    """Pydantic's message for the errors rules can produce, as engine text."""
    fixed = {
        "float_parsing": _("Input should be a valid number, unable to parse string as a number"),
        "float_type": _("Input should be a valid number"),
        "int_parsing": _("Input should be a valid integer, unable to parse string as an integer"),
        "int_type": _("Input should be a valid integer"),
        "int_from_float": _("Input should be a valid integer, got a number with a fractional part"),
        "bool_parsing": _("Input should be a valid boolean, unable to interpret input"),
        "bool_type": _("Input should be a valid boolean"),
        "string_type": _("Input should be a valid string"),
        "list_type": _("Input should be a valid list"),
        "tuple_type": _("Input should be a valid tuple"),
        "dict_type": _("Input should be a valid dictionary"),
        "finite_number": _("Input should be a finite number"),
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "greater_than":
        return _("Input should be greater than %(bound)s", bound=_number(context.get("gt")))
    if kind == "greater_than_equal":
        return _(
            "Input should be greater than or equal to %(bound)s", bound=_number(context.get("ge"))
        )
    if kind == "less_than":
        return _("Input should be less than %(bound)s", bound=_number(context.get("lt")))
    if kind == "less_than_equal":
        return _(
            "Input should be less than or equal to %(bound)s", bound=_number(context.get("le"))
        )
    if kind == "model_type":
        return _(
            "Input should be a valid dictionary or instance of %(name)s",
            name=context.get("class_name"),
        )
    if kind == "string_too_short":
        length = context.get("min_length")
        if length == 1:
            return _("String should have at least %(length)s character", length=length)
        return _("String should have at least %(length)s characters", length=length)
    if kind in ("too_short", "too_long"):
        return _length_text(kind, context)
    if kind == "literal_error":
        return _literal_text(str(context.get("expected", "")))
    return None


#: Pydantic's length messages, by (error, container, one item or more); `_length_text` fills
#: them (each a literal, so that xgettext finds it).
_LENGTHS = {
    ("too_short", "List", True): _(
        "List should have at least %(length)s item after validation, not %(actual)s"
    ),
    ("too_short", "List", False): _(
        "List should have at least %(length)s items after validation, not %(actual)s"
    ),
    ("too_short", "Tuple", True): _(
        "Tuple should have at least %(length)s item after validation, not %(actual)s"
    ),
    ("too_short", "Tuple", False): _(
        "Tuple should have at least %(length)s items after validation, not %(actual)s"
    ),
    ("too_long", "List", True): _(
        "List should have at most %(length)s item after validation, not %(actual)s"
    ),
    ("too_long", "List", False): _(
        "List should have at most %(length)s items after validation, not %(actual)s"
    ),
    ("too_long", "Tuple", True): _(
        "Tuple should have at most %(length)s item after validation, not %(actual)s"
    ),
    ("too_long", "Tuple", False): _(
        "Tuple should have at most %(length)s items after validation, not %(actual)s"
    ),
}


def _length_text(kind: str, context: Mapping[str, Any]) -> Text | None:
    length = context.get("min_length" if kind == "too_short" else "max_length")
    found = _LENGTHS.get((kind, context.get("field_type"), length == 1))
    if found is None:
        return None
    return Text(found.template, {"length": length, "actual": context.get("actual_length")})


_QUOTED = re.compile(r"'[^']*'")


def _literal_text(expected: str) -> Text | None:
    """`Input should be 'a', 'b' or 'c'`, with the values kept and the words translatable."""
    choices = _QUOTED.findall(expected)
    if len(choices) == 1:
        return _("Input should be %(choice)s", choice=choices[0])
    if len(choices) > 1:
        return _(
            "Input should be %(choices)s or %(last)s",
            choices=", ".join(choices[:-1]),
            last=choices[-1],
        )
    return None


def _is_type_tag(part: object) -> bool:
    return isinstance(part, str) and (
        part.startswith(("list[", "tuple[", "literal[", "function-", "float", "str", "int"))
    )


def _key_path(loc: list[object]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _suggestion(loc: list[object]) -> str | None:
    """The known key closest to an unknown one, if any is close."""
    if not loc or not isinstance(loc[-1], str):
        return None
    model: type[BaseModel] = Item if "indicator" in loc[:-1] else Rules
    for section, sub in (
        ("thresholds", Thresholds),
        ("missing", Missing),
        ("flags", Flags),
        ("adjustments", AdjustmentRules),
    ):
        if loc[:-1] == [section]:
            model = sub
    known = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(loc[-1], known, n=1)
    return close[0] if close else None
