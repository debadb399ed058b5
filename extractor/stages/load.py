"""load: bytes → text. Decoding, HTML article extraction, and clear errors for bad input.

One input file becomes a ``Loaded``: its decoded text (for a web page, the article text, one
paragraph per line), the encoding used, and for a web page the headline and publication date found
in its metadata. An input that is not a readable text notice raises ``LoadError`` with a one-line
reason, which the pipeline turns into a ``status=error`` document row.

Decoding, in order:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. valid UTF-8 — a multi-byte UTF-8 text decodes by chance in no other encoding, while page
   templates often declare ``gb2312`` for pages served as UTF-8 (only a few bytes of GBK can be
   valid UTF-8 by chance; when the UTF-8 reading is not Chinese and a GB18030 one is, GB18030);
3. the page's declared charset (``<meta charset>``, ``http-equiv``, ``<?xml encoding?>``), with
   GB2312/GBK read as their superset GB18030 and Big5 as Big5-HKSCS;
4. UTF-16 without a BOM: NUL bytes, and a decoding that reads as Chinese text;
5. without a declaration, a legacy Chinese reading that is beyond doubt: of GB18030 and Big5-HKSCS,
   the one that decodes without error into common Chinese characters while the other does not
   (a scraper's GBK text file); detection is slow and would only confirm it;
6. detection with charset-normalizer, limited to the encodings Chinese pages use.

A decode that needs replacement characters is accepted only when they are rare: a few damaged bytes
in a scraped page, or a UTF-8 page whose footer was pasted in GBK, read with U+FFFD in their place.
The ``encoding`` recorded then says so (``utf-8 (3 bytes replaced)``) and a warning names the file.
A text file with a stray NUL byte or two is read without them (``utf-8 (1 NUL byte removed)``); a
file with many is binary. Otherwise the file is undecodable.
"""

from __future__ import annotations

import codecs
import html as html_lib
import logging
import os
import re
import stat
import threading
from functools import lru_cache
from pathlib import Path

from extractor.errors import LoadError
from extractor.models import Loaded

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # larger inputs are not notices (dumps, archives); say so rather than load them
_SNIFF_BYTES = 8192

# C0 control bytes a text file does not hold (tab, line feed, form feed, carriage return, escape and
# NUL are judged elsewhere).
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B, 0x00))

# Leading bytes of formats that are not text, whatever the file is called.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"BM", "BMP image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"PK\x03\x04", "ZIP archive, .docx or .xlsx"),
    (b"PK\x05\x06", "empty ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document (.doc/.xls)"),
    (b"{\\rtf", "RTF document"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
# RIFF and ISO media containers carry their type a few bytes in: (prefix, offset, magic, what).
_MAGIC_AT: tuple[tuple[bytes, int, bytes, str], ...] = (
    (b"RIFF", 8, b"WEBP", "WebP image"),
    (b"RIFF", 8, b"AVI ", "AVI video"),
    (b"RIFF", 8, b"WAVE", "WAV audio"),
    (b"", 4, b"ftyp", "MP4/MOV media"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# <meta charset="gbk">, <meta http-equiv="Content-Type" content="text/html; charset=gb2312">,
# <?xml version="1.0" encoding="GBK"?>
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
# Declared names → the codec to read them with (supersets, as browsers do).
_CODEC_FOR = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb_2312-80": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030", "windows-936": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "cp950", "x-x-big5": "big5hkscs",
    "utf8": "utf-8", "unicode": "utf-16", "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",  # as browsers do
}
# Encodings detection may choose from: those of Chinese pages, plus Western ones for stray pages.
_DETECT = ["utf_8", "gb18030", "big5hkscs", "cp950", "cp1252"]
_CJK_CODECS = {"gb18030", "big5hkscs", "cp950", "big5", "gbk", "gb2312"}
# Share of replaced characters tolerated in a decode (a few damaged bytes in a long page).
_MAX_REPLACED = 0.002
# A UTF-8 text with invalid bytes is still read as UTF-8 when its valid multi-byte characters
# outnumber the invalid sequences this many times (a GBK text read as UTF-8 has almost none).
_UTF8_GOOD_PER_BAD = 10
# NUL bytes a text file may hold by accident (a stray one from a scraper or an editor); more is binary.
_MAX_STRAY_NULS = 0.001

# A decoded text is HTML when it has the shape of a page or of a fragment of one.
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|br|meta|article|table|span|font|td)\b[^>]*>",
                         re.I)
