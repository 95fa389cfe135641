"""Reader for Markdown articles, and the safe Markdown renderer the other readers use.

Signals (byline, dates, provider mentions, boilerplate) are found by the
plain-text reader on a Markdown-stripped copy of the text that keeps every
line in place, so its line numbers, sources and drop decisions map straight
back onto the Markdown lines. The story is then rendered from the Markdown
lines that survived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from ..model import Image
from ..text import clean_inline
from ..text import squash_spaces, xml_safe
from .base import Extracted, ReadContext
from .html import block_lines
from .plaintext import apply_body_signals

if TYPE_CHECKING:
    import markdown as python_markdown

_SNIFF_CHARS = 8000
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE_MARK = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+")
# Brackets, stars and underscores cannot nest inside these and lengths are bounded, so
# lines full of unmatched ones stay linear.
_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+[\"'][^\"'\n]{0,300}[\"'])?\s*\)")
_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}(?:\s+[\"'][^\"'\n]{0,300}[\"'])?\s*\)")
_REF_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\[[^\[\]\n]{0,300}\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]{1,2000})>", re.I)
_CODE_SPAN = re.compile(r"`+([^`\n]+)`+")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_STAR_EMPHASIS = re.compile(r"(\*{1,3})(?=[^\s*])([^*\n]{1,400}?)(?<=[^\s*])\1")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(_{1,3})(?=[^\s_])([^_\n]{1,400}?)(?<=[^\s_])\1(?!\w)")
# Blanks are never matched by two neighbouring [ \t]* (which made a line of 100,000 spaces
# take minutes: quadratic backtracking); same language as "ws |? ws cell (ws | ws cell)* ws |? ws".
_TABLE_RULE = re.compile(r"^[ \t]*(?:\|[ \t]*)?:?-{3,}:?(?:[ \t]*\|[ \t]*:?-{3,}:?)*[ \t]*(?:\|[ \t]*)?$")

# Constructs counted by sniff(); plain scraped text rarely has any of them.
_SNIFF_CONSTRUCTS = {
    "link": re.compile(r"\[[^\[\]\n]{1,300}\]\((?:https?://|/|\.{1,2}/|#|mailto:)[^)\s]{0,2000}\)"),
    "strong": re.compile(r"(?:\*\*|__)(?=\S)[^*_\n]{1,300}?(?<=\S)(?:\*\*|__)"),
    "list": re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,3}\.)[ \t]+\S", re.M),
    "quote": re.compile(r"^[ \t]{0,3}>[ \t]?\S", re.M),
    "fence": re.compile(r"^ {0,3}(?:```|~~~)", re.M),
    "image": re.compile(r"!\[[^\[\]\n]{0,300}\]\([^)\s]{1,2000}\)"),
    "emphasis": re.compile(r"(?<![\w*])\*(?=\S)[^*\n]{1,300}?(?<=\S)\*(?![\w*])"),
}
# Lists and quotes occur in scraped text too; one of these must be present as well.
_INLINE_KINDS = frozenset({"link", "strong", "image", "fence"})
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
_BLOCK_START = re.compile(r"^(?: {0,3}#{1,6}[ \t]|[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]|[ \t]{0,3}>|[ \t]*\|)")
_RAW_BLOCK_START = re.compile(r"^ {0,3}<(script|style|iframe|noscript|template)\b", re.I)

_UNSAFE_TAGS = ("script", "style", "iframe", "object", "embed", "form", "input", "button",
                "textarea", "select", "link", "meta", "base", "frame", "frameset", "applet",
                "svg", "math", "template", "noscript")
_SAFE_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},  # id/class carry footnote references
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "sup": {"id"}, "li": {"id"}, "div": {"class"}, "abbr": {"title"},
    "ol": {"start"}, "code": {"class"}, "pre": {"class"},
}
_URL_ATTRIBUTES = ("href", "src")
_SAFE_SCHEMES = ("http", "https", "mailto")


class _Reader:
    name = "markdown"

    def sniff(self, text: str) -> bool:
        """Markdown by its look: a heading first, or a heading with other constructs.

        Scraped plain text seldom starts with "# " or has a "===" underline, and
        almost never combines a heading with links, bold text and lists.
        """
        head = text[:_SNIFF_CHARS].lstrip("\ufeff")
        lines = head.split("\n")
        first = _first_content_line(lines)
        if first is None:
            return False
        if _ATX.match(lines[first]):
            return True
        if _is_setext(lines, first):
            return True
        if not _HEADING_LINE.search(head):
            return False
        kinds = {name for name, pattern in _SNIFF_CONSTRUCTS.items() if pattern.search(head)}
        return len(kinds) >= 2 and bool(kinds & _INLINE_KINDS)

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        return read_body(text, ctx)


READER = _Reader()


def read_body(text: str, ctx: ReadContext, title: str | None = None) -> Extracted:
    """Read a Markdown story (the part after front matter, or a whole file).

    A heading on the first line is the title; everything else is found by the
    plain-text rules, and the lines they drop are left out of the content.
    ``title`` is one already known (front matter): then a headline-like first
    line is story text unless it repeats that title.
    """
    doc = _MarkdownDoc.of(xml_safe(text))
    draft = Extracted()
    if title:
        draft.found("title", title, "front matter")
    elif doc.title:
        draft.found("title", doc.title, f"markdown heading line {doc.title_lines[0] + 1}")
    dropped = apply_body_signals(draft, [u.text for u in doc.units], ctx, doc.line_label)
    draft.dropped.extend(doc.dropped_entries(dropped))
    story = doc.story_markdown(dropped)
    content, content_text = _story_content(story) if story.strip() else (None, None)
    draft.found("content", content, "markdown body")
    draft.found("content_text", content_text, "markdown body")
    draft.found("images", doc.images(), "markdown image")
    return draft


def _one_paragraph_a_line(text: str) -> bool:
    """Scraped text under front matter: many lines, next to no blank lines, no Markdown look.

    In Markdown adjacent lines make one paragraph; in such text every line is
    one (a headline, a byline, a date, a paragraph), so the lines are
    separated before Markdown rules apply.
    """
    lines = text.strip("\n").split("\n")
    filled = sum(1 for line in lines if line.strip())
    return filled >= 4 and (len(lines) - filled) * 4 < filled and not READER.sniff(text)


# --------------------------------------------------------------------------
# The Markdown lines and their plain units


@dataclass(slots=True)
class _Unit:
    """A paragraph, list item, heading or quote: lines ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    text: str


