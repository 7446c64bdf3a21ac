from __future__ import annotations

import polars as pl
import pytest

from saima.engine import DataError, gains

from .builders import by_unit, points, race

EFFICACY_GAP = """
[[indicator]]
code = "fai"
metric = "gap"
weight = 100
method = "efficacy"
"""


def test_worked_example_scores_to_the_second_decimal():
    result = race(
        EFFICACY_GAP,
        {"East": {"fai": 58.0}, "West": {"fai": 24.0}, "North": {"fai": 33.0}},
        target={"East": {"fai": 200.0}, "West": {"fai": 100.0}, "North": {"fai": 150.0}},
    )
    totals = {u: round(t, 2) for u, t in by_unit(result, "total").items()}
    assert totals == {"East": 100.0, "West": 71.43, "North": 60.0}
    assert by_unit(result, "rank") == {"East": 1, "West": 2, "North": 3}
    assert by_unit(result, "flag") == {"East": "red", "West": "", "North": "yellow"}
    west = result.items.filter(pl.col("unit") == "West").row(0, named=True)
    assert (west["x"], west["place"], west["weight"]) == (-1.0, 2, 100.0)
    assert west["normalised"] == pytest.approx(2 / 7)
    wide = result.wide()
    assert wide.columns[-2:] == ["metric_fai", "score_fai"]


VALUES = {"A": {"v": 50.0}, "B": {"v": 40.0}, "C": {"v": 40.0}, "D": {"v": 30.0}}


def item(method: str, extra: str = "", direction: str = "higher", weight: int = 100) -> str:
    return (
        f'[[indicator]]\ncode = "v"\nmetric = "value"\nweight = {weight}\n'
        f'direction = "{direction}"\nmethod = "{method}"\n{extra}\n'
    )


def test_rank_with_a_step_in_points_shares_tied_places():
    result = race(item("rank", "step = 5"), VALUES)
    assert points(result, "v") == {"A": 100.0, "B": 95.0, "C": 95.0, "D": 85.0}
    assert by_unit(result, "rank") == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_rank_with_a_step_as_a_share_of_the_weight():
    result = race(item("rank", "step_pct = 10", weight=100), VALUES)
    assert points(result, "v") == {"A": 100.0, "B": 90.0, "C": 90.0, "D": 70.0}


def test_rank_never_goes_below_zero():
    result = race(item("rank", "step = 40"), VALUES)
    assert points(result, "v")["D"] == 0.0


def test_efficacy_lower_is_better_reverses_min_and_max():
    values = {"A": {"v": 10.0}, "B": {"v": 20.0}, "C": {"v": 40.0}}
    result = race(item("efficacy", direction="lower"), values)
    assert points(result, "v") == {
        "A": 100.0,
        "B": round(100 * (0.6 + 0.4 * 20 / 30), 6),
        "C": 60.0,
    }


def test_efficacy_all_equal_gives_full_weight():
    values = {"A": {"v": 10.0}, "B": {"v": 10.0}}
    assert points(race(item("efficacy"), values), "v") == {"A": 100.0, "B": 100.0}


def test_efficacy_against_fixed_values_clamped_and_unclamped():
    values = {"A": {"v": 50.0}, "B": {"v": 30.0}, "C": {"v": 10.0}, "D": {"v": -100.0}}
    refs = "satisfactory = 40\nimpermissible = 20"
    clamped = points(race(item("efficacy", refs), values), "v")
    assert clamped == {"A": 100.0, "B": 80.0, "C": 60.0, "D": 60.0}
    free = points(race(item("efficacy", refs + "\nclamp = false"), values), "v")
    assert free == {"A": 100.0, "B": 80.0, "C": 40.0, "D": 0.0}


def test_efficacy_base_and_span_are_parameters():
    values = {"A": {"v": 50.0}, "B": {"v": 40.0}, "C": {"v": 30.0}}
    result = race(item("efficacy", "base = 0.5\nspan = 0.5", weight=100), values)
    assert points(result, "v") == {"A": 100.0, "B": 75.0, "C": 50.0}


def test_attainment_caps_the_ratio():
    body = '[[indicator]]\ncode = "v"\nmetric = "completion"\nweight = 100\nmethod = "attainment"\n'
    values = {"A": {"v": 120.0}, "B": {"v": 80.0}}
    assert points(race(body, values, period="2026"), "v") == {"A": 100.0, "B": 80.0}
    stretched = points(race(body + "cap = 1.2", values, period="2026"), "v")
    assert stretched == {"A": 120.0, "B": 80.0}


