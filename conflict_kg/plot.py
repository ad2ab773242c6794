"""Pictures of a graph: the backing network, a town's control timeline, a map of operations and
operations per month.

Every name, date and count drawn comes from SPARQL over the graph (`conflict_kg.query.run_query`,
read-only); Python only arranges the answers. Matplotlib draws with the Agg canvas (no display,
no global backend switch), and each picture is written atomically: to a temporary file that
replaces the target once complete. The map is drawn offline: country outlines come from the
GeoJSON bundled in the `countryinfo` package (Natural Earth 1:110m shapes), with no tile server
and no download.

    >>> KINDS
    ('backing', 'control', 'map', 'monthly')
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .query import MISSING_NAME_KEYS, QueryError, missing_name_keys, open_store, run_query
from .serialize import atomic_output

KINDS = ("backing", "control", "map", "monthly")
OUTPUT_FORMATS = {".png": "png", ".svg": "svg"}

PREFIXES = """PREFIX ckg:     <https://w3id.org/conflict-kg/ontology#>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo:     <http://www.opengis.net/ont/geosparql#>
"""

# Kinds of actor, most specific first, with the colour each is drawn in (Okabe-Ito palette).
ACTOR_KINDS: dict[str, tuple[str, str]] = {
    "StateForces": ("State forces", "#0072B2"),
    "JihadistGroup": ("Jihadist group", "#1A1A1A"),
    "RebelGroup": ("Rebel group", "#009E73"),
    "Militia": ("Militia", "#D55E00"),
    "KurdishForces": ("Kurdish forces", "#F0E442"),
    "Coalition": ("Coalition", "#56B4E9"),
    "Country": ("Country", "#E69F00"),
    "ArmedGroup": ("Armed group (kind unknown)", "#CC79A7"),
    "Organization": ("Organization", "#BBBBBB"),
    "Person": ("Person", "#BBBBBB"),
}
OTHER_KIND = ("Other actor", "#DDDDDD")

# Operation types: colour and map marker, the same in every picture.
OPERATION_TYPES: dict[str, tuple[str, str, str]] = {
    "Offensive": ("Offensive", "#1F77B4", ">"),
    "CounterAttack": ("Counter-attack", "#17BECF", "<"),
    "Capture": ("Capture", "#D62728", "^"),
    "Withdrawal": ("Withdrawal", "#FF9896", "v"),
    "Airstrike": ("Airstrike", "#2CA02C", "X"),
    "Airdrop": ("Airdrop", "#98DF8A", "P"),
    "Shelling": ("Shelling", "#8C564B", "s"),
    "SuicideAttack": ("Suicide attack", "#9467BD", "*"),
    "Raid": ("Raid", "#FF7F0E", "D"),
    "Execution": ("Execution", "#393B79", "p"),
    "Attack": ("Attack", "#BCBD22", "o"),
}
_TYPE_VALUES = " ".join(f"ckg:{t}" for t in OPERATION_TYPES)
_KIND_VALUES = " ".join(f"ckg:{k}" for k in ACTOR_KINDS)


class PlotError(ValueError):
    """A picture that cannot be drawn, with the reason (nothing to draw, bad option, bad input)."""


@dataclass(frozen=True)
class PlotOptions:
    """What a picture needs besides the graph, resolved once by the caller."""

    place: str | None = None          # control: the place's label or alias
    title: str | None = None          # replaces the default title
    dpi: int = 150                    # PNG resolution
    bbox: tuple[float, float, float, float] | None = None  # map: west, south, east, north (degrees)


@dataclass
class PlotSummary:
    """What a picture shows, in a few lines for the terminal."""

    kind: str
    out: Path
    lines: list[str] = field(default_factory=list)
    size: tuple[float, float] = (0.0, 0.0)   # inches; a PNG has size x dpi pixels

    def describe(self) -> str:
        return "\n".join([f"{self.kind}: {self.out}", *("  " + line for line in self.lines)])


@dataclass(frozen=True)
class GraphSource:
    """The graph a picture is drawn from: a pyoxigraph store and how to read its default graph.

    `union`: a graph file loaded in memory (its named graphs read as one); a conflict-kg store
    keeps that union as its default graph itself, so it is read as it is (`union=False`).
    """

    db: ox.Store
    union: bool = True


def open_source(*, graph: Path | None = None, store: Path | None = None) -> GraphSource:
    """A graph file loaded in memory, or a conflict-kg store opened read-only (a running
    `serve` or another reader is not disturbed)."""
    if (graph is None) == (store is None):
        raise PlotError("give either a graph file (--graph FILE) or a store (--store DIR)")
    if graph is not None:
        try:
            return GraphSource(open_store(graph), union=True)
        except QueryError as exc:
            raise PlotError(str(exc)) from None
    from .store import GraphStore, StoreError

    try:
        opened = GraphStore.open(Path(store), read_only=True)  # type: ignore[arg-type]
    except StoreError as exc:
        raise PlotError(str(exc)) from None
    return GraphSource(opened.db, union=False)


def plot(kind: str, source: GraphSource | ox.Store, out: Path, *, options: PlotOptions | None = None) -> PlotSummary:
    """Draw one kind of picture from a graph and write it to `out` (.png or .svg), atomically.

    Raises PlotError when there is nothing to draw or an option is missing or wrong; the
    target file is then left as it was.
    """
    if isinstance(source, ox.Store):
        source = GraphSource(source)
    options = options or PlotOptions()
    out = Path(out)
    fmt = OUTPUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise PlotError(f"{out}: unknown picture format {out.suffix!r}; use .png or .svg")
    if kind not in KINDS:
        raise PlotError(f"unknown kind of picture {kind!r}; choose one of {', '.join(KINDS)}")
    if not 20 <= options.dpi <= 1200:
        raise PlotError(f"--dpi must be between 20 and 1200, got {options.dpi}")
    draw = {"backing": _backing, "control": _control, "map": _map, "monthly": _monthly}[kind]
    fig, lines = draw(source, options)
    _save(fig, out, fmt, options.dpi)
    return PlotSummary(kind, out, lines, (fig.get_figwidth(), fig.get_figheight()))


# ---------------------------------------------------------------------------------------------
# shared helpers


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=None)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, out: Path, fmt: str, dpi: int) -> None:
    metadata = {"Software": "conflict-kg"} if fmt == "png" else {"Creator": "conflict-kg", "Date": None}
    import matplotlib

    # SVG keeps its words as text (searchable, selectable), not as outlines of glyphs.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "conflict-kg"}), atomic_output(out) as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)


def _select(source: GraphSource, query: str, **params: str) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts of pyoxigraph terms (None when unbound)."""
    result = run_query(source.db, PREFIXES + query, params=params or None, union=source.union)
    return [dict(zip(result.variables, row)) for row in result.rows]


