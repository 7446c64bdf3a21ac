"""`saima bulletin`: the race bulletin from the files `saima race` reads, with no server and no
database — the same facts, text and renderers as the platform's bulletins."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from saima.bulletins import narrative
from saima.bulletins.documents import Document, pdf, sheets, word
from saima.bulletins.facts import RACE, build_facts, safe_text
from saima.bulletins.sources import names_from_rules, result_source
from saima.engine import Period, RaceResult, Rules
from saima.tabular import InputError, Problem

#: `青重办发〔2026〕12号` (also with [ ] or 【 】 around the year), or just `12`.
_NUMBER = re.compile(
    r"^\s*(?P<prefix>.*?)\s*[〔\[【(（]\s*(?P<year>\d{4})\s*[〕\]】)）]\s*(?P<n>\d{1,5})\s*号?\s*$"
)


@dataclass(frozen=True)
class Fields:
    office: str
    prefix: str
    year: int | None
    number: int | None
    date: datetime.date
    recipients: str
    language: str


def _problem(option: str, message: str) -> InputError:
    return InputError(Problem(file=option, message=message))


def read_fields(
    *, office: str, number: str, date: str | None, recipients: str, language: str
) -> Fields:
    """The document's fields from the command's options; InputError naming the option."""
    prefix, year, n = "", None, None
    text = (number or "").strip()
    if text:
        found = _NUMBER.match(text)
        if found:
            prefix, year, n = found["prefix"], int(found["year"]), int(found["n"])
        elif text.isascii() and text.isdigit() and 1 <= int(text) <= 99999:
            n = int(text)
        else:
            raise _problem(
                "--number", f"{text!r} is not a document number: write 12, or 青重办发〔2026〕12号"
            )
    try:
        day = datetime.date.fromisoformat(date) if date else datetime.date.today()
    except ValueError:
        raise _problem("--date", f"{date!r} is not a date: write YYYY-MM-DD") from None
    return Fields(
        office=safe_text(office, 100),
        prefix=safe_text(prefix, 30),
        year=year or day.year,
        number=n,
        date=day,
        recipients=safe_text(recipients, 1000),
        language=language,
    )


def document(
    *, rules: Rules, period: Period, files, result: RaceResult, fields: Fields
) -> Document:
    """The bulletin of a race computed from files, as a document."""
    source = result_source(
        kind=RACE,
        race=rules.name,
        rules=rules,
        period=period,
        result=result,
        targets=files.targets,
        actuals=files.actuals,
        names=names_from_rules(rules, files.units),
    )
    facts = build_facts(source)
    return Document(
        language=fields.language,
        facts=facts,
        paragraphs=[p.to_json() for p in narrative.write(facts, fields.language)],
        title=narrative.document_title(facts, fields.language),
        office=fields.office,
        prefix=fields.prefix,
        year=fields.year,
        number=fields.number,
        recipients=fields.recipients,
        date=fields.date,
    )


RENDERERS = {".docx": word.render, ".pdf": pdf.render, ".xlsx": sheets.render}


def bulletin_bytes(
    *, rules: Rules, period: Period, files, result: RaceResult, fields: Fields, suffix: str
) -> bytes:
    made = document(rules=rules, period=period, files=files, result=result, fields=fields)
    return RENDERERS[suffix](made)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` at once: a failed write leaves no half-written file."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise _problem(str(path), f"the folder {folder.name} does not exist")
    handle, scratch = tempfile.mkstemp(dir=folder, prefix=".saima-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def describe(rules: Rules, period: Period, fields: Fields) -> str:
    number = f"{fields.prefix}〔{fields.year}〕{fields.number}号" if fields.number else ""
    return " ".join(part for part in (rules.name, period.label, number) if part)
