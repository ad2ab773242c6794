"""Less memory held and less time spent on it by a long build.

Large buffers go back to the system when freed (`return_large_buffers_to_os`), and cyclic
garbage is collected once per batch rather than every few hundred allocations
(`collect_per_batch`).

Each batch makes a few large, short-lived buffers (its N-Quads text, the rows of its context
queries). glibc's allocator serves a freed buffer's size from the heap next time instead of
mapping fresh memory (its mmap threshold rises with every large free), and a heap fragmented
by long-lived small objects cannot give that memory back. A fixed threshold keeps every buffer
above it in its own mapping, returned when freed: on a 400x synthetic corpus the building
process held about 35 MiB less after the 10th and the 30th batch (it still grows slowly: see
the README, "Speed and scale"). Other allocators and platforms are left alone.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

M_MMAP_THRESHOLD = -3             # mallopt parameter number, from glibc's malloc.h
LARGE_BUFFER_BYTES = 1 << 20      # buffers of 1 MiB and more get their own mapping
YOUNG_COLLECTION_ALLOCATIONS = 50_000  # Python's default is 700


@functools.lru_cache(maxsize=1)
def return_large_buffers_to_os() -> bool:
    """Fix glibc's mmap threshold (once per process); False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES))
    except (OSError, AttributeError):  # musl and other C libraries: no mallopt
        return False


@contextmanager
def collect_per_batch() -> Iterator[Callable[[], None]]:
    """Collect cyclic garbage once per batch (call what this yields after each batch), not
    every 700 allocations; the settings before are restored on exit.

    A batch allocates millions of short-lived objects (rdflib terms, triples, SHACL input):
    with Python's default thresholds the collector ran thousands of times per build, and its
    full collections walked everything loaded before (gazetteer, shapes, model), which
    `gc.freeze` takes out of their reach. What a batch leaves in cycles (an rdflib graph and
    its namespace manager, with all its triples) outlives many young collections, so it is
    freed by the full collection after the batch: memory still follows the batch.
    """
    thresholds = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0  # a caller's own frozen objects stay frozen
    if freezing:
        gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, *thresholds[1:])
    try:
        yield gc.collect
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()
