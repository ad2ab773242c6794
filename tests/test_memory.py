"""The build's memory policies: collections per batch, and Python's settings left as found."""
from __future__ import annotations

import gc
import weakref

from conflict_kg.memory import YOUNG_COLLECTION_ALLOCATIONS, collect_per_batch


class _Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_collect_per_batch_restores_the_collector_settings():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with collect_per_batch():
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_ALLOCATIONS
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen  # what was loaded before is out of the collector's walk
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_what_collect_per_batch_yields_frees_a_batch_cycle():
    with collect_per_batch() as collect:
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        watched = weakref.ref(a)
        del a, b
        collect()
        assert watched() is None


def test_collect_per_batch_restores_settings_when_the_batch_fails():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        with collect_per_batch():
            raise RuntimeError("a batch failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_collect_per_batch_leaves_a_callers_frozen_objects_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collect_per_batch():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
