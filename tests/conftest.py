"""Shared fixtures: one loaded extractor per session (loading spaCy takes a second)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conflict_kg.extract.extractor import Extractor
from conflict_kg.extract.records import Article

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "data" / "articles"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def extract_text(extractor):
    """Facts of a small text written for a test, published on a fixed Friday."""
    def run(text: str, published: dt.date | None = dt.date(2018, 5, 18)):
        article = Article(id="t", text=text, source="test", published=published)
        return next(iter(extractor.extract([article])))
    return run
