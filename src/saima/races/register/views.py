"""Pages of the adjustments register, evidence downloads and manual scores.

The office enters and withdraws register entries and keeps the manual scores; leaders read both;
a unit's people read their own units' entries (and the evidence of them). Uploads are refused from
their declared length before anything reads the body.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from saima.common import formatting as fmt
from saima.common.evidence import ACCEPT, max_bytes, too_large_message
from saima.common.pages import error_messages, page
from saima.common.requests import declared_length, whole_number
from saima.org.access import access_of, require_office
from saima.races.definitions.selectors import race_period, race_periods, race_units, readable_race
from saima.races.models import Adjustment
from saima.races.register import selectors, services
from saima.races.register.evidence import evidence_response, readable_evidence

#: Room for the form fields and multipart boundaries around an uploaded file.
_FORM_OVERHEAD = 64 * 1024


def upload_page(view):
    """A race page that takes uploads: a body declared larger than the evidence limit is refused
    before the CSRF check parses (and spools) it."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and declared_length(request) > (max_bytes() + _FORM_OVERHEAD):
            message = too_large_message(_("The upload"), max_bytes())
            return render(request, "400.html", {"message": message}, status=400)
        return protected(request, *args, **kwargs)

    return wrapper


# --- The register ------------------------------------------------------------------------------


def _filters(request, units) -> dict:
    unit = request.GET.get("unit", "").strip()
    category = request.GET.get("category", "").strip()
    if unit not in {u.code for u in units}:
        unit = ""
    if category not in Adjustment.Category.values:
        category = ""
    return {"unit": unit, "category": category}


def _register_context(request, access, race, *, withdraw_errors=None, **extra) -> dict:
    units = selectors.register_units(access, race)
    filters = _filters(request, units)
    every = list(selectors.register_entries(access, race))
    shown = [
        e
        for e in every
        if (not filters["unit"] or e.unit.code == filters["unit"])
        and (not filters["category"] or e.category == filters["category"])
    ]
    periods = race_periods(race)
    totals = selectors.register_totals(race, units, every)
    by_unit: dict[int, list] = {}
    for total in totals:
        by_unit.setdefault(total.unit.pk, []).append(total)
    context = {
        "race": race,
        "access": access,
        "can_edit": access.is_office,
        "entries": [
            {
                "entry": e,
                "counts_in": selectors.counting_period(race, e.date),
                "errors": (withdraw_errors or {}).get(e.pk, []),
            }
            for e in shown
        ],
        "units": units,
        "filters": filters,
        "categories": Adjustment.Category.choices,
        "race_periods": periods,
        "totals": [{"unit": u, "cells": by_unit.get(u.pk, [])} for u in units],
        "accept": ACCEPT,
        "max_mb": f"{max_bytes() / (1024 * 1024):g}",
        "posted": {},
        "errors": [],
        "field_errors": {},
    }
    context.update(extra)
    return context


def _here(race, request=None) -> str:
    url = reverse("races:adjustments", args=[race.code])
    query = {k: request.GET[k] for k in ("unit", "category") if request and request.GET.get(k)}
    return f"{url}?{urlencode(query)}" if query else url


@upload_page
@page
@require_http_methods(["GET", "HEAD", "POST"])
def adjustments(request, code: str):
    access = access_of(request)
    race = readable_race(access, code)
    if request.method == "POST":
        require_office(access)
        action = request.POST.get("action", "")
        if action == "add":
            return _add(request, access, race)
        if action == "withdraw":
            return _withdraw(request, access, race)
        return render(request, "400.html", {"message": _("Unknown action.")}, status=400)
    return render(request, "races/adjustments.html", _register_context(request, access, race))


def _add(request, access, race):
    post = request.POST
    try:
        entry = services.adjustment_add(
            access,
            race,
            unit=post.get("unit", ""),
            category=post.get("category", ""),
            date=post.get("date", ""),
            points=post.get("points", ""),
            reason=post.get("reason", ""),
            veto=post.get("veto") in ("on", "true", "1"),
            evidence_file=request.FILES.get("evidence") or None,
        )
    except ValidationError as exc:
        posted = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
        field_errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        context = _register_context(
            request,
            access,
            race,
            posted=posted,
            field_errors=field_errors,
            errors=[_("Nothing was entered: correct the fields marked below.")],
        )
        return render(request, "races/adjustments.html", context, status=400)
    messages.success(
        request,
        _("Entered: %(unit)s, %(points)s points on %(date)s.")
        % {"unit": entry.unit.name, "points": selectors.plain(entry.points), "date": entry.date},
    )
    return HttpResponseRedirect(_here(race, request))


