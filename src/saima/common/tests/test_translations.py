"""The Simplified Chinese catalogue: complete, consistent, compiled, and covering the source.

`src/saima/locale/zh_Hans/LC_MESSAGES/django.po` is made with `makemessages -l zh_Hans` (from
`src/saima`) and compiled to `django.mo` with `compilemessages`; both are committed. These tests
check that every message has a translation (none empty, none fuzzy) with the same placeholders,
that the committed `.mo` says what the `.po` says, that the pages really come out in Chinese, and
that every literal string the templates and Python mark for translation is in the catalogue.

No third-party parser: a small `.po` reader and a small `.mo` reader live here.
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
import subprocess
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext, override, trim_whitespace

import saima

PACKAGE_DIR = Path(saima.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

#: What `makemessages` is run with (`--ignore "tests/*" --ignore "*/tests/*"`), plus its defaults.
SKIPPED_DIRS = {"tests", "locale", "__pycache__", "node_modules"}
TEMPLATE_SUFFIXES = {".html", ".txt"}


# --- reading a .po ------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(token: str, where: str) -> str:
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise AssertionError(f"{where}: not a quoted string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), token[1:-1])


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The entry's key in a compiled catalogue (`ctxt\\x04msgid\\x00plural`)."""
        key = self.msgid if self.msgid_plural is None else f"{self.msgid}\x00{self.msgid_plural}"
        return key if self.msgctxt is None else f"{self.msgctxt}\x04{key}"

    @property
    def value(self) -> str:
        return "\x00".join(self.msgstr[n] for n in sorted(self.msgstr))

    @property
    def where(self) -> str:
        return f"django.po:{self.line} ({self.msgid[:60]!r})"


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (`#~`) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field continuation lines add to

    def fresh(line_no: int) -> Entry:
        nonlocal current
        if current is None or current.msgstr:
            if current is not None:
                entries.append(current)
            current = Entry(line=line_no)
        return current

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#"):
            entry = fresh(line_no)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                entry.references += line[2:].split()
            target = None
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise AssertionError(f"django.po:{line_no}: a string outside any field")
            name, index = target
            text_part = _unquote(line, f"django.po:{line_no}")
            if name == "msgstr":
                current.msgstr[index] += text_part
            else:
                setattr(current, name, getattr(current, name) + text_part)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise AssertionError(f"django.po:{line_no}: cannot read {raw!r}")
        keyword, index, token = match.groups()
        value = _unquote(token, f"django.po:{line_no}")
        if keyword in ("msgctxt", "msgid"):
            entry = fresh(line_no)
            if keyword == "msgid" and entry.line < line_no and entry.msgid:
                raise AssertionError(f"django.po:{line_no}: two msgids in one entry")
            setattr(entry, keyword, value)
            target = (keyword, None)
        elif keyword == "msgid_plural":
            current.msgid_plural = value
            target = ("msgid_plural", None)
        else:
            number = 0 if index is None else int(index)
            current.msgstr[number] = value
            target = ("msgstr", number)
    if current is not None:
        entries.append(current)
    return entries


@cache
def po_entries() -> tuple[Entry, ...]:
    if not PO_PATH.exists():
        pytest.fail(f"{PO_PATH} is missing: run makemessages -l zh_Hans from src/saima")
    return tuple(parse_po(PO_PATH.read_text(encoding="utf-8")))


def messages() -> list[Entry]:
    """Every entry but the header."""
    return [entry for entry in po_entries() if entry.key != ""]


def header() -> dict[str, str]:
    head = next((e for e in po_entries() if e.key == ""), None)
    assert head is not None, "django.po has no header entry"
    pairs = (line.split(":", 1) for line in head.msgstr.get(0, "").splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in pairs}


# --- reading a .mo ------------------------------------------------------------------------------


