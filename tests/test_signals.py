"""Each text signal on its own: one general rule, its positive cases and the look-alikes it must leave alone."""

from __future__ import annotations

import pytest

from feedsmith.config import ProviderEntry, ProviderRegistry
from feedsmith.parse import signals as sg

REGISTRY = ProviderRegistry((
    ProviderEntry("The Independent Singapore", "theindependent.sg", ("TISG",)),
    ProviderEntry("South China Morning Post", "scmp.com", ("SCMP",)),
    ProviderEntry("The Harbour Ledger", "harbourledger.example"),
))

STORY_LINES = [
    "OpenAI CEO Sam Altman stated the company would like to work with China, as reported by South China Morning Post (SCMP).",
    "Google said on Tuesday it would stop blocking third-party cookies, which let advertisers track users across sites.",
    "She baked cookies for our neighbours and we ate them all.",
    "Copyright law is changing in Europe, and publishers are worried.",
    "By the end of the year, the company had hired 300 people.",
    "Sources said the deal was close to being signed.",
    "Is OpenAI available in China?",
    "Revenue | $5.2bn | +12%",
    "Die Gewerkschaft fordert mehr Geld und kürzere Arbeitszeiten für Schichtarbeiter.",
    "政府は11日の臨時閣議で、物価高に対応するための新たな経済対策を決定した。",
    "Le marché français du vélo à assistance électrique a reculé l'an dernier.",
    "The company said it would share more details next week.",
    "He said the newsletter had 40,000 readers before it closed in 2019, a figure the firm disputes.",
]


# --------------------------------------------------------------------------
# normalize_line, sentences
# --------------------------------------------------------------------------


def test_normalize_line_squashes_every_kind_of_space():
    assert sg.normalize_line("  a\u00a0 b\tc\u200b d ") == "a b c d"
    assert sg.normalize_line("plain line") == "plain line"
    assert sg.normalize_line(None) == ""  # type: ignore[arg-type]


def test_sentences_skip_abbreviations():
    assert sg.sentence_count("Mr. Smith went to the U.S. in May. He stayed.") == 2
    assert sg.first_sentence("Dr. Lee spoke first. Then the mayor.") == "Dr. Lee spoke first."
    assert sg.sentence_count("One headline without an end") == 1
    assert sg.sentence_count("") == 0


# --------------------------------------------------------------------------
# classify_line: one reason per kind of page furniture
# --------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["- Advertisement -", "ADVERTISEMENT", "Advertisement", "Anzeige", "Publicidad",
                                  "Story continues below advertisement", "広告", "Sponsored"])
def test_advertisement_labels(line):
    assert sg.classify_line(line) == "advertisement"


@pytest.mark.parametrize("line", ["Skip to main content", "Home | News | Reviews", "Home › Tech › Gadgets",
                                  "Startseite | Politik | Wirtschaft", "Zum Inhalt springen", "Menu",
                                  "CATEGORIES", "News > Local > Transport", "Aller au contenu principal"])
def test_navigation(line):
    assert sg.classify_line(line) == "navigation"


@pytest.mark.parametrize("line", ["Share", "Share this article", "Facebook Twitter LinkedIn Email",
                                  "Share on Facebook", "Artikel teilen", "Compartir en X", "Copy link",
                                  "Follow us on Twitter @harbourledger"])
def test_share_bars(line):
    assert sg.classify_line(line) in ("share bar", "navigation")


@pytest.mark.parametrize("line", ["Enable Notifications OK No thanks", "Allow notifications",
                                  "Turn on push notifications for breaking news", "No thanks", "Show Purposes"])
def test_notification_and_consent_prompts(line):
    assert sg.classify_line(line) == "notification prompt"


@pytest.mark.parametrize("line", [
    "We use cookies to improve your experience.",
    "This website uses cookies. By continuing to browse this site you agree to our use of cookies.",
    "We and our 842 partners store and access information on your device, such as cookies, and process personal "
    "data such as unique identifiers for personalised advertising and content, ad and content measurement, "
    "audience research and services development, with your permission.",
    "Wir verwenden Cookies, um Ihnen ein besseres Nutzungserlebnis zu bieten.",
])
def test_cookie_banners(line):
    assert sg.classify_line(line) == "cookie banner"


