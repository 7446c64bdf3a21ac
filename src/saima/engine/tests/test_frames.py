"""`RaceInputs`: one bundle of a race's inputs, whoever reads them, in the frames' own columns."""

from __future__ import annotations

import io
import zipfile

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import RaceInputs
from saima.engine.frames import (
    ACTUALS_SCHEMA,
    ADJUSTMENTS_SCHEMA,
    INPUT_SCHEMAS,
    TARGETS_SCHEMA,
)


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


def _same(a: RaceInputs, b: RaceInputs) -> bool:
    return all(
        (x is None and y is None) or (x is not None and y is not None and x.equals(y))
        for x, y in ((getattr(a, f), getattr(b, f)) for f in INPUT_SCHEMAS)
    )


def test_a_snapshot_reads_back_as_it_was_written():
    inputs = _bare()
    archive = inputs.to_archive()
    again = RaceInputs.from_archive(archive)
    assert _same(again, inputs) and again.scores is None and again.previous is None
    assert again.to_archive() == archive  # the same frames, the same bytes
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:  # any Parquet reader opens a member
        members = ("targets", "actuals", "units", "adjustments")
        assert opened.namelist() == [f"{n}.parquet" for n in members]
        assert pl.read_parquet(opened.read("units.parquet")).equals(inputs.units)


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)),
        min_size=1,
        max_size=20,
    ),
    names=st.lists(st.text(max_size=8), min_size=1, max_size=20),
)
def test_a_snapshot_keeps_every_figure_and_name_exactly(values, names):
    """Floats to the last bit, nulls as nulls, any text (CJK, NUL, quotes) as typed."""
    count = min(len(values), len(names))
    actuals = pl.DataFrame(
        {"unit": names[:count], "indicator": ["fai"] * count, "year": [2026] * count}
        | {"month": [3] * count, "value": values[:count]}
    )
    units = pl.DataFrame({"unit": names[:count], "group": names[:count]})
    previous = pl.DataFrame({"unit": names[:count], "group": ["g"] * count, "rank": [1] * count})
    inputs = RaceInputs(targets=_bare().targets, actuals=actuals, units=units, previous=previous)
    again = RaceInputs.from_archive(inputs.to_archive())
    assert _same(again, inputs)
    assert again.actuals["value"].to_list() == inputs.actuals["value"].to_list()


def test_something_else_is_refused_as_a_snapshot():
    with pytest.raises(ValueError, match="not a frozen race's inputs"):
        RaceInputs.from_archive(b"{}")
    without_actuals = io.BytesIO()
    with zipfile.ZipFile(without_actuals, "w") as archive:
        archive.writestr("targets.parquet", b"PAR1")
    with pytest.raises(ValueError, match="not a frozen race's inputs"):
        RaceInputs.from_archive(without_actuals.getvalue())
    truncated = _bare().to_archive()[:-40]
    with pytest.raises(ValueError, match="not a frozen race's inputs"):
        RaceInputs.from_archive(truncated)


def test_the_files_are_what_the_cli_reads():
    files = _bare().files()
    assert sorted(files) == ["actuals", "adjustments", "targets", "units"]
    assert files["actuals"].row(0) == ("A", "fai", "2026-03", 30.0, None)
    na = _bare().targets.with_columns(not_applicable=pl.lit(True))
    inputs = RaceInputs(targets=na, actuals=_bare().actuals, units=_bare().units)
    assert inputs.files()["targets"]["target"].to_list() == ["n/a"]
