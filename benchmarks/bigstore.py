"""A large conflict-kg store made from a built one, for the benchmarks.

`replicate(base, out, target_triples)` copies the articles of the store `base` as many times as
needed for the default graph (the union of the articles) to hold about `target_triples` triples.
Copy r > 0 of an article is the same article under another id (`<id>-r<r>`): its document,
its evidence sentences, its named graph, and the operations and relation statements it
reports get IRIs of their own, while the entities (groups, places, countries, people) and the
gazetteer's document stay shared, as in a real archive where the same actors and places recur
in thousands of articles (so busy entities have thousands of provenance links). The
quarantine is copied the same way.

The result is a store like one `conflict-kg build` makes (a marker, a named graph per article,
the default graph their union, each triple once, a quarantine file), written with Oxigraph's
bulk loader: about a minute for a million triples.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from conflict_kg.store import DATABASE, FORMAT_VERSION, MARKER, QUARANTINE, REPORT, GraphStore

RES = "https://w3id.org/conflict-kg/resource/"
_RENAMED = re.compile(r"<https://w3id\.org/conflict-kg/resource/(document|evidence|graph|operation|statement)/([^/>]+)")
_IDENTIFIER = re.compile(r'(<http://purl\.org/dc/terms/identifier> ")([^"\\]*)(")')
_BLANK = re.compile(r"_:([A-Za-z0-9]+)")
GAZETTEER = "conflict-kg-gazetteer"


def named_nquads(store: GraphStore) -> str:
    """The store's article graphs (not the default graph) as N-Quads text."""
    quads = (q for q in store.db.quads_for_pattern(None, None, None, None)
             if not isinstance(q.graph_name, ox.DefaultGraph))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def renamed(nquads: str, copy: int) -> str:
    """N-Quads of copy `copy` of the articles (copy 0: unchanged)."""
    if copy == 0:
        return nquads
    suffix = f"-r{copy}"

    def iri(m: re.Match[str]) -> str:
        kind, slug = m.group(1), m.group(2)
        if kind == "document" and slug == GAZETTEER:
            return m.group()
        return f"<{RES}{kind}/{slug}{suffix}"

    def ident(m: re.Match[str]) -> str:
        return m.group() if m.group(2) == GAZETTEER else f"{m.group(1)}{m.group(2)}{suffix}{m.group(3)}"

    text = _RENAMED.sub(iri, nquads)
    text = _IDENTIFIER.sub(ident, text)
    return _BLANK.sub(lambda m: f"_:{m.group(1)}r{copy}", text)


def _triple_lines(nquads: str) -> list[str]:
    """Each quad's triple, as an N-Triples line (the graph name is the last term of a line)."""
    out = []
    for line in nquads.splitlines():
        if line:
            cut = line.rfind(" <")
            out.append(line[:cut] + " .")
    return out


def _by_graph(nquads: str) -> dict[str, str]:
    """N-Quads lines grouped by graph name (the last term of a line), in order."""
    groups: dict[str, list[str]] = {}
    for line in nquads.splitlines():
        if line:
            cut = line.rfind(" <")
            groups.setdefault(line[cut + 1:], []).append(line)
    return {g: "\n".join(lines) + "\n" for g, lines in groups.items()}


def replicate(base: Path, out: Path, target_triples: int) -> dict:
    """Write a store at `out` (replaced if there) with about `target_triples` triples in its
    default graph, from the articles of the store at `base`; returns what was made. Articles
    are copied one at a time, so the last copy may be partial and the size is close to the
    target."""
    base, out = Path(base), Path(out)
    with GraphStore.open(base, read_only=True) as held:
        articles = _by_graph(named_nquads(held))
    quarantine_path = base / QUARANTINE
    quarantine: dict[str, str] = {}
    if quarantine_path.is_file():
        quarantine = _by_graph(ox.serialize(ox.parse(path=str(quarantine_path), format=ox.RdfFormat.TRIG),
                                            format=ox.RdfFormat.N_QUADS).decode("utf-8"))
    if not articles:
        raise ValueError(f"{base}: the store holds no article to replicate")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    union: set[str] = set()
    copies = graphs = 0
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        named = Path(tmp) / "named.nq"
        quarantined = Path(tmp) / "quarantine.nq"
        with open(named, "w", encoding="utf-8") as fh, open(quarantined, "w", encoding="utf-8") as qh:
            while len(union) < target_triples:
                for graph, text in articles.items():
                    text = renamed(text, copies)
                    fh.write(text)
                    if graph in quarantine:
                        qh.write(renamed(quarantine[graph], copies))
                    union.update(_triple_lines(text))
                    graphs += 1
                    if len(union) >= target_triples:
                        break
                copies += 1
                if copies > 10_000:
                    raise ValueError(f"{base}: the store is too small to replicate to {target_triples} triples")
        default = Path(tmp) / "union.nt"
        default.write_text("\n".join(union) + "\n", encoding="utf-8")
        db = ox.Store(str(out / DATABASE))
        db.bulk_load(path=str(named), format=ox.RdfFormat.N_QUADS)
        db.bulk_load(path=str(default), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        db.optimize()
        db.flush()
        quads = len(db)
        del db
        with open(out / QUARANTINE, "wb") as qh:
            ox.serialize(ox.parse(path=str(quarantined), format=ox.RdfFormat.N_QUADS), qh, ox.RdfFormat.TRIG)
    (out / MARKER).write_text(json.dumps({"conflict-kg-store": FORMAT_VERSION, "database": DATABASE}) + "\n",
                              encoding="utf-8")
    if (base / REPORT).is_file():
        shutil.copyfile(base / REPORT, out / REPORT)
    return {"copies": copies, "articles": graphs, "triples": len(union), "quads": quads}
