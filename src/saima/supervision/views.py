"""Pages of supervision (督查督办) and rectification (整改): the ledger with per-unit on-time rates
and its XLSX export, an item's page with its timeline and the forms of each act, the office's
form to assign an item (from scratch or from where a problem is), and the rectification lists.

A refused write shows the service's messages on the same page (status 400), nothing saved.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.evidence import ACCEPT, file_response, max_bytes, read_upload
from saima.common.pages import BadRequest, error_messages, page
from saima.common.requests import whole_number
from saima.org.access import Access, access_of, require_office
from saima.org.models import Role, Unit
from saima.supervision import origins, selectors, services
from saima.supervision.access import (
    can_read,
    is_co,
    is_lead,
    readable_item,
    readable_list,
    readable_rectification,
)
from saima.supervision.export import ledger_xlsx
from saima.supervision.models import (
    EventFile,
    Extension,
    Level,
    Rectification,
    RectificationFile,
    RectificationList,
    Rhythm,
    Source,
    Status,
    person_name,
)
from saima.supervision.rules import today

#: Most evidence files one form may carry.
MAX_FILES = services.MAX_FILES


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _filters(request) -> selectors.Filters:
    get = request.GET
    status = get.get("status", "")
    if status not in ("", "open", *Status.values):
        raise BadRequest(_("There is no status “%(value)s”.") % {"value": status[:20]})
    source = get.get("source", "")
    if source not in ("", *Source.values):
        raise BadRequest(_("There is no source “%(value)s”.") % {"value": source[:20]})
    return selectors.Filters(
        source=source,
        unit=get.get("unit", "")[:32],
        leader=get.get("leader", "")[:150],
        status=status,
        overdue=get.get("overdue") == "1",
        mine=get.get("mine") == "1",
    )


def _span(request) -> tuple[datetime.date, datetime.date]:
    day = today()
    start = request.GET.get("from")
    end = request.GET.get("to")
    first, last = _date(start) or datetime.date(day.year, 1, 1), _date(end) or day
    if (start and _date(start) is None) or (end and _date(end) is None):
        raise BadRequest(_("Write the dates as YYYY-MM-DD."))
    if last < first:
        raise BadRequest(_("The period ends before it starts."))
    return first, last


def _leaders() -> list[tuple[str, str]]:
    users = (
        get_user_model()
        .objects.filter(memberships__role=Role.LEADER, is_active=True)
        .distinct()
        .order_by("username")
    )
    return [(u.get_username(), person_name(u)) for u in users]


@page
@require_safe
def ledger(request):
    """The ledger (台账): every item the reader may see, filtered; per-unit rates; XLSX."""
    access = access_of(request)
    filters = _filters(request)
    start, end = _span(request)
    rows = selectors.rows(access, filters)
    if request.GET.get("format") == "xlsx":
        data = ledger_xlsx(rows, today())
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="supervision-ledger.xlsx"'
        return response
    return render(
        request,
        "supervision/ledger.html",
        {
            "rows": rows,
            "filters": filters,
            "rates": selectors.unit_rates(access, start, end),
            "start": start,
            "end": end,
            "sources": Source.choices,
            "statuses": selectors.statuses(),
            "units": access.units(),
            "leaders": _leaders(),
            "is_office": access.is_office,
            "query": request.GET.urlencode(),
        },
    )


def _form_context(access: Access, values: dict, errors: dict | None = None) -> dict:
    return {
        "values": values,
        "errors": errors or {},
        "sources": Source.choices,
        "levels": Level.choices,
        "rhythms": Rhythm.choices,
        "units": Unit.objects.filter(active=True),
        "leaders": _leaders(),
    }


def _origin_values(access: Access, key: str) -> dict:
    origin = origins.resolve(access, key)
    leader = ""
    if origin.leader_id is not None:
        user = get_user_model().objects.filter(pk=origin.leader_id).first()
        leader = user.username if user else ""
    return {
        "origin": origin.key,
        "origin_url": origin.url,
        "origin_label": origin.label,
        "title": origin.title[:200],
        "task": origin.task,
        "source": origin.source,
        "lead_unit": origin.lead_unit.code,
        "co_units": [],
        "leader": leader,
        "deadline": (
            origin.deadline
            if origin.deadline and origin.deadline >= today()
            else today() + datetime.timedelta(days=origins.DEFAULT_DAYS)
        ).isoformat(),
        "level": Level.ORDINARY,
        "rhythm": Rhythm.WEEKLY,
    }


@page
@require_http_methods(["GET", "POST"])
def new(request):
    """The office assigns an item, from scratch or from an origin (`?origin=statement:12`)."""
    access = access_of(request)
    require_office(access)
    if request.method == "GET":
        values: dict = {"level": Level.ORDINARY, "rhythm": Rhythm.MONTHLY, "co_units": []}
        if request.GET.get("origin"):
            try:
                values = _origin_values(access, request.GET["origin"])
            except ValidationError as exc:
                raise BadRequest(" ".join(error_messages(exc))) from None
        return render(request, "supervision/new.html", _form_context(access, values))
    post = request.POST
    values = {k: post.get(k, "") for k in post}
    values["co_units"] = post.getlist("co_units")
    units = {u.code: u for u in Unit.objects.filter(active=True)}
    leader = None
    if post.get("leader"):
        leader = get_user_model().objects.filter(username=post["leader"]).first()
    ack = post.get("ack_days", "").strip()
    data = services.ItemData(
        title=post.get("title", ""),
        task=post.get("task", ""),
        source=post.get("source", ""),
        lead_unit=units.get(post.get("lead_unit", "")),
        co_units=[units[c] for c in post.getlist("co_units") if c in units],
        leader=leader,
        deadline=_date(post.get("deadline")),
        level=post.get("level", ""),
        rhythm=post.get("rhythm", ""),
        ack_days=whole_number(ack) if ack else None,
        origin=post.get("origin", ""),
        origin_url=post.get("origin_url", ""),
    )
    errors: dict[str, list[str]] = {}
    if post.get("leader") and leader is None:
        errors["leader"] = [_("There is no such person.")]
    if ack and whole_number(ack) is None:
        errors["ack_days"] = [_("Give the working days to acknowledge, 0 to 30.")]
    if data.origin:
        try:
            origins.resolve(access, data.origin)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors:
        try:
            with transaction.atomic():
                item = services.item_create(access=access, user=request.user, data=data)
                origins.linked(access=access, user=request.user, item=item)
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        context = _form_context(access, values, errors)
        return render(request, "supervision/new.html", context, status=400)
    messages.success(request, _("Item %(ref)s assigned.") % {"ref": item.reference})
    return HttpResponseRedirect(reverse("supervision:item", args=[item.pk]))


@page
@require_safe
def from_project_problem(request, pk: int):
    """The projects' problems page leads here: the form, started from the problem."""
    require_office(access_of(request))
    return HttpResponseRedirect(reverse("supervision:new") + f"?origin=problem:{pk}")


