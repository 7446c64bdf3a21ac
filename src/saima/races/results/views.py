"""Pages of race results: the list of races, preview and publish, standings, explanations,
downloads. Results are read from the frozen snapshots only; the preview computes live."""

from __future__ import annotations

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from saima.common.pages import error_messages, page
from saima.common.periods import BadPeriod
from saima.common.requests import whole_number
from saima.engine import EngineError
from saima.org.access import Access, access_of, require_office
from saima.races.definitions.selectors import (
    is_race_period,
    race_periods,
    read_race_period,
    readable_race,
    visible_races,
)
from saima.races.models import Objection, Publication, RaceDefinition
from saima.races.results import exports, present
from saima.races.results.selectors import (
    current_publications,
    laggards,
    objection_to_cite,
    publications_of,
    race_preview,
    readable_explanation,
    readable_publication,
)
from saima.races.results.services import publish_job_start


def _period(race: RaceDefinition, text: str):
    try:
        return read_race_period(race, text)
    except ValidationError as exc:
        raise BadPeriod(" ".join(error_messages(exc))) from None


def _version(request) -> int | None:
    text = request.GET.get("version", "").strip()
    if not text:
        return None
    version = whole_number(text, max_digits=4)
    if version is None:
        raise BadPeriod(
            _("“%(value)s” is not a version number: write it as 1, 2, 3...") % {"value": text[:20]}
        )
    return version


@page
@require_safe
def index(request):
    access = access_of(request)
    races = []
    for race in visible_races(access):
        races.append(
            {
                "race": race,
                "groups": list(race.groups.all()),
                "published": current_publications(race),
            }
        )
    return render(request, "races/index.html", {"races": races, "access": access})


@page
@require_safe
def race(request, code: str):
    access = access_of(request)
    race = readable_race(access, code)
    published = current_publications(race)
    by_period = {p.period: p for p in published}
    names = present.Names.load()
    periods = [
        {"period": period, "publication": by_period.get(period.label)}
        for period in race_periods(race)
    ]
    context = {
        "race": race,
        "access": access,
        "groups": list(race.groups.all()),
        "periods": periods,
        "months": [f"{race.year}-{m:02d}" for m in range(1, 13)],
        "charts": present.rank_charts(published, names),
    }
    return render(request, "races/race.html", context)


@page
@require_safe
def preview(request, code: str):
    """The office's preview of a period (a race period, or any month as a monthly comment)."""
    access = access_of(request)
    require_office(access)
    race = readable_race(access, code)
    period = _period(race, request.GET.get("period", ""))
    names = present.Names.load()
    context = {
        "race": race,
        "race_period": period,
        "access": access,
        "publishable": is_race_period(race, period),
        "published": list(publications_of(race, period.label)),
        "upheld": Objection.objects.filter(
            publication__race=race,
            publication__period=period.label,
            status=Objection.Status.UPHELD,
        ).select_related("unit"),
    }
    try:
        result = race_preview(access, race, period)
    except (ValidationError, EngineError) as exc:
        context["problems"] = error_messages(exc)
        return render(request, "races/preview.html", context)
    standings = result.result.standings.to_dicts()
    missing = [
        {**row, "name": names.unit(row["unit"]), "item_name": names.item(row["item"])}
        for row in result.missing
    ]
    context.update(
        groups=present.standings_groups(standings, names, result.rules.decimals, result.missing),
        missing=missing,
        policy=result.rules.missing.policy,
    )
    return render(request, "races/preview.html", context)


@page
@require_POST
def publish(request, code: str):
    access = access_of(request)
    require_office(access)
    race = readable_race(access, code)
    period = _period(race, request.POST.get("period", ""))
    objection = None
    objection_id = request.POST.get("objection", "").strip()
    try:
        if objection_id:
            objection = objection_to_cite(access, objection_id)
        job = publish_job_start(
            access,
            race,
            period,
            user=request.user,
            reason=request.POST.get("reason", ""),
            objection=objection,
        )
    except (ValidationError, EngineError) as exc:
        for line in error_messages(exc):
            messages.error(request, line)
        return _back_to_preview(race, period.label)
    # The preview shows the job's progress, then its outcome and the link to the result.
    return _back_to_preview(race, period.label, job=job.pk)