@pytest.mark.parametrize("line", [
    "Sign up for our newsletter to get the latest news delivered to your inbox.",
    "Get our free Science Weekly newsletter",
    "Enter your email",
    "By signing up, you agree to our Terms of Use and Privacy Policy.",
    "This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.",
])
def test_newsletter_boxes(line):
    assert sg.classify_line(line) == "newsletter"


@pytest.mark.parametrize("line", ["Your email address will not be published. Required fields are marked *",
                                  "Comments are closed."])
def test_comment_forms(line):
    assert sg.classify_line(line) == "comment form"


@pytest.mark.parametrize("line", [
    'document.addEventListener("DOMContentLoaded", () => { const t = document.getElementById("ads"); });',
    "// Adds dimensions UUID, Author and Topic into GA4",
    "// //",
    "window.dataLayer = window.dataLayer || [];",
    "function gtag(){dataLayer.push(arguments);}",
    ".site-header{display:flex;align-items:center;}",
    "(adsbygoogle = window.adsbygoogle || []).push({});",
    "/* <![CDATA[ */",
])
def test_code(line):
    assert sg.is_code(line) or line == "// //"
    assert sg.classify_line(line) == "code"


def test_code_detection_leaves_prose_with_brackets_alone():
    assert not sg.is_code("The index rose 2% (its best week since May); bonds fell.")
    assert not sg.is_code("For (almost) everyone, the answer = more sleep.")


@pytest.mark.parametrize("line", [
    "Sam Altman, CEO of OpenAI, attends an event at Station F in Paris, France, Feb. 11. AP-Yonhap",
    "The Deepseek logo / Reuters-Yonhap",
    "OpenAI's API services are not available in China at the moment. (Image credit: Getty Images | NurPhoto)",
    "Farmers drive tractors near Brussels on March 4, 2025. (Photo by Pierre Lambert/AFP via Getty Images)",
    "Soldiers watch a news program at a station in Seoul, Thursday. (AP Photo/Lee Jin-man)",
    "Visitors walk past the pavilion on Sunday. Photo by Kim Min-ji",
])
def test_captions_ending_with_a_credit(line):
    assert sg.caption_kind(line) == "caption"
    assert sg.classify_line(line) == "caption"


@pytest.mark.parametrize("line", ["(Image credit: Getty Images | NurPhoto)", "Featured image by Depositphotos",
                                  "Photo: Reuters", "Image: Shutterstock", "写真：共同", "Foto: dpa",
                                  "Photo by Jane Roe on Unsplash", "(Reuters)"])
def test_standalone_image_credits(line):
    assert sg.is_credit_line(line)
    assert sg.classify_line(line) == "image credit"


@pytest.mark.parametrize("line", ["Getty Images", "AFP via Getty Images", "Reuters/Jane Roe", "EPA-EFE/JOHN DOE",
                                  "Photograph: Jane Doe/The Courier"])
def test_lone_photo_credits(line):
    assert sg.classify_line(line) == "image credit"


def test_a_lone_agency_name_is_not_a_photo_credit():
    assert sg.classify_line("Reuters") is None  # at the end of a story it is a sign-off


@pytest.mark.parametrize("line", ["We close at 12:30 today. pic.twitter.com/h3atw4v3",
                                  "— Riverside Primary (@RiversidePrim) July 14, 2025",
                                  "A post shared by Jane Doe (@janedoe)", "View this post on Instagram"])
def test_embedded_posts(line):
    assert sg.classify_line(line) == "embed"


@pytest.mark.parametrize("line", ["27.2 C", "Singapore 31°C", "5 min read", "Updated 2 hours ago",
                                  "Reading time: 4 minutes", "1.2K views", "10:30 AM", "vor 3 Stunden",
                                  "Image 3 of 12", "3/12"])
def test_widgets(line):
    assert sg.classify_line(line) == "widget"


@pytest.mark.parametrize("line", ["Hot this week", "Popular Categories", "Related Posts", "More from Gadget Shelf",
                                  "Suggested Topics:", "You may also like", "3 Comments", "Mehr zum Thema",
                                  "Les plus lus", "関連記事", "Read more"])
