"""The rules' TOML does not depend on how the database stored the mapping."""

from __future__ import annotations

import random

from saima.engine import parse_rules, rules_from_mapping
from saima.races.definitions.rules import to_toml
from saima.testing import WORLD_RULES


def _shuffled(value, rng):
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def test_key_order_does_not_change_the_text() -> None:
    text = to_toml(WORLD_RULES)
    rng = random.Random(7)
    for _ in range(20):
        assert to_toml(_shuffled(WORLD_RULES, rng)) == text
    assert text.index("name =") < text.index("year =") < text.index("[flags]")
    assert text.index("[flags]") < text.index("[adjustments]") < text.index("[[indicator]]")
    assert parse_rules(text).model_dump() == rules_from_mapping(WORLD_RULES).model_dump()
