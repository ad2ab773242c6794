"""The ontology parses, declares every term the RDF model uses, and loads in owlready2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection

from conflict_kg.reason import load_ontology, load_world

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "conflict-kg.ttl"
MODEL_DOC = ROOT / "docs" / "rdf-model.md"
CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
# An open Namespace: pytest probing rdflib's closed XSD namespace emits warnings.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/conflict-kg/ontology")

PREFIXES = {
    "ckg": str(CKG),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
}
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

CLASSES = """Actor ArmedGroup StateForces JihadistGroup RebelGroup Militia KurdishForces Coalition
Person Organization Place Town Region Facility Country Operation Offensive CounterAttack Capture
Withdrawal Airstrike Airdrop Shelling SuicideAttack Raid Execution Attack Document Evidence
RelationAssertion Backer""".split()
OBJECT_PROPERTIES = """backedBy backs memberOf alliedWith agent opponent place claimedBy leaderOf
commanderOf spokespersonOf locatedIn evidence""".split()
DATATYPE_PROPERTIES = "date fatalities confidence rule dateBasis sentence startOffset endOffset".split()


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def declared(onto: Graph, term: URIRef) -> bool:
    return any((term, RDF.type, kind) in onto for kind in DECLARATIONS)


def test_parses_with_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert len(onto) > 200


def test_required_terms_have_the_right_kind(onto: Graph) -> None:
    for name in CLASSES:
        assert (CKG[name], RDF.type, OWL.Class) in onto, name
    for name in OBJECT_PROPERTIES:
        assert (CKG[name], RDF.type, OWL.ObjectProperty) in onto, name
    for name in DATATYPE_PROPERTIES:
        assert (CKG[name], RDF.type, OWL.DatatypeProperty) in onto, name


def test_every_term_in_the_model_doc_is_declared(onto: Graph) -> None:
    text = MODEL_DOC.read_text(encoding="utf-8")
    used = set(re.findall(r"\b(ckg|prov|skos|dcterms|schema|geo):([A-Za-z]\w*)", text))
    assert ("ckg", "backedBy") in used  # the pattern does find the doc's terms
    missing = [
        f"{prefix}:{name}"
        for prefix, name in sorted(used)
        if (prefix, name) != ("geo", "wktLiteral")  # a datatype, not a term to declare
        and not declared(onto, URIRef(PREFIXES[prefix] + name))
    ]
    assert missing == []


def test_every_ckg_term_has_label_and_comment(onto: Graph) -> None:
    terms = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(CKG))}
    assert len(terms) >= len(CLASSES) + len(OBJECT_PROPERTIES) + len(DATATYPE_PROPERTIES)
    for term in terms:
        assert onto.value(term, RDFS.label) is not None, term
        assert onto.value(term, RDFS.comment) is not None, term


def test_everything_referenced_by_an_axiom_is_declared(onto: Graph) -> None:
    """OWL 2 DL wants every class and property used in an axiom to be declared."""
    axioms = (RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range, RDFS.subPropertyOf,
              OWL.inverseOf, OWL.disjointWith, OWL.onProperty, OWL.someValuesFrom)
    referenced: set[URIRef] = set()
    for p in axioms:
        referenced |= {o for o in onto.objects(None, p) if isinstance(o, URIRef)}
    for head in list(onto.objects(None, OWL.members)) + list(onto.objects(None, OWL.unionOf)):
        referenced |= {m for m in Collection(onto, head) if isinstance(m, URIRef)}
    undeclared = [t for t in referenced if not t.startswith(str(XSD)) and not declared(onto, t)]
    assert undeclared == []


def test_key_axioms(onto: Graph) -> None:
    assert (CKG.Country, RDFS.subClassOf, CKG.Actor) in onto
    assert (CKG.Country, RDFS.subClassOf, CKG.Place) in onto
    assert (CKG.backedBy, OWL.inverseOf, CKG.backs) in onto
    assert (CKG.alliedWith, RDF.type, OWL.SymmetricProperty) in onto
    assert (CKG.locatedIn, RDF.type, OWL.TransitiveProperty) in onto
    assert onto.value(CKG.date, RDFS.range) is None  # HermiT rejects xsd:date as a range
    assert onto.value(CKG.fatalities, RDFS.range) == XSD.nonNegativeInteger
    restriction = onto.value(CKG.Backer, OWL.equivalentClass)
    assert isinstance(restriction, BNode)
    assert onto.value(restriction, OWL.onProperty) == CKG.backs
    assert onto.value(restriction, OWL.someValuesFrom) == CKG.ArmedGroup
    for sub in ("ArmedGroup", "Person", "Organization", "Country"):
        assert (CKG[sub], RDFS.subClassOf, CKG.Actor) in onto, sub
    assert (CKG.Operation, OWL.disjointWith, CKG.Actor) in onto
    # Actor and Place share Country, so they must not be declared disjoint.
    assert (CKG.Actor, OWL.disjointWith, CKG.Place) not in onto
    assert (CKG.Place, OWL.disjointWith, CKG.Actor) not in onto


def test_packaged_loader_finds_the_same_ontology(onto: Graph) -> None:
    assert len(load_ontology()) == len(onto)


def test_loads_in_owlready2(onto: Graph) -> None:
    world = load_world(onto)
    try:
        for name in CLASSES:
            assert world[str(CKG[name])] is not None, name
        assert world[str(CKG.backedBy)].inverse_property is world[str(CKG.backs)]
        country = world[str(CKG.Country)]
        assert {c.iri for c in country.is_a} >= {str(CKG.Actor), str(CKG.Place)}
    finally:
        world.close()
