"""The store: adding articles one at a time gives the graph of one build; adding one again
changes nothing; removing one takes out what only it supported; labels stay one per entity;
only facts that pass SHACL (with the store as context) enter; exports round-trip."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from conflict_kg.cli import main
from conflict_kg.iris import CKG, RES, entity_iri
from conflict_kg.query import bundled_queries, open_store, run_query
from conflict_kg.rdf import GraphBuilder
from conflict_kg.store import (MARKER, QUARANTINE, SERVE_LOCK, GraphStore, StoreError, _rdflib,
                               graph_iri)
from conflict_kg.validate import ontology_graph

from factories import sample_facts

REPO = Path(__file__).resolve().parents[1]
ARTICLES = sorted((REPO / "examples" / "articles").glob("*.txt"))
PUBLISHED = "2016-06-29"  # for the sample articles that carry no dateline
PARAM_VALUES = {"place_label": "Albu Kamal", "entity_label": "Islamic State", "region_label": "Syria"}


def _cli(*argv: str) -> int:
    return main([*argv, "--no-progress"] if argv[0] in ("build", "add") else list(argv))


@pytest.fixture(scope="module")
def one_build(tmp_path_factory) -> tuple[Path, Path]:
    """The five sample articles in one build, written to a file and to a store."""
    tmp = tmp_path_factory.mktemp("one")
    out, store = tmp / "graph.ttl", tmp / "store"
    assert _cli("build", *map(str, ARTICLES), "--published", PUBLISHED, "--out", str(out), "--store", str(store)) == 0
    return out, store


@pytest.fixture(scope="module")
def incremental(tmp_path_factory) -> Path:
    """The same articles added to a new store one at a time."""
    store = tmp_path_factory.mktemp("incremental") / "store"
    for article in ARTICLES:
        assert _cli("add", str(article), "--published", PUBLISHED, "--store", str(store)) == 0
    return store


def _union(path: Path) -> Graph:
    with GraphStore.open(path, read_only=True) as store:
        return store.union()


def _graphs(path: Path) -> dict[URIRef, Graph]:
    with GraphStore.open(path, read_only=True) as store:
        ds = store.dataset()
    return {g.identifier: g for g in ds.graphs() if len(g)}


def _named_union(path: Path) -> Graph:
    out = Graph()
    for g in _graphs(path).values():
        for t in g:
            out.add(t)
    return out


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return dst


def _via_oxigraph(path: Path) -> Graph:
    """A graph file as the store holds it: Oxigraph keeps literals by value
    (xsd:nonNegativeInteger -> xsd:integer, 0.80 -> 0.8)."""
    store = open_store(path)
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    return g


# -- the acceptance tests of the issue ------------------------------------------------------
def test_adding_articles_one_at_a_time_gives_the_graph_of_one_build(one_build, incremental):
    out, built_store = one_build
    added = _union(incremental)
    assert len(added) > 1000
    assert isomorphic(added, _union(built_store))
    assert isomorphic(added, _via_oxigraph(out)), "the store holds what `build --out` writes"
    with GraphStore.open(incremental, read_only=True) as store:
        ids = [a.id for a in store.articles()]
    assert ids == [p.stem for p in ARTICLES]


def test_the_default_graph_is_the_union_of_the_article_graphs(one_build, incremental):
    for path in (one_build[1], incremental):
        assert isomorphic(_union(path), _named_union(path))


def test_adding_an_article_again_changes_nothing(incremental, tmp_path):
    store = _copy(incremental, tmp_path)
    before, graphs_before = _union(store), _graphs(store)
    quarantine_before = Dataset().parse(store / QUARANTINE, format="trig")
    assert _cli("add", str(ARTICLES[1]), "--published", PUBLISHED, "--store", str(store)) == 0
    assert isomorphic(_union(store), before)
    graphs_after = _graphs(store)
    assert graphs_after.keys() == graphs_before.keys()
    assert all(isomorphic(graphs_after[g], graphs_before[g]) for g in graphs_before)
    quarantine_after = Dataset().parse(store / QUARANTINE, format="trig")
    for g in graph_iri(ARTICLES[1].stem), graph_iri(ARTICLES[0].stem):
        assert isomorphic(quarantine_after.graph(g), quarantine_before.graph(g))


def test_removing_an_article_takes_out_what_only_it_supported(incremental, tmp_path, capsys):
    store = _copy(incremental, tmp_path)
    graphs = _graphs(store)
    gone_id = ARTICLES[2].stem
    gone = graphs[graph_iri(gone_id)]
    others = Graph()
    for g, triples in graphs.items():
        if g != graph_iri(gone_id):
            for t in triples:
                others.add(t)
    only_it = {t for t in gone if t not in others}
    shared = {t for t in gone if t in others}
    assert only_it and shared, "the sample needs both kinds of triple for this test to mean something"

    assert _cli("remove", gone_id, "--store", str(store)) == 0
    assert f"removed {gone_id}" in capsys.readouterr().out
    after = _union(store)
    assert not any(t in after for t in only_it)
    assert all(t in after for t in shared)
    assert isomorphic(after, others)
    assert graph_iri(gone_id) not in _graphs(store)
    assert len(Dataset().parse(store / QUARANTINE, format="trig").graph(graph_iri(gone_id))) == 0

    # and adding it back restores the graph
    assert _cli("add", str(ARTICLES[2]), "--published", PUBLISHED, "--store", str(store)) == 0
    assert isomorphic(_union(store), _union(incremental))


def test_removing_an_unknown_article_names_it_and_removes_nothing(incremental, tmp_path, capsys):
    store = _copy(incremental, tmp_path)
    before = _union(store)
    assert _cli("remove", ARTICLES[0].stem, "no-such-article", "--store", str(store)) == 2
    err = capsys.readouterr().err
    assert "no-such-article" in err and "nothing was removed" in err
    assert isomorphic(_union(store), before)


# -- querying and exporting ---------------------------------------------------------------
def _rows(result) -> list[tuple]:
    """Rows with GROUP_CONCAT parts sorted (their order is not defined), in a fixed order."""
    rows = [tuple(" | ".join(sorted(cell.split(" | "))) for cell in row) for row in result.texts()]
    return sorted(rows)


@pytest.mark.parametrize("name", sorted(bundled_queries()))
def test_query_on_the_store_answers_as_on_the_built_file(name, one_build, incremental):
    out, _ = one_build
    query = bundled_queries()[name]
    params = {p: PARAM_VALUES[p] for p in query.params if p in PARAM_VALUES}
    with GraphStore.open(incremental, read_only=True) as store:
        from_store = run_query(store.db, query.text, params=params)
    from_file = run_query(open_store(out), query.text, params=params)
    assert from_store.variables == from_file.variables
    assert _rows(from_store) == _rows(from_file)


def test_query_command_takes_a_store(incremental, capsys):
    assert _cli("query", "--store", str(incremental), "backers", "--format", "json") == 0
    answer = json.loads(capsys.readouterr().out)
    pairs = {(b["group"]["value"], b["backer"]["value"]) for b in answer["results"]["bindings"]}
    assert ("Hezbollah", "Iran") in pairs
    # inline SPARQL keeps its IRIs intact (no path normalisation of "https://")
    q = "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#> SELECT ?g WHERE { ?g a ckg:JihadistGroup }"
    assert _cli("query", "--store", str(incremental), q, "--format", "csv") == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert "https://w3id.org/conflict-kg/resource/group/islamic-state" in rows
    assert len(rows) == len(set(rows)), "each group once, however many articles name it"


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld"])
def test_export_of_the_union_round_trips_through_two_parsers(suffix, incremental, tmp_path):
    out = tmp_path / f"export{suffix}"
    assert _cli("export", "--store", str(incremental), "--out", str(out)) == 0
    union = _union(incremental)
    assert isomorphic(Graph().parse(out), union)
    assert isomorphic(_via_oxigraph(out), union)
    if suffix == ".ttl":
        text = out.read_text("utf-8")
        assert "@prefix ckg: <https://w3id.org/conflict-kg/ontology#> ." in text
        assert re.search(r"\sa ckg:Capture\b", text) and "rdfs:label" in text
    if suffix == ".jsonld":
        assert json.loads(out.read_text("utf-8"))["@context"]["ckg"] == str(CKG)


@pytest.mark.parametrize("suffix", [".trig", ".nq"])
def test_export_as_a_dataset_has_a_named_graph_per_article(suffix, incremental, tmp_path):
    out = tmp_path / f"export{suffix}"
    assert _cli("export", "--store", str(incremental), "--out", str(out)) == 0
    ds = Dataset().parse(out, format="trig" if suffix == ".trig" else "nquads")
    exported = {g.identifier: g for g in ds.graphs() if len(g)}
    held = _graphs(incremental)
    assert exported.keys() == held.keys() == {graph_iri(p.stem) for p in ARTICLES}
    assert all(isomorphic(exported[g], held[g]) for g in held)
    loaded = ox.Store()
    loaded.bulk_load(path=str(out))
    assert len(loaded) == sum(len(g) for g in held.values())


def test_export_with_the_ontology(incremental, tmp_path):
    ttl, trig = tmp_path / "with.ttl", tmp_path / "with.trig"
    assert _cli("export", "--store", str(incremental), "--out", str(ttl), "--with-ontology") == 0
    assert _cli("export", "--store", str(incremental), "--out", str(trig), "--with-ontology") == 0
    ontology = ontology_graph()
    assert len(Graph().parse(ttl)) == len(_union(incremental)) + len(ontology)
    onto = Dataset().parse(trig, format="trig").graph(URIRef("https://w3id.org/conflict-kg/ontology"))
    assert isomorphic(onto, ontology)


def test_export_names_an_unknown_format(incremental, tmp_path, capsys):
    assert _cli("export", "--store", str(incremental), "--out", str(tmp_path / "g.xml")) == 2
    assert "g.xml: unknown output format" in capsys.readouterr().err
    assert not (tmp_path / "g.xml").exists()


# -- the label policy and validation against the store (hand-made records, no spaCy) -------
def _add(store: GraphStore, *facts):
    builder = GraphBuilder(known=store)
    for f in facts:
        builder.add(f)
    outcome = store.validate(builder)
    store.record_quarantine(builder.articles, store.write(builder, outcome), outcome)
    return outcome


def test_an_entity_keeps_the_label_the_store_has(tmp_path):
    first = sample_facts("d1")
    second = sample_facts("d2")
    key = "armedgroup:free hills brigade"
    second.entities[key] = dataclasses.replace(second.entities[key], label="FHB", names={"FHB"})
    with GraphStore.open(tmp_path / "s", create=True) as store:
        _add(store, first)
        _add(store, second)
        union = store.union()
    node = entity_iri("ArmedGroup", key)
    assert [str(label) for label in union.objects(node, RDFS.label)] == ["Free Hills Brigade"]
    assert "FHB" in {str(a) for a in union.objects(node, SKOS.altLabel)}


def test_a_fact_that_clashes_with_the_store_is_quarantined_and_the_store_keeps_its_own(tmp_path):
    first = sample_facts("d1")
    second = sample_facts("d2")  # the same capture (same type, agent, place, date) ...
    second.operations[0] = dataclasses.replace(second.operations[0], fatalities=30)  # ... another toll
    with GraphStore.open(tmp_path / "s", create=True) as store:
        assert _add(store, first).conforms
        outcome = _add(store, second)
        union = store.union()
        graphs = {g.value for g in store.db.named_graphs()}
    assert [v.shape for v in outcome.violations] == ["OperationFatalities"]
    tolls = {int(o) for o in union.objects(None, CKG.fatalities)}
    assert tolls == {3}, "the store keeps the toll it had; the clashing report is quarantined"
    assert str(graph_iri("d2")) in graphs  # the rest of the second article entered
    quarantine = Dataset().parse(tmp_path / "s" / QUARANTINE, format="trig").graph(graph_iri("d2"))
    assert {int(o) for o in quarantine.objects(None, CKG.fatalities)} == {30}, "the clashing toll is kept aside"
    assert not list(quarantine.subjects(RDF.type, CKG.Capture)), "the event itself is not refused"


def _store_content(path: Path) -> tuple[set[str], dict[str, Graph]]:
    """The store's quads, as text, and its quarantine, a graph per article (records included)."""
    db = ox.Store.read_only(str(path / "oxigraph"))
    quads = {str(q) for q in db}
    del db
    quarantine = Dataset().parse(path / QUARANTINE, format="trig")
    return quads, {str(g.identifier): g for g in quarantine.graphs() if len(g)}