@dataclass
class _MarkdownDoc:
    """The source lines, which of them are title, code and raw HTML, and their plain units."""

    lines: list[str]
    title: str | None
    title_lines: tuple[int, ...]
    code_lines: frozenset[int]
    raw_blocks: dict[int, str]
    units: list[_Unit]
    line_paragraphs: bool  # every line is a paragraph of its own (scraped text)

    @classmethod
    def of(cls, text: str) -> _MarkdownDoc:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        code = _code_lines(lines)
        raw = _raw_html_blocks(lines, code)
        title, title_lines = _title(lines, code)
        line_paragraphs = _one_paragraph_a_line(text)
        units = _units(lines, code | set(raw), title, title_lines, line_paragraphs)
        return cls(lines, title, title_lines, frozenset(code), raw, units, line_paragraphs)

    def line_label(self, unit: int) -> str:
        """Where unit ``unit`` starts, as "line N" of this text."""
        return f"line {self.units[unit].start + 1}" if 0 <= unit < len(self.units) else "this text"

    def dropped_entries(self, dropped: dict[int, str]) -> list[str]:
        entries = [f"line {i + 1}: raw HTML <{tag}> block" for i, tag in sorted(self.raw_blocks.items())
                   if i - 1 not in self.raw_blocks]
        for index, reason in sorted(dropped.items()):
            unit = self.units[index]
            if unit.start not in self.title_lines:
                entries.append(f"line {unit.start + 1}: {reason}: {unit.text[:80]}")
        return entries

    def story_markdown(self, dropped: dict[int, str]) -> str:
        """The source without the title, raw HTML blocks and the dropped units (blank lines kept)."""
        skip = set(self.title_lines) | set(self.raw_blocks)
        for index in dropped:
            skip.update(range(self.units[index].start, self.units[index].end))
        kept = ("" if i in skip else line for i, line in enumerate(self.lines))
        separator = "\n\n" if self.line_paragraphs else "\n"
        return separator.join(kept)

    def images(self) -> list[Image]:
        out = []
        for i, line in enumerate(self.lines):
            if i in self.code_lines:
                continue
            for match in _IMAGE.finditer(line):
                url = match.group(2)
                if url.lower().startswith(("http://", "https://")):
                    out.append(Image(url, title=clean_inline(match.group(1))))
        return out


