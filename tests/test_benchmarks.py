"""The benchmarks' synthetic corpus (deterministic, names varied, texts like the samples), their
large-store replication, and, only with CONFLICT_KG_BENCH=1, the quick benchmark run itself (it
takes about a minute and its figures depend on the machine: no timed assertion here)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
REQUIRED = ("build_vs_spacy", "extract_vs_spacy", "ratio_rounds", "scaling_10x", "peak_rss_mib", "sparql_p50_ms", "shacl_share", "export_turtle_1m_s",
            "add_one_article_1m_s", "query_cli_1m_s", "sparql_rows_floor_ms", "export_turtle_dump_floor_s",
            "machine", "date")


def _module(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def synthetic():
    return _module("synthetic")


def test_the_corpus_is_deterministic_and_copy_zero_is_the_samples(synthetic):
    first, second = synthetic.make_corpus(3), synthetic.make_corpus(3)
    assert first == second
    samples = synthetic.read_samples()
    assert len(first) == 3 * len(samples)
    assert first[:len(samples)] == samples
    assert len({a["id"] for a in first}) == len(first)
    assert synthetic.make_corpus(3, seed=1) != first


def test_copies_name_other_real_places_and_groups(synthetic):
    from conflict_kg.extract.gazetteer import load_gazetteer

    corpus = synthetic.make_corpus(4)
    n = len(synthetic.read_samples())
    gazetteer = load_gazetteer()
    for original, copy in zip(corpus[:n], corpus[n:2 * n]):
        assert copy["text"] != original["text"]
        assert copy["published"] != original["published"]
        # a copy is as long as its original, give or take the names
        assert abs(len(copy["text"].split()) - len(original["text"].split())) < 0.1 * len(original["text"].split())
    text = corpus[n]["text"]  # the first copy of the first sample
    assert "al-Bukamal" not in text and '"Islamic State"' not in text
    # what replaced them are gazetteer names of the same kind
    town = re.search(r"border town of ([^,]+),", text).group(1)
    assert gazetteer.lookup(town).type == "Town"
    group = re.search(r'self-declared "([^"]+)"', text).group(1)
    assert gazetteer.lookup(group).subclass == "JihadistGroup"
    # kept: countries, function words, the shape of the text
    assert "Syria" in text and text.count("\n") == corpus[0]["text"].count("\n")
    # different copies vary differently
    assert len({re.search(r"border town of ([^,]+),", c["text"]).group(1) for c in corpus[n::n]}) > 1


def test_dates_move_together_by_whole_weeks(synthetic):
    import datetime as dt

    corpus = synthetic.make_corpus(2)
    n = len(synthetic.read_samples())
    for original, copy in zip(corpus[:n], corpus[n:]):
        shift = dt.date.fromisoformat(copy["published"]) - dt.date.fromisoformat(original["published"])
        assert shift.days % 7 == 0 and shift.days != 0
    # "Published: Fri, March 15, 2019" stays a Friday, moved with the publication date
    line = next(l for l in corpus[n + 3]["text"].splitlines() if l.startswith("Published:"))
    moved = dt.date.fromisoformat(corpus[n + 3]["published"])
    assert line == f"Published: Fri, {moved.strftime('%B')} {moved.day}, {moved.year}"


def test_a_store_is_replicated_to_the_size_asked(tmp_path):
    from conflict_kg.cli import main
    from conflict_kg.store import GraphStore

    bigstore = _module("bigstore")
    base = tmp_path / "base"
    article = REPO / "examples" / "articles" / "004_3e1acabdcdbb3fd5.txt"
    assert main(["build", str(article), "--published", "2019-04-22", "--store", str(base), "--no-progress"]) == 0
    info = bigstore.replicate(base, tmp_path / "big", 3000)
    assert info["triples"] >= 3000 and info["copies"] >= 2
    with GraphStore.open(tmp_path / "big", read_only=True) as big:
        ids = [a.id for a in big.articles()]
        assert len(ids) == info["articles"] == len(set(ids))
        count = next(iter(big.db.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0]
        assert int(count.value) == info["triples"]
    assert main(["query", "--store", str(tmp_path / "big"), "backers"]) == 0


def test_memory_is_bounded_when_the_last_samples_are_flat():
    memory = _module("memory")
    rising = [float(10 * i) for i in range(15)]
    flat_end = rising + [150.0, 151.0, 150.5, 152.0, 151.0, 150.0, 153.0, 152.0, 151.0, 152.5]
    assert memory.verdict(flat_end)["tail_growth_mib"] == 3.0 and memory.verdict(flat_end)["bounded"]
    still_rising = [float(10 * i) for i in range(25)]
    assert memory.verdict(still_rising) == {"tail_samples": 10, "tail_growth_mib": 90.0, "bounded": False}
    assert memory.verdict(rising[:5])["bounded"] is False  # too few samples to tell


def test_the_store_memory_measure_writes_new_quads_in_every_batch(tmp_path):
    from conflict_kg.cli import main
    from conflict_kg.store import GraphStore

    memory = _module("memory")
    store = tmp_path / "store"
    article = REPO / "examples" / "articles" / "004_3e1acabdcdbb3fd5.txt"
    assert main(["build", str(article), "--published", "2019-04-22", "--store", str(store), "--no-progress"]) == 0
    with GraphStore.open(store, read_only=True) as held:
        quads = sum(1 for _ in held.db.quads_for_pattern(None, None, None, None))
    result = memory.measure_store_memory(store, batch_quads=500, rounds=2, every=2)
    batches = 2 * -(-quads // 500)
    assert result["batches"] == batches and len(result["rss_growth_mib"]) == batches // 2
    assert set(result) >= {"tail_growth_mib", "bounded", "quads_written"}


@pytest.mark.skipif(os.environ.get("CONFLICT_KG_BENCH") != "1",
                    reason="the benchmark run takes about a minute: set CONFLICT_KG_BENCH=1 to run it")
def test_the_quick_benchmark_prints_one_json_object_with_every_figure():
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--json"], capture_output=True,
                          text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    for key in REQUIRED:
        assert key in result, key
    assert set(result["sparql_p50_ms"]) >= {"backers", "captures", "entity", "groups", "operations",
                                            "operations-at-place", "operations-in-region"}
    assert set(result["sparql_rows_floor_ms"]) == set(result["sparql_p50_ms"])
    assert result["machine"]["cpu_count"] >= 1


def test_the_ratios_come_from_the_median_round():
    run = _module("run")
    rounds = [{"build_vs_spacy": r, "name": n} for r, n in ((0.83, "fast baseline"), (0.63, "slow build"), (0.70, "middle"))]
    assert run.median_round(rounds)["name"] == "middle"
    assert run.median_round(rounds[:2])["name"] == "slow build"  # the lower middle: no rounding up
    assert run.median_round(rounds[:1])["name"] == "fast baseline"


def test_pipeline_stages_time_every_component_and_the_rules():
    stages = _module("stages")
    result = stages.pipeline_stages(REPO / "examples" / "articles.jsonl")
    assert result["tokens"] > 1000
    assert set(result["seconds"]) == {"tokenizer", "rules", *result["pipes"]}
    assert "indexed_attribute_ruler" in result["pipes"] and "attribute_ruler" not in result["pipes"]
    assert all(s >= 0 for s in result["seconds"].values())


def test_building_stages_build_what_a_build_writes(tmp_path):
    """The building process measured alone (facts extracted first) writes the same triples as
    `conflict-kg build` to a store, and every stage it reports was reached."""
    from conflict_kg.pipeline import BuildOptions, build

    corpus = REPO / "examples" / "articles.jsonl"
    result = subprocess.run([sys.executable, str(BENCH / "stages.py"), "building", str(corpus)], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    built = build([corpus], BuildOptions(store=tmp_path / "store", progress=False), warn=lambda _line: None)
    assert (measured["articles"], measured["triples"]) == (built.articles, built.triples)
    assert built.articles == 5 and built.triples > 0
    for stage in ("facts_to_triples_s", "batch_as_rdflib_graph_s", "shacl_s", "store_write_s"):
        assert measured["stages"][stage] > 0, stage  # (a new store has no context to read)
