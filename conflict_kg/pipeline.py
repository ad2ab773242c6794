"""`build()`: articles in, a validated graph, a report and a quarantine out.

ingest -> extract -> rdf -> validate -> serialize and/or store; the command line only parses
options and calls this. Articles stream through in batches (`batch_articles`): each batch is
extracted, validated with the store's context and written to the store in one transaction, so
memory follows the batch, not the corpus. Without a store, batches go to a temporary store and
the graph file is written from it at the end (Oxigraph's writer).
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Graph
from rdflib.namespace import RDF
from tqdm import tqdm

from .distributed import batches
from .extract.extractor import ExtractOptions, Extractor, extract_articles
from .extract.gazetteer import GROUP_CLASSES, Gazetteer, load_gazetteer
from .extract.records import ENTITY_TYPES, OPERATION_TYPES, RELATIONS, Article, ExtractionFailure
from .ingest import InputProblem, read_inputs
from .iris import CKG, document_iri
from .memory import collect_per_batch, return_large_buffers_to_os
from .rdf import GraphBuilder
from .serialize import format_for, write_rdf, write_text
from .store import QUARANTINE, REPORT, GraphStore
from .validate import ValidationOutcome, format_report


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs, resolved once from defaults and the command line."""

    out: Path | None = None              # graph file; `out`, `store` or both
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    published: dt.date | None = None     # for articles that state no date
    progress: bool = True
    store: Path | None = None            # a store directory to add the articles to (made if new)
    batch_articles: int = 50             # articles validated and written together: memory follows it


@dataclass
class BuildSummary:
    articles: int = 0
    failed: list[str] = field(default_factory=list)
    entities: int = 0
    relations: int = 0
    operations: int = 0
    violations: int = 0
    triples: int = 0
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"articles: {self.articles} built, {len(self.failed)} failed",
                 f"entities: {self.entities}   relations: {self.relations}   operations: {self.operations}",
                 f"violations: {self.violations} (quarantined)   triples: {self.triples}   time: {self.seconds:.1f} s"]
        lines += [f"{kind}: {path}" for kind, path in self.outputs.items()]
        return "\n".join(lines)


def output_paths(out: Path) -> dict[str, Path]:
    """The graph, its validation report and its quarantine, side by side."""
    stem = out.with_suffix("")
    return {"graph": out, "report": Path(f"{stem}.report.txt"), "quarantine": Path(f"{stem}.quarantine.ttl")}


def build(inputs: Iterable[Path], options: BuildOptions, *, warn: Callable[[str], None] = print,
          extractor: Extractor | None = None) -> BuildSummary:
    """Read, extract, validate and write; bad inputs are reported and skipped, never fatal.

    `extractor`: a pipeline already loaded (`Extractor(options.extract)`) to reuse, e.g. by a
    process that adds articles to a store one at a time; by default one is loaded here (and its
    gazetteer also resolves the places' containers, so it is read once per build).
    """
    started = time.perf_counter()
    if options.out is None and options.store is None:
        raise ValueError("nowhere to write the graph: give an output file, a store, or both")
    if options.out is not None:
        format_for(options.out)  # fail on an unknown extension before any work
    summary = BuildSummary()
    return_large_buffers_to_os()
    # Open the store first: a locked or foreign directory fails before any extraction.
    store = GraphStore.open(options.store, create=True) if options.store is not None else None
    try:
        return _build(inputs, options, summary, store, started, warn, extractor)
    finally:
        if store is not None:
            store.close()


def _build(inputs: Iterable[Path], options: BuildOptions, summary: BuildSummary, store: GraphStore | None,
           started: float, warn: Callable[[str], None], extractor: Extractor | None) -> BuildSummary:
    with _target(store) as target:
        articles = _articles(inputs, options, summary, warn, target)
        first = next(articles, None)
        in_workers = options.extract.scheduler or options.extract.n_process > 1
        if extractor is None and first is not None and not in_workers:
            extractor = Extractor(options.extract)
        written = _Written()
        if first is not None:
            stream = chain([first], articles)
            # Worker processes start here, and load their pipeline while this one loads the gazetteer.
            facts = (extractor.extract(stream, warn=warn) if extractor is not None
                     else extract_articles(stream, options=options.extract, warn=warn))
            gazetteer = _containers_gazetteer(extractor)
            bar = tqdm(facts, unit="article", disable=not options.progress, desc="extracting")
            with collect_per_batch() as collect:
                for batch in batches(bar, options.batch_articles):
                    _add_batch(batch, target, gazetteer, summary, written, warn)
                    collect()  # the batch's graphs are garbage now
        target.record_quarantine(written.articles, written.quarantine_quads, written.outcome)
        if options.out is not None:
            summary.triples = _write(target, written.outcome, options.out, summary)
        else:
            summary.triples = written.triples
    if store is not None:
        summary.outputs.update({"store": store.path, "store report": store.path / REPORT,
                                "store quarantine": store.path / QUARANTINE})
    summary.entities, summary.relations, summary.operations = (
        len(written.entities), len(written.relations), len(written.operations))
    summary.violations = len(written.outcome.violations)
    summary.seconds = time.perf_counter() - started
    return summary


