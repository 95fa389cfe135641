"""The bundled config.yaml and the configuration loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from feedsmith.config import Config, ProviderEntry, ProviderRegistry, load_config
from feedsmith.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "config.yaml"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "everyday-ai"


@pytest.fixture(scope="module")
def bundled() -> Config:
    return load_config(BUNDLED)


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def corpus_dir(name: str) -> Path:
    folder = CORPUS / name
    if not folder.is_dir():
        pytest.skip(f"corpus folder {folder} not available")
    return folder


def front_matter(path: Path) -> dict:
    """The first YAML document of a file (organization files are front matter only)."""
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc:
            return doc
    return {}


# --- The bundled configuration -----------------------------------------------


def test_bundled_config_loads_with_documented_values(bundled: Config) -> None:
    assert bundled.title == "feedsmith news"
    assert bundled.base_url == "http://127.0.0.1:8000/"
    assert bundled.item_limit == 50
    assert bundled.undated == "mtime"
    assert bundled.timezone == "UTC"
    assert bundled.websub_hub is None  # left commented out
    assert bundled.seeds_dir == REPO / "seeds"
    assert bundled.out_dir == REPO / "feeds"
    assert {bundled.content_mode(f) for f in ("rss", "atom", "json")} == {"full"}


def test_bundled_config_keeps_the_code_defaults(bundled: Config) -> None:
    """Apart from the title, config.yaml restates the defaults rather than drifting from them."""
    default = Config()
    for key in ("description", "base_url", "language", "author", "host", "port", "item_limit",
                "feed_max_bytes", "undated", "timezone", "max_file_bytes", "follow_symlinks",
                "formats", "content", "gzip", "cache_max_age", "archive_max_age", "archives",
                "reload_interval", "websub_hub"):
        assert getattr(bundled, key) == getattr(default, key), key


def test_bundled_registry_is_substantial(bundled: Config) -> None:
    assert len(bundled.providers) >= 120


@pytest.mark.parametrize(
    ("mention", "name", "domain"),
    [
        ("TISG", "The Independent Singapore", "theindependent.sg"),
        ("SCMP", "South China Morning Post", "scmp.com"),
        ("AP", "Associated Press", "apnews.com"),
        ("The Associated Press", "Associated Press", "apnews.com"),
        ("Reuters", "Reuters", "reuters.com"),
        ("Yonhap", "Yonhap", "yna.co.kr"),
        ("Kyodo", "Kyodo", "kyodonews.net"),
        ("WSJ", None, "wsj.com"),
        ("The Wall Street Journal", None, "wsj.com"),
        ("Wall Street Journal", None, "wsj.com"),
        ("NYT", "The New York Times", "nytimes.com"),
        ("BBC", "BBC", "bbc.com"),
        ("Windows Central", "Windows Central", "windowscentral.com"),
        ("Bloomberg L.P.", "Bloomberg", "bloomberg.com"),
        ("Mint", "Mint", "livemint.com"),
        ("AFP", "Agence France-Presse", "afp.com"),
        ("Xinhua", "Xinhua", "news.cn"),
        ("tisg", "The Independent Singapore", "theindependent.sg"),  # case-insensitive
    ],
)
def test_registry_resolves_names_and_aliases(bundled: Config, mention, name, domain) -> None:
    entry = bundled.providers.lookup(mention)
    assert entry is not None, mention
    assert entry.domain == domain
    if name is not None:
        assert entry.name == name


def test_registry_resolves_urls_and_subdomains(bundled: Config) -> None:
    registry = bundled.providers
    assert registry.by_domain("https://edition.cnn.com/x").name == "CNN"
    assert registry.by_domain("https://www.scmp.com/tech/article/1").domain == "scmp.com"
    assert registry.by_domain("en.yna.co.kr").name == "Yonhap"
    assert registry.by_domain("english.kyodonews.net").name == "Kyodo"
    assert registry.by_domain("https://aws.amazon.com/blogs/x").name == "AWS"
    assert registry.by_domain("https://www.amazon.com/dp/1").name == "Amazon"
    assert registry.by_domain("https://example.org/") is None


def test_unknown_mention_resolves_to_itself(bundled: Config) -> None:
    provider = bundled.providers.resolve("  Some Local Gazette ")
    assert (provider.name, provider.domain) == ("Some Local Gazette", None)
    assert bundled.providers.lookup("said") is None


def test_registry_has_no_ambiguous_common_word_aliases(bundled: Config) -> None:
    for word in ("Times", "Guardian", "Independent", "Post", "News", "Daily", "Insider"):
        assert bundled.providers.lookup(word) is None, word


def test_every_corpus_organization_is_in_registry(bundled: Config) -> None:
    folder = corpus_dir("organizations")
    files = [p for p in sorted(folder.iterdir()) if p.is_file()]
    assert files
    for path in files:
        org = front_matter(path)
        entry = bundled.providers.lookup(org["name"])
        assert entry is not None, org["name"]
        assert entry.domain == org["domain"], org["name"]
        assert bundled.providers.by_domain(org["domain"]) == entry
        for other in org.get("otherNames") or ():
            assert bundled.providers.lookup(other) == entry, other


def test_corpus_topics_are_present_with_keywords(bundled: Config) -> None:
    folder = corpus_dir("topics")
    rules = {rule.name: rule for rule in bundled.topics}
    assert len(rules) == len(bundled.topics), "duplicate topic names"
    files = sorted(folder.glob("*.yaml"))
    assert files
    for path in files:
        topic = front_matter(path)
        rule = rules.get(topic["name"])
        assert rule is not None, topic["name"]
        assert rule.keywords
        lowered = {k.casefold() for k in rule.keywords}
        for keyword in topic.get("keywords") or ():
            assert str(keyword).casefold() in lowered, (topic["name"], keyword)


def test_topic_keywords_are_plain_strings(bundled: Config) -> None:
    for rule in bundled.topics:
        for keyword in rule.keywords:
            assert keyword == keyword.strip() and keyword, (rule.name, keyword)


# --- Loader: values and paths ---------------------------------------------------


def test_no_file_gives_defaults() -> None:
    cfg = load_config()
    assert cfg.base_url == Config().base_url
    assert cfg.seeds_dir == Path("seeds")


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "# nothing here\n"))
    assert cfg.item_limit == Config().item_limit
    assert cfg.seeds_dir == tmp_path / "seeds"


def test_relative_dirs_resolve_against_config_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "seeds_dir: articles\nout_dir: public/feeds\nstate_dir: st\n")
    cfg = load_config(path)
    assert cfg.seeds_dir == tmp_path / "articles"
    assert cfg.out_dir == tmp_path / "public" / "feeds"
    assert cfg.state_dir == tmp_path / "st"
    assert cfg.root == tmp_path


def test_absolute_dirs_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    cfg = load_config(write(tmp_path, f"seeds_dir: {target}\n"))
    assert cfg.seeds_dir == target


def test_keyword_arguments_override_file(tmp_path: Path) -> None:
    path = write(tmp_path, "seeds_dir: articles\nitem_limit: 10\nport: 9000\n")
    override = tmp_path / "cli-seeds"
    cfg = load_config(path, seeds_dir=str(override), item_limit=5, port=None)
    assert cfg.seeds_dir == override and isinstance(cfg.seeds_dir, Path)
    assert cfg.item_limit == 5
    assert cfg.port == 9000  # None means "not given"
    assert cfg.out_dir == tmp_path / "feeds"


def test_unknown_override_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="item_limit"):
        load_config(write(tmp_path, ""), item_limt=5)


def test_overrides_are_validated_too(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert load_config(path, base_url="https://x.example/feeds").base_url == "https://x.example/feeds/"
    with pytest.raises(ConfigError, match="base_url"):
        load_config(path, base_url="nowhere")


def test_base_url_gets_trailing_slash(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "base_url: https://news.example.org/feeds\n"))
    assert cfg.base_url == "https://news.example.org/feeds/"
    assert cfg.url("/topics/ai.xml") == "https://news.example.org/feeds/topics/ai.xml"


def test_formats_are_kept_in_their_usual_order(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "formats: [json, atom]\n"))
    assert cfg.formats == ("atom", "json")
    assert cfg.main_format == "atom"
    assert load_config(write(tmp_path, "formats: [json, rss]\n")).main_format == "rss"
    assert load_config(write(tmp_path, "formats: json\n")).formats == ("json",)
    assert Config().formats == ("rss", "atom", "json") and Config().gzip is True


def test_content_modes_merge_with_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "content:\n  rss: summary\n"))
    assert cfg.content_mode("rss") == "summary"
    assert cfg.content_mode("atom") == "full"
    assert cfg.content_mode("json") == "full"


def test_websub_hub(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "websub:\n  hub: https://hub.example.org/\n"))
    assert cfg.websub_hub == "https://hub.example.org/"


def test_providers_and_topics_parse(tmp_path: Path) -> None:
    path = write(tmp_path, """
