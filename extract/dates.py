"""Resolve the date expressions of a news article to ISO values at the precision the text states.

Two entry points:

* :func:`find_published_date` reads the article's dateline, the anchor every relative
  expression ("Thursday", "last month") is resolved against.
* :func:`resolve_date` turns one date mention (typically a spaCy ``DATE`` entity) into a
  :class:`DateValue` -- ``"2017-11-09"``, ``"2017-11"`` or ``"2017"`` -- or ``None`` when the
  mention is not a point in time (a duration, a vague span, a bare clock time).

Parsing is done by ``dateparser``; this module only normalises the expression first (drops
prepositions, "late"/"early", times of day) and adds the few rules dateparser has no notion of:
precision, "on or before publication" for weekday names, windows such as "over the past month",
and rejecting durations that dateparser would read as "N units ago".

>>> import datetime
>>> resolve_date("late Thursday night", datetime.date(2017, 11, 10))
DateValue(value='2017-11-09', precision='day')
>>> resolve_date("earlier this month", datetime.date(2017, 11, 10)).xsd_type
'gYearMonth'
>>> resolve_date("three weeks", datetime.date(2017, 11, 10)) is None
True
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Literal

from dateparser.date import DateDataParser

__all__ = ["DateValue", "Precision", "find_published_date", "resolve_date"]

Precision = Literal["day", "month", "year"]

_XSD_TYPES: dict[str, str] = {"day": "date", "month": "gYearMonth", "year": "gYear"}
_VALUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "year": re.compile(r"\d{4}"),
}
_MIN_YEAR = 1900


@dataclass(frozen=True)
class DateValue:
    """A calendar date, month or year: only as precise as the text was, so "in March" is not
    silently turned into March 1st."""

    value: str
    """ISO text at ``precision``: ``"2017-11-09"``, ``"2017-11"`` or ``"2017"``."""
    precision: Precision
    """``"day"``, ``"month"`` or ``"year"``."""

    def __post_init__(self) -> None:
        pattern = _VALUE_PATTERNS.get(self.precision)
        if pattern is None:
            raise ValueError(f"DateValue precision must be day, month or year, not {self.precision!r}")
        if not pattern.fullmatch(self.value):
            raise ValueError(f"DateValue value {self.value!r} is not ISO text at {self.precision} precision")

    @property
    def xsd_type(self) -> str:
        """Local name of the XSD datatype for the literal: ``date``, ``gYearMonth`` or ``gYear``."""
        return _XSD_TYPES[self.precision]

    @property
    def first_day(self) -> datetime.date:
        """Earliest day the value can mean; what "not after publication" is checked against."""
        parts = [int(p) for p in self.value.split("-")]
        return datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    @classmethod
    def from_date(cls, day: datetime.date, precision: Precision) -> DateValue:
        """Truncate ``day`` to ``precision``."""
        text = {"day": day.isoformat(), "month": f"{day.year:04d}-{day.month:02d}", "year": f"{day.year:04d}"}
        return cls(text[precision], precision)


# --------------------------------------------------------------------------------------------
# Shared vocabulary

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAYS = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|"
    r"sat(?:urday)?|sun(?:day)?"
)
_TIMEZONES = (
    r"utc|gmt|z|bst|ist|cet|cest|eet|eest|wet|west|msk|trt|ast|est|edt|cst|cdt|mst|mdt|pst|pdt|"
    r"et|ct|mt|pt|eat|wat|cat|sast|pkt|aest|aedt|jst|kst|hkt|sgt|ict|wib"
)
_NUMBER_WORDS = (
    r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|\d+"
)
_AMPM = r"(?:a\.?m\.?|p\.?m\.?)(?![a-z])"
_TIME_OF_DAY = re.compile(
    rf"(?<![\dT:])(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s*{_AMPM})?|\d{{1,2}}(?:\.\d{{2}})?\s*{_AMPM})"
    rf"(?:\s*\(?(?:{_TIMEZONES})(?:\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?)?\)?(?![a-z]))?",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# find_published_date


_DATELINE_PREFIX = re.compile(
    r"^(?:(?:first|last)\s+)?(?:published|updated|posted|modified|dated?)(?:\s+(?:on|at))?\s*[:\-]?\s*",
    re.IGNORECASE,
)
_DATELINE_WORDS = re.compile(rf"(?:{_MONTHS}|{_WEEKDAYS}|{_TIMEZONES}|at|on|of|the|am|pm)", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_MONTH_WORD = re.compile(rf"\b(?:{_MONTHS})\b\.?", re.IGNORECASE)
_ISO_DATETIME = re.compile(r"\b(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b")
_UTC_OFFSET = re.compile(r"\b(?:utc|gmt)\s*[+-]\d{1,2}(?::?\d{2})?\b|(?<=\s)[+-]\d{2}:?\d{2}\b", re.IGNORECASE)

_DATELINE_PARSER = DateDataParser(
    languages=["en"],
    settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"},
)


def find_published_date(text: str, *, max_lines: int = 15) -> datetime.date | None:
    """The publication date stated in an article's header lines, or None.

    Relative mentions in the body are resolved against it, so a wrong anchor corrupts every
    date of the article: only the first ``max_lines`` non-empty lines are read, and only a line
    that is essentially a date (optionally with "Published:", "Updated:", "Posted on", a weekday,
    a time and a timezone) counts -- never a date inside a sentence, never a line without a year.

    >>> find_published_date("Rebels cut the road\\nPublished: Fri, March 15, 2019 14:05 GMT\\nText.")
    datetime.date(2019, 3, 15)
    """
    seen = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > max_lines:
            break
        found = _dateline_date(line)
        if found is not None:
            return found
    return None


def _dateline_date(line: str) -> datetime.date | None:
    """The date of a line that is nothing but a (possibly prefixed and timed) date."""
    rest = _DATELINE_PREFIX.sub("", line, count=1)
    rest = _ISO_DATETIME.sub(r"\1", rest)
    rest = _TIME_OF_DAY.sub(" ", rest)
    rest = _UTC_OFFSET.sub(" ", rest)
    # Every word must belong to a date: "2 min read" or a sentence with a date in it fails here.
    for word in re.findall(r"[A-Za-z]+", rest):
        if not _DATELINE_WORDS.fullmatch(word):
            return None
    if re.search(r"[^\w\s,./\-|:()]", rest):
        return None
    if not (_MONTH_WORD.search(rest) or _NUMERIC_DATE.search(rest)):
        return None
    rest = re.sub(rf"\b(?:at|on|of|the|{_TIMEZONES})\b", " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"[|()]", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" ,.-:")
    if not rest:
        return None
    parsed = _DATELINE_PARSER.get_date_data(rest)
    if parsed.date_obj is None or parsed.date_obj.year < _MIN_YEAR:
        return None
    found: datetime.date = parsed.date_obj.date()
    return found


# --------------------------------------------------------------------------------------------
# resolve_date

_LEADING_WORDS = re.compile(
    r"^(?:on|in|by|since|from|until|till|through|throughout|during|at|as\s+of|before|after|around|"
    r"about|circa|starting|beginning|sometime|some\s+time|as\s+(?:early|late|recently)\s+as|"
    r"over|within|for)\s+",
    re.IGNORECASE,
)
# Modifiers that narrow a period without changing which day/month/year is meant.
_MODIFIERS = re.compile(
    r"\b(?:the\s+)?(?:(?:end|beginning|start|middle|first\s+half|second\s+half|"
    r"(?:first|second|third|fourth)\s+quarter|spring|summer|autumn|fall|winter)\s+of|"
    r"(?:very\s+)?(?:early|late|mid)(?:\s+(?:hours|part)\s+of)?|midday|spring|summer|autumn|winter|"
    r"fall(?=\s+\d{4})|earlier)"
    r"\b[\s-]*",
    re.IGNORECASE,
)
_PART_OF_DAY = re.compile(
    r"\b(?:(?:the\s+)?(?:night|morning|evening|afternoon|small\s+hours|early\s+hours)\s+of|"
    r"morning|afternoon|evening|night|overnight|noon|midnight|local\s+time)\b",
    re.IGNORECASE,
)
_WEEKDAY_ONLY = re.compile(rf"(?:{_WEEKDAYS})\.?", re.IGNORECASE)
_WEEKDAY_ANY = re.compile(rf"\b(?:{_WEEKDAYS})\b", re.IGNORECASE)
_WEEKDAY_ABBREVIATIONS = {"tues": "Tuesday", "weds": "Wednesday", "thur": "Thursday", "thurs": "Thursday"}
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
# "June 11-12" / "11 to 12 June": dateparser reads the second day as a year ("2012-06-11").
_DAY_RANGE = re.compile(
    rf"\b(?P<m1>{_MONTHS})\.?\s+{_ORDINAL}\s*(?:-|to|and)\s*{_ORDINAL}\b"
    rf"|\b{_ORDINAL}\s*(?:-|to|and)\s*{_ORDINAL}\s+(?:of\s+)?(?P<m2>{_MONTHS})\b",
    re.IGNORECASE,
)
# "2017-18", "2014/2015": a span of years, which dateparser reads as a day ("2017-06-18").
_YEAR_RANGE = re.compile(r"(?<![\d-])\d{4}\s*[-/]\s*\d{2}(?:\d{2})?(?![\d-])")
_DECADE = re.compile(r"(?:\b|')\d{2,4}'?s\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)?", re.IGNORECASE)
_UNIT = re.compile(
    r"\b(?:sec(?:ond)?|min(?:ute)?|h(?:ou)?r|day|week|fortnight|month|quarter|year|decade|century|centurie)s?\b",
    re.IGNORECASE,
)
_ANCHOR = re.compile(r"\b(?:ago|last|this|past|previous|recent)\b", re.IGNORECASE)
# A span reaching back from publication ("over the past month", "in recent weeks").
_WINDOW = re.compile(
    rf"(?:(?:over|in|during|within|for|throughout)\s+)?(?:(?P<the>the)\s+)?"
    rf"(?P<which>past|last|recent)\s+(?:(?P<count>few|several|many|couple\s+of|{_NUMBER_WORDS})\s+)?"
    r"(?P<unit>hours?|days?|weeks?|fortnight|months?|years?|decades?|centuries|century)",
    re.IGNORECASE,
)
_VAGUE = re.compile(r"\b(?:few|several|many|couple|number\s+of|some)\b", re.IGNORECASE)

_RELATIVE_PROBE_BASES = (datetime.datetime(2101, 6, 15), datetime.datetime(2103, 9, 22))


@functools.lru_cache(maxsize=256)
def _parser(base: datetime.datetime) -> DateDataParser:
    """One parser per relative base: articles share publication dates, and building one per
    call would repeat dateparser's setup."""
    return DateDataParser(
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False},
    )