@page
@require_safe
def origin_list(request):
    """Where the problems are: commitments, upheld objections, project problems, red lights."""
    access = access_of(request)
    if not access.sees_everything:
        raise PermissionDenied(_("Only the office and leaders see where problems are."))
    return render(
        request,
        "supervision/origins.html",
        {"candidates": origins.candidates(access), "is_office": access.is_office},
    )


def _item_context(access: Access, item, **extra) -> dict:
    lead, co = is_lead(access, item), is_co(access, item)
    is_open = item.is_open
    row = selectors.row_of(item)
    return {
        "item": item,
        "row": row,
        "co_units": list(item.co_units.all()),
        "timeline": selectors.timeline(item),
        "extensions": list(item.extensions.select_related("requested_by", "decided_by")),
        "pending": selectors.pending_extension(item),
        "steps": list(item.escalations.all()),
        "can": {
            "acknowledge": lead and item.status == Status.ASSIGNED,
            "feedback": is_open and (lead or co),
            "closure": lead and item.status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS),
            "close": access.is_office and item.status == Status.CLOSURE_REQUESTED,
            "extend": is_open and (access.is_office or lead),
            "decide": access.is_office and is_open,
        },
        "lead": lead,
        "accept": ACCEPT,
        "errors": {},
        "action": "",
        **extra,
    }


ACTIONS = ("acknowledge", "feedback", "closure", "close", "return", "extend", "decide")


@page(max_upload=lambda: MAX_FILES * max_bytes())
@require_http_methods(["GET", "POST"])
def item(request, pk: int):
    """An item: its dates, its timeline (never changed), and the form of each act."""
    access = access_of(request)
    found = readable_item(access, pk)
    if request.method == "GET":
        return render(request, "supervision/item.html", _item_context(access, found))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise BadRequest(_("There is no such action."))
    try:
        _act(request, access, found, action)
    except ValidationError as exc:
        found.refresh_from_db()
        context = _item_context(access, found, errors=exc.message_dict, action=action)
        return render(request, "supervision/item.html", context, status=400)
    return HttpResponseRedirect(reverse("supervision:item", args=[found.pk]))


def _files(request) -> list:
    uploads = request.FILES.getlist("evidence")
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            {"evidence": [_("Attach at most %(count)s files.") % {"count": MAX_FILES}]}
        )
    return [read_upload(f) for f in uploads]