def _units(lines: list[str], skip: set[int], title: str | None,
           title_lines: tuple[int, ...], line_paragraphs: bool) -> list[_Unit]:
    """Group lines into what a reader sees as one paragraph; the title is the first unit."""
    units: list[_Unit] = []
    current: _Unit | None = None
    for i, line in enumerate(lines):
        if i in title_lines:
            if i == title_lines[0] and title:
                units.append(_Unit(i, title_lines[-1] + 1, title))
            current = None
            continue
        text = "" if i in skip else squash_spaces(plain_line(line))
        if not text:
            current = None
            continue
        if current is None or line_paragraphs or _BLOCK_START.match(line) \
                or (i > 0 and _BLOCK_START.match(lines[i - 1])):
            current = _Unit(i, i + 1, text)
            units.append(current)
        else:
            current.text += " " + text
            current.end = i + 1
    return units


def _first_content_line(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.strip():
            return i
    return None


def _is_setext(lines: list[str], i: int) -> bool:
    """``Title`` over a line of ``===`` or ``---`` (at least three), the title short and plain."""
    if i + 1 >= len(lines):
        return False
    underline = lines[i + 1].strip()
    return (len(underline) >= 3 and bool(_SETEXT_UNDERLINE.match(lines[i + 1]))
            and len(lines[i].strip()) <= 200 and not _LIST_MARK.match(lines[i])
            and not _FENCE.match(lines[i]))


def _code_lines(lines: list[str]) -> set[int]:
    """Lines inside fenced code blocks, fences included."""
    code: set[int] = set()
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            code.add(i)
        elif fence is not None:
            code.add(i)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
    return code


def _raw_html_blocks(lines: list[str], code: set[int]) -> dict[int, str]:
    """Lines of raw ``<script>``/``<style>``/``<iframe>`` blocks (embeds), by index -> tag.

    Escaping them would show their code to readers; they are left out instead.
    """
    blocks: dict[int, str] = {}
    tag: str | None = None
    for i, line in enumerate(lines):
        if i in code:
            continue
        if tag is None:
            match = _RAW_BLOCK_START.match(line)
            if not match:
                continue
            tag = match.group(1).lower()
        blocks[i] = tag
        if f"</{tag}" in line.lower():
            tag = None
    return blocks


def _title(lines: list[str], code: set[int]) -> tuple[str | None, tuple[int, ...]]:
    """The heading on the first non-blank line (ATX or setext) and the lines it spans."""
    first = _first_content_line(lines)
    if first is None or first in code:
        return None, ()
    atx = _ATX.match(lines[first])
    if atx:
        return clean_inline(plain_inline(atx.group(2))), (first,)
    if _is_setext(lines, first):
        return clean_inline(plain_inline(lines[first])), (first, first + 1)
    return None, ()


# What a line's first non-blank character must be (or a digit) for any block marker to match.
_BLOCK_MARKER_STARTS = frozenset("-*_[|:=#>+")


def plain_line(line: str) -> str:
    """One Markdown line as the text a reader sees (markers, links and emphasis removed)."""
    first = line.lstrip(" \t")[:1]
    if first not in _BLOCK_MARKER_STARTS and not first.isdecimal():
        return plain_inline(line)
    if _HR.match(line) or _REF_DEFINITION.match(line) or _TABLE_RULE.match(line) \
            or _SETEXT_UNDERLINE.match(line):
        return ""
    atx = _ATX.match(line)
    if atx:
        line = atx.group(2)
    elif re.match(r"^ {0,3}#{1,6}[ \t]*$", line):
        return ""
    line = _QUOTE_MARK.sub("", line)
    line = _LIST_MARK.sub("", line)
    return plain_inline(line)


# In order; emphasis twice, for nesting (**_x_**).
_EMPHASIS = (("*", _STAR_EMPHASIS, r"\2"), ("_", _UNDERSCORE_EMPHASIS, r"\2"))
_INLINE_STRIPS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("<", _INLINE_TAG, ""), ("![", _IMAGE, ""), ("](", _LINK, r"\1"), ("][", _REF_LINK, r"\1"),
    ("<", _AUTOLINK, r"\1"), ("`", _CODE_SPAN, r"\1"), *_EMPHASIS, *_EMPHASIS,
    ("\\", _BACKSLASH_ESCAPE, r"\1"),
)


