"""Loading the demo into the database, and what the progress engine makes of it."""

from __future__ import annotations

import datetime
import time
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from saima.demo import (
    CHANGE_REASON,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MISSING_UNIT,
    RED_UNIT,
    REPORTER_UNIT,
    load_demo,
)
from saima.demo.loader import data_digest
from saima.engine import Period
from saima.metrics.models import Indicator, Observation, Target
from saima.metrics.selectors import progress
from saima.org.access import Access
from saima.org.models import Membership, RaceGroup, Role, Unit
from saima.testing import drawn_once, keep

AS_OF = datetime.date(2026, 11, 25)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def kept_city(django_db_setup, django_db_blocker):
    """The demo city, loaded once for the module's tests that read it (see `keep`)."""
    with keep(django_db_blocker):
        with drawn_once():
            loaded = load_demo(as_of=AS_OF)
        yield loaded


@pytest.fixture
def city(kept_city, db):
    return kept_city


def office_access() -> Access:
    return Access(user_id=None, roles=frozenset({Role.OFFICE}))


def test_the_city_has_its_cast_and_a_target_for_every_unit_and_indicator(city) -> None:
    assert city.loaded and city.scale == "city" and city.year == 2026
    root = Unit.objects.get(parent=None)
    assert (root.code, root.name_zh, root.name_en, root.kind) == (
        "qinghe",
        "青河市",
        "Qinghe City",
        "city",
    )
    units = Unit.objects.exclude(pk=root.pk)
    assert units.count() == city.units >= 12
    assert set(units.values_list("parent", flat=True)) == {root.pk}
    assert RaceGroup.objects.count() == 3
    assert {g.name_zh for g in RaceGroup.objects.all()} == {"城区组", "县市组", "开发区组"}
    assert not units.filter(race_group=None).exists()
    assert all(u.name_zh and u.name_en and u.code for u in units)
    indicators = Indicator.objects.all()
    assert indicators.count() >= 12
    assert set(indicators.values_list("kind", flat=True)) == {"amount", "growth", "count", "level"}
    assert set(indicators.values_list("direction", flat=True)) == {"higher", "lower"}
    lower = set(indicators.filter(direction="lower").values_list("code", flat=True))
    assert {"pm25", "unemployment", "energy-intensity"} <= lower
    assert set(indicators.values_list("frequency", flat=True)) == {"monthly"}
    fai = Indicator.objects.get(code="fai")
    assert fai.combined_jan_feb and len(fai.profile) == 11
    assert fai.profile[4] < 50  # back-loaded: under half done at the half year
    assert len(Indicator.objects.get(code="retail").profile) == 12
    for indicator in indicators:
        indicator.full_clean()
    assert Target.objects.filter(year=2026).count() == units.count() * indicators.count()
    not_applicable = Target.objects.filter(not_applicable=True)
    assert set(not_applicable.values_list("indicator__code", flat=True)) == {"gdp-growth"}
    assert set(not_applicable.values_list("unit__kind", flat=True)) == {"zone"}
    assert not Target.objects.filter(
        indicator__kind__in=["amount", "count"], indicator__source="", last_year_total=None
    ).exists()


def test_months_follow_the_reporting_deadline(city) -> None:
    assert city.months == tuple(range(1, 11)) and city.latest_period == "2026-10"
    this_year = Observation.objects.filter(year=2026)
    assert sorted(set(this_year.values_list("month", flat=True))) == list(range(1, 11))
    last_year = Observation.objects.filter(year=2025)
    assert sorted(set(last_year.values_list("month", flat=True))) == list(range(1, 13))
    combined = Observation.objects.filter(indicator__combined_jan_feb=True)
    assert not combined.filter(month=1).exists()
    assert combined.filter(year=2026, month=2).exists()
    assert not Observation.objects.filter(year=2026, month__gt=10).exists()
    # every applicable unit × indicator has every month, except the missing unit's October
    # (indicators computed from other records, such as the projects, are reported by no one)
    reported = Target.objects.filter(not_applicable=False, indicator__source="")
    applicable = reported.count()
    months = {i.code: (9 if i.combined_jan_feb else 10) for i in Indicator.objects.all()}
    expected = sum(months[code] for code in reported.values_list("indicator__code", flat=True))
    missing = reported.filter(unit__code=MISSING_UNIT).count()
    assert this_year.count() == expected - missing
    assert this_year.filter(month=10).count() == applicable - missing
    amounts = this_year.filter(indicator__kind="amount")
    assert not amounts.filter(last_year_value=None).exists()
    assert not amounts.filter(growth=None).exists()
    growth = this_year.filter(indicator__kind="growth")
    assert growth.filter(value__lt=20, value__gt=-10).count() == growth.count()
    notes = this_year.exclude(note="")
    assert 3 <= notes.count() <= 60
    assert set(notes.values_list("month", flat=True)) == {10}


