"""Parsing numbers and yes/no values the way people type them into Chinese office spreadsheets.

Figures arrive with thousands separators, full-width digits from Chinese input methods, percent
signs, accounting brackets for negatives and dashes for "no figure". Anything we cannot read with
certainty is rejected rather than guessed, because a silently wrong figure decides a ranking.
"""

from __future__ import annotations

import math
import re
import unicodedata

from saima.engine.text import _

_NO_FIGURE = frozenset({"-", "—", "–", "/", "--", "——"})
"""Statistical tables write these for "no figure"; they read as blank."""

_NA_TOKENS = frozenset({"n/a", "na", "不适用", "不考核"})
_TRUE = frozenset({"true", "yes", "y", "1", "是", "√", "✓", "✔"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "×", "x", "✗", "✘"})
_NOT_FINITE_WORDS = frozenset({"nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity"})

_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\ufe63": "-"})
_BODY = re.compile(
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d*)"  # digits, or digits grouped by threes with commas
    r"(?:\.(?P<frac>\d*))?"
    r"(?:[eE][+-]?\d+)?",
    re.ASCII,
)


def normalise(text: str) -> str:
    """NFKC-fold full-width forms and strip all whitespace (including U+3000 and BOMs)."""
    return unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).strip().strip("\ufeff\u200b")


def is_no_figure(text: str) -> bool:
    """Whether a cell holds one of the dashes statistical sheets use for "no figure"."""
    return normalise(text) in _NO_FIGURE


def is_na_token(text: str) -> bool:
    """Whether a cell says the measure does not apply ("n/a", "不适用", "不考核")."""
    return normalise(text).casefold() in _NA_TOKENS


def parse_number(text: str) -> float | None:
    """Read a figure as typed by a person; None for blank or "no figure" dashes.

    Raises ValueError with a short reason naming the text for anything else. A trailing % is
    dropped because Saima keeps percentages in percent (8.5% -> 8.5).
    """
    clean = normalise(text)
    if clean == "" or clean in _NO_FIGURE:
        return None
    if clean.casefold() in _NOT_FINITE_WORDS:
        raise ValueError(_("%(cell)s is not a finite number", cell=repr(text)))
    value = _signed(clean)
    if value is None:
        raise ValueError(_("%(cell)s is not a number", cell=repr(text)))
    if not math.isfinite(value):
        raise ValueError(_("%(cell)s is not a finite number", cell=repr(text)))
    return value


def _signed(clean: str) -> float | None:
    """Handle accounting brackets, a percent sign and a leading sign around the digits."""
    negative = False
    if clean.startswith("(") and clean.endswith(")"):
        negative, clean = True, clean[1:-1].strip()
    if clean.endswith("%"):
        clean = clean[:-1].rstrip()
    if clean[:1] in ("+", "-"):
        if negative:  # "(-3)" is ambiguous; refuse it
            return None
        negative, clean = clean[0] == "-", clean[1:]
    magnitude = _unsigned(clean)
    if magnitude is None:
        return None
    return -magnitude if negative else magnitude


def _unsigned(body: str) -> float | None:
    """Digits with optional comma grouping, fraction and exponent; None when malformed."""
    match = _BODY.fullmatch(body)
    if match is None or not (match["int"] or match["frac"]):
        return None
    return float(body.replace(",", ""))


def parse_bool(text: str) -> bool:
    """Read a yes/no cell; blank means no. Raises ValueError for anything unrecognised."""
    clean = normalise(text).casefold()
    if clean == "" or clean in _FALSE:
        return False
    if clean in _TRUE:
        return True
    raise ValueError(
        _("%(cell)s is not yes/no (use 是/否, yes/no, true/false, 1/0, √/×)", cell=repr(text))
    )