def read_mo(path: Path) -> dict[str, str]:
    """A compiled catalogue as {key: value}, keys as in `Entry.key`."""
    data = path.read_bytes()
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    magic, _revision, count, ids_at, strs_at = struct.unpack(order + "5I", data[:20])
    assert magic == 0x950412DE, f"{path} is not a .mo file"
    catalogue = {}
    for i in range(count):
        id_len, id_at = struct.unpack(order + "2I", data[ids_at + 8 * i : ids_at + 8 * i + 8])
        str_len, str_at = struct.unpack(order + "2I", data[strs_at + 8 * i : strs_at + 8 * i + 8])
        key = data[id_at : id_at + id_len].decode("utf-8")
        catalogue[key] = data[str_at : str_at + str_len].decode("utf-8")
    return catalogue


def without_header(catalogue: dict[str, str]) -> dict[str, str]:
    """The messages only: the header carries dates that change on every makemessages run."""
    return {key: value for key, value in catalogue.items() if key != ""}


# --- (a) every message translated, none fuzzy, same placeholders ---------------------------------

PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
NAMED = re.compile(r"%\((\w+)\)")
BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _printf(text: str) -> tuple[Counter, list[str]]:
    named, positional = Counter(), []
    for match in PRINTF.finditer(text):
        if match["conv"] == "%":
            continue
        if match["name"] is None:
            positional.append(match["conv"])
        else:
            named[(match["name"], match["conv"])] += 1
    return named, positional


def placeholder_problems(entry: Entry) -> list[str]:
    # With one plural form (Chinese), msgstr[0] serves every count: it follows msgid_plural.
    source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
    problems = []
    for number, translated in sorted(entry.msgstr.items()):
        checks = [
            (
                "named %(…) placeholders",
                Counter(NAMED.findall(source)),
                Counter(NAMED.findall(translated)),
            ),
            ("HTML tags", Counter(TAG.findall(source)), Counter(TAG.findall(translated))),
        ]
        if "python-format" in entry.flags:
            checks.append(("%-placeholders", _printf(source), _printf(translated)))
        if "python-brace-format" in entry.flags:
            checks.append(
                (
                    "{…} placeholders",
                    Counter(BRACE.findall(source)),
                    Counter(BRACE.findall(translated)),
                )
            )
        for what, expected, found in checks:
            if expected != found:
                problems.append(f"{entry.where}: msgstr[{number}] {what} {found} != {expected}")
    return problems


def test_the_header_declares_chinese_utf8_and_one_plural_form():
    head = header()
    assert head.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in head.get("Content-Type", "")
    assert re.fullmatch(r"nplurals=1;\s*plural=0;?", head.get("Plural-Forms", "")), head
    assert not any(entry.key == "" and "fuzzy" in entry.flags for entry in po_entries())


