"""The frames the engine takes and gives, and the constants they share.

One place for the columns of each input (targets, actuals, units, adjustments, manual scores,
the previous result) and each output (progress, a race's items, standings and explanation,
check findings), so that the engine, the CLI's file reader and the platform build and read the
same frames. `RaceInputs` is the bundle of a race's inputs that `saima.inputs` reads from files
and the platform gathers from its database; `saima.engine.pipeline.compute_race` takes it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, fields

import polars as pl

#: Digits kept when comparing computed figures, so 4.000000000000001 equals 4.
COMPARE_DIGITS = 9

#: The indicator kinds and directions.
KINDS = ("amount", "growth", "count", "level")
DIRECTIONS = ("higher", "lower")
#: Kinds whose figures are cumulative amounts from January: measured against the time-sequence
#: schedule, and their growth computed from last year's figures.
SCHEDULED_KINDS: frozenset[str] = frozenset({"amount", "count"})
#: Kinds whose target is an amount that must be positive for a completion rate to mean anything.
POSITIVE_TARGET_KINDS: frozenset[str] = frozenset({"amount", "count", "level"})

#: The lights of a progress row: a colour, or no figure, or the indicator does not apply. A row
#: without a target has no light (null).
LIGHTS = ("green", "yellow", "red")
MISSING = "missing"
NOT_APPLICABLE = "n/a"

#: The race group of a unit whose group is blank.
DEFAULT_GROUP = "all"

# --- inputs -----------------------------------------------------------------------------------

#: `not_applicable` (the target cell says n/a), `last_year_total` (last year's full-year amount)
#: and, for `compute_progress`, an optional `profile` (a unit's own schedule).
TARGETS_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "target": pl.Float64,
    "not_applicable": pl.Boolean,
    "last_year_total": pl.Float64,
}
#: Rows of the year and of the year before; `last_year_value` is last year's same-period amount.
ACTUALS_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
    "last_year_value": pl.Float64,
}
UNITS_SCHEMA = {"unit": pl.String, "group": pl.String}
ADJUSTMENTS_SCHEMA = {
    "unit": pl.String,
    "points": pl.Float64,
    "reason": pl.String,
    "veto": pl.Boolean,
    "category": pl.String,
}
SCORES_SCHEMA = {"unit": pl.String, "item": pl.String, "points": pl.Float64}
#: An earlier race's standings: a blank group is the unit's group now, a blank `last_places` is
#: worked out from the rank.
PREVIOUS_SCHEMA = {
    "unit": pl.String,
    "group": pl.String,
    "rank": pl.Int64,
    "last_places": pl.Int64,
}

# --- outputs ----------------------------------------------------------------------------------

PROGRESS_COLUMNS = [
    "unit",
    "indicator",
    "period",
    "kind",
    "direction",
    "value",
    "target",
    "last_year_value",
    "time_progress",
    "completion",
    "gap_pp",
    "light",
    "double_over_half",
    "run_rate_needed",
    "run_rate_ratio",
    "required_growth",
    "projection",
    "growth",
    "applicable",
    "level_gap",
]
#: One row per unit and item of a race (`RaceResult.items`).
ITEM_COLUMNS = [
    "group",
    "unit",
    "item",
    "indicator",
    "method",
    "metric_name",
    "x",
    "x_target",
    "light",
    "applicable",
    "missing",
    "taking_part",
    "place",
    "normalised",
    "raw_points",
    "points",
    "weight",
]
#: One row per unit of a race (`RaceResult.standings`).
STANDINGS_COLUMNS = [
    "group",
    "unit",
    "rank",
    "total",
    "flag",
    "rank_change",
    "progress_award",
    "last_places",
    "veto",
    "bonus",
    "deduction",
    "item_points",
    "status",
]
#: Why each score (`RaceResult.explanation`); `gain_one_place` follows when asked for.
EXPLANATION_COLUMNS = [
    "group",
    "unit",
    "item",
    "indicator",
    "method",
    "metric",
    "metric_value",
    "light",
    "place",
    "normalised",
    "points",
    "weight",
    "note",
]
#: One row per finding of `run_checks`.
FINDINGS_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "check": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "value": pl.Float64,
    "reference": pl.Float64,
}


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with exactly the columns of `schema`, in order and of its types; a column the
    frame lacks is blank (null), columns it has beyond the schema are left out."""
    return frame.select(
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    )


