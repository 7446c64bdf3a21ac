"""Template context every page gets: the reader's access, the main menu, the demo flag, the
language switch."""

from __future__ import annotations

from django.conf import settings

from saima.common import menu
from saima.org.access import Access, access_of

#: How each language names itself on the switch.
SWITCH_LABELS = {"zh-hans": "中文", "en": "English"}


def saima(request) -> dict:
    # A request refused before authentication (a bad Host header) has no user yet.
    access = access_of(request) if hasattr(request, "user") else Access(user_id=None)
    return {
        "access": access,
        "menu": menu.for_request(request, access) if access.user_id else [],
        "demo_mode": settings.DEMO,
        "language_switch": [
            (code, SWITCH_LABELS.get(code, str(name))) for code, name in settings.LANGUAGES
        ],
    }