def _act(request, access: Access, item, action: str) -> None:
    post, user = request.POST, request.user
    if action == "acknowledge":
        services.item_acknowledge(access=access, user=user, item=item)
        messages.success(request, _("Item acknowledged."))
    elif action == "feedback":
        unit = None
        if post.get("unit"):
            unit = Unit.objects.filter(code=post["unit"]).first()
        services.item_feedback(
            access=access,
            user=user,
            item=item,
            text=post.get("text", ""),
            files=_files(request),
            unit=unit,
        )
        messages.success(request, _("Progress reported."))
    elif action == "closure":
        services.item_request_closure(
            access=access, user=user, item=item, text=post.get("text", ""), files=_files(request)
        )
        messages.success(request, _("Closure requested."))
    elif action == "close":
        services.item_close(access=access, user=user, item=item, note=post.get("note", ""))
        messages.success(request, _("Item closed."))
    elif action == "return":
        services.item_return(access=access, user=user, item=item, reason=post.get("reason", ""))
        messages.success(request, _("Closure request returned."))
    elif action == "extend":
        if access.is_office:
            services.item_extend(
                access=access,
                user=user,
                item=item,
                new_deadline=_date(post.get("new_deadline")),
                reason=post.get("reason", ""),
            )
            messages.success(request, _("Deadline extended."))
        else:
            services.extension_request(
                access=access,
                user=user,
                item=item,
                new_deadline=_date(post.get("new_deadline")),
                reason=post.get("reason", ""),
            )
            messages.success(request, _("Extension requested."))
    elif action == "decide":
        extension = Extension.objects.filter(
            item=item, pk=whole_number(post.get("extension")) or 0
        ).first()
        if extension is None:
            raise ValidationError({"extension": [_("There is no such extension request.")]})
        services.extension_decide(
            access=access,
            user=user,
            extension=extension,
            approve=post.get("decision") == "approve",
            note=post.get("note", ""),
        )
        messages.success(request, _("Extension decided."))


@page
@require_safe
def event_file(request, pk: int):
    found = EventFile.objects.select_related("event__item").filter(pk=pk).first()
    access = access_of(request)
    if found is None or not can_read(access, found.event.item):
        raise Http404(_("There is no such file."))
    return file_response(data=bytes(found.data), name=found.name, content_type=found.content_type)


# --- Rectification -----------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def rectification_lists(request):
    access = access_of(request)
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("title", "source", "reference")}
        try:
            created = services.rectification_list_create(access=access, user=request.user, **values)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return HttpResponseRedirect(reverse("supervision:rectification", args=[created.pk]))
    return render(
        request,
        "supervision/rectification_lists.html",
        {
            "lists": selectors.rectification_lists(access),
            "is_office": access.is_office,
            "sources": RectificationList.Source.choices,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


RECTIFICATION_ACTIONS = ("add", "report", "verify")


@page(max_upload=lambda: MAX_FILES * max_bytes())
@require_http_methods(["GET", "POST"])
def rectification(request, pk: int):
    access = access_of(request)
    found = readable_list(access, pk)
    errors: dict = {}
    action = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in RECTIFICATION_ACTIONS:
            raise BadRequest(_("There is no such action."))
        try:
            _rectify(request, access, found, action)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return HttpResponseRedirect(reverse("supervision:rectification", args=[found.pk]))
    rate = selectors.list_rate(selectors.list_rates([found.pk]), found.pk)
    return render(
        request,
        "supervision/rectification.html",
        {
            "list": found,
            "entries": selectors.entries_for(access, found),
            "rate": rate,
            "is_office": access.is_office,
            "own_units": access.own_units,
            "units": Unit.objects.filter(active=True),
            "statuses": Rectification.Status.choices,
            "errors": errors,
            "action": action,
            "accept": ACCEPT,
        },
        status=400 if errors else 200,
    )


def _rectify(request, access: Access, found: RectificationList, action: str) -> None:
    post, user = request.POST, request.user
    if action == "add":
        services.rectification_add(
            access=access,
            user=user,
            rectification_list=found,
            problem=post.get("problem", ""),
            measure=post.get("measure", ""),
            unit=Unit.objects.filter(code=post.get("unit", "")).first(),
            deadline=_date(post.get("deadline")),
        )
        return
    entry = found.entries.filter(pk=whole_number(post.get("entry")) or 0).first()
    if entry is None:
        raise ValidationError({"entry": [_("There is no such rectification in this list.")]})
    entry = readable_rectification(access, entry.pk)
    if action == "report":
        services.rectification_report(
            access=access,
            user=user,
            rectification=entry,
            status=post.get("status", ""),
            progress=post.get("progress", ""),
            files=_files(request),
        )
    else:
        services.rectification_verify(
            access=access,
            user=user,
            rectification=entry,
            accept=post.get("decision") == "accept",
            note=post.get("verification", ""),
        )


@page
@require_safe
def rectification_file(request, pk: int):
    found = RectificationFile.objects.select_related("rectification").filter(pk=pk).first()
    access = access_of(request)
    if found is None or not (
        access.sees_everything or found.rectification.unit_id in access.own_units
    ):
        raise Http404(_("There is no such file."))
    return file_response(data=bytes(found.data), name=found.name, content_type=found.content_type)
