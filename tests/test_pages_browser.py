"""The pages in a real browser: accessibility (axe-core, WCAG 2.1 AA), the checks in the browser, the
verify page, the language switch, keyboard use and pages without JavaScript."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import Server, axe_violations, free_port
from browser_sites import CAROL_ID, panel_state, serve_signed
from conftest import AWARD_ID, default_files, write_files
from helpers import edit

from sitegen.build.pipeline import build_site

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The repository's example site (a copy built for a local address)."""
    port = free_port()
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(EXAMPLE, root / "content")
    site = root / "content/site.yaml"
    site.write_text(edit(site.read_text(), "https://sakura-tech.github.io/badges", f"http://127.0.0.1:{port}"))
    build_site(root)
    server = Server(root / "output", port)
    yield server, root
    server.stop()


def example_pages(root: Path) -> list[str]:
    out = root / "output"
    pages = ["index.html", "en/index.html", "verify.html", "en/verify.html"]
    pages += [p.relative_to(out).as_posix() for p in sorted(out.glob("issuers/*.html"))]
    pages += [p.relative_to(out).as_posix() for p in sorted(out.glob("en/badges/*.html"))][:2]
    pages += [p.relative_to(out).as_posix() for p in sorted(out.glob("badges/*.html"))]
    pages += [p.relative_to(out).as_posix() for p in sorted(out.glob("assertions/*.html"))]
    return pages


def test_example_pages_have_no_serious_accessibility_violations(example, page):
    server, root = example
    problems = {}
    for rel in example_pages(root):
        page.goto(f"{server.url}/{rel}")
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            problems[rel] = violations
    assert problems == {}


def printed_pages(page) -> int:
    """How many A4 pages Chromium prints the page on (the page objects of its PDF)."""
    pdf = page.pdf(format="A4")
    for box in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf):
        assert abs(float(box[0]) - 595.3) < 2 and abs(float(box[1]) - 841.9) < 2  # A4 portrait, in points
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_printed_award_is_a_one_page_certificate(served, page, lang):
    server, _ = served
    url = f"{server.url}/assertions/{AWARD_ID}.html"
    page.goto(url + ("?lang=en" if lang == "en" else ""))
    page.wait_for_function(f"document.documentElement.lang === '{lang}'")
    panel_state(page)
    page.wait_for_selector(f'figure.qr[data-lang-only="{lang}"] img')  # drawn by the script
    assert printed_pages(page) == 1
    page.emulate_media(media="print")
    text = " ".join(page.inner_text("main").split())
    if lang == "ja":
        expected = [
            "発行者 テスト大学",
            f"この証明書は、次の方が 次の認定番号の保持者: {AWARD_ID} 下記のバッジを取得したことを証明します",
            "Python 基礎",
            "発行日 2026年4月1日",
            "取得基準 Pass the final exam",
            "このバッジを確認するには、コードを読み取るかアドレスを開いてください",
        ]
    else:
        expected = [
            "Issued by Test University",
            f"This certifies that the holder of award {AWARD_ID} has earned the badge",
            "Python Basics",
            "Issued on April 1, 2026",
            "Criteria Pass the final exam",
            "Scan the code or open the address to check this badge",
        ]
    for part in expected:
        assert part in text, part
    # Under it, the address of the page in the language read: the page link's field, printed as text.
    assert page.is_visible("#page-link") and not page.is_visible("label[for=page-link]")
    assert page.input_value("#page-link") == url + ("?lang=en" if lang == "en" else "")
    # The QR code of the address in the language read, and the check's result with its time.
    assert page.is_visible(f'figure.qr[data-lang-only="{lang}"] img')
    assert not page.is_visible(f'figure.qr[data-lang-only="{"en" if lang == "ja" else "ja"}"] img')
    assert page.is_visible(".verify-result") and page.is_visible(".verify-time")
    for screen_only in ("button.copy", "a[href*='linkedin.com']", "#embed-code", ".downloads", ".site-header nav"):
        assert not page.is_visible(screen_only), screen_only
    page.emulate_media(media="screen")
    assert page.is_visible("button.copy") and not page.is_visible(".certifies")


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_a_printed_award_with_a_long_criteria_a_logo_and_a_named_recipient_stays_on_one_page(example, page, query):
    server, root = example
    named = next(
        p for p in sorted((root / "output/assertions").glob("*.html")) if "山田 花子" in p.read_text(encoding="utf-8")
    )
    page.goto(f"{server.url}/assertions/{named.name}{query}")
    page.wait_for_function(f"document.documentElement.lang === '{'en' if query else 'ja'}'")
    panel_state(page)
    page.wait_for_selector(".check-here .qr img >> visible=true")
    assert printed_pages(page) == 1
    page.emulate_media(media="print")
    assert page.is_visible(".issued-by img.issuer-logo-small") and page.is_visible(".badge-image")
    assert page.is_visible(".recipient-name") and page.inner_text(".recipient-name") == "山田 花子"
    assert page.is_visible(".check-here .qr img >> visible=true") and page.is_visible("#page-link")