def plain_inline(text: str) -> str:
    """Inline Markdown as text; inline raw HTML tags go too (the renderer shows them escaped)."""
    for needle, pattern, keep in _INLINE_STRIPS:
        if needle in text:  # each pattern needs a string of its own: testing for it is far cheaper
            text = pattern.sub(keep, text)
    text = text.replace("|", " ") if text.count("|") >= 2 else text  # table rows
    return text.rstrip()


# --------------------------------------------------------------------------
# Rendering


_EXTENSIONS = [
    "markdown.extensions.abbr", "markdown.extensions.def_list", "markdown.extensions.fenced_code",
    "markdown.extensions.footnotes", "markdown.extensions.tables", "markdown.extensions.sane_lists",
]


def _escape_raw_html() -> Any:
    """An extension that treats raw HTML in the source as text: escaped, never passed through."""
    from markdown.extensions import Extension

    class EscapeRawHtml(Extension):
        def extendMarkdown(self, md: python_markdown.Markdown) -> None:  # noqa: N802 - API name
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")

    return EscapeRawHtml()


_CONVERTER: python_markdown.Markdown | None = None


def _converter() -> python_markdown.Markdown:
    """One converter per process: building one (extension registration) costs more
    than converting a typical article. Readers run in processes, not threads.

    Python-Markdown is imported here, not with this module: most bodies take the
    :func:`_simple_markdown` path, and importing it (with ElementTree) cost 20 ms
    of every one-file rebuild.
    """
    global _CONVERTER
    if _CONVERTER is None:
        import markdown

        _CONVERTER = markdown.Markdown(extensions=[*_EXTENSIONS, _escape_raw_html()], output_format="html")
    return _CONVERTER


def render_markdown(text: str) -> str:
    """Markdown to safe HTML: raw HTML escaped, then scripts, handlers and odd URLs removed.

    Python-Markdown has no safe mode since 3.0, so raw HTML is switched off and
    the output is checked once more with lxml (links written in Markdown syntax
    can still say ``javascript:``).
    """
    light, plain = _set_aside_heavy_chunks(xml_safe(text))
    return _render_light(light, plain)


def _render_light(light: str, plain: dict[str, str]) -> str:
    global _CONVERTER
    try:
        html = _converter().reset().convert(light)
    except Exception:  # noqa: BLE001 - no error contract (deep nesting hits RecursionError)
        # A converter that failed half-way is left inconsistent (``reset`` does not repair
        # it: later documents lost their <p>), so the next document gets a new one.
        _CONVERTER = None
        html = "\n".join(f"<p>{escape(p.strip())}</p>" for p in light.split("\n\n") if p.strip())
    return sanitize_html(_put_back(html, plain))


