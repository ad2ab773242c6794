"""Typed records that extraction hands to the RDF stage.

Records carry gazetteer keys, not IRIs: minting IRIs is the RDF stage's job, so the same
entity found in two articles meets again by key.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .dates import DateValue

__all__ = ["Article", "ArticleFacts", "DateValue", "Entity", "Evidence", "ExtractionFailure", "Operation", "Relation"]

ENTITY_TYPES = ("ArmedGroup", "Country", "Town", "Region", "Facility", "Person", "Organization", "UnidentifiedActor")
PLACE_TYPES = ("Town", "Facility", "Region", "Country")  # most specific first
OPERATION_TYPES = ("Offensive", "CounterAttack", "Capture", "Withdrawal", "Airstrike", "Airdrop",
                   "Shelling", "SuicideAttack", "Raid", "Execution", "Attack")
RELATIONS = ("backedBy", "memberOf", "alliedWith", "leaderOf", "commanderOf", "spokespersonOf")


@dataclass(frozen=True)
class Article:
    """One input article, decoded and checked."""

    id: str
    text: str
    source: str                      # file (and line) it came from, for messages
    published: dt.date | None = None
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A sentence of an article, by character offsets into the article text."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class Entity:
    """A resolved entity: one node, every surface form seen, every sentence it was seen in."""

    key: str                 # gazetteer id or "<type>:<folded name>": the same key is the same node
    type: str                # one of ENTITY_TYPES
    label: str
    subclass: str | None = None      # e.g. JihadistGroup, StateForces
    names: set[str] = field(default_factory=set)
    wikidata: str | None = None
    located_in: tuple[str, ...] = ()  # keys of containing places
    coordinates: tuple[float, float] | None = None  # (lat, lon)
    rule: str = "ner"
    confidence: float = 0.7
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Relation:
    """A binary fact between two entity keys, e.g. backedBy(group, backer)."""

    kind: str                # one of RELATIONS
    subject: str
    object: str
    evidence: Evidence
    rule: str
    confidence: float


@dataclass
class Operation:
    """A military event the text reports as having happened."""

    type: str                # one of OPERATION_TYPES
    agents: tuple[str, ...]
    evidence: Evidence
    rule: str
    confidence: float
    opponents: tuple[str, ...] = ()
    place: str | None = None
    date: DateValue | None = None
    date_basis: str | None = None    # "stated" or "publication"
    fatalities: int | None = None
    claimed_by: str | None = None
    extra_evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ArticleFacts:
    """Everything one article yields."""

    article: Article
    entities: dict[str, Entity]
    relations: list[Relation]
    operations: list[Operation]


@dataclass(frozen=True)
class ExtractionFailure:
    """An article the rules could not process; the others still go through."""

    article: Article
    message: str
