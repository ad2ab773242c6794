"""RDF to files: format from the extension, written atomically (temporary name, then rename)."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rdflib import Dataset, Graph

from .rdf import PREFIXES

FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld", ".nq": "nquads"}
DATASET_FORMATS = {"trig", "nquads"}


class UnsupportedFormat(ValueError):
    pass


def format_for(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(f"{path}: unknown output format; use one of {', '.join(sorted(FORMATS))}")
    return fmt


@contextmanager
def atomic_output(path: Path, mode: str = "wb") -> Iterator:
    """A file object whose content replaces `path` only once it is completely written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        json.loads(data)  # a serializer bug must not leave a broken file behind
    else:
        data = graph.serialize(format=fmt, encoding="utf-8")
    with atomic_output(path) as fh:
        fh.write(data)
