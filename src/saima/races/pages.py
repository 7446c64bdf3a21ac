"""What every page of the races app shares: the decorator, lookups, and error display."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from saima.engine import EngineError
from saima.org.access import Access
from saima.races.models import Publication, RaceDefinition
from saima.races.selectors import visible_races
from saima.web.engine_text import say_error
from saima.web.periods import BadPeriod


def race_page(view):
    """A signed-in page of the races app; a period it cannot show is a 400, and what the engine
    refuses (rules that no longer fit the indicators, contradictory figures) a notice."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadPeriod as exc:
            return render(request, "400.html", {"message": str(exc)}, status=400)
        except EngineError as exc:
            return render(request, "web/data_problem.html", {"error": exc})

    return wrapper


def readable_race(access: Access, code: str) -> RaceDefinition:
    """The race named by `code` if this person may read its results (404 otherwise: a unit does
    not learn of races it is not in)."""
    race = visible_races(access).filter(code=code).first()
    if race is None:
        raise Http404(_("There is no race with the code %(code)s.") % {"code": code})
    return race


def readable_publication(
    access: Access, race: RaceDefinition, period: str, version: int | None = None
) -> Publication:
    """A published result of a readable race: the latest version, or the one asked for."""
    # The inputs are the largest part of a snapshot and only the downloads read them.
    found = Publication.objects.filter(race=race, period=period).defer("inputs")
    found = found.order_by("-version")
    if version is not None:
        found = found.filter(version=version)
    publication = found.first()
    if publication is None:
        raise Http404(
            _("%(race)s has no published result for %(period)s.")
            % {"race": race.name, "period": period}
        )
    return publication


def error_messages(exc: Exception) -> list[str]:
    """The lines to show for a refused write: a ValidationError's messages, or an engine error's
    message and details."""
    if isinstance(exc, EngineError):
        return say_error(exc)
    messages = getattr(exc, "messages", None)
    return [str(m) for m in messages] if messages else [str(exc)]
