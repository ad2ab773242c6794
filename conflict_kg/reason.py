"""OWL reasoning over a conflict-kg graph with owlready2 and HermiT.

SHACL (shapes/) checks the shape of each node; this module asks what follows from the
ontology: who is a Backer, which relations hold by inverse, symmetry or transitivity, and
whether the graph contradicts the ontology (for example a node typed both Town and
ArmedGroup).

owlready2 cannot read Turtle and HermiT rejects the XML Schema date types the pipeline uses
(xsd:date, xsd:gYear, xsd:gYearMonth), so the graph is first cut down with rdflib to what
class and relation reasoning needs and handed over as N-Triples.
"""

from __future__ import annotations

import importlib.resources
import pathlib
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import owlready2
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

CKG = Namespace("https://w3id.org/conflict-kg/ontology#")

# Nodes that only carry provenance: dropping them keeps the reasoner's input small.
_PROVENANCE_TYPES = (RDF.Statement, CKG.RelationAssertion, CKG.Evidence)
_LABEL_DATATYPES = (None, XSD.string, RDF.langString)
_MIN_JAVA = 11

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class ReasoningReport:
    """What HermiT concluded about one graph; labels are human-readable names."""

    consistent: bool
    inconsistency_explanation: str | None
    inferred_types: list[tuple[str, str]] = field(default_factory=list)
    inferred_relations: list[tuple[str, str, str]] = field(default_factory=list)
    individuals: int = 0
    seconds: float = 0.0


def check_java() -> str | None:
    """Return None if a Java 11+ runtime for HermiT is available, else what to do about it."""
    exe = owlready2.JAVA_EXE
    how = (
        "HermiT (the OWL reasoner used by owlready2) needs Java 11 or newer. "
        "Install it (Debian/Ubuntu: apt-get install -y default-jre-headless) or point "
        "owlready2.JAVA_EXE at a java executable."
    )
    if shutil.which(exe) is None and not pathlib.Path(exe).is_file():
        return f"No java executable found ({exe!r} is not on PATH). {how}"
    try:
        run = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        return f"Could not run {exe!r} -version: {err}. {how}"
    match = re.search(r'version "(\d+)(?:\.(\d+))?', run.stderr + run.stdout)
    if run.returncode != 0 or match is None:
        return f"{exe!r} -version did not report a Java version. {how}"
    major = int(match.group(1))
    if major == 1 and match.group(2):  # old scheme: "1.8.0" is Java 8
        major = int(match.group(2))
    if major < _MIN_JAVA:
        return f"Found Java {major}, which is too old. {how}"
    return None


def load_ontology(path: pathlib.Path | None = None) -> Graph:
    """Parse the ontology; by default the one shipped with the package."""
    if path is not None:
        return Graph().parse(path, format="turtle")
    try:
        data = (importlib.resources.files("conflict_kg.ontology") / "conflict-kg.ttl").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a source checkout that is not installed: ontology/ sits next to the package.
        data = (pathlib.Path(__file__).resolve().parent.parent / "ontology" / "conflict-kg.ttl").read_bytes()
    return Graph().parse(data=data, format="turtle")


def load_graph(path: pathlib.Path) -> Graph:
    """Parse a graph file; the format comes from the extension (quads are merged).

    Read with `serialize.read_rdf`: nothing is fetched (no remote JSON-LD context) and
    ``owl:imports`` stays a triple. Raises ValueError naming the file and the problem.
    """
    from .serialize import read_rdf

    return read_rdf(pathlib.Path(path))


def reasoning_subset(data: Graph, ontology: Graph) -> Graph:
    """Keep what class and relation reasoning needs: types, object relations, labels.

    Literal values other than labels are left to SHACL, which also keeps out the date
    datatypes HermiT rejects. Provenance nodes (statements, evidence) are dropped.
    """
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    properties = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    dropped = {s for t in _PROVENANCE_TYPES for s in data.subjects(RDF.type, t)}

    def keep(node: object) -> bool:
        return isinstance(node, URIRef) and node not in dropped

    out = Graph()
    for s, o in data.subject_objects(RDF.type):
        if keep(s) and o in classes:
            out.add((s, RDF.type, o))
    for p in properties:
        for s, o in data.subject_objects(p):
            if keep(s) and keep(o):
                out.add((s, p, o))
    nodes = set(out.subjects()) | {o for o in out.objects() if isinstance(o, URIRef)}
    for s, o in data.subject_objects(RDFS.label):
        if s in nodes and isinstance(o, Literal) and o.datatype in _LABEL_DATATYPES:
            out.add((s, RDFS.label, o))
    return out


