"""The `conflict-kg` command: parses options and calls the library; no logic of its own."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .extract import DEFAULT_MODEL  # not .extract.nlp: that imports spaCy, which only build, add and explain need

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"a parameter is NAME=VALUE, got {text!r}")
    return name, value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"a number of rows (0 or more), got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="conflict-kg", description="Turn conflict news into a validated knowledge graph.")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="extract facts from articles, validate them, write the graph")
    b.add_argument("inputs", nargs="+", type=Path, help=".txt files, folders of them, or .jsonl files")
    b.add_argument("--out", type=Path, help="graph file: .ttl, .nt, .trig, .jsonld, .nq (--out, --store or both)")
    b.add_argument("--store", type=Path, help="store directory to add the articles to (made if new)")
    b.add_argument("--published", type=_date, help="publication date for articles that state none")
    b.add_argument("--model", default=DEFAULT_MODEL, help=f"installed spaCy model (default {DEFAULT_MODEL})")
    b.add_argument("--gazetteer", type=Path, action="append", default=[], help="extra gazetteer JSONL file")
    b.add_argument("--batch-size", type=int, default=32, help="texts per spaCy batch (default 32)")
    b.add_argument("--batch-articles", type=int, default=50,
                   help="articles validated and written together; memory follows it (default 50)")
    b.add_argument("--jobs", type=int, default=1, help="extraction processes")
    b.add_argument("--dask", metavar="SCHEDULER", help="run extraction on this Dask cluster (tcp://HOST:PORT)")
    b.add_argument("--no-progress", action="store_true")

    q = sub.add_parser("query", help="run SPARQL on a graph: a bundled query name, a .rq file or inline text")
    q.add_argument("graph", nargs="?", help="graph file (or, with --store, the query)")
    q.add_argument("query", nargs="?")
    q.add_argument("--param", type=_param, action="append", default=[], help="NAME=VALUE binding for ?NAME")
    q.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    q.add_argument("--list", action="store_true", help="list the bundled queries")
    q.add_argument("--store", type=Path, help="query a store directory instead of a graph file")
    q.add_argument("--limit", type=_count, help="print at most N rows (a page; the query still orders them all)")
    q.add_argument("--offset", type=_count, default=0, help="skip the first N rows (with --limit: the next page)")

    a = sub.add_parser("add", help="add articles to a store (an article added again replaces its earlier facts)")
    a.add_argument("inputs", nargs="+", type=Path, help=".txt files, folders of them, or .jsonl files")
    a.add_argument("--store", required=True, type=Path, help="store directory (made if new)")
    a.add_argument("--published", type=_date, help="publication date for articles that state none")
    a.add_argument("--model", default=DEFAULT_MODEL, help=f"installed spaCy model (default {DEFAULT_MODEL})")
    a.add_argument("--gazetteer", type=Path, action="append", default=[], help="extra gazetteer JSONL file")
    a.add_argument("--batch-size", type=int, default=32, help="texts per spaCy batch (default 32)")
    a.add_argument("--batch-articles", type=int, default=50,
                   help="articles validated and written together; memory follows it (default 50)")
    a.add_argument("--jobs", type=int, default=1, help="extraction processes")
    a.add_argument("--no-progress", action="store_true")
    a.set_defaults(out=None)

    rm = sub.add_parser("remove", help="remove articles from a store, with what only they supported")
    rm.add_argument("ids", nargs="+", help="article ids")
    rm.add_argument("--store", required=True, type=Path)

    x = sub.add_parser("export", help="write a store to a file: .ttl, .nt, .trig (a graph per article), .nq, .jsonld")
    x.add_argument("--store", required=True, type=Path)
    x.add_argument("--out", required=True, type=Path)
    x.add_argument("--with-ontology", action="store_true", help="include the ontology")

    sv = sub.add_parser("serve", help="serve a store as a read-only SPARQL endpoint (Oxigraph) at /query")
    sv.add_argument("--store", required=True, type=Path)
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    sv.add_argument("--timeout", type=int, default=60, help="seconds a query may run (default 60)")

    e = sub.add_parser("explain", help="show an article's sentences, entities and the facts each produced")
    e.add_argument("inputs", nargs="+", type=Path, help="articles (.txt, folder or .jsonl)")
    e.add_argument("--id", action="append", default=[], help="only these article ids")
    e.add_argument("--published", type=_date)
    e.add_argument("--model", default=DEFAULT_MODEL)
    e.add_argument("--html", type=Path, help="also write an HTML page (displaCy) here")

    r = sub.add_parser("reason", help="run the OWL reasoner (HermiT) on the ontology and a graph or a store")
    r.add_argument("graph", type=Path, nargs="?")
    r.add_argument("--store", type=Path, help="reason over this store and write what is inferred into its "
                   "named graph <https://w3id.org/conflict-kg/resource/graph/inferred> (replaced each run)")

    pl = sub.add_parser("plot", help="draw a picture: backing network, control timeline, map, operations per month")
    pl.add_argument("kind", choices=("backing", "control", "map", "monthly"))
    pl_src = pl.add_mutually_exclusive_group(required=True)
    pl_src.add_argument("--graph", type=Path, help="graph file (.ttl, .nt, .trig, .nq, .jsonld)")
    pl_src.add_argument("--store", type=Path, help="store directory")
    pl.add_argument("--out", required=True, type=Path, help="picture file: .png or .svg")
    pl.add_argument("--place", help="control: the place's name or alias, e.g. \"Albu Kamal\"")
    pl.add_argument("--title", help="replace the default title")
    pl.add_argument("--dpi", type=int, default=150, help="PNG resolution (default 150)")
    pl.add_argument("--bbox", type=_bbox, help="map: WEST,SOUTH,EAST,NORTH in degrees (default: fit the operations)")
    return ap


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a box is WEST,SOUTH,EAST,NORTH in degrees, got {text!r}") from None
    return west, south, east, north


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"build": _build, "query": _query, "reason": _reason, "explain": _explain,
                "add": _build, "remove": _remove, "export": _export, "serve": _serve,
                "plot": _plot}[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from .extract.extractor import ExtractOptions
    from .extract.nlp import ModelNotFound
    from .pipeline import BuildOptions, build
    from .serialize import UnsupportedFormat

    if args.out is None and args.store is None:
        _err("error: give --out FILE, --store DIR or both")
        return EXIT_FAILED
    if min(args.jobs, args.batch_size, args.batch_articles) < 1:
        _err("error: --jobs, --batch-size and --batch-articles must be at least 1")
        return EXIT_FAILED
    options = BuildOptions(out=args.out, store=args.store, published=args.published, progress=not args.no_progress,
                           batch_articles=args.batch_articles,
                           extract=ExtractOptions(model=args.model, gazetteer_files=tuple(args.gazetteer),
                                                  batch_size=args.batch_size, n_process=args.jobs,
                                                  scheduler=getattr(args, "dask", None)))
    try:
        summary = build(args.inputs, options, warn=_err)
    except (ModelNotFound, UnsupportedFormat, ValueError) as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    print(summary.describe())
    if summary.failed:
        _err(f"{len(summary.failed)} input(s) failed:\n  " + "\n  ".join(summary.failed))
        return EXIT_PARTIAL if summary.articles else EXIT_FAILED
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    from .query import QueryError, bundled_queries, format_result, open_store, resolve_query, run_query

    if args.list:
        for q in bundled_queries().values():
            named = [f"params: {', '.join(q.params)}"] if q.params else []
            named += [f"filters: {', '.join(q.filters)}"] if q.filters else []
            params = f"  ({'; '.join(named)})" if named else ""
            print(f"{q.name:22s} {q.title}{params}\n{'':22s} {q.description}")
        return EXIT_OK
    if args.store is not None and args.query is None:
        args.graph, args.query = None, args.graph
    if (args.graph is None and args.store is None) or args.query is None or (args.graph and args.store):
        _err("error: conflict-kg query GRAPH QUERY, or conflict-kg query --store DIR QUERY (or --list)")
        return EXIT_FAILED
    from .store import GraphStore, StoreError
    try:
        text = resolve_query(args.query)
        if args.store is not None:
            with GraphStore.open(args.store, read_only=True) as held:
                _warn_missing_name_keys(held.db, text, args.store)
                result = run_query(held.db, text, params=dict(args.param), limit=args.limit, offset=args.offset)
        else:
            graph = open_store(Path(args.graph))
            _warn_missing_name_keys(graph, text, args.graph)
            result = run_query(graph, text, params=dict(args.param), limit=args.limit, offset=args.offset)
    except (QueryError, StoreError) as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def _warn_missing_name_keys(store, query: str | None, source) -> None:
    from .query import MISSING_NAME_KEYS, missing_name_keys

    if missing_name_keys(store, query):
        _err(f"warning: {source}: {MISSING_NAME_KEYS}")


def _remove(args: argparse.Namespace) -> int:
    from .store import GraphStore, StoreError

    try:
        with GraphStore.open(args.store) as store:
            removed = store.remove(args.ids)
    except StoreError as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    for art in removed:
        print(f"removed {art.id} ({art.triples} triples in <{art.graph}>)")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from .serialize import UnsupportedFormat
    from .store import GraphStore, StoreError

    try:
        with GraphStore.open(args.store, read_only=True) as store:
            count = store.export(args.out, with_ontology=args.with_ontology)
    except (StoreError, UnsupportedFormat, OSError) as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    print(f"exported {count} {'quads' if args.out.suffix.lower() in ('.trig', '.nq') else 'triples'} to {args.out}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .serve import ServeError, serve
    from .store import StoreError

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _err(f"warning: listening on {args.host}: other machines can query the store")

    def ready(url: str) -> None:
        print(f"SPARQL endpoint (read-only): {url}\nstore: {args.store}   stop with Ctrl-C", flush=True)

    try:
        from .store import GraphStore

        with GraphStore.open(args.store, read_only=True) as held:
            _warn_missing_name_keys(held.db, None, args.store)
        serve(args.store, host=args.host, port=args.port, timeout_s=args.timeout, ready=ready)
    except (ServeError, StoreError) as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain_articles
    from .extract.extractor import ExtractOptions

    problems = explain_articles(args.inputs, ExtractOptions(model=args.model), ids=set(args.id),
                                published=args.published, html=args.html, out=sys.stdout, warn=_err)
    return EXIT_PARTIAL if problems else EXIT_OK


def _reason(args: argparse.Namespace) -> int:
    from .reason import check_java, format_materialized, format_report, materialize, reason

    problem = check_java()
    if problem:
        _err(f"error: {problem}")
        return EXIT_FAILED
    if args.graph is not None and args.store is not None:
        _err("error: give a graph file or --store DIR, not both")
        return EXIT_FAILED
    if args.store is not None:
        try:
            result = materialize(args.store)
        except (OSError, ValueError) as exc:
            _err(f"error: {exc}")
            return EXIT_FAILED
        print(format_materialized(result))
        return EXIT_OK if result.report.consistent else EXIT_PARTIAL
    if args.graph is not None and not args.graph.is_file():
        _err(f"error: {args.graph}: no such graph file")
        return EXIT_FAILED
    try:
        report = reason(args.graph)
    except (ValueError, RuntimeError) as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    print(format_report(report))
    return EXIT_OK if report.consistent else EXIT_PARTIAL


def _plot(args: argparse.Namespace) -> int:
    from .plot import PlotError, PlotOptions, open_source, plot

    options = PlotOptions(place=args.place, title=args.title, dpi=args.dpi, bbox=args.bbox)
    try:
        store = open_source(graph=args.graph, store=args.store)
        summary = plot(args.kind, store, args.out, options=options)
    except PlotError as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    print(summary.describe())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