def _same_content(a: Path, b: Path) -> bool:
    (quads_a, quarantine_a), (quads_b, quarantine_b) = _store_content(a), _store_content(b)
    return (quads_a == quads_b and quarantine_a.keys() == quarantine_b.keys()
            and all(isomorphic(quarantine_a[g], quarantine_b[g]) for g in quarantine_a))


@pytest.mark.parametrize("tolls", [(3, 30, 3), (30, 3, 30, 40), (3, 3, 30), (30, 3)])
def test_reports_that_clash_get_what_adding_them_one_at_a_time_gives(tolls, tmp_path):
    """Whichever batches the articles fall into (`--batch-articles`), the first report of an
    event's toll stays and a later report of another toll is quarantined, as when each is added
    alone: the store keeps what it holds. In one batch, both tolls used to be quarantined."""
    reports = [sample_facts(f"d{i}") for i in range(len(tolls))]  # one capture, reported again ...
    for facts, toll in zip(reports, tolls):
        facts.operations[0] = dataclasses.replace(facts.operations[0], fatalities=toll)  # ... with a toll
    with GraphStore.open(tmp_path / "one-by-one", create=True) as store:
        one_by_one = [v for facts in reports for v in _add(store, facts).violations]
    with GraphStore.open(tmp_path / "together", create=True) as store:
        together = _add(store, *reports).violations
        union = store.union()
    assert {int(o) for o in union.objects(None, CKG.fatalities)} == {tolls[0]}
    clashing = [toll for toll in tolls[1:] if toll != tolls[0]]
    assert [v.shape for v in together] == ["OperationFatalities"] * len(clashing), "one per clashing report"
    assert together == one_by_one
    assert _same_content(tmp_path / "together", tmp_path / "one-by-one")


