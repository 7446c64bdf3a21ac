"""The text is written from the figures: every number read back out of it is a number of the
snapshot, rounded as published — on the world's published race, on the example city (as `saima
bulletin` reads it) and on generated races, in Chinese and in English; the section of supervision
items listed for 通报 from the list the bulletin stored."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saima.bulletins import narrative
from saima.bulletins.facts import RACE, build_facts
from saima.bulletins.selectors import publication_source
from saima.bulletins.sources import names_from_rules, period_progress, result_source
from saima.bulletins.tests.numbers import numbers_in, snapshot_numbers
from saima.engine import parse_period, rules_from_mapping
from saima.engine.frames import RaceInputs
from saima.engine.pipeline import compute_race
from saima.inputs import load_race_files
from saima.org.access import Access
from saima.races.results.services import race_publish
from saima.testing import examples

LANGUAGES = ("zh-hans", "en")
CITY = Path(__file__).resolve().parents[4] / "examples" / "city"


def _names_of(facts) -> list[str]:
    names = [facts["race"]]
    names += [g["name"] for g in facts["groups"]]
    names += [r["name"] for g in facts["groups"] for r in g["rows"]]
    names += [i["name"] for i in facts["annex"]["items"]]
    names += [i["name"] for i in facts["lights"]["indicators"]]
    names += [i["measure"] for i in facts["lights"]["indicators"]]
    return names


def _check(facts, allowed: set[str]) -> None:
    for language in LANGUAGES:
        text = "\n".join(p.text for p in narrative.write(facts, language))
        text += "\n" + narrative.document_title(facts, language)
        found = numbers_in(text, _names_of(facts))
        assert found, text
        strays = sorted({n for n in found if n not in allowed})
        assert not strays, (language, strays, text)


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_world_race_numbers_come_from_the_snapshot(world, race, period) -> None:
    office = Access.for_user(world.user("office"))
    if period == "2026-Q2":
        race_publish(office, race, parse_period("2026-Q1"))
    publication = race_publish(office, race, parse_period(period))
    facts = build_facts(publication_source(race, publication, "zh-hans"))
    rules = rules_from_mapping(publication.rules)
    inputs = publication.frozen_inputs()
    progress = period_progress(rules, parse_period(period), inputs.targets, inputs.actuals)
    allowed = snapshot_numbers(
        rules=rules,
        period=parse_period(period),
        standings=publication.standings,
        progress=progress,
        decimals_of={code: i.decimals for code, i in world.indicators.items()},
    )
    _check(facts, allowed)
    zh = {p.key: p.text for p in narrative.write(facts, "zh-hans")}
    first = facts["groups"][0]["rows"][0]
    assert f"{first['name']}以{first['total']:.2f}分位列第1名" in zh["overview"]
    if period == "2026-Q2":
        assert "双过半" in [p.heading for p in narrative.write(facts, "zh-hans")][4]


@pytest.mark.parametrize("period", ["2026-Q1", "2026-H1", "2026-09"])
def test_example_city_numbers_come_from_the_result(period) -> None:
    rules_path = CITY / "rules.toml"
    from saima.engine import load_rules

    rules = load_rules(rules_path)
    when = parse_period(period)
    files = load_race_files(
        rules=rules,
        targets=CITY / "targets.xlsx",
        actuals=CITY / "actuals.csv",
        units=CITY / "units.csv",
        adjustments=CITY / "adjustments.csv",
        scores=CITY / "scores.csv",
        previous=CITY / "previous-2026-Q1.csv" if period != "2026-Q1" else None,
    )
    result = compute_race(rules, when, files)
    source = result_source(
        kind=RACE,
        race=rules.name,
        rules=rules,
        period=when,
        result=result,
        targets=files.targets,
        actuals=files.actuals,
        names=names_from_rules(rules, files.units),
    )
    facts = build_facts(source)
    allowed = snapshot_numbers(
        rules=rules,
        period=when,
        standings=result.wide().to_dicts(),
        progress=period_progress(rules, when, files.targets, files.actuals),
    )
    _check(facts, allowed)


# --- generated races -------------------------------------------------------------------------

unit_names = st.lists(
    st.text(alphabet="东西南北中城县区ABCDEFGH", min_size=2, max_size=5),
    min_size=2,
    max_size=9,
    unique=True,
)
amounts = st.integers(min_value=0, max_value=200_000).map(lambda n: n / 100)


@st.composite
def generated(draw):
    units = draw(unit_names)
    period = draw(st.sampled_from(["2026-02", "2026-Q1", "2026-H1", "2026-10"]))
    kinds = draw(st.lists(st.sampled_from(["amount", "count", "growth"]), min_size=1, max_size=3))
    items = []
    weights = [100 // len(kinds)] * len(kinds)
    weights[0] += 100 - sum(weights)
    for index, (kind, weight) in enumerate(zip(kinds, weights, strict=True)):
        method = draw(st.sampled_from([{"method": "efficacy"}, {"method": "rank", "step": 5}]))
        items.append(
            {
                "code": f"i{index}",
                "name": f"指标{chr(0x7532 + index)}",
                "kind": kind,
                "weight": weight,
                **method,
            }
        )
    targets, actuals = [], []
    month = parse_period(period).month
    for unit in units:
        for item in items:
            growth = item["kind"] == "growth"
            target = draw(st.integers(min_value=1, max_value=20)) if growth else draw(amounts) + 1
            targets.append((unit, item["code"], float(target), False, None))
            value = draw(st.one_of(st.none(), st.integers(-50, 300).map(lambda n: n / 10)))
            if not growth and value is not None:
                value = round(target * draw(st.floats(0, 1.2)), 2)
            actuals.append((unit, item["code"], 2026, month, value, None))
    groups = {u: draw(st.sampled_from(["甲组", "乙组"])) for u in units}
    return period, items, targets, actuals, groups


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated())
def test_generated_races_numbers_come_from_the_result(case) -> None:
    period, items, target_rows, actual_rows, groups = case
    rules = rules_from_mapping({"name": "生成的赛马", "year": 2026, "indicator": items})
    when = parse_period(period)
    targets = pl.DataFrame(
        target_rows,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "target": pl.Float64,
            "not_applicable": pl.Boolean,
            "last_year_total": pl.Float64,
        },
        orient="row",
    )
    actuals = pl.DataFrame(
        actual_rows,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "year": pl.Int64,
            "month": pl.Int64,
            "value": pl.Float64,
            "last_year_value": pl.Float64,
        },
        orient="row",
    )
    units = pl.DataFrame({"unit": list(groups), "group": list(groups.values())})
    result = compute_race(rules, when, RaceInputs(targets=targets, actuals=actuals, units=units))
    source = result_source(
        kind=RACE,
        race=rules.name,
        rules=rules,
        period=when,
        result=result,
        targets=targets,
        actuals=actuals,
        names=names_from_rules(rules, units),
    )
    facts = build_facts(source)
    allowed = snapshot_numbers(
        rules=rules,
        period=when,
        standings=result.wide().to_dicts(),
        progress=period_progress(rules, when, targets, actuals),
    )
    _check(facts, allowed)


def test_double_over_half_in_the_text_is_half_the_task_not_the_schedule() -> None:
    """Under a back-loaded profile (44% due by June) a unit at 47.5% is on schedule, but the
    bulletin must not count it over half: half the annual target is 50%."""
    from django.utils import translation

    from saima.engine import IndicatorSpec, compute_progress, digest
    from saima.engine.tests.builders import actuals, targets

    back_loaded = (8, 12, 18, 25, 34, 44, 52, 61, 70, 80, 90, 100)
    progress = compute_progress(
        targets([("A", "fai", 200.0), ("B", "fai", 200.0)]),
        actuals([("A", "fai", "2026-06", 95.0), ("B", "fai", "2026-06", 104.0)]),
        parse_period("2026-H1"),
        specs={"fai": IndicatorSpec("fai", profile=back_loaded)},
    )
    assert set(progress["light"]) == {"green"}
    facts = {
        "half": [
            {"name": "Investment", **{k: row[k] for k in ("judged", "reached", "not_reached")}}
            for row in digest.double_over_half(progress).to_dicts()
        ]
    }
    with translation.override("en"):
        text = narrative._half(facts)
    assert "1 of 2 units have done half of the annual target; not yet: A" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_listed_supervision_numbers_come_from_the_stored_list(language) -> None:
    """Every number of the section is a count, a date or a days-overdue figure of the list the
    bulletin stored (names, titles and references taken out first: they may hold digits)."""
    items = [
        {
            "reference": f"DB2026-{n:03d}",
            "title": f"第{n}号任务 PM2.5 治理",
            "lead_unit": f"{n}区",
            "deadline": f"2026-05-{n:02d}",
            "days_overdue": 40 + 3 * n,
            "listed_on": f"2026-05-{n + 7:02d}",
            "step": "通报",
            "step_on": f"2026-05-{n + 7:02d}",
        }
        for n in range(1, 11)
    ]
    items[4]["days_overdue"] = 0  # closed since: no days overdue said
    for rows in (items[:1], items[:3], items):
        listed = {"start": "2026-04-01", "end": "2026-06-30", "as_of": "2026-06-30", "items": rows}
        facts = {"kind": "race", "listed": listed}
        with translation.override(language):
            text = narrative._listed(facts)
        names = [r[k] for r in rows for k in ("reference", "title", "lead_unit")]
        allowed = {"1", "4", "6", "30", "2026", str(len(rows))}
        allowed |= {str(r["days_overdue"]) for r in rows}
        found = numbers_in(text, names)
        assert str(len(rows)) in found, text
        strays = sorted({n for n in found if n not in allowed})
        assert not strays, (language, strays, text)
        shown = rows[: narrative.NAMED]
        assert all(r["title"] in text for r in shown)
        assert all(r["title"] not in text for r in rows[narrative.NAMED :])
