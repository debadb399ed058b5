"""locate: document metadata (codebook §3) from the page. Placeholder until the metadata work lands."""

from __future__ import annotations

from .models import Cleaned, Loaded, Metadata


def locate(cleaned: Cleaned, loaded: Loaded | None = None) -> Metadata:
    return Metadata(title=cleaned.title)
