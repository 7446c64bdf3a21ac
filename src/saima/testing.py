"""A shared test world: named personas and a small city with targets and figures.

Personas: `office` (office administrator), `leader`, `east_reporter` (reporter of East District),
`west_approver` (approver of West District) and `stranger` (signed in, no role). The city has two
districts and a county in two race groups, four indicators of different kinds, targets for 2026,
and figures for every month of 2025 and January–June 2026 (North County has not reported June).

Data that many tests only read is built once per test module and kept: a fixture named `kept_*`
(module-scoped) builds it inside a transaction of the module's own, each test's transaction nests
in it as a savepoint and is rolled back as before, and the module's transaction is rolled back
after its last test (see `keep`). A test sees only the kept data it asks for: each module's tests
run from those that ask for the least kept data to those that ask for the most (see
`pytest_collection_modifyitems` below).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "correct-horse-battery"
YEAR = 2026


@dataclass
class World:
    units: dict
    groups: dict
    indicators: dict
    users: dict

    def user(self, name: str):
        return self.users[name]


def examples(count: int) -> int:
    """A property test's number of examples: `count` under Hypothesis's default profile (100
    examples), in proportion under the profile in force (the test command's "ci" profile, see
    conftest.py, runs a quarter)."""
    from hypothesis import settings

    return max(1, count * settings.default.max_examples // 100)


def _build_world():
    from saima.metrics.models import Indicator, Observation, Target
    from saima.org.models import RaceGroup, Role, Unit
    from saima.org.services import user_create

    districts = RaceGroup.objects.create(code="districts", name_zh="城区组", name_en="Districts")
    counties = RaceGroup.objects.create(code="counties", name_zh="县区组", name_en="Counties")
    city = Unit.objects.create(code="city", name_zh="青河市", name_en="Qinghe City", kind="city")
    units = {
        "city": city,
        "east": Unit.objects.create(
            code="east",
            name_zh="东城区",
            name_en="East District",
            kind="district",
            parent=city,
            race_group=districts,
            order=1,
        ),
        "west": Unit.objects.create(
            code="west",
            name_zh="西城区",
            name_en="West District",
            kind="district",
            parent=city,
            race_group=districts,
            order=2,
        ),
        "north": Unit.objects.create(
            code="north",
            name_zh="北山县",
            name_en="North County",
            kind="county",
            parent=city,
            race_group=counties,
            order=3,
        ),
    }
    indicators = {
        "fai": Indicator.objects.create(
            code="fai",
            name_zh="固定资产投资",
            name_en="Fixed-asset investment",
            kind="amount",
            measure_zh="亿元",
            measure_en="100m yuan",
            decimals=2,
            order=1,
        ),
        "ivag": Indicator.objects.create(
            code="ivag",
            name_zh="规上工业增加值增速",
            name_en="Industrial value-added growth",
            kind="growth",
            measure_zh="%",
            measure_en="%",
            decimals=1,
            order=2,
        ),
        "pm25": Indicator.objects.create(
            code="pm25",
            name_zh="PM2.5浓度",
            name_en="PM2.5 concentration",
            kind="level",
            direction="lower",
            measure_zh="微克/立方米",
            measure_en="µg/m³",
            decimals=1,
            order=3,
        ),
        "projects": Indicator.objects.create(
            code="projects",
            name_zh="新开工项目",
            name_en="Projects started",
            kind="count",
            measure_zh="个",
            measure_en="projects",
            decimals=0,
            order=4,
        ),
    }
    targets = {"fai": 120, "ivag": 7, "pm25": 35, "projects": 24}
    scale = {"east": Decimal("1.2"), "west": Decimal("0.9"), "north": Decimal("0.7")}
    for code in ("east", "west", "north"):
        for key, indicator in indicators.items():
            value = Decimal(targets[key]) * (scale[code] if key in ("fai", "projects") else 1)
            Target.objects.create(
                unit=units[code],
                indicator=indicator,
                year=YEAR,
                value=value,
                last_year_total=value / Decimal("1.1") if key == "fai" else None,
            )
    rows = []
    for code in ("east", "west", "north"):
        pace = scale[code]
        for year, months in ((YEAR - 1, range(1, 13)), (YEAR, range(1, 7))):
            for month in months:
                if code == "north" and (year, month) == (YEAR, 6):
                    continue
                growth = Decimal("1.1") if year == YEAR else 1
                values = {
                    "fai": Decimal(10) * month * pace * growth,
                    "ivag": Decimal("6.5") + pace,
                    "pm25": Decimal(30) + 4 * (2 - pace * 2),
                    "projects": Decimal(2 * month) * pace,
                }
                for key, indicator in indicators.items():
                    rows.append(
                        Observation(
                            unit=units[code],
                            indicator=indicator,
                            year=year,
                            month=month,
                            value=values[key].quantize(Decimal("0.01")),
                            last_year_value=(
                                (Decimal(10) * month * pace).quantize(Decimal("0.01"))
                                if key == "fai" and year == YEAR
                                else None
                            ),
                        )
                    )
    Observation.objects.bulk_create(rows)
    users = {
        "office": user_create(username="office", password=PASSWORD, roles=[(Role.OFFICE, None)]),
        "leader": user_create(username="leader", password=PASSWORD, roles=[(Role.LEADER, None)]),
        "east_reporter": user_create(
            username="east_reporter", password=PASSWORD, roles=[(Role.REPORTER, units["east"])]
        ),
        "west_approver": user_create(
            username="west_approver", password=PASSWORD, roles=[(Role.APPROVER, units["west"])]
        ),
        "stranger": user_create(username="stranger", password=PASSWORD, roles=[]),
    }
    return World(
        units=units,
        groups={"districts": districts, "counties": counties},
        indicators=indicators,
        users=users,
    )


@contextmanager
def keep(django_db_blocker) -> Iterator[None]:
    """A transaction for data kept through a module's tests, rolled back after the last one.

    Each test's own transaction (pytest-django's `db`) nests in it as a savepoint, so what a test
    writes is rolled back as before, and the kept data is as it was built for every test.
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def _kept(item: pytest.Item) -> frozenset[str]:
    return frozenset(name for name in getattr(item, "fixturenames", ()) if name.startswith("kept_"))


