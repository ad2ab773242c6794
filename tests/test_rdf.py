"""Records to RDF, and every output format back through two parsers."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from conflict_kg.iris import CKG
from conflict_kg.rdf import GraphBuilder
from conflict_kg.serialize import write_rdf

from factories import sample_facts


def _graph(*docs):
    b = GraphBuilder()
    for d in docs:
        b.add(sample_facts(d))
    return b


def test_operation_carries_arguments_and_provenance():
    g = _graph("d1").graph()
    [op] = list(g.subjects(RDF.type, CKG.Capture))
    assert g.value(op, CKG.date) == Literal("2018-05-14", datatype=XSD.date)
    assert g.value(op, CKG.fatalities) == Literal(3, datatype=XSD.nonNegativeInteger)
    assert str(g.value(g.value(op, CKG.place), RDFS.label)) == "Tal Sawda"
    assert g.value(op, PROV.wasDerivedFrom).endswith("/document/d1")
    ev = g.value(op, CKG.evidence)
    assert int(g.value(ev, CKG.startOffset)) == 0 and "captured" in str(g.value(ev, CKG.sentence))


def test_relation_is_asserted_and_reified_with_its_source():
    g = _graph("d1").graph()
    [(s, o)] = list(g.subject_objects(CKG.backedBy))
    [st] = list(g.subjects(RDF.subject, s))
    assert g.value(st, RDF.predicate) == CKG.backedBy and g.value(st, RDF.object) == o
    assert g.value(st, PROV.wasDerivedFrom).endswith("/document/d1")


def test_same_entity_in_two_articles_is_one_node_with_both_sources():
    g = _graph("d1", "d2").graph()
    [town] = list(g.subjects(RDFS.label, Literal("Tal Sawda", lang="en")))
    assert len(set(g.objects(town, PROV.wasDerivedFrom))) == 2
    assert len(list(g.subjects(RDF.type, CKG.Capture))) == 1
    assert len(list(g.objects(town, RDFS.label))) == 1
    assert (None, SKOS.altLabel, Literal("Black Banner group", lang="en")) in g


def test_every_name_of_an_entity_has_its_lower_case_search_key():
    g = _graph("d1", "d2").graph()
    named = set(g.subjects(SKOS.altLabel, None))
    assert named
    for node in named:
        names = set(g.objects(node, RDFS.label)) | set(g.objects(node, SKOS.altLabel))
        assert set(g.objects(node, SKOS.hiddenLabel)) == {Literal(str(n).lower()) for n in names}
    operations = set(g.subjects(RDF.type, CKG.Capture))
    assert not any((op, SKOS.hiddenLabel, None) in g for op in operations)  # operations are not looked up by name


@pytest.mark.parametrize("suffix,ox_format", [(".ttl", ox.RdfFormat.TURTLE), (".nt", ox.RdfFormat.N_TRIPLES),
                                              (".jsonld", ox.RdfFormat.JSON_LD), (".trig", ox.RdfFormat.TRIG)])
def test_every_format_parses_back_with_rdflib_and_pyoxigraph(tmp_path, suffix, ox_format):
    b = _graph("d1", "d2")
    g = b.graph()
    out = tmp_path / f"g{suffix}"
    write_rdf(g, out, dataset=b.dataset())
    if suffix == ".trig":
        ds = Dataset()
        ds.parse(out, format="trig")
        back = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            back.add((s, p, o))
        assert len(list(ds.graphs())) >= 2  # a named graph per article
    else:
        back = Graph().parse(out, format={".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}[suffix])
    assert isomorphic(back, g)
    quads = list(ox.parse(path=str(out), format=ox_format))
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(g)


def test_no_partial_file_is_left_when_writing_fails(tmp_path, monkeypatch):
    out = tmp_path / "g.ttl"
    out.write_text("old")
    g = _graph("d1").graph()
    monkeypatch.setattr(Graph, "serialize", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        write_rdf(g, out)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_one_event_many_reports_becomes_one_operation():
    """The same type, agents, place and date from two articles: one node, both as provenance."""
    b = GraphBuilder()
    b.add(sample_facts("d1"))
    b.add(sample_facts("d2"))
    g = b.graph()
    [op] = list(g.subjects(RDF.type, CKG.Capture))
    assert {str(d).rsplit("/", 1)[-1] for d in g.objects(op, PROV.wasDerivedFrom)} == {"d1", "d2"}
    assert len(list(g.objects(op, CKG.evidence))) == 2  # each report keeps its own evidence sentence
    assert len(list(g.objects(op, RDFS.label))) == 1


def test_reports_of_different_dates_stay_apart():
    from dataclasses import replace

    from conflict_kg.extract.records import DateValue

    second = sample_facts("d2")
    second.operations[0] = replace(second.operations[0], date=DateValue("2018-07-02", "day"))
    b = GraphBuilder()
    b.add(sample_facts("d1"))
    b.add(second)
    assert len(list(b.graph().subjects(RDF.type, CKG.Capture))) == 2
