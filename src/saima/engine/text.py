"""Messages the engine writes: English that remembers how it was made, so a platform can say it
in its reader's language.

The engine has no Django and no reader: it writes English, which the CLI prints. Each message is a
`Text`, a `str` (the English) that also keeps its template and values. `_("... %(name)s ...",
name=value)` makes one; xgettext finds the template (`_` is one of its default keywords), the
platform's catalogue translates it, and the platform fills the translated template with the values
(`saima.common.engine_text.say`).

Some text leaves the engine as plain strings inside frames (an explanation's note, why a unit is
not ranked, a check's finding) and may be stored as such. Its templates are declared once with
`template(...)`, which lists them in `TEMPLATES`, so that a platform can recognise such a string
later and say it again in another language. `format_expr` writes one of them in a Polars
expression.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl


class Text(str):
    """English text with the template and values it was made from."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any] | None = None) -> Text:
        values = dict(values or {})
        # Without values (a message with no placeholder, or a template being declared) only
        # `%%` is written, as the % it stands for.
        self = super().__new__(cls, template % values if values else _percent(template))
        self.template = template
        self.values = values
        return self

    def __reduce__(self):  # pickles (multiprocessing) as what it is
        return (Text, (self.template, self.values))


def _percent(template: str) -> str:
    return template.replace("%%", "%")


def _(template: str, /, **values: Any) -> Text:
    """The message `template` filled with `values` (`%(name)s` placeholders; `%%` for a %)."""
    return Text(template, values)


#: Templates of text that leaves the engine as plain strings (see `template`).
TEMPLATES: list[str] = []


def template(text: Text) -> str:
    """Declare the template of text that leaves the engine as plain strings; returns it.

    Written `NAME = template(_("... %(value)s ..."))`, so that xgettext finds it as well.
    """
    if text.template not in TEMPLATES:
        TEMPLATES.append(text.template)
    return text.template


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def format_expr(template: str, **values: pl.Expr | str) -> pl.Expr:
    """A Polars expression writing `template` with each `%(name)s` taken from `values`."""
    parts: list[pl.Expr | str] = []

    def placeholder(match: re.Match) -> str:
        if match[0] == "%%":
            return "%"
        parts.append(values[match[1]])
        return "{}"

    if "{" in template or "}" in template:
        raise ValueError("a template written by Polars may not contain braces")
    pattern = _PLACEHOLDER.sub(placeholder, template)
    return pl.format(pattern, *(pl.lit(p) if isinstance(p, str) else p for p in parts))