@pytest.mark.parametrize("bases", [("publication", "stated"), ("stated", "publication")])
def test_an_event_dated_by_one_report_and_by_publication_in_another_keeps_both_bases(bases, tmp_path):
    """Each report keeps its own date basis in its graph, so the union has both and nothing
    clashes, whatever the batches. It used to depend on them: in one batch the event was
    "stated" (the earlier report's basis dropped), across two the later basis was quarantined."""
    reports = [sample_facts(f"d{i}") for i in range(2)]
    for facts, basis in zip(reports, bases):
        facts.operations[0] = dataclasses.replace(facts.operations[0], date_basis=basis)
    for layout in ("one-by-one", "together"):
        with GraphStore.open(tmp_path / layout, create=True) as store:
            batches = [[facts] for facts in reports] if layout == "one-by-one" else [reports]
            assert [v for batch in batches for v in _add(store, *batch).violations] == []
            capture = next(store.union().subjects(RDF.type, CKG.Capture))
            assert {str(b) for b in store.union().objects(capture, CKG.dateBasis)} == {"stated", "publication"}
            for facts, basis in zip(reports, bases):
                graph = store.dataset().graph(graph_iri(facts.article.id))
                assert [str(b) for b in graph.objects(capture, CKG.dateBasis)] == [basis]
    assert _same_content(tmp_path / "together", tmp_path / "one-by-one")


