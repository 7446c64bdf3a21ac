"""Evidence files as uploaded: checked before anything stores them, and served back safely.

Only PDF, PNG, JPEG, DOCX and XLSX are kept, recognised by their content (magic bytes; for DOCX and
XLSX the zip's `[Content_Types].xml` and main part), and the name must agree with the content: an
`.exe` renamed `.pdf` is refused. The size limit is the setting `SAIMA_EVIDENCE_MAX_BYTES` (10 MB
by default). Files are served only as downloads (`Content-Disposition: attachment`, `nosniff`),
never inline. Each app stores its files in its own models and decides who may read them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

#: The default largest evidence file, in bytes.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


#: Kind → (content type, the file name endings allowed for it, the name shown to people).
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("application/pdf", (".pdf",), "PDF"),
    "png": ("image/png", (".png",), "PNG"),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), "JPEG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        "DOCX",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        "XLSX",
    ),
}


#: What the file picker offers (the `accept` attribute).
ACCEPT = ",".join(ending for _type, endings, _name in KINDS.values() for ending in endings)


_NAME_LENGTH = 200


#: The main part of each Office Open XML kind, looked for in the zip's directory.
_OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


#: A real document has a few dozen parts; more is refused without inflating anything.
_MAX_ZIP_ENTRIES = 2000


def max_bytes() -> int:
    """The largest evidence file accepted, from the settings (tests lower it)."""
    return int(getattr(settings, "SAIMA_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_names() -> str:
    return ", ".join(name for _type, _endings, name in KINDS.values())


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to store."""

    name: str
    kind: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _refuse(message: str, field: str = "evidence") -> ValidationError:
    return ValidationError({field: [message]})


def clean_name(raw: str) -> str:
    """The file's own name without any folder, control characters or excess length."""
    base = PureWindowsPath(PurePosixPath(raw or "").name).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > _NAME_LENGTH:
        stem, dot, ending = base.rpartition(".")
        base = stem[: _NAME_LENGTH - len(ending) - 1] + dot + ending if dot else base[:_NAME_LENGTH]
    return base


def sniff(data: bytes) -> str | None:
    """The kind of file the content is (one of KINDS), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    return None


def _ooxml_kind(data: bytes) -> str | None:
    """DOCX or XLSX from the zip's directory only: nothing is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if len(infos) > _MAX_ZIP_ENTRIES or any(info.flag_bits & 0x1 for info in infos):
        return None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in _OOXML_PARTS.items():
        if part in names:
            return kind
    return None


def check_evidence(name: str, data: bytes, *, field: str = "evidence") -> CheckedFile:
    """The file if it is an allowed kind, of the right name and size; ValidationError otherwise."""
    name = clean_name(name)
    shown = name or _("The file")
    if not data:
        raise _refuse(_("%(name)s is empty.") % {"name": shown}, field)
    limit = max_bytes()
    if len(data) > limit:
        raise _refuse(too_large_message(shown, limit), field)
    ending = PurePosixPath(name.lower()).suffix
    by_ending = next((k for k, (_t, endings, _n) in KINDS.items() if ending in endings), None)
    if by_ending is None:
        raise _refuse(
            _("%(name)s is not an allowed kind of file: give a %(kinds)s file.")
            % {"name": shown, "kinds": allowed_names()},
            field,
        )
    kind = sniff(data)
    if kind is None:
        raise _refuse(
            _(
                "%(name)s is named like a %(kind)s file, but its content is not one of %(kinds)s; "
                "it is refused."
            )
            % {"name": shown, "kind": KINDS[by_ending][2], "kinds": allowed_names()},
            field,
        )
    if kind != by_ending:
        raise _refuse(
            _(
                "%(name)s is named like a %(named)s file, but its content is a %(found)s file; "
                "rename it or upload the right file."
            )
            % {"name": shown, "named": KINDS[by_ending][2], "found": KINDS[kind][2]},
            field,
        )
    return CheckedFile(name=name, kind=kind, content_type=KINDS[kind][0], data=data)


def too_large_message(name: str, limit: int) -> str:
    if limit >= 1024 * 1024:
        size = _("%(mb)s MB") % {"mb": f"{limit / (1024 * 1024):g}"}
    else:
        size = _("%(kb)s KB") % {"kb": f"{limit / 1024:g}"}
    return _("%(name)s is larger than %(size)s; give a smaller file.") % {
        "name": name,
        "size": size,
    }


def read_upload(uploaded_file, *, field: str = "evidence") -> CheckedFile:
    """Check an uploaded file (Django's or ninja's UploadedFile) without storing anything.

    The declared size is checked before the content is read, and no more than the limit plus
    one byte is ever read.
    """
    if uploaded_file is None:
        raise _refuse(_("Choose a file."), field)
    name = clean_name(getattr(uploaded_file, "name", "") or "")
    limit = max_bytes()
    if (getattr(uploaded_file, "size", 0) or 0) > limit:
        raise _refuse(too_large_message(name or _("The file"), limit), field)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    return check_evidence(name, data, field=field)


def file_response(*, data: bytes, name: str, content_type: str) -> HttpResponse:
    """A stored file as a download: never shown inline, never content-sniffed by the browser; a
    content type other than the kinds kept here is sent as plain bytes."""
    known = {content_type for content_type, _endings, _name in KINDS.values()}
    response = HttpResponse(
        data, content_type=content_type if content_type in known else "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
