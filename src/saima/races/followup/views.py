"""Pages after publication: laggard statements, the follow-up of commitments, objections.

Who sees what: the office sees and changes everything; a leader reads everything; a unit's
reporter and approver see, file and object only for their own unit. The services in
`saima.races.followup` decide; these views only read the form and show the outcome.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.evidence import ACCEPT, max_bytes
from saima.common.pages import error_messages, page
from saima.common.periods import BadPeriod
from saima.common.text import storable_problem
from saima.engine import EngineError, Period
from saima.org.access import Access, access_of
from saima.org.models import Unit
from saima.races.definitions.selectors import read_race_period, readable_race
from saima.races.followup import selectors, services
from saima.races.history import history_of
from saima.races.models import LaggardStatement, Objection, Publication, RaceDefinition
from saima.races.results.selectors import current_publication, publications_of, readable_publication

STATEMENT_ACTIONS = ("submit", "accept", "return", "follow_up")
OBJECTION_ACTIONS = ("answer", "republish", "evidence")


def _race_period(race: RaceDefinition, text: str) -> Period:
    try:
        return read_race_period(race, text)
    except ValidationError as exc:
        raise BadPeriod(" ".join(error_messages(exc))) from None


def _published(access: Access, code: str, period: str):
    race = readable_race(access, code)
    race_period = _race_period(race, period)
    return race, race_period, readable_publication(access, race, race_period.label)


def _date(text: str) -> datetime.date | None:
    try:
        return parse_date((text or "").strip())
    except ValueError:
        return None


def _bad_request(request, message: str):
    return render(request, "400.html", {"message": message}, status=400)


# --- Statements --------------------------------------------------------------------------------


@page
@require_safe
def statements(request, code: str, period: str):
    """The statements of a period's laggards (a unit's people: their own)."""
    access = access_of(request)
    race, race_period, publication = _published(access, code, period)
    rows = [
        {
            "statement": s,
            "reasons": selectors.reasons_of(s),
            "may_file": selectors.may_file_statement(access, s),
        }
        for s in selectors.readable_statements(access, race, race_period.label)
    ]
    context = {
        "race": race,
        "race_period": race_period,
        "publication": publication,
        "rows": rows,
        "access": access,
    }
    return render(request, "races/statements.html", context)


def _statement_context(access: Access, statement: LaggardStatement, **extra) -> dict:
    today = timezone.localdate()
    history = history_of(statement)
    context = {
        "statement": statement,
        "race": statement.publication.race,
        "reasons": selectors.reasons_of(statement),
        "access": access,
        "may_file": selectors.may_file_statement(access, statement),
        "may_review": access.is_office and statement.status == LaggardStatement.Status.SUBMITTED,
        "may_follow_up": access.is_office and statement.status == LaggardStatement.Status.ACCEPTED,
        "days_left": (statement.commitment_date - today).days
        if statement.commitment_date
        else None,
        "days_overdue": (today - statement.commitment_date).days
        if statement.commitment_date
        else None,
        "history": history,
        "earliest": selectors.published_on(statement.publication) + datetime.timedelta(days=1),
        "latest": selectors.published_on(statement.publication) + services.COMMITMENT_HORIZON,
        "posted": {},
        "errors": {},
    }
    context.update(extra)
    return context


@page
@require_http_methods(["GET", "HEAD", "POST"])
def statement(request, code: str, pk: int):
    access = access_of(request)
    found = selectors.readable_statement(access, pk, code)
    if request.method != "POST":
        return render(request, "races/statement.html", _statement_context(access, found))
    action = request.POST.get("action", "")
    if action not in STATEMENT_ACTIONS:
        return _bad_request(request, _("Unknown action."))
    post = request.POST
    try:
        if action == "submit":
            services.statement_submit(
                access,
                found,
                cause=post.get("cause", ""),
                measures=post.get("measures", ""),
                commitment=post.get("commitment", ""),
                commitment_date=_date(post.get("commitment_date", "")),
            )
        elif action == "accept":
            services.statement_accept(access, found, comment=post.get("comment", ""))
        elif action == "return":
            services.statement_return(access, found, comment=post.get("comment", ""))
        else:
            services.statement_follow_up(
                access, found, note=post.get("note", ""), outcome=post.get("outcome", "")
            )
    except ValidationError as exc:
        posted = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        context = _statement_context(access, found, posted=posted, errors=errors, action=action)
        return render(request, "races/statement.html", context, status=400)
    done = {
        "submit": _("The statement is filed; the office will review it."),
        "accept": _("The statement is accepted; its commitment will be followed."),
        "return": _("The statement is returned to the unit."),
        "follow_up": _("The follow-up is recorded."),
    }[action]
    messages.success(request, done)
    if post.get("back") == "list":
        url = reverse("races:statements", args=[code, found.publication.period])
    else:
        url = reverse("races:statement", args=[code, found.pk])
    return HttpResponseRedirect(url)


@page
@require_safe
def follow_up(request):
    """Open commitments across races, with the days left or overdue."""
    access = access_of(request)
    if not access.sees_everything and not access.own_units:
        raise PermissionDenied(_("The follow-up of commitments is for the office and leaders."))
    context = {
        "commitments": selectors.open_commitments(access),
        "today": timezone.localdate(),
        "access": access,
    }
    return render(request, "races/followup.html", context)


# --- Objections --------------------------------------------------------------------------------


def _versions(race: RaceDefinition, period: str) -> list[Publication]:
    return list(publications_of(race, period))


def _objections_context(access: Access, race, race_period, publication, **extra) -> dict:
    context = {
        "race": race,
        "race_period": race_period,
        "publication": publication,
        "versions": _versions(race, race_period.label),
        "objections": list(
            selectors.readable_objections(access, race, race_period.label).order_by(
                "-filed_at", "-pk"
            )
        ),
        "units": selectors.objecting_units(access, publication),
        "window_open": selectors.objection_window_open(publication),
        "accept": ACCEPT,
        "access": access,
        "posted": {},
        "errors": {},
    }
    context.update(extra)
    return context


@page(max_upload=max_bytes)
@require_http_methods(["GET", "HEAD", "POST"])
def objections(request, code: str, period: str):
    """Objections to a period's result; a unit's people file theirs here while it is open."""
    access = access_of(request)
    race, race_period, publication = _published(access, code, period)
    if request.method != "POST":
        context = _objections_context(access, race, race_period, publication)
        return render(request, "races/objections.html", context)
    code = request.POST.get("unit", "").strip()[:32]
    unit = None if storable_problem(code) else Unit.objects.filter(code=code).first()
    try:
        if unit is None:
            raise ValidationError({"unit": [_("Choose the unit that objects.")]})
        objection = services.objection_file(
            access,
            publication,
            unit,
            reason=request.POST.get("reason", ""),
            evidence_file=request.FILES.get("evidence"),
        )
    except ValidationError as exc:
        posted = {"unit": request.POST.get("unit", ""), "reason": request.POST.get("reason", "")}
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        context = _objections_context(
            access, race, race_period, publication, posted=posted, errors=errors
        )
        return render(request, "races/objections.html", context, status=400)
    messages.success(request, _("The objection is filed; the office will answer it."))
    return HttpResponseRedirect(reverse("races:objection", args=[objection.pk]))


def _objection_context(access: Access, objection: Objection, **extra) -> dict:
    publication = objection.publication
    race = publication.race
    republications = list(objection.republications.order_by("version"))
    upheld = objection.status == Objection.Status.UPHELD
    context = {
        "objection": objection,
        "race": race,
        "publication": publication,
        "current": current_publication(race, publication.period),
        "republications": republications,
        "history": history_of(objection),
        "may_answer": access.is_office and objection.status == Objection.Status.OPEN,
        "may_republish": access.is_office and upheld and not republications,
        "may_add_evidence": objection.status == Objection.Status.OPEN
        and objection.unit in selectors.objecting_units(access, publication),
        "default_reason": _("Objection of %(unit)s upheld: %(answer)s")
        % {"unit": objection.unit, "answer": objection.answer},
        "accept": ACCEPT,
        "access": access,
        "posted": {},
        "errors": {},
    }
    context.update(extra)
    return context


@page(max_upload=max_bytes)
@require_http_methods(["GET", "HEAD", "POST"])
def objection(request, pk: int):
    access = access_of(request)
    found = selectors.readable_objection(access, pk)
    if request.method != "POST":
        return render(request, "races/objection.html", _objection_context(access, found))
    action = request.POST.get("action", "")
    if action not in OBJECTION_ACTIONS:
        return _bad_request(request, _("Unknown action."))
    post = request.POST
    try:
        if action == "answer":
            services.objection_answer(
                access, found, status=post.get("status", ""), answer=post.get("answer", "")
            )
            done = _("The objection is answered.")
        elif action == "evidence":
            services.objection_attach_evidence(access, found, request.FILES.get("evidence"))
            done = _("The evidence is attached.")
        else:
            # In the background, as publishing from the preview: a national race takes longer
            # than a proxy waits. The page shows the job's progress, then its outcome.
            job = services.objection_republish_start(
                access, found, user=request.user, reason=post.get("reason", "")
            )
            url = reverse("races:objection", args=[found.pk])
            return HttpResponseRedirect(f"{url}?job={job.pk}")
    except (ValidationError, EngineError) as exc:
        posted = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            errors = exc.message_dict
        else:
            errors = {"__all__": error_messages(exc)}
        context = _objection_context(access, found, posted=posted, errors=errors, action=action)
        return render(request, "races/objection.html", context, status=400)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("races:objection", args=[found.pk]))
