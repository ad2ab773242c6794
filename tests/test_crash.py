"""A store survives `conflict-kg add` killed mid-way (SIGKILL): it opens, it holds either the
old or the new state (the union and the list of articles of a clean run before or after), and
running the same command again completes the work."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from conflict_kg.cli import main
from conflict_kg.store import DATABASE, GraphStore

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "examples" / "articles").glob("*.txt"))
OLD, NEW = SAMPLES[:1], SAMPLES[3:]          # small articles: the test stays well under a minute
PUBLISHED = "2017-11-10"
WRITE_WAIT_S = 60


def _add_command(store: Path) -> list[str]:
    return [sys.executable, "-m", "conflict_kg.cli", "add", *map(str, NEW), "--published", PUBLISHED,
            "--store", str(store), "--no-progress"]


def _snapshot(store: Path):
    with GraphStore.open(store) as held:  # opening for writing: the lock of a killed writer is gone
        return held.union(), [a.id for a in held.articles()]


def _database_files(store: Path) -> dict[str, int]:
    """The database's files and their sizes: a write shows as a growing write-ahead log (a
    transaction) or as new sorted files (a bulk insertion, written before they are ingested)."""
    out = {}
    for p in (store / DATABASE).iterdir():
        try:
            out[p.name] = p.stat().st_size
        except FileNotFoundError:  # replaced while listed
            pass
    return out


def _written_since(store: Path, before: dict[str, int]) -> bool:
    return any(name.startswith("bulk-") or (name.endswith(".log") and size > before.get(name, 0))
               for name, size in _database_files(store).items())


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """The store before (`old`) and after (`new`) a clean run of the add command."""
    root = tmp_path_factory.mktemp("crash")
    old = root / "old"
    assert main(["build", *map(str, OLD), "--published", PUBLISHED, "--store", str(old), "--no-progress"]) == 0
    new = GraphStore.copy(old, root / "new")
    assert subprocess.run(_add_command(new), capture_output=True, timeout=300).returncode == 0
    old_state, new_state = _snapshot(old), _snapshot(new)
    return old, old_state, new_state


def _is_old_or_new(store: Path, old_state, new_state) -> str:
    union, articles = _snapshot(store)
    for name, (want_union, want_articles) in (("old", old_state), ("new", new_state)):
        if articles == want_articles and isomorphic(union, want_union):
            return name
    raise AssertionError(f"the store holds neither the old nor the new state: articles {articles}, "
                         f"{len(union)} triples (old {len(old_state[0])}, new {len(new_state[0])})")


def _kill_when(proc: subprocess.Popen, ready) -> None:
    deadline = time.monotonic() + WRITE_WAIT_S
    while proc.poll() is None and time.monotonic() < deadline and not ready():
        time.sleep(0.005)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("when", ["early", "at-write"])
def test_a_killed_add_leaves_the_old_or_the_new_state_and_a_rerun_completes_it(when, states, tmp_path):
    base, old_state, new_state = states
    assert old_state[1] != new_state[1]
    store = GraphStore.copy(base, tmp_path / "store")
    before = _database_files(store)
    start = time.monotonic()
    proc = subprocess.Popen(_add_command(store), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if when == "early":    # while the model loads or the articles are read
        _kill_when(proc, lambda: time.monotonic() - start > 1.0)
    else:                  # as soon as the write reaches the database's files
        _kill_when(proc, lambda: _written_since(store, before))
        assert proc.returncode == -signal.SIGKILL, "the command ended before it wrote: nothing was tested"
    _is_old_or_new(store, old_state, new_state)
    assert subprocess.run(_add_command(store), capture_output=True, timeout=300).returncode == 0
    assert _is_old_or_new(store, old_state, new_state) == "new"
    assert not list((store / DATABASE).glob("bulk-*.sst")), "files of an unfinished bulk insertion were left"
