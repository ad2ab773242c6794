"""A synthetic corpus made from the sample articles, for the benchmarks.

`make_corpus(factor)` returns `factor` copies of each sample article (`examples/articles.jsonl`).
Copy 0 is the sample itself; every other copy is the same text with, deterministically from its
copy number:

- the towns, facilities, regions and non-state armed groups it names replaced by other real
  names of the same kind from the gazetteer (`extract/data/*.jsonl`): a town by a town of the
  same country, a jihadist group by a jihadist group, ... Within an article each entity maps to
  one other entity, and a mention written as an alias (or acronym) is replaced by an alias (or
  acronym) of the new entity, so resolution has real work (aliases, spellings, acronyms);
- every date moved by the same whole number of weeks (so "on Tuesday" stays right), the
  publication date with them; a year alone moves with its date;
- counts (casualties, strikes) changed by up to half, never below 2 (plurals stay plural).

Countries, state forces, coalitions, organisations and function words are kept, so the texts
stay grammatical and read like the originals. The same `factor` and `seed` always give the same
corpus.

    python benchmarks/synthetic.py 10 > corpus-10x.jsonl
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "examples" / "articles.jsonl"

VARIED_GROUPS = {"JihadistGroup", "RebelGroup", "Militia", "KurdishForces"}
VARIED_PLACES = {"Town", "Facility", "Region"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# A place name right after one of these is a place ("In Mosul"); after another capitalised word
# it is part of a longer name ("Abu Bakr al-Baghdadi") and is kept.
_PLACE_LEADS = {"In", "At", "From", "Near", "To", "The", "On", "Of", "And", "For", "Around", "Outside",
                "Inside", "Into", "Across", "Towards", "Toward", "Between", "Beyond", "Over", "Under"}
_NAME = re.compile(r"[A-Z][A-Za-z'’. -]*[A-Za-z]")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}")
_M = "|".join(MONTHS)
_WD = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s"


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str
    kind: str            # Town, Facility, Region, or the armed group's class
    country: str | None
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern[str]          # dates, gazetteer names and counts, one alternation
    form_entity: dict[str, str]       # surface form -> gazetteer id (the one extraction prefers)
    entries: dict[str, _Entry]        # varied entries by id
    pools: dict[tuple[str, str | None], tuple[str, ...]]   # (kind, country) -> replacement ids


def read_samples(path: Path = SAMPLES) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def make_corpus(factor: int, *, seed: int = 0, samples: list[dict] | None = None) -> list[dict]:
    """`factor` copies of each sample article as JSON-lines records (id, title, published, text)."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1, not {factor}")
    base = samples if samples is not None else read_samples()
    lex = _lexicon()
    out = []
    for copy in range(factor):
        for number, art in enumerate(base):
            out.append(dict(art) if copy == 0 else _variant(art, copy, number, seed, lex))
    return out