def test_language_switch_on_an_award_page(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert page.get_attribute("html", "lang") == "ja"
    assert page.inner_text("h1") == "Python 基礎" and page.inner_text(".evidence a") == "制作物"
    page.click("a.lang-switch")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("h1") == "Python Basics"
    assert "Issued on" in page.inner_text(".facts")
    assert "April 1, 2026" in page.inner_text(".facts")
    assert page.get_attribute(".badge-image", "alt") == "A blue square with the word Python"
    # What the reader takes elsewhere follows: LinkedIn's prefill, the fields to copy, the embed snippet.
    linkedin = page.get_attribute('[data-field="linkedin"]', "href")
    assert "name=Python+Basics" in linkedin and "organizationName=Test+University" in linkedin
    assert "certId=" in linkedin
    assert page.text_content(".share details dl").count("Python Basics") == 1
    assert 'alt="Python Basics – Test University"' in page.input_value("#embed-code")
    assert page.inner_text(".evidence a") == "Project"  # an award's own text written in both languages
    # The address shared from the English view opens it in English: the copy field, LinkedIn, the QR code.
    english = f"{server.url}/assertions/{AWARD_ID}.html?lang=en"
    assert page.input_value("#page-link") == english
    assert parse_qs(urlsplit(linkedin).query)["certUrl"] == [english]
    assert page.is_visible('figure.qr[data-lang-only="en"]') and not page.is_visible('figure.qr[data-lang-only="ja"]')
    page.click("a.lang-switch")  # and back
    page.wait_for_function("document.documentElement.lang === 'ja'")
    assert page.input_value("#page-link") == f"{server.url}/assertions/{AWARD_ID}.html"
    assert page.is_visible('figure.qr[data-lang-only="ja"]') and not page.is_visible('figure.qr[data-lang-only="en"]')
    page.goto(english)  # a shareable link in English
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.input_value("#page-link") == english


def test_site_wide_pages_switch_language_without_javascript(served, browser):  # noqa: F811
    server, _ = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/badges/python-basics.html")
    assert page.get_attribute("html", "lang") == "ja" and page.inner_text("h1") == "Python 基礎"
    page.click("a.lang-switch")
    assert page.url.endswith("/en/badges/python-basics.html")
    assert page.get_attribute("html", "lang") == "en" and page.inner_text("h1") == "Python Basics"
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")  # all content is there without scripts
    text = page.inner_text("main")
    assert "Python 基礎" in text and "2026年4月1日" in text and "取得基準" in text
    assert "JavaScript" in page.inner_text(".verify-panel")
    assert not page.is_visible("button.copy")  # a copy button could not copy: it is not shown
    # Award pages switch in place with the script; without it the switch leads to the badge in English.
    page.click("a.lang-switch")
    assert page.url.endswith("/en/badges/python-basics.html") and page.inner_text("h1") == "Python Basics"
    page.goto(f"{server.url}/verify.html")  # controls that cannot work are not shown; the page says why
    assert not page.is_visible("#badge-file") and not page.is_visible("#badge-url")
    assert "sitegen verify" in page.inner_text("main") and "`" not in page.inner_text("main")
    context.close()


def test_keyboard_reaches_the_skip_link_language_switch_and_share_controls(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "document.activeElement.className + '|' + (document.activeElement.id || '') "
                "+ '|' + document.activeElement.textContent.trim().slice(0, 30)"
            )
        )
    assert reached[0].startswith("skip-link")
    assert any(r.startswith("lang-switch") for r in reached)
    assert any("LinkedIn" in r for r in reached)
    assert any(r.startswith("copy") for r in reached)
    # Enter on Copy: focus stays on the button, its label stays, and "Copied" is announced beside it.
    page.focus("button[data-copy='page-link']")
    label = page.inner_text("button[data-copy='page-link']")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('data-copy')") == "page-link"
    page.wait_for_function(
        "document.querySelector(\"button[data-copy='page-link'] + .copied[role=status]\")"
        ".textContent === 'コピーしました'"
    )  # once the clipboard has taken it
    page.wait_for_timeout(1700)
    assert page.inner_text("button[data-copy='page-link']") == label


