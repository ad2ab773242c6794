"""conflict-kg benchmarks: build speed against spaCy, scaling, memory, SPARQL, validation,
export and adding to a large store, measured in one run on this machine.

    python benchmarks/run.py --json            # full: corpora 1x, 10x, 100x; a store of ~1M triples
    python benchmarks/run.py --quick --json    # under two minutes: 1x, 3x; a store of ~100k triples

Prints one JSON object (with --json; else a readable table). Every ratio compares figures
measured in the same run, on the same texts, with the same model and process count:

- build_vs_spacy: build throughput (words per second of `pipeline.build` into a new store: model
  and gazetteer loading, parse, rules, RDF, SHACL, store write) divided by the throughput of the
  bare model's `nlp.pipe` on the same texts (model loading not counted), on the largest corpus.
  The machine's speed drifts from minute to minute, so bare spaCy, the build and extraction
  alone are run one after the other in `RATIO_ROUNDS` rounds (one in quick mode); each round
  gives its own ratios (`ratio_rounds`), the two ratios reported are their medians (the lower
  middle for an even count, as each is one round's own ratio), and `spacy`,
  `extract_only` and `builds` at the largest corpus are the runs of the round whose
  build_vs_spacy is the median;
- extract_vs_spacy: the same for extraction alone (parse and rules in the same worker processes,
  no RDF, no validation, no store: `extract_child.py`), with `extract_only` (its CPU time
  included): how far the rules and the workers' start-up alone leave a build from bare spaCy;
- scaling_10x: build time of the 10x corpus over that of the 1x corpus (quick: 3x over 1x,
  `scaling_corpora` says which);
- peak_rss_mib: the peak resident memory of the build process at 10x (quick: 3x), with
  `peak_rss_mib_by_corpus` and `rss_after_batches_mib` (the resident size after each batch of the
  largest build: whether memory follows the batch or the corpus); full runs add `store_memory`
  (`memory.py`: 200 batches of new quads written to a store, the resident size every 10) and
  `memory_bounded`, whether that size has stopped growing (`memory.py --build 700` adds a build
  long enough to show it, about 8 minutes);
- sparql_p50_ms: the median time of each bundled query on the large store through `run_query`,
  the whole `conflict-kg query --param` path (prefixes, safety check, parameters bound by a
  VALUES block, Oxigraph's evaluation and every row read into Python), over 7 runs, with
  `sparql_engine_p50_ms` (Oxigraph alone, rows iterated), `sparql_check_safe_ms` (rdflib's
  safety parse of the text, which `run_query` makes only when `sparql_check_safe_needed`),
  `sparql_narrowed_p50_ms` (the full listings narrowed by their filters or paged, parameters in
  `sparql_narrowed_params`: the full listings keep their own figure), `sparql_rows_floor_ms`
  (the least that answering as many rows costs: the same number of one-column rows from
  `ROWS_FLOOR_QUERY`, no join, order or grouping) and
  `sparql_query_param_once_ms` (one cold run in a process of its own, stopped at a time limit),
  and `query_cli_1m_s`, the whole `conflict-kg query groups --store` command (Python start,
  imports, opening the store), the median of `CLI_QUERY_RUNS`;
- shacl_share: time in SHACL validation over the build time (largest corpus);
- export_turtle_1m_s: `conflict-kg export --out X.ttl` of the large store (in process), the
  median of three runs (`export_turtle_1m_runs_s`), with `export_turtle_dump_floor_s`,
  Oxigraph's own dump of the same triples to a file, nothing of ours around it;
- add_one_article_1m_s: adding one new article (of the median sample length) to a copy of the
  large store with `pipeline.build` and a loaded model (extraction, resolution against the store,
  validation with the store's context, the transaction, the quarantine file), with
  `add_one_article_cli_1m_s`, the whole `conflict-kg add` command (Python start and model load
  included).

The corpora and the large store are made under benchmarks/.cache (git-ignored); the large
store is kept and reused while the build it is made from gives the same graph.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))

import bigstore  # noqa: E402
import memory  # noqa: E402
import synthetic  # noqa: E402

PARAMS = {"place_label": "Albu Kamal", "region_label": "Deir ez-Zor Governorate", "entity_label": "Islamic State"}
CHILD_TIMEOUT_S = 3600


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- measured pieces ---------------------------------------------------------------------------
def run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
                          cwd=REPO)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def measure_build(corpus: Path, store: Path, jobs: int) -> dict:
    if store.exists():
        shutil.rmtree(store)
    start = time.perf_counter()
    result = run_child([str(HERE / "build_child.py"), str(corpus), str(store), "--jobs", str(jobs)])
    result["process_seconds"] = round(time.perf_counter() - start, 3)
    return result


SPACY_CHILD = """
import json, sys, time, spacy
from conflict_kg.extract import DEFAULT_MODEL
corpus, jobs = sys.argv[1], int(sys.argv[2])
texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8") if l.strip()]
t = time.perf_counter(); nlp = spacy.load(DEFAULT_MODEL); load = time.perf_counter() - t
words = sum(len(x.split()) for x in texts)
t = time.perf_counter()
for doc in nlp.pipe(texts, batch_size=32, n_process=jobs):
    pass
