"""Evidence files: kinds recognised by content, names that must agree, size limits, downloads."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from saima.common.evidence import check_evidence, clean_name, sniff
from saima.org.access import Access
from saima.races.models import Adjustment, Evidence
from saima.races.register.evidence import evidence_from_upload, evidence_response, readable_evidence

# --- Real files --------------------------------------------------------------------------------


def pdf_bytes(text: str = "Inspection report") -> bytes:
    """A small, valid one-page PDF (with a correct cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes() -> bytes:
    """A valid 2×2 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


#: The well-known smallest valid JPEG (1×1, grey).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000"
    "ffdb004300030202020203020202030303030406040404040408060605060908"
    "0a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010"
    "ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9"
)


def docx_bytes() -> bytes:
    """A minimal Word document: the parts Word itself needs to open it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>整改报告</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["unit", "points"])
    book.active.append(["east", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    """A plain zip archive (not an Office document)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

GOOD = {
    "report.pdf": (pdf_bytes(), "application/pdf"),
    "photo.png": (png_bytes(), "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
    "photo.JPEG": (JPEG, "image/jpeg"),
    "report.docx": (
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "table.xlsx": (
        xlsx_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def office(world) -> Access:
    return Access.for_user(world.user("office"))


# --- Checking ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GOOD))
def test_allowed_kinds_are_recognised_by_content(name) -> None:
    data, content_type = GOOD[name]
    checked = check_evidence(name, data)
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("setup.pdf", EXE, "named like a PDF file, but its content is not one of"),
        ("photo.pdf", png_bytes(), "content is a PNG file"),
        ("report.png", pdf_bytes(), "content is a PDF file"),
        ("table.xlsx", docx_bytes(), "content is a DOCX file"),
        ("report.docx", zip_bytes(), "content is not one of"),
        ("report.docx", b"just,some,text\n", "content is not one of"),
        ("report.docx", b"PK\x03\x04 broken zip", "content is not one of"),
        ("setup.exe", EXE, "not an allowed kind of file"),
        ("report.pdf.exe", pdf_bytes(), "not an allowed kind of file"),
        ("notes.txt", b"hello", "not an allowed kind of file"),
        ("noextension", pdf_bytes(), "not an allowed kind of file"),
        ("report.pdf", b"", "is empty"),
    ],
)
def test_refused_files_say_why(name, data, words) -> None:
    with pytest.raises(ValidationError) as refused:
        check_evidence(name, data)
    message = " ".join(refused.value.message_dict["evidence"])
    assert words in message


def test_too_large_is_refused(settings) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 1024
    big = pdf_bytes() + b"%" + b"x" * 2000
    with pytest.raises(ValidationError) as refused:
        check_evidence("big.pdf", big)
    assert "larger than 1 KB" in refused.value.message_dict["evidence"][0]


def test_the_default_limit_is_ten_megabytes(settings) -> None:
    if hasattr(settings, "SAIMA_EVIDENCE_MAX_BYTES"):
        del settings.SAIMA_EVIDENCE_MAX_BYTES
    from saima.common.evidence import max_bytes

    assert max_bytes() == 10 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        check_evidence("big.pdf", pdf_bytes() + b"0" * (10 * 1024 * 1024))
    assert "10 MB" in refused.value.message_dict["evidence"][0]


def test_sniff_reads_only_the_zip_directory() -> None:
    assert sniff(docx_bytes()) == "docx"
    assert sniff(xlsx_bytes()) == "xlsx"
    assert sniff(zip_bytes()) is None
    assert sniff(EXE) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/report.pdf", "report.pdf"),
        ("C:\\Users\\me\\scan.png", "scan.png"),
        ("bad\x00name\n.pdf", "badname.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_names_lose_folders_and_control_characters(raw, clean) -> None:
    assert clean_name(raw) == clean


# --- Storing -----------------------------------------------------------------------------------


def test_evidence_from_upload_stores_the_file(world) -> None:
    data = pdf_bytes()
    stored = evidence_from_upload(office(world), upload("检查报告.pdf", data))
    stored.refresh_from_db()
    assert (stored.name, stored.content_type, stored.size) == (
        "检查报告.pdf",
        "application/pdf",
        len(data),
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert bytes(stored.data) == data
    assert stored.uploaded_by == world.user("office")


def test_evidence_from_upload_refuses_and_stores_nothing(world, settings) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 512
    for name, data in (("x.pdf", EXE), ("x.pdf", b""), ("x.pdf", pdf_bytes() + b"0" * 600)):
        with pytest.raises(ValidationError):
            evidence_from_upload(office(world), upload(name, data))
    assert not Evidence.objects.exists()


def test_a_declared_size_over_the_limit_is_refused_unread(world, settings) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 100

    class Huge:
        name = "huge.pdf"
        size = 10**9

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read")

    with pytest.raises(ValidationError) as refused:
        evidence_from_upload(office(world), Huge())
    assert "larger than" in refused.value.message_dict["evidence"][0]


def test_anonymous_cannot_upload(world) -> None:
    with pytest.raises(PermissionDenied):
        evidence_from_upload(Access(user_id=None), upload("x.pdf", pdf_bytes()))


# --- Reading -----------------------------------------------------------------------------------


def test_download_headers(world) -> None:
    stored = evidence_from_upload(office(world), upload("整改 报告.pdf", pdf_bytes()))
    response = evidence_response(stored)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == pdf_bytes()


def test_an_unknown_stored_type_is_served_as_octet_stream(world) -> None:
    stored = Evidence.objects.create(
        name="x.html", content_type="text/html", size=4, sha256="0" * 64, data=b"<b>"
    )
    assert evidence_response(stored)["Content-Type"] == "application/octet-stream"


def test_readable_evidence_follows_the_unit(world, race) -> None:
    stored = evidence_from_upload(office(world), upload("r.pdf", pdf_bytes()))
    Adjustment.objects.create(
        race=race,
        unit=world.units["east"],
        category="safety",
        date="2026-02-01",
        points=-1,
        reason="incident",
        evidence=stored,
    )

    def can(persona: str) -> bool:
        try:
            readable_evidence(Access.for_user(world.user(persona)), stored.pk)
        except PermissionDenied:
            return False
        return True

    assert [can(p) for p in ("office", "leader", "east_reporter", "west_approver", "stranger")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(Http404):
        readable_evidence(office(world), stored.pk + 1000)
