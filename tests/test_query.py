"""SPARQL: bundled queries, output formats, and what a query may not do."""
from __future__ import annotations

import json

import pytest

from conflict_kg.query import QueryError, bundled_queries, check_safe, format_result, open_store, run_query
from conflict_kg.rdf import GraphBuilder
from conflict_kg.serialize import write_rdf

from factories import sample_facts


@pytest.fixture()
def store(tmp_path):
    b = GraphBuilder()
    b.add(sample_facts())
    path = tmp_path / "g.ttl"
    write_rdf(b.graph(), path)
    return open_store(path)


@pytest.mark.parametrize("query,reason", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    ("LOAD <http://example.org/data.ttl>", "updates"),
    ("DROP ALL", "updates"),
])
def test_unsafe_queries_are_refused(query, reason):
    with pytest.raises(QueryError, match=reason):
        check_safe(query)


def test_backers_query_answers_and_formats(store):
    result = run_query(store, bundled_queries()["backers"].text)
    texts = result.texts()
    assert any("Free Hills Brigade" in row and "Oceania" in row for row in texts)
    data = json.loads(format_result(result, "json"))
    assert data["head"]["vars"] == list(result.variables)
    assert format_result(result, "csv").splitlines()[0] == ",".join(result.variables)
    assert format_result(result, "markdown").startswith("| ")
    assert "row" in format_result(result, "table")


def test_parameters_bind_by_substitution(store):
    q = bundled_queries()["operations-at-place"]
    hit = run_query(store, q.text, params={q.params[0]: "tal sawda"})
    miss = run_query(store, q.text, params={q.params[0]: "Nowhere"})
    assert len(hit.rows) == 1 and not miss.rows


def test_unreadable_graph_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <")
    with pytest.raises(QueryError, match="bad.ttl"):
        open_store(bad)


def test_standard_prefixes_need_no_declaration(store):
    result = run_query(store, "SELECT ?g WHERE { ?g a ckg:RebelGroup ; rdfs:label ?l }")
    assert len(result.rows) == 1
    declared = "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>\nSELECT ?g WHERE { ?g a ckg:RebelGroup }"
    assert len(run_query(store, declared).rows) == 1
