"""Race rules: which indicators are scored, how, and with what weight — read from TOML.

The rules are validated as a whole before any figure is looked at, and every problem names the key
it is about (`indicator[2].weight: ...`), so an office can fix a rules file without reading code.
`docs/rules.md` documents every key with an example.
"""

from __future__ import annotations

import difflib
import itertools
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from saima.engine.errors import EngineError

Kind = Literal["amount", "growth", "count", "level"]
Direction = Literal["higher", "lower"]
Metric = Literal["completion", "gap", "growth", "growth_vs_target", "value"]
Method = Literal["rank", "efficacy", "attainment", "bands", "linear", "manual"]
MissingPolicy = Literal["zero", "exclude", "error"]

#: Kinds whose target is an amount that must be positive for a completion rate to mean anything.
POSITIVE_TARGET_KINDS: frozenset[str] = frozenset({"amount", "count", "level"})
#: Kinds measured against the time-sequence schedule.
SCHEDULED_KINDS: frozenset[str] = frozenset({"amount", "count"})
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

    @field_validator("code", "data")
    @classmethod
    def _plain_code(cls, value: str | None) -> str | None:
        if value is not None and (value != value.strip() or not value):
            raise ValueError("must not be blank or start or end with spaces")
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
            raise ValueError("; ".join(problems))
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
            raise ValueError("; ".join(problems))
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
            f"has {len(profile)} entries; give 12 (January to December) "
            "or 11 (January–February together, then March to December)"
        )
    for position, (before, after) in enumerate(itertools.pairwise(profile), start=2):
        if after < before:
            raise ValueError(
                f"decreases at entry {position} ({before:g} then {after:g}); "
                "a profile is cumulative and never goes down"
            )
    if any(not math.isfinite(v) or v < 0 for v in profile):
        raise ValueError("entries must be percentages from 0 to 100")
    if profile[-1] != 100:
        raise ValueError(f"ends at {profile[-1]:g}; the last entry (December) must be 100")


_METHOD_KEYS: dict[str, frozenset[str]] = {
    "rank": frozenset({"step", "step_pct"}),
    "efficacy": frozenset({"base", "span", "satisfactory", "impermissible", "clamp"}),
    "attainment": frozenset({"cap"}),
    "bands": frozenset({"bands"}),
    "linear": frozenset({"base_points", "slope", "per", "reference", "min_points", "max_points"}),
    "manual": frozenset(),
}
_ALL_METHOD_KEYS = frozenset().union(*_METHOD_KEYS.values())


def _item_problems(item: Item) -> list[str]:
    problems: list[str] = []
    foreign = sorted((item.model_fields_set & _ALL_METHOD_KEYS) - _METHOD_KEYS[item.method])
    if foreign:
        problems.append(f"{', '.join(foreign)} do(es) not apply to method {item.method!r}")
    listed = isinstance(item.profile, list) and item.combined_jan_feb is not None
    if listed and item.combined_jan_feb != (len(item.profile) == 11):
        problems.append(
            "a profile has 11 entries exactly when January and February are combined; "
            f"this one has {len(item.profile)} with combined_jan_feb = "
            f"{str(item.combined_jan_feb).lower()}"
        )
    metric = item.effective_metric
    if metric not in _METRICS_BY_KIND[item.kind]:
        allowed = ", ".join(sorted(_METRICS_BY_KIND[item.kind]))
        problems.append(f"metric {metric!r} does not apply to a {item.kind} indicator ({allowed})")
    if item.profile is not None and item.kind not in SCHEDULED_KINDS:
        problems.append(f"profile applies to amount and count indicators, not to {item.kind}")
    problems += _METHOD_CHECKS[item.method](item)
    return problems


def _check_rank(item: Item) -> list[str]:
    if (item.step is None) == (item.step_pct is None):
        return ["rank needs exactly one of step (points per place) or step_pct (% of the weight)"]
    return []


def _check_efficacy(item: Item) -> list[str]:
    problems = []
    if item.base + item.span > 1 + 1e-12:
        problems.append(f"base + span is {item.base + item.span:g}; it must not exceed 1")
    if (item.satisfactory is None) != (item.impermissible is None):
        problems.append("give both satisfactory and impermissible, or neither")
    elif item.satisfactory is not None and item.satisfactory == item.impermissible:
        problems.append("satisfactory and impermissible must differ")
    elif item.satisfactory is not None and item.impermissible is not None:
        better = item.satisfactory < item.impermissible
        if better != item.lower_is_better:
            problems.append(
                "satisfactory must be the better value: above impermissible when higher is "
                "better, below it when lower is better"
            )
    return problems