_HTML_ENTITY = re.compile(r"&(?:nbsp|ldquo|rdquo|lsquo|rsquo|mdash|hellip|middot|amp|lt|gt|quot|emsp|ensp|#\d{2,6});")


# -- files ---------------------------------------------------------------------------------------------

def load_path(path: Path) -> Loaded:
    """Read and decode one file. Raises ``LoadError`` with a one-line reason."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise LoadError(f"broken link (points to {os.readlink(path)}, which does not exist)") from None
        raise LoadError("no such file") from None
    except PermissionError:
        raise LoadError("permission denied") from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:  # a folder found while scanning that cannot be listed
            raise LoadError(f"folder cannot be read ({exc.strerror or exc}): the notices in it were not read") from None
        raise LoadError("is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise LoadError("not a regular file (a device, pipe or socket)")
    if st.st_size > MAX_BYTES:
        raise LoadError(_too_large(st.st_size))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except PermissionError:
        raise LoadError("permission denied") from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    return loaded_from_bytes(data, str(path))


def _too_large(size: int) -> str:
    return f"file too large ({size / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB)"


def loaded_from_bytes(data: bytes, source_path: str) -> Loaded:
    """Decode one input's bytes and reduce a web page to its article text."""
    if len(data) > MAX_BYTES:
        raise LoadError(_too_large(len(data)))
    if not data.strip():
        raise LoadError("empty file" if not data else "empty file (only white space)")
    kind = binary_kind(data)
    if kind:
        raise LoadError(f"binary file ({kind}), not a text notice")
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise LoadError("empty file (only white space)")
    loaded = loaded_from_text(text, source_path)
    if not loaded.text.strip():
        raise LoadError("no text: the page has no readable content")
    if encoding.endswith(")"):
        log.warning("%s: damaged text, read as %s", source_path, encoding)
    return loaded.model_copy(update={"encoding": encoding})


def repaired(encoding: str) -> bool:
    """Whether a recorded encoding says bytes were replaced or removed (``utf-8 (3 bytes replaced)``)."""
    return encoding.endswith(")")


def binary_kind(data: bytes) -> str:
    """What binary format ``data`` is, or ``""`` for text (UTF-16/32 with NUL bytes counts as text)."""
    head = data[:64]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if magic == b"MZ" and not _has_pe_header(data):
                continue
            if magic == b"BM" and not _looks_like_bmp(data):
                continue
            return what
    for prefix, offset, magic, what in _MAGIC_AT:
        if head.startswith(prefix) and head[offset:offset + len(magic)] == magic:
            return what
    sample = data[:_SNIFF_BYTES]
    stray = False
    if b"\x00" in sample and not _starts_with_bom(data) and _utf16_without_bom(sample) is None:
        stray = bool(_stray_nuls(data))
        if not stray:
            return "contains NUL bytes"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if (controls > max(8, len(sample) // 100) and not _starts_with_bom(data)
            and (stray or b"\x00" not in sample)):
        return "control characters"
    return ""


def _stray_nuls(data: bytes) -> int:
    """The number of NUL bytes in ``data`` when they are few enough to be damage in a text file
    (two, or at most one in a thousand bytes), else 0."""
    nuls = data.count(b"\x00")
    if not nuls or nuls > max(2, len(data) * _MAX_STRAY_NULS):
        return 0
    return nuls


def _has_pe_header(data: bytes) -> bool:
    return len(data) > 0x40 and b"PE\x00\x00" in data[:1024]


def _looks_like_bmp(data: bytes) -> bool:
    # 'BM' then the file size (little-endian) and two reserved zero words
    return len(data) >= 14 and int.from_bytes(data[2:6], "little") == len(data) and data[6:10] == b"\x00" * 4


def _starts_with_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


# -- decoding ----------------------------------------------------------------------------------------

def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding). See the module docstring for the order.

    The encoding is a codec name, followed by what was repaired if anything was:
    ``utf-8 (3 bytes replaced)``, ``gb18030 (1 NUL byte removed)``."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _decode_checked(data, enc)
    removed = 0
    if b"\x00" in data:  # no text file holds NUL: UTF-16 without a BOM, a stray byte, or binary
        utf16 = _utf16_without_bom(data[:_SNIFF_BYTES]) if b"\x00" in data[:_SNIFF_BYTES] else None
        if utf16:
            return _decode_checked(data, utf16)
        removed = _stray_nuls(data)
        if not removed:
            raise LoadError("binary file (contains NUL bytes), not a text notice")
        data = data.replace(b"\x00", b"")
    text, encoding = _decode_text(data)
    if removed:
        encoding = _with_note(encoding, f"{removed} NUL byte{'s' if removed > 1 else ''} removed")
    return text, encoding


