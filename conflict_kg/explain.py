"""Why a fact is there or missing: an article's sentences with entities marked and the facts
each sentence produced."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .extract.context import DocumentContext
from .extract.extractor import ExtractOptions, Extractor
from .extract.records import Article, ArticleFacts
from .ingest import InputProblem, read_inputs


def explain_articles(inputs: Iterable[Path], options: ExtractOptions, *, ids: set[str], out: TextIO,
                     published: dt.date | None = None, html: Path | None = None,
                     warn: Callable[[str], None] = print) -> int:
    """Write the explanation of each article (and an HTML page); returns the number of bad inputs."""
    extractor = Extractor(options)
    problems, pages = 0, []
    for item in read_inputs(inputs, published=published):
        if isinstance(item, InputProblem):
            warn(f"error: {item}")
            problems += 1
            continue
        if ids and item.id not in ids:
            continue
        facts, ctx = extractor.analyse(extractor.parse(item), item)
        out.write(explain_facts(facts, ctx) + "\n")
        pages.append((item, facts, ctx))
    if html is not None:
        from .serialize import write_text
        write_text(html, explain_html(pages))
    return problems


def explain_facts(facts: ArticleFacts, ctx: DocumentContext) -> str:
    """Terminal text: each sentence, its entity mentions [text|Type], then its facts."""
    ents = facts.entities
    name = lambda key: ents[key].label if key in ents else str(key)  # noqa: E731
    by_sentence: dict[int, list[str]] = {}
    for rel in facts.relations:
        by_sentence.setdefault(rel.evidence.start, []).append(
            f"{rel.kind}({name(rel.subject)}, {name(rel.object)})  [{rel.rule}, {rel.confidence}]")
    for op in facts.operations:
        line = (f"{op.type}: agents={[name(a) for a in op.agents]} opponents={[name(o) for o in op.opponents]} "
                f"place={name(op.place) if op.place else None} date={op.date.value if op.date else None}"
                f"{' (publication)' if op.date_basis == 'publication' else ''}")
        if op.fatalities is not None:
            line += f" fatalities={op.fatalities}"
        if op.claimed_by:
            line += f" claimed_by={name(op.claimed_by)}"
        for ev in [op.evidence, *op.extra_evidence]:
            by_sentence.setdefault(ev.start, []).append(f"{line}  [{op.rule}, {op.confidence}]")
    out = [f"# {facts.article.id}  (published {facts.article.published or 'unknown'})"]
    for sent in ctx.doc.sents:
        ev = ctx.evidence(sent)
        if not ev.text:
            continue
        marked = _marked(ctx, sent)
        out.append(f"\n[{ev.start}-{ev.end}] {marked}")
        for fact in by_sentence.get(ev.start, []):
            out.append(f"    -> {fact}")
    return "\n".join(out) + "\n"


def _marked(ctx: DocumentContext, sent) -> str:
    parts = []
    i = sent.start
    starts = {m.start: m for m in ctx.mentions if sent.start <= m.start < sent.end}
    while i < sent.end:
        m = starts.get(i)
        if m is not None and m.end <= sent.end:
            span = ctx.doc[m.start:m.end]
            parts.append(f"[{ctx.surface(span)}|{ctx.entities[m.key].type}]" + span[-1].whitespace_)
            i = m.end
        else:
            parts.append(ctx.surface(ctx.doc[i:i + 1]) + ctx.doc[i].whitespace_)
            i += 1
    return "".join(parts).strip().replace("\n", " ")


def explain_html(pages: list[tuple[Article, ArticleFacts, DocumentContext]]) -> str:
    """One HTML page: each article rendered by displaCy's entity view, then its facts."""
    import html as html_lib

    from spacy import displacy

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>conflict-kg explain</title>"
             "<style>body{font-family:sans-serif;max-width:70em;margin:auto} pre{white-space:pre-wrap}</style>"
             "</head><body>"]
    for article, facts, ctx in pages:
        spans = [{"start": ctx.doc[m.start:m.end].start_char, "end": ctx.doc[m.start:m.end].end_char,
                  "label": ctx.entities[m.key].type} for m in ctx.mentions]
        data = {"text": article.text, "ents": sorted(spans, key=lambda s: s["start"]), "title": article.id}
        parts.append(displacy.render(data, style="ent", manual=True, page=False))
        parts.append(f"<pre>{html_lib.escape(explain_facts(facts, ctx))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)