def load_world(ontology: Graph, data: Graph | None = None) -> owlready2.World:
    """Load the ontology (and data) into a fresh owlready2 World via N-Triples.

    ``owl:imports`` triples are left out: owlready2 would fetch what they name (a file, a URL),
    and reasoning must see only the graphs given here.
    """
    merged = Graph()
    for graph in (ontology, data if data is not None else Graph()):
        for triple in graph:
            if triple[1] != OWL.imports:
                merged.add(triple)
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="conflict-kg-") as tmp:
        nt = pathlib.Path(tmp) / "input.nt"
        nt.write_bytes(merged.serialize(format="nt", encoding="utf-8"))
        world.get_ontology(nt.as_uri()).load()
    return world


@dataclass(frozen=True)
class Inference:
    """What HermiT inferred, as IRIs (`triples`) and in words (`report`).

    `triples` holds only what the graph did not already say: `rdf:type` triples to ckg classes
    (the most specific ones, e.g. ckg:Backer) and ckg object relations (ckg:backs by inverse,
    ckg:alliedWith by symmetry, ckg:locatedIn by transitivity, ...). Empty when inconsistent.
    """

    report: ReasoningReport
    triples: tuple[tuple[URIRef, URIRef, URIRef], ...] = ()


def reason(
    graph_path: pathlib.Path | None = None, *, ontology_path: pathlib.Path | None = None
) -> ReasoningReport:
    """Run HermiT on the graph (or on the ontology alone) and report what it inferred.

    Raises RuntimeError when Java is missing, with the message of check_java().
    """
    data = load_graph(graph_path) if graph_path else Graph()
    return infer(data, ontology_path=ontology_path).report


def inferred_triples(
    graph_path: pathlib.Path, *, ontology_path: pathlib.Path | None = None
) -> list[tuple[URIRef, URIRef, URIRef]]:
    """The triples HermiT infers from a graph file, as IRIs (empty if the graph is inconsistent)."""
    return list(infer(load_graph(graph_path), ontology_path=ontology_path).triples)