@st.composite
def _reports_and_batches(draw: st.DrawFn) -> tuple[list, list[int]]:
    """Reports of one capture, each with no toll, a toll, or now and then two tolls of its own,
    its date stated or only from its publication, and the points where they are cut into
    batches."""
    tolls = st.sampled_from([None, 3, 30, 40])
    bases = st.sampled_from(["stated", "publication"])
    reports = []
    for i in range(draw(st.integers(2, 5))):
        facts = sample_facts(f"d{i}")
        capture = facts.operations[0]
        facts.operations[0] = capture = dataclasses.replace(capture, fatalities=draw(tolls), date_basis=draw(bases))
        if draw(st.integers(0, 3)) == 0:
            facts.operations.append(dataclasses.replace(capture, fatalities=draw(tolls)))
        reports.append(facts)
    cuts = sorted(set(draw(st.lists(st.integers(1, len(reports) - 1), max_size=len(reports) - 1))))
    return reports, cuts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_reports_and_batches())
def test_any_batches_of_clashing_reports_give_what_one_at_a_time_gives(tmp_path, reports_and_cuts):
    reports, cuts = reports_and_cuts
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    with GraphStore.open(root / "one-by-one", create=True) as store:
        one_by_one = [v for facts in reports for v in _add(store, facts).violations]
    bounds = [0, *cuts, len(reports)]
    with GraphStore.open(root / "batches", create=True) as store:
        batched = [v for a, b in zip(bounds, bounds[1:]) for v in _add(store, *reports[a:b]).violations]
    assert batched == one_by_one
    assert _same_content(root / "batches", root / "one-by-one")