s = time.perf_counter() - t
print(json.dumps({"model": DEFAULT_MODEL, "version": nlp.meta.get("version"), "pipes": nlp.pipe_names,
                  "words": words, "seconds": round(s, 3), "words_per_s": round(words / s, 1),
                  "load_s": round(load, 3), "jobs": jobs}))
"""


def measure_spacy(corpus: Path, jobs: int) -> dict:
    return run_child(["-c", SPACY_CHILD, str(corpus), str(jobs)])


RATIO_ROUNDS = 3


def measure_ratios(corpus: Path, store: Path, jobs: int, rounds: int) -> list[dict]:
    """Bare `nlp.pipe`, the build and extraction alone on `corpus`, one after the other, in
    `rounds` rounds: each round's ratios compare runs a minute or two apart, not the start of
    a benchmark with its end."""
    out = []
    for i in range(1, rounds + 1):
        log(f"round {i}/{rounds}: spaCy nlp.pipe, the build, extraction alone")
        spacy_run = measure_spacy(corpus, jobs)
        build = measure_build(corpus, store, jobs)
        extract = run_child([str(HERE / "extract_child.py"), str(corpus), "--jobs", str(jobs)])
        out.append({"spacy": spacy_run, "build": build, "extract": extract,
                    "build_vs_spacy": round(build["words_per_s"] / spacy_run["words_per_s"], 3),
                    "extract_vs_spacy": round(extract["words_per_s"] / spacy_run["words_per_s"], 3)})
        log(f"round {i}: build_vs_spacy {out[-1]['build_vs_spacy']}, extract_vs_spacy {out[-1]['extract_vs_spacy']}")
    return out


def median_round(rounds: list[dict]) -> dict:
    """The round whose build_vs_spacy is the median (the lower middle for an even count)."""
    ranked = sorted(rounds, key=lambda r: r["build_vs_spacy"])
    return ranked[(len(ranked) - 1) // 2]


def p50(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 2)


QUERY_PARAM_CHILD = """
import json, sys, time
from conflict_kg.store import GraphStore
from conflict_kg.query import bundled_queries, run_query
store, name, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with GraphStore.open(store, read_only=True) as held:
    t = time.perf_counter()
    result = run_query(held.db, bundled_queries()[name].text, params=params)
    n = len(result.rows)
    print(json.dumps({"ms": round((time.perf_counter() - t) * 1000, 2), "rows": n}))
