"""Hostile input never costs a feed or an article.

Every case goes through the real pipeline: real files in a temporary seeds
folder, a real static build, and every built file checked (well-formed XML,
feedparser ``bozo == 0``, required elements; HTML pages parsed and searched
for markup that should have been text). A file that can't be used is named in
a message with the reason; every other article is still published.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import html
import json
import multiprocessing
import os
import re
import time
import tracemalloc
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import lxml.html
import pytest

from feedsmith.build import MANIFEST, build
from feedsmith.catalog import build_catalog
from feedsmith.config import Config
from feedsmith.errors import ParseError
from feedsmith.model import Article, Image, Provider, RelatedArticle
from feedsmith.parse import parse_bytes, parse_file
from feedsmith.site import Site

from .feedcheck import assert_valid

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
GOOD = {
    "good-1.md": ("Good article one", "https://example.com/good-1", "2024-05-01T10:00:00Z"),
    "good-2.md": ("Good article two", "https://example.org/good-2", "2024-05-02T10:00:00Z"),
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def front_matter(title: str, link: str | None = None, date: str = "2024-05-03T08:00:00Z",
                 body: str = "The story itself is told in this sentence.", **extra: object) -> str:
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"publishedDateTime: {date}"]
    if link:
        lines.append(f"originalUrl: {link}")
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in extra.items()]
    return "\n".join([*lines, "---", body, ""])


# ------------------------------------------------------------ helpers


@pytest.fixture
def hostile(config: Config, tmp_path: Path) -> Config:
    """A config over a fresh seeds folder that holds two good articles."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, (title, link, date) in GOOD.items():
        (seeds / name).write_text(front_matter(title, link, date), encoding="utf-8")
    return replace(config, seeds_dir=seeds, out_dir=tmp_path / "out", state_dir=tmp_path / "state",
                   reload_interval=0.0)


def assert_html_safe(name: str, data: bytes) -> None:
    """An HTML page carries no script, no event handler and no javascript: URL."""
    doc = lxml.html.fromstring(data)
    assert not doc.xpath("//script|//iframe|//object|//embed"), name
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attr, value in element.attrib.items():
            assert not attr.lower().startswith("on"), (name, element.tag, attr)
            assert not value.strip().lower().startswith("javascript:"), (name, attr, value)


def assert_tree_valid(out: Path, checked: set[bytes] | None = None) -> list[str]:
    """Every file of a built tree validates (``.gz`` files: what they decompress to);
    returns the relative names. ``checked`` holds digests of documents already
    validated, so trees checked over and over only cost the files that changed."""
    names = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name == MANIFEST:
            continue
        rel = str(path.relative_to(out))
        data = path.read_bytes()
        names.append(rel)
        if rel.endswith(".gz"):
            rel, data = rel[:-3], gzip.decompress(data)  # a truncated gzip file fails here
        digest = hashlib.sha256(rel.encode() + b"\0" + data).digest()
        if checked is not None and digest in checked:
            continue
        assert_valid(rel, data)
        if rel.endswith(".html"):
            assert_html_safe(rel, data)
        if checked is not None:
            checked.add(digest)
    assert {"index.html", "feeds.opml", "all.rss", "all.atom", "all.json"} <= set(names)
    return names


def assert_site_valid(site: Site) -> None:
    """The same checks over the in-memory tree (every path the build would write)."""
    for path in site.paths():
        resource = site.get(path)
        assert resource is not None, path
        assert_valid(path, resource.body)
        if path.endswith(".html"):
            assert_html_safe(path, resource.body)


def built(config: Config):
    """Build, validate every file; return (report, titles in all.json, problems by file name)."""
    report = build(config)
    assert_tree_valid(config.out_dir)
    feed = json.loads((config.out_dir / "all.json").read_bytes())
    titles = [item["title"] for item in feed["items"]]
    problems = {Path(p.path).name: p.reason for p in report.load.problems}
    for problem in report.load.problems:  # messages name the file and give the reason
        assert str(problem).startswith(problem.path + ": ") and problem.reason
    for title, _, _ in GOOD.values():
        assert title in titles, (title, titles)
    return report, titles, problems


