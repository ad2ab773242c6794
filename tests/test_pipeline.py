"""The whole pipeline through the command line, on the bundled sample articles plus
broken inputs: the broken ones are named, the others are built, validated and queryable."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import PROV, RDF

from conflict_kg.cli import main
from conflict_kg.iris import CKG
from conflict_kg.validate import validate

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO / "examples" / "articles"
EVAL = REPO.parent / "shared" / "eval"
OPERATION_CLASSES = ("Offensive", "CounterAttack", "Capture", "Withdrawal", "Airstrike", "Airdrop",
                     "Shelling", "SuicideAttack", "Raid", "Execution", "Attack")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of the five sample articles mixed with four broken inputs."""
    src = tmp_path_factory.mktemp("inputs")
    for f in sorted(ARTICLES.glob("*.txt")):
        shutil.copy(f, src / f.name)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)))
    (src / "latin1.txt").write_bytes("Rebels entered the caf\xe9 district.".encode("latin-1"))
    (src / "feed.jsonl").write_text(json.dumps({"id": "feed-1", "published": "2018-05-18",
                                                "text": "Kurdish fighters retook the town of Manbij on Tuesday."})
                                    + "\n{not json\n")
    out = tmp_path_factory.mktemp("out") / "graph.ttl"
    code = main(["build", str(src), "--out", str(out), "--no-progress", "--published", "2016-06-29"])
    return code, out


def test_bad_inputs_are_named_and_the_rest_is_built(built, capsys):
    code, out = built
    assert code == 1, "a partial build says so in its exit code"
    g = Graph().parse(out)
    docs = {str(o).rsplit("/", 1)[-1] for o in g.objects(None, PROV.wasDerivedFrom) if "/document/" in str(o)}
    assert len(docs - {"conflict-kg-gazetteer"}) == 6  # five articles + the good JSON line


def test_errors_name_the_file_and_the_problem(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.jsonl").write_text('{"id": 1, "text": "x"}\n{oops\n')
    code = main(["build", str(tmp_path), "--out", str(tmp_path / "g.ttl"), "--no-progress"])
    err = capsys.readouterr().err
    assert "empty.txt: empty input" in err
    assert "bad.jsonl:2: malformed JSON" in err
    assert code == 1


def test_outputs_report_and_quarantine_are_written(built):
    _, out = built
    assert out.with_suffix(".report.txt").read_text().startswith("conflict-kg SHACL validation report")
    Graph().parse(out.with_suffix(".quarantine.ttl"))


def test_published_graph_conforms_to_its_own_shapes(built):
    _, out = built
    outcome = validate(Graph().parse(out))
    assert outcome.conforms, [v.describe() for v in outcome.violations][:3]


def test_every_operation_has_provenance_down_to_the_sentence(built):
    _, out = built
    g = Graph().parse(out)
    ops = {s for c in OPERATION_CLASSES for s in g.subjects(RDF.type, CKG[c])}
    assert len(ops) >= 20
    for op in ops:
        assert (op, PROV.wasDerivedFrom, None) in g
        ev = g.value(op, CKG.evidence)
        start, end = int(g.value(ev, CKG.startOffset)), int(g.value(ev, CKG.endOffset))
        doc_id = str(g.value(ev, PROV.wasDerivedFrom)).rsplit("/", 1)[-1]
        path = ARTICLES / f"{doc_id}.txt"
        if path.exists():
            assert path.read_text()[start:end] == str(g.value(ev, CKG.sentence))


def test_named_queries_answer_from_the_command_line(built, capsys):
    _, out = built
    assert main(["query", str(out), "backers", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert any("Syrian Democratic Forces" in r and "United States" in r for r in rows)
    assert main(["query", str(out), "captures", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"]["bindings"]
    assert main(["query", str(out), "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"]) == 2
    assert "SERVICE is refused" in capsys.readouterr().err


def test_query_pages_with_limit_and_offset(built, capsys):
    _, out = built
    assert main(["query", str(out), "operations", "--format", "csv"]) == 0
    everything = capsys.readouterr().out.splitlines()
    assert len(everything) > 5  # a header and the operations
    assert main(["query", str(out), "operations", "--format", "csv", "--offset", "2", "--limit", "3"]) == 0
    page = capsys.readouterr().out.splitlines()
    assert page == [everything[0], *everything[3:6]]
    with pytest.raises(SystemExit):
        main(["query", str(out), "operations", "--limit", "-1"])
    assert "a number of rows" in capsys.readouterr().err


def test_query_list_names_parameters_and_filters(capsys):
    assert main(["query", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "filters: since, until, operation_type" in listing and "params: entity_label" in listing


def test_reasoner_finds_the_sample_graph_consistent_and_infers_backers(built, capsys):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: owlready2's HermiT reasoner needs it")
    _, out = built
    assert main(["reason", str(out)]) == 0
    text = capsys.readouterr().out
    assert "consistent" in text and "United States is a Backer" in text


@pytest.mark.parametrize("suffix", [".nt", ".trig", ".jsonld"])
def test_other_output_formats(tmp_path, suffix):
    out = tmp_path / f"graph{suffix}"
    code = main(["build", str(ARTICLES / "003_21a2ec0769160728.txt"), "--out", str(out), "--no-progress"])
    assert code == 0 and out.stat().st_size > 0


def test_unknown_output_extension_is_refused_before_work(tmp_path, capsys):
    assert main(["build", str(ARTICLES), "--out", str(tmp_path / "g.xyz"), "--no-progress"]) == 2
    assert "unknown output format" in capsys.readouterr().err


@pytest.mark.skipif(not (EVAL / "score.py").exists(), reason="../shared/eval is not beside the repository")
def test_quality_on_the_sample_articles_meets_the_first_targets(tmp_path):
    """Regression guard on the sample corpus (issue 2's targets), scored by the shared scorer."""
    out = tmp_path / "graph.ttl"
    assert main(["build", str(REPO / "examples" / "articles.jsonl"), "--out", str(out), "--no-progress"]) == 0
    res = subprocess.run([sys.executable, str(EVAL / "score.py"), "--graph", str(out), "--gold", str(EVAL / "gold"),
                          "--ontology", str(REPO / "ontology" / "conflict-kg.ttl"), "--json"],
                         capture_output=True, text=True, check=True)
    report = json.loads(res.stdout)
    assert report["entities:core"]["f1"] >= 0.80
    assert report["backing"]["f1"] >= 0.70
    assert report["operations"]["f1"] >= 0.50
    assert report["provenance"]["operations"] == report["provenance"]["with_prov"]