def test_attainment_of_a_level_at_or_below_zero_is_the_best():
    """Lower is better: a level of 0 (or below) is as good as it gets, never worth less than a
    level of 20 (target/x would be infinite or negative)."""
    body = (
        '[[indicator]]\ncode = "accidents"\nkind = "level"\ndirection = "lower"\nweight = 100\n'
        'method = "attainment"\ncap = 1.2\n'
    )
    values = {"A": {"accidents": 0.0}, "B": {"accidents": -5.0}, "C": {"accidents": 20.0}}
    result = race(body, values, target=10.0)
    assert points(result, "accidents") == {"A": 120.0, "B": 120.0, "C": 50.0}


def test_attainment_on_a_lower_is_better_level():
    body = (
        '[[indicator]]\ncode = "pm25"\nkind = "level"\ndirection = "lower"\nweight = 100\n'
        'method = "attainment"\n'
    )
    values = {"A": {"pm25": 30.0}, "B": {"pm25": 40.0}}
    result = race(body, values, target=35.0)
    assert points(result, "pm25") == {"A": 100.0, "B": 87.5}


def test_bands_map_thresholds_to_points():
    body = (
        '[[indicator]]\ncode = "fai"\nmetric = "gap"\nweight = 100\nmethod = "bands"\n'
        "bands = [[10, 100], [0, 80], [-5, 50]]\n"
    )
    values = {"A": {"fai": 37.0}, "B": {"fai": 25.0}, "C": {"fai": 20.0}, "D": {"fai": 19.99}}
    assert points(race(body, values), "fai") == {"A": 100.0, "B": 80.0, "C": 50.0, "D": 0.0}


GROWTH_LINEAR = """
[[indicator]]
code = "ivag"
kind = "growth"
weight = 10
method = "linear"
base_points = 7
slope = 0.1
per = 0.1
reference = 6.5
min_points = 4
max_points = 10
[[indicator]]
code = "fai"
weight = 90
method = "rank"
step = 0
"""


def test_linear_a_tenth_of_a_point_per_tenth_of_a_point_at_most_three():
    values = {
        "A": {"ivag": 7.3, "fai": 1.0},
        "B": {"ivag": 5.0, "fai": 1.0},
        "C": {"ivag": 12.0, "fai": 1.0},
        "D": {"ivag": 1.0, "fai": 1.0},
    }
    result = race(GROWTH_LINEAR, values, target=6.0)
    assert points(result, "ivag") == {"A": 7.8, "B": 5.5, "C": 10.0, "D": 4.0}


def test_linear_around_the_group_mean_and_median():
    body = GROWTH_LINEAR.replace("reference = 6.5", 'reference = "mean"')
    values = {u: {"ivag": g, "fai": 1.0} for u, g in (("A", 8.0), ("B", 6.0), ("C", 4.0))}
    assert points(race(body, values, target=6.0), "ivag") == {"A": 9.0, "B": 7.0, "C": 5.0}
    body = GROWTH_LINEAR.replace("reference = 6.5", 'reference = "median"')
    values["C"]["ivag"] = 0.0
    assert points(race(body, values, target=6.0), "ivag") == {"A": 9.0, "B": 7.0, "C": 4.0}


def test_qualify_scores_and_ranks_only_the_units_that_pass():
    body = (
        '[[indicator]]\ncode = "ivag"\nkind = "growth"\nweight = 100\nmethod = "rank"\n'
        "step = 10\nqualify = 0\n"
    )
    values = {"A": {"ivag": 5.0}, "B": {"ivag": 3.0}, "C": {"ivag": -1.0}, "D": {"ivag": 2.0}}
    result = race(body, values, target=6.0)
    assert points(result, "ivag") == {"A": 100.0, "B": 90.0, "C": 0.0, "D": 80.0}
    places = dict(result.items.select("unit", "place").iter_rows())
    assert places == {"A": 1, "B": 2, "C": None, "D": 3}


TWO_ITEMS = """
[[indicator]]
code = "gdp"
metric = "value"
weight = 40
method = "rank"
step = 10
[[indicator]]
code = "fai"
metric = "value"
weight = 60
method = "rank"
step = 10
"""


