"""Any input, nothing lost: every broken input is named with its file (and line) and what is
wrong, every other article is built, and the exit code and summary count the failures. Huge
and pathological articles are read (in parts, with tokenizer-safe text) instead of refused or
hanging. Extraction gives the same graph in one process, in two, and on a Dask cluster."""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conflict_kg.cli import main
from conflict_kg.extract.extractor import (MAX_RUN_CHARS, ExtractOptions, parser_text, split_text)
from conflict_kg.extract.records import Article, ArticleFacts, ExtractionFailure
from conflict_kg.ingest import MAX_ARTICLE_BYTES, InputProblem, clean_text, decode, read_inputs
from conflict_kg.rdf import GraphBuilder

REPO = Path(__file__).resolve().parents[1]
ARTICLES_JSONL = REPO / "examples" / "articles.jsonl"
GOOD = "Kurdish fighters retook the town of Manbij on Tuesday, a monitor said.\n"


def _read(*paths: Path) -> tuple[list[Article], dict[str, str], list[str]]:
    """Articles, problems by source (file name, or file:line), and warnings."""
    warnings: list[str] = []
    items = list(read_inputs(paths, warn=warnings.append))
    arts = [i for i in items if isinstance(i, Article)]
    problems = {i.source.rsplit("/", 1)[-1]: i.message for i in items if isinstance(i, InputProblem)}
    return arts, problems, warnings


# -- bytes to text ------------------------------------------------------------------------

@pytest.mark.parametrize("data,message", [
    (b"", "empty input"),
    (b"  \n\t \r\n", "empty input"),
    ("\u200b\u202e\ufeff \n".encode(), "empty input (nothing but blanks or invisible characters)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not text (a NUL byte at line 3, column 1)"),
    (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"some text", "binary data, not text (220 control characters"),
    ("Rebels\nentered the caf\xe9.".encode("latin-1"),
     "not valid UTF-8: byte 0xe9 at line 2, column 16 (binary data, or text in another encoding"),
    (b"\xff\xfeR\x00e\x00b\x00", "binary data"),  # UTF-16 with its BOM: NUL bytes
])
def test_unreadable_bytes_are_refused_saying_what_and_where(data, message):
    with pytest.raises(ValueError) as err:
        decode(data)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("raw,clean,removed", [
    ("Al\u200beppo", "Aleppo", "invisible format characters"),
    ("Al\ufeffeppo\u00ad", "Aleppo", "invisible format characters"),
    ("Raqqa \u202egnikcatta\u202c fell", "Raqqa gnikcatta fell", "direction-override characters"),
    ("Mosul\x07\x1b[0m", "Mosul[0m", "control characters"),
    ("Tikrit\ud800", "Tikrit", "lone surrogates"),
    ("Homs\ufffe\uffff\U0001ffff", "Homs", "noncharacters"),
    ("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h", "a\nb\nc\nd\ne\nf\ng\nh", None),
    ("Sadr City", "Sadr City", None),  # decomposed forms are composed (NFC)
    ("Deir ez-Zor\tgovernorate", "Deir ez-Zor\tgovernorate", None),
])
def test_text_is_cleaned_and_what_was_removed_is_counted(raw, clean, removed):
    from collections import Counter
    counts: Counter[str] = Counter()
    assert clean_text(raw, removed=counts) == clean
    if removed is None:
        assert not counts
    else:
        assert any(kind.startswith(removed) for kind in counts), counts


def test_nfc_composes_decomposed_letters():
    assert clean_text("Bu\u0304 Kama\u0304l") == "B\u016b Kam\u0101l"


def test_each_bad_file_is_named_and_the_others_are_read(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    (tmp_path / "rlo.txt").write_text("Militants \u202eattacked\u202c a checkpoint.\u200b")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)))
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 bombed".encode("latin-1"))
    (tmp_path / "notes.md").write_text("ignored: not an input type inside a folder")
    arts, problems, warnings = _read(tmp_path)
    assert sorted(a.id for a in arts) == ["bom", "good", "rlo"]
    assert {a.id: a.text for a in arts}["rlo"] == "Militants attacked a checkpoint."
    assert problems == {"binary.txt": "binary data, not text (a NUL byte at column 1)",
                        "empty.txt": "empty input",
                        "latin1.txt": "not valid UTF-8: byte 0xe9 at column 4 (binary data, or text in another "
                                      "encoding: convert it to UTF-8)"}
    [warning] = warnings  # the BOM file is not worth a warning
    assert warning.startswith(f"warning: {tmp_path / 'rlo.txt'}: removed 2 direction-override characters")
    assert "1 invisible format characters" in warning


