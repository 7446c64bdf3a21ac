"""Checks an uploaded file passes before any spreadsheet library parses it.

The order matters: the size is checked first (no settings needed), then the magic bytes (an
encrypted workbook or an old .xls is an OLE file, a renamed CSV is text), then the zip central
directory (entry count, declared uncompressed sizes and compression ratios) so that a zip bomb is
refused without inflating a single member. Python's zipfile never inflates a member past the size
its central directory declares, so the declared sizes are a real bound on what openpyxl can read.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from saima.tabular import InputError, Problem

#: Largest upload accepted, in bytes (checked before anything else is looked at).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Largest total the members of a workbook may unpack to.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
#: A filled template is a few kilobytes; it is loaded in full (to see merged cells), so less.
MAX_TEMPLATE_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
#: Most members a workbook may have (a real one has a few dozen).
MAX_ENTRIES = 1000
#: Highest uncompressed/compressed ratio of one member larger than RATIO_FLOOR.
MAX_RATIO = 200
#: Members smaller than this are not ratio-checked (tiny repetitive XML compresses very well).
RATIO_FLOOR = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")

T = TypeVar("T")


def refuse(file: str, message: str, **place: Any) -> InputError:
    """An InputError with one problem at the file (or a place in it)."""
    return InputError(Problem(file, message, **place))


def check_size(data: bytes, *, file: str) -> None:
    """Refuse files over MAX_UPLOAD_BYTES and empty files."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(file, too_large_message())
    if not data:
        raise refuse(file, _("is empty"))


def too_large_message() -> str:
    return _("is larger than %(mb)d MB; split it into smaller files") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def check_workbook_bytes(
    data: bytes, *, file: str, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES
) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx zip archive."""
    check_size(data, file=file)
    if data.startswith(_OLE_MAGIC):
        raise refuse(
            file,
            _(
                "is a password-protected workbook or an old .xls file; remove the password and "
                "save it as “Excel Workbook (*.xlsx)”"
            ),
        )
    if not data.startswith(_ZIP_MAGIC):
        raise refuse(file, _not_zip_message(data))
    _check_archive(data, file=file, max_uncompressed=max_uncompressed)


def _not_zip_message(data: bytes) -> str:
    if _looks_like_text(data[:4096]):
        return _(
            "is a text (CSV) file renamed to .xlsx, not an Excel workbook; upload it with its "
            "real name ending in .csv, or open it in Excel and save it as .xlsx"
        )
    return _("is not an Excel workbook (.xlsx)")


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _check_archive(data: bytes, *, file: str, max_uncompressed: int) -> None:
    """Inspect the central directory only: nothing is inflated here."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise refuse(
            file,
            _("is damaged or incomplete (was the download or copy cut short?); save it again"),
        ) from None
    if len(infos) > MAX_ENTRIES:
        raise refuse(file, _("has too many parts to be a workbook"))
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise refuse(file, _("is encrypted; remove the password and save it again"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(file, _("is compressed suspiciously well (a “zip bomb”); it is refused"))
    if total > max_uncompressed:
        raise refuse(
            file,
            _("unpacks to more than %(mb)d MB, which is too large")
            % {"mb": max_uncompressed >> 20},
        )
    names = {info.filename for info in infos}
    if not all(member in names for member in _REQUIRED_MEMBERS):
        raise refuse(file, _("is a zip archive but not an Excel workbook (.xlsx)"))


def guarded(file: str, action: Callable[[], T]) -> T:
    """Run an openpyxl action; a damaged file may raise nearly anything, never a traceback."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            return action()
    except InputError:
        raise
    except Exception:  # openpyxl raises KeyError, ValueError, XML errors, zlib errors, ...
        raise refuse(
            file, _("cannot be read as an Excel workbook; open it in Excel and save it again")
        ) from None