def test_weight_of_an_item_that_does_not_apply_is_spread_over_the_others():
    values = {"City": {"gdp": 10.0, "fai": 10.0}, "Zone": {"fai": 20.0}}
    target = {"City": {"gdp": 100.0, "fai": 100.0}, "Zone": {"gdp": None, "fai": 100.0}}
    result = race(TWO_ITEMS, values, target=target)
    zone = result.items.filter(pl.col("unit") == "Zone")
    assert dict(zone.select("item", "points").iter_rows()) == {"fai": 100.0, "gdp": None}
    assert dict(zone.select("item", "weight").iter_rows()) == {"fai": 100.0, "gdp": None}
    assert by_unit(result, "total") == {"Zone": 100.0, "City": 90.0}
    assert result.missing.height == 0


def test_exempt_in_the_rules_does_the_same():
    body = TWO_ITEMS.replace("step = 10\n[[", 'step = 10\nexempt = ["Zone"]\n[[', 1)
    values = {"City": {"gdp": 10.0, "fai": 10.0}, "Zone": {"gdp": 5.0, "fai": 20.0}}
    assert by_unit(race(body, values), "total") == {"Zone": 100.0, "City": 90.0}


def test_exempt_must_name_a_unit_of_the_race():
    body = TWO_ITEMS.replace("step = 10\n[[", 'step = 10\nexempt = ["Zoen"]\n[[', 1)
    with pytest.raises(DataError, match="item gdp: exempt unit 'Zoen'"):
        race(body, {"City": {"gdp": 10.0, "fai": 10.0}, "Zone": {"gdp": 5.0, "fai": 20.0}})


def test_ranks_follow_the_published_total():
    # 100 and 99.996 both publish as 100.00: they share first place.
    body = item("rank", "step = 0.004", weight=100)
    result = race(body, {"A": {"v": 2.0}, "B": {"v": 1.0}, "C": {"v": 0.0}})
    assert by_unit(result, "rank") == {"A": 1, "B": 1, "C": 3}
    assert by_unit(result, "total") == {"A": 100.0, "B": 99.996, "C": 99.992}


MANUAL = """
[[indicator]]
code = "fai"
metric = "value"
weight = 80
method = "rank"
step = 10
[[indicator]]
code = "inspection"
weight = 20
method = "manual"
"""


def test_manual_points_come_from_the_scores():
    values = {"A": {"fai": 3.0}, "B": {"fai": 2.0}, "C": {"fai": 1.0}}
    scores = pl.DataFrame({"unit": ["A", "B"], "item": ["inspection"] * 2, "points": [18.0, 15.5]})
    result = race(MANUAL, values, scores=scores)
    assert points(result, "inspection") == {"A": 18.0, "B": 15.5, "C": 0.0}
    assert by_unit(result, "total") == {"A": 98.0, "B": 85.5, "C": 60.0}
    assert result.missing.select("unit", "item").rows() == [("C", "inspection")]


def test_manual_points_above_the_weight_are_refused():
    scores = pl.DataFrame({"unit": ["A"], "item": ["inspection"], "points": [25.0]})
    with pytest.raises(DataError, match="unit A, item inspection: 25 points"):
        race(MANUAL, {"A": {"fai": 1.0}}, scores=scores)


MISSING_VALUES = {"A": {"v": 50.0}, "B": {"v": 40.0}, "C": {}}


def test_missing_policy_zero_scores_the_item_zero_and_shows_it():
    result = race(item("efficacy"), MISSING_VALUES)
    assert points(result, "v") == {"A": 100.0, "B": 60.0, "C": 0.0}
    assert by_unit(result, "rank") == {"A": 1, "B": 2, "C": 3}
    assert result.missing.select("unit", "item").rows() == [("C", "v")]


def test_missing_policy_exclude_leaves_the_unit_unranked_with_the_reason():
    body = '[missing]\npolicy = "exclude"\n' + item("efficacy")
    result = race(body, MISSING_VALUES)
    assert by_unit(result, "rank") == {"A": 1, "B": 2, "C": None}
    assert by_unit(result, "status")["C"] == "no figure for v"
    assert by_unit(result, "flag") == {"A": "red", "B": "yellow", "C": ""}


