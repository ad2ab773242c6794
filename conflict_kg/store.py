"""RDF to a store: a persistent embedded Oxigraph database (through pyoxigraph), the home of a
graph that grows article by article. No server to run; `conflict-kg serve` serves it read-only.

A store is a directory:

    DIR/conflict-kg-store.json   marks the directory as a conflict-kg store (format version)
    DIR/oxigraph/                the Oxigraph database (what `oxigraph serve-read-only --location` opens)
    DIR/quarantine.trig          what SHACL refused, a named graph per article, with the reasons
    DIR/report.txt               the validation report of the last build or add

Each article's triples live in their own named graph, ``res:graph/<slug of its id>``, holding
every triple that article supports. The default graph is the union of the named graphs, each
triple once, kept in step with them in the same transactions; queries read the default graph.
(Oxigraph's own union mode, ``use_default_graph_as_union``, yields a triple once per graph that
holds it, so counts and rows would repeat: do not use it on a store.) Hence:

- adding an article replaces its graph, so adding the same article twice changes nothing;
- removing an article drops its graph: what only it supported goes, and a triple that other
  articles support too stays, since their graphs hold it as well;
- an entity keeps the label and the entity type the store already holds for its IRI (IRIs are
  minted from stable keys), so it has exactly one ``rdfs:label`` whichever article added it.

Only facts that pass SHACL enter. A build goes in batches of articles (``--batch-articles``);
each batch is validated as a whole, with the store's own facts about the nodes it describes as
context, so that class, cardinality and disjointness constraints see what is already there (see
``GraphStore.validate``), and written in one atomic step (a transaction, or, for graphs not yet
in the store, one bulk ingestion of sorted files): readers see all of a batch or none of it,
and an article's graph is never half written. A build killed between batches leaves the
batches written so far; running it again replaces their graphs (same content) and completes the
rest. The quarantine and report files are replaced atomically at the end of a build.

Note: Oxigraph stores literals by value: derived integer types such as
``xsd:nonNegativeInteger`` come back as ``xsd:integer`` and decimals in canonical form
(``0.80`` -> ``0.8``). The values are unchanged and the shapes accept both.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from . import iris
from .extract.gazetteer import GROUP_CLASSES
from .extract.records import ENTITY_TYPES, Article
from .iris import CKG
from .rdf import GAZETTEER_ID, PREFIXES, GraphBuilder, bind_prefixes
from .serialize import atomic_output, format_for, write_rdf, write_text
from .validate import ValidationOutcome, format_report, ontology_graph, validate

MARKER = "conflict-kg-store.json"
FORMAT_VERSION = 1
DATABASE = "oxigraph"
QUARANTINE = "quarantine.trig"
REPORT = "report.txt"
SERVE_LOCK = "serve.json"
ONTOLOGY_GRAPH = URIRef("https://w3id.org/conflict-kg/ontology")
# Oxigraph's bulk loader ingests up to a million quads as one set of sorted files, which the
# database takes in one atomic step (all its indexes or none); past that it ingests in several
# steps, so larger insertions go through a transaction instead.
BULK_QUADS_MAX = 500_000
# Links with no upper bound that every article writes for itself: the batch's own copies are
# enough to validate it, and leaving the store's out keeps the context small for busy entities.
_UNBOUNDED = {str(CKG.evidence), str(PROV.wasDerivedFrom), str(SKOS.altLabel), str(SKOS.hiddenLabel)}
_XSD_STRING = str(XSD.string)
# Readable prefixes for exports. `res:` is left out: its IRIs contain "/", which a Turtle
# prefixed name can only hold escaped (res:group\/x), so they are written in full.
EXPORT_PREFIXES = {**{k: str(v) for k, v in PREFIXES.items() if k != "res"},
                   "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
QUARANTINE_PREFIXES = {**EXPORT_PREFIXES, "sh": str(SH)}


class StoreError(ValueError):
    """A store that cannot be opened, read or changed, with the directory and the reason."""


graph_iri = iris.graph_iri  # the named graph holding what one article supports


@dataclass(frozen=True)
class StoredArticle:
    id: str
    graph: URIRef
    triples: int


class GraphStore:
    """A conflict-kg store directory opened for reading or for writing.

    Use as a context manager (or call `close`): the database is locked while a writer has it open.
    """

    def __init__(self, path: Path, db: ox.Store, *, read_only: bool) -> None:
        self.path = path
        self._db: ox.Store | None = db
        self.read_only = read_only

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, create: bool = False, read_only: bool = False) -> GraphStore:
        """Open the store at `path`; with `create`, make it when the directory is new or empty."""
        path = Path(path)
        marker = path / MARKER
        if not marker.is_file():
            if not create:
                if not path.exists():
                    raise StoreError(f"{path}: no such store; make one with `conflict-kg build ARTICLES "
                                     f"--store {path}` or `conflict-kg add ARTICLES --store {path}`")
                raise StoreError(f"{path}: not a conflict-kg store (it has no {MARKER})")
            if path.exists() and (not path.is_dir() or any(path.iterdir())):
                raise StoreError(f"{path}: not a conflict-kg store (no {MARKER}) and not empty; "
                                 f"give a new or empty directory")
            path.mkdir(parents=True, exist_ok=True)
            write_text(marker, json.dumps({"conflict-kg-store": FORMAT_VERSION, "database": DATABASE}) + "\n")
        else:
            try:
                version = json.loads(marker.read_text("utf-8")).get("conflict-kg-store")
            except (ValueError, AttributeError, OSError) as exc:
                raise StoreError(f"{marker}: unreadable store marker: {exc}") from None
            if version != FORMAT_VERSION:
                raise StoreError(f"{marker}: store format {version!r}; this conflict-kg reads format {FORMAT_VERSION}")
        if not read_only:
            _check_not_served(path)
        location = path / DATABASE
        if read_only and not location.is_dir():
            raise StoreError(f"{path}: the store has no database ({location} is missing)")
        try:
            db = ox.Store.read_only(str(location)) if read_only else ox.Store(str(location))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"{path}: the store is open for writing in another process "
                                 f"(a build, add or remove still running?): {exc}") from None
            raise StoreError(f"{path}: cannot open the store database {location}: {exc}") from None
        if not read_only:
            _remove_unfinished_bulk_files(location)
        return cls(path, db, read_only=read_only)

    @property
    def db(self) -> ox.Store:
        """The pyoxigraph store. Query its default graph (the union of the articles, each triple
        once); not with `use_default_graph_as_union`, which repeats a triple per graph holding it."""
        if self._db is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._db

    @staticmethod
    def copy(src: Path | str, dst: Path | str) -> Path:
        """A copy of the store at `src` at the new directory `dst` (Oxigraph's backup, hard
        links where it can, so it is cheap), with its quarantine and report."""
        src, dst = Path(src), Path(dst)
        dst.mkdir(parents=True)
        db = ox.Store.read_only(str(src / DATABASE))
        db.backup(str(dst / DATABASE))
        del db
        for f in src.iterdir():
            if f.is_file():
                shutil.copy2(f, dst / f.name)
        return dst

    def close(self) -> None:
        """Release the database (and its lock) as soon as nothing else refers to it.

        A store opened for writing is flushed first, so that what was written is in the
        database's files even while this process lives on: another process (a read-only
        `serve`, a backup) sees it, not only the write-ahead log."""
        if self._db is not None and not self.read_only:
            try:
                self._db.flush()
            except OSError:
                pass  # the data is safe in the write-ahead log; the next opening replays it
        self._db = None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def articles(self) -> list[StoredArticle]:
        """The articles held, each with its named graph and the number of triples in it
        (graphs that hold no document, e.g. derived ones, are not articles)."""
        out = []
        for g in self.db.named_graphs():
            if isinstance(g, ox.NamedNode):
                doc_id = self._document_id(g)
                if doc_id is not None:
                    count = sum(1 for _ in self.db.quads_for_pattern(None, None, None, g))
                    out.append(StoredArticle(doc_id, URIRef(g.value), count))
        return sorted(out, key=lambda a: a.id)

    def article_id(self, graph: URIRef) -> str | None:
        """The id of the article whose named graph is `graph`; None when there is none."""
        return self._document_id(_ox(graph))

    def _document_id(self, g: ox.NamedNode) -> str | None:
        """The article a graph holds; not the gazetteer's document, which a graph also holds
        when the article brought in places or stand-ins from the gazetteer."""
        for q in self.db.quads_for_pattern(None, _ox(DCTERMS.identifier), None, g):
            if (ox.Quad(q.subject, _ox(RDF.type), _ox(CKG.Document), g) in self.db
                    and q.object.value != GAZETTEER_ID):
                return q.object.value
        return None

    def label(self, node: URIRef) -> str | None:
        """The label the store holds for `node` (the smallest, should there be several).

        Read from the default graph, the union of the graphs: one lookup, however many
        articles hold the label."""
        labels = sorted(q.object.value for q in self.db.quads_for_pattern(_ox(node), _ox(RDFS.label), None,
                                                                           ox.DefaultGraph()))
        return labels[0] if labels else None

    def entity_type(self, node: URIRef) -> str | None:
        """The entity type (one of ENTITY_TYPES) the store holds for `node` (in the union)."""
        found = set()
        for q in self.db.quads_for_pattern(_ox(node), _ox(RDF.type), None, ox.DefaultGraph()):
            name = q.object.value.rsplit("#", 1)[-1] if q.object.value.startswith(str(CKG)) else ""
            found.add("ArmedGroup" if name in GROUP_CLASSES else name)
        types = [t for t in ENTITY_TYPES if t in found]
        return types[0] if types else None

    def union(self) -> Graph:
        """The default graph, every triple of every article once, as an rdflib graph."""
        g = Graph()
        bind_prefixes(g)
        for t in self._union_triples():
            g.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
        return g

    def dataset(self) -> Dataset:
        """The named graphs (a graph per article) as an rdflib Dataset."""
        ds = Dataset()
        bind_prefixes(ds)
        for q in self.db:
            if isinstance(q.graph_name, ox.NamedNode):
                ds.graph(URIRef(q.graph_name.value)).add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
        return ds

    def _union_triples(self) -> Iterator[ox.Triple]:
        for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def _named_quads(self) -> Iterator[ox.Quad]:
        for q in self.db.quads_for_pattern(None, None, None, None):
            if not isinstance(q.graph_name, ox.DefaultGraph):
                yield q

    # -- adding ----------------------------------------------------------------------------
    def graph_clash(self, art: Article, seen: dict[URIRef, str]) -> str | None:
        """Why `art`'s graph name would collide with another article's (ids that differ but
        slug the same), in the store or among those `seen` before it in the build; else None."""
        g = graph_iri(art.id)
        held = self.db.contains_named_graph(_ox(g))
        other = seen.get(g) or (self._document_id(_ox(g)) if held else None)
        if other is not None and other != art.id:
            return (f"{art.source}: article id {art.id!r} names the same graph <{g}> "
                    f"as article {other!r}; give it another id")
        if held and other is None:
            return (f"{art.source}: article id {art.id!r} names the graph <{g}>, which "
                    f"the store uses for something else; give it another id")
        seen[g] = art.id
        return None

    def validate(self, builder: GraphBuilder) -> ValidationOutcome:
        """Validate a batch against the shapes, with what the store holds as context.

        The nodes the batch describes are validated with the store's other facts about them
        (their types, label, place, date, ... from other articles; not the many-valued
        provenance links, which every article writes for itself) and with the facts about the
        nodes those point to (types for class constraints, geometries), so a label, type or
        cardinality clash with the store is caught. Only the batch's nodes are focus nodes;
        only the batch's triples can be quarantined: what the store holds was validated when
        it was added and stays. When reports clash (two death tolls), the first report's value
        stays and the later ones go, whether the reports are in one batch or in several.
        """
        batch = builder.support  # the batch's triples (a dict: fast membership, no graph copy)
        replaced = {_ox(graph_iri(doc)) for doc in builder.articles}
        focus = {s for s, _p, _o in batch if isinstance(s, URIRef)}
        combined = builder.graph()
        context, held = _split_context(self._context(batch, focus, replaced), batch)
        for t in context:
            combined.add(t)
        position = {doc: i for i, doc in enumerate(builder.articles)}  # input order

        def stated_by(triple: tuple) -> list[int]:
            """The batch's articles stating `triple`, by position; -1 first when the store
            holds it already: it was there before any of them."""
            stated = sorted(position[doc] for doc in batch.get(triple, ()))
            return [-1, *stated] if triple in held else stated

        outcome = validate(combined, focus=focus, inplace=True, stated_by=stated_by,
                           documents=[iris.document_iri(doc) for doc in builder.articles])
        for t in context:  # what is left is the batch's valid triples
            combined.remove(t)
        quarantine = Graph()
        bind_prefixes(quarantine)
        for t in outcome.quarantine:
            if t in batch or isinstance(t[0], BNode):  # the batch's triples and the records
                quarantine.add(t)
        return ValidationOutcome(combined, quarantine, outcome.violations, outcome.warnings, outcome.withdrawn)

    def _context(self, batch: Iterable[tuple], focus: set[URIRef], replaced: set[ox.NamedNode]) -> set[tuple]:
        context: set[tuple] = set()
        if next(iter(self.db.quads_for_pattern(None, None, None, None)), None) is None:
            return context  # a new store: nothing to add (and no query to make per node)
        described = set(focus)
        pointed = {o for _s, _p, o in batch if isinstance(o, URIRef) and o not in described}
        held = [g for g in sorted(replaced, key=str) if self.db.contains_named_graph(g)]
        for t in self._descriptions(sorted(focus), held):
            context.add(t)
            if isinstance(t[2], URIRef) and t[2] not in described:
                pointed.add(t[2])
        context.update(self._descriptions(sorted(pointed), held))
        return context

    def _descriptions(self, nodes: list[URIRef], replaced: list[ox.NamedNode]) -> Iterator[tuple]:
        """What the store says about `nodes` (but the many-valued provenance links), leaving out
        what only the graphs in `replaced` hold (they are about to be replaced).

        Read from the default graph (the union of the graphs, each triple once) with one query
        per few hundred nodes: the cost follows what is said about the nodes, not how many
        articles say it, so an entity that thousands of articles name costs no more to check."""
        skipped = ", ".join(f"<{p}>" for p in sorted(_UNBOUNDED))
        for start in range(0, len(nodes), 500):
            chunk = " ".join(str(_ox(n)) for n in nodes[start:start + 500])
            query = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?o . "
                     f"FILTER(?p NOT IN ({skipped})) }}")
            for row in self.db.query(query):
                s, p, o = row[0], row[1], row[2]
                if replaced and not self._held_outside(s, p, o, replaced):
                    continue
                yield URIRef(s.value), URIRef(p.value), _rdflib(o)

    def _held_outside(self, s, p, o, replaced: list[ox.NamedNode]) -> bool:
        """Whether a graph other than `replaced` (and the default graph) holds the triple."""
        if not any(ox.Quad(s, p, o, g) in self.db for g in replaced):
            return True  # the default graph only holds what some graph holds
        skip = set(replaced)
        return any(not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in skip
                   for q in self.db.quads_for_pattern(s, p, o, None))

    def write(self, builder: GraphBuilder, outcome: ValidationOutcome) -> list[ox.Quad]:
        """Replace the batch's article graphs with their valid triples, in one transaction.

        Returns the batch's quarantine (a named graph per article) for `record_quarantine`,
        which a build calls once at its end: the quarantine file grows with the store, so it is
        not rewritten after every batch."""
        self._writable()
        if not builder.articles:
            return []
        graphs: dict[URIRef, list[tuple]] = {graph_iri(doc): [] for doc in builder.articles}
        quarantined = set(outcome.quarantine)  # of the batch's triples, what is not valid (a set: no graph look-ups)
        for t, docs in builder.support.items():
            if t in quarantined:
                continue
            withdrawn = outcome.withdrawn.get(t)  # rare: only a refused report's shared value
            for doc in docs:
                if not withdrawn or iris.document_iri(doc) not in withdrawn:
                    graphs[graph_iri(doc)].append(t)
        try:
            self.replace_graphs(graphs)
        except StoreError as exc:
            raise StoreError(f"{exc}; nothing of the batch was written") from None
        return self._quarantine_of(builder, outcome)

    def record_quarantine(self, articles: Iterable[str], quads: list[ox.Quad], outcome: ValidationOutcome) -> None:
        """Replace the quarantine of `articles` with `quads`, and the report with `outcome`'s."""
        self._writable()
        batch = {_ox(graph_iri(doc)) for doc in articles}
        kept = [q for q in self._quarantine_quads() if q.graph_name not in batch]
        self._write_quarantine(kept + quads)
        write_text(self.path / REPORT, format_report(outcome))

    def _quarantine_of(self, builder: GraphBuilder, outcome: ValidationOutcome) -> list[ox.Quad]:
        """The quarantined triples and the records saying why, in the graph of each article
        that stated them; a record in the graphs of the documents it names (prov:wasDerivedFrom:
        those whose statements it took out), else of every article describing its node."""
        quads: list[ox.Quad] = []
        docs_of_node: dict[object, set[str]] = defaultdict(set)
        q = outcome.quarantine
        if not len(q) and not outcome.withdrawn:
            return quads
        for (s, _p, o), docs in builder.support.items():
            docs_of_node[s] |= docs
        for t in q:
            if not isinstance(t[0], BNode) and t in builder.support:
                for doc in sorted(builder.support[t]):
                    quads.append(ox.Quad(_ox(t[0]), _ox(t[1]), _ox(t[2]), _ox(graph_iri(doc))))
        article_of = {iris.document_iri(doc): doc for doc in builder.articles}
        for t, documents in outcome.withdrawn.items():  # kept, but not as these reports'
            for doc in sorted(article_of[d] for d in documents if d in article_of):
                quads.append(ox.Quad(_ox(t[0]), _ox(t[1]), _ox(t[2]), _ox(graph_iri(doc))))
        for record in q.subjects(RDF.type, CKG.QuarantineRecord):
            focus = q.value(record, SH.focusNode)
            named = {article_of[d] for d in q.objects(record, PROV.wasDerivedFrom) if d in article_of}
            for doc in sorted(named or docs_of_node.get(focus) or builder.articles):
                copy, graph = ox.BlankNode(), _ox(graph_iri(doc))
                for _s, p, o in q.triples((record, None, None)):
                    quads.append(ox.Quad(copy, _ox(p), _ox(o), graph))
        return quads

    def replace_graphs(self, graphs: dict[URIRef, list[tuple] | None]) -> None:
        """Replace named graphs with new triples (None: drop the graph) and keep the default
        graph the union of the named graphs, all or nothing: one SPARQL update, or, when no
        graph is there yet, one insertion of N-Quads text (`_insert`, several times faster
        for a large batch than parsing an INSERT DATA text).

        A triple leaves the default graph only when no graph outside `graphs` holds it; the
        new triples then enter both their graph and the default graph. For article graphs and
        for graphs derived from them (e.g. inferences), as long as each is replaced whole.
        """
        self._writable()
        if not graphs:
            return
        names = [str(_ox(g)) for g in sorted(graphs)]
        operations = []
        if any(self.db.contains_named_graph(_ox(g)) for g in graphs):
            operations.append(
                "DELETE { ?s ?p ?o } WHERE {\n"
                f"  VALUES ?g {{ {' '.join(names)} }}\n"
                "  GRAPH ?g { ?s ?p ?o }\n"
                f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other NOT IN ({', '.join(names)})) }}\n"
                "}")
            operations += [f"DROP SILENT GRAPH {name}" for name in names]
        if not operations:  # nothing to replace: one insertion, no SPARQL text to parse
            self._insert(graphs)
            return
        written, union = _ntriples(graphs)
        blocks = [f"GRAPH {name} {{\n" + "".join(f"{t} .\n" for t in triples) + "}"
                  for name, triples in written.items()]
        if blocks:
            operations.append("INSERT DATA {\n" + "".join(f"{t} .\n" for t in union) + "\n".join(blocks) + "\n}")
        try:
            self.db.update(" ;\n".join(operations))
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: the update failed and was rolled back: {exc}") from None
        self._flush_memory_tables()

    def _insert(self, graphs: dict[URIRef, list[tuple] | None]) -> None:
        """Add new graphs and their union to the default graph, all or nothing.

        Written as N-Quads text that Oxigraph parses itself: in a large build, making a
        pyoxigraph Quad object per triple cost more than Oxigraph's own insertion."""
        written, union = _ntriples(graphs)
        lines = [f"{t} {name} .\n" for name, triples in written.items() for t in triples]
        if not lines:
            return
        lines += [f"{t} .\n" for t in union]
        data = "".join(lines).encode("utf-8")
        bulk = len(lines) <= BULK_QUADS_MAX
        try:
            if bulk:
                # Sorted files handed to the database whole: no write-ahead log and no memory
                # tables to flush, about half the CPU of `load`. The text was made from
                # pyoxigraph terms, already checked, hence `lenient`.
                self.db.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                self.db.load(data, format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: the insertion failed and was rolled back: {exc}") from None
        if not bulk:
            self._flush_memory_tables()

    def _flush_memory_tables(self) -> None:
        """After a transaction: RocksDB keeps what a transaction wrote in memory tables until
        they are flushed, so without this a build's memory grew with every batch (about 26 MiB
        per 40k quads), not with the batch. A bulk insertion writes files and needs none."""
        self.db.flush()

    # -- removing --------------------------------------------------------------------------
    def remove(self, ids: Iterable[str]) -> list[StoredArticle]:
        """Drop the graphs of these articles (all or none, in one transaction) and their
        quarantine; what other articles support stays."""
        self._writable()
        wanted = list(dict.fromkeys(ids))
        held = {i: self._document_id(_ox(graph_iri(i))) for i in wanted}
        missing = [i for i in wanted if held[i] is None]
        if missing:
            some = [a.id for a in self.articles()]
            shown = ", ".join(some[:10]) or "no articles"
            raise StoreError(f"{self.path}: no article {', '.join(map(repr, missing))} in the store "
                             f"(it holds {shown}{', ...' if len(some) > 10 else ''}); nothing was removed")
        if not wanted:
            return []
        counts = {i: sum(1 for _ in self.db.quads_for_pattern(None, None, None, _ox(graph_iri(i)))) for i in wanted}
        try:
            self.replace_graphs({graph_iri(i): None for i in wanted})
        except StoreError as exc:
            raise StoreError(f"{exc}; nothing was removed") from None
        gone = {_ox(graph_iri(i)) for i in wanted}
        self._write_quarantine([q for q in self._quarantine_quads() if q.graph_name not in gone])
        return [StoredArticle(held[i] or i, graph_iri(i), counts[i]) for i in wanted]

    # -- quarantine file -------------------------------------------------------------------
    def _quarantine_quads(self) -> list[ox.Quad]:
        """The quarantine file's quads (read with pyoxigraph: it grows with the store)."""
        path = self.path / QUARANTINE
        if not path.is_file():
            return []
        try:
            return list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"{path}: cannot read the store's quarantine: {exc}") from None

    def _write_quarantine(self, quads: list[ox.Quad]) -> None:
        with atomic_output(self.path / QUARANTINE) as fh:
            ox.serialize(quads, fh, ox.RdfFormat.TRIG, prefixes=QUARANTINE_PREFIXES)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: the store was opened read-only")

    # -- export ----------------------------------------------------------------------------
    def export(self, out: Path, *, with_ontology: bool = False) -> int:
        """Write the store to `out` (format from the extension), atomically; returns the number
        of triples (quads for TriG and N-Quads) written.

        Turtle, N-Triples and JSON-LD get the union of the articles (each triple once), TriG and
        N-Quads a named graph per article; `with_ontology` adds the ontology (in TriG and N-Quads
        as the graph <https://w3id.org/conflict-kg/ontology>). Turtle and TriG use the readable
        prefixes (ckg:, prov:, skos:, ...), JSON-LD a context of the same prefixes.
        """
        fmt = format_for(out)
        ontology = ontology_graph() if with_ontology else Graph()
        written = 0

        def counted(items: Iterable) -> Iterator:
            nonlocal written
            for item in items:
                written += 1
                yield item

        if fmt == "json-ld":
            g = self.union()
            for t in ontology:
                g.add(t)
            write_rdf(g, out)
            return len(g)
        ox_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                     "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}[fmt]
        prefixes = EXPORT_PREFIXES if fmt in ("turtle", "trig") else None
        onto = [(_ox(s), _ox(p), _ox(o)) for s, p, o in sorted(ontology, key=lambda t: tuple(map(str, t)))]
        if fmt in ("trig", "nquads"):
            graph = _ox(ONTOLOGY_GRAPH)
            items = chain(self._named_quads(), (ox.Quad(s, p, o, graph) for s, p, o in onto))
            with atomic_output(Path(out)) as fh:
                ox.serialize(counted(items), fh, ox_format, prefixes=prefixes)
            return written
        # The union is the default graph: Oxigraph writes it itself (no Python object per
        # triple, about twice as fast); the ontology follows as a second part of the same file
        # (Turtle allows prefix declarations between statements).
        counted_triples: list[int] = []  # counted meanwhile, in a thread (Oxigraph releases the GIL)
        counter = threading.Thread(target=lambda: counted_triples.append(int(next(iter(
            self.db.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)))
        counter.start()
        try:
            with atomic_output(Path(out)) as fh:
                self.db.dump(fh, ox_format, from_graph=ox.DefaultGraph(), prefixes=prefixes)
                if onto:
                    ox.serialize((ox.Triple(s, p, o) for s, p, o in onto), fh, ox_format, prefixes=prefixes)
        finally:
            counter.join()
        return counted_triples[0] + len(onto)


# -- serving lock: Oxigraph's read-only server must not share the database with a writer ------
def serve_lock(path: Path) -> Path:
    return Path(path) / SERVE_LOCK


def writer_holds(path: Path) -> bool:
    """Whether another process has the store's database open for writing (RocksDB's LOCK file
    is locked), found without opening the database. Only for a process that does not have the
    store open itself: closing the probe would release that process's own POSIX lock."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: cannot tell
        return False
    lock = Path(path) / DATABASE / "LOCK"
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _remove_unfinished_bulk_files(location: Path) -> None:
    """Delete the sorted files of a bulk insertion that a killed build wrote but the database
    never took in (it names its own files by number): dead weight, not data. Called with the
    database's lock held, so no other process is writing them."""
    for leftover in location.glob("bulk-*.sst"):
        try:
            leftover.unlink()
        except OSError:
            pass


def _check_not_served(path: Path) -> None:
    lock = serve_lock(path)
    if not lock.is_file():
        return
    try:
        info = json.loads(lock.read_text("utf-8"))
        pid = int(info["pid"])
    except (ValueError, KeyError, TypeError, OSError):
        return
    if _alive(pid):
        raise StoreError(f"{path}: the store is being served (conflict-kg serve, process {pid}, "
                         f"{info.get('url', '')}); stop the server before changing the store")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _split_context(context: Iterable[tuple], batch: dict) -> tuple[list[tuple], set[tuple]]:
    """The store's triples that the batch does not state, and the batch's triples that the
    store holds already. Numbers are compared by value: the store gives back a toll stated as
    "3"^^xsd:nonNegativeInteger as "3"^^xsd:integer (and 0.80 as 0.8), the same fact."""
    context = list(context)
    held = {t for t in context if t in batch}
    rest = [(t, _typed_value(t[2])) for t in context if t not in batch]
    numbers = {(s, p) for (s, p, _o), value in rest if value is not None}
    by_value = {}
    for s, p, o in batch:
        if (s, p) in numbers and (value := _typed_value(o)) is not None:
            by_value[(s, p, value)] = (s, p, o)
    others = []
    for t, value in rest:
        same = by_value.get((t[0], t[1], value)) if value is not None else None
        if same is None:
            others.append(t)
        else:
            held.add(same)
    return others, held


def _typed_value(term) -> int | float | Decimal | None:
    """The value of a numeric literal, which the store keeps in canonical form; None for other
    terms (and ill-typed numbers)."""
    if not isinstance(term, Literal) or term.datatype is None:
        return None
    value = term.value
    return value if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else None


# -- terms -----------------------------------------------------------------------------------
def _ntriples(graphs: dict[URIRef, list[tuple] | None]) -> tuple[dict[str, list[str]], list[str]]:
    """Each non-empty graph's triples as N-Triples text (without the final " ."), by graph name
    in N-Triples, and their union, each triple once. Each term is converted once: entities,
    predicates and documents recur in a batch."""
    terms: dict = {}

    def nt(term) -> str:
        text = terms.get(term)
        if text is None:
            text = terms[term] = str(_ox(term))
        return text

    written: dict[str, list[str]] = {}
    union: dict[str, None] = {}
    for g in sorted(graphs):
        if graphs[g]:
            triples = written[nt(g)] = [f"{nt(s)} {nt(p)} {nt(o)}" for s, p, o in graphs[g]]
            union.update(dict.fromkeys(triples))
    return written, list(union)


def _ox(term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _rdflib(term) -> URIRef | BNode | Literal:
    """A pyoxigraph term as an rdflib term (xsd:string literals as plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")