def test_the_catalogue_is_not_empty():
    assert len(messages()) > 100


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [e.where for e in messages() if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [e.where for e in messages() if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy (check the translation, then remove the flag):\n" + "\n".join(fuzzy)


def test_plural_messages_have_exactly_one_form():
    wrong = [e.where for e in messages() if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not wrong, "Chinese has one plural form (msgstr[0] only):\n" + "\n".join(wrong)


def test_keys_are_unique():
    repeated = [key for key, n in Counter(e.key for e in po_entries()).items() if n > 1]
    assert not repeated


def test_placeholders_match_between_msgid_and_msgstr():
    problems = [problem for entry in messages() for problem in placeholder_problems(entry)]
    assert not problems, "\n".join(problems)


# --- (b) the committed .mo says what the .po says -----------------------------------------------


def test_the_mo_holds_the_po_messages():
    assert MO_PATH.exists(), "django.mo is missing: run compilemessages from src/saima"
    expected = {e.key: e.value for e in messages() if "fuzzy" not in e.flags and e.value}
    compiled = without_header(read_mo(MO_PATH))
    stale = sorted(set(expected) ^ set(compiled)) + sorted(
        key for key in set(expected) & set(compiled) if expected[key] != compiled[key]
    )
    assert not stale, "django.mo is out of date (run compilemessages):\n" + "\n".join(
        repr(key[:60]) for key in stale
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_the_mo_is_what_msgfmt_makes_of_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert without_header(read_mo(MO_PATH)) == without_header(read_mo(fresh)), (
        "django.mo is out of date: run compilemessages from src/saima"
    )


# --- (c) the translations are used --------------------------------------------------------------

KEY_STRINGS = {
    "Overview": "总览",
    "Time progress": "时序进度",
    "Completion": "完成率",
    "Double over half": "双过半",
    "Year-end projection": "年末预计",
    "Needed per month for the rest of the year": "后续月均需完成",
    "not reported": "未报送",
    "Sign in": "登录",
    "Sign out": "退出",
}


def test_the_catalogue_is_installed_where_django_looks():
    assert LOCALE_DIR.parent.parent in {Path(p).resolve() for p in settings.LOCALE_PATHS}
    assert "zh-hans" in dict(settings.LANGUAGES)


@pytest.mark.parametrize(("english", "chinese"), KEY_STRINGS.items())
def test_key_strings_translate(english, chinese):
    with override("zh-hans"):
        assert gettext(english) == chinese
    with override("en"):
        assert gettext(english) == english


def test_labels_from_python_translate():
    from saima.common import formatting, lights
    from saima.org.models import Role

    with override("zh-hans"):
        assert str(Role.OFFICE.label) == "调度办管理员"
        assert str(Role.REPORTER.label) == "单位填报员"
        assert [str(lights.LIGHTS[k].label) for k in ("green", "yellow", "red")] == [
            "绿灯",
            "黄灯",
            "红灯",
        ]
        assert formatting.points(4.0) == "+4.0个百分点"


def test_the_overview_page_comes_out_in_chinese(as_user):
    client = as_user("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/?period=2026-06").content.decode()
    assert "总览" in html  # the title and the navigation
    assert "2026年6月 时序进度完成情况" in html  # periods as Chinese writes them
    assert "双过半" in html and "退出" in html
    assert "Sign out" not in html and "Progress against the schedule" not in html


# --- (d) every literal the source marks for translation is in the catalogue ---------------------

#: Keywords `makemessages` gives xgettext: name -> (context arg, msgid arg, plural arg).
CALLS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@dataclass(frozen=True)
class Found:
    key: str
    where: str
    note: str = ""


def source_files(suffixes: set[str]) -> list[Path]:
    files = []
    for path in sorted(PACKAGE_DIR.rglob("*")):
        parts = path.relative_to(PACKAGE_DIR).parts
        if path.suffix not in suffixes or not path.is_file():
            continue
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        files.append(path)
    return files


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE_DIR)}:{line}"


class _Calls(ast.NodeVisitor):
    def __init__(self, path: Path):
        self.path = path
        self.found: list[Found] = []
        self.complex: list[str] = []
        self.fstring_depth = 0

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.fstring_depth += 1
        self.generic_visit(node)
        self.fstring_depth -= 1

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in CALLS:
            self._record(name, node)
        self.generic_visit(node)

    def _record(self, name: str, node: ast.Call) -> None:
        context_at, msgid_at, plural_at = CALLS[name]
        wanted = [i for i in (context_at, msgid_at, plural_at) if i is not None]
        args = node.args
        where = _where(self.path, node.lineno)
        if len(args) <= max(wanted) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str) for i in wanted
        ):
            self.complex.append(f"{where}: {name}(...) with an argument that is not a literal")
            return
        key = args[msgid_at].value
        if plural_at is not None:
            key = f"{key}\x00{args[plural_at].value}"
        if context_at is not None:
            key = f"{args[context_at].value}\x04{key}"
        note = (
            "inside an f-string, where xgettext 0.21 does not look: call it outside the f-string"
            if self.fstring_depth
            else ""
        )
        self.found.append(Found(key, where, note))


def python_messages() -> tuple[list[Found], list[str]]:
    found, complex_cases = [], []
    for path in source_files({".py"}):
        visitor = _Calls(path)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found += visitor.found
        complex_cases += visitor.complex
    return found, complex_cases


_STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""
_COMMENT_BLOCK = re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
_COMMENT_LINE = re.compile(r"\{#.*?#\}")
_TRANSLATE = re.compile(r"\{%\s*(?:translate|trans)\s+(?P<rest>(?:[^%\n]|%(?!\}))*?)\s*%\}")
_TRANSLATE_ARGS = re.compile(
    rf"^(?P<msgid>{_STRING})(?:\s+noop)?(?:\s+context\s+(?P<ctx>{_STRING}))?"
    r"(?:\s+noop)?(?:\s+as\s+\w+)?(?:\s+noop)?$"
)
_BLOCK = re.compile(
    r"\{%\s*(?P<tag>blocktranslate|blocktrans)\b(?P<options>[^%]*)%\}(?P<body>.*?)"
    r"\{%\s*end(?P=tag)\s*%\}",
    re.S,
)
_BLOCK_CONTEXT = re.compile(rf"\bcontext\s+(?P<ctx>{_STRING})")
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _template_literal(token: str) -> str | None:
    """A quoted template string as the translate tag looks it up; None when it has escapes."""
    inner = token[1:-1]
    return None if "\\" in inner else inner.replace("%", "%%")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _blank(match: re.Match) -> str:
    """A comment replaced by its newlines, so line numbers after it stay right."""
    return "\n" * match[0].count("\n")


def template_messages() -> tuple[list[Found], list[str]]:
    found, complex_cases = [], []
    for path in source_files(TEMPLATE_SUFFIXES):
        text = _COMMENT_LINE.sub(_blank, _COMMENT_BLOCK.sub(_blank, path.read_text("utf-8")))
        for match in _TRANSLATE.finditer(text):
            where = _where(path, _line_of(text, match.start()))
            args = _TRANSLATE_ARGS.match(match["rest"])
            if args is None:
                if match["rest"][:1] in "\"'":
                    complex_cases.append(f"{where}: {match[0]}")
                continue  # a variable: nothing literal to look up
            msgid = _template_literal(args["msgid"])
            ctx = None if args["ctx"] is None else _template_literal(args["ctx"])
            if msgid is None or (args["ctx"] is not None and ctx is None):
                complex_cases.append(f"{where}: {match[0]}")
                continue
            found.append(Found(msgid if ctx is None else f"{ctx}\x04{msgid}", where))
        for match in _BLOCK.finditer(text):
            where = _where(path, _line_of(text, match.start()))
            options, body = match["options"], match["body"]
            context = _BLOCK_CONTEXT.search(options)
            plain = _VARIABLE.sub("", body)
            if "{%" in body or "{{" in plain or re.search(r"\b(count|counter)\b", options):
                complex_cases.append(f"{where}: {{% {match['tag']}{options}%}} (plural or tags)")
                continue
            msgid = _VARIABLE.sub(r"%(\1)s", body.replace("%", "%%"))
            if re.search(r"\btrimmed\b", options):
                msgid = trim_whitespace(msgid)
            if context is not None:
                ctx = _template_literal(context["ctx"])
                if ctx is None:
                    complex_cases.append(f"{where}: {{% {match['tag']}{options}%}}")
                    continue
                msgid = f"{ctx}\x04{msgid}"
            found.append(Found(msgid, where))
    return found, complex_cases


def test_the_source_scan_finds_what_it_should():
    """The scanners see the page titles and model labels, so an empty scan cannot pass quietly."""
    from_templates = {f.key for f in template_messages()[0]}
    from_python = {f.key for f in python_messages()[0]}
    assert {"Overview", "Sign out", "Double over half"} <= from_templates
    assert (
        "%(done)s of %(total)s amounts and counts have done at least half of their annual target "
        "by the end of June, whatever their schedule; whether each is on schedule is its light."
        in from_templates
    )
    assert {"office administrator", "race group", "%(points)s pp"} <= from_python


def test_every_marked_literal_is_in_the_catalogue():
    in_po = {entry.key for entry in messages()}
    templates, template_complex = template_messages()
    python, python_complex = python_messages()
    missing = sorted(
        f"{f.where}: {f.key!r}" + (f" ({f.note})" if f.note else "")
        for f in templates + python
        if f.key not in in_po
    )
    if template_complex or python_complex:
        warnings.warn(
            "translation calls this test cannot check (look at them by hand):\n"
            + "\n".join(template_complex + python_complex),
            stacklevel=1,
        )
    assert not missing, (
        "marked for translation but not in django.po (run makemessages -l zh_Hans from "
        "src/saima, translate, then compilemessages):\n" + "\n".join(missing)
    )
