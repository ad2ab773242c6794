"""Articles in, `ArticleFacts` out: the extraction stage's one public entry point."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .context import DocumentContext
from .gazetteer import Gazetteer, load_gazetteer
from .nlp import DEFAULT_MODEL, load_nlp, parse_text
from .operations import extract_operations
from .records import Article, ArticleFacts, ExtractionFailure
from .relations import extract_relations


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and captions stand alone."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.whitespace_ or prev.is_space and "\n" in prev.text:
            tok.is_sent_start = True
    return doc


@dataclass(frozen=True)
class ExtractOptions:
    """How to run extraction; resolved once from defaults, config and command line."""

    model: str = DEFAULT_MODEL
    gazetteer_files: tuple[Path, ...] = field(default_factory=tuple)
    batch_size: int = 32
    n_process: int = 1


class Extractor:
    """A loaded pipeline (model + gazetteer ruler) that turns articles into facts."""

    def __init__(self, options: ExtractOptions = ExtractOptions()):
        self.options = options
        self.gazetteer: Gazetteer = load_gazetteer(options.gazetteer_files)
        self.nlp = load_nlp(options.model, self.gazetteer)
        if "parser" in self.nlp.pipe_names:
            self.nlp.add_pipe("line_breaks", before="parser")

    def extract(self, articles: Iterable[Article]) -> Iterator[ArticleFacts | ExtractionFailure]:
        """Facts per article, streamed: memory is bounded by the batch, not the corpus.

        An article whose text the rules cannot handle becomes an `ExtractionFailure`
        instead of stopping the run.
        """
        pairs = ((parse_text(a.text), a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.options.batch_size,
                                          n_process=self.options.n_process):
            try:
                yield self.facts(doc, article)
            except Exception as exc:  # a rule bug on one article must not lose the others
                yield ExtractionFailure(article, f"extraction failed: {type(exc).__name__}: {exc}")

    def facts(self, doc: Doc, article: Article) -> ArticleFacts:
        return self.analyse(doc, article)[0]

    def parse(self, article: Article) -> Doc:
        return self.nlp(parse_text(article.text))

    def analyse(self, doc: Doc, article: Article) -> tuple[ArticleFacts, DocumentContext]:
        """Facts with the context that produced them (for `explain`)."""
        ctx = DocumentContext(doc, article, self.gazetteer)
        relations = extract_relations(ctx)  # first: "the US-backed force" needs the backing
        operations = extract_operations(ctx)
        facts = ArticleFacts(article=article, entities=ctx.entities, relations=relations, operations=operations)
        return facts, ctx
