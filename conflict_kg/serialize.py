"""RDF to files: format from the extension, written atomically (temporary name, then rename);
and RDF files read safely (`read_rdf`).

Atomic: a reader, or a run killed at any point, sees the old file or the new one, never a
part; a failed write leaves no temporary file behind.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .rdf import PREFIXES

FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld", ".nq": "nquads"}
DATASET_FORMATS = {"trig", "nquads"}


# What pyoxigraph reads, by extension (N-Quads and TriG are merged into one graph by `read_rdf`).
READ_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
                ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
                ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML,
                ".n3": ox.RdfFormat.N3}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file (read once, at import)


class UnsupportedFormat(ValueError):
    pass


def format_for(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(f"{path}: unknown output format; use one of {', '.join(sorted(FORMATS))}")
    return fmt


@contextmanager
def atomic_output(path: Path, mode: str = "wb") -> Iterator:
    """A file object whose content replaces `path` only once it is completely written.

    The content goes to a temporary file beside `path`, is flushed to disk, and is renamed
    over `path` (atomic on POSIX and Windows); on any error the temporary file is removed and
    `path` is left as it was. The file keeps the permissions of the one it replaces (a new
    one gets what the umask gives), not mkstemp's owner-only mode.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else _NEW_FILE_MODE)
        except OSError:
            pass  # keep mkstemp's mode where permissions cannot be set
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    with atomic_output(path, "w") as fh:
        fh.write(text)


def write_rdf(graph: Graph, path: Path, *, dataset: Dataset | None = None) -> None:
    """Write a graph by extension; TriG and N-Quads take the named-graph dataset when given."""
    fmt = format_for(path)
    if fmt in DATASET_FORMATS and dataset is not None:
        data = dataset.serialize(format=fmt, encoding="utf-8")
    elif fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        data = graph.serialize(format="json-ld", context=context, encoding="utf-8")
        if _triples_in(data, ox.RdfFormat.JSON_LD) != len(graph):
            # rdflib's JSON-LD writer has lost triples (an empty string beside another value of the
            # same property): write pyoxigraph's expanded JSON-LD instead, which holds them all.
            bnodes: dict[BNode, ox.BlankNode] = {}
            data = ox.serialize([ox.Triple(*(_ox_term(term, bnodes) for term in t)) for t in graph],
                                format=ox.RdfFormat.JSON_LD)
    else:
        data = graph.serialize(format=fmt, encoding="utf-8")
    with atomic_output(path) as fh:
        fh.write(data)


def read_rdf(path: Path) -> Graph:
    """An RDF file as one rdflib Graph (the named graphs of TriG and N-Quads merged).

    Parsed by pyoxigraph, which reads the file and nothing else: a JSON-LD ``@context`` that
    names a remote document is refused (never fetched), and ``owl:imports`` is just a triple.
    (rdflib's own JSON-LD parser would fetch remote contexts, so input is never given to it.)
    Raises ValueError naming the file and what is wrong.
    """
    path = Path(path)
    fmt = READ_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF format {path.suffix!r}; use one of {', '.join(sorted(READ_FORMATS))}")
    if not path.is_file():
        raise ValueError(f"{path}: no such graph file")
    g = Graph()
    bnodes: dict[str, BNode] = {}
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            g.add((_rdflib_term(quad.subject, bnodes), _rdflib_term(quad.predicate, bnodes),
                   _rdflib_term(quad.object, bnodes)))
    except SyntaxError as exc:
        if "LoadDocumentCallback" in str(exc) or "remote context" in str(exc):
            raise ValueError(f"{path}: refused: the JSON-LD names a remote @context, and nothing is fetched "
                             f"from the network (put the context inline)") from None
        raise ValueError(f"{path}: cannot read the graph: {exc}") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the graph: {exc}") from None
    return g


def _rdflib_term(term: object, bnodes: dict[str, BNode]) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return bnodes.setdefault(term.value, BNode())
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise ValueError(f"unsupported RDF term (RDF-star triple terms are not read): {term}")


def _triples_in(data: bytes, fmt: ox.RdfFormat) -> int:
    """How many distinct triples pyoxigraph reads in `data` (-1 when it cannot read it)."""
    try:
        return len({(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)})
    except (SyntaxError, ValueError):
        return -1


def _ox_term(term: object, bnodes: dict[BNode, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return bnodes.setdefault(term, ox.BlankNode())
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise ValueError(f"not an RDF term: {term!r}")