providers:
  - {name: Example Times, domain: WWW.Example.COM, aliases: [ET Daily, "The Example"]}
  - {name: Bare}
topics:
  - {name: Robots, keywords: [robot, robotics]}
  - {name: Single, keywords: one}
""")
    cfg = load_config(path)
    entry = cfg.providers.lookup("the example")
    assert entry == ProviderEntry("Example Times", "example.com", ("ET Daily", "The Example"))
    assert cfg.providers.by_domain("https://news.example.com/a") == entry
    assert cfg.providers.lookup("Bare").domain is None
    assert [(t.name, t.keywords) for t in cfg.topics] == [
        ("Robots", ("robot", "robotics")), ("Single", ("one",)),
    ]


def test_lookup_ignores_case_accents_and_punctuation() -> None:
    registry = ProviderRegistry((
        ProviderEntry("Süddeutsche Zeitung", "sueddeutsche.de"),
        ProviderEntry("新华社", "news.cn"),
        ProviderEntry("연합뉴스", "yna.co.kr"),
    ))
    assert registry.lookup("SUDDEUTSCHE  zeitung").domain == "sueddeutsche.de"
    assert registry.lookup("新华社").domain == "news.cn"
    assert registry.lookup("연합뉴스").domain == "yna.co.kr"
    assert registry.lookup("東京新聞") is None  # non-Latin names don't collapse into one key
    assert registry.lookup("   ") is None


# --- Loader: errors ---------------------------------------------------------------


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message  # every error names the file
    return message


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    message = error_for(tmp_path, "item_limt: 20\n")
    assert "'item_limt'" in message
    assert "did you mean 'item_limit'?" in message


def test_unknown_key_without_close_match(tmp_path: Path) -> None:
    message = error_for(tmp_path, "zzzzzz: 1\n")
    assert "'zzzzzz'" in message and "unknown setting" in message
    assert "did you mean" not in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("item_limit: fifty\n", "item_limit"),
        ("port: '8000'\n", "port"),
        ("follow_symlinks: 'yes please'\n", "follow_symlinks"),
        ("item_limit: true\n", "item_limit"),
        ("title: [a, b]\n", "title"),
        ("reload_interval: soon\n", "reload_interval"),
    ],
)
def test_wrong_type_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    message = error_for(tmp_path, text)
    assert f"'{key}'" in message
    assert "expected" in message


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/", "/relative/path", "http://"])
def test_invalid_base_url(tmp_path: Path, url: str) -> None:
    message = error_for(tmp_path, f"base_url: '{url}'\n")
    assert "'base_url'" in message and "http(s)" in message


def test_unknown_timezone(tmp_path: Path) -> None:
    message = error_for(tmp_path, "timezone: Mars/Olympus_Mons\n")
    assert "'timezone'" in message and "Mars/Olympus_Mons" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("undated: sometimes\n", "undated"),
        ("item_limit: 0\n", "item_limit"),
        ("port: 70000\n", "port"),
        ("content:\n  rss: partial\n", "content.rss"),
        ("content:\n  html: full\n", "content.html"),
        ("content: summary\n", "content"),
        ("formats: [rss, html]\n", "formats"),
        ("formats: []\n", "formats"),
        ("gzip: yes please\n", "gzip"),
        ("websub: https://hub.example.org/\n", "websub"),
        ("websub:\n  hub: not-a-url\n", "websub.hub"),
        ("providers: {name: X}\n", "providers"),
        ("providers:\n  - {domain: x.com}\n", "providers[0]"),
        ("providers:\n  - {name: X, site: x.com}\n", "providers[0]"),
        ("providers:\n  - {name: X, domain: [x.com]}\n", "providers[0].domain"),
        ("providers:\n  - {name: X, aliases: [{a: b}]}\n", "providers[0].aliases"),
        ("topics: AI\n", "topics"),
        ("topics:\n  - {keywords: [ai]}\n", "topics[0]"),
        ("topics:\n  - {name: Switches, keywords: [on, off]}\n", "topics[0].keywords"),
        ("topics:\n  - {name: Off, keywords: [x]}\n", "topics[0]"),
        ("providers:\n  - {name: 1843}\n", "providers[0]"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    assert f"'{key}'" in error_for(tmp_path, text)


def test_unquoted_yaml_name_gets_a_hint(tmp_path: Path) -> None:
    message = error_for(tmp_path, "topics:\n  - {name: Off, keywords: [x]}\n")
    assert "quotes" in message and "False" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "config.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)


def test_invalid_yaml(tmp_path: Path) -> None:
    message = error_for(tmp_path, "title: [unclosed\nport: 1\n")
    assert "invalid YAML" in message


def test_deeply_nested_yaml_is_a_config_error_not_a_crash(tmp_path: Path) -> None:
    # libyaml would overflow the C stack here; the loader must pick the Python one.
    message = error_for(tmp_path, "title: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "invalid YAML" in message and "nested too deeply" in message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    message = error_for(tmp_path, "- just\n- a list\n")
    assert "mapping" in message


def test_config_error_is_not_a_traceback_for_directories(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(tmp_path) in str(info.value)
