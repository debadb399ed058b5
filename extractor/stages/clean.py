"""clean: a page's decoded text → the article body, simplified and normalised.

Small pure functions, each one normalisation (textacy's ``normalize_*`` pattern), composed by
``clean_text``. Line-level rules (navigation, footers, datelines, end-of-article markers) are
data in ``rules/page.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from extractor.models import Cleaned
from extractor.rules import load_page_rules

# Full-width ASCII (U+FF01–U+FF5E) → ASCII, ideographic and no-break spaces → space.
# One character in, one out, so offsets survive; 、。「」 and ①② are left alone.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20,
                                                                     0x2003: 0x20, 0x200B: None, 0xFEFF: None}

# A pinyin gloss after a character: 戰(zhàn), 會(huì ). Lower-case Latin with tone marks only.
# Written "(" first, the character before it checked behind: a pattern that opens with a lookbehind
# is tried at every position, one that opens with a literal skips ahead to it.
_PINYIN_GLOSS = re.compile(
    r"\((?<=[\u4e00-\u9fff]\()\s*(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"[aeiouvüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{0,5}\s*\)"
)
# Mojibake: replacement characters, and runs of 2+ '?' where characters were lost in transcoding.
# (Written literal first, as above: ``\?(?<=X\?)`` is ``(?<=X)\?``.)
_MOJIBAKE = re.compile(r"\ufffd+|\?(?:(?<=[\u4e00-\u9fff\u201c\u201d\u3001\u3002]\?)\?+|(?<=[\u201c\u201d]\?))")
# Forum anti-scraping noise: a run of 4+ space-separated tokens of one to three ASCII characters
# (" B: {7 w% E: V' J1 n2"), the last one perhaps glued to the text after it (…l( W要分类 → 要分类;
# …c7 x31日 → 31日). The run starts where no ASCII word does; _is_noise then decides from its tokens.
_ASCII_NOISE = re.compile(r"[!-~](?<![!-~]{2})[!-~]{0,2}[ \t](?:[!-~]{1,3}[ \t]){2,}"
                          r"(?:[!-/:-~]{1,2}(?=[0-9]*[^\x00-\x7f])|[!-~]{1,3}(?![!-~]))?")
_NOISY_TOKEN = re.compile(r"[^0-9A-Za-z]|[A-Za-z][0-9]|[0-9][A-Za-z]")
# Literal escape sequences left by database dumps: the two characters '\' 'n'.
_LITERAL_NEWLINE = re.compile(r"\\r\\n|\\n|\\r")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")  # counting runs, not characters, is several times faster
_SPACES = re.compile(r"[ \t\u3000]+")
# A line that opens an outline item (一、 (一) 1. ①) is not a headline.
_OUTLINE_MARK = re.compile(r"^(?:[一二三四五六七八九十]+[、是要]|\(|\d+[.、]|[①-⑳]|第[一二三四五六七八九十]+)")


_WIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_WIDTH_TABLE)) + "]")
_WIDTH_MAP = {chr(k): chr(v) if v is not None else "" for k, v in _WIDTH_TABLE.items()}


def fold_width(text: str) -> str:
    """Full-width ASCII to half-width (``，`` → ``,``), keeping length (zero-width marks dropped)."""
    # Replacing only the characters that need it is several times faster than str.translate,
    # which looks every character up in the table.
    return _WIDTH_CHARS.sub(lambda m: _WIDTH_MAP[m.group()], text)


def normalize_newlines(text: str) -> str:
    """CRLF/CR → LF; literal ``\\n`` escapes (database dumps) → LF when the text has few real ones."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if text.count("\n") < 3 and len(_LITERAL_NEWLINE.findall(text)) >= 2:
        text = _LITERAL_NEWLINE.sub("\n", text)
    return text


def strip_pinyin_glosses(text: str) -> str:
    """``戰(zhàn)`` → ``戰``."""
    return _PINYIN_GLOSS.sub("", text)


def _noise_or_text(m: re.Match[str]) -> str:
    """A run is noise when at least three of its tokens, and half of them, mix letters with digits
    or hold punctuation (m0 r$ {7); words and numbers (to be or not / 1 2 3 4) are kept."""
    tokens = m.group().split()
    noisy = sum(1 for t in tokens if _NOISY_TOKEN.search(t))
    return "" if noisy >= 3 and 2 * noisy >= len(tokens) else m.group()


def strip_ascii_noise(text: str) -> str:
    """Forum anti-scraping strings inside lines: ``阻击战。4 U* k K! l6 h8`` → ``阻击战。``."""
    return _ASCII_NOISE.sub(_noise_or_text, text)


def strip_mojibake(text: str) -> str:
    if "?" not in text and "\ufffd" not in text:
        return text
    return _MOJIBAKE.sub("", text)


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> tuple[str, str]:
    """Convert to simplified script. Returns (text, 'simplified' | 'traditional')."""
    converted = _t2s().convert(text)
    if converted == text:
        return text, "simplified"
    n_cjk = sum(map(len, _CJK_RUN.findall(text))) or 1
    return converted, "traditional" if _changed_more_than(text, converted, 0.03 * n_cjk) else "simplified"


