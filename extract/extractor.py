"""Articles in, `ArticleFacts` out: the extraction stage's one public entry point,
`extract_articles` (here, in `n_process` processes, or on a Dask cluster).

Any article text can be read:

- spaCy's tokenizer takes time quadratic in the length of a run of characters without a space
  when it peels punctuation off it one character at a time (20,000 "!" take 30 s; 50,000, 200 s).
  The parser therefore reads such a run broken every `RUN_PIECE_CHARS` characters by a space put
  in place of a character (`parser_text`): same length, so every offset still points into the
  article, whose own text is what evidence and labels are taken from.
- An article longer than `ExtractOptions.chunk_chars` (and spaCy's `max_length`) is parsed in
  parts cut at paragraph ends (else line, sentence, word ends), which are joined back into one
  `Doc` (`Doc.from_docs`) before the rules run, so offsets are the article's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from . import DEFAULT_MODEL
from .context import DocumentContext
from .gazetteer import Gazetteer, load_gazetteer
from .nlp import load_nlp, parse_text
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


MAX_RUN_CHARS = 64        # a longer run without whitespace is read by the parser in pieces ...
RUN_PIECE_CHARS = 32      # ... of this many characters
WARN_RUN_CHARS = 1_000    # a run this long is worth a warning (a long URL is not)
DEFAULT_CHUNK_CHARS = 100_000
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")
# Where a part may end, best first: after a blank line, a line break, a sentence end, a space.
_CUTS = (re.compile(r"\n[^\S\n]*\n\s*"), re.compile(r"\n\s*"),
         re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+"), re.compile(r"\s+"))

Warn = Callable[[str], None]


@dataclass(frozen=True)
class ExtractOptions:
    """How to run extraction; resolved once from defaults, config and command line."""

    model: str = DEFAULT_MODEL
    gazetteer_files: tuple[Path, ...] = field(default_factory=tuple)
    batch_size: int = 32
    n_process: int = 1
    chunk_chars: int = DEFAULT_CHUNK_CHARS   # longer articles are parsed in parts of at most this size
    scheduler: str | None = None             # a dask.distributed scheduler ("tcp://host:8786") to run on


def extract_articles(articles: Iterable[Article], *, options: ExtractOptions = ExtractOptions(),
                     warn: Warn | None = None) -> Iterator[ArticleFacts | ExtractionFailure]:
    """Facts per article, in input order, streamed; here or on `options.scheduler`'s cluster.

    An article the rules cannot handle becomes an `ExtractionFailure`; `warn` is told (with
    the article's file and line) about text read in pieces. Local worker processes start at
    this call (see `extract_in_processes`); otherwise nothing is loaded before the first
    article is asked for.
    """
    if options.scheduler:
        from ..distributed import extract_on_cluster
        return extract_on_cluster(articles, options=options, warn=warn)
    if options.n_process > 1:
        from ..distributed import extract_in_processes
        return extract_in_processes(articles, options=options, warn=warn)
    return _extract_here(articles, options, warn)


def _extract_here(articles: Iterable[Article], options: ExtractOptions,
                  warn: Warn | None) -> Iterator[ArticleFacts | ExtractionFailure]:
    yield from Extractor(options).extract(articles, warn=warn)


def parser_text(text: str) -> tuple[str, list[str]]:
    """The text spaCy reads, of the same length as `text`, and notes on what was changed.

    Acronyms get their parse stand-ins (`parse_text`) and runs of more than `MAX_RUN_CHARS`
    characters without whitespace get a space in place of every `RUN_PIECE_CHARS + 1`-th
    character, which keeps the tokenizer linear.

    >>> parser_text("go " + "!" * 70)[0] == "go " + "!" * 32 + " " + "!" * 32 + " " + "!" * 4
    True
    """
    out = parse_text(text)
    runs = list(_LONG_RUN.finditer(out))
    if not runs:
        return out, []
    parts, last = [], 0
    for m in runs:
        chars = list(m.group())
        chars[RUN_PIECE_CHARS::RUN_PIECE_CHARS + 1] = " " * len(chars[RUN_PIECE_CHARS::RUN_PIECE_CHARS + 1])
        parts += [out[last:m.start()], "".join(chars)]
        last = m.end()
    parts.append(out[last:])
    longest = max(runs, key=lambda m: m.end() - m.start())
    notes = []
    if longest.end() - longest.start() >= WARN_RUN_CHARS:
        line = text.count("\n", 0, longest.start()) + 1
        notes.append(f"{len(runs):,} run(s) of more than {MAX_RUN_CHARS} characters without a space (the longest "
                     f"{longest.end() - longest.start():,}, at line {line}) read by the parser in pieces of "
                     f"{RUN_PIECE_CHARS}; the article text is unchanged")
    return "".join(parts), notes


def split_text(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive parts of at most `limit` characters that cover `text`, each
    cut after a paragraph end if there is one in its second half, else a line end, a sentence
    end or a space (each part starts where the previous ends; whitespace stays in the first).

    >>> split_text("One. Two.\\n\\nThree four.", 14)
    [(0, 11), (11, 22)]
    """
    if limit < 2:
        raise ValueError(f"parts must be at least 2 characters, not {limit}")
    parts, start = [], 0
    while len(text) - start > limit:
        end = start + limit
        cut = next((c for lo in (start + limit // 2, start + 1) for pattern in _CUTS
                    if (c := _last_cut(pattern, text, lo, end)) is not None), end)
        parts.append((start, cut))
        start = cut
    parts.append((start, len(text)))
    return parts


def _last_cut(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """The end of the last match of `pattern` that lies within text[lo:hi] (None if none)."""
    best = None
    for m in pattern.finditer(text, lo, hi):
        best = m.end()
    return best


class Extractor:
    """A loaded pipeline (model + gazetteer ruler) that turns articles into facts."""

    def __init__(self, options: ExtractOptions = ExtractOptions()):
        self.options = options
        self.gazetteer: Gazetteer = load_gazetteer(options.gazetteer_files)
        self.nlp = load_nlp(options.model, self.gazetteer)
        if "parser" in self.nlp.pipe_names:
            self.nlp.add_pipe("line_breaks", before="parser")

    @property
    def chunk_chars(self) -> int:
        """The longest text spaCy is given at once."""
        return max(2, min(self.options.chunk_chars, self.nlp.max_length))

    def extract(self, articles: Iterable[Article], *, warn: Warn | None = None
                ) -> Iterator[ArticleFacts | ExtractionFailure]:
        """Facts per article, in input order, streamed: memory is bounded by the batch, not the
        corpus (`options.n_process` processes parse; the rules run here).

        An article whose text the rules cannot handle becomes an `ExtractionFailure`
        instead of stopping the run. A long article is parsed in parts (see the module).
        """
        held: dict[int, Article] = {}  # articles in flight, by number: only the number goes to the workers
        pending: list[Doc] = []
        for doc, (number, part, parts) in self.nlp.pipe(self._parts(articles, warn, held), as_tuples=True,
                                                        batch_size=self.options.batch_size,
                                                        n_process=self.options.n_process):
            pending.append(doc)
            if part + 1 < parts:
                continue
            docs, pending, article = pending, [], held.pop(number)
            try:
                yield self.facts(self._joined(docs, article), article)
            except Exception as exc:  # a rule bug on one article must not lose the others
                yield ExtractionFailure(article, f"extraction failed: {type(exc).__name__}: {exc}")

    def _parts(self, articles: Iterable[Article], warn: Warn | None, held: dict[int, Article]
               ) -> Iterator[tuple[str, tuple[int, int, int]]]:
        """(text, (article number, part, parts)) for spaCy, each article's parts in order."""
        limit = self.chunk_chars
        for number, article in enumerate(articles):
            held[number] = article
            text, notes = parser_text(article.text)
            spans = split_text(text, limit) if len(text) > limit else [(0, len(text))]
            if len(spans) > 1:
                notes.append(f"article is {len(text):,} characters: parsed in {len(spans)} parts of at most "
                             f"{limit:,}, cut at paragraph or sentence ends")
            for note in notes if warn else ():
                warn(f"warning: {article.source}: {note}")
            for i, (start, end) in enumerate(spans):
                yield text[start:end], (number, i, len(spans))

    def _joined(self, docs: list[Doc], article: Article) -> Doc:
        if len(docs) == 1:
            return docs[0]
        doc = Doc.from_docs(docs, ensure_whitespace=False)
        if len(doc.text) != len(article.text):
            raise ValueError(f"the parts of a long article joined to {len(doc.text)} characters, "
                             f"not {len(article.text)}")
        return doc

    def parse(self, article: Article) -> Doc:
        """One article's `Doc` (in parts if long, as `extract` does)."""
        docs = [self.nlp(text) for text, _ in self._parts([article], None, {})]
        return self._joined(docs, article)

    def facts(self, doc: Doc, article: Article) -> ArticleFacts:
        return self.analyse(doc, article)[0]

    def analyse(self, doc: Doc, article: Article) -> tuple[ArticleFacts, DocumentContext]:
        """Facts with the context that produced them (for `explain`)."""
        ctx = DocumentContext(doc, article, self.gazetteer)
        relations = extract_relations(ctx)  # first: "the US-backed force" needs the backing
        operations = extract_operations(ctx)
        facts = ArticleFacts(article=article, entities=ctx.entities, relations=relations, operations=operations)
        return facts, ctx
