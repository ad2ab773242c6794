"""RDF to a SHACL report: what fails is taken out of the graph into a quarantine graph,
with the shape, the message and the source sentence, never dropped silently.

Removal is as small as the result allows: a result with a path and a value removes that one
triple (and the statement node recording it); a result about a whole node removes the node.
Validation repeats until the rest conforms, since a removal can leave another node invalid
(an operation whose only agent was removed).

The engine is pyshacl-turbo (a Rust engine with pySHACL's API): on the same graphs it reports
the same results 4-20 times faster (`benchmarks/run.py`, "engines"). `CONFLICT_KG_SHACL=pyshacl`
selects pySHACL itself, e.g. to compare a report.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import NamedTuple

import functools
import importlib
import os

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH

from .iris import CKG
from .rdf import bind_prefixes, plain

MAX_ROUNDS = 6
ENGINES = ("pyshacl_turbo", "pyshacl")


def shacl_engine():
    """The SHACL engine module: pyshacl-turbo unless CONFLICT_KG_SHACL names pySHACL."""
    wanted = os.environ.get("CONFLICT_KG_SHACL", ENGINES[0]).replace("-", "_")
    if wanted not in ENGINES:
        raise ValueError(f"CONFLICT_KG_SHACL={wanted!r}: choose one of {', '.join(ENGINES)}")
    return importlib.import_module(wanted)


@dataclass(frozen=True)
class Violation:
    """One failed constraint, in words a person can act on."""

    focus: str
    focus_label: str
    shape: str
    message: str
    path: str | None
    value: str | None
    severity: str
    sentences: tuple[str, ...]

    def describe(self) -> str:
        where = f" ({self.path} = {self.value})" if self.path else ""
        said = "".join(f"\n    source: {s}" for s in self.sentences[:2])
        return f"[{self.severity}] {self.focus_label} <{self.focus}>{where}\n    shape: {self.shape}\n    {self.message}{said}"


@dataclass
class ValidationOutcome:
    valid: Graph
    quarantine: Graph
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    # Valid triples that some documents no longer support (triple -> those documents): a report
    # refused in a clash loses the value it shares with a report that was kept, as it would alone.
    withdrawn: dict[tuple, set[URIRef]] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_resource_graph(package: str, name: str) -> Graph:
    g = Graph()
    g.parse(data=(resources.files(package) / name).read_text("utf-8"), format="turtle")
    return g


@functools.lru_cache(maxsize=None)  # parsed once per process: every batch is validated with them
def shapes_graph() -> Graph:
    """The bundled shapes (shared: do not modify)."""
    return load_resource_graph("conflict_kg.shapes", "conflict-kg-shapes.ttl")


@functools.lru_cache(maxsize=None)
def ontology_graph() -> Graph:
    """The bundled ontology (shared: do not modify)."""
    return load_resource_graph("conflict_kg.ontology", "conflict-kg.ttl")


def validate(graph: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None,
             focus: Collection[URIRef] | None = None, inplace: bool = False,
             stated_by: Callable[[tuple], Sequence[int]] | None = None,
             documents: Sequence[URIRef] = ()) -> ValidationOutcome:
    """Split `graph` into what conforms to the shapes and a quarantine of what does not.

    With `focus`, only those nodes are validated; the rest of `graph` is context that their
    constraints may look at (e.g. the types a store already holds for the nodes they point to).
    With `inplace`, `graph` itself becomes the valid graph (no copy: for a graph made to be
    validated). `stated_by`: the positions, in input order, of the articles that state a
    triple (none, or -1 first, for what `graph` held before them, e.g. a store's facts). With
    it, when reports give a node more values than `sh:maxCount` allows (two death tolls), the
    first reports' values stay and the later ones go, as if the articles had been validated
    one at a time; without it, all the values go. `documents`: the document of each position: a quarantine record then
    names (prov:wasDerivedFrom) the documents whose statements it took out, those of the one
    refused report for a clash.
    """
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    if inplace:
        valid = graph
    else:
        valid = Graph()
        bind_prefixes(valid)
        for t in graph:
            valid.add(t)
    # The ontology goes into the data graph itself (class hierarchy for sh:class), not through
    # ont_graph: the engine then reads one graph natively instead of decoding a merged copy
    # back into rdflib (4x faster on a 20k-triple batch); it is taken out again below.
    borrowed = [t for t in ontology if t not in valid]
    for t in borrowed:
        valid.add(t)
    quarantine = Graph()
    bind_prefixes(quarantine)
    outcome = ValidationOutcome(valid, quarantine)
    focus_nodes = sorted({n for n in focus if isinstance(n, URIRef)}) if focus is not None else None
    if focus_nodes == []:
        return outcome  # nothing to validate (pyshacl would read an empty list as "every node")
    engine = shacl_engine()
    sources = _documents_of(stated_by, documents)
    data = valid
    for _ in range(MAX_ROUNDS):
        conforms, results, _text = engine.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                                   allow_warnings=True, focus_nodes=focus_nodes)
        found = _violations(results, valid)
        outcome.warnings += [v for v, _ in found if v.severity != "Violation" and v not in outcome.warnings]
        errors = [(v, node) for v, node in found if v.severity == "Violation"]
        if conforms or not errors:
            break
        changed: set = set()
        for violation, result in errors:
            later = _later_reports(valid, shapes, results, result, stated_by)
            if later is None:
                outcome.violations.append(violation)
                changed |= _move_to_quarantine(valid, quarantine, results, result, violation, sources=sources)
                continue
            node = results.value(result, SH.focusNode)
            for article, refused in sorted(later.items()):  # one per later report, as one at a time
                said = replace(violation, sentences=_sentences(valid, node, _stated_in(article, stated_by)))
                outcome.violations.append(said)
                its_document = documents[article:article + 1]
                changed |= _move_to_quarantine(valid, quarantine, results, result, said, refused.gone,
                                               lambda _doomed, d=its_document: d)
                for t in refused.shared:
                    outcome.withdrawn.setdefault(t, set()).update(its_document)
        focus_nodes = _touched(valid, changed, focus_nodes)
        if focus_nodes == []:
            break  # no node a removal could have made invalid
        data = _neighbourhood(valid, focus_nodes, ontology)
    for t in borrowed:
        valid.remove(t)
    return outcome


def _violations(results: Graph, data: Graph) -> list[tuple[Violation, BNode]]:
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = str(results.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage) or "constraint not met"
        out.append((Violation(focus=str(focus), focus_label=_label(data, focus), shape=_name(shape),
                              message=str(message), path=_name(path) if path is not None else None,
                              value=_show(data, value) if value is not None else None,
                              severity=severity, sentences=_sentences(data, focus)), result))
    return out


def _touched(valid: Graph, removed: set[tuple], focus: list[URIRef] | None) -> list[URIRef]:
    """The nodes to validate again after `removed` left the graph: those the removed triples
    were about or pointed to, and the nodes that point to these (a link whose target lost its
    type can fail sh:class). The next round checks them instead of every node again."""
    nodes = {n for s, _p, o in removed for n in (s, o) if isinstance(n, URIRef)}
    nodes |= {s for n in list(nodes) for s in valid.subjects(None, n) if isinstance(s, URIRef)}
    if focus is not None:
        nodes &= set(focus)
    return sorted(nodes)


def _neighbourhood(valid: Graph, nodes: list[URIRef], ontology: Graph) -> Graph:
    """What the shapes can look at when they check `nodes`: the nodes' own triples, the
    triples pointing at them (targets such as sh:targetObjectsOf), the triples of the nodes
    they point to (their types for sh:class, a statement's triple, a geometry's WKT) and the
    ontology (the class hierarchy). A round after a removal checks a few nodes: reading this
    instead of the whole batch saves converting the whole batch for the engine again."""
    out = Graph()
    pointed = set()
    for n in nodes:
        for t in valid.triples((n, None, None)):
            out.add(t)
            if not isinstance(t[2], Literal):
                pointed.add(t[2])
        for t in valid.triples((None, None, n)):
            out.add(t)
    for o in pointed:
        for t in valid.triples((o, None, None)):
            out.add(t)
    for t in ontology:
        out.add(t)
    return out


class Refused(NamedTuple):
    """A report's values on a path, refused in a clash: those no kept report gives (they leave
    the graph) and those a kept report gives too (they stay, but not as this report's)."""

    gone: set[tuple]
    shared: set[tuple]


def _later_reports(valid: Graph, shapes: Graph, results: Graph, result,
                   stated_by: Callable[[tuple], Sequence[int]] | None) -> dict[int, Refused] | None:
    """For too many values on a path (sh:maxCount), the articles coming later whose values go,
    each with its values (`Refused`): the articles are taken in input order, each keeping its
    values when they fit beside those kept so far (the values `valid` held before them first),
    as validating and storing them one by one would: empty when the values fit by now (an
    earlier result of the round took the later ones out). None when this does not apply
    (another constraint, no `stated_by`). An article that gives two values itself loses both,
    as it would alone."""
    if stated_by is None or results.value(result, SH.sourceConstraintComponent) != SH.MaxCountConstraintComponent:
        return None
    focus, path = results.value(result, SH.focusNode), results.value(result, SH.resultPath)
    limit = shapes.value(results.value(result, SH.sourceShape), SH.maxCount)
    if not isinstance(path, URIRef) or limit is None:
        return None
    kept: set = set()
    by_article: dict[int, set] = defaultdict(set)
    for v in valid.objects(focus, path):
        articles = stated_by((focus, path, v))
        if not articles:
            kept.add(v)
        for article in articles:
            by_article[article].add(v)
    kept |= by_article.pop(-1, set())  # what the graph held before the articles (a store's)
    refused = []
    for article in sorted(by_article):
        if len(kept | by_article[article]) <= int(limit):
            kept |= by_article[article]
        else:
            refused.append(article)
    return {article: Refused({(focus, path, v) for v in by_article[article] - kept},
                             {(focus, path, v) for v in by_article[article] & kept}) for article in refused}


def _documents_of(stated_by: Callable[[tuple], Sequence[int]] | None,
                  documents: Sequence[URIRef]) -> Callable[[set[tuple]], list[URIRef]]:
    """The documents that state any of some triples (none without `stated_by`)."""
    def of(triples: set[tuple]) -> list[URIRef]:
        if stated_by is None:
            return []
        return [documents[i] for i in sorted({i for t in triples for i in stated_by(t)}) if 0 <= i < len(documents)]
    return of


def _move_to_quarantine(valid: Graph, quarantine: Graph, results: Graph, result, v: Violation,
                        later: set[tuple] | None = None,
                        sources: Callable[[set[tuple]], Sequence[URIRef]] | None = None) -> set[tuple]:
    """Move what `result` is about from `valid` to `quarantine`, with a record of why; returns
    the triples moved. `later`: for too many values on a path, those of one later report
    (`_later_reports`), which alone go; `sources`: the documents the record names, given the
    triples moved."""
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    if isinstance(path, URIRef) and value is not None and (focus, path, value) in valid:
        doomed = {(focus, path, value)} | _statements(valid, focus, path, value)
    elif later or (isinstance(path, URIRef) and value is None and (focus, path, None) in valid):
        # a count on a path: one later report's values go (`later`), else, where no order of
        # reports settles it, all the values; the node stays
        doomed = set(later) if later else set(valid.triples((focus, path, None)))
        for _s, _p, o in list(doomed):
            doomed |= _statements(valid, focus, path, o)
    elif (focus, RDF.type, RDF.Statement) in valid:
        doomed = set(valid.triples((focus, None, None)))
        spo = (valid.value(focus, RDF.subject), valid.value(focus, RDF.predicate), valid.value(focus, RDF.object))
        if None not in spo:
            doomed.add(spo)
    else:
        doomed = set(valid.triples((focus, None, None))) | set(valid.triples((None, None, focus)))
    for t in doomed:
        valid.remove(t)
        quarantine.add(t)
    record = BNode()
    quarantine.add((record, RDF.type, CKG.QuarantineRecord))
    quarantine.add((record, SH.focusNode, focus if focus is not None else plain(v.focus)))
    quarantine.add((record, SH.sourceShape, results.value(result, SH.sourceShape) or plain(v.shape)))
    quarantine.add((record, SH.resultMessage, plain(v.message)))
    if path is not None:
        quarantine.add((record, SH.resultPath, path))
    for s in v.sentences:
        quarantine.add((record, CKG.sentence, plain(s)))
    for source in sources(doomed) if sources is not None else ():
        quarantine.add((record, PROV.wasDerivedFrom, source))
    return doomed


def _statements(g: Graph, s, p, o) -> set[tuple]:
    """The triples of the statement nodes recording (s, p, o)."""
    out: set[tuple] = set()
    for st in g.subjects(RDF.subject, s):
        if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
            out |= set(g.triples((st, None, None)))
    return out


def _stated_in(article: int, stated_by: Callable[[tuple], Sequence[int]]) -> Callable[[tuple], bool]:
    return lambda triple: article in stated_by(triple)


def _sentences(g: Graph, node, stated: Callable[[tuple], bool] = lambda _t: True) -> tuple[str, ...]:
    """The sentences `node` was read in (those of the evidence links `stated` accepts)."""
    out = []
    for holder in [node, *g.subjects(RDF.subject, node)][:3]:
        for ev in g.objects(holder, CKG.evidence):
            if not stated((holder, CKG.evidence, ev)):
                continue
            s = g.value(ev, CKG.sentence)
            if s is not None and str(s) not in out:
                out.append(str(s))
    return tuple(out)


def _label(g: Graph, node) -> str:
    label = g.value(node, RDFS.label)
    return str(label) if label is not None else _name(node)


def _name(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def _show(g: Graph, term) -> str:
    if isinstance(term, URIRef):
        return _label(g, term)
    return str(term)


def format_report(outcome: ValidationOutcome) -> str:
    """A report a person reads: each violation with its shape, message and source sentence."""
    lines = ["conflict-kg SHACL validation report", ""]
    if outcome.conforms:
        lines.append("The graph conforms to the shapes: nothing was quarantined.")
    else:
        lines.append(f"{len(outcome.violations)} violation(s); the facts concerned were moved to the quarantine file.")
    for v in sorted(outcome.violations, key=_report_order):  # stable from run to run
        lines += ["", v.describe()]
    if outcome.warnings:
        lines += ["", f"{len(outcome.warnings)} warning(s) (kept in the graph):"]
        lines += ["", *[w.describe() for w in sorted(outcome.warnings, key=_report_order)]]
    return "\n".join(lines) + "\n"


def _report_order(v: Violation) -> tuple:
    return (v.focus_label, v.focus, v.shape, v.path or "", v.value or "", v.message)