def test_trailer_headings(line):
    assert sg.classify_line(line) == "trailer heading"


def test_trailer_strength():
    assert sg.trailer_heading("Hot this week") == "strong"
    assert sg.trailer_heading("More from The Harbour Ledger") == "strong"
    assert sg.trailer_heading("Related") == "weak"
    assert sg.trailer_heading("Read more") == "weak"
    assert sg.trailer_heading("More from China: the economy slows.") is None
    assert sg.trailer_heading("Popular opinion is divided on the plan") is None


@pytest.mark.parametrize("line", ["Read also: Trump calls DeepSeek a wake-up call", "READ MORE: Fares rise again",
                                  "Lire aussi : Comment choisir son vélo", "Lee también: Los drones",
                                  "Lesen Sie auch: Was Fahrgäste wissen müssen"])
def test_related_link_lines(line):
    assert sg.classify_line(line) == "related link"


@pytest.mark.parametrize("line", ["(Reporting by Hana Cho; Editing by Sam Whitford)", "Additional reporting by Jo Lee",
                                  "Medically reviewed by Samuel Okafor, MD", "With inputs from PTI"])
def test_credit_lines(line):
    assert sg.classify_line(line) == "credits"


@pytest.mark.parametrize("line", ["Tags: diabetes, exercise, nutrition", "Filed under: Politics", "Schlagworte: Bahn"])
def test_tag_lines(line):
    assert sg.classify_line(line) == "tags"


@pytest.mark.parametrize("line", ["Read the full story at SCMP.", "Source: Reuters", "Quelle: dpa",
                                  "Our Standards: The Thomson Reuters Trust Principles.", "出典：共同通信"])
def test_attribution_lines(line):
    assert sg.classify_line(line) == "attribution"


@pytest.mark.parametrize("line", ["© 2025 The Harbour Ledger. All rights reserved.", "All rights reserved.",
                                  "Copyright 2025 The Associated Press.", "Powered by WordPress",
                                  "© 2025 Rheinblick Zeitung. Alle Rechte vorbehalten."])
def test_copyright_lines(line):
    assert sg.classify_line(line) == "copyright"


@pytest.mark.parametrize("line", ["Privacy | Terms", "About Us | Contact | Advertise | Privacy Policy | Terms of Use",
                                  "Privacy Policy", "Impressum"])
def test_footer_links(line):
    assert sg.classify_line(line) in ("footer", "navigation")


@pytest.mark.parametrize("line", ["-----", "* * *", "====="])
def test_rules(line):
    assert sg.classify_line(line) == "rule"


@pytest.mark.parametrize("line", STORY_LINES)
def test_story_lines_are_not_furniture(line):
    assert sg.classify_line(line) is None


def test_classify_never_raises_on_odd_input():
    for line in ("", " ", "\x00", "(", "©", "//", "a" * 5000, "|" * 300, "(((" * 100):
        sg.classify_line(line)


# --------------------------------------------------------------------------
# Names, roles and bylines
# --------------------------------------------------------------------------


@pytest.mark.parametrize("line, author", [
    ("By Jane Doe", "Jane Doe"),
    ("by Jane Doe", "Jane Doe"),
    ("By Jane Doe and John Roe", "Jane Doe and John Roe"),
    ("By Jane Doe, John Roe and Ann Lee", "Jane Doe, John Roe and Ann Lee"),
    ("Written by Jane Doe, Senior Editor", "Jane Doe"),
    ("By Oliver Grant, Science Correspondent", "Oliver Grant"),
    ("By Jane Doe | March 3, 2025", "Jane Doe"),
    ("Posted by Mark Ellison on March 3, 2025", "Mark Ellison"),
    ("Published on 2024-11-05 by Alex Rivera", "Alex Rivera"),
    ("Von Jonas Weber", "Jonas Weber"),
    ("Par Marie Dupont", "Marie Dupont"),
    ("Por Ana García", "Ana García"),
    ("Door Pieter de Vries", "Pieter de Vries"),
    ("By KIM TONG-HYUNG", "Kim Tong-Hyung"),
    ("By Dr. Lena Park", "Dr. Lena Park"),
    ("文・山田太郎", "山田太郎"),
    ("記者 山田太郎", "山田太郎"),
    ("山田太郎記者", "山田太郎"),
    ("홍길동 기자", "홍길동"),
])
def test_bylines(line, author):
    assert sg.find_byline(line) == author


