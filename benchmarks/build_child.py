"""One measured build, run by `benchmarks/run.py` in a process of its own (so that its peak
memory is its own): `conflict-kg build CORPUS --store STORE` through `pipeline.build`, with
the time spent in each stage and the resident size after each batch, printed as one JSON object.

    python benchmarks/build_child.py CORPUS.jsonl STORE_DIR [--jobs N]

Stages are timed by wrapping the functions that do them (nothing else changes): loading the
model and gazetteer, the extraction rules, RDF building, SHACL validation (the engine, and with
the store context), and the store write. What is left is reading the input and spaCy's parse.
"""
from __future__ import annotations

import argparse
import functools
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

SPENT: dict[str, float] = defaultdict(float)
RSS_AFTER_BATCHES: list[float] = []  # the building process's resident size after each batch is written
BATCH_SPANS: list[tuple[float, float]] = []  # perf_counter() when each batch's work began and ended


def resident_mib() -> float:
    """The current resident size (not the peak): whether memory keeps growing batch after batch."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return round(pages * resource.getpagesize() / 2**20, 1)


def sampled_batches(owner: object, name: str) -> None:
    """Around each call of `owner.name` (one batch: facts to triples, validation, write): when
    it began and ended, which shows how long the start and the end of a build leave the
    building process idle, and the resident size after it."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            BATCH_SPANS.append((start, time.perf_counter()))
            RSS_AFTER_BATCHES.append(resident_mib())

    setattr(owner, name, wrapper)


def timed(owner: object, name: str, stage: str, spent: dict[str, float] = SPENT) -> None:
    """Add the time spent in `owner.name` to `spent[stage]` (also used by `stages.py`)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("store", type=Path)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    import conflict_kg.pipeline as pipeline
    import conflict_kg.store as store
    from conflict_kg.distributed import wait_for_workers
    from conflict_kg.extract.extractor import ExtractOptions, Extractor
    from conflict_kg.rdf import GraphBuilder

    timed(Extractor, "__init__", "load_model_and_gazetteer_s")
    timed(Extractor, "facts", "rules_s")
    timed(GraphBuilder, "add", "rdf_s")
    timed(store.GraphStore, "validate", "validate_with_context_s")
    timed(store, "validate", "shacl_engine_s")  # conflict_kg.validate.validate, as store.py calls it
    timed(store.GraphStore, "write", "store_write_s")
    sampled_batches(pipeline, "_add_batch")

    words = sum(len(json.loads(line)["text"].split()) for line in args.corpus.read_text("utf-8").splitlines()
                if line.strip())
    options = pipeline.BuildOptions(store=args.store, progress=False,
                                    extract=ExtractOptions(n_process=args.jobs))
    warnings: list[str] = []
    start = time.perf_counter()
    summary = pipeline.build([args.corpus], options, warn=warnings.append)
    seconds = time.perf_counter() - start
    wait_for_workers()  # the build lets its workers go without waiting; their peak counts once reaped
    stages = {k: round(v, 3) for k, v in sorted(SPENT.items())}
    accounted = sum(v for k, v in SPENT.items() if k != "shacl_engine_s")  # the engine runs inside validate
    stages["parse_and_rest_s"] = round(seconds - accounted, 3)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "corpus": str(args.corpus), "jobs": args.jobs, "words": words, "seconds": round(seconds, 3),
        "words_per_s": round(words / seconds, 1), "articles": summary.articles, "failed": len(summary.failed),
        "triples": summary.triples, "violations": summary.violations, "stages": stages,
        "peak_rss_mib": round(own, 1), "peak_rss_workers_mib": round(workers, 1), "warnings": len(warnings),
        "rss_after_batches_mib": RSS_AFTER_BATCHES,
        "batch_spans_s": [[round(t - start, 2) for t in span] for span in BATCH_SPANS],
    }))
    return 0 if not summary.failed else 1


if __name__ == "__main__":
    sys.exit(main())