def _n(count: int, word: str) -> str:
    """'1 place', '3 places'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _date_basis(bases: Any) -> str | None:
    """An event's date basis from those of its reports (each gives its own): "stated" when any
    report gives the date in its text."""
    found = (_value(bases) or "").split()
    return "stated" if "stated" in found else (found[0] if found else None)


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _kind(classes: set[str]) -> str | None:
    for kind in ACTOR_KINDS:
        if kind in classes:
            return kind
    return None


def _actor_kinds(source: GraphSource, query_nodes: str) -> dict[str, str | None]:
    """The most specific kind of each actor matched by `query_nodes` (a pattern binding ?node)."""
    rows = _select(source, f"""
SELECT DISTINCT ?node ?class WHERE {{
  {query_nodes}
  OPTIONAL {{ ?node a ?class . VALUES ?class {{ {_KIND_VALUES} }} }}
}}""")
    classes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        classes[r["node"].value]
        if r["class"] is not None:
            classes[r["node"].value].add(r["class"].value.rsplit("#", 1)[-1])
    return {node: _kind(cs) for node, cs in classes.items()}


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "black"


def _title(fig: Any, title: str, subtitle: str | None = None) -> None:
    fig.text(0.015, 0.985, title, ha="left", va="top", fontsize=14, fontweight="bold")
    if subtitle:
        fig.text(0.015, 0.985 - 0.30 / fig.get_figheight(), subtitle, ha="left", va="top",
                 fontsize=9.5, color="#444444")


def _backdrop(alpha: float = 0.8) -> dict[str, Any]:
    """A white box behind a label: readable over lines, and the SVG keeps the label as text
    (a stroked halo would turn it into outlines)."""
    return dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=alpha)


# ---------------------------------------------------------------------------------------------
# dates at the precision the graph states them


@dataclass(frozen=True)
class When:
    """A date as stated: the first and last day it may mean, and how to print it."""

    lo: dt.date
    hi: dt.date
    text: str

    @property
    def precision(self) -> str:
        return "day" if self.lo == self.hi else ("month" if self.lo.month == self.hi.month else "year")


def parse_when(value: str | None) -> When | None:
    """'2017-11-09', '2017-11' or '2017' (xsd:date, gYearMonth, gYear) as a span of days.

    >>> parse_when("2016-06").text, parse_when("2016-06").hi
    ('Jun 2016', datetime.date(2016, 6, 30))
    """
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:Z|[+-]\d{2}:\d{2})?", value.strip())
    if m is None:
        return None
    year = int(m.group(1))
    try:
        if m.group(3):
            day = dt.date(year, int(m.group(2)), int(m.group(3)))
            return When(day, day, f"{day.day} {day:%b %Y}")
        if m.group(2):
            month = int(m.group(2))
            last = calendar.monthrange(year, month)[1]
            return When(dt.date(year, month, 1), dt.date(year, month, last), f"{dt.date(year, month, 1):%b %Y}")
        return When(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# backing network

_BACKING = """
SELECT ?backer ?backerName ?group ?groupName (COUNT(DISTINCT ?doc) AS ?documents)
       (MAX(?asserted) AS ?written)
WHERE {
  { ?group ckg:backedBy ?backer . BIND(1 AS ?asserted) }
  UNION
  { ?backer ckg:backs ?group . BIND(0 AS ?asserted) }
  ?group rdfs:label ?groupName .
  ?backer rdfs:label ?backerName .
  OPTIONAL {
    ?statement rdf:subject ?group ; rdf:predicate ckg:backedBy ; rdf:object ?backer ;
               prov:wasDerivedFrom ?doc .
  }
}
GROUP BY ?backer ?backerName ?group ?groupName
"""


def _backing(source: GraphSource, options: PlotOptions) -> tuple[Any, list[str]]:
    import networkx as nx
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = _select(source, _BACKING)
    if not rows:
        raise PlotError("the graph has no backing relations (ckg:backedBy or ckg:backs): nothing to draw")
    kinds = _actor_kinds(source, "{ ?node ckg:backedBy|^ckg:backs ?other } UNION { ?other ckg:backedBy|^ckg:backs ?node }")
    g = nx.DiGraph()
    for r in rows:
        backer, group = r["backer"].value, r["group"].value
        g.add_node(backer, label=r["backerName"].value)
        g.add_node(group, label=r["groupName"].value)
        g.add_edge(backer, group, documents=int(r["documents"].value), written=r["written"].value == "1")

    columns = _layers(g)
    pos = _order_columns(g, columns)
    widest = max(len(g.nodes[n]["label"]) for n in g)
    col_width = max(2.6, 0.095 * widest + 1.2)
    rows_max = max(len(c) for c in columns)
    width = col_width * len(columns) + 1.0
    height = max(3.8, 0.62 * rows_max + 2.2)
    fig = _figure(width, height)
    top = 1 - 0.95 / height
    ax = fig.add_axes((0.02, 0.9 / height, 0.96, top - 0.9 / height))
    ax.set_axis_off()
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-0.7, rows_max - 0.3)

    boxes = {}
    for node, (x, y) in pos.items():
        kind = kinds.get(node)
        _, colour = ACTOR_KINDS.get(kind, OTHER_KIND) if kind else OTHER_KIND
        boxes[node] = ax.text(x, y, g.nodes[node]["label"], ha="center", va="center", fontsize=10,
                              color=_text_colour(colour), zorder=3,
                              bbox=dict(boxstyle="round,pad=0.45", facecolor=colour, edgecolor="#333333", lw=0.8))
    max_docs = max((d["documents"] for *_, d in g.edges(data=True)), default=1) or 1
    fig.canvas.draw()  # the boxes' sizes are known once drawn; arrows run from edge to edge
    renderer = fig.canvas.get_renderer()
    extents = {n: t.get_bbox_patch().get_window_extent(renderer) for n, t in boxes.items()}
    to_data = ax.transData.inverted()
    ports = _ports(g, pos, extents)
    for a, b, d in g.edges(data=True):
        lw = 1.0 + 2.5 * d["documents"] / max_docs
        start, end = ports.get((a, b)) or _box_to_box(extents[a], extents[b], gap=3.0)
        ax.annotate("", xy=to_data.transform(end), xytext=to_data.transform(start), zorder=2,
                    arrowprops=dict(arrowstyle="-|>,head_length=0.55,head_width=0.28", lw=lw, color="#555555",
                                    linestyle="-" if d["written"] else (0, (4, 3)), shrinkA=0, shrinkB=0))

    present = [k for k in ACTOR_KINDS if k in set(kinds.values())]
    handles: list[Any] = [Patch(facecolor=ACTOR_KINDS[k][1], edgecolor="#333333", label=ACTOR_KINDS[k][0])
                          for k in present]
    if None in kinds.values():
        handles.append(Patch(facecolor=OTHER_KIND[1], edgecolor="#333333", label=OTHER_KIND[0]))
    handles.append(Line2D([], [], color="#555555", lw=2, label="backs (width: documents reporting it)"))
    if not all(d["written"] for *_, d in g.edges(data=True)):
        handles.append(Line2D([], [], color="#555555", lw=1.5, linestyle=(0, (4, 3)),
                              label="inferred by the reasoner only"))
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=8.5, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    backers = sum(1 for n in g if g.out_degree(n))
    groups = sum(1 for n in g if g.in_degree(n))
    _title(fig, options.title or "Who backs whom",
           f"{_n(backers, 'backer')}, {_n(groups, 'backed group')}, {_n(g.number_of_edges(), 'backing relation')}; "
           "arrows point from the backer to the group it backs")
    return fig, [f"{_n(g.number_of_nodes(), 'actor')}, {_n(g.number_of_edges(), 'backing relation')}"]


def _ports(g: Any, pos: dict[str, tuple[float, float]], extents: dict[str, Any]
           ) -> dict[tuple[str, str], tuple[tuple[float, float], tuple[float, float]]]:
    """For edges from a column to a later one: leave the backer's right side and reach the
    group's left side, the arrows of one box spread over its height so heads do not pile up."""
    out: dict[tuple[str, str], list[float]] = {}
    for node in g:
        box = extents[node]
        for edges, side in ((list(g.out_edges(node)), "out"), (list(g.in_edges(node)), "in")):
            forward = [(u, v) for u, v in edges if pos[v][0] > pos[u][0]]
            other = (lambda e: pos[e[1]][1]) if side == "out" else (lambda e: pos[e[0]][1])
            forward.sort(key=other, reverse=True)
            h = box.y1 - box.y0
            for i, e in enumerate(forward):
                frac = 0.5 if len(forward) == 1 else 0.8 - 0.6 * i / (len(forward) - 1)
                y = box.y0 + frac * h
                x = box.x1 + 3.0 if side == "out" else box.x0 - 3.0
                out.setdefault(e, [0.0, 0.0, 0.0, 0.0])
                out[e][0 if side == "out" else 2:2 if side == "out" else 4] = [x, y]
    return {e: ((v[0], v[1]), (v[2], v[3])) for e, v in out.items()}


