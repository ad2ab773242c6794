"""Records to RDF, following docs/rdf-model.md.

Every triple remembers which articles support it, so the same facts can be written as one
merged graph or as a named graph per article (TriG), and an article's facts can be taken out.
Entities meet across articles by IRI; the first canonical label wins so each has exactly one.

A place the gazetteer puts inside a region or country is linked to both with ckg:locatedIn,
whether or not the article names them: a container the article does not name is written from
the gazetteer as a typed, labelled place node (rule "gazetteer-container", no evidence sentence)
supported by that article, so spatial questions ("operations in Deir ez-Zor Governorate") can be
asked in SPARQL.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from . import iris
from .extract.records import Article, ArticleFacts, Entity, Evidence, Operation, Relation
from .iris import CKG, RES, Vocabulary

if TYPE_CHECKING:
    from .extract.gazetteer import Gazetteer, Known

GAZETTEER_ID = "conflict-kg-gazetteer"
GEO = Vocabulary("http://www.opengis.net/ont/geosparql#")
SCHEMA = Vocabulary("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
PREFIXES = {"ckg": CKG, "res": RES, "prov": PROV, "skos": SKOS, "dcterms": DCTERMS, "schema": SCHEMA,
            "geo": GEO, "xsd": XSD, "wd": WD}
# The builder names these terms for nearly every triple; rdflib's namespaces make and check a
# new URIRef at each access, the cached ones (see iris.Vocabulary) once per term.
DCTERMS, PROV, RDF, RDFS, SKOS, XSD = (Vocabulary(str(ns)) for ns in (DCTERMS, PROV, RDF, RDFS, SKOS, XSD))
Triple = tuple[URIRef | BNode, URIRef, URIRef | Literal | BNode]
# What no literal may hold: C0 controls but tab and line breaks, DEL and C1 controls, lone
# surrogates (UTF-8 cannot encode them), noncharacters (U+FDD0..U+FDEF, U+FFFE, U+FFFF and their
# kin in every plane), and the direction overrides that make text display other than it reads.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                        "\u202a-\u202e\u2066-\u2069"
                        + "".join(chr(p + 0xFFFE) + chr(p + 0xFFFF) for p in range(0x10000, 0x110000, 0x10000)) + "]")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")


def clean_literal(text: object) -> str:
    """Text every serializer and parser accepts: NFC, without the control characters, lone
    surrogates, noncharacters and direction overrides listed in `_BAD_CHARS`, stripped.

    Every literal the builder writes goes through it (`plain`, `typed`, `text`).

    >>> clean_literal(" Raqqa\\ud800\\x07\\ufffe\\u202e ")
    'Raqqa'
    """
    return _BAD_CHARS.sub("", unicodedata.normalize("NFC", str(text))).strip()


def language_tag(tag: str | None) -> str | None:
    """A well-formed BCP 47 tag in lower case, or None for a missing or malformed one."""
    return tag.lower() if isinstance(tag, str) and _LANGUAGE_TAG.fullmatch(tag) else None


@functools.lru_cache(maxsize=1 << 13)  # immutable; rules, labels and scores recur (sentences do not)
def plain(value: object) -> Literal:
    """An xsd:string literal of cleaned text."""
    return Literal(clean_literal(value))


@functools.lru_cache(maxsize=1 << 13)
def typed(value: object, datatype: URIRef) -> Literal:
    """A typed literal of cleaned lexical form (a date, a URL, a WKT point, ...)."""
    return Literal(clean_literal(value), datatype=datatype)


@functools.lru_cache(maxsize=1 << 13)
def confidence(value: float) -> Literal:
    """An xsd:decimal built from a Decimal: a float value would not pass sh:datatype xsd:decimal.
    Clamped to [0, 1]; a value that is not a finite number counts as 0."""
    value = float(value) if isinstance(value, (int, float, Decimal)) and math.isfinite(value) else 0.0
    return Literal(Decimal(f"{min(max(value, 0.0), 1.0):.2f}"))


@functools.lru_cache(maxsize=1 << 13)
def name_key(name: str) -> str:
    """A name as the bundled queries look it up: lower-cased as SPARQL's LCASE does (Unicode
    lower case), so that LCASE of what a user types finds it.

    >>> name_key("Deir ez-Zor")
    'deir ez-zor'
    """
    return clean_literal(name).lower()


@functools.lru_cache(maxsize=1 << 13)
def text(value: str, lang: str | None = "en") -> Literal:
    """A language-tagged literal of cleaned text (no tag when `lang` is not a valid one)."""
    return Literal(clean_literal(value), lang=language_tag(lang))


class KnownEntities(Protocol):
    """What a graph built earlier holds about an entity IRI (None: nothing)."""

    def label(self, node: URIRef) -> str | None: ...
    def entity_type(self, node: URIRef) -> str | None: ...  # one of ENTITY_TYPES


class _Held(dict):
    """A dict that looks a missing key up first (e.g. in a store) and keeps what it finds."""

    def __init__(self, lookup: Callable[[URIRef], str | None]) -> None:
        super().__init__()
        self._lookup = lookup
        self._missed: set[URIRef] = set()

    def _fill(self, key) -> None:
        if not dict.__contains__(self, key) and key not in self._missed:
            value = self._lookup(key)
            if value is None:
                self._missed.add(key)
            else:
                dict.__setitem__(self, key, value)

    def setdefault(self, key, default=None):
        self._fill(key)
        return super().setdefault(key, default)

    def get(self, key, default=None):
        self._fill(key)
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        self._fill(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._fill(key)
        return super().__getitem__(key)


class GraphBuilder:
    """Collects triples from article facts, with the articles that support each."""

    def __init__(self, *, gazetteer: Gazetteer | None = None, known: KnownEntities | None = None) -> None:
        """`gazetteer` resolves the containers (region, country) of a place; by default the
        bundled gazetteer, loaded the first time an article needs a container it does not name.
        `known` is what an existing graph (a store) already says about entity IRIs: an entity
        it holds keeps its label and its type, so each entity has one label across articles."""
        self._gazetteer = gazetteer
        self.support: dict[Triple, set[str]] = defaultdict(set)
        self._entity_iri: dict[str, URIRef] = {}
        self._entity_type: dict[URIRef, str] = _Held(known.entity_type) if known else {}
        self._labels: dict[URIRef, str] = _Held(known.label) if known else {}
        self._evidence_nodes: dict[tuple[str, int, int], URIRef] = {}  # a sentence backs many facts
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
        """The triples as one graph. rdflib's SimpleMemory store: a graph without contexts, whose
        `add` costs a quarter less than the default store's (a large build adds every triple)."""
        g = Graph(store="SimpleMemory")
        bind_prefixes(g)
        add = g.add
        for t in self.support:
            add(t)
        return g

    def dataset(self) -> Dataset:
        """A named graph per article holding the triples that article supports."""
        ds = Dataset()
        bind_prefixes(ds)
        for t, docs in self.support.items():
            for doc in docs:
                ds.graph(iris.graph_iri(doc)).add(t)
        return ds

    # -- pieces ------------------------------------------------------------------------
    def _add(self, doc: str, s, p, o) -> None:
        if isinstance(o, Literal) and o.datatype is None and not str(o):
            return  # an empty text says nothing (and rdflib's JSON-LD writer loses "" beside another value)
        self.support[(s, p, o)].add(doc)

    def _document(self, art: Article) -> None:
        d = iris.document_iri(art.id)
        self._add(art.id, d, RDF.type, CKG.Document)
        self._add(art.id, d, DCTERMS.identifier, plain(art.id))
        if art.title:
            self._add(art.id, d, DCTERMS.title, text(art.title))
        if art.url:
            self._add(art.id, d, SCHEMA.url, typed(art.url, XSD.anyURI))
        if art.published:
            self._add(art.id, d, DCTERMS.issued, typed(art.published.isoformat(), XSD.date))

    def _evidence(self, ev: Evidence) -> URIRef:
        key = (ev.doc_id, ev.start, ev.end)
        if key in self._evidence_nodes:  # described already (its sentence is the same text)
            return self._evidence_nodes[key]
        node = self._evidence_nodes[key] = iris.evidence_iri(ev.doc_id, ev.start, ev.end)
        self._add(ev.doc_id, node, RDF.type, CKG.Evidence)
        self._add(ev.doc_id, node, CKG.sentence, plain(ev.text))
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
        self._add(doc, node, RDF.type, iris.term(CKG, ent.subclass if ent.subclass and etype == "ArmedGroup" else etype))
        label = self._labels.setdefault(node, clean_literal(ent.label) or ent.key)
        self._names(doc, node, label, ent.names)
        if ent.wikidata and re.fullmatch(r"Q\d+", ent.wikidata):
            self._add(doc, node, SKOS.exactMatch, WD[ent.wikidata])
        for place in ent.located_in:  # region and country; each container node is typed and labelled
            if place == ent.key:
                continue
            container = self.iri_of(entities[place]) if place in entities else self._container(place, doc)
            if container is not None:
                self._add(doc, node, CKG.locatedIn, container)
        if ent.coordinates:
            self._point(doc, node, *ent.coordinates)
        self._add(doc, node, CKG.rule, plain(ent.rule))
        self._add(doc, node, CKG.confidence, confidence(ent.confidence))
        source = self._gazetteer_document(doc) if ent.rule == "unidentified" else iris.document_iri(doc)
        self._add(doc, node, PROV.wasDerivedFrom, source)
        for ev in ent.evidence:
            self._add(doc, node, CKG.evidence, self._evidence(ev))

    def _names(self, doc: str, node: URIRef, label: str, aliases: Iterable[str]) -> None:
        """The entity's name, its aliases, and each of them in lower case as a search key
        (skos:hiddenLabel, SKOS's label for search): the bundled queries find an entity by a
        name in any case with one index look-up, instead of lower-casing every name in the
        store."""
        self._add(doc, node, RDFS.label, text(label))
        names = {label}
        for name in sorted(aliases):
            alias = clean_literal(name)
            if alias and alias != label:
                self._add(doc, node, SKOS.altLabel, text(name))
                names.add(alias)
        for key in sorted({name_key(name) for name in names}):
            self._add(doc, node, SKOS.hiddenLabel, plain(key))

    def _point(self, doc: str, node: URIRef, lat: float, lon: float) -> None:
        geom = iris.geometry_iri(node)
        self._add(doc, node, GEO.hasGeometry, geom)
        self._add(doc, geom, RDF.type, GEO.Geometry)
        self._add(doc, geom, GEO.asWKT, typed(f"POINT({float(lon):.5f} {float(lat):.5f})", GEO.wktLiteral))

    def _known(self, key: str) -> Known | None:
        if self._gazetteer is None:
            from .extract.gazetteer import load_gazetteer
            self._gazetteer = load_gazetteer()
        return self._gazetteer.by_id.get(key)

    def _container(self, key: str, doc: str, _depth: int = 0) -> URIRef | None:
        """A region or country the article does not name, written from the gazetteer as a
        place node (type, label, Wikidata link, point, its own containers) that `doc` supports."""
        known = self._known(key)
        if known is None or known.type not in ("Town", "Region", "Facility", "Country") or _depth > 3:
            return None
        node = iris.entity_iri(known.type, known.id)
        etype = self._entity_type.setdefault(node, known.type)
        self._entity_iri.setdefault(known.id, node)
        label = self._labels.setdefault(node, clean_literal(known.label) or known.id)
        self._add(doc, node, RDF.type, iris.term(CKG, etype))
        self._names(doc, node, label, ())
        if known.wikidata and re.fullmatch(r"Q\d+", known.wikidata):
            self._add(doc, node, SKOS.exactMatch, WD[known.wikidata])
        if etype != "Country":
            for outer in (known.province, known.country):
                if outer and outer != known.id:
                    container = self._container(outer, doc, _depth + 1)
                    if container is not None:
                        self._add(doc, node, CKG.locatedIn, container)
        if known.lat is not None and known.lon is not None:
            self._point(doc, node, float(known.lat), float(known.lon))
        self._add(doc, node, CKG.rule, plain("gazetteer-container"))
        self._add(doc, node, CKG.confidence, confidence(0.95))
        self._add(doc, node, PROV.wasDerivedFrom, self._gazetteer_document(doc))
        return node

    def _gazetteer_document(self, doc: str) -> URIRef:
        """The gazetteer as a source of its own: what comes from it (a province the article
        does not name, the stand-in for an unnamed perpetrator) is not derived from the article."""
        node = iris.document_iri(GAZETTEER_ID)
        self._add(doc, node, RDF.type, CKG.Document)
        self._add(doc, node, DCTERMS.identifier, plain(GAZETTEER_ID))
        self._add(doc, node, DCTERMS.title, text("conflict-kg gazetteer and lexicon (extract/data)"))
        return node

    def _relation(self, rel: Relation, entities: dict[str, Entity], doc: str) -> None:
        if rel.subject not in entities or rel.object not in entities:
            return
        s, o = self.iri_of(entities[rel.subject]), self.iri_of(entities[rel.object])
        p = iris.term(CKG, rel.kind)
        self._add(doc, s, p, o)
        st = iris.statement_iri(str(s), str(p), str(o))
        for pred, val in ((RDF.type, RDF.Statement), (RDF.type, CKG.RelationAssertion),
                          (RDF.subject, s), (RDF.predicate, p), (RDF.object, o),
                          (CKG.rule, plain(rel.rule)),
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
        self._add(doc, node, RDF.type, iris.term(CKG, op.type))
        self._add(doc, node, RDFS.label, text(self._op_label(op, agents, place)))
        for a in agents:
            self._add(doc, node, CKG.agent, a)
        for opp in op.opponents:
            if opp in entities:
                self._add(doc, node, CKG.opponent, self.iri_of(entities[opp]))
        if place is not None:
            self._add(doc, node, CKG.place, place)
        if op.date is not None:
            self._add(doc, node, CKG.date, typed(op.date.value, iris.term(XSD, op.date.xsd_type)))
            # Each report's own basis, in its own graph: an event that one report dates in its
            # text and another only by its publication has both in the union.
            self._add(doc, node, CKG.dateBasis, plain(op.date_basis or "stated"))
        if op.fatalities is not None:
            self._add(doc, node, CKG.fatalities, Literal(op.fatalities, datatype=XSD.nonNegativeInteger))
        if op.claimed_by in entities:
            self._add(doc, node, CKG.claimedBy, self.iri_of(entities[op.claimed_by]))
        self._add(doc, node, CKG.rule, plain(op.rule))
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