def warnings_for(report, name: str) -> list[str]:
    return [w for a in report.load.articles if Path(a.source_path).name == name for w in a.warnings]


def article_named(report, name: str) -> Article:
    found = [a for a in report.load.articles if Path(a.source_path).name == name]
    assert found, (name, [str(p) for p in report.load.problems])
    return found[0]


# ------------------------------------------------------------ encodings

CP1252_TITLE = "Café “smart” quotes – naïve résumé"


@pytest.mark.parametrize(("name", "data", "title", "warning"), [
    ("utf8-bom.md", codecs.BOM_UTF8 + front_matter("BOM title ü", "https://e.com/bom").encode(),
     "BOM title ü", None),
    ("utf16-le.md", codecs.BOM_UTF16_LE + front_matter("UTF-16 LE ü", "https://e.com/le").encode("utf-16-le"),
     "UTF-16 LE ü", None),
    ("utf16-be.md", codecs.BOM_UTF16_BE + front_matter("UTF-16 BE ü", "https://e.com/be").encode("utf-16-be"),
     "UTF-16 BE ü", None),
    ("latin1.md", front_matter("Latin-1 café olé", "https://e.com/l1").encode("latin-1"),
     "Latin-1 café olé", "Windows-1252"),
    ("cp1252.md", front_matter(CP1252_TITLE, "https://e.com/cp").encode("cp1252"), CP1252_TITLE, "Windows-1252"),
    ("crlf.md", front_matter("CRLF lines", "https://e.com/crlf").replace("\n", "\r\n").encode(), "CRLF lines", None),
    ("cr.md", front_matter("CR lines", "https://e.com/cr").replace("\n", "\r").encode(), "CR lines", None),
    ("mostly-utf8.md", front_matter("Crème brûlée", "https://e.com/mu").encode() + b"\xff stray byte.\n",
     "Crème brûlée", "not valid UTF-8"),
    ("nul.md", front_matter("A NUL inside", "https://e.com/nul").replace("story", "st\x00ory").encode(),
     "A NUL inside", "control character"),
    ("controls.md", front_matter("Controls", "https://e.com/ctl", body="Bell \x07 esc \x1b text here.").encode(),
     "Controls", "control character"),
])
def test_encodings_are_read_or_reported(hostile, name, data, title, warning):
    (hostile.seeds_dir / name).write_bytes(data)
    report, titles, problems = built(hostile)
    assert name not in problems, problems
    article = article_named(report, name)
    assert article.title == title and title in titles
    assert article.format == "frontmatter", article.format  # BOMs/CRs must not hide the front matter
    assert "\r" not in (article.content_text or "") and "\ufeff" not in article.title
    for text in (article.title, article.content_text or ""):
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    found = warnings_for(report, name)
    if warning:
        assert any(warning in w for w in found), found
    else:
        assert not any("UTF" in w or "control" in w for w in found), found


def test_cp1252_plain_text_keeps_its_punctuation(hostile):
    text = f"{CP1252_TITLE}\n\nThe café said on Monday that “quotes” — and dashes – are fine.\n"
    (hostile.seeds_dir / "story.txt").write_bytes(text.encode("cp1252"))
    report, titles, _ = built(hostile)
    article = article_named(report, "story.txt")
    assert "“quotes” — and dashes" in article.content_text
    assert any("Windows-1252" in w for w in warnings_for(report, "story.txt"))


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256)) * 4
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"word/document.xml" + bytes(range(256)) * 4
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256)) * 4


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("image.png", PNG, "PNG image"),
    ("archive.zip", ZIP, "ZIP archive"),
    ("notes.txt.gz", GZIP, "gzip"),
    ("photo.md", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4, "JPEG image"),
    ("no-bom-utf16.md", front_matter("UTF-16 without BOM").encode("utf-16-le"), "NUL bytes"),
    ("random.bin", __import__("random").Random(7).randbytes(8192), "binary"),
    ("digest.bin", hashlib.sha512(b"x").digest() * 64, "binary"),
])
def test_binary_files_are_refused_by_name(hostile, name, data, reason):
    (hostile.seeds_dir / name).write_bytes(data)
    report, titles, problems = built(hostile)
    assert "binary file" in problems[name] and reason in problems[name], problems
    assert len(report.load.articles) == len(GOOD)