def _transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(
            marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        )
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Kept data lives from a module's first test that asks for it to the module's last test, so
    run each module's tests (as pytest-django ordered them) from those that ask for the least kept
    data to those that ask for the most; refuse a module whose tests cannot be so ordered, and a
    test in a transaction of its own (`transactional_db`, `live_server`) that asks for any."""
    ordered: list[pytest.Item] = []
    start = 0
    for end in range(1, len(items) + 1):
        if end < len(items) and items[end].path == items[start].path:
            continue
        run = sorted(items[start:end], key=lambda item: len(_kept(item)))
        for before, after in itertools.pairwise(run):
            if not _kept(before) <= _kept(after):
                raise pytest.UsageError(
                    f"{after.nodeid} and {before.nodeid} keep different data "
                    f"({', '.join(sorted(_kept(after) ^ _kept(before)))}): split the module"
                )
        ordered.extend(run)
        start = end
    for item in ordered:
        if _kept(item) and _transactional(item):
            raise pytest.UsageError(
                f"{item.nodeid} commits its data (transactional_db or live_server) and cannot "
                f"use data kept in a transaction ({', '.join(sorted(_kept(item)))}); "
                "take committed_world instead of world"
            )
    items[:] = ordered


@pytest.fixture(scope="module")
def kept_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The world, built once for the tests of a module (see `keep`)."""
    with keep(django_db_blocker):
        yield _build_world()


def _fetch_world(kept: World) -> World:
    """The kept world's objects, fetched afresh: a test may change one in memory."""
    from django.contrib.auth import get_user_model

    from saima.metrics.models import Indicator
    from saima.org.models import RaceGroup, Unit

    def fetch(model, objects: dict) -> dict:
        fetched = model.objects.in_bulk([o.pk for o in objects.values()])
        return {key: fetched[o.pk] for key, o in objects.items()}

    return World(
        units=fetch(Unit, kept.units),
        groups=fetch(RaceGroup, kept.groups),
        indicators=fetch(Indicator, kept.indicators),
        users=fetch(get_user_model(), kept.users),
    )


@pytest.fixture
def world(kept_world, db) -> World:
    """The shared test world, inside the test's transaction (built once per module)."""
    return _fetch_world(kept_world)


@pytest.fixture
def committed_world(transactional_db) -> World:
    """The world committed, for a test whose threads or live server read it on connections of
    their own; `transactional_db` empties the database after the test."""
    return _build_world()