def test_missing_policy_error_refuses_to_compute():
    body = '[missing]\npolicy = "error"\n' + item("efficacy")
    with pytest.raises(DataError, match="unit C, item v"):
        race(body, MISSING_VALUES)


def adjustments(rows):
    unit, points_, reason, veto, category = zip(*rows, strict=True)
    return pl.DataFrame(
        {"unit": unit, "points": points_, "reason": reason, "veto": veto, "category": category}
    )


def test_bonus_and_deduction_with_category_and_overall_caps():
    body = (
        "[adjustments]\nbonus_cap = 4\ndeduction_cap = 10\n"
        "category_caps = { honours = 5, safety = 4 }\n" + item("rank", "step = 10")
    )
    adjust = adjustments(
        [
            ("A", 3.0, "award", False, "honours"),
            ("A", 4.0, "award", False, "honours"),
            ("A", -2.0, "accident", False, "safety"),
            ("A", -3.0, "accident", False, "safety"),
            ("A", -1.0, "late", False, "other"),
        ]
    )
    result = race(body, {"A": {"v": 1.0}, "B": {"v": 0.5}}, adjustments=adjust)
    row = result.standings.filter(pl.col("unit") == "A").row(0, named=True)
    assert (row["bonus"], row["deduction"], row["total"]) == (4.0, 5.0, 99.0)


@pytest.mark.parametrize("without", [("veto",), ("category",), ("veto", "category")])
def test_adjustments_without_their_optional_columns(without):
    adjust = adjustments(
        [("A", 3.0, "award", False, "honours"), ("B", -2.0, "accident", False, "safety")]
    ).drop(*without)
    result = race(item("rank", "step = 10"), {"A": {"v": 1.0}, "B": {"v": 0.5}}, adjustments=adjust)
    assert by_unit(result, "total") == {"A": 103.0, "B": 88.0}
    assert by_unit(result, "veto") == {"A": False, "B": False}


def test_adjustment_for_a_unit_outside_the_race_is_refused():
    adjust = adjustments([("Nowhere", 1.0, "x", False, "other")])
    with pytest.raises(DataError, match="unit Nowhere"):
        race(item("rank", "step = 10"), {"A": {"v": 1.0}}, adjustments=adjust)


THREE = {"A": {"v": 30.0}, "B": {"v": 20.0}, "C": {"v": 10.0}}


def test_veto_removes_the_red_flag_which_passes_to_the_next_unit():
    adjust = adjustments([("A", 0.0, "major accident", True, "safety")])
    result = race(item("rank", "step = 10"), THREE, adjustments=adjust)
    assert by_unit(result, "rank") == {"A": 1, "B": 2, "C": 3}
    assert by_unit(result, "flag") == {"A": "", "B": "red", "C": "yellow"}
    assert by_unit(result, "veto")["A"] is True


def test_veto_last_sends_the_unit_to_the_bottom():
    body = '[flags]\nveto = "last"\n' + item("rank", "step = 10")
    adjust = adjustments([("A", 0.0, "major accident", True, "safety")])
    result = race(body, THREE, adjustments=adjust)
    assert by_unit(result, "rank") == {"B": 1, "C": 2, "A": 3}
    assert by_unit(result, "flag") == {"B": "red", "C": "", "A": "yellow"}


def test_ties_share_the_better_place_and_both_get_the_flag():
    values = {"A": {"v": 30.0}, "B": {"v": 30.0}, "C": {"v": 10.0}}
    result = race(item("rank", "step = 10"), values)
    assert by_unit(result, "rank") == {"A": 1, "B": 1, "C": 3}
    assert by_unit(result, "flag") == {"A": "red", "B": "red", "C": "yellow"}


def test_tie_break_by_a_named_item():
    body = (
        'tie_break = "second"\n'
        '[[indicator]]\ncode = "first"\nmetric = "value"\nweight = 50\nmethod = "rank"\nstep = 10\n'
        '[[indicator]]\ncode = "second"\nmetric = "value"\nweight = 50\nmethod = "bands"\n'
        "bands = [[0, 50]]\n"
    )
    values = {
        "A": {"first": 30.0, "second": 1.0},
        "B": {"first": 30.0, "second": 3.0},
        "C": {"first": 30.0, "second": 3.0},
    }
    result = race(body, values)
    assert by_unit(result, "rank") == {"B": 1, "C": 1, "A": 3}


