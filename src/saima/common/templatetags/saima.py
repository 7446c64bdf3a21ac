"""Template helpers: links that keep the period, and the engine's figures at given decimals."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from saima.common import engine_text
from saima.common import formatting as fmt
from saima.common.text import NOTE_LENGTH

register = template.Library()


@register.simple_tag(takes_context=True)
def period_url(context, name: str, *args, period=None, keep=False, **query) -> str:
    """The URL of page `name`, carrying the page's period (or `period`) in canonical form, then
    `query`'s parameters and, with `keep`, the page's own (`keep_query`: the overview's group)."""
    url = reverse(name, args=[arg for arg in args if arg not in ("", None)])
    chosen = period or context.get("period")
    params = {"period": chosen.label} if chosen else {}
    params |= (context.get("keep_query") or {}) if keep else {}
    params |= {key: value for key, value in query.items() if value not in ("", None)}
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag(takes_context=True)
def grid_rows(context, rows, no_target: str, indent: str = "              ") -> str:
    """The rows of one race group of the overview's grid of lights (`web/_board.html`): the same
    HTML, to the byte, as the template loop it stands for, made here in one pass because a
    national board has over a hundred thousand cells, which the template engine took seconds to
    render. Each row is a unit's name (linked to its page, with the period) and a cell per
    indicator: its key and light, or `no_target` when the unit has no figure for it."""
    none = f'<td class="cell--none">{conditional_escape(no_target)}</td>'
    lights: dict = {}  # a light's cell after its key: the same for every cell of that light
    out = []
    for row in rows:
        unit = row.unit
        url = conditional_escape(period_url(context, "unit", unit.code))
        name = conditional_escape(unit.name)
        parts = [f'\n{indent}<tr><th scope="row"><a href="{url}">{name}</a></th>']
        for cell in row.cells:
            if not cell:
                parts.append(none)
                continue
            light = cell.light
            tail = lights.get(light.key)
            if tail is None:
                tail = lights[light.key] = (
                    f'" data-light="{conditional_escape(light.key)}">'
                    f"{conditional_escape(light.icon)} {conditional_escape(light.label)}</td>"
                )
            parts.append(f'<td data-k="{conditional_escape(cell.key)}{tail}')
        parts.append(f"</tr>\n{indent[:-2]}")
        out.append("".join(parts))
    return mark_safe("".join(out))


@register.simple_tag
def note_length() -> int:
    """The longest note a form takes (`saima.common.text.NOTE_LENGTH`), for `maxlength`."""
    return NOTE_LENGTH


@register.filter
def decimals(value, places: int) -> str:
    """`{{ value|decimals:2 }}`: a figure rounded for display only."""
    return fmt.number(None if value is None else float(value), int(places))


@register.filter
def period_name(value) -> str:
    """`{{ period|period_name }}`: 2026年3月 in Chinese; links keep `period.label`."""
    return fmt.period_name(value)


@register.filter
def join_list(items) -> str:
    """`{{ names|join_list }}`: 甲、乙 in Chinese, a, b otherwise."""
    return fmt.join_list(items)


@register.simple_tag
def list_separator() -> str:
    """`{% if not forloop.last %}{% list_separator %}{% endif %}`: 、 in Chinese, `, ` otherwise."""
    return fmt.list_separator()


@register.filter
def person(user) -> str:
    """`{{ publication.published_by|person }}`: full name, else username."""
    return fmt.person(user)


@register.filter
def percent_width(value) -> str:
    """A share as a CSS percentage with a dot for the decimal, whatever the language."""
    return f"{float(value or 0):.2f}%"


#: What `json_script` escapes, so that the JSON cannot end its <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def compact_json_script(value, element_id: str):
    """`json_script`, written compactly: no spaces after separators, non-ASCII text as itself
    (the page is UTF-8), for a blob of thousands of figures."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text.translate(_SCRIPT_ESCAPES)),
    )


@register.filter
def say(value) -> str:
    """`{{ finding.message|say }}`: the engine's English in the reader's language."""
    return engine_text.say(value)


@register.filter
def say_error(exc) -> str:
    """`{{ error|say_error }}`: an engine error, its message and details, in the reader's
    language."""
    return engine_text.say_error_text(exc)
