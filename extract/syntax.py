"""Small questions about spaCy's dependency parse that several rules ask."""
from __future__ import annotations

from typing import Callable, Iterator

from spacy.tokens import Token

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CLAUSE_DEPS = {"relcl", "ccomp", "advcl", "parataxis", "csubj", "acl"}


def is_passive(verb: Token, is_actor: Callable[[Token], bool] | None = None) -> bool:
    """Passive voice; an "auxiliary" that is really a named actor ("IS started", where the
    small model reads IS as the verb "is") does not count."""
    if verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in verb.children):
        return True  # headline passive without auxiliary: "40 killed by IS"
    return any(c.dep_ == "nsubjpass" or (c.dep_ == "auxpass" and not (is_actor and is_actor(c)))
               for c in verb.children)


def misparsed_subjects(verb: Token, is_actor: Callable[[Token], bool]) -> list[Token]:
    """Named actors the parser attached as auxiliaries or modifiers left of the verb."""
    return [c for c in verb.lefts if c.dep_ in ("aux", "auxpass", "advmod", "npadvmod", "dep") and is_actor(c)]


def subjects(verb: Token, is_actor: Callable[[Token], bool] | None = None) -> list[Token]:
    """The subject tokens of a verb (with conjuncts), borrowing the governing verb's
    subject for "X retook A and seized B", "killing 40", "started counter-attacking"."""
    tok, subs = verb, []
    for _ in range(4):
        subs = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")]
        if not subs:  # a subject the parser hung on the auxiliary: "X has ... seen"
            subs = [g for c in tok.children if c.dep_ in ("aux", "auxpass") for g in c.children if g.dep_ == "nsubj"]
        if not subs and is_actor is not None:
            subs = misparsed_subjects(tok, is_actor)
        if subs or is_passive(tok, is_actor):
            break
        if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp") and tok.head.i != tok.i:
            tok = tok.head
            continue
        if tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return with_conjuncts(tok.head)
        break
    out: list[Token] = []
    for s in subs:
        if s.tag_ in ("WDT", "WP") and tok.dep_ == "relcl":  # "forces that retook": the noun
            s = tok.head
        out += with_conjuncts(s)
    return out


def passive_subjects(verb: Token) -> list[Token]:
    out: list[Token] = []
    for c in verb.children:
        if c.dep_ == "nsubjpass":
            out += with_conjuncts(c)
    if not out and verb.dep_ in ("acl", "amod") and verb.head.pos_ in ("NOUN", "PROPN"):
        out = with_conjuncts(verb.head)
    return out


def by_agents(word: Token) -> list[Token]:
    """Objects of "by" attached to a verb or noun ("retaken by X", "airstrikes by X")."""
    out: list[Token] = []
    for c in word.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
            for p in c.children:
                if p.dep_ == "pobj":
                    out += with_conjuncts(p)
    return out


def with_conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out += with_conjuncts(c)
    return out


def prep_objects(word: Token, preps: set[str]) -> Iterator[Token]:
    """Objects of the given prepositions ("on X", "from X") attached to a word."""
    for c in word.children:
        if c.dep_ in ("prep", "agent") and c.lower_ in preps:
            for p in c.children:
                if p.dep_ == "pobj":
                    yield from with_conjuncts(p)


def objects(verb: Token) -> list[Token]:
    out: list[Token] = []
    for c in verb.children:
        if c.dep_ in ("dobj", "obj", "attr", "oprd"):
            out += with_conjuncts(c)
    return out


def clause_bfs(start: Token, *, max_depth: int = 4) -> Iterator[tuple[int, Token]]:
    """Tokens below `start` breadth first, not entering other clauses nor the subject."""
    frontier = [start]
    for depth in range(1, max_depth + 1):
        nxt = []
        for tok in frontier:
            for c in tok.children:
                if c.dep_ in CLAUSE_DEPS or (c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
                    continue
                if tok.i == start.i and c.dep_ in SUBJECT_DEPS:
                    continue
                yield depth, c
                nxt.append(c)
        frontier = nxt


def governors(tok: Token, *, limit: int = 4) -> Iterator[Token]:
    """The chain of heads above a token, nearest first."""
    cur = tok
    for _ in range(limit):
        if cur.head.i == cur.i:
            return
        cur = cur.head
        yield cur
