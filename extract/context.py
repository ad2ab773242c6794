"""Mentions in one article, resolved to entities, and the coreference the rules ask for.

A `DocumentContext` answers the questions every rule has: which entity does this token belong
to ("IS militants", "SDF fighters"), what does "the group" or "the town" refer to here, and
which sentence is the evidence. Entities keep gazetteer ids as keys so that the same group in
two articles becomes one node.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span, Token

from .gazetteer import Gazetteer, Known, fold
from .nlp import lexicon
from .records import Article, Entity, Evidence

ENTITY_LABELS = {"ArmedGroup", "Country", "Town", "Region", "Facility", "Person", "Organization"}
STATE_FORCE_NOUNS = {"force", "forces", "troop", "troops", "army", "soldier", "military", "regime",
                     "government", "warplane", "jet", "aircraft", "helicopter", "drone", "plane", "gunship",
                     "artillery", "police"}
PRONOUNS = {"it", "its", "they", "their", "them", "itself", "themselves"}
_QUOTES = "\"'“”‘’`"


@dataclass
class Mention:
    start: int          # token index
    end: int
    key: str
    type: str
    text: str


def _clean(name: str) -> str:
    name = name.strip().strip(_QUOTES).strip()
    name = re.sub(r"^(?:the|The)\s+", "", name)
    name = re.sub(r"[’']s$", "", name).strip()
    return name.strip(_QUOTES + " ,.;:/|()[]")


@functools.lru_cache(maxsize=64)
def _heads_by_first_word(heads: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """Head words ("border crossing") by their first word, the longest first: a lookup for
    the token after a name, instead of a pass over the whole list for every name."""
    index: dict[str, list[list[str]]] = {}
    for head in sorted(heads, key=lambda h: -len(h.split())):
        words = head.split()
        if words:
            index.setdefault(words[0], []).append(words)
    return index


class DocumentContext:
    """Entities of one parsed article and the lookups rules need."""

    def __init__(self, doc: Doc, article: Article, gazetteer: Gazetteer):
        self.doc, self.article, self.gaz, self.lex = doc, article, gazetteer, lexicon()
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.token_entity: dict[int, str] = {}
        self._aliases: dict[str, str] = {}
        self._group_nouns = set(self.lex["group_nouns"])
        self._backed_by: dict[str, str] = {}
        self.co_actors: dict[int, list[str]] = {}
        self._resolved_mentions: list[Mention] = []
        self._resolved: dict[int, str | None] = {}
        self.sentences: list[Span] = list(doc.sents)  # spaCy makes them anew at every doc.sents
        self.entity_spans: list[Span] = list(doc.ents)
        self._collect_mentions()
        self._home_country = self._dominant_country()
        self.home_country = self._home_country
        self._rehome_generic_state_forces()
        self._operation_forces()
        self._extend_group_phrases()
        self._state_force_phrases()
        self._loyalist_phrases()
        self._resolve_references()

    # ----- evidence -------------------------------------------------------------------
    def surface(self, span: Span | Token) -> str:
        """The article's own text for a span (the parser may have read a stand-in)."""
        if isinstance(span, Token):
            return self.article.text[span.idx: span.idx + len(span.text)]
        return self.article.text[span.start_char: span.end_char]

    def evidence(self, sent: Span) -> Evidence:
        raw = self.surface(sent)
        text = raw.strip()
        start = sent.start_char + (len(raw) - len(raw.lstrip()))
        return Evidence(self.article.id, start, start + len(text), text)

    # ----- entity registry ------------------------------------------------------------
    def _register(self, key: str, etype: str, label: str, surface: str, span: Span | None,
                  known: Known | None = None, rule: str = "ner", confidence: float = 0.7,
                  subclass: str | None = None) -> Entity:
        ent = self.entities.get(key)
        if ent is None:
            ent = Entity(key=key, type=etype, label=label, subclass=subclass, rule=rule, confidence=confidence)
            if known is not None:
                ent.subclass = known.subclass
                ent.wikidata = known.wikidata
                ent.rule, ent.confidence = "gazetteer", 0.95
                if known.type in ("Town", "Region", "Facility"):
                    located = [k for k in (known.province, known.country) if k and k in self.gaz.by_id]
                    ent.located_in = tuple(located)
                if known.lat is not None and known.lon is not None:
                    ent.coordinates = (float(known.lat), float(known.lon))
            self.entities[key] = ent
        if surface:
            ent.names.add(surface)
        if span is not None:
            ev = self.evidence(span.sent)
            if ev not in ent.evidence:
                ent.evidence.append(ev)
        return ent

    def ensure_known(self, known: Known, span: Span | None, surface: str = "") -> str:
        """Register a gazetteer entry (e.g. a backer named by a demonym) and return its key."""
        self._register(known.id, known.type, known.label, surface, span, known)
        return known.id

    def _add_mention(self, span: Span, key: str, etype: str, surface: str) -> None:
        self.mentions.append(Mention(span.start, span.end, key, etype, surface))
        if etype == "Person":
            self._add_titled_form(span, key)
        for i in range(span.start, span.end):
            self.token_entity[i] = key
        self._aliases.setdefault(fold(surface), key)

    # ----- pass 1: named mentions -----------------------------------------------------
    def _collect_mentions(self) -> None:
        pending: list[tuple[Span, str]] = []
        role_words = {w for words in self.lex["roles"].values() for w in words}
        for span in _person_names_joined(list(self.doc.ents), role_words):
            surface = _clean(self.surface(span))
            if not _plausible_name(surface, span.label_) or self._indefinite_phrase(span, surface) \
                    or _capitalised_adjective(span):
                continue
            span, surface = self._without_demonym(span, surface)
            known_here = self._aliases.get(fold(surface))
            if known_here and not (span.ent_id_ and span.ent_id_ != known_here):
                ent = self.entities[known_here]  # the article already named it ("NSA", "Al-Hamdan")
                self._register(known_here, ent.type, ent.label, surface, span)
                self._add_mention(span, known_here, ent.type, surface)
                continue
            resolved = None if self._is_partial_name(span, surface) else self._classify(span, surface)
            if resolved is None:
                pending.append((span, surface))
                continue
            span, surface = self._with_head_noun(span, surface, resolved[0])
            self._mention_from(span, surface, *resolved)
            self._link_acronym(self.mentions[-1])
        for span, surface in pending:  # names only the article itself explains (acronyms, surnames)
            key = self._aliases.get(fold(surface)) or self._partial_person(surface)
            if key:
                ent = self.entities[key]
                self._register(key, ent.type, ent.label, surface, span)
                self._add_mention(span, key, ent.type, surface)
        self._headed_places()
        self._prefixed_places()
        self.mentions.sort(key=lambda m: m.start)

    def _headed_places(self) -> None:
        """"Taifor military airport", "Tal Half town": capitalised words the NER left untagged,
        right before a facility or town head noun, name a place of that kind (a known one when
        the gazetteer's spelling rules find it)."""
        doc = self.doc
        i = 0
        while i < len(doc):
            j = i
            while j < len(doc) and j not in self.token_entity and (
                    (doc[j].pos_ == "PROPN" and doc[j].is_title and doc[j].is_alpha)
                    or (j > i and doc[j].lower_ in ("al", "el", "-") and j + 1 < len(doc) and doc[j + 1].is_title)):
                j += 1
            if j == i:
                i += 1
                continue
            span = doc[i:j]
            surface = _clean(self.surface(span))
            if fold(surface) not in self.gaz.demonyms and not self.gaz.lookup(surface, types={"ArmedGroup", "Country"}):
                self._headed_place(span, surface)
            i = j

    def _prefixed_places(self) -> None:
        """"Kafr Halab", "Tal Aran": an Arabic place-name word ("Kafr" village, "Tal" hill,
        "Ain" spring) right before a known place name makes another place's name, not that one
        (Halab alone is Aleppo)."""
        prefixes = set(self.lex["toponym_prefixes"])
        for m in list(self.mentions):
            if m.type not in ("Town", "Region") or m.start == 0:
                continue
            word = self.doc[m.start - 1]
            alone = next((x for x in self.mentions if x.start == word.i and x.end == m.start), None)
            if word.text not in prefixes or (word.i in self.token_entity and (alone is None or alone.key in self.gaz.by_id)):
                continue  # "Kafr" tagged alone as an unknown place is part of the name too
            span = self.doc[word.i: m.end]
            surface = _clean(self.surface(span))
            for old in (m, alone) if alone else (m,):
                self.mentions.remove(old)
                if not any(x.key == old.key for x in self.mentions):
                    self.entities.pop(old.key, None)
                else:
                    self.entities[old.key].names.discard(old.text)
            known = self.gaz.lookup(surface, types={"Town"})
            self._mention_from(span, surface, "Town", known, known.label if known else surface, rule="context")

    def _headed_place(self, span: Span, surface: str) -> None:
        if self._following_heads(span, self.lex["facility_heads"]):
            span, surface = self._with_head_noun(span, surface, "Facility")
            known = self.gaz.lookup(surface, types={"Facility"})
            self._mention_from(span, surface, "Facility", known, known.label if known else surface, rule="context")
        elif self._following_heads(span, self.lex["town_heads"]):
            known = self.gaz.lookup(surface, types={"Town"})
            self._mention_from(span, surface, "Town", known, known.label if known else surface, rule="context")

    def _indefinite_phrase(self, span: Span, surface: str) -> bool:
        """"an Islamic state": a name matched in sentence case ("Islamic state") after "a" or
        "an" is a common noun phrase, not the group."""
        return (span.start > 0 and self.doc[span.start - 1].lower_ in ("a", "an")
                and surface in self.gaz.sentence_cased)

    def _without_demonym(self, span: Span, surface: str) -> tuple[Span, str]:
        """"the Syrian Albukamal": a demonym before a known place name is not part of it."""
        first, _, rest = surface.partition(" ")
        if (span.label_ in ("GPE", "LOC", "FAC") and rest and len(span) > 1 and fold(first) in self.gaz.demonyms
                and self.gaz.lookup(rest, types={"Town", "Region", "Facility", "Country"}) is not None):
            return Span(self.doc, span.start + 1, span.end, label=span.label_), rest
        return span, surface

    def _add_titled_form(self, span: Span, key: str) -> None:
        """"Minister Ellwood", "Prime Minister Abadi": the titled form is a name seen too."""
        titles = set(self.lex["person_titles"])
        start = span.start
        while start > 0 and self.doc[start - 1].lower_.rstrip(".") in titles and self.doc[start - 1].text[:1].isupper():
            start -= 1
        if start < span.start:
            titled = _clean(self.surface(self.doc[start: span.end]))
            self.entities[key].names.add(titled)

    def _is_partial_name(self, span: Span, surface: str) -> bool:
        """A short PERSON/ORG name that repeats part of a longer one seen earlier."""
        if span.label_ not in ("PERSON", "ORG", "NORP", "GPE") or span.ent_id_:
            return False
        return self._partial_person(surface) is not None

    def _mention_from(self, span: Span, surface: str, etype: str, known: Known | None,
                      label: str, subclass: str | None = None, rule: str = "ner") -> None:
        if known is not None:
            key = known.id
            label = known.label
        else:
            key = f"{etype.lower()}:{fold(label)}"
            if etype == "Facility":
                key = f"facility:{fold(_facility_base(label, self.lex))}"
            existing = self._aliases.get(fold(label))
            if existing and self.entities[existing].type == etype:
                key = existing
        self._register(key, etype, label, surface, span, known, rule=rule, subclass=subclass)
        self._add_mention(span, key, etype, surface)
        if etype == "Facility":
            self._aliases.setdefault(fold(_facility_base(label, self.lex)), key)

    def _classify(self, span: Span, surface: str) -> tuple | None:
        """(type, gazetteer entry or None, label[, subclass, rule]) or None when unsure."""
        label = span.label_
        gaz = self.gaz
        if label in ENTITY_LABELS and span.ent_id_ in gaz.by_id:
            known = gaz.by_id[span.ent_id_]
            return self._with_head(span, surface, known.type, known)
        if label in ("GPE", "LOC", "FAC", "ORG", "PERSON", "NORP"):
            head_kind = self._head_kind(span)
            if head_kind == "Facility":
                return "Facility", None, self._with_following(span, surface)
            if head_kind == "Region":
                known = gaz.lookup(surface, types={"Region"})
                if known is not None:
                    return "Region", known, known.label
                if label in ("GPE", "LOC", "PERSON"):  # "Ghanim al-Ali area": no person has an area
                    return "Region", None, self._with_following(span, surface)
            if head_kind == "Town" and span.root.pos_ == "PROPN" and fold(surface) not in gaz.demonyms \
                    and gaz.lookup(surface, types={"ArmedGroup", "Country", "Region", "Facility"}) is None:
                known = gaz.lookup(surface, types={"Town"})  # "al-Marashdah village", "Shafa town": NER's PERSON or NORP
                return ("Town", known, known.label) if known else ("Town", None, surface)
        if label == "GPE":
            known = gaz.lookup(surface, types={"Country", "Town", "Region", "Facility"})
            if known is not None and known.type == "Town":  # "the provinces of X and Y": X's province
                return self._with_head(span, surface, known.type, known)
            if known is not None:
                return known.type, known, known.label
            return self._place_from_context(span, surface) or ("Town", None, surface)
        if label == "LOC":
            known = gaz.lookup(surface, types={"Region", "Town", "Country", "Facility"})
            return (known.type, known, known.label) if known else ("Region", None, surface)
        if label == "FAC":
            known = gaz.lookup(surface, types={"Facility", "Town"})
            return (known.type, known, known.label) if known else None
        if label in ("ORG", "PERSON", "NORP"):
            known = gaz.lookup(surface, types={"ArmedGroup", "Country"})
            if known is None and label != "NORP":
                known = gaz.lookup(surface, types={"Town", "Region", "Facility"})
            if known is not None:
                return self._with_head(span, surface, known.type, known)
            if label == "NORP" or fold(surface) in gaz.demonyms:
                return None
            if self._is_group_context(span, surface):
                return "ArmedGroup", None, surface, None, "context"
            if label == "PERSON":
                if len(surface.split()) == 1 and surface.lower() in {w for w in self._group_nouns}:
                    return None
                return ("Person", None, surface) if len(surface.split()) > 1 or surface[:1].isupper() else None
            if self._place_from_context(span, surface):
                return self._place_from_context(span, surface)
            return "Organization", None, surface
        return None

    def _with_head(self, span: Span, surface: str, etype: str, known: Known) -> tuple:
        """A known town followed by "airbase" is a facility ("Tabqa airbase"); one in
        "the provinces of X and Y" is the province; "Damascus University" is an organisation."""
        if etype in ("Town", "Region", "Country") and self._org_head(span, capitalised=True):
            return "Organization", None, _clean(self.surface(self.doc[span.start: span.end + self._org_head(span, capitalised=True)]))
        if etype in ("Town", "Region") and self._head_kind(span) == "Facility":
            full = self._with_following(span, surface)
            fac = self.gaz.lookup(full, types={"Facility"})
            return ("Facility", fac, fac.label) if fac else ("Facility", None, full)
        appos_region = any(c.dep_ == "appos" and c.lemma_.lower() in ("area", "region", "province", "governorate")
                           for c in span.root.children)  # "Idlib, the last major area held by rebels"
        if etype == "Town" and (appos_region or (self._place_from_context(span, surface) or ("",))[0] == "Region"):
            region = next((r for form in (surface, f"{surface} province", f"{surface} governorate")
                           if (r := self.gaz.lookup(form, types={"Region"})) is not None), None)
            return ("Region", region, region.label) if region else ("Region", None, surface)
        return etype, known, known.label

    def _following_heads(self, span: Span, heads: Iterable[str]) -> int:
        """How many tokens after the span form one of `heads` ("border crossing" = 2)."""
        doc = self.doc
        if span.end >= len(doc):
            return 0
        for words in _heads_by_first_word(tuple(heads)).get(doc[span.end].lower_, ()):
            toks = doc[span.end: span.end + len(words)]
            if len(toks) == len(words) and all(t.lower_ == w for t, w in zip(toks, words)):
                return len(words)
        return 0

    def _org_head(self, span: Span, *, capitalised: bool) -> int:
        """How many tokens after the span name an organisation's kind ("University", "news agency")."""
        n = self._following_heads(span, self.lex["org_name_heads"])
        if n and capitalised and not all(t.text[:1].isupper() for t in self.doc[span.end: span.end + n]):
            return 0
        return n

    def _head_kind(self, span: Span) -> str | None:
        if self._following_heads(span, self.lex["facility_heads"]):
            return "Facility"
        if self._following_heads(span, self.lex["region_heads"]):
            return "Region"
        if self._following_heads(span, self.lex["town_heads"]):
            return "Town"
        return None

    def _with_following(self, span: Span, surface: str) -> str:
        n = self._following_heads(span, self.lex["facility_heads"]) or \
            self._following_heads(span, self.lex["region_heads"])
        return _clean(self.surface(self.doc[span.start: span.end + n])) if n else surface

    def _place_from_context(self, span: Span, surface: str) -> tuple | None:
        """"the town of X", "X, a village", "provinces of X and Y" type a place no list knows."""
        prev = [t.lemma_.lower() for t in self.doc[max(0, span.start - 3): span.start]]
        place_nouns = self.lex["place_nouns"]
        if len(prev) >= 2 and prev[-1] == "of":
            for etype, nouns in place_nouns.items():
                if prev[-2] in nouns or prev[-2].rstrip("s") in nouns:
                    return etype, None, surface
        root = span.root
        if root.dep_ in ("conj", "appos"):
            anc = root.head
            while anc.dep_ == "conj" and anc.head.i != anc.i:
                anc = anc.head
            if anc.dep_ == "pobj" and anc.head.lower_ == "of" and anc.head.head.lemma_.lower() in place_nouns["Region"]:
                return "Region", None, surface
        return None

    def _is_group_context(self, span: Span, surface: str) -> bool:
        """"X fighters", "the X militia", "X, a rebel group": an armed group no list knows."""
        words = surface.lower().split()
        heads = set(self.lex["group_heads"])
        if words and words[-1] in heads:
            return True
        nxt = self.doc[span.end] if span.end < len(self.doc) else None
        if nxt is not None and nxt.lemma_.lower() in {"fighter", "militant", "militia", "militiaman", "troop", "jihadist", "rebel", "insurgent"}:
            return True
        for tok in span.root.children:
            if tok.dep_ == "appos" and tok.lemma_.lower() in {"group", "militia", "alliance", "faction", "coalition", "brigade", "organisation", "organization"}:
                mods = {c.lemma_.lower() for c in tok.children}
                if mods & {"rebel", "armed", "jihadist", "militant", "islamist", "kurdish", "extremist", "insurgent", "terrorist"} or tok.lemma_.lower() in {"militia", "brigade"}:
                    return True
        return False

    def _link_acronym(self, m: Mention) -> None:
        """"The New Syrian Army (NSA)": the acronym names the same entity, here and later."""
        doc = self.doc
        i = m.end + (1 if m.end < len(doc) and doc[m.end].text in _QUOTES else 0)
        if i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
            acro = self.surface(doc[i + 1])
            if acro.isupper() and 1 < len(acro) <= 8:
                self._aliases[fold(acro)] = m.key
                ent = self.entities[m.key]
                span = doc[i + 1: i + 2]
                if (i + 1) not in self.token_entity:
                    self._register(m.key, ent.type, ent.label, acro, span)
                    self._add_mention(span, m.key, ent.type, acro)

    def _with_head_noun(self, span: Span, surface: str, etype: str) -> tuple[Span, str]:
        """"Tanf Border crossing", "Anbar province", "Reuters news agency": the head noun is
        part of the name."""
        if etype not in ("Facility", "Region", "Organization"):
            return span, surface
        heads = {"Facility": self.lex["facility_heads"], "Region": self.lex["region_heads"],
                 "Organization": self.lex["org_name_heads"]}[etype]
        n = self._following_heads(span, heads)
        if not n:
            return span, surface
        longer = self.doc[span.start: span.end + n]
        return longer, _clean(self.surface(longer))

    def _partial_person(self, surface: str) -> str | None:
        """"al-Saloum" after "Mozahem al-Saloum" is the same person; "the Observatory" after
        "the Syrian Observatory for Human Rights" the same organisation."""
        f = fold(surface)
        if not f:
            return None
        hits = set()
        for ent in self.entities.values():
            names = [fold(n) for n in ent.names | {ent.label}]
            if ent.type == "Person" and any(n.endswith(" " + f) or n == f for n in names):
                hits.add(ent.key)
            elif ent.type == "Organization" and " " not in f and any(f in n.split() for n in names if " " in n):
                hits.add(ent.key)
            elif ent.type == "ArmedGroup" and len(f.split()) >= 2 and any(
                    set(f.split()) < set(n.split()) and f.split()[-1] == n.split()[-1] for n in names):
                hits.add(ent.key)  # "Ahmad al-Abdo Forces" after "Ahmad al-Abdo Martyrs Forces"
        return hits.pop() if len(hits) == 1 else None

    # ----- pass 2: the article's home country, generic state forces ----------------
    def _dominant_country(self) -> str | None:
        counts: dict[str, int] = {}
        for m in self.mentions:
            country = m.key if m.type == "Country" else None
            if m.type in ("Town", "Region", "Facility") and m.key in self.gaz.by_id:
                country = self.gaz.by_id[m.key].country
            if country and self.gaz.state_forces_of(country):
                counts[country] = counts.get(country, 0) + 1
        return max(counts, key=lambda c: (counts[c], c)) if counts else None

    def _rehome_generic_state_forces(self) -> None:
        """"government forces" with no nationality are the forces of the article's country."""
        if not self._home_country:
            return
        home = self.gaz.state_forces_of(self._home_country)
        if home is None:
            return
        for m in self.mentions:
            known = self.gaz.by_id.get(m.key)
            if known is None or known.subclass != "StateForces" or known.id == home.id:
                continue
            country = self.gaz.by_id.get(known.country or "")
            words = fold(m.text).split()
            names = {fold(x) for x in ([country.label, *country.aliases, *country.demonyms] if country else [])}
            if any(n and n in " ".join(words) for n in names):
                continue
            span = self.doc[m.start:m.end]
            ent = self.entities[m.key]
            ent.names.discard(m.text)
            if not ent.names:
                del self.entities[m.key]
            m.key = self.ensure_known(home, span, m.text)
            for i in range(m.start, m.end):
                self.token_entity[i] = m.key

    # ----- pass 3: phrases whose head noun belongs to a named group ----------------
    def _operation_forces(self) -> None:
        """"“Euphrates Wrath” Operation Forces", "the forces of “Storm X” Operation", "“Olive
        Branch” factions": fighters named after the operation they fight in are a named
        armed group (an operations room's forces), whatever the NER made of the quoted name."""
        nouns = set(self.lex["operation_force_nouns"])
        doc = self.doc
        for tok in doc:
            if tok.text not in "“\"":
                continue
            close = self._quoted_name_end(tok.i + 1)
            if close is None:
                continue
            after = close + 1 + (close + 1 < len(doc) and doc[close + 1].lower_ == "operation")
            if after < len(doc) and (doc[after].lemma_.lower() in nouns or doc[after].lower_.rstrip("s") in nouns):
                self._name_operation_forces(doc[tok.i + 1: after + 1])
                continue
            start = tok.i - 1 - (tok.i >= 1 and doc[tok.i - 1].lower_ == "the")
            if after > close + 1 and start >= 1 and doc[start].lower_ == "of" and doc[start - 1].lower_.rstrip("s") in nouns:
                self._name_operation_forces(doc[start - 1: after])

    def _quoted_name_end(self, i: int) -> int | None:
        """The closing quote of a capitalised name of one to five words opening at token i."""
        doc = self.doc
        for j in range(i, min(i + 8, len(doc))):
            if doc[j].text in "”\"" and j > i:
                return j
            if not (doc[j].text[:1].isupper() or doc[j].text in ("-", "al", "el")):
                return None
        return None

    def _name_operation_forces(self, span: Span) -> None:
        if any(m.start < span.end and span.start < m.end and m.type == "ArmedGroup" for m in self.mentions):
            return  # a known group already ("the forces of “the SDF”")
        surface = re.sub(r"\s+", " ", re.sub(f"[{_QUOTES}]", "", self.surface(span))).strip()
        inside = {m.key for m in self.mentions if span.start <= m.start < span.end}
        self.mentions = [m for m in self.mentions if not (span.start <= m.start < span.end)]
        for key in inside - {m.key for m in self.mentions}:
            self.entities.pop(key, None)
        self._mention_from(span, surface, "ArmedGroup", None, surface, rule="context")

    def _extend_group_phrases(self) -> None:
        """"IS militants", "SDF fighters", "the Islamic State militant group": the head is the group."""
        for m in self.mentions:
            if m.type not in ("ArmedGroup",):
                continue
            span = self.doc[m.start:m.end]
            head = span.root.head
            j = m.end
            if j < len(self.doc) and self.doc[j].lemma_.lower() in self._group_nouns and j not in self.token_entity:
                self.token_entity[j] = m.key
            if (head.i not in self.token_entity and span.root.dep_ in ("compound", "nmod", "amod", "poss")
                    and head.lemma_.lower() in self._group_nouns and 0 < head.i - m.end + 1 <= 4):
                self.token_entity[head.i] = m.key
            self._name_collective(m, span)

    def _name_collective(self, m: Mention, span: Span) -> None:
        """"Coalition military forces", "Coalition aircraft": the group named with a collective
        noun is a surface form of the group (recorded as a name, not as its label)."""
        collective = set(self.lex["collective_force_nouns"])
        for end in range(m.end, min(m.end + 3, len(self.doc))):
            tok = self.doc[end]
            if tok.pos_ not in ("ADJ", "NOUN", "PROPN") or self.token_entity.get(end, m.key) != m.key:
                return
            if tok.lower_ in collective:
                self.entities[m.key].names.add(_clean(self.surface(self.doc[m.start:end + 1])))
                return

    def _state_force_phrases(self) -> None:
        """"Russian forces", "Syrian and Iraqi forces", "regime troops", "forces from Iran":
        a state's forces named by a demonym, "regime"/"government", or "from <country>"."""
        for tok in self.doc:
            if tok.lemma_.lower() not in STATE_FORCE_NOUNS or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            mods = [c for c in tok.children if c.dep_ in ("amod", "compound", "nmod", "poss") and c.i < tok.i]
            for adj in [x for m in mods for x in (m, *[c for c in m.children if c.dep_ == "conj"])]:
                if self.entity_of(adj, types={"ArmedGroup"}):
                    continue
                if self._named_force(adj, tok):
                    self._name_group(self.doc[adj.i: tok.i + 1])
                    break
                forces = self.forces_named_by(adj)
                if forces is not None:
                    self._add_forces(forces, adj, tok)
            owner = next((c for c in tok.children if c.dep_ == "poss" and c.lemma_.lower() == "country"), None)
            if owner is not None and tok.i not in self.token_entity:  # "the country's troops"
                country = self._recent_country(tok.i)
                forces = self.gaz.state_forces_of(country.id) if country else None
                if forces is not None:
                    self._add_forces(forces, owner, tok)
            if tok.i not in self.token_entity:
                pobjs = [o for c in tok.children if c.dep_ == "prep" and c.lower_ == "from" for o in c.children if o.dep_ == "pobj"]
                for src in [x for o in pobjs for x in (o, *[c for c in o.children if c.dep_ in ("appos", "compound")])]:
                    country = self.country_of_token(src)
                    forces = self.gaz.state_forces_of(country.id) if country else None
                    if forces is not None:
                        self.as_country(src)
                        self._add_forces(forces, tok, tok)
        self.mentions.sort(key=lambda m: m.start)

    def _loyalist_phrases(self) -> None:
        """"gunmen loyal to the regime", "pro-government militiamen": fighters named by their
        loyalty to a state's regime are that state's forces (the article's state for "the
        regime"), as "regime forces" are; loyalty to a foreign state ("pro-Turkish factions")
        names local groups it backs, not its army, and is left alone."""
        for tok in self.doc:
            if tok.i in self.token_entity or tok.pos_ != "NOUN" or tok.lemma_.lower() not in self._group_nouns:
                continue
            loyal = [o for c in tok.children if c.dep_ == "amod" and c.lemma_.lower() in ("loyal", "allied")
                     for p in c.children if p.dep_ == "prep" and p.lower_ == "to" for o in p.children if o.dep_ == "pobj"]
            loyal = loyal or self._loyal_along_words(tok)
            pro = [c for c in tok.children if c.dep_ in ("amod", "compound") and c.i >= 2
                   and self.doc[c.i - 1].text == "-" and self.doc[c.i - 2].lower_ == "pro"]
            owner = next((t for t in loyal + pro if t.lemma_.lower() in ("regime", "government")), None)
            forces = self.forces_named_by(owner) if owner is not None else None
            if forces is None:
                continue
            span = self.doc[min(tok.i, owner.i - 2 if owner in pro else tok.i): max(tok.i, owner.i) + 1]
            surface = _clean(self.surface(span))
            key = self.ensure_known(forces, span, surface)
            self.mentions.append(Mention(span.start, span.end, key, "ArmedGroup", surface))
            self.token_entity[tok.i] = key
        self.mentions.sort(key=lambda m: m.start)

    def _loyal_along_words(self, noun: Token) -> list[Token]:
        """"Clashes between gunmen loyal to the regime against ...": a headline parse may hang
        "loyal" elsewhere; the words "<fighters> loyal to (the) X" still say whose they are."""
        doc = self.doc
        i = noun.i + 1
        if i + 2 >= len(doc) or doc[i].lemma_.lower() not in ("loyal", "allied") or doc[i + 1].lower_ != "to":
            return []
        owner = doc[i + 3] if doc[i + 2].lower_ == "the" and i + 3 < len(doc) else doc[i + 2]
        return [owner]

    def _named_force(self, adj: Token, noun: Token) -> bool:
        """"Syria Democratic Forces": a country's name, capitalised words and "Forces" make the
        name of a group, not the state's forces ("Syrian forces", "Turkish Armed Forces")."""
        if not noun.text[:1].isupper() or fold(adj.text) in self.gaz.demonyms or noun.i in self.token_entity:
            return False
        between = self.doc[adj.i + 1: noun.i]
        if any(t.i in self.token_entity or not (t.is_alpha and t.text[:1].isupper()) for t in between):
            return False  # "US-backed Syrian Democratic Forces": a named group already
        return any(t.text[:1].isupper() and t.is_alpha and self.country_of_token(t) is None for t in between)

    def _name_group(self, span: Span) -> None:
        """Make a span the mention of an armed group, replacing the mentions inside it."""
        surface = _clean(self.surface(span))
        inside = {m.key for m in self.mentions if span.start <= m.start < span.end}
        self.mentions = [m for m in self.mentions if not (span.start <= m.start < span.end)]
        for i in range(span.start, span.end):
            self.token_entity.pop(i, None)
        for key in inside:
            if not any(m.key == key for m in self.mentions):
                self.entities.pop(key, None)
        known = self.gaz.lookup(surface, types={"ArmedGroup"})
        self._mention_from(span, surface, "ArmedGroup", known, surface, rule="context")

    def _recent_country(self, before: int) -> Known | None:
        """The country last named (or named by a demonym: "Iraqi Lt. Gen. ...") before a token."""
        start = max(0, before - 80)
        for tok in reversed(self.doc[start:before]):
            country = self.country_of_token(tok)
            if country is not None:
                return country
        return None

    def forces_named_by(self, adj: Token) -> Known | None:
        if adj.lemma_.lower() in ("regime", "government") and self._home_country:
            return self.gaz.state_forces_of(self._home_country)
        country = self.country_of_token(adj)
        return self.gaz.state_forces_of(country.id) if country else None

    def _add_forces(self, forces: Known, first: Token, noun: Token) -> None:
        span = self.doc[min(first.i, noun.i): max(first.i, noun.i) + 1]
        surface = _clean(self.surface(span)) if noun.i - first.i <= 2 else f"{self.surface(first)} {self.surface(noun)}"
        key = self.ensure_known(forces, span, surface)
        self.mentions.append(Mention(span.start, span.end, key, "ArmedGroup", surface))
        self.token_entity.setdefault(first.i, key)
        if noun.i in self.token_entity and self.token_entity[noun.i] != key:
            self.co_actors.setdefault(noun.i, []).append(key)  # "Syrian and Iraqi forces": both
        self.token_entity.setdefault(noun.i, key)

    def unidentified(self, from_air: bool, sent: Span, place: str | None = None) -> str:
        """The explicit stand-in for a perpetrator the text does not name, per country
        (ACLED's "Unidentified Armed Group (Syria)" / "Unidentified Military Forces"): the
        country of the event's place when the gazetteer knows it, else the article's."""
        ent = self.entities.get(place) if place else None
        country = None
        if ent is not None:
            country = next((self.gaz.by_id[k] for k in (place, *ent.located_in)
                            if k in self.gaz.by_id and self.gaz.by_id[k].type == "Country"), None)
        country = country or self.gaz.by_id.get(self._home_country or "")
        where = country.label if country else "unknown country"
        kind = "military forces" if from_air else "armed group"
        label = f"Unidentified {kind} ({where})"
        key = f"unidentified-{kind.replace(' ', '-')}-{country.id if country else 'unknown'}"
        self._register(key, "UnidentifiedActor", label, "", sent, rule="unidentified", confidence=0.4)
        return key

    def is_unidentified(self, key: str) -> bool:
        return key.startswith("unidentified-")

    def as_country(self, tok: Token) -> str | None:
        """A capital standing for its state ("its backer Tehran") becomes that country."""
        key = self.token_entity.get(tok.i)
        ent = self.entities.get(key) if key else None
        if ent is None or ent.type == "Country":
            return key
        country = self.gaz.capitals.get(fold(ent.label))
        if country is None:
            return None
        new = self.ensure_known(country, tok.sent, self.surface(tok))
        for m in self.mentions:
            if m.key == key and m.start <= tok.i < m.end:
                m.key, m.type = new, "Country"
                for i in range(m.start, m.end):
                    self.token_entity[i] = new
        if not any(m.key == key for m in self.mentions):
            del self.entities[key]
        return new

    def country_of_token(self, tok: Token) -> Known | None:
        """The country a token names: "US", "Russian", "Iran-", "Tehran" (as an actor)."""
        key = self.token_entity.get(tok.i)
        if key and self.entities.get(key) and self.entities[key].type == "Country":
            return self.gaz.by_id.get(key)
        f = fold(tok.text)
        known = self.gaz.demonyms.get(f)
        if known is None and key is None:
            known = self.gaz.lookup(tok.text, types={"Country"}) or self.gaz.capitals.get(f)
        if known is None and key and key in self.gaz.by_id and self.entities[key].type in ("Town",):
            known = self.gaz.capitals.get(fold(self.entities[key].label))  # "its backer Tehran"
        return known

    def _resolve_references(self) -> None:
        """Resolve "the group", "the militants", "it" in text order, so that each resolved
        reference is itself a mention for the ones after it."""
        for tok in self.doc:
            if tok.i in self.token_entity or tok.dep_ not in ("nsubj", "nsubjpass", "poss", "dobj", "pobj", "appos"):
                continue
            if tok.lower_ in PRONOUNS or tok.lemma_.lower() in self.lex["descriptions"]:
                self.actor_at(tok)

    # ----- questions rules ask --------------------------------------------------------
    def entity_of(self, tok: Token, *, types: set[str] | None = None) -> str | None:
        key = self.token_entity.get(tok.i)
        if key and (types is None or self.entities[key].type in types):
            return key
        return None

    def actor_at(self, tok: Token, *, exclude: Iterable[str] = ()) -> str | None:
        """The armed group or country a token stands for, following "the group", "it"."""
        key = self.entity_of(tok, types={"ArmedGroup", "Country"})
        if key:
            return key
        for child in tok.children:  # "the Lebanese Shia group Hezbollah": an appositive name
            if child.dep_ in ("appos", "compound") and child.i > tok.i:
                key = self.entity_of(child, types={"ArmedGroup"})
                if key:
                    return key
        if tok.lemma_.lower() in self._group_nouns:  # "warplanes of the coalition", "fighters of the SDF"
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for obj in prep.children:
                        key = self.entity_of(obj, types={"ArmedGroup", "Country"}) if obj.dep_ == "pobj" else None
                        if key:
                            return key
        if tok.i in self._resolved and not exclude:
            return self._resolved[tok.i]
        key = self._resolve_reference(tok, exclude)
        if not exclude:
            self._resolved[tok.i] = key
            if key:  # a resolved "the group" is a mention for what follows
                self._resolved_mentions.append(Mention(tok.i, tok.i + 1, key, "ArmedGroup", tok.text))
        return key

    def _resolve_reference(self, tok: Token, exclude: Iterable[str]) -> str | None:
        lemma = tok.lemma_.lower()
        if tok.lower_ in PRONOUNS or lemma in ("it", "they"):
            return self.salient_group(before=tok.i, exclude=exclude)
        backer = self.backer_adjective(tok)
        if lemma in self.lex["descriptions"] and (self._definite(tok) or backer):
            fits = self._description_classes(tok)
            return (self.salient_group(before=tok.i, subclasses=fits, exclude=exclude, backer=backer, strict=True)
                    or self.next_group(tok, fits, exclude)
                    or self.salient_group(before=tok.i, subclasses=fits, exclude=exclude))
        return None

    def _description_classes(self, tok: Token) -> set[str]:
        """"the Kurdish-led forces" fit Kurdish forces only; "the militants" jihadist groups."""
        fits = set(self.lex["descriptions"][tok.lemma_.lower()])
        hints = self.lex["description_hints"]
        for left in tok.lefts:
            for t in left.subtree:
                narrowed = fits & set(hints.get(t.lower_, fits))
                fits = narrowed or fits
        return fits

    def next_group(self, tok: Token, fits: set[str], exclude: Iterable[str] = ()) -> str | None:
        """Cataphora in news leads: "US-backed rebels advanced ... The New Syrian Army ..."."""
        excluded = set(exclude)
        ends = [s.end for s in self.sentences if s.start > tok.i][:2]
        limit = ends[-1] if ends else len(self.doc)
        for m in self.mentions:
            if tok.i < m.start < limit and m.type == "ArmedGroup" and m.key not in excluded:
                sub = self.entities[m.key].subclass
                if not sub or sub in fits:
                    return m.key
        return None

    def is_named_actor(self, tok: Token) -> bool:
        key = self.token_entity.get(tok.i)
        return key is not None and self.entities[key].type in ("ArmedGroup", "Country")

    def actors_at(self, tok: Token, *, exclude: Iterable[str] = ()) -> list[str]:
        """Like `actor_at`, with the other states of "Syrian and Iraqi forces"."""
        first = self.actor_at(tok, exclude=exclude)
        out = [first] if first else []
        out += [k for k in self.co_actors.get(tok.i, []) if k not in out and k not in set(exclude)]
        return out

    def _definite(self, tok: Token) -> bool:
        dets = [c for c in tok.children if c.dep_ in ("det", "poss")]
        return any(d.lower_ in ("the", "this", "that", "these", "those", "its", "their") for d in dets)

    def backer_adjective(self, tok: Token) -> str | None:
        for c in tok.children:
            if c.dep_ in ("amod", "compound") and c.lemma_.lower() in ("back", "support"):
                for cc in c.children:
                    country = self.country_of_token(cc)
                    if country:
                        return country.id
        return None

    def salient_group(self, *, before: int, subclasses: set[str] | None = None,
                      exclude: Iterable[str] = (), backer: str | None = None,
                      strict: bool = False) -> str | None:
        """The armed group a description or pronoun at token `before` most likely means.

        Candidates come from the sentence so far (nearest first), then from up to three
        earlier sentences, subjects before other mentions: a story keeps talking about its
        subject ("NSA fighters took the base from IS militants. The group was supported by
        ..." means the NSA). With a backer ("the US-backed force"), a group known to be
        backed by it wins. `strict` returns None rather than a group that fits only loosely.
        """
        excluded = set(exclude)
        fallback = None
        for key in self._candidates(before):
            ent = self.entities[key]
            if key in excluded or (subclasses and ent.subclass and ent.subclass not in subclasses):
                continue
            if backer and self._backed_by.get(key) != backer:
                fallback = fallback or key
                continue
            return key
        return None if strict else fallback

    def _candidates(self, before: int) -> Iterator[str]:
        tok = self.doc[before]
        sent = tok.sent
        here = [m for m in self._all_mentions() if sent.start <= m.start < before and m.type == "ArmedGroup"]
        opens_sentence = not here and tok.dep_ in ("nsubj", "nsubjpass", "poss")
        if not opens_sentence:
            yield from (m.key for m in sorted(here, key=lambda m: -m.start))
        earlier = [s for s in self.sentences if s.end <= sent.start][-3:]
        for s in reversed(earlier):
            inside = [m for m in self._all_mentions() if s.start <= m.start < s.end and m.type == "ArmedGroup"]
            subjects = [m for m in inside if self._is_subject(m)]
            yield from (m.key for m in subjects)
            yield from (m.key for m in sorted(inside, key=lambda m: -m.start) if m not in subjects)
        if opens_sentence:
            yield from (m.key for m in sorted(here, key=lambda m: -m.start))
        yield from (m.key for m in sorted(self.mentions, key=lambda m: -m.start)
                    if m.start < earlier[0].start and m.type == "ArmedGroup") if earlier else ()

    def _all_mentions(self) -> list[Mention]:
        return self.mentions + self._resolved_mentions

    def _is_subject(self, m: Mention) -> bool:
        if m in self._resolved_mentions:  # a resolved "the group" or "it"
            return self.doc[m.start].dep_ in ("nsubj", "nsubjpass")
        for i in range(m.start, min(m.end + 2, len(self.doc))):
            tok = self.doc[i]
            if self.token_entity.get(i) == m.key and tok.dep_ in ("nsubj", "nsubjpass"):
                return True
        return False

    def note_backing(self, group: str, backer: str) -> None:
        """Remember "US-backed" groups so that "the US-backed force" finds them."""
        self._backed_by.setdefault(group, backer)

    def place_at(self, tok: Token) -> str | None:
        """The place a token stands for, following "the town", "the border town"; a people
        ("two Russians", "Iraqi") is not a place."""
        key = self.entity_of(tok, types={"Town", "Region", "Facility", "Country"})
        if key and tok.dep_ == "pobj" and tok.head.lower_ == "with" and tok.head.head.lemma_.lower() in ("border", "frontier", "boundary"):
            return None  # "on the border with Iraq" is not in Iraq
        if key and tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lemma_.lower() in self.lex["measure_nouns"]:
            return None  # "roughly the size of Britain" says how big, not where
        if key:
            word = fold(self.surface(tok))
            return None if word in self.gaz.demonyms or word.rstrip("s") in self.gaz.demonyms else key
        lemma = tok.lemma_.lower()
        for etype, nouns in self.lex["place_nouns"].items():
            if lemma not in nouns:
                continue
            for c in tok.children:  # "the city of Manbij", "the town, Baghouz", "Manbij city"
                named = [o for o in c.children if o.dep_ == "pobj"] if c.dep_ == "prep" and c.lower_ == "of" else \
                    [c] if c.dep_ in ("appos", "compound") else []
                for o in named:
                    key = self.entity_of(o, types={"Town", "Region", "Facility", "Country"})
                    if key:
                        return key
            if not self._definite(tok):
                return None
            specific = etype == "Facility" or (etype == "Region" and lemma not in ("province", "governorate", "region", "area", "district", "provinces"))
            earlier = [m for m in reversed(self.mentions) if m.start < tok.i and m.type == etype]
            for m in [m for m in earlier if not self._reference_mention(m)] + earlier:
                names = " ".join(fold(n) for n in self.entities[m.key].names | {self.entities[m.key].label})
                if not specific or lemma in names.split():
                    return m.key
            return self._area_named_before(tok) if lemma == "area" else None
        return None

    def _reference_mention(self, m: Mention) -> bool:
        """"X town east of Deir Ezzor", "near Y": a place named only to say where another lies
        is not what "the town" later refers to."""
        words = set(self.lex["reference_point_words"])
        before = [t.lower_ for t in self.doc[max(0, m.start - 2): m.start]]
        return bool(before) and (before[-1] in words or (before[-1] == "of" and len(before) == 2 and before[0] in words))

    def _area_named_before(self, tok: Token) -> str | None:
        """"Fighting in X city and the coalition targets the area": "the area", with no region
        named, is the place named last in its sentence."""
        return next((m.key for m in reversed(self.mentions)
                     if tok.sent.start <= m.start < tok.i and m.type in ("Town", "Facility")), None)

    def place_type(self, key: str) -> str:
        return self.entities[key].type


