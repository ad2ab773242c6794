"""Tests for extract/dates.py: date mentions to ISO values at the precision the text states."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

try:
    from conflict_kg.extract.dates import DateValue, Precision, find_published_date, resolve_date
except ImportError:  # running from a source checkout that is not installed
    from extract.dates import DateValue, Precision, find_published_date, resolve_date

WED = datetime.date(2018, 6, 13)  # a Wednesday
EARLY_JULY = datetime.date(2018, 7, 4)  # a Wednesday, a week after June ended

DAY, MONTH, YEAR = "day", "month", "year"


# --------------------------------------------------------------------------------------------
# DateValue


@pytest.mark.parametrize(
    ("value", "precision", "xsd_type"),
    [("2018-06-13", DAY, "date"), ("2018-06", MONTH, "gYearMonth"), ("2018", YEAR, "gYear")],
)
def test_date_value_xsd_type(value: str, precision: Precision, xsd_type: str) -> None:
    assert DateValue(value, precision).xsd_type == xsd_type


@pytest.mark.parametrize(
    ("value", "precision"),
    [("2018-06", DAY), ("2018-06-13", MONTH), ("18", YEAR), ("2018", "week"), ("June 2018", MONTH)],
)
def test_date_value_rejects_text_not_at_its_precision(value: str, precision: Any) -> None:
    with pytest.raises(ValueError):
        DateValue(value, precision)


def test_date_value_is_frozen() -> None:
    value = DateValue("2018", "year")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, "value", "2019")


# --------------------------------------------------------------------------------------------
# resolve_date: positive cases


@pytest.mark.parametrize(
    ("expression", "published", "value", "precision"),
    [
        # Weekdays: the latest such day on or before publication.
        ("Tuesday", WED, "2018-06-12", DAY),
        ("on Monday", WED, "2018-06-11", DAY),
        ("Wednesday", WED, "2018-06-13", DAY),
        ("Thursday", WED, "2018-06-07", DAY),
        ("Sunday night", WED, "2018-06-10", DAY),
        ("by Tuesday morning", WED, "2018-06-12", DAY),
        ("late Monday night", WED, "2018-06-11", DAY),
        ("midday Saturday", WED, "2018-06-09", DAY),
        ("early Friday", WED, "2018-06-08", DAY),
        ("in the early hours of Sunday", WED, "2018-06-10", DAY),
        ("Tuesday evening local time", WED, "2018-06-12", DAY),
        ("Tues.", WED, "2018-06-12", DAY),
        ("Saturday's", WED, "2018-06-09", DAY),
        ("Monday at 6 a.m.", WED, "2018-06-11", DAY),
        ("last Wednesday", WED, "2018-06-06", DAY),
        ("Sunday, June 3", WED, "2018-06-03", DAY),
        # Days relative to publication.
        ("yesterday", WED, "2018-06-12", DAY),
        ("yesterday afternoon", WED, "2018-06-12", DAY),
        ("today", WED, "2018-06-13", DAY),
        ("overnight", WED, "2018-06-12", DAY),
        ("last night", WED, "2018-06-12", DAY),
        ("this morning", WED, "2018-06-13", DAY),
        ("three days ago", WED, "2018-06-10", DAY),
        # Months relative to publication.
        ("last month", WED, "2018-05", MONTH),
        ("this month", WED, "2018-06", MONTH),
        ("earlier this month", WED, "2018-06", MONTH),
        ("over the past month", WED, "2018-06", MONTH),
        ("the past month", WED, "2018-06", MONTH),
        ("in recent weeks", WED, "2018-06", MONTH),
        ("over the past two weeks", WED, "2018-06", MONTH),
        ("in the last few days", WED, "2018-06", MONTH),
        ("last week", WED, "2018-06", MONTH),
        ("last week", EARLY_JULY, "2018-06", MONTH),
        ("earlier this week", WED, "2018-06", MONTH),
        ("two weeks ago", WED, "2018-05", MONTH),
        # Years relative to publication.
        ("last year", WED, "2017", YEAR),
        ("this year", WED, "2018", YEAR),
        ("earlier this year", WED, "2018", YEAR),
        ("a year ago", WED, "2017", YEAR),
        # Absolute dates, at the precision they are written.
        ("in 2011", WED, "2011", YEAR),
        ("2011", WED, "2011", YEAR),
        ("September 2012", WED, "2012-09", MONTH),
        ("since September 2012", WED, "2012-09", MONTH),
        ("June 21, 2013", WED, "2013-06-21", DAY),
        ("21 June 2013", WED, "2013-06-21", DAY),
        ("the 21st of June 2013", WED, "2013-06-21", DAY),
        ("2013-06-21", WED, "2013-06-21", DAY),
        ("early 2013", WED, "2013", YEAR),
        ("late 2014", WED, "2014", YEAR),
        ("mid-2012", WED, "2012", YEAR),
        ("summer 2015", WED, "2015", YEAR),
        ("the first half of 2016", WED, "2016", YEAR),
        # Day and month without a year: the latest one on or before publication.
        ("on June 2", WED, "2018-06-02", DAY),
        ("June 13", WED, "2018-06-13", DAY),
        ("on June 20", WED, "2017-06-20", DAY),
        ("in April", WED, "2018-04", MONTH),
        ("in June", WED, "2018-06", MONTH),
        ("in October", WED, "2017-10", MONTH),
        ("the end of February", WED, "2018-02", MONTH),
        ("fall 2015", WED, "2015", YEAR),
        # A range of days only pins down its month (dateparser alone reads "11-12" as year 2012).
        ("June 11-12", WED, "2018-06", MONTH),
        ("9-10 September 2016", WED, "2016-09", MONTH),
        ("the 3rd and 4th of May", WED, "2018-05", MONTH),
    ],
)
def test_resolve_date(expression: str, published: datetime.date, value: str, precision: Precision) -> None:
    assert resolve_date(expression, published) == DateValue(value, precision)


# --------------------------------------------------------------------------------------------
# resolve_date: durations, vague spans, non-dates, future and too-old results


@pytest.mark.parametrize(
    "expression",
    [
        # Durations, not points in time.
        "eight-month",
        "an eight-month siege",
        "5 min read",
        "four weeks",
        "six months",
        "two years",
        "a decade",
        "decades",
        "for decades",
        "ten minutes",
        # Vague spans.
        "the past few years",
        "recent years",
        "over the past three years",
        "the past 24 hours",
        "the 1980s",
        "2016-17",
        "2014/2015",
        # Relative to something other than publication.
        "the previous day",
        "two days later",
        # Clock times and bare numbers.
        "9:45 PM",
        "21:30 GMT",
        "midnight",
        "12",
        "3rd",
        "week",
        "",
        "   ",
        # After publication.
        "tomorrow",
        "next week",
        "next year",
        "later this month",
        "this Friday",
        "in 2019",
        "July 2018",
        "2018-06-14",
        # Before 1900.
        "1776",
        "March 1865",
    ],
)
def test_resolve_date_rejects(expression: str) -> None:
    assert resolve_date(expression, WED) is None


@pytest.mark.parametrize(
    "expression",
    [
        "Tuesday",
        "on Monday",
        "yesterday",
        "today",
        "overnight",
        "last month",
        "the past month",
        "in recent weeks",
        "last week",
        "this year",
        "two weeks ago",
        "on June 2",
        "in April",
    ],
)
def test_relative_expression_needs_publication_date(expression: str) -> None:
    assert resolve_date(expression, None) is None


@pytest.mark.parametrize(
    ("expression", "value", "precision"),
    [
        ("in 2011", "2011", YEAR),
        ("September 2012", "2012-09", MONTH),
        ("since September 2012", "2012-09", MONTH),
        ("21 June 2013", "2013-06-21", DAY),
        ("June 21, 2013", "2013-06-21", DAY),
        ("late 2014", "2014", YEAR),
    ],
)
def test_absolute_expression_without_publication_date(expression: str, value: str, precision: Precision) -> None:
    assert resolve_date(expression, None) == DateValue(value, precision)


@pytest.mark.parametrize("expression", ["1776", "the 1980s", "three weeks", "9:45 PM"])
def test_non_dates_without_publication_date(expression: str) -> None:
    assert resolve_date(expression, None) is None


def test_never_after_publication() -> None:
    """Weekdays, months and windows stay on or before the day of publication, for every day."""
    start = datetime.date(2018, 1, 1)
    for offset in range(0, 365, 5):
        published = start + datetime.timedelta(days=offset)
        for expression in ("Friday", "Sunday night", "in March", "on May 15", "the past month", "last week"):
            result = resolve_date(expression, published)
            assert result is not None, (expression, published)
            assert result.first_day <= published, (expression, published, result)


# --------------------------------------------------------------------------------------------
# find_published_date


def _article(*header: str) -> str:
    return "\n".join(["Militia shells port as talks stall", "", *header, "", "Fighting resumed at dawn."])


@pytest.mark.parametrize(
    "dateline",
    [
        "June 13 2018 9:45 PM",
        "Published: Wed, June 13, 2018",
        "13 June, 2018",
        "2018-06-13",
        "Posted on 13 June 2018 at 21:45",
        "Updated: 13 Jun 2018 21:45 GMT",
        "Last updated 09:15 BST, Wednesday 13 June 2018",
        "2018-06-13T21:45:00+03:00",
        "Jun. 13, 2018 | 9:45 p.m. ET",
        "Wednesday 13 June 2018 21:45 UTC+3",
        "(June 13, 2018)",
    ],
)
def test_find_published_date(dateline: str) -> None:
    assert find_published_date(_article("By Sam Okoro", dateline)) == WED


@pytest.mark.parametrize(
    "line",
    [
        "On June 13, 2018 the militia shelled the port.",
        "Witnesses said that June 13, 2018 was the worst day.",
        "3 min read",
        "June 2018",
        "Wednesday",
        "2018",
        "9:45 PM",
        "Published: 5 hours ago",
        "Updated yesterday",
        "Page 2 of 4",
    ],
)
def test_find_published_date_ignores_non_datelines(line: str) -> None:
    assert find_published_date(_article(line)) is None


def test_find_published_date_skips_sentences_and_takes_first_dateline() -> None:
    text = _article("On 2 May 2018 the ceasefire began.", "Published: 13 June 2018", "Updated: 14 June 2018")
    assert find_published_date(text) == WED


def test_find_published_date_reads_only_the_header() -> None:
    filler = [f"Paragraph {n} about the siege." for n in range(15)]
    text = "\n\n".join([*filler, "13 June 2018"])  # blank lines do not count towards max_lines
    assert find_published_date(text) is None
    assert find_published_date(text, max_lines=16) == WED


def test_find_published_date_empty() -> None:
    assert find_published_date("") is None