def _withdraw(request, access, race):
    number = whole_number(request.POST.get("entry"))
    entry = selectors.adjustment_entry(access, race, number) if number else None
    if entry is None:
        return render(request, "400.html", {"message": _("Which entry?")}, status=400)
    try:
        services.adjustment_withdraw(access, entry, request.POST.get("reason", ""))
    except ValidationError as exc:
        context = _register_context(
            request,
            access,
            race,
            withdraw_errors={entry.pk: error_messages(exc)},
            errors=[_("Nothing was withdrawn.")],
        )
        return render(request, "races/adjustments.html", context, status=400)
    messages.success(request, _("The entry is withdrawn; it stays in the register."))
    return HttpResponseRedirect(_here(race, request))


# --- Evidence ----------------------------------------------------------------------------------


@page
@require_safe
def evidence(request, pk: int):
    access = access_of(request)
    return evidence_response(readable_evidence(access, pk))


# --- Manual scores -----------------------------------------------------------------------------


def _chosen_period(request, race):
    periods = race_periods(race)
    raw = request.GET.get("period", "").strip()
    if not raw:
        return periods[0]
    try:
        return race_period(race, raw)
    except ValidationError as exc:
        from saima.common.periods import BadPeriod

        raise BadPeriod(" ".join(error_messages(exc))) from None


def _cell(unit, item, score, posted: dict | None) -> dict:
    name = f"score-{unit.code}-{item.code}"
    if posted is not None:
        value = posted.get(name, "")
    else:
        value = "" if score is None else selectors.plain(score.points)
    return {"item": item, "score": score, "name": name, "value": value}


def _scores_context(access, race, period, *, posted=None, **extra) -> dict:
    items = selectors.manual_items(race)
    stored = {(s.unit_id, s.item): s for s in selectors.period_scores(race, period)}
    grid = [
        {
            "unit": unit,
            "cells": [
                _cell(unit, item, stored.get((unit.pk, item.code)), posted) for item in items
            ],
        }
        for unit in race_units(race)
    ]
    context = {
        "race": race,
        "access": access,
        "can_edit": access.is_office,
        "items": items,
        "grid": grid,
        "period": period,
        "choices": race_periods(race),
        "errors": [],
    }
    context.update(extra)
    return context


@upload_page
@page
@require_http_methods(["GET", "HEAD", "POST"])
def manual_scores(request, code: str):
    access = access_of(request)
    race = readable_race(access, code)
    selectors.require_scores_reader(access)
    period = _chosen_period(request, race)
    if request.method == "POST":
        require_office(access)
        return _save_scores(request, access, race, period)
    return render(request, "races/manual_scores.html", _scores_context(access, race, period))


def _posted_rows(post, race) -> list[services.ScoreRow]:
    rows = []
    for unit in race_units(race):
        for item in selectors.manual_items(race):
            value = post.get(f"score-{unit.code}-{item.code}", "").strip()
            if value:
                rows.append(services.ScoreRow(unit=unit.code, item=item.code, points=value))
    return rows


def _save_scores(request, access, race, period):
    action = request.POST.get("action", "")
    if action not in ("upload", "save"):
        return render(request, "400.html", {"message": _("Unknown action.")}, status=400)
    posted = None
    try:
        if action == "upload":
            rows = services.scores_from_file(request.FILES.get("file"))
        else:
            posted = {k: v for k, v in request.POST.items() if k.startswith("score-")}
            rows = _posted_rows(request.POST, race)
        saved = services.manual_scores_save(access, race, period.label, rows)
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        context = _scores_context(
            access,
            race,
            period,
            posted=posted,
            errors=[_("Nothing was saved:"), *error_messages(exc)],
        )
        return render(request, "races/manual_scores.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "%(count)d score saved for %(period)s.",
            "%(count)d scores saved for %(period)s.",
            len(saved),
        )
        % {"count": len(saved), "period": fmt.period_name(period)},
    )
    url = reverse("races:manual_scores", args=[race.code])
    return HttpResponseRedirect(f"{url}?period={period.label}")
