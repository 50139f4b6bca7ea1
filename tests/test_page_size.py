"""Award pages small enough for 100,000 awards on one GitHub Pages site (issue 17, item 3): at most 8 KB per award,
all files included. What is the same on every award page comes once with the language pack (the checks' details,
the recipient's email check, the wallet panel, copy and bake buttons, the share panel's QR figure) and the script
puts it in place; the script draws every QR code (the page's own, the other language's, the signed credential's)
with the vendored qrcode.js and adds the award's own fields to the LinkedIn link; the JSON documents are compact.
With the script, a reader, a screen reader, a printer and a link preview get what they had; without it, the page
keeps its facts and links, and the printed certificate leads back to the page by its address (no QR code)."""

from __future__ import annotations

import base64
import io
import json
import sys
import textwrap
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from browser import Server, axe_violations, free_port
from browser_sites import CAROL_ID, panel_state
from conftest import AWARD_ID, default_files, write_files
from helpers import edit
from PIL import Image
from test_benchmarks import BENCH, ENV, generate

from sitegen.build.pipeline import build_site
from sitegen.build.render import compact_html, linkedin_url, qr_png, without_block_line_breaks
from sitegen.content.site import load_site
from sitegen.openbadges.keys import generate as generate_key

sys.path.insert(0, str(BENCH))
from scale_bench import KINDS, bytes_by_kind  # noqa: E402

PAGE = f"assertions/{AWARD_ID}.html"
CAROL_PAGE = f"assertions/{CAROL_ID}.html"


def read_qr(picture: Image.Image) -> str:
    """The text of the QR code in a picture, or "" when none can be read."""
    found = zxingcpp.read_barcode(picture)
    return found.text if found else ""


def image_qr(src: str) -> str:
    """The text of a QR code drawn one pixel per module (a data: URL, PNG or GIF), enlarged as a screen does."""
    data = base64.b64decode(src.split(",", 1)[1])
    image = Image.open(io.BytesIO(data)).convert("L")
    return read_qr(image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST))


def shown_qr(page, selector: str) -> str:
    """The text of the QR code as the browser draws it on the screen (or on paper, with print media)."""
    return read_qr(Image.open(io.BytesIO(page.locator(selector).screenshot())))


