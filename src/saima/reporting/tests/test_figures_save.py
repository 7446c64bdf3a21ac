"""figures_save: the one path for figures — who, when, all or nothing, versions, checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saima.metrics.models import Observation
from saima.org.access import Access
from saima.reporting import services
from saima.reporting.models import Acknowledgement, PeriodLockEvent, Submission
from saima.reporting.services import FigureRow, FiguresRefused, figures_save
from saima.reporting.tests.conftest import EAST_OCTOBER, rows_for, save, set_status


def figure(unit: str, indicator: str, month: int) -> Observation:
    return Observation.objects.get(
        unit__code=unit, indicator__code=indicator, year=2026, month=month
    )


def test_stores_rows_with_versions_and_a_draft(world):
    result = save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    assert [o.indicator.code for o in result.stored] == ["fai", "ivag", "pm25", "projects"]
    stored = figure("east", "fai", 10)
    assert (stored.value, stored.version, stored.entered_by) == (
        Decimal("120.5"),
        1,
        world.user("east_reporter"),
    )
    assert result.findings == []
    assert Submission.objects.get(unit=world.units["east"], year=2026, month=10).status == "draft"
    # Saving the same figures again changes nothing: no new version, no history.
    again = save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    assert again.stored == [] and len(again.unchanged) == 4
    assert figure("east", "fai", 10).version == 1
    assert figure("east", "fai", 10).history.count() == 1
    save(world, "east_reporter", "east", 10, {"fai": "121"})
    assert figure("east", "fai", 10).version == 2


@pytest.mark.parametrize(
    ("persona", "unit", "allowed"),
    [
        ("office", "east", True),
        ("office", "west", True),
        ("east_reporter", "east", True),
        ("east_reporter", "west", False),
        ("west_approver", "west", False),
        ("leader", "east", False),
        ("stranger", "east", False),
    ],
)
def test_permission_per_row(world, persona, unit, allowed):
    if allowed:
        assert len(save(world, persona, unit, 10, {"fai": "100"}).stored) == 1
        return
    with pytest.raises(FiguresRefused) as refused:
        save(world, persona, unit, 10, {"fai": "100"})
    assert refused.value.row_errors == {
        0: [f"You may not enter figures for {world.units[unit].name_en}."]
    }
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_a_reporter_cannot_slip_another_units_row_in(world):
    user = world.user("east_reporter")
    rows = rows_for("east", 2026, 10, {"fai": "100"}) + rows_for("west", 2026, 10, {"fai": "90"})
    with pytest.raises(FiguresRefused) as refused:
        figures_save(access=Access.for_user(user), user=user, rows=rows, source="test")
    assert list(refused.value.row_errors) == [1]
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_one_bad_row_stores_nothing(world):
    before = sorted(Observation.objects.values_list("pk", "value", "version"))
    rows = [
        FigureRow("east", "fai", 2026, 6, Decimal("80")),
        FigureRow("east", "ivag", 2026, 6, "seven"),
        FigureRow("east", "pm25", 2026, 6, Decimal("29")),
        FigureRow("east", "nope", 2026, 6, Decimal("1")),
        FigureRow("east", "projects", 2026, 6, Decimal("-3")),
    ]
    office = world.user("office")
    with pytest.raises(FiguresRefused) as refused:
        figures_save(access=Access.for_user(office), user=office, rows=rows, source="test")
    assert refused.value.row_errors == {
        1: ["'seven' is not a number."],
        3: ["There is no indicator with the code nope."],
        4: ["A cumulative figure cannot be negative."],
    }
    assert refused.value.message_dict["rows.1"] == ["'seven' is not a number."]
    assert sorted(Observation.objects.values_list("pk", "value", "version")) == before
    assert figure("east", "fai", 6).value == Decimal("79.2")


def test_a_row_refused_late_in_the_save_rolls_back_the_others(world):
    """A check error on the last row (a decrease) comes after the others were validated."""
    count = Observation.objects.count()
    with pytest.raises(FiguresRefused) as refused:
        save(world, "office", "east", 10, {"fai": "120", "pm25": "30", "projects": "2"})
    assert list(refused.value.row_errors) == [2]
    assert "14.4" in refused.value.row_errors[2][0]  # the decrease names the June figure
    assert Observation.objects.count() == count
    assert not Submission.objects.exists()


def test_duplicate_rows_are_refused(world):
    rows = rows_for("east", 2026, 10, {"fai": "100"}) * 2
    office = world.user("office")
    with pytest.raises(FiguresRefused) as refused:
        figures_save(access=Access.for_user(office), user=office, rows=rows, source="test")
    assert refused.value.row_errors == {1: ["The same figure is also in row 1."]}


def test_future_month_is_refused(world):
    with pytest.raises(FiguresRefused) as refused:
        save(world, "office", "east", 12, {"fai": "150"})
    assert refused.value.row_errors == {0: ["2026-12 is in the future."]}
    # The current month (November, today 2026-11-25) may be entered.
    assert save(world, "office", "east", 11, {"fai": "130"}).stored


def test_locked_month_refuses_figures_and_steps(world, access_of_persona):
    office = world.user("office")
    services.period_lock(
        access=access_of_persona("office"), user=office, year=2026, month=6, reason="Bulletin out"
    )
    with pytest.raises(FiguresRefused) as refused:
        save(world, "office", "east", 6, {"fai": "80"})
    (message,) = refused.value.row_errors[0]
    assert message.startswith("2026-06 is locked (by office at ")
    assert message.endswith(": Bulletin out); nothing can change.")
    with pytest.raises(services.WorkflowError, match="locked"):
        services.submission_submit(
            access=access_of_persona("east_reporter"),
            user=world.user("east_reporter"),
            unit=world.units["east"],
            year=2026,
            month=6,
        )
    with pytest.raises(services.WorkflowError, match="already locked"):
        services.period_lock(access=access_of_persona("office"), user=office, year=2026, month=6)
    with pytest.raises(services.ValidationError, match="unlocked"):
        services.period_unlock(
            access=access_of_persona("office"), user=office, year=2026, month=6, reason=""
        )
    services.period_unlock(
        access=access_of_persona("office"), user=office, year=2026, month=6, reason="Correction"
    )
    assert save(world, "office", "east", 6, {"fai": "80"}).stored
    events = list(PeriodLockEvent.objects.order_by("at", "pk").values_list("action", "reason"))
    assert events == [("lock", "Bulletin out"), ("unlock", "Correction")]


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_locks(world, access_of_persona, persona):
    with pytest.raises(services.PermissionDenied):
        services.period_lock(
            access=access_of_persona(persona), user=world.user(persona), year=2026, month=6
        )
    assert not PeriodLockEvent.objects.exists()


def test_version_conflict_names_the_newer_value_and_who(world):
    key = ("east", "fai", 2026, 6)
    assert figure("east", "fai", 6).version == 0
    save(world, "office", "east", 6, {"fai": "85.5"}, expected_versions={key: 0})
    with pytest.raises(FiguresRefused) as refused:
        save(world, "east_reporter", "east", 6, {"fai": "90"}, expected_versions={key: 0})
    (message,) = refused.value.row_errors[0]
    assert message.startswith("Changed by office at 2026-")
    assert message.endswith(" to 85.5; reload.")
    assert figure("east", "fai", 6).value == Decimal("85.5")
    # With the version just read, the change goes through.
    save(world, "east_reporter", "east", 6, {"fai": "90"}, expected_versions={key: 1})
    assert figure("east", "fai", 6).version == 2


def test_version_conflict_on_a_new_figure(world):
    key = ("east", "fai", 2026, 10)
    save(world, "office", "east", 10, {"fai": "100"})
    with pytest.raises(FiguresRefused, match="Changed by office"):
        save(world, "east_reporter", "east", 10, {"fai": "101"}, expected_versions={key: 0})


def test_reporter_cannot_change_submitted_figures(world):
    set_status(world, "east", 6, "submitted")
    with pytest.raises(FiguresRefused) as refused:
        save(world, "east_reporter", "east", 6, {"fai": "80"})
    assert refused.value.row_errors == {
        0: [
            "The figures of East District for 2026-06 are submitted; ask for them to be "
            "returned before changing them."
        ]
    }
    set_status(world, "east", 6, "returned")
    assert save(world, "east_reporter", "east", 6, {"fai": "80"}).stored


def test_change_after_acceptance_needs_a_reason_kept_in_history(world):
    set_status(world, "east", 6, "accepted")
    with pytest.raises(FiguresRefused) as refused:
        save(world, "office", "east", 6, {"fai": "80"})
    assert refused.value.row_errors == {
        0: ["East District's figures for 2026-06 are accepted: give a reason for the change."]
    }
    save(world, "office", "east", 6, {"fai": "80"}, change_reason="Statistics bureau revision")
    stored = figure("east", "fai", 6)
    assert stored.value == Decimal("80")
    latest = stored.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Statistics bureau revision"
    assert latest.history_user == world.user("office")
    assert latest.version == 1
    with pytest.raises(FiguresRefused):
        save(world, "east_reporter", "east", 6, {"fai": "81"}, change_reason="Typo")


def test_a_blocking_check_refuses_the_row(world):
    with pytest.raises(FiguresRefused) as refused:
        save(world, "east_reporter", "east", 10, {"fai": "10"})
    (message,) = refused.value.row_errors[0]
    assert "79.2" in message  # the decrease names the June figure
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_an_indicators_check_settings_decide_error_warning_or_off(world):
    fai = world.indicators["fai"]
    fai.check_settings = {"severity": {"decrease": "warning"}}
    fai.save(update_fields=["check_settings"])
    result = save(world, "east_reporter", "east", 10, {"fai": "10"})
    decrease = [f for f in result.findings if f.check == "decrease"]
    assert [(f.severity, f.blocking) for f in decrease] == [("warning", False)]  # stored
    assert Observation.objects.get(unit__code="east", indicator__code="fai", year=2026, month=10)
    fai.check_settings = {"severity": {"decrease": "off"}}
    fai.save(update_fields=["check_settings"])
    result = save(world, "east_reporter", "east", 10, {"fai": "9"})
    assert [f.check for f in result.findings if f.check == "decrease"] == []


def test_check_settings_are_validated(world):
    from django.core.exceptions import ValidationError

    fai = world.indicators["fai"]
    fai.check_settings = {"severity": {"decreas": "off"}}
    with pytest.raises(ValidationError, match="unknown check code"):
        fai.full_clean()
    fai.check_settings = {"tolerance": 3}
    with pytest.raises(ValidationError, match="unknown check settings: tolerance"):
        fai.full_clean()


def test_warnings_need_a_comment_before_submitting(world, access_of_persona):
    growth_off = {**EAST_OCTOBER}
    rows = rows_for("east", 2026, 10, growth_off)
    rows[0] = FigureRow("east", "fai", 2026, 10, Decimal("120.5"), Decimal("100"), Decimal("5"))
    reporter = world.user("east_reporter")
    access = access_of_persona("east_reporter")
    result = figures_save(access=access, user=reporter, rows=rows, source="test")
    warnings = [(f.indicator, f.check, f.acknowledged) for f in result.unacknowledged]
    assert warnings == [("fai", "growth_mismatch", False)]
    east = world.units["east"]
    with pytest.raises(services.WorkflowError) as refused:
        services.submission_submit(access=access, user=reporter, unit=east, year=2026, month=10)
    assert "explain it with a comment before submitting" in refused.value.messages[0]

    comment = {("east", "fai", 2026, 10, "growth_mismatch"): "Bureau's growth is on a new base."}
    again = figures_save(
        access=access, user=reporter, rows=rows, source="test", acknowledgements=comment
    )
    assert [(f.check, f.acknowledged) for f in again.findings] == [("growth_mismatch", True)]
    ack = Acknowledgement.objects.get()
    assert (ack.check_code, ack.comment, ack.by) == (
        "growth_mismatch",
        "Bureau's growth is on a new base.",
        reporter,
    )
    services.submission_submit(access=access, user=reporter, unit=east, year=2026, month=10)

    # A changed figure needs a fresh explanation.
    set_status(world, "east", 10, "returned")
    rows[0] = FigureRow("east", "fai", 2026, 10, Decimal("121"), Decimal("100"), Decimal("5"))
    changed = figures_save(access=access, user=reporter, rows=rows, source="test")
    assert [f.acknowledged for f in changed.unacknowledged] == [False]
    with pytest.raises(services.WorkflowError):
        services.submission_submit(access=access, user=reporter, unit=east, year=2026, month=10)


def test_reason_is_limited_to_what_history_keeps(world):
    with pytest.raises(FiguresRefused, match="100 characters"):
        save(world, "office", "east", 6, {"fai": "80"}, change_reason="x" * 101)


def test_a_single_units_figure_is_compared_with_its_race_group(world):
    from decimal import Decimal

    from saima.metrics.models import Target
    from saima.org.models import Unit

    districts = world.groups["districts"]
    ivag = world.indicators["ivag"]
    for index, growth in enumerate(["7.0", "7.2", "6.8", "7.1", "6.9", "7.3"]):
        unit = Unit.objects.create(
            code=f"d{index}",
            name_zh=f"区{index}",
            name_en=f"D{index}",
            kind="district",
            parent=world.units["city"],
            race_group=districts,
        )
        Target.objects.create(unit=unit, indicator=ivag, year=2026, value=Decimal("7"))
        Observation.objects.create(
            unit=unit, indicator=ivag, year=2026, month=7, value=Decimal(growth)
        )
    result = save(world, "east_reporter", "east", 7, {"ivag": "25"})
    group = [f for f in result.findings if f.check == "outlier_group"]
    assert len(group) == 1 and group[0].severity == "warning"
    assert "robust z" in group[0].message
