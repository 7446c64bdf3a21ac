"""The engine's and the file reader's English, said in the reader's language.

`saima.engine` and `saima.tabular` have no Django: they write English `Text` (see
`saima.engine.text`), which keeps its template and values. `say` looks the template up in the
catalogue and fills it with the values, themselves said in turn. Text that reached us as a plain
string (stored in a snapshot or a finding, or joined into a frame) is recognised by its declared
template (`saima.engine.text.TEMPLATES`) and said the same way; anything else is shown as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext

from saima.engine.text import TEMPLATES, Text


def say(value: Any) -> str:
    """`value` in the reader's language: a `Text` by its template, a plain string if the
    catalogue or a declared template knows it; anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return _fill(value.template, {k: _value(v) for k, v in value.values.items()})
    text = str(value)
    translated = gettext(text) if text else text
    if translated != text:
        return translated
    recognised = _recognised(text)
    return text if recognised is None else recognised


def say_all(values: Iterable[Any]) -> list[str]:
    return [say(v) for v in values]


def say_error(exc: BaseException) -> list[str]:
    """An engine error's message and each of its details, in the reader's language."""
    head = exc.args[0] if exc.args else str(exc)
    return [say(head), *say_all(getattr(exc, "details", []))]


def _value(value: Any) -> Any:
    """A value put into a template: a message is said, a code or a number stays as it is."""
    if isinstance(value, Text):
        return say(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_value(v)) for v in value)
    return value


def _fill(template: str, values: dict[str, Any]) -> str:
    translated = gettext(template)
    try:
        return translated % values if values else translated
    except (KeyError, ValueError, TypeError):  # a faulty translation: the English rather than none
        return template % values if values else template


def _recognised(text: str) -> str | None:
    """A plain string made from a declared template, said again; None if none made it."""
    for template, pattern in _patterns(len(TEMPLATES)):
        match = pattern.fullmatch(text)
        if match is not None:
            values = {k: _recognised_value(v) for k, v in match.groupdict().items()}
            return _fill(template, values)
    return None


def _recognised_value(text: str) -> str:
    found = _recognised(text)
    return text if found is None else found


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@functools.cache
def _patterns(count: int) -> list[tuple[str, re.Pattern]]:
    """The declared templates as patterns, the most specific (most fixed text) first."""
    found = []
    for template in TEMPLATES[:count]:
        seen: set[str] = set()
        parts: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(template):
            parts.append(re.escape(template[position : match.start()]))
            if match[0] == "%%":
                parts.append("%")
            elif match[1] in seen:
                parts.append(f"(?P={match[1]})")
            else:
                seen.add(match[1])
                parts.append(f"(?P<{match[1]}>.+?)")
            position = match.end()
        parts.append(re.escape(template[position:]))
        fixed = len(_PLACEHOLDER.sub("", template))
        found.append((fixed, template, re.compile("".join(parts), re.S)))
    found.sort(key=lambda entry: -entry[0])
    return [(template, pattern) for _fixed, template, pattern in found]
