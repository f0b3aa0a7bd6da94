"""Dates as answers write them: "2026-12-01", "Dec 1st", "1 December", "in 30 days",
"for 5 more years", "next month", "at the end of next year"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from gateway.governance._numbers import NUMBER, parse_number

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_I = re.IGNORECASE
_FORMS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
               r"(?:,?\s+(?P<y>\d{4})\b)?", _I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\b\.?"
               r"(?:,?\s+(?P<y>\d{4})\b)?", _I),
    re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?\b"),
)
_RELATIVE = re.compile(
    rf"(?:\b(?:in|within|for|another)\s+|^\s*)(?P<n>{NUMBER})\s+(?:more\s+)?"
    r"(?P<unit>days?|weeks?|months?|years?)\b"
    r"|\b(?P<word>today|tonight|tomorrow)\b"
    r"|\bnext\s+(?P<next>week|month|year)\b",
    _I,
)
# "the end of the month", "end of next year": the last day of that period.
_PERIOD_END = re.compile(r"\bend\s+of\s+(?P<which>this|next|the)\s+(?P<period>month|year)\b", _I)
_UNIT_DAYS = {"day": (1, 1), "week": (7, 3), "month": (30, 15), "year": (365, 31)}  # days, tolerance


@dataclass(frozen=True)
class DateRef:
    """A calendar date (year optional) or a distance from today, with a tolerance."""

    month: int = 0
    day: int = 0
    year: int | None = None
    days_from_today: int | None = None
    tolerance: int = 0
    period_end: tuple[str, int] | None = None  # ("year", 1): the end of next year

    def matches(self, when: date, today: date) -> bool:
        if self.period_end is not None:
            return abs((_end_of(today, *self.period_end) - when).days) <= 2
        if self.days_from_today is not None:
            return abs((when - today).days - self.days_from_today) <= self.tolerance
        year_ok = self.year is None or self.year in (when.year, when.year % 100)
        return year_ok and (self.month, self.day) == (when.month, when.day)


def find_date(text: str) -> tuple[DateRef, int] | None:
    """The first date in `text` and the index just after it, or None."""
    best: tuple[DateRef, int, int] | None = None
    for pattern in _FORMS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[1]):
            best = (_calendar(m), m.start(), m.end())
    m = _RELATIVE.search(text)
    if m and (best is None or m.start() < best[1]):
        best = (_relative(m), m.start(), m.end())
    m = _PERIOD_END.search(text)
    if m and (best is None or m.start() < best[1]):
        ahead = 1 if m.group("which").lower() == "next" else 0
        best = (DateRef(period_end=(m.group("period").lower(), ahead)), m.start(), m.end())
    return (best[0], best[2]) if best else None


def _calendar(m: re.Match[str]) -> DateRef:
    groups = m.groupdict()
    month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    year = int(groups["y"]) if groups.get("y") else None
    return DateRef(month=month, day=int(groups["d"]), year=year)


def _relative(m: re.Match[str]) -> DateRef:
    if m.group("next"):
        days, tolerance = _UNIT_DAYS[m.group("next").lower()]
        return DateRef(days_from_today=days, tolerance=max(tolerance, days // 2))
    if m.group("word"):
        return DateRef(days_from_today=0 if m.group("word").lower() != "tomorrow" else 1)
    count = parse_number(m.group("n")) or 0
    days, tolerance = _UNIT_DAYS[m.group("unit").lower().rstrip("s")]
    return DateRef(days_from_today=int(count * days), tolerance=tolerance)


def _end_of(today: date, period: str, ahead: int) -> date:
    if period == "year":
        return date(today.year + ahead, 12, 31)
    month = today.month + ahead
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)
