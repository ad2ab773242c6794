"""The indexed attribute ruler sets exactly what the model's own attribute ruler sets."""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.pipeline import AttributeRuler

from conflict_kg.extract.attributes import IndexedAttributeRuler, use_indexed_attribute_ruler
from conflict_kg.extract.extractor import parser_text
from conflict_kg.extract import DEFAULT_MODEL

ARTICLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "articles").glob("*.txt"))

# Text that reaches the model's longer patterns ("gonna", "y'all", "there is", "let's"),
# whitespace tokens, auxiliaries and pronouns by dependency, besides ordinary news prose.
TRICKY = ("Y'all gonna see it.  They gotta leave; let's go, c'mon!\n\nThere is a town, there were "
          "fighters. It was taken by them and they took it. Did he do it? I did.\tGets got 'em.")


def _attributes(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def test_same_attributes_as_the_models_ruler_on_the_sample_articles():
    own = spacy.load(DEFAULT_MODEL)
    indexed = spacy.load(DEFAULT_MODEL)
    use_indexed_attribute_ruler(indexed)
    assert "attribute_ruler" not in indexed.pipe_names and "indexed_attribute_ruler" in indexed.pipe_names
    texts = [parser_text(p.read_text("utf-8"))[0] for p in ARTICLES] + [TRICKY]
    assert len(texts) == 6
    for ours, theirs in zip(indexed.pipe(texts), own.pipe(texts)):
        assert _attributes(ours) == _attributes(theirs)


def test_precedence_operators_and_negative_indices_as_attribute_ruler():
    """A hand-made ruler with what the model's does not use: a pattern with an operator (left to
    a Matcher), a negative index, a regular expression, NOT_IN, and two patterns on one token
    (the later wins)."""
    nlp = spacy.blank("en")
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "the"}]], {"LEMMA": "first"})
    ruler.add([[{"LOWER": {"IN": ["the", "a"]}}]], {"LEMMA": "article"})  # later: wins on "the"
    ruler.add([[{"LOWER": "big"}, {"IS_ALPHA": True, "OP": "+"}]], {"LEMMA": "BIG"}, index=0)
    ruler.add([[{"LOWER": "red"}, {"LOWER": "town"}]], {"LEMMA": "TOWN"}, index=-1)
    ruler.add([[{"LOWER": {"REGEX": "^[0-9]+$"}}]], {"LEMMA": "NUM"})
    ruler.add([[{"IS_SPACE": False, "LOWER": {"NOT_IN": ["the", "a", "big", "red", "town"]}}]], {"NORM": "other"})
    indexed = IndexedAttributeRuler(ruler)
    assert len(indexed.rest) == 1  # only the operator pattern is left to a Matcher
    text = "The big dog saw a red town and 12 red  towns, the end."
    expected, got = ruler(nlp.make_doc(text)), indexed(nlp.make_doc(text))
    assert [(t.lemma_, t.norm_) for t in got] == [(t.lemma_, t.norm_) for t in expected]
    assert [t.lemma_ for t in got][:6] == ["article", "BIG", "", "", "article", ""]
    assert got[6].lemma_ == "TOWN" and got[8].lemma_ == "NUM"


def test_a_pipeline_without_an_attribute_ruler_is_left_as_it_is():
    nlp = spacy.blank("en")
    use_indexed_attribute_ruler(nlp)
    assert nlp.pipe_names == []