def test_surrogates_written_with_surrogateescape_are_replaced(hostile):
    # Lone surrogates can only reach a file as bytes: surrogateescape turns them back into raw bytes,
    # surrogatepass into the (invalid) UTF-8 encoding of a surrogate.
    text = front_matter("Escaped \udcff\udcfe bytes and \ud800 pass", "https://e.com/sur")
    data = text.encode("utf-8", "surrogatepass").replace("\udcff\udcfe".encode("utf-8", "surrogatepass"),
                                                          "\udcff\udcfe".encode("utf-8", "surrogateescape"))
    (hostile.seeds_dir / "surrogates.md").write_bytes(data)
    report, titles, _ = built(hostile)
    article = article_named(report, "surrogates.md")
    assert article.title.startswith("Escaped") and article.title.endswith("pass")
    assert not re.search("[\ud800-\udfff]", article.title)


# ------------------------------------------------------------ front matter

ALIAS_BOMB = "\n".join(
    ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
    + ["title: boom", "url: https://e.com/bomb", "---", "body of the bomb"]
)


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("unterminated.md", "---\ntitle: Never closed\nurl: https://e.com/u\n\nThe body goes on.\n", "no closing '---'"),
    ("invalid-yaml.md", "---\ntitle: [unclosed\nurl: https://e.com/i\n---\nBody.\n", "invalid YAML in front matter at line"),
    ("tabs.md", "---\ntitle: x\n\turl: https://e.com/t\n---\nBody.\n", "invalid YAML"),
    ("top-list.md", "---\n- title\n- url\n---\nBody.\n", "must be a mapping of keys to values, not a list"),
    ("top-scalar.md", "---\njust some words\n---\nBody.\n", "must be a mapping of keys to values, not a string"),
    ("top-number.md", "---\n42\n---\nBody.\n", "must be a mapping of keys to values, not a number"),
    ("alias-bomb.md", ALIAS_BOMB, "billion laughs"),
    ("python-apply.md", "---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nBody.\n", "invalid YAML"),
    ("python-name.md", "---\ntitle: !!python/name:os.system\n---\nBody.\n", "invalid YAML"),
    ("python-new.md", "---\n!!python/object/new:subprocess.Popen [['touch', '{marker}']]\n---\nBody.\n", "invalid YAML"),
    ("unhashable.md", "---\n? [a, b]\n: c\ntitle: x\n---\nBody.\n", "invalid YAML"),
    ("deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nBody.\n", "nests too deeply"),
])
def test_broken_front_matter_is_reported_and_the_rest_published(hostile, tmp_path, name, text, reason):
    marker = tmp_path / "pwned"
    (hostile.seeds_dir / name).write_text(text.replace("{marker}", str(marker)), encoding="utf-8")
    started = time.perf_counter()
    report, titles, problems = built(hostile)
    assert time.perf_counter() - started < 20
    assert reason in problems[name], problems
    assert not marker.exists(), "a YAML tag ran code"
    assert len(report.load.articles) == len(GOOD)


def test_wrong_types_everywhere_warn_by_key_and_keep_the_article(hostile):
    text = "\n".join([
        "---",
        "title: 1234",
        "excerpt: {nested: mapping}",
        "publishedDateTime: yesterday",
        "updated: [1, 2]",
        "originalUrl: 42",
        "webUrl: javascript:alert(1)",
        "author: 7",
        "provider: \"CNN\"",
        "topics: AI, Robots",
        "category: [World, Asia]",
        "type: true",
        "images: {url: 'https://img.example/1.jpg', width: wide}",
        "quality: excellent",
        "related: not a list",
        "language: [en]",
        "---",
        "The body of an article whose front matter is wrong in every way.",
    ])
    (hostile.seeds_dir / "wrong.md").write_text(text, encoding="utf-8")
    report, titles, problems = built(hostile)
    assert "wrong.md" not in problems
    article = article_named(report, "wrong.md")
    assert article.title == "1234" and "1234" in titles
    assert article.topics == ("AI", "Robots")
    assert article.provider is not None and article.provider.domain == "cnn.com"
    assert article.category == "World" and article.link is None
    assert [i.url for i in article.images] == ["https://img.example/1.jpg"]
    warned = " ".join(article.warnings)
    for key in ("excerpt", "publishedDateTime", "updated", "originalUrl", "webUrl", "provider", "topics",
                "category", "type", "images", "quality", "related", "language"):
        assert f"'{key}'" in warned, (key, article.warnings)


