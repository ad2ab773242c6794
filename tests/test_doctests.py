"""The examples in docstrings run (ingest, IRIs, literals, extraction text guards)."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["conflict_kg.ingest", "conflict_kg.iris", "conflict_kg.rdf",
                                    "conflict_kg.extract.extractor"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
