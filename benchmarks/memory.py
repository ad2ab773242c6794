"""Does memory stay bounded as a store grows? Two measurements, each in a process of its own.

    python benchmarks/memory.py --json              # the store part (about 3 minutes)
    python benchmarks/memory.py --json --build 700  # and a build of the 700x corpus (about 8 more)

- store: the building process's store side alone, with far more data than a benchmark build
  writes. Batches of 40,000 new quads are bulk-loaded into a new store, as `GraphStore` writes a
  batch (`bulk_load`, N-Quads), each followed by a read of the store; the quads are those of the
  large benchmark store, then twice again with every resource IRI renamed, so that every batch
  is new data. The resident size is sampled every 10 batches. RocksDB (under Oxigraph) keeps
  caches, which fill as the store grows and then stop at their size, and each data file's index
  and filter, which grow with the data (about 2 MiB per million quads on this machine).
- build: `build_child.py` on a synthetic corpus of `--build` copies of the samples (700x:
  3,500 articles, 70 batches, 1.3M triples): the resident size of the building process after
  each batch is written.

`bounded` says whether the resident size has stopped growing: over the last `TAIL_SAMPLES`
samples it grew by at most `PLATEAU_MIB`. Prints one JSON object (with --json; else a short summary).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

BATCH_QUADS = 40_000
ROUNDS = 3              # the large store's quads, then twice renamed
SAMPLE_EVERY = 10       # batches
TAIL_SAMPLES = 10       # the last samples, where a bounded size has stopped growing ...
PLATEAU_MIB = 8.0       # ... by at most this much

STORE_CHILD = """
import io, json, sys, pyoxigraph as ox
from pathlib import Path
source, target, batch_quads, rounds, every = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])

def resident_mib():
    return round(int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20, 1)

dump = io.BytesIO()
ox.Store.read_only(source).dump(dump, ox.RdfFormat.N_QUADS)
lines = [line for line in dump.getvalue().split(b"\\n") if line]
del dump
store = ox.Store(target)
base, samples, batches = resident_mib(), [], 0
for round_ in range(rounds):
    for start in range(0, len(lines), batch_quads):
        data = b"\\n".join(lines[start:start + batch_quads]) + b"\\n"
        if round_:
            data = data.replace(b"/resource/", b"/resource/r%d-" % round_)
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
        del data
        sum(1 for _ in store.query("SELECT ?s WHERE { ?s a ?t } LIMIT 2000"))
        batches += 1
        if batches % every == 0:
            samples.append(round(resident_mib() - base, 1))
print(json.dumps({"quads_per_batch": batch_quads, "batches": batches, "quads_written": batches * batch_quads,
                  "sample_every_batches": every, "rss_growth_mib": samples}))
"""


def tail_growth(samples: list[float]) -> float | None:
    """How much the resident size grew over the last `TAIL_SAMPLES` samples (from the first of
    them to the largest); None when there are too few samples to tell."""
    if len(samples) < 2 * TAIL_SAMPLES:
        return None
    tail = samples[-TAIL_SAMPLES:]
    return round(max(tail) - tail[0], 1)


def verdict(samples: list[float]) -> dict:
    growth = tail_growth(samples)
    return {"tail_samples": TAIL_SAMPLES, "tail_growth_mib": growth,
            "bounded": growth is not None and growth <= PLATEAU_MIB}


def measure_store_memory(source: Path, *, batch_quads: int = BATCH_QUADS, rounds: int = ROUNDS,
                         every: int = SAMPLE_EVERY) -> dict:
    """The store side of a growing build (see the module), from the conflict-kg store at `source`."""
    with tempfile.TemporaryDirectory(prefix="conflict-kg-memory-") as tmp:
        out = subprocess.run([sys.executable, "-c", STORE_CHILD, str(source / "oxigraph"), str(Path(tmp) / "store"),
                              str(batch_quads), str(rounds), str(every)],
                             capture_output=True, text=True, check=True, cwd=REPO)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {**result, **verdict(result["rss_growth_mib"])}


def measure_build_memory(factor: int, jobs: int) -> dict:
    """The building process's resident size after each batch of a build of the `factor`x corpus."""
    corpus = synthetic.write_corpus(synthetic.make_corpus(factor), CACHE / f"corpus-{factor}x.jsonl")
    with tempfile.TemporaryDirectory(prefix="conflict-kg-memory-") as tmp:
        out = subprocess.run([sys.executable, str(HERE / "build_child.py"), str(corpus), str(Path(tmp) / "store"),
                              "--jobs", str(jobs)], capture_output=True, text=True, cwd=REPO)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the {factor}x build failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    build = json.loads(lines[-1])
    samples = build["rss_after_batches_mib"]
    return {"corpus": f"{factor}x", "articles": build["articles"], "words": build["words"],
            "seconds": build["seconds"], "peak_rss_mib": build["peak_rss_mib"],
            "rss_after_batches_mib": samples, **verdict(samples)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--build", type=int, metavar="FACTOR", help="also build the FACTORx corpus (700: 3,500 articles)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the build")
    args = ap.parse_args(argv)
    source = CACHE / "store-1000000"
    if not (source / "oxigraph").is_dir():
        ap.error(f"no large store at {source}: run benchmarks/run.py first")
    result = {"store": measure_store_memory(source)}
    if args.build:
        result["build"] = measure_build_memory(args.build, args.jobs)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        for part, figures in result.items():
            print(f"{part}: grew {figures['tail_growth_mib']} MiB over the last {TAIL_SAMPLES} samples; "
                  f"bounded: {figures['bounded']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
