"""The pages: thin views that read through access-scoped selectors and the engine.

Every page but login needs a signed-in person; what they see is scoped by their `Access`. A period
that cannot be shown is a 400 page, an unknown code a 404, a unit they may not see a 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from saima.common import todo
from saima.common.pages import page
from saima.common.periods import is_future, neighbours, requested_period, step, this_month
from saima.engine import Period
from saima.metrics import selectors
from saima.metrics.models import Indicator
from saima.metrics.selectors import Scope
from saima.org.access import Access, access_of, readable_unit
from saima.races.results.exports import download, table_bytes
from saima.supervision.rules import today as supervision_today
from saima.supervision.selectors import open_items_of_unit
from saima.web import context, present
from saima.web import dashboard as dashboard_data
from saima.web import table as table_data


def _period(request, version: str) -> Period:
    """The period of `?period=`, or the one the pages open on."""
    return requested_period(request.GET, default=lambda: selectors.default_period(version=version))


def _period_context(period: Period, version: str | None = None) -> dict:
    previous, following = neighbours(period)
    choices = selectors.periods_with_figures(until=this_month(), version=version)
    if period.kind == "month" and all(choice.label != period.label for choice in choices):
        choices.insert(0, period)
    return {
        "period": period,
        "previous": previous,
        "next": following,
        "choices": choices,
        "spans": _spans(period.year),
    }


def _spans(year: int) -> list[Period]:
    """The quarters, halves and the year of `year` that have ended (or end this month), for the
    period picker: a span still running has no figures of its own yet."""
    found = [Period(year, 3 * q, "quarter") for q in range(1, 5)]
    found += [Period(year, 6, "half"), Period(year, 12, "half"), Period(year, 12, "year")]
    return [p for p in found if not is_future(p)]


def _indicators() -> dict[str, Indicator]:
    return {indicator.code: indicator for indicator in Indicator.objects.all()}


def _units(access: Access) -> dict:
    return {unit.code: unit for unit in access.units()}


def _figures(
    access: Access,
    period: Period,
    scope: Scope | None = None,
    *,
    units=None,
    version: str | None = None,
):
    frame = selectors.cached_progress(access, period, scope or Scope(), version=version)
    return present.figures(frame, _units(access) if units is None else units, _indicators())


def _counts_by(access: Access, period: Period, version: str, by: str, *, units=None):
    """Light counts per unit or per indicator (`by`), kept in the cache per period, reader's
    scope and data version: the lists of units and of indicators count every figure."""
    key = selectors.cache_key(f"counts-{by}", period.label, selectors.reader_key(access), version)

    def compute() -> dict:
        found = _figures(access, period, units=units, version=version)
        if by == "unit":
            return dict(present.light_counts_by(found, lambda figure: figure.unit.code))
        return dict(present.light_counts_by(found, lambda figure: figure.indicator.code))

    counts = selectors.remembered(key, compute)
    return lambda code: counts.get(code) or present.light_counts([])


#: Where the overview's cached board goes in the rendered page (a comment no name can contain).
BOARD_MARK = "<!--saima:board-->"

#: Above this many units in a reader's scope the overview shows one race group at a time: a
#: national board of every unit and indicator is some 14 MB of HTML, too much to send or to read.
OVERVIEW_UNITS = 600

#: `?group=` for the units that are in no race group (not a slug, so no group's code).
NO_GROUP = "."


def _group_code(group) -> str:
    return NO_GROUP if group is None else group.code


def _overview_groups(
    request, access: Access, period: Period, version: str
) -> tuple[list[dict], str | None]:
    """The race groups of the reader's units on the board (each with its code, name and count
    of units) and the one `?group=` asks for; on a large scope the first group unless another
    is asked for, on a small one every group (None). A group the reader has no unit of on the
    board is a 404."""

    def compute() -> list[dict]:
        frame = selectors.cached_progress(access, period, Scope(), version=version)
        on_board = set(frame["unit"].unique().to_list())
        groups = present.by_group(u for c, u in _units(access).items() if c in on_board)
        return [
            {"code": _group_code(g.group), "name": str(g.name), "units": len(g.rows)}
            for g in groups
        ]

    key = selectors.cache_key(
        "overview-groups", period.label, get_language(), selectors.reader_key(access), version
    )
    choices = selectors.remembered(key, compute)
    asked = request.GET.get("group")
    if asked is None or asked == "":
        large = sum(c["units"] for c in choices) > OVERVIEW_UNITS and len(choices) > 1
        return choices, choices[0]["code"] if large else None
    if all(choice["code"] != asked for choice in choices):
        raise Http404(_("You have no units in the race group %(group)s.") % {"group": asked})
    return choices, asked


@page
@require_safe
def overview(request):
    """The grid of lights. Its figures (`web/_board.html`) are rendered once per period, language,
    reader's scope, race group shown and data version and kept in the cache for
    `selectors.CACHE_SECONDS` as the final UTF-8 bytes, which are spliced into the page as they
    are. A large scope is shown one race group at a time (`OVERVIEW_UNITS`, `?group=`)."""
    access = access_of(request)
    version = selectors.data_version()
    period = _period(request, version)
    context = _period_context(period, version)
    groups, shown = _overview_groups(request, access, period, version)
    key = selectors.cache_key(
        "overview",
        period.label,
        get_language(),
        selectors.reader_key(access),
        version,
        "*" if shown is None else shown,
    )
    board_bytes = cache.get(key)
    if not isinstance(board_bytes, bytes):
        units = _units(access)
        if shown is not None:
            units = {
                code: unit for code, unit in units.items() if _group_code(unit.race_group) == shown
            }
        found = _figures(access, period, units=units, version=version)
        board = present.Board.build(found, half_year=period.is_half_year)
        query = urlencode({"period": period.label})

        def unit_url(unit) -> str:
            return f"{reverse('unit', args=[unit.code])}?{query}"

        board_bytes = render_to_string(
            "web/_board.html",
            {**context, "board": board, "tips": present.tips(found, unit_url)},
            request=request,
        ).encode()
        cache.set(key, board_bytes, selectors.CACHE_SECONDS)
    if shown is not None:
        context["groups"] = groups
        context["all_groups"] = sum(g["units"] for g in groups) <= OVERVIEW_UNITS
        context["shown_name"] = next(g["name"] for g in groups if g["code"] == shown)
    context["shown_group"] = shown
    context["keep_query"] = {} if shown is None else {"group": shown}
    page_html = render_to_string(
        "web/overview.html", {**context, "board_html": mark_safe(BOARD_MARK)}, request=request
    )
    head, tail = page_html.split(BOARD_MARK, 1)
    return HttpResponse(b"".join((head.encode(), board_bytes, tail.encode())))


@page
@require_safe
def units(request):
    access = access_of(request)
    version = selectors.data_version()
    period = _period(request, version)
    context = _period_context(period, version)
    key = selectors.cache_key(
        "units", period.label, get_language(), selectors.reader_key(access), version
    )

    def body() -> dict:
        units = _units(access)
        count = _counts_by(access, period, version, "unit", units=units)
        rows = [(unit, count(unit.code)) for unit in units.values()]
        return {"groups": present.by_group(rows, lambda row: row[0])}

    return _spliced(request, "web/units.html", "web/_units_body.html", context, key, body)


@page
@require_safe
def unit(request, code: str):
    access = access_of(request)
    unit = readable_unit(access, code)
    version = selectors.data_version()
    period = _period(request, version)
    # The unit's open supervision items are read per person, outside the cached figures, and
    # kept per person, day and data version (every change of an item is an event, which changes
    # the version): the one query of this page that its cached figures did not spare.
    items_key = selectors.cache_key(
        "unit-supervision",
        unit.pk,
        access.user_id,
        sorted(access.roles),
        selectors.reader_key(access),
        supervision_today(),
        get_language(),
        version,
    )
    context = {
        **_period_context(period, version),
        "unit": unit,
        "supervision_rows": selectors.remembered(
            items_key, lambda: open_items_of_unit(access, unit)
        ),
    }
    # The unit's figures and charts are the same for everyone who may read the unit.
    key = selectors.cache_key("unit", unit.pk, period.label, get_language(), version)

    def body() -> dict:
        scope = Scope(unit_ids=frozenset({unit.pk}))
        found = _figures(access, period, scope, units={unit.code: unit}, version=version)
        series = selectors.unit_monthly_series(access, unit, period.year)
        return {
            "figures": found,
            "counts": present.light_counts(found),
            "charts": present.trend_charts(found, series, period.year),
        }

    return _spliced(request, "web/unit.html", "web/_unit_body.html", context, key, body)


def _spliced(request, page: str, fragment: str, context: dict, key: str, body) -> HttpResponse:
    """A page whose figures (`fragment`, from `body()`) are rendered once per cache key (period,
    language, reader's scope, data version) and kept as bytes for `selectors.CACHE_SECONDS`, then
    spliced into the page (which has the reader's own menu and tokens) where it says
    `{{ body_html }}`: the overview's way, for the unit and indicator pages."""
    body_bytes = cache.get(key)
    if not isinstance(body_bytes, bytes):
        body_bytes = render_to_string(fragment, {**context, **body()}, request=request).encode()
        cache.set(key, body_bytes, selectors.CACHE_SECONDS)
    page_html = render_to_string(page, {**context, "body_html": mark_safe(BOARD_MARK)}, request)
    head, tail = page_html.split(BOARD_MARK, 1)
    return HttpResponse(b"".join((head.encode(), body_bytes, tail.encode())))


@page
@require_safe
def indicators(request):
    access = access_of(request)
    version = selectors.data_version()
    period = _period(request, version)
    context = _period_context(period, version)
    key = selectors.cache_key(
        "indicators", period.label, get_language(), selectors.reader_key(access), version
    )

    def body() -> dict:
        count = _counts_by(access, period, version, "indicator")
        return {"rows": [(i, count(i.code)) for i in Indicator.objects.all()]}

    return _spliced(request, "web/indicators.html", "web/_indicators_body.html", context, key, body)


@page
@require_safe
def indicator(request, code: str):
    access = access_of(request)
    indicator = get_object_or_404(Indicator, code=code)
    version = selectors.data_version()
    period = _period(request, version)
    context = {**_period_context(period, version), "indicator": indicator}
    key = selectors.cache_key(
        "indicator",
        indicator.pk,
        period.label,
        get_language(),
        selectors.reader_key(access),
        version,
    )

    def body() -> dict:
        scope = Scope(indicator_ids=frozenset({indicator.pk}))
        frame = selectors.cached_progress(access, period, scope, version=version)
        found = present.figures(frame, _units(access), {indicator.code: indicator})
        return {"groups": present.ranked(found), "counts": present.light_counts(found)}

    return _spliced(request, "web/indicator.html", "web/_indicator_body.html", context, key, body)


@page
@require_safe
def todo_list(request):
    """What is waiting for this person, from every app that asks something of people."""
    access = access_of(request)
    today = timezone.localdate()
    tasks = todo.tasks_for(access, today)
    context.remember_todo_count(access, len(tasks))
    return render(
        request,
        "web/todo.html",
        {"tasks": tasks, "today": today, "overdue": sum(1 for t in tasks if t.overdue)},
    )


@page
@require_safe
def todo_badge(request):
    """The header's to-do count (an htmx fragment the header loads when it has no fresh count)."""
    count = context.todo_count(access_of(request))
    return render(request, "web/_todo_badge.html", {"todo_count": count})


@page
@require_safe
def dashboard(request):
    """The leader's dashboard: standings, lights, double over half, who is behind, what changed."""
    access = access_of(request)
    if not access.sees_everything:
        raise PermissionDenied(_("The dashboard is for leaders and the office."))
    version = selectors.data_version()
    period = _period(request, version)
    previous = step(Period(period.year, period.month), -1)  # last month, whatever the period
    progress = selectors.cached_progress(access, period, version=version)
    before = None
    if previous is not None and previous.year == period.year:
        before = selectors.cached_progress(access, previous, version=version)
    else:
        previous = None
    board = dashboard_data.build(access, period, previous, progress, before)
    context = {**_period_context(period, version), "board": board}
    return render(request, "web/dashboard.html", context)


def _table(request, access, period, version):
    found = _figures(access, period, version=version)
    progress = selectors.cached_progress(access, period, Scope(), version=version)
    return table_data.build(
        found,
        progress,
        group_code=request.GET.get("group", "").strip(),
        sort=request.GET.get("sort", "").strip(),
        descending=request.GET.get("dir", "") == "desc",
    )


@page
@require_safe
def table(request):
    """The overview as a dense table: units × indicators, a total row, filter and sort."""
    access = access_of(request)
    version = selectors.data_version()
    period = _period(request, version)
    shown = _table(request, access, period, version)
    query = {"period": period.label}
    if shown.group:
        query["group"] = shown.group.code
    keep = urlencode(query)
    context = {
        **_period_context(period, version),
        "table": shown,
        "keep": keep,
        "download": f"{reverse('table_download')}?{request.GET.urlencode() or keep}",
    }
    return render(request, "web/table.html", context)


@page
@require_safe
def table_download(request):
    """Exactly the rows the table shows (same period, group and order) as an XLSX file."""
    access = access_of(request)
    version = selectors.data_version()
    period = _period(request, version)
    shown = _table(request, access, period, version)
    body = table_bytes(table_data.for_people(table_data.frame(shown)), ".xlsx", period.label)
    name = f"saima-{period.label}{'-' + shown.group.code if shown.group else ''}.xlsx"
    return download(body, name)


@page
@require_safe
def indicator_download(request, code: str):
    """An indicator's ranking as shown, as an XLSX file."""
    access = access_of(request)
    indicator = get_object_or_404(Indicator, code=code)
    version = selectors.data_version()
    period = _period(request, version)
    scope = Scope(indicator_ids=frozenset({indicator.pk}))
    frame = selectors.cached_progress(access, period, scope, version=version)
    found = present.figures(frame, _units(access), {indicator.code: indicator})
    ranking = table_data.for_people(table_data.ranking_frame(present.ranked(found)))
    body = table_bytes(ranking, ".xlsx", period.label)
    return download(body, f"saima-{indicator.code}-{period.label}.xlsx")


def demo_logins() -> tuple[list[tuple[str, str]], str | None]:
    """The demo's sign-ins and password, when the demo app is installed."""
    if not apps.is_installed("saima.demo"):
        return [], None
    return apps.get_app_config("demo").sign_ins()


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO:
            context["demo_logins"], context["demo_password"] = demo_logins()
        return context


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only), then back to the login page."""