"""

# Narrower runs of the full listings, timed apart from them (sparql_p50_ms times the full
# listing): a month of operations, of one type, and of captures, as `--param` binds them; and
# the first page of 100 operations (run_query's offset/limit: the engine still orders them all).
NARROWED = {
    "operations[since,until]": ("operations", {"since": "2017-11", "until": "2017-11"}, None),
    "operations[since,until,operation_type]": ("operations", {"since": "2017-11", "until": "2017-11",
                                                              "operation_type": "Capture"}, None),
    "operations[operation_type]": ("operations", {"operation_type": "Airstrike"}, None),
    "captures[since,until]": ("captures", {"since": "2017-11", "until": "2017-11"}, None),
    "operations[limit=100]": ("operations", {}, 100),
}


# The least a query answering n rows can cost through `run_query`: n rows of one column (a
# subject's IRI) from the cheapest pattern there is, with no join, filter, grouping or order.
ROWS_FLOOR_QUERY = "SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {rows}"


def measure_queries(store_path: Path, repeats: int, param_timeout_s: float) -> dict:
    """p50 of each bundled query through `run_query`, the whole `conflict-kg query --param` path
    (prefixes, safety check, parameters bound by a VALUES block, Oxigraph's evaluation and every
    row read into Python): `sparql_p50_ms`, the figure the target is about. Apart: the engine
    alone (the same VALUES-bound text, rows iterated but not read), rdflib's safety parse and
    whether `run_query` needs it, the narrowed listings (NARROWED) and, once each in a process
    of its own with a time limit, a cold `run_query`. Runs alternate between the queries, so
    that a burst of load on the machine spreads over all of them."""
    from conflict_kg.query import (bind_parameters, bundled_queries, check_safe, may_reach_out, run_query,
                                   with_standard_prefixes)
    from conflict_kg.store import GraphStore

    queries = bundled_queries()
    bound = {name: {p: PARAMS[p] for p in q.params} for name, q in queries.items()}
    # The text run_query hands Oxigraph (prefixes added, parameters bound), made once per query.
    engine_query = {name: bind_parameters(with_standard_prefixes(q.text), bound[name]) for name, q in queries.items()}
    whole, engine, narrowed, floor = ({name: [] for name in keys} for keys in (queries, queries, NARROWED, queries))
    rows, engine_rows, narrowed_rows, floor_rows, checks, check_needed, via_cli = {}, {}, {}, {}, {}, {}, {}
    with GraphStore.open(store_path, read_only=True) as store:
        db = store.db
        for _ in range(repeats):
            for name, q in queries.items():
                start = time.perf_counter()
                rows[name] = len(run_query(db, q.text, params=bound[name]).rows)
                whole[name].append(time.perf_counter() - start)
                text, substitutions = engine_query[name]
                start = time.perf_counter()
                engine_rows[name] = sum(1 for _ in db.query(text, substitutions=substitutions))
                engine[name].append(time.perf_counter() - start)
            for key, (name, params, limit) in NARROWED.items():
                start = time.perf_counter()
                narrowed_rows[key] = len(run_query(db, queries[name].text, params=params, limit=limit).rows)
                narrowed[key].append(time.perf_counter() - start)
            for name in queries:
                start = time.perf_counter()
                floor_rows[name] = len(run_query(db, ROWS_FLOOR_QUERY.format(rows=rows[name])).rows)
                floor[name].append(time.perf_counter() - start)
        for name, q in queries.items():
            text = engine_query[name][0]
            times = []
            for _ in range(3):
                start = time.perf_counter()
                check_safe(text)
                times.append(time.perf_counter() - start)
            checks[name] = p50(times)
            check_needed[name] = may_reach_out(with_standard_prefixes(q.text))
            log(f"query {name}: p50 {p50(whole[name])} ms through run_query, {p50(engine[name])} ms in the engine "
                f"({rows[name]} rows)")
            assert engine_rows[name] == rows[name] == floor_rows[name], name
    for name, q in queries.items():
        if not q.params:
            continue
        try:
            out = subprocess.run([sys.executable, "-c", QUERY_PARAM_CHILD, str(store_path), name,
                                  json.dumps(bound[name])], capture_output=True, text=True,
                                 timeout=param_timeout_s, cwd=REPO)
            via_cli[name] = json.loads(out.stdout.strip().splitlines()[-1])["ms"]
        except subprocess.TimeoutExpired:
            via_cli[name] = f"> {param_timeout_s * 1000:.0f} (stopped)"
    return {"sparql_p50_ms": {name: p50(t) for name, t in whole.items()}, "sparql_rows": rows,
            "sparql_params": PARAMS, "sparql_repeats": repeats,
            "sparql_timed": "run_query: prefixes, safety check, VALUES binding, evaluation, rows read into Python",
            "sparql_binding": "VALUES block first in the outer WHERE",
            "sparql_engine_p50_ms": {name: p50(t) for name, t in engine.items()},
            "sparql_narrowed_p50_ms": {key: p50(t) for key, t in narrowed.items()},
            "sparql_narrowed_rows": narrowed_rows,
            "sparql_narrowed_params": {key: {"query": name, "params": params, **({"limit": limit} if limit else {})}
                                       for key, (name, params, limit) in NARROWED.items()},
            "sparql_rows_floor_ms": {name: p50(t) for name, t in floor.items()},
            "sparql_check_safe_ms": checks, "sparql_check_safe_needed": check_needed,
            "sparql_query_param_once_ms": via_cli}


def copy_store(src: Path, dst: Path) -> Path:
    """A private copy of a store (Oxigraph's backup: hard links, so it is cheap)."""
    from conflict_kg.store import GraphStore

    if dst.exists():
        shutil.rmtree(dst)
    return GraphStore.copy(src, dst)


def one_article(path: Path) -> tuple[Path, int]:
    """A new article for the add test: a fresh variant of the sample of median length."""
    samples = synthetic.read_samples()
    median = sorted(range(len(samples)), key=lambda i: len(samples[i]["text"].split()))[len(samples) // 2]
    rec = synthetic._variant(samples[median], 9_999, median, 7, synthetic._lexicon())
    synthetic.write_corpus([rec], path)
    return path, len(rec["text"].split())


def measure_add(store_path: Path, work: Path) -> dict:
    from conflict_kg.extract.extractor import Extractor, ExtractOptions
    from conflict_kg.pipeline import BuildOptions, build

    article, words = one_article(work / "one-article.jsonl")
    extractor = Extractor(ExtractOptions())
    copy = copy_store(store_path, work / "add-copy")
    start = time.perf_counter()
    summary = build([article], BuildOptions(store=copy, progress=False), warn=lambda _m: None, extractor=extractor)
    in_process = time.perf_counter() - start
    assert summary.articles == 1, summary.describe()
    # the extraction alone, for the breakdown (the model is warm now)
    from conflict_kg.ingest import read_inputs
    art = next(a for a in read_inputs([article]) if not isinstance(a, Exception) and hasattr(a, "text"))
    start = time.perf_counter()
    next(iter(extractor.extract([art])))
    extraction = time.perf_counter() - start
    copy2 = copy_store(store_path, work / "add-copy-cli")
    cli = time_command("add", str(article), "--store", str(copy2), "--no-progress")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(copy2, ignore_errors=True)
    return {"add_one_article_1m_s": round(in_process, 3), "add_one_article_extraction_s": round(extraction, 3),
            "add_one_article_store_s": round(in_process - extraction, 3),
            "add_one_article_cli_1m_s": round(cli, 3), "add_one_article_words": words}


CLI_QUERY_RUNS = 5


def measure_query_cli(store_path: Path) -> dict:
    """The whole `conflict-kg query groups --store` command, as a user at a shell waits for it."""
    runs = [time_command("query", "groups", "--store", str(store_path), "--format", "csv")
            for _ in range(CLI_QUERY_RUNS)]
    return {"query_cli_1m_s": statistics.median(runs), "query_cli_1m_runs_s": runs}


def time_command(*args: str) -> float:
    """Seconds the whole `conflict-kg ARGS` command takes in a fresh Python (its start included)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "conflict_kg.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=REPO)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"conflict-kg {args[0]} failed: {proc.stderr[-2000:]}")
    return round(seconds, 3)


EXPORT_RUNS = 3


def measure_export(store_path: Path, work: Path) -> dict:
    """`GraphStore.export` of the large store to Turtle and to N-Triples: the median of
    `EXPORT_RUNS` runs each (a single run moved by up to a fifth from one run to the next on
    this shared machine), every run kept under `..._runs_s`. After each Turtle export, the
    floor: Oxigraph's own `dump` of the default graph to a file with the same prefixes, and
    nothing of ours around it (no count, Python file object, fsync or rename),
    `export_turtle_dump_floor_s`."""
    import pyoxigraph as ox

    from conflict_kg.store import EXPORT_PREFIXES, GraphStore

    def timed_run(write: Callable[[Path], object], path: Path) -> float:
        start = time.perf_counter()
        write(path)
        seconds = round(time.perf_counter() - start, 3)
        path.unlink()
        return seconds

    out: dict = {}
    runs: dict[str, list[float]] = {key: [] for key in ("export_turtle_1m_s", "export_turtle_dump_floor_s",
                                                         "export_ntriples_1m_s")}
    with GraphStore.open(store_path, read_only=True) as store:
        def dump(path: Path) -> None:
            store.db.dump(str(path), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=EXPORT_PREFIXES)

        def export(path: Path) -> None:
            out["export_triples"] = store.export(path)

        for _ in range(EXPORT_RUNS):
            runs["export_turtle_1m_s"].append(timed_run(export, work / "kg.ttl"))
            runs["export_turtle_dump_floor_s"].append(timed_run(dump, work / "dump.ttl"))
        for _ in range(EXPORT_RUNS):
            runs["export_ntriples_1m_s"].append(timed_run(export, work / "kg.nt"))
    for key, times in runs.items():
        out[key] = round(statistics.median(times), 3)
        out[key.removesuffix("_s") + "_runs_s"] = times
    return out


def measure_engines(store_path: Path) -> dict:
    """For the choice of engines in files this benchmark does not own: SHACL validation of the
    same graph with pySHACL and with pyshacl-turbo (same API), and Turtle written by rdflib and
    by Oxigraph."""
    import io

    import conflict_kg.validate as validate_module
    from conflict_kg.store import GraphStore

    with GraphStore.open(store_path, read_only=True) as store:
        graph = store.union()
        start = time.perf_counter()
        store.db.dump(io.BytesIO(), __import__("pyoxigraph").RdfFormat.TURTLE,
                      from_graph=__import__("pyoxigraph").DefaultGraph())
        ox_turtle = time.perf_counter() - start
    out: dict = {"engines_graph_triples": len(graph), "turtle_write_oxigraph_s": round(ox_turtle, 3)}
    start = time.perf_counter()
    graph.serialize(format="turtle", encoding="utf-8")
    out["turtle_write_rdflib_s"] = round(time.perf_counter() - start, 3)
    results = {}
    for engine in validate_module.ENGINES:
        os.environ["CONFLICT_KG_SHACL"] = engine
        try:
            start = time.perf_counter()
            results[engine] = validate_module.validate(graph)
            out[f"shacl_{engine}_s"] = round(time.perf_counter() - start, 3)
        finally:
            del os.environ["CONFLICT_KG_SHACL"]
    first, second = results.values()
    from rdflib.compare import isomorphic
    out["shacl_same_result"] = (isomorphic(first.valid, second.valid)
                                and sorted(v.describe() for v in first.violations)
                                == sorted(v.describe() for v in second.violations))
    return out


# -- the run -------------------------------------------------------------------------------------
def machine(jobs: int) -> dict:
    import pyoxigraph
    import pyshacl
    import rdflib
    import spacy

    from conflict_kg.extract import DEFAULT_MODEL
    try:
        import importlib.metadata as md
        model_version = md.version(DEFAULT_MODEL.replace("_", "-"))
    except Exception:
        model_version = None
    cpu = platform.processor() or ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        mem = None
    return {"cpu_count": os.cpu_count(), "cpu": cpu, "memory_gib": mem, "platform": platform.platform(),
            "python": platform.python_version(), "spacy": spacy.__version__, "spacy_model": DEFAULT_MODEL,
            "spacy_model_version": model_version, "pyoxigraph": pyoxigraph.__version__,
            "rdflib": rdflib.__version__, "pyshacl": pyshacl.__version__, "jobs": jobs}


def big_store(base: Path, target: int) -> tuple[Path, dict]:
    """The large store, reused from the cache while its base build gives the same graph."""
    from conflict_kg.store import GraphStore

    with GraphStore.open(base, read_only=True) as held:
        key = hashlib.sha256(bigstore.named_nquads(held).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"store-{target}"
    stamp = path / "benchmark-key.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("key") == key:
        info = json.loads(stamp.read_text())
        info["cached"] = True
        return path, info
    start = time.perf_counter()
    building = path.with_name(path.name + ".building")  # readers of the old store never see a half-made one
    shutil.rmtree(building, ignore_errors=True)
    info = bigstore.replicate(base, building, target)
    info.update(key=key, seconds=round(time.perf_counter() - start, 1))
    (building / stamp.name).write_text(json.dumps(info))
    shutil.rmtree(path, ignore_errors=True)
    building.rename(path)
    info["cached"] = False
    return path, info


def run(quick: bool, jobs: int) -> dict:
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    factors = (1, 3) if quick else (1, 10, 100)
    target = 100_000 if quick else 1_000_000
    corpora = {f: synthetic.write_corpus(synthetic.make_corpus(f), CACHE / f"corpus-{f}x.jsonl") for f in factors}
    result: dict = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "mode": "quick" if quick else "full", "machine": machine(jobs)}
    builds = {}
    work = Path(tempfile.mkdtemp(prefix="conflict-kg-bench-"))
    try:
        largest = factors[-1]
        for f in factors[:-1]:
            log(f"build {f}x ({synthetic.words(json.loads(x) for x in corpora[f].read_text().splitlines())} words)")
            builds[f] = measure_build(corpora[f], CACHE / f"build-{f}x", jobs)
            log(f"build {f}x: {builds[f]['seconds']} s")
        rounds = measure_ratios(corpora[largest], CACHE / f"build-{largest}x", jobs, 1 if quick else RATIO_ROUNDS)
        chosen = median_round(rounds)
        spacy_run, extract_run = chosen["spacy"], chosen["extract"]
        big = builds[largest] = chosen["build"]
        middle = factors[1]
        result.update({
            "build_vs_spacy": chosen["build_vs_spacy"],
            "extract_vs_spacy": statistics.median_low(r["extract_vs_spacy"] for r in rounds),
            "ratio_rounds": [{"build_vs_spacy": r["build_vs_spacy"], "extract_vs_spacy": r["extract_vs_spacy"],
                              "spacy_words_per_s": r["spacy"]["words_per_s"],
                              "build_words_per_s": r["build"]["words_per_s"],
                              "extract_words_per_s": r["extract"]["words_per_s"]} for r in rounds],
            "scaling_10x": round(builds[middle]["seconds"] / builds[1]["seconds"], 3),
            "scaling_corpora": f"{middle}x/1x",
            "peak_rss_mib": builds[middle]["peak_rss_mib"],
            "peak_rss_at": f"{middle}x",
            "peak_rss_mib_by_corpus": {f"{f}x": {"build": b["peak_rss_mib"], "largest_worker": b["peak_rss_workers_mib"]}
                                       for f, b in builds.items()},
            "rss_after_batches_mib": big["rss_after_batches_mib"],
            "shacl_share": round(big["stages"].get("shacl_engine_s", 0.0) / big["seconds"], 3),
            "shacl_with_context_share": round(big["stages"].get("validate_with_context_s", 0.0) / big["seconds"], 3),
            "spacy": spacy_run,
            "extract_only": extract_run,
            "builds": {f"{f}x": b for f, b in builds.items()},
        })
        log(f"large store (~{target} triples) from the {largest}x build")
        store, info = big_store(CACHE / f"build-{largest}x", target)
        result["store"] = {"target_triples": target, **info}
        result.update(measure_queries(store, 7, 10 if quick else 60))
        result.update(measure_query_cli(store))
        result.update(measure_export(store, work))
        log("add one article")
        result.update(measure_add(store, work))
        log("engines")
        result["engines"] = measure_engines(CACHE / f"build-{middle}x")
        if not quick:
            log("store memory as a store grows (about 3 minutes)")
            result["store_memory"] = memory.measure_store_memory(store)
            result["memory_bounded"] = result["store_memory"]["bounded"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["total_s"] = round(time.perf_counter() - started, 1)
    return result


def table(result: dict) -> str:
    lines = [f"conflict-kg benchmarks ({result['mode']}, {result['date']})",
             f"machine: {result['machine']['cpu_count']} CPUs, Python {result['machine']['python']}, "
             f"spaCy {result['machine']['spacy']} {result['machine']['spacy_model']}"]
    for key in ("build_vs_spacy", "extract_vs_spacy", "scaling_10x", "peak_rss_mib", "memory_bounded", "shacl_share",
                "export_turtle_1m_s", "add_one_article_1m_s", "add_one_article_cli_1m_s", "query_cli_1m_s"):
        lines.append(f"  {key:28s} {result.get(key)}")
    for name, ms in result.get("sparql_p50_ms", {}).items():
        lines.append(f"  sparql_p50_ms[{name}]".ljust(30) + f" {ms}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="1x and 3x corpora and a 100k-triple store")
    ap.add_argument("--jobs", type=int, default=1, help="processes for spaCy, in the build and in the baseline")
    args = ap.parse_args(argv)
    result = run(args.quick, args.jobs)
    print(json.dumps(result, indent=1) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