def _with_note(encoding: str, note: str) -> str:
    """``utf-8`` + ``1 NUL byte removed`` → ``utf-8 (1 NUL byte removed)``; notes are joined with ``;``."""
    if encoding.endswith(")"):
        return f"{encoding[:-1]}; {note})"
    return f"{encoding} ({note})"


def _decode_text(data: bytes) -> tuple[str, str]:
    """``decode_bytes`` for data without a BOM or NUL bytes."""
    utf8 = _utf8(data)
    if utf8 is None:
        damaged = _damaged_utf8(data)
        if damaged is not None:
            return damaged
    if utf8 is not None:
        if plausibility(utf8) >= 0.5:
            return utf8, "utf-8"
        # a few bytes of GBK can form valid UTF-8 by chance (一要 → һҪ): prefer a reading that is Chinese
        for enc in ("gb18030", "big5hkscs"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if plausibility(text) >= 0.9:
                return text, enc
        return utf8, "utf-8"
    declared = declared_charset(data)
    if declared and declared not in _CJK_CODECS:
        # a Chinese page served by a template that says iso-8859-1: read it as the Chinese it is
        chinese = _most_chinese(data, ("gb18030", "big5hkscs"))
        if chinese is not None and _reads_as_chinese(chinese[0]):
            return chinese
    if declared:
        try:
            return _decode_checked(data, declared)
        except LoadError:
            log.info("declared charset %s does not decode; detecting", declared)
    if not declared:
        clear = _clearly_chinese(data)
        if clear is not None:
            return clear
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_DETECT).best()
    detected = _codec_name(best.encoding) if best is not None else ""
    if detected and detected not in _CJK_CODECS:  # e.g. cp1252 for a stray Western page
        return _decode_checked(data, detected)
    # Detection is unsure on short texts and GB18030 and Big5 overlap: of the readings without
    # errors, take the most Chinese one (a wrong one is full of private-use characters).
    chinese = _most_chinese(data, [e for e in (detected, "gb18030", "big5hkscs") if e])
    if chinese is not None:
        return chinese
    for enc in dict.fromkeys([e for e in (detected, "gb18030", "big5hkscs") if e]):
        try:
            return _decode_checked(data, enc)
        except LoadError:
            continue
    raise LoadError("cannot decode: not text in UTF-8, GB18030/GBK, Big5 or UTF-16")


def _clearly_chinese(data: bytes) -> tuple[str, str] | None:
    """The one reading of GB18030 and Big5-HKSCS that is right beyond doubt, or None.

    Right: decodes without error, its non-ASCII characters are Chinese ones and its ideographs
    common ones. Beyond doubt: the other reading fails one of these tests (a Big5 text read as
    GB18030 decodes, but into rare characters)."""
    good = []
    for enc in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _reads_as_chinese(text):
            good.append((text, enc))
    return good[0] if len(good) == 1 else None


def _reads_as_chinese(text: str) -> bool:
    """A legacy decoding that is right: Chinese non-ASCII characters, mostly common ideographs."""
    return plausibility(text) >= 0.95 and commonness(text) >= 0.8


def _most_chinese(data: bytes, encodings) -> tuple[str, str] | None:
    """Of the readings of ``data`` without errors, the most Chinese one (earlier encodings win ties)."""
    readings = []
    for rank, enc in enumerate(dict.fromkeys(encodings)):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        readings.append((plausibility(text), commonness(text), -rank, text, enc))
    if not readings:
        return None
    *_, text, enc = max(readings)
    return text, enc