def resolve_date(expression: str, published: datetime.date | None) -> DateValue | None:
    """Resolve a date expression found in an article against its publication date.

    A weekday is the latest such day on or before publication; "last week" is the month of the
    day a week before it; windows such as "over the past month" or "in recent weeks" give the
    publication month. Without ``published`` only absolute expressions ("4 March 2016",
    "August 2014") resolve. Durations ("three weeks"), vague spans ("the past few years"), bare
    clock times and anything after publication or before 1900 give None, because a wrong date
    in the graph is worse than none.

    >>> resolve_date("on Thursday", datetime.date(2017, 11, 10)).value
    '2017-11-09'
    >>> resolve_date("since August 2014", None)
    DateValue(value='2014-08', precision='month')
    """
    text = _normalise(expression)
    if not text:
        return None
    lowered = text.lower()
    if _YEAR_RANGE.search(lowered):
        return None
    if _DECADE.search(lowered):
        return None  # "the 1990s": dateparser reads "1990s" as 1990 seconds ago.
    if _BARE_NUMBER.fullmatch(lowered) and not re.fullmatch(r"\d{4}", lowered):
        return None  # "15" or "4th" alone is not a date.

    window = _WINDOW.fullmatch(lowered)
    if window is not None and (window["the"] or window["count"] or window["which"] != "last"
                               or window["unit"].endswith("s")):
        return _window_value(window["unit"], window["count"], published)
    if _UNIT.search(lowered) and not _ANCHOR.search(lowered):
        return None  # A duration: "three weeks", "a six-month battle", "2 min read".
    if _VAGUE.search(lowered):
        return None

    if lowered == "overnight":
        # The night before publication: the article was written the next morning.
        if published is None:
            return None
        return _bounded(DateValue.from_date(published - datetime.timedelta(days=1), "day"), published)
    bare = re.sub(r"\s+", " ", _PART_OF_DAY.sub(" ", text)).strip(" ,.-")
    if not bare:
        return None  # Only a time of day: "11:10 PM", "midnight".
    if _WEEKDAY_ONLY.fullmatch(bare):
        # dateparser picks the weekday strictly before its base; shift the base one day so the
        # publication day itself counts ("Friday" in a Friday article is that Friday).
        if published is None:
            return None
        base = datetime.datetime.combine(published + datetime.timedelta(days=1), datetime.time())
        return _bounded(_parse(bare, base, weekday=True), published)

    if published is not None:
        base = datetime.datetime.combine(published, datetime.time())
        return _bounded(_parse(text, base, weekday=bool(_WEEKDAY_ANY.search(text))), published)

    # No anchor: accept only what reads the same whatever "now" is.
    weekday = bool(_WEEKDAY_ANY.search(text))
    first, second = (_parse(text, base, weekday=weekday) for base in _RELATIVE_PROBE_BASES)
    if first is None or first != second:
        return None
    return _bounded(first, None)


