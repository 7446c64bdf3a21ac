"""The engine's messages are `Text`: English that keeps its template and values, so that a platform
can say it in its reader's language. Rules errors carry one Text per problem; pydantic's own
messages become engine Texts that say exactly what pydantic says."""

from __future__ import annotations

import pickle

import polars as pl
import pytest

from saima.engine import RulesError, parse_period, rules_from_mapping
from saima.engine.rules import KEYED
from saima.engine.text import TEMPLATES, Text, _, format_expr
from saima.tabular import InputError, Problem


def test_a_text_is_its_english_and_remembers_how_it_was_made():
    text = _("weights must sum to 100; they sum to %(total)s (%(parts)s)", total="90", parts="a")
    assert text == "weights must sum to 100; they sum to 90 (a)"
    assert text.template.startswith("weights must sum to 100")
    assert text.values == {"total": "90", "parts": "a"}
    assert pickle.loads(pickle.dumps(text)).values == text.values


def test_a_percent_sign_is_written_once_with_or_without_values():
    assert _("step_pct (%% of the weight)") == "step_pct (% of the weight)"
    assert _("growth %(g)s%%", g="5") == "growth 5%"


def test_format_expr_writes_what_the_text_writes():
    template = "reported growth %(growth)s%% for %(period)s"
    frame = pl.DataFrame({"g": ["7.5"], "p": ["2026-03"]})
    written = frame.select(format_expr(template, growth=pl.col("g"), period=pl.col("p")))
    assert written.item() == str(_(template, growth="7.5", period="2026-03"))


def test_declared_templates_are_unique_and_have_no_braces():
    assert len(TEMPLATES) == len(set(TEMPLATES))
    assert not [t for t in TEMPLATES if "{" in t or "}" in t]


RULES = {
    "name": "x",
    "year": 2026,
    "indicator": [{"code": "a", "weight": 100, "method": "rank", "step": 1}],
}


def _details(**changes) -> list:
    data = {**RULES, **changes}
    with pytest.raises(RulesError) as refused:
        rules_from_mapping(data)
    assert isinstance(refused.value.args[0], Text)
    return refused.value.details


def _item(**fields) -> dict:
    return {"indicator": [{"code": "a", "weight": 100, "method": "rank", "step": 1, **fields}]}


@pytest.mark.parametrize(
    ("changes", "english"),
    [
        (
            {"year": "x"},
            "year: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"year": 2026.5}, "year: Input should be a valid integer, got a number with a fractional"),
        ({"year": 3000}, "year: Input should be less than or equal to 2100"),
        ({"decimals": -1}, "decimals: Input should be greater than or equal to 0"),
        ({"combined_jan_feb": "maybe"}, "combined_jan_feb: Input should be a valid boolean"),
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"name": 5}, "name: Input should be a valid string"),
        ({"indicator": []}, "indicator: List should have at least 1 item after validation, not 0"),
        ({"indicator": "x"}, "indicator: Input should be a valid list"),
        ({"thresholds": 5}, "thresholds: Input should be a valid dictionary or instance of"),
        ({"missing": {"policy": "q"}}, "missing.policy: Input should be 'zero', 'exclude' or"),
        ({"flags": {"veto": "q"}}, "flags.veto: Input should be 'no_distinction' or 'last'"),
        (
            {"adjustments": {"category_caps": 5}},
            "adjustments.category_caps: Input should be a valid dictionary",
        ),
        ({"naem": 1}, "naem: unknown key (did you mean 'name'?)"),
        ({"colour": 1}, "colour: unknown key"),
        (_item(weight=0), "indicator[1].weight: Input should be greater than 0"),
        (_item(bands=[[1, 2, 3]]), "indicator[1].bands[1]: Tuple should have at most 2 items"),
        (_item(bands=[5]), "indicator[1].bands[1]: Input should be a valid tuple"),
        (_item(exempt=[1]), "indicator[1].exempt[1]: Input should be a valid string"),
        (_item(reference="x"), "indicator[1].reference: Input should be a valid number"),
        (_item(profile=[1, 2]), "indicator[1].profile: has 2 entries; give 12"),
        (_item(cap=2), "indicator[1]: cap do(es) not apply to method 'rank'"),
    ],
)
def test_every_rules_problem_is_engine_text_with_its_key(changes, english):
    details = _details(**changes)
    assert any(detail.startswith(english) for detail in details), details
    for detail in details:
        assert isinstance(detail, Text) and detail.template == KEYED, detail
        assert isinstance(detail.values["problem"], Text), detail  # not pydantic's fallback


def test_several_problems_of_one_item_are_several_details():
    details = _details(**_item(kind="level", profile=[10] * 11 + [100], base=1))
    assert [str(d.values["problem"]) for d in details] == [
        "base do(es) not apply to method 'rank'",
        "profile applies to amount and count indicators, not to level",
    ]
    assert {d.values["key"] for d in details} == {"indicator[1]"}


def test_period_and_file_problems_are_text():
    with pytest.raises(Exception) as refused:
        parse_period("2026-W14")
    assert isinstance(refused.value.args[0], Text)
    problem = Problem("a.csv", _("is blank"), sheet="S", row=3, column="C (value)")
    assert str(problem) == "a.csv, sheet S, row 3, column C (value): is blank"
    assert [str(p) for p in problem.place()] == ["a.csv", "sheet S", "row 3", "column C (value)"]
    many = str(InputError([problem] * 22)).splitlines()
    assert many[-1] == "... and 2 more problems"
