"""Backing, membership, alliance and roles from the dependency parse.

Backing follows GUIDELINES.md: "X-backed", "backed/supported by X", "with backing from X",
"under the cover of X airstrikes", "its backer X"; "-led", "-affiliated" and "-linked" are
not backing. "X-led coalition" makes X a member of the coalition.
"""
from __future__ import annotations

from itertools import combinations

from spacy.tokens import Span, Token

from . import syntax
from .context import DocumentContext
from .records import Relation


def extract_relations(ctx: DocumentContext) -> list[Relation]:
    """Every binary relation the article states, once per (kind, subject, object, sentence)."""
    out: dict[tuple, Relation] = {}
    for sent in ctx.doc.sents:
        if sent.text.strip().endswith("?"):
            continue
        for kind, subj, obj, rule, conf in [*_backing(ctx, sent), *_membership(ctx, sent),
                                            *_alliance(ctx, sent), *_roles(ctx, sent)]:
            if subj == obj or subj is None or obj is None:
                continue
            if kind == "alliedWith":
                subj, obj = sorted((subj, obj))
            if kind == "backedBy":
                ctx.note_backing(subj, obj)
            key = (kind, subj, obj, sent.start)
            out.setdefault(key, Relation(kind, subj, obj, ctx.evidence(sent), rule, conf))
    return list(out.values())


# ----- backing --------------------------------------------------------------------------------
def _backer_keys(ctx: DocumentContext, toks: list[Token]) -> list[str]:
    """Backers named in a phrase: "USA air strikes", "extensive air support from the coalition"."""
    out: list[str] = []
    for top in toks:
        for t in top.subtree:
            key = ctx.entity_of(t, types={"ArmedGroup", "Country"}) or ctx.as_country(t)
            if key is None and t.pos_ in ("PROPN", "ADJ", "NOUN"):
                country = ctx.country_of_token(t)
                if country is not None:
                    key = ctx.ensure_known(country, t.sent, ctx.surface(t))
            if key and key not in out:
                out.append(key)
                break
    return out


def _backed_groups(ctx: DocumentContext, word: Token) -> list[Token]:
    """Who is backed by a participle or noun: its noun, or the subject of its clause."""
    if word.dep_ in ("amod", "acl", "compound", "appos") and word.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return syntax.with_conjuncts(word.head)
    if syntax.is_passive(word):
        return syntax.passive_subjects(word)
    if word.dep_ in ("advcl", "xcomp", "conj", "ROOT", "ccomp"):
        return syntax.subjects(word) or syntax.passive_subjects(word.head)
    return []


def _backing(ctx: DocumentContext, sent: Span):
    words = set(ctx.lex["backing_words"])
    nouns = set(ctx.lex["backing_nouns"])
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in words and tok.pos_ in ("VERB", "ADJ"):
            # "US-backed rebels": the backer hangs off the participle
            named = [c for c in tok.children if c.dep_ in ("npadvmod", "compound", "nmod", "amod") and c.i < tok.i]
            if named and tok.dep_ in ("amod", "compound", "acl"):
                for backer in _backer_keys(ctx, named):
                    for g in _resolve_groups(ctx, _backed_groups(ctx, tok), exclude=(backer,)):
                        yield "backedBy", g, backer, "backed-adjective", 0.9
                continue
            # "backed by coalition air strikes", "supported by the US"
            agents = syntax.by_agents(tok)
            if agents:
                for backer in _backer_keys(ctx, agents):
                    for g in _resolve_groups(ctx, _backed_groups(ctx, tok), exclude=(backer,)):
                        yield "backedBy", g, backer, "backed-by", 0.85
                continue
            # "the coalition supported the New Syrian Army's offensive"
            if tok.pos_ == "VERB" and not syntax.is_passive(tok):
                backers = [b for s in syntax.subjects(tok) if (b := ctx.actor_at(s))]
                for obj in syntax.objects(tok):
                    target = ctx.actor_at(obj) or next((k for c in obj.children if c.dep_ == "poss" and (k := ctx.actor_at(c))), None)
                    for b in backers:
                        if target and ctx.entities[target].type == "ArmedGroup":
                            yield "backedBy", target, b, "supports-active", 0.8
        elif lemma in nouns and tok.pos_ == "NOUN":
            if lemma == "support" and tok.dep_ == "dobj" and tok.head.lemma_.lower() in ("declare", "pledge", "announce", "express", "offer", "voice"):
                yield from _declared_support(ctx, tok)
            else:
                yield from _backing_noun(ctx, tok)


