"""`conflict-kg serve` under load and with a time limit: a bounded burst of concurrent queries
from several clients (loopback only) is answered in full and right, and a query over the time
limit is stopped with an error (503) while the server keeps answering the others. The server
runs on a free 127.0.0.1 port and is always stopped."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflict_kg.cli import main
from conflict_kg.query import bundled_queries
from conflict_kg.serve import free_port
from conflict_kg.store import GraphStore

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO / "examples" / "articles.jsonl"
PARAMS = {"place_label": "Albu Kamal", "entity_label": "Islamic State", "region_label": "Syria"}
TIME_LIMIT_S = 3
CLIENTS, PER_CLIENT = 8, 25
START_SECONDS = 30
# Every triple with every triple with every triple: far more than any time limit allows.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("load") / "store"
    assert main(["build", str(ARTICLES), "--store", str(path), "--no-progress"]) == 0
    return path


@pytest.fixture(scope="module")
def queries() -> list[str]:
    """The bundled queries with their parameters bound (as a client binds them), and a few small ones."""
    out = []
    for q in bundled_queries().values():
        text = q.text
        if q.params:
            match = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
            assert match is not None
            block = "".join(f'\n  VALUES ?{p} {{ "{PARAMS[p]}" }}' for p in q.params)
            text = text[:match.end()] + block + text[match.end():]
        out.append(text)
    out += ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "SELECT ?g WHERE { ?g a <https://w3id.org/conflict-kg/ontology#JihadistGroup> } ORDER BY ?g",
            "ASK { ?s a <https://w3id.org/conflict-kg/ontology#Capture> }"]
    return out


@pytest.fixture(scope="module")
def expected(store, queries) -> dict[str, object]:
    with GraphStore.open(store, read_only=True) as held:
        return {q: _rows_direct(held.db, q) for q in queries}


@pytest.fixture(scope="module")
def endpoint(store, expected, tmp_path_factory):
    logs = tmp_path_factory.mktemp("serve-load-logs")
    port = free_port()
    out, err = open(logs / "stdout", "w+b"), open(logs / "stderr", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "conflict_kg.cli", "serve", "--store", str(store),
                             "--port", str(port), "--timeout", str(TIME_LIMIT_S)],
                            stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        url = None
        while time.monotonic() < deadline and url is None:
            found = re.search(r"(http://\S+/query)", (logs / "stdout").read_text(errors="replace"))
            url = found.group(1) if found else None
            if url is None:
                assert proc.poll() is None, (logs / "stderr").read_text(errors="replace")[-3000:]
                time.sleep(0.1)
        assert url == f"http://127.0.0.1:{port}/query"
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group holds only the server and its Oxigraph
            proc.wait(timeout=15)
        out.close()
        err.close()


def _norm(value: str | None) -> str | None:
    # GROUP_CONCAT's order inside one value is the engine's: compare the parts as a set
    return " | ".join(sorted(value.split(" | "))) if value is not None and " | " in value else value


def _rows_direct(db: ox.Store, query: str) -> object:
    answer = db.query(query)
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    names = [v.value for v in answer.variables]
    return sorted((tuple(_norm(None if s[n] is None else s[n].value) for n in names) for s in answer), key=repr)


def _rows_http(payload: dict) -> object:
    if "boolean" in payload:
        return payload["boolean"]
    names = payload["head"]["vars"]
    return sorted((tuple(_norm(b[n]["value"] if n in b else None) for n in names)
                   for b in payload["results"]["bindings"]), key=repr)


def _post(url: str, query: str, timeout: float = 60) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_burst_of_concurrent_queries_is_answered_in_full_and_right(endpoint, queries, expected):
    url, _proc = endpoint
    work = [queries[(client * PER_CLIENT + i) % len(queries)] for client in range(CLIENTS) for i in range(PER_CLIENT)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(lambda q: (q, *_post(url, q)), work))
    assert time.monotonic() - started < 240
    assert len(answers) == CLIENTS * PER_CLIENT
    wrong = []
    for query, status, body in answers:
        if status != 200:
            wrong.append((status, body[:200], query[:80]))
        elif _rows_http(json.loads(body)) != expected[query]:
            wrong.append(("different answer", query[:80]))
    assert not wrong, wrong[:5]


def test_a_query_over_the_time_limit_is_stopped_and_the_others_are_still_answered(endpoint, queries, expected):
    url, proc = endpoint
    result: dict[str, object] = {}

    def expensive() -> None:
        start = time.monotonic()
        result["status"], result["body"] = _post(url, EXPENSIVE, timeout=TIME_LIMIT_S + 30)
        result["seconds"] = time.monotonic() - start

    slow = threading.Thread(target=expensive)
    slow.start()
    time.sleep(0.5)
    small = queries[-3]  # a count of the triples
    while slow.is_alive():  # meanwhile others are answered, quickly and right
        start = time.monotonic()
        status, body = _post(url, small, timeout=TIME_LIMIT_S + 30)
        assert status == 200 and _rows_http(json.loads(body)) == expected[small]
        assert time.monotonic() - start < TIME_LIMIT_S
        time.sleep(0.2)
    slow.join()
    assert result["status"] == 503, result
    assert b"time limit" in result["body"]
    assert result["seconds"] < TIME_LIMIT_S + 10
    assert proc.poll() is None
    status, body = _post(url, small)
    assert status == 200 and _rows_http(json.loads(body)) == expected[small]