def _facility_base(label: str, lex: dict) -> str:
    low = label.lower()
    for head in sorted(lex["facility_heads"], key=len, reverse=True):
        if low.endswith(" " + head):
            return label[: -len(head) - 1].strip()
    return label


_STOP = {"the", "a", "an", "al", "el", "this", "that", "image", "advertisement", "like", "share"}


def _capitalised_adjective(span: Span) -> bool:
    """"Fierce battles in X": an adjective capitalised only because it opens the sentence is
    no organisation or person, whatever the NER says."""
    return (len(span) == 1 and span[0].pos_ == "ADJ" and span.start == span.sent.start
            and span.label_ in ("ORG", "PERSON"))


def _plausible_name(surface: str, label: str) -> bool:
    """NER fragments ("A", "the", "Al-") are not names."""
    if len(surface) < 2 or not any(c.isalpha() for c in surface):
        return False
    if surface.lower().strip("- ") in _STOP:
        return False
    if label in ("ORG", "PERSON", "GPE", "LOC", "FAC", "NORP") and not (surface[0].isupper() or surface[0].isdigit()
                                                                       or re.match(r"^(?:al|el|as|ash|ad|ar|az)-[A-Z]", surface)):
        return False  # "al-Marashdah" keeps its lower-case Arabic article
    return not surface.endswith("-")