def infer(data: Graph, *, ontology_path: pathlib.Path | None = None) -> Inference:
    """Run HermiT on a graph in memory: the report in words and the inferred triples as IRIs.

    Raises RuntimeError when Java is missing, with the message of check_java().
    """
    start = time.perf_counter()
    problem = check_java()
    if problem is not None:
        raise RuntimeError(problem)

    ontology = load_ontology(ontology_path)
    data = reasoning_subset(data, ontology)
    names = _Names(ontology, data)
    individuals = sorted(
        {s for s in data.subjects() if isinstance(s, URIRef)}
        | {o for o in data.objects() if isinstance(o, URIRef) and o not in names.terms}
    )
    world = load_world(ontology, data)
    try:
        try:
            owlready2.sync_reasoner(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return Inference(ReasoningReport(
                consistent=False,
                inconsistency_explanation=explain_inconsistency(ontology, data),
                individuals=len(individuals),
                seconds=time.perf_counter() - start,
            ))
        except owlready2.OwlReadyJavaError as err:
            raise RuntimeError(f"HermiT failed: {err}") from err
        types = _new_types(world, ontology, data, individuals)
        relations = _new_relations(world, data)
    finally:
        world.close()
    report = ReasoningReport(
        consistent=True,
        inconsistency_explanation=None,
        inferred_types=sorted((names.of(s), names.of(c)) for s, c in types),
        inferred_relations=sorted((names.of(s), names.of(p), names.of(o)) for s, p, o in relations),
        individuals=len(individuals),
        seconds=time.perf_counter() - start,
    )
    triples = sorted({(s, RDF.type, c) for s, c in types} | set(relations))
    return Inference(report, tuple(triples))


INFERRED_GRAPH = URIRef("https://w3id.org/conflict-kg/resource/graph/inferred")


@dataclass(frozen=True)
class Materialized:
    """What `materialize` did to a store."""

    store: pathlib.Path
    report: ReasoningReport
    written: int       # triples now in the inferred graph
    replaced: int      # triples the previous inferred graph held


def materialize(store_path: pathlib.Path, *, ontology_path: pathlib.Path | None = None) -> Materialized:
    """Reason over what a conflict-kg store asserts and write what HermiT infers into the store.

    The input is every named graph of the store except the inferred graph itself, so earlier
    inferences are never taken for facts. The named graph <https://w3id.org/conflict-kg/resource/graph/inferred>
    is then replaced whole, in one transaction, by the new inferences (`Inference.triples`), and
    the store's default graph (the union that queries read) is kept in step: an inference is
    marked as such by the graph that holds it. Running twice leaves the same store. When the
    graph is inconsistent nothing can be inferred soundly: the inferred graph is emptied.

    Raises RuntimeError when Java is missing, and conflict_kg.store.StoreError (a ValueError)
    when the store cannot be opened for writing (missing, or served, or in use).
    """
    from .store import GraphStore

    problem = check_java()
    if problem is not None:
        raise RuntimeError(problem)
    with GraphStore.open(store_path) as store:
        db = store.db
        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        lines = []
        previous = 0
        for q in db.quads_for_pattern(None, None, None, None):
            if q.graph_name == inferred:
                previous += 1
            elif isinstance(q.graph_name, ox.NamedNode):
                lines.append(f"{q.subject} {q.predicate} {q.object} .")
        data = Graph()
        if lines:
            data.parse(data="\n".join(lines), format="nt")
        inference = infer(data, ontology_path=ontology_path)
        store.replace_graphs({INFERRED_GRAPH: list(inference.triples) or None})
    return Materialized(pathlib.Path(store_path), inference.report, len(inference.triples), previous)


def format_materialized(result: Materialized) -> str:
    """The reasoning report, then what was written to the store."""
    lines = [format_report(result.report)]
    if result.report.consistent:
        lines.append(f"Wrote {result.written} inferred triples to the graph <{INFERRED_GRAPH}> of the store "
                     f"{result.store} (it held {result.replaced} before).")
    else:
        lines.append(f"Nothing can be inferred from an inconsistent graph: the graph <{INFERRED_GRAPH}> of "
                     f"the store {result.store} was emptied (it held {result.replaced}).")
    return "\n".join(lines)


def format_report(report: ReasoningReport) -> str:
    """Render the report for a terminal."""
    lines = [f"Reasoned over {report.individuals} individuals in {report.seconds:.1f} s (HermiT)."]
    if not report.consistent:
        lines.append("The graph is INCONSISTENT with the ontology.")
        lines.append(report.inconsistency_explanation or "No explanation available.")
        return "\n".join(lines)
    lines.append("The graph is consistent with the ontology.")
    lines.append(f"Inferred types ({len(report.inferred_types)}):")
    lines += [f"  {who} is {_a(what)}" for who, what in report.inferred_types] or ["  none"]
    lines.append(f"Inferred relations ({len(report.inferred_relations)}):")
    lines += [f"  {s} {p} {o}" for s, p, o in report.inferred_relations] or ["  none"]
    return "\n".join(lines)


def explain_inconsistency(ontology: Graph, data: Graph) -> str:
    """Say in words why the graph contradicts the ontology, as far as a simple check can tell.

    HermiT only answers "inconsistent". The usual cause is a node that ends up in two
    disjoint classes, through its own types or through the domain and range of the
    relations it takes part in; those are looked for here.
    """
    names = _Names(ontology, data)
    supers = _superclasses(ontology)
    disjoint = _disjoint_pairs(ontology)
    domains, ranges = _domains_and_ranges(ontology)

    reasons: dict[Node, list[tuple[Node, str]]] = {}
    for s, o in data.subject_objects(RDF.type):
        reasons.setdefault(s, []).append((o, f"it is typed {names.of(o)}"))
    for s, p, o in data:
        if p in domains:
            owner = _a(names.of(domains[p]))
            why = f"it has a '{names.of(p)}' relation (to {names.of(o)}), which only {owner} can have"
            reasons.setdefault(s, []).append((domains[p], why))
        if p in ranges:
            why = f"it is the '{names.of(p)}' of {names.of(s)}, which must be {_a(names.of(ranges[p]))}"
            reasons.setdefault(o, []).append((ranges[p], why))

    clashes: list[str] = []
    for node in sorted(reasons, key=str):
        clash = _first_clash(reasons[node], supers, disjoint)
        if clash is None:
            continue
        (a, why_a), (b, why_b) = clash
        because = why_a if why_a == why_b else f"{why_a}, and {why_b}"
        clashes.append(
            f"'{names.of(node)}' would have to be both {_a(names.of(a))} and {_a(names.of(b))}, "
            f"which the ontology says nothing can be at once: {because}."
        )
    if not clashes:
        return (
            "HermiT found that the graph contradicts the ontology, but the cause is not a "
            "simple clash of disjoint classes. Check the nodes' types against the domains and "
            "ranges of the properties they use, or open the graph with the ontology in Protégé "
            "and ask for an explanation."
        )
    more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
    return "The graph contradicts the ontology. " + " ".join(clashes[:5]) + more


# --- helpers -----------------------------------------------------------------------------


def _a(noun: str) -> str:
    """Prefix a class name with the right indefinite article."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


class _Names:
    """Human-readable names: rdfs:label from the data or ontology, else the IRI's last part."""

    def __init__(self, ontology: Graph, data: Graph) -> None:
        self.terms = set(ontology.subjects())
        self._labels: dict[object, str] = {}
        for graph in (ontology, data):
            for s, o in graph.subject_objects(RDFS.label):
                if s not in self._labels or getattr(o, "language", None) in (None, "en"):
                    self._labels[s] = str(o)

    def of(self, node: object) -> str:
        if node in self._labels:
            return self._labels[node]
        return re.split(r"[#/]", str(node).rstrip("/#"))[-1]


def _superclasses(ontology: Graph) -> dict[Node, set[Node]]:
    """Each named class with itself and all its told named superclasses."""
    parents: dict[Node, set[Node]] = {}
    for c, d in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(d, URIRef):
            parents.setdefault(c, set()).add(d)

    def close(c: Node) -> set[Node]:
        seen, todo = {c}, [c]
        while todo:
            for d in parents.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    return {c: close(c) for c in classes | set(parents)}


def _disjoint_pairs(ontology: Graph) -> set[frozenset[Node]]:
    """Pairs of named classes declared disjoint, directly or in an AllDisjointClasses."""
    pairs: set[frozenset[Node]] = {
        frozenset((a, b))
        for a, b in ontology.subject_objects(OWL.disjointWith)
        if isinstance(a, URIRef) and isinstance(b, URIRef)
    }
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in ontology.objects(node, OWL.members):
            members = [m for m in Collection(ontology, head) if isinstance(m, URIRef)]
            pairs |= {frozenset((a, b)) for a in members for b in members if a != b}
    return pairs


def _domains_and_ranges(ontology: Graph) -> tuple[dict[Node, Node], dict[Node, Node]]:
    """Named domains and ranges of object properties, with inverses folded in."""
    domains: dict[Node, Node] = {
        p: d for p, d in ontology.subject_objects(RDFS.domain) if isinstance(d, URIRef)
    }
    ranges: dict[Node, Node] = {
        p: r
        for p, r in ontology.subject_objects(RDFS.range)
        if isinstance(r, URIRef) and (p, RDF.type, OWL.ObjectProperty) in ontology
    }
    for p, q in list(ontology.subject_objects(OWL.inverseOf)):
        for a, b in ((p, q), (q, p)):
            if a in domains and b not in ranges:
                ranges[b] = domains[a]
            if a in ranges and b not in domains:
                domains[b] = ranges[a]
    return domains, ranges


def _first_clash(
    reasons: list[tuple[Node, str]],
    supers: dict[Node, set[Node]],
    disjoint: set[frozenset[Node]],
) -> tuple[tuple[Node, str], tuple[Node, str]] | None:
    """The first two of a node's classes that fall under disjoint classes, with why."""
    for i, (c1, why1) in enumerate(reasons):
        for c2, why2 in reasons[i:]:
            for a in supers.get(c1, {c1}):
                for b in supers.get(c2, {c2}):
                    if frozenset((a, b)) in disjoint:
                        return (a, why1), (b, why2)
    return None


def _new_types(
    world: owlready2.World,
    ontology: Graph,
    data: Graph,
    individuals: Iterable[URIRef],
) -> list[tuple[URIRef, URIRef]]:
    """(individual, class) pairs the reasoner added, most specific only, ckg classes only."""
    supers = _superclasses(ontology)
    found: list[tuple[URIRef, URIRef]] = []
    for iri in individuals:
        entity = world[str(iri)]
        if entity is None:
            continue
        told: set[Node] = set()
        for c in data.objects(iri, RDF.type):
            told |= supers.get(c, {c})
        now: set[Node] = set()
        for c in entity.is_a:
            if isinstance(c, owlready2.ThingClass):
                now |= supers.get(URIRef(c.iri), {URIRef(c.iri)})
        new = {c for c in now - told if str(c).startswith(str(CKG))}
        specific = {c for c in new if not any(c in supers.get(d, set()) for d in new - {c})}
        found += [(iri, URIRef(str(c))) for c in sorted(specific, key=str)]
    return sorted(found)


def _new_relations(world: owlready2.World, data: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """ckg relations between individuals that hold after reasoning but were not written."""
    found: set[tuple[URIRef, URIRef, URIRef]] = set()
    for prop in world.object_properties():
        if not prop.iri.startswith(str(CKG)):
            continue
        p = URIRef(prop.iri)
        for a, b in prop.get_relations():
            if not (hasattr(a, "iri") and hasattr(b, "iri")):
                continue
            s, o = URIRef(a.iri), URIRef(b.iri)
            if (s, p, o) not in data and not isinstance(s, BNode):
                found.add((s, p, o))
    return sorted(found)