def _check_attainment(item: Item) -> list[str]:
    if item.effective_metric not in ("completion", "value", "growth"):
        return ["attainment compares the metric with the target: use completion, value or growth"]
    return []


def _check_bands(item: Item) -> list[str]:
    if not item.bands:
        return ["bands needs a list of [threshold, points] pairs, best first"]
    problems = []
    thresholds = [t for t, _ in item.bands]
    ordered = sorted(thresholds, reverse=not item.lower_is_better)
    if thresholds != ordered or len(set(thresholds)) != len(thresholds):
        order = "ascending" if item.lower_is_better else "descending"
        problems.append(f"band thresholds must be distinct and in {order} order, best first")
    for threshold, points in item.bands:
        if not 0 <= points <= item.weight:
            problems.append(
                f"band {threshold:g} gives {points:g} points, outside 0–{item.weight:g}"
            )
    return problems


def _check_linear(item: Item) -> list[str]:
    problems = []
    if item.slope is None or item.reference is None or item.base_points is None:
        problems.append("linear needs base_points, slope and reference")
    low = 0.0 if item.min_points is None else item.min_points
    high = item.weight if item.max_points is None else item.max_points
    if not 0 <= low <= high <= item.weight:
        problems.append(
            f"min_points {low:g} and max_points {high:g} must satisfy 0 ≤ min ≤ max ≤ weight"
        )
    if item.base_points is not None and not low <= item.base_points <= high:
        problems.append(f"base_points {item.base_points:g} is outside {low:g}–{high:g}")
    return problems


def _check_none(item: Item) -> list[str]:
    return []


_METHOD_CHECKS = {
    "rank": _check_rank,
    "efficacy": _check_efficacy,
    "attainment": _check_attainment,
    "bands": _check_bands,
    "linear": _check_linear,
    "manual": _check_none,
}


def _rules_problems(rules: Rules) -> list[str]:
    problems: list[str] = []
    total = sum(item.weight for item in rules.items)
    if abs(total - 100) > _WEIGHT_TOLERANCE:
        parts = " + ".join(f"{item.code} {item.weight:g}" for item in rules.items)
        problems.append(f"weights must sum to 100; they sum to {total:g} ({parts})")
    codes = [item.code for item in rules.items]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"item code {code!r} is used twice; give each [[indicator]] its own code")
    by_source: dict[str, Item] = {}
    for item in rules.items:
        first = by_source.setdefault(item.source, item)
        for key in ("kind", "direction", "profile", "combined_jan_feb", "yellow_pp"):
            if getattr(first, key) != getattr(item, key) and item is not first:
                problems.append(
                    f"items {first.code!r} and {item.code!r} read indicator {item.source!r} "
                    f"but disagree on {key}"
                )
    if rules.tie_break is not None and rules.tie_break not in codes:
        problems.append(f"tie_break names {rules.tie_break!r}, which is not an item code")
    return problems


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules file."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RulesError(f"{path.name}: the rules file does not exist") from None
    except IsADirectoryError:
        raise RulesError(f"{path.name}: is a folder, not a rules file") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path.name}: the rules file must be UTF-8 text") from None
    return parse_rules(text, source=path.name)


def parse_rules(text: str, *, source: str = "rules") -> Rules:
    """Validate rules given as TOML text."""
    return rules_from_mapping(load_toml(text, source=source), source=source)


def load_toml(text: str, *, source: str = "rules") -> dict[str, Any]:
    """Parse TOML text; RulesError for a syntax error or nesting too deep to be rules."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: TOML syntax error: {exc}") from None
    except RecursionError:
        data = None
    if data is None or too_deep(data):
        raise RulesError(f"{source}: arrays or tables are nested too deeply") from None
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
        details = [_describe(error, data) for error in exc.errors()]
        raise RulesError(f"{source}: the rules are not valid", details=details) from None


def _describe(error: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    loc = [part for part in error["loc"] if not _is_type_tag(part)]
    key = _key_path(loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key" + _suggestion(loc)
    elif error["type"] == "missing":
        message = "is required"
    return f"{key}: {message}" if key else message


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


def _suggestion(loc: list[object]) -> str:
    if not loc or not isinstance(loc[-1], str):
        return ""
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
    return f" (did you mean {close[0]!r}?)" if close else ""
