"""Reader for plain text: a news page scraped to text, or any text at all.

It is the fallback reader: it accepts every non-empty text. A scraped page
carries more than the story -- date widgets, weather, navigation, captions and
photo credits, share bars, cookie and newsletter prompts, script code,
"Hot this week" lists, author blocks and bios, copyright footers. The reader
finds the story by general signals (see :mod:`.signals`): where a line is,
how long it is, its punctuation, known boilerplate phrases in several
languages, byline/sign-off/attribution/bio sentence patterns. Everything it
drops is listed in ``Extracted.dropped`` with the reason, and every field it
sets says in ``Extracted.sources`` which line it came from.

Steps, in order:

1. Split into units: one per non-blank line, or one per paragraph when the
   text is hard-wrapped at a fixed width.
2. Classify each unit: boilerplate (with a reason), date line, byline, photo
   caption or credit, author block (a name line over a job-title line).
3. Find the headline: the title-like unit nearest the top that is not
   boilerplate, caption or date; the story starts at the first unit that is
   not title-like. Short lines above the headline are page header.
4. Cut the trailer at the first "Hot this week" / "Related Posts" / "More
   from ..." heading after the story.
5. At the end of the story: author bios, sign-offs ("... /TISG"), bare
   publication names; at its start: a wire dateline ("SEOUL (AP) --").
6. Provider signals by strength: sign-off, attribution ("Read the full story
   at X", "Source: X"), dateline, bio, copyright line, byline agency. In-text
   mentions ("as reported by X") are never used.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..errors import ParseError
from ..text import squash_spaces, truncate_words
from . import signals as sg
from .base import Extracted, ReadContext
from .dates import find_dates, is_date_line
from .patterns import lazy_compile

SUMMARY_LIMIT = 300
_HAS_DIGIT = lazy_compile(r"\d")
_YEARISH = lazy_compile(r"(?<!\d)\d{4}(?!\d)")
_SENTENCE_END = lazy_compile(r"[.!?…。！？\"”’)]$")
_TRUNCATED = lazy_compile(r"(?:\.\.\.|…)\s*$")
_PRONOUN_START = lazy_compile(r"^(?:He|She|They|His|Her|Their|Er|Sie|Il|Elle|Él|Ella)\b")
_ABOUT_AUTHOR = lazy_compile(
    r"^(?:about the authors?|about the writer|the author|über den autor|über die autorin|"
    r"à propos de l'auteur|sobre el autor|sobre la autora|著者について|筆者紹介)\s*:?$",
    re.I,
)

# Kinds a unit can have.
_CONTENT = "content"
_DROP = "drop"
_DATE = "date"
_BYLINE = "byline"
_CAPTION = "caption"
_CREDIT = "credit"
_AUTHOR = "author"
_HEADLINE = "headline"
_SIGNOFF = "signoff"

# What may surround a date in a stamp line besides the date itself.
_STAMP_FILLER = lazy_compile(
    r"\b\d{1,2}[.:h]\d{2}(?:[.:]\d{2})?\b|\b\d+\s?(?:min(?:ute)?s?|hours?|hrs?|h|days?|mins?)\b|"
    r"\b(?:[ap]\.?m\.?|gmt|utc|(?-i:[A-Z]{2,4}T|ET|PT|CT|MT|Z)|uhr|ago|just now|updated?|published|posted|last|"
    r"modified|on|at|am|um|le|el|de|à|mis à jour|publié|publicado|actualizado|veröffentlicht|aktualisiert|"
    r"read|reading|time|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|gmt[+-]\d{1,2})\b\.?|[+-]\d{1,2}(?::?\d{2})?\b|[|·•,;:()\[\]/–—-]",
    re.I,
)

_SOURCE_LABEL = lazy_compile(
    r"^\W*(?:source|sources|quelle|quellen|fuente|fuentes|fonte|bron|källa|kilde|źródło|sumber|"
    r"出典|出所|ソース|配信元|提供|来源|來源|출처)\s*[:：]",
    re.I,
)

# Dropped lines that are page chrome: a headline is looked for below the last of them.
_CHROME = frozenset({"navigation", "cookie banner", "notification prompt", "code", "newsletter", "footer",
                     "advertisement", "trailer heading"})

_PROVIDER_RANK = {"sign-off": 0, "attribution": 1, "dateline": 2, "bio": 3, "copyright": 4, "byline": 5}


@dataclass(slots=True)
class _Unit:
    text: str
    line: int  # 1-based line number where the unit starts
    gap_before: bool  # a blank line (or the start of the text) precedes it
    kind: str = _CONTENT
    reason: str = ""
    trailer: str | None = None
    byline: sg.Byline | None = None


# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------


def _wrap_width(lines: list[str]) -> int | None:
    """The fixed width a text is hard-wrapped at, or None when each line is a paragraph.

    Hard-wrapped text has many lines of nearly the same length, and those lines
    mostly break mid-sentence; one-line paragraphs mostly end with a full stop.
    """
    lengths = [len(x) for x in lines if x]
    if len(lengths) < 4:
        return None
    width = max(lengths)
    if width > 100 or width < 40:
        return None
    long_lines = [i for i, x in enumerate(lines)
                  if len(x) >= 0.7 * width and i + 1 < len(lines) and lines[i + 1]]
    if len(long_lines) < 3 or len(long_lines) < 0.3 * len(lengths):
        return None
    ended = sum(1 for i in long_lines if _SENTENCE_END.search(lines[i]))
    return width if ended < 0.5 * len(long_lines) else None


def _units(text: str) -> list[_Unit]:
    lines = [sg.normalize_line(x) for x in text.split("\n")]
    width = _wrap_width(lines)
    units: list[_Unit] = []
    gap = True
    joining = False
    for number, line in enumerate(lines, start=1):
        if not line:
            gap = True
            joining = False
            continue
        if joining and units:
            previous = units[-1].text
            glue = "" if sg.has_cjk(line[:1]) and sg.has_cjk(previous[-1:]) else " "
            units[-1].text = previous + glue + line
        else:
            units.append(_Unit(line, number, gap))
        gap = False
        joining = width is not None and len(line) >= 0.7 * width
    return units


# --------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------


class _Extraction:
    """One run over one text; keeps the units and what was found."""

    def __init__(self, text: str, default_tz: tzinfo, registry=None) -> None:
        self.tz = default_tz
        self.registry = registry
        self.units = _units(text)
        self.draft = Extracted()
        self.providers: list[tuple[int, int, str, str, int]] = []  # (rank, order, name, source, unit)
        self.dates: list[tuple[str | None, datetime, int]] = []  # (kind, value, line)
        self.authors: list[tuple[int, str, str]] = []  # (rank, name, source)
        self.source_lines: set[int] = set()  # "Source: X" lines (chart and quote sources look the same)
        self.tail_start = 0  # where the last few story paragraphs begin

    # -- helpers ---------------------------------------------------------

    def drop(self, unit: _Unit, reason: str, kind: str = _DROP) -> None:
        unit.kind = kind
        unit.reason = reason

    def provider(self, name: str | None, how: str, line: int, index: int = -1) -> None:
        if name:
            rank = _PROVIDER_RANK[how]
            self.providers.append((rank, len(self.providers), name, f"{how} line {line}", index))

    def author(self, name: str | None, rank: int, source: str) -> None:
        if name:
            self.authors.append((rank, name, source))

    def take_dates(self, text: str, line: int, labelled_only: bool = False) -> bool:
        if not _YEARISH.search(text):
            return False
        found = find_dates(text, self.tz)
        taken = False
        for stamp in found:
            if labelled_only and stamp.kind is None:
                continue
            self.dates.append((stamp.kind, stamp.value, line))
            taken = True
        return taken

    def is_date_line(self, text: str) -> bool:
        return len(text) <= 200 and bool(_YEARISH.search(text)) and is_date_line(text, self.tz)

    def is_date_stamp(self, text: str) -> bool:
        """A short line that is date stamps plus clock times, zones, weekdays and widget words
        ("March 3, 2025 9:14 AM · Updated 2 hours ago", "Tue 4 Mar 2025 10.00 GMT")."""
        if len(text) > 120 or not _YEARISH.search(text) or text.endswith(".") or ". " in text:
            return False
        found = find_dates(text, self.tz)
        if not found:
            return False
        rest, position = [], 0
        for stamp in found:
            rest.append(text[position:stamp.start])
            position = stamp.end
        rest.append(text[position:])
        leftover = _STAMP_FILLER.sub(" ", " ".join(rest))
        words = leftover.split()
        return len(words) <= 2 and not _HAS_DIGIT.search(leftover)

    # -- steps -----------------------------------------------------------

    def classify(self) -> None:
        units = self.units
        for i, u in enumerate(units):
            text = u.text
            reason = sg.classify_line(text)
            if reason == "trailer heading":
                u.trailer = sg.trailer_heading(text) or "strong"
                self.drop(u, reason)
                continue
            if reason in ("caption", "image credit"):
                self.drop(u, reason, _CREDIT if reason == "image credit" else _CAPTION)
                continue
            if reason:
                self.drop(u, reason)
                if reason in ("attribution", "copyright"):
                    mention = sg.find_provider_mention(text, self.registry)
                    if mention and mention[1] in ("attribution", "copyright"):
                        self.provider(mention[0], mention[1], u.line, i)
                        if _SOURCE_LABEL.match(text):
                            self.source_lines.add(i)
                continue
            if len(text) <= 160:
                byline = sg.parse_byline(text)
                if byline:
                    u.byline = byline
                    self.drop(u, "byline", _BYLINE)
                    continue
            if _HAS_DIGIT.search(text) and (self.is_date_line(text) or self.is_date_stamp(text)):
                self.drop(u, "date line", _DATE)
                continue
            if len(text) <= 160:
                if len(text) <= 60 and text[:1] in "/—–-―~([":
                    so = sg.find_signoff(text, self.registry)
                    if so and not so.text:
                        self.drop(u, "sign-off", _SIGNOFF)
                        self.provider(so.name, "sign-off", u.line, i)
                        continue
                if _ABOUT_AUTHOR.match(text):
                    self.drop(u, "author bio heading", _AUTHOR)
                    continue
        # Author blocks: a name line over a job-title line.
        for i in range(len(units) - 1):
            u, nxt = units[i], units[i + 1]
            if u.kind == _CONTENT and nxt.kind == _CONTENT and len(u.text) <= 60 \
                    and sg.is_role_line(nxt.text) and sg.is_person_name(u.text):
                self.drop(u, "author block", _AUTHOR)
                self.drop(nxt, "author block (role)", _AUTHOR)
                self.author(u.text, 1, f"author block line {u.line}")
        # Captions above a credit line ("The logo is seen ...\n(Image credit: ...)").
        first_content = next((j for j, v in enumerate(units) if v.kind == _CONTENT), None)
        for i, u in enumerate(units):
            if u.kind != _CREDIT or u.gap_before or i == 0:
                continue
            above = units[i - 1]
            if above.kind != _CONTENT:
                continue
            if i - 1 == first_content and not above.text.endswith((".", "!", "…")) \
                    and sg.looks_like_headline(above.text, classified=True):
                continue  # a headline with a credit right under it
            if len(above.text) <= 400:
                self.drop(above, "caption (above an image credit)", _CAPTION)

    def headline(self) -> int:
        """Pick the headline; return the index where the story starts."""
        units = self.units
        candidates: list[int] = []
        start = len(units)
        chrome = -1  # the last piece of page chrome (menu, cookie banner, ...) above the story
        for i, u in enumerate(units):
            if u.kind != _CONTENT:
                if u.kind == _DROP and u.reason in _CHROME:
                    chrome = i
                continue
            if sg.looks_like_headline(u.text, classified=True) or _is_fragment(u.text):
                candidates.append(i)
                continue
            start = i
            break
        # Two or more one-or-two-word lines in a row are a menu ("World / Business / Markets").
        menu: set[int] = set()
        for a, b in zip(candidates, candidates[1:]):
            if b == a + 1 and _is_fragment(units[a].text) and _is_fragment(units[b].text):
                chrome = max(chrome, b)
                menu.update((a, b))
        titles = [i for i in candidates if i not in menu and self._title_words(units[i].text) >= 2
                  and not sg.is_person_name(units[i].text)
                  and not sg.registry_alias(units[i].text, self.registry)]
        usable = [i for i in titles if not _is_fragment(units[i].text)]
        if not usable and titles and titles[-1] > chrome:
            usable = titles[-1:]  # a short headline ("Markets tumble again") right above the story
        # Mastheads and taglines sit above the menus; the headline comes after them.
        usable = [i for i in usable if i > chrome] or usable
        chosen = None
        for i in usable:
            if self._title_words(units[i].text) >= 4:
                chosen = i
                break
        if chosen is None and usable:
            chosen = usable[-1]
        if chosen is not None:
            u = units[chosen]
            self.draft.found("title", u.text, f"headline line {u.line}")
            self.drop(u, "headline", _HEADLINE)
            # A descriptive line right under the headline, then an image credit: the photo's caption.
            nxt = chosen + 1
            if nxt + 1 < len(units) and units[nxt].kind == _CONTENT and units[nxt + 1].kind == _CREDIT \
                    and len(units[nxt].text) <= 400:
                self.drop(units[nxt], "caption (under the headline, above an image credit)", _CAPTION)
                if start == nxt:
                    start = next((j for j in range(nxt + 1, len(units)) if units[j].kind == _CONTENT), len(units))
        for i in candidates:
            if i == chosen:
                continue
            u = units[i]
            words = self._title_words(u.text)
            if chosen is not None and i < chosen:
                self.drop(u, "page header above the headline")
            elif _YEARISH.search(u.text) and len(u.text.split()) <= 4:
                self.drop(u, "date-like line (not a date the reader understands)")
            elif sg.is_person_name(u.text) and self._near_date_or_byline(i):
                self.drop(u, "author line", _AUTHOR)
                self.author(u.text, 2, f"author line {u.line}")
            elif (name := _name_with_role(u.text)) is not None:
                self.drop(u, "author line", _AUTHOR)
                self.author(name, 2, f"author line {u.line}")
            elif chosen is not None and i > chosen and (credit := _credit_line(u.text)):
                self.drop(u, "author line", _AUTHOR)
                self.author(credit[0], 2, f"author line {u.line}")
                self.provider(sg.agency_name(credit[1]), "byline", u.line, i)
            elif words < (3 if chosen is not None else 4):
                self.drop(u, "page header (short line before the story)")
            elif i < start:
                start = min(start, i)
        # Units before the story that are only widgets stay dropped; kept candidates begin the story.
        kept = [i for i in candidates if units[i].kind == _CONTENT]
        if kept:
            start = min(start, kept[0])
        return start

    @staticmethod
    def _title_words(text: str) -> int:
        if sg.has_cjk(text):
            return max(2, len(text) // 4)
        return len(text.split())

    def _near_date_or_byline(self, i: int) -> bool:
        for j in (i - 1, i + 1):
            if 0 <= j < len(self.units) and self.units[j].kind in (_DATE, _BYLINE):
                return True
        return False

    def cut_trailer(self, start: int) -> int:
        """Drop everything from the first trailer heading after the story; return the story end."""
        units = self.units
        end = len(units)
        seen_story = False
        i = start
        while i < len(units):
            u = units[i]
            if u.kind == _CONTENT:
                seen_story = True
            elif u.trailer and seen_story:
                if u.trailer == "weak" and self._story_continues(i + 1):
                    j = i + 1
                    while j < len(units) and units[j].kind == _CONTENT \
                            and sg.looks_like_headline(units[j].text, classified=True):
                        self.drop(units[j], f"inline related box after '{u.text[:40]}'")
                        j += 1
                    if j == i + 1 and j < len(units) and units[j].kind == _CONTENT:
                        u.kind, u.reason, u.trailer = _CONTENT, "", None  # just a subheading ("Discussion")
                    i = j
                    continue
                end = i
                for v in units[i + 1:]:
                    if v.kind in (_CONTENT, _HEADLINE, _CAPTION, _CREDIT, _BYLINE, _DATE, _SIGNOFF, _AUTHOR):
                        self.drop(v, f"after trailer heading '{u.text[:40]}'")
                    elif v.kind == _DROP and not v.reason.startswith("after trailer"):
                        v.reason = f"{v.reason} (after trailer heading '{u.text[:40]}')"
                break
            i += 1
        return end

    def _story_continues(self, i: int) -> bool:
        """After a weak heading ("Related"), do real story paragraphs follow (an inline box)?"""
        for u in self.units[i:]:
            if u.trailer:
                break
            if u.kind == _CONTENT and len(u.text) >= 80 and _SENTENCE_END.search(u.text) \
                    and not _TRUNCATED.search(u.text) and not sg.looks_like_headline(u.text, classified=True):
                return True
        return False

    def story_edges(self, start: int, end: int) -> None:
        """Dateline at the start; bios, author lines, sign-offs and bare names at the end."""
        units = self.units
        story = [i for i in range(start, end) if units[i].kind == _CONTENT]
        if not story:
            return
        # Wire dateline in the first paragraphs.
        for i in story[:2]:
            dl = sg.find_dateline(units[i].text, self.registry)
            if dl:
                if dl.agency:
                    self.provider(dl.agency, "dateline", units[i].line, i)
                if dl.when and _YEARISH.search(dl.when):
                    for stamp in find_dates(dl.when, self.tz):
                        self.dates.append(("dateline", stamp.value, units[i].line))
                        break
                break
        self.tail_start = story[-3] if len(story) >= 3 else story[0]
        # Bios: in the last paragraphs of the page, or right after an author block.
        tail = set(story[-4:])
        for i in story:
            after_author = i > 0 and units[i - 1].kind == _AUTHOR
            if i not in tail and not after_author:
                continue
            u = units[i]
            if u.kind != _CONTENT:
                continue
            bio = sg.find_bio(u.text)
            if not bio:
                continue
            name, org = bio
            self.drop(u, "author bio", _AUTHOR)
            self.author(name, 3, f"author bio line {u.line}")
            self.provider(org, "bio", u.line, i)
            first, last = name.split()[0], name.split()[-1]
            for j in story[story.index(i) + 1:]:
                v = units[j]
                if v.kind == _CONTENT and j in tail and (
                    v.text.startswith((first, last)) or _PRONOUN_START.match(v.text)
                ) and not sg.looks_like_headline(v.text, classified=True):
                    self.drop(v, "author bio (continued)", _AUTHOR)
                else:
                    break
        story = [i for i in story if units[i].kind == _CONTENT]
        if not story:
            return
        # A name line right above a bio/author unit ("Sean Endicott" over the bio).
        for i in story[-3:]:
            u = units[i]
            nxt = units[i + 1] if i + 1 < len(units) else None
            if nxt is not None and nxt.kind == _AUTHOR and sg.is_person_name(u.text):
                self.drop(u, "author block", _AUTHOR)
                self.author(u.text, 1, f"author block line {u.line}")
        story = [i for i in story if units[i].kind == _CONTENT]
        # Bare publication names and sign-offs after the last paragraph.
        while story:
            u = units[story[-1]]
            alias = sg.registry_alias(u.text, self.registry)
            if alias and len(story) > 1:
                self.drop(u, "sign-off (publication name)", _SIGNOFF)
                self.provider(alias, "sign-off", u.line, story[-1])
                story.pop()
                continue
            break
        # The sign-off ends the story: look for it in the last paragraphs, not only the very last,
        # since leftovers of the page can follow it when no trailer heading announces them.
        for k in range(len(story) - 1, max(len(story) - 4, -1), -1):
            u = units[story[k]]
            so = sg.find_signoff(u.text, self.registry)
            last = k == len(story) - 1
            if not so or (so.form == "bare" and (not last or len(story) == 1)) \
                    or (not last and so.form == "paren"):
                continue
            self.provider(so.name, "sign-off", u.line, story[k])
            if so.text:
                self.draft.dropped.append(f"line {u.line}: sign-off: {u.text[len(so.text):].strip()[:80]}")
                u.text = so.text
            else:
                self.drop(u, "sign-off", _SIGNOFF)
            for j in story[k + 1:]:
                self.drop(units[j], "after the sign-off")
            story = story[:k + 1]
            break
        # Mid-story lines ending with a bare agency credit are photo captions.
        for i in story[:-1]:
            u = units[i]
            if u.kind == _CONTENT and len(u.text) <= 300:
                so = sg.find_signoff(u.text, self.registry)
                if so and so.form == "bare" and sg.sentence_count(so.text) <= 2:
                    self.drop(u, "caption (ends with an agency credit)", _CAPTION)

    def collect(self, start: int, end: int) -> None:
        """Dates and bylines: near the top, or labelled anywhere before the trailer."""
        units = self.units
        story = [i for i in range(start, end) if units[i].kind == _CONTENT]
        early_limit = story[2] if len(story) > 2 else end
        last_story = story[-1] if story else -1
        for i, u in enumerate(units[:end]):
            if u.kind == _BYLINE and u.byline is not None:
                if u.byline.author:
                    self.author(u.byline.author, 0, f"byline line {u.line}")
                if u.byline.agency:
                    self.provider(u.byline.agency, "byline", u.line)
                elif u.byline.org and self.registry is not None and self.registry.lookup(u.byline.org):
                    self.provider(u.byline.org, "byline", u.line)
                self.take_dates(u.text, u.line)
            elif u.kind == _DATE:
                if i < early_limit or i > last_story:
                    self.take_dates(u.text, u.line)
                elif not self.take_dates(u.text, u.line, labelled_only=True):
                    # A bare date in the middle of the story is story text (a timeline heading).
                    u.kind, u.reason = _CONTENT, ""

    def finish(self, start: int, end: int) -> Extracted:
        draft = self.draft
        units = self.units
        # Dates.
        published = next(((v, ln) for k, v, ln in self.dates if k == "published"), None)
        unlabelled = next(((v, ln) for k, v, ln in self.dates if k is None), None)
        updated = next(((v, ln) for k, v, ln in self.dates if k == "updated"), None)
        first = published or unlabelled or next(((v, ln) for k, v, ln in self.dates if k == "dateline"), None)
        if first:
            draft.found("published", first[0], f"date line {first[1]}")
        elif updated:
            draft.found("published", updated[0],
                        f"date line {updated[1]} (an 'updated' stamp; no other date)")
        if updated and (first is None or updated[0] != first[0]):
            draft.found("updated", updated[0], f"date line {updated[1]}")
        # Author: byline, then author block/line, then bio.
        if self.authors:
            rank, name, source = min(self.authors, key=lambda a: a[0])
            draft.found("author", name, source)
        # Provider mention: strongest signal, first found.
        # Attributions inside the trailer belong to teasers of other articles; a "Source:" line
        # names the story's source only at its end (higher up it credits a chart or a quote).
        providers = [p for p in self.providers
                     if (p[3].startswith("copyright") or p[4] < end)
                     and (p[4] not in self.source_lines or p[4] >= self.tail_start)]
        if providers:
            _, _, name, source, _ = min(providers)
            draft.found("provider_mention", name, source)
            draft.sources["provider"] = source
        # Dropped lines, in line order.
        for u in units:
            if u.kind not in (_CONTENT, _HEADLINE):
                draft.dropped.append(f"line {u.line}: {u.reason}: {u.text[:80]}")
        draft.dropped.sort(key=_line_of)
        paragraphs = [u.text for u in units if u.kind == _CONTENT and u.text]
        if paragraphs:
            draft.content_text = "\n\n".join(paragraphs)
            draft.content = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
            draft.summary = truncate_words(paragraphs[0], SUMMARY_LIMIT)
            draft.sources.setdefault("content",
                                     f"story lines {_first_line(units, _CONTENT)}-{_last_line(units)}")
            draft.sources.setdefault("summary", "first paragraph of the story")
        return draft

    def run(self) -> Extracted:
        self.classify()
        start = self.headline()
        end = self.cut_trailer(start)
        self.story_edges(start, end)
        self.collect(start, end)
        return self.finish(start, end)


def _name_with_role(text: str) -> str | None:
    """ "Damian Carrington Environment editor": a person's name, then a job title, on one line."""
    words = text.split()
    if not 3 <= len(words) <= 10 or len(text) > 80 or _SENTENCE_END.search(text):
        return None
    for cut in (2, 3):
        name, role = " ".join(words[:cut]), " ".join(words[cut:])
        if role and sg.is_person_name(name) and sg.is_role_line(role) and not sg.is_role_line(words[cut - 1]):
            return name
    return None


