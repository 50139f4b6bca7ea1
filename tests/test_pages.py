"""What the pages promise without a browser: sharing links, metadata, QR code, languages, catalogues."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import catalogues
from babel.messages.pofile import read_po
from conftest import AWARD_ID, BASE_URL, REVOKED_ID
from helpers import build, edit, page
from PIL import Image

REPO = Path(__file__).resolve().parent.parent


def test_award_page_shares_to_linkedin_with_the_certification_prefilled(make_site):
    root = make_site()
    build(root)
    award = page(root / f"output/assertions/{AWARD_ID}.html")
    link = next(a["href"] for a in award.find_all("a") if a.get("href", "").startswith("https://www.linkedin.com/"))
    fields = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    # The badge's part; site.js adds the award's own fields from the page (tests/test_page_size.py, in a browser).
    assert fields == {"startTask": "CERTIFICATION_NAME", "name": "Python Basics", "organizationName": "Test University"}
    article = next(a for t, a in award.tags if t == "article")
    assert (article["data-award"], article["data-issued"]) == (AWARD_ID, "2026-04")
    html = (root / f"output/assertions/{AWARD_ID}.html").read_text()
    assert f'<textarea id="page-link" readonly rows="1">{BASE_URL}/assertions/{AWARD_ID}.html</textarea>' in html
    assert f'href="{BASE_URL}/assertions/{AWARD_ID}.html"' in (
        root / f"output/assertions/{AWARD_ID}.html"
    ).read_text().replace("&#34;", '"').replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")


def test_award_page_has_open_graph_and_leaves_its_qr_code_to_the_script(make_site):
    root = make_site()
    build(root)
    html = (root / f"output/assertions/{AWARD_ID}.html").read_text()
    award = page(root / f"output/assertions/{AWARD_ID}.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in award.find_all("meta")}
    assert meta["og:image"] == f"{BASE_URL}/badges/python-basics.png"
    assert meta["og:url"] == f"{BASE_URL}/assertions/{AWARD_ID}.html"
    assert meta["og:title"] == "Python Basics – Test University" and meta["twitter:card"] == "summary"
    # site.js draws it from the page's address (tests/test_page_size.py reads it back in a browser), in the
    # language pack's figure: the page carries no image of it.
    assert "qr-code" not in html and "<figure" not in html and "data:image" not in html
    parts = json.loads((root / "output/assets/i18n/en.json").read_text())["award_parts"]
    assert '<div data-part="check-here" class="check-here">' in parts and "QR code of this page" in parts


def test_svg_badges_are_shared_with_a_png_preview(make_site):
    """LinkedIn, Facebook and X draw no SVG og:image: an SVG badge is shared as a PNG drawn at build time."""
    root = make_site()
    build(root)
    badge_page = page(root / "output/badges/star.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in badge_page.find_all("meta")}
    assert meta["og:image"] == meta["twitter:image"] == f"{BASE_URL}/badges/star.preview.png"
    preview = Image.open(root / "output/badges/star.preview.png")
    assert preview.format == "PNG" and preview.size == (600, 600)
    assert preview.convert("RGB").getpixel((300, 300)) == (11, 92, 173)  # the badge's circle, drawn
    assert preview.convert("RGB").getpixel((5, 5)) == (255, 255, 255)  # on white, not transparent
    # The badge itself is still published as the SVG the issuer wrote, and awards are baked into SVG.
    assert (root / "output/badges/star.svg").read_bytes().startswith(b"<svg")


def test_revoked_award_page_offers_no_sharing(make_site):
    root = make_site()
    build(root)
    revoked = page(root / f"output/assertions/{REVOKED_ID}.html")
    assert not any("linkedin.com" in a.get("href", "") for a in revoked.find_all("a"))


def test_evidence_media_is_shown_inline(make_site):
    award = f"""\
        badge: star
        issued_on: 2026-03-01
        awards:
          - id: 11111111-2222-4333-8444-555555555555
            recipient: {{hash: "sha256${"a" * 64}", salt: s}}
            evidence: [{{url: "https://media.example.org/poster.png", name: Poster}}, {{url: "https://media.example.org/talk.mp4"}}]
        """
    root = make_site({"content/assertions/media.yaml": award})
    build(root)
    shown = page(root / "output/assertions/11111111-2222-4333-8444-555555555555.html")
    assert shown.find_all("img", src="https://media.example.org/poster.png", alt="Poster")
    assert shown.find_all("video", src="https://media.example.org/talk.mp4")


def test_site_wide_pages_exist_in_both_languages_with_lang_and_alternates(make_site):
    root = make_site()
    build(root)
    out = root / "output"
    for rel in ("index.html", "verify.html", "badges/python-basics.html", "issuers/test-uni.html"):
        english, japanese = out / rel, out / "ja" / rel
        assert '<html lang="en">' in english.read_text() and '<html lang="ja">' in japanese.read_text()
        depth = "../" * rel.count("/")
        assert page(english).find_all("a", hreflang="ja", href=f"{depth}ja/{rel}")
    assert "Python 基礎" in page(out / "ja/badges/python-basics.html").text
    assert "2026年" not in page(out / "ja/badges/python-basics.html").text  # badges have no dates
    pack = json.loads((out / "assets/i18n/ja.json").read_text())
    assert pack["badges"]["python-basics"]["name"] == "Python 基礎"
    assert pack["ui"]["Issued on"] == "発行日"


def test_every_interface_text_has_a_japanese_translation():
    wanted = {m.id for m in catalogues.page_messages() if m.id}
    with (REPO / "sitegen/locale/ja/LC_MESSAGES/sitegen.po").open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string}
    assert wanted - translated == set()


def test_the_published_language_pack_holds_the_pages_words_only(make_site):
    """sitegen's own messages (the terminal's, check's plan…) are never published in a site's assets."""
    root = make_site()
    build(root)
    pack = json.loads((root / "output/assets/i18n/ja.json").read_text(encoding="utf-8"))
    cli_only = {m.id for m in catalogues.cli_messages() if m.id} - {m.id for m in catalogues.page_messages() if m.id}
    assert pack["ui"] and not set(pack["ui"]) & cli_only


def test_text_without_a_translation_is_marked_with_its_own_language(make_site):
    root = make_site()  # the badge "star" has an English name only
    build(root)
    japanese = (root / "output/ja/badges/star.html").read_text()
    assert '<h1 lang="en">Star</h1>' in japanese
    assert "<h1>Star</h1>" in (root / "output/badges/star.html").read_text()


def test_endorsements_are_shown_on_badge_and_award_pages(make_site):
    badge = (
        "issuer: test-uni\nname: Python Basics\ndescription: d\nimage: images/python.png\nimage_caption: c\n"
        "criteria: c\nendorsements:\n  - {by: Python Society, url: 'https://py.example/endorse', comment: Solid.}\n"
    )
    root = make_site({"content/badgeclasses/python-basics.yaml": badge})
    assert build(root) == 0
    for rel in ("badges/python-basics.html", f"assertions/{AWARD_ID}.html"):
        shown = page(root / "output" / rel)
        assert shown.find_all("a", href="https://py.example/endorse") and "Solid." in shown.text
    assert "endorsement" not in (root / "output/badges/python-basics.json").read_text()


def test_validity_reads_as_words_and_an_expiring_award_says_until_when_without_javascript(make_site, monkeypatch):
    root = make_site()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # built on 2026-01-01, before the award expires
    build(root)
    english, japanese = page(root / "output/badges/star.html").text, page(root / "output/ja/badges/star.html").text
    assert "1 year from the issue date" in english and "P1Y" not in english
    assert "発行日から 1 年" in japanese and "P1Y" not in japanese
    html = (root / "output/assertions/7c9e6679-7425-40de-944b-e07fc1f90ae7.html").read_text()
    result = html[html.index('class="verify-result"') : html.index("</p>", html.index('class="verify-result"'))]
    assert 'Valid until</span> <time datetime="2026-01-15' in result and "January 15, 2026" in result
    # The LinkedIn button is the part the page's check hides once the award has expired.
    assert '<p data-while-valid><a class="button" href="https://www.linkedin.com/' in html


def test_baking_in_the_browser_publishes_no_baked_file_per_award(make_site):
    from conftest import default_files

    from sitegen.verify.inputs import verify_site

    site_yaml = default_files()["content/site.yaml"] + "baking: browser\n"
    root = make_site({"content/site.yaml": site_yaml})
    assert build(root) == 0
    out = root / "output"
    assert not [p for p in out.glob("assertions/*") if p.suffix in (".png", ".svg")]
    assertion = json.loads((out / f"assertions/{AWARD_ID}.json").read_text())
    assert assertion["image"] == f"{BASE_URL}/badges/python-basics.png"  # a published image, not a missing one
    html = (out / f"assertions/{AWARD_ID}.html").read_text()
    assert f'href="../assertions/{AWARD_ID}.png"' not in html
    # The script puts a button that bakes it before the JSON link (its words come with the language pack, the
    # file's name from the badge and the award: tests/test_page_size.py).
    assert f'<a href="../assertions/{AWARD_ID}.json" data-bake="ob2" data-t>' in html
    assert "<noscript>" in html
    assert {r.status for r in verify_site(out)} <= {"valid", "revoked", "expired"}
    bad = make_site({"content/site.yaml": edit(site_yaml, "baking: browser", "baking: never")})
    assert build(bad) == 1


def test_a_revocation_reason_can_be_written_in_both_languages(make_site):
    from conftest import default_files

    spring = edit(
        default_files()["content/assertions/2026/spring.yaml"],
        "reason: Awarded by mistake",
        "reason: {ja: 誤って授与されたため, en: Awarded by mistake}",
    )
    root = make_site({"content/assertions/2026/spring.yaml": spring})
    assert build(root) == 0
    out = root / "output"
    both = "Awarded by mistake / 誤って授与されたため"  # one string for verifiers: the default language first
    assert json.loads((out / f"assertions/{REVOKED_ID}.json").read_text())["revocationReason"] == both
    listing = json.loads((out / "revocations/test-uni.json").read_text())
    assert both in json.dumps(listing, ensure_ascii=False)
    html = (out / f"assertions/{REVOKED_ID}.html").read_text()
    shown = html[html.index("<span data-t>Reason</span>") :]  # English: the words are their own msgid
    shown = shown[: shown.index("</p>")]
    assert 'data-text-ja="誤って授与されたため"' in shown and 'data-text-en="Awarded by mistake"' in shown
    assert shown.endswith(">Awarded by mistake</span>")  # what the language switch swaps in and out


def test_evidence_alignment_and_endorsement_text_can_be_written_in_both_languages(make_site):
    from conftest import default_files

    files = default_files()
    spring = edit(
        files["content/assertions/2026/spring.yaml"],
        "name: Project",
        "name: {ja: 制作物, en: Project}, description: {ja: 公開リポジトリ, en: A public repository}",
    )
    badge = edit(
        files["content/badgeclasses/python-basics.yaml"],
        "{name: Programming,",
        "{name: {ja: プログラミング, en: Programming},",
    )
    badge = textwrap.dedent(badge) + textwrap.dedent("""\
        endorsements:
          - {by: Example Society, url: "https://society.example.org/e/1", comment: {ja: 推薦します, en: We endorse it}}
        """)
    root = make_site({"content/assertions/2026/spring.yaml": spring, "content/badgeclasses/python-basics.yaml": badge})
    assert build(root) == 0
    out = root / "output"
    evidence = json.loads((out / f"assertions/{AWARD_ID}.json").read_text())["evidence"][0]
    assert evidence["name"] == "Project" and evidence["description"] == "A public repository"  # default language
    assert json.loads((out / "badges/python-basics.json").read_text())["alignment"][0]["targetName"] == "Programming"
    japanese = page(out / "ja/badges/python-basics.html").text
    assert "プログラミング" in japanese and "推薦します" in japanese
    html = (out / f"assertions/{AWARD_ID}.html").read_text()
    for text in (
        'data-text-ja="制作物"',
        'data-text-ja="公開リポジトリ"',
        'data-text-ja="プログラミング"',
        'data-text-ja="推薦します"',
    ):
        assert text in html  # what the award page's language switch shows


def test_award_pages_in_every_language_switch_without_javascript(make_site):
    from conftest import default_files

    root = make_site({"content/site.yaml": default_files()["content/site.yaml"] + "award_pages: every_language\n"})
    assert build(root) == 0
    out = root / "output"
    english, japanese = out / f"assertions/{AWARD_ID}.html", out / f"ja/assertions/{AWARD_ID}.html"
    html = japanese.read_text()
    assert '<html lang="ja">' in html and "Python 基礎" in html and "2026年4月1日" in html
    assert 'href="../../assertions/' in html and 'href="../../assets/site.css"' in html  # links from one level down
    assert 'href="../../ja/issuers/test-uni.html"' in html  # the issuer's page in the same language
    switch = [a for a in page(english).find_all("a") if "lang-switch" in (a.get("class") or "")]
    assert [(a["href"], a.get("data-lang-switch")) for a in switch] == [(f"../ja/assertions/{AWARD_ID}.html", None)]
    back = [a for a in page(japanese).find_all("a") if "lang-switch" in (a.get("class") or "")]
    assert back[0]["href"] == f"../../assertions/{AWARD_ID}.html"
    assert f'<link rel="alternate" hreflang="ja" href="../ja/assertions/{AWARD_ID}.html">' in english.read_text()
    # A rebuild reuses both pages, and remakes one edited by hand.
    from sitegen.build.pipeline import build_site

    assert build_site(root).reused == 3
    japanese.write_text("edited")
    assert build_site(root).reused == 2 and "Python 基礎" in japanese.read_text()


def test_an_awards_own_text_says_which_language_it_is_in(make_site):
    """A narrative or a name written once is read in its own language whatever the page's language is."""
    from conftest import default_files

    spring = edit(
        default_files()["content/assertions/2026/spring.yaml"],
        "evidence: [",
        "narrative: 課題を提出した\n                evidence: [",
    )
    root = make_site({"content/assertions/2026/spring.yaml": spring})
    assert build(root) == 0
    html = (root / f"output/assertions/{AWARD_ID}.html").read_text()
    assert '<div class="prose" lang="en"><p>課題を提出した</p>' in html  # plain text: the site's default language
    assert 'rel="noopener nofollow" lang="en">Project</a>' in html
