"""Text that people type, checked before it is stored: PostgreSQL refuses a NUL character and
UTF-8 has no lone surrogates, so either would otherwise fail deep in the database as a server
error (SQLite would quietly keep it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

#: The longest note or comment anyone writes beside a figure, a return or a warning: the forms,
#: the spreadsheet templates, the API's schemas and the services all take this one limit.
NOTE_LENGTH = 2000


def storable_problem(text: str) -> str | None:
    """Why the database cannot keep `text` as it is, or None."""
    if "\x00" in text:
        return _("The text contains a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text is not valid Unicode.")
    return None


def clean_text(value: object, *, limit: int, required: str | None = None) -> tuple[str, str | None]:
    """The text without surrounding spaces, and what is wrong with it (None when nothing):
    blank where `required` (that message), longer than `limit`, or not storable."""
    text = "" if value is None else str(value).strip()
    if not text:
        return text, required
    if len(text) > limit:
        return text, _("Give at most %(limit)s characters.") % {"limit": limit}
    return text, storable_problem(text)
