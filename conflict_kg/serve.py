"""A store to a SPARQL endpoint: the SPARQL 1.1 Protocol at /query, read-only.

The server is Oxigraph's own (`oxigraph serve-read-only`, from the PyPI package `oxigraph`),
on the store's database: the default graph is the union of the articles (each triple once, as
the store keeps it), and `GRAPH ?g` reaches each article's named graph. Oxigraph's
server evaluates a SERVICE clause by calling the endpoint it names, and has no option to turn
that off; since nothing a query says may make the tool reach the network, requests pass a small
gate first. The gate refuses updates (at /update, as `update=` or as an update in `query=`),
SERVICE and FROM (the check `conflict-kg query` makes), and forwards the query it checked,
re-encoded, with the client's Accept header, to Oxigraph on a private loopback port; it streams
Oxigraph's answer back unchanged. Query evaluation, result formats and content negotiation are
Oxigraph's.

Time limit: a query may run `timeout_s` seconds (`conflict-kg serve --timeout`). Oxigraph
stops it then (`--timeout-s`), but it has already sent "200 OK" and part of the results, and
only appends a note to the body; so the gate holds the answer back until it is complete (in
memory, on disk past `SPOOL_BYTES`) and sends either all of it or, for a query that was
stopped, "503 Service Unavailable" with the reason, never a truncated 200. The gate gives up
waiting a little after the limit in any case. Other queries are answered meanwhile (a thread
per request, in the gate and in Oxigraph).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
import urllib.error
import urllib.request
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from .query import QueryError, check_safe
from .serialize import write_text
from .store import DATABASE, GraphStore, serve_lock, writer_holds

MAX_QUERY_BYTES = 1_000_000
FORWARDED_PARAMS = ("default-graph-uri", "named-graph-uri")
STARTUP_SECONDS = 30.0
SPOOL_BYTES = 8 * 1024 * 1024     # answers larger than this wait on disk, not in memory
GRACE_SECONDS = 2.0               # the gate waits this long past the time limit for Oxigraph's answer
CANCELLED = b"The SPARQL operation has been cancelled"   # what Oxigraph appends to a stopped answer
_CHECK_CACHE_MAX_CHARS = 64 * 1024


class ServeError(RuntimeError):
    """The endpoint could not start, with the reason."""


def oxigraph_binary() -> str:
    """The `oxigraph` command installed with this Python (PyPI package `oxigraph`), else on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError("the Oxigraph server is not installed: `pip install oxigraph` "
                         "(a dependency of conflict-kg) provides the `oxigraph` command")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(store_path: Path, *, host: str = "127.0.0.1", port: int = 7878, timeout_s: int = 60,
          ready: Callable[[str], None] = print) -> None:
    """Serve the store at http://HOST:PORT/query until interrupted (Ctrl-C or SIGTERM).

    `ready` gets the endpoint URL once both Oxigraph and the gate listen. While it runs, the
    store refuses writers (a lock file names the server's process).
    """
    store_path = Path(store_path)
    _check_store(store_path)
    backend_port = free_port()
    backend = _start_oxigraph(store_path / DATABASE, backend_port, timeout_s)
    lock = serve_lock(store_path)
    try:
        _wait_listening(backend, backend_port)
        try:
            gate = ThreadingHTTPServer((host, port), _gate_handler(f"http://127.0.0.1:{backend_port}/query",
                                                                   timeout_s))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc}") from None
        gate.daemon_threads = True
        url = f"http://{_url_host(host)}:{gate.server_address[1]}/query"
        write_text(lock, json.dumps({"pid": os.getpid(), "url": url}) + "\n")
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            ready(url)
            gate.serve_forever(poll_interval=0.2)
        finally:
            signal.signal(signal.SIGTERM, previous)
            gate.server_close()
    finally:
        _stop(backend)
        _remove_lock(lock)


def _check_store(path: Path) -> None:
    """The store exists, and no writer holds it (Oxigraph's read-only mode must not share it)."""
    with GraphStore.open(path, read_only=True):
        pass
    if writer_holds(path):
        raise ServeError(f"{path}: the store is open for writing in another process (a build, add or "
                         f"remove still running?); serve it when that has finished")


def _start_oxigraph(location: Path, port: int, timeout_s: int) -> subprocess.Popen:
    cmd = [oxigraph_binary(), "serve-read-only", "--location", str(location),
           "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)]
    try:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    except OSError as exc:
        raise ServeError(f"cannot start {cmd[0]}: {exc}") from None


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to end Oxigraph when this process ends."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait_listening(backend: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if backend.poll() is not None:
            raise ServeError(f"the Oxigraph server stopped at start (exit code {backend.returncode}); "
                             f"its message is above")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"the Oxigraph server did not listen within {STARTUP_SECONDS:.0f} s")


def _stop(backend: subprocess.Popen) -> None:
    if backend.poll() is None:
        backend.terminate()
        try:
            backend.wait(timeout=10)
        except subprocess.TimeoutExpired:
            backend.kill()
            backend.wait(timeout=10)


