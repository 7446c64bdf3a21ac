"""Template context every page gets: the reader's access and the demo flag."""

from __future__ import annotations

from django.conf import settings

from saima.org.access import access_of


def saima(request) -> dict:
    return {"access": access_of(request), "demo_mode": settings.DEMO}
