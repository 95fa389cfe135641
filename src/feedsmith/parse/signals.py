"""Format-independent text signals for scraped news pages.

Every function here looks at one line (or one paragraph) of text and answers
one question: is this boilerplate, and of which kind? Is it a byline, a
sign-off, an attribution, a copyright notice, an author bio, a dateline, a
photo caption? Could it be a headline? The plain-text reader uses them line by
line; the HTML and Markdown readers use them on the text of their blocks.

The rules are general signals -- vocabulary lists (several languages),
punctuation, line shape, sentence patterns -- never matches on particular
articles. All functions are pure, never raise on any string, and are cheap:
regexes are compiled once and most lines are rejected by a single dictionary
lookup or a short prefix test.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from .patterns import lazy_compile

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProviderRegistry

__all__ = [
    "Byline", "Signoff", "Dateline",
    "normalize_line", "classify_line", "trailer_heading", "is_code",
    "caption_kind", "is_credit_line", "parse_byline", "find_byline", "agency_name",
    "find_signoff", "find_dateline", "find_attribution", "find_copyright",
    "find_bio", "is_bio_sentence", "is_person_name", "is_role_line",
    "find_provider_mention", "looks_like_headline", "first_sentence",
    "sentence_count", "registry_alias", "has_cjk", "KNOWN_AGENCIES",
]

# --------------------------------------------------------------------------
# Character classes and small helpers
# --------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK = lazy_compile(f"[{_CJK_CHARS}]")
_ZERO_WIDTH = lazy_compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LABEL_PUNCT = lazy_compile(r"[\W_]+", re.UNICODE)
_HAS_LETTER = lazy_compile(r"[^\W\d_]")
_HAS_DIGIT = lazy_compile(r"\d")
_URL = lazy_compile(r"^(?:https?://|www\.)\S+$", re.I)
_EMAIL = lazy_compile(r"^\S+@\S+\.\w+$")


def has_cjk(text: str) -> bool:
    """The text holds Chinese, Japanese or Korean characters (no spaces between words there)."""
    return bool(_CJK.search(text))


@lru_cache(maxsize=4096)
def _normalize_unicode(line: str) -> str:
    if _ZERO_WIDTH.search(line):
        line = _ZERO_WIDTH.sub("", line)
    return " ".join(line.split())


def normalize_line(line: str) -> str:
    """One line with every kind of whitespace squashed to single spaces, stripped."""
    if not isinstance(line, str):
        return ""
    if line.isascii():
        if "  " not in line and "\t" not in line and "\n" not in line and "\r" not in line \
                and "\x0b" not in line and "\x0c" not in line and line[:1] != " " and line[-1:] != " ":
            return line
    elif len(line) <= 2000:
        return _normalize_unicode(line)
    elif _ZERO_WIDTH.search(line):
        line = _ZERO_WIDTH.sub("", line)
    return " ".join(line.split())


@lru_cache(maxsize=4096)
def _label_key(line: str) -> str:
    """A line reduced to lowercase words for exact-label lookups ("- Advertisement -" -> "advertisement")."""
    return _LABEL_PUNCT.sub(" ", line.casefold()).strip()


def _alt(words) -> str:
    """A regex alternation, longest first so prefixes don't shadow longer words."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs no fig inc ltd co corp gen gov sen rep lt col sgt capt "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ ave etc".split()
)
_SENTENCE_BREAK = lazy_compile(r"(?<=[^\s.][.!?])[\"”’')\]]?\s+(?=[\"“‘(\[]?[" + _UP + r"0-9])|(?<=[。！？])")


def _sentence_breaks(text: str) -> list[int]:
    """Offsets where a new sentence starts (abbreviations such as "Mr." and "U.S." excluded)."""
    breaks = []
    for m in _SENTENCE_BREAK.finditer(text):
        head = text[: m.start()].rstrip("\"”’')]")
        if head.endswith("."):
            word = head[:-1].rsplit(None, 1)[-1] if head[:-1].split() else ""
            bare = word.strip("(\"“'").casefold()
            if bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()) or "." in bare:
                continue  # "Mr. Smith", "J. Doe", "U.S. officials"
        breaks.append(m.end())
    return breaks