def _story_content(story: str) -> tuple[str | None, str | None]:
    """``render_markdown(story)`` and its :func:`fragment_text`, the common simple case quickly."""
    light, plain = _set_aside_heavy_chunks(xml_safe(story))
    simple = None if plain else _simple_markdown(light)
    if simple is not None:
        return simple
    content = _render_light(light, plain)
    return content, fragment_text(content) if content else None


# Characters that make Python-Markdown do something (inline markup, escapes, entities, raw
# HTML, tables, placeholders) or that it rewrites (tabs, controls). Text without them, and
# outside links of the plain form below, comes out of Python-Markdown unchanged.
_MARKUP_CHARS = re.compile("[\\[\\]\\\\`*_<>&^|~\x00-\x1f\ue000\ue001]")
# [plain text](http(s) URL) with no title, nesting, quotes, parentheses or spaces.
_PLAIN_LINK = re.compile(
    "\\[([^\\[\\]\\\\`*_<>&^|~!\x00-\x1f\ue000\ue001]{1,300})\\]"
    "\\((https?://[A-Za-z0-9._~:/?#@$+,;=%&-]{1,2000})\\)"
)
# Line starts that may open a block other than a paragraph (lists, quotes, headings,
# rules, setext underlines, definition lists, fences, footnote and abbreviation definitions).
_BLOCK_OPENER = re.compile(r"[#>*+=:~`-]|\d+[.)]")
_PLAIN_HEADING = re.compile(r"(#{1,6}) +([^#]+)")
# What Python-Markdown leaves unescaped in an attribute: "&" that starts a character reference.
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)


def _simple_markdown(text: str) -> tuple[str, str | None] | None:
    """HTML and paragraph text for a text of plain paragraphs, ATX headings and plain links.

    Most article bodies are just that, and converting them with Python-Markdown
    (then sanitizing and re-reading the HTML with lxml) is the costliest step
    of reading an article. For such a text the result is known beforehand:
    the same HTML Python-Markdown writes, which the sanitizer leaves as it is,
    and the text :func:`fragment_text` reads from it. Any line with anything
    else (lists, emphasis, code, quotes, raw HTML, entities, leading or
    trailing blanks ...) returns None and the text takes the full path. A
    heading counts only as a block of its own (blank lines around it).
    """
    lines = text.split("\n")
    html: list[str] = []
    paragraphs: list[str] = []
    markup: list[str] = []
    words: list[str] = []

    def end_paragraph() -> None:
        html.append("<p>" + "\n".join(markup) + "</p>")
        paragraphs.append(" ".join(" ".join(words).split()))
        markup.clear()
        words.clear()

    for i, line in enumerate(lines):
        if not line:
            if markup:
                end_paragraph()
            continue
        if line != line.strip():
            return None
        if _BLOCK_OPENER.match(line):
            heading = _PLAIN_HEADING.fullmatch(line) if line[0] == "#" else None
            if heading is None or markup or (i + 1 < len(lines) and lines[i + 1]) \
                    or _MARKUP_CHARS.search(line):
                return None
            level, title = len(heading.group(1)), heading.group(2).strip()
            html.append(f"<h{level}>{title}</h{level}>")
            paragraphs.append(" ".join(title.split()))
            continue
        inline = _plain_inline(line)
        if inline is None:
            return None
        markup.append(inline[0])
        words.append(inline[1])
    if markup:
        end_paragraph()
    if not html:
        return None
    return "\n".join(html), "\n\n".join(p for p in paragraphs if p) or None


def _plain_inline(line: str) -> tuple[str, str] | None:
    """One paragraph line as Python-Markdown renders it and as text, or None for other markup."""
    if "[" not in line:
        return None if _MARKUP_CHARS.search(line) else (line, line)
    markup: list[str] = []
    text: list[str] = []
    position = 0
    for match in _PLAIN_LINK.finditer(line):
        before = line[position:match.start()]
        label, url = match.groups()
        if _MARKUP_CHARS.search(before) or _ENTITY_LIKE.search(url):
            return None  # other markup, or an entity-like "&name;" the sanitizer would re-escape
        href = url.replace("&", "&amp;")  # as Python-Markdown writes an attribute with these characters
        markup.append(f'{before}<a href="{href}">{label}</a>')
        text.append(before + label)
        position = match.end()
    rest = line[position:]
    if _MARKUP_CHARS.search(rest) or "![" in line:
        return None
    return "".join(markup) + rest, "".join(text) + rest