def _box_to_box(a: Any, b: Any, *, gap: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The straight line between two boxes' centres (display units), cut at their edges plus `gap`."""
    ax_, ay = (a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2
    bx, by = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
    dx, dy = bx - ax_, by - ay

    def exit_t(box: Any) -> float:  # fraction of the way at which the line leaves a centred box
        hw, hh = (box.x1 - box.x0) / 2 + gap, (box.y1 - box.y0) / 2 + gap
        return min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)

    ta, tb = exit_t(a), 1 - exit_t(b)
    if ta >= tb:  # overlapping boxes: fall back to centre to centre
        ta, tb = 0.0, 1.0
    return (ax_ + ta * dx, ay + ta * dy), (ax_ + tb * dx, ay + tb * dy)


def _layers(g: Any) -> list[list[str]]:
    """Columns from left to right: backers first, then the groups they back (longest path)."""
    import networkx as nx

    if nx.is_directed_acyclic_graph(g):
        return [sorted(gen) for gen in nx.topological_generations(g)]
    sources = sorted(n for n in g if g.out_degree(n) and not g.in_degree(n))
    rest = sorted(n for n in g if n not in sources)
    return [c for c in (sources, rest) if c]


def _order_columns(g: Any, columns: list[list[str]]) -> dict[str, tuple[float, float]]:
    """Order each column by the mean position of its neighbours (fewer crossings), centre it."""
    order = {n: i for col in columns for i, n in enumerate(sorted(col, key=lambda n: g.nodes[n]["label"]))}
    und = g.to_undirected(as_view=True)
    for _ in range(6):
        for col in columns:
            def centre(n: str) -> float:
                near = [order[m] for m in und.neighbors(n)]
                return sum(near) / len(near) if near else order[n]
            for i, n in enumerate(sorted(col, key=lambda n: (centre(n), g.nodes[n]["label"]))):
                order[n] = i
    tallest = max(len(c) for c in columns)
    pos = {}
    for x, col in enumerate(columns):
        offset = (tallest - len(col)) / 2
        for n in col:
            pos[n] = (float(x), float(tallest - 1 - (order[n] + offset)))
    return pos


# ---------------------------------------------------------------------------------------------
# control timeline

_PLACES = """
SELECT DISTINCT ?p ?placeName ?class ?place_label WHERE {
  BIND(LCASE(STR(?place_label)) AS ?key)
  ?p skos:hiddenLabel ?key .
  ?p rdfs:label ?placeName ; a ?class .
  VALUES ?class { ckg:Town ckg:Facility ckg:Region ckg:Country }
}
"""
_CONTROL_PLACES = """
SELECT (STR(?placeName) AS ?name) (COUNT(DISTINCT ?op) AS ?n) WHERE {
  ?op a ?class ; ckg:place ?p . VALUES ?class { ckg:Capture ckg:Withdrawal }
  ?p rdfs:label ?placeName .
} GROUP BY ?placeName ORDER BY DESC(?n) ?name
"""
_CONTROL_EVENTS = """
SELECT ?op ?class ?date (GROUP_CONCAT(DISTINCT STR(?basis); SEPARATOR=" ") AS ?bases) (MIN(?start) AS ?offset) WHERE {
  VALUES ?p { %s }
  ?op ckg:place ?p ; a ?class . VALUES ?class { ckg:Capture ckg:Withdrawal }
  OPTIONAL { ?op ckg:date ?date }
  OPTIONAL { ?op ckg:dateBasis ?basis }
  OPTIONAL { ?op ckg:evidence/ckg:startOffset ?start }
} GROUP BY ?op ?class ?date
"""
_CONTROL_ACTORS = """
SELECT DISTINCT ?op ?role ?actor ?actorName WHERE {
  VALUES ?p { %s }
  ?op ckg:place ?p ; a ?class . VALUES ?class { ckg:Capture ckg:Withdrawal }
  { ?op ckg:agent ?actor . BIND("agent" AS ?role) } UNION { ?op ckg:opponent ?actor . BIND("opponent" AS ?role) }
  ?actor rdfs:label ?actorName .
}
"""
_CONTROL_SOURCES = """
SELECT DISTINCT ?op ?doc ?docId ?issued ?title WHERE {
  VALUES ?p { %s }
  ?op ckg:place ?p ; a ?class ; prov:wasDerivedFrom ?doc . VALUES ?class { ckg:Capture ckg:Withdrawal }
  OPTIONAL { ?doc dcterms:identifier ?docId }
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc dcterms:title ?title }
}
"""


@dataclass
class _Event:
    iri: str
    type: str
    when: When | None
    basis: str | None
    offset: int
    agents: list[str] = field(default_factory=list)
    opponents: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    x: float = 0.0
    number: int = 0


def _control(source: GraphSource, options: PlotOptions) -> tuple[Any, list[str]]:
    if not options.place:
        raise PlotError("the control timeline needs a place: --place NAME (e.g. --place \"Albu Kamal\")")
    places = _select(source, _PLACES, place_label=options.place)
    known = [f"{_value(r['name'])} ({_value(r['n'])})" for r in _select(source, _CONTROL_PLACES)]
    if not places:
        hint = f"; places with captures or withdrawals: {', '.join(known[:12])}" if known else ""
        if missing_name_keys(source.db):
            hint = f"; {MISSING_NAME_KEYS}"
        raise PlotError(f"no place named {options.place!r} in the graph{hint}")
    # Prefer the most specific kind of place when a name is shared (a town and its province).
    rank = {"Town": 0, "Facility": 1, "Region": 2, "Country": 3}
    best = min(rank[r["class"].value.rsplit("#", 1)[-1]] for r in places)
    chosen = {r["p"].value: r["placeName"].value for r in places if rank[r["class"].value.rsplit("#", 1)[-1]] == best}
    values = " ".join(str(ox.NamedNode(iri)) for iri in chosen)
    place_name = " / ".join(sorted(set(chosen.values())))

    events: dict[str, _Event] = {}
    for r in _select(source, _CONTROL_EVENTS % values):
        offset = int(r["offset"].value) if r["offset"] is not None else 0
        events[r["op"].value] = _Event(r["op"].value, r["class"].value.rsplit("#", 1)[-1],
                                       parse_when(_value(r["date"])), _date_basis(r["bases"]), offset)
    if not events:
        hint = f"; places that have some: {', '.join(known[:12])}" if known else ""
        raise PlotError(f"no capture or withdrawal at {place_name} in the graph{hint}")
    names: dict[str, str] = {}
    for r in sorted(_select(source, _CONTROL_ACTORS % values), key=lambda r: r["actorName"].value):
        names[r["actor"].value] = r["actorName"].value
        ev = events[r["op"].value]
        (ev.agents if r["role"].value == "agent" else ev.opponents).append(r["actor"].value)
    docs: dict[str, tuple[str, str, str]] = {}
    for r in _select(source, _CONTROL_SOURCES % values):
        doc = r["doc"].value
        docs[doc] = (_value(r["docId"]) or doc.rsplit("/", 1)[-1], _value(r["issued"]) or "", _value(r["title"]) or "")
        events[r["op"].value].docs.append(doc)
    kinds = _actor_kinds(source, "VALUES ?node { %s }" % " ".join(str(ox.NamedNode(a)) for a in names))
    return _draw_control(place_name, list(events.values()), names, docs, kinds, options)


def _control_timeline(events: list[_Event]) -> tuple[list[list[_Event]], list[tuple[str, float, float, str]]]:
    """Group dated events that share a date, place them on a day axis, derive who held the place.

    Events are ordered by the last day they may mean (a withdrawal "in June" comes after a
    capture on 29 June). Captures on the same date by different sides leave both holding
    (contested). The opponents a place was captured from held it before (drawn as implied).
    Returns the groups and (actor, start, end, style) segments, style in held / implied / open.
    """
    dated = sorted((e for e in events if e.when), key=lambda e: (e.when.hi, e.when.lo, e.offset))  # type: ignore[union-attr]
    groups: list[list[_Event]] = []
    for e in dated:
        if groups and (groups[-1][0].when.lo, groups[-1][0].when.hi) == (e.when.lo, e.when.hi):  # type: ignore[union-attr]
            groups[-1].append(e)
        else:
            groups.append([e])
    holders: dict[str, float] = {}
    segments: list[tuple[str, float, float, str]] = []
    previous: float | None = None
    first = float(dated[0].when.lo.toordinal()) if dated else 0.0  # type: ignore[union-attr]
    for group in groups:
        when = group[0].when
        assert when is not None
        mid = (when.lo.toordinal() + when.hi.toordinal() + 1) / 2 if when.lo != when.hi else float(when.lo.toordinal())
        x = max(mid, previous + 0.5) if previous is not None else mid
        for e in group:
            e.x = x
        captures = [e for e in group if e.type == "Capture"]
        takers = {a for e in captures for a in e.agents}
        for e in captures:
            for o in e.opponents:
                if o not in holders:
                    segments.append((o, previous if previous is not None else min(first, x) - 8, x, "implied"))
        if captures:
            for h in list(holders):
                if h not in takers:
                    segments.append((h, holders.pop(h), x, "held"))
            for a in sorted(takers):
                holders.setdefault(a, x)
        for e in group:
            if e.type == "Withdrawal":
                for a in e.agents:
                    if a in holders:
                        segments.append((a, holders.pop(a), x, "held"))
        previous = x
    for h, start in holders.items():
        segments.append((h, start, float("inf"), "open"))
    return groups, segments


def _time_scale(points: list[tuple[float, float]]) -> tuple[Any, list[tuple[float, float]], list[float]]:
    """A day axis with long empty stretches cut short: returns f(day) -> x, the shown day
    ranges (clusters) and the x positions of the cuts."""
    spans = sorted(points)
    clusters: list[list[float]] = []
    total = max(1.0, spans[-1][1] - spans[0][0])
    gap_limit = max(45.0, 0.15 * total)
    for lo, hi in spans:
        if clusters and lo - clusters[-1][1] <= gap_limit:
            clusters[-1][1] = max(clusters[-1][1], hi)
        else:
            clusters.append([lo, hi])
    shown = sum(hi - lo for lo, hi in clusters)
    min_width = max(16.0, 0.3 * shown / len(clusters))
    padded: list[tuple[float, float]] = []
    for lo, hi in clusters:
        pad = max(4.0, (min_width - (hi - lo)) / 2, 0.06 * (hi - lo))
        padded.append((lo - pad, hi + pad))
    cut_width = max(6.0, 0.10 * sum(hi - lo for lo, hi in padded))
    knots: list[tuple[float, float]] = []
    x = 0.0
    cuts = []
    for i, (lo, hi) in enumerate(padded):
        if i:
            x += cut_width
            cuts.append(x - cut_width / 2)
        knots.append((lo, x))
        x += hi - lo
        knots.append((hi, x))

    def f(day: float) -> float:
        if day <= knots[0][0]:
            return knots[0][1] - (knots[0][0] - day)
        for (d0, x0), (d1, x1) in zip(knots, knots[1:]):
            if day <= d1:
                return x0 + (day - d0) * (x1 - x0) / (d1 - d0) if d1 > d0 else x0
        return knots[-1][1] + (day - knots[-1][0])

    return f, padded, cuts


def _draw_control(place: str, events: list[_Event], names: dict[str, str], docs: dict[str, tuple[str, str, str]],
                  kinds: dict[str, str | None], options: PlotOptions) -> tuple[Any, list[str]]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    groups, segments = _control_timeline(events)
    dated = [e for g in groups for e in g]
    undated = sorted((e for e in events if not e.when), key=lambda e: e.offset)
    for i, e in enumerate([*dated, *undated], 1):
        e.number = i
    lanes: list[str] = []
    for e in dated:
        for o in e.opponents if e.type == "Capture" else []:
            if any(s[0] == o for s in segments) and o not in lanes:
                lanes.append(o)
        for a in e.agents:
            if a not in lanes:
                lanes.append(a)
    for a in (a for e in undated for a in e.agents):
        if a not in lanes:
            lanes.append(a)
    lane_y = {a: len(lanes) - 1 - i for i, a in enumerate(lanes)}
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#1A1A1A"]
    colour: dict[str, str] = {}
    for a in lanes:
        kind_colour = ACTOR_KINDS[kind][1] if (kind := kinds.get(a)) in ACTOR_KINDS and kind else None
        free = [c for c in palette if c not in colour.values()]
        colour[a] = kind_colour if kind_colour and kind_colour not in colour.values() else (free or palette)[0]

    doc_keys = {d: chr(ord("A") + i) if i < 26 else f"D{i}" for i, d in enumerate(
        sorted({d for e in events for d in e.docs}, key=lambda d: (docs[d][1], docs[d][0])))}
    event_lines = []
    for e in [*dated, *undated]:
        who = ", ".join(names[a] for a in e.agents) or "unknown"
        verb = {"Capture": "captured by", "Withdrawal": "left by"}[e.type]
        frm = f" from {', '.join(names[o] for o in e.opponents)}" if e.opponents and e.type == "Capture" else ""
        when = e.when.text if e.when else "undated"
        if e.basis == "publication":
            when += " (article's month)"
        srcs = " ".join(f"[{doc_keys[d]}]" for d in sorted(e.docs, key=lambda d: doc_keys[d]))
        event_lines.append((str(e.number), when, f"{place} {verb} {who}{frm}", srcs))
    source_lines = []
    for d, key in sorted(doc_keys.items(), key=lambda kv: kv[1]):
        ident, issued, title = docs[d]
        title = textwrap.shorten(title, 90, placeholder="…") if title else ""
        published = parse_when(issued)
        issued_text = published.text if published else issued
        source_lines.append(f"[{key}]  {ident}" + (f", published {issued_text}" if issued_text else "")
                            + (f": “{title}”" if title else ""))

    lane_h = 0.62
    list_h = 0.24 * (len(event_lines) + len(source_lines)) + 0.75
    chart_h = max(1.8, lane_h * len(lanes) + 1.0)
    height = 1.3 + chart_h + list_h
    fig = _figure(11.0, height)
    ax = fig.add_axes((0.2, (list_h + 0.55) / height, 0.77, (chart_h - 0.55) / height))
    _title(fig, options.title or f"Who held {place}",
           f"From the captures and withdrawals at {place} in the graph; each number is one reported event")

    if dated:
        points = [(e.when.lo.toordinal(), e.when.hi.toordinal() + 1.0) for e in dated]  # type: ignore[union-attr]
        f, shown, cuts = _time_scale(points)
        x_end = f(shown[-1][1])
        x_start = f(shown[0][0])
    else:
        f, shown, cuts, x_start, x_end = (lambda d: d), [], [], 0.0, 1.0
    ax.set_xlim(x_start, x_end)
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    ax.set_yticks([lane_y[a] for a in lanes], [names[a] for a in lanes], fontsize=10)
    for a in lanes:
        ax.axhline(lane_y[a], color="#EEEEEE", lw=0.8, zorder=0)
    for s_actor, x0, x1, style in segments:
        y = lane_y[s_actor]
        left = f(x0) if x0 != float("-inf") else x_start
        right = f(x1) if x1 != float("inf") else x_end
        if style == "implied":
            ax.add_patch(Rectangle((left, y - 0.17), right - left, 0.34, facecolor="white", edgecolor=colour[s_actor],
                                   hatch="////", lw=0.8, zorder=1))
        else:
            ax.add_patch(Rectangle((left, y - 0.17), max(right - left, 0.35), 0.34, facecolor=colour[s_actor],
                                   edgecolor=colour[s_actor], alpha=0.85, lw=0.8, zorder=1))
            if style == "open":
                ax.plot([x_end], [y], marker=">", markersize=10, color=colour[s_actor], clip_on=False, zorder=3)
    for cut in cuts:
        ax.axvline(cut, color="white", lw=6, zorder=1.5)
        ax.text(cut, -0.7, "≈", ha="center", va="center", fontsize=13, color="#666666", zorder=4,
                clip_on=False)
    # Markers: where an event spans a month or year, a whisker shows the whole span.
    ax_width_pt = ax.get_position().width * fig.get_figwidth() * 72
    near = 16 * (x_end - x_start) / ax_width_pt  # two numbers closer than 16 pt would touch
    placed: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for e in dated:
        assert e.when is not None
        for a in e.agents:
            y = lane_y[a]
            if e.when.lo != e.when.hi:
                ax.plot([f(e.when.lo.toordinal()), f(e.when.hi.toordinal() + 1.0)], [y - 0.27, y - 0.27],
                        color="#777777", lw=1.0, zorder=2, solid_capstyle="butt")
                for end in (e.when.lo.toordinal(), e.when.hi.toordinal() + 1.0):
                    ax.plot([f(end)] * 2, [y - 0.32, y - 0.22], color="#777777", lw=1.0, zorder=2)
            filled = e.type == "Capture"
            ax.plot([f(e.x)], [y], marker="^" if filled else "v", markersize=11, zorder=3, linestyle="none",
                    markerfacecolor=colour[a] if filled else "white", markeredgecolor="black", markeredgewidth=1.1)
            taken = {level for px, level in placed[y] if abs(px - f(e.x)) < near}
            k = min(set(range(len(taken) + 1)) - taken)
            placed[y].append((f(e.x), k))
            ax.annotate(str(e.number), (f(e.x), y), xytext=(0, 11 + 11 * k), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8.5, fontweight="bold", zorder=4, bbox=_backdrop())
    ticks = _control_ticks(dated, f, x_end - x_start)
    ax.set_xticks([t for t, _ in ticks], [lbl for _, lbl in ticks], fontsize=8.5)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)

    handles = [Line2D([], [], marker="^", linestyle="none", markerfacecolor="#999999", markeredgecolor="black",
                      markersize=9, label="capture"),
               Line2D([], [], marker="v", linestyle="none", markerfacecolor="white", markeredgecolor="black",
                      markersize=9, label="withdrawal"),
               Patch(facecolor="#999999", label="held (from the events)")]
    if any(s[3] == "open" for s in segments):
        handles.append(Line2D([], [], marker=">", linestyle="none", color="#999999", markersize=8,
                              label="still held at the last report"))
    if _contested(segments):
        handles.append(Patch(facecolor="white", edgecolor="none",
                             label="contested: two sides reported holding it"))
    if any(s[3] == "implied" for s in segments):
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////", label="held before (taken from it)"))
    if any(e.when and e.when.lo != e.when.hi for e in dated):
        handles.append(Line2D([], [], color="#777777", lw=1, label="date known to the month or year"))
    if cuts:
        handles.append(Line2D([], [], marker="$≈$", linestyle="none", color="#666666", markersize=10,
                              label="time cut short"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.23, 1.02), ncol=4, fontsize=8,
              frameon=False, handletextpad=0.4, columnspacing=1.5)
    for x0, x1, holding in _contested(segments):
        left, right = f(x0), (f(x1) if x1 != float("inf") else x_end)
        top = max(lane_y[a] for a in holding)
        ax.annotate("contested", ((left + right) / 2, top + 0.17),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                    fontstyle="italic", color="#333333", bbox=_backdrop())

    # The numbered events and their sources, under the chart.
    row = (list_h - 0.1) / height
    step = 0.24 / height
    fig.text(0.02, row, "Events", fontsize=9.5, fontweight="bold", va="top")
    row -= step
    for num, when, what, srcs in event_lines:
        fig.text(0.03, row, num, fontsize=8.5, va="top", ha="right", fontweight="bold")
        fig.text(0.045, row, when, fontsize=8.5, va="top")
        fig.text(0.2, row, what, fontsize=8.5, va="top")
        fig.text(0.80, row, srcs, fontsize=8.5, va="top", color="#333333")
        row -= step
    row -= step * 0.3
    fig.text(0.02, row, "Sources", fontsize=9.5, fontweight="bold", va="top")
    row -= step
    for line in source_lines:
        fig.text(0.03, row, line, fontsize=8, va="top", color="#333333")
        row -= step
    holders_now = [names[s[0]] for s in segments if s[3] == "open"]
    summary = [f"{_n(len(events), 'event')} ({len(undated)} undated), {_n(len(doc_keys), 'source')}",
               f"held at the last report: {', '.join(holders_now) or 'nobody (per the graph)'}"]
    return fig, summary


