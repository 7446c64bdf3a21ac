"""`RaceInputs`: one bundle of a race's inputs, whoever reads them, in the frames' own columns."""

from __future__ import annotations

import polars as pl

from saima.engine import RaceInputs
from saima.engine.frames import ACTUALS_SCHEMA, ADJUSTMENTS_SCHEMA, TARGETS_SCHEMA


def _bare() -> RaceInputs:
    """Inputs as a file reader may give them: extra columns, optional ones left out."""
    return RaceInputs(
        targets=pl.DataFrame({"unit": ["A"], "indicator": ["fai"], "target": [100], "_row": [2]}),
        actuals=pl.DataFrame(
            {"unit": ["A"], "indicator": ["fai"], "period": ["2026-03"], "year": [2026]}
            | {"month": [3], "value": [30]}
        ),
        units=pl.DataFrame({"unit": ["A"], "group": ["g"]}),
        adjustments=pl.DataFrame({"unit": ["A"], "points": [1], "reason": ["award"]}),
    )


def test_each_frame_is_conformed_to_its_schema():
    inputs = _bare()
    assert inputs.targets.schema == pl.Schema(TARGETS_SCHEMA)
    assert inputs.actuals.schema == pl.Schema(ACTUALS_SCHEMA)
    assert inputs.adjustments.schema == pl.Schema(ADJUSTMENTS_SCHEMA)
    assert inputs.targets.row(0) == ("A", "fai", 100.0, None, None)
    assert inputs.adjustments.row(0) == ("A", 1.0, "award", None, None)
    assert inputs.scores is None and inputs.previous is None
    empty = RaceInputs(targets=inputs.targets, actuals=inputs.actuals, units=inputs.units)
    assert empty.adjustments.height == 0
    assert empty.adjustments.schema == pl.Schema(ADJUSTMENTS_SCHEMA)


def test_a_snapshot_reads_back_as_it_was_written():
    inputs = _bare()
    again = RaceInputs.from_json(inputs.to_json())
    assert again.to_json() == inputs.to_json()
    assert sorted(inputs.to_json()) == ["actuals", "adjustments", "targets", "units"]


def test_the_files_are_what_the_cli_reads():
    files = _bare().files()
    assert sorted(files) == ["actuals", "adjustments", "targets", "units"]
    assert files["actuals"].row(0) == ("A", "fai", "2026-03", 30.0, None)
    na = _bare().targets.with_columns(not_applicable=pl.lit(True))
    inputs = RaceInputs(targets=na, actuals=_bare().actuals, units=_bare().units)
    assert inputs.files()["targets"]["target"].to_list() == ["n/a"]