def test_byline_keeps_the_date_text_and_the_agency():
    parsed = sg.parse_byline("By Jane Doe, Reuters")
    assert parsed == sg.Byline("Jane Doe", "Reuters", "")
    assert "2024-11-05" in sg.parse_byline("Published on 2024-11-05 by Alex Rivera").rest
    agency_only = sg.parse_byline("By Reuters Staff")
    assert agency_only.author is None and agency_only.agency == "Reuters"


def test_byline_names_a_publication_after_the_author():
    assert sg.parse_byline("By Jane Doe, CNN").org == "CNN"
    assert sg.parse_byline("By Jane Doe | Reuters").agency == "Reuters"
    assert sg.parse_byline("By Jane Doe | The Harbour Ledger | March 3, 2025").org == "The Harbour Ledger"
    assert sg.parse_byline("By Jane Doe | March 3, 2025").org is None
    assert sg.parse_byline("By Jane Doe, Senior Editor").org is None


def test_agency_names():
    assert sg.agency_name("Reuters Staff") == "Reuters"
    assert sg.agency_name("dpa") == "dpa"
    assert sg.agency_name("Getty Images") is None  # a photo agency credits pictures, not stories
    assert sg.agency_name("The Harbour Ledger") is None


@pytest.mark.parametrize("line", ["By the end of the year, things changed", "By Tuesday, the company said",
                                  "Por qué la IA cambia todo", "By Staff Reporter", "Door Dash launches in Berlin",
                                  "By using this site you agree to our terms", "Von der Leyen visits Kyiv"])
def test_not_bylines(line):
    assert sg.find_byline(line) is None


@pytest.mark.parametrize("text, expected", [
    ("Sean Endicott", True), ("Pieter de Vries", True), ("Ana García", True), ("山田太郎", True),
    ("Singapore", False), ("The Harbour Ledger", False), ("Hot this week", False), ("Senior Editor", False),
    ("Is OpenAI available in China?", False),
])
def test_person_names(text, expected):
    assert sg.is_person_name(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("News Writer and apps editor", True), ("Senior Health Correspondent", True), ("Redakteurin", True),
    ("The editor resigned on Tuesday after the row.", False), ("Sean Endicott", False),
])
def test_role_lines(text, expected):
    assert sg.is_role_line(text) is expected


# --------------------------------------------------------------------------
# Provider signals
# --------------------------------------------------------------------------


@pytest.mark.parametrize("line, text, name, form", [
    ("It let developers use publicly accessible source code. /TISG",
     "It let developers use publicly accessible source code.", "TISG", "slash"),
    ("The ministers made no decision on support. — AFP", "The ministers made no decision on support.", "AFP", "dash"),
    ("Officials declined to comment. (Reuters)", "Officials declined to comment.", "Reuters", "paren"),
    ("Talks will resume next week. Yonhap", "Talks will resume next week.", "Yonhap", "bare"),
    ("— AFP", "", "AFP", "dash"),
    ("-- BERNAMA", "", "BERNAMA", "dash"),
    ("/TISG", "", "TISG", "slash"),
])
def test_signoffs(line, text, name, form):
    assert sg.find_signoff(line) == sg.Signoff(text, name, form)


def test_dash_signoff_with_a_registered_name_needs_the_registry():
    line = "The ferry will run until 1am. – The Harbour Ledger"
    assert sg.find_signoff(line) is None
    assert sg.find_signoff(line, REGISTRY).name == "The Harbour Ledger"


@pytest.mark.parametrize("line", ["The ratio was 3/4", "He met Jean-Luc - Picard", "Prices rose 3-4",
                                  "The Deepseek logo / Reuters-Yonhap", "He said he reads the FT (sometimes)",
                                  "It was reported by South China Morning Post (SCMP)."])
