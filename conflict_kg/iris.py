"""The one place IRIs are minted: safe characters only, stable across runs.

Every resource IRI comes from `mint`, which makes each path segment a `slug` of any name
(any Unicode, control characters, lone surrogates, empty: all give a non-empty
``[a-z0-9-]`` segment) and checks the result. Vocabulary terms (`term`) are checked to be
plain local names. So every IRI written is a valid absolute IRI that Turtle, N-Triples,
TriG and JSON-LD can hold without escapes.

>>> str(entity_iri("ArmedGroup", "islamic-state"))
'https://w3id.org/conflict-kg/resource/group/islamic-state'
>>> slug("Al-Boukamal (Syria)!")
'al-boukamal-syria'
>>> str(mint("document", "\\u202e\\x00"))
'https://w3id.org/conflict-kg/resource/document/x-459e60b83fc1'
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef


class Vocabulary(Namespace):
    """An rdflib Namespace that makes each term once: the builder names the same few dozen
    terms hundreds of thousands of times in a large build (`CKG.agent`), and rdflib's
    Namespace builds and checks a new URIRef at every attribute access."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


CKG = Vocabulary("https://w3id.org/conflict-kg/ontology#")
RES = Vocabulary("https://w3id.org/conflict-kg/resource/")
SH_NS = Vocabulary("https://w3id.org/conflict-kg/shapes#")

_RESOURCE_IRI = re.compile(re.escape(str(RES)) + r"[a-z0-9-]+(?:/[a-z0-9-]+)+")
_LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
_CATEGORY = {"ArmedGroup": "group", "Person": "person", "Organization": "org", "Country": "country",
             "Town": "place", "Region": "place", "Facility": "place"}


@functools.lru_cache(maxsize=1 << 16)  # document ids and entity names recur in every IRI of an article
def slug(name: str, *, max_length: int = 80) -> str:
    """Lower-case ASCII letters, digits and hyphens; a hash when nothing is left."""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > max_length:
        s = s[:max_length].rstrip("-") + "-" + _digest(name)[:6]
    return s or "x-" + _digest(name)[:12]


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()


@functools.lru_cache(maxsize=1 << 13)  # an article's document, entity and place IRIs are asked for again and again
def mint(category: str, *names: object) -> URIRef:
    """The resource IRI ``res:<category>/<slug>/<slug>...``: every resource IRI is made here.

    >>> str(mint("evidence", "Doc 1", "12-40"))
    'https://w3id.org/conflict-kg/resource/evidence/doc-1/12-40'
    """
    iri = str(RES) + "/".join(slug(str(part)) for part in (category, *names))
    if not names or not _RESOURCE_IRI.fullmatch(iri):  # cannot happen: a guard for future edits
        raise ValueError(f"not a conflict-kg resource IRI: {iri!r}")
    return URIRef(iri)


def term(namespace: Namespace, local: str) -> URIRef:
    """A vocabulary term (class, property, datatype): `local` must be a plain local name.

    >>> str(term(CKG, "Capture"))
    'https://w3id.org/conflict-kg/ontology#Capture'
    """
    if not isinstance(local, str) or not _LOCAL_NAME.fullmatch(local):
        raise ValueError(f"not a vocabulary term name: {local!r}")
    return namespace[local]


def entity_iri(etype: str, key: str) -> URIRef:
    """IRI of an entity from its type and key (gazetteer id or "type:folded name")."""
    name = key.split(":", 1)[1] if ":" in key else key
    return mint(_CATEGORY.get(etype, "entity"), name)


def document_iri(doc_id: str) -> URIRef:
    return mint("document", doc_id)


def graph_iri(doc_id: str) -> URIRef:
    """The named graph holding one article's triples (TriG, N-Quads, the store)."""
    return mint("graph", doc_id)


def evidence_iri(doc_id: str, start: int, end: int) -> URIRef:
    return mint("evidence", doc_id, f"{int(start)}-{int(end)}")


def geometry_iri(node: URIRef) -> URIRef:
    """The geometry node of a place: ``<place IRI>/geometry``."""
    if not _RESOURCE_IRI.fullmatch(str(node)):
        raise ValueError(f"not a conflict-kg resource IRI: {str(node)!r}")
    return URIRef(f"{node}/geometry")


def operation_iri(op_type: str, agents: list[str], place: str | None, date: str | None) -> URIRef:
    """Same type, agents, place and date: the same event, whichever article reports it."""
    return mint("operation", _digest(op_type, *sorted(agents), place, date)[:12])


def statement_iri(subject: str, predicate: str, obj: str) -> URIRef:
    return mint("statement", _digest(subject, predicate, obj)[:12])
