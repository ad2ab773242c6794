"""SPARQL to answers, read-only and local.

Queries run on pyoxigraph (fast, standard). Before one runs, rdflib's SPARQL parser checks
that it is a query (no update) that reaches nothing outside the graph: no SERVICE, no
FROM / FROM NAMED; a text that cannot hold either word skips that parse (see `may_reach_out`).

Bundled queries are the `.rq` files in `queries/`, each with a title, a description, optional
parameters and optional filters (parameters that narrow a listing without being a column of
it), all bound by a VALUES block (see `bind_parameters`).
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

OUTPUT_FORMATS = ("table", "csv", "json", "markdown")


class QueryError(ValueError):
    """A query that cannot or may not run, with the reason."""


@dataclass(frozen=True)
class BundledQuery:
    name: str
    title: str
    description: str
    params: tuple[str, ...]
    text: str
    filters: tuple[str, ...] = ()   # `# filter:` lines: bound like params, by VALUES only


@dataclass(frozen=True)
class QueryResult:
    variables: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]   # pyoxigraph terms (or None when unbound)
    boolean: bool | None = None

    def texts(self) -> list[list[str]]:
        """Rows as display strings: IRIs and literal values, "" for unbound."""
        return [["" if t is None else _term(t) or "" for t in row] for row in self.rows]


def bundled_queries() -> dict[str, BundledQuery]:
    """The named queries shipped with conflict-kg, by file name without `.rq`."""
    out = {}
    folder = resources.files("conflict_kg") / "queries"
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if res.name.endswith(".rq"):
            text = res.read_text("utf-8")
            meta = dict(re.findall(r"^#\s*(title|description):\s*(.+)$", text, flags=re.M))
            params = tuple(re.findall(r"^#\s*param:\s*(\w+)", text, flags=re.M))
            filters = tuple(re.findall(r"^#\s*filter:\s*(\w+)", text, flags=re.M))
            name = res.name[:-3]
            out[name] = BundledQuery(name, meta.get("title", name), meta.get("description", ""), params, text,
                                     filters)
    return out


def resolve_query(spec: str) -> str:
    """A bundled query name, a path to a `.rq` file, or the query text itself."""
    named = bundled_queries()
    if spec in named:
        return named[spec].text
    path = Path(spec)
    if len(spec) < 1024 and "\n" not in spec and path.suffix in (".rq", ".sparql") :
        if not path.is_file():
            raise QueryError(f"{spec}: no such query file, and no bundled query of that name "
                             f"(bundled: {', '.join(named)})")
        return path.read_text("utf-8")
    if not (re.search(r"\b(select|construct|ask|describe)\b", spec, flags=re.I)
            or re.match(r"\s*(?:#[^\n]*\n\s*)*(?:insert|delete|load|clear|drop|create|add|move|copy|with)\b",
                        spec, flags=re.I)):  # an update: let check_safe refuse it in words
        raise QueryError(f"{spec!r} is neither a bundled query ({', '.join(named)}), a .rq file, nor SPARQL")
    return spec


def check_safe(query: str) -> None:
    """Refuse updates, SERVICE and FROM: a query may read the graph and nothing else."""
    # Imported here: rdflib's SPARQL package takes a tenth of a second to import, and most
    # queries never come here (`may_reach_out`), bundled ones and the command line's included.
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(query)
    except Exception as exc:  # pyparsing raises several types; all mean "not a valid query"
        if re.search(r"\b(insert|delete|load|clear|drop|create|add|move|copy)\b", query, flags=re.I):
            raise QueryError("updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are refused: the graph is read-only") from None
        raise QueryError(f"not a valid SPARQL query: {exc}") from None
    if _contains(tree, "ServiceGraphPattern", CompValue):
        raise QueryError("SERVICE is refused: queries may not reach other endpoints")
    if _contains(tree, "DatasetClause", CompValue):
        raise QueryError("FROM / FROM NAMED is refused: queries may not load other graphs or files")


def may_reach_out(query: str) -> bool:
    r"""False when the text cannot hold SERVICE or FROM, so that `check_safe` (rdflib's parser,
    30 to 100 ms a query) has nothing to find: Oxigraph's `Store.query` parses queries only,
    never an update, and `run_query` sends a text Oxigraph cannot parse to `check_safe` for the
    reason in words.

    The text is read as written and with its \u escapes decoded (as SPARQL allows), without the
    lines that are comments, and the answer errs towards True: "service" or "from" in any case
    anywhere (strings and IRIs included) counts, unless the letters, digits and underscores
    around it follow ":", "?" or "$", that is sit in a prefixed name or a variable
    (`prov:wasDerivedFrom`, `?takenFrom`), which Oxigraph reads whole. A text with a long
    string (three quotes), whose lines may start with "#" and be no comment, always counts.
    """
    try:
        decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    except (ValueError, OverflowError):
        return True
    for text in (query, decoded):
        if "'''" in text or '"""' in text:
            return True
        code = _COMMENT_LINE.sub("", text)
        for word in _OUTSIDE_WORD.finditer(code):
            start = word.start()
            while start > 0 and code[start - 1] in _NAME_CHARS:
                start -= 1
            if start == 0 or code[start - 1] not in ":?$":
                return True
    return False


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\r\n]*", re.MULTILINE)
_OUTSIDE_WORD = re.compile(r"service|from", re.IGNORECASE)  # Unicode-aware: "ſervice" counts too
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _contains(node: Any, name: str, parsed: type) -> bool:
    """Whether rdflib's parse tree `node` holds a part called `name` (`parsed`: its CompValue)."""
    if isinstance(node, parsed):
        if node.name == name:
            return True
        return any(_contains(v, name, parsed) for v in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return any(_contains(v, name, parsed) for v in node)
    return False


def open_store(graph_path: Path) -> ox.Store:
    """An in-memory store holding a graph file (format from its extension).

    The default graph holds every triple once: for TriG and N-Quads, the union of the named
    graphs is copied into it (Oxigraph's union mode would yield a triple once per graph).
    """
    path = Path(graph_path)
    if not path.is_file():
        raise QueryError(f"{path}: no such graph file")
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".") or "ttl")
    if fmt is None:
        raise QueryError(f"{path}: unknown RDF format {path.suffix!r}")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
        if fmt.supports_datasets:
            store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{path}: cannot read the graph: {exc}") from None
    return store


