"""Front matter: mapping, generic keys, wrong types reported by key, broken YAML."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from feedsmith.errors import ParseError
from feedsmith.parse import parse_file


def write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_keys(config, tmp_path):
    path = write(tmp_path, """---
title: Generic keys
date: 2024-11-05 09:30
updated: "2024-11-06T10:00:00+02:00"
link: https://example.org/story?utm_source=x&id=7#top
author: {name: Alex Rivera}
tags: [Robots, Health]
description: A short summary.
---
Body text of the story.
""")
    a = parse_file(path, config)
    assert a.title == "Generic keys"
    assert a.published == datetime(2024, 11, 5, 9, 30, tzinfo=timezone.utc)
    assert a.updated == datetime(2024, 11, 6, 8, 0, tzinfo=timezone.utc)
    assert a.link == "https://example.org/story?id=7"
    assert a.author == "Alex Rivera"
    assert a.topics == ("Robots", "Health")
    assert a.summary == "A short summary."
    assert "Body text of the story." in a.content_text
    assert a.provider.domain == "example.org"


def test_original_url_preferred_over_web_url(config, tmp_path):
    a = parse_file(write(tmp_path, """---
title: T
webUrl: https://web.example.com/a
originalUrl: https://orig.example.com/a
publishedDateTime: 2023-01-01T00:00:00Z
---
"""), config)
    assert a.link == "https://orig.example.com/a"


@pytest.mark.parametrize(
    ("snippet", "key"),
    [
        ("topics: AI", "topics"),
        ('provider: "CNN"', "provider"),
        ("images: {url: 'https://x.example/i.jpg'}", "images"),
        ("publishedDateTime: yesterday", "publishedDateTime"),
        ("quality: high", "quality"),
        ("related: nope", "related"),
    ],
)
def test_wrong_types_warn_by_key_and_article_survives(config, tmp_path, snippet, key):
    path = write(tmp_path, f"---\ntitle: Wrong types\nurl: https://example.com/w\n{snippet}\n---\n")
    a = parse_file(path, config)
    assert a.title == "Wrong types"
    assert any(f"'{key}'" in w for w in a.warnings), a.warnings


def test_string_topics_are_split_and_provider_string_resolved(config, tmp_path):
    a = parse_file(write(tmp_path, "---\ntitle: X\nurl: https://e.com/x\ntopics: AI, Robots\nprovider: SCMP\n---\n"), config)
    assert a.topics == ("AI", "Robots")
    assert (a.provider.name, a.provider.domain) == ("South China Morning Post", "scmp.com")


def test_numbers_as_titles_and_unknown_keys_kept(config, tmp_path):
    a = parse_file(write(tmp_path, "---\ntitle: 42\nurl: https://e.com/n\nmystery: {a: 1}\n---\n"), config)
    assert a.title == "42"
    assert dict(a.extra)["mystery"] == {"a": 1}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nbody\n", "invalid YAML"),
        ("---\ntitle: never closed\nurl: https://e.com\n", "no closing"),
        ("---\n- a\n- b\n---\n", "must be a mapping"),
        ("---\ntitle: only a title\n---\n", "neither a link nor any body"),
        ("---\nurl: https://e.com/x\n---\n", "no title"),
        ("---\n!!python/object/apply:os.system ['echo hi']\n---\n", "invalid YAML"),
    ],
)
def test_broken_front_matter_is_a_parse_error_naming_the_file(config, tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as info:
        parse_file(path, config)
    assert reason in info.value.reason
    assert str(path) in str(info.value)


def test_alias_bomb_refused(config, tmp_path):
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += ["title: boom", "---", "body"]
    with pytest.raises(ParseError, match="alias"):
        parse_file(write(tmp_path, "\n".join(lines)), config)


def test_format_is_sniffed_not_taken_from_extension(config, tmp_path):
    text = "---\ntitle: Named like HTML\nurl: https://e.com/h\n---\n"
    assert parse_file(write(tmp_path, text, "story.html"), config).format == "frontmatter"
