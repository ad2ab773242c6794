"""Military operations from the dependency parse: trigger words typed by the lexicon, their
agent, opponent, place, date, fatalities and claimant read off the tree around them.

What did not happen is not recorded: a trigger under "failed to", "aimed at", "a bid to", a
negation or a modal ("would take") yields nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from spacy.tokens import Span, Token

from . import syntax
from .context import DocumentContext
from .dates import resolve_date
from .records import DateValue, Operation

PLACE_RANK = {"Town": 0, "Facility": 1, "Region": 2, "Country": 3}
LOCATIVE_PREPS = {"in", "inside", "near", "at", "around", "outside", "across", "throughout", "within"}
AIR_CAPABLE = {"Attack", "Shelling", "Raid"}
ATTACK_LIKE = {"Attack", "Airstrike", "Shelling", "SuicideAttack", "Raid", "CounterAttack", "Execution", "Offensive"}


def extract_operations(ctx: DocumentContext) -> list[Operation]:
    """Every operation the article reports as having happened, merged within the article."""
    found: list[Operation] = []
    for sent in ctx.doc.sents:
        if sent.text.strip().endswith("?"):
            continue
        here: list[Operation] = []
        orphans: list[tuple[Token, str]] = []
        for tok in sent:
            op_type = trigger_type(ctx, tok)
            if op_type in ("Capture", "Offensive") and _irrealis(ctx, tok) and _attempted(ctx, tok):
                op_type = "Offensive"  # "failed to seize the town", "try to advance": an offensive on it, no capture
            elif op_type is None or _irrealis(ctx, tok):
                continue
            ops = _operations_at(ctx, tok, op_type, sent)
            if tok.pos_ == "NOUN" and all(ctx.is_unidentified(o.agents[0]) for o in ops) and not _doers(ctx, tok):
                orphans.append((tok, op_type, ops))  # a doer named for the same kind of event may be its doer
            else:
                here += ops
        for tok, op_type, unnamed in orphans:  # "IS stepped up its attacks, staging attacks in X"
            doers = list(dict.fromkeys(a for o in here if o.type == op_type and not ctx.is_unidentified(o.agents[0])
                                       for a in o.agents))
            here += _operations_at(ctx, tok, op_type, sent, inherited=doers) if doers else unnamed
        here = _drop_unattributed_twins(ctx, here)
        found += _with_headline_operations(ctx, here, _headline_operations(ctx, sent, beside_parse=bool(here)))
    _place_from_frame(ctx, found)
    _place_from_previous(ctx, found)
    return merge_operations(_fold_vague_reports(ctx, found))


FRAME_WINDOW = 2  # sentences after the one that sets the scene


def _place_from_frame(ctx: DocumentContext, ops: list[Operation]) -> None:
    """A sentence that opens with a place ("In Deir Ezzor province, ...") sets the scene: an
    operation with no place of its own in it or in the next two sentences happened there."""
    frames: dict[int, str] = {}
    frame, left = None, 0
    for i, sent in enumerate(ctx.doc.sents):
        opener = next((t for t in sent if not t.is_punct and not t.is_space), None)
        here = None
        if opener is not None and opener.lower_ in ("in", "inside", "across") and opener.dep_ == "prep" \
                and opener.head.dep_ == "ROOT":
            here = next((k for o in opener.children if o.dep_ == "pobj" and (k := ctx.place_at(o))
                         and ctx.place_type(k) != "Country"), None)
        if here is not None:
            frame, left = here, FRAME_WINDOW
        elif left > 0:
            left -= 1
        else:
            frame = None
        if frame is not None:
            frames[ctx.evidence(sent).start] = frame
    for op in ops:
        place = frames.get(op.evidence.start)
        if op.place is None and place is not None and not ctx.is_unidentified(op.agents[0]) and place not in op.agents:
            op.place, op.rule = place, f"{op.rule}+place-of-frame"
            op.confidence = round(op.confidence - 0.15, 2)


def _fold_vague_reports(ctx: DocumentContext, ops: list[Operation]) -> list[Operation]:
    """A report of an event with no place, or only a country ("IS launches counter-attack in
    Syria"), is the same event as the same agents' report of that type at a place in the
    article (in that country), when the dates agree: headlines and summaries retell the
    specific report. It lends that report its evidence instead of standing alone."""
    out: list[Operation] = []
    for op in ops:
        vague = op.place is None or ctx.place_type(op.place) == "Country"
        if not vague:
            out.append(op)
            continue
        specific = [o for o in ops if o is not op and o.type == op.type and set(op.agents) <= set(o.agents)
                    and o.place is not None and ctx.place_type(o.place) != "Country" and _dates_agree(o, op)
                    and (op.place is None or _in_country(ctx, o.place, op.place))]
        if not specific:
            out.append(op)
            continue
        twin = min(specific, key=lambda o: abs(o.evidence.start - op.evidence.start))
        _fold_into(twin, op)
    return out


def _in_country(ctx: DocumentContext, place: str, country: str) -> bool:
    """Is the place in the country (by the gazetteer), or, unknown, in the article's own country?"""
    located = ctx.entities[place].located_in
    return country in located if located else country == ctx.home_country


def _place_from_previous(ctx: DocumentContext, ops: list[Operation]) -> None:
    """A story stays in one place: an operation whose sentences name none takes the place of
    the same agent's operation in the two sentences before (at lower confidence)."""
    sent_index = {ctx.evidence(s).start: i for i, s in enumerate(ctx.doc.sents)}
    for i, op in enumerate(ops):
        if op.place is not None or ctx.is_unidentified(op.agents[0]):
            continue
        here = sent_index.get(op.evidence.start, -1)
        for prev in reversed(ops[:i]):
            back = here - sent_index.get(prev.evidence.start, -99)
            if 0 < back <= 2 and prev.place and set(prev.agents) & set(op.agents):
                op.place, op.rule = prev.place, f"{op.rule}+place-from-previous"
                op.confidence = round(op.confidence - 0.15, 2)
                break


def _drop_unattributed_twins(ctx: DocumentContext, ops: list[Operation]) -> list[Operation]:
    """In one sentence, an unattributed mention of a type ("(2,242 strikes)") is the
    attributed event of that type; it only lends its death toll."""
    named = {op.type: op for op in ops if not ctx.is_unidentified(op.agents[0])}
    out = []
    for op in ops:
        twin = named.get(op.type) if ctx.is_unidentified(op.agents[0]) else None
        if twin is None:
            out.append(op)
            continue
        twin.fatalities = twin.fatalities if twin.fatalities is not None else op.fatalities
        twin.opponents = tuple(dict.fromkeys(twin.opponents + tuple(o for o in op.opponents if o not in twin.agents)))
    return out


def _with_headline_operations(ctx: DocumentContext, here: list[Operation], headline: list[Operation]) -> list[Operation]:
    """A headline's "X executes a man in Y" that the parse missed (it read X as a conjunct of
    an earlier clause): the named actor right before the verb is its doer, and replaces an
    unidentified doer of that type of event in the sentence; otherwise the parse's reading stands."""
    if not here:
        return headline
    unnamed = ctx.is_unidentified
    extra = [h for h in headline if not any(o.type == h.type for o in here if not unnamed(o.agents[0]))
             or unnamed(h.agents[0])]
    kept = [o for o in here if not (unnamed(o.agents[0]) and any(o.type == h.type and not unnamed(h.agents[0]) for h in extra))]
    out = list(kept)
    for h in extra:
        twin = next((o for o in kept if unnamed(h.agents[0]) and o.type == h.type and o.place == h.place), None)
        if twin is None:
            out.append(h)
        else:  # the parse's unattributed event at that place: the headline names whom it hit
            twin.opponents = tuple(dict.fromkeys(twin.opponents + h.opponents))
    return out


def _headline_operations(ctx: DocumentContext, sent: Span, *, beside_parse: bool = False) -> list[Operation]:
    """Headline grammar the parser misreads ("The Islamic State shells al-Shaddadi city",
    "IS behead a man in Raqqa"): a named actor directly followed by a verb-trigger word
    (whatever its tag) is its subject; the first place after it is the place. `beside_parse`:
    the parse found other events in the sentence, so only a present-tense verb counts."""
    verbs = {w: t for t, words in ctx.lex["verb_triggers"].items() for w in words}
    out: list[Operation] = []
    for tok in sent:
        word = next((w for w in (tok.lemma_.lower(), tok.lower_.rstrip("s"), re.sub(r"ies$", "y", tok.lower_)) if w in verbs), None)
        op_type = verbs.get(word) if word else None  # "crucifies" read as a noun: the verb "crucify"
        if op_type is None or tok.i in ctx.token_entity:
            continue
        if beside_parse and (tok.tag_ in ("VBN", "VBD") or (tok.pos_ != "VERB" and tok.lemma_.lower() in ctx.lex["clash_nouns"])):
            continue  # beside the parse's events, only a present-tense headline verb: not "X fighters killed", "clashes"
        if not _headline_object_ok(ctx, tok, sent):
            continue
        prev = [t for t in ctx.doc[max(sent.start, tok.i - 3): tok.i]
                if not t.is_punct and t.lower_ not in ("-", "re")]  # "IS re-take": the prefix split off
        agent = ctx.entity_of(prev[-1], types={"ArmedGroup", "Country"}) if prev else None
        if agent is None and prev and prev[-1].lower_ == "and":
            agent = _subject_of_previous_verb(ctx, tok, sent)
        unnamed = agent is None and bool(prev) and _unnamed_doer(ctx, prev[-1])
        if agent is None and not unnamed:
            continue
        rest = [t for t in ctx.doc[tok.i + 1: sent.end]]
        stop = next((t.i for t in rest if t.lower_ in (";", "and", ",") and t.i > tok.i + 1), sent.end)
        places = [k for t in ctx.doc[tok.i + 1: stop] if (k := ctx.place_at(t))] or _place_past_a_noun_list(ctx, stop, sent)
        place = min(places, key=lambda k: PLACE_RANK.get(ctx.place_type(k), 9)) if places else None
        opponents = [k for t in ctx.doc[tok.i + 1: stop] if (k := ctx.entity_of(t, types={"ArmedGroup"})) and k != agent]
        rule, confidence = f"headline-svo:{word}", 0.5
        if unnamed:  # "... and factions target the regime forces in X": an unnamed doer, a named target
            if not opponents or op_type not in {*ctx.lex["unattributed"]["types"],
                                                *ctx.lex["unattributed"]["types_with_named_opponent"]}:
                continue
            air = prev[-1].lemma_.lower() in ctx.lex["unattributed"]["aircraft_words"]
            agent = ctx.unidentified(air, sent, place)
            rule, confidence = f"{rule}+unidentified-agent", ctx.lex["unattributed"]["confidence"]
        date, basis = _date(ctx, tok, sent)
        for where in [place] + _place_joined_after(ctx, stop, sent, place):
            out.append(Operation(type=op_type, agents=(agent,), evidence=ctx.evidence(sent), rule=rule,
                                 confidence=confidence, opponents=tuple(dict.fromkeys(opponents)),
                                 place=where, date=date, date_basis=basis, fatalities=_fatalities(ctx, tok, op_type)))
    return out


def _place_joined_after(ctx: DocumentContext, stop: int, sent: Span, place: str | None) -> list[str]:
    """"X regain control of the city of A and B town": a place of the same kind right after the
    "and" that ended the verb's stretch is conjoined with the verb's place."""
    if place is None or stop >= sent.end or ctx.doc[stop].lower_ != "and":
        return []
    for t in ctx.doc[stop + 1: min(stop + 4, sent.end)]:
        key = ctx.place_at(t)
        if key:
            return [key] if key != place and ctx.place_type(key) == ctx.place_type(place) else []
        if t.lower_ not in ("the", "of") and t.pos_ not in ("PROPN", "NOUN"):
            return []
    return []


def _unnamed_doer(ctx: DocumentContext, tok: Token) -> bool:
    """"factions", "rebels", "gunmen" right before a headline verb: fighters the text leaves
    unnamed (not "the group" standing for a group named before)."""
    return tok.pos_ in ("NOUN", "PROPN") and tok.i not in ctx.token_entity \
        and tok.lemma_.lower() in ctx.lex["unattributed"]["unnamed_perpetrators"] and ctx.actor_at(tok) is None


def _place_past_a_noun_list(ctx: DocumentContext, stop: int, sent: Span) -> list[str]:
    """"X kills 15 members of A and militiamen loyal to them in an ambush at Y": the "and"
    that ended the verb's stretch joined nouns, not clauses; the place after it is the verb's
    while no other verb comes first."""
    if stop >= sent.end or ctx.doc[stop].lower_ != "and":
        return []
    return _first_place(ctx, ctx.doc[stop + 1: sent.end],
                        until=lambda t: t.pos_ in ("VERB", "AUX") or t.lower_ in (";", ","))


def _first_place(ctx: DocumentContext, toks: Iterable[Token], *, until: Callable[[Token], bool]) -> list[str]:
    """The first place named in `toks` before a token `until` holds for ([] if none)."""
    for t in toks:
        if until(t):
            return []
        if key := ctx.place_at(t):
            return [key]
    return []


def _headline_object_ok(ctx: DocumentContext, tok: Token, sent: Span) -> bool:
    """A headline verb that needs an object ("take", "control") has it right after it: the
    place ("IS control Khanasser town"), new ground ("IS control a village") or "control"
    ("IS re-take control on X")."""
    needs = ctx.lex["needs_object"].get(tok.lemma_.lower())
    if not needs:
        return True
    after = ctx.doc[tok.i + 1] if tok.i + 1 < sent.end else None
    if after is None:
        return False
    if "group" in needs and _named_group_ahead(ctx, tok, sent):
        return True  # "... target the regime forces", "target members of the YPG"
    if "control" in needs and after.lemma_.lower() == "control":
        return True
    ground = next((t for t in ctx.doc[tok.i + 1: min(tok.i + 6, sent.end)] if t.pos_ == "NOUN"), None)
    return bool({"place", "place-entity"} & set(needs)) and (
        ctx.entity_of(after, types={"Town", "Facility"}) is not None or (ground is not None and _new_ground(ctx, ground)))


def _named_group_ahead(ctx: DocumentContext, tok: Token, sent: Span, reach: int = 4) -> bool:
    """A named armed group within a few words after a headline verb, before any punctuation
    or other verb: the verb's object ("target the regime forces", "hit members of the SDF")."""
    for t in ctx.doc[tok.i + 1: min(tok.i + 1 + reach, sent.end)]:
        if ctx.entity_of(t, types={"ArmedGroup"}):
            return True
        if t.is_punct or t.pos_ in ("VERB", "AUX"):
            return False
    return False


def _subject_of_previous_verb(ctx: DocumentContext, tok: Token, sent: Span) -> str | None:
    """"X forms a cell and crucifies 3 civilians", where the parser read "crucifies" as a noun:
    the second verb of a coordination shares the named subject of the verb before it."""
    verbs = [v for v in reversed(ctx.doc[sent.start: tok.i]) if v.pos_ == "VERB"][:3]  # past "for catching X"
    return next((a for v in verbs for a in _actors(ctx, syntax.subjects(v, ctx.is_named_actor))), None)


# ----- triggers -----------------------------------------------------------------------------
def trigger_type(ctx: DocumentContext, tok: Token) -> str | None:
    """The operation type a token announces, or None."""
    lex = ctx.lex
    lemma = tok.lemma_.lower()
    if tok.i in ctx.token_entity and tok.pos_ == "PROPN":
        return None
    if tok.pos_ in ("NOUN", "PROPN", "VERB") and tok.i >= 2 and tok.nbor(-1).text == "-":
        prefix = tok.nbor(-2).lower_  # "counter-attack", "air-strikes": split by the tokenizer
        joined = f"{prefix}-{lemma}"
        for table in ("noun_triggers", "verb_triggers"):
            for op_type, words in lex[table].items():
                if joined in words:
                    return op_type
        if prefix in lex["type_modifiers"] and lemma in ("attack", "strike", "raid"):
            return lex["type_modifiers"][prefix]
    if tok.pos_ == "VERB" and lemma in lex["clash_nouns"] and _gerund_headline(tok):
        return "Attack"  # "Fighting between two factions in X": a headline's gerund names the clash
    if tok.pos_ == "VERB":
        if lemma in lex["control_verbs"] and _imposes_control(ctx, tok):
            return "Capture"  # "imposed their control over the town", "established control of X"
        particle = next((c.lower_ for c in tok.children if c.dep_ in ("prt", "advmod", "prep") and c.lower_ in ("back", "out", "up")), None)
        if particle and f"{lemma} {particle}" in lex["particle_types"]:
            kind = lex["particle_types"][f"{lemma} {particle}"]
            if kind == "BlowUp":  # "blew themselves up" is a suicide attack; "blew up a bridge" an attack
                reflexive = any(o.lower_ in ("themselves", "himself", "herself", "itself") for o in syntax.objects(tok))
                return "SuicideAttack" if reflexive else "Attack"
            return kind
        if lemma in lex["displacement_verbs"] and _displaces(ctx, tok):
            return "PushBack"  # "drove the militants from the town": they withdraw
        for op_type, verbs in lex["verb_triggers"].items():
            if lemma in verbs and _object_ok(ctx, tok, lemma):
                if op_type == "Capture" and not _takes_ground(ctx, tok):
                    return None  # "capturing 15 fighters": prisoners, not ground
                if lemma == "kill" and tok.dep_ in ("advcl", "xcomp", "conj", "acl") and _heads_event(ctx, tok.head):
                    return None  # "launched a counterattack, killing 40": the toll of that event
                return op_type
        return None
    if tok.pos_ in ("NOUN", "PROPN"):
        if tok.pos_ == "PROPN" and lemma.endswith("s"):  # headline "Airstrikes destroy ...": no lemma for a PROPN
            lemma = lemma[:-1]
        mods = {c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod", "nmod")}
        if lemma in lex["suicide_nouns"] and mods & {"suicide", "suicidal"}:
            return "SuicideAttack"
        base = next((t for t, nouns in lex["noun_triggers"].items() if lemma in nouns), None)
        if tok.tag_ == "NNS" and lemma in lex["clash_plurals"]:
            base = "Attack"  # "the battle for X" is a campaign; "fierce battles in X" are clashes
        cond = lex["conditional_nouns"].get(lemma)
        if base is None and cond is not None:
            typed = [cond.get("modifier_types", {}).get(m) for m in mods if m in cond.get("modifier_types", {})]
            if typed:
                return typed[0]  # "car bombs"
            if tok.head.lemma_.lower() in cond["verbs"] or mods & set(cond["modifiers"]):
                return cond["type"]
            return None
        if base is None:
            return None
        for mod in mods:
            if mod in lex["type_modifiers"] and base in ("Attack", "Airstrike", "Raid", "Offensive"):
                return lex["type_modifiers"][mod]
        return base
    return None


def _between(ctx: DocumentContext, trig: Token) -> bool:
    """An event "between A and B" is two-sided whatever its noun ("military operations continue
    between A and B"): "between" on the noun or on the verb of its going on."""
    heads = [trig] + ([trig.head] if trig.dep_ == "nsubj" and trig.head.lemma_.lower() in ctx.lex["occurrence_verbs"] else [])
    return any(c.dep_ == "prep" and c.lower_ == "between" for h in heads for c in h.children)


def _gerund_headline(verb: Token) -> bool:
    """A gerund that heads its sentence or is its subject, with no subject nor auxiliary of its
    own ("Fighting renews in X", "Fighting between A and B in X kills 12"), stands for the
    noun: the parser's verb is a headline's noun."""
    return verb.tag_ == "VBG" and verb.dep_ in ("ROOT", "nsubj") and not any(
        c.dep_ in (*syntax.SUBJECT_DEPS, "aux", "auxpass") for c in verb.children)


def _object_ok(ctx: DocumentContext, verb: Token, lemma: str) -> bool:
    """Verbs such as "take" or "land" are operations only with the right object."""
    needs = ctx.lex["needs_object"].get(lemma)
    if not needs:
        return True
    objs = syntax.objects(verb) + syntax.passive_subjects(verb) if syntax.is_passive(verb) else syntax.objects(verb)
    objs = objs + list(syntax.prep_objects(verb, {"on", "into", "toward", "towards", "of", "in", "against", "with"}))
    for o in objs:
        ol = o.lemma_.lower()
        if "control" in needs and ol == "control":
            return True
        if "place" in needs and any(ctx.place_at(t) for _, t in [(0, o), *syntax.clause_bfs(o, max_depth=3)]):
            return True
        if "place-entity" in needs and ctx.entity_of(o, types={"Town", "Facility"}) and not any(
                c.dep_ in ("nummod", "quantmod", "amod") and c.lower_ in ("most", "much", "percent", "part") for c in o.children):
            return True  # "IS control Khanasser town" (a headline capture), not "controls 30 percent of"
        if "place-entity" in needs and _new_ground(ctx, o):
            return True  # "the SDF control 3 villages", "IS controls a new town"
        if "group" in needs and ctx.actor_at(o):
            return True
        if ol in needs or any(c.lemma_.lower() in needs for c in o.children if c.dep_ in ("amod", "compound")):
            return True
    return False


def _new_ground(ctx: DocumentContext, obj: Token) -> bool:
    """An unnamed village or town counted or introduced ("a village", "3 villages", "a new
    town", "al-X neighbourhood"): a headline's controlling it is taking it; controlling "the
    village" or "most villages" may be a standing state."""
    nouns = {*ctx.lex["place_nouns"]["Town"], *ctx.lex["place_nouns"]["Facility"]} - {"capital", "stronghold", "bastion"}
    if obj.lemma_.lower() not in nouns:
        return False
    kids = list(obj.children)
    named = any(c.dep_ == "compound" and ctx.entity_of(c) is None and c.pos_ == "PROPN" for c in kids)
    return named or any(c.dep_ == "nummod" or (c.dep_ == "det" and c.lower_ in ("a", "an"))
                        or (c.dep_ == "amod" and c.lower_ == "new") for c in kids)


def _displaces(ctx: DocumentContext, verb: Token) -> bool:
    """A verb of driving with an armed group as its theme and a "from" place."""
    theme = syntax.passive_subjects(verb) if syntax.is_passive(verb, ctx.is_named_actor) else syntax.objects(verb)
    sources = [p for w in [verb, *theme] for p in syntax.prep_objects(w, {"from"})]  # "chased X fighters from P"
    return any(ctx.actor_at(t) for t in theme) and any(ctx.place_at(p) for p in sources)


def _imposes_control(ctx: DocumentContext, verb: Token) -> bool:
    """A verb of taking or imposing whose object is "control" over, of or on a place."""
    for obj in syntax.objects(verb):
        if obj.lemma_.lower() != "control":
            continue
        ground = list(syntax.prep_objects(obj, {"over", "of", "on"})) + list(syntax.prep_objects(verb, {"over", "of", "on"}))
        if any(ctx.place_at(t) or ctx.place_at(g) for g in ground for _, t in [(0, g), *syntax.clause_bfs(g, max_depth=3)]):
            return True
    return False


def _event_noun(ctx: DocumentContext, tok: Token) -> str | None:
    """The type of an event noun standing as a doer ("shelling hit the town", "raids target X")."""
    return trigger_type(ctx, tok) if tok.pos_ == "NOUN" and not ctx.actor_at(tok) else None


def _doers(ctx: DocumentContext, trig: Token) -> list[Token]:
    """The words that name who did it, named or not: the verb's subject (or passive "by"
    phrase), an event noun's possessor or "by" phrase, or the subject of the light verb whose
    object the noun is ("warplanes committed a massacre")."""
    if trig.pos_ == "VERB":
        return syntax.by_agents(trig) if syntax.is_passive(trig, ctx.is_named_actor) else syntax.subjects(trig, ctx.is_named_actor)
    doers = [c for c in trig.children if c.dep_ in ("poss", "nmod") and c.i < trig.i] + (
        syntax.by_agents(trig) or _by_along_words(ctx, trig))
    doers += [o for o in syntax.prep_objects(trig, {"of"}) if _is_aircraft(ctx, o)]  # "bombing of warplanes"
    doers += [a for c in trig.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" for a in syntax.by_agents(c)]
    head = trig.head
    if trig.dep_ == "dobj" and head.pos_ == "VERB" and head.lemma_.lower() in ctx.lex["light_verbs"]:
        doers += syntax.by_agents(head) if syntax.is_passive(head) else syntax.subjects(head, ctx.is_named_actor)
    return doers


def _is_aircraft(ctx: DocumentContext, tok: Token) -> bool:
    """"warplanes", "Russian jets", "the Syrian air force": a word for aircraft."""
    words = set(ctx.lex["aircraft_nouns"])
    lemma = tok.lemma_.lower()
    return lemma in words or tok.lower_ in words or (
        lemma == "force" and any(c.lower_ == "air" for c in tok.children if c.dep_ in ("compound", "amod")))


def _heads_event(ctx: DocumentContext, tok: Token) -> bool:
    """Is the token an event trigger, or a light verb whose object is one ("launched a counterattack")?"""
    if trigger_type(ctx, tok):
        return True
    return tok.lemma_.lower() in ctx.lex["light_verbs"] and any(trigger_type(ctx, o) for o in syntax.objects(tok))


def _takes_ground(ctx: DocumentContext, verb: Token) -> bool:
    """A capture takes a place or ground: an object that is a place, a place noun or control."""
    theme = syntax.passive_subjects(verb) if syntax.is_passive(verb, ctx.is_named_actor) else syntax.objects(verb)
    if not theme:
        return True  # "retook from IS": the place is elsewhere in the clause
    theme += list(syntax.prep_objects(verb, {"from", "out"}))  # "expelled X from the hill"
    ground = set(ctx.lex["capture_objects"])
    return any(ctx.place_at(t) or t.lemma_.lower() in ground or t.text == "%" for t in theme)


def _attempted(ctx: DocumentContext, tok: Token) -> bool:
    """Was it tried and not (yet) achieved, by an attempt that itself happened ("failed to
    seize", "tried to take", "attempts to capture" — not "plans to", "would try to")?"""
    head = tok.head
    if tok.dep_ == "xcomp" and head.pos_ == "VERB" and head.lemma_.lower() in ("fail", "attempt", "try", "struggle"):
        return not _irrealis(ctx, head)
    if tok.dep_ in ("acl", "xcomp") and head.pos_ == "NOUN" and head.lemma_.lower() in ("attempt", "failure"):
        return not _irrealis(ctx, head)
    return False


def _irrealis(ctx: DocumentContext, tok: Token) -> bool:
    """Failed, planned, hypothetical or negated events are not operations."""
    lex = ctx.lex
    governors = set(lex["irrealis_governors"])
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    if any(c.dep_ == "aux" and c.lower_ in lex["modal_auxiliaries"] for c in tok.children):
        return True
    cur = tok
    for head in syntax.governors(tok, limit=4):
        if cur.dep_ in ("xcomp", "pcomp", "pobj", "prep", "acl", "ccomp", "advcl", "dobj", "relcl") and head.lemma_.lower() in governors:
            return True
        if cur.dep_ in ("xcomp",) and any(c.dep_ == "neg" for c in head.children):
            return True
        if head.pos_ in ("VERB", "AUX") and cur.dep_ not in ("xcomp", "pcomp", "prep", "pobj", "dobj", "conj"):
            break
        cur = head
    return False


# ----- arguments ----------------------------------------------------------------------------
def _operations_at(ctx: DocumentContext, trig: Token, op_type: str, sent: Span,
                   inherited: list[str] | None = None) -> list[Operation]:
    """The operations one trigger announces. `inherited`: agents of the same type of event
    in the sentence, for an event noun that names no doer of its own."""
    if op_type == "Attack" and trig.pos_ == "VERB":  # "shelling hit the town": the noun's type
        op_type = next((t for d in _doers(ctx, trig) if (t := _event_noun(ctx, d)) and t != "Attack"), op_type)
    if op_type in AIR_CAPABLE and trig.lemma_.lower() not in ctx.lex["clash_nouns"] \
            and any(_is_aircraft(ctx, d) for d in _doers(ctx, trig)):
        op_type = "Airstrike"  # "jets struck the airbase", "warplanes committed a massacre"
    pushed_back = op_type == "PushBack"
    if pushed_back and syntax.is_passive(trig, ctx.is_named_actor):  # "Y was pushed back (by X)"
        movers = [a for o in syntax.passive_subjects(trig) if (a := ctx.actor_at(o))]
        opponents = _actors(ctx, syntax.by_agents(trig))
        agents, op_type = movers, "Withdrawal"
    elif pushed_back:  # "X pushed back Y": Y withdraws, X is the opponent
        movers = [a for o in syntax.objects(trig) if (a := ctx.actor_at(o))]
        opponents = _actors(ctx, syntax.subjects(trig))
        agents, op_type = movers, "Withdrawal"
    else:
        agents = _agents(ctx, trig) or (_advancing_group(ctx, trig) if op_type == "Offensive" else [])
        opponents = [o for o in _opponents(ctx, trig, op_type) if o not in agents]
        if trig.lemma_.lower() in ctx.lex["clash_nouns"] or trig.lemma_.lower() in ("exchange",) or _between(ctx, trig):
            sides, others = _clash_sides(ctx, trig, sent)
            agents = agents or sides
            opponents = [o for o in dict.fromkeys(opponents + others) if o not in agents]
    if not agents and inherited:
        agents = [a for a in inherited if a not in opponents]
    if not agents and op_type in ATTACK_LIKE:  # "carried out by IS", "were killed ... by IS"
        agents = _actors(ctx, [a for t in sent if t.lemma_.lower() in ("carry", "commit", "conduct", "launch")
                               or t.i == trig.i or t.lemma_.lower() in ctx.lex["victim_words"]
                               for a in syntax.by_agents(t)])
    if not agents and not opponents and op_type in ATTACK_LIKE:
        opponents = _clash_sides(ctx, trig, sent)[0]  # "losses in IS after aerial bombardment on Raqqa"
    claimant = _claimant(ctx, trig, sent)
    accusation = _accusation(ctx, trig)
    if accusation is not None and agents:  # the accuser's claim
        claimant = next((k for t in syntax.subjects(accusation[0]) if (k := ctx.actor_at(t)) and k not in agents), claimant)
    if not agents and claimant and op_type in ("Airdrop", "Capture", "Offensive", "Withdrawal", "Raid") \
            and _own_unnamed_troops(ctx, trig):
        agents = [claimant]  # "Airborne fighters had been dropped ..., said NSA spokesman X"
    if op_type == "Airdrop" and agents:  # "helicopters landed New Syrian Army troops": both took part
        agents += [a for a in _actors(ctx, syntax.objects(trig)) if a not in agents]
    unnamed = not agents and _unattributed(ctx, trig, op_type, opponents)
    places = [p for p in _places(ctx, trig, sent, fallback=bool(agents) or bool(opponents), agents=agents) if p not in agents] \
        if agents or unnamed else []
    if unnamed and places and not all(ctx.place_type(p) == "Country" for p in places):
        agents = [ctx.unidentified(_aircraft(ctx, trig, op_type), sent, places[0])]
        opponents = opponents or _casualty_groups(ctx, sent)
    if not agents:
        return []
    date, basis = _date(ctx, trig, sent)
    fatalities = _fatalities(ctx, trig, op_type)
    ev = ctx.evidence(sent)
    rule = f"{op_type.lower()}-{'verb' if trig.pos_ == 'VERB' else 'noun'}:{trig.lemma_.lower()}"
    confidence = 0.8 if places else 0.6
    if ctx.is_unidentified(agents[0]):
        rule, confidence = f"{rule}+unidentified-agent", ctx.lex["unattributed"]["confidence"]
    if claimant:
        confidence -= 0.1
    return [Operation(type=op_type, agents=tuple(dict.fromkeys(agents)), evidence=ev, rule=rule,
                      confidence=round(confidence, 2), opponents=tuple(dict.fromkeys(opponents)),
                      place=place, date=date, date_basis=basis, fatalities=fatalities,
                      claimed_by=claimant)
            for place in (places or [None])]


def _actors(ctx: DocumentContext, toks: list[Token], exclude: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for t in toks:
        out += [k for k in ctx.actors_at(t, exclude=exclude) if k not in out]
    return out


def _headline_passive(ctx: DocumentContext, verb: Token) -> bool:
    """Headline passive without its auxiliary: "Four SDF fighters killed in Hajin", "two men
    executed in X". A killing verb with a subject, no object and no auxiliary, in the past
    participle form or with a counted subject, tells what was done to the subject."""
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in ctx.lex["headline_passive_verbs"] or verb.tag_ not in ("VBN", "VBD"):
        return False
    if any(c.dep_ in ("aux", "auxpass", "dobj", "obj", "nsubjpass") for c in verb.children):
        return False
    subj = [c for c in verb.children if c.dep_ == "nsubj"]
    if verb.dep_ == "acl" and not subj:  # "two men executed in X"
        return verb.tag_ == "VBN"
    undergoers = subj and all(not ctx.actor_at(s) and s.lemma_.lower() not in ctx.lex["group_nouns"] for s in subj)
    return bool(subj) and (verb.tag_ == "VBN" or any(c.dep_ == "nummod" for s in subj for c in s.children)
                           or undergoers)  # "Citizens in X executed on charges of ...": no group to do it


def _headline_patients(ctx: DocumentContext, verb: Token) -> list[Token]:
    if verb.dep_ == "acl" and not any(c.dep_ == "nsubj" for c in verb.children):
        return syntax.with_conjuncts(verb.head)
    return [x for c in verb.children if c.dep_ == "nsubj" for x in syntax.with_conjuncts(c)]


def _accusation(ctx: DocumentContext, trig: Token) -> tuple[Token, list[Token]] | None:
    """"Syria accused Israel of bombing X", "blamed Israel for the attack", "blamed the attack
    on Israel": the accusing verb and the accused, who is the event's doer by the accuser's claim."""
    head = trig.head
    if trig.dep_ in ("pcomp", "pobj") and head.lower_ in ("of", "for") and head.head.lemma_.lower() in ctx.lex["accusation_verbs"]:
        verb = head.head
        return verb, syntax.passive_subjects(verb) if syntax.is_passive(verb) else syntax.objects(verb)
    accused = head.head
    if trig.dep_ == "pobj" and head.lower_ in ("of", "for") and accused.dep_ == "dobj" \
            and accused.head.lemma_.lower() in ctx.lex["accusation_verbs"]:
        return accused.head, syntax.with_conjuncts(accused)  # "accuse X of an attack", "of" hung on X
    if trig.dep_ == "dobj" and head.lemma_.lower() in ("blame", "pin"):
        accused = list(syntax.prep_objects(head, {"on"})) or list(syntax.prep_objects(trig, {"on"}))
        return (head, accused) if accused else None
    return None


def _agents(ctx: DocumentContext, trig: Token) -> list[str]:
    accused = _accusation(ctx, trig)
    if accused is not None:
        return _actors(ctx, accused[1])
    if trig.pos_ == "VERB" and _headline_passive(ctx, trig):
        return _actors(ctx, syntax.by_agents(trig))
    if trig.pos_ == "VERB":
        if syntax.is_passive(trig, ctx.is_named_actor):
            return _actors(ctx, syntax.by_agents(trig))
        agents = _actors(ctx, syntax.subjects(trig, ctx.is_named_actor))
        if not agents and trig.dep_ == "acl" and trig.head.pos_ == "NOUN":  # "attempts by X to capture", "X's bid to take"
            owner = trig.head
            agents = _actors(ctx, syntax.by_agents(owner) + [c for c in owner.children if c.dep_ == "poss"])
        return agents
    own = [c for c in trig.children if c.dep_ in ("poss", "compound", "amod", "nmod") and c.i < trig.i]
    agents = _actors(ctx, [c for c in own if not _names_location(ctx, c)])
    for c in own:  # "Russian airstrikes": a demonym names the state's forces
        forces = ctx.forces_named_by(c) if c.pos_ == "ADJ" and not ctx.entity_of(c) else None
        if forces is not None:
            agents.append(ctx.ensure_known(forces, c.sent, ctx.surface(c)))
    agents += [a for a in _actors(ctx, syntax.by_agents(trig) or _by_along_words(ctx, trig)) if a not in agents]
    agents += [a for a in _actors(ctx, [o for o in syntax.prep_objects(trig, {"of"}) if _is_aircraft(ctx, o)])
               if a not in agents]  # "bombing of coalition aircraft on X": aircraft are not bombed, they bomb
    if trig.lemma_.lower() in ctx.lex["movement_nouns"]:  # "the advance of regime forces": who moved
        agents += [a for a in _actors(ctx, list(syntax.prep_objects(trig, {"of"}))) if a not in agents]
    for c in trig.children:  # "airstrikes conducted by X", "strikes carried out by X"
        if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB":
            agents += [a for a in _actors(ctx, syntax.by_agents(c)) if a not in agents]
    if agents:
        return agents
    head = trig.head
    if trig.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":  # "the start of its campaign"
        owner = head.head
        agents = _actors(ctx, [c for c in owner.children if c.dep_ == "poss"])
        head = owner.head if not agents else head
    if not agents and trig.dep_ in ("dobj", "nsubjpass", "pobj", "attr", "conj", "compound") and head.pos_ == "VERB":
        doer_verb = trig.dep_ == "dobj" and head.lemma_.lower() not in ctx.lex["undergoer_verbs"]
        if head.lemma_.lower() in ctx.lex["light_verbs"] or head.lemma_.lower() in ctx.lex["reporting_verbs"] or doer_verb:
            agents = _actors(ctx, syntax.subjects(head) if not syntax.is_passive(head) else syntax.by_agents(head))
        elif trig.dep_ == "dobj":  # "X receive more assassinations by cells of Y": the undergoer's "by" names the doer
            agents = _actors(ctx, syntax.by_agents(head))
    if not agents and trig.dep_ == "nsubj":  # "coalition airstrikes targeted ISIS": no agent named
        return []
    if not agents and trig.dep_ == "pobj":  # "struck back with a wave of suicide bombings"
        verb = next((g for g in syntax.governors(trig, limit=5) if g.pos_ == "VERB"), None)
        path_ok = verb is not None and all(g.dep_ in ("prep", "pobj") or g.i == verb.i
                                           for g in syntax.governors(trig, limit=5) if g.i != verb.i and g.i > verb.i)
        if verb is not None and path_ok and trigger_type(ctx, verb):
            agents = _actors(ctx, syntax.subjects(verb, ctx.is_named_actor))
    return agents


def _by_along_words(ctx: DocumentContext, trig: Token) -> list[Token]:
    """"security operation by SDF in X" where the broken parse of a headline hung "by" on
    another word: a "by" right after the event noun, then a named actor (past "the"), names
    its doer. Read along the words, as headlines break the tree."""
    doc = ctx.doc
    i = trig.i + 1
    if i >= trig.sent.end or doc[i].lower_ != "by":
        return []
    for tok in doc[i + 1: min(i + 4, trig.sent.end)]:
        if ctx.is_named_actor(tok):
            return [tok]
        if tok.lower_ not in ("the", "a", "an") and not tok.is_punct:
            return []
    return []


def _own_unnamed_troops(ctx: DocumentContext, trig: Token) -> bool:
    """The event's own doers are unnamed fighters/troops ("airborne fighters had been dropped")."""
    doers = syntax.passive_subjects(trig) if syntax.is_passive(trig, ctx.is_named_actor) else syntax.subjects(trig)
    return bool(doers) and all(d.lemma_.lower() in ctx.lex["group_nouns"] and not ctx.actor_at(d) for d in doers)


def _advancing_group(ctx: DocumentContext, trig: Token) -> list[str]:
    """"advances to the SDF near X" (translated news: the advance of the SDF): a group is no
    place one advances to, so a named armed group after "to" or "for" is who advanced."""
    return [k for k in _actors(ctx, list(syntax.prep_objects(trig, {"to", "for"})))
            if ctx.entities[k].type == "ArmedGroup"]


def _unattributed(ctx: DocumentContext, trig: Token, op_type: str, opponents: list[str]) -> bool:
    """Did it happen with its perpetrator left unnamed? Air and artillery strikes often are;
    otherwise only an agentless passive ("was executed"), an unnamed perpetrator ("gunmen",
    "warplanes") or a clash whose casualties are named. An advance or capture by unnamed
    fighters counts only against a named opponent ("rebels advance over regime forces")."""
    cfg = ctx.lex["unattributed"]
    clash = (trig.tag_ == "NNS" and trig.lemma_.lower() in ctx.lex["clash_plurals"]) or _gerund_headline(trig)
    against_named = op_type in cfg["types_with_named_opponent"] and bool(opponents) and trig.pos_ == "VERB"
    if (op_type not in cfg["types"] and not against_named) or (
            trig.lemma_.lower() in ("battle", "fight", "campaign") and not clash):
        return False
    if clash:
        return True  # "fierce battles in X", "Fighting renews in X": a place of its own is needed
    if op_type in cfg["always"]:
        return True
    if trig.pos_ == "VERB":
        if _headline_passive(ctx, trig):
            return not syntax.by_agents(trig)
        doers = syntax.by_agents(trig) if syntax.is_passive(trig, ctx.is_named_actor) else syntax.subjects(trig, ctx.is_named_actor)
        if not doers:
            return syntax.is_passive(trig, ctx.is_named_actor)
        return all(d.lemma_.lower() in cfg["unnamed_perpetrators"] or _event_noun(ctx, d) for d in doers)
    doers = _doers(ctx, trig)  # "a massacre carried out by warplanes"
    if doers and all(d.lemma_.lower() in cfg["unnamed_perpetrators"] and not ctx.actor_at(d) for d in doers):
        return True
    if not doers and trig.lemma_.lower() in cfg["self_evident_nouns"]:
        return True  # "an explosion in X kills 7", "the bombing of X claims the lives of ..."
    return trig.lemma_.lower() in ctx.lex["clash_nouns"]  # "clashes in X": a place of its own is needed


def _aircraft(ctx: DocumentContext, trig: Token, op_type: str) -> bool:
    """Was it done from the air ("warplanes bomb", "killed in air strikes")?"""
    words = set(ctx.lex["unattributed"]["aircraft_words"])
    near = [trig, *trig.children, *syntax.subjects(trig), *syntax.by_agents(trig)]
    return op_type == "Airstrike" or any(t.lemma_.lower() in words for t in near)


def _clash_sides(ctx: DocumentContext, trig: Token, sent: Span) -> tuple[list[str], list[str]]:
    """Who fought in a clash: "clashes between A and B" (A against B), "clashes with B",
    or the groups whose dead the sentence counts ("ISIS dead in fighting in Manbij")."""
    between = list(syntax.prep_objects(trig, {"between"}))
    if not between:  # "fighting continues in the city of X between A and B": attached elsewhere
        between = [o for t in sent if t.lower_ == "between" for o in t.children if o.dep_ == "pobj"]
        between = [x for o in between for x in syntax.with_conjuncts(o)]
    if between:  # "between IS and regime forces" may hang IS on "forces": every group below counts
        sides = _actors(ctx, [t for o in between for t in o.subtree if t.dep_ not in ("prep", "pobj") or t.i == o.i])
        return sides[:1], sides[1:]
    against = _actors(ctx, list(syntax.prep_objects(trig, {"with", "against"})))
    victims = []
    for tok in sent:
        key = ctx.actor_at(tok)
        if key is None or key in victims or ctx.entities[key].type != "ArmedGroup":
            continue  # a country named near "killed" is rarely the side that lost men
        near = [*tok.children, *syntax.governors(tok, limit=4)]  # "4 fighters from the SDF killed"
        if any(n.lemma_.lower() in ctx.lex["victim_words"] for n in near):
            victims.append(key)
    sides = [v for v in victims if v not in against]
    return sides, against


CASUALTY_REACH = 8  # words between a casualty word and the group it counts ("casualties in the ranks of the ... X")


def _casualty_groups(ctx: DocumentContext, sent: Span) -> list[str]:
    """Groups whose losses a headline counts ("5 casualties in the ranks of X and Y", "fighters
    from X killed", "20 dead of X by a mine explosion"): with the doer unnamed, they are the
    side the event hit. Read along the words, not the tree, which headlines often break: a
    casualty word before the group with no verb or punctuation between, or a killing verb
    right after it."""
    victims = set(ctx.lex["victim_words"])
    out: list[str] = []
    for m in ctx.mentions:
        if m.type != "ArmedGroup" or not (sent.start <= m.start < sent.end) or m.key in out:
            continue
        before = []
        for t in reversed(ctx.doc[max(sent.start, m.start - CASUALTY_REACH): m.start]):
            if t.pos_ in ("VERB", "AUX") or (t.is_punct and t.text not in "-\"'“”‘’"):
                break
            before.append(t)
        after = [t for t in ctx.doc[m.end: min(sent.end, m.end + 3)] if not t.is_punct][:2]
        if any(t.lemma_.lower() in victims for t in before) or any(
                t.pos_ == "VERB" and t.lemma_.lower() in victims for t in after):
            out.append(m.key)
    return out


def _names_location(ctx: DocumentContext, tok: Token) -> bool:
    """"Syria attacks" in an article about Syria: the home country compounded on an event
    noun says where; a foreign one ("USA air strikes") says who."""
    key = ctx.entity_of(tok, types={"Country"})
    return key is not None and tok.pos_ == "PROPN" and tok.dep_ == "compound" and key == ctx.home_country


def _opponents(ctx: DocumentContext, trig: Token, op_type: str) -> list[str]:
    toks = list(syntax.prep_objects(trig, {"from", "against", "on", "targeting", "over"}))
    if op_type == "Capture":  # "took the town of X from IS": the parser may hang "from" on the place
        toks += [o for place in syntax.objects(trig) for o in syntax.prep_objects(place, {"from"})]
    if op_type in ATTACK_LIKE:
        toks += syntax.objects(trig)
        if trig.pos_ == "NOUN" and trig.dep_ == "dobj" and (trig.head.lemma_.lower() in ctx.lex["suffering_verbs"]
                                                            or trig.head.lemma_.lower() in ctx.lex["resisting_verbs"]):
            toks += syntax.subjects(trig.head)  # "the YPG suffered shelling by X", "X repelled an IS attack": X was hit
        if trig.pos_ == "NOUN" and trig.dep_ == "nsubj" and trig.head.lemma_.lower() in ("kill", "target", "hit", "strike", "pound", "wound"):
            toks += syntax.objects(trig.head)  # "coalition airstrikes kill 6 IS members"
        toks += [c for c in trig.children if c.dep_ in ("dobj",) for c in c.subtree]
        for c in trig.children:  # "targeted ISIS" in an attached clause
            if c.dep_ in ("acl", "relcl", "advcl") and c.lemma_.lower() in ("target", "hit", "kill"):
                toks += syntax.objects(c)
        if syntax.is_passive(trig):
            toks += syntax.passive_subjects(trig)
        elif _headline_passive(ctx, trig):
            toks += _headline_patients(ctx, trig)
        toks += _owners_of_target(trig)
    opponents = []
    for t in toks:
        if t.dep_ == "conj" and ctx.entity_of(t, types={"Country"}) and not ctx.actor_at(t.head):
            continue  # "targets in Syria and Iraq": a country conjoined with a thing is a place
        if t.dep_ == "pobj" and t.head.lower_ in LOCATIVE_PREPS and ctx.entity_of(t, types={"Country"}):
            continue  # "army positions in Syria": where, not whom
        key = ctx.actor_at(t)
        if key is None:  # "IS targets", "IS positions": a modifier names the opponent
            key = next((k for c in t.children if c.dep_ in ("compound", "nmod", "amod", "poss") and (k := ctx.entity_of(c, types={"ArmedGroup"}))), None)
        if key and key not in opponents:
            opponents.append(key)
    for place_tok in syntax.objects(trig) + list(syntax.prep_objects(trig, {"on", "of", "in", "toward", "towards"})):
        opponents += [k for k in _holders(ctx, place_tok) if k not in opponents]
    return opponents


def _owners_of_target(trig: Token) -> list[Token]:
    """"destroyed a media point belonging to IS" (or, as headlines write it, "a point belongs
    to IS", read as a clause of the verb): the owner of what was hit was hit."""
    verb = trig.head if trig.dep_ == "nsubj" and trig.pos_ != "VERB" else trig  # "Airstrikes destroy ..."
    clauses = [c for c in verb.children if c.lemma_.lower() == "belong"]
    clauses += [c for o in syntax.objects(verb) for c in o.children if c.lemma_.lower() == "belong"]
    return [o for c in clauses for o in syntax.prep_objects(c, {"to"})]


def _holders(ctx: DocumentContext, place_tok: Token) -> list[str]:
    """"IS-held town", "which is held by IS": the group holding a place is the opponent."""
    out = []
    for tok in [place_tok, *[c for c in place_tok.children if c.dep_ in ("pobj", "prep")]]:
        for c in tok.subtree:
            if c.lemma_.lower() == "hold" and c.i != place_tok.i:
                out += _actors(ctx, syntax.by_agents(c))
                out += [k for cc in c.children if cc.dep_ in ("npadvmod", "compound", "nmod") and (k := ctx.actor_at(cc))]
    return out


def _places(ctx: DocumentContext, trig: Token, sent: Span, *, fallback: bool = True,
            agents: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The most specific place the operation happened at or aimed at, with conjoined places."""
    starts = [trig]
    if trig.pos_ != "VERB":  # "a massacre carried out by warplanes in X": the noun's own clause
        starts += [c for c in trig.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"
                   and c.lemma_.lower() in ctx.lex["light_verbs"]]
    if trig.pos_ != "VERB" and trig.head.pos_ == "VERB" and trig.dep_ in ("dobj", "nsubjpass", "pobj"):
        starts.append(trig.head)
    if trig.pos_ != "VERB" and trig.dep_ in ("nsubj", "advmod", "npadvmod") and trig.i < trig.head.i \
            and trig.head.lemma_.lower() in {*ctx.lex["impact_verbs"], *ctx.lex["occurrence_verbs"]}:
        # "airstrikes destroyed X in Y", "clashes erupted in Y" (the parser may miss the subject)
        starts.append(trig.head)
    if trig.pos_ == "VERB" and syntax.is_passive(trig, ctx.is_named_actor):  # "killed by warplanes in X": "in X" hung on them
        starts += [a for a in syntax.by_agents(trig) if not ctx.actor_at(a)]
    if trig.pos_ == "VERB" and _headline_passive(ctx, trig):  # "Citizens in X executed": where the victims were
        starts += _headline_patients(ctx, trig)
    if trig.pos_ == "VERB":  # "kill 21 and injure 30 in X": conjoined verbs share the subject's ground
        starts += [c for c in trig.children if c.dep_ == "conj" and c.pos_ == "VERB" and not _own_subject(c)]
        if trig.dep_ == "conj" and trig.head.pos_ == "VERB" and not _own_subject(trig):
            starts.append(trig.head)
    if trig.pos_ == "VERB" and syntax.is_passive(trig, ctx.is_named_actor):  # "Rawa and Anah were retaken"
        taken = list(dict.fromkeys(x for t in syntax.passive_subjects(trig) if (k := ctx.place_at(t))
                                   for x in _with_place_conjuncts(ctx, k, t)))
        if taken:
            return taken
    if trig.pos_ != "VERB" and trig.dep_ == "dobj" and trig.head.lemma_.lower() in ctx.lex["scene_verbs"]:
        scene = [k for t in syntax.subjects(trig.head) if (k := ctx.place_at(t))]  # "Aleppo city witnesses clashes"
        if scene:
            return scene[:1]
    for start in starts:
        best: list[tuple[int, int, str, Token]] = []
        for depth, tok in syntax.clause_bfs(start, max_depth=5):
            key = None if _actor_modifier(ctx, tok) or _owner_country(ctx, tok) else ctx.place_at(tok)
            if key:
                best.append((depth, PLACE_RANK.get(ctx.place_type(key), 9), key, tok))
        if best:
            located = [b for b in best if not _reference_point(ctx, b[3], start)]
            if any(ctx.place_type(b[2]) in ("Town", "Facility") for b in located):
                best = located
            themes = [b for b in best if b[0] == 1 and b[3].dep_ in ("dobj", "nsubjpass", "attr")]
            depth, _, key, tok = min(themes or best, key=lambda b: (b[1], b[0]))  # what was taken, else the most specific
            return _with_place_conjuncts(ctx, key, tok, [b[3] for b in best])
    if not fallback:
        return _following_place(ctx, trig, sent)
    in_sentence = [(PLACE_RANK.get(ctx.place_type(k), 9), abs(i - trig.i), k, ctx.doc[i])
                   for i in range(sent.start, sent.end)
                   if not _actor_modifier(ctx, ctx.doc[i]) and not _modifies_event(ctx, ctx.doc[i])
                   and (k := ctx.place_at(ctx.doc[i])) and not _elsewhere(ctx, ctx.doc[i], trig, agents)]
    if in_sentence:  # of equally specific places, not the reference point: "in Hajin east of X" is Hajin
        return [min(in_sentence, key=lambda c: (c[0], _reference_point(ctx, c[3], trig), c[1]))[2]]
    return []


def _following_place(ctx: DocumentContext, trig: Token, sent: Span) -> list[str]:
    """Headline lists ("X shells Y and clashes in Z desert") hang an event noun's place on
    the noun before it. An unattributed event noun with no place of its own takes the place
    that follows it in its own stretch of the headline: up to "and", a comma or semicolon, or
    another event word. Only a noun that stands as a headline item (the root, a conjunct, the
    object of a preposition or the subject of a full verb: "clashes erupt in X", "killed in a
    mine explosion inside a school on the outskirts of X"; not "fighting was a memory in X")
    or a headline's gerund is read so."""
    item = trig.dep_ in ("ROOT", "conj", "appos", "pobj") or (trig.dep_ == "nsubj" and trig.head.pos_ == "VERB")
    if not (trig.pos_ in ("NOUN", "PROPN") and item) and not (_gerund_headline(trig) and trig.dep_ == "ROOT"):
        return []
    return _first_place(ctx, ctx.doc[trig.i + 1: sent.end],
                        until=lambda t: t.lower_ in ("and", ",", ";", "but") or t.is_sent_start
                        or bool(trigger_type(ctx, t)))


def _elsewhere(ctx: DocumentContext, tok: Token, trig: Token, agents) -> bool:
    """Is a place elsewhere in the sentence about something else than the event? It is when
    it lies in a clause or apposition describing a participant ("the forces that retook X",
    "NSA, a group fighting IS in X, launched the offensive"), or in another actor's clause
    ("IS closed cafes in X in conjunction with the battle announced by the NSA")."""
    path = []
    top = tok
    while not (top.left_edge.i <= trig.i <= top.right_edge.i) and top.head.i != top.i:
        path.append(top)
        top = top.head
    for g in path:
        if g.dep_ in ("relcl", "appos") and (ctx.actor_at(g.head) or g.head.lemma_.lower() in ctx.lex["group_nouns"]):
            return True
    if top.i != trig.i and top.pos_ in ("VERB", "AUX"):
        doers = [a for a in _actors(ctx, syntax.subjects(top, ctx.is_named_actor))]
        return bool(doers) and not set(doers) & set(agents)
    return False


def _reference_point(ctx: DocumentContext, tok: Token, start: Token) -> bool:
    """A place reached through "near", "outside", "west of", "5 km from" only says where the
    event's own place lies ("the withdrawal from the airbase outside X"): a reference point."""
    words = set(ctx.lex["reference_point_words"])
    for g in syntax.governors(tok, limit=8):
        if g.i == start.i:
            return False
        if g.i == tok.head.i and tok.dep_ == "compound":
            continue  # "Hajin east of X" read as a compound on "east": Hajin is the place, X the reference
        if g.lower_ in words or (g.dep_ == "prep" and g.i > 0 and g.nbor(-1).lower_ in words):
            return True  # "near X", "east of X" (however "east" is attached), "5 km from X"
    return False


def _owner_country(ctx: DocumentContext, tok: Token) -> bool:
    """"targets of Iran", "the army of Turkey": a country after "of" on a thing owns it."""
    if not (tok.dep_ == "pobj" and tok.head.lower_ == "of" and ctx.entity_of(tok, types={"Country"})):
        return False
    owner = tok.head.head
    return not any(owner.lemma_.lower() in nouns for nouns in ctx.lex["place_nouns"].values()) \
        and owner.lemma_.lower() not in ctx.lex["capture_objects"]


def _own_subject(verb: Token) -> bool:
    return any(c.dep_ in syntax.SUBJECT_DEPS for c in verb.children)


def _actor_modifier(ctx: DocumentContext, tok: Token) -> bool:
    """"US-backed", "Iran-linked", "UK-based", "with backing from Russia": a country in the
    role of a backer or a qualifier is not where something happened."""
    head = tok.head
    if (tok.dep_ in ("npadvmod", "compound", "nmod", "amod") and head.i != tok.i
            and head.lemma_.lower() in {*ctx.lex["backing_words"], "lead", "link", "affiliate", "base", "ally", "led", "linked",
                                        "based", "loyal", "aligned", "allied", "friendly", "sponsored"}):
        return True
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return (tok.dep_ == "pobj" and tok.head.lower_ in ("from", "by") and tok.head.head.pos_ in ("NOUN", "VERB")
            and tok.head.head.lemma_.lower() in {*ctx.lex["backing_nouns"], *ctx.lex["backing_words"]})


def _modifies_event(ctx: DocumentContext, tok: Token) -> bool:
    """"USA air strikes", "coalition helicopters": a name modifying an event or force noun."""
    return tok.dep_ in ("compound", "amod", "nmod") and (
        trigger_type(ctx, tok.head) is not None or tok.head.lemma_.lower() in ctx.lex["group_nouns"])


def _with_place_conjuncts(ctx: DocumentContext, key: str, tok: Token, found: list[Token] = ()) -> list[str]:
    """A place and the places conjoined with it: "the provinces of X, Y and Z" gives three,
    whether the parser hangs Y and Z on X or on "provinces"; "targets in X and Y" gives two
    when the parser hangs Y on "targets" (a conjunct of a word above the other place)."""
    named = [o for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for o in c.children if o.dep_ == "pobj"]
    heads = [tok] + [o for o in named if ctx.entity_of(o) == key]
    keys = [key]
    for other in found:
        k = ctx.place_at(other)
        if not k or k in keys or ctx.place_type(k) != ctx.place_type(key):
            continue
        if any(c.dep_ == "conj" and c.head.i in {g.i for g in syntax.governors(d, limit=4)}
               for c, d in ((other, tok), (tok, other))):
            keys.append(k)
    for head in heads:
        for c in _place_list(ctx, head)[1:]:
            k = ctx.place_at(c)
            if k and k not in keys and ctx.place_type(k) == ctx.place_type(key):
                keys.append(k)
    return keys


def _place_list(ctx: DocumentContext, tok: Token) -> list[Token]:
    """A place and the places listed after it, conjoined or, as the parser often reads a comma
    list of names ("the fronts of A, B, C and D"), in apposition."""
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" or (c.dep_ == "appos" and ctx.place_at(c)):
            out += _place_list(ctx, c)
    return out


def _date(ctx: DocumentContext, trig: Token, sent: Span) -> tuple[DateValue | None, str | None]:
    published = ctx.article.published
    dates = [e for e in ctx.entity_spans if e.label_ == "DATE" and sent.start <= e.start and e.end <= sent.end]
    subtree = {t.i for t in (trig.head if trig.pos_ != "VERB" else trig).subtree}
    dates.sort(key=lambda e: (e.root.i not in subtree, abs(e.root.i - trig.i)))
    own = trig if trig.pos_ == "VERB" else trig.head
    for ent in dates:
        if _in_subordinate_event(ctx, ent.root, own, subtree):
            continue  # "despite losing territory last month, IS has killed ...": that clause's date
        prev = ctx.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        expression = f"{prev} {ent.text}" if prev in ("since", "in", "on", "by", "last", "late", "early") else ent.text
        value = resolve_date(expression, published)
        if value is not None:
            return DateValue(value.value, value.precision), "stated"
    if published is not None:
        return DateValue(published.strftime("%Y-%m"), "month"), "publication"
    return None, None


def _in_subordinate_event(ctx: DocumentContext, tok: Token, own: Token, subtree: set[int]) -> bool:
    """Does a date belong to a clause of another verb below the event's own verb ("since
    losing X last month", "which entered the town last week")? Reporting and light verbs
    ("said on Sunday", "launched on Monday") pass their date on."""
    if tok.i not in subtree:
        return False
    for g in syntax.governors(tok, limit=6):
        if g.i == own.i:
            return False
        if g.pos_ in ("VERB", "AUX"):
            lemma = g.lemma_.lower()
            return g.dep_ in ("advcl", "relcl", "pcomp") and lemma not in ctx.lex["reporting_verbs"] \
                and lemma not in ctx.lex["light_verbs"]
    return False


def _claimant(ctx: DocumentContext, trig: Token, sent: Span) -> str | None:
    """A party (not a monitor or a news agency) whose statement is the only source."""
    reporting = set(ctx.lex["reporting_verbs"])
    for head in [trig, *syntax.governors(trig, limit=6)]:
        if head.lemma_.lower() in reporting and head.i != trig.i:
            speakers = syntax.subjects(head) or syntax.by_agents(head)
            for s in speakers:
                key = _speaker(ctx, s)
                if key:
                    return key
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end:
            for obj in syntax.prep_objects(ctx.doc[tok.i + 1], {"to"}) if ctx.doc[tok.i + 1].lower_ == "to" else []:
                key = _speaker(ctx, obj)
                if key:
                    return key
            for c in ctx.doc[tok.i + 1].children:
                if c.dep_ == "pobj":
                    key = _speaker(ctx, c)
                    if key:
                        return key
    return None


def _speaker(ctx: DocumentContext, tok: Token) -> str | None:
    key = ctx.actor_at(tok)
    if key and ctx.entities[key].type == "ArmedGroup":
        return key
    for c in tok.subtree:  # "NSA spokesman X said": the spokesman speaks for the group
        k = ctx.entity_of(c, types={"ArmedGroup"})
        if k:
            return k
    return None


def _fatalities(ctx: DocumentContext, trig: Token, op_type: str) -> int | None:
    kills = [trig] if trig.lemma_.lower() in ("kill", "execution", "execute", "behead", "killing") else []
    if trig.dep_ == "nsubj" and trig.head.lemma_.lower() == "kill":
        kills.append(trig.head)  # "a Russian airstrike killed 15 civilians"
    kills += [c for c in trig.children if c.dep_ in ("advcl", "conj", "xcomp") and c.lemma_.lower() == "kill"]
    for kill in kills:
        victims = syntax.passive_subjects(kill) if syntax.is_passive(kill) else \
            _headline_patients(ctx, kill) if _headline_passive(ctx, kill) else syntax.objects(kill)
        victims += list(syntax.prep_objects(kill, {"of"}))
        for v in victims:
            n = _number(ctx, v)
            if n is not None:
                return n
    return None


def _number(ctx: DocumentContext, noun: Token) -> int | None:
    cands = [c for c in noun.children if c.dep_ == "nummod"] + ([noun] if noun.like_num else [])
    for c in cands:
        text = c.text.lower().replace(",", "")
        if text.isdigit():
            return int(text)
        value = ctx.lex["number_words"].get(text)
        if isinstance(value, int):
            return value
    return None


# ----- one event, many sentences ------------------------------------------------------------
def merge_operations(ops: list[Operation]) -> list[Operation]:
    """Reports of the same type, agents and place with compatible dates are one operation."""
    merged: list[Operation] = []
    for op in ops:
        twin = next((m for m in merged if m.type == op.type and set(m.agents) == set(op.agents)
                     and m.place == op.place and _dates_agree(m, op)), None)
        if twin is None:
            merged.append(replace(op, extra_evidence=list(op.extra_evidence)))
            continue
        _fold_into(twin, op)
        twin.claimed_by = twin.claimed_by if twin.claimed_by == op.claimed_by else None  # one plain report is enough
        twin.confidence = max(twin.confidence, op.confidence)
    return merged


def _dates_agree(a: Operation, b: Operation) -> bool:
    if a.date is None or b.date is None or "publication" in (a.date_basis, b.date_basis):
        return True
    return a.date.value.startswith(b.date.value) or b.date.value.startswith(a.date.value)


def _fold_into(twin: Operation, op: Operation) -> None:
    """Let `twin` carry what another report of the same event adds: its evidence, a stated
    date, opponents and a toll."""
    if op.evidence != twin.evidence and op.evidence not in twin.extra_evidence:
        twin.extra_evidence.append(op.evidence)
    if twin.date_basis != "stated" and op.date_basis == "stated":
        twin.date, twin.date_basis = op.date, op.date_basis
    twin.opponents = tuple(dict.fromkeys(twin.opponents + op.opponents))
    twin.fatalities = twin.fatalities if twin.fatalities is not None else op.fatalities
