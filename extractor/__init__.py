"""policy-directives: scraped Chinese government meeting notices → a typed table of directives.

Two verbs over one lazily built ``Extractor``::

    from extractor import extract_notice, extract_table
    notice = extract_notice(Path("seeds/000_1f447dccc34fc85d.txt"))   # one Notice
    df = extract_table("seeds")                                        # directive table (pandas)

Scoring against gold is ``extractor.analysis.evaluate.evaluate``. Nothing heavy is imported until first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Extractor", "extract_frame", "extract_notice", "extract_table"]

if TYPE_CHECKING:  # pragma: no cover
    from extractor.engines.frame import extract_frame
    from extractor.pipeline import Extractor, extract_notice, extract_table

_LAZY = {"Extractor": "pipeline", "extract_notice": "pipeline", "extract_table": "pipeline",
         "extract_frame": "engines.frame"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