def _declared_support(ctx: DocumentContext, noun: Token):
    """"Boko Haram declared its support (for IS)": the declarer backs the group named, or the
    group the passage is about."""
    for backer in [a for s in syntax.subjects(noun.head) if (a := ctx.actor_at(s))]:
        named = [a for o in syntax.prep_objects(noun, {"for", "to"}) if (a := ctx.actor_at(o, exclude=(backer,)))]
        groups = named or [g for g in [ctx.salient_group(before=noun.sent.start, exclude=(backer,))] if g]
        for g in groups:
            yield "backedBy", g, backer, "declared-support", 0.7


def _backing_noun(ctx: DocumentContext, noun: Token):
    """"with backing from X", "its backer Tehran", "under the cover of X airstrikes"."""
    lemma = noun.lemma_.lower()
    if lemma in ("backer", "sponsor", "patron"):
        named = [c for c in noun.children if c.dep_ in ("appos", "compound")]
        owners = [c for c in noun.children if c.dep_ == "poss"]
        if noun.dep_ in ("compound", "appos") and noun.head.pos_ == "PROPN":  # "its backer Tehran"
            named.append(noun.head)
            owners += [c for c in noun.head.children if c.dep_ == "poss"]
        backers = _backer_keys(ctx, named)
        for b in backers:
            for g in _resolve_groups(ctx, owners, exclude=(b,)):
                yield "backedBy", g, b, "backer-noun", 0.85
        return
    sources = list(syntax.prep_objects(noun, {"from", "by"}))
    if lemma == "cover":  # "under the cover of airstrikes conducted by X"
        for strikes in syntax.prep_objects(noun, {"of"}):
            sources += [c for c in strikes.children if c.dep_ in ("compound", "amod", "nmod", "poss")]
            sources += syntax.by_agents(strikes)
            for c in strikes.children:
                if c.dep_ in ("acl", "relcl"):
                    sources += syntax.by_agents(c)
    else:
        sources += [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i]
    backers = _backer_keys(ctx, sources)
    if not backers:
        return
    holder = noun.head.head if noun.dep_ == "pobj" else noun.head  # "with backing" -> what it attaches to
    if noun.dep_ == "pobj" and noun.head.dep_ == "prep":
        holder = noun.head.head
    groups = syntax.with_conjuncts(holder) if holder.pos_ in ("NOUN", "PROPN") else syntax.subjects(holder)
    for b in backers:
        for g in _resolve_groups(ctx, groups, exclude=(b,)):
            yield "backedBy", g, b, f"{noun.lemma_.lower()}-from", 0.8


def _resolve_groups(ctx: DocumentContext, toks: list[Token], exclude: tuple[str, ...] = ()) -> list[str]:
    """Armed groups the tokens stand for; a bare "rebels" in a lead names the group that follows."""
    out: list[str] = []
    for t in toks:
        keys = ctx.actors_at(t, exclude=exclude)
        if not keys and t.lemma_.lower() in ctx.lex["descriptions"] and ctx.backer_adjective(t):
            key = ctx.next_group(t, set(ctx.lex["descriptions"][t.lemma_.lower()]), exclude)
            keys = [key] if key else []
        out += [k for k in keys if ctx.entities[k].type == "ArmedGroup" and k not in exclude and k not in out]
    return out


