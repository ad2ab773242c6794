"""Nothing an input or a query says can reach the network or other files.

Every URL used here points at a local "tripwire" server that records each connection (and
closes it at once, so a regression fails instead of hanging): SPARQL SERVICE, LOAD and FROM,
updates through `query`, remote JSON-LD contexts and owl:imports are each refused with a
clear message, and the tripwire sees no connection.
"""
from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from conflict_kg.cli import main
from conflict_kg.iris import CKG, RES
from conflict_kg.query import QueryError, open_store, run_query
from conflict_kg.rdf import GraphBuilder
from conflict_kg.serialize import read_rdf, write_rdf

from factories import sample_facts


class Tripwire:
    """A localhost TCP server that counts connections and drops them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def tripwire() -> Iterator[Tripwire]:
    wire = Tripwire()
    yield wire
    wire.close()
    assert wire.connections == 0, "something reached the network"


@pytest.fixture()
def graph_file(tmp_path) -> Path:
    b = GraphBuilder()
    b.add(sample_facts())
    path = tmp_path / "g.ttl"
    write_rdf(b.graph(), path)
    return path


# -- SPARQL: SERVICE, LOAD, FROM, updates ---------------------------------------------------

def _unsafe_queries(url: str, secret: Path) -> list[tuple[str, str]]:
    return [
        (f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"SELECT * WHERE {{ SeRvIcE # a comment\n <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {{ SELECT ?s WHERE {{ SERVICE <{url}/> {{ ?s ?p ?o }} }} }} }} }}",
         "SERVICE is refused"),
        (f"SELECT * WHERE {{ BIND(<{url}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"ASK {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
        (f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}", "FROM / FROM NAMED is refused"),
        ("select * from <file:///etc/passwd> where { ?s ?p ?o }", "FROM / FROM NAMED is refused"),
        (f"SELECT * FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM / FROM NAMED is refused"),
        (f"DESCRIBE <urn:x> FROM <{url}/g>", "FROM / FROM NAMED is refused"),
        (f"LOAD <{url}/data.ttl>", "updates"),
        (f"load silent <{secret.as_uri()}> into graph <urn:g>", "updates"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
        ("DELETE WHERE { ?s ?p ?o }", "updates"),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "updates"),
        ("CLEAR ALL", "updates"),
        ("drop silent graph <urn:g>", "updates"),
        ("CREATE GRAPH <urn:g>", "updates"),
        ("COPY DEFAULT TO <urn:g>", "updates"),
        ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    ]


def test_queries_that_would_reach_out_or_write_are_refused(graph_file, tripwire, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:here> .\n")
    store = open_store(graph_file)
    before = len(store)
    for query, reason in _unsafe_queries(tripwire.url, secret):
        with pytest.raises(QueryError, match=reason):
            run_query(store, query)
    assert len(store) == before


def test_the_command_line_refuses_them_with_a_clear_message(graph_file, tripwire, tmp_path, capsys):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:here> .\n")
    for query, reason in _unsafe_queries(tripwire.url, secret)[::3]:
        assert main(["query", str(graph_file), query]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and reason in err


def test_updates_are_refused_in_words():
    from conflict_kg.query import check_safe

    with pytest.raises(QueryError) as err:
        check_safe("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert str(err.value) == "updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are refused: the graph is read-only"


# -- JSON-LD: no remote @context ------------------------------------------------------------

def _remote_context_jsonld(path: Path, url: str) -> Path:
    path.write_text(json.dumps({"@context": f"{url}/context.jsonld",
                                "@id": str(RES["group/x"]), "label": "X"}))
    return path


def test_query_does_not_fetch_a_remote_jsonld_context(tmp_path, tripwire, capsys):
    path = _remote_context_jsonld(tmp_path / "g.jsonld", tripwire.url)
    with pytest.raises(QueryError, match="g.jsonld: cannot read the graph: .*remote contexts"):
        open_store(path)
    assert main(["query", str(path), "backers"]) == 2
    assert "remote contexts" in capsys.readouterr().err


@pytest.mark.parametrize("context", [
    lambda url: f"{url}/context.jsonld",
    lambda url: [{"ckg": str(CKG)}, f"{url}/context.jsonld"],
    lambda url: {"@import": f"{url}/context.jsonld", "ckg": str(CKG)},
])
def test_reading_rdf_never_fetches_a_remote_context(tmp_path, tripwire, context):
    path = tmp_path / "g.jsonld"
    path.write_text(json.dumps({"@context": context(tripwire.url), "@id": "urn:x", "ckg:p": "y"}))
    with pytest.raises(ValueError, match="g.jsonld: "):
        read_rdf(path)


def test_an_inline_jsonld_context_is_read(tmp_path):
    path = tmp_path / "g.jsonld"
    path.write_text(json.dumps({"@context": {"label": str(RDFS.label)}, "@id": "urn:x", "label": "y"}))
    assert (URIRef("urn:x"), RDFS.label, Literal("y")) in read_rdf(path)


def test_reason_refuses_a_remote_jsonld_context(tmp_path, tripwire, capsys):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: `reason` checks for it first")
    path = _remote_context_jsonld(tmp_path / "g.jsonld", tripwire.url)
    assert main(["reason", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: refused: the JSON-LD names a remote @context, and nothing is fetched")


# -- owl:imports is never followed -----------------------------------------------------------

def _graph_with_imports(tmp_path: Path, url: str) -> tuple[Path, URIRef]:
    """A graph importing a local file (which, if read, makes it inconsistent) and a URL."""
    group = RES["group/x"]
    imported = tmp_path / "imported.ttl"
    imported.write_text(f"<{group}> a <{CKG.Town}> .\n<{RES['place/imported']}> a <{CKG.Town}> .\n")
    g = Graph()
    onto = URIRef("urn:conflict-kg:test-data")
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, OWL.imports, URIRef(imported.as_uri())))
    g.add((onto, OWL.imports, URIRef(f"{url}/ontology.ttl")))
    g.add((group, RDF.type, CKG.ArmedGroup))
    g.add((group, RDFS.label, Literal("X", lang="en")))
    path = tmp_path / "g.ttl"
    path.write_text(g.serialize(format="turtle"))
    return path, RES["place/imported"]


def test_owlready_is_not_given_owl_imports(tmp_path, tripwire):
    """Even a graph handed straight to the reasoner's loader: owlready2 would fetch imports."""
    from conflict_kg.reason import load_graph, load_ontology, load_world

    path, imported = _graph_with_imports(tmp_path, tripwire.url)
    world = load_world(load_ontology(), load_graph(path))
    try:
        assert world[str(imported)] is None
        assert world[str(RES["group/x"])] is not None
    finally:
        world.close()


def test_reason_does_not_follow_owl_imports(tmp_path, tripwire, capsys):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: owlready2's HermiT reasoner needs it")
    path, _ = _graph_with_imports(tmp_path, tripwire.url)
    assert main(["reason", str(path)]) == 0
    assert "The graph is consistent with the ontology." in capsys.readouterr().out