def test_duplicate_keys_warn_naming_the_key(hostile):
    text = "\n".join([
        "---",
        "title: First title",
        "originalUrl: https://e.com/dup",
        "provider:",
        "  name: Reuters",
        "  name: Reuters again",  # nested: not a top-level duplicate
        "summary: |",
        "  title: inside a block scalar, not a key",
        "\"title\": Second title",
        "title: Third title",
        "---",
        "The body of the story is here.",
    ])
    (hostile.seeds_dir / "dup.md").write_text(text, encoding="utf-8")
    report, titles, problems = built(hostile)
    article = article_named(report, "dup.md")
    assert article.title == "Third title"  # YAML's rule: the last one wins
    dupes = [w for w in article.warnings if "given" in w]
    assert dupes == ["front matter 'title': given 3 times; only the last value is used"], article.warnings


def test_duplicate_key_check_stays_cheap_without_duplicates(hostile, monkeypatch):
    import yaml

    def no_compose(*args, **kwargs):
        raise AssertionError("compose() ran for front matter without duplicate keys")

    monkeypatch.setattr(yaml, "compose", no_compose)
    keys = "\n".join(f"key{i}: value {i}" for i in range(2000))
    text = f"---\ntitle: Many keys\noriginalUrl: https://e.com/many\n{keys}\n---\nThe body of the story.\n"
    started = time.perf_counter()
    article = parse_bytes(Path("many.md"), text.encode(), hostile, NOW)
    assert time.perf_counter() - started < 2
    assert article.title == "Many keys" and not any("given" in w for w in article.warnings)


def test_ten_thousand_topics_are_capped_and_feeds_stay_usable(hostile):
    topics = "".join(f"  - Topic number {i}\n" for i in range(10_000))
    text = f"---\ntitle: Topic spam\noriginalUrl: https://e.com/spam\ntopics:\n{topics}---\nThe body.\n"
    (hostile.seeds_dir / "spam.md").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    report, titles, problems = built(hostile)
    assert time.perf_counter() - started < 15
    article = article_named(report, "spam.md")
    assert len(article.topics) == 50 and article.topics[0] == "Topic number 0"
    assert any("'topics'" in w and "10,000" in w and "first 50" in w for w in article.warnings)
    topic_feeds = list((hostile.out_dir / "topics").glob("*.atom"))
    assert len(topic_feeds) <= 50 + 2  # + the good articles' keyword topics, if any


def test_long_topic_and_category_names_give_bounded_slugs(hostile):
    text = front_matter("Long names", "https://e.com/long", topics=["x" * 5000, "Ü" * 300], category="c" * 3000)
    (hostile.seeds_dir / "long.md").write_text(text, encoding="utf-8")
    built(hostile)
    for path in hostile.out_dir.rglob("*"):
        assert len(path.name) <= 100, path.name


# ------------------------------------------------------------ sizes


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b"   \n\t\r\n  \n", "empty file"),
    (b"\xef\xbb\xbf  \n", "only whitespace"),
    (codecs.BOM_UTF16_LE + "  \n ".encode("utf-16-le"), "only whitespace"),
])
def test_empty_and_blank_files(hostile, data, reason):
    (hostile.seeds_dir / "blank.md").write_bytes(data)
    report, titles, problems = built(hostile)
    assert reason in problems["blank.md"]