PERSONAS = ("office", "leader", "east_reporter", "west_approver", "stranger", "anonymous")

#: Every (route, method, persona) a test requested in this run, the route as the URL configuration
#: writes it (`races/<slug:code>/`, `api/races/<code>/publications`): see `RouteRecorder`.
REQUESTED: set[tuple[str, str, str]] = set()


class RouteRecorder:
    """Test-settings middleware: notes which route each request reached, with which method and as
    which persona (a session's user, or an API token's), so that a test can check that the
    permission matrices try every route as every persona."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None:
            # An API token's user is known only after the view; a session's before it (signing
            # out ends it during the view).
            token_user = getattr(request, "auth", None)
            name = _username(token_user) or getattr(request, "_recorded_persona", "")
            REQUESTED.add((match.route, request.method, name or "anonymous"))
        return response

    def process_view(self, request, view, args, kwargs):
        request._recorded_persona = _username(getattr(request, "user", None))


def _username(user) -> str:
    return user.get_username() if user is not None and user.is_authenticated else ""


@pytest.fixture
def as_user(client, world):
    """A test client signed in as one of the world's personas (or left anonymous)."""

    def sign_in(name: str):
        if name != "anonymous":
            client.force_login(world.user(name))
        return client

    return sign_in


#: Debian's Chromium, which the test command's set-up installs; browser tests skip without it.
BROWSER = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium driven by Playwright, for tests against `live_server`."""
    import os

    from django.db import connections

    if not os.path.exists(BROWSER):
        pytest.skip(f"no Chromium at {BROWSER}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing")
    # The live server answers in its own thread, but the test's own ORM calls (and the
    # fixtures' teardown) run while Playwright's event loop is current in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Django keeps a connection per context and Playwright's sync API switches contexts: close
    # the one opened before it starts and the one opened under it, so that PostgreSQL's test
    # database has no session left when it is dropped.
    connections.close_all()
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=BROWSER, args=BROWSER_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        connections.close_all()


#: Rules of the world's race: every indicator, both groups, the year of the world's figures.
WORLD_RULES = {
    "name": "Qinghe key work 2026",
    "year": YEAR,
    "tie_break": "fai",
    "flags": {"red": 1, "yellow": 1},
    "adjustments": {"bonus_cap": 3.0, "deduction_cap": 5.0},
    "indicator": [
        {"code": "fai", "metric": "gap", "weight": 40, "method": "efficacy"},
        {"code": "ivag", "metric": "growth", "weight": 30, "method": "rank", "step": 5.0},
        {"code": "pm25", "metric": "value", "weight": 15, "method": "efficacy"},
        {"code": "projects", "metric": "completion", "weight": 15, "method": "attainment"},
    ],
}


def make_race(world: World, **changes):
    """The world's quarterly race over both groups, saved through the service as the office."""
    from saima.org.access import Access
    from saima.races.definitions.services import definition_save

    fields = {
        "code": "keywork",
        "name_zh": "重点工作赛马",
        "name_en": "Key-work race",
        "groups": list(world.groups.values()),
        "rhythm": "quarter",
        "rules": WORLD_RULES,
        **changes,
    }
    return definition_save(Access.for_user(world.user("office")), **fields)


@pytest.fixture(scope="module")
def kept_race(kept_world, django_db_blocker):
    """The world's race, saved once for the tests of a module."""
    with keep(django_db_blocker):
        yield make_race(kept_world)


@pytest.fixture
def race(kept_race, world):
    """The world's race (see `make_race`), fetched afresh for the test."""
    from saima.races.models import RaceDefinition

    return RaceDefinition.objects.get(pk=kept_race.pk)


@pytest.fixture(scope="module")
def publication_day() -> datetime.date | None:
    """The office's today when the kept publication is made (None: the real today). A module
    whose tests set a clock overrides this with the clock's day."""
    return None


@pytest.fixture(scope="module")
def kept_publication(kept_world, kept_race, publication_day, django_db_blocker):
    """The race's 2026-Q1 result, published once by the office for the tests of a module."""
    from saima.engine import parse_period
    from saima.org.access import Access
    from saima.races.results.services import race_publish

    office = Access.for_user(kept_world.user("office"))
    with keep(django_db_blocker):
        with pytest.MonkeyPatch.context() as patch:
            if publication_day is not None:
                from django.utils import timezone

                patch.setattr(timezone, "localdate", lambda *args, **kwargs: publication_day)
            published = race_publish(office, kept_race, parse_period("2026-Q1"))
        yield published


