"""A race's rules as stored: the mapping of `docs/rules.md`, checked against Saima's indicators.

The stored mapping is what the office wrote (or imported). What the engine runs is the *effective*
mapping: every item that reads a Saima indicator gets that indicator's kind and direction, and its
schedule (profile, January–February combined, yellow threshold) unless the rule sets its own. The
effective mapping is what `to_toml` exports, so `saima race` on the exported files computes the
same race without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomli_w
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel

from saima.engine import Rules, RulesError, rules_from_mapping
from saima.engine.rules import AdjustmentRules, Flags, Item, Missing, Thresholds, load_toml
from saima.metrics.models import Indicator

#: Keys of an item taken from the indicator when the rule does not set them.
SCHEDULE_KEYS = ("profile", "combined_jan_feb", "yellow_pp")


def effective_mapping(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored rules with each item completed from its Saima indicator.

    Raises RulesError naming the key of every item whose indicator does not exist, or whose kind
    or direction contradicts the indicator's.
    """
    mapping = dict(stored)
    items = mapping.get("indicator")
    if not isinstance(items, list):
        return mapping
    sources = {
        str(item.get("data") or item.get("code"))
        for item in items
        if isinstance(item, dict) and item.get("method") != "manual"
    }
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=sources)}
    problems: list[str] = []
    completed = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("method") == "manual":
            completed.append(item)
            continue
        source = str(item.get("data") or item.get("code"))
        key = "data" if item.get("data") else "code"
        indicator = indicators.get(source)
        if indicator is None:
            problems.append(
                f"indicator[{position}].{key}: "
                + _("%(code)s is not an indicator in Saima") % {"code": repr(source)}
            )
            completed.append(item)
            continue
        item = dict(item)
        for field in ("kind", "direction"):
            ours = getattr(indicator, field)
            if field in item and item[field] != ours:
                problems.append(
                    f"indicator[{position}].{field}: "
                    + _("the rules say %(theirs)s, but indicator %(code)s is %(ours)s in Saima")
                    % {"theirs": repr(item[field]), "code": repr(source), "ours": repr(ours)}
                )
            item[field] = ours
        if "profile" not in item and indicator.profile:
            item["profile"] = [float(v) for v in indicator.profile]
        if "combined_jan_feb" not in item and "profile" not in item:
            item["combined_jan_feb"] = indicator.combined_jan_feb
        if "yellow_pp" not in item and indicator.yellow_pp is not None:
            item["yellow_pp"] = indicator.yellow_pp
        completed.append(item)
    if problems:
        raise RulesError(_("the rules do not match Saima's indicators"), details=problems)
    mapping["indicator"] = completed
    return mapping


def check_rules(stored: Mapping[str, Any], *, source: str | None = None) -> Rules:
    """The engine's Rules for a stored mapping, or RulesError naming each problem by its key."""
    rules = rules_from_mapping(effective_mapping(stored), source=source or _("rules"))
    return rules


def parse_toml(text: str, *, source: str = "rules") -> dict[str, Any]:
    """Parse rules TOML text into the mapping to store (checked with `check_rules`)."""
    return load_toml(text, source=source)


def to_toml(mapping: Mapping[str, Any]) -> str:
    """TOML text for a rules mapping, keys in the order of `docs/rules.md` (the engine's models):
    top-level keys, then the tables, then the items. The order never depends on how a database
    stored the mapping (PostgreSQL's jsonb sorts keys its own way)."""
    data = _ordered(_drop_none(dict(mapping)), Rules)
    for section, model in _SECTIONS.items():
        if isinstance(data.get(section), dict):
            data[section] = _ordered(data[section], model)
    items = [_ordered(i, Item) if isinstance(i, dict) else i for i in data.pop("indicator", [])]
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    text = tomli_w.dumps({**plain, **tables})
    # Each item as its own [[indicator]] table, as docs/rules.md writes them (tomli-w would put
    # short ones inline in one array).
    for item in items:
        text += "\n[[indicator]]\n" + tomli_w.dumps(item)
    return text


_SECTIONS = {
    "thresholds": Thresholds,
    "missing": Missing,
    "flags": Flags,
    "adjustments": AdjustmentRules,
}


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value


def _ordered(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """`data` with the model's keys first, in the model's order, then any others sorted."""
    names = [field.alias or name for name, field in model.model_fields.items()]
    first = {k: data[k] for k in names if k in data}
    return {**first, **{k: data[k] for k in sorted(data) if k not in first}}


#: The names people read for each metric and method.
METRIC_NAMES = {
    "completion": gettext_lazy("completion (%)"),
    "gap": gettext_lazy("gap to time progress (pp)"),
    "growth": gettext_lazy("growth (%)"),
    "growth_vs_target": gettext_lazy("growth against target (pp)"),
    "value": gettext_lazy("value"),
    "points": gettext_lazy("points"),
}


METHOD_NAMES = {
    "rank": gettext_lazy("rank"),
    "efficacy": gettext_lazy("efficacy coefficient"),
    "attainment": gettext_lazy("attainment"),
    "bands": gettext_lazy("bands"),
    "linear": gettext_lazy("linear"),
    "manual": gettext_lazy("manual score"),
}
