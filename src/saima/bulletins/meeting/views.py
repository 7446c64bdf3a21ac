"""The meeting screen: full screen, one slide at a time, advanced by keyboard or on a timer."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from saima.bulletins.meeting import selectors
from saima.common.pages import page
from saima.common.requests import whole_number
from saima.org.access import access_of

#: The longest and shortest timer a screen may run (seconds per slide; 0 is no timer).
MAX_INTERVAL = 600


@page
@require_safe
def screen(request):
    access = access_of(request)
    theme = "light" if request.GET.get("theme") == "light" else "dark"
    interval = whole_number(request.GET.get("interval", "0"), max_digits=3) or 0
    interval = min(interval, MAX_INTERVAL)
    picked = selectors.pick(
        access, (request.GET.get("race") or "")[:32], (request.GET.get("period") or "")[:10]
    )
    context = {
        "access": access,
        "theme": theme,
        "interval": interval,
        "choices": selectors.meeting_choices(access),
        "race": None,
        "publication": None,
        "slides": [],
    }
    if picked is not None:
        race, publication = picked
        context.update(
            race=race,
            publication=publication,
            slides=selectors.slides(access, race, publication),
        )
    return render(request, "bulletins/meeting.html", context)
