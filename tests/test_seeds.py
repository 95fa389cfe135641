"""The five bundled seeds, field by field (the foundation issue's table)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from feedsmith.parse import parse_file

from .conftest import SEEDS


def seed(config, prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return parse_file(path, config)


def test_seed_000_front_matter(config):
    a = seed(config, "000")
    assert a.format == "frontmatter"
    assert a.title == "OpenAI CEO Calls for Collaboration With China to Counter AI Risks"
    assert a.link == "https://www.wsj.com/articles/openai-ceo-calls-for-collaboration-with-china-to-counter-ai-risks-eda903fe"
    assert a.published == datetime(2023, 6, 10, 5, 19, tzinfo=timezone.utc)
    assert (a.provider.name, a.provider.domain) == ("Wall Street Journal", "wsj.com")
    assert a.author is None
    assert a.topics == ("AI",)
    assert a.category == "news"
    assert a.summary.startswith("As the U.S. seeks to contain China")
    assert a.images[0].url == "https://images.wsj.net/im-797978/social"
    assert (a.images[0].width, a.images[0].height) == (1280, 640)
    assert len(a.related) == 10
    first = a.related[0]
    assert first.title == "OpenAI CEO calls for global cooperation to regulate AI"
    assert first.provider.domain == "cnn.com"
    assert first.published == datetime(2023, 6, 9, 11, 47, tzinfo=timezone.utc)
    assert a.quality == 67
    assert a.id == a.link
    assert dict(a.extra)["heat"] == -1


def test_seed_001_front_matter(config):
    a = seed(config, "001")
    assert a.title == "OpenAI CEO calls for global cooperation to regulate AI"
    assert a.link == "https://edition.cnn.com/2023/06/09/tech/korea-altman-chatgpt-ai-regulation-intl-hnk/index.html"
    assert a.published == datetime(2023, 6, 9, 11, 47, tzinfo=timezone.utc)
    assert (a.provider.name, a.provider.domain) == ("CNN", "cnn.com")
    assert a.topics == ("AI",)
    assert len(a.related) == 2


def test_seed_002_scraped_singapore(config):
    a = seed(config, "002")
    assert a.format == "plaintext"
    assert a.title == "Sam Altman signals OpenAI’s desire to partner with China after DeepSeek disrupts the AI market"
    assert a.link is None
    assert a.published is not None and a.published.utcoffset() is not None
    assert a.published.astimezone(timezone.utc).date().isoformat() == "2026-06-23"
    assert (a.provider.name, a.provider.domain) == ("The Independent Singapore", "theindependent.sg")
    assert a.author is None
    assert a.topics == ("AI",)
    body = a.content_text
    assert body.startswith("OpenAI CEO Sam Altman stated")
    for junk in ("Advertisement", "Hot this week", "addEventListener", "Enable Notifications", "27.2 C"):
        assert junk not in body


def test_seed_003_windows_central(config):
    a = seed(config, "003")
    assert a.title == 'OpenAI CEO Sam Altman wants to "work with China" but would the US government allow it?'
    assert a.link is None
    assert a.published is None
    assert any("no publication date" in w for w in a.warnings)
    assert a.provider.name == "Windows Central"
    assert a.author == "Sean Endicott"
    assert a.topics == ("AI",)
    body = a.content_text
    assert "(Image credit" not in body
    assert "CATEGORIES" not in body
    assert "is a tech journalist" not in body
    assert "Is OpenAI available in China?" in body


def test_seed_004_scmp(config):
    a = seed(config, "004")
    assert a.title.startswith("OpenAI is keen to collaborate with China")
    assert len(a.title) <= 110
    assert a.title.endswith("…")
    assert a.link is None
    assert a.published is None
    assert any("no publication date" in w for w in a.warnings)
    assert (a.provider.name, a.provider.domain) == ("South China Morning Post", "scmp.com")
    assert a.topics == ("AI",)
    body = a.content_text
    assert "Station F" not in body
    assert "Read the full story" not in body
    assert body.startswith("OpenAI is keen to collaborate with China")


@pytest.mark.parametrize("prefix", ["002", "003", "004"])
def test_undated_seeds_use_file_time_and_stable_ids(config, prefix):
    a = seed(config, prefix)
    assert a.date.utcoffset() is not None
    assert a.id.startswith("tag:feedsmith,2024:article/")
    assert seed(config, prefix).id == a.id


def test_undated_skip_policy(config, seeds):
    from dataclasses import replace

    from feedsmith.load import load_folder

    result = load_folder(seeds, replace(config, undated="skip"))
    assert len(result.articles) == 3  # 000, 001, 002 carry dates
    skipped = {p.path.rsplit("/", 1)[-1][:3] for p in result.problems}
    assert skipped == {"003", "004"}
    assert all("undated" in p.reason for p in result.problems)