def _changed_more_than(text: str, converted: str, limit: float) -> bool:
    """Whether more than ``limit`` characters differ, position by position.

    Compared a block at a time: equal blocks (most of a simplified text) cost one string
    comparison, and a traditional text passes the limit within its first lines."""
    changed = 0
    for i in range(0, min(len(text), len(converted)), 64):
        block, new = text[i:i + 64], converted[i:i + 64]
        if block != new:
            changed += sum(map(str.__ne__, block, new))
            if changed > limit:
                return True
    return False


def normalize_text(text: str) -> tuple[str, str]:
    """All character-level normalisation: newlines, NFC, width, glosses, ASCII noise, mojibake, script."""
    text = unicodedata.normalize("NFC", normalize_newlines(text))
    text = strip_mojibake(strip_ascii_noise(strip_pinyin_glosses(fold_width(text))))
    return to_simplified(text)


def _norm_key(line: str) -> str:
    return re.sub(r"[\s\-—_·•|]+", "", line)


def clean_text(raw: str, html_title: str = "") -> Cleaned:
    """The article body of a page, with title and header set aside."""
    text, script = normalize_text(raw)
    rules = load_page_rules()
    strip_bullet = rules.strip_bullet
    lines = [ln for ln in (strip_bullet(ln.strip()) for ln in _SPACES.sub(" ", text).split("\n")) if ln]
    # A page whose line breaks were lost (a long first or last line): its first long lines are split
    # into headline, header fields and lede (only their heads are searched), its last line into body
    # and footer, and image file names left between paragraphs restore the break they stood for.
    run_on = rules.run_on
    if lines and (len(lines[-1]) > run_on.min_len or any(len(ln) > run_on.min_len for ln in lines[:3])):
        lines = [piece for ln in lines[:3] for piece in run_on.split(ln)] + lines[3:]
        lines[-1:] = run_on.split_tail(lines[-1])  # and its last line into body and footer
        lines = [piece for ln in lines for piece in run_on.split_images(ln)]

    # The page's dateline is the last one before the first line of prose (a metadata block may
    # hold several: 成文日期 … 发布日期). A dateline fused with the first paragraph is split off.
    date_idx = None
    for i, ln in enumerate(lines[:40]):
        fused = None
        if not (rules.is_boilerplate(ln) and not rules.is_dateline(ln)):
            m = rules.dateline_prefix(ln)
            if m is not None and ln[m:].lstrip().startswith((",", "、", "上午", "下午", "晚", "早")):
                m = None  # prose that opens with a date: 2021年12月1日,省委召开…
            if m is not None:
                date_idx, fused = i, m
            elif rules.is_dateline(ln):
                date_idx = i
        if fused is not None:
            rest = ln[fused:].strip()
            if len(rest) >= 20 and not rules.is_boilerplate(rest):
                lines[i:i + 1] = [ln[:fused].strip(), rest]
                break
        if _is_prose(ln) and not rules.is_boilerplate(ln) and fused is None:
            break

    title = html_title.strip()
    title = fold_width(_t2s().convert(title)) if title else ""
    if not title:
        title = _guess_title(lines, date_idx, rules)

    # Without a dateline the page may be a bare body: nothing before it is set aside.
    start = date_idx + 1 if date_idx is not None else 0
    header, body = lines[:start], []
    seen = {_norm_key(title)} if title and date_idx is not None else set()
    body_chars = 0
    for ln in lines[start:]:
        if body_chars >= 15 and rules.is_end_marker(ln):
            header.append(ln)
            break
        if rules.is_boilerplate(ln) or rules.is_dateline(ln):
            header.append(ln)
            continue
        key = _norm_key(ln)
        if len(key) >= 6 and key in seen:
            continue
        seen.add(key)
        body.append(ln)
        if "。" in ln:
            body_chars += len(ln)
    if not body and lines:  # nothing looked like a body: keep the non-boilerplate lines
        body = [ln for ln in lines if not rules.is_boilerplate(ln)]
    return Cleaned(text="\n".join(body), title=title, header="\n".join(header), page="\n".join(lines),
                   script=script)


def _is_prose(line: str) -> bool:
    return len(line) >= 20 and "。" in line


def _guess_title(lines: list[str], date_idx: int | None, rules) -> str:
    """The last headline-like line before the dateline, else the first headline-like line."""
    def headline(ln: str) -> bool:
        return (6 <= len(ln) <= 90 and not ln.endswith(("。", ":", ";", ",")) and not rules.is_boilerplate(ln)
                and not rules.is_dateline(ln) and len(_CJK.findall(ln)) >= 5)

    if date_idx is not None:
        for ln in reversed(lines[:date_idx]):
            if headline(ln):
                return ln
        return ""
    first = next((ln for ln in lines[:5] if not rules.is_boilerplate(ln)), "")
    return first if headline(first) and not _OUTLINE_MARK.match(first) else ""