def test_flags_can_require_a_condition():
    body = (
        '[flags]\nred_when = "on_schedule"\nyellow_when = "behind"\n'
        '[[indicator]]\ncode = "fai"\nweight = 50\nmethod = "attainment"\nmetric = "completion"\n'
        '[[indicator]]\ncode = "ret"\nmetric = "value"\nweight = 50\nmethod = "rank"\nstep = 10\n'
    )
    values = {
        "A": {"fai": 24.0, "ret": 100.0},  # first, but behind schedule on fai (24% < 25%)
        "B": {"fai": 30.0, "ret": 50.0},
        "C": {"fai": 26.0, "ret": 10.0},  # last, but on schedule everywhere
        "D": {"fai": 20.0, "ret": 40.0},
    }
    target = {u: {"fai": 100.0, "ret": 10.0} for u in values}
    result = race(body, values, target=target)
    assert by_unit(result, "total") == {"A": 62.0, "B": 55.0, "D": 40.0, "C": 33.0}
    assert by_unit(result, "flag") == {"A": "", "B": "red", "D": "yellow", "C": ""}
    plain = race(
        body.replace('red_when = "on_schedule"\nyellow_when = "behind"', ""), values, target=target
    )
    assert by_unit(plain, "flag") == {"A": "red", "B": "", "D": "", "C": "yellow"}
    nobody = race(body, {"A": values["A"], "D": values["D"]}, target=target)
    assert by_unit(nobody, "flag") == {"A": "", "D": "yellow"}  # no unit on schedule: no red


def test_no_yellow_flag_when_every_unit_is_on_schedule_and_the_rule_says_behind():
    body = (
        '[flags]\nyellow_when = "behind"\n'
        '[[indicator]]\ncode = "fai"\nmetric = "gap"\nweight = 100\nmethod = "rank"\nstep = 10\n'
    )
    result = race(body, {"A": {"fai": 40.0}, "B": {"fai": 30.0}, "C": {"fai": 26.0}})
    assert by_unit(result, "flag") == {"A": "red", "B": "", "C": ""}


def test_rank_change_progress_award_and_consecutive_last_places():
    previous = pl.DataFrame(
        {"unit": ["A", "B", "C"], "rank": [3, 1, 2], "group": ["g"] * 3, "last_places": [2, 0, 0]}
    )
    result = race(item("rank", "step = 10"), THREE, previous=previous)
    assert by_unit(result, "rank_change") == {"A": 2, "B": -1, "C": -1}
    assert by_unit(result, "progress_award") == {"A": True, "B": False, "C": False}
    assert by_unit(result, "last_places") == {"A": 0, "B": 0, "C": 1}
    again = pl.DataFrame({"unit": ["A", "B", "C"], "rank": [1, 2, 3], "last_places": [0, 0, 4]})
    result = race(item("rank", "step = 10"), THREE, previous=again)
    assert by_unit(result, "last_places")["C"] == 5
    assert not any(by_unit(result, "progress_award").values())


def test_a_vetoed_unit_gets_no_progress_award():
    previous = pl.DataFrame({"unit": ["A", "B", "C"], "rank": [3, 1, 2]})
    adjust = adjustments([("A", 0.0, "veto", True, "safety")])
    result = race(item("rank", "step = 10"), THREE, previous=previous, adjustments=adjust)
    assert by_unit(result, "progress_award")["A"] is False


def test_groups_are_ranked_separately():
    values = {"A": {"v": 30.0}, "B": {"v": 20.0}, "C": {"v": 10.0}, "D": {"v": 5.0}}
    groups = {"A": "districts", "B": "districts", "C": "counties", "D": "counties"}
    result = race(item("efficacy"), values, groups=groups)
    assert by_unit(result, "rank") == {"A": 1, "B": 2, "C": 1, "D": 2}
    assert by_unit(result, "total") == {"A": 100.0, "B": 60.0, "C": 100.0, "D": 60.0}


