"""Extraction alone, run by `benchmarks/run.py` in a process of its own: the parse and the rules
of `conflict-kg build` (worker processes with `--jobs N`), with no RDF, no validation and no
store, printed as one JSON object. Set beside bare `nlp.pipe` on the same texts, it shows how
much of a build's distance from bare spaCy is extraction and how much the rest.

    python benchmarks/extract_child.py CORPUS.jsonl [--jobs N]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    from conflict_kg.distributed import wait_for_workers
    from conflict_kg.extract.extractor import ExtractOptions, extract_articles
    from conflict_kg.extract.records import Article, ExtractionFailure
    from conflict_kg.ingest import read_inputs

    articles = [a for a in read_inputs([args.corpus]) if isinstance(a, Article)]
    words = sum(len(a.text.split()) for a in articles)
    own, children = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    results = list(extract_articles(articles, options=ExtractOptions(n_process=args.jobs)))
    seconds = time.perf_counter() - start
    wait_for_workers()  # their CPU time counts once they are reaped
    print(json.dumps({
        "corpus": str(args.corpus), "jobs": args.jobs, "words": words, "seconds": round(seconds, 3),
        "words_per_s": round(words / seconds, 1), "articles": len(results),
        "failed": sum(isinstance(r, ExtractionFailure) for r in results),
        "cpu_s": round(cpu_seconds(resource.RUSAGE_SELF) - own + cpu_seconds(resource.RUSAGE_CHILDREN) - children, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