def test_loading_is_deterministic_and_idempotent(city) -> None:
    digest = data_digest()
    counts = (Unit.objects.count(), Observation.objects.count(), Target.objects.count())
    again = load_demo(as_of=AS_OF)
    assert not again.loaded and "already has units" in again.message
    assert data_digest() == digest
    assert (Unit.objects.count(), Observation.objects.count(), Target.objects.count()) == counts
    reloaded = load_demo(as_of=AS_OF, reset=True)
    assert reloaded.loaded
    assert data_digest() == digest
    assert (Unit.objects.count(), Observation.objects.count(), Target.objects.count()) == counts
    # the reset cleared the old history: one "+" record per figure and target
    history = Observation.history.all()
    assert history.count() == Observation.objects.count()
    assert set(history.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", None, CHANGE_REASON)
    }
    assert Target.history.count() == Target.objects.count()
    assert load_demo(as_of=datetime.date(2026, 7, 20), reset=True).months == (1, 2, 3, 4, 5, 6)
    assert data_digest() != digest


def test_the_progress_engine_sees_lights_of_every_colour(city) -> None:
    frame = progress(office_access(), Period(2026, 10))
    assert frame.height == Target.objects.count()
    computed = list(Indicator.objects.exclude(source="").values_list("code", flat=True))
    frame = frame.filter(~frame["indicator"].is_in(computed))  # the figures units report
    lights = Counter(frame["light"].to_list())
    assert lights["green"] > 0 and lights["yellow"] > 0 and lights["red"] > 0
    by_unit: dict[str, Counter] = {}
    for row in frame.iter_rows(named=True):
        by_unit.setdefault(row["unit"], Counter())[row["light"]] += 1
    mostly = {unit: counts.most_common(1)[0][0] for unit, counts in by_unit.items()}
    assert Counter(mostly.values())["green"] >= 3
    assert "yellow" in mostly.values()
    red = by_unit[RED_UNIT]
    applicable = sum(n for light, n in red.items() if light != "n/a")
    assert red["red"] >= applicable * 2 / 3
    assert set(by_unit[MISSING_UNIT]) == {"missing"}
    others = {u: c for u, c in by_unit.items() if u != MISSING_UNIT}
    assert not any(c["missing"] for c in others.values())
    assert sum(c["red"] for u, c in others.items() if u != RED_UNIT) < sum(
        c["green"] for c in others.values()
    )


def test_double_over_half_at_the_half_year(city) -> None:
    frame = progress(office_access(), Period(2026, 6, "half"))
    assert frame["period"].unique().to_list() == ["2026-H1"]
    computed = list(Indicator.objects.exclude(source="").values_list("code", flat=True))
    frame = frame.filter(~frame["indicator"].is_in(computed))  # the figures units report
    applicable = frame.filter(frame["applicable"])
    halves = applicable.filter(
        applicable["kind"].is_in(["amount", "count"]) & (applicable["direction"] == "higher")
    )
    assert halves["double_over_half"].null_count() == 0
    assert set(halves["double_over_half"].to_list()) == {True, False}
    others = applicable.filter(
        ~applicable["indicator"].is_in(halves["indicator"].unique().implode())
    )
    assert others["double_over_half"].null_count() == others.height  # growth, levels
    assert frame.filter(~frame["applicable"])["double_over_half"].null_count() == 4
    fai = frame.filter((frame["indicator"] == "fai") & frame["applicable"])
    for row in fai.iter_rows(named=True):
        assert row["time_progress"] == 46.5  # the schedule is the light's business...
        assert row["double_over_half"] == (row["completion"] >= 50)  # ...half the task this one