def sentence_count(text: str) -> int:
    """How many sentences a line holds (1 for a sentence or a fragment)."""
    if not text:
        return 0
    return 1 + len(_sentence_breaks(text))


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (the whole text when it has one)."""
    text = normalize_line(text)
    breaks = _sentence_breaks(text)
    return text[: breaks[0]].strip() if breaks else text


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

#: Wire services and photo agencies, as they appear in credits, sign-offs and datelines.
KNOWN_AGENCIES: frozenset[str] = frozenset(
    s.casefold() for s in (
        "Reuters", "AP", "Associated Press", "The Associated Press", "AFP", "Agence France-Presse",
        "dpa", "EPA", "EPA-EFE", "EFE", "Yonhap", "Yonhap News", "Yonhap News Agency", "Kyodo",
        "Kyodo News", "Jiji", "Jiji Press", "Xinhua", "Bernama", "PTI", "IANS", "ANI", "UNI",
        "ANSA", "Europa Press", "Anadolu", "Anadolu Agency", "ANP", "Belga", "APA", "SDA",
        "Keystone-SDA", "KNA", "epd", "AAP", "CP", "The Canadian Press", "Canadian Press", "PA",
        "PA Media", "PA Wire", "Bloomberg", "TASS", "RIA Novosti", "Interfax", "CNA", "Antara",
        "PNA", "UPI", "Sputnik", "Ukrinform", "Lusa", "NTB", "TT", "STT", "Ritzau", "CTK", "PAP",
        "MTI", "Agerpres", "BTA", "HINA", "Tanjug", "ATS", "KCNA", "Newsis", "News1", "NHK",
        "Getty Images", "Getty", "Shutterstock", "iStock", "Depositphotos", "Alamy", "NurPhoto",
        "SOPA Images", "LightRocket", "Sipa", "Sipa USA", "ZUMA", "ZUMA Press", "ZUMA Wire",
        "Unsplash", "Pixabay", "Pexels", "Imago", "picture alliance", "picture-alliance", "Xinhua",
        "Kyodo Photo", "AP Photo", "Reuters Photo", "AFP Photo", "WireImage", "FilmMagic",
        "Bloomberg via Getty Images", "AFP via Getty Images", "Adobe Stock", "123RF", "Dreamstime",
        "共同通信", "時事通信", "新华社", "연합뉴스", "뉴시스", "뉴스1",
    )
)
_PHOTO_AGENCIES = frozenset(
    s.casefold() for s in (
        "Getty Images", "Getty", "Shutterstock", "iStock", "iStockphoto", "Depositphotos", "Alamy",
        "NurPhoto", "SOPA Images", "LightRocket", "Sipa", "Sipa USA", "ZUMA", "ZUMA Press",
        "ZUMA Wire", "Unsplash", "Pixabay", "Pexels", "Imago", "picture alliance",
        "picture-alliance", "WireImage", "FilmMagic", "Adobe Stock", "123RF", "Dreamstime",
        "AP Photo", "Reuters Photo", "AFP Photo", "Kyodo Photo", "EPA-EFE",
    )
)
_AGENCY_ALT = _alt(
    [a for a in (
        "Reuters", "AP", "Associated Press", "AFP", "dpa", "DPA", "EPA", "EFE", "EPA-EFE", "Yonhap",
        "Kyodo", "Jiji", "Xinhua", "Bernama", "PTI", "IANS", "ANI", "ANSA", "Anadolu", "ANP",
        "Belga", "APA", "AAP", "PA", "PA Media", "Bloomberg", "TASS", "Interfax", "UPI", "Sputnik",
        "Getty Images", "Getty", "Shutterstock", "iStock", "Depositphotos", "Alamy", "NurPhoto",
        "SOPA Images", "LightRocket", "Sipa USA", "Sipa", "ZUMA Press", "ZUMA Wire", "ZUMA",
        "Unsplash", "Pixabay", "Pexels", "Imago", "picture alliance", "WireImage", "Newsis",
        "News1", "Korea Times", "Korea Herald", "JoongAng", "Kyodo News", "Jiji Press",
        "Adobe Stock", "Gamma-Rapho", "Anadolu Agency", "Abaca", "Hans Lucas", "Europa Press",
    )]
)

_ROLE_WORDS = frozenset(
    "writer writers editor editors reporter reporters journalist journalists correspondent "
    "correspondents columnist columnists contributor contributors producer producers analyst "
    "analysts critic critics blogger bloggers author authors freelancer freelance photographer "
    "photojournalist anchor host commentator presenter staff intern interns fellow chief "
    "senior contributing associate assistant managing executive deputy bureau desk news "
    "team newsroom editorial digital features sports business technology tech politics "
    "science health culture opinion head director lead principal founder "
    "redakteur redakteurin redaktion journalistin korrespondent korrespondentin autor autorin "
    "reporterin volontär volontärin chefredakteur chefredakteurin ressortleiter ressortleiterin "
    "journaliste rédacteur rédactrice rédaction correspondant correspondante chroniqueur "
    "chroniqueuse envoyé envoyée spéciale spécial "
    "periodista redactor redactora redacción reportero reportera corresponsal columnista "
    "editora colaborador colaboradora "
    "giornalista redattore redattrice corrispondente redacteur verslaggever correspondent".split()
)
_ROLE_NOUNS = (
    "journalist", "reporter", "writer", "editor", "correspondent", "columnist", "contributor",
    "producer", "analyst", "critic", "blogger", "author", "freelancer", "photographer",
    "photojournalist", "anchor", "commentator", "presenter", "editor-at-large", "editor-in-chief",
    "intern", "fellow", "host", "researcher", "strategist", "economist", "futurist", "covers",
)
_NAME_PARTICLES = frozenset(
    "de da das do dos du del della der den des di van von vom zu zur la le les lo bin binti "
    "ibn bint al el ten ter y e ben af av och mac".split()
)
_NOT_NAME_WORDS = frozenset(
    s.casefold() for s in (
        "The", "This", "That", "These", "Those", "A", "An", "It", "He", "She", "They", "We", "I",
        "You", "Our", "Your", "His", "Her", "Their", "Its", "In", "On", "At", "For", "With",
        "From", "To", "Of", "And", "Or", "But", "If", "When", "While", "After", "Before",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
        "Sep", "Sept", "Oct", "Nov", "Dec", "Today", "Yesterday", "Tomorrow", "Staff",
        "Reporter", "Editor", "Correspondent", "Admin", "Administrator", "Team", "Desk",
        "News", "Our", "Guest", "Anonymous", "Unknown", "Redaktion", "Rédaction", "Redacción",
        "Agencies", "Agency", "Wire", "Wires", "Newsroom", "Contributor", "Contributors",
        "Updated", "Published", "Posted", "Read", "More", "Share", "Subscribe", "Home",
        "Der", "Die", "Das", "Le", "La", "Les", "El", "Los", "Las", "Un", "Une", "Ein", "Eine",
        "Everyone", "Nobody", "Somebody", "Everybody", "People", "Users", "Home",
    )
)


# --------------------------------------------------------------------------
# Exact labels (whole line, after lowercasing and dropping punctuation)
# --------------------------------------------------------------------------

_AD_LABELS = (
    "advertisement", "advertisements", "advertising", "ad", "ads", "sponsored", "sponsored content",
    "paid content", "paid post", "promoted", "promoted content", "partner content",
    "story continues below advertisement", "article continues below advertisement",
    "continue reading below", "scroll to continue", "scroll to continue with content",
    "article continues below", "story continues below", "content continues below",
    "advertisement scroll to continue", "skip advertisement", "remove ads", "ad feedback",
    "report this ad", "anzeige", "werbung", "publicité", "publicite", "publicidad", "anuncio",
    "pubblicità", "advertentie", "reklame", "広告", "광고", "广告", "スポンサーリンク", "pr",
)
_NAV_LABELS = (
    "skip to main content", "skip to content", "skip to navigation", "skip to main navigation",
    "skip to footer", "jump to content", "menu", "main menu", "close menu", "open menu", "search",
    "search for", "toggle navigation", "navigation", "home", "back", "back to top", "top",
    "go to top", "scroll to top", "sign in", "sign up", "log in", "login", "log out", "logout",
    "register", "my account", "account", "profile", "subscribe", "subscribe now", "subscribers",
    "sections", "all sections", "edition", "select edition", "language", "english", "deutsch",
    "français", "español", "categories", "category", "topics", "tags", "tag", "archives",
    "archive", "latest", "live", "watch", "listen", "video", "videos", "podcast", "podcasts",
    "photos", "gallery", "print", "print this article", "email", "e mail", "comment",
    "show comments", "view comments", "load comments", "close", "next", "previous", "prev",
    "next article", "previous article", "next story", "previous story", "continue reading",
    "loading", "loading comments", "please wait", "open in app", "get the app", "download the app",
    "listen to this article", "listen to article", "audio", "font size", "text size", "a a a",
    "zum inhalt springen", "zur navigation springen", "hauptmenü", "suche", "anmelden",
    "abonnieren", "startseite", "aller au contenu", "aller au contenu principal", "rechercher",
    "se connecter", "s abonner", "accueil", "ir al contenido", "buscar", "iniciar sesión",
    "suscríbete", "inicio", "本文へスキップ", "メニュー", "検索", "ログイン", "ホーム", "トップ",
    "본문 바로가기", "메뉴", "검색", "로그인", "跳到主要内容", "菜单", "搜索", "登录", "首页",
    "view all", "see all", "show more", "load more", "more", "expand", "collapse", "full screen",
    "fullscreen", "zoom", "enlarge", "enlarge this image", "toggle caption", "hide caption",
    "image", "photo", "embed", "copy", "copied", "link copied", "copy link", "gift this article",
    "save", "save article", "saved", "bookmark", "add to bookmarks", "follow", "following",
    "unfollow", "like", "reply", "report", "flag", "cancel reply", "post comment",
    "opinion", "analysis", "exclusive", "breaking", "breaking news", "explainer", "news",
    "continue reading the main story", "supported by", "send any friend a story", "give this article",
    "read in app", "advertisement continue reading the main story",
)
_SHARE_LABELS = (
    "share", "shares", "share this", "share this article", "share this story", "share this post",
    "share article", "share on facebook", "share on twitter", "share on x", "share on linkedin",
    "share on whatsapp", "share via email", "share via", "share on", "share this page",
    "tweet", "pin", "pin it", "like this", "like loading", "like this like loading", "whatsapp",
    "facebook", "twitter", "linkedin", "reddit", "telegram",
    "email this", "email this article", "teilen", "artikel teilen", "partager", "partager l article",
    "partager cet article", "compartir", "compartir en", "condividi", "delen", "シェア", "ツイート",
    "공유", "공유하기", "分享", "x", "threads", "bluesky", "mastodon", "flipboard", "pocket",
)
_NOTIFY_LABELS = (
    "enable notifications", "allow notifications", "turn on notifications", "ok no thanks",
    "no thanks", "not now", "maybe later", "allow", "block", "accept", "accept all",
    "accept cookies", "reject all", "reject", "decline", "manage preferences", "manage cookies",
    "cookie settings", "cookie preferences", "privacy settings", "got it", "i agree", "agree",
    "agree and close", "dismiss", "ok", "okay", "continue", "i accept", "alle akzeptieren",
    "akzeptieren", "ablehnen", "einstellungen", "tout accepter", "accepter", "refuser",
    "aceptar", "rechazar", "aceptar todo", "同意する", "同意", "동의", "show purposes",
    "more options", "manage options", "customise choices", "customize choices", "vendor list",
    "see our partners", "reject and subscribe", "accept and continue", "learn more and customise",
)
_FOOTER_LABELS = (
    "privacy", "privacy policy", "privacy notice", "terms", "terms of use", "terms of service",
    "terms and conditions", "terms conditions", "cookie policy", "cookies policy", "cookies",
    "contact", "contact us", "about", "about us", "advertise", "advertise with us", "careers",
    "jobs", "sitemap", "site map", "rss", "rss feed", "rss feeds", "help", "faq", "feedback",
    "accessibility", "corrections", "code of ethics", "ethics policy", "editorial standards",
    "do not sell my personal information", "do not sell or share my personal information",
    "your privacy choices", "manage consent", "legal", "legal notice", "imprint", "impressum",
    "datenschutz", "datenschutzerklärung", "kontakt", "agb", "nutzungsbedingungen",
    "mentions légales", "mentions legales", "confidentialité", "politique de confidentialité",
    "conditions générales", "nous contacter", "aviso legal", "política de privacidad",
    "contacto", "términos y condiciones", "política de cookies", "利用規約",
    "プライバシーポリシー", "お問い合わせ", "会社概要", "개인정보처리방침", "이용약관",
    "隐私政策", "联系我们", "关于我们",
    "follow us", "follow us on", "connect with us", "stay connected", "newsletters",
    "newsletter", "our newsletters", "store", "shop", "events", "media kit", "subscriptions",
    "manage subscription", "customer service", "support", "masthead", "staff directory",
    "reuse this content", "republish this article", "licensing", "reprints", "reprints permissions",
)
_LABEL_REASONS: dict[str, str] = {}
for _words, _reason in (
    (_FOOTER_LABELS, "footer"), (_NAV_LABELS, "navigation"), (_SHARE_LABELS, "share bar"),
    (_NOTIFY_LABELS, "notification prompt"), (_AD_LABELS, "advertisement"),
):
    for _w in _words:
        _LABEL_REASONS[_label_key(_w)] = _reason

# Trailer headings: after the story they start lists of other articles.
_STRONG_TRAILERS = (
    "hot this week", "popular categories", "popular posts", "popular stories",
    "popular articles", "most popular", "most read", "most viewed", "most shared",
    "most commented", "trending now", "trending stories", "trending news",
    "trending topics", "you may also like", "you might also like", "you may like",
    "you might like", "we recommend", "recommended for you",
    "recommended stories", "recommended articles", "recommended reading", "editor s picks",
    "editors picks", "editor s pick", "top stories", "top news", "latest news", "latest stories",
    "latest articles", "latest posts", "latest from", "more stories", "more news", "more articles",
    "more headlines", "other stories", "other news", "suggested topics", "suggested articles",
    "suggested reading", "suggested for you", "don t miss", "dont miss", "do not miss",
    "what to read next", "read next", "up next", "next up", "around the web", "from the web",
    "from our partners", "sponsored stories", "promoted stories", "paid partner content",
    "comments", "leave a reply", "leave a comment", "leave a reply cancel reply", "join the conversation", 
    "post a comment", "add a comment", "0 comments", "related posts", "related articles",
    "related stories", "related news", "related content", "related reading", "related topics",
    "in other news", "also on", "keep reading", "top picks", "must read",
    "featured stories", "featured articles", "explore more",
    "more to explore", "stories you may have missed", "you may have missed", 
    "meistgelesen", "meistgelesene artikel", "das könnte sie auch interessieren",
    "weitere artikel", "auch interessant", "empfehlungen", "kommentare", "neueste artikel",
    "les plus lus", "articles similaires", "sur le même sujet", "à découvrir", "a decouvrir",
    "nos suggestions", "commentaires", "dans la même rubrique", "lo más leído", "lo mas leido",
    "noticias relacionadas", "te puede interesar", "también te puede interesar",
    "más noticias", "mas noticias", "comentarios", "artículos relacionados",
    "人気記事", "おすすめ記事", "ランキング", "アクセスランキング", "あわせて読みたい", "新着記事",
    "많이 본 뉴스", "인기 기사", "추천 기사", "热门文章", "推荐阅读", "相关新闻", "热门新闻",
)
_WEAK_TRAILERS = (
    # Ambiguous: also plain subheadings. They end the story only when no story paragraph follows.
    "popular", "trending", "discussion", "elsewhere", "spotlight", "featured", "topics", "recommended",
    "responses", "related", "read more", "read also", "also read", "see also", "more on this",
    "more on this story", "more on this topic", "further reading", "more reading",
    "mehr zum thema", "lesen sie auch", "lire aussi", "à lire aussi", "a lire aussi",
    "lee también", "lea también", "leer más", "関連記事", "관련기사", "관련 기사", "相关阅读",
)
_TRAILER_KEYS: dict[str, str] = {}
for _w in _STRONG_TRAILERS:
    _TRAILER_KEYS[_label_key(_w)] = "strong"
for _w in _WEAK_TRAILERS:
    _TRAILER_KEYS[_label_key(_w)] = "weak"
_TRAILER_PREFIX = lazy_compile(
    r"^(?:more (?:from|in|on|by|about|stories from|news from|articles from|from the)\s+\S"
    r"|latest (?:from|in|on)\s+\S|other stories (?:from|in)\s|also (?:from|on)\s+\S"
    r"|mehr (?:von|aus|zu)\s|plus (?:de|d')\s?\S|más (?:de|sobre)\s|more like this"
    r"|other (?:articles|stories) (?:you|by)\b|(?:explore|read|see) more (?:on|about) (?:this|these) (?:topics?|stories|subjects?)"
    r"|more (?:on|about) (?:this|these) (?:topics?|subjects?))",
    re.I,
)


_COUNTED_COMMENTS = lazy_compile(
    r"^\d+\s+(?:comments?|responses?|replies|reactions|kommentare?|commentaires?|comentarios?)$"
    r"|^(?:comments?|kommentare|commentaires|comentarios)\s*\(\d+\)$",
    re.I,
)


def trailer_heading(line: str) -> str | None:
    """"strong" or "weak" when the line heads a list of other articles ("Related Posts", "More from X").

    Strong headings end the story; weak ones ("Related", "Read more") may also
    head an inline box in the middle of a story.
    """
    line = normalize_line(line)
    if not line or len(line) > 60 or line[-1] in ".!?":
        return None
    key = _label_key(line)
    hit = _TRAILER_KEYS.get(key)
    if hit:
        return hit
    if _TRAILER_PREFIX.match(line) and len(line.split()) <= 7:
        return "strong"
    if _COUNTED_COMMENTS.match(line):
        return "strong"
    return None


# --------------------------------------------------------------------------
# Pattern signals
# --------------------------------------------------------------------------

_CODE_START = lazy_compile(
    r"^(?://|/\*|\*/|<!--|-->|<script|</script|<style|<iframe|<div|<noscript|\{|\}|\]\)|\}\)|"
    r"(?:var|let|const|function|import|export|return)\s|if\s?\(|for\s?\(|while\s?\(|"
    r"\(function|window\.|document\.|\$\(|jQuery|googletag|gtag\(|dataLayer|_gaq|"
    r"ga\(|fbq\(|twttr\.|adsbygoogle|\(adsbygoogle|@media|@import|@font-face|"
    r"[.#]?[\w-]+\s*\{[^}]*:[^}]*;)",
)
_CODE_TOKENS = lazy_compile(
    r"=>|===|!==|&&|\|\||\(\)\s*\{|\bfunction\s*\(|\bconst\s+\w+\s*=|\bvar\s+\w+\s*=|\blet\s+\w+\s*="
    r"|\.addEventListener\(|\.getElementById\(|\.querySelector|\bnew\s+[A-Z]\w*\(|;\s*\}|\}\s*\)"
    r"|\bundefined\b|\btypeof\b|\bnull\b\s*[;)]|\w+\.\w+\(\S*\);"
)


_CODE_PREFIXES = ("//", "/*", "<!--", "<script", "<style", "<div", "<iframe", "<noscript", "jQuery", "googletag")


def is_code(line: str) -> bool:
    """Script, style or markup left in scraped text (``document.addEventListener(...)``, ``// note``)."""
    line = normalize_line(line)
    if not line:
        return False
    if not ("{" in line or "}" in line or ";" in line or "=" in line or "()" in line):
        return line.startswith(_CODE_PREFIXES)
    if _CODE_START.match(line):
        if line.startswith("//") or line.startswith("/*"):
            return True
        # A prose line may start with "Return" or "For (": demand some code punctuation too.
        return bool(re.search(r"[;{}=()]", line)) or line.startswith(("<", "@"))
    hits = len(_CODE_TOKENS.findall(line))
    if hits >= 2:
        return True
    if hits == 1:
        symbols = sum(line.count(c) for c in "{}();=")
        return symbols >= 4 and symbols / len(line) > 0.03
    return False


_WEATHER = lazy_compile(
    r"^(?:[^\W\d_][\w .'-]{0,30}\s)?-?\d{1,3}(?:[.,]\d{1,2})?\s?°?\s?[CF](?:\s.{0,30})?$"
    r"|^-?\d{1,3}(?:[.,]\d)?°\s?[CF]?(?:\s.{0,30})?$"
)
_META_WIDGET = lazy_compile(
    r"^(?:"
    r"\d+\s?(?:min(?:ute)?s?|mins?)\.?\s+(?:read|reading|de lecture|lectura|Lesezeit|read time)"
    r"|(?:reading time|read time|lesezeit|lesedauer|temps de lecture|tiempo de lectura)\s*[:：]?\s*\d.*"
    r"|(?:updated|posted|published|aktualisiert|mis à jour|actualizado|veröffentlicht|publié|publicado)?\s*"
    r"(?:about\s+|vor\s+|il y a\s+|hace\s+)?\d+\s?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|"
    r"stunden?|tagen?|minuten?|heures?|jours?|horas?|días?|dias?|h|m|d)\.?(?:\s+ago)?"
    r"|(?:updated|posted|published)\s+(?:just now|today|yesterday|moments ago|recently|a (?:few )?(?:minutes?|hours?|days?) ago|an hour ago)"
    r"|just now|\d+\s?(?:分|時間|日)前"
    r"|[\d.,]+\s?[km]?\s?(?:views?|reads?|comments?|shares?|likes?|responses?|replies|kommentare|commentaires|comentarios)"
    r"|(?:views?|comments?|shares?)\s*[:：]?\s*[\d.,]+[km]?"
    r"|\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?(?:\s[A-Z]{2,4})?"
    r"|(?:image|photo|picture|slide|bild|foto)?\s*\d{1,3}\s*(?:of|/|von|de|sur)\s*\d{1,3}"
    r")$",
    re.I,
)
_COOKIE = lazy_compile(
    # A cookie notice talks to the reader about this site: "we"/"our"/"you" plus consent words.
    r"^(?=.*\bcookies?\b)(?=.*\b(?:we|our|us|you|your|this (?:site|website))\b)"
    r"(?=.*\b(?:use|uses|using|accept|consent|agree|settings|preferences|policy|experience|personali[sz]\w*|"
    r"analytics|partners|advertising|store|access|device|browser|improve)\b)"
    r"|\bby (?:continuing|using) (?:to (?:use|browse) )?(?:this|our) (?:site|website)"
    r"|\b(?:wir|diese (?:website|seite)) (?:verwenden|nutzen|verwendet|nutzt) cookies\b|\bcookies? (?:akzeptieren|zustimmen)"
    r"|\b(?:ce site|nous) utilis\w+ des cookies\b|\b(?:utilizamos|usamos|este sitio (?:web )?usa) cookies\b"
    r"|クッキー|cookieを|쿠키",
    re.I,
)
_NEWSLETTER = lazy_compile(
    r"^(?:sign up|signup|subscribe|get|join|enter your e-?mail|your e-?mail(?: address)?|by signing up|"
    r"by subscribing|receive|don't miss|never miss|stay (?:informed|up to date|updated|in the know)|"
    r"want (?:more|the latest)|like this (?:article|story)|enjoyed this|abonnieren sie|melden sie sich|"
    r"inscrivez-vous|abonnez-vous|suscríbete|suscribete|recibe|ニュースレター|메일|订阅)\b.{0,160}"
    r"\b(?:newsletters?|inbox|mailing list|e-?mail updates?|daily (?:brief|briefing|digest)|"
    r"weekly (?:brief|briefing|digest)|our (?:free )?(?:daily |weekly )?(?:newsletter|briefing|digest)|"
    r"terms|privacy policy|subscribe|unsubscribe|boletín|boletin|lettre d'information|"
    r"infolettre|newsletter)\b"
    r"|^(?:e-?mail address|your e-?mail|enter your e-?mail(?: address)?|e-?mail\*?)$"
    r"|\b(?:delivered|straight|direct(?:ly)?) to your inbox\b|\bunsubscribe at any time\b"
    r"|^(?:thanks|thank you) for (?:signing up|subscribing)\b"
    r"|^(?:this|the) (?:site|form) is protected by recaptcha",
    re.I,
)
_EMBED = lazy_compile(
    r"pic\.twitter\.com/\w+|^[—–-]\s?.{1,60}\(@\w{1,30}\)\s.{0,40}\d{4}$|^view this post on instagram$|"
    r"^a post shared by .{1,80}$",
    re.I,
)
_COMMENT_FORM = lazy_compile(
    r"^your (?:e-?mail )?address will not be published|required fields are marked|"
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment)\b.{0,30}$|"
    r"^(?:you must be )?logged in to post a comment|^comments are closed",
    re.I,
)
_NOTIFY = lazy_compile(
    r"\b(?:enable|allow|turn on|get|receive) (?:push |browser |desktop )?notifications?\b"
    r"|\bbenachrichtigungen (?:aktivieren|erlauben)\b|\bactiver les notifications\b"
    r"|\bactivar (?:las )?notificaciones\b|通知を(?:許可|受け取る)",
    re.I,
)
_SOCIAL_WORDS = (
    "facebook", "twitter", "x", "linkedin", "whatsapp", "email", "e-mail", "mail", "reddit",
    "telegram", "pinterest", "print", "copy", "link", "copy link", "messenger", "tumblr",
    "flipboard", "pocket", "threads", "bluesky", "mastodon", "line", "wechat", "weibo", "sms",
    "share", "tweet", "pin", "instagram", "youtube", "tiktok", "rss", "kakaotalk", "naver",
    "xing", "vk", "hatena", "はてな", "lineで送る",
)
_SOCIAL_SET = frozenset(_SOCIAL_WORDS)
_SHARE_PREFIX = lazy_compile(
    r"^(?:share (?:this|on|via|the|article|story|post)|share:|click to share|share to|"
    r"teilen (?:auf|per|via)|partager (?:sur|par|via)|compartir (?:en|por)|"
    r"follow (?:us|me|him|her|them)? ?on (?:twitter|x|facebook|instagram|linkedin|threads|bluesky|tiktok|youtube)|"
    r"follow @|folgen sie uns|suivez-nous|síguenos)",
    re.I,
)
_NAV_SEPARATORS = lazy_compile(r"\s*(?:\||•|·|»|›|>|/|–|—|\u2022|\u25b8|\u203a)\s*")
_FOOTER_PHRASE = lazy_compile(
    r"\ball rights reserved\b|\balle rechte vorbehalten\b|\btous droits réservés\b|"
    r"\btodos los derechos reservados\b|\btutti i diritti riservati\b|無断転載|無断複製|"
    r"版权所有|무단 ?전재|\bpowered by (?:wordpress|ghost|drupal|squarespace|wix)\b|"
    r"\bthis material may not be (?:published|broadcast|rewritten|redistributed)\b|"
    r"\bmay not be (?:reproduced|republished|redistributed)\b",
    re.I,
)
_COPYRIGHT_START = lazy_compile(r"^(?:copyright\b|©|\(c\)\s|&copy;|ⓒ|\(c\)(?=\s?\d))", re.I)
_COPYRIGHT_PROOF = lazy_compile(r"©|\(c\)|&copy;|ⓒ|\b(?:19|20)\d{2}\b|rights reserved", re.I)


