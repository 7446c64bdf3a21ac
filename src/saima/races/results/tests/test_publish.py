"""Preview and publish: frozen snapshots, versions with reasons, and the CLI's re-check."""

from __future__ import annotations

import copy
import re
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saima.engine import RulesError, parse_period
from saima.engine.frames import INPUT_SCHEMAS
from saima.metrics.models import Observation, Target
from saima.org.access import Access
from saima.races.models import FrozenError, Publication
from saima.races.results.selectors import race_preview
from saima.races.results.services import race_publish
from saima.testing import WORLD_RULES, make_race

Q1 = parse_period("2026-Q1")
Q2 = parse_period("2026-Q2")


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def test_preview_ranks_each_group(world, race) -> None:
    preview = race_preview(office(world), race, Q1)
    standings = preview.result.standings
    assert standings["unit"].to_list() == ["north", "east", "west"]
    districts = standings.filter(pl.col("group") == "districts")
    assert districts["rank"].to_list() == [1, 2]
    assert districts["flag"].to_list() == ["red", "yellow"]


def test_preview_lists_missing_figures_with_the_policy(world, race) -> None:
    preview = race_preview(office(world), race, Q2)  # north has no June figures
    assert {(m["unit"], m["item"]) for m in preview.missing} == {
        ("north", "fai"),
        ("north", "ivag"),
        ("north", "pm25"),
        ("north", "projects"),
    }


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_previews_and_publishes(world, race, persona) -> None:
    access = Access.for_user(world.user(persona))
    with pytest.raises(PermissionDenied):
        race_preview(access, race, Q1)
    with pytest.raises(PermissionDenied):
        race_publish(access, race, Q1)
    assert not Publication.objects.exists()


def test_publish_freezes_a_snapshot(world, race) -> None:
    publication = race_publish(office(world), race, Q1)
    assert publication.version == 1
    before = copy.deepcopy(
        (publication.standings, publication.explanation, bytes(publication.inputs))
    )
    figure = Observation.objects.get(
        unit=world.units["west"], indicator=world.indicators["fai"], year=2026, month=3
    )
    figure.value = Decimal("500")
    figure.save()
    publication.refresh_from_db()
    assert (publication.standings, publication.explanation, bytes(publication.inputs)) == before
    # the live preview sees the revision; the snapshot does not
    live = race_preview(office(world), race, Q1).result.standings
    assert live.filter(pl.col("unit") == "west")["rank"].item() == 1
    with pytest.raises(FrozenError):
        publication.save()
    with pytest.raises(FrozenError):
        publication.delete()


def test_republish_needs_a_reason_and_keeps_both_versions(world, race) -> None:
    first = race_publish(office(world), race, Q1)
    with pytest.raises(ValidationError) as refused:
        race_publish(office(world), race, Q1)
    assert "reason" in refused.value.message_dict
    assert Publication.objects.count() == 1
    second = race_publish(office(world), race, Q1, reason="West's March figure corrected")
    assert second.version == 2
    assert list(Publication.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]
    assert first.standings == Publication.objects.get(pk=first.pk).standings


def test_publish_refuses_a_period_that_is_not_a_race(world, race) -> None:
    with pytest.raises(ValidationError):
        race_publish(office(world), race, parse_period("2026-05"))
    assert not Publication.objects.exists()


def test_a_unit_without_a_target_is_named(world, race) -> None:
    Target.objects.filter(unit=world.units["west"], indicator=world.indicators["fai"]).delete()
    with pytest.raises(ValidationError) as refused:
        race_publish(office(world), race, Q1)
    assert "fai" in str(refused.value) and "west" in str(refused.value)
    assert not Publication.objects.exists()


def test_an_item_that_reads_no_target_needs_none(world, race) -> None:
    """pm25 is ranked on its level against the group (efficacy on the value): no target."""
    Target.objects.filter(indicator=world.indicators["pm25"]).delete()
    publication = race_publish(office(world), race, Q1)
    pm25 = [row for row in publication.explanation if row["item"] == "pm25"]
    assert pm25 and all(row["points"] > 0 for row in pm25)
    assert all(row["rank"] is not None for row in publication.standings)


