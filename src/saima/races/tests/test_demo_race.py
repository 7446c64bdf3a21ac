"""The demo city's race: published through the platform, every total equals the engine's."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from saima.demo import load_demo
from saima.engine import compute_progress, parse_period, score_race, specs_from_rules
from saima.metrics import selectors as metrics_selectors
from saima.org.access import Access
from saima.races.definitions.selectors import race_rules
from saima.races.models import Adjustment, Publication, RaceDefinition
from saima.races.results.exports import bundle
from saima.races.results.tests.test_results import assert_same_result, recheck
from saima.testing import drawn_once, keep

AS_OF = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def kept_demo(django_db_setup, django_db_blocker):
    """The demo city and its published quarters, loaded once for the module (see `keep`)."""
    with keep(django_db_blocker):
        with drawn_once():
            loaded = load_demo(as_of=AS_OF)
        yield loaded


@pytest.fixture
def demo(kept_demo, db):
    return kept_demo


def test_the_demo_publishes_its_finished_quarters(demo) -> None:
    race = RaceDefinition.objects.get(code="keywork")
    assert sorted(Publication.objects.values_list("period", flat=True)) == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert Adjustment.objects.filter(race=race).count() == 4


@pytest.mark.parametrize("label", ["2026-Q1", "2026-Q2", "2026-Q3"])
def test_every_published_total_equals_the_engine(demo, label) -> None:
    """Recompute each quarter with the engine from the platform's own progress frame (the one
    the overview uses), not from the snapshot: the published totals and ranks must agree."""
    race = RaceDefinition.objects.get(code="keywork")
    publication = Publication.objects.get(race=race, period=label)
    rules = race_rules(race)
    period = parse_period(label)
    office = Access(user_id=None, roles=frozenset({"office"}))
    targets = metrics_selectors.target_frame(office, period.year).drop("profile")
    actuals = metrics_selectors.observation_frame(office, period, months=range(1, 13))
    progress = compute_progress(
        targets, actuals, period, specs=specs_from_rules(rules), thresholds=rules.thresholds
    )
    snapshot = publication.frozen_inputs()
    result = score_race(
        rules,
        progress,
        snapshot.units,
        adjustments=snapshot.adjustments,
        previous=snapshot.previous,
    )
    engine = {
        row["unit"]: (row["rank"], row["total"], row["flag"])
        for row in result.standings.iter_rows(named=True)
    }
    published = {
        row["unit"]: (row["rank"], row["total"], row["flag"]) for row in publication.standings
    }
    assert published == engine
    assert len(published) == 15
    assert pl.DataFrame(publication.standings)["total"].null_count() == 0
    # "what would gain one place" is frozen with the result, and some unit can gain on some item
    assert any(row["gain_one_place"] is not None for row in publication.explanation)


@pytest.mark.parametrize("label", ["2026-Q1", "2026-Q2", "2026-Q3"])
def test_every_demo_quarter_rechecks_with_the_cli(demo, label, tmp_path) -> None:
    """The zip a publication offers, run through `saima race` as someone without Saima would:
    the same ranks, totals and flags (Q2 and Q3 against the quarter before them)."""
    publication = Publication.objects.get(race__code="keywork", period=label)
    recomputed = recheck(bundle(publication), tmp_path, label)
    assert_same_result(publication.standings, recomputed)
    assert recomputed.height == 15
