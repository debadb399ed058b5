"""load: bytes → text. Decoding, HTML article extraction, and clear errors for bad input."""

from __future__ import annotations

import re
from pathlib import Path

from .models import Loaded

MAX_BYTES = 20 * 1024 * 1024

_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|meta|article|table)\b", re.I)


class LoadError(Exception):
    """An input that cannot be read as a notice; the message says why."""


def load_path(path: Path) -> Loaded:
    """Read and decode one file. Raises ``LoadError`` with a one-line reason."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError("file not found (or a broken link)") from None
    except PermissionError:
        raise LoadError("permission denied") from None
    except IsADirectoryError:
        raise LoadError("is a folder, not a file") from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    return loaded_from_bytes(data, str(path))


def loaded_from_bytes(data: bytes, source_path: str) -> Loaded:
    if not data.strip():
        raise LoadError("empty file")
    if len(data) > MAX_BYTES:
        raise LoadError(f"file too large ({len(data) / 1e6:.0f} MB > {MAX_BYTES / 1e6:.0f} MB)")
    text, encoding = decode_bytes(data)
    loaded = loaded_from_text(text, source_path)
    return loaded.model_copy(update={"encoding": encoding})


def decode_bytes(data: bytes) -> tuple[str, str]:
    """BOM, then UTF-8, then detection. Returns (text, encoding name)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is None:
        raise LoadError("cannot decode: not text in any supported encoding")
    return str(best), best.encoding


def loaded_from_text(text: str, source_path: str) -> Loaded:
    """Text already decoded; HTML is reduced to its article text."""
    if _HTML_SNIFF.search(text[:4000]):
        return _from_html(text, source_path)
    return Loaded(path=source_path, text=text)


def _from_html(html: str, source_path: str) -> Loaded:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      include_tables=True, favor_recall=True)
    text, title, date = "", "", ""
    if doc is not None:
        get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        text = get("text") or ""
        title = get("title") or ""
        date = get("date") or ""
    if not text.strip():
        text = re.sub(r"<[^>]+>", "\n", re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html))
    return Loaded(path=source_path, text=text, is_html=True, html_title=title, html_date=date)