def _is_copyright_line(line: str) -> bool:
    """"© 2025 X", "Copyright 2024 X", "Copyright © X" -- but not "Copyright law is changing"."""
    if _COPYRIGHT_START.match(line):
        return line[:1] != "C" and line[:1] != "c" or bool(_COPYRIGHT_PROOF.search(line, 9))
    return "©" in line and bool(_FOOTER_PHRASE.search(line))
_TRUST_PRINCIPLES = lazy_compile(r"\bthomson reuters trust principles\b", re.I)
_RELATED_LINK = lazy_compile(
    r"^(?:read (?:also|more|next)|also read|see also|related|related story|related article|"
    r"more|more on this|recommended|watch|listen|opinion|explainer|lesen sie auch|"
    r"mehr dazu|mehr zum thema|auch interessant|lire aussi|à lire aussi|a lire aussi|"
    r"lire également|voir aussi|lee también|lea también|leer más|ver también|te puede interesar|"
    r"关联阅读|相关阅读|关联|関連記事|関連|관련기사|관련 기사|参考)\s*[:：]\s*\S"
    r"|^(?:READ MORE|READ ALSO|ALSO READ|RELATED|WATCH|LISTEN)\b\s*[:：-]?\s*\S",
    re.I,
)
_CREDITS = lazy_compile(
    r"^\(?\s*(?:[a-z]+ly\s+)?(?:(?:additional )?reporting by|editing by|writing by|compiled by|edited by|"
    r"research by|graphics? by|video by|production by|fact[- ]checked by|reviewed by|"
    r"with (?:additional )?(?:reporting|inputs?) (?:by|from)|mit material von|"
    r"avec (?:l'afp|afp|reuters)|con información de|"
    r"additional reporting)\b.{0,200}$",
    re.I,
)
_TAGS = lazy_compile(
    r"^(?:tags?|tagged|tagged with|topics?|filed under|categories|category|posted in|"
    r"schlagworte|schlagwörter|themen|thèmes|mots-clés|etiquetas|temas|タグ|태그|标签)\s*[:：]\s*\S.{0,200}$",
    re.I,
)
_RULE = lazy_compile(r"^[-=_*~#.·•\u2014\u2013\s]{3,}$")

