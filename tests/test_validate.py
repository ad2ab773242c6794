"""SHACL before publishing: valid facts published, broken ones quarantined with a reason."""
from __future__ import annotations

from rdflib.namespace import RDF, SH

from conflict_kg.iris import CKG
from conflict_kg.rdf import GraphBuilder
from conflict_kg.validate import format_report, validate

from factories import sample_facts


def _build(**kw):
    b = GraphBuilder()
    b.add(sample_facts(**kw))
    return b.graph()


def test_good_facts_conform():
    outcome = validate(_build())
    assert outcome.conforms, format_report(outcome)
    assert len(outcome.quarantine) == 0
    assert len(outcome.valid) == len(_build())


def test_capture_without_place_is_quarantined_with_shape_message_and_sentence():
    outcome = validate(_build(capture_place=None))
    assert not outcome.conforms
    [v] = outcome.violations
    assert v.shape.endswith("CaptureHasPlaceShape")
    assert "place" in v.message.lower()
    assert any("captured Tal Sawda" in s for s in v.sentences)
    assert not list(outcome.valid.subjects(RDF.type, CKG.Capture))
    assert list(outcome.quarantine.subjects(RDF.type, CKG.Capture))
    [record] = list(outcome.quarantine.subjects(RDF.type, CKG.QuarantineRecord))
    assert outcome.quarantine.value(record, SH.resultMessage) is not None
    report = format_report(outcome)
    assert "CaptureHasPlaceShape" in report and "captured Tal Sawda" in report


def test_self_backing_is_removed_alone():
    g = _build()
    group = next(g.subjects(CKG.backedBy, None))
    g.add((group, CKG.backedBy, group))
    outcome = validate(g)
    assert (group, CKG.backedBy, group) not in outcome.valid
    assert (group, CKG.backedBy, group) in outcome.quarantine
    assert list(outcome.valid.subjects(RDF.type, CKG.Capture)), "unrelated facts stay published"


def test_two_death_tolls_for_one_event_take_out_the_tolls_not_the_event():
    """Two reports of one event with different tolls: the count is refused, the event stays."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    g = _build()
    capture = next(g.subjects(RDF.type, CKG.Capture))
    g.add((capture, CKG.fatalities, Literal(7, datatype=XSD.nonNegativeInteger)))
    outcome = validate(g)
    [v] = outcome.violations
    assert v.shape.endswith("OperationFatalities") or "death toll" in v.message
    assert not list(outcome.valid.objects(capture, CKG.fatalities))
    assert len(list(outcome.quarantine.objects(capture, CKG.fatalities))) == 2
    assert (capture, RDF.type, CKG.Capture) in outcome.valid and list(outcome.valid.objects(capture, CKG.place))


def test_an_event_one_report_dates_and_another_only_by_publication_has_both_bases():
    import dataclasses

    from rdflib import Literal

    first, second = sample_facts("d1"), sample_facts("d2")
    second.operations[0] = dataclasses.replace(second.operations[0], date_basis="publication")
    for order in ((first, second), (second, first)):
        b = GraphBuilder()
        for facts in order:
            b.add(facts)
        capture = next(b.graph().subjects(RDF.type, CKG.Capture))
        assert set(b.graph().objects(capture, CKG.dateBasis)) == {Literal("stated"), Literal("publication")}
        assert b.support[(capture, CKG.dateBasis, Literal("publication"))] == {"d2"}  # each in its report's graph
        assert b.support[(capture, CKG.dateBasis, Literal("stated"))] == {"d1"}
        assert validate(b.graph()).conforms


def _cascade_graph():
    """A place wrongly said to be a member of a group: the place fails MemberOfShape as a whole
    (a place is no actor) and goes; the capture that took it is then left without a place."""
    g = _build()
    capture = next(g.subjects(RDF.type, CKG.Capture))
    place = g.value(capture, CKG.place)
    group = next(g.subjects(CKG.backedBy, None))
    g.add((place, CKG.memberOf, group))
    return g, capture


def test_a_removal_that_leaves_another_node_invalid_is_followed_in_the_next_round():
    g, capture = _cascade_graph()
    outcome = validate(g)
    shapes = [v.shape for v in outcome.violations]
    assert any(s.endswith("MemberOfShape") for s in shapes), shapes
    assert any(s.endswith("CaptureHasPlaceShape") for s in shapes), shapes
    assert (capture, RDF.type, CKG.Capture) not in outcome.valid
    assert (capture, RDF.type, CKG.Capture) in outcome.quarantine


def test_later_rounds_on_the_neighbourhood_decide_as_rounds_on_the_whole_graph(monkeypatch):
    import conflict_kg.validate as validation

    calls = []
    neighbourhood = validation._neighbourhood
    monkeypatch.setattr(validation, "_neighbourhood", lambda *args: calls.append(args) or neighbourhood(*args))
    g, _capture = _cascade_graph()
    narrow = validate(g)
    assert calls, "no round after a removal: the case tests nothing"
    g, _capture = _cascade_graph()
    monkeypatch.setattr(validation, "_neighbourhood", lambda valid, nodes, ontology: valid)
    whole = validate(g)
    assert set(narrow.valid) == set(whole.valid)
    assert [(v.focus, v.shape, v.path, v.value) for v in narrow.violations] == \
           [(v.focus, v.shape, v.path, v.value) for v in whole.violations]