def declared_charset(data: bytes) -> str:
    """The codec for the charset a page declares in its first bytes, or ``""``."""
    m = _DECLARED.search(data[:_SNIFF_BYTES])
    if not m:
        return ""
    name = (m.group(1) or m.group(2)).decode("ascii", "ignore").strip().lower()
    codec = _CODEC_FOR.get(name, name)
    try:
        codec = codecs.lookup(codec).name
    except LookupError:
        return ""
    if codec.startswith(("utf-16", "utf-32")):  # a declaration readable as ASCII is not in UTF-16
        return ""
    return codec


def _codec_name(name: str) -> str:
    """charset-normalizer's names → Python codec names as recorded in the document table."""
    return codecs.lookup(name).name.replace("_", "-")


def _decode_checked(data: bytes, encoding: str) -> tuple[str, str]:
    """Decode, tolerating a few damaged bytes; raise ``LoadError`` when many are undecodable."""
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    text = data.decode(encoding, errors="replace")
    replaced = text.count("\ufffd")
    if replaced > max(2, len(text) * _MAX_REPLACED):
        raise LoadError(f"cannot decode: {replaced} undecodable byte sequences as {encoding}")
    return _replaced(data, encoding)


def _damaged_utf8(data: bytes) -> tuple[str, str] | None:
    """Invalid UTF-8 that is overwhelmingly valid: a few damaged bytes, or a short passage in
    another encoding (a GBK footer on a UTF-8 page), read with U+FFFD in their place. A text in
    a legacy encoding read as UTF-8 is nearly all invalid sequences, so it is never taken."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")  # one per invalid sequence (and any U+FFFD the text already had)
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if (non_ascii - bad) < _UTF8_GOOD_PER_BAD * bad or plausibility(text) < 0.5:
        return None
    return _replaced(data, "utf-8")


_replaced_bytes = threading.local()  # error handlers are global; the count is per thread


def _count_replaced(exc: UnicodeError) -> tuple[str, int]:
    _replaced_bytes.n += exc.end - exc.start
    return "\ufffd", exc.end


codecs.register_error("extractor-count", _count_replaced)


def _replaced(data: bytes, encoding: str) -> tuple[str, str]:
    """Decode with U+FFFD for each undecodable sequence (only for data known to have few); the
    encoding names how many bytes were replaced."""
    _replaced_bytes.n = 0
    text = data.decode(encoding, errors="extractor-count")
    n = _replaced_bytes.n
    return text, _with_note(encoding, f"{n} byte{'s' if n != 1 else ''} replaced")


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # a page cut off in the middle of its last character
            return data[:exc.start].decode("utf-8")
    return None


# Non-ASCII characters a Chinese text is made of: CJK ideographs, CJK and full-width punctuation,
# general punctuation (“” … —), no-break space and the Latin-1 signs § ° ± · × ÷, pinyin vowels (戰(zhàn)),
# arrows and shapes,
# circled numbers ①, bopomofo. Not private-use characters, which a wrong legacy decoding produces.
_PLAUSIBLE_CHARS = (r"\u00a0\u00a7\u00b0\u00b1\u00b7\u00d7\u00f7àáèéìíòóùúüāēěīǐōǒūǔǖǘǚǜńňǹ\u2000-\u206f\u2100-\u218f"
                    r"\u2190-\u21ff\u2460-\u24ff\u2500-\u25ff\u2600-\u26ff\u3000-\u303f\u3100-\u312f\u3400-\u4dbf"
                    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002ffff\ufeff")
# Non-ASCII characters that are not among them: few in a right decoding, so counting them is quick.
_IMPLAUSIBLE = re.compile(rf"[^\x00-\x7f{_PLAUSIBLE_CHARS}]")


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that a Chinese text is made of (1.0: all ASCII)."""
    sample = text[:4000]  # a wrong decoding shows on every line: a page's first lines are enough
    non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
    if not non_ascii:
        return 1.0
    return 1.0 - len(_IMPLAUSIBLE.findall(sample)) / non_ascii


def commonness(text: str) -> float:
    """Share of the ideographs of ``text`` among the common ones: GB2312 level 1 (3,755 simplified)
    or Big5 level 1 (5,401 traditional). A text read in the wrong one of GB18030 and Big5 is made of
    rare characters (豫 → 唹)."""
    cjk = "".join(_IDEOGRAPH_RUN.findall(text[:4000]))  # runs, not characters: several times faster
    if not cjk:
        return 1.0
    return sum(map(_common_chars().__contains__, cjk)) / len(cjk)