# Captions and photo credits --------------------------------------------------------------

_CREDIT_ONLY = lazy_compile(
    r"^[(\[]?\s*(?:(?:image|photo|picture|photograph|foto|bild|imagen|illustration|graphic|"
    r"graphics|video|cover|header|featured|top|main|lead|hero|thumbnail)s?\s+)?"
    r"(?:credits?|courtesy|source of image|by|via|credit line)\s*[:：]\s*.{1,100}[)\]]?$"
    r"|^[(\[]?\s*(?:image|images|photo|photos|picture|photograph|foto|fotos|bild|bilder|imagen|"
    r"illustration|graphic|写真|画像|사진|图|圖|图片|照片)\s*[:：=／/]\s*.{1,100}[)\]]?$"
    r"|^[(\[]?\s*(?:featured|header|cover|top|main|lead|hero|title|teaser|article|thumbnail)\s+"
    r"(?:image|photo|picture|illustration)\b.{0,100}$"
    r"|^(?:image|photo|picture|illustration)s?\s+(?:by|via|courtesy of|from)\s.{1,100}$"
    r"|^[(\[]?\s*(?:photo|image|picture) courtesy of\s.{1,100}$"
    r"|^[(\[]\s*(?:" + _AGENCY_ALT + r")(?:\s+photo)?\s*(?:/\s*[^()\[\]]{1,60})?[)\]]$",
    re.I,
)
_TRAILING_PAREN_CREDIT = lazy_compile(
    r"[(\[]\s*(?:(?:image|photo|picture|foto|bild)\s*(?:credit|courtesy|by)?\s*[:：]?\s*[^()\[\]]{1,100}"
    r"|(?:photo|image|picture) by\s[^()\[\]]{1,100}"
    r"|credit\s*[:：]\s*[^()\[\]]{1,100}"
    r"|[^()\[\]]{0,60}\b(?:getty images|shutterstock|istock|alamy|depositphotos|nurphoto)\b[^()\[\]]{0,40}"
    r"|(?:" + _AGENCY_ALT + r")\s+(?:photo|foto)\b[^()\[\]]{0,60}"
    r"|(?:" + _AGENCY_ALT + r")\s*/\s*[^()\[\]]{2,60}"
    r"|写真\s*[:：]?[^()\[\]（）]{1,60}|사진\s*[=:]?[^()\[\]]{1,60}"
    r")[)\]]\s*$",
    re.I,
)
_TRAILING_BARE_CREDIT = lazy_compile(
    r"(?:[.!?\"”’)]\s+|\s[/|]\s*|\s[-–—]\s)"
    r"(?P<credit>(?:" + _AGENCY_ALT + r")(?:\s?[-/]\s?(?:" + _AGENCY_ALT + r"))+"
    r"|(?:" + _AGENCY_ALT + r")\s+(?:photo|photos|foto)(?:\s+by\s+[^.]{2,40})?"
    r"|(?:[A-Z][\w.'-]+\s+){0,3}(?:photo|file photo|foto)\s+by\s+[" + _UP + r"][^.]{1,40}"
    r"|(?:photo|image|picture|foto|bild)\s*[:：]\s*[^.]{1,60}"
    r"|\[(?:photo|yonhap|news1|newsis|joongang|afp|reuters|ap|epa)[^\]]{0,40}\]"
    r"|(?:[\w.'-]+\s+){0,3}(?:via|for)\s+getty images"
    r"|getty images|shutterstock|istock(?:photo)?|depositphotos|alamy(?: stock photo)?|nurphoto"
    r"|unsplash|pixabay|pexels|imago(?: images)?|picture alliance(?:\s*/\s*[^.]{1,40})?)"
    r"\s*$",
    re.I,
)
_SLASH_CREDIT = lazy_compile(
    r"^(?P<text>[^/]{3,200}?[^.!?\s])\s+/\s*(?P<credit>(?:" + _AGENCY_ALT + r")(?:\s?[-/]\s?(?:"
    + _AGENCY_ALT + r"))*)\s*$",
    re.I,
)


# Last words of credits: agency names' last tokens ("AP-Yonhap" -> "ap-yonhap" and "yonhap").
_CREDIT_END_WORDS = frozenset(
    w for a in KNOWN_AGENCIES | _PHOTO_AGENCIES for w in (a.split()[-1], a.split()[-1].split("-")[-1])
)


# A line that is only a photo credit: "Getty Images", "AFP via Getty Images", "Reuters/Jane Roe", "EPA-EFE/JOHN DOE".
_PHOTO_ALT = _alt([a for a in (
    "Getty Images", "Shutterstock", "iStock", "iStockphoto", "Depositphotos", "Alamy", "Alamy Stock Photo",
    "NurPhoto", "SOPA Images", "LightRocket", "Sipa USA", "ZUMA Press", "ZUMA Wire", "Unsplash", "Pixabay",
    "Pexels", "Imago", "imago images", "picture alliance", "WireImage", "FilmMagic", "Adobe Stock",
)])
_LONE_CREDIT = lazy_compile(
    r"^(?:(?:[\w.'-]+\s+){0,4}(?:via|for|/)\s*)?(?:" + _PHOTO_ALT + r")(?:\s*/\s*[^/]{2,40})?$"
    r"|^(?:" + _AGENCY_ALT + r")(?:\s?-\s?(?:" + _AGENCY_ALT + r"))*\s*/\s*[" + _UP + r"][^/]{2,40}$",
    re.I,
)
_CREDIT_STARTS = frozenset(
    "image images photo photos picture pictures photograph foto fotos bild bilder imagen illustration graphic "
    "graphics video cover header featured top main lead hero thumbnail credit credits courtesy by via title "
    "teaser article source".split()
)