def test_a_50_mb_file_is_refused_without_being_read(hostile):
    big = hostile.seeds_dir / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ParseError) as info:
            parse_file(big, hostile)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5 and peak < 1_000_000
    assert "52,428,800 bytes" in info.value.reason and "max_file_bytes" in info.value.reason
    report, titles, problems = built(hostile)
    assert "max_file_bytes" in problems["huge.txt"]


def test_a_file_just_over_a_small_limit_is_refused(hostile):
    config = replace(hostile, max_file_bytes=1000)
    (config.seeds_dir / "big.md").write_text(front_matter("Big", "https://e.com/big", body="word " * 300))
    report, titles, problems = built(config)
    assert "1,000" in problems["big.md"]


LINE = 100_000
LONG_LINES = {
    "spaces": " " * LINE,
    "tabs": "\t" * LINE,
    "letters": "a" * LINE,
    "words": ("word " * LINE)[:LINE],
    "dashes": "-" * LINE,
    "pipes": "|" * LINE,
    "stars": "*" * LINE,
    "brackets": "[" * LINE,
    "angles": "<" * LINE,
    "hashes": "#" * LINE,
    "spaces-then-text": " " * (LINE - 5) + "- x |",
    "emphasis": ("*a **b _c " * LINE)[:LINE],
}
WRAPPERS = {
    "plain": "Headline of the long story\n\nThe first paragraph of the story.\n\n{line}\n",
    "markdown": "# Heading\n\nSome **body** text with a [link](https://e.com).\n\n{line}\n",
    "frontmatter": "---\ntitle: Long line\noriginalUrl: https://e.com/long\n---\nThe body.\n\n{line}\n",
    "html": "<!doctype html><html><head><title>T</title></head><body><article><p>The body.</p>"
            "<p>{line}</p></article></body></html>",
}


def _parse_in_child(documents: list[bytes], conn) -> None:  # pragma: no cover - runs in a child process
    from feedsmith.config import load_config

    from .conftest import REPO

    config = load_config(REPO / "config.yaml")
    for data in documents:
        try:
            article = parse_bytes(Path("long.txt"), data, config, NOW)
            conn.send(("ok", article.title))
        except ParseError as exc:
            conn.send(("refused", exc.reason))
        except BaseException as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))


def parse_all_with_deadline(documents: list[bytes], seconds: float) -> list[tuple[str, str]]:
    """Parse each document in a child process, ``seconds`` at most each, so a runaway
    regex can be stopped (re cannot be interrupted) and a crash of C code (SIGSEGV)
    fails the test, not the test run. One child parses many documents; a new one
    takes over after a timeout or a crash."""
    context = multiprocessing.get_context("fork")
    results: list[tuple[str, str]] = []
    while len(results) < len(documents):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_parse_in_child, args=(documents[len(results):], sender))
        child.start()
        sender.close()
        try:
            while len(results) < len(documents):
                if not receiver.poll(seconds):
                    results.append(("timeout", f"still parsing after {seconds}s"))
                    break
                try:
                    results.append(receiver.recv())
                except EOFError:
                    child.join(5)
                    results.append(("crash", f"the parsing process died (exit code {child.exitcode})"))
                    break
        finally:
            child.kill()
            child.join()
            receiver.close()
    return results


def parse_with_deadline(data: bytes, seconds: float) -> tuple[str, str]:
    return parse_all_with_deadline([data], seconds)[0]


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_a_100000_character_line_parses_in_linear_time(wrapper):
    shapes = list(LONG_LINES)
    documents = [WRAPPERS[wrapper].replace("{line}", LONG_LINES[shape]).encode() for shape in shapes]
    outcomes = parse_all_with_deadline(documents, 5.0)
    slow = [f"{shape}: {outcome} ({detail})" for shape, (outcome, detail) in zip(shapes, outcomes)
            if outcome in ("timeout", "crash")]
    assert not slow, f"{wrapper}: {slow}"


