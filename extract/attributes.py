"""The model's attribute ruler, applied by looking up each token's patterns instead of by Matcher.

A spaCy model's `attribute_ruler` sets POS, morphology and some lemmas from the tagger's tags
(en_core_web_sm: 179 patterns, nearly all of one token). Its Matcher tries every pattern at
every token, which is about an eighth of the whole pipeline's time. This component reads the
same patterns from the loaded model and, for each token, tests only those that can match it
(filed by the tag, lower-case form or dependency they require), then sets the same attributes
in the same order: as in spaCy's AttributeRuler, a later pattern wins. What a one-token pattern
does depends only on the token's own attributes, so it is worked out once per distinct set of
them. Patterns of several tokens are filed by their first token. Patterns it cannot read
(operators, other attributes) still go through a Matcher of their own, and their matches are
merged in pattern order. `tests/test_attributes.py` checks that every token
gets the same attributes as with the model's own ruler.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs  # what AttributeRuler itself sets attributes with

_FILED_BY = ("TAG", "LOWER", "DEP")  # the attributes a pattern is filed under, the first that fits
_TESTED = ("TAG", "LOWER", "DEP", "ORTH", "NORM", "POS", "LEMMA", "IS_SPACE")
_ALIASES = {"TEXT": "ORTH"}
_CACHED_SIGNATURES = 200_000  # distinct (tag, form, dependency, ...) whose matches are kept


@dataclass(frozen=True)
class _Test:
    """One condition of a token pattern on one attribute, compared as spaCy stores it (a hash)."""

    column: int
    op: str                  # "==", "in", "not in", "regex"
    value: Any

    def __call__(self, row: list[int], strings) -> bool:
        have = row[self.column]
        if self.op == "==":
            return have == self.value
        if self.op == "in":
            return have in self.value
        if self.op == "not in":
            return have not in self.value
        return self.value.search(strings[have]) is not None


@dataclass(frozen=True)
class _Pattern:
    number: int                          # the pattern's place in the ruler: later ones win
    tokens: tuple[tuple[_Test, ...], ...]
    target: int                          # the token of the match whose attributes are set

    def matches_at(self, rows: list[list[int]], i: int, strings) -> bool:
        if i + len(self.tokens) > len(rows):
            return False
        return all(test(rows[i + j], strings) for j, tests in enumerate(self.tokens) for test in tests)

    def first_matches(self, row: list[int], strings) -> bool:
        return all(test(row, strings) for test in self.tokens[0])


class IndexedAttributeRuler:
    """Applies an AttributeRuler's patterns with a look-up per token; same result."""

    def __init__(self, ruler: AttributeRuler):
        self.vocab = ruler.vocab
        self.attrs: list[dict] = ruler.attrs
        self.indices: list[int] = ruler.indices
        self.columns = [IDS[a] for a in _TESTED]
        # Patterns by their length (one token, longer), then filed by the attribute they need
        # (a column of the rows) and its value, or anywhere.
        self.filed: dict[bool, list[tuple[int, dict[int, list[_Pattern]]]]] = {
            longer: [(_TESTED.index(a), defaultdict(list)) for a in _FILED_BY] for longer in (False, True)}
        self.anywhere: dict[bool, list[_Pattern]] = {False: [], True: []}
        self.rest = Matcher(ruler.vocab, validate=False)  # what cannot be filed
        self._signatures: dict[tuple[int, ...], tuple[list[int], list[_Pattern]]] = {}
        for number in range(len(self.attrs)):
            self._file(number, ruler.matcher.get(str(number))[1])

    def _file(self, number: int, patterns: list[list[dict[str, Any]]]) -> None:
        compiled = [self._compiled(number, p) for p in patterns]
        if any(c is None for c in compiled):
            self.rest.add(str(number), patterns)
            return
        for pattern, spec in zip(compiled, patterns):
            longer, first = len(spec) > 1, spec[0]
            attr = next((a for a in _FILED_BY if _keys(first.get(a)) is not None), None)
            if attr is None:
                self.anywhere[longer].append(pattern)
                continue
            _column, table = self.filed[longer][_FILED_BY.index(attr)]
            for key in _keys(first[attr]):
                table[self.vocab.strings.add(key)].append(pattern)

    def _compiled(self, number: int, tokens: list[dict[str, Any]]) -> _Pattern | None:
        specs = [self._tests(spec) for spec in tokens]
        target = self.indices[number]
        if any(s is None for s in specs) or not -len(tokens) <= target < len(tokens):
            return None
        return _Pattern(number, tuple(specs), target % len(tokens))

    def _tests(self, spec: dict[str, Any]) -> tuple[_Test, ...] | None:
        tests = []
        for attr, value in spec.items():
            attr = _ALIASES.get(attr, attr)
            if attr not in _TESTED:
                return None  # an operator ("OP"), an extension, another attribute
            test = self._test(_TESTED.index(attr), value)
            if test is None:
                return None
            tests.append(test)
        return tuple(tests)

    def _test(self, column: int, value: Any) -> _Test | None:
        ids = self.vocab.strings.add
        if isinstance(value, bool):
            return _Test(column, "==", int(value))
        if isinstance(value, str):
            return _Test(column, "==", ids(value))
        if not isinstance(value, dict) or len(value) != 1:
            return None
        (op, arg), = value.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
            return _Test(column, "in" if op == "IN" else "not in", frozenset(ids(v) for v in arg))
        if op == "REGEX" and isinstance(arg, str):
            return _Test(column, "regex", re.compile(arg))
        return None

    def __call__(self, doc: Doc) -> Doc:
        rows = doc.to_array(self.columns).tolist()
        strings = doc.vocab.strings
        extra: dict[int, list[int]] = defaultdict(list)  # token -> longer patterns that set it
        leftover = self.rest(doc, allow_missing=True, as_spans=False) if len(self.rest) else []
        for key, start, end in leftover:
            number = int(strings[key])
            extra[doc[start:end][self.indices[number]].i].append(number)
        for i, row in enumerate(rows):
            numbers, starting = self._from_token(row, strings)
            for pattern in starting:  # a longer match sets this token or a later one
                if pattern.matches_at(rows, i, strings):
                    extra[i + pattern.target].append(pattern.number)
            if i in extra:
                numbers = sorted(numbers + extra.pop(i))
            token = doc[i]
            for number in numbers:  # as AttributeRuler: in pattern order, later ones win
                set_token_attrs(token, self.attrs[number])
        return doc

    def _from_token(self, row: list[int], strings) -> tuple[list[int], list[_Pattern]]:
        """The one-token patterns that match a token, and the longer ones whose first token
        matches it. Both depend only on the token's own attributes: they are found once per
        distinct row of attributes."""
        signature = tuple(row)
        found = self._signatures.get(signature)
        if found is None:
            if len(self._signatures) >= _CACHED_SIGNATURES:
                self._signatures.clear()
            one_token = sorted(p.number for p in self._candidates(row, longer=False) if p.matches_at([row], 0, strings))
            starting = [p for p in self._candidates(row, longer=True) if p.first_matches(row, strings)]
            found = self._signatures[signature] = (one_token, starting)
        return found

    def _candidates(self, row: list[int], *, longer: bool) -> list[_Pattern]:
        """The patterns that may match from this token: one-token ones, or longer ones."""
        found = [p for column, table in self.filed[longer] for p in table.get(row[column], ())]
        return found + self.anywhere[longer] if self.anywhere[longer] else found


@Language.factory("indexed_attribute_ruler", default_config={"source": "attribute_ruler"})
def make_indexed_attribute_ruler(nlp: Language, name: str, source: str) -> IndexedAttributeRuler:
    """The patterns of the pipeline's `source` attribute ruler (which the caller then disables)."""
    return IndexedAttributeRuler(nlp.get_pipe(source))


def use_indexed_attribute_ruler(nlp: Language) -> None:
    """Put the indexed ruler in place of the model's attribute ruler, if it has one."""
    if "attribute_ruler" in nlp.pipe_names:
        nlp.add_pipe("indexed_attribute_ruler", after="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")


def _keys(value: Any) -> list[str] | None:
    """The values a token's attribute can have to match `value`; None if it is not one of
    those lists (a negation, a pattern, a flag)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
        return list(value["IN"])
    return None
