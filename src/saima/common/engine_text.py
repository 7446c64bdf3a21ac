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

from saima.engine.errors import MAX_SHOWN, more_details
from saima.engine.text import TEMPLATES, Text
from saima.tabular import Problem, more_problems


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


def say_error_text(exc: BaseException) -> str:
    """An engine error as `str(exc)` writes it (message, then one indented line per detail, at
    most twenty), in the reader's language."""
    head, *details = say_error(exc)
    lines = [head, *(f"  - {line}" for line in details[:MAX_SHOWN])]
    if len(details) > MAX_SHOWN:
        lines.append(f"  {say(more_details(len(details) - MAX_SHOWN))}")
    return "\n".join(lines)


def say_problem(problem: Problem) -> str:
    """A problem of a file (`saima.tabular.Problem`) in the reader's language: "file, sheet S,
    row R, column C: message", each part and the message said."""
    text = problem.text()
    place = ", ".join(say(part) for part in problem.place())
    return _fill(text.template, {"place": place, "message": say(problem.message)})


def say_problems(problems: Iterable[Problem], limit: int | None = None) -> list[str]:
    """Problems of files in the reader's language; past `limit`, one line says how many more."""
    problems = list(problems)
    shown = problems if limit is None else problems[:limit]
    lines = [say_problem(p) for p in shown]
    more = more_problems(len(problems) - len(shown))
    if more is not None:
        lines.append(say(more))
    return lines


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
        return translated % values if values else translated.replace("%%", "%")
    except (KeyError, ValueError, TypeError):  # a faulty translation: the English rather than none
        return template % values


def recognise(text: str) -> tuple[str, dict[str, str]] | None:
    """The declared template a plain string was made from, and its values; None if none."""
    for template, pattern in _patterns(len(TEMPLATES)):
        match = pattern.fullmatch(text)
        if match is not None:
            return template, match.groupdict()
    return None


def _recognised(text: str) -> str | None:
    """A plain string made from a declared template, said again; None if none made it."""
    found = recognise(text)
    if found is None:
        return None
    template, values = found
    return _fill(template, {k: _recognised_value(v) for k, v in values.items()})


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