@pytest.mark.parametrize(("shape", "yaml_text"), [
    ("flow lists", "title: " + "[" * 100_000 + "]" * 100_000),
    ("flow mappings", "title: " + "{a: " * 100_000 + "}" * 100_000),
    ("compact sequences", "- " * 100_000 + "x"),
    ("complex keys", "? " * 100_000 + "x"),
    ("unclosed", "title: " + "[" * 1_000_000),
])
def test_deeply_nested_front_matter_is_refused_not_a_crash(shape, yaml_text):
    # libyaml (CSafeLoader) recurses in C and dies with SIGSEGV on these 200 KB files,
    # taking the build, or a server worker, with it.
    data = f"---\n{yaml_text}\n---\nThe body of the story.\n".encode()
    outcome, detail = parse_with_deadline(data, 20.0)
    assert outcome == "refused", (shape, outcome, detail)
    assert "nests too deeply" in detail or "invalid YAML" in detail, detail


def test_deep_front_matter_in_seeds_costs_only_that_file(hostile):
    (hostile.seeds_dir / "bomb.md").write_text("---\n" + "- " * 100_000 + "x\n---\nBody.\n")
    report, titles, problems = built(hostile)
    assert "nests too deeply" in problems["bomb.md"]


def test_a_100000_character_line_builds(hostile):
    (hostile.seeds_dir / "long.txt").write_text(
        "A headline for the long line\n\nThe story starts here.\n\n" + ("word " * LINE)[:LINE] + "\n")
    report, titles, problems = built(hostile)
    assert "A headline for the long line" in titles


def test_a_named_pipe_in_seeds_does_not_hang_the_build(hostile):
    os.mkfifo(hostile.seeds_dir / "pipe.md")
    started = time.perf_counter()
    report, titles, problems = built(hostile)
    assert time.perf_counter() - started < 10
    assert "not a regular file" in problems["pipe.md"]


# ------------------------------------------------------------ text that breaks XML and HTML

NASTY = "Ends ]]> here <script>alert(1)</script> <img src=x onerror=alert(1)> & &amp; AT&T \"q\" 'a'"


def test_markup_in_fields_is_text_everywhere(hostile):
    text = front_matter(NASTY, None, summary=f"Summary {NASTY}", author=f"Eve <b onmouseover=x>{NASTY}",
                        topics=[f"<i>{NASTY}</i>"], category=f"]]>{NASTY}",
                        provider={"name": f"Prov {NASTY}", "domain": "evil.example"},
                        body=f"The body says {NASTY}.\n\n<script>alert('body')</script>\n\n"
                             f"<img src=x onerror=alert(2)> and <a href=\"javascript:alert(3)\">link</a>.")
    (hostile.seeds_dir / "nasty.md").write_text(text, encoding="utf-8")
    report, titles, problems = built(hostile)
    assert NASTY in titles  # the JSON Feed carries the exact text
    out = hostile.out_dir
    rss = feedparser.parse((out / "all.rss").read_bytes())
    atom = feedparser.parse((out / "all.atom").read_bytes())
    assert NASTY in [e.title for e in rss.entries]
    assert NASTY in [html.unescape(e.title) if e.title_detail.type == "text/html" else e.title
                     for e in atom.entries]
    page = next((out / "articles").glob("ends-here-*.html"))
    for name in ("index.html", f"articles/{page.name}"):
        doc = lxml.html.fromstring((out / name).read_bytes())
        assert NASTY in doc.text_content() or name == "index.html", name
    assert NASTY in lxml.html.fromstring(page.read_bytes()).text_content()
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    assert f"<i>{NASTY}</i>" in index.text_content()  # the topic's name, shown as text


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\x7f"])
def test_each_control_character_in_a_title(hostile, char):
    (hostile.seeds_dir / "ctl.md").write_bytes(
        front_matter(f"Before{char}after", "https://e.com/ctl").encode())
    report, titles, problems = built(hostile)
    assert "ctl.md" not in problems, problems
    article = article_named(report, "ctl.md")
    assert article.title in ("Beforeafter", "Before after")