def test_a_missing_target_where_the_metric_needs_one_is_refused():
    target = {"A": {"fai": 100.0}, "B": {"fai": 100.0}}
    result_rules = EFFICACY_GAP
    values = {"A": {"fai": 30.0}, "B": {"fai": 20.0}}
    race(result_rules, values, target=target)  # fine
    from .builders import actuals, rules, targets
    from .builders import progress as build_progress

    race_rules = rules(EFFICACY_GAP)
    prog = build_progress(
        race_rules,
        targets([("A", "fai", 100.0)]),
        actuals([("A", "fai", "2026-03", 30.0)]),
        "2026-03",
    )
    units = pl.DataFrame({"unit": ["A", "B"], "group": ["g", "g"]})
    from saima.engine import score_race

    with pytest.raises(DataError, match="unit B, indicator fai \\(item fai\\): no target"):
        score_race(race_rules, prog, units)


def test_gain_one_place_worked_example():
    result = race(
        EFFICACY_GAP,
        {"East": {"fai": 58.0}, "West": {"fai": 24.0}, "North": {"fai": 33.0}},
        target={"East": {"fai": 200.0}, "West": {"fai": 100.0}, "North": {"fai": 150.0}},
    )
    found = {u: round(g, 6) for u, _, g in gains(result).iter_rows()}
    # West must close the 5pp to East; North reaching West's −1pp ties it for second.
    assert found == {"West": 5.0, "North": 2.0}


def test_gain_one_place_on_rank_and_when_nothing_helps():
    body = TWO_ITEMS
    values = {
        "A": {"gdp": 30.0, "fai": 30.0},
        "B": {"gdp": 20.0, "fai": 20.0},
        "C": {"gdp": 10.0, "fai": 10.0},
    }
    result = race(body, values)
    found = {(u, i): g for u, i, g in gains(result).iter_rows()}
    # Drawing level on gdp (40 + 50 against 40 + 60) is not enough: B must pass A, which then
    # drops a place (30 + 60 = 90 against 40 + 50 = 90) — one hundredth more than A's figure.
    assert found[("B", "gdp")] == pytest.approx(10.01)
    # On fai too: level gives 30 + 60 against A's 100; passing gives 90 against 90.
    assert found[("B", "fai")] == pytest.approx(10.01)
    assert found[("C", "gdp")] == pytest.approx(10.01)
    assert ("A", "gdp") not in found  # first already


def test_gain_one_place_on_a_manual_item_is_in_points():
    values = {"A": {"fai": 3.0}, "B": {"fai": 2.0}}
    scores = pl.DataFrame({"unit": ["A", "B"], "item": ["inspection"] * 2, "points": [5.0, 5.0]})
    found = {(u, i): g for u, i, g in gains(race(MANUAL, values, scores=scores)).iter_rows()}
    assert found[("B", "inspection")] == 10.0  # 75 + 10 draws level with A's 85
    scores = pl.DataFrame({"unit": ["A", "B"], "item": ["inspection"] * 2, "points": [20.0, 10.0]})
    found = {(u, i): g for u, i, g in gains(race(MANUAL, values, scores=scores)).iter_rows()}
    assert found[("B", "inspection")] is None  # 80 + at most 10 never reaches A's 100


def test_a_race_on_published_statistics_needs_no_targets():
    """Growth by rank and a level by efficacy against the group, from figures alone."""
    from saima.engine import score_race

    from .builders import actuals, rules, targets
    from .builders import progress as build_progress

    race_rules = rules(
        '[[indicator]]\ncode = "iva"\nkind = "growth"\nweight = 60\nmethod = "rank"\nstep = 10\n'
        '[[indicator]]\ncode = "pm25"\nkind = "level"\ndirection = "lower"\nweight = 40\n'
        'method = "efficacy"\n'
    )
    figures = {"East": (6.5, 38.0), "West": (5.1, 31.0), "North": (7.2, 45.0)}
    rows = [(u, "iva", "2026-03", v[0]) for u, v in figures.items()]
    rows += [(u, "pm25", "2026-03", v[1]) for u, v in figures.items()]
    no_targets = targets([("East", "iva", 1.0)]).clear()
    prog = build_progress(race_rules, no_targets, actuals(rows), "2026-03")
    units = pl.DataFrame({"unit": list(figures), "group": ["g"] * 3})
    result = score_race(race_rules, prog, units)
    assert by_unit(result, "total") == {"East": 82.0, "West": 80.0, "North": 84.0}
    assert by_unit(result, "rank") == {"East": 2, "West": 3, "North": 1}
    assert points(result, "pm25") == {"East": 32.0, "West": 40.0, "North": 24.0}
    # No target, no light: the explanation leaves it blank.
    assert result.items["light"].null_count() == 6
