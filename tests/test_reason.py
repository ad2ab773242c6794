"""OWL reasoning with HermiT: inferred backers and relations, and readable inconsistencies."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
from rdflib import Graph

from conflict_kg.reason import (
    ReasoningReport,
    check_java,
    format_report,
    load_ontology,
    reason,
    reasoning_subset,
)

from factories import TURTLE_PREFIXES

ROOT = Path(__file__).resolve().parent.parent
QUERY_GRAPH = ROOT / "tests" / "data" / "queries_graph.ttl"

JAVA_PROBLEM = check_java()
needs_java = pytest.mark.skipif(JAVA_PROBLEM is not None, reason=f"HermiT cannot run: {JAVA_PROBLEM}")

PREFIXES = TURTLE_PREFIXES  # shared Turtle prefixes for the hand-written graphs

CONSISTENT = PREFIXES + """
doc:d1 a ckg:Document ; dcterms:identifier "d1" ; dcterms:issued "2017-11-10"^^xsd:date .
group:syrian-government-forces a ckg:StateForces ; rdfs:label "Syrian government forces"@en ;
    ckg:backedBy country:russia ; prov:wasDerivedFrom doc:d1 .
group:hezbollah a ckg:Militia ; rdfs:label "Hezbollah"@en ;
    ckg:alliedWith group:syrian-government-forces .
country:russia a ckg:Country ; rdfs:label "Russia"@en .
country:syria a ckg:Country ; rdfs:label "Syria"@en .
place:deir-ezzor a ckg:Region ; rdfs:label "Deir Ezzor province"@en ; ckg:locatedIn country:syria .
place:albu-kamal a ckg:Town ; rdfs:label "Albu Kamal"@en ; ckg:locatedIn place:deir-ezzor .
op:0a1b2c3d4e5f a ckg:Capture ; ckg:agent group:syrian-government-forces ; ckg:place place:albu-kamal ;
    ckg:date "2017-11-09"^^xsd:date ; ckg:fatalities "3"^^xsd:nonNegativeInteger .
st:a1b2c3d4e5f6 a rdf:Statement , ckg:RelationAssertion ; rdf:subject group:syrian-government-forces ;
    rdf:predicate ckg:backedBy ; rdf:object country:russia ; prov:wasDerivedFrom doc:d1 .
"""

INCONSISTENT = PREFIXES + """
place:raqqa a ckg:Town , ckg:ArmedGroup ; rdfs:label "Raqqa"@en .
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "graph.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def test_subset_drops_dates_provenance_nodes_and_literals() -> None:
    data = Graph().parse(data=CONSISTENT, format="turtle")
    subset = reasoning_subset(data, load_ontology())
    datatypes = {getattr(o, "datatype", None) for o in subset.objects()}
    assert not {d for d in datatypes if d is not None and "XMLSchema#" in str(d)} - {
        "http://www.w3.org/2001/XMLSchema#string"
    }
    assert "statement" not in subset.serialize(format="nt")
    assert len(subset) < len(data)


def test_check_java_explains_a_missing_java(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    message = check_java()
    assert message is not None
    assert "Java 11" in message and "apt-get install -y default-jre-headless" in message


@needs_java
def test_country_backing_a_group_is_inferred_a_backer(tmp_path: Path) -> None:
    report = reason(write(tmp_path, CONSISTENT))
    assert isinstance(report, ReasoningReport)
    assert report.consistent and report.inconsistency_explanation is None
    assert ("Russia", "Backer") in report.inferred_types
    assert ("Syria", "Backer") not in report.inferred_types
    assert ("Russia", "backs", "Syrian government forces") in report.inferred_relations
    assert ("Syrian government forces", "allied with", "Hezbollah") in report.inferred_relations
    assert ("Albu Kamal", "located in", "Syria") in report.inferred_relations
    assert report.individuals == 8  # 7 entities and operations + 1 document; the statement is dropped
    assert report.seconds > 0
    text = format_report(report)
    assert "consistent" in text and "Russia is a Backer" in text


@needs_java
def test_disjoint_types_make_the_graph_inconsistent(tmp_path: Path) -> None:
    report = reason(write(tmp_path, INCONSISTENT))
    assert not report.consistent
    explanation = report.inconsistency_explanation or ""
    assert "Raqqa" in explanation
    assert "Town" in explanation and "Armed group" in explanation
    assert report.inferred_types == [] and report.inferred_relations == []
    assert "INCONSISTENT" in format_report(report)


@needs_java
def test_wrong_place_type_is_explained_through_the_range(tmp_path: Path) -> None:
    text = PREFIXES + """
    group:is a ckg:JihadistGroup ; rdfs:label "Islamic State"@en .
    op:1 a ckg:Attack ; ckg:agent group:is ; ckg:place group:is .
    """
    report = reason(write(tmp_path, text))
    assert not report.consistent
    assert "'place'" in (report.inconsistency_explanation or "")


@needs_java
def test_hand_written_query_graph_is_consistent() -> None:
    """A graph in the full shape of docs/rdf-model.md (dates, reification, evidence) reasons fine."""
    report = reason(QUERY_GRAPH)
    assert report.consistent
    backers = {who for who, what in report.inferred_types if what == "Backer"}
    assert backers == {"United States", "Russia"}


@needs_java
def test_ontology_alone_is_consistent() -> None:
    report = reason()
    assert report.consistent and report.individuals == 0