def caption_kind(line: str) -> str | None:
    """Whether a line is a photo caption or credit.

    "credit" for a line that is only a credit ("(Image credit: Getty Images)",
    "Featured image by Depositphotos", "Photo: Reuters"); "caption" for a
    caption that ends with its credit ("... Feb. 11. AP-Yonhap", "The logo /
    Reuters-Yonhap", "... (Photo by Jane Roe/Getty Images)"); None otherwise.
    A story sentence that merely ends with an agency name ("... said. AFP")
    is a sign-off, not a caption (see :func:`find_signoff`).
    """
    line = normalize_line(line)
    if not line or len(line) > 500:
        return None
    if len(line) <= 80 and _LONE_CREDIT.match(line):
        return "credit"
    if len(line) <= 140:
        first = line.split(None, 1)[0].casefold().strip("([:：")
        if (first in _CREDIT_STARTS or line[:1] in "([" or _CJK.match(line)) and _CREDIT_ONLY.match(line):
            return "credit"
    tail = line[-130:]
    if tail.endswith((")", "]", "）")) and _TRAILING_PAREN_CREDIT.search(tail):
        return "caption"
    tail_low = tail.casefold()
    last = tail_low.rsplit(None, 1)[-1].strip(".]") if tail_low.strip() else ""
    last_part = last.rsplit("-", 1)[-1].rsplit("/", 1)[-1]
    if last in _CREDIT_END_WORDS or last_part in _CREDIT_END_WORDS \
            or _has_any(tail_low, ("photo", "foto", "image", "bild", "[")):
        offset = len(line) - len(tail)
        m = _TRAILING_BARE_CREDIT.search(tail)
        if m and m.start() + offset > 0:
            return "caption"
    if " /" in line and _SLASH_CREDIT.match(line):
        return "caption"
    return None


def is_credit_line(line: str) -> bool:
    """The line is only an image/photo credit (the caption, if any, is the line above)."""
    return caption_kind(line) == "credit"


# --------------------------------------------------------------------------
# Names, roles, bylines
# --------------------------------------------------------------------------

_NAME_TOKEN = lazy_compile(r"^(?:[" + _UP + r"][^\W\d_]*(?:['’\-][" + _UP + r"]?[^\W\d_]+)*\.?|(?:[" + _UP + r"]\.){1,3}[" + _UP + r"]?\.?)$")
_CJK_NAME = lazy_compile(f"^[{_CJK_CHARS}][{_CJK_CHARS}・·\\s]{{1,10}}$")


def is_person_name(text: str) -> bool:
    """Looks like a person's name: 2-5 capitalised words (particles like "van", "de" allowed), or 2-8 CJK characters."""
    text = normalize_line(text)
    if not text or len(text) > 60:
        return False
    if _CJK.search(text):
        return bool(_CJK_NAME.match(text)) and len(text.replace(" ", "")) <= 10
    tokens = text.split()
    if not 2 <= len(tokens) <= 5:
        return False
    if tokens[0].casefold() in _NAME_PARTICLES and len(tokens) < 3:
        return False
    capitals = 0
    for i, tok in enumerate(tokens):
        low = tok.casefold().rstrip(".")
        if low in _NAME_PARTICLES and 0 < i < len(tokens) - 1:
            continue
        if low in _NOT_NAME_WORDS or low in _ROLE_WORDS or low in KNOWN_AGENCIES:
            return False
        if not _NAME_TOKEN.match(tok):
            return False
        capitals += 1
    return capitals >= 2


_ROLE_NOUN_RE = lazy_compile(
    r"\b(?:" + _alt(list(_ROLE_WORDS) + list(_ROLE_NOUNS)) + r")\b|記者|編集|기자|记者|编辑|特派員|論説委員",
    re.I,
)
_ROLE_CORE = lazy_compile(
    r"\b(?:writer|editor|reporter|journalist|correspondent|columnist|contributor|producer|analyst|"
    r"critic|blogger|author|freelancer|photographer|photojournalist|anchor|commentator|presenter|"
    r"intern|redakteur(?:in)?|journalist(?:in)?|korrespondent(?:in)?|autor(?:in)?|reporter(?:in)?|"
    r"volontär(?:in)?|journaliste|rédact(?:eur|rice)|correspondant(?:e)?|chroniqueu(?:r|se)|"
    r"periodista|redactor(?:a)?|reporter(?:o|a)|corresponsal|columnista|editora|giornalista|"
    r"redattore|redattrice|verslaggever|redacteur)s?\b|記者|編集委員|編集部|기자|记者|编辑|特派員|論説委員",
    re.I,
)


def is_role_line(line: str) -> bool:
    """A short job-title line under an author's name ("News Writer and apps editor", "Senior Reporter")."""
    line = normalize_line(line)
    if not line or len(line) > 80 or line.endswith((".", "?", "!", ":")):
        return False
    words = line.split()
    if len(words) > 10:
        return False
    return bool(_ROLE_CORE.search(line))


class Byline(NamedTuple):
    """What a byline line says: the author(s), a wire agency named in it, and any date text."""

    author: str | None
    agency: str | None
    rest: str  # text after the names (date, role, ...), for date parsing
    org: str | None = None  # another publication named after the author ("By Jane Doe, CNN")


_BY_KEYWORDS = (
    r"(?:written|posted|reported|words|story|text|reporting|interview|analysis|photos? and text|"
    r"text and photos?|published|updated|compiled|produced)\s+by"
    r"|by|von|par|por|door|di|av|af|de|auteur\s*:|autor\s*:|autorin\s*:|author\s*:|authors\s*:|"
    r"byline\s*:|writer\s*:|reporter\s*:|text\s*:|texte\s*:|texto\s*:|words\s*:|redaktion\s*:"
)
_BYLINE_START = lazy_compile(
    r"^(?:(?:published|posted|updated|last updated|veröffentlicht|publié|publicado)\s+(?:on\s+|am\s+|le\s+|el\s+)?"
    r"(?P<date>.{4,40}?)\s+)?(?P<kw>" + _BY_KEYWORDS + r")\s+(?P<body>.+)$",
    re.I,
)
_BYLINE_CJK = lazy_compile(
    r"^(?:(?:文|文・写真|写真・文|取材・文|取材/文|文/|文／|筆者|著者|執筆|記者|作者|撰文|文字|编辑|記事)\s*[・:：/／|｜ ]\s*"
    r"(?P<a>[" + _CJK_CHARS + r"][" + _CJK_CHARS + r"・· ]{0,10}?)"
    r"|(?P<b>[" + _CJK_CHARS + r"][" + _CJK_CHARS + r"・· ]{1,8}?)\s?(?:記者|기자|记者|特派員|編集委員|論説委員|特派员))"
    r"(?:\s*[|｜/／,，、]\s*(?P<rest>.*)|\s+(?P<rest2>.*)|)$"
)
_BYLINE_SEPARATORS = lazy_compile(r"\s+(?:\||•|·|—|–|-{1,2})\s+|\s*\|\s*|\s+(?=(?:published|updated|posted|on)\b)|\s+(?=\d)", re.I)
_NAME_JOINERS = lazy_compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*", re.I)
_MAX_BYLINE = 160


def agency_name(text: str) -> str | None:
    """The wire agency a short text names ("Reuters", "AFP", "Reuters Staff"), or None."""
    return _agency_name(normalize_line(text)) if text and len(text) <= 60 else None


def _agency_name(text: str) -> str | None:
    t = text.strip().strip(".,;:()[]")
    low = t.casefold()
    for suffix in (" staff", " staff reporter", " staff writer", " reporters", " reporter", " wire", " news service"):
        if low.endswith(suffix):
            low = low[: -len(suffix)]
            t = t[: len(low)]
            break
    if low in KNOWN_AGENCIES and low not in _PHOTO_AGENCIES:
        return t
    return None


def _names_from(text: str) -> tuple[list[str], str | None, str | None, bool]:
    """Split "Jane Doe, John Roe and Ann Lee, Reuters" into names, an agency and another publication;
    ok=False if a chunk is neither a name, a role, nor a publication."""
    names: list[str] = []
    agency = org = None
    parts = [p for p in _NAME_JOINERS.split(text) if p and p.strip()]
    for i, part in enumerate(parts):
        part = part.strip().strip(".")
        if not part:
            continue
        ag = _agency_name(part)
        if ag:
            agency = agency or ag
            continue
        if is_person_name(part):
            names.append(part)
            continue
        if i > 0 and (_ROLE_NOUN_RE.search(part) or part[:1].islower()):
            break  # "Jane Doe, Senior Editor" / "Jane Doe, in Berlin"
        if i > 0 and len(part.split()) <= 5 and part[:1].isupper() and not _HAS_DIGIT.search(part):
            org = part  # "Jane Doe, Windows Central" -- a publication after the name
            break
        return [], agency, None, False
    return names, agency, org, True


def _tidy_name(name: str) -> str:
    """"KIM TONG-HYUNG" -> "Kim Tong-Hyung" (wire bylines are often in capitals)."""
    if name.isupper() and len(name) > 3 and not _CJK.search(name):
        return name.title()
    return name


def _join_names(names: list[str]) -> str | None:
    names = list(dict.fromkeys(_tidy_name(n) for n in names))
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def parse_byline(line: str) -> Byline | None:
    """Parse a byline: "By Jane Doe", "Written by Jane Doe, Senior Editor", "Von Jonas Weber",
    "Par Marie Dupont", "Por Ana García", "文・山田太郎", "記者 山田太郎",
    "Published on 2024-11-05 by Alex Rivera", "By Reuters". None when the line is not a byline.
    """
    line = normalize_line(line)
    if not line or len(line) > _MAX_BYLINE:
        return None
    if _CJK.search(line[:12]):
        m = _BYLINE_CJK.match(line)
        if m:
            name = (m["a"] or m["b"] or "").strip(" ・·")
            if 2 <= len(name.replace(" ", "")) <= 10:
                return Byline(name, None, (m["rest"] or m["rest2"] or "").strip())
        return None
    m = _BYLINE_START.match(line)
    if not m:
        return None
    kw = m["kw"].casefold()
    body = m["body"].strip()
    lower_kw = kw in ("di", "de", "av", "af", "door", "von", "par", "por", "by")
    if lower_kw and not body[:1].isupper():
        return None
    if kw == "de" or kw == "di":
        if len(line) > 60:  # "de"/"di" are common words; only a short line is a byline
            return None
    # Date or other metadata after the names.
    rest = ""
    parts = _BYLINE_SEPARATORS.split(body, maxsplit=1)
    if len(parts) == 2:
        body, rest = parts[0].strip(), parts[1].strip()
    body = body.rstrip(" ,;:|")
    ag = _agency_name(body)
    if ag:
        return Byline(None, ag, rest)
    names, agency, org, ok = _names_from(body)
    if not ok or not names:
        if agency and ok:
            return Byline(None, agency, rest)
        return None
    if rest and not agency and not org:
        # "By Jane Doe | Reuters | March 3, 2025": a publication right after the names.
        first = _BYLINE_SEPARATORS.split(rest, maxsplit=1)[0].strip(" ,;:|")
        agency = _agency_name(first)
        if not agency and first[:1].isupper() and len(first.split()) <= 5 and not _HAS_DIGIT.search(first) \
                and not _ROLE_NOUN_RE.search(first) and not _DATE_WORDS.match(first):
            org = first
    return Byline(_join_names(names), agency, (m["date"] or "") + (" " + rest if rest else ""), org)


