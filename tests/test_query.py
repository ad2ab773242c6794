"""SPARQL: bundled queries, output formats, and what a query may not do."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from conflict_kg.query import (QueryError, bind_parameters, bundled_queries, check_safe, format_result, open_store,
                               run_query)
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


def test_parameters_bind_by_values(store):
    q = bundled_queries()["operations-at-place"]
    hit = run_query(store, q.text, params={q.params[0]: "tal sawda"})
    miss = run_query(store, q.text, params={q.params[0]: "Nowhere"})
    assert len(hit.rows) == 1 and not miss.rows
    substituted = store.query(q.text, substitutions={ox.Variable(q.params[0]): ox.Literal("tal sawda")})
    assert hit.rows == tuple(tuple(s[v] for v in hit.variables) for s in substituted)


@pytest.mark.parametrize("query,expected", [
    ("SELECT ?x WHERE { ?x ?p ?o }", 'SELECT ?x WHERE {\n  VALUES ?x { "v" } ?x ?p ?o }'),
    ("ASK { ?x ?p ?o }", 'ASK {\n  VALUES ?x { "v" } ?x ?p ?o }'),
    # braces in comments, IRIs, strings and a projection's EXISTS are not the outer group
    ('# {\nPREFIX ex: <http://e/#{}>\nSELECT (EXISTS { ?x ?p "{" } AS ?e) { ?x ?p "}" }',
     '# {\nPREFIX ex: <http://e/#{}>\nSELECT (EXISTS { ?x ?p "{" } AS ?e) {\n  VALUES ?x { "v" } ?x ?p "}" }'),
    ("PREFIX select: <http://e/>\nselect * { ?x select:p ?o }",
     'PREFIX select: <http://e/>\nselect * {\n  VALUES ?x { "v" } ?x select:p ?o }'),
])
def test_parameters_go_first_in_the_outer_where(query, expected):
    assert bind_parameters(query, {"x": "v"}) == (expected, {})


def test_parameter_values_are_escaped(store):
    text, _ = bind_parameters("SELECT ?x WHERE { }", {"x": 'a "b" \\ c\nd'})
    assert [s["x"] for s in store.query(text)] == [ox.Literal('a "b" \\ c\nd')]


def test_other_query_forms_bind_by_substitution():
    query = "CONSTRUCT WHERE { ?x ?p ?o }"
    assert bind_parameters(query, {"x": "v"}) == (query, {ox.Variable("x"): ox.Literal("v")})
    with pytest.raises(QueryError, match="variable name"):
        bind_parameters(query, {"not a name": "v"})


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


def test_names_with_nul_appended_sort_as_the_names():
    # Bundled queries sort on CONCAT(?name, "\u0000") (a string Oxigraph holds in memory) for
    # the order of ?name; both engines must give the same order as ORDER BY ?name.
    values = '"b" "a" "a b" "ab" "a\\u0001" "a\\u0000b" "A" "é" "a-"'
    plain = f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} }} ORDER BY ?s"
    appended = plain.replace("ORDER BY ?s", 'ORDER BY (CONCAT(?s, "\\u0000"))')
    expected = [s["s"].value for s in ox.Store().query(plain)]
    assert [s["s"].value for s in ox.Store().query(appended)] == expected
    assert [str(r[0]) for r in rdflib.Graph().query(appended)] == expected


# -- the cheap path past rdflib's parser ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(bundled_queries()))
def test_bundled_queries_need_no_parse_by_rdflib(name):
    # `prov:wasDerivedFrom`, `?takenFrom` and "from" in comment lines are no FROM
    from conflict_kg.query import may_reach_out, with_standard_prefixes

    assert not may_reach_out(with_standard_prefixes(bundled_queries()[name].text))


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } }",
    "select * from <file:///etc/passwd> where { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://e/> { ?a ?b ?c } }",   # Oxigraph reads true, SERVICE
    "ASKFROM <urn:g> { }",                                              # and ASK, FROM
    "SELECT * WHERE { ?s ?p 1SERVICE <http://e/> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <http://e/> { ?a ?b ?c } }",    # a variable ends at "."
    "PREFIX : <urn:x:> SELECT * WHERE { SERVICE:x { ?a ?b ?c } }",      # SERVICE, then :x
    "SELECT * WHERE { \\u0053ERVICE <http://e/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } # a comment\n SERVICE",               # not a comment line
    "# a comment\rSERVICE <http://e/> { }",                            # \r ends a comment too
    "SELECT * WHERE { ?s ?p '''x\n# not a comment''' . SERVICE <http://e/> { } }",
    "SELECT * WHERE { \u017fervice <http://e/> { } }",                  # any case, Unicode's too
    "SELECT * WHERE { ?s ?p \"from\" }",                                 # strings count (errs safe)
])
def test_texts_that_may_reach_out_are_parsed_by_rdflib(query):
    from conflict_kg.query import may_reach_out

    assert may_reach_out(query)


@pytest.mark.parametrize("query", [
    "SELECT ?takenFrom WHERE { ?s prov:wasDerivedFrom ?takenFrom ; ckg:p $fromage }",
    "PREFIX ex: <urn:x:> DESCRIBE ex:FROM",                         # a name, as Oxigraph reads it
    "# where it comes from\nSELECT * WHERE { ?s ?p ?o }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",                        # Oxigraph parses no update
])
def test_texts_that_cannot_reach_out_skip_rdflib(query):
    from conflict_kg.query import may_reach_out

    assert not may_reach_out(query)


def test_a_text_oxigraph_cannot_parse_gets_rdflibs_reason(store):
    with pytest.raises(QueryError, match="updates .* are refused"):
        run_query(store, "DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="not a valid SPARQL query"):
        run_query(store, "SELECT ?x WHERE { ?x ?p }")
    assert len(store)


# -- paging and filters ---------------------------------------------------------------------------

def test_offset_and_limit_page_the_answer(store):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    full = run_query(store, query)
    assert len(full.rows) > 10
    pages = [run_query(store, query, offset=i, limit=4).rows for i in range(0, len(full.rows), 4)]
    assert all(len(p) == 4 for p in pages[:-1]) and 0 < len(pages[-1]) <= 4
    assert tuple(row for page in pages for row in page) == full.rows
    assert run_query(store, query, offset=3).rows == full.rows[3:]
    assert run_query(store, query, limit=0).rows == ()
    assert run_query(store, query, offset=len(full.rows)).rows == ()
    assert run_query(store, query, limit=2).variables == full.variables
    triples = run_query(store, "CONSTRUCT WHERE { ?s ?p ?o }", limit=3)
    assert len(triples.rows) == 3
    with pytest.raises(QueryError, match="negative"):
        run_query(store, query, limit=-1)
    with pytest.raises(QueryError, match="negative"):
        run_query(store, query, offset=-1)


def test_bundled_filters_are_listed_apart_from_parameters():
    queries = bundled_queries()
    assert queries["operations"].filters == ("since", "until", "operation_type")
    assert queries["captures"].filters == ("since", "until")
    assert queries["operations"].params == () and queries["entity"].filters == ()
    assert "since" in queries["operations"].description.lower() or "date range" in queries["operations"].description


def test_filters_narrow_through_run_query(store):
    q = bundled_queries()["operations"]
    full = run_query(store, q.text)
    assert run_query(store, q.text, params={}).rows == full.rows
    dates = [row[1].value for row in full.rows if row[1] is not None]
    assert dates, "the sample facts have dated operations"
    first = min(dates)
    since = run_query(store, q.text, params={"since": first})
    assert since.variables == full.variables
    assert set(since.rows) <= set(full.rows) and len(since.rows) == len(dates)
    later = run_query(store, q.text, params={"since": "9999"})
    assert later.rows == ()
    kind = full.rows[0][0].value
    typed = run_query(store, q.text, params={"operation_type": kind.upper()})
    assert typed.rows and all(row[0].value == kind for row in typed.rows)
    assert typed.rows == tuple(row for row in full.rows if row[0].value == kind)


def test_a_graph_written_before_the_name_keys_gets_a_warning(tmp_path, capsys):
    from conflict_kg.cli import main

    old = tmp_path / "old.ttl"
    old.write_text('<https://w3id.org/conflict-kg/resource/group/x> '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "Islamic State"@en .\n', encoding="utf-8")
    assert main(["query", str(old), "entity", "--param", "entity_label=islamic state"]) == 0
    assert "no lower-case name keys" in capsys.readouterr().err
    assert main(["query", str(old), "backers"]) == 0  # a query that does not read the keys
    assert "name keys" not in capsys.readouterr().err
    new = tmp_path / "new.ttl"
    write_rdf(_builder_graph(), new)
    assert main(["query", str(new), "entity", "--param", "entity_label=tal sawda"]) == 0
    captured = capsys.readouterr()
    assert "name keys" not in captured.err and "Tal Sawda" in captured.out


def _builder_graph():
    builder = GraphBuilder()
    builder.add(sample_facts("d1"))
    return builder.graph()


def test_a_bundled_query_from_the_command_line_loads_neither_spacy_nor_rdflibs_parser(tmp_path):
    """Importing spaCy was most of a command-line query's time, and rdflib's SPARQL parser a
    tenth of a second: only parsing articles needs the one, only a text that may reach out the
    other (`may_reach_out`)."""
    import subprocess
    import sys

    graph = tmp_path / "g.ttl"
    write_rdf(_builder_graph(), graph)
    script = ("import sys\nfrom conflict_kg.cli import main\n"
              "code = main(['query', sys.argv[1], 'groups', '--format', 'csv'])\n"
              "print(sorted({'spacy', 'rdflib.plugins.sparql.parser'} & set(sys.modules)))\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script, str(graph)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "group,kind,aliases,backers" and "Free Hills Brigade,RebelGroup,,Oceania" in lines
    assert lines[-1] == "[]"
