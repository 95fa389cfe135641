"""Feed query parameters: parsing and validation, and filtering a feed (pure, no app)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from feedsmith.catalog import build_catalog
from feedsmith.model import Article, Provider
from feedsmith.query import FeedQuery, QueryError, apply, parse_query

UTC = timezone.utc


def _article(n: int, title: str, day: datetime, topics: tuple[str, ...], provider: Provider,
             summary: str | None = None) -> Article:
    return Article(
        id=f"https://example.org/{n}", title=title, link=f"https://example.org/{n}",
        published=day, observed=day, source_path=f"{n}.md", summary=summary,
        provider=provider, topics=topics,
    )


CNN = Provider("CNN", "cnn.com")
REUTERS = Provider("Reuters", "reuters.com")
ST = Provider("The Straits Times", "www.straitstimes.com")
ARTICLES = [
    _article(1, "OpenAI ships a new model", datetime(2024, 5, 3, 10, tzinfo=UTC), ("AI",), CNN,
             "Robots everywhere."),
    _article(2, "Chip export rules tighten", datetime(2024, 5, 2, tzinfo=UTC), ("AI", "Semiconductors"), REUTERS),
    _article(3, "Self-driving taxis in Singapore", datetime(2024, 4, 20, tzinfo=UTC), ("AI in Autos",), CNN),
    _article(4, "Quantum startup raises funds", datetime(2024, 3, 1, tzinfo=UTC), ("Quantum",), ST,
             "A ROBOTICS spin-off."),
    _article(5, "Old AI news", datetime(2023, 1, 1, tzinfo=UTC), ("AI",), CNN),
]
CATALOG = build_catalog(ARTICLES)
ALL = CATALOG.feed("all")


def ids(query: FeedQuery, feed=ALL) -> list[int]:
    return [int(a.id.rsplit("/", 1)[1]) for a in apply(feed, query, CATALOG).articles]


# ------------------------------------------------------------------ parsing


def test_no_parameters_is_an_empty_query():
    query = parse_query({})
    assert query == FeedQuery() and not query and query.canonical() == ""


def test_every_parameter_parses():
    query = parse_query({"limit": "10", "q": " Robot ", "topic": "AI", "provider": "CNN-com",
                         "since": "2024-05-01"})
    assert query.limit == 10
    assert query.q == "robot" and query.topic == "ai" and query.provider == "cnn-com"
    assert query.since == datetime(2024, 5, 1, tzinfo=UTC)
    assert query and query.filters


@pytest.mark.parametrize("value", ["1", "50", "1000", "0007"])
def test_limit_in_range(value):
    assert parse_query({"limit": value}).limit == int(value)


@pytest.mark.parametrize("value", ["-1", "0", "1001", "abc", "", "1.5", "1e3", str(10**9), "9" * 5000,
                                   "\u0661\u0662", "+5", " "])
def test_limit_out_of_range_or_not_a_number(value):
    with pytest.raises(QueryError, match="limit"):
        parse_query({"limit": value})


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
    ("2024-05-01T08:30", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
    ("2024-05-01T08:30:00Z", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
    ("2024-05-01T16:30:00+08:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
    ("2024-05-01T16:30:00 08:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),  # "+" sent unencoded
    ("2024-05-01 16:30", datetime(2024, 5, 1, 16, 30, tzinfo=UTC)),
])
def test_since_iso_dates_naive_is_utc(value, expected):
    since = parse_query({"since": value}).since
    assert since == expected and since.tzinfo is not None


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-01T25:00", "1714550400", "", "x" * 300])
def test_since_rejects_non_iso(value):
    with pytest.raises(QueryError, match="since"):
        parse_query({"since": value})


def test_unknown_parameter_is_named():
    with pytest.raises(QueryError, match="unknown parameter 'page'"):
        parse_query({"page": "2"})
    with pytest.raises(QueryError, match="unknown parameter"):
        parse_query({"limit": "5", "utm_source": "x"})


def test_repeated_parameter_is_refused():
    with pytest.raises(QueryError, match="more than once"):
        parse_query(MultiDict([("topic", "ai"), ("topic", "quantum")]))


@pytest.mark.parametrize("name", ["q", "topic", "provider"])
def test_text_values_must_be_sensible(name):
    for bad in ("", "   ", "a\x00b", "x" * 201):
        with pytest.raises(QueryError, match=name):
            parse_query({name: bad})


def test_reasons_are_one_line():
    for args in ({"limit": "-1"}, {"since": "yesterday"}, {"bad\nname": "1"}, {"q": "a\nb"}):
        with pytest.raises(QueryError) as info:
            parse_query(args)
        assert "\n" not in str(info.value) and str(info.value)


def test_canonical_is_sorted_and_normalised():
    a = parse_query({"topic": "AI", "limit": "05", "since": "2024-05-01T08:00:00+08:00"})
    b = parse_query(MultiDict([("since", "2024-05-01T00:00:00Z"), ("limit", "5"), ("topic", "ai")]))
    assert a == b
    assert a.canonical() == b.canonical() == "limit=5&since=2024-05-01T00:00:00Z&topic=ai"
    assert parse_query({"q": "a&b c"}).canonical() == "q=a%26b%20c"


# ------------------------------------------------------------------ filtering


def test_topic_by_slug_or_name():
    assert ids(parse_query({"topic": "ai"})) == [1, 2, 5]
    assert ids(parse_query({"topic": "AI"})) == [1, 2, 5]
    assert ids(parse_query({"topic": "ai-in-autos"})) == [3]
    assert ids(parse_query({"topic": "AI in Autos"})) == [3]


def test_provider_by_slug_domain_or_name():
    for value in ("cnn-com", "cnn.com", "CNN", "www.cnn.com"):
        assert ids(parse_query({"provider": value})) == [1, 3, 5], value
    for value in ("straitstimes-com", "straitstimes.com", "www.straitstimes.com", "the straits times"):
        assert ids(parse_query({"provider": value})) == [4], value


def test_unknown_topic_or_provider_matches_nothing():
    assert ids(parse_query({"topic": "nope"})) == []
    assert ids(parse_query({"provider": "nope.example"})) == []


def test_q_matches_title_and_summary_case_insensitively():
    assert ids(parse_query({"q": "ROBOT"})) == [1, 4]
    assert ids(parse_query({"q": "chip"})) == [2]
    assert ids(parse_query({"q": "nothing like this"})) == []


def test_since_is_inclusive():
    assert ids(parse_query({"since": "2024-05-02"})) == [1, 2]
    assert ids(parse_query({"since": "2024-05-03T10:00:00Z"})) == [1]
    assert ids(parse_query({"since": "2024-05-03T10:00:01Z"})) == []


def test_filters_intersect():
    assert ids(parse_query({"topic": "ai", "provider": "cnn-com"})) == [1, 5]
    assert ids(parse_query({"topic": "ai", "provider": "cnn-com", "since": "2024-01-01"})) == [1]
    assert ids(parse_query({"topic": "ai", "provider": "reuters.com", "q": "robot"})) == []


def test_filters_apply_to_any_feed():
    topic_feed = CATALOG.feed("topics/ai")
    assert ids(parse_query({"provider": "cnn-com"}), topic_feed) == [1, 5]
    provider_feed = CATALOG.feed("providers/cnn-com")
    assert ids(parse_query({"since": "2024-04-01"}), provider_feed) == [1, 3]


def test_apply_keeps_the_feed_and_does_not_cut_to_limit():
    query = parse_query({"limit": "1", "topic": "ai"})
    narrowed = apply(ALL, query, CATALOG)
    assert (narrowed.kind, narrowed.slug, narrowed.name, narrowed.path) == (ALL.kind, ALL.slug, ALL.name, ALL.path)
    assert len(narrowed.articles) == 3  # the renderer applies the limit
    assert apply(ALL, parse_query({"limit": "3"}), CATALOG) is ALL
    assert narrowed.updated == ARTICLES[0].date
    assert apply(ALL, parse_query({"q": "zzz"}), CATALOG).updated is None
    assert ALL.articles == CATALOG.feed("all").articles  # the original is untouched