NAME_KEY = ox.NamedNode("http://www.w3.org/2004/02/skos/core#hiddenLabel")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def missing_name_keys(store: ox.Store, query: str | None = None) -> bool:
    """Whether the store holds names but none of their lower-case search keys (skos:hiddenLabel):
    a graph written before conflict-kg wrote them, where the bundled queries that find an
    entity, region or place by name find nothing. With `query`, only when it reads the keys."""
    if query is not None and "hiddenLabel" not in query:
        return False
    return _holds(store, LABEL) and not _holds(store, NAME_KEY)


def _holds(store: ox.Store, predicate: ox.NamedNode) -> bool:
    """Whether any graph of the store has a triple with `predicate`."""
    return next(iter(store.quads_for_pattern(None, predicate, None, None)), None) is not None


MISSING_NAME_KEYS = ("it holds no lower-case name keys (skos:hiddenLabel): it was written before "
                     "conflict-kg wrote them, so names are not found; build it again to add them")


def run_query(store: ox.Store, query: str, *, params: dict[str, str] | None = None,
              union: bool = False, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run a checked query on the default graph; `params` bind variables to plain literals
    (see `bind_parameters`). `offset` and `limit` page the answer: the rows (or triples) after
    the first `offset`, at most `limit` of them; the engine still orders the whole answer, but
    only the page is read into Python.

    A graph file opened with `open_store` and a conflict-kg store (`GraphStore.db`) both hold
    the union of their named graphs in the default graph. `union=True` reads all graphs instead
    (Oxigraph's union mode: a triple held by several graphs is seen once per graph).
    """
    if offset < 0 or (limit is not None and limit < 0):
        raise QueryError("limit and offset may not be negative")
    query = with_standard_prefixes(query)
    checked = may_reach_out(query)
    if checked:
        check_safe(query)
    bound, subs = bind_parameters(query, params or {})
    try:
        answer = store.query(bound, substitutions=subs, use_default_graph_as_union=union)
    except (SyntaxError, ValueError, OSError) as exc:
        if isinstance(exc, SyntaxError) and not checked:
            check_safe(query)  # an update, say: refused in rdflib's words
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(("result",), ((ox.Literal(str(bool(answer)).lower()),),), boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows = tuple(tuple(sol) for sol in _page(answer, limit, offset))  # terms in variable order
        return QueryResult(variables, rows)
    rows = tuple((t.subject, t.predicate, t.object) for t in _page(answer, limit, offset))
    return QueryResult(("subject", "predicate", "object"), rows)


def _page(items: Any, limit: int | None, offset: int) -> Any:
    return itertools.islice(items, offset, None if limit is None else offset + limit)


def bind_parameters(query: str, params: dict[str, str]) -> tuple[str, dict[ox.Variable, ox.Literal]]:
    """The query with `params` bound, and the substitutions left for pyoxigraph.

    In a SELECT or ASK query each parameter becomes a one-row VALUES block first in the outer
    WHERE, as SPARQL clients bind them: Oxigraph then plans the query knowing the value and can
    start from it. pyoxigraph's `substitutions` are applied after planning, which on a large
    store made the bundled queries read every label first (seconds). CONSTRUCT and DESCRIBE
    queries, whose outer group is harder to find, keep substitutions.
    """
    variables = {name: _variable(name) for name in params}
    start = _outer_group_start(query) if params else None
    if start is None:
        return query, {variables[k]: ox.Literal(v) for k, v in params.items()}
    block = "".join(f"\n  VALUES {variables[k]} {{ {ox.Literal(v)} }}" for k, v in params.items())
    return query[:start] + block + query[start:], {}


def _variable(name: str) -> ox.Variable:
    try:
        return ox.Variable(name)
    except ValueError:
        raise QueryError(f"{name!r} is not a SPARQL variable name") from None


# Comments, IRIs and strings (which may hold braces or keywords), parentheses, braces and the
# query form keyword: enough to find the outer group of a SELECT or ASK query.
_TOKENS = re.compile("|".join([
    r"#[^\n]*",
    r"<[^<>\"{}|^`\\\x00-\x20]*>",
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'(?:[^'\\\n\r]|\\.)*'",
    r'"(?:[^"\\\n\r]|\\.)*"',
    r"[{}()]",
    r"(?<![\w:?$])(?:SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])",
]), re.IGNORECASE)


def _outer_group_start(query: str) -> int | None:
    """Index just after the opening brace of the outer WHERE group of a SELECT or ASK query:
    the first brace after the query form keyword that no parenthesis encloses (a projection
    may hold EXISTS { ... })."""
    form, depth = None, 0
    for token in _TOKENS.finditer(query):
        text = token.group()
        if form is None:
            if text[0].isalpha():
                form = text.upper()
                if form not in ("SELECT", "ASK"):
                    return None
        elif text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "{" and depth == 0:
            return token.end()
    return None


def with_standard_prefixes(query: str) -> str:
    """Declare the project's prefixes (ckg:, res:, prov:, skos:, rdfs:, ...) that a query uses
    without declaring, so `SELECT ?g WHERE { ?g a ckg:JihadistGroup }` works as typed."""
    from .rdf import PREFIXES

    known = {**PREFIXES, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
             "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": "http://www.w3.org/2002/07/owl#"}
    declared = {m.lower() for m in re.findall(r"(?im)^\s*prefix\s+([\w-]*):", query)}
    used = set(re.findall(r"(?<![\w<:/#])([a-zA-Z][\w-]*):[\w]", re.sub(r"<[^>]*>|\"[^\"]*\"", "", query)))
    missing = [p for p in sorted(used) if p.lower() not in declared and p in known]
    return "".join(f"PREFIX {p}: <{known[p]}>\n" for p in missing) + query


def _term(term: Any) -> str | None:
    if term is None:
        return None
    return term.value if hasattr(term, "value") else str(term)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Table for people, CSV, SPARQL-results JSON, or Markdown."""
    if fmt == "json":
        return _results_json(result)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(result.texts())
        return buf.getvalue()
    cells = [[c.replace("\n", " ") for c in row] for row in result.texts()]
    if fmt == "markdown":
        head = "| " + " | ".join(result.variables) + " |"
        sep = "|" + "|".join("---" for _ in result.variables) + "|"
        body = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join([head, sep, *body]) + "\n"
    widths = [min(60, max([len(v)] + [len(r[i]) for r in cells])) for i, v in enumerate(result.variables)]
    fit = lambda s, w: s if len(s) <= w else s[: w - 1] + "…"  # noqa: E731
    lines = ["  ".join(fit(v, w).ljust(w) for v, w in zip(result.variables, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(c, w).ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _results_json(result: QueryResult) -> str:
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=1) + "\n"
    bindings = []
    for row in result.rows:
        b = {}
        for var, term in zip(result.variables, row):
            if isinstance(term, ox.NamedNode):
                b[var] = {"type": "uri", "value": term.value}
            elif isinstance(term, ox.BlankNode):
                b[var] = {"type": "bnode", "value": term.value}
            elif isinstance(term, ox.Literal):
                b[var] = {"type": "literal", "value": term.value}
                if term.language:
                    b[var]["xml:lang"] = term.language
                elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                    b[var]["datatype"] = term.datatype.value
        bindings.append(b)
    return json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}, indent=1) + "\n"
