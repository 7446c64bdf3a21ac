"""Pages of bulletins: the list (with what to draft and what to read), drafting, the bulletin with
its preview, editing and issuing, the files. Writes go through `services`; reads through
`selectors`; figures come from the bulletin's frozen facts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saima.bulletins import charts_data, selectors, services
from saima.bulletins.documents import FORMATS, pdf, sheets, word
from saima.bulletins.models import Bulletin
from saima.common.pages import BadRequest, error_messages, page
from saima.org.access import access_of, require_office
from saima.races.definitions.selectors import readable_race, visible_races
from saima.races.results.selectors import current_publications


def _races_to_draft(access) -> list[dict]:
    """For the office: each race with its published periods and its months, to draft from."""
    if not access.is_office:
        return []
    out = []
    for race in visible_races(access):
        out.append(
            {
                "race": race,
                "published": current_publications(race),
                "months": [f"{race.year}-{m:02d}" for m in range(1, 13)],
            }
        )
    return out


@page
@require_safe
def index(request):
    access = access_of(request)
    bulletins = list(selectors.visible_bulletins(access).order_by("-created_at", "-pk")[:200])
    context = {
        "access": access,
        "bulletins": bulletins,
        "races": _races_to_draft(access),
        "unread": list(selectors.unread(access)),
        "languages": Bulletin.Language.choices,
    }
    return render(request, "bulletins/index.html", context)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def new(request):
    """Draft a bulletin: GET shows what will be drafted (from a published result's link), POST
    drafts it."""
    access = access_of(request)
    require_office(access)
    data = request.POST if request.method == "POST" else request.GET
    race = readable_race(access, (data.get("race") or "").strip()[:32] or "-")
    kind = data.get("kind") or Bulletin.Kind.RACE
    period = (data.get("period") or "").strip()[:16]
    context = {
        "access": access,
        "race": race,
        "kind": kind,
        "period_label": period,
        "language": data.get("language") or Bulletin.Language.CHINESE,
        "reason": data.get("reason", ""),
        "languages": Bulletin.Language.choices,
        "kinds": Bulletin.Kind.choices,
        "latest": selectors.latest_version(race, kind, period),
        "draft": selectors.open_draft(race, kind, period),
    }
    if request.method != "POST":
        return render(request, "bulletins/new.html", context)
    try:
        bulletin = services.bulletin_draft(
            access,
            race=race,
            kind=kind,
            period=period,
            language=context["language"],
            reason=context["reason"],
        )
    except ValidationError as exc:
        context["errors"] = error_messages(exc)
        return render(request, "bulletins/new.html", context, status=400)
    messages.success(request, _("The draft is ready: read it, edit it, then issue it."))
    return HttpResponseRedirect(reverse("bulletins:detail", args=[bulletin.pk]))


def _detail_context(request, bulletin: Bulletin, errors=None) -> dict:
    access = access_of(request)
    document = selectors.document(bulletin)
    context = {
        "access": access,
        "bulletin": bulletin,
        "versions": selectors.bulletin_versions(bulletin, access),
        "preview": pdf.context(document, screen=True),
        "charts": charts_data.for_page(document),
        "deliveries": selectors.deliveries_of(bulletin, access) if bulletin.issued else [],
        "formats": list(FORMATS),
        "editable": access.is_office and not bulletin.issued,
        "errors": errors or {},
        "may_mark_read": bulletin.issued and bool(access.own_units),
    }
    posted = request.POST if errors is not None else None
    if posted is not None:
        context["posted"] = posted
    context["paragraph_fields"] = [
        {
            "key": p["key"],
            "heading": p["heading"],
            "name": f"paragraph-{p['key']}",
            "text": posted.get(f"paragraph-{p['key']}", p["text"]) if posted else p["text"],
            "error": f"paragraphs.{p['key']}" in (errors or {}),
        }
        for p in bulletin.paragraphs
    ]
    return context


@page
@require_safe
def detail(request, pk: int):
    access = access_of(request)
    bulletin = selectors.readable_bulletin(access, pk)
    return render(request, "bulletins/detail.html", _detail_context(request, bulletin))


def _paragraph_texts(request, bulletin: Bulletin) -> dict[str, str]:
    return {
        p["key"]: request.POST[f"paragraph-{p['key']}"]
        for p in bulletin.paragraphs
        if f"paragraph-{p['key']}" in request.POST
    }


@page
@require_POST
def edit(request, pk: int):
    access = access_of(request)
    require_office(access)
    bulletin = selectors.readable_bulletin(access, pk)
    fields = {
        name: request.POST[name]
        for name in ("office", "prefix", "year", "number", "title", "recipients", "date")
        if name in request.POST
    }
    try:
        services.bulletin_edit(
            access, bulletin, paragraphs=_paragraph_texts(request, bulletin), **fields
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        bulletin.refresh_from_db()
        context = _detail_context(request, bulletin, errors)
        return render(request, "bulletins/detail.html", context, status=400)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("bulletins:detail", args=[bulletin.pk]))


@page
@require_POST
def issue(request, pk: int):
    access = access_of(request)
    require_office(access)
    bulletin = selectors.readable_bulletin(access, pk)
    url = reverse("bulletins:detail", args=[bulletin.pk])
    try:
        job = services.issue_job_start(access, bulletin, user=request.user)
    except ValidationError as exc:
        for line in error_messages(exc):
            messages.error(request, line)
        return HttpResponseRedirect(url)
    # The files are drawn by a worker; the bulletin's page follows the job.
    return HttpResponseRedirect(f"{url}?job={job.pk}")


@page
@require_POST
def delete(request, pk: int):
    access = access_of(request)
    require_office(access)
    bulletin = selectors.readable_bulletin(access, pk)
    try:
        services.bulletin_delete(access, bulletin)
    except ValidationError as exc:
        for line in error_messages(exc):
            messages.error(request, line)
        return HttpResponseRedirect(reverse("bulletins:detail", args=[bulletin.pk]))
    messages.success(request, _("The draft was deleted."))
    return HttpResponseRedirect(reverse("bulletins:index"))


@page
@require_POST
def read(request, pk: int):
    access = access_of(request)
    bulletin = selectors.readable_bulletin(access, pk)
    if not access.own_units:
        raise PermissionDenied(_("Only a unit's people mark a bulletin as read."))
    try:
        services.delivery_read(access, bulletin)
    except ValidationError as exc:
        raise BadRequest(" ".join(error_messages(exc))) from None
    messages.success(request, _("Marked as read."))
    return HttpResponseRedirect(reverse("bulletins:detail", args=[bulletin.pk]))


DRAWERS = {"docx": word.render, "pdf": pdf.render, "xlsx": sheets.render}


def file_name(bulletin: Bulletin, fmt: str) -> str:
    stem = f"{bulletin.race.code}-{bulletin.period}-{bulletin.kind}-v{bulletin.version}"
    return f"{stem}.{fmt}"


@page
@require_safe
def download(request, pk: int, fmt: str):
    """An issued bulletin's file as issued; a draft's drawn now, marked as a draft."""
    access = access_of(request)
    bulletin = selectors.readable_bulletin(access, pk)
    if bulletin.issued:
        stored = selectors.stored_file(bulletin, fmt)
        data = bytes(stored.data) if stored is not None else None
    else:
        data = DRAWERS[fmt](selectors.document(bulletin))
    if data is None:
        raise BadRequest(_("This bulletin has no %(format)s file.") % {"format": fmt.upper()})
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name(bulletin, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