def test_a_period_with_no_figures_is_refused(world, race) -> None:
    with pytest.raises(ValidationError) as refused:
        race_publish(office(world), race, parse_period("2026-Q3"))
    assert "no figures" in str(refused.value)
    assert not Publication.objects.exists()


def test_weights_not_summing_to_100_are_refused(world) -> None:
    rules = copy.deepcopy(WORLD_RULES)
    rules["indicator"][0]["weight"] = 50
    with pytest.raises(RulesError) as refused:
        make_race(world, rules=rules)
    assert any("weights must sum to 100" in d for d in refused.value.details)


def test_previous_result_gives_rank_change(world, race) -> None:
    race_publish(office(world), race, Q1)
    q2 = race_preview(office(world), race, Q2)
    assert q2.inputs.previous is not None
    assert q2.result.standings["rank_change"].null_count() < q2.result.standings.height


def test_snapshot_inputs_round_trip(world, race) -> None:
    publication = race_publish(office(world), race, Q1)
    preview = race_preview(office(world), race, Q1)
    inputs = Publication.objects.get(pk=publication.pk).frozen_inputs()
    for name in INPUT_SCHEMAS:
        frozen, computed = getattr(inputs, name), getattr(preview.inputs, name)
        assert (frozen is None and computed is None) or frozen.equals(computed), name
    assert inputs.to_archive() == bytes(publication.inputs)


@pytest.mark.parametrize("code", ["new", "import", "follow-up", "evidence", "publications"])
def test_a_race_cannot_take_a_word_of_the_addresses(world, code) -> None:
    with pytest.raises(ValidationError) as refused:
        make_race(world, code=code)
    assert "code" in refused.value.message_dict


#: What anyone can download or read of a published result, as the office.
SNAPSHOT_READS = (
    "/races/keywork/2026-Q1/",
    "/races/keywork/2026-Q1/units/west/",
    "/races/keywork/2026-Q1/results.csv",
    "/races/keywork/2026-Q1/explanation.csv",
    "/api/races/keywork/results/2026-Q1",
    "/api/races/keywork/results/2026-Q1/explanation/west",
)


def test_a_published_result_reads_the_same_after_figures_and_rules_change(
    world, race, client
) -> None:
    """Pages, files and API of a publication come from its snapshot alone: a revised figure and
    new rules (other weights, another number of decimals) change none of them."""
    race_publish(office(world), race, Q1)
    client.force_login(world.user("office"))

    def read(url: str) -> bytes:  # the CSRF token is masked anew on every page
        return re.sub(rb'csrfmiddlewaretoken" value="\w+"', b"", client.get(url).content)

    before = {url: read(url) for url in SNAPSHOT_READS}
    figure = Observation.objects.get(
        unit=world.units["west"], indicator=world.indicators["fai"], year=2026, month=3
    )
    figure.value = Decimal("500")
    figure.save()
    rules = copy.deepcopy(WORLD_RULES)
    rules["decimals"] = 0
    rules["indicator"][0]["weight"], rules["indicator"][1]["weight"] = 30, 40
    make_race(world, race=race, rules=rules)
    assert race_preview(office(world), race, Q1).result.rules.decimals == 0
    after = {url: read(url) for url in SNAPSHOT_READS}
    for url in SNAPSHOT_READS:
        assert after[url] == before[url], url


def test_a_published_race_keeps_its_rhythm_and_groups(world, race) -> None:
    race_publish(office(world), race, Q1)
    with pytest.raises(ValidationError) as refused:
        make_race(world, race=race, rhythm="month")
    assert "rhythm" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_race(world, race=race, groups=[world.groups["districts"]])
    assert "groups" in refused.value.message_dict
    race.refresh_from_db()
    assert race.rhythm == "quarter" and race.groups.count() == 2
    assert race.revision == 1