def test_an_article_over_the_hard_limit_is_refused_clearly(tmp_path):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"word " * (MAX_ARTICLE_BYTES // 5) + b"x")
    feed = tmp_path / "feed.jsonl"
    with feed.open("wb") as fh:
        fh.write(b'{"id": "big", "text": "' + b"a" * MAX_ARTICLE_BYTES + b'"}\n')
        fh.write(json.dumps({"id": "small", "text": GOOD}).encode() + b"\n")
    arts, problems, _ = _read(big, feed)
    assert [a.id for a in arts] == ["small"]
    assert problems["huge.txt"] == ("input is 10,000,001 bytes, more than the 10,000,000 an article may have "
                                    "(split it into several articles)")
    assert problems["feed.jsonl:1"].startswith("line is more than the 10,000,000 bytes an article may have")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    _, problems, _ = _read(tmp_path / "pipe.txt")
    assert problems == {"pipe.txt": "not a regular file (a device, a pipe or a socket), not read"}


def test_json_lines_fail_one_by_one_with_line_numbers(tmp_path):
    lines = [
        json.dumps({"id": "ok-1", "text": GOOD, "url": "https://example.org/a b"}),  # 1: bad url dropped
        '{"id": "cut", "text": "Rebels',                                            # 2
        "[1, 2]",                                                                   # 3
        "[" * 100_000 + "]" * 100_000,                                              # 4
        json.dumps({"id": True, "text": GOOD}),                                     # 5
        json.dumps({"id": "n", "text": {"en": GOOD}}),                              # 6
        json.dumps({"id": "d", "text": GOOD, "published": "last week"}),            # 7
        '{"id": 1' + "0" * 5000 + ', "text": "x"}',                                 # 8
        json.dumps({"id": " \u200b ", "text": GOOD}),                               # 9
        json.dumps({"id": "e", "text": "\u202e\u200b  "}),                          # 10
        json.dumps({"id": "x" * 300, "text": GOOD}),                                # 11
        json.dumps({"id": "sur\ud800", "text": "IS fighters\ud83d attacked\ufffe Hit."}),  # 12: repaired
        "",                                                                          # blank lines are skipped
        json.dumps({"id": 7, "text": GOOD}),                                         # 14
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8", "surrogatepass") + b"\r\n")
    arts, problems, warnings = _read(feed)
    assert [a.id for a in arts] == ["ok-1", "sur", "7"]
    assert arts[0].url is None and arts[1].text == "IS fighters attacked Hit."
    assert problems == {
        "feed.jsonl:2": "malformed JSON (Unterminated string starting at column 23)",
        "feed.jsonl:3": "a line must be a JSON object with 'id' and 'text', not a JSON array",
        "feed.jsonl:4": "malformed JSON (nested too deeply)",
        "feed.jsonl:5": "'id' must be a string or an integer, not a JSON boolean",
        "feed.jsonl:6": "article 'n': 'text' must be a string, not a JSON object",
        "feed.jsonl:7": "'published' is not an ISO date (YYYY-MM-DD): 'last week'",
        "feed.jsonl:8": problems["feed.jsonl:8"],
        "feed.jsonl:9": "empty 'id'",
        "feed.jsonl:10": "article 'e': empty input (nothing but blanks or invisible characters)",
        "feed.jsonl:11": "'id' is 300 characters, more than 200",
    }
    assert problems["feed.jsonl:8"].startswith("malformed JSON (Exceeds the limit")
    assert warnings[0] == f"warning: {feed}:1: 'url' 'https://example.org/a b' is not an http(s) URL; left out"
    assert warnings[1].startswith(f"warning: {feed}:12: removed 2 lone surrogates (broken UTF-16), "
                                  f"1 noncharacters")


def test_empty_and_binary_jsonl_files_are_one_problem_each(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n\n  \n")
    (tmp_path / "binary.jsonl").write_bytes(b"\x00\x01\x02" * 10_000 + b"\n" * 100)
    _, problems, _ = _read(tmp_path)
    assert problems == {"binary.jsonl": "binary data, not JSON Lines (NUL bytes)", "empty.jsonl": "empty input"}


# -- text the tokenizer would choke on -------------------------------------------------------

@pytest.mark.parametrize("run", ["!" * 50_000, "(" * 50_000, "')" * 25_000, "\U0001f600" * 50_000,
                                 "=]" * 25_000, "a" * 200_000, "'`" * 25_000])
def test_long_runs_without_spaces_keep_the_tokenizer_fast(extractor, run):
    """Unguarded, spaCy's tokenizer takes ~200 s on 50,000 '!' (quadratic); guarded, well under 1 s."""
    text = f"Rebels attacked.\n{run}\nThe town fell."
    safe, notes = parser_text(text)
    assert len(safe) == len(text)
    assert all(len(piece) <= MAX_RUN_CHARS for piece in safe.split())
    assert notes and "read by the parser in pieces of 32; the article text is unchanged" in notes[0]
    started = time.perf_counter()
    doc = extractor.nlp.tokenizer(safe)
    assert time.perf_counter() - started < 3.0
    assert doc.text == safe


def test_urls_are_split_silently_and_ordinary_text_untouched():
    url = "https://example.org/" + "path/" * 20
    safe, notes = parser_text(f"See {url} now.")
    assert notes == [] and len(safe) == len(url) + 9 and " " in safe[4:-5]
    text = "US-backed rebels advanced on al-Bukamal (Albu Kamal)."
    assert parser_text(text) == (text, [])


def test_a_pathological_article_is_extracted_with_a_warning(extractor):
    text = f"IS militants attacked a checkpoint in Raqqa on Monday.\n{'!' * 10_000}\n{'. ' * 5_000}\n"
    warnings: list[str] = []
    started = time.perf_counter()
    [facts] = list(extractor.extract([Article("p", text, "feed.jsonl:9")], warn=warnings.append))
    assert time.perf_counter() - started < 60
    assert isinstance(facts, ArticleFacts) and facts.operations
    assert warnings == ["warning: feed.jsonl:9: 1 run(s) of more than 64 characters without a space (the longest "
                        "10,000, at line 2) read by the parser in pieces of 32; the article text is unchanged"]


# -- huge articles: parsed in parts, offsets those of the article -----------------------------

def test_split_text_covers_the_text_in_parts_cut_at_paragraphs():
    text = "".join(f"Paragraph {i} has a sentence. And another one.\n\n" for i in range(200))
    parts = split_text(text, 1000)
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert all(0 < end - start <= 1000 for start, end in parts)
    assert all(text[end - 2:end] == "\n\n" and text[end] == "P" for _, end in parts[:-1])
    one_line = "word " * 1000
    assert all(one_line[end - 1] == " " for _, end in split_text(one_line, 333)[:-1])
    assert split_text("x" * 10, 4) == [(0, 4), (4, 8), (8, 10)]  # no boundary at all: cut anyway


def test_an_article_longer_than_max_length_is_parsed_in_parts_with_the_same_facts(extractor, monkeypatch):
    arts = [a for a in read_inputs([ARTICLES_JSONL])][:2]
    whole = GraphBuilder()
    for facts in extractor.extract(arts):
        whole.add(facts)
    monkeypatch.setattr(extractor.nlp, "max_length", 1200)
    warnings: list[str] = []
    parts = GraphBuilder()
    for facts in extractor.extract(arts, warn=warnings.append):
        assert isinstance(facts, ArticleFacts)
        for ev in [e for ent in facts.entities.values() for e in ent.evidence]:
            assert facts.article.text[ev.start:ev.end] == ev.text
        parts.add(facts)
    assert isomorphic(whole.graph(), parts.graph())
    assert warnings[0].startswith(f"warning: {ARTICLES_JSONL}:1: article is ")
    assert "parsed in 4 parts of at most 1,200, cut at paragraph or sentence ends" in warnings[0]


# -- the command line: exit code and summary count the failures -------------------------------

def test_a_build_of_broken_inputs_names_each_and_builds_the_rest(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("Published: 2018-05-18\n\n" + GOOD)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (src / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
    (src / "feed.jsonl").write_text("\n".join([
        json.dumps({"id": "feed-1", "text": "IS fighters\u202e shelled Hit on Monday.", "published": "2018-05-18"}),
        "{oops", json.dumps({"id": "good"})]) + "\n")
    (src / "dup.jsonl").write_text(json.dumps({"id": "GOOD", "text": GOOD}) + "\n")
    out = tmp_path / "out" / "graph.ttl"
    code = main(["build", str(src), "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "articles: 2 built, 6 failed" in captured.out
    err = captured.err
    for line in (f"error: {src / 'binary.txt'}: binary data, not text (a NUL byte at column 1)",
                 f"error: {src / 'empty.txt'}: empty input",
                 f"error: {src / 'latin1.txt'}: not valid UTF-8: byte 0xe9 at column 4",
                 f"error: {src / 'feed.jsonl'}:2: malformed JSON (Expecting property name enclosed in double quotes",
                 f"error: {src / 'feed.jsonl'}:3: article 'good' has no 'text'",
                 f"error: {src / 'good.txt'}: article id 'good' (its IRI <https://w3id.org/conflict-kg/resource/"
                 f"document/good> is that of id 'GOOD') was already read from {src / 'dup.jsonl'}:1; skipped",
                 f"warning: {src / 'feed.jsonl'}:1: removed 1 direction-override characters",
                 "6 input(s) failed:"):
        assert line in err, (line, err)
    assert len(set(Graph().parse(out).subjects())) > 5


def test_nothing_built_is_exit_code_2(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["build", str(tmp_path), "--out", str(tmp_path / "g.ttl"), "--no-progress"]) == 2
    assert "articles: 0 built, 1 failed" in capsys.readouterr().out


# -- outputs are written atomically --------------------------------------------------------------

def test_report_and_quarantine_are_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    import conflict_kg.pipeline as pipeline

    out = tmp_path / "graph.ttl"
    paths = pipeline.output_paths(out)
    for p in paths.values():
        p.write_text("old")

    def broken_report(_outcome):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "format_report", broken_report)
    from factories import sample_facts
    from conflict_kg.store import GraphStore
    with GraphStore.open(tmp_path / "scratch", create=True) as store:
        builder = GraphBuilder(known=store)
        builder.add(sample_facts())
        outcome = store.validate(builder)
        store.write(builder, outcome)
        with pytest.raises(RuntimeError):
            pipeline._write(store, outcome, out, pipeline.BuildSummary())
    shutil.rmtree(tmp_path / "scratch")
    assert paths["report"].read_text() == "old" and paths["quarantine"].read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


def test_outputs_get_ordinary_permissions_not_owner_only(tmp_path):
    from conflict_kg.serialize import write_text

    old = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        write_text(new, "x")
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        write_text(kept, "new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~0o022
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "new"


# -- the same graph in one process, in two, and on a Dask cluster -----------------------------

@pytest.fixture(scope="module")
def single_process_graph(tmp_path_factory) -> Graph:
    out = tmp_path_factory.mktemp("jobs1") / "graph.ttl"
    assert main(["build", str(ARTICLES_JSONL), "--out", str(out), "--no-progress", "--jobs", "1"]) == 0
    return Graph().parse(out)


def test_two_processes_give_the_same_graph(single_process_graph, tmp_path):
    out = tmp_path / "graph.ttl"
    assert main(["build", str(ARTICLES_JSONL), "--out", str(out), "--no-progress", "--jobs", "2",
                 "--batch-size", "2"]) == 0
    assert isomorphic(Graph().parse(out), single_process_graph)


def test_small_batches_of_articles_give_the_same_graph(single_process_graph, tmp_path):
    """Batches are validated and written one after another, each with the earlier ones as
    context: the graph does not depend on where the batches were cut."""
    out = tmp_path / "graph.ttl"
    assert main(["build", str(ARTICLES_JSONL), "--out", str(out), "--no-progress", "--batch-articles", "2"]) == 0
    assert isomorphic(Graph().parse(out), single_process_graph)


STRICT_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .
<urn:test:no-place> a sh:NodeShape ; sh:targetClass ckg:Operation ;
    sh:property [ sh:path ckg:place ; sh:maxCount 0 ; sh:message "test: no place allowed" ] .
"""


def test_every_batch_keeps_its_violations_in_the_report_and_the_quarantine(tmp_path, monkeypatch):
    """The report and the quarantine of a build are those of all its batches, not of the last
    (a test shape refuses every operation's place, so every batch has violations)."""
    import conflict_kg.validate as validate_module

    strict = Graph()
    for t in validate_module.shapes_graph():
        strict.add(t)
    strict.parse(data=STRICT_SHAPE, format="turtle")
    monkeypatch.setattr(validate_module, "shapes_graph", lambda: strict)
    counts = {}
    for size in ("1", "50"):
        out = tmp_path / size / "graph.ttl"
        assert main(["build", str(ARTICLES_JSONL), "--out", str(out), "--store", str(tmp_path / size / "store"),
                     "--no-progress", "--batch-articles", size]) == 0
        quarantine = Graph().parse(out.with_suffix(".quarantine.ttl"))
        stored = Dataset().parse(tmp_path / size / "store" / "quarantine.trig", format="trig")
        report = out.with_suffix(".report.txt").read_text("utf-8")
        # An event two articles report is refused once per batch that brings it: compare what was refused.
        in_file, in_store = _refused(quarantine), set().union(*(_refused(g) for g in stored.graphs()))
        assert in_file == in_store
        assert all(f"<{focus}>" in report for focus, _ in in_file)
        counts[size] = in_file
    assert counts["1"] == counts["50"] and len(counts["1"]) >= 5, counts


def _refused(g: Graph) -> set[tuple]:
    """(focus node, path) of each quarantine record of a graph."""
    from rdflib.namespace import RDF, SH

    from conflict_kg.iris import CKG
    return {(g.value(r, SH.focusNode), g.value(r, SH.resultPath)) for r in g.subjects(RDF.type, CKG.QuarantineRecord)}


def test_a_failure_in_a_worker_process_fails_its_articles_not_the_build():
    from conflict_kg.distributed import _submit, extract_in_processes

    articles = [Article(f"a{i}", GOOD, f"a{i}.txt") for i in range(3)]
    options = ExtractOptions(model="no_such_spacy_model", n_process=2)
    results = list(extract_in_processes(articles, options=options))
    assert [r.article.id for r in results] == ["a0", "a1", "a2"]
    assert all(isinstance(r, ExtractionFailure) and "no_such_spacy_model" in r.message for r in results)

    class Broken:
        def submit(self, *args):
            raise BrokenProcessPool("a worker died")
    future = _submit(Broken(), options, articles)
    with pytest.raises(BrokenProcessPool, match="a worker died"):
        future.result()


def test_worker_processes_start_at_the_call_and_leave_once_their_work_is_done():
    import multiprocessing

    from conflict_kg.distributed import extract_in_processes, wait_for_workers

    assert wait_for_workers()
    articles = [Article(f"a{i}", GOOD, f"a{i}.txt") for i in range(20)]
    options = ExtractOptions(model="no_such_spacy_model", n_process=2)  # fails fast in the workers
    results = extract_in_processes(articles, options=options)
    assert len(multiprocessing.active_children()) == 2  # started before any result is asked for
    first = next(results)
    # Three tasks of 8, all handed out at the call: the workers leave once they are done, while
    # the caller has yet to read most of the results.
    assert wait_for_workers()
    assert [r.article.id for r in [first, *results]] == [f"a{i}" for i in range(20)]


def test_worker_processes_leave_when_the_caller_stops_early():
    from conflict_kg.distributed import extract_in_processes, wait_for_workers

    assert wait_for_workers()
    articles = (Article(f"a{i}", GOOD, f"a{i}.txt") for i in range(10_000))
    results = extract_in_processes(articles, options=ExtractOptions(model="no_such_spacy_model", n_process=2))
    assert isinstance(next(results), ExtractionFailure)
    results.close()
    assert wait_for_workers()


def test_a_dask_cluster_gives_the_same_graph(single_process_graph, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "graph.ttl"
        code = main(["build", str(ARTICLES_JSONL), "--out", str(out), "--no-progress",
                     "--dask", cluster.scheduler_address, "--batch-size", "2"])
    assert code == 0
    assert isomorphic(Graph().parse(out), single_process_graph)


def test_an_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    from conflict_kg.distributed import ClusterError, extract_on_cluster

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    options = ExtractOptions(scheduler=f"tcp://127.0.0.1:{port}")
    started = time.perf_counter()
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        next(extract_on_cluster([Article("a", GOOD, "a.txt")], options=options, connect_timeout=2))
    assert time.perf_counter() - started < 30


def test_a_malformed_scheduler_address_is_refused_at_once(tmp_path, capsys):
    code = main(["build", str(ARTICLES_JSONL), "--out", str(tmp_path / "g.ttl"), "--no-progress",
                 "--dask", "bogus://host"])
    assert code == 2
    assert "error: 'bogus://host' is not a Dask scheduler address: give tcp://HOST:PORT" in capsys.readouterr().err