def test_pages_look_right_in_both_languages(example, page, tmp_path):
    """Screenshots of an award page at desktop and phone widths. SITEGEN_UPDATE_SCREENSHOTS=1 writes them to
    docs/screenshots/ for the README; otherwise they go to a temporary folder (look at them when in doubt)."""
    import os

    server, root = example
    import json

    def showcase(path):  # a valid award with evidence, as an earner would share it
        doc = json.loads(path.with_suffix(".json").read_text())
        return not doc.get("revoked") and not doc.get("expires") and doc.get("evidence")

    award = next(p.name for p in sorted((root / "output/assertions").glob("*.html")) if showcase(p))
    shots = (
        Path(__file__).resolve().parent.parent / "docs/screenshots"
        if os.environ.get("SITEGEN_UPDATE_SCREENSHOTS")
        else tmp_path
    )
    shots.mkdir(parents=True, exist_ok=True)
    for lang in ("ja", "en"):
        page.set_viewport_size({"width": 1100, "height": 900})
        page.goto(f"{server.url}/assertions/{award}?lang={lang}")
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        panel_state(page)
        page.screenshot(path=str(shots / f"award-{lang}.png"), full_page=False)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1100  # nothing overflows sideways
    page.set_viewport_size({"width": 320, "height": 844})  # WCAG 1.4.10: no sideways scrolling at 320 px
    for path in sorted((root / "output/assertions").glob("*.html")):
        page.goto(f"{server.url}/assertions/{path.name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path.name


@pytest.fixture(scope="module")
def browser_baked(tmp_path_factory):
    """A signed site with `baking: browser`: no baked file per award, the page bakes the download."""
    yield from serve_signed(tmp_path_factory.mktemp("browser-baked"), "baking: browser\n")


def test_pages_bake_downloads_in_the_browser_byte_for_byte(browser_baked, page, tmp_path):
    from sitegen.openbadges import baking
    from sitegen.verify.fetch import Fetcher
    from sitegen.verify.inputs import verify_file

    server, root = browser_baked
    out = root / "output"
    assert not list(out.glob("assertions/*.png")) and not list(out.glob("credentials/*.svg"))
    for award, badge, kind in ((AWARD_ID, "python-basics", "png"), (CAROL_ID, "star", "svg")):
        page.goto(f"{server.url}/assertions/{award}.html")
        image = (out / f"badges/{badge}.{kind}").read_bytes()
        assertion = (out / f"assertions/{award}.json").read_text()
        credential = (out / f"credentials/{award}.json").read_text()
        if kind == "png":
            expected = {
                "ob2": baking.bake_png(image, baking.OB2_PNG_KEYWORD, assertion),
                "ob3": baking.bake_png(image, baking.OB3_PNG_KEYWORD, credential),
            }
        else:
            expected = {
                "ob2": baking.bake_ob2_svg(image, f"{server.url}/assertions/{award}.json", assertion),
                "ob3": baking.bake_svg(image, baking.OB3_SVG_NAMESPACE, "credential", credential),
            }
        for version in ("ob2", "ob3"):
            with page.expect_download() as info:
                page.click(f'button[data-bake="{version}"]')
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            assert saved.suffix == f".{kind}" and saved.read_bytes() == expected[version], (award, version)
            result = verify_file(saved, Fetcher(out, server.url))
            assert result.status in ("valid", "expired"), result.findings
    # When the badge data cannot be fetched, the page says so instead of baking an error page into the image.
    page.route(f"**/assertions/{AWARD_ID}.json", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    page.click('button[data-bake="ob2"]')
    assert "HTTP 503" in page.inner_text(".bake-failed") and "could not be made" in page.inner_text(".bake-failed")


def test_award_pages_in_every_language_switch_without_javascript(browser, tmp_path):  # noqa: F811
    port = free_port()
    files = default_files()
    files["content/site.yaml"] = (
        edit(
            textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
        )
        + "award_pages: every_language\n"
    )
    write_files(tmp_path, files)
    build_site(tmp_path)
    server = Server(tmp_path / "output", port)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
        assert page.get_attribute("html", "lang") == "en" and page.inner_text("h1") == "Python Basics"
        page.click("a.lang-switch")
        page.wait_for_load_state()  # a click waits for the navigation to start, not for the page's style sheets
        assert page.url.endswith(f"/ja/assertions/{AWARD_ID}.html")
        assert page.get_attribute("html", "lang") == "ja" and page.inner_text("h1") == "Python 基礎"
        assert "2026年4月1日" in page.inner_text(".facts")
        assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"  # its style sheet loaded
        page.click("a.lang-switch")
        assert page.url.endswith(f"/assertions/{AWARD_ID}.html") and "/ja/" not in page.url
        # With scripts: a ?lang= link goes to the page in that language, and the verify page knows both pages.
        scripted = browser.new_context().new_page()
        scripted.goto(f"{server.url}/assertions/{AWARD_ID}.html?lang=ja")
        scripted.wait_for_url(f"**/ja/assertions/{AWARD_ID}.html")
        assert scripted.inner_text("h1") == "Python 基礎" and panel_state(scripted) == "valid"
        scripted.goto(f"{server.url}/verify.html")
        scripted.fill("#badge-url", f"{server.url}/ja/assertions/{AWARD_ID}.html")
        scripted.press("#badge-url", "Enter")
        assert panel_state(scripted) == "valid"
        scripted.context.close()
    finally:
        context.close()
        server.stop()