@dataclass(frozen=True)
class RaceInputs:
    """Everything a race reads, as `saima race` reads its files and the platform its database.

    Each frame is conformed to its schema on construction (a column the source lacks is blank),
    so every step after reads the same columns whoever built it. Without adjustments the frame
    is empty; without manual scores or a previous result, `scores` or `previous` is None.
    """

    targets: pl.DataFrame
    actuals: pl.DataFrame
    units: pl.DataFrame
    adjustments: pl.DataFrame | None = None
    scores: pl.DataFrame | None = None
    previous: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        for name, schema in INPUT_SCHEMAS.items():
            frame = getattr(self, name)
            if frame is None and name == "adjustments":
                frame = pl.DataFrame(schema=schema)
            if frame is not None:
                object.__setattr__(self, name, conform(frame, schema))

    def files(self) -> dict[str, pl.DataFrame]:
        """Each input as the CLI reads it (column names and values), keyed by file stem."""
        targets = self.targets.select(
            "unit",
            "indicator",
            pl.when(pl.col("not_applicable"))
            .then(pl.lit(NOT_APPLICABLE))
            .otherwise(pl.col("target").cast(pl.String))
            .alias("target"),
            "last_year_total",
        )
        month = pl.col("month").cast(pl.String).str.zfill(2)
        actuals = self.actuals.select(
            "unit",
            "indicator",
            pl.format("{}-{}", "year", month).alias("period"),
            "value",
            "last_year_value",
        )
        out = {"targets": targets, "actuals": actuals, "units": self.units}
        if self.adjustments is not None and self.adjustments.height:
            out["adjustments"] = self.adjustments
        if self.scores is not None:
            out["scores"] = self.scores
        if self.previous is not None:
            out["previous"] = self.previous
        return out

    def to_archive(self) -> bytes:
        """The frames as one archive, for a snapshot (`from_archive` reads it back exactly).

        A ZIP of one Parquet file per frame (zstd-compressed, columnar): a national race's inputs
        are a few megabytes instead of hundreds as rows of JSON, and any Parquet reader opens
        them. The same frames give the same bytes.
        """
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for f in fields(self):
                frame = getattr(self, f.name)
                if frame is None:
                    continue
                body = io.BytesIO()
                frame.write_parquet(body, compression="zstd", statistics=False)
                member = zipfile.ZipInfo(f"{f.name}.parquet", _ARCHIVE_TIME)
                archive.writestr(member, body.getvalue())
        return out.getvalue()

    @classmethod
    def from_archive(cls, data: bytes | memoryview) -> RaceInputs:
        """The inputs `to_archive` froze. Raises ValueError if `data` is not such an archive."""
        try:
            with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
                names = set(archive.namelist())
                frames = {
                    name: pl.read_parquet(io.BytesIO(archive.read(f"{name}.parquet")))
                    for name in INPUT_SCHEMAS
                    if f"{name}.parquet" in names
                }
        except (zipfile.BadZipFile, pl.exceptions.ComputeError, OSError) as error:
            raise ValueError(f"not a frozen race's inputs: {error}") from error
        missing = {"targets", "actuals", "units"} - frames.keys()
        if missing:
            raise ValueError(f"not a frozen race's inputs: no {', '.join(sorted(missing))}")
        return cls(**frames)


#: The time stamped on an archive's members: a fixed one, so the same frames give the same bytes.
_ARCHIVE_TIME = (1980, 1, 1, 0, 0, 0)

#: Each input frame of `RaceInputs` by its field name, with its columns.
INPUT_SCHEMAS = {
    "targets": TARGETS_SCHEMA,
    "actuals": ACTUALS_SCHEMA,
    "units": UNITS_SCHEMA,
    "adjustments": ADJUSTMENTS_SCHEMA,
    "scores": SCORES_SCHEMA,
    "previous": PREVIOUS_SCHEMA,
}
