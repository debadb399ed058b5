"""vocab: the words that mark one group's directives against the rest.

Directive texts are segmented with jieba through spaCy's blank Chinese pipeline (spaCy's own
default for ``zh`` is one token per character). Stopwords (spaCy's ``STOP_WORDS``), the
boilerplate terms in ``data/boilerplate_terms.txt``, punctuation, numbers, list markers (一是,
第二) and single characters are dropped.

Each group is compared with all other groups together by the weighted log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words", §3.5.3). With
``y`` the counts of word w in the group (i) and in the rest (j), ``n`` their totals, and the
prior ``a_w = prior_scale × (count of w in the pooled corpus)``, ``a0 = Σ a_w``:

    delta_w = log((y_i + a_w) / (n_i + a0 − y_i − a_w)) − log((y_j + a_w) / (n_j + a0 − y_j − a_w))
    var_w   ≈ 1 / (y_i + a_w) + 1 / (y_j + a_w)
    z_w     = delta_w / sqrt(var_w)

The prior shrinks the log-odds of rare words towards zero, so a word said once in a small
group does not top the list; ``z`` above about 2 is a marker one would not expect by chance.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources
from typing import Any

from extractor.analysis.compare import group_labels, order_groups

BOILERPLATE_FILE = "boilerplate_terms.txt"

# A word we keep is all CJK ideographs or all Latin letters: drops punctuation, digits, dates (5月).
_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+")
# Chinese numerals alone (十二) or as list markers (第三, 一是, 二要) carry no content.
_NUMERAL = re.compile(r"第?[零〇一二三四五六七八九十百千万亿两]+[是要]?")

TERM_COLUMNS = ["rank", "term", "z", "delta", "count", "count_rest", "notices"]


@lru_cache(maxsize=1)
def boilerplate_terms() -> frozenset[str]:
    """The packaged boilerplate terms (comments and blank lines skipped)."""
    text = resources.files("extractor").joinpath("data", BOILERPLATE_FILE).read_text(encoding="utf-8")
    return frozenset(w for w in (line.split("#", 1)[0].strip() for line in text.splitlines()) if w)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.zh.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on standard error
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def is_content_word(word: str) -> bool:
    """True for a word worth counting: two or more characters, no punctuation or digits, not a
    numeral or list marker, not a stopword or boilerplate term."""
    return (len(word) >= 2 and _WORD.fullmatch(word) is not None and _NUMERAL.fullmatch(word) is None
            and word not in _stop_words() and word not in boilerplate_terms())


def segment_words(texts: list[str]) -> list[list[str]]:
    """Content words of each text, in order (jieba segmentation through spaCy)."""
    nlp = _nlp()
    return [[t.text for t in doc if is_content_word(t.text)]
            for doc in nlp.pipe((t if isinstance(t, str) else "" for t in texts), batch_size=256)]


def log_odds_z(counts: Counter[str], rest: Counter[str], prior: Counter[str],
               prior_scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """``word → (z, delta)`` of ``counts`` against ``rest`` with the informative Dirichlet prior
    ``prior_scale × prior`` (Monroe et al. 2008), for every word of ``prior``."""
    n_i, n_j = sum(counts.values()), sum(rest.values())
    a0 = prior_scale * sum(prior.values())
    out: dict[str, tuple[float, float]] = {}
    for word, pooled in prior.items():
        a = prior_scale * pooled
        if a <= 0:
            continue
        y_i, y_j = counts.get(word, 0), rest.get(word, 0)
        delta = (math.log((y_i + a) / (n_i + a0 - y_i - a))
                 - math.log((y_j + a) / (n_j + a0 - y_j - a)))
        out[word] = (delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a)), delta)
    return out


def distinctive_terms(df: Any, by: str = "city", n: int = 10, prior_scale: float = 1.0) -> Any:
    """The top ``n`` words of each group's directives against all other groups' directives.

    ``df`` is a directive table (``doc_id``, ``text`` and the grouping columns). Returns one row
    per group and term: the group (column named ``by``), ``rank``, ``term``, ``z`` (the weighted
    log-odds z-score), ``delta`` (the log-odds difference), ``count`` in the group,
    ``count_rest`` in the other groups, and ``notices``: how many of the group's notices use it.
    Only words the group uses and with z > 0 are listed; with a single group there is nothing to
    compare against and the result is empty. Groups are in the order of ``compare_themes``.
    """
    import pandas as pd

    if n < 1:
        raise ValueError("the number of terms per group must be at least 1")
    if "text" not in df:
        raise ValueError("the directive table has no column 'text'")
    groups = list(group_labels(df, by))
    words = segment_words(list(df["text"]))
    doc_ids = list(df["doc_id"]) if "doc_id" in df else [str(i) for i in range(len(df))]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    notices: dict[tuple[str, str], set] = defaultdict(set)
    n_docs: dict[str, set] = defaultdict(set)
    for group, doc_id, ws in zip(groups, doc_ids, words):
        counts[group].update(ws)  # a group whose directives have no content words stays empty
        n_docs[group].add(doc_id)
        for w in set(ws):
            notices[(group, w)].add(doc_id)
    pooled: Counter[str] = Counter()
    for c in counts.values():
        pooled.update(c)
    rows = []
    if sum(1 for c in counts.values() if c) >= 2:
        sizes = Counter(groups)
        order = order_groups(sizes, {g: len(d) for g, d in n_docs.items()}, by == "month")
        for group in order:
            if not counts[group]:
                continue
            rest = pooled.copy()
            rest.subtract(counts[group])
            scores = log_odds_z(counts[group], rest, pooled, prior_scale)
            best = sorted((w for w in counts[group] if scores[w][0] > 0),
                          key=lambda w: (-scores[w][0], w))[:n]
            for rank, w in enumerate(best, 1):
                rows.append([group, rank, w, scores[w][0], scores[w][1], counts[group][w], rest[w],
                             len(notices[(group, w)])])
    return pd.DataFrame(rows, columns=[by, *TERM_COLUMNS])