_DATE_WORDS = lazy_compile(
    r"^(?:published|updated|posted|on|am|le|el|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec|today|yesterday)",
    re.I,
)


def find_byline(line: str) -> str | None:
    """The author named by a byline line, or None ("By Reuters" names no person)."""
    parsed = parse_byline(line)
    return parsed.author if parsed else None


# --------------------------------------------------------------------------
# Provider signals: sign-offs, datelines, attributions, copyright, bios
# --------------------------------------------------------------------------


class Signoff(NamedTuple):
    text: str  # the line without the sign-off ("" when the line was only a sign-off)
    name: str  # the publication or agency named
    form: str  # "slash", "dash", "paren" or "bare"


_SIGNOFF_SLASH = lazy_compile(r"^(?P<text>(?:.*?[.!?\"”’)\]…])?)\s*/\s?(?P<name>[" + _UP + r"][A-Za-z0-9&.]{1,15})\s*$")
_SIGNOFF_DASH = lazy_compile(
    r"^(?P<text>(?:.*?[.!?\"”’)\]…])?)\s*(?:—|–|--|-|―|~)\s?(?P<name>[" + _UP + r"A-Za-z][\w&.' -]{1,40}?)\s*[.]?\s*$"
)
_SIGNOFF_PAREN = lazy_compile(r"^(?P<text>(?:.*?[.!?\"”’…])?)\s*[(\[]\s*(?P<name>[\w&.' -]{2,30}?)\s*[)\]]\s*$")
_SIGNOFF_BARE = lazy_compile(r"^(?P<text>.*?[.!?\"”’])\s+(?P<name>[\w&.' -]{2,30}?)\s*$")
_ABBREV_NAME = lazy_compile(r"^[A-Z][A-Z0-9&.]{1,9}$")


def _known_publication(name: str, registry: ProviderRegistry | None) -> bool:
    low = name.casefold().strip()
    if low in KNOWN_AGENCIES and low not in _PHOTO_AGENCIES:
        return True
    return bool(registry is not None and registry.lookup(name))


def find_signoff(line: str, registry: ProviderRegistry | None = None) -> Signoff | None:
    """A publication's sign-off at the end of a story paragraph.

    "... source code. /TISG" (slash + abbreviation), "... on Tuesday. — AFP"
    (dash + agency or abbreviation), "... (Reuters)", "... said. Yonhap" (bare
    agency after the last sentence), or a line that is only the sign-off.
    Names after a dash or in parentheses must be a known agency, an
    abbreviation, or (with ``registry``) a registered publication.
    """
    line = normalize_line(line)
    if not line or len(line) > 5000:
        return None
    tail = line[-60:]
    if "/" in tail:
        m = _SIGNOFF_SLASH.match(line[-200:]) if len(line) > 200 else _SIGNOFF_SLASH.match(line)
        if m:
            text = line[: len(line) - (len(line[-200:]) - len(m["text"]))] if len(line) > 200 else m["text"]
            name = m["name"].rstrip(".")
            if _ABBREV_NAME.match(name) or _known_publication(name, registry):
                return Signoff(text.strip(), name, "slash")
    if any(d in tail for d in ("—", "–", "-", "―", "~")):
        m = _SIGNOFF_DASH.match(line[-120:]) if len(line) > 120 else _SIGNOFF_DASH.match(line)
        if m:
            name = m["name"].strip().rstrip(".")
            if _ABBREV_NAME.match(name) or _known_publication(name, registry):
                cut = line.rfind(m["name"].strip())
                head = line[:cut].rstrip().rstrip("—–-―~").rstrip()
                return Signoff(head, name, "dash")
    if tail.endswith((")", "]")):
        m = _SIGNOFF_PAREN.match(line[-120:]) if len(line) > 120 else _SIGNOFF_PAREN.match(line)
        if m:
            name = m["name"].strip()
            if _known_publication(name, registry) or (_ABBREV_NAME.match(name) and not m["text"]):
                head = line[: line.rfind("(") if "(" in line[-40:] else line.rfind("[")].rstrip()
                return Signoff(head, name, "paren")
    last = tail.rsplit(None, 1)[-1].rstrip(".").casefold() if " " in tail else ""
    if last not in _CREDIT_END_WORDS and not (registry is not None and registry.lookup(last)):
        return None
    m = _SIGNOFF_BARE.match(line[-120:]) if len(line) > 120 else _SIGNOFF_BARE.match(line)
    if m:
        name = m["name"].strip()
        if _known_publication(name, registry) and len(name) > 1:
            head = line[: len(line) - len(line[-120:]) + len(m["text"])] if len(line) > 120 else m["text"]
            return Signoff(head.strip(), name, "bare")
    return None


class Dateline(NamedTuple):
    place: str
    agency: str | None
    when: str  # the date text in the dateline ("March 3"), often without a year


_DATELINE = lazy_compile(
    r"^(?P<place>[" + _UP + r"][" + _UP + r".'’ -]{1,40}?|[" + _UP + r"][^\W\d_]+(?:[ -][" + _UP + r"][^\W\d_]+){0,2})"
    r"(?:\s*,\s*(?P<when>[^()\n]{1,40}?))?\s*[(\[](?P<agency>[^()\[\]\d]{2,40}?)[)\]]\s*(?:--|[-–—:])\s?"
)
_DATELINE_SLASHED = lazy_compile(
    r"^(?P<place>[" + _UP + r"][" + _UP + r"\w.'’ -]{1,40}?)(?:\s*,\s*(?P<when>[^/\n]{1,40}?))?\s*/\s?"
    r"(?P<agency>[A-Z][\w .&-]{1,30}?)\s?/\s*(?:--|[-–—])\s?"
)
_DATELINE_NO_AGENCY = lazy_compile(
    r"^(?P<place>[" + _UP + r"]{2}[" + _UP + r".'’ -]{0,40}?)(?:\s*,\s*(?P<when>[^—–\n]{1,40}?))?\s*(?:--|—|–)\s"
)


def find_dateline(line: str, registry: ProviderRegistry | None = None) -> Dateline | None:
    """A wire dateline at the start of a paragraph: "SEOUL, March 3 (Reuters) -", "SEOUL (AP) —", "Berlin (dpa) -".

    The place must be in capitals unless the agency is a known one.
    """
    line = normalize_line(line)
    if not line or not line[:1].isupper():
        return None
    head = line[:120]
    m = _DATELINE.match(head)
    if m:
        place, agency = m["place"].strip(), m["agency"].strip()
        caps = place.upper() == place
        if caps or _known_publication(agency, registry):
            if agency[:1].isupper() or agency.casefold() in KNOWN_AGENCIES:
                return Dateline(place, agency, (m["when"] or "").strip())
        return None
    m = _DATELINE_SLASHED.match(head)
    if m:
        return Dateline(m["place"].strip(), m["agency"].strip(), (m["when"] or "").strip())
    m = _DATELINE_NO_AGENCY.match(head)
    if m and len(m["place"].strip()) >= 3:
        return Dateline(m["place"].strip(), None, (m["when"] or "").strip())
    return None


_ATTRIBUTION = lazy_compile(
    r"^(?:"
    r"(?:read|see|view|get)\s+(?:the\s+)?(?:full|original|complete|entire|whole|rest of the)\s+"
    r"(?:story|article|report|post|piece|interview|text|version)\s+(?:at|on|in|from|via|over at)\s+(?P<a>.+?)"
    r"|(?:read|see|find)\s+(?:more|it all)\s+(?:at|on)\s+(?P<n>\S+?)"
    r"|(?:continue|keep)\s+reading\s+(?:(?:the\s+)?(?:story|article)\s+)?(?:at|on)\s+(?P<b>.+?)"
    r"|(?:this|the)\s+(?:article|story|post|piece|report|interview|content|column|commentary|essay)\s+"
    r"(?:was\s+|is\s+)?(?:originally|first)\s+(?:published|appeared|ran|posted|printed)\s+"
    r"(?:on|in|at|by|with)\s+(?P<c>.+?)"
    r"|(?:originally|first)\s+(?:published|appeared|posted|ran)\s+(?:by|at|on|in)\s+(?P<d>.+?)"
    r"|(?:this|the)\s+(?:article|story|post|piece)\s+(?:is|was|has been)\s+(?:re)?published\s+"
    r"(?:from|with permission (?:from|of)|courtesy of|by arrangement with)\s+(?P<e>.+?)"
    r"|(?:republished|reprinted|reproduced)\s+(?:with permission\s+)?(?:from|courtesy of|by permission of)\s+(?P<f>.+?)"
    r"|the post\s.{1,200}?\sappeared first on\s+(?P<g>.+?)"
    r"|(?:source|sources|quelle|quellen|fuente|fuentes|fonte|bron|källa|kilde|źródło|sumber)\s*[:：]\s*(?P<h>.+?)"
    r"|(?:出典|出所|ソース|配信元|提供|来源|來源|출처)\s*[:：]\s*(?P<i>.+?)"
    r"|[(（](?:出典|出所|来源|來源|출처)\s*[:：]\s*(?P<j>[^)）]+?)[)）]"
    r"|(?:dieser artikel|der artikel|der beitrag) (?:erschien|ist) (?:zuerst|ursprünglich) (?:bei|auf|in)\s+(?P<k>.+?)(?:\s+erschienen)?"
    r"|(?:cet article|cette article) a (?:été )?(?:initialement|d'abord|originellement) (?:publié|paru) (?:sur|dans|par)\s+(?P<l>.+?)"
    r"|(?:este artículo|este articulo) (?:fue )?(?:publicado originalmente|se publicó originalmente) (?:en|por)\s+(?P<m>.+?)"
    r")\s*[.。]?$",
    re.I,
)
_ATTRIBUTION_TAIL = lazy_compile(
    r"\s+(?:on|am|le|el)\s+(?:[\w,.]+\s){0,3}\d{4}\b.*$|\s+under\s+(?:a\s+)?creative commons.*$|"
    r"\s*,?\s+(?:and is|and has been|with permission|where it|which|as part of|under)\b.*$|"
    r"\s+\(opens in a new (?:tab|window)\).*$",
    re.I,
)


