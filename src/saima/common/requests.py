"""Values read from a request as people and programs send them: whatever was typed is either a
value or None, never an exception that would become a server error."""

from __future__ import annotations

#: More digits than any database key or count the pages use (a key is at most 2**63 - 1).
MAX_DIGITS = 18


def whole_number(text: object, *, max_digits: int = MAX_DIGITS) -> int | None:
    """A whole number of 0 or more written in ASCII digits, or None.

    `str.isdigit` alone is not enough: it accepts "²" and other digits that `int()` refuses.
    """
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text)


def declared_length(request) -> int:
    """The body length the client declared (0 when it declared none, or nonsense)."""
    return whole_number(request.META.get("CONTENT_LENGTH") or 0, max_digits=15) or 0