def _nasty_article(i: int, text: str, link: bool) -> Article:
    return Article(
        id=f"tag:feedsmith,2024:x{i}{text}", title=f"T{i} {text}", link=f"https://e.com/{i}?q={text}" if link else None,
        published=NOW, observed=NOW, source_path=f"/seeds/{text}.md", updated=NOW,
        summary=f"S {text}", content=f"<p>{text}</p><script>alert(1)</script>", content_text=f"C {text}",
        author=f"A {text}", provider=Provider(f"P {text}", None if i else "evil.example"),
        topics=(f"t {text}", text), category=f"c {text}", type=text,
        images=(Image(f"https://img.example/{text}.jpg", 10, 10, text, "image/jpeg", 5),),
        related=(RelatedArticle(f"R {text}", f"https://e.com/r/{text}", text, NOW, Provider(text)),),
        language=text, warnings=(text,), sources=(("title", text),), extra=((text, text),),
    )


@pytest.mark.parametrize("text", [
    "lone \ud800 high", "lone \udfff low", "pair \udbff\udc00 reversed \udc00\udbff",
    "nul \x00 bell \x07 esc \x1b del \x7f", "nonchar \ufffe \uffff", "]]> ]]&gt; <![CDATA[ x ]]>",
    "<script>alert(1)</script> <img src=x onerror=alert(1)>", "& &amp; &#0; &#x1; &bogus; &lt;",
    "\u202e right-to-left override \u2028 line sep", "\U0001F600 emoji \u0301 combining",
])
def test_articles_built_directly_with_hostile_text_render_valid_feeds(config, text):
    articles = [_nasty_article(i, text, link=bool(i % 2)) for i in range(4)]
    site = Site(build_catalog(articles, config), config)
    assert_site_valid(site)
    feed = json.loads(site.get("all.json").body)
    assert len(feed["items"]) == 4


# ------------------------------------------------------------ names


@pytest.mark.parametrize("name", [
    "with space.md", "-rf.txt", "--help.md", "ünïcödé.md", "cafe\u0301-nfd.md", "日本語の記事.md",
    "semi;colon&amp.md", "quote'\"<>.md", "x" * 200 + ".md", " leading-space.md", "new\nline.md",
])
def test_odd_file_names(hostile, name):
    (hostile.seeds_dir / name).write_text(front_matter(f"Named {len(name)}", f"https://e.com/{len(name)}"))
    (hostile.seeds_dir / f"{name}.broken").write_text("---\ntitle: [oops\n---\nbody\n")
    report, titles, problems = built(hostile)
    assert f"Named {len(name)}" in titles
    assert "invalid YAML" in problems[f"{name}.broken"]


