from __future__ import annotations

import pytest

from saima.engine import RulesError, load_rules, parse_rules

ISSUE_EXAMPLE = """
name = "Districts, 2026 Q1"
year = 2026
[thresholds]
yellow_pp = 5.0
growth_yellow_pp = 1.0
[missing]
policy = "zero"
[flags]
red = 1
yellow = 1
[[indicator]]
code = "fai"
kind = "amount"
direction = "higher"
metric = "gap"
weight = 60
method = "efficacy"
base = 0.6
span = 0.4
profile = [8, 18, 27, 36, 45, 55, 63, 71, 80, 88, 100]
[[indicator]]
code = "ivag"
kind = "growth"
metric = "growth"
weight = 40
method = "rank"
step = 2.0
"""


def test_the_issue_example_is_accepted():
    rules = parse_rules(ISSUE_EXAMPLE)
    fai, ivag = rules.items
    assert (fai.code, fai.weight, fai.method, fai.effective_metric) == (
        "fai",
        60,
        "efficacy",
        "gap",
    )
    assert rules.combined_for(fai) is True  # 11 entries: January and February together
    assert (ivag.kind, ivag.step) == ("growth", 2.0)
    assert rules.missing.policy == "zero"


def _error(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        parse_rules(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "weight = 40",
            "weight = 30",
            "weights must sum to 100; they sum to 90 (fai 60 + ivag 30)",
        ),
        ("step = 2.0", "stepp = 2.0", "indicator[2].stepp: unknown key (did you mean 'step'?)"),
        ("[flags]", "[flags]\ncolour = 1", "flags.colour: unknown key"),
        ('"rank"', '"ranking"', "indicator[2].method: Input should be 'rank'"),
        ("55, 63", "65, 63", "indicator[1].profile: decreases at entry 7 (65 then 63)"),
        ("88, 100", "88, 99", "indicator[1].profile: ends at 99"),
        ("8, 18, 27", "18, 27", "indicator[1].profile: has 10 entries"),
        ("step = 2.0", "", "indicator[2]: rank needs exactly one of step"),
        ('metric = "growth"', 'metric = "completion"', "metric 'completion' does not apply"),
        ('policy = "zero"', 'policy = "guess"', "missing.policy: Input should be 'zero'"),
        ('code = "ivag"', 'code = "fai"', "item code 'fai' is used twice"),
        ("year = 2026", "", "year: is required"),
        ("base = 0.6", "base = 0.8", "base + span is 1.2"),
    ],
)
def test_bad_rules_name_the_key_and_the_problem(old, new, expected):
    assert old in ISSUE_EXAMPLE
    assert expected in _error(ISSUE_EXAMPLE.replace(old, new, 1))


def test_toml_syntax_error_names_the_line():
    assert "TOML syntax error" in _error(ISSUE_EXAMPLE + "\n[[indicator\n")
    assert "line 30" in _error(ISSUE_EXAMPLE + "\n[[indicator\n")


@pytest.mark.parametrize("depth", [20, 2000])
def test_nesting_deeper_than_rules_is_refused(depth):
    """Rules nest four levels at most; deeper text (even past the parser's own recursion) is a
    RulesError, not a crash."""
    text = ISSUE_EXAMPLE + "\nextra = " + "[" * depth + "]" * depth + "\n"
    assert "nested too deeply" in _error(text)


def test_missing_and_unreadable_rules_files(tmp_path):
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "nope.toml")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes('name = "东城"'.encode("gb18030"))
    with pytest.raises(RulesError, match="must be UTF-8"):
        load_rules(bad)


