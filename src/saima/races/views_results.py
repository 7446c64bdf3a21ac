"""Pages of race results: the list of races, preview and publish, standings, explanations."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from saima.org.access import access_of
from saima.races import selectors
from saima.races.pages import race_page


@race_page
@require_safe
def index(request):
    access = access_of(request)
    races = []
    for race in selectors.visible_races(access):
        races.append(
            {
                "race": race,
                "groups": list(race.groups.all()),
                "published": selectors.current_publications(race),
                "periods": selectors.race_periods(race),
            }
        )
    return render(request, "races/index.html", {"races": races, "access": access})