@pytest.fixture(scope="module")
def japanese_signed(tmp_path_factory):
    """A signed scratch site in Japanese by default, baked in the browser: the case the size is measured on."""
    root = tmp_path_factory.mktemp("size")
    private, public = generate_key()
    port = free_port()
    files = default_files()
    site_yaml = edit(
        textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
    )
    files["content/site.yaml"] = (
        edit(site_yaml, "default_language: en", "default_language: ja")
        + f"keys:\n  - id: key-1\n    public_key: {public}\nbaking: browser\n"
    )
    write_files(root, files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    server = Server(root / "output", port)
    yield server, root
    server.stop()


def test_a_qr_code_png_is_small_and_reads_back():
    url = f"https://example.github.io/badges/assertions/{AWARD_ID}.html?lang=en"
    png = qr_png(url)
    assert len(png) < 500  # the SVG path of its dark runs was about 2.9 KB
    image = Image.open(io.BytesIO(png))
    assert image.mode == "1" and image.width == image.height
    assert image.convert("L").getpixel((0, 0)) == 255  # the quiet zone is part of the picture
    assert image_qr("data:image/png;base64," + base64.b64encode(png).decode()) == url
    assert qr_png(url) == png  # the same bytes every build


def test_layout_whitespace_goes_but_text_pre_and_textarea_stay():
    page = (
        b"<ul>\n    <li>a</li>\n\n  <li>b <em>c</em> d</li>\n</ul>\n<pre><code>x\n    y\n</code>\n  </pre>\n"
        b"<textarea>\n  <a>\n  </textarea>\n<p>one\n   two</p>"
    )
    assert compact_html(page) == (
        b"<ul>\n<li>a</li>\n<li>b <em>c</em> d</li>\n</ul>\n<pre><code>x\n    y\n</code>\n  </pre>\n"
        b"<textarea>\n  <a>\n  </textarea>\n<p>one\n   two</p>"
    )


def test_an_award_page_leaves_out_the_line_breaks_next_to_blocks_but_keeps_spaces_between_words():
    page = compact_html(
        b"<head>\n<meta a>\n<title>t</title>\n</head>\n<body>\n<p>a <em>b</em>\n<a>c</a><br>\n<code>d</code></p>\n"
        b"<pre><code>x\n</code>\n</pre>\n<textarea>\n<a>\n</textarea>\n<script>\nx\n</script>\n<li>e</li>\n</ul>"
    )
    assert without_block_line_breaks(page) == (
        b"<head><meta a><title>t</title></head><body><p>a <em>b</em>\n<a>c</a><br><code>d</code></p>"
        b"<pre><code>x\n</code>\n</pre><textarea>\n<a>\n</textarea><script>\nx\n</script><li>e</li></ul>"
    )


def test_a_theme_that_draws_the_pages_qr_code_itself_still_gets_it(make_site):
    """`qr` (the page's own QR code as an <img>, README's theme variables) is made only for a theme that uses it."""
    award = "{% extends 'base.html' %}{% block main %}<figure>{{ qr }}</figure>{% endblock %}"
    root = make_site({"themes/default/templates/award.html": award})
    build_site(root)
    html = (root / "output" / PAGE).read_text(encoding="utf-8")
    src = html[html.index('src="') + 5 : html.index('"', html.index('src="') + 5)]
    assert image_qr(src) == f"https://example.github.io/badges/{PAGE}"
    plain = make_site(root=root.parent / "plain")
    build_site(plain)
    assert "qr-code" not in (plain / "output" / PAGE).read_text(encoding="utf-8")


def test_a_theme_that_reads_the_complete_linkedin_link_still_gets_it(make_site):
    """`linkedin` (the complete "Add to profile" link, README's theme variables) is made only for a theme that
    reads it; sitegen's own pages carry linkedin_badge, which site.js completes."""
    award = "{% extends 'base.html' %}{% block main %}<a id=l href=\"{{ linkedin }}\">in</a>{% endblock %}"
    root = make_site({"themes/default/templates/award.html": award})
    build_site(root)
    html = (root / "output" / PAGE).read_text(encoding="utf-8")
    href = html[html.index('id=l href="') + 11 : html.index('">in</a>')].replace("&amp;", "&")
    site, _ = load_site(root)
    (award_model,) = [a for a in site.awards if a.id == AWARD_ID]
    page_url = f"https://example.github.io/badges/{PAGE}"
    assert href == linkedin_url(site, award_model, site.config.default_language, cert_url=page_url)


def test_an_award_is_at_most_8_kb_all_files_included(tmp_path):
    """The benchmark's site (signed, `baking: browser`, Japanese), measured as scale_bench.py measures it: the
    award's own files within 8 KB, with room for its share of the shared files (52 B at 10,000 awards)."""
    awards, root = 200, tmp_path / "site"  # the signing key goes next to it
    env = generate(root, awards, signed=True, baking="browser")
    build_site(root, environ={**ENV, **env})
    sizes, _ = bytes_by_kind(root / "output")
    page, credential, assertion = (sizes[kind] / awards for kind in KINDS[:3])
    assert sizes[KINDS[3]] == 0  # no baked image per award
    assert page + credential + assertion <= 8192 - 100, (page, credential, assertion)
    # The JSON documents are compact: one line each, no indentation.
    some = next((root / "output/credentials").glob("*.json")).read_bytes()
    assert some.count(b"\n") == 1 and b'":"' in some and b'": ' not in some and b"\n " not in some


def test_an_award_page_carries_the_facts_and_leaves_the_shared_parts_to_the_language_pack(japanese_signed):
    _, root = japanese_signed
    out = root / "output"
    html = (out / PAGE).read_text(encoding="utf-8")
    # Who, what, by whom, when, the state, the links: in the page, without script.
    for fact in ("Python 基礎", "テスト大学", "2026年", 'data-state="valid"', f"credentials/{AWARD_ID}.json"):
        assert fact in html
    assert f'<a href="../assertions/{AWARD_ID}.json" data-bake="ob2" data-t' in html
    # No QR code (the script draws them), no verification form, no wallet panel, no buttons, no layout.
    assert "qr-code" not in html and "<figure" not in html and "<svg" not in html
    for shared in ("data-verify-recipient", "panel wallet", "<button", "\n  ", "</p>\n<p", "data-filename"):
        assert shared not in html
    # The page's address once (besides the head's canonical and og:url), in the field the certificate prints.
    assert html.count(f"{AWARD_ID}.html") == 3 and f"{AWARD_ID}.html</textarea>" in html
    # LinkedIn's link with the badge's name and issuer, in the page's characters (an IRI: the browser encodes it).
    assert (
        'href="https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name=Python+基礎'
        '&amp;organizationName=テスト大学" data-field="linkedin"'
    ) in html
    # Words that name their msgid by themselves carry a bare data-t: the switch looks the msgid up in the pack.
    assert html.count(" data-t>") > 10 and '<h2 id="share-h" data-t>このバッジを共有する</h2>' in html
    # They are in each language's pack, once for the whole site.
    for lang in ("ja", "en"):
        parts = json.loads((out / f"assets/i18n/{lang}.json").read_text(encoding="utf-8"))["award_parts"]
        assert '<template id="award-parts">' in parts and 'data-part="wallet"' in parts
        assert "data-verify-recipient" in parts and 'data-part="copy"' in parts
        assert 'data-part="check-here"' in parts
    assert "ウォレットに追加" in json.loads((out / "assets/i18n/ja.json").read_text(encoding="utf-8"))["award_parts"]
    assert (out / "assets/vendor/qrcode.js").is_file()
    assert "MIT" in (out / "assets/vendor/qrcode.LICENSE.txt").read_text()


def linkedin_fields(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True)


def test_the_script_puts_back_everything_the_page_showed(japanese_signed, page):
    server, root = japanese_signed
    page.goto(f"{server.url}/{PAGE}")
    assert panel_state(page) == "valid"
    own = f"{server.url}/{PAGE}"
    # The page's own QR code, named by its address for screen readers, under it its caption.
    page.wait_for_selector('.check-here figure.qr[data-lang-only="ja"] img')
    assert image_qr(page.get_attribute(".check-here img.qr-code", "src")) == own
    assert shown_qr(page, ".check-here img.qr-code") == own
    assert page.get_attribute(".check-here img.qr-code", "alt") == f"QR コード: {own}"
    assert page.inner_text(".check-here figcaption") == "このページの QR コード"
    # LinkedIn's link carries what the build's linkedin_url gives (the link of the notification emails).
    site, _ = load_site(root)
    award = next(a for a in site.awards if a.id == AWARD_ID)
    built = linkedin_url(site, award, "ja", cert_url=own)
    assert linkedin_fields(page.get_attribute("[data-field=linkedin]", "href")) == linkedin_fields(built)
    assert set(linkedin_fields(built)) >= {"name", "organizationName", "issueYear", "issueMonth", "certUrl", "certId"}
    # The wallet panel, in the page's language, with the credential's address and its QR code.
    credential = f"{server.url}/credentials/{AWARD_ID}.json"
    page.wait_for_selector(".panel.wallet figure.qr img")
    assert page.inner_text(".panel.wallet h2") == "ウォレットに追加"
    assert page.input_value("#credential-link") == credential
    assert image_qr(page.get_attribute(".panel.wallet img.qr-code", "src")) == credential
    assert page.get_attribute(".panel.wallet img.qr-code", "alt") == f"QR コード: {credential}"
    assert shown_qr(page, ".panel.wallet img.qr-code") == credential
    # Copy buttons beside the three addresses; bake buttons before the two JSON links; the email check.
    copies = page.eval_on_selector_all("button.copy", "bs => bs.map(b => [b.dataset.copy, b.textContent])")
    assert copies == [["page-link", "コピー"], ["embed-code", "コピー"], ["credential-link", "コピー"]]
    bakes = page.eval_on_selector_all("button[data-bake]", "bs => bs.map(b => [b.dataset.filename, b.innerText])")
    assert [name for name, _ in bakes] == [
        "python-basics-5b8f6d8e-openbadges-2.0.png",
        "python-basics-5b8f6d8e-openbadges-3.0-credential.png",
    ]
    assert bakes[0][1].endswith("（Open Badges 2.0）, PNG")
    assert page.is_visible(".verify-checks li") and page.is_visible("[data-verify-recipient]")
    # The badge's criteria, from the pack (the page links to them on the badge's page).
    page.wait_for_selector("#criteria .prose strong")
    assert page.inner_text("#criteria .prose strong") == "final exam"
    assert axe_violations(page) == []
    # Switched to English: every part follows, and the English address gets its QR code, on screen and printed.
    page.click("[data-lang-switch]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_selector('figure.qr[data-lang-only="en"] img')
    english = f"{server.url}/{PAGE}?lang=en"
    assert page.inner_text(".panel.wallet h2") == "Add to a wallet"
    assert page.inner_text("button.copy >> nth=0") == "Copy"
    assert image_qr(page.get_attribute('figure.qr[data-lang-only="en"] img', "src")) == english
    assert not page.is_visible('figure.qr[data-lang-only="ja"]')
    # Words with a bare data-t and words whose msgid is written out (発行日 is two msgids' words) both switch.
    assert page.inner_text("#share-h") == "Share this badge" and page.inner_text(".issued-by span") == "Issued by"
    assert page.eval_on_selector_all("dl.facts dt", "dts => dts.map(d => d.textContent)")[:1] == ["Issued on"]
    english_linkedin = linkedin_fields(page.get_attribute("[data-field=linkedin]", "href"))
    assert english_linkedin["name"] == ["Python Basics"] and english_linkedin["certUrl"] == [english]
    page.emulate_media(media="print")
    assert shown_qr(page, ".check-here .qr img >> visible=true") == english
    assert page.input_value("#page-link") == english and page.is_visible("#page-link")


def test_the_script_names_a_baked_svg_as_the_build_names_its_files(japanese_signed, page):
    server, _ = japanese_signed
    page.goto(f"{server.url}/{CAROL_PAGE}")  # an award of a badge drawn in SVG
    page.wait_for_selector("button[data-bake]")
    names = page.eval_on_selector_all("button[data-bake]", "bs => bs.map(b => b.dataset.filename)")
    assert names == ["star-7c9e6679-openbadges-2.0.svg", "star-7c9e6679-openbadges-3.0-credential.svg"]


def printed(page, selector: str) -> list[str]:
    """The printed text of the elements a selector finds that are shown (a textarea: its value)."""
    return page.eval_on_selector_all(
        selector,
        "ns => ns.filter(n => n.checkVisibility()).map(n => n.tagName === 'TEXTAREA' ? n.value : n.innerText)",
    )


def test_the_printed_certificate_carries_a_qr_code_that_scans_and_the_address(japanese_signed, page):
    server, _ = japanese_signed
    page.goto(f"{server.url}/{PAGE}")
    page.wait_for_selector(".check-here .qr img")
    page.emulate_media(media="print")
    own = f"{server.url}/{PAGE}"
    assert shown_qr(page, ".check-here .qr img >> visible=true") == own
    # Beside it the sentence, and under that the address: the page link's field, printed as text.
    assert printed(page, ".share .print-only, .share #page-link, .share label") == [
        own,
        "このバッジを確認するには、コードを読み取るかアドレスを開いてください",
    ]
    sentence, address = (page.locator(s).bounding_box() for s in (".share .print-only", "#page-link"))
    assert sentence and address and address["y"] >= sentence["y"] + sentence["height"] - 1


def test_without_script_the_printed_certificate_leads_back_by_the_address(japanese_signed, browser):
    """The fallback for the QR code: the page's address, printed under its label (the sentence about scanning a
    code comes with the script, as the code does)."""
    server, _ = japanese_signed
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{PAGE}")
        page.emulate_media(media="print")
        own = f"{server.url}/{PAGE}"
        assert page.locator("img.qr-code").count() == 0 and not page.is_visible(".check-here")
        assert printed(page, ".share .print-only, .share label, .share #page-link") == ["このページへのリンク", own]
        # Printed whole: a long address wraps in the field, which grows, instead of being cut.
        size = "n => [n.scrollHeight, n.clientHeight, n.scrollWidth, n.clientWidth]"
        one_line = page.eval_on_selector("#page-link", size)
        page.eval_on_selector("#page-link", "(n, v) => { n.value = v; }", own + "?" + "x" * 400)
        lines = page.eval_on_selector("#page-link", size)
        assert lines[0] <= lines[1] + 1 and lines[2] <= lines[3] + 1, lines
        assert lines[1] > 2 * one_line[1], (one_line, lines)
    finally:
        context.close()


def test_without_script_the_page_keeps_the_facts_and_the_links(japanese_signed, browser):
    server, _ = japanese_signed
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{PAGE}")
        assert page.inner_text("h1") == "Python 基礎" and page.is_visible(".issued-by a")
        assert "下のバッジデータを開いて確認する" in page.inner_text(".verify-result")  # decided at build time
        links = page.eval_on_selector_all(".downloads a", "as => as.map(a => a.getAttribute('href'))")
        assert links == [f"../assertions/{AWARD_ID}.json", f"../credentials/{AWARD_ID}.json"]
        # LinkedIn's form opens with the badge and its issuer; the rest the reader copies from the page.
        linkedin = linkedin_fields(page.get_attribute("a[data-field=linkedin]", "href"))
        assert linkedin == {
            "startTask": ["CERTIFICATION_NAME"],
            "name": ["Python 基礎"],
            "organizationName": ["テスト大学"],
        }
        assert page.is_visible("a[data-field=linkedin]") and page.input_value("#page-link") == f"{server.url}/{PAGE}"
        assert page.is_visible(".facts time") and page.locator("img.qr-code").count() == 0
        assert not page.is_visible("button") and not page.is_visible(".panel.wallet")
        # The criteria are one link away, on the badge's page.
        assert page.get_attribute("#criteria .prose a", "href") == "../badges/python-basics.html#criteria"
    finally:
        context.close()


def test_the_fields_for_linkedin_and_the_embed_snippet_are_filled_in_by_the_script(make_site, browser):
    """Moved here from test_pages.py (the snippet came in the page; it comes with the language pack now)."""
    port = free_port()
    badge = edit(
        default_files()["content/badgeclasses/python-basics.yaml"],
        "en: Python Basics",
        "en: 'Py \"Basics\" <b onmouseover=x>'",
    )
    site_yaml = edit(
        default_files()["content/site.yaml"], "https://example.github.io/badges", f"http://127.0.0.1:{port}"
    )
    root = make_site({"content/badgeclasses/python-basics.yaml": badge, "content/site.yaml": site_yaml})
    build_site(root)
    server = Server(root / "output", port)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{PAGE}")
        page.wait_for_selector("#embed-code", state="attached")  # inside a closed disclosure
        tags = []

        class Tags(HTMLParser):
            def handle_starttag(self, tag, attrs):
                tags.append((tag, dict(attrs)))

        Tags().feed(page.input_value("#embed-code"))  # what an earner pastes into another page
        assert [t for t, _ in tags] == ["a", "img"]
        assert tags[0][1]["href"] == f"{server.url}/{PAGE}"
        assert tags[1][1]["src"] == f"{server.url}/badges/python-basics.png"
        assert tags[1][1]["alt"] == 'Py "Basics" <b onmouseover=x> – Test University'
        page.click("summary >> text=Fields for LinkedIn's form")
        fields = page.eval_on_selector_all(".share dl.facts dd", "dds => dds.map(d => d.textContent)")
        assert fields == [
            'Py "Basics" <b onmouseover=x>',
            "Test University",
            "2026-04",
            AWARD_ID,
            f"{server.url}/{PAGE}",
        ]
    finally:
        context.close()
        server.stop()
