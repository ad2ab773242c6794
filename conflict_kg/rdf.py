"""Records to RDF, following docs/rdf-model.md.

Every triple remembers which articles support it, so the same facts can be written as one
merged graph or as a named graph per article (TriG), and an article's facts can be taken out.
Entities meet across articles by IRI; the first canonical label wins so each has exactly one.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from . import iris
from .extract.records import Article, ArticleFacts, Entity, Evidence, Operation, Relation
from .iris import CKG, RES

GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
PREFIXES = {"ckg": CKG, "res": RES, "prov": PROV, "skos": SKOS, "dcterms": DCTERMS, "schema": SCHEMA,
            "geo": GEO, "xsd": XSD, "wd": WD}
Triple = tuple[URIRef | BNode, URIRef, URIRef | Literal | BNode]
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_literal(text: str) -> str:
    """Text a serializer accepts: NFC, no control characters, no lone surrogates."""
    return _BAD_CHARS.sub("", unicodedata.normalize("NFC", str(text))).strip()


def confidence(value: float) -> Literal:
    """An xsd:decimal built from a Decimal: a float value would not pass sh:datatype xsd:decimal."""
    return Literal(Decimal(f"{min(max(value, 0.0), 1.0):.2f}"))


def text(value: str) -> Literal:
    return Literal(clean_literal(value), lang="en")


class GraphBuilder:
    """Collects triples from article facts, with the articles that support each."""

    def __init__(self) -> None:
        self.support: dict[Triple, set[str]] = defaultdict(set)
        self._entity_iri: dict[str, URIRef] = {}
        self._entity_type: dict[URIRef, str] = {}
        self._labels: dict[URIRef, str] = {}
        self.articles: dict[str, Article] = {}

    # -- public ------------------------------------------------------------------------
    def add(self, facts: ArticleFacts) -> None:
        art = facts.article
        self.articles[art.id] = art
        self._document(art)
        for ent in facts.entities.values():
            self._entity(ent, facts.entities, art.id)
        for rel in facts.relations:
            self._relation(rel, facts.entities, art.id)
        for op in facts.operations:
            self._operation(op, facts.entities, art.id)

    def graph(self) -> Graph:
        g = Graph()
        bind_prefixes(g)
        for t in self.support:
            g.add(t)
        return g

    def dataset(self) -> Dataset:
        """A named graph per article holding the triples that article supports."""
        ds = Dataset()
        bind_prefixes(ds)
        for t, docs in self.support.items():
            for doc in docs:
                ds.graph(RES[f"graph/{iris.slug(doc)}"]).add(t)
        return ds

    # -- pieces ------------------------------------------------------------------------
    def _add(self, doc: str, s, p, o) -> None:
        self.support[(s, p, o)].add(doc)

    def _document(self, art: Article) -> None:
        d = iris.document_iri(art.id)
        self._add(art.id, d, RDF.type, CKG.Document)
        self._add(art.id, d, DCTERMS.identifier, Literal(clean_literal(art.id)))
        if art.title:
            self._add(art.id, d, DCTERMS.title, text(art.title))
        if art.url:
            self._add(art.id, d, SCHEMA.url, Literal(art.url, datatype=XSD.anyURI))
        if art.published:
            self._add(art.id, d, DCTERMS.issued, Literal(art.published.isoformat(), datatype=XSD.date))

    def _evidence(self, ev: Evidence) -> URIRef:
        node = iris.evidence_iri(ev.doc_id, ev.start, ev.end)
        self._add(ev.doc_id, node, RDF.type, CKG.Evidence)
        self._add(ev.doc_id, node, CKG.sentence, Literal(clean_literal(ev.text)))
        self._add(ev.doc_id, node, CKG.startOffset, Literal(ev.start, datatype=XSD.nonNegativeInteger))
        self._add(ev.doc_id, node, CKG.endOffset, Literal(ev.end, datatype=XSD.nonNegativeInteger))
        self._add(ev.doc_id, node, PROV.wasDerivedFrom, iris.document_iri(ev.doc_id))
        return node

    def iri_of(self, ent: Entity) -> URIRef:
        if ent.key not in self._entity_iri:
            node = iris.entity_iri(ent.type, ent.key)
            self._entity_iri[ent.key] = node
            self._entity_type.setdefault(node, ent.type)
        return self._entity_iri[ent.key]

    def _entity(self, ent: Entity, entities: dict[str, Entity], doc: str) -> None:
        node = self.iri_of(ent)
        etype = self._entity_type[node]  # the first type an IRI got stays its type
        self._add(doc, node, RDF.type, CKG[ent.subclass if ent.subclass and etype == "ArmedGroup" else etype])
        label = self._labels.setdefault(node, clean_literal(ent.label) or ent.key)
        self._add(doc, node, RDFS.label, text(label))
        for name in sorted(ent.names):
            if clean_literal(name) and clean_literal(name) != label:
                self._add(doc, node, SKOS.altLabel, text(name))
        if ent.wikidata and re.fullmatch(r"Q\d+", ent.wikidata):
            self._add(doc, node, SKOS.exactMatch, WD[ent.wikidata])
        for place in ent.located_in:  # only containers the article itself names, so each is typed
            if place in entities and place != ent.key:
                self._add(doc, node, CKG.locatedIn, self.iri_of(entities[place]))
        if ent.coordinates:
            lat, lon = ent.coordinates
            geom = URIRef(f"{node}/geometry")
            self._add(doc, node, GEO.hasGeometry, geom)
            self._add(doc, geom, RDF.type, GEO.Geometry)
            self._add(doc, geom, GEO.asWKT, Literal(f"POINT({lon:.5f} {lat:.5f})", datatype=GEO.wktLiteral))
        self._add(doc, node, CKG.rule, Literal(ent.rule))
        self._add(doc, node, CKG.confidence, confidence(ent.confidence))
        self._add(doc, node, PROV.wasDerivedFrom, iris.document_iri(doc))
        for ev in ent.evidence:
            self._add(doc, node, CKG.evidence, self._evidence(ev))

    def _relation(self, rel: Relation, entities: dict[str, Entity], doc: str) -> None:
        if rel.subject not in entities or rel.object not in entities:
            return
        s, o = self.iri_of(entities[rel.subject]), self.iri_of(entities[rel.object])
        p = CKG[rel.kind]
        self._add(doc, s, p, o)
        st = iris.statement_iri(str(s), str(p), str(o))
        for pred, val in ((RDF.type, RDF.Statement), (RDF.type, CKG.RelationAssertion),
                          (RDF.subject, s), (RDF.predicate, p), (RDF.object, o),
                          (CKG.rule, Literal(rel.rule)),
                          (CKG.confidence, confidence(rel.confidence)),
                          (PROV.wasDerivedFrom, iris.document_iri(doc)),
                          (CKG.evidence, self._evidence(rel.evidence))):
            self._add(doc, st, pred, val)

    def _operation(self, op: Operation, entities: dict[str, Entity], doc: str) -> None:
        agents = [self.iri_of(entities[a]) for a in op.agents if a in entities]
        if not agents:
            return
        place = self.iri_of(entities[op.place]) if op.place in entities else None
        node = iris.operation_iri(op.type, [str(a) for a in agents], str(place) if place else None,
                                  op.date.value if op.date else None)
        self._add(doc, node, RDF.type, CKG[op.type])
        self._add(doc, node, RDFS.label, text(self._op_label(op, agents, place)))
        for a in agents:
            self._add(doc, node, CKG.agent, a)
        for opp in op.opponents:
            if opp in entities:
                self._add(doc, node, CKG.opponent, self.iri_of(entities[opp]))
        if place is not None:
            self._add(doc, node, CKG.place, place)
        if op.date is not None:
            self._add(doc, node, CKG.date, Literal(op.date.value, datatype=XSD[op.date.xsd_type]))
            self._add(doc, node, CKG.dateBasis, Literal(op.date_basis or "stated"))
        if op.fatalities is not None:
            self._add(doc, node, CKG.fatalities, Literal(op.fatalities, datatype=XSD.nonNegativeInteger))
        if op.claimed_by in entities:
            self._add(doc, node, CKG.claimedBy, self.iri_of(entities[op.claimed_by]))
        self._add(doc, node, CKG.rule, Literal(op.rule))
        self._add(doc, node, CKG.confidence, confidence(op.confidence))
        self._add(doc, node, PROV.wasDerivedFrom, iris.document_iri(doc))
        for ev in [op.evidence, *op.extra_evidence]:
            self._add(doc, node, CKG.evidence, self._evidence(ev))

    def _op_label(self, op: Operation, agents: list[URIRef], place: URIRef | None) -> str:
        who = ", ".join(self._labels.get(a, str(a).rsplit("/", 1)[-1]) for a in agents)
        where = f" at {self._labels.get(place, '')}" if place is not None else ""
        when = f" ({op.date.value})" if op.date else ""
        return f"{op.type} by {who}{where}{when}"


def bind_prefixes(g: Graph) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
