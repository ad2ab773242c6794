"""The SPARQL endpoint: `conflict-kg serve` (Oxigraph's server behind a read-only gate) answers
every bundled query over HTTP as `conflict-kg query` does on the store, and refuses updates and
SERVICE. The server runs on a free loopback port and is always stopped."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from conflict_kg.cli import main
from conflict_kg.query import bundled_queries
from conflict_kg.serve import free_port
from conflict_kg.store import SERVE_LOCK

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO / "examples" / "articles.jsonl"
PARAM_VALUES = {"place_label": "Albu Kamal", "entity_label": "Islamic State", "region_label": "Syria"}
START_SECONDS = 30


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("served") / "store"
    assert main(["build", str(ARTICLES), "--store", str(path), "--no-progress"]) == 0
    return path


@pytest.fixture(scope="module")
def endpoint(store, tmp_path_factory):
    """`conflict-kg serve` on a free loopback port; stopped (with Oxigraph) after the module."""
    logs = tmp_path_factory.mktemp("serve-logs")
    port = free_port()
    out, err = open(logs / "stdout", "w+b"), open(logs / "stderr", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "conflict_kg.cli", "serve", "--store", str(store),
                             "--port", str(port)], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        url = _wait_for_url(proc, logs)
        assert url == f"http://127.0.0.1:{port}/query"
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group holds only the server and its Oxigraph
            proc.wait(timeout=15)
        out.close()
        err.close()
    assert not (store / SERVE_LOCK).exists(), "the server removes its lock when it stops"


def _wait_for_url(proc: subprocess.Popen, logs: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(r"(http://\S+/query)", (logs / "stdout").read_text(errors="replace"))
        if found:
            return found.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"the endpoint did not start (exit {proc.poll()}):\n"
                         + (logs / "stderr").read_text(errors="replace")[-3000:])


def _bind(query: str, values: dict[str, str]) -> str:
    """Bind parameters over HTTP as a client does: a VALUES block first in the outer WHERE."""
    match = re.search(r"WHERE\s*\{", query, re.IGNORECASE)
    assert match is not None
    block = "".join(f"\n  VALUES ?{k} {{ {json.dumps(v)} }}" for k, v in values.items())
    return query[: match.end()] + block + query[match.end():]


def _cells(bindings: list[dict], variables: list[str]) -> list[tuple]:
    """Result rows as comparable tuples; GROUP_CONCAT parts sorted (their order is undefined)."""
    rows = []
    for b in bindings:
        row = []
        for v in variables:
            term = b.get(v)
            if term is None:
                row.append(None)
                continue
            value = " | ".join(sorted(term["value"].split(" | ")))
            row.append((term["type"].replace("typed-literal", "literal"), value,
                        term.get("datatype"), term.get("xml:lang")))
        rows.append(tuple(row))
    return sorted(rows, key=repr)


def _cases() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for name, q in sorted(bundled_queries().items()):
        cases.append((name, {}))
        bound = {p: PARAM_VALUES[p] for p in q.params if p in PARAM_VALUES}
        if bound:
            cases.append((name, bound))
    return cases


@pytest.mark.parametrize("name,params", _cases(), ids=lambda c: c if isinstance(c, str) else "-".join(c) or "all")
def test_every_bundled_query_answers_over_http_as_on_the_command_line(name, params, endpoint, store, capsys):
    query = bundled_queries()[name].text
    client = SPARQLWrapper(endpoint)
    client.setQuery(_bind(query, params) if params else query)
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    over_http = client.queryAndConvert()

    argv = ["query", "--store", str(store), name, "--format", "json"]
    for k, v in params.items():
        argv += ["--param", f"{k}={v}"]
    assert main(argv) == 0
    on_cli = json.loads(capsys.readouterr().out)

    assert over_http["head"]["vars"] == on_cli["head"]["vars"]
    variables = on_cli["head"]["vars"]
    http_rows = _cells(over_http["results"]["bindings"], variables)
    assert http_rows == _cells(on_cli["results"]["bindings"], variables)
    if name in ("backers", "operations", "groups"):
        assert http_rows, f"{name} finds something in the sample articles"


def test_every_query_parameter_has_a_value_to_test_with():
    missing = {p for q in bundled_queries().values() for p in q.params} - PARAM_VALUES.keys()
    assert not missing, f"add a sample value to PARAM_VALUES for {sorted(missing)}"


def test_get_requests_work_too(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert json.load(resp) == {"head": {}, "boolean": True}


def _post(url: str, data: bytes, content_type: str) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _count(endpoint: str) -> int:
    status, body = _post(endpoint, urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).encode(),
                         "application/x-www-form-urlencoded")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


INSERT = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"


def test_updates_are_refused(endpoint):
    before = _count(endpoint)
    update_url = endpoint.rsplit("/", 1)[0] + "/update"
    form = "application/x-www-form-urlencoded"
    attempts = [
        (update_url, urllib.parse.urlencode({"update": INSERT}).encode(), form),
        (update_url, INSERT.encode(), "application/sparql-update"),
        (endpoint, urllib.parse.urlencode({"query": INSERT}).encode(), form),
        (endpoint, urllib.parse.urlencode({"update": INSERT}).encode(), form),
        (endpoint, INSERT.encode(), "application/sparql-update"),
        (endpoint, INSERT.encode(), "application/sparql-query"),
    ]
    for url, data, ctype in attempts:
        status, body = _post(url, data, ctype)
        assert status in (400, 403), (url, ctype, status, body)
        assert "refused" in body or "read-only" in body, body
    assert _count(endpoint) == before


def test_service_is_refused_and_reaches_nothing(endpoint):
    """A SERVICE clause is refused before any request leaves: a listener on a free loopback
    port sees no connection."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            connections.append(conn)
            conn.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ ?x ?y ?z . SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} LIMIT 1"):
            status, body = _post(endpoint, urllib.parse.urlencode({"query": query}).encode(),
                                 "application/x-www-form-urlencoded")
            assert status == 403 and "SERVICE is refused" in body, (status, body)
            url = endpoint + "?" + urllib.parse.urlencode({"query": query})
            try:
                urllib.request.urlopen(url, timeout=30)
                raise AssertionError("a GET with SERVICE was answered")
            except urllib.error.HTTPError as exc:
                assert exc.code == 403
        time.sleep(0.5)
    finally:
        stop.set()
        watcher.join(timeout=5)
        listener.close()
    assert connections == []


def test_the_store_refuses_writers_while_served(endpoint, store, capsys):
    assert main(["remove", "001_c672c360127d1493", "--store", str(store)]) == 2
    assert "being served" in capsys.readouterr().err


def test_other_paths_are_not_served(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    for path in ("/store", "/"):
        try:
            urllib.request.urlopen(base + path, timeout=30)
            raise AssertionError(f"{path} was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