def test_not_signoffs(line):
    assert sg.find_signoff(line) is None


@pytest.mark.parametrize("line, place, agency", [
    ("SEOUL, March 3 (Reuters) - South Korea's exports grew", "SEOUL", "Reuters"),
    ("SEOUL, South Korea (AP) — North Korea fired", "SEOUL", "AP"),
    ("Berlin (dpa) - Ein Warnstreik", "Berlin", "dpa"),
    ("NEW YORK, March 3, 2025 /PRNewswire/ -- Brightwater Foods", "NEW YORK", "PRNewswire"),
    ("WASHINGTON — The Senate approved", "WASHINGTON", None),
])
def test_datelines(line, place, agency):
    dl = sg.find_dateline(line)
    assert (dl.place, dl.agency) == (place, agency)


def test_dateline_keeps_the_date_text():
    assert sg.find_dateline("SEOUL, March 3 (Reuters) - Exports grew").when == "March 3"


@pytest.mark.parametrize("line", ["Apple (AAPL) - shares rose", "The company (which was founded in 2010) - said",
                                  "Berlin (Germany) - city of bears", "I — for one — disagree"])
def test_not_datelines(line):
    dl = sg.find_dateline(line)
    assert dl is None or dl.agency is None


@pytest.mark.parametrize("line, name", [
    ("Read the full story at SCMP.", "SCMP"),
    ("Read the original article on The Harbour Ledger", "The Harbour Ledger"),
    ("Source: Reuters", "Reuters"),
    ("Source : AFP", "AFP"),
    ("Sources: dpa, AFP", "dpa"),
    ("Quelle: dpa", "dpa"),
    ("Fuente: EFE", "EFE"),
    ("Bron: ANP", "ANP"),
    ("出典：共同通信", "共同通信"),
    ("Originally published by The Harbour Ledger", "The Harbour Ledger"),
    ("Originally published at Example News on March 3, 2025.", "Example News"),
    ("This article first appeared on Coastal Chronicle.", "Coastal Chronicle"),
    ("This article is republished from The Conversation under a Creative Commons license.", "The Conversation"),
    ("The post Ten tips for spring appeared first on Ellison Gardens.", "Ellison Gardens"),
    ("Read more at www.example.com/story/1", "example.com"),
    ("Our Standards: The Thomson Reuters Trust Principles.", "Reuters"),
    ("Dieser Artikel erschien zuerst bei Rheinblick Zeitung.", "Rheinblick Zeitung"),
    ("This article was originally published by Jane Roe on Cities Today, the leading news platform on mobility.",
     "Cities Today"),
])
def test_attributions(line, name):
    assert sg.find_attribution(line) == name


@pytest.mark.parametrize("line", ["Sources said the deal was close.", "Read the report here.",
                                  "The source of the leak is unknown.", "as reported by South China Morning Post (SCMP)"])
def test_not_attributions(line):
    assert sg.find_attribution(line) is None


@pytest.mark.parametrize("line, holder", [
    ("© 2025 The Harbour Ledger. All rights reserved.", "The Harbour Ledger"),
    ("Copyright © 2024 Northwind Daily News Ltd. All Rights Reserved.", "Northwind Daily News"),
    ("Copyright 2025 The Associated Press. All rights reserved. This material may not be published.",
     "The Associated Press"),
    ("© 2025 Future US, Inc. Full 7th Floor, 130 West 42nd Street", "Future US"),
    ("(c) 2023 Example Media GmbH", "Example Media"),
    ("Copyright (c) 2024 Millbrook Evening Post", "Millbrook Evening Post"),
    ("©2025 Bloomberg L.P. All Rights Reserved", "Bloomberg L.P."),
    ("© 2020-2025 Valley Gazette | Privacy | Terms", "Valley Gazette"),
    ("© 2025 Rheinblick Zeitung. Alle Rechte vorbehalten.", "Rheinblick Zeitung"),
])
def test_copyright_holders(line, holder):
    assert sg.find_copyright(line) == holder


@pytest.mark.parametrize("line", ["Copyright law is changing in Europe.", "All rights reserved.", "© 2025"])
def test_not_copyright_holders(line):
    assert sg.find_copyright(line) is None