@pytest.fixture
def publication(kept_publication, race):
    """The race's kept 2026-Q1 publication, fetched afresh for the test."""
    from saima.races.models import Publication

    return Publication.objects.get(pk=kept_publication.pk)


#: Where browser tests write their screenshots, for a person to look at.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: Generous but finite: a page of the demo city renders in well under a second.
TIMEOUT_MS = 15_000


@pytest.fixture
def page(browser):
    """A page of a fresh browser context at 1440×900, in British English."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


#: The files of every bulletin document issued in this run under `drawn_once`, by document.
_DRAWN: dict[str, dict[str, bytes]] = {}


@contextmanager
def drawn_once(cache: dict[str, dict[str, bytes]] | None = None) -> Iterator[None]:
    """Issue bulletins whose document was issued before in this run (or in `cache`, a module's
    own) with the files drawn then.

    Loading the demo issues its race bulletin, which takes seconds to draw (PDF, DOCX, XLSX);
    a test that loads the same demo again gets the same document, and the same files. A
    document that differs in anything (facts, words, fields, language) is drawn afresh."""
    import dataclasses

    from saima.bulletins import selectors, services
    from saima.bulletins.models import Bulletin

    draw = services.issue_files
    if getattr(draw, "drawn_once", False):  # already in force
        yield
        return

    drawn = _DRAWN if cache is None else cache

    def issue_files(bulletin_id: int) -> dict[str, bytes]:
        document = selectors.document(Bulletin.objects.get(pk=bulletin_id))
        key = repr(dataclasses.replace(document, draft=False))
        if key not in drawn:
            drawn[key] = draw(bulletin_id)
        return drawn[key]

    issue_files.drawn_once = True  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "issue_files", issue_files)
        yield


#: The demo city's database as loaded once in this run (SQLite only): (a copy, its summary).
_DEMO_COPY: dict[datetime.date, tuple[Any, Any]] = {}


@pytest.fixture
def demo_city(transactional_db, tmp_path_factory):
    """The demo city as of the fixed today (2026-11-25), committed for the live server (its
    bulletin's files drawn once in the run, see `drawn_once`).

    On SQLite the city is loaded once in the run and copied back for each later test with
    SQLite's online backup (milliseconds, where a load takes about ten seconds): the same rows,
    ids and history, and the files it stored put back in the media folder (a test may have
    replaced or deleted some). Elsewhere it is loaded for each test."""
    import shutil
    import sqlite3

    from django.conf import settings
    from django.db import connection

    from saima.demo import load_demo

    as_of = datetime.date(2026, 11, 25)
    if connection.vendor != "sqlite":
        with drawn_once():
            return load_demo(as_of=as_of)
    connection.ensure_connection()
    media = Path(settings.MEDIA_ROOT)
    if as_of in _DEMO_COPY:
        (copy, files), summary = _DEMO_COPY[as_of]
        copy.backup(connection.connection)
        shutil.copytree(files, media, dirs_exist_ok=True)
        return summary
    with drawn_once():
        summary = load_demo(as_of=as_of)
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    files = tmp_path_factory.mktemp("demo-files")
    if media.exists():
        shutil.copytree(media, files, dirs_exist_ok=True)
    _DEMO_COPY[as_of] = ((copy, files), summary)
    return summary


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def switch_language(page, label: str) -> None:
    with page.expect_navigation():
        page.click(f"form.language button:text-is('{label}')")


def artefact(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / name)


# --- figures on a page, rounded as the indicator says --------------------------------------------

#: A number as pages write it (thousands separators, a sign), and what follows it: `%`, `pp`
#: (个百分点 in Chinese) or `×`. Digits inside a word (`PM2.5`, `v2`, `100m`) are not numbers.
_NUMBER = r"(?<![\w.])([-−+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-−+]?\d+(?:\.\d+)?)(?![\w.]*\d)"
#: A number and its suffix; a number glued to a word (`100m yuan`, `2026年`) is no figure.
_FIGURE = __import__("re").compile(_NUMBER + r"(?:\s*(%|pp\b|个百分点|×)|(?![^\W\d_]))")
#: Decimals of what a suffix says a number is: percentages and points one, ratios two.
_SUFFIX_DECIMALS = {"%": 1, "pp": 1, "个百分点": 1, "×": 2}
#: Elements whose text is no figure of the page.
_SKIPPED = {"script", "style", "title", "option", "select", "nav", "header", "head"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


@dataclass(frozen=True)
class Misrounded:
    """A number written at the wrong decimals: where (the indicator's code, or what the element
    declared), the text around it, and the decimals it should have had."""

    scope: str
    number: str
    expected: int
    text: str


def misrounded_figures(
    html: str, decimals_of: dict[str, int], *, attribute: str = "data-indicator"
) -> list[Misrounded]:
    """Every number on a rendered page that is not at its decimals.

    A number's decimals come from the nearest enclosing element that says them: `data-decimals`
    (figures that are not an indicator's: points, ranks, a count), else the `attribute` (by
    default `data-indicator`) whose code `decimals_of` maps to the indicator's decimals. A number
    followed by `%` or `pp` (个百分点) is a percentage or points, one decimal; by `×` a ratio, two
    decimals. A number outside any such element is checked only when it has a suffix, and for
    float noise (more than four decimals). Text in scripts, the title, the menu and the period
    picker is not read. Returns what is wrong (empty when every figure is right), for a test to
    assert on: `assert not misrounded_figures(html, {...})`.
    """
    from html.parser import HTMLParser

    found: list[Misrounded] = []

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, str | None, int | None, bool]] = []

        def handle_starttag(self, tag, attrs) -> None:
            if tag in _VOID:
                return
            values = dict(attrs)
            scope, expected = None, None
            if values.get("data-decimals") not in (None, ""):
                scope, expected = (
                    f"data-decimals={values['data-decimals']}",
                    int(values["data-decimals"]),
                )
            elif values.get(attribute) in decimals_of:
                scope, expected = values[attribute], decimals_of[values[attribute]]
            skipped = tag in _SKIPPED or (self.stack and self.stack[-1][3])
            if scope is None and self.stack:
                scope, expected = self.stack[-1][1], self.stack[-1][2]
            self.stack.append((tag, scope, expected, bool(skipped)))

        def handle_endtag(self, tag) -> None:
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index][0] == tag:
                    del self.stack[index:]
                    return

        def handle_data(self, data) -> None:
            if not self.stack or self.stack[-1][3] or not data.strip():
                return
            _tag, scope, expected, _skipped = self.stack[-1]
            for match in _FIGURE.finditer(data):
                number, suffix = match.group(1), match.group(2)
                decimals = len(number.split(".")[1]) if "." in number else 0
                if suffix:
                    want = _SUFFIX_DECIMALS[suffix]
                elif expected is not None:
                    want = expected
                else:
                    if decimals > 4:
                        found.append(Misrounded("page", number, 4, data.strip()))
                    continue
                if decimals != want:
                    found.append(Misrounded(scope or "page", number, want, data.strip()))

    reader = Reader()
    reader.feed(html)
    reader.close()
    return found


def misrounded_tips(tips: dict, decimals_of: dict[str, int]) -> list[Misrounded]:
    """`misrounded_figures` for the figures of an overview's tooltip data (`saima-cells`): each
    cell's value, target, completion, time progress and gap, by its indicator's decimals."""
    from django.utils.html import escape

    parts = []
    for key, cell in tips.get("cells", {}).items():
        code = tips["codes"].get(key.split(".")[1], "")
        texts = " | ".join(escape(str(text)) for text in cell[:-1] if text is not None)
        parts.append(f'<p data-indicator="{escape(code)}">{texts}</p>')
    return misrounded_figures("".join(parts), decimals_of)


def assert_month_by_month(compute) -> None:
    """Computed figures are remembered a month at a time (`selectors.remembered_by_month`): a month
    `compute(units, months)` gives alone must be what it gives among last year's and this year's
    months, for every unit of the database."""
    import polars as pl

    from saima.org.models import Unit

    units = sorted(Unit.objects.values_list("code", flat=True))
    months = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 11)]
    together = compute(units, months)
    assert together.height
    for year, month in [(2025, 6), (2026, 1), (2026, 6), (2026, 10)]:
        alone = compute(units, [(year, month)])
        among = together.filter((pl.col("year") == year) & (pl.col("month") == month))
        assert alone.height and alone.equals(among), (year, month)