def _clean_org(name: str) -> str | None:
    """Tidy a publication name found in text; None when it does not look like one."""
    name = normalize_line(name)
    name = _ATTRIBUTION_TAIL.sub("", name)
    initialism = _INITIALISM_END.search(name.rstrip(" ,;:"))
    name = name.strip(" .,;:·|\"“”'’«»()[]")
    if not name:
        return None
    if _URL.match(name) or re.match(r"^[\w-]+(?:\.[\w-]+)+/?\S*$", name):
        host = urlsplit(name if "://" in name else "http://" + name).hostname or ""
        host = host.removeprefix("www.")
        return host or None
    name = re.sub(r"^the\s+website\s+of\s+|^the\s+(?=[a-z])", "", name)
    name = re.sub(r"(?:'s|’s)\s+(?:website|site|web site|homepage|blog)$|\s+(?:website|web site|homepage)$", "", name, flags=re.I)
    name = name.strip(" .,;:")
    if initialism and not name.endswith("."):
        name += "."  # "Bloomberg L.P." keeps its last period
    if not name or not _HAS_LETTER.search(name) or len(name) > 80 or len(name.split()) > 8:
        return None
    return name


_INITIALISM_END = lazy_compile(r"\b(?:[A-Z]\.){2,}$")


_COPYRIGHT_YEARS = lazy_compile(r"\b(?:19|20)\d{2}(?:\s*[-–—/]\s*(?:19|20)?\d{2,4})?\b,?")
_COPYRIGHT_NOISE = lazy_compile(
    r"\bcopyright\b|©|\(c\)|&copy;|ⓒ|\ball rights reserved\b\.?|\balle rechte vorbehalten\b\.?|"
    r"\btous droits réservés\b\.?|\btodos los derechos reservados\b\.?|\btutti i diritti riservati\b\.?|"
    r"無断転載(?:を)?禁(?:じます|止)?。?|版权所有|무단 ?전재.*$",
    re.I,
)
_COPYRIGHT_CLAUSE = lazy_compile(
    r"\s[|•·]\s|(?<![A-Z])\.\s|\s[-–—]\s|,\s+(?:a|an|part of|owned by|a division|a subsidiary)\b"
)
_CORP_SUFFIX = lazy_compile(
    r",?\s+(?:ltd\.?|limited|inc\.?|incorporated|llc|l\.l\.c\.|gmbh(?:\s*&\s*co\.?\s*kg)?|ag|s\.a\.s?\.?|"
    r"sas|sarl|s\.l\.|s\.r\.l\.|pte\.?\s*ltd\.?|pty\.?\s*ltd\.?|co\.,?\s*ltd\.?|corp\.?|corporation|plc|"
    r"b\.v\.|bv|k\.k\.|kk|n\.v\.|nv|ab|asa|oy)$",
    re.I,
)


def find_copyright(line: str) -> str | None:
    """The holder named in a copyright line ("© 2025 The Harbour Ledger. All rights reserved." -> "The Harbour Ledger")."""
    line = normalize_line(line)
    if not line or len(line) > 300:
        return None
    if not _is_copyright_line(line):
        return None
    text = _COPYRIGHT_NOISE.sub(" ", line)
    text = _COPYRIGHT_YEARS.sub(" ", text)
    text = re.sub(r"^\s*(?:by|par|von|por)\s+", "", normalize_line(text), flags=re.I)
    # First clause only: "X. Powered by ...", "X | Privacy | Terms", "X, a division of Y".
    text = _COPYRIGHT_CLAUSE.split(text, maxsplit=1)[0]
    text = text.strip(" ,;:|")
    if not _INITIALISM_END.search(text):
        text = text.rstrip(". ")
    text = _CORP_SUFFIX.sub("", text).strip(" ,;:")
    if not text or not _HAS_LETTER.search(text) or len(text) > 60 or len(text.split()) > 7:
        return None
    return _clean_org(text)


_PERSON_ON = lazy_compile(r"^(?P<person>[^,]{3,60}?)\s+(?:on|at|in|for)\s+(?P<rest>\S.*)$")


def find_attribution(line: str) -> str | None:
    """The publication an attribution line names: "Read the full story at SCMP.", "Source: dpa",
    "Quelle: X", "出典：X", "Originally published at X", "This article first appeared on X",
    "... appeared first on X", "Thomson Reuters Trust Principles" (-> "Reuters")."""
    line = normalize_line(line)
    if not line or len(line) > 300:
        return None
    if _TRUST_PRINCIPLES.search(line):
        return "Reuters"
    m = _ATTRIBUTION.match(line)
    if not m:
        return None
    raw = next((g for g in m.groups() if g), None)
    if not raw:
        return None
    first_word = re.split(r"[\s,;/]", raw)[0].casefold()
    if (m["h"] or m["i"]) and raw[:1].islower() and first_word not in KNOWN_AGENCIES \
            and not re.match(r"^[\w-]+\.[a-z]{2,}\b", raw):
        return None  # "Source: company filings" names no publication
    # "Source: Reuters, AFP" -> the first named source.
    raw = _ATTRIBUTION_TAIL.sub("", raw)
    # "originally published by Jane Doe on Cities Today" -> the publication, not the writer.
    by_person = _PERSON_ON.match(raw)
    if by_person and is_person_name(by_person["person"]):
        raw = by_person["rest"]
    raw = re.split(r"\s*[,;/|、，]\s*|\s+(?:and|und|et|y)\s+", raw, maxsplit=1)[0] if len(raw) > 3 else raw
    return _clean_org(raw)


_NAME_RE = (
    r"(?P<name>[" + _UP + r"][^\W\d_]+(?:[-'’][^\W\d_]+)*\.?"
    r"(?:\s+(?:(?:de|da|van|von|der|den|del|di|du|la|le|bin|al|el|ter|ten)\s+)*[" + _UP + r"][^\W\d_]*(?:[-'’][^\W\d_]+)*\.?){1,3})"
)
_ORG_RE = (
    r"(?P<org>(?:[Tt]he\s+)?[" + _UP + r"0-9][\w'’&.+-]*(?:\s+(?:[" + _UP + r"0-9][\w'’&.+-]*|of|and|&|for|on|de|du|des|la|le|"
    r"der|die|das|für|the|y|del|di|am|im))*)"
)
_BIO_EN = lazy_compile(
    r"^" + _NAME_RE + r"\s+(?:is|was|has been|serves as|works as)\s+(?:(?:a|an|the|our|one of the)\s+)?"
    r"(?:[\w-]+\s+){0,5}?(?:" + _alt(_ROLE_NOUNS[:-1]) + r")s?\b"
    r"(?:\s+(?:and\s+)?(?:[\w-]+\s+){0,4}?(?:at|for|with|of|on)\s+(?:the\s+)?" + _ORG_RE + r")?",
)
_BIO_EN_VERB = lazy_compile(
    r"^" + _NAME_RE + r"\s+(?:writes|reports|covers|blogs|has written|has reported|has covered|joined|"
    r"has been writing|has been reporting|contributes)\b[^.]{0,140}?\b(?:for|at|about)\s+(?:the\s+)?" + _ORG_RE
)
_BIO_DE = lazy_compile(
    r"^" + _NAME_RE + r"\s+(?:ist|war|arbeitet als)\s+(?:seit\s+\d{4}\s+)?(?:(?:ein|eine|der|die)\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?i:redakteur|redakteurin|journalist|journalistin|korrespondent|korrespondentin|autor|autorin|"
    r"reporter|reporterin|volontär|volontärin|ressortleiter|ressortleiterin|chefredakteur|"
    r"chefredakteurin)\b(?:[^.]{0,60}?\b(?:bei|für|von|im|am)\s+(?:der\s+|dem\s+|den\s+|des\s+)?" + _ORG_RE + r")?",
)
_BIO_FR = lazy_compile(
    r"^" + _NAME_RE + r"\s+est\s+(?:(?:un|une|le|la)\s+)?(?:[\w-]+\s+){0,2}?(?:journaliste|rédacteur|rédactrice|"
    r"reporter|correspondant|correspondante|chroniqueur|chroniqueuse)\b(?:[^.]{0,60}?\b(?:à|au|chez|pour|de|du)\s+" + _ORG_RE + r")?",
)
_BIO_ES = lazy_compile(
    r"^" + _NAME_RE + r"\s+es\s+(?:(?:un|una|el|la)\s+)?(?:[\w-]+\s+){0,2}?(?:periodista|redactor|redactora|reportero|"
    r"reportera|corresponsal|editor|editora|columnista)\b(?:[^.]{0,60}?\b(?:en|de|para|del)\s+" + _ORG_RE + r")?",
)
_BIO_PREFILTER = lazy_compile(
    r"^[" + _UP + r"][^\W\d_]+[^.]{0,60}?\s(?:is|was|has|serves|works|writes|reports|covers|blogs|joined|contributes|ist|war|arbeitet|est|es)\s"
)
_ORG_TRIM = lazy_compile(r"(?:\s+(?:of|and|&|for|on|de|du|des|la|le|der|die|das|für|the|y|del|di|am|im))+$")


# "journaliste au Monde" is at "Le Monde"; "periodista del Mundo" at "El Mundo".
_CONTRACTED_ARTICLES = {"au": "Le ", "aux": "Les ", "del": "El "}


