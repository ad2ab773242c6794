"""`build()`: articles in, a validated graph, a report and a quarantine out.

ingest -> extract -> rdf -> validate -> serialize and/or store; the command line only parses
options and calls this. With a store, the articles are added to it as one batch (see store.py).
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Dataset, Graph
from rdflib.namespace import RDF
from tqdm import tqdm

from .extract.extractor import ExtractOptions, Extractor, extract_articles
from .extract.gazetteer import GROUP_CLASSES
from .extract.records import ENTITY_TYPES, OPERATION_TYPES, RELATIONS, Article, ExtractionFailure
from .ingest import InputProblem, read_inputs
from .iris import CKG, document_iri
from .rdf import GraphBuilder, bind_prefixes
from .serialize import format_for, write_rdf, write_text
from .store import QUARANTINE, REPORT, GraphStore
from .validate import ValidationOutcome, format_report, validate


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs, resolved once from defaults and the command line."""

    out: Path | None = None              # graph file; `out`, `store` or both
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    published: dt.date | None = None     # for articles that state no date
    progress: bool = True
    store: Path | None = None            # a store directory to add the articles to (made if new)


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
    # Open the store first: a locked or foreign directory fails before any extraction.
    store = GraphStore.open(options.store, create=True) if options.store is not None else None
    try:
        return _build(inputs, options, summary, store, started, warn, extractor)
    finally:
        if store is not None:
            store.close()


def _build(inputs: Iterable[Path], options: BuildOptions, summary: BuildSummary, store: GraphStore | None,
           started: float, warn: Callable[[str], None], extractor: Extractor | None) -> BuildSummary:
    articles = _articles(inputs, options, summary, warn)
    if store is not None:
        for art, problem in store.check_articles(articles):
            articles.remove(art)
            summary.failed.append(problem)
            warn(f"error: {problem}")
    if extractor is None and articles and not options.extract.scheduler:
        extractor = Extractor(options.extract)
    # The containers of places come from the bundled gazetteer: share the extractor's copy
    # when it is just that (loading it takes about a second).
    gazetteer = extractor.gazetteer if extractor is not None and not extractor.options.gazetteer_files else None
    builder = GraphBuilder(gazetteer=gazetteer, known=store)
    if articles:
        facts = (extractor.extract(articles, warn=warn) if extractor is not None
                 else extract_articles(articles, options=options.extract, warn=warn))
        bar = tqdm(facts, total=len(articles), unit="article",
                   disable=not options.progress or len(articles) < 2, desc="extracting")
        for facts in bar:
            if isinstance(facts, ExtractionFailure):
                summary.failed.append(f"{facts.article.source}: {facts.message}")
                warn(f"error: {facts.article.source}: {facts.message}")
                continue
            builder.add(facts)
            summary.articles += 1
    outcome = store.validate(builder) if store is not None else validate(builder.graph())
    if options.out is not None:
        _write(builder, outcome, options.out, summary)
    if store is not None:
        store.write(builder, outcome)
        summary.outputs.update({"store": store.path, "store report": store.path / REPORT,
                                "store quarantine": store.path / QUARANTINE})
    _count(outcome.valid, summary)
    summary.violations = len(outcome.violations)
    summary.seconds = time.perf_counter() - started
    return summary


def _articles(inputs: Iterable[Path], options: BuildOptions, summary: BuildSummary,
              warn: Callable[[str], None]) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, tuple[str, str]] = {}  # document IRI -> (id, source): ids that slug alike clash too
    for item in read_inputs(inputs, published=options.published, warn=warn):
        if isinstance(item, InputProblem):
            summary.failed.append(str(item))
            warn(f"error: {item}")
        elif (doc := str(document_iri(item.id))) in seen:
            first_id, first_source = seen[doc]
            alike = "" if first_id == item.id else f" (its IRI <{doc}> is that of id {first_id!r})"
            problem = f"{item.source}: article id {item.id!r}{alike} was already read from {first_source}; skipped"
            summary.failed.append(problem)
            warn(f"error: {problem}")
        else:
            seen[doc] = (item.id, item.source)
            if item.published is None:
                warn(f"warning: {item.source}: no publication date in the text or --published; "
                     f"relative dates ('on Thursday') stay unresolved")
            articles.append(item)
    return articles


def _write(builder: GraphBuilder, outcome: ValidationOutcome, out: Path, summary: BuildSummary) -> None:
    paths = output_paths(out)
    dataset = _valid_dataset(builder, outcome.valid) if format_for(out) in ("trig", "nquads") else None
    write_rdf(outcome.valid, paths["graph"], dataset=dataset)
    write_text(paths["report"], format_report(outcome))
    write_rdf(outcome.quarantine, paths["quarantine"])
    summary.outputs.update(paths)


def _valid_dataset(builder: GraphBuilder, valid: Graph) -> Dataset:
    """A named graph per article, holding only triples that passed validation."""
    full = builder.dataset()
    ds = Dataset()
    bind_prefixes(ds)
    for s, p, o, g in full.quads((None, None, None, None)):
        if (s, p, o) in valid:
            ds.graph(g).add((s, p, o))
    return ds


def _count(g: Graph, summary: BuildSummary) -> None:
    summary.triples = len(g)
    entity_classes = (*ENTITY_TYPES, *GROUP_CLASSES)
    summary.entities = len({s for t in entity_classes for s in g.subjects(RDF.type, CKG[t])})
    summary.relations = sum(1 for p in RELATIONS for _ in g.triples((None, CKG[p], None)))
    summary.operations = len({s for t in OPERATION_TYPES for s in g.subjects(RDF.type, CKG[t])})
