"""The bundled SPARQL queries are documented, portable (rdflib = pyoxigraph) and correct."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef, Variable

ROOT = Path(__file__).resolve().parent.parent
QUERY_DIR = ROOT / "conflict_kg" / "queries"
GRAPH = ROOT / "tests" / "data" / "queries_graph.ttl"
QUERIES = sorted(QUERY_DIR.glob("*.rq"))
EXPECTED_QUERIES = {"backers", "operations-at-place", "operations-in-region", "captures", "groups", "entity", "operations"}
XSD = "http://www.w3.org/2001/XMLSchema#"
SEPARATOR = " | "

Cell = tuple[str, str, str] | None
Row = tuple[Cell, ...]


def header(query: str) -> dict[str, list[str]]:
    """The '# key: value' comment lines at the top of a query file."""
    found: dict[str, list[str]] = {}
    for line in query.splitlines():
        match = re.match(r"#\s*(title|description|param|filter):\s*(.+)", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    return found


def param_names(query: str) -> list[str]:
    return [re.split(r"\s", p, maxsplit=1)[0] for p in header(query).get("param", [])]


def filter_names(query: str) -> list[str]:
    return [re.split(r"\s", p, maxsplit=1)[0] for p in header(query).get("filter", [])]


def bind(query: str, values: dict[str, str]) -> str:
    """Bind parameters the way a caller does: a VALUES block first inside the outer WHERE."""
    match = re.search(r"WHERE\s*\{", query, re.IGNORECASE)
    assert match is not None
    block = "".join(f'\n  VALUES ?{name} {{ "{value}" }}' for name, value in values.items())
    return query[: match.end()] + block + query[match.end() :]


def _cell(value: str, datatype: str, language: str) -> tuple[str, str, str]:
    # GROUP_CONCAT order is engine-specific, so compare concatenations as sorted parts.
    if SEPARATOR in value:
        value = SEPARATOR.join(sorted(value.split(SEPARATOR)))
    return value, datatype, language


def rdflib_rows(graph: Graph, query: str, bindings: dict[str, str] | None = None) -> list[Row]:
    rows = []
    init: dict[str, Any] = {Variable(k): Literal(v) for k, v in (bindings or {}).items()}
    for row in graph.query(query, initBindings=init):
        assert isinstance(row, tuple)
        cells: list[Cell] = []
        for term in row:
            if term is None:
                cells.append(None)
            elif isinstance(term, Literal):
                lang = term.language or ""
                datatype = str(term.datatype) if term.datatype else ("" if lang else XSD + "string")
                cells.append(_cell(str(term), datatype, lang))
            else:
                cells.append((str(term), "iri" if isinstance(term, URIRef) else "bnode", ""))
        rows.append(tuple(cells))
    return rows


def oxigraph_rows(
    store: pyoxigraph.Store, query: str, substitutions: dict[str, str] | None = None
) -> tuple[list[str], list[Row]]:
    subs: dict[pyoxigraph.Variable, Any] = {
        pyoxigraph.Variable(k): pyoxigraph.Literal(v) for k, v in (substitutions or {}).items()
    }
    solutions = store.query(query, substitutions=subs)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        cells: list[Cell] = []
        for name in names:
            term = solution[name]
            if term is None:
                cells.append(None)
            elif isinstance(term, pyoxigraph.Literal):
                lang = term.language or ""
                cells.append(_cell(term.value, "" if lang else term.datatype.value, lang))
            else:
                kind = "iri" if isinstance(term, pyoxigraph.NamedNode) else "bnode"
                cells.append((term.value, kind, ""))
        rows.append(tuple(cells))
    return names, rows


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(GRAPH, format="turtle")


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(GRAPH.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def run(graph: Graph, store: pyoxigraph.Store, name: str, **params: str) -> list[dict[str, Any]]:
    """Run a bundled query on both engines, check they agree, return rdflib's rows as dicts.

    Parameters are bound in each way a caller may use: a VALUES block (both engines),
    rdflib's initBindings and pyoxigraph's substitutions (conflict_kg.query binds by VALUES).
    """
    query = (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")
    bound = bind(query, params) if params else query
    expected = rdflib_rows(graph, bound)
    names, actual = oxigraph_rows(store, bound)
    assert sorted(actual, key=repr) == sorted(expected, key=repr)
    if params:
        assert sorted(rdflib_rows(graph, query, params), key=repr) == sorted(expected, key=repr)
        _, substituted = oxigraph_rows(store, query, params)
        assert sorted(substituted, key=repr) == sorted(expected, key=repr)
    return [{n: (c[0] if c else None) for n, c in zip(names, row, strict=True)} for row in expected]


def test_all_expected_queries_exist() -> None:
    assert {q.stem for q in QUERIES} == EXPECTED_QUERIES


@pytest.mark.parametrize("path", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_is_documented(path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    meta = header(query)
    assert query.startswith("# title:")
    assert len(meta.get("title", [])) == 1 and len(meta.get("description", [])) == 1
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    projection = re.search(r"SELECT(.*?)WHERE", body, re.DOTALL | re.IGNORECASE)
    assert projection is not None
    for name in param_names(query):
        assert re.search(rf"\?{name}\b", body), f"parameter {name} is not used as ?{name}"
        # pyoxigraph only substitutes variables that the SELECT clause projects.
        assert re.search(rf"\?{name}\b", projection.group(1)), f"parameter {name} is not projected"
    assert not re.search(r"\b(SERVICE|FROM)\b", body, re.IGNORECASE)
    for name in filter_names(query):
        # a filter narrows the listing without adding a column to it
        assert re.search(rf"\?{name}\b", body), f"filter {name} is not used as ?{name}"
        assert not re.search(rf"\?{name}\b", projection.group(1)), f"filter {name} is projected"
        assert name not in param_names(query)


@pytest.mark.parametrize("path", QUERIES, ids=[q.stem for q in QUERIES])
def test_engines_agree(path: Path, graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, path.stem)
    assert rows, "every query has answers on the test graph"


@pytest.mark.parametrize("path", [q for q in QUERIES if param_names(q.read_text())], ids=lambda p: p.stem)
def test_engines_agree_with_a_bound_parameter(path: Path, graph: Graph, store: pyoxigraph.Store) -> None:
    for name in param_names(path.read_text()):
        assert run(graph, store, path.stem, **{name: "no such thing"}) == []


def test_backers(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "backers")
    assert rows == [
        {"group": "New Syrian Army", "backer": "United States", "documents": "2"},
        {"group": "Syrian Democratic Forces", "backer": "United States", "documents": "1"},
        {"group": "Syrian government forces", "backer": "Russia", "documents": "1"},
    ]


def test_operations_at_place_matches_alias_case_insensitively(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "operations-at-place", place_label="ABU KAMAL")
    assert [(r["type"], r["date"]) for r in rows] == [
        ("Offensive", "2017-11"),
        ("Capture", "2017-11-09"),
        ("Withdrawal", "2017-11-09"),
    ]
    assert {r["place"] for r in rows} == {"Albu Kamal"}
    capture = rows[1]
    assert set(capture["agents"].split(SEPARATOR)) == {"Syrian government forces", "Hezbollah"}
    assert capture["opponents"] == "Islamic State" and capture["documents"] == "doc-1"
    assert rows[2]["opponents"] == ""


def test_operations_at_place_without_parameter_lists_all(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "operations-at-place")
    assert len(rows) == 6
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)  # ISO strings sort by time


def test_captures(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "captures")
    assert [(r["date"], r["place"], r["takenFrom"]) for r in rows] == [
        ("2017-10-17", "Raqqa", "Islamic State"),
        ("2017-11-09", "Albu Kamal", "Islamic State"),
    ]
    assert rows[0]["takenBy"] == "Syrian Democratic Forces"
    assert set(rows[1]["takenBy"].split(SEPARATOR)) == {"Syrian government forces", "Hezbollah"}


def test_groups(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = {r["group"]: r for r in run(graph, store, "groups")}
    assert set(rows) == {
        "Hezbollah", "Islamic State", "New Syrian Army", "Syrian Democratic Forces",
        "Syrian government forces", "US-led coalition", "YPG",
    }
    assert rows["Islamic State"]["kind"] == "JihadistGroup"
    assert set(rows["Islamic State"]["aliases"].split(SEPARATOR)) == {"IS", "ISIS"}
    assert rows["Syrian government forces"]["backers"] == "Russia"
    assert rows["YPG"]["aliases"] == "" and rows["YPG"]["kind"] == "KurdishForces"


def test_groups_prefers_the_most_specific_kind(graph: Graph, store: pyoxigraph.Store) -> None:
    extra = Graph().parse(GRAPH, format="turtle")
    extra.update("INSERT DATA { <https://w3id.org/conflict-kg/resource/group/ypg> a "
                 "<https://w3id.org/conflict-kg/ontology#ArmedGroup> }")
    other = pyoxigraph.Store()
    other.load(extra.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    rows = {r["group"]: r["kind"] for r in run(extra, other, "groups")}
    assert rows["YPG"] == "KurdishForces"


def test_entity(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "entity", entity_label="isis")
    assert {r["entity"] for r in rows} == {"Islamic State"}
    facts = {(r["direction"], r["property"], r["value"]): r["sources"] for r in rows}
    # The entity's documents are listed once; its own facts (type, names) come from them.
    assert facts[("out", "wasDerivedFrom", "documents")] == "doc-1 | doc-2"
    assert facts[("out", "type", "JihadistGroup")] == ""
    assert ("out", "altLabel", "ISIS") in facts and ("out", "hiddenLabel", "isis") not in facts
    assert facts[("in", "leaderOf", "Abu Bakr al-Baghdadi")] == "doc-2"
    assert facts[("in", "opponent", "Capture of Raqqa by Syrian Democratic Forces (2017-10-17)")] == "doc-2"


def test_entity_relation_sources_come_from_the_statement(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "entity", entity_label="United States")
    facts = {(r["direction"], r["property"], r["value"]): r["sources"] for r in rows}
    assert facts[("in", "backedBy", "New Syrian Army")] == "doc-1 | doc-2"
    assert facts[("in", "backedBy", "Syrian Democratic Forces")] == "doc-2"


def test_operations(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "operations")
    types = ["Execution", "Capture", "Offensive", "Airstrike", "Capture", "Withdrawal"]
    assert [r["type"] for r in rows] == types
    execution = rows[0]
    assert execution == {
        "type": "Execution", "date": "2014", "agents": "Islamic State", "place": "Raqqa",
        "fatalities": "12", "claimedBy": "Amaq", "documents": "doc-2",
    }
    assert rows[3]["fatalities"] == "40" and rows[3]["claimedBy"] is None


def test_operations_in_region_follows_located_in_chains(graph: Graph, store: pyoxigraph.Store) -> None:
    # Al-Hamdan airbase is in Albu Kamal, which is in Deir Ezzor province, which is in Syria.
    rows = run(graph, store, "operations-in-region", region_label="deir ezzor PROVINCE")
    assert {r["region"] for r in rows} == {"Deir Ezzor province"}
    assert [(r["type"], r["place"]) for r in rows] == [
        ("Offensive", "Albu Kamal"),
        ("Airstrike", "Al-Hamdan airbase"),
        ("Capture", "Albu Kamal"),
        ("Withdrawal", "Albu Kamal"),
    ]
    assert rows[2]["agents"].split(SEPARATOR) == ["Hezbollah", "Syrian government forces"]
    in_syria = run(graph, store, "operations-in-region", region_label="Syria")
    assert {r["place"] for r in in_syria} == {"Albu Kamal", "Al-Hamdan airbase", "Raqqa"}
    assert len(in_syria) == 6 and in_syria[0]["type"] == "Execution"  # 2014, the oldest


def test_operations_in_region_without_parameter_lists_each_containing_region(graph: Graph, store: pyoxigraph.Store) -> None:
    rows = run(graph, store, "operations-in-region")
    assert {r["region"] for r in rows} == {"Deir Ezzor province", "Syria"}
    assert sum(r["region"] == "Syria" for r in rows) == 6
    assert sum(r["region"] == "Deir Ezzor province" for r in rows) == 4


# -- filters: parameters that narrow a listing, bound by VALUES ---------------------------------

def run_filtered(graph: Graph, store: pyoxigraph.Store, name: str, **filters: str) -> list[dict[str, Any]]:
    """A bundled query with filters bound by a VALUES block (their only binding), on both
    engines, which must agree; rdflib's rows as dicts."""
    query = (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")
    assert set(filters) <= set(filter_names(query))
    bound = bind(query, filters) if filters else query
    expected = rdflib_rows(graph, bound)
    names, actual = oxigraph_rows(store, bound)
    assert sorted(actual, key=repr) == sorted(expected, key=repr)
    return [{n: (c[0] if c else None) for n, c in zip(names, row, strict=True)} for row in expected]


def test_the_listings_have_filters():
    assert filter_names((QUERY_DIR / "operations.rq").read_text()) == ["since", "until", "operation_type"]
    assert filter_names((QUERY_DIR / "captures.rq").read_text()) == ["since", "until"]


@pytest.mark.parametrize("filters,expected", [
    ({}, ["2014", "2017-10-17", "2017-11", "2017-11-08", "2017-11-09", "2017-11-09"]),
    ({"since": "2017-11"}, ["2017-11", "2017-11-08", "2017-11-09", "2017-11-09"]),
    # compared at the coarser precision: the month 2017-11 is on or after 2017-11-09
    ({"since": "2017-11-09"}, ["2017-11", "2017-11-09", "2017-11-09"]),
    ({"until": "2017-11-08"}, ["2014", "2017-10-17", "2017-11", "2017-11-08"]),
    ({"until": "2017-10"}, ["2014", "2017-10-17"]),
    ({"since": "2015", "until": "2017"}, ["2017-10-17", "2017-11", "2017-11-08", "2017-11-09", "2017-11-09"]),
    ({"until": "2014"}, ["2014"]),
    ({"since": "2018"}, []),
    ({"operation_type": "CAPTURE"}, ["2017-10-17", "2017-11-09"]),
    ({"operation_type": "capture", "since": "2017-11"}, ["2017-11-09"]),
    ({"operation_type": "no such type"}, []),
])
def test_operations_filters(graph, store, filters, expected):
    rows = run_filtered(graph, store, "operations", **filters)
    assert [r["date"] for r in rows] == expected
    if "operation_type" in filters:
        assert {r["type"].lower() for r in rows} <= {filters["operation_type"].lower()}


def test_filtered_rows_are_the_full_listings_rows(graph, store):
    full = run(graph, store, "operations")
    assert run_filtered(graph, store, "operations") == full  # unbound: the full listing, as it was
    some = run_filtered(graph, store, "operations", since="2017-11", operation_type="Capture")
    assert some and all(row in full for row in some)
    assert run_filtered(graph, store, "captures") == run(graph, store, "captures")


@pytest.mark.parametrize("filters,expected", [
    ({}, ["Raqqa", "Albu Kamal"]),
    ({"since": "2017-11"}, ["Albu Kamal"]),
    ({"until": "2017-10-31"}, ["Raqqa"]),
    ({"since": "2017-10", "until": "2017-11"}, ["Raqqa", "Albu Kamal"]),
    ({"since": "2017-10-18", "until": "2017-11-08"}, []),
])
def test_captures_filters(graph, store, filters, expected):
    assert [r["place"] for r in run_filtered(graph, store, "captures", **filters)] == expected


def test_date_filters_leave_out_undated_operations(graph):
    extra = Graph().parse(GRAPH, format="turtle")
    extra.update("""PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
        DELETE { ?op ckg:date ?d } WHERE { ?op a ckg:Capture ; ckg:date ?d FILTER(STR(?d) = "2017-10-17") }""")
    other = pyoxigraph.Store()
    other.load(extra.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    for name in ("operations", "captures"):
        everything = run_filtered(extra, other, name)
        assert everything[-1]["date"] is None  # undated last
        dated = run_filtered(extra, other, name, since="1000")
        assert dated == everything[:-1]
        assert run_filtered(extra, other, name, until="9999") == everything[:-1]