def _contested(segments: list[tuple[str, float, float, str]]) -> list[tuple[float, float, list[str]]]:
    """Stretches of time in which two or more actors held the place at once, per the events."""
    held = [(a, x0, x1) for a, x0, x1, style in segments if style != "implied"]
    cuts = sorted({x for _, x0, x1 in held for x in (x0, x1)})
    out: list[tuple[float, float, list[str]]] = []
    for lo, hi in zip(cuts, cuts[1:]):
        holding = sorted({a for a, x0, x1 in held if x0 <= lo and x1 >= hi})
        if len(holding) > 1:
            if out and out[-1][1] == lo and out[-1][2] == holding:
                out[-1] = (out[-1][0], hi, holding)
            else:
                out.append((lo, hi, holding))
    return out


def _control_ticks(dated: list[_Event], f: Any, span: float) -> list[tuple[float, str]]:
    """Ticks at the event days (and month starts of month-precise events), not too close."""
    days: dict[int, str] = {}
    for e in dated:
        assert e.when is not None
        if e.when.lo == e.when.hi:
            days.setdefault(e.when.lo.toordinal(), f"{e.when.lo.day} {e.when.lo:%b}\n{e.when.lo.year}")
        else:
            days.setdefault(e.when.lo.toordinal(), f"1 {e.when.lo:%b}\n{e.when.lo.year}")
    ticks: list[tuple[float, str]] = []
    for day in sorted(days):
        x = f(float(day))
        if not ticks or x - ticks[-1][0] > span / 16:
            ticks.append((x, days[day]))
    return ticks


