"""Hand-made records for tests of the stages after extraction (no spaCy needed)."""
from __future__ import annotations

import datetime as dt

from conflict_kg.extract.records import Article, ArticleFacts, DateValue, Entity, Evidence, Operation, Relation

TEXT = "Rebels of the Free Hills Brigade captured Tal Sawda from the Black Banner group on Monday."


def sample_facts(doc_id: str = "d1", *, capture_place: str | None = "town:tal sawda") -> ArticleFacts:
    art = Article(id=doc_id, text=TEXT, source=f"{doc_id}.txt", published=dt.date(2018, 5, 18), title="A capture")
    ev = Evidence(doc_id, 0, len(TEXT), TEXT)
    ents = {
        "armedgroup:free hills brigade": Entity("armedgroup:free hills brigade", "ArmedGroup", "Free Hills Brigade",
                                                subclass="RebelGroup", names={"Free Hills Brigade"}, evidence=[ev]),
        "armedgroup:black banner": Entity("armedgroup:black banner", "ArmedGroup", "Black Banner",
                                          subclass="JihadistGroup", names={"Black Banner group"}, evidence=[ev]),
        "town:tal sawda": Entity("town:tal sawda", "Town", "Tal Sawda", names={"Tal Sawda"}, evidence=[ev],
                                 coordinates=(36.1, 38.2)),
        "country:oceania": Entity("country:oceania", "Country", "Oceania", names={"Oceania"}, evidence=[ev]),
    }
    rels = [Relation("backedBy", "armedgroup:free hills brigade", "country:oceania", ev, "test", 0.9)]
    ops = [Operation("Capture", ("armedgroup:free hills brigade",), ev, "test", 0.8,
                     opponents=("armedgroup:black banner",), place=capture_place,
                     date=DateValue("2018-05-14", "day"), date_basis="stated", fatalities=3)]
    return ArticleFacts(art, ents, rels, ops)


TURTLE_PREFIXES = """
@prefix ckg:     <https://w3id.org/conflict-kg/ontology#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix geo:     <http://www.opengis.net/ont/geosparql#> .
@prefix group:   <https://w3id.org/conflict-kg/resource/group/> .
@prefix country: <https://w3id.org/conflict-kg/resource/country/> .
@prefix place:   <https://w3id.org/conflict-kg/resource/place/> .
@prefix person:  <https://w3id.org/conflict-kg/resource/person/> .
@prefix doc:     <https://w3id.org/conflict-kg/resource/document/> .
@prefix ev:      <https://w3id.org/conflict-kg/resource/evidence/d1/> .
@prefix op:      <https://w3id.org/conflict-kg/resource/operation/> .
@prefix st:      <https://w3id.org/conflict-kg/resource/statement/> .
"""
