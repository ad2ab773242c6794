"""The SHACL shapes cover every class, accept a good graph and name the broken rule."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from factories import TURTLE_PREFIXES

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "shapes" / "conflict-kg-shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "conflict-kg.ttl"
GOOD_GRAPH = ROOT / "tests" / "data" / "queries_graph.ttl"

CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
CKGSH = Namespace("https://w3id.org/conflict-kg/shapes#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = TURTLE_PREFIXES  # shared Turtle prefixes for the hand-written graphs

# A minimal graph that conforms; each bad case adds a few triples to it.
BASE = """
doc:d1 a ckg:Document ; dcterms:identifier "d1" .
ev:0-10 a ckg:Evidence ; ckg:sentence "Rebels took the town." ;
    ckg:startOffset "0"^^xsd:nonNegativeInteger ; ckg:endOffset "10"^^xsd:nonNegativeInteger ;
    prov:wasDerivedFrom doc:d1 .
group:a a ckg:RebelGroup ; rdfs:label "A"@en ; prov:wasDerivedFrom doc:d1 .
group:b a ckg:JihadistGroup ; rdfs:label "B"@en ; prov:wasDerivedFrom doc:d1 .
country:c a ckg:Country ; rdfs:label "C"@en ; prov:wasDerivedFrom doc:d1 .
place:t a ckg:Town ; rdfs:label "T"@en ; prov:wasDerivedFrom doc:d1 .
place:u a ckg:Town ; rdfs:label "U"@en ; prov:wasDerivedFrom doc:d1 .
person:p a ckg:Person ; rdfs:label "P"@en ; prov:wasDerivedFrom doc:d1 .
"""
SOURCES = "prov:wasDerivedFrom doc:d1 ; ckg:evidence ev:0-10"

# (case id, triples added to BASE, shape expected in the report)
BAD_CASES = [
    ("self-backing", "group:a ckg:backedBy group:a .", "NoSelfBackingShape"),
    ("self-alliance", "group:a ckg:alliedWith group:a .", "NotAlliedWithSelfShape"),
    ("agent-is-opponent",
     f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:opponent group:a ; {SOURCES} .",
     "AgentIsNotOpponentShape"),
    ("capture-without-place",
     f"op:x a ckg:Capture ; ckg:agent group:a ; {SOURCES} .", "CaptureHasPlaceShape"),
    ("statement-without-relation",
     "st:s a rdf:Statement , ckg:RelationAssertion ; rdf:subject group:a ; rdf:predicate ckg:backedBy ;"
     " rdf:object country:c ; prov:wasDerivedFrom doc:d1 ; ckg:evidence ev:0-10 .",
     "RelationAssertionShape"),
    ("operation-without-agent",
     f"op:x a ckg:Attack ; ckg:place place:t ; {SOURCES} .", "OperationAgentCount"),
    ("agent-is-a-town", f"op:x a ckg:Attack ; ckg:agent place:t ; {SOURCES} .", "OperationAgentClass"),
    ("two-places",
     f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:place place:t , place:u ; {SOURCES} .",
     "OperationPlace"),
    ("date-without-datatype",
     f'op:x a ckg:Attack ; ckg:agent group:a ; ckg:date "2017-11-09" ; {SOURCES} .',
     "OperationDate"),
    ("date-basis-unknown",
     f'op:x a ckg:Attack ; ckg:agent group:a ; ckg:dateBasis "guess" ; {SOURCES} .',
     "OperationDateBasis"),
    ("negative-fatalities",
     f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:fatalities -3 ; {SOURCES} .",
     "OperationFatalities"),
    ("confidence-above-one",
     f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:confidence 1.5 ; {SOURCES} .",
     "ConfidenceRange"),
    ("operation-without-document",
     "op:x a ckg:Attack ; ckg:agent group:a ; ckg:evidence ev:0-10 .", "OperationSources"),
    ("operation-without-evidence",
     "op:x a ckg:Attack ; ckg:agent group:a ; prov:wasDerivedFrom doc:d1 .", "OperationEvidence"),
    ("claimed-by-a-town",
     f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:claimedBy place:t ; {SOURCES} .",
     "OperationClaimedBy"),
    ("two-labels", 'group:a rdfs:label "A2"@en .', "LabelCount"),
    ("entity-without-document", 'group:z a ckg:Militia ; rdfs:label "Z"@en .', "DerivedFromDocument"),
    ("evidence-ends-before-start",
     'ev:9-3 a ckg:Evidence ; ckg:sentence "x" ; ckg:startOffset "9"^^xsd:nonNegativeInteger ;'
     ' ckg:endOffset "3"^^xsd:nonNegativeInteger ; prov:wasDerivedFrom doc:d1 .',
     "EvidenceStart"),
    ("document-without-identifier", "doc:d2 a ckg:Document .", "DocumentIdentifier"),
    ("document-issued-not-a-date", 'doc:d1 dcterms:issued "10 Nov 2017" .', "DocumentIssued"),
    ("town-backed-by", "place:t ckg:backedBy country:c .", "BackedByShape"),
    ("member-of-a-country", "group:a ckg:memberOf country:c .", "MemberOfValue"),
    ("allied-with-a-person", "group:a ckg:alliedWith person:p .", "AlliedWithValue"),
    ("group-as-leader", "group:a ckg:leaderOf group:b .", "RoleShape"),
    ("leader-of-a-town", "person:p ckg:leaderOf place:t .", "LeaderOfValue"),
    ("town-that-is-a-group", "place:t a ckg:ArmedGroup .", "TownShape"),
    ("located-in-a-group", "place:t ckg:locatedIn group:a .", "PlaceLocatedIn"),
    ("geometry-without-wkt", "place:t geo:hasGeometry [ a geo:Geometry ] .", "GeometryWkt"),
]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    return bool(conforms), report


def results(report: Graph) -> list[tuple[Node | None, str]]:
    """(source shape, message) of every result in a validation report."""
    return [
        (report.value(r, SH.sourceShape), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


def superclasses(ontology: Graph, cls: Node) -> set[Node]:
    return {c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if c is not None}


def test_every_model_class_is_targeted(shapes: Graph, ontology: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    model_classes: set[Node] = {CKG.Document, CKG.Evidence, CKG.RelationAssertion}
    for root in (CKG.Actor, CKG.Place, CKG.Operation):
        model_classes |= {c for c in ontology.transitive_subjects(RDFS.subClassOf, root) if c is not None}
    model_classes.discard(CKG.Backer)  # inferred by the reasoner, never written
    assert CKG.SuicideAttack in model_classes and CKG.Country in model_classes
    untargeted = [c for c in model_classes if not superclasses(ontology, c) & targeted]
    assert untargeted == []


def test_every_shape_has_an_iri_and_a_message(shapes: Graph) -> None:
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    shape_nodes |= set(shapes.subjects(RDF.type, SH.PropertyShape))
    shape_nodes |= set(shapes.objects(None, SH.property))
    assert len(shape_nodes) > 40
    for shape in shape_nodes:
        assert isinstance(shape, URIRef), f"blank-node shape: {shapes.cbd(shape).serialize(format='turtle')}"
        assert shape.startswith(str(CKGSH))
        message = shapes.value(shape, SH.message)
        assert isinstance(message, Literal) and len(str(message)) > 15, shape
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


def test_base_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    data = Graph().parse(data=PREFIXES + BASE, format="turtle")
    conforms, report = validate(data, shapes, ontology)
    assert conforms, results(report)


def test_hand_written_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, report = validate(Graph().parse(GOOD_GRAPH, format="turtle"), shapes, ontology)
    assert conforms, results(report)


@pytest.mark.parametrize(("extra", "shape"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_graph_is_reported(extra: str, shape: str, shapes: Graph, ontology: Graph) -> None:
    data = Graph().parse(data=PREFIXES + BASE + extra, format="turtle")
    conforms, report = validate(data, shapes, ontology)
    assert not conforms
    found = results(report)
    expected_shape = CKGSH[shape]
    assert expected_shape in {s for s, _ in found}, found
    # The message is the plain-words one written for that rule.
    constraint = shapes.value(expected_shape, SH.sparql)
    expected = shapes.value(constraint if constraint is not None else expected_shape, SH.message)
    assert (expected_shape, str(expected)) in found


@pytest.mark.parametrize(
    ("extra", "shape", "path"),
    [
        ("group:a ckg:backedBy group:a .", "NoSelfBackingShape", CKG.backedBy),
        ("group:a ckg:alliedWith group:a .", "NotAlliedWithSelfShape", CKG.alliedWith),
        (f"op:x a ckg:Attack ; ckg:agent group:a ; ckg:opponent group:a ; {SOURCES} .",
         "AgentIsNotOpponentShape", CKG.opponent),
    ],
)
def test_sparql_results_name_the_offending_triple(
    extra: str, shape: str, path: URIRef, shapes: Graph, ontology: Graph
) -> None:
    """Path and value let a consumer drop that one triple instead of the whole node."""
    data = Graph().parse(data=PREFIXES + BASE + extra, format="turtle")
    _, report = validate(data, shapes, ontology)
    [result] = list(report.subjects(SH.sourceShape, CKGSH[shape]))
    focus, value = report.value(result, SH.focusNode), report.value(result, SH.value)
    assert report.value(result, SH.resultPath) == path
    assert (focus, path, value) in data


def test_subclass_targets_work_without_the_ontology(shapes: Graph) -> None:
    """Targets list every subclass, so a Capture is checked even without the class hierarchy."""
    data = Graph().parse(data=PREFIXES + BASE + "op:x a ckg:Capture .", format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert CKGSH.OperationAgentCount in {s for s, _ in results(report)}