_CREDIT_SPLIT = lazy_compile(r"\s*,\s*|\s+[|·•]\s+|\s+[-–—]\s+")


def _credit_line(text: str) -> tuple[str, str] | None:
    """(name, affiliation) under a headline: "Jessica Hale, University of Northfield", "Jane Doe | Reuters"."""
    if len(text) > 100 or _SENTENCE_END.search(text):
        return None
    parts = _CREDIT_SPLIT.split(text, maxsplit=1)
    if len(parts) != 2:
        return None
    name, rest = parts[0].strip(), parts[1].strip()
    words = rest.split()
    if not sg.is_person_name(name) or not 1 <= len(words) <= 8 or not rest[:1].isupper():
        return None
    if sum(1 for w in words if w[:1].isupper()) < max(1, len(words) // 2):
        return None
    return name, rest


def _is_fragment(text: str) -> bool:
    """A scrap of page header ("Singapore", "World", "経済"): a word or two, no sentence punctuation."""
    if _SENTENCE_END.search(text):
        return False
    if sg.has_cjk(text):
        return len(text) <= 6
    return len(text) <= 40 and len(text.split()) <= 3


def _line_of(entry: str) -> int:
    try:
        return int(entry.split(":", 1)[0].split()[1])
    except (IndexError, ValueError):
        return 0


def _first_line(units: list[_Unit], kind: str) -> int:
    return next((u.line for u in units if u.kind == kind), 0)


def _last_line(units: list[_Unit]) -> int:
    return next((u.line for u in reversed(units) if u.kind == _CONTENT), 0)


def extract(text: str, default_tz: tzinfo, registry=None) -> Extracted:
    """Everything the plain-text reader finds in ``text`` (no error handling; see :meth:`_Reader.read`)."""
    return _Extraction(text, default_tz, registry).run()


class _Reader:
    name = "plaintext"

    def sniff(self, text: str) -> bool:
        """The fallback: any text with something other than whitespace in it."""
        return bool(text and text.strip())

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        if not text or not text.strip():
            raise ParseError(ctx.path, "plain text file has no text")
        try:
            return extract(text, ctx.config.tz, ctx.config.providers)
        except RecursionError as exc:  # pragma: no cover - nothing here recurses
            raise ParseError(ctx.path, "plaintext: input nests too deeply") from exc
        except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
            # A bug here must not stop a whole build: report this file and go on.
            raise ParseError(ctx.path, f"plaintext reader failed: {type(exc).__name__}: {exc}") from exc


READER = _Reader()


# --------------------------------------------------------------------------
# The rules over the body of another format (HTML paragraphs, Markdown units)


def _body_signals(units: list[str], ctx: ReadContext) -> Extracted:
    """The plain-text reader's findings on text units (paragraphs), empty when it finds nothing.

    Units are handed over one a paragraph (blank line between), so unit ``k``
    is line ``2k + 1`` of the text it sees; :func:`_dropped_units` and
    :func:`_relabel_lines` turn its line numbers back into units.
    """
    text = "\n\n".join(units)
    if not text.strip():
        return Extracted()
    try:
        return READER.read(text, ctx)
    except ParseError:
        return Extracted()


_LINE_REF = lazy_compile(r"\blines? (\d+)(?:-(\d+))?")


def _unit_of_line(line: int) -> int:
    return (line - 1) // 2


def _headline_unit(signals: Extracted) -> int | None:
    """The unit the plain-text rules took as the headline, if they took one."""
    match = _LINE_REF.search(signals.sources.get("title", ""))
    return _unit_of_line(int(match.group(1))) if match else None


def _relabel_lines(signals: Extracted, label: Callable[[int], str]) -> None:
    """Rewrite "line N" in the sources with ``label(unit index)``."""
    for name, source in signals.sources.items():
        signals.sources[name] = _LINE_REF.sub(lambda m: label(_unit_of_line(int(m.group(1)))), source)


def _dropped_units(signals: Extracted, units: list[str]) -> dict[int, str]:
    """Unit index -> reason, for every unit the plain-text reader dropped whole.

    Its ``dropped`` entries read "line N: reason: text"; an entry whose text is
    not the unit's own (a sign-off trimmed off a paragraph) leaves the unit in.
    "Page header" drops are ignored: they judge short lines by position only,
    which suits scraped text but not structured HTML or Markdown, where short
    lines at the top are subheadings and list items.
    """
    out: dict[int, str] = {}
    for entry in signals.dropped:
        match = re.match(r"line (\d+): ", entry)
        if not match:
            continue
        index = _unit_of_line(int(match.group(1)))
        if not 0 <= index < len(units):
            continue
        text = sg.normalize_line(units[index])[:80]
        reason = entry[match.end(): len(entry) - len(text) - 2]
        if entry.endswith(": " + text) and not reason.startswith("page header"):
            out[index] = reason
    return out


_SIGNAL_FIELDS = ("title", "author", "published", "updated", "provider", "provider_mention",
                  "summary")


def _take_signals(draft: Extracted, signals: Extracted, fields: tuple[str, ...] = _SIGNAL_FIELDS) -> None:
    """Fill what is still open from the plain-text findings, with their sources."""
    for name in fields:
        if name == "provider_mention" and draft.provider is not None:
            continue
        key = "provider" if name == "provider_mention" else name
        draft.found(name, getattr(signals, name), signals.sources.get(key, "body text"))
        if name == "provider_mention" and draft.sources.get(name):
            draft.sources["provider"] = draft.sources[name]


def apply_body_signals(draft: Extracted, units: list[str], ctx: ReadContext,
                       label: Callable[[int], str]) -> dict[int, str]:
    """Run the plain-text rules over ``units``, fill the draft's gaps, return units to drop.

    ``label(unit index)`` replaces "line N" in the sources. When the title
    itself came from the units, its unit is dropped too (it is not story).
    """
    signals = _body_signals(units, ctx)
    dropped = _dropped_units(signals, units)
    headline = _headline_unit(signals)
    _relabel_lines(signals, label)
    _take_signals(draft, signals)
    if headline is not None and (
        draft.sources.get("title") == signals.sources.get("title")
        or squash_spaces(units[headline]).casefold() == squash_spaces(draft.title or "").casefold()
    ):
        dropped[headline] = "headline"
    draft.warnings.extend(signals.warnings)
    return dropped