# ---------------------------------------------------------------------------------------------
# map of operations

_MAP = f"""
SELECT ?op ?class ?p ?placeName ?wkt ?country WHERE {{
  ?op a ?class . VALUES ?class {{ {_TYPE_VALUES} }}
  OPTIONAL {{
    ?op ckg:place ?p .
    ?p rdfs:label ?placeName .
    OPTIONAL {{ ?p geo:hasGeometry/geo:asWKT ?wkt }}
    OPTIONAL {{ ?p a ckg:Country . BIND(true AS ?country) }}
  }}
}}
"""
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.I)


def _map(source: GraphSource, options: PlotOptions) -> tuple[Any, list[str]]:
    from matplotlib.lines import Line2D

    rows = _select(source, _MAP)
    if not rows:
        raise PlotError("the graph has no operations: nothing to put on a map")
    seen: set[str] = set()
    at_place: dict[tuple[str, float, float], list[str]] = defaultdict(list)
    no_place = whole_country = 0
    no_point: Counter[str] = Counter()
    for r in rows:
        op = r["op"].value
        if op in seen:  # one operation, one marker (a place with two geometries counts once)
            continue
        kind = r["class"].value.rsplit("#", 1)[-1]
        if r["p"] is None:
            no_place += 1
        elif r["country"] is not None:
            whole_country += 1
        else:
            match = _POINT.match(_value(r["wkt"]) or "")
            if match is None:
                no_point[r["placeName"].value] += 1
            else:
                lon, lat = float(match.group(1)), float(match.group(2))
                at_place[(r["placeName"].value, lon, lat)].append(kind)
        seen.add(op)
    if not at_place:
        raise PlotError(f"none of the {len(seen)} operations is at a place with coordinates: nothing to put on a map")

    lons = [lon for _, lon, _ in at_place]
    lats = [lat for _, _, lat in at_place]
    if options.bbox:
        west, south, east, north = options.bbox
        if not (west < east and south < north):
            raise PlotError(f"--bbox must be WEST,SOUTH,EAST,NORTH with west < east and south < north, got {options.bbox}")
    else:
        west, east = min(lons), max(lons)
        south, north = min(lats), max(lats)
        cx, cy = (west + east) / 2, (south + north) / 2
        half_w = max((east - west) / 2 + 1.6, 3.5)
        half_h = max((north - south) / 2 + 1.2, 2.5)
        west, east, south, north = cx - half_w, cx + half_w, cy - half_h, cy + half_h
    aspect = 1 / max(0.2, math.cos(math.radians((south + north) / 2)))
    map_w = 9.0
    map_h = min(9.0, max(4.0, map_w * (north - south) * aspect / (east - west)))
    # Widen the box in longitude or latitude so that it fills the map area at true proportions.
    want = map_w / map_h
    have = (east - west) / ((north - south) * aspect)
    if have < want:
        extra = ((north - south) * aspect * want - (east - west)) / 2
        west, east = west - extra, east + extra
    else:
        extra = ((east - west) / want / aspect - (north - south)) / 2
        south, north = south - extra, north + extra
    header, footer = 1.15, 0.95
    height = header + map_h + footer
    fig = _figure(map_w + 1.0, height)
    ax = fig.add_axes((0.6 / (map_w + 1.0), footer / height, map_w / (map_w + 1.0), map_h / height))
    ax.set_facecolor("#DCE9F2")
    _draw_countries(ax, (west, south, east, north))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect, adjustable="box")
    ax.tick_params(labelsize=8, colors="#555555")
    ax.set_xlabel("longitude (°E)", fontsize=8, color="#555555")
    ax.set_ylabel("latitude (°N)", fontsize=8, color="#555555")

    clusters = _cluster_places(ax, fig, at_place)
    counts: Counter[str] = Counter()
    for members in clusters:
        kinds = [k for key in members for k in sorted(at_place[key], key=list(OPERATION_TYPES).index)]
        counts.update(kinds)
        cx = sum(key[1] for key in members) / len(members)
        cy = sum(key[2] for key in members) / len(members)
        ax.plot([cx], [cy], marker="o", markersize=3, color="black", zorder=4)
        radius = _sunflower(ax, fig, cx, cy, kinds)
        label = ", ".join(f"{key[0]}" + (f" ({len(at_place[key])})" if len(at_place[key]) > 1 else "")
                          for key in sorted(members, key=lambda k: -len(at_place[k])))
        label = "\n".join(textwrap.wrap(label, 28))
        ax.annotate(label, (cx, cy), xytext=(radius + 6, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=8.5, zorder=6, bbox=_backdrop(0.75))
    handles = [Line2D([], [], marker=OPERATION_TYPES[t][2], linestyle="none", markersize=8,
                      markerfacecolor=OPERATION_TYPES[t][1], markeredgecolor="#222222",
                      label=f"{OPERATION_TYPES[t][0]} ({counts[t]})") for t in OPERATION_TYPES if counts[t]]
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(handles)), fontsize=8.5, frameon=False,
               bbox_to_anchor=(0.5, 0.005), handletextpad=0.3, columnspacing=1.0)
    left_out = []
    if whole_country:
        left_out.append(f"{whole_country} at a whole country")
    if no_point:
        left_out.append(f"{sum(no_point.values())} at places without coordinates ({', '.join(sorted(no_point))})")
    if no_place:
        left_out.append(f"{no_place} without a place")
    placed = sum(counts.values())
    subtitle = f"{placed} of {_n(len(seen), 'operation')}, at {_n(len(at_place), 'place')}; each marker is one operation"
    _title(fig, options.title or "Where the operations happened", subtitle)
    note = "Not shown: " + "; ".join(left_out) + "." if left_out else "Every operation is shown."
    fig.text(0.015, 1 - 0.78 / height, "\n".join(textwrap.wrap(note, 140)), ha="left", va="top", fontsize=8,
             color="#555555")
    ax.text(0.995, 0.005, "Country outlines: Natural Earth 1:110m (public domain), bundled in countryinfo",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=6.5, color="#666666", zorder=7,
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=1.5))
    return fig, [f"{placed} of {_n(len(seen), 'operation')} at {_n(len(at_place), 'place')}", *left_out]