def _normalise(expression: str) -> str:
    """Trim what dateparser stumbles over but does not change the date: prepositions, quotes,
    possessives, "late"/"early"/"mid-", clock times."""
    text = expression.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text).strip(" \t\"'`,;:()[]")
    text = re.sub(r"'s$", "", text, flags=re.IGNORECASE).strip()
    text = _TIME_OF_DAY.sub(" ", text)
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_WORDS.sub("", text).strip()
        text = _MODIFIERS.sub(" ", text)
        text = re.sub(r"\s+", " ", text).strip(" ,.-")
    text = re.sub(r"\s+at$", "", text, flags=re.IGNORECASE)
    # A range of days only pins down its month.
    text = _DAY_RANGE.sub(lambda m: m["m1"] or m["m2"], text)
    text = re.sub(
        r"\b(tues|weds|thurs?)\b\.?",
        lambda m: _WEEKDAY_ABBREVIATIONS[m.group(1).lower()],
        text,
        flags=re.IGNORECASE,
    )
    return text


def _window_value(unit: str, count: str | None, published: datetime.date | None) -> DateValue | None:
    """A span ending at publication: the publication month when it is a month or shorter, else
    None (a multi-year span has no single gYear)."""
    if published is None:
        return None
    unit = unit.lower()
    short = unit.startswith(("day", "week", "fortnight")) or (unit == "month" and count in (None, "a", "one"))
    if not short:
        return None
    return DateValue.from_date(published, "month")


@functools.lru_cache(maxsize=1 << 14)  # "on Thursday", "last week": the same few phrases at the same dates
def _parse(text: str, base: datetime.datetime, *, weekday: bool) -> DateValue | None:
    """Let dateparser read ``text`` at ``base`` and keep the precision its ``period`` reports."""
    data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    period = data.period
    precision: Precision
    if period == "day" or period == "time":
        precision = "day"
    elif period == "week":
        # "Thursday" is a day; "last week" or "two weeks ago" only pins down a month.
        precision = "day" if weekday else "month"
    elif period == "month":
        precision = "month"
    elif period in ("year", "quarter"):
        precision = "year"
    else:
        return None
    return DateValue.from_date(data.date_obj.date(), precision)


def _bounded(value: DateValue | None, published: datetime.date | None) -> DateValue | None:
    """Drop values before 1900 or starting after publication: news reports what has happened."""
    if value is None:
        return None
    first = value.first_day
    if first.year < _MIN_YEAR:
        return None
    if published is not None and first > published:
        return None
    return value
