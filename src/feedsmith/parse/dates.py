"""Finding and parsing date stamps in article files.

Two entry points share one strict grammar:

* :func:`parse_date` reads one value (a front-matter field, a meta tag, a
  date line) and returns the date it holds, or ``None``.
* :func:`find_dates` lists every date stamp inside running text, with the
  label ("Published", "Updated", ...) that introduces it.

:func:`is_date_line` tells whether a line is nothing but a date widget (a
weekday, a label, a city at most), so readers can drop it from the body.

Strictness rules, because a wrong date is worse than none (the pipeline then
falls back to the file time):

* A date needs a four-digit year between 1900 and 2200; "Feb. 11" or
  "Tuesday, June 23" are not dates, and no year or century is ever guessed.
* Relative stamps ("2 hours ago", "yesterday") are not dates.
* Numeric dates are read year-first (``2024-11-05``) or, when dotted, day-first
  (``12.03.2025``). Slashed or dashed ``a/b/yyyy`` dates are only accepted when
  the order is unambiguous (one part above 12, or both parts equal).
* Zone abbreviations become offsets; ET/CT/MT/PT follow US daylight saving for
  the date. A stamp without a zone (or with "Uhr") is in ``default_tz``.

All functions never raise, whatever the input. They are called on many lines
of many articles, so each regex is compiled once, a line only gets the full
grammar when some four-digit run in it sits where a date's year would (see
:func:`_plausible`; ordinary prose costs about 2 µs a line), the optional parts
of each pattern are atomic so failed matches cannot backtrack widely, and
dateutil is only a last resort of :func:`parse_date` for short single values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from .patterns import lazy_compile

MIN_YEAR = 1900
MAX_YEAR = 2200


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date stamp found in text."""

    value: datetime  # always timezone-aware
    kind: str | None  # "published", "updated" or None (unlabelled)
    text: str  # the matched substring
    start: int
    end: int


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene"),
    2: ("february", "feb", "febr", "februar", "février", "fevrier", "févr", "fevr", "febrero"),
    3: ("march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo"),
    4: ("april", "apr", "avril", "avr", "abril", "abr"),
    5: ("may", "mai", "mayo"),
    6: ("june", "jun", "juni", "juin", "junio"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio"),
    8: ("august", "aug", "août", "aout", "agosto", "ago"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic"),
}
_MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}

_WEEKDAYS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
)
_WEEKDAY_SET = frozenset(_WEEKDAYS)

# Abbreviations whose offset does not depend on the date.
_FIXED_ZONES: dict[str, int] = {  # minutes east of UTC
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0,
    "BST": 60, "CET": 60, "WEST": 60, "CEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "IST": 330, "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480, "PHT": 480, "AWST": 480,
    "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
}
# Generic US zones: standard or daylight time depends on the date.
_REGIONAL_ZONES: dict[str, tuple[str, int]] = {  # name -> (IANA zone, fallback minutes)
    "ET": ("America/New_York", -300),
    "CT": ("America/Chicago", -360),
    "MT": ("America/Denver", -420),
    "PT": ("America/Los_Angeles", -480),
}

