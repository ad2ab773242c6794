"""Bytes to articles: `.txt` files, folders of them, and JSON Lines, with strict checks.

A bad input never stops the others: each problem becomes an `InputProblem` naming the file
(and line) and what is wrong, and reading goes on. What is repaired rather than refused
(invisible, control and direction-override characters, lone surrogates, noncharacters, a
`url` that is not one) is reported through `warn`, naming the file (and line) too.

Guarantees on an `Article` read here: its text is valid Unicode in NFC with ``\\n`` line
ends, holds no C0/C1 control character but tab and newline, no zero-width, bidirectional
or other format character, no lone surrogate and no noncharacter (so every substring is
safe for any RDF serializer), is not blank, and has at most `MAX_ARTICLE_BYTES` bytes.

>>> decode("\\ufeffA\\u200b town\\u202e".encode("utf-8"))
'A town'
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Union

from .extract.dates import find_published_date
from .extract.records import Article

MAX_ARTICLE_BYTES = 10_000_000  # hard limit for one article (a .txt file or a JSON line); longer is refused
MAX_ID_CHARS = 200
BINARY_CONTROL_SHARE = 0.05     # text with more control characters than this is taken for binary data

# What article text may not hold, by kind (format characters: Unicode 14's category Cf).
_DIRECTION = "\u202a-\u202e\u2066-\u2069"
_FORMAT = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2060-\u2064"
           "\u206a-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
           "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
_CONTROL = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
_NONCHARACTER = "\ufdd0-\ufdef\ufffe\uffff" + "".join(f"{chr(p + 0xfffe)}{chr(p + 0xffff)}" for p in range(0x10000, 0x110000, 0x10000))
_KINDS = (
    (re.compile(f"[{_DIRECTION}]"), "direction-override characters (U+202A..U+202E, U+2066..U+2069)"),
    (re.compile(f"[{_FORMAT}]"), "invisible format characters (zero-width, byte-order mark, soft hyphen, direction marks)"),
    (re.compile(f"[{_CONTROL}]"), "control characters"),
    (re.compile("[\ud800-\udfff]"), "lone surrogates (broken UTF-16)"),
    (re.compile(f"[{_NONCHARACTER}]"), "noncharacters (U+FFFE, U+FFFF, ...)"),
)
_REMOVE = re.compile(f"[{_DIRECTION}{_FORMAT}{_CONTROL}\ud800-\udfff{_NONCHARACTER}]")
_LINE_BREAK_RE = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be read, and why."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


Item = Union[Article, InputProblem]
Warn = Callable[[str], None]


def _ignore(_message: str) -> None:
    pass


def read_inputs(paths: Iterable[Path], *, published: dt.date | None = None,
                warn: Warn | None = None) -> Iterator[Item]:
    """Articles (and problems) from files and folders, in a stable order, streamed.

    `warn` receives one line per repaired article, e.g.
    ``warning: feed.jsonl:3: removed 2 direction-override characters (U+202A..U+202E, U+2066..U+2069)``.
    """
    say = warn or _ignore
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".jsonl") and p.is_file())
            if not files:
                yield InputProblem(str(path), "folder holds no .txt or .jsonl files")
            for f in files:
                yield from _read_file(f, published, say)
        elif path.exists():
            yield from _read_file(path, published, say)
        else:
            yield InputProblem(str(path), "no such file or folder")


def _read_file(path: Path, published: dt.date | None, warn: Warn) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".jsonl"):
        yield InputProblem(str(path), f"unsupported input type {suffix or '(none)'!r}: give .txt, .jsonl or a folder")
    elif not path.is_file():
        yield InputProblem(str(path), "not a regular file (a device, a pipe or a socket), not read")
    elif suffix == ".jsonl":
        yield from _read_jsonl(path, published, warn)
    else:
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                raise ValueError(_too_big(size))
            removed: Counter[str] = Counter()
            text = decode(path.read_bytes(), removed=removed)
        except OSError as exc:
            yield InputProblem(str(path), f"cannot read the file: {exc.strerror or exc}")
            return
        except ValueError as exc:
            yield InputProblem(str(path), str(exc))
            return
        _report_removed(removed, str(path), warn)
        stated = find_published_date(text)
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
        yield Article(id=path.stem, text=text, source=str(path), published=stated or published,
                      title=title if title and len(title) <= 300 else None)


def _too_big(size: int) -> str:
    return (f"input is {size:,} bytes, more than the {MAX_ARTICLE_BYTES:,} an article may have "
            f"(split it into several articles)")


def decode(data: bytes, *, removed: Counter[str] | None = None) -> str:
    """Strict UTF-8 (BOM allowed), no binary, no empty text; then `clean_text`.

    Raises ValueError saying what is wrong and where (line and column of a bad byte).
    """
    if not data.strip():
        raise ValueError("empty input")
    if len(data) > MAX_ARTICLE_BYTES:
        raise ValueError(_too_big(len(data)))
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise ValueError(f"binary data, not text (a NUL byte at {_position(data, at)})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at {_position(data, exc.start)} "
                         f"(binary data, or text in another encoding: convert it to UTF-8)") from None
    controls = len(_KINDS[2][0].findall(text))
    if controls > max(3, BINARY_CONTROL_SHARE * len(text)):
        raise ValueError(f"binary data, not text ({controls:,} control characters in {len(text):,})")
    return clean_text(text, removed=removed)


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}" if line > 1 else f"column {column}"


def clean_text(text: str, *, removed: Counter[str] | None = None) -> str:
    """Article text every later stage can take: line breaks as ``\\n``, NFC, and no control,
    format (zero-width, direction override), surrogate or noncharacter code points.

    What was taken out is counted by kind in `removed`. Raises ValueError when nothing is left.

    >>> clean_text("a\\u202eb\\r\\nc\\x07")
    'ab\\nc'
    """
    text = _LINE_BREAK_RE.sub("\n", str(text))
    if _REMOVE.search(text):
        if removed is not None:
            for pattern, kind in _KINDS:
                n = len(pattern.findall(text))
                if n:
                    removed[kind] += n
        text = _REMOVE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise ValueError("empty input (nothing but blanks or invisible characters)")
    return text


def _report_removed(removed: Counter[str], where: str, warn: Warn) -> None:
    if removed:
        what = ", ".join(f"{n:,} {kind}" for kind, n in sorted(removed.items()))
        warn(f"warning: {where}: removed {what}")


def _lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of a file, without ever holding more than `limit` bytes of one line:
    a longer line is skipped and given as None."""
    no = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        no += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the over-long line
                line = fh.readline(1 << 20)
            yield no, None
        else:
            yield no, line


