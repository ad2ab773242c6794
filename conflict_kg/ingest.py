"""Bytes to articles: `.txt` files, folders of them, and JSON Lines, with strict checks.

A bad input never stops the others: each problem becomes an `InputProblem` naming the file
(and line) and what is wrong, and reading goes on.
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Union

from .extract.dates import find_published_date
from .extract.records import Article

MAX_ARTICLE_BYTES = 1_000_000  # at most spaCy's default max_length in characters
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202a", "\u202b", "\u202c", "\u202d",
              "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be read, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


Item = Union[Article, InputProblem]


def read_inputs(paths: Iterable[Path], *, published: dt.date | None = None) -> Iterator[Item]:
    """Articles (and problems) from files and folders, in a stable order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".jsonl") and p.is_file())
            if not files:
                yield InputProblem(str(path), "folder holds no .txt or .jsonl files")
            for f in files:
                yield from _read_file(f, published)
        elif path.exists():
            yield from _read_file(path, published)
        else:
            yield InputProblem(str(path), "no such file or folder")


def _read_file(path: Path, published: dt.date | None) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, published)
    elif suffix == ".txt":
        try:
            text = decode(path.read_bytes())
        except (OSError, ValueError) as exc:
            yield InputProblem(str(path), str(exc))
            return
        stated = find_published_date(text)
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
        yield Article(id=path.stem, text=text, source=str(path), published=stated or published,
                      title=title if title and len(title) <= 300 else None)
    else:
        yield InputProblem(str(path), f"unsupported input type {suffix or '(none)'!r}: give .txt, .jsonl or a folder")


def decode(data: bytes) -> str:
    """Strict UTF-8 (BOM allowed), no binary, no empty text; invisible characters removed."""
    if not data.strip():
        raise ValueError("empty input")
    if len(data) > MAX_ARTICLE_BYTES:
        raise ValueError(f"input is {len(data):,} bytes, more than the {MAX_ARTICLE_BYTES:,} an article may have")
    if b"\x00" in data:
        raise ValueError("binary data (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from None
    return clean_text(text)


def clean_text(text: str) -> str:
    """Drop zero-width and direction-override characters and control characters but newlines and tabs."""
    text = "".join(c for c in text if c not in _INVISIBLE)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    if not text.strip():
        raise ValueError("empty input (nothing but blanks or invisible characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_jsonl(path: Path, published: dt.date | None) -> Iterator[Item]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield InputProblem(str(path), str(exc))
        return
    if not raw.strip():
        yield InputProblem(str(path), "empty input")
        return
    for no, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{no}"
        try:
            yield _article_from_json(line, where, published)
        except ValueError as exc:
            yield InputProblem(where, str(exc))


def _article_from_json(line: bytes, where: str, published: dt.date | None) -> Article:
    try:
        rec = json.loads(decode(line))
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(rec, dict):
        raise ValueError("a line must be a JSON object with 'id' and 'text'")
    art_id, text = rec.get("id"), rec.get("text")
    if not isinstance(art_id, (str, int)) or str(art_id).strip() == "":
        raise ValueError("missing or empty 'id'")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"article {art_id!r} has no 'text'")
    text = clean_text(text)
    stated = _iso_date(rec.get("published"), where)
    title, url = rec.get("title"), rec.get("url")
    return Article(id=str(art_id), text=text, source=where,
                   published=stated or find_published_date(text) or published,
                   title=title if isinstance(title, str) and title.strip() else None,
                   url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None)


def _iso_date(value: object, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"'published' is not an ISO date: {value!r}") from None
