"""Every complete rules file in docs/rules.md is valid, so the documentation cannot rot.

Blocks fenced as ```toml are complete rules files and must pass `parse_rules`; snippets are
fenced as ```toml fragment and are not checked on their own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saima.engine import parse_rules

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
FENCE = re.compile(r"^```toml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_the_document_has_complete_examples():
    assert len(_blocks()) >= 8


@pytest.mark.parametrize(
    ("line", "block"), _blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else ""
)
def test_rules_example_is_valid(line: int, block: str):
    parse_rules(block, source=f"docs/rules.md:{line}")
