"""`build()`: articles in, a validated graph, a report and a quarantine out.

ingest -> extract -> rdf -> validate -> serialize; the command line only parses options
and calls this.
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

from .extract.extractor import ExtractOptions, Extractor
from .extract.gazetteer import GROUP_CLASSES
from .extract.records import ENTITY_TYPES, OPERATION_TYPES, RELATIONS, Article, ExtractionFailure
from .ingest import InputProblem, read_inputs
from .iris import CKG
from .rdf import GraphBuilder, bind_prefixes
from .serialize import format_for, write_rdf, write_text
from .validate import ValidationOutcome, format_report, validate


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs, resolved once from defaults and the command line."""

    out: Path
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    published: dt.date | None = None     # for articles that state no date
    progress: bool = True


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


def build(inputs: Iterable[Path], options: BuildOptions, *, warn: Callable[[str], None] = print) -> BuildSummary:
    """Read, extract, validate and write; bad inputs are reported and skipped, never fatal."""
    started = time.perf_counter()
    format_for(options.out)  # fail on an unknown extension before any work
    summary = BuildSummary()
    articles = _articles(inputs, options, summary, warn)
    builder = GraphBuilder()
    if articles:
        extractor = Extractor(options.extract)
        bar = tqdm(extractor.extract(articles), total=len(articles), unit="article",
                   disable=not options.progress or len(articles) < 2, desc="extracting")
        for facts in bar:
            if isinstance(facts, ExtractionFailure):
                summary.failed.append(f"{facts.article.source}: {facts.message}")
                warn(f"error: {facts.article.source}: {facts.message}")
                continue
            builder.add(facts)
            summary.articles += 1
    outcome = validate(builder.graph())
    _write(builder, outcome, options.out, summary)
    _count(outcome.valid, summary)
    summary.violations = len(outcome.violations)
    summary.seconds = time.perf_counter() - started
    return summary


def _articles(inputs: Iterable[Path], options: BuildOptions, summary: BuildSummary,
              warn: Callable[[str], None]) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for item in read_inputs(inputs, published=options.published):
        if isinstance(item, InputProblem):
            summary.failed.append(str(item))
            warn(f"error: {item}")
        elif item.id in seen:
            problem = f"{item.source}: article id {item.id!r} was already read from {seen[item.id]}; skipped"
            summary.failed.append(problem)
            warn(f"error: {problem}")
        else:
            seen[item.id] = item.source
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
    summary.outputs = paths


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
