"""The example folders compute with the engine alone (no CLI, no saima.tabular)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from saima.engine import (
    compute_progress,
    load_rules,
    parse_period,
    score_race,
    specs_from_rules,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOT_APPLICABLE = {"n/a", "不适用"}


def _actuals(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, schema_overrides={"period": pl.String})
    periods = [parse_period(p) for p in frame["period"]]
    return frame.with_columns(
        year=pl.Series([p.year for p in periods]),
        month=pl.Series([p.month for p in periods]),
    )


def _targets_xlsx(path: Path) -> pl.DataFrame:
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("单位", "指标", "目标", "上年全年")
    body = rows[1:]
    return pl.DataFrame(
        {
            "unit": [r[0] for r in body],
            "indicator": [r[1] for r in body],
            "target": [None if r[2] in NOT_APPLICABLE else float(r[2]) for r in body],
            "not_applicable": [r[2] in NOT_APPLICABLE for r in body],
            "last_year_total": [None if r[3] is None else float(r[3]) for r in body],
        }
    )


def _race(folder: Path, targets: pl.DataFrame, period: str, **extra: pl.DataFrame):
    rules = load_rules(folder / "rules.toml")
    progress = compute_progress(
        targets,
        _actuals(folder / "actuals.csv"),
        parse_period(period),
        specs=specs_from_rules(rules),
        thresholds=rules.thresholds,
    )
    units = pl.read_csv(folder / "units.csv")
    return progress, score_race(rules, progress, units, **extra)


def test_worked_example_matches_the_domain_notes():
    folder = EXAMPLES / "worked"
    progress, result = _race(folder, pl.read_csv(folder / "targets.csv"), "2026-Q1")
    lights = dict(progress.select("unit", "light").iter_rows())
    assert lights == {"East": "green", "West": "yellow", "North": "yellow"}
    rows = {r["unit"]: r for r in result.standings.iter_rows(named=True)}
    assert {u: round(r["total"], 2) for u, r in rows.items()} == {
        "East": 100.00,
        "West": 71.43,
        "North": 60.00,
    }
    assert {u: r["flag"] for u, r in rows.items()} == {"East": "red", "West": "", "North": "yellow"}
    assert [rows[u]["rank"] for u in ("East", "West", "North")] == [1, 2, 3]


@pytest.fixture(scope="module")
def city():
    folder = EXAMPLES / "city"
    return _race(
        folder,
        _targets_xlsx(folder / "targets.xlsx"),
        "2026-H1",
        adjustments=pl.read_csv(folder / "adjustments.csv"),
        scores=pl.read_csv(folder / "scores.csv"),
        previous=pl.read_csv(folder / "previous-2026-Q1.csv"),
    )


def test_city_example_ranks_every_unit_in_its_group(city):
    _, result = city
    standings = result.standings
    assert standings.height == 16
    assert standings["status"].unique().to_list() == ["ranked"]
    assert standings.group_by("group").len().sort("group").rows() == [
        ("counties", 6),
        ("districts", 6),
        ("zones", 4),
    ]
    flags = standings.filter(pl.col("flag") != "").group_by("group", "flag").len()
    assert flags["len"].to_list() == [1] * flags.height
    totals = standings["total"].to_list()
    assert all(30 < t < 100 for t in totals)


def test_city_example_shows_the_planned_situations(city):
    progress, result = city
    rows = {r["unit"]: r for r in result.standings.iter_rows(named=True)}
    # The vetoed zone keeps its rank but not the red flag, which passes to the next zone.
    binhai = rows["Binhai Development Zone"]
    assert binhai["veto"] and binhai["flag"] == ""
    assert rows["Hi-tech Industrial Zone"]["flag"] == "red"
    # Yunxi County is red on every indicator and last of the counties twice running.
    yunxi = progress.filter(pl.col("unit") == "Yunxi County")
    assert set(yunxi["light"].to_list()) == {"red"}
    assert rows["Yunxi County"]["flag"] == "yellow"
    assert rows["Yunxi County"]["last_places"] == 2
    # Fengtai County's June retail figure is missing: shown, and scored zero.
    assert result.missing.select("unit", "item").rows() == [("Fengtai County", "retail")]
    retail = result.items.filter(
        (pl.col("unit") == "Fengtai County") & (pl.col("item") == "retail")
    )
    assert retail["points"].to_list() == [0.0]
    # GDP does not apply to the zones (n/a in the targets): its weight is spread.
    zone_items = result.items.filter(pl.col("unit") == "Binhai Development Zone")
    assert zone_items.filter(pl.col("item") == "gdp")["applicable"].to_list() == [False]
    assert sum(w for w in zone_items["weight"].to_list() if w is not None) == pytest.approx(100)
    # Some units are ahead of schedule, some behind.
    assert {"green", "yellow", "red"} <= set(progress["light"].to_list())