def test_inspect_a_file_named_like_an_option(hostile, monkeypatch, capsys):
    from feedsmith.cli import main

    (hostile.seeds_dir / "-rf.txt").write_text(front_matter("Dash", "https://e.com/dash"))
    monkeypatch.chdir(hostile.seeds_dir)
    assert main(["inspect", "--json", "--", "-rf.txt"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Dash"


def test_symlinks_are_not_followed_and_are_reported(hostile, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text(front_matter("Secret outside seeds", "https://e.com/secret"))
    (hostile.seeds_dir / "link-file.md").symlink_to(secret)
    (hostile.seeds_dir / "link-dir").symlink_to(outside, target_is_directory=True)
    (hostile.seeds_dir / "passwd.md").symlink_to("/etc/passwd")
    (hostile.seeds_dir / "dangling.md").symlink_to(tmp_path / "nowhere")
    report, titles, problems = built(hostile)
    assert "Secret outside seeds" not in titles
    for name in ("link-file.md", "link-dir", "passwd.md", "dangling.md"):
        assert "symbolic link" in problems[name] and "follow_symlinks" in problems[name], problems
    assert not any("root:" in (a.content_text or "") for a in report.load.articles)


def test_followed_symlinks_never_leave_the_seeds_folder(hostile, tmp_path):
    config = replace(hostile, follow_symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(front_matter("Secret outside seeds", "https://e.com/secret"))
    inside = config.seeds_dir / "sub"
    inside.mkdir()
    (inside / "real.md").write_text(front_matter("Inside via link", "https://e.com/inside"))
    (config.seeds_dir / "link-out").symlink_to(outside, target_is_directory=True)
    (config.seeds_dir / "link-out.md").symlink_to(outside / "secret.md")
    (config.seeds_dir / "link-in.md").symlink_to(inside / "real.md")
    (inside / "loop").symlink_to(config.seeds_dir, target_is_directory=True)
    started = time.perf_counter()
    report, titles, problems = built(config)
    assert time.perf_counter() - started < 10
    assert "Secret outside seeds" not in titles and "Inside via link" in titles
    assert "outside the seeds folder" in problems["link-out"]
    assert "outside the seeds folder" in problems["link-out.md"]
    assert "loops back" in problems["loop"]


def test_colliding_slugs_are_distinct_and_stable(hostile):
    names = {
        "c1.md": dict(topics=["C++", "C"], provider={"name": "Example News"}),
        "c2.md": dict(topics=["C#", "c"], provider={"name": "example-news"}),
        "c3.md": dict(topics=["C--"], provider={"name": "Example.News"}),
    }
    for i, (name, extra) in enumerate(names.items()):
        (hostile.seeds_dir / name).write_text(front_matter(f"Collide {i}", f"https://e.com/c{i}", **extra))
    build(hostile)
    first = sorted(p.name for p in hostile.out_dir.rglob("*") if p.suffix == ".atom")
    topics = [n for n in first if n.startswith("c")]
    assert "c.atom" in topics and len([n for n in topics if n == "c.atom" or n.startswith("c-")]) == 4
    # Same names, other files and order: the same slugs.
    for name in names:
        (hostile.seeds_dir / name).rename(hostile.seeds_dir / f"z-{name}")
    report = build(hostile)
    assert sorted(p.name for p in hostile.out_dir.rglob("*") if p.suffix == ".atom") == first
    assert_tree_valid(hostile.out_dir)
    providers = [f for f in build_catalog(report.load.articles, hostile).feeds_of("provider")
                 if f.name.lower().replace("-", " ").replace(".", " ") == "example news"]
    assert len({f.slug for f in providers}) == len(providers) == 3


def test_path_like_names_stay_inside_the_output_folder(hostile, tmp_path):
    evil = ["../../etc/passwd", "..", "/", "\\..\\..\\windows\\win.ini", "%2e%2e%2f", "a/../../b",
            "~root", "$(touch x)", "NUL", "CON", ".hidden", "-"]
    (hostile.seeds_dir / "evil.md").write_text(front_matter(
        "Path names", "https://e.com/paths", topics=evil, category="../../../tmp/evil",
        provider={"name": "../../../root", "domain": "../.."}))
    (hostile.seeds_dir / "evil2.md").write_text(front_matter(
        "../../etc/passwd", None, provider={"name": "/etc/shadow"}, category=".."))
    before = {p for p in tmp_path.rglob("*") if hostile.out_dir not in p.parents}
    report, titles, problems = built(hostile)
    after = {p for p in tmp_path.rglob("*") if hostile.out_dir not in p.parents and p != hostile.out_dir}
    assert after - before <= {hostile.state_dir, *hostile.state_dir.rglob("*")}
    for path in hostile.out_dir.rglob("*"):
        if path.is_file() and path.name != MANIFEST:
            rel = path.relative_to(hostile.out_dir)
            if rel.suffix == ".gz":  # a precompressed twin: named after its original
                rel = rel.with_suffix("")
            assert path.resolve().is_relative_to(hostile.out_dir.resolve())
            assert all(SLUG.match(part) for part in (*rel.parts[:-1], rel.stem)) or rel.name in (
                "index.html", "feeds.opml"), rel
    assert "../../etc/passwd" in titles


@pytest.mark.parametrize("link", [None, "https://e.com/oneline"])
def test_a_front_matter_body_of_one_unpunctuated_line_is_kept(hostile, link):
    """The front matter names the title, so the body's only line is story text, not a second
    headline: dropping it loses the body, and without a link the whole article."""
    body = "Thousands of homes in the north of the city were without power for six hours on Monday"
    (hostile.seeds_dir / "oneline.md").write_text(front_matter("Power cut hits the city", link, body=body))
    report, titles, problems = built(hostile)
    assert "oneline.md" not in problems, problems.get("oneline.md")
    assert body in (article_named(report, "oneline.md").content_text or "")
