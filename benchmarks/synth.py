#!/usr/bin/env python3
"""Deterministic synthesizer of news-article seed files for the scale benchmarks.

    python benchmarks/synth.py --n 10000 --out benchmarks/work/seeds-10k [--seed 1]

Makes N article files from the everyday-ai corpus (``../shared/corpus/everyday-ai``
next to the repository, or ``--corpus``) plus a few built-in scraped-page
templates:

* ~90 % YAML front-matter files shaped like the corpus (``category``, ``title``,
  ``excerpt``, ``publishedDateTime``, ``originalUrl``/``webUrl``, ``provider``,
  ``topics``, and the ``images`` / ``related`` / ``secured`` blocks of a real
  corpus article), some with a Markdown body;
* ~10 % plain-text "scraped page" files (TISG, Windows Central, SCMP re-post,
  Reuters and AP styles) with headline, date line, story paragraphs and a
  sign-off, byline or author bio.

Titles are varied (prefixes, suffixes, halves of two corpus titles combined),
every article gets a unique link, dates are spread over 2014-2026 (skewed
towards recent years), and topics / providers are sampled from the corpus's
own distributions (plus a long tail of synthetic publications that grows with
N, as an aggregator's would). The same ``--seed`` and ``--n`` always give the
same files, byte for byte, and article ``i`` does not depend on N, so a
10k set starts with the 1k set.

Without the corpus it says so on stderr and falls back to the plain-text
templates with a built-in vocabulary.

The module is also imported by ``run.py``: ``Synth(...).item(i)`` returns an
``Item`` holding the seed text and the intended metadata, which ``run.py``
converts to Pelican and Hugo input so all tools read the same articles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "everyday-ai"

START = datetime(2014, 1, 1, tzinfo=timezone.utc)
END = datetime(2026, 6, 30, tzinfo=timezone.utc)
SPAN = (END - START).total_seconds()

FRONT_MATTER_SHARE = 0.90
BODY_SHARE = 0.40            # front-matter files that also carry a Markdown body
KEEP_TAIL_BLOCKS = ("images", "related", "secured", "heat", "published")

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

PREFIXES = ["Exclusive: ", "Analysis: ", "Explainer: ", "Opinion: ", "Update: ",
            "Watch: ", "Report: ", "Breaking: ", "Insight: ", "Q&A: "]
SUFFIXES = ["what it means for {topic}", "five takeaways", "the {year} outlook",
            "live updates", "analysts weigh in", "a closer look", "here's why",
            "what we know so far", "experts react", "the numbers behind it",
            "part {n}", "and what comes next", "in charts", "a timeline"]

# Built-in vocabulary: used for the plain-text templates and as the whole
# source when the corpus is absent.
FALLBACK_TOPICS = [("AI", 250), ("Machine Learning", 33), ("Computer Vision", 36),
                   ("Natural Language Processing", 19), ("AI in Autos", 21),
                   ("AI in Healthcare", 10), ("AI Hardware", 11), ("AI in Finance", 6)]
FALLBACK_TITLES = [
    "OpenAI CEO calls for global cooperation to regulate AI",
    "Chipmakers race to build faster accelerators for machine learning",
    "Hospitals turn to computer vision to read scans sooner",
    "Regulators weigh new rules for self-driving cars",
    "Banks test language models for customer service",
    "Start-up raises funds to bring robots into warehouses",
    "Researchers unveil a smaller model that runs on phones",
    "Schools debate chatbots in the classroom",
    "Cloud providers cut prices for AI training",
    "Lawmakers question tech firms over data used to train AI",
]
FALLBACK_SENTENCES = [
    "The company said the new system would be available to customers later this year.",
    "Analysts said the move could reshape competition in the sector.",
    "Officials did not say how much the programme would cost.",
    "The research team published its findings in a peer-reviewed journal on Monday.",
    "Critics warned that the technology could be misused without clear rules.",
    "Shares of the firm rose more than 4 per cent in early trading.",
    "The model was trained on a mix of public and licensed data, the company said.",
    "Regulators in Europe and Asia are drafting rules for high-risk applications.",
    "Engineers said the chips use a fraction of the power of previous designs.",
    "The start-up has raised more than $200 million from investors since 2021.",
    "Hospitals that took part in the trial reported shorter waiting times.",
    "The announcement came a day after a rival unveiled a similar product.",
    "Executives declined to comment on the timing of a wider launch.",
    "Several universities have set up new courses on the subject.",
    "The system still makes mistakes, the researchers acknowledged.",
]
FALLBACK_EXCERPT = ("The company said the new system would be available to customers later "
                    "this year, as rivals race to release similar tools.")

# Plain-text templates: (provider name, domain, builder name)
TEXT_STYLES = ("tisg", "windows_central", "scmp_repost", "reuters", "ap")
TEXT_PROVIDERS = {
    "tisg": ("The Independent Singapore", "theindependent.sg"),
    "windows_central": ("Windows Central", "windowscentral.com"),
    "scmp_repost": ("South China Morning Post", "scmp.com"),
    "reuters": ("Reuters", "reuters.com"),
    "ap": ("Associated Press", "apnews.com"),
}
FIRST_NAMES = ["Sean", "Jez", "Kevin", "Zac", "Rachel", "Priya", "Ming", "Daniel",
               "Aisha", "Tom", "Lena", "Hiroshi", "Grace", "Omar", "Elena", "Marcus"]
LAST_NAMES = ["Endicott", "Corden", "Okemwa", "Bowden", "Tan", "Raman", "Li", "Howley",
              "Khan", "Warren", "Fischer", "Sato", "Lim", "Haddad", "Rossi", "Cole"]
CITIES = ["SAN FRANCISCO", "NEW YORK", "LONDON", "SINGAPORE", "TOKYO", "SEOUL",
          "BEIJING", "BERLIN", "PARIS", "BANGALORE", "TORONTO", "SYDNEY"]

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = 70) -> str:
    slug = _SLUG_RE.sub("-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(slots=True)
class Item:
    """One synthetic article: the seed file and what it is meant to say."""

    index: int
    kind: str                   # "frontmatter" or "text"
    relpath: str                # path under the output folder
    text: str                   # the seed file's content
    title: str
    date: datetime
    link: str | None            # None for plain text (no URL in the page)
    provider: str
    domain: str
    topics: list[str]
    category: str | None
    summary: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CorpusArticle:
    title: str
    excerpt: str
    provider: tuple[str, str]
    topics: tuple[str, ...]
    tail: str                   # raw front-matter blocks kept verbatim
    has_original: bool


def _split_blocks(front: str) -> dict[str, str]:
    """Top-level keys of a YAML front matter -> their raw text (key line included)."""
    blocks: dict[str, list[str]] = {}
    key = None
    for line in front.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
            key = line.split(":", 1)[0].strip()
            blocks[key] = [line]
        elif key is not None:
            blocks[key].append(line)
    return {k: "\n".join(v).rstrip() + "\n" for k, v in blocks.items()}


def load_corpus(root: Path) -> list[CorpusArticle] | None:
    news = root / "news"
    if not news.is_dir():
        return None
    import yaml  # only needed with the corpus

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    articles = []
    for path in sorted(news.glob("*.md")):
        raw = path.read_text(encoding="utf-8")
        if not raw.startswith("---"):
            continue
        try:
            _, front, _body = raw.split("---\n", 2)
            data = yaml.load(front, Loader=loader) or {}
        except (ValueError, yaml.YAMLError):
            continue
        provider = data.get("provider") or {}
        if not data.get("title") or not provider.get("domain"):
            continue
        blocks = _split_blocks(front)
        tail = "".join(blocks[k] for k in KEEP_TAIL_BLOCKS if k in blocks)
        articles.append(CorpusArticle(
            title=str(data["title"]).strip(),
            excerpt=str(data.get("excerpt") or "").strip(),
            provider=(str(provider.get("name") or provider["domain"]), str(provider["domain"])),
            topics=tuple(str(t) for t in data.get("topics") or ()),
            tail=tail,
            has_original="originalUrl" in data,
        ))
    return articles or None


class Synth:
    """Article ``i`` is a pure function of (seed, i, corpus)."""

    def __init__(self, seed: int = 1, corpus: Path | None = DEFAULT_CORPUS,
                 quiet: bool = False):
        self.seed = seed
        self.corpus = load_corpus(corpus) if corpus else None
        if self.corpus is None and not quiet:
            print(f"synth: corpus not found at {corpus}; using the plain-text templates only",
                  file=sys.stderr)
        if self.corpus:
            self.titles = [a.title for a in self.corpus]
            sentences = []
            for a in self.corpus:
                for s in re.split(r"(?<=[.!?])\s+", a.excerpt.replace("&nbsp;", " ")):
                    s = s.strip()
                    if len(s) > 40 and s[0].isupper() and s[-1] in ".!?" and not s.endswith(".."):
                        sentences.append(s)
            self.sentences = sentences or FALLBACK_SENTENCES
            topic_sets: dict[tuple[str, ...], int] = {}
            providers: dict[tuple[str, str], int] = {}
            for a in self.corpus:
                topic_sets[a.topics] = topic_sets.get(a.topics, 0) + 1
                providers[a.provider] = providers.get(a.provider, 0) + 1
        else:
            self.titles = FALLBACK_TITLES
            self.sentences = FALLBACK_SENTENCES
            topic_sets = {("AI", t): w for t, w in FALLBACK_TOPICS if t != "AI"}
            topic_sets[("AI",)] = 30
            providers = {v: 1 for v in TEXT_PROVIDERS.values()}
        self.topic_sets, self.topic_cum = _cumulative(topic_sets)
        self.providers, self.provider_cum = _cumulative(providers)
        self.topic_names = sorted({t for ts in self.topic_sets for t in ts})
        # A long tail of small publications (an aggregator sees more outlets the
        # more it collects: ~40 of them in 1k articles, ~500 in 100k). Fixed size,
        # so that article i is the same whatever N is.
        self.tail_pool = 500
        self.tail_share = 0.05

    # -- sampling ---------------------------------------------------------------

    def _date(self, rng: random.Random) -> datetime:
        seconds = int(SPAN * (rng.random() ** 0.6))     # skewed towards recent years
        return START + timedelta(seconds=seconds)

    def _provider(self, rng: random.Random) -> tuple[str, str]:
        if rng.random() < self.tail_share:
            k = int(self.tail_pool * rng.random() ** 2)   # a few big, many small
            return f"Daily AI Wire {k:03d}", f"wire{k:03d}.example.net"
        return rng.choices(self.providers, cum_weights=self.provider_cum)[0]

    def _topics(self, rng: random.Random) -> list[str]:
        return list(rng.choices(self.topic_sets, cum_weights=self.topic_cum)[0])

    def _title(self, rng: random.Random, topics: list[str], year: int) -> str:
        base = rng.choice(self.titles)
        r = rng.random()
        if r < 0.35:
            suffix = rng.choice(SUFFIXES).format(topic=rng.choice(topics or ["AI"]), year=year,
                                                 n=rng.randint(2, 9))
            return f"{base.rstrip('.?!:')}: {suffix}"
        if r < 0.70:
            a, b = base.split(), rng.choice(self.titles).split()
            if len(a) > 2 and len(b) > 2:
                return " ".join(a[: max(2, len(a) // 2)] + b[len(b) // 2:])
            return base
        return rng.choice(PREFIXES) + base

    def _paragraphs(self, rng: random.Random, count: int) -> list[str]:
        return [" ".join(rng.choice(self.sentences) for _ in range(rng.randint(2, 4)))
                for _ in range(count)]

    # -- items --------------------------------------------------------------------

    def item(self, i: int) -> Item:
        rng = random.Random(self.seed * 1_000_003 + i)
        if self.corpus and rng.random() < FRONT_MATTER_SHARE:
            return self._front_matter(i, rng)
        return self._plain_text(i, rng)

    def _front_matter(self, i: int, rng: random.Random) -> Item:
        base = rng.choice(self.corpus)
        date = self._date(rng)
        topics = list(base.topics) if rng.random() < 0.5 else self._topics(rng)
        name, domain = self._provider(rng)
        title = self._title(rng, topics, date.year)
        slug = slugify(title)
        link = f"https://www.{domain}/{date:%Y/%m/%d}/{slug}-{i:x}"
        excerpt = base.excerpt if rng.random() < 0.7 else rng.choice(self.corpus).excerpt
        lines = ["---", "category: news", f"title: {q(title)}", f"excerpt: {q(excerpt)}",
                 f"publishedDateTime: {date:%Y-%m-%dT%H:%M:%SZ}"]
        if base.has_original or rng.random() < 0.5:
            lines.append(f"originalUrl: {q(link)}")
        lines += [f"webUrl: {q(link)}", "type: article", f"quality: {rng.randint(40, 120)}", "",
                  "provider:", f"  name: {q(name)}", f"  domain: {domain}", "", "topics:"]
        lines += [f"  - {q(t)}" for t in topics]
        text = "\n".join(lines) + "\n\n" + base.tail + "---\n"
        paragraphs: list[str] = []
        if rng.random() < BODY_SHARE:
            paragraphs = self._paragraphs(rng, rng.randint(2, 6))
            body = list(paragraphs)
            if len(body) > 3:
                body.insert(2, "## " + rng.choice(["Background", "What happens next",
                                                    "Why it matters", "The details"]))
            body.append(f"[Read more at {name}]({link})")
            text += "\n" + "\n\n".join(body) + "\n"
        relpath = f"{date:%Y}/{date:%Y-%m-%d}-{slug[:60]}-{i:x}.md"
        return Item(i, "frontmatter", relpath, text, title, date, link, name, domain, topics,
                    "news", excerpt, paragraphs)

    def _plain_text(self, i: int, rng: random.Random) -> Item:
        style = rng.choice(TEXT_STYLES)
        name, domain = TEXT_PROVIDERS[style]
        date = self._date(rng)
        topics = self._topics(rng)
        title = self._title(rng, topics, date.year)
        paragraphs = self._paragraphs(rng, rng.randint(4, 9))
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        text = getattr(self, "_text_" + style)(rng, title, date, paragraphs, author)
        relpath = f"scraped/{date:%Y}/{i:07d}_{rng.getrandbits(64):016x}.txt"
        return Item(i, "text", relpath, text, title, date, None, name, domain, topics, None,
                    paragraphs[0], paragraphs)

    # Scraped-page styles ------------------------------------------------------------

    @staticmethod
    def _long_date(d: datetime) -> str:
        return f"{DAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}"

    def _text_tisg(self, rng, title, d, paragraphs, author):
        junk = ["- Advertisement -", "", "Hot this week", "",
                "Netizens ask: is the new MRT line worth the wait?", "",
                "Popular Categories", "", "Enable Notifications OK No thanks"]
        return "\n".join([
            "// Adds dimensions UUID, Author and Topic into GA4",
            self._long_date(d), f"{rng.uniform(24, 33):.1f} C", "Singapore", "",
            title, "", *[p + "\n" for p in paragraphs], "/TISG", "", *junk]) + "\n"

    def _text_windows_central(self, rng, title, d, paragraphs, author):
        first = author.split()[0]
        bio = (f"{author} is a reporter at Windows Central, covering Windows, Microsoft "
               f"software, AI and PCs. {first} has written about technology since "
               f"{d.year - rng.randint(3, 12)} and is active on X @{first.lower()}_writes.")
        return "\n".join([
            title, "",
            "A laptop displays a chatbot window on a desk.", "(Image credit: Getty Images)", "",
            f"Published {MONTHS[d.month - 1]} {d.day}, {d.year}", "",
            *[p + "\n" for p in paragraphs], "CATEGORIES", author, "News Writer", "", bio]) + "\n"

    def _text_scmp_repost(self, rng, title, d, paragraphs, author):
        return "\n".join([
            "", title, "",
            f"{MONTHS[d.month - 1]} {d.day}, {d.year}", "",
            "Executives attend an event on the sidelines of a technology summit. AP-Yonhap", "",
            *paragraphs, "Read the full story at SCMP."]) + "\n"

    def _text_reuters(self, rng, title, d, paragraphs, author):
        second = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        stamp = f"{MONTHS[d.month - 1]} {d.day}, {d.year} {d:%I:%M %p} UTC"
        lead = f"{rng.choice(CITIES)}, {MONTHS[d.month - 1]} {d.day} (Reuters) - {paragraphs[0]}"
        return "\n".join([
            title, "", f"By {author}", stamp, "",
            lead + "\n", *[p + "\n" for p in paragraphs[1:]],
            f"Reporting by {author}; Editing by {second}", "",
            "Our Standards: The Thomson Reuters Trust Principles."]) + "\n"

    def _text_ap(self, rng, title, d, paragraphs, author):
        return "\n".join([
            title, "", f"By {author.upper()} Associated Press",
            f"{MONTHS[d.month - 1]} {d.day}, {d.year}, {d:%I:%M %p}", "",
            *[p + "\n" for p in paragraphs],
            f"Copyright {d.year} The Associated Press. All rights reserved. This material "
            "may not be published, broadcast, rewritten or redistributed."]) + "\n"


def _cumulative(weights: dict) -> tuple[list, list[float]]:
    keys = sorted(weights)                      # sorted: independent of dict order
    cum, total = [], 0.0
    for k in keys:
        total += weights[k]
        cum.append(total)
    return keys, cum


def write(n: int, out: Path, seed: int = 1, corpus: Path | None = DEFAULT_CORPUS,
          start: int = 0, quiet: bool = False):
    """Write articles start..n-1 under ``out``; yields nothing, returns the Synth."""
    synth = Synth(seed=seed, corpus=corpus, quiet=quiet)
    made: set[str] = set()
    for i in range(start, n):
        item = synth.item(i)
        path = out / item.relpath
        parent = str(path.parent)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(item.text)
    return synth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="number of articles")
    ap.add_argument("--out", type=Path, required=True, help="output folder (created)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help=f"everyday-ai corpus folder (default {DEFAULT_CORPUS})")
    ap.add_argument("--force", action="store_true", help="write into a non-empty folder")
    args = ap.parse_args(argv)
    if args.n <= 0:
        ap.error("--n must be positive")
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        ap.error(f"{args.out} is not empty (use --force, or a new folder)")
    t0 = time.perf_counter()
    write(args.n, args.out, seed=args.seed, corpus=args.corpus)
    print(f"wrote {args.n} articles to {args.out} in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