def _containers_gazetteer(extractor: Extractor | None) -> Gazetteer:
    """The bundled gazetteer, which resolves the containers of places: the extractor's copy
    when it is just that (loading one takes about half a second), else one loaded here."""
    if extractor is not None and not extractor.options.gazetteer_files:
        return extractor.gazetteer
    return load_gazetteer(())


def _add_batch(batch: list, target: GraphStore, gazetteer: Gazetteer, summary: BuildSummary,
               written: _Written, warn: Callable[[str], None]) -> None:
    """Turn a batch of facts into RDF, validate it with the store's context and write it."""
    builder = GraphBuilder(gazetteer=gazetteer, known=target)
    for item in batch:
        if isinstance(item, ExtractionFailure):
            summary.failed.append(f"{item.article.source}: {item.message}")
            warn(f"error: {item.article.source}: {item.message}")
            continue
        builder.add(item)
        summary.articles += 1
    outcome = target.validate(builder)
    written.add(builder, outcome, target.write(builder, outcome))


@contextmanager
def _target(store: GraphStore | None) -> Iterator[GraphStore]:
    """Where batches go: the store, or for a graph file alone a temporary store, so that memory
    follows the batch and the file is written at the end by Oxigraph."""
    if store is not None:
        yield store
        return
    with tempfile.TemporaryDirectory(prefix="conflict-kg-build-") as tmp, \
            GraphStore.open(Path(tmp) / "store", create=True) as scratch:
        yield scratch


@dataclass
class _Written:
    """What the batches of one build wrote: enough for the summary, the report and the
    quarantine, not the triples themselves."""

    outcome: ValidationOutcome = field(default_factory=lambda: ValidationOutcome(Graph(), Graph()))
    quarantine_quads: list = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    entities: set = field(default_factory=set)
    relations: set = field(default_factory=set)
    operations: set = field(default_factory=set)
    triples: int = 0

    def add(self, builder: GraphBuilder, outcome: ValidationOutcome, quarantine_quads: list) -> None:
        self.articles += builder.articles
        self.quarantine_quads += quarantine_quads
        self.outcome.violations += outcome.violations
        self.outcome.warnings += [w for w in outcome.warnings if w not in self.outcome.warnings]
        self.outcome.quarantine += outcome.quarantine
        valid = outcome.valid
        self.triples += len(valid)
        entity_classes = (*ENTITY_TYPES, *GROUP_CLASSES)
        self.entities |= {s for t in entity_classes for s in valid.subjects(RDF.type, CKG[t])}
        self.relations |= {t for p in RELATIONS for t in valid.triples((None, CKG[p], None))}
        self.operations |= {s for t in OPERATION_TYPES for s in valid.subjects(RDF.type, CKG[t])}


def _articles(inputs: Iterable[Path], options: BuildOptions, summary: BuildSummary,
              warn: Callable[[str], None], target: GraphStore) -> Iterator[Article]:
    """The readable articles, streamed; a problem is counted and reported, not fatal."""
    seen: dict[str, tuple[str, str]] = {}  # document IRI -> (id, source): ids that slug alike clash too
    graphs: dict = {}
    for item in read_inputs(inputs, published=options.published, warn=warn):
        if isinstance(item, InputProblem):
            problem = str(item)
        elif (doc := str(document_iri(item.id))) in seen:
            first_id, first_source = seen[doc]
            alike = "" if first_id == item.id else f" (its IRI <{doc}> is that of id {first_id!r})"
            problem = f"{item.source}: article id {item.id!r}{alike} was already read from {first_source}; skipped"
        else:
            problem = target.graph_clash(item, graphs)
        if problem is not None:
            summary.failed.append(problem)
            warn(f"error: {problem}")
            continue
        seen[doc] = (item.id, item.source)
        if item.published is None:
            warn(f"warning: {item.source}: no publication date in the text or --published; "
                 f"relative dates ('on Thursday') stay unresolved")
        yield item


def _write(store: GraphStore, outcome: ValidationOutcome, out: Path, summary: BuildSummary) -> int:
    """The graph file (from the store: a named graph per article in TriG and N-Quads), its
    report and its quarantine; returns the number of triples (quads) written."""
    paths = output_paths(out)
    count = store.export(paths["graph"])
    write_text(paths["report"], format_report(outcome))
    write_rdf(outcome.quarantine, paths["quarantine"])
    summary.outputs.update(paths)
    return count