_UPDATED_LABELS = (
    r"\blast\s+updated\b", r"\blast\s+modified\b", r"\bupdated\b",
    r"\bzuletzt\s+aktualisiert\b", r"\baktualisiert\b", r"\bmis\s+à\s+jour\b",
    r"\bactualizado\b", "最終更新", "更新", "최종\\s?수정", "수정",
)
_PUBLISHED_LABELS = (
    r"\bfirst\s+published\b", r"\bpublished\b", r"\bposted\b", r"\bveröffentlicht\b",
    r"\bpublié\b", r"\bpublicado\b", "公開", "投稿", "配信", "입력",
)


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    """Longest first, so "sept" wins over "sep" and "tues" over "tue"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------

# Month and weekday names are matched as any word and checked against the
# tables afterwards: a 100-way alternation tried at every position is far
# slower than a dictionary lookup on the few words that precede a day or year.
_WORD = r"[^\W\d_]"
_MONTH = rf"(?P<mon>{_WORD}{{3,10}})\b\.?"
_WEEKDAY = rf"(?>(?P<wd>{_WORD}{{2,10}})\b\.?,?\s{{1,3}})?"
_YEAR = r"(?P<y>\d{4})(?!\d)"
_ZONE_NAMES = _alternation(list(_FIXED_ZONES) + list(_REGIONAL_ZONES))
# Case-sensitive: "et" (French "and") or "pt" are not zones.
_ZONE = (
    r"(?-i:(?:GMT|UTC|UT)\s?[+−-]\s?\d{1,2}(?::?\d{2})?(?!\d)"
    r"|[+−-](?:0\d|1[0-4])(?::?[0-5]\d)?(?!\d)"
    rf"|(?:{_ZONE_NAMES})\b)"
)
_AMPM = r"[ap]\.?\s?m\b\.?"


def _time(tag: str) -> str:
    """A clock time with optional am/pm, "Uhr" and zone; group names start with ``tag``."""
    return (
        rf"(?P<{tag}H>\d{{1,2}})"
        rf"(?:(?P<{tag}sep>[:.h])(?P<{tag}M>[0-5]\d)"
        rf"(?::(?P<{tag}S>[0-5]\d)(?:[.,]\d{{1,9}})?)?)?"
        rf"(?:\s{{0,2}}(?P<{tag}ap>{_AMPM}))?"
        rf"(?:\s{{0,2}}(?P<{tag}uhr>Uhr)\b)?"
        rf"(?:\s{{0,2}}\(?(?P<{tag}zone>{_ZONE})\)?)?"
    )


# Latin-script stamps never start inside a word or number (CJK text may touch them).
# The optional parts around a date are atomic ("(?>...)"): once a lead time or
# weekday has matched, re must not retry every shorter way of matching it
# when the date after it fails -- that backtracking cost 5x on date lines.
_GATE = r"(?<![\dA-Za-zÀ-ɏ])"
_LEAD = rf"(?>{_time('l')}\s{{0,3}}[,|·•–—-]?\s{{0,3}}(?:on\s{{1,3}})?)?"
_CONNECT = r"(?:T|\s{0,3}(?:[,|·•@–—-]|\bat\b|\bum\b|à|\ba\s+las\b|\balle\b)?\s{0,3})"
_TRAIL = rf"(?>{_CONNECT}{_time('t')})?"
_NUMERIC_BEFORE = r"(?<![\dA-Za-zÀ-ɏ_./:-])"

_LATIN_DATES: dict[str, str] = {
    # 2024-11-05, 2024/11/05, 2024.11.05 (not inside URLs, file names or version numbers)
    "ymd": _NUMERIC_BEFORE + _YEAR + r"(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)",
    # 12.03.2025 -- dotted numeric dates are day-first
    "dmy": _NUMERIC_BEFORE + r"(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?" + _YEAR,
    # 06/10/2023 or 06-10-2023, accepted only when unambiguous
    "slash": _NUMERIC_BEFORE + r"(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)" + _YEAR,
    # March 3, 2025 / Jun 10 2023 / June 10th, 2023
    "mdy": _MONTH + r"\s{0,3}(?P<d>\d{1,2})(?:st|nd|rd|th)?\b\s{0,3}[,.]?\s{0,3}" + _YEAR,
    # 10 June 2023 / 3. März 2025 / 1er mars 2025 / 3 de marzo de 2025 / 10-Jun-2023
    "dmony": (
        r"(?<![\d.:/+-])(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s{0,3}(?:(?:de|of)\s{1,3})?[-/]?"
        + _MONTH
        + r"[-/]?\s{0,3}(?:(?:de|del)\s{1,3})?,?\s{0,3}"
        + _YEAR
    ),
}

_CJK_AMPM = r"午前|午後|上午|下午|오전|오후"
_CJK_PM = {"午後", "下午", "오후"}
_CJK = (
    r"(?P<core>(?<!\d)(?P<y>\d{4})\s?[年년]\s?(?P<m>\d{1,2})\s?[月월]\s?(?P<d>\d{1,2})\s?[日일]"
    r"(?:\s?[（(][^()（）\d]{1,3}[)）])?)"
    rf"(?:\s{{0,2}}(?P<tap>{_CJK_AMPM})?\s{{0,2}}(?P<tH>\d{{1,2}})\s?(?P<tsep>[:：時时시])\s?"
    rf"(?P<tM>\d{{1,2}})(?!\d)\s?[分분]?(?:\s{{0,2}}\(?(?P<tzone>{_ZONE})\)?)?)?"
)


@dataclass(frozen=True, slots=True)
class _Form:
    name: str
    hint: re.Pattern[str]  # the bare date: searched first, far cheaper than the full pattern
    pattern: re.Pattern[str]


_FORMS: tuple[_Form, ...] = (
    *(
        _Form(
            name,
            lazy_compile(core, re.I),
            lazy_compile(_GATE + _LEAD + rf"(?P<core>{_WEEKDAY}(?P<date>{core}))" + _TRAIL, re.I),
        )
        for name, core in _LATIN_DATES.items()
    ),
    _Form("cjk", lazy_compile(r"\d\s?[年년]"), lazy_compile(_CJK, re.I)),
)

# Pre-checks. Every form has a four-digit year, written right after a date
# separator, a month word or a day ("12.03.", "June 10, ", "3. März ") or right
# before "-", "/", "." or 年. Looking only around each four-digit run rejects
# prose years ("in 2024", "$2025 million") for a fraction of a full scan.
# What precedes a year is matched on the reversed text, anchored at the year,
# so it costs one attempt instead of a search (hence "ht" for "th", "ed" for "de").
_FOUR_DIGITS = lazy_compile(r"\d\d\d\d")
_AFTER_YEAR = lazy_compile(r"[-/.]\d|\s?[年년]")
_BEFORE_YEAR_REVERSED = lazy_compile(
    r"[\s,./-]{1,7}(?:ts|dn|dr|ht)?\d"  # "12.03." "06/10/" "June 10, " "10th "
    r"|\s{0,3},?(?:\s{1,3}(?:led|ed))?\s{0,3}[-/]?\.?"  # "10 June " "3 de marzo de "
    rf"{_WORD}{{3,10}}[-/]?(?:\s{{1,3}}(?:ed|fo))?[\s/-]{{0,3}}(?:ts|dn|dr|ht|re|º|\.)?\d",
    re.I,
)
_BEFORE_YEAR_REACH = 40


def _plausible(text: str) -> bool:
    """Whether any form could match: cheap checks around each four-digit run."""
    for m in _FOUR_DIGITS.finditer(text):
        start, end = m.span()
        if _AFTER_YEAR.match(text, end):
            return True
        before = text[max(0, start - _BEFORE_YEAR_REACH):start][::-1]
        if _BEFORE_YEAR_REVERSED.match(before):
            return True
    return False


_YEARISH = lazy_compile(r"(?<!\d)\d{4}(?!\d)")

_LABEL = lazy_compile(
    rf"(?P<updated>{'|'.join(_UPDATED_LABELS)})|(?P<published>{'|'.join(_PUBLISHED_LABELS)})",
    re.I,
)
_LABEL_AFTER = lazy_compile(r"\s{0,2}[(（]?\s?(?:(?P<updated>更新|수정)|(?P<published>公開|投稿|配信|입력))")
_MAX_LABEL_GAP = 32
_SENTENCE_BREAK = lazy_compile(r"[.!?。]\s")


# --------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _fixed(minutes: int) -> tzinfo:
    return timezone.utc if minutes == 0 else timezone(timedelta(minutes=minutes))


@lru_cache(maxsize=8)
def _regional(name: str) -> tzinfo:
    zone, fallback = _REGIONAL_ZONES[name]
    try:
        return ZoneInfo(zone)
    except Exception:  # no tz database on this system: standard time is the best guess
        return _fixed(fallback)


_OFFSET = lazy_compile(r"(?:GMT|UTC|UT)?\s?([+−-])\s?(\d{1,2}?)(?::?(\d{2}))?$")


def _zone(text: str) -> tzinfo | None:
    """The tzinfo a matched zone token stands for; None when it is not a real offset."""
    text = text.strip("() ")
    if text in _FIXED_ZONES:
        return _fixed(_FIXED_ZONES[text])
    if text in _REGIONAL_ZONES:
        return _regional(text)
    m = _OFFSET.match(text)
    if not m:
        return None
    hours, minutes = int(m[2]), int(m[3] or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if m[1] in "-−" else 1
    return _fixed(sign * (hours * 60 + minutes))


# --------------------------------------------------------------------------
# Turning a match into a datetime
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Clock:
    hour: int
    minute: int
    second: int
    zone: tzinfo | None
    bad_zone: bool  # a zone-like token was matched that is no real offset


def _clock(g: dict[str, str | None], tag: str, *, numeric_offset_ok: bool) -> _Clock | None:
    """The time captured under ``tag``, or None when the digits are not a clock time.

    A bare number counts only with am/pm or "Uhr" ("5 PM", "14 Uhr"); "14.30"
    only with one of them too, so "2025 14.5 million" holds no time.
    Numeric offsets ("-05:00") need seconds or an ISO date, because
    "10:00-11:00" is a time range, not a zone.
    """
    hour_text = g.get(f"{tag}H")
    if hour_text is None:
        return None
    minute_text, ap, uhr = g.get(f"{tag}M"), g.get(f"{tag}ap"), g.get(f"{tag}uhr")
    if (minute_text is None or g.get(f"{tag}sep") == ".") and not (ap or uhr):
        return None
    hour, minute, second = int(hour_text), int(minute_text or 0), int(g.get(f"{tag}S") or 0)
    if ap:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if ap[0] in "pP" or ap in _CJK_PM else 0)
    if hour > 23 or minute > 59:
        return None
    zone = None
    zone_text = g.get(f"{tag}zone")
    if zone_text and (zone_text[0] not in "+-−" or numeric_offset_ok or g.get(f"{tag}S")):
        zone = _zone(zone_text)
    return _Clock(hour, minute, second, zone, bad_zone=bool(zone_text) and zone is None)


def _ymd(form: str, g: dict[str, str | None]) -> tuple[int, int, int] | None:
    """Year, month and day of a match, or None (no month name, ambiguous order)."""
    year = int(g["y"] or 0)
    if form in ("mdy", "dmony"):
        month = _MONTHS.get((g["mon"] or "").casefold())
        return (year, month, int(g["d"] or 0)) if month else None
    if form == "slash":
        a, b = int(g["a"] or 0), int(g["b"] or 0)
        if a > 12 >= b:
            return year, b, a
        if b > 12 >= a or a == b:
            return year, a, b
        return None
    return year, int(g["m"] or 0), int(g["d"] or 0)


def _build(ymd: tuple[int, int, int], clock: _Clock | None, default_tz: tzinfo) -> datetime | None:
    year, month, day = ymd
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    hour, minute, second = (clock.hour, clock.minute, clock.second) if clock else (0, 0, 0)
    zone = (clock.zone if clock else None) or default_tz
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except (ValueError, OverflowError):
        return None


@dataclass(slots=True)
class _Candidate:
    value: datetime
    start: int
    end: int


def _candidate(form: str, m: re.Match[str], default_tz: tzinfo) -> _Candidate | None:
    """A match turned into a date, its span trimmed to the parts that really belong to it.

    The pattern is generous (any word as weekday or month, any number as a
    time); parts that fail the checks here are cut off rather than kept.
    """
    g = m.groupdict()
    ymd = _ymd(form, g)
    if ymd is None:
        return None
    start, end = m.span()
    trail = _clock(g, "t", numeric_offset_ok=form == "ymd")
    lead = _clock(g, "l", numeric_offset_ok=False)
    if g.get("tH") is not None:
        if trail is None:
            end = m.end("core")
        elif trail.bad_zone:
            end = m.start("tzone")
    if g.get("wd") is not None and g["wd"].casefold() not in _WEEKDAY_SET:
        start, lead = m.start("date"), None
    elif g.get("lH") is not None and (lead is None or lead.bad_zone):
        start, lead = m.start("core"), None
    value = _build(ymd, trail or lead, default_tz)
    return _Candidate(value, start, end) if value is not None else None


def _candidates(text: str, default_tz: tzinfo) -> list[_Candidate]:
    """Non-overlapping matches of all forms, earliest (then longest) first."""
    found: list[_Candidate] = []
    for form in _FORMS:
        if not form.hint.search(text):
            continue
        for m in form.pattern.finditer(text):
            cand = _candidate(form.name, m, default_tz)
            if cand is not None:
                found.append(cand)
    found.sort(key=lambda c: (c.start, c.start - c.end))
    chosen: list[_Candidate] = []
    for cand in found:
        if not chosen or cand.start >= chosen[-1].end:
            chosen.append(cand)
    return chosen


def _kind(text: str, window_start: int, start: int, end: int) -> str | None:
    """The label right before a stamp ("Updated: ..."), or right after it (CJK "… 更新")."""
    last = None
    for last in _LABEL.finditer(text, max(window_start, start - 80), start):
        pass
    if last is not None:
        gap = text[last.end():start]
        if len(gap) <= _MAX_LABEL_GAP and not _SENTENCE_BREAK.search(gap):
            return "updated" if last["updated"] else "published"
    after = _LABEL_AFTER.match(text, end, end + 8)
    if after:
        return "updated" if after["updated"] else "published"
    return None


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def find_dates(text: str, default_tz: tzinfo) -> list[FoundDate]:
    """Every date stamp inside a line/paragraph of running text, in order."""
    if not isinstance(text, str):
        return []
    try:
        if not _plausible(text):
            return []
        results = []
        previous_end = 0
        for cand in _candidates(text, default_tz):
            while cand.end > cand.start and text[cand.end - 1].isspace():
                cand.end -= 1
            kind = _kind(text, previous_end, cand.start, cand.end)
            results.append(FoundDate(cand.value, kind, text[cand.start:cand.end], cand.start, cand.end))
            previous_end = cand.end
        return results
    except Exception:  # never let odd input break a build
        return []


def parse_date(text: str | datetime | date, default_tz: tzinfo) -> datetime | None:
    """One date value (a front-matter field, a meta tag, a date line). None when it is not a full date.

    Naive values get ``default_tz``. Strings are read with the strict grammar
    first (the first stamp found wins, so "Published on 2024-11-05 by Alex"
    works); dateutil handles the remaining textual forms (e.g. ctime's
    "Sat Jun 10 05:19:00 2023") under the same no-guessing rules. Strings over
    300 characters are not single values and give None; use :func:`find_dates`.
    """
    try:
        if isinstance(text, datetime):
            value = text if text.utcoffset() is not None else text.replace(tzinfo=default_tz)
            return value if MIN_YEAR <= value.year <= MAX_YEAR else None
        if isinstance(text, date):
            if not MIN_YEAR <= text.year <= MAX_YEAR:
                return None
            return datetime(text.year, text.month, text.day, tzinfo=default_tz)
        if not isinstance(text, str):
            return None
        value_text = text.strip()
        if not value_text or len(value_text) > 300:
            return None
        found = find_dates(value_text, default_tz)
        if found:
            return found[0].value
        return _dateutil_fallback(value_text, default_tz)
    except Exception:
        return None


_FALLBACK_MAX_LEN = 64
_WORDS = lazy_compile(r"[^\W\d_]+")
_BASIC_ISO = lazy_compile(r"\d{8}(?:T\d{4,6}(?:Z|[+-]\d{4})?)?")
_AMBIGUOUS_NUMERIC = lazy_compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_GMT_OFFSET = lazy_compile(r"(?:GMT|UTC|UT)\s*[+−-]", re.I)
_DEFAULT_A = datetime(1904, 1, 1)
_DEFAULT_B = datetime(1905, 2, 2)


def _dateutil_tz(name: str | None, offset: int | None) -> tzinfo | None:
    if name and (zone := _zone(name)) is not None:
        return zone
    if offset is not None and abs(offset) <= 14 * 3600:
        return timezone(timedelta(seconds=offset))
    return None


def _dateutil_fallback(text: str, default_tz: tzinfo) -> datetime | None:
    """dateutil for forms the grammar lacks, kept as strict as the grammar.

    Only short values with a real month name (or basic ISO ``20230610``) are
    tried; a value counts only if parsing with two different defaults gives
    the same year, month and day (nothing was filled in) and the year is
    written out with four digits.
    """
    if len(text) > _FALLBACK_MAX_LEN:
        return None
    basic_iso = _BASIC_ISO.fullmatch(text) is not None
    if not basic_iso:
        if not _YEARISH.search(text) or not any(w.casefold() in _MONTHS for w in _WORDS.findall(text)):
            return None
        if _AMBIGUOUS_NUMERIC.search(text) or _GMT_OFFSET.search(text):
            return None  # ambiguous order / dateutil reads "GMT+3" as UTC-3
    results = []
    for default in (_DEFAULT_A, _DEFAULT_B):
        try:
            results.append(dateutil_parser.parse(text, default=default, tzinfos=_dateutil_tz))
        except (ValueError, OverflowError, TypeError, LookupError):
            return None
    a, b = results
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    if not basic_iso and str(a.year) not in _YEARISH.findall(text):
        return None  # a two-digit year: dateutil guessed the century
    if not MIN_YEAR <= a.year <= MAX_YEAR:
        return None
    return a if a.tzinfo is not None else a.replace(tzinfo=default_tz)


_FILLER = lazy_compile(
    rf"{_LABEL.pattern}|\b(?:{_alternation(_WEEKDAYS)})\b"
    r"|\b(?:on|at|um|am|le|el|de|del|the|of|à|a|las|date|datum|time|stand|heure|fecha|日付|日時|日|時)\b",
    re.I,
)
# Numbers a date widget may show next to the date: "5 min read", "2 hours ago".
_WIDGET_NUMBERS = lazy_compile(
    r"\b\d{1,3}\s?(?:min(?:ute)?s?|minuten?)\.?\s(?:read|lesezeit|de lecture)\b"
    r"|\b\d{1,3}\s?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b",
    re.I,
)
_BYLINE = lazy_compile(r"\b(?:by|von|par|por)\b", re.I)
_MAX_DATE_LINE = 200


def is_date_line(line: str, default_tz: tzinfo) -> bool:
    """The line is essentially only a date/time stamp (a date widget or bar).

    Besides the stamp(s) it may hold a weekday, a label ("Published:",
    "Updated"), connectors, separators, a reading time or age ("5 min read",
    "2 hours ago") and at most two other words, such as a city ("Singapore",
    "New York"). Not date lines: bylines ("By Alex Rivera, March 3, 2025"),
    lines with other numbers ("... drew 14.5 million"), and lines without a
    full date (relative stamps such as "Updated 2 hours ago", "Tuesday, June 23").
    """
    try:
        if not isinstance(line, str):
            return False
        line = line.strip()
        if not line or len(line) > _MAX_DATE_LINE:
            return False
        found = find_dates(line, default_tz)
        if not found:
            return False
        bounds = [0, *(i for stamp in found for i in (stamp.start, stamp.end)), len(line)]
        remainder = " ".join(line[a:b] for a, b in zip(bounds[::2], bounds[1::2]))
        remainder = _WIDGET_NUMBERS.sub(" ", remainder)
        if _BYLINE.search(remainder) or any(c.isdigit() for c in remainder):
            return False
        words = _WORDS.findall(_FILLER.sub(" ", remainder))
        return len(words) <= 2 and sum(map(len, words)) <= 30
    except Exception:
        return False


__all__ = ["FoundDate", "find_dates", "is_date_line", "parse_date", "MIN_YEAR", "MAX_YEAR"]