def find_bio(text: str) -> tuple[str, str | None] | None:
    """(author, publication or None) when the paragraph opens with an author-bio sentence:
    "Jane Doe is a tech journalist at Windows Central, specializing in ...",
    "Jane Doe writes for The Ledger", "Jane Doe ist Redakteurin bei der Zeitung",
    "Marie Dupont est journaliste au Monde", "Ana García es periodista de El País".
    """
    text = normalize_line(text)
    if not text or not _BIO_PREFILTER.match(text[:120]):
        return None
    sentence = first_sentence(text[:600])
    for pattern in (_BIO_EN, _BIO_EN_VERB, _BIO_DE, _BIO_FR, _BIO_ES):
        m = pattern.match(sentence)
        if not m:
            continue
        name = m["name"].rstrip(".")
        if not is_person_name(name):
            continue
        org = m.groupdict().get("org")
        if org:
            prep = sentence[: m.start("org")].rstrip().rsplit(None, 1)[-1].casefold()
            if prep in _CONTRACTED_ARTICLES and not org.casefold().startswith(("le ", "la ", "les ", "el ")):
                org = _CONTRACTED_ARTICLES[prep] + org
            org = _ORG_TRIM.sub("", org.strip()).strip(" .,'’")
            org = re.sub(r"^the\s+", "", org) if org.startswith("the ") else org
            if org.casefold() in ("the", "a", "an") or not _HAS_LETTER.search(org):
                org = None
        return name, org or None
    return None


def is_bio_sentence(text: str) -> bool:
    """The text opens with a sentence describing its author (see :func:`find_bio`)."""
    return find_bio(text) is not None


def registry_alias(line: str, registry: ProviderRegistry | None) -> str | None:
    """The line is nothing but a registered publication's name or alias (a masthead or sign-off line)."""
    if registry is None:
        return None
    line = normalize_line(line).strip(" .·|-–—/")
    if not line or len(line) > 60 or len(line.split()) > 6:
        return None
    entry = registry.lookup(line)
    return line if entry else None


def find_provider_mention(line: str, registry: ProviderRegistry | None = None) -> tuple[str, str] | None:
    """(publication, how) for an explicit provider signal in one line.

    ``how`` is "attribution" (Read the full story at X / Source: X / Originally
    published ... / Thomson Reuters Trust Principles), "copyright", "dateline"
    (CITY (Agency) -), "sign-off" (/TISG, — AFP) or "bio" (X is a journalist
    at Y). In-text mentions ("as reported by X") are deliberately not signals.
    """
    line = normalize_line(line)
    if not line:
        return None
    name = find_attribution(line)
    if name:
        return name, "attribution"
    name = find_copyright(line)
    if name:
        return name, "copyright"
    dl = find_dateline(line, registry)
    if dl and dl.agency:
        return dl.agency, "dateline"
    so = find_signoff(line, registry)
    if so:
        return so.name, "sign-off"
    bio = find_bio(line)
    if bio and bio[1]:
        return bio[1], "bio"
    return None


# --------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------


def _nav_like(line: str) -> bool:
    """"Home | News | Reviews", "Home > Tech > AI", "Facebook Twitter LinkedIn Email"."""
    parts = [p for p in _NAV_SEPARATORS.split(line) if p]
    if any(_HAS_DIGIT.search(p) for p in parts):
        return False  # "Revenue | $5.2bn | +12%" is a table row, not a menu
    if len(parts) >= 3 or (len(parts) == 2 and len(line) < 50):
        short = [p for p in parts if len(p.split()) <= 4 and not p.endswith((".", "?", "!"))]
        if len(short) == len(parts):
            keys = [_label_key(p) for p in parts]
            known = sum(1 for k in keys if k in _LABEL_REASONS or k in _SOCIAL_SET)
            if len(parts) >= 3 and (known >= 1 or all(len(p.split()) <= 2 for p in parts)):
                return True
            if len(parts) == 2 and known == 2:
                return True
    return False


def _social_bar(line: str) -> bool:
    raw = line.split()
    if not 2 <= len(raw) <= 14 or _label_key(raw[0]) not in _SOCIAL_SET:
        return False
    words = _label_key(line).split()
    if not 2 <= len(words) <= 14:
        return False
    return all(w in _SOCIAL_SET or w.isdigit() for w in words) and sum(w in _SOCIAL_SET for w in words) >= 2


def classify_line(line: str) -> str | None:
    """Why a line is page furniture rather than story, or None when it may be story text.

    Reasons: "advertisement", "navigation", "share bar", "notification prompt",
    "footer", "copyright", "cookie banner", "newsletter", "code", "caption",
    "image credit", "widget", "trailer heading", "related link", "credits",
    "tags", "attribution", "rule". Bylines, date lines, sign-offs and author
    bios are recognised by their own functions because they carry data.
    """
    line = normalize_line(line)
    if not line:
        return None
    n = len(line)
    if n <= 80:
        key = _label_key(line)
        if not key:
            if line.startswith(("//", "/*", "<!--", "*/", "-->", "});", "})", "};")):
                return "code"
            return "rule" if _RULE.match(line) or n <= 3 else None
        reason = _LABEL_REASONS.get(key)
        if reason:
            return reason
        if key in _TRAILER_KEYS:
            return "trailer heading"
    if is_code(line):
        return "code"
    if n > 300:
        low = line[:400].casefold()
        if "cookie" in low and _COOKIE.search(low):
            return "cookie banner"
        return None
    low = line.casefold()
    first_word = low.split(None, 1)[0].strip("([（「:：.,")
    if _is_copyright_line(line) or (_has_any(low, _FOOTER_HINTS) and _FOOTER_PHRASE.search(line)):
        return "copyright"
    if "trust principles" in low:
        return "attribution"
    if (first_word in _ATTRIBUTION_STARTS or _CJK.match(line) or line[:1] in "(（") \
            and _ATTRIBUTION.match(line) and find_attribution(line):
        return "attribution"
    kind = caption_kind(line)
    if kind:
        return "image credit" if kind == "credit" else "caption"
    colon = ":" in line[:40] or "：" in line[:40]
    if (colon or line[:6].isupper()) and _RELATED_LINK.match(line):
        return "related link"
    if _has_any(low[:60], (" by", "with ", "mit ", "avec ", "con ")) and _CREDITS.match(line):
        return "credits"
    if colon and _TAGS.match(line):
        return "tags"
    if n <= 60 and trailer_heading(line):
        return "trailer heading"
    if _has_any(low, _BANNER_HINTS):
        if _NOTIFY.search(line):
            return "notification prompt"
        if _COOKIE.search(line):
            return "cookie banner"
        if _NEWSLETTER.search(line):
            return "newsletter"
        if _COMMENT_FORM.search(line):
            return "comment form"
    if ("pic.twitter.com" in low or "(@" in line or "instagram" in low or "a post shared by" in low) \
            and _EMBED.search(line):
        return "embed"
    if n <= 200 and first_word in _SHARE_STARTS and _SHARE_PREFIX.match(line):
        return "share bar"
    if n <= 120 and (_WEATHER.match(line) or _META_WIDGET.match(line)):
        return "widget"
    if n <= 200 and _has_any(line, _NAV_CHARS) and _nav_like(line):
        return "navigation"
    if n <= 160 and _social_bar(line):
        return "share bar"
    if n <= 80 and _RULE.match(line):
        return "rule"
    return None


def _has_any(text: str, needles: tuple[str, ...]) -> bool:
    """Plain substring tests: much cheaper than a regex alternation on long lines."""
    for needle in needles:
        if needle in text:
            return True
    return False


_FOOTER_HINTS = ("reserv", "rechte", "droits", "derechos", "diritti", "無断", "版权", "무단", "powered by", "may not be")
_BANNER_HINTS = (
    "cookie", "notif", "benachrichtigung", "通知", "クッキー", "쿠키", "newsletter", "inbox", "subscrib",
    "sign up", "signup", "mail", "recaptcha", "by continuing", "by using", "abonn", "inscri", "suscr",
    "bolet", "ニュースレター", "메일", "订阅", "thank you for", "thanks for", "stay ", "miss", "signing up",
    "privacy policy", "terms of", "required fields", "will not be published", "logged in", "comments are",
    "leave a", "post a comment", "add a comment",
)
_NAV_CHARS = ("|", "•", "·", "»", "›", ">", "/", "–", "—", "\u25b8")
_ATTRIBUTION_STARTS = frozenset(
    "read see view get find continue keep this the originally first republished reprinted reproduced "
    "source sources quelle quellen fuente fuentes fonte bron källa kilde źródło sumber dieser der cet "
    "cette este".split()
)
_SHARE_STARTS = frozenset("share click teilen partager compartir follow folgen suivez síguenos".split())


# --------------------------------------------------------------------------
# Headlines
# --------------------------------------------------------------------------

_ENDS_WITH_PERIOD = lazy_compile(r"[^.][.。]$")
_ABBR_END = lazy_compile(r"(?:\b[A-Z]\.){2,}$|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|St)\.$")


def looks_like_headline(line: str, *, classified: bool = False) -> bool:
    """Title-like: short (at most ~200 characters), at most one sentence, not ending in a
    period, colon or comma, no caption/credit, boilerplate, byline or dateline.

    ``classified=True`` tells that :func:`classify_line` already found nothing (saves a pass).
    """
    line = normalize_line(line)
    n = len(line)
    if not 3 <= n <= 200:
        return False
    if _URL.match(line) or _EMAIL.match(line):
        return False
    cjk = bool(_CJK.search(line))
    words = line.split()
    if not cjk and not 2 <= len(words) <= 32:
        return False
    if cjk and len(line) < 5:
        return False
    if line[-1] in ":;,([{" or line[-1] in "：、，":
        return False
    if _ENDS_WITH_PERIOD.search(line) and not _ABBR_END.search(line):
        return False
    letters = len(_HAS_LETTER.findall(line))
    if letters < 0.5 * len(line.replace(" ", "")):
        return False
    if sentence_count(line) > 2 or (sentence_count(line) == 2 and n > 120):
        return False
    if (not classified and classify_line(line)) or find_dateline(line) or parse_byline(line) \
            or find_signoff(line):
        return False
    return True
