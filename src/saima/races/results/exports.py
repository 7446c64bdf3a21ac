"""A published result as files: the CLI's OUT format (XLSX or CSV), and every input of the race
with its rules, so that `saima race` recomputes the same ranks and totals without Saima."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import polars as pl
from django.utils import timezone

from saima.races.models import Publication
from saima.tabular import write_table


def _for_people(publication: Publication, rows: list[dict]) -> list[dict]:
    from saima.races.results import present

    names = present.Names.load()
    readings = present.item_readings(publication.rules, names, publication.decimals)
    return present.rounded_for_people(rows, readings, publication.decimals)


def results_frame(publication: Publication, *, for_people: bool = False) -> pl.DataFrame:
    """The standings as published: one row per unit, the columns of `saima race --out`.

    `for_people` (the page's downloads): points at the result's decimals and each metric at its
    item's, as the pages show them; the bundle keeps full precision for `saima race` to compare.
    """
    rows = publication.standings
    if not rows:
        return pl.DataFrame()
    if for_people:
        rows = _for_people(publication, rows)
    return pl.DataFrame(rows, infer_schema_length=None)


def explanation_frame(publication: Publication, *, for_people: bool = False) -> pl.DataFrame:
    rows = publication.explanation
    if for_people:
        rows = _for_people(publication, rows)
    return pl.DataFrame(rows, infer_schema_length=None)


def table_bytes(frame: pl.DataFrame, suffix: str, sheet_name: str = "Sheet1") -> bytes:
    """`frame` written by `saima.tabular.write_table` (formula-safe) as .csv or .xlsx bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table{suffix}"
        write_table(frame, path, sheet_name=sheet_name)
        return path.read_bytes()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def download(body: bytes, filename: str):
    """An attachment response for a file of one of `CONTENT_TYPES`, named by its suffix."""
    from django.http import HttpResponse

    response = HttpResponse(body, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def input_files(publication: Publication) -> dict[str, pl.DataFrame]:
    """The snapshot's inputs as the CLI's files, keyed by file stem."""
    return publication.frozen_inputs().files()


def recheck_command(publication: Publication) -> str:
    """The `saima race` command that recomputes this result from the bundle's files."""
    files = input_files(publication)
    parts = [
        "saima race --rules rules.toml --targets targets.csv --actuals actuals.csv",
        f"--period {publication.period} --units units.csv",
    ]
    for name in ("adjustments", "scores", "previous"):
        if name in files:
            parts.append(f"--{name} {name}.csv")
    parts.append("--out recheck.csv")
    return " ".join(parts)


def bundle(publication: Publication) -> bytes:
    """A zip of the rules, every input, the results and the explanation, with a README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rules.toml", publication.rules_toml)
        for name, frame in input_files(publication).items():
            archive.writestr(f"{name}.csv", table_bytes(frame, ".csv"))
        archive.writestr("results.csv", table_bytes(results_frame(publication), ".csv"))
        archive.writestr("explanation.csv", table_bytes(explanation_frame(publication), ".csv"))
        archive.writestr(
            "README.txt",
            f"{publication.race.code} {publication.period}, version {publication.version}\n"
            f"Published {timezone.localtime(publication.published_at):%Y-%m-%d %H:%M} "
            f"{timezone.get_current_timezone_name()} (rule revision "
            f"{publication.rules_revision}).\n\nRecompute with:\n\n"
            f"    {recheck_command(publication)}\n",
        )
    return buffer.getvalue()