SHAPES = {
    "a: one indicator scored twice via data": """
        [[indicator]]
        code = "gdp_level"
        data = "gdp"
        metric = "completion"
        weight = 40
        method = "efficacy"
        [[indicator]]
        code = "gdp_growth"
        data = "gdp"
        metric = "growth"
        weight = 60
        method = "rank"
        step = 5
    """,
    "b: rank with a share of the weight": """
        [[indicator]]
        code = "fai"
        weight = 100
        method = "rank"
        step_pct = 5
    """,
    "c: efficacy against fixed values, unclamped": """
        [[indicator]]
        code = "fai"
        weight = 100
        method = "efficacy"
        satisfactory = 5
        impermissible = -10
        clamp = false
    """,
    "d: linear around the group mean": """
        [[indicator]]
        code = "ivag"
        kind = "growth"
        weight = 100
        method = "linear"
        base_points = 70
        slope = 0.1
        per = 0.1
        reference = "mean"
        min_points = 67
        max_points = 73
    """,
    "e: qualify": """
        [[indicator]]
        code = "ivag"
        kind = "growth"
        weight = 100
        method = "rank"
        step = 10
        qualify = 0
    """,
    "f: exempt": """
        [[indicator]]
        code = "gdp"
        weight = 40
        method = "rank"
        step = 5
        exempt = ["Binhai Zone"]
        [[indicator]]
        code = "fai"
        weight = 60
        method = "efficacy"
    """,
    "g: manual": """
        [[indicator]]
        code = "fai"
        weight = 80
        method = "efficacy"
        [[indicator]]
        code = "inspection"
        weight = 20
        method = "manual"
    """,
    "h: conditional flags": """
        [flags]
        red_when = "on_schedule"
        yellow_when = "behind"
        veto = "last"
        [[indicator]]
        code = "fai"
        weight = 100
        method = "bands"
        bands = [[5, 100], [0, 80], [-5, 60]]
    """,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_published_rule_shape_is_expressible(shape):
    body = "\n".join(line.strip() for line in SHAPES[shape].splitlines())
    rules = parse_rules('name = "x"\nyear = 2026\n' + body)
    assert sum(item.weight for item in rules.items) == 100


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'code = "a"\nweight = 100\nmethod = "efficacy"\nsatisfactory = 1',
            "give both satisfactory and impermissible",
        ),
        (
            'code = "a"\nweight = 100\nmethod = "efficacy"\nsatisfactory = 1\nimpermissible = 5',
            "satisfactory must be the better value",
        ),
        (
            'code = "a"\nweight = 100\nmethod = "bands"\nbands = [[0, 50], [5, 100]]',
            "descending order",
        ),
        (
            'code = "a"\nweight = 100\nmethod = "bands"\nbands = [[5, 150]]',
            "outside 0–100",
        ),
        ('code = "a"\nweight = 100\nmethod = "linear"\nslope = 1', "linear needs base_points"),
        (
            'code = "a"\nkind = "growth"\nweight = 100\nmethod = "rank"\nstep = 1\n'
            'profile = "last_year"',
            "profile applies to amount and count",
        ),
        ('code = "a"\nweight = 100\nmethod = "attainment"\nmetric = "gap"', "attainment compares"),
        ('code = "a"\nweight = 100\nmethod = "rank"\nstep = 1\ncap = 1.2', "cap do(es) not apply"),
        (
            'code = "a"\nweight = 100\nmethod = "rank"\nstep = 1\ncombined_jan_feb = false\n'
            "profile = [8, 18, 27, 36, 45, 55, 63, 71, 80, 88, 100]",
            "11 entries exactly when January and February are combined",
        ),
    ],
)
def test_method_parameters_are_checked(body, expected):
    assert expected in _error('name = "x"\nyear = 2026\n[[indicator]]\n' + body)


def test_tie_break_must_name_an_item():
    text = ISSUE_EXAMPLE.replace("year = 2026", 'year = 2026\ntie_break = "gdp"')
    assert "tie_break names 'gdp'" in _error(text)


def test_two_items_reading_one_indicator_must_agree_on_its_kind():
    text = """name = "x"
year = 2026
[[indicator]]
code = "a"
data = "gdp"
weight = 50
method = "rank"
step = 1
[[indicator]]
code = "b"
data = "gdp"
kind = "growth"
weight = 50
method = "rank"
step = 1
"""
    assert "disagree on kind" in _error(text)
    text = text.replace('kind = "growth"', "yellow_pp = 9")
    assert "disagree on yellow_pp" in _error(text)


@pytest.mark.parametrize(
    ("kind", "keys", "needs"),
    [
        ("amount", 'metric = "completion"\nmethod = "rank"\nstep = 1', True),
        ("amount", 'metric = "gap"\nmethod = "efficacy"', True),
        ("level", 'metric = "gap"\nmethod = "efficacy"', True),
        ("growth", 'metric = "gap"\nmethod = "rank"\nstep = 1', True),
        ("growth", 'metric = "growth_vs_target"\nmethod = "efficacy"', True),
        ("growth", 'metric = "growth"\nmethod = "rank"\nstep = 1', False),
        ("growth", 'metric = "growth"\nmethod = "attainment"', True),
        ("amount", 'metric = "growth"\nmethod = "efficacy"', False),
        ("level", 'metric = "value"\nmethod = "efficacy"', False),
        (
            "level",
            'metric = "value"\nmethod = "efficacy"\nsatisfactory = 45\nimpermissible = 30',
            False,
        ),
        ("level", 'metric = "value"\nmethod = "attainment"', True),
        ("amount", 'metric = "value"\nmethod = "bands"\nbands = [[10, 100]]', False),
        (
            "amount",
            'metric = "value"\nmethod = "linear"\nbase_points = 50\nslope = 1\nreference = "mean"',
            False,
        ),
        (
            "amount",
            'metric = "value"\nmethod = "linear"\nbase_points = 50\nslope = 1\n'
            'reference = "target"',
            True,
        ),
        ("amount", 'method = "manual"', False),
    ],
)
def test_an_item_needs_a_target_only_where_its_metric_or_method_uses_one(kind, keys, needs):
    body = f'[[indicator]]\ncode = "x"\nkind = "{kind}"\nweight = 100\n{keys}\n'
    race_rules = parse_rules('name = "r"\nyear = 2026\n' + body)
    assert race_rules.items[0].needs_target is needs
    assert race_rules.targeted_indicators == ({"x"} if needs else set())