def _draw_countries(ax: Any, bbox: tuple[float, float, float, float]) -> None:
    """Country outlines (land colour, grey borders) and names of the countries in view."""
    from matplotlib.patches import Polygon

    west, south, east, north = bbox
    for name, rings in _country_outlines():
        biggest: tuple[float, list[tuple[float, float]]] | None = None
        for ring in rings:
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            if max(xs) < west - 5 or min(xs) > east + 5 or max(ys) < south - 5 or min(ys) > north + 5:
                continue
            ax.add_patch(Polygon(ring, closed=True, facecolor="#F4F1EA", edgecolor="#8C8C8C", lw=0.7, zorder=1))
            area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2
            if biggest is None or area > biggest[0]:
                biggest = (area, ring)
        if biggest is None:
            continue
        spot = _label_spot(biggest[1], bbox)
        if spot is not None:
            ax.text(*spot, name.upper(), fontsize=9, color="#9A9A9A", ha="center", va="center", zorder=2,
                    fontstyle="italic", clip_on=True)


def _inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: whether (x, y) lies inside the polygon ring."""
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def _label_spot(ring: list[tuple[float, float]], bbox: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """A point well inside both the country and the view (farthest from the border on a grid),
    or None when too little of the country is in view to name it."""
    west, south, east, north = bbox
    xs = [x for x, _ in ring]
    ys = [y for _, y in ring]
    x0, x1 = max(west, min(xs)), min(east, max(xs))
    y0, y1 = max(south, min(ys)), min(north, max(ys))
    if x1 <= x0 or y1 <= y0:
        return None
    margin_x, margin_y = 0.06 * (east - west), 0.04 * (north - south)
    best: tuple[float, float, float] | None = None
    steps = 14
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = x0 + (x1 - x0) * i / steps
            y = y0 + (y1 - y0) * j / steps
            if not (west + margin_x <= x <= east - margin_x and south + margin_y <= y <= north - margin_y):
                continue
            if not _inside(x, y, ring):
                continue
            d = min(_segment_distance(x, y, a, b) for a, b in zip(ring, ring[1:] + ring[:1]))
            d = min(d, x - west, east - x, (y - south) * 1.5, (north - y) * 1.5)
            if best is None or d > best[0]:
                best = (d, x, y)
    if best is None or best[0] < 0.03 * (east - west):
        return None
    return best[1], best[2]


def _segment_distance(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax_, ay), (bx, by) = a, b
    dx, dy = bx - ax_, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - ax_) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax_ + t * dx), y - (ay + t * dy))


_OUTLINES: list[tuple[str, list[list[tuple[float, float]]]]] | None = None


def _country_outlines() -> list[tuple[str, list[list[tuple[float, float]]]]]:
    """(name, outer rings) of every country, from countryinfo's bundled GeoJSON (read once)."""
    global _OUTLINES
    if _OUTLINES is None:
        from countryinfo import all_countries

        outlines = []
        for country in all_countries():
            try:
                collection = country.geo_json()
                name = country.name()
            except (KeyError, ValueError, TypeError):  # a country without data in this countryinfo release
                continue
            rings: list[list[tuple[float, float]]] = []
            for feature in (collection or {}).get("features", []):
                geom = feature.get("geometry") or {}
                polys = [geom.get("coordinates", [])] if geom.get("type") == "Polygon" else geom.get("coordinates", [])
                for poly in polys if geom.get("type") in ("Polygon", "MultiPolygon") else []:
                    if poly:
                        rings.append([(float(x), float(y)) for x, y, *_ in poly[0]])
            if rings:
                outlines.append((name, rings))
        _OUTLINES = outlines
    return _OUTLINES