def _read_jsonl(path: Path, published: dt.date | None, warn: Warn) -> Iterator[Item]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read the file: {exc.strerror or exc}")
        return
    with fh:
        try:
            head = fh.read(8192)
            fh.seek(0)
        except OSError as exc:
            yield InputProblem(str(path), f"cannot read the file: {exc.strerror or exc}")
            return
        if b"\x00" in head:
            yield InputProblem(str(path), "binary data, not JSON Lines (NUL bytes)")
            return
        seen_any = False
        try:
            for no, line in _lines(fh, MAX_ARTICLE_BYTES):
                where = f"{path}:{no}"
                if line is None:
                    seen_any = True
                    yield InputProblem(where, f"line is more than the {MAX_ARTICLE_BYTES:,} bytes an article "
                                              f"may have (split it into several articles)")
                    continue
                if not line.strip():
                    continue
                seen_any = True
                try:
                    yield _article_from_json(line.rstrip(b"\r\n"), where, published, warn)
                except ValueError as exc:
                    yield InputProblem(where, str(exc))
        except OSError as exc:
            yield InputProblem(str(path), f"cannot read the file: {exc.strerror or exc}")
            return
        if not seen_any:
            yield InputProblem(str(path), "empty input")


def _article_from_json(line: bytes, where: str, published: dt.date | None, warn: Warn) -> Article:
    removed: Counter[str] = Counter()
    raw = decode(line, removed=removed)  # ValueError: empty, binary, not UTF-8, too big
    try:
        rec = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("malformed JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ValueError(f"malformed JSON ({exc})") from None
    if not isinstance(rec, dict):
        raise ValueError(f"a line must be a JSON object with 'id' and 'text', not a JSON {_json_type(rec)}")
    art_id, text = rec.get("id"), rec.get("text")
    if isinstance(art_id, bool) or not isinstance(art_id, (str, int)):
        raise ValueError("missing 'id' (a string or an integer)" if art_id is None
                         else f"'id' must be a string or an integer, not a JSON {_json_type(art_id)}")
    try:
        art_id = clean_text(str(art_id), removed=removed).strip()
    except ValueError:
        art_id = ""
    if not art_id:
        raise ValueError("empty 'id'")
    if len(art_id) > MAX_ID_CHARS:
        raise ValueError(f"'id' is {len(art_id):,} characters, more than {MAX_ID_CHARS}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"article {art_id!r} has no 'text'" if text is None or isinstance(text, str)
                         else f"article {art_id!r}: 'text' must be a string, not a JSON {_json_type(text)}")
    try:
        text = clean_text(text, removed=removed)
    except ValueError as exc:
        raise ValueError(f"article {art_id!r}: {exc}") from None
    stated = _iso_date(rec.get("published"))
    title = _optional_text(rec.get("title"))
    url = _optional_text(rec.get("url"))
    if url is not None and not _URL.fullmatch(url):
        warn(f"warning: {where}: 'url' {url[:100]!r} is not an http(s) URL; left out")
        url = None
    _report_removed(removed, where, warn)
    return Article(id=art_id, text=text, source=where,
                   published=stated or find_published_date(text) or published,
                   title=title, url=url)


def _optional_text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return clean_text(value).strip() or None
    except ValueError:
        return None


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def _iso_date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"'published' is not an ISO date (YYYY-MM-DD): {str(value)[:40]!r}") from None
