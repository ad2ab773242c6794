"""Where a build's time goes, stage by stage, each measured alone in this process.

    python benchmarks/stages.py pipeline CORPUS.jsonl   # each spaCy component, then the rules
    python benchmarks/stages.py building CORPUS.jsonl   # the building process on facts extracted first

`pipeline` runs the extraction pipeline of `conflict-kg build` one component at a time over the
whole corpus (as `nlp.pipe` would, in batches), twice (the second, warm, pass is reported),
then the extraction rules. `building` extracts the corpus first (two worker processes, not
timed), then runs `pipeline.build` on those facts with no extraction at all, so that the
building process's own work (facts to triples, validation with the store's context, writing)
is measured without workers sharing the cores. Both print one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Iterator

from build_child import timed  # benchmarks/ is on the path when this runs


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 3)


def pipeline_stages(corpus: Path) -> dict:
    from conflict_kg.extract.extractor import Extractor, parser_text
    from conflict_kg.extract.records import Article
    from conflict_kg.ingest import read_inputs

    articles = [a for a in read_inputs([corpus]) if isinstance(a, Article)]
    extractor = Extractor()
    texts = [parser_text(a.text)[0] for a in articles]
    spent: dict[str, float] = {}
    for _warm_up_then_measured in range(2):
        docs: list = []
        spent = {"tokenizer": seconds(lambda: docs.extend(extractor.nlp.make_doc(t) for t in texts))}
        for name, component in extractor.nlp.pipeline:
            run = getattr(component, "pipe", None)
            step = (lambda c=component, r=run: list(r(docs, batch_size=32)) if r else [c(d) for d in docs])
            start = time.perf_counter()
            docs = step()
            spent[name] = round(time.perf_counter() - start, 3)
        spent["rules"] = seconds(lambda: [extractor.facts(d, a) for d, a in zip(docs, articles)])
    return {"corpus": str(corpus), "tokens": sum(len(d) for d in docs), "seconds": spent,
            "pipes": extractor.nlp.pipe_names}


def building_stages(corpus: Path) -> dict:
    import conflict_kg.pipeline as pipeline
    import conflict_kg.store as store
    import conflict_kg.validate as validate
    from conflict_kg.extract.extractor import ExtractOptions, extract_articles
    from conflict_kg.extract.gazetteer import load_gazetteer
    from conflict_kg.extract.records import Article
    from conflict_kg.ingest import read_inputs
    from conflict_kg.rdf import GraphBuilder

    articles = [a for a in read_inputs([corpus]) if isinstance(a, Article)]
    facts = list(extract_articles(articles, options=ExtractOptions(n_process=2)))
    spent: dict[str, float] = defaultdict(float)
    for owner, name, stage in ((GraphBuilder, "add", "facts_to_triples_s"),
                               (GraphBuilder, "graph", "batch_as_rdflib_graph_s"),
                               (store.GraphStore, "_context", "store_context_s"),
                               (store, "validate", "shacl_s"),  # conflict_kg.validate.validate as store.py calls it
                               (validate, "_violations", "shacl_results_s"),
                               (store.GraphStore, "validate", "validate_with_context_s"),
                               (store, "_ntriples", "nquads_text_s"),
                               (store.GraphStore, "_insert", "store_insert_s"),
                               (store.GraphStore, "write", "store_write_s")):
        timed(owner, name, stage, spent)

    class Extracted:
        """Stands in for the extractor: the facts extracted above, in input order."""
        options = ExtractOptions()
        gazetteer = load_gazetteer(())

        def extract(self, stream: Iterable[Article], warn=None) -> Iterator:
            for _article in stream:
                pass
            yield from facts

    with tempfile.TemporaryDirectory(prefix="conflict-kg-stages-") as tmp:
        options = pipeline.BuildOptions(store=Path(tmp) / "store", progress=False)
        wall, cpu = time.perf_counter(), time.process_time()
        summary = pipeline.build([corpus], options, extractor=Extracted(), warn=lambda _line: None)  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"corpus": str(corpus), "articles": summary.articles, "triples": summary.triples,
            "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "stages": {k: round(v, 3) for k, v in spent.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("pipeline", "building"))
    ap.add_argument("corpus", type=Path)
    args = ap.parse_args()
    result = pipeline_stages(args.corpus) if args.what == "pipeline" else building_stages(args.corpus)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