def test_past_months_are_reported_approved_and_accepted_on_time(city) -> None:
    """Every month of the demo year is accepted, submitted before its due date, except the
    deliberately missing unit's latest month, which the board shows late."""
    from saima.reporting import calendar
    from saima.reporting.models import Submission
    from saima.reporting.selectors import status_rows

    units = Unit.objects.filter(targets__year=2026).distinct().count()
    submissions = Submission.objects.filter(year=2026)
    assert submissions.count() == units * 10 - 1
    assert set(submissions.values_list("status", flat=True)) == {"accepted"}
    for submission in submissions:
        due = calendar.schedule(2026, submission.month).due_on
        local = timezone.localtime(submission.submitted_at).date()
        assert local < due, submission
        assert submission.submitted_at < submission.approved_at < submission.accepted_at
    for month in range(1, 10):
        assert not [row for row in status_rows(2026, month, today=AS_OF) if row.late]
    late = [row.unit.code for row in status_rows(2026, 10, today=AS_OF) if row.late]
    assert late == [MISSING_UNIT]
    own = submissions.get(unit__code=REPORTER_UNIT, month=3)
    assert (own.submitted_by.username, own.accepted_by.username) == ("reporter", "office")


def test_the_demo_logins_work_and_have_their_roles(city) -> None:
    assert city.logins == DEMO_LOGINS and city.password == DEMO_PASSWORD
    users = {}
    request = RequestFactory().post("/accounts/login/")  # the login throttle reads the request
    for username, _role in DEMO_LOGINS:
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        users[username] = user
    assert authenticate(request, username="office", password="wrong") is None
    assert users["office"].is_staff and not users["leader"].is_staff

    def roles(name):
        return set(Membership.objects.filter(user=users[name]).values_list("role", "unit__code"))

    assert roles("office") == {(Role.OFFICE, None)}
    assert roles("leader") == {(Role.LEADER, None)}
    assert roles("reporter") == {(Role.REPORTER, REPORTER_UNIT)}
    assert roles("approver") == {(Role.APPROVER, REPORTER_UNIT)}
    assert Unit.objects.get(code=REPORTER_UNIT).kind == "district"
    reporter = Access.for_user(users["reporter"])
    frame = progress(reporter, Period(2026, 10))
    assert set(frame["unit"]) == {REPORTER_UNIT}


def test_a_reset_replaces_demo_logins_and_figures_entered_since(city) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="leader").update(is_active=False)
    Observation.objects.filter(unit__code=REPORTER_UNIT).delete()
    assert load_demo(as_of=AS_OF, reset=True).loaded
    assert get_user_model().objects.get(username="leader").is_active
    assert Observation.objects.filter(unit__code=REPORTER_UNIT).exists()


def test_a_taken_demo_username_is_refused_without_reset() -> None:
    from django.contrib.auth import get_user_model

    from saima.demo.loader import DemoError

    get_user_model().objects.create_user(username="office", password="x" * 12)
    with pytest.raises(DemoError, match="office"):
        load_demo(as_of=AS_OF)
    assert not Unit.objects.exists()
    assert load_demo(as_of=AS_OF, reset=True).loaded


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        load_demo(as_of=AS_OF, scale="nation")


@pytest.mark.skipif(
    not apps.is_installed("saima.demo"), reason="saima.demo is not in INSTALLED_APPS"
)
def test_the_management_command(capsys) -> None:
    call_command("load_demo", "--as-of", "2026-11-25")
    assert "Qinghe City" in capsys.readouterr().out
    call_command("load_demo")
    assert "nothing was loaded" in capsys.readouterr().out
    assert Unit.objects.count() == 16


# Once, on PostgreSQL when the test command has it: the same loader as the city's, at scale (its
# bulk inserts in chunks), which the city's tests run on both databases.
@pytest.mark.postgresql_leg
def test_the_province_scale_loads_150_units_by_40_indicators() -> None:
    started = time.perf_counter()
    summary = load_demo(as_of=AS_OF, scale="province")
    seconds = time.perf_counter() - started
    assert summary.loaded  # its time is printed, not asserted: machines are shared and noisy
    assert Unit.objects.exclude(parent=None).count() == 150
    assert RaceGroup.objects.count() == 10
    assert Indicator.objects.count() == 40
    assert Target.objects.count() == 150 * 40
    assert Observation.objects.count() == summary.observations > 120_000
    frame = progress(office_access(), Period(2026, 10))
    lights = Counter(frame["light"].to_list())
    assert lights["missing"] >= len(summary.missing_units)
    assert all(lights[c] for c in ("green", "yellow", "red"))
    print(f"province: {summary.observations} figures loaded in {seconds:.1f} s")
