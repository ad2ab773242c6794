"""Bytes to articles: every bad input is named with its problem, the others go through."""
from __future__ import annotations

import datetime as dt
import json

from conflict_kg.extract.records import Article
from conflict_kg.ingest import InputProblem, decode, read_inputs


def _split(items):
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputProblem)]


def test_txt_takes_id_from_name_and_date_from_dateline(tmp_path):
    f = tmp_path / "report-7.txt"
    f.write_text("Rebels shell a town\nPublished: Tue, June 5, 2018\n\nFighters shelled the town on Monday.\n")
    [art], problems = _split(list(read_inputs([f])))
    assert not problems
    assert art.id == "report-7"
    assert art.published == dt.date(2018, 6, 5)
    assert art.title == "Rebels shell a town"


def test_published_option_is_the_fallback(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Fighters shelled the town on Monday.")
    [art], _ = _split(list(read_inputs([f], published=dt.date(2020, 1, 3))))
    assert art.published == dt.date(2020, 1, 3)


def test_bad_files_are_named_and_others_survive(tmp_path):
    (tmp_path / "good.txt").write_text("Militants attacked a checkpoint near the city.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 bombed".encode("latin-1"))
    arts, problems = _split(list(read_inputs([tmp_path])))
    assert [a.id for a in arts] == ["good"]
    by_file = {p.source.rsplit("/", 1)[-1]: p.message for p in problems}
    assert by_file["empty.txt"] == "empty input"
    assert "binary" in by_file["binary.txt"]
    assert "not valid UTF-8" in by_file["latin1.txt"]


def test_jsonl_lines_fail_one_by_one(tmp_path):
    f = tmp_path / "batch.jsonl"
    good = {"id": "n1", "text": "Troops retook the village.", "published": "2019-02-01", "url": "https://example.org/n1", "title": "T"}
    f.write_text("\n".join([json.dumps(good), '{"id": "n2", "text": ', json.dumps({"id": "n3"}),
                            json.dumps({"id": "n4", "text": "x", "published": "yesterday"}), "[1, 2]"]) + "\n")
    arts, problems = _split(list(read_inputs([f])))
    assert [a.id for a in arts] == ["n1"]
    assert arts[0].published == dt.date(2019, 2, 1) and arts[0].url == "https://example.org/n1"
    messages = {p.source.rsplit(":", 1)[-1]: p.message for p in problems}
    assert "malformed JSON" in messages["2"]
    assert "no 'text'" in messages["3"]
    assert "not an ISO date" in messages["4"]
    assert "JSON object" in messages["5"]


def test_bom_and_invisible_characters_are_removed():
    assert decode("\ufeffA\u200b town\u202e".encode("utf-8")) == "A town"


def test_missing_path_and_unsupported_type(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    _, problems = _split(list(read_inputs([tmp_path / "nope.txt", tmp_path / "x.pdf"])))
    assert "no such file" in problems[0].message
    assert "unsupported input type" in problems[1].message
