"""Award pages small enough for 100,000 awards on one GitHub Pages site (issue 17, item 3): what is the same on
every award page comes once with the language pack (the checks' details, the recipient's email check, the wallet
panel, copy and bake buttons) and the script puts it in place; the page carries its own QR code as a small PNG
and the script draws the others (the other language's address, the signed credential's) with the vendored
qrcode.js. Nothing a reader, a screen reader, a printer or a link preview had is lost."""

from __future__ import annotations

import base64
import io
import json
import textwrap
from html.parser import HTMLParser

import pytest
import zxingcpp
from browser import Server, axe_violations, free_port
from browser_sites import panel_state
from conftest import AWARD_ID, default_files, write_files
from helpers import edit
from PIL import Image

from sitegen.build.pipeline import build_site
from sitegen.build.render import compact_html, qr_png
from sitegen.openbadges.keys import generate

PAGE = f"assertions/{AWARD_ID}.html"


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
    private, public = generate()
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


def test_an_award_page_carries_the_facts_and_leaves_the_shared_parts_to_the_language_pack(japanese_signed):
    _, root = japanese_signed
    out = root / "output"
    html = (out / PAGE).read_text(encoding="utf-8")
    # Who, what, by whom, when, the state, the links: in the page, without script.
    for fact in ("Python 基礎", "テスト大学", "2026年", 'data-state="valid"', f"credentials/{AWARD_ID}.json"):
        assert fact in html
    assert f'<a href="../assertions/{AWARD_ID}.json" data-bake="ob2"' in html
    # One QR code (the page's own, printed with it), no verification form, no wallet panel, no buttons.
    assert html.count('<img class="qr-code"') == 1 and "<svg" not in html
    for shared in ("data-verify-recipient", "panel wallet", "<button", "\n  "):
        assert shared not in html
    # Words that name their msgid by themselves carry a bare data-t: the switch looks the msgid up in the pack.
    assert html.count(" data-t>") > 10 and '<h2 id="share-h" data-t>このバッジを共有する</h2>' in html
    # They are in each language's pack, once for the whole site.
    for lang in ("ja", "en"):
        parts = json.loads((out / f"assets/i18n/{lang}.json").read_text(encoding="utf-8"))["award_parts"]
        assert '<template id="award-parts">' in parts and 'data-part="wallet"' in parts
        assert "data-verify-recipient" in parts and 'data-part="copy"' in parts
    assert "ウォレットに追加" in json.loads((out / "assets/i18n/ja.json").read_text(encoding="utf-8"))["award_parts"]
    assert (out / "assets/vendor/qrcode.js").is_file()
    assert "MIT" in (out / "assets/vendor/qrcode.LICENSE.txt").read_text()


def test_the_script_puts_back_everything_the_page_showed(japanese_signed, page):
    server, _ = japanese_signed
    page.goto(f"{server.url}/{PAGE}")
    assert panel_state(page) == "valid"
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
    page.emulate_media(media="print")
    assert shown_qr(page, ".check-here .qr img >> visible=true") == english
    assert page.inner_text(".page-address >> visible=true") == english


@pytest.mark.parametrize("script", [True, False])
def test_the_printed_certificate_carries_a_qr_code_that_scans(japanese_signed, browser, script):
    server, _ = japanese_signed
    context = browser.new_context(java_script_enabled=script)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{PAGE}")
        page.emulate_media(media="print")
        own = f"{server.url}/{PAGE}"
        assert shown_qr(page, ".check-here .qr img >> visible=true") == own
        assert page.inner_text(".page-address >> visible=true") == own
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
        assert page.is_visible("a[data-field=linkedin]") and page.is_visible(".check-here .qr img")
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
