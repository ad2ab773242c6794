"""The `conflict-kg` command: parses options and calls the library; no logic of its own."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .extract.nlp import DEFAULT_MODEL

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


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="conflict-kg", description="Turn conflict news into a validated knowledge graph.")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="extract facts from articles, validate them, write the graph")
    b.add_argument("inputs", nargs="+", type=Path, help=".txt files, folders of them, or .jsonl files")
    b.add_argument("--out", required=True, type=Path, help="graph file: .ttl, .nt, .trig, .jsonld, .nq")
    b.add_argument("--published", type=_date, help="publication date for articles that state none")
    b.add_argument("--model", default=DEFAULT_MODEL, help=f"installed spaCy model (default {DEFAULT_MODEL})")
    b.add_argument("--gazetteer", type=Path, action="append", default=[], help="extra gazetteer JSONL file")
    b.add_argument("--batch-size", type=int, default=32)
    b.add_argument("--jobs", type=int, default=1, help="extraction processes")
    b.add_argument("--no-progress", action="store_true")

    q = sub.add_parser("query", help="run SPARQL on a graph: a bundled query name, a .rq file or inline text")
    q.add_argument("graph", type=Path, nargs="?")
    q.add_argument("query", nargs="?")
    q.add_argument("--param", type=_param, action="append", default=[], help="NAME=VALUE binding for ?NAME")
    q.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    q.add_argument("--list", action="store_true", help="list the bundled queries")

    e = sub.add_parser("explain", help="show an article's sentences, entities and the facts each produced")
    e.add_argument("inputs", nargs="+", type=Path, help="articles (.txt, folder or .jsonl)")
    e.add_argument("--id", action="append", default=[], help="only these article ids")
    e.add_argument("--published", type=_date)
    e.add_argument("--model", default=DEFAULT_MODEL)
    e.add_argument("--html", type=Path, help="also write an HTML page (displaCy) here")

    r = sub.add_parser("reason", help="run the OWL reasoner (HermiT) on the ontology and a graph")
    r.add_argument("graph", type=Path, nargs="?")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"build": _build, "query": _query, "reason": _reason, "explain": _explain}[args.command](args)
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

    options = BuildOptions(out=args.out, published=args.published, progress=not args.no_progress,
                           extract=ExtractOptions(model=args.model, gazetteer_files=tuple(args.gazetteer),
                                                  batch_size=args.batch_size, n_process=args.jobs))
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
            params = f"  (params: {', '.join(q.params)})" if q.params else ""
            print(f"{q.name:22s} {q.title}{params}\n{'':22s} {q.description}")
        return EXIT_OK
    if args.graph is None or args.query is None:
        _err("error: conflict-kg query GRAPH QUERY (or --list)")
        return EXIT_FAILED
    try:
        store = open_store(args.graph)
        result = run_query(store, resolve_query(args.query), params=dict(args.param))
    except QueryError as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain_articles
    from .extract.extractor import ExtractOptions

    problems = explain_articles(args.inputs, ExtractOptions(model=args.model), ids=set(args.id),
                                published=args.published, html=args.html, out=sys.stdout, warn=_err)
    return EXIT_PARTIAL if problems else EXIT_OK


def _reason(args: argparse.Namespace) -> int:
    from .reason import check_java, format_report, reason

    problem = check_java()
    if problem:
        _err(f"error: {problem}")
        return EXIT_FAILED
    if args.graph is not None and not args.graph.is_file():
        _err(f"error: {args.graph}: no such graph file")
        return EXIT_FAILED
    report = reason(args.graph)
    print(format_report(report))
    return EXIT_OK if report.consistent else EXIT_PARTIAL


if __name__ == "__main__":
    sys.exit(main())