_SPECIAL = re.compile(r"[\[\]*_`\\<>&!~|#\-\n]")
_CHUNK_BUDGET = 20_000_000
_DOCUMENT_BUDGET = 200_000_000


def _set_aside_heavy_chunks(text: str) -> tuple[str, dict[str, str]]:
    """Replace chunks Python-Markdown would take minutes over by placeholder lines.

    Its inline and block processing costs about (chunk length) x (number of
    markup characters and lines) per blank-line-separated chunk, so a chunk of
    thousands of unmatched ``[`` or ``_`` lines is quadratic. Such chunks, and
    every chunk after the document's budget is spent, are shown as plain
    paragraphs instead, one a line. Real articles stay far below both budgets.
    """
    if _within_budget(text):
        return text, {}
    lines = text.split("\n")
    code = _code_lines(lines)
    out: list[str] = []
    plain: dict[str, str] = {}
    chunk: list[str] = []
    spent = 0

    def flush() -> None:
        nonlocal spent
        size = sum(len(line) + 1 for line in chunk)
        cost = size * sum(len(_SPECIAL.findall(line)) + 1 for line in chunk)
        spent += cost
        if cost <= _CHUNK_BUDGET and spent <= _DOCUMENT_BUDGET:
            out.extend(chunk)
        else:
            for line in chunk:
                if line.strip():
                    token = f"\ue000{len(plain)}\ue001"
                    plain[token] = line
                    out.extend((token, ""))
        chunk.clear()

    for i, line in enumerate(lines):
        if i not in code and not line.strip():
            flush()
            out.append(line)
        else:
            chunk.append(line)
    flush()
    return "\n".join(out), plain


def _within_budget(text: str) -> bool:
    """No chunk of ``text`` can cost more than the chunk budget, nor all together the document's.

    A chunk's cost is at most its size squared (a line has no more markup
    characters than characters), so all chunks together cost at most the
    square of the text's length plus its line count.
    """
    size = len(text) + text.count("\n") + 1
    return size * size <= min(_CHUNK_BUDGET, _DOCUMENT_BUDGET)


def _put_back(html: str, plain: dict[str, str]) -> str:
    for token, line in plain.items():
        html = html.replace(token, escape(squash_spaces(line), quote=False))
    return html


def sanitize_html(html: str) -> str:
    """Drop dangerous elements, event handlers and non-http(s)/mailto URLs from a fragment."""
    html = xml_safe(html)
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for el in list(root.iter(*_UNSAFE_TAGS, etree.Comment, etree.ProcessingInstruction)):
        el.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        allowed = _SAFE_ATTRIBUTES.get(el.tag, set())
        for name in list(el.attrib):
            if name not in allowed or (name in _URL_ATTRIBUTES and not _safe_url(el.attrib[name])):
                del el.attrib[name]
    for el in list(root.iter("img")):
        if not el.get("src"):
            el.drop_tree()
    for el in list(root.iter("a")):
        if not el.get("href") and not el.get("id"):
            el.drop_tag()
    parts = [root.text or ""] + [lxml.html.tostring(c, encoding="unicode") for c in root]
    return "".join(parts).strip()


def _safe_url(url: str) -> bool:
    """Relative URLs and fragments (footnotes) are fine; of schemes only http(s) and mailto."""
    value = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", value)
    return scheme is None or scheme.group(1) in _SAFE_SCHEMES


def fragment_text(html: str) -> str | None:
    """The paragraph text of an HTML fragment, blocks joined by blank lines."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    return "\n\n".join(block_lines(root)) or None
