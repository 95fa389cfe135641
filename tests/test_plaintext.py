"""The plain-text reader: the seeds, the sample articles in tests/data/articles, and odd input."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsmith.config import Config
from feedsmith.errors import ParseError
from feedsmith.parse import parse_file, plaintext
from feedsmith.parse.base import Extracted, ReadContext

from .conftest import SEEDS

ARTICLES = Path(__file__).parent / "data" / "articles"
OBSERVED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def seed(config, prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return parse_file(path, config, observed=OBSERVED)


def read(text: str, config: Config | None = None) -> Extracted:
    config = config or Config()
    return plaintext.READER.read(text, ReadContext(Path("sample.txt"), config, OBSERVED))


# --------------------------------------------------------------------------
# The reader protocol
# --------------------------------------------------------------------------


def test_reader_name_and_sniff():
    assert plaintext.READER.name == "plaintext"
    assert plaintext.READER.sniff("anything at all")
    assert plaintext.READER.sniff("<p>even markup</p>")
    assert not plaintext.READER.sniff("")
    assert not plaintext.READER.sniff(" \n\t\n")


def test_whitespace_only_text_is_a_parse_error():
    with pytest.raises(ParseError):
        read("  \n \n")


# --------------------------------------------------------------------------
# The seeds
# --------------------------------------------------------------------------


def test_seed_002_scraped_singapore_page(config):
    a = seed(config, "002")
    assert a.format == "plaintext"
    assert a.title == "Sam Altman signals OpenAI’s desire to partner with China after DeepSeek disrupts the AI market"
    assert a.published == datetime(2026, 6, 23, tzinfo=config.tz)
    assert (a.provider.name, a.provider.domain) == ("The Independent Singapore", "theindependent.sg")
    assert a.author is None
    body = a.content_text
    assert body.startswith("OpenAI CEO Sam Altman stated")
    for junk in ("Advertisement", "Hot this week", "addEventListener", "Enable Notifications", "27.2 C",
                 "Read also", "Featured image", "/TISG", "Singapore\n", "Popular Categories", "Netizens ask"):
        assert junk not in body
    # The sign-off is cut from the last paragraph, which stays.
    assert body.endswith("using publicly accessible source code.")
    # "as reported by South China Morning Post (SCMP)" is a citation, not the provider.
    assert "as reported by South China Morning Post (SCMP)" in body
    sources = dict(a.sources)
    assert sources["title"] == "headline line 6"
    assert sources["published"] == "date line 2"
    assert sources["provider"].startswith("sign-off line 20")


def test_seed_003_windows_central(config):
    a = seed(config, "003")
    assert a.title == 'OpenAI CEO Sam Altman wants to "work with China" but would the US government allow it?'
    assert a.published is None
    assert (a.provider.name, a.provider.domain) == ("Windows Central", "windowscentral.com")
    assert a.author == "Sean Endicott"
    body = a.content_text
    assert body.startswith("OpenAI could make a massive shift")
    for junk in ("(Image credit", "is displayed on a mobile phone", "API services are not available in China at the moment",
                 "CATEGORIES", "is a tech journalist", "News Writer and apps editor", "Sean Endicott"):
        assert junk not in body
    # Subheadings are story.
    assert "\n\nIs OpenAI available in China?\n\n" in body
    assert "\n\nIs OpenAI for sale?\n\n" in body
    assert body.endswith("increasing the company's potential reach exponentially.")
    sources = dict(a.sources)
    assert sources["provider"] == "bio line 38"
    assert sources["author"] in ("author block line 35", "author bio line 38")


def test_seed_004_caption_first_no_headline(config):
    a = seed(config, "004")
    assert a.title.startswith("OpenAI is keen to collaborate with China, ")
    assert len(a.title) <= 110 and a.title.endswith("…")
    assert dict(a.sources)["title"] == "derived from the first sentence of the story"
    assert a.published is None  # "Feb. 11" has no year
    assert (a.provider.name, a.provider.domain) == ("South China Morning Post", "scmp.com")
    assert dict(a.sources)["provider"].startswith("attribution line 19")
    assert a.author is None
    body = a.content_text
    assert body.startswith("OpenAI is keen to collaborate with China")
    for junk in ("attends an event at Station F", "/ Reuters-Yonhap", "Read the full story"):
        assert junk not in body
    # Single-newline paragraphs are paragraphs.
    assert body.count("\n\n") >= 12
    assert "\n\nDeepSeek's more cost-efficient development" in body


def test_dropped_lines_say_where_and_why(config):
    a = seed(config, "002")
    dropped = list(a.dropped)
    assert "line 1: code: // Adds dimensions UUID, Author and Topic into GA4" in dropped
    assert "line 3: widget: 27.2 C" in dropped
    assert any(d.startswith("line 20: sign-off: /TISG") for d in dropped)
    assert any(d.startswith("line 26: advertisement:") for d in dropped)
    assert all(re.match(r"line \d+: [^:]+", d) for d in dropped)
    numbers = [int(d.split(":")[0].split()[1]) for d in dropped]
    assert numbers == sorted(numbers)
    assert all(len(d.split(": ", 2)[-1]) <= 80 for d in dropped)


def test_without_a_registry_the_mention_is_kept_as_found():
    text = (SEEDS.glob("002_*.txt").__next__()).read_text(encoding="utf-8")
    draft = read(text, Config())
    assert draft.provider_mention == "TISG"


# --------------------------------------------------------------------------
# Output shape
# --------------------------------------------------------------------------


def test_content_is_escaped_paragraph_html():
    draft = read('A <b>bold</b> & brave headline\n\nFirst paragraph with <script>alert(1)</script> & "more".\n\n'
                 "Second paragraph.")
    assert draft.title == "A <b>bold</b> & brave headline"
    assert draft.content == ("<p>First paragraph with &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;.</p>\n"
                             "<p>Second paragraph.</p>")
    assert draft.content_text == 'First paragraph with <script>alert(1)</script> & "more".\n\nSecond paragraph.'


def test_caption_under_the_headline_above_a_credit():
    draft = read("Museum buys a lost painting\n\nThe painting on display in the main hall.\n\n"
                 "(Image credit: Getty Images)\n\nThe city museum has bought a painting that was missing for 80 years.")
    assert draft.title == "Museum buys a lost painting"
    assert draft.content_text == "The city museum has bought a painting that was missing for 80 years."
    assert any("caption" in d and "main hall" in d for d in draft.dropped)


def test_summary_is_the_first_paragraph_cut_at_a_word():
    long_paragraph = " ".join(["word"] * 120) + "."
    draft = read(f"A headline for the summary test\n\n{long_paragraph}\n\nSecond paragraph.")
    assert len(draft.summary) <= 300
    assert draft.summary.endswith("…")
    assert long_paragraph.startswith(draft.summary[:-1].rstrip())
    short = read("Another headline for a test\n\nShort first paragraph.\n\nMore.")
    assert short.summary == "Short first paragraph."


def test_non_english_text_passes_through_intact():
    text = (ARTICLES / "japanese_kyodo.txt").read_text(encoding="utf-8")
    draft = read(text)
    for paragraph in ("政府は11日の臨時閣議で、物価高に対応するための新たな経済対策を決定した。電気・ガス料金の補助を夏まで"
                      "延長するほか、低所得世帯への給付金を盛り込んだ。",
                      "首相は記者団に対し「暮らしを守ることを最優先に取り組む」と述べた。"):
        assert paragraph in draft.content_text.split("\n\n")


def test_published_and_updated_stamps_are_both_kept(config):
    a = parse_file(ARTICLES / "portal_harbour_ledger.txt", config, observed=OBSERVED)
    assert a.published == datetime(2025, 3, 12, 9, 15, tzinfo=timezone.utc)
    assert a.updated == datetime(2025, 3, 12, 14, 40, tzinfo=timezone.utc)
    assert dict(a.sources)["published"].startswith("date line ")


def test_a_date_without_a_year_is_no_date():
    draft = read("Ferry times change next week\n\nFeb. 11\n\nThe ferry timetable changes on Monday, the operator said.")
    assert draft.published is None


def test_relative_stamps_are_no_date():
    draft = read("Updated 2 hours ago\n\nFerry times change next week\n\nThe ferry timetable changes on Monday.")
    assert draft.published is None and draft.updated is None
    assert draft.title == "Ferry times change next week"


def test_a_date_inside_the_story_is_not_the_publication_date():
    draft = read("Council sets out plans for the harbour\n\nThe council met on Monday.\n\n"
                 "Work began on March 3, 2019, and will end in 2027.\n\nThe budget is fixed.")
    assert draft.published is None
    assert "Work began on March 3, 2019" in draft.content_text


def test_in_text_mentions_are_never_the_provider(config):
    a = parse_file(ARTICLES / "intext_mention_only.txt", config, observed=OBSERVED)
    assert a.provider is None


def test_mid_story_timeline_date_lines_stay():
    paragraphs = "\n\n".join(f"Paragraph {i} tells part of the story at some length, as stories do." for i in range(6))
    draft = read(f"A timeline of the dispute so far\n\n{paragraphs}\n\nMarch 3, 2019\n\n{paragraphs}")
    assert "\n\nMarch 3, 2019\n\n" in draft.content_text


# --------------------------------------------------------------------------
# The sample articles
# --------------------------------------------------------------------------


def _samples() -> list[str]:
    return sorted(p.stem for p in ARTICLES.glob("*.txt"))


def test_there_are_enough_samples():
    assert len(_samples()) >= 30
    for name in _samples():
        assert (ARTICLES / f"{name}.expected.yaml").is_file(), name


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@pytest.mark.parametrize("name", _samples())
def test_sample_article(name, config):
    expected = yaml.safe_load((ARTICLES / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    a = parse_file(ARTICLES / f"{name}.txt", config, observed=OBSERVED)
    assert a.format == "plaintext"
    assert a.title == expected["title"]
    assert a.author == expected.get("author")
    provider = expected.get("provider")
    got = (a.provider.name, a.provider.domain) if a.provider else None
    assert got == ((provider["name"], provider.get("domain")) if provider else None)
    assert a.published == _instant(expected.get("published"))
    if "updated" in expected:
        assert a.updated == _instant(expected["updated"])
    body = a.content_text or ""
    assert body.startswith(expected["body_starts_with"])
    for text in expected.get("body_includes") or []:
        assert text in body, text
    for text in expected.get("body_excludes") or []:
        assert text not in body, text
    assert a.summary and len(a.summary) <= 300
    assert a.content.startswith("<p>") and a.content.endswith("</p>")


# --------------------------------------------------------------------------
# Anything at all: never an exception other than ParseError
# --------------------------------------------------------------------------

TRICKY_LINES = [
    "", " ", "By", "By Jane", "©", "(c)", "/", "/TISG", "— AFP", "(Reuters)", "SEOUL (AP) —", "Source:",
    "Read the full story at", "Hot this week", "Related", "Read more", "(Image credit: )", "Photo:",
    "Jane Doe", "Senior Editor", "Jane Doe is a reporter at", "12.03.2025, 14:30 Uhr", "2025年2月11日",
    "March 3, 2025", "Updated 2 hours ago", "// //", "{", "}", ";", "- Advertisement -", "Home | News",
    "a" * 300, "Ｆｕｌｌｗｉｄｔｈ", "\u200b", "\u00a0", "文・", "記者", "出典：", "Von", "Par", "(", ")",
    "The end. AP-Yonhap", "x / Reuters-Yonhap", "CITY, Feb. 11 (Yonhap) --", "©2025 L.P.",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_arbitrary_text_never_breaks_the_reader(text):
    _check_reader(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(TRICKY_LINES), st.text(max_size=80)), max_size=40),
       st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_arbitrary_pages_never_break_the_reader(lines, newline):
    _check_reader(newline.join(lines))


def _check_reader(text: str) -> None:
    draft = plaintext.extract(text, timezone.utc, None)  # unguarded: a bug shows up here as itself
    assert isinstance(draft, Extracted)
    if draft.content_text:
        assert draft.content and draft.summary is not None
    try:
        result = read(text)
    except ParseError:
        assert not text.strip()
    else:
        assert isinstance(result, Extracted)
