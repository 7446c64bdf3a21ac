"""The adjustments register and manual scores: services, bad input, and their effect on a race."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saima.engine import parse_period
from saima.org.access import Access
from saima.org.models import Unit
from saima.races.definitions.selectors import race_rules
from saima.races.models import Adjustment, Evidence, ManualScore
from saima.races.register import selectors, services
from saima.races.register.tests.test_evidence import EXE, pdf_bytes, png_bytes
from saima.races.results.selectors import race_inputs, race_preview
from saima.testing import WORLD_RULES, make_race

Q1 = parse_period("2026-Q1")
Q2 = parse_period("2026-Q2")


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def add(world, race, **changes) -> Adjustment:
    fields = {
        "unit": "east",
        "category": "safety",
        "date": "2026-02-10",
        "points": "-1",
        "reason": "A workplace accident",
        "veto": False,
        **changes,
    }
    return services.adjustment_add(office(world), race, **fields)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def nothing_stored() -> bool:
    return not Adjustment.objects.exists() and not Evidence.objects.exists()


# --- Entering ----------------------------------------------------------------------------------


def test_an_entry_is_stored_with_its_evidence(world, race) -> None:
    entry = add(world, race, points="2.5", evidence_file=upload("award.pdf", pdf_bytes()))
    entry.refresh_from_db()
    assert entry.unit == world.units["east"]
    assert entry.points == Decimal("2.5")
    assert entry.date == datetime.date(2026, 2, 10)
    assert entry.entered_by == world.user("office")
    assert entry.evidence.name == "award.pdf"
    assert entry.evidence.content_type == "application/pdf"
    assert entry.evidence.size == len(pdf_bytes())


def test_a_unit_given_as_an_object_or_by_name(world, race) -> None:
    assert add(world, race, unit=world.units["west"]).unit == world.units["west"]
    assert add(world, race, unit="North County").unit == world.units["north"]


def test_a_veto_may_carry_zero_points(world, race) -> None:
    entry = add(world, race, points="0", veto=True)
    assert entry.veto and entry.points == 0


@pytest.fixture
def districts_race(world):
    """A race of the districts only: North County is outside its groups."""
    return make_race(world, code="districts", groups=[world.groups["districts"]])


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"unit": "north"}, "unit", "North County is not in the race's groups"),
        ({"unit": "city"}, "unit", "Qinghe City is not in the race's groups"),
        ({"unit": "nowhere"}, "unit", "nowhere is not in the race's groups"),
        ({"unit": ""}, "unit", "Choose a unit"),
        ({"category": "gossip"}, "category", "Choose a category"),
        ({"date": "2025-12-31"}, "date", "outside the race's year 2026"),
        ({"date": "2027-01-01"}, "date", "outside the race's year 2026"),
        ({"date": "15/03/2026"}, "date", "is not a date"),
        ({"date": ""}, "date", "Give the date"),
        ({"points": "0"}, "points", "non-zero points"),
        ({"points": ""}, "points", "Give the points"),
        ({"points": "abc"}, "points", "is not a number"),
        ({"points": "NaN"}, "points", "finite"),
        ({"points": "Infinity"}, "points", "finite"),
        ({"points": "100.5"}, "points", "at most 100 points"),
        ({"points": "-101"}, "points", "at most 100 points"),
        ({"points": "1.2345"}, "points", "at most 3 decimals"),
        ({"reason": "   "}, "reason", "Give the reason"),
        ({"reason": "x" * 2001}, "reason", "at most 2000 characters"),
        ({"evidence_file": upload("setup.pdf", EXE)}, "evidence", "content is not one of"),
        ({"evidence_file": upload("photo.pdf", png_bytes())}, "evidence", "content is a PNG"),
        ({"evidence_file": upload("setup.exe", EXE)}, "evidence", "not an allowed kind"),
        ({"evidence_file": upload("empty.pdf", b"")}, "evidence", "is empty"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    world, districts_race, changes, field, words
) -> None:
    with pytest.raises(ValidationError) as refused:
        add(world, districts_race, **changes)
    messages = refused.value.message_dict
    assert field in messages, messages
    assert words in " ".join(messages[field])
    assert nothing_stored()


def test_a_too_large_file_is_refused(world, race, settings) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 2048
    big = pdf_bytes() + b"%" + b"0" * 4096
    with pytest.raises(ValidationError) as refused:
        add(world, race, evidence_file=upload("big.pdf", big))
    assert "larger than 2 KB" in refused.value.message_dict["evidence"][0]
    assert nothing_stored()


def test_every_problem_is_listed_at_once(world, race) -> None:
    with pytest.raises(ValidationError) as refused:
        add(world, race, unit="city", points="0", reason="", evidence_file=upload("a.pdf", EXE))
    assert set(refused.value.message_dict) == {"unit", "points", "reason", "evidence"}
    assert nothing_stored()


def test_an_inactive_unit_is_outside_the_race(world, race) -> None:
    Unit.objects.filter(code="west").update(active=False)
    with pytest.raises(ValidationError):
        add(world, race, unit="west")
    assert nothing_stored()


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_enters_and_withdraws(world, race, persona) -> None:
    access = Access.for_user(world.user(persona))
    with pytest.raises(PermissionDenied):
        services.adjustment_add(
            access, race, unit="east", category="safety", date="2026-02-01", points=1, reason="x"
        )
    entry = add(world, race)
    with pytest.raises(PermissionDenied):
        services.adjustment_withdraw(access, entry, "no")
    with pytest.raises(PermissionDenied):
        services.adjustment_attach_evidence(access, entry, upload("a.pdf", pdf_bytes()))
    entry.refresh_from_db()
    assert entry.withdrawn_at is None and entry.evidence is None


# --- Withdrawing -------------------------------------------------------------------------------


def test_withdrawing_keeps_the_entry_and_needs_a_reason(world, race) -> None:
    entry = add(world, race)
    with pytest.raises(ValidationError) as refused:
        services.adjustment_withdraw(office(world), entry, "  ")
    assert "reason" in refused.value.message_dict
    done = services.adjustment_withdraw(office(world), entry, "Entered twice")
    assert done.withdrawn_by == world.user("office")
    assert done.withdraw_reason == "Entered twice"
    assert Adjustment.objects.filter(pk=entry.pk).exists()
    with pytest.raises(ValidationError) as again:
        services.adjustment_withdraw(office(world), entry, "Again")
    assert "already withdrawn" in again.value.message_dict["reason"][0]
    entry.refresh_from_db()
    assert entry.withdraw_reason == "Entered twice"


def test_withdrawn_entries_are_ignored_by_race_inputs(world, race) -> None:
    kept = add(world, race, points="1", reason="kept")
    gone = add(world, race, points="-2", reason="gone")
    services.adjustment_withdraw(office(world), gone, "mistake")
    inputs = race_inputs(race, race_rules(race), Q1)
    assert inputs.adjustments["reason"].to_list() == [kept.reason]


def test_attaching_evidence_later(world, race) -> None:
    entry = add(world, race)
    with pytest.raises(ValidationError):
        services.adjustment_attach_evidence(office(world), entry, upload("a.pdf", EXE))
    assert not Evidence.objects.exists()
    done = services.adjustment_attach_evidence(office(world), entry, upload("a.pdf", pdf_bytes()))
    assert done.evidence.name == "a.pdf"
    with pytest.raises(ValidationError) as refused:
        services.adjustment_attach_evidence(office(world), entry, upload("b.pdf", pdf_bytes()))
    assert "already has an evidence file" in refused.value.message_dict["evidence"][0]
    assert Evidence.objects.count() == 1


# --- The window --------------------------------------------------------------------------------


def test_each_event_counts_in_the_race_period_of_its_window(world, race) -> None:
    assert selectors.counting_period(race, datetime.date(2026, 3, 31)).label == "2026-Q1"
    assert selectors.counting_period(race, datetime.date(2026, 4, 1)).label == "2026-Q2"
    assert selectors.counting_period(race, datetime.date(2026, 12, 31)).label == "2026-Q4"
    march = add(world, race, date="2026-03-31", reason="march")
    add(world, race, date="2026-04-01", reason="april")
    q1 = race_inputs(race, race_rules(race), Q1)
    q2 = race_inputs(race, race_rules(race), Q2)
    assert q1.adjustments["reason"].to_list() == [march.reason]
    assert q2.adjustments["reason"].to_list() == ["april"]


# --- The effect on a race ----------------------------------------------------------------------


def standing(preview, unit: str) -> dict:
    return preview.result.standings.filter(pl.col("unit") == unit).to_dicts()[0]


def test_adjustments_change_the_preview_totals_within_the_caps(world, race) -> None:
    before = race_preview(office(world), race, Q1)
    east, west = standing(before, "east"), standing(before, "west")
    assert (east["bonus"], east["deduction"]) == (0, 0)

    add(world, race, unit="east", category="honours", points="2", reason="Provincial award")
    add(world, race, unit="west", category="safety", points="-4", reason="Accident")
    after = race_preview(office(world), race, Q1)
    assert standing(after, "east")["total"] == pytest.approx(east["total"] + 2)
    assert standing(after, "west")["total"] == pytest.approx(west["total"] - 4)

    # bonus_cap 3 and deduction_cap 5 of WORLD_RULES
    add(world, race, unit="east", category="other", points="5", reason="Second award")
    add(world, race, unit="west", category="petitions", points="-3", reason="Petition")
    capped = race_preview(office(world), race, Q1)
    assert standing(capped, "east")["bonus"] == pytest.approx(3)
    assert standing(capped, "east")["total"] == pytest.approx(east["total"] + 3)
    assert standing(capped, "west")["deduction"] == pytest.approx(5)
    assert standing(capped, "west")["total"] == pytest.approx(west["total"] - 5)

    # an event of April counts in Q2, not in Q1
    add(world, race, unit="east", points="-1", date="2026-04-02", reason="April incident")
    assert standing(race_preview(office(world), race, Q1), "east")["total"] == pytest.approx(
        east["total"] + 3
    )


def test_a_veto_bars_the_red_flag(world, race) -> None:
    before = race_preview(office(world), race, Q1)
    first = before.result.standings.filter(pl.col("flag") == "red")["unit"].to_list()
    assert first
    add(world, race, unit=first[0], points="0", veto=True, reason="Major accident")
    after = race_preview(office(world), race, Q1)
    assert standing(after, first[0])["veto"] is True
    assert standing(after, first[0])["flag"] != "red"


def test_totals_per_unit_and_period(world, race) -> None:
    add(world, race, unit="east", category="honours", points="2", reason="a")
    add(world, race, unit="east", category="other", points="2", reason="b")
    add(world, race, unit="east", category="safety", points="-1", date="2026-05-01", reason="c")
    gone = add(world, race, unit="west", points="-3", reason="d")
    services.adjustment_withdraw(office(world), gone, "mistake")
    units = selectors.register_units(office(world), race)
    entries = list(selectors.register_entries(office(world), race))
    totals = {
        (t.unit.code, t.period.label): t for t in selectors.register_totals(race, units, entries)
    }
    q1 = totals[("east", "2026-Q1")]
    assert (q1.entries, q1.bonus, q1.deduction) == (2, Decimal(4), Decimal(0))
    assert q1.counted_bonus == pytest.approx(3)  # the bonus cap
    assert totals[("east", "2026-Q2")].deduction == Decimal(1)
    assert totals[("west", "2026-Q1")].entries == 0


def test_a_unit_reads_only_its_own_entries(world, race) -> None:
    add(world, race, unit="east", reason="east's")
    add(world, race, unit="west", reason="west's")
    seen = {
        persona: sorted(
            e.reason for e in selectors.register_entries(Access.for_user(world.user(persona)), race)
        )
        for persona in ("office", "leader", "east_reporter", "west_approver", "stranger")
    }
    assert seen == {
        "office": ["east's", "west's"],
        "leader": ["east's", "west's"],
        "east_reporter": ["east's"],
        "west_approver": ["west's"],
        "stranger": [],
    }


# --- Manual scores -----------------------------------------------------------------------------


MANUAL_RULES = copy.deepcopy(WORLD_RULES)
MANUAL_RULES["indicator"][0]["weight"] = 25
MANUAL_RULES["indicator"].append(
    {"code": "inspection", "name": "Inspection rectification", "weight": 15, "method": "manual"}
)


@pytest.fixture
def manual_race(world):
    return make_race(world, code="manual", rules=MANUAL_RULES)


def rows(*triples) -> list[services.ScoreRow]:
    return [services.ScoreRow(unit=u, item=i, points=p) for u, i, p in triples]


def stored_scores(race) -> dict:
    return {
        (s.period, s.unit.code, s.item): s.points
        for s in ManualScore.objects.filter(race=race).select_related("unit")
    }


def test_manual_scores_replace_the_period(world, manual_race) -> None:
    access = office(world)
    services.manual_scores_save(
        access, manual_race, "2026-Q1", rows(("east", "inspection", 12), ("west", "inspection", 9))
    )
    services.manual_scores_save(access, manual_race, "2026-Q2", rows(("east", "inspection", 1)))
    saved = services.manual_scores_save(
        access,
        manual_race,
        "2026-q1",
        rows(("east", "inspection", "13.5"), ("North County", "inspection", 15)),
    )
    assert len(saved) == 2
    assert stored_scores(manual_race) == {
        ("2026-Q1", "east", "inspection"): Decimal("13.5"),
        ("2026-Q1", "north", "inspection"): Decimal(15),
        ("2026-Q2", "east", "inspection"): Decimal(1),
    }


def test_manual_scores_reach_the_preview(world, manual_race) -> None:
    services.manual_scores_save(
        office(world),
        manual_race,
        "2026-Q1",
        rows(("east", "inspection", 15), ("west", "inspection", 5), ("north", "inspection", 10)),
    )
    preview = race_preview(office(world), manual_race, Q1)
    assert preview.inputs.scores is not None
    assert sorted(preview.inputs.scores["points"].to_list()) == [5.0, 10.0, 15.0]
    assert not [m for m in preview.missing if m["item"] == "inspection"]


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ([("nowhere", "inspection", 5)], "nowhere is not in the race's groups"),
        ([("city", "inspection", 5)], "city is not in the race's groups"),
        ([("east", "fai", 5)], "fai is not a manual item of this race"),
        ([("east", "inspection", 16)], "outside 0–15"),
        ([("east", "inspection", -1)], "outside 0–15"),
        ([("east", "inspection", "x")], "is not a number"),
        ([("east", "inspection", "NaN")], "finite"),
        (
            [("east", "inspection", 5), ("East District", "inspection", 6)],
            "east already has a score for inspection (Score 1)",
        ),
    ],
)
def test_bad_manual_scores_are_refused(world, manual_race, given, words) -> None:
    services.manual_scores_save(
        office(world), manual_race, "2026-Q1", rows(("west", "inspection", 3))
    )
    before = stored_scores(manual_race)
    with pytest.raises(ValidationError) as refused:
        services.manual_scores_save(office(world), manual_race, "2026-Q1", rows(*given))
    assert words in " ".join(refused.value.message_dict["rows"])
    assert stored_scores(manual_race) == before


@pytest.mark.parametrize("period", ["2026-05", "2025-Q1", "2026-H1", "Q1", "", "x" * 40])
def test_a_period_that_is_not_the_races_is_refused(world, manual_race, period) -> None:
    with pytest.raises(ValidationError) as refused:
        services.manual_scores_save(
            office(world), manual_race, period, rows(("east", "inspection", 1))
        )
    assert "2026-Q1, 2026-Q2, 2026-Q3, 2026-Q4" in refused.value.message_dict["period"][0]
    assert not ManualScore.objects.exists()


def test_a_race_without_manual_items_takes_no_scores(world, race) -> None:
    with pytest.raises(ValidationError):
        services.manual_scores_save(office(world), race, "2026-Q1", rows(("east", "fai", 1)))


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_saves_scores(world, manual_race, persona) -> None:
    with pytest.raises(PermissionDenied):
        services.manual_scores_save(
            Access.for_user(world.user(persona)),
            manual_race,
            "2026-Q1",
            rows(("east", "inspection", 1)),
        )
    assert not ManualScore.objects.exists()


def test_scores_from_a_csv_file(world, manual_race) -> None:
    data = "单位,项目,得分\neast,inspection,12\nWest District,inspection,7.5\n".encode()
    parsed = services.scores_from_file(upload("scores.csv", data))
    assert [(r.unit, r.item, r.points, r.row) for r in parsed] == [
        ("east", "inspection", 12.0, 2),
        ("West District", "inspection", 7.5, 3),
    ]
    services.manual_scores_save(office(world), manual_race, "2026-Q1", parsed)
    assert stored_scores(manual_race)[("2026-Q1", "west", "inspection")] == Decimal("7.5")


def test_scores_from_an_xlsx_file_name_rows_in_problems(world, manual_race) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for line in (["unit", "item", "points"], ["east", "inspection", 20], ["west", "inspection", 3]):
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = services.scores_from_file(upload("scores.xlsx", buffer.getvalue()))
    with pytest.raises(ValidationError) as refused:
        services.manual_scores_save(office(world), manual_race, "2026-Q1", parsed)
    assert refused.value.message_dict["rows"] == [
        "Row 2: 20 points is outside 0–15, the weight of inspection."
    ]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("scores.csv", b"unit,item\neast,inspection\n", "missing required column: points"),
        ("scores.csv", b"unit,item,points\neast,inspection,abc\n", "row 2, column points"),
        ("scores.pdf", pdf_bytes(), "is not a CSV or XLSX file"),
        ("scores.xlsx", b"unit,item,points\n", "renamed to .xlsx"),
        ("scores.csv", b"", "is empty"),
    ],
)
def test_bad_score_files_are_refused_with_their_place(name, data, words) -> None:
    with pytest.raises(ValidationError) as refused:
        services.scores_from_file(upload(name, data))
    assert words in " ".join(refused.value.message_dict["file"])