def _back_to_preview(
    race: RaceDefinition, period: str, *, job: int | None = None
) -> HttpResponseRedirect:
    url = f"{reverse('races:preview', args=[race.code])}?period={period}"
    return HttpResponseRedirect(url if job is None else f"{url}&job={job}")


def _result_url(publication: Publication) -> str:
    url = reverse("races:result", args=[publication.race.code, publication.period])
    return f"{url}?version={publication.version}"


def _own_units(access: Access) -> set[str]:
    return set(access.units().values_list("code", flat=True))


@page
@require_safe
def result(request, code: str, period: str):
    access = access_of(request)
    race = readable_race(access, code)
    period = _period(race, period)
    publication = readable_publication(access, race, period.label, _version(request))
    names = present.Names.load()
    decimals = publication.decimals
    versions = list(publications_of(race, period.label))
    context = {
        "race": race,
        "race_period": period,
        "publication": publication,
        "access": access,
        "current": versions[0].pk == publication.pk,
        "versions": versions,
        "groups": present.standings_groups(
            publication.standings, names, decimals, publication.missing
        ),
        "own": _own_units(access),
        "laggards": present.laggard_rows(laggards(publication), names),
        "missing": [
            {**row, "name": names.unit(row["unit"]), "item_name": names.item(row["item"])}
            for row in publication.missing
        ],
        "policy": publication.missing_policy,
    }
    return render(request, "races/result.html", context)


@page
@require_safe
def explanation(request, code: str, period: str, unit: str):
    access = access_of(request)
    race = readable_race(access, code)
    period = _period(race, period)
    publication = readable_publication(access, race, period.label, _version(request))
    rows = readable_explanation(access, publication, unit)
    standing = next((row for row in publication.standings if row["unit"] == unit), None)
    if standing is None:
        raise PermissionDenied(_("%(unit)s is not in this result.") % {"unit": unit})
    names = present.Names.load()
    decimals = publication.decimals
    context = {
        "race": race,
        "race_period": period,
        "publication": publication,
        "unit_code": unit,
        "unit_name": names.unit(unit),
        "standing": present.standings_groups([standing], names, decimals)[0]["rows"][0],
        "rows": present.explanation_rows(
            rows,
            names,
            decimals,
            [k[len("score_") :] for k in standing if k.startswith("score_")],
            rules=publication.rules,
            explanation=publication.explanation,
        ),
        "access": access,
    }
    return render(request, "races/explanation.html", context)


@page
@require_safe
def download(request, code: str, period: str, what: str, fmt: str):
    """Results (anyone who reads them), the explanation (office and leaders: all units; a unit:
    its own rows) as CSV or XLSX; the bundle of inputs (office and leaders) as a zip."""
    access = access_of(request)
    race = readable_race(access, code)
    period = _period(race, period)
    publication = readable_publication(access, race, period.label, _version(request))
    stem = f"{race.code}-{publication.period}-v{publication.version}"
    if what == "bundle":
        if not access.sees_everything:
            raise PermissionDenied(_("The inputs of a race are for the office and leaders."))
        return exports.download(exports.bundle(publication), f"{stem}-inputs.zip")
    if what == "results":
        frame = exports.results_frame(publication, for_people=True)
    else:
        frame = exports.explanation_frame(publication, for_people=True)
        if not access.sees_everything:
            frame = frame.filter(pl.col("unit").is_in(sorted(_own_units(access))))
    body = exports.table_bytes(frame, f".{fmt}", sheet_name=what)
    return exports.download(body, f"{stem}-{what}.{fmt}")
