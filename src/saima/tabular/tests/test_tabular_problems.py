"""Problem and InputError: messages that point at the place, and stay readable."""

from __future__ import annotations

import pickle

import polars as pl

from saima.tabular import InputError, Problem, Table


def test_problem_str_with_every_part() -> None:
    problem = Problem("targets.xlsx", "'abc' is not a number", "Sheet1", 4, "C (target)")
    assert str(problem) == (
        "targets.xlsx, sheet Sheet1, row 4, column C (target): 'abc' is not a number"
    )


def test_problem_str_leaves_out_unknown_parts() -> None:
    assert str(Problem("a.csv", "does not exist")) == "a.csv: does not exist"
    assert str(Problem("a.csv", "is blank", row=3, column="unit")) == (
        "a.csv, row 3, column unit: is blank"
    )
    assert str(Problem("a.xlsx", "bad", sheet="S")) == "a.xlsx, sheet S: bad"


def test_input_error_accepts_one_or_many() -> None:
    one = Problem("a.csv", "x")
    assert InputError(one).problems == [one]
    assert InputError([one, one]).problems == [one, one]
    assert str(InputError([one, one])) == "a.csv: x\na.csv: x"


def test_input_error_caps_lines() -> None:
    problems = [Problem("a.csv", f"p{i}", row=i) for i in range(25)]
    lines = str(InputError(problems)).splitlines()
    assert len(lines) == 21
    assert lines[19] == "a.csv, row 19: p19"
    assert lines[20] == "... and 5 more problems"
    assert str(InputError(problems[:21])).splitlines()[-1] == "... and 1 more problem"


def test_input_error_pickles() -> None:
    error = InputError(Problem("a.csv", "x"))
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


def test_table_problem_renders_the_header_as_written() -> None:
    frame = pl.DataFrame({"target": [1.0]})
    xlsx = Table(frame, "t.xlsx", "Sheet1", {"target": "目标"}, {"target": "C"})
    assert xlsx.problem(4, "target", "too high") == Problem(
        "t.xlsx", "too high", "Sheet1", 4, "C (目标)"
    )
    csv = Table(frame, "t.csv", None, {"target": "目标"})
    assert str(csv.problem(4, "target", "too high")) == "t.csv, row 4, column 目标: too high"
    assert csv.problem(None, None, "empty") == Problem("t.csv", "empty")
    assert csv.problem(2, "target_not_applicable", "x").column == "目标"
    assert csv.problem(2, "other", "x").column == "other"