def _remove_lock(lock: Path) -> None:
    try:
        if json.loads(lock.read_text("utf-8")).get("pid") == os.getpid():
            lock.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


_PARSER_LOCK = threading.Lock()  # rdflib's SPARQL parser (pyparsing) is not safe across threads


@lru_cache(maxsize=1024)
def _cached_refusal(query: str) -> tuple[int, str] | None:
    return _refusal(query)


def _refusal(query: str) -> tuple[int, str] | None:
    """(status, reason) when the gate must refuse `query`, else None."""
    try:
        with _PARSER_LOCK:
            check_safe(query)
    except QueryError as exc:
        return (403 if "refused" in str(exc) else 400), str(exc)
    return None


def refusal(query: str) -> tuple[int, str] | None:
    """`check_safe` as the gate applies it, remembered for the last 1024 short queries: a client
    that repeats a query (the usual case) pays rdflib's parser (20 to 80 ms) once."""
    return _cached_refusal(query) if len(query) <= _CHECK_CACHE_MAX_CHARS else _refusal(query)


def _gate_handler(backend_url: str, timeout_s: int) -> type[BaseHTTPRequestHandler]:
    class Gate(BaseHTTPRequestHandler):
        server_version = "conflict-kg (Oxigraph behind a read-only gate)"

        def do_GET(self) -> None:
            self._handle(body=None)

        def do_POST(self) -> None:
            length = self.headers.get("Content-Length")
            try:
                size = int(length) if length is not None else -1
            except ValueError:
                size = -1
            if size < 0:
                return self._send(411, "a POST needs a Content-Length")
            if size > MAX_QUERY_BYTES:
                return self._send(413, f"a query may have at most {MAX_QUERY_BYTES} bytes")
            self._handle(body=self.rfile.read(size))

        def do_PUT(self) -> None:
            self._send(403, "read-only endpoint: changes are refused")

        do_DELETE = do_PATCH = do_PUT

        def _handle(self, body: bytes | None) -> None:
            url = urlsplit(self.path)
            if url.path.rstrip("/") == "/update":
                return self._send(403, "read-only endpoint: updates are refused")
            if url.path != "/query":
                return self._send(404, "the SPARQL endpoint is at /query (read-only)")
            params = parse_qs(url.query, keep_blank_values=True)
            if body is not None:
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype == "application/sparql-update":
                    return self._send(403, "read-only endpoint: updates are refused")
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return self._send(400, "the request body is not UTF-8")
                if ctype == "application/x-www-form-urlencoded":
                    for key, values in parse_qs(text, keep_blank_values=True).items():
                        params.setdefault(key, []).extend(values)
                elif ctype == "application/sparql-query":
                    params.setdefault("query", []).append(text)
                else:
                    return self._send(415, "POST a query as application/sparql-query or as "
                                           "application/x-www-form-urlencoded with query=")
            if "update" in params:
                return self._send(403, "read-only endpoint: updates are refused")
            queries = params.get("query", [])
            if len(queries) != 1:
                return self._send(400, "give exactly one query (the query parameter)")
            refused = refusal(queries[0])
            if refused is not None:
                return self._send(*refused)
            forwarded = [("query", queries[0])] + [(k, v) for k in FORWARDED_PARAMS for v in params.get(k, [])]
            self._forward(urlencode(forwarded).encode("utf-8"))

        def _forward(self, form: bytes) -> None:
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "Accept": self.headers.get("Accept") or "application/sparql-results+json"}
            request = urllib.request.Request(backend_url, data=form, headers=headers, method="POST")
            deadline = time.monotonic() + timeout_s + GRACE_SECONDS
            over = (f"the query was stopped: it ran over the time limit of {timeout_s} s "
                    f"(conflict-kg serve --timeout)")
            try:
                response = urllib.request.urlopen(request, timeout=timeout_s + GRACE_SECONDS)
            except urllib.error.HTTPError as exc:
                response = exc
            except (TimeoutError, socket.timeout):
                return self._send(503, over)
            except (urllib.error.URLError, OSError) as exc:
                if isinstance(getattr(exc, "reason", None), (TimeoutError, socket.timeout)):
                    return self._send(503, over)
                return self._send(502, f"the Oxigraph server did not answer: {exc}")
            with response, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
                tail = b""
                try:
                    while chunk := response.read(64 * 1024):
                        body.write(chunk)
                        tail = (tail + chunk)[-256:]
                        if time.monotonic() > deadline:
                            return self._send(503, over)
                except (TimeoutError, socket.timeout):
                    return self._send(503, over)
                except OSError as exc:
                    return self._send(502, f"the Oxigraph server broke off its answer: {exc}")
                if tail.rstrip().endswith(CANCELLED):
                    return self._send(503, over)
                size = body.tell()
                body.seek(0)
                self.send_response(response.status)
                for name in ("Content-Type", "Content-Disposition"):
                    if response.headers.get(name):
                        self.send_header(name, response.headers[name])
                self.send_header("Content-Length", str(size))
                self.end_headers()
                shutil.copyfileobj(body, self.wfile, 64 * 1024)

        def _send(self, status: int, message: str) -> None:
            data = (message + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return Gate
