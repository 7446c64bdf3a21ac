"""Lights as people see them: a colour, an icon and a word, so that a light reads without colour
too (a printout, a colour-blind reader). The engine decides the light; this only shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from saima.engine.frames import MISSING, NOT_APPLICABLE


@dataclass(frozen=True)
class Light:
    """A light as shown: a colour, an icon and a word."""

    key: str
    icon: str
    label: Promise
    meaning: Promise


LIGHTS = {
    "green": Light("green", "✓", _("green"), _("on or ahead of schedule")),
    "yellow": Light("yellow", "!", _("yellow"), _("slightly behind schedule")),
    "red": Light("red", "✕", _("red"), _("behind schedule")),
    MISSING: Light("missing", "?", _("missing"), _("not reported")),
    NOT_APPLICABLE: Light("na", "–", _("n/a"), _("does not apply")),
    None: Light("unknown", "·", _("unknown"), _("cannot be judged")),
}
#: The lights a count of a board adds up (not "n/a" nor "unknown").
COUNTED = ("green", "yellow", "red", MISSING)


def light(key: str | None) -> Light:
    """The light shown for the engine's `key` (unknown for anything it does not name)."""
    return LIGHTS.get(key, LIGHTS[None])