# ----- membership -----------------------------------------------------------------------------
def _membership(ctx: DocumentContext, sent: Span):
    for m in ctx.mentions:
        if not (sent.start <= m.start < sent.end) or m.type != "ArmedGroup":
            continue
        span = ctx.doc[m.start:m.end]
        for tok in span:  # "US-led coalition": the leader is a member
            if tok.lower_ == "led" and tok.i > span.start:
                leader = ctx.country_of_token(ctx.doc[span.start])
                if leader is not None and ctx.entities[m.key].subclass == "Coalition":
                    yield "memberOf", ctx.ensure_known(leader, sent, ctx.surface(ctx.doc[span.start])), m.key, "led-coalition", 0.85
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in ctx.lex["membership_words"] and tok.pos_ == "VERB" and syntax.is_passive(tok):
            # "the SDF, spearheaded by the Kurdish YPG militia"
            members = [a for t in syntax.by_agents(tok) if (a := ctx.actor_at(t))]
            for whole in _resolve_groups(ctx, syntax.passive_subjects(tok)):
                for member in members:
                    yield "memberOf", member, whole, "spearheaded-by", 0.8
        if lemma in ctx.lex["membership_nouns"] and tok.pos_ == "NOUN":
            # "its offshoot Nusra Front", "X, a faction of Y"
            wholes = [c for c in tok.children if c.dep_ == "poss"] + list(syntax.prep_objects(tok, {"of"}))
            parts = [c for c in tok.children if c.dep_ in ("appos", "compound") and c.i > tok.i]
            if tok.dep_ == "appos":
                parts.append(tok.head)
            for w in wholes:
                whole = _possessor(ctx, w)
                for p in parts:
                    part = ctx.actor_at(p)
                    if whole and part and ctx.entities[whole].type == "ArmedGroup":
                        yield "memberOf", part, whole, f"{lemma}-of", 0.75


def _possessor(ctx: DocumentContext, tok: Token) -> str | None:
    """"its" refers to the subject of its clause when that is an actor, else the latest group."""
    if tok.lower_ in ("its", "their"):
        for gov in syntax.governors(tok, limit=6):
            if gov.pos_ in ("VERB", "AUX"):
                for s in syntax.subjects(gov):
                    key = ctx.entity_of(s, types={"ArmedGroup"})
                    if key:
                        return key
                break
    return ctx.actor_at(tok)


# ----- alliance -------------------------------------------------------------------------------
def _alliance(ctx: DocumentContext, sent: Span):
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.lower_ == "alongside" and tok.dep_ == "prep":
            partners = [a for p in syntax.prep_objects(tok.head, {"alongside"}) if (a := ctx.actor_at(p))]
            sides = [a for s in syntax.subjects(tok.head) if (a := ctx.actor_at(s))]
            for a in sides:
                for b in partners:
                    yield "alliedWith", a, b, "fighting-alongside", 0.8
        if lemma in ("ally", "allied") and tok.dep_ == "amod":
            noun = tok.head
            b = ctx.actor_at(noun) or next((k for c in noun.children if c.dep_ in ("compound", "appos") and (k := ctx.actor_at(c))), None)
            a = ctx.actor_at(noun.head) if noun.dep_ == "conj" else None
            if a and b:
                yield "alliedWith", a, b, "and-allied", 0.8
        if tok.dep_ in ("nsubj", "nsubjpass", "pobj") and tok.head.pos_ in ("VERB", "ADP"):
            agents = [a for t in syntax.with_conjuncts(tok) if (a := ctx.actor_at(t)) and ctx.entities[a].type == "ArmedGroup"]
            if len(set(agents)) > 1 and (tok.dep_ != "pobj" or tok.head.dep_ == "agent"):
                for a, b in combinations(dict.fromkeys(agents), 2):
                    yield "alliedWith", a, b, "co-agents", 0.6


# ----- roles ----------------------------------------------------------------------------------
def _roles(ctx: DocumentContext, sent: Span):
    role_of = {w: role for role, words in ctx.lex["roles"].items() for w in words}
    for m in ctx.mentions:
        if m.type != "Person" or not (sent.start <= m.start < sent.end):
            continue
        window = ctx.doc[max(sent.start, m.start - 5): m.start]
        role = None
        group = None
        for t in reversed(window):
            if role is None and t.lower_ in role_of:
                role = role_of[t.lower_]
                continue
            if role is not None and group is None:
                group = ctx.entity_of(t, types={"ArmedGroup"})
                if group is None:
                    country = ctx.country_of_token(t)
                    forces = ctx.gaz.state_forces_of(country.id) if country else None
                    if forces is not None:
                        group = ctx.ensure_known(forces, sent, "")
                if group:
                    break
        if role is None:  # "X, commander of Y"
            for c in ctx.doc[m.start:m.end].root.children:
                if c.dep_ == "appos" and c.lower_ in role_of:
                    role = role_of[c.lower_]
                    group = next((k for o in syntax.prep_objects(c, {"of"}) if (k := ctx.entity_of(o, types={"ArmedGroup"}))), None)
        if role and group:
            prop = {"leader": "leaderOf", "commander": "commanderOf", "spokesperson": "spokespersonOf"}[role]
            yield prop, m.key, group, f"{role}-title", 0.8