def write_corpus(records: Iterable[dict], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def words(records: Iterable[dict]) -> int:
    """Whitespace-separated words of the texts (the measure of throughput)."""
    return sum(len(rec["text"].split()) for rec in records)


# -- one copy --------------------------------------------------------------------------------
def _variant(art: dict, copy: int, number: int, seed: int, lex: _Lexicon) -> dict:
    rng = random.Random(f"{seed}:{copy}:{number}:{art['id']}")
    weeks = (copy * 29 + number * 7) % 261 - 130 or 1   # within about 2.5 years, never 0
    shift = dt.timedelta(weeks=weeks)
    published = dt.date.fromisoformat(art["published"]) if art.get("published") else None
    mapping: dict[str, str] = {}
    taken: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        g = m.lastgroup
        text = m.group()
        if g == "name":
            return _rename(text, m.start(), m.string, lex, mapping, taken, rng)
        if g == "count":
            return _count(text, rng)
        return _date(m, shift, published)

    out = dict(art)
    out["id"] = f"{art['id']}-syn{copy:03d}"
    out["text"] = lex.pattern.sub(replace, art["text"])
    if art.get("title"):
        out["title"] = lex.pattern.sub(replace, art["title"])
    if published is not None:
        out["published"] = (published + shift).isoformat()
    return out


def _rename(form: str, start: int, text: str, lex: _Lexicon, mapping: dict[str, str], taken: set[str],
            rng: random.Random) -> str:
    old = lex.entries.get(lex.form_entity.get(form, ""))
    if old is None:
        return form  # countries, state forces, coalitions, organisations: kept
    if old.kind in VARIED_PLACES:
        lead = re.search(r"([A-Z][\w'-]*)\s+$", text[max(0, start - 30):start])
        if lead and lead.group(1) not in _PLACE_LEADS:
            return form  # part of a person's or another longer name
    if old.id not in mapping:
        pool = [i for i in lex.pools.get((old.kind, old.country), ()) if i != old.id and i not in taken]
        if not pool:
            return form
        mapping[old.id] = rng.choice(pool)
        taken.add(mapping[old.id])
    new = lex.entries[mapping[old.id]]
    return _surface(form, old, new, rng)


def _surface(form: str, old: _Entry, new: _Entry, rng: random.Random) -> str:
    """How the new entity is written where the old one was written as `form`."""
    if form.isupper() and len(form) >= 5 and " " not in form:       # a dateline: "MOSUL -"
        return new.label.upper()
    if _ACRONYM.fullmatch(form) and form != old.label:
        if new.acronyms:
            return new.acronyms[0]
        initials = "".join(w[0] for w in re.findall(r"[A-Z][\w'-]*", new.label))
        return initials if len(initials) >= 2 else new.label   # "Raqqa Internal Security Forces (RISF)"
    if old.kind == "Region":
        suffix = re.search(r"\s+(province|governorate|Province|Governorate)$", form)
        base = re.sub(r"\s+(?:province|governorate|region|district)$", "", new.label, flags=re.I)
        if suffix:
            return base + suffix.group()
        if not re.search(r"(?:province|governorate|region|district)$", form, flags=re.I):
            return base
        return new.label
    suffix = " group" if form.endswith(" group") and not old.label.endswith(" group") else ""
    if form == old.label or not new.aliases:
        name = new.label
    else:
        name = rng.choice((new.label, *new.aliases))
    if suffix and not name.lower().endswith(("group", "forces", "coalition", "army", "front")):
        return name + suffix
    return name


def _count(text: str, rng: random.Random) -> str:
    n = int(text.replace(",", ""))
    if n < 2:
        return text
    new = max(2, round(n * rng.uniform(0.5, 1.5)))
    if n <= 100 and new > 100 and len(text) <= 3:
        new = min(new, 99)
    return f"{new:,}" if "," in text or (n >= 10_000 and new >= 10_000) else str(new)


def _date(m: re.Match[str], shift: dt.timedelta, published: dt.date | None) -> str:
    g = m.groupdict()
    kind = m.lastgroup
    if kind in ("mdy", "dmy"):
        i = "1" if kind == "mdy" else "2"
        month, day, year = g["m" + i], int(g["d" + i]), int(g["y" + i])
        try:
            new = dt.date(year, MONTHS.index(month) + 1, day) + shift
        except ValueError:
            return m.group()
        wd = g["wd" + i] or ""
        if wd:
            name = WEEKDAYS[new.weekday()]
            short = len(wd.rstrip(", \t")) <= 3
            wd = (name[:3] if short else name) + wd[len(wd.rstrip(", \t")):]
        a, b = g["s" + i + "a"], g["s" + i + "b"]
        if kind == "mdy":
            return f"{wd}{MONTHS[new.month - 1]}{a}{new.day}{b}{new.year}"
        return f"{wd}{new.day}{a}{MONTHS[new.month - 1]}{b}{new.year}"
    if kind == "my":
        new = dt.date(int(g["y3"]), MONTHS.index(g["m3"]) + 1, 15) + shift
        return f"{MONTHS[new.month - 1]}{g['s3']}{new.year}"
    if kind == "year":
        return str((dt.date(int(m.group()), 7, 1) + shift).year)
    return m.group()


# -- the gazetteer as replacement pools --------------------------------------------------------
def _trie_regex(words: Iterable[str]) -> str:
    """One regular expression matching any of `words`, longest first, factored by prefix (a
    plain alternation of thousands of names is far slower)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    from conflict_kg.extract.gazetteer import fold, load_gazetteer

    gaz = load_gazetteer()
    form_entity: dict[str, str] = {}
    entries: dict[str, _Entry] = {}
    pools: dict[tuple[str, str | None], list[str]] = {}
    for known in gaz.by_id.values():
        kind = known.subclass if known.type == "ArmedGroup" else known.type
        for form in known.surface_forms():
            if any(c.isupper() for c in form):  # lower-case generic terms ("coalition") are kept
                best = gaz.lookup(form)
                form_entity.setdefault(form, best.id if best is not None else known.id)
        if kind not in VARIED_GROUPS | VARIED_PLACES or not _NAME.fullmatch(known.label):
            continue
        if any(fold(f) in gaz.capitals for f in (known.label, *known.aliases)):
            continue  # "the Syrian capital Damascus" stays Damascus
        aliases = tuple(a for a in known.aliases if _NAME.fullmatch(a) and not _ACRONYM.fullmatch(a)
                        and gaz.lookup(a) is known)
        acronyms = tuple(a for a in known.aliases if _ACRONYM.fullmatch(a) and gaz.lookup(a) is known)
        entries[known.id] = _Entry(known.id, known.label, kind, known.country, aliases, acronyms)
        if gaz.lookup(known.label) is known:  # a replacement must resolve back to itself
            pools.setdefault((kind, known.country), []).append(known.id)
    for known in gaz.by_id.values():   # groups of no country may be replaced by any of their kind
        if known.id in entries and known.country is None:
            pools[(entries[known.id].kind, None)] = sorted(
                {i for (k, _c), ids in pools.items() if k == entries[known.id].kind for i in ids})
    names = _trie_regex(sorted(form_entity, key=len, reverse=True))
    dates = (rf"(?P<mdy>(?P<wd1>{_WD})?(?P<m1>{_M})(?P<s1a>\s)(?P<d1>\d{{1,2}})(?P<s1b>,?\s)(?P<y1>(?:19|20)\d\d)(?!\d))"
             rf"|(?P<dmy>(?P<wd2>{_WD})?(?P<d2>\d{{1,2}})(?P<s2a>\s)(?P<m2>{_M})(?P<s2b>,?\s)(?P<y2>(?:19|20)\d\d)(?!\d))"
             rf"|(?P<my>(?P<m3>{_M})(?P<s3>\s)(?P<y3>(?:19|20)\d\d)(?!\d))"
             r"|(?P<year>(?<![\d,.:])(?:19|20)\d\d(?![\d:]|,\d))")
    pattern = re.compile(rf"{dates}|(?P<name>(?<![\w]){names}(?![\w]))"
                         r"|(?P<count>(?<![\w:.,$£€-])\d{1,3}(?:,\d{3})+(?![\w:,]|\.\d)|(?<![\w:.,$£€-])\d+(?![\w:,%]|\.\d))")
    return _Lexicon(pattern, form_entity, entries, {k: tuple(sorted(v)) for k, v in pools.items()})


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    factor = int(args[0]) if args else 1
    for rec in make_corpus(factor):
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