@pytest.mark.parametrize("text, author, org", [
    ("Sean Endicott is a tech journalist at Windows Central, specializing in Windows, Microsoft software, AI, "
     "and PCs. He's covered major launches.", "Sean Endicott", "Windows Central"),
    ("Maya Lindqvist is a senior reporter at TechCrunch, where she covers climate technology.",
     "Maya Lindqvist", "TechCrunch"),
    ("Jane Doe is a staff writer at The Example Times, where she covers health.", "Jane Doe", "The Example Times"),
    ("Jane Doe writes for The Ledger.", "Jane Doe", "The Ledger"),
    ("Chris Adeyemi writes about consumer technology for Gadget Shelf.", "Chris Adeyemi", "Gadget Shelf"),
    ("Jane Doe is a freelance writer based in Lisbon.", "Jane Doe", None),
    ("Lena Hoffmann ist Redakteurin bei der Rheinblick Zeitung und schreibt über Energie.",
     "Lena Hoffmann", "Rheinblick Zeitung"),
    ("Marie Dupont est journaliste au Monde.", "Marie Dupont", "Le Monde"),
    ("Ana García es periodista de El País.", "Ana García", "El País"),
])
def test_bios(text, author, org):
    assert sg.find_bio(text) == (author, org)
    assert sg.is_bio_sentence(text)


@pytest.mark.parametrize("text", ["Tim Cook is the chief executive of Apple.", "Apple is a company.",
                                  "The minister is a former journalist at the paper.",
                                  "OpenAI could make a massive shift in where it makes its services available."])
def test_not_bios(text):
    assert not sg.is_bio_sentence(text)


@pytest.mark.parametrize("line, expected", [
    ("Read the full story at SCMP.", ("SCMP", "attribution")),
    ("© 2025 The Harbour Ledger. All rights reserved.", ("The Harbour Ledger", "copyright")),
    ("SEOUL, March 3 (Reuters) - South Korea's exports grew", ("Reuters", "dateline")),
    ("It let developers use publicly accessible source code. /TISG", ("TISG", "sign-off")),
    ("Sean Endicott is a tech journalist at Windows Central, specializing in AI.", ("Windows Central", "bio")),
    ("OpenAI CEO Sam Altman said so, as reported by South China Morning Post (SCMP).", None),
    ("According to Reuters, the talks failed.", None),
])
def test_provider_mentions(line, expected):
    assert sg.find_provider_mention(line, REGISTRY) == expected


def test_registry_alias_lines():
    assert sg.registry_alias("TISG", REGISTRY) == "TISG"
    assert sg.registry_alias("The Harbour Ledger", REGISTRY) == "The Harbour Ledger"
    assert sg.registry_alias("The Harbour Ledger", None) is None
    assert sg.registry_alias("Ferry operator adds night sailings", REGISTRY) is None


# --------------------------------------------------------------------------
# Headlines
# --------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "Sam Altman signals OpenAI’s desire to partner with China after DeepSeek disrupts the AI market",
    'OpenAI CEO Sam Altman wants to "work with China" but would the US government allow it?',
    "Bahnstreik legt Fernverkehr in weiten Teilen lahm",
    "政府、物価高対策で新たな経済対策を決定",
    "In pictures: the spring flower show opens",
    "Stocks slide as U.S.",
])
def test_headline_like(line):
    assert sg.looks_like_headline(line)


@pytest.mark.parametrize("line", [
    "The X account of OpenAI CEO Sam Altman is displayed on a mobile phone with a ChatGPT logo.",
    "Sam Altman, CEO of OpenAI, attends an event at Station F in Paris, France, Feb. 11. AP-Yonhap",
    "OpenAI is keen to collaborate with China. It said so on Monday. Analysts agreed.",
    "Tuesday, June 23, 2026" * 10,
    "Hot this week",
    "By Jane Doe",
    "Here is what he said:",
    "Singapore",
    "SEOUL (AP) — North Korea fired missiles",
    "It let developers use publicly accessible source code. /TISG",
    "https://example.com/a/long/link",
    "x" * 201,
])
def test_not_headline_like(line):
    assert not sg.looks_like_headline(line)
