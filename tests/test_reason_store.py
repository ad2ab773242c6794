"""`conflict-kg reason --store`: HermiT's inferences written into a store's inferred graph."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from conflict_kg.cli import main
from conflict_kg.iris import CKG, RES
from conflict_kg.query import run_query
from conflict_kg.reason import INFERRED_GRAPH, check_java, inferred_triples, materialize
from conflict_kg.store import GraphStore, graph_iri

ROOT = Path(__file__).resolve().parent.parent
QUERY_GRAPH = ROOT / "tests" / "data" / "queries_graph.ttl"

JAVA_PROBLEM = check_java()
pytestmark = pytest.mark.skipif(JAVA_PROBLEM is not None, reason=f"HermiT cannot run: {JAVA_PROBLEM}")

RUSSIA, US = RES["country/russia"], RES["country/united-states"]
SGF, HEZBOLLAH, NSA = RES["group/syrian-government-forces"], RES["group/hezbollah"], RES["group/new-syrian-army"]
AIRBASE, ALBU_KAMAL, SYRIA = RES["place/al-hamdan-airbase"], RES["place/albu-kamal"], RES["country/syria"]


def make_store(path: Path, graph: Graph, doc: str = "doc-1") -> Path:
    """A store holding `graph` as the named graph of one article (and, so, in its default graph)."""
    with GraphStore.open(path, create=True) as store:
        store.replace_graphs({graph_iri(doc): list(graph)})
    return path


def quads(path: Path) -> set[tuple[str, str, str, str]]:
    with GraphStore.open(path, read_only=True) as store:
        return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store.db}


def inferred(path: Path) -> set[tuple[URIRef, URIRef, URIRef]]:
    with GraphStore.open(path, read_only=True) as store:
        g = ox.NamedNode(str(INFERRED_GRAPH))
        return {(URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value))
                for q in store.db.quads_for_pattern(None, None, None, g)}


def ask(path: Path, query: str) -> bool:
    with GraphStore.open(path, read_only=True) as store:
        result = run_query(store.db, "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#> " + query, union=False)
    return bool(result.boolean)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store", Graph().parse(QUERY_GRAPH, format="turtle"))


def test_inferred_triples_are_iris() -> None:
    triples = inferred_triples(QUERY_GRAPH)
    assert all(isinstance(term, URIRef) for t in triples for term in t)
    assert (RUSSIA, CKG.backs, SGF) in triples
    assert (RUSSIA, RDF.type, CKG.Backer) in triples
    assert (AIRBASE, CKG.locatedIn, SYRIA) in triples  # airbase in town in province in country


def test_materialize_writes_the_inferred_graph(store: Path) -> None:
    result = materialize(store)
    assert result.report.consistent and result.replaced == 0
    found = inferred(store)
    assert result.written == len(found) > 0
    assert {(RUSSIA, CKG.backs, SGF), (US, CKG.backs, NSA)} <= found          # inverse of backedBy
    assert {(RUSSIA, RDF.type, CKG.Backer), (US, RDF.type, CKG.Backer)} <= found
    assert (SGF, CKG.alliedWith, HEZBOLLAH) in found                          # symmetric
    assert {(ALBU_KAMAL, CKG.locatedIn, SYRIA), (AIRBASE, CKG.locatedIn, SYRIA)} <= found  # transitive
    assert (HEZBOLLAH, CKG.alliedWith, SGF) not in found, "what the graph says is not repeated"
    # The default graph, which queries read, holds the inferences too.
    assert ask(store, "ASK { ?backer a ckg:Backer ; ckg:backs ?group }")


def test_running_twice_does_not_duplicate(store: Path) -> None:
    materialize(store)
    first = quads(store)
    again = materialize(store)
    assert again.replaced == again.written, "the previous inferred graph was replaced, not added to"
    assert quads(store) == first


def test_inferences_follow_the_store_when_facts_go(store: Path, tmp_path: Path) -> None:
    materialize(store)
    with GraphStore.open(store) as s:  # the article that said Russia backs the government goes
        s.replace_graphs({graph_iri("doc-1"): None})
    result = materialize(store)
    assert result.report.consistent and result.written == 0 and result.replaced > 0
    assert inferred(store) == set()
    assert not ask(store, "ASK { ?backer ckg:backs ?group }")


def test_inconsistent_store_is_explained_and_gets_no_inferences(tmp_path: Path) -> None:
    text = QUERY_GRAPH.read_text("utf-8") + """
<https://w3id.org/conflict-kg/resource/place/raqqa> a ckg:JihadistGroup .
"""
    path = make_store(tmp_path / "store", Graph().parse(data=text, format="turtle"))
    result = materialize(path)
    assert not result.report.consistent
    assert "Raqqa" in (result.report.inconsistency_explanation or "")
    assert inferred(path) == set()


def test_cli_reason_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reason", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Russia is a Backer" in out and f"<{INFERRED_GRAPH}>" in out
    assert main(["reason", "--store", str(store.parent / "missing")]) == 2
    assert "no such store" in capsys.readouterr().err
