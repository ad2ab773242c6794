"""The one place IRIs are minted: safe characters only, stable across runs.

>>> str(entity_iri("ArmedGroup", "islamic-state"))
'https://w3id.org/conflict-kg/resource/group/islamic-state'
>>> slug("Al-Boukamal (Syria)!")
'al-boukamal-syria'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef

CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
RES = Namespace("https://w3id.org/conflict-kg/resource/")
SH_NS = Namespace("https://w3id.org/conflict-kg/shapes#")

_CATEGORY = {"ArmedGroup": "group", "Person": "person", "Organization": "org", "Country": "country",
             "Town": "place", "Region": "place", "Facility": "place"}


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


def entity_iri(etype: str, key: str) -> URIRef:
    """IRI of an entity from its type and key (gazetteer id or "type:folded name")."""
    name = key.split(":", 1)[1] if ":" in key else key
    return RES[f"{_CATEGORY.get(etype, 'entity')}/{slug(name)}"]


def document_iri(doc_id: str) -> URIRef:
    return RES[f"document/{slug(doc_id)}"]


def evidence_iri(doc_id: str, start: int, end: int) -> URIRef:
    return RES[f"evidence/{slug(doc_id)}/{int(start)}-{int(end)}"]


def operation_iri(op_type: str, agents: list[str], place: str | None, date: str | None) -> URIRef:
    """Same type, agents, place and date: the same event, whichever article reports it."""
    return RES[f"operation/{_digest(op_type, *sorted(agents), place, date)[:12]}"]


def statement_iri(subject: str, predicate: str, obj: str) -> URIRef:
    return RES[f"statement/{_digest(subject, predicate, obj)[:12]}"]