def _cluster_places(ax: Any, fig: Any, at_place: dict[tuple[str, float, float], list[str]]) -> list[list[tuple[str, float, float]]]:
    """Places whose marker clouds would overlap on the page, merged (single linkage)."""
    fig.canvas.draw()  # fixes the data-to-page transform after set_aspect
    to_pt = ax.transData
    scale = 72.0 / fig.dpi
    keys = sorted(at_place, key=lambda k: -len(at_place[k]))
    pts = {k: to_pt.transform((k[1], k[2])) * scale for k in keys}
    radius = {k: 6.5 * math.sqrt(len(at_place[k]) + 0.5) for k in keys}
    parent = {k: k for k in keys}

    def root(k: Any) -> Any:
        while parent[k] != k:
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            dx, dy = pts[a] - pts[b]
            if math.hypot(dx, dy) < radius[a] + radius[b] + 4:
                parent[root(b)] = root(a)
    groups: dict[Any, list[tuple[str, float, float]]] = defaultdict(list)
    for k in keys:
        groups[root(k)].append(k)
    return list(groups.values())


def _sunflower(ax: Any, fig: Any, x: float, y: float, kinds: list[str]) -> float:
    """One marker per operation around (x, y), on a sunflower spiral; returns its radius (points)."""
    from matplotlib.transforms import offset_copy

    golden = math.pi * (3 - math.sqrt(5))
    spacing = 6.5
    radius = 0.0
    for i, kind in enumerate(kinds):
        r = spacing * math.sqrt(i + 0.5) if len(kinds) > 1 else 0.0
        dx, dy = r * math.cos(i * golden), r * math.sin(i * golden)
        radius = max(radius, r)
        _, colour, marker = OPERATION_TYPES[kind]
        ax.plot([x], [y], marker=marker, markersize=8.5 if marker != "*" else 11, linestyle="none",
                markerfacecolor=colour, markeredgecolor="#222222", markeredgewidth=0.7, zorder=5,
                transform=offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points"))
    return radius + 5


# ---------------------------------------------------------------------------------------------
# operations per month

_MONTHLY = f"""
SELECT ?op ?class ?date (GROUP_CONCAT(DISTINCT STR(?basis); SEPARATOR=" ") AS ?bases) WHERE {{
  ?op a ?class . VALUES ?class {{ {_TYPE_VALUES} }}
  OPTIONAL {{ ?op ckg:date ?date }}
  OPTIONAL {{ ?op ckg:dateBasis ?basis }}
}} GROUP BY ?op ?class ?date
"""


def _monthly(source: GraphSource, options: PlotOptions) -> tuple[Any, list[str]]:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    rows = _select(source, _MONTHLY)
    seen: dict[str, tuple[str, When | None, str | None]] = {}
    for r in rows:
        seen.setdefault(r["op"].value, (r["class"].value.rsplit("#", 1)[-1], parse_when(_value(r["date"])),
                                        _date_basis(r["bases"])))
    if not seen:
        raise PlotError("the graph has no operations: nothing to count")
    per_month: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    year_only = undated = by_publication = 0
    for kind, when, basis in seen.values():
        if when is None:
            undated += 1
        elif when.precision == "year":
            year_only += 1
        else:
            per_month[(when.lo.year, when.lo.month)][kind] += 1
            by_publication += basis == "publication"
    if not per_month:
        raise PlotError(f"none of the {len(seen)} operations is dated to the month or day: nothing to count")

    months = sorted(per_month)
    xs: list[float] = []
    gaps: list[tuple[float, int]] = []
    x = 0.0
    for i, (y, m) in enumerate(months):
        if i:
            py, pm = months[i - 1]
            missing = (y * 12 + m) - (py * 12 + pm) - 1
            if missing > 0:
                x += 1.0 if missing == 1 else 1.6
                gaps.append((x - (0.5 if missing == 1 else 0.8), missing))
            else:
                x += 1.0
        xs.append(x)
    types = [t for t in OPERATION_TYPES if any(per_month[m][t] for m in months)]
    width = min(14.0, max(6.5, 0.75 * (xs[-1] + 1) + 3.0))
    fig = _figure(width, 5.6)
    ax = fig.add_axes((0.08, 0.21, 0.9, 0.62))
    bottom = [0] * len(months)
    for t in types:
        heights = [per_month[m][t] for m in months]
        ax.bar(xs, heights, bottom=bottom, width=0.8, color=OPERATION_TYPES[t][1], edgecolor="white", lw=0.6,
               label=OPERATION_TYPES[t][0], zorder=2)
        bottom = [b + h for b, h in zip(bottom, heights)]
    for xi, total in zip(xs, bottom):
        ax.text(xi, total + 0.1, str(total), ha="center", va="bottom", fontsize=8.5, color="#333333")
    ax.set_xticks(xs, [f"{calendar.month_abbr[m]}\n{y}" for y, m in months], fontsize=8.5)
    ax.set_xlim(xs[0] - 0.7, xs[-1] + 0.7)
    ax.set_ylim(0, max(bottom) * 1.12 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("operations", fontsize=9)
    ax.grid(axis="y", color="#E5E5E5", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for gx, missing in gaps:
        if missing == 1:
            continue
        ax.text(gx, 0, f"≈\n{missing} months\nwith none", ha="center", va="top", fontsize=7, color="#777777",
                transform=ax.get_xaxis_transform(), linespacing=0.95)
        ax.axvline(gx, color="#BBBBBB", lw=0.8, linestyle=(0, (2, 2)), zorder=1)
    handles = [Patch(facecolor=OPERATION_TYPES[t][1], label=f"{OPERATION_TYPES[t][0]} "
                     f"({sum(per_month[m][t] for m in months)})") for t in types]
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(handles)), fontsize=8.5, frameon=False,
               bbox_to_anchor=(0.5, 0.0), handletextpad=0.4, columnspacing=1.0)
    counted = sum(bottom)
    notes = []
    if by_publication:
        notes.append(f"{by_publication} state no date and are counted in the month their article was published")
    if year_only:
        notes.append(f"{year_only} dated to the year only are left out")
    if undated:
        notes.append(f"{undated} undated are left out")
    subtitle = f"{counted} of {_n(len(seen), 'operation')}, by the month they happened"
    _title(fig, options.title or "Operations per month, by type", subtitle)
    if notes:
        fig.text(0.015, 0.985 - 0.50 / fig.get_figheight(), "Of these: " + "; ".join(notes) + ".",
                 ha="left", va="top", fontsize=8, color="#555555")
    return fig, [f"{counted} of {_n(len(seen), 'operation')} in {_n(len(months), 'month')}", *notes]
