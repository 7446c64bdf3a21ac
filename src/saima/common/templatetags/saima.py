"""Template helpers: links that keep the period, and the engine's figures at given decimals."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from saima.common import engine_text
from saima.common import formatting as fmt
from saima.common.text import NOTE_LENGTH

register = template.Library()


@register.simple_tag(takes_context=True)
def period_url(context, name: str, *args, period=None) -> str:
    """The URL of page `name`, carrying the page's period (or `period`) in canonical form."""
    url = reverse(name, args=[arg for arg in args if arg not in ("", None)])
    chosen = period or context.get("period")
    return f"{url}?{urlencode({'period': chosen.label})}" if chosen else url


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
