"""Decoding CSV bytes from Excel in China: UTF-8 (with or without BOM) or GBK/GB18030.

Excel in China saves "CSV" as GBK and "CSV UTF-8" with a BOM. GB18030 accepts almost any byte
string, so a successful GB18030 decode is cross-checked: when charset-normalizer is sure the
bytes are something else and the decoded text does not look like Chinese, we refuse rather than
hand on mojibake that would be stored as unit names.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from charset_normalizer import from_bytes

from saima.engine.text import Text, _

_CHINESE = frozenset({"utf_8", "ascii", "gb18030", "gbk", "gb2312", "hz"})
_FRIENDLY = {
    "cp932": "Shift_JIS",
    "shift_jis": "Shift_JIS",
    "shift_jis_2004": "Shift_JIS",
    "shift_jisx0213": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "euc_jis_2004": "EUC-JP",
    "cp1252": "windows-1252",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "latin_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "big5": "Big5",
    "big5hkscs": "Big5",
    "cp950": "Big5",
    "cp949": "EUC-KR",
    "euc_kr": "EUC-KR",
    "mac_roman": "Mac Roman",
}
_MAX_CHAOS = 0.2
"""charset-normalizer's mess ratio below which we call its guess confident."""
_RARE_SHARE = 0.5
"""Share of ideographs outside GB2312 above which GB18030 text looks like mojibake."""
_SAMPLE = 64 * 1024


class EncodingProblem(ValueError):
    """The bytes are not in an encoding we read; the message says what to do."""


def decode(data: bytes) -> str:
    """Decode CSV bytes strictly as UTF-8 (BOM optional), then GB18030; else explain."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:_SAMPLE]):
        raise EncodingProblem(
            _(
                'is saved as UTF-16 (Excel\'s "Unicode Text"), which is not supported; '
                'save it as "CSV UTF-8" or as CSV (GBK)'
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise EncodingProblem(_unsupported(data)) from None
    guess = _confident_guess(data)
    if guess is not None and guess not in _CHINESE and not _looks_chinese(text):
        raise EncodingProblem(_looks_like(guess))
    return text


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a BOM: ASCII text where every other byte is NUL."""
    return len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample)


def _unsupported(data: bytes) -> Text:
    """The message for bytes that are neither UTF-8 nor GB18030."""
    guess = _guess(data)
    if guess is None:
        return _("is not UTF-8 or GBK text; save the file as UTF-8 or GBK")
    return _looks_like(guess)


def _looks_like(guess: str) -> Text:
    return _(
        "looks like %(encoding)s text, which is not supported; save the file as UTF-8 or GBK",
        encoding=_friendly(guess),
    )


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best encoding name (a Python codec name), if any."""
    best = from_bytes(data[:_SAMPLE]).best()
    return None if best is None else best.encoding


def _confident_guess(data: bytes) -> str | None:
    """charset-normalizer's guess, only when it finds the decoded text orderly."""
    best = from_bytes(data[:_SAMPLE]).best()
    if best is None or best.chaos > _MAX_CHAOS:
        return None
    return best.encoding


def _friendly(codec: str) -> str:
    """The encoding's name as Excel's "Save As" dialogue or a text editor shows it."""
    return _FRIENDLY.get(codec, codec.replace("_", "-").upper())


def _looks_chinese(text: str) -> bool:
    """Whether decoded text is made of what Chinese office files contain."""
    ideographs = 0
    rare = 0
    for char in text[:_SAMPLE]:
        if _is_ideograph(char):
            ideographs += 1
            rare += not _in_gb2312(char)
        elif not _is_common(char):
            return False
    return ideographs == 0 or rare / ideographs <= _RARE_SHARE


def _is_ideograph(char: str) -> bool:
    """CJK Unified Ideographs, including the extensions and compatibility block."""
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


@cache
def _in_gb2312(char: str) -> bool:
    """GB2312 holds the characters of everyday simplified Chinese."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


_COMMON_RANGES = (
    (0x0000, 0x007F),  # ASCII
    (0x00A0, 0x00BF),  # Latin-1 punctuation and symbols
    (0x00D7, 0x00D7),  # ×
    (0x00F7, 0x00F7),  # ÷
    (0x2000, 0x206F),  # general punctuation: “”‘’…—
    (0x2100, 0x21FF),  # letterlike symbols, number forms (Ⅰ Ⅱ), arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed numbers ①②
    (0x2500, 0x26FF),  # box drawing, shapes, symbols ■□★
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3100, 0x312F),  # bopomofo
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
)
_PINYIN = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêÜ")


def _is_common(char: str) -> bool:
    """ASCII, CJK punctuation, full-width forms, common symbols and pinyin letters."""
    code = ord(char)
    return char in _PINYIN or any(lo <= code <= hi for lo, hi in _COMMON_RANGES)