def test_a_batch_is_validated_before_it_enters(tmp_path):
    bad = sample_facts("d1", capture_place=None)  # a capture without a place
    with GraphStore.open(tmp_path / "s", create=True) as store:
        outcome = _add(store, bad)
        union = store.union()
    assert [v.shape for v in outcome.violations] == ["CaptureHasPlaceShape"]
    assert not list(union.subjects(None, CKG.Capture))
    assert (tmp_path / "s" / "report.txt").read_text().count("CaptureHasPlaceShape") == 1


# -- opening and locking --------------------------------------------------------------------
def test_a_directory_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreError, match="not a conflict-kg store"):
        GraphStore.open(tmp_path, create=True)
    with pytest.raises(StoreError, match="no such store"):
        GraphStore.open(tmp_path / "missing")


def test_build_needs_somewhere_to_write(capsys):
    assert _cli("build", str(ARTICLES[0])) == 2
    assert "--out FILE, --store DIR or both" in capsys.readouterr().err


def test_query_on_a_missing_store_names_it(tmp_path, capsys):
    assert _cli("query", "--store", str(tmp_path / "nope"), "backers") == 2
    assert "nope: no such store" in capsys.readouterr().err


def test_a_served_store_refuses_writers(tmp_path):
    path = tmp_path / "s"
    with GraphStore.open(path, create=True):
        pass
    (path / SERVE_LOCK).write_text(json.dumps({"pid": os.getpid(), "url": "http://127.0.0.1:1/query"}))
    with pytest.raises(StoreError, match="being served"):
        GraphStore.open(path)
    with GraphStore.open(path, read_only=True):  # readers are welcome
        pass
    assert (path / MARKER).is_file()


def test_article_ids_that_would_share_a_graph_are_refused(tmp_path):
    with GraphStore.open(tmp_path / "s", create=True) as store:
        _add(store, sample_facts("Doc 1"))
        other = sample_facts("doc-1")
        problem = store.graph_clash(other.article, {})
        assert store.graph_clash(sample_facts("Doc 1").article, {}) is None, "the same id is no clash"
    assert problem is not None and "'doc-1'" in problem and "'Doc 1'" in problem


def test_a_derived_graph_joins_and_leaves_the_union_without_taking_article_facts(tmp_path):
    """replace_graphs is how graphs derived from the articles (e.g. inferences) are written."""
    derived = RES["graph/derived"]
    with GraphStore.open(tmp_path / "s", create=True) as store:
        _add(store, sample_facts("d1"))
        before = store.union()
        shared = next(iter(before.triples((None, RDFS.label, None))))
        own = (URIRef("https://example.org/x"), RDFS.label, shared[2])
        store.replace_graphs({derived: [shared, own]})
        assert own in store.union() and len(store.union()) == len(before) + 1
        store.replace_graphs({derived: None})
        assert isomorphic(store.union(), before), "the article's copy of the shared triple stays"
        store.replace_graphs({derived: [own]})
        assert [a.id for a in store.articles()] == ["d1"], "a derived graph is not an article"
        clash = sample_facts("derived").article
        assert "uses for something else" in store.graph_clash(clash, {})
        with pytest.raises(StoreError, match="no article 'derived'"):
            store.remove(["derived"])