def _person_names_joined(spans: list[Span], role_words: set[str] | None = None) -> list[Span]:
    """Repair entity spans before typing them:
    - "al-[Suwaida]": an article prefix split off by the tokenizer belongs to the name;
    - "SDF commander [Adnan] [Efrin]": a name after a role word is a person, whatever a
      gazetteer says its parts are;
    - "[Abu Bakr] [al-Baghdadi]": a PERSON followed at once by another name or an al-/el-
      name (a nisba, which often names a town too) is one person."""
    role_words = role_words or set()
    out: list[Span] = []
    for span in spans:
        doc = span.doc
        if span.start >= 2 and doc[span.start - 1].text == "-" and not doc[span.start - 2].whitespace_ \
                and doc[span.start - 2].lower_ in ("al", "el") and not doc[span.start - 1].whitespace_:
            if out and out[-1].start >= span.start - 2:  # NER's own "Al-" fragment
                out.pop()
            if not out or out[-1].end <= span.start - 2:
                span = Span(doc, span.start - 2, span.end, label=span.label_, span_id=span.id_)
        before = doc[span.start - 1] if span.start > 0 else None
        if (span.label_ != "PERSON" and before is not None and before.lower_ in role_words
                and span.text[:1].isupper() and span.label_ in ("Town", "Region", "Facility", "GPE", "ORG")):
            span = Span(doc, span.start, span.end, label="PERSON")
        prev = out[-1] if out else None
        if (prev is not None and prev.label_ == "PERSON" and prev.end == span.start
                and (re.match(r"^(?:al|el|ad|ar|as|ash|az)[-\s]", span.text, flags=re.I)
                     or (len(span) == 1 and span.text[:1].isupper() and span.label_ != "ArmedGroup"))):
            out[-1] = Span(doc, prev.start, span.end, label="PERSON")
            continue
        out.append(span)
    return out