_IDEOGRAPH_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """GB2312 level 1 (rows 0xB0–0xD7) and Big5 level 1 (lead bytes 0xA4–0xC6): the common characters."""
    chars: set[str] = set()
    for leads, trails, codec in ((range(0xB0, 0xD8), range(0xA1, 0xFF), "gb2312"),
                                 (range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)], "big5")):
        for lead in leads:
            for trail in trails:
                try:
                    chars.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    continue
    return frozenset(ch for ch in chars if "\u4e00" <= ch <= "\u9fff")


# What a real UTF-16 Chinese text has somewhere: punctuation, a digit or a line break.
_TEXT_MARK = re.compile(r"[。，、；：！？“”\n\r\t ,.:;!?()0-9]")


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``sample`` has NUL bytes and reads as Chinese text that way.

    ASCII characters (newlines, digits, punctuation) in UTF-16 have a zero high byte, and so do
    ideographs like 一 (U+4E00); a binary file's NULs decode to no plausible text either way.
    """
    if len(sample) < 2 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 2 * 2]
    best, best_score = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        text = sample.decode(enc, errors="replace")
        if text.count("\ufffd") > 1:  # the sample may end inside a surrogate pair
            continue
        controls = sum(1 for ch in text if ord(ch) < 0x20 and ch not in "\t\n\r\f")
        if controls > len(text) // 100:
            continue
        if not _TEXT_MARK.search(text):  # ASCII letters read in pairs are ideographs too (ab → 扡)
            continue
        score = plausibility(text)
        if score > best_score:
            best, best_score = enc, score
    return best if best_score >= 0.9 else None


# -- text and HTML -------------------------------------------------------------------------------------

def is_html(text: str) -> bool:
    """Whether decoded text is a web page (or a fragment of one) rather than plain text."""
    return len(_HTML_SNIFF.findall(text[:20000], 0)) >= 2 or bool(re.match(r"\s*<(?:!doctype|html)\b", text, re.I))


# Field names a scraper's database record uses for each part of a notice (first present wins).
_RECORD_FIELDS = {
    "text": ("content", "text", "body", "article", "article_content", "html", "正文", "内容"),
    "title": ("title", "headline", "标题", "题目"),
    "date": ("pub_date", "publish_time", "pubtime", "pub_time", "published", "publish_date", "date", "time",
             "发布时间", "发布日期", "日期"),
    "source": ("source", "site", "site_name", "来源", "媒体"),
    "url": ("url", "link", "href", "source_url", "网址"),
}


def _record(text: str) -> dict | None:
    """A notice saved as one database record (a JSON object with a content field), else None."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    import json
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: 1,000 [ deep is not a record either
        return None
    if isinstance(data, list):
        if len(data) != 1:
            if data and all(isinstance(d, dict) for d in data):
                raise LoadError(f"a list of {len(data)} records: save one notice per file")
            return None
        data = data[0]
    if not isinstance(data, dict):
        return None
    fields = {}
    for part, names in _RECORD_FIELDS.items():
        for name in names:
            value = data.get(name)
            if isinstance(value, (str, int, float)) and str(value).strip():
                fields[part] = str(value)
                break
    return fields if "text" in fields else None


def loaded_from_text(text: str, source_path: str) -> Loaded:
    """Text already decoded; a database record is unpacked; HTML is reduced to its article text."""
    record = _record(text)
    if record is not None:
        inner = loaded_from_text(record["text"], source_path)
        return inner.model_copy(update={
            "html_title": record.get("title") or inner.html_title, "html_date": record.get("date") or inner.html_date,
            "source": record.get("source", ""), "url": record.get("url", "")})
    if is_html(text):
        return _from_html(text, source_path)
    if len(_HTML_ENTITY.findall(text[:20000])) >= 3:  # a database dump of page text: &nbsp;&nbsp;会议强调
        text = html_lib.unescape(text)
    return Loaded(path=source_path, text=text)


def _from_html(page: str, source_path: str) -> Loaded:
    from extractor.stages.webpage import extract_article

    article = extract_article(page)
    return Loaded(path=source_path, text=article.text, is_html=True, html_title=article.title,
                  html_date=article.date)
