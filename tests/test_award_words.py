"""The verification words (states, check names, outcomes, reasons) are not inlined in every award page: award
pages load them from the cached language pack, assets/i18n/<lang>.json, and switch them whole with the language;
verify.html keeps them inline. Nothing is lost in either language."""

from __future__ import annotations

import json
import re
from html import unescape

from browser_sites import panel_state
from conftest import AWARD_ID

TEMPLATES = ('<template id="verify-messages">', '<template id="verify-reasons">')


def words_of(html: str) -> str:
    """The two <template>s of verification words as a page carries them."""
    start = html.index(TEMPLATES[0])
    end = html.index("</template>", html.index(TEMPLATES[1])) + len("</template>")
    return html[start:end]


def pack(root, lang: str) -> dict:
    return json.loads((root / f"output/assets/i18n/{lang}.json").read_text(encoding="utf-8"))


def shown(page) -> dict:
    """The panel's headline, each check line's name, outcome and reason, as a reader sees them."""
    return page.evaluate(
        """() => ({
          headline: document.querySelector('.verify-result').innerText,
          checks: [...document.querySelectorAll('.verify-checks li')].map(li => ({
            check: li.getAttribute('data-check'), outcome: li.getAttribute('data-outcome'),
            name: li.querySelector('.verify-check-name').innerText,
            said: li.querySelector('.verify-outcome').innerText,
            why: li.querySelector('.verify-why') ? li.querySelector('.verify-why').innerText : ''})),
        })"""
    )


def test_award_pages_carry_no_words_and_the_packs_have_them_as_verify_html_does(served):
    _, root = served
    award = (root / f"output/assertions/{AWARD_ID}.html").read_text(encoding="utf-8")
    assert not any(template in award for template in TEMPLATES)
    assert 'id="verify-messages"' not in award and 'id="verify-reasons"' not in award
    # The pack holds exactly the templates of the verify page in that language (ja is the default language).
    for lang, verify_page in (("ja", "verify.html"), ("en", "en/verify.html")):
        words = pack(root, lang)["verify_words"]
        assert words_of(words) == words
        assert words_of((root / "output" / verify_page).read_text(encoding="utf-8")) == words
    ja, en = pack(root, "ja")["verify_words"], unescape(pack(root, "en")["verify_words"])
    assert 'data-state="valid"' in ja and ">有効: 発行者のサイトでこのバッジを確認できました。" in ja
    network = 'data-reason="network" data-t="The issuer\'s site could not be reached.">'
    assert network + "発行者のサイトに接続できませんでした。<" in ja
    assert ">Valid: the issuer's site confirms this badge" in en
    assert ">The issuer's site could not be reached.</span>" in en
    # Every phrase is in both packs, under the same keys.
    keys = re.compile(r'data-(?:state|check|outcome|word|reason)="[^"]*"')
    assert sorted(keys.findall(ja)) == sorted(keys.findall(en)) and len(keys.findall(ja)) > 50


def test_an_award_page_shows_its_words_in_japanese_and_all_in_english_after_the_switch(served, page):
    server, _ = served
    page.route("**/assertions/*.json", lambda route: route.abort())  # the issuer's site cannot be reached
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert panel_state(page) == "unverifiable"
    before = shown(page)
    assert before["headline"].startswith("現在確認できません")
    confirms = next(line for line in before["checks"] if line["check"] == "issuer's site confirms")
    assert confirms["name"] == "発行者のサイトがこの授与を確認" and confirms["said"] == "確認できず"
    assert confirms["why"].startswith("発行者のサイトに接続できませんでした。")

    page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
    page.click("a.lang-switch")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert panel_state(page) == "unverifiable"
    after = shown(page)
    assert after["headline"].startswith("Could not be verified right now")
    confirms = next(line for line in after["checks"] if line["check"] == "issuer's site confirms")
    assert confirms["name"] == "The issuer's site confirms this award" and confirms["said"] == "Could not be checked"
    assert confirms["why"].startswith("The issuer's site could not be reached. (")
    assert [line["check"] for line in after["checks"]] == [line["check"] for line in before["checks"]]
    # No Japanese is left anywhere in the result.
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", json.dumps(after, ensure_ascii=False))

    # And back: Japanese again, from the pack fetched at the start.
    page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
    page.click("a.lang-switch")
    page.wait_for_function("document.documentElement.lang === 'ja'")
    assert panel_state(page) == "unverifiable"
    assert shown(page) == before


def test_an_award_page_opened_in_english_shows_english_words(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html?lang=en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    # The Japanese words may be fetched first (the page is built in Japanese): they never overwrite English.
    page.wait_for_function(
        "document.querySelector('.verify-panel').getAttribute('data-state') === 'valid'"
        " && document.querySelector('.verify-result').innerText.startsWith('Valid')"
    )
    page.wait_for_timeout(300)
    seen = shown(page)
    assert seen["headline"].startswith("Valid: the issuer's site confirms")
    assert all(line["said"] == "Passed" for line in seen["checks"] if line["outcome"] == "passed")
    # A copy button says so in the language read.
    page.click("button.copy")
    page.wait_for_function("document.querySelector('.copied') && document.querySelector('.copied').innerText")
    assert page.inner_text(".copied") == "Copied"


def test_the_page_text_stays_until_the_words_arrive(served, page):
    server, _ = served
    held = []
    page.route("**/assets/i18n/ja.json", lambda route: held.append(route))
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    page.wait_for_function("window.SitegenVerify !== undefined")
    page.wait_for_timeout(300)
    # The check has run meanwhile, but no key is shown in place of words: the build's text is still there.
    assert page.get_attribute(".verify-panel", "data-state") is None
    assert "JavaScript" in page.inner_text(".verify-result")
    assert len(held) == 1
    held[0].continue_()
    assert panel_state(page) == "valid"
    assert shown(page)["headline"].startswith("有効")


def test_without_the_pack_the_result_is_still_shown(served, page):
    server, _ = served
    page.route("**/assets/i18n/*.json", lambda route: route.abort())
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert panel_state(page) == "valid"
    seen = shown(page)
    assert seen["headline"] == "valid"  # the state's own key: never a blank panel
    assert seen["checks"] and all(line["name"] and line["said"] for line in seen["checks"])


def test_verify_html_keeps_its_words_inline_in_both_languages(served, page):
    server, root = served
    packs = []
    page.on("request", lambda request: "/assets/i18n/" in request.url and packs.append(request.url))
    image = str(root / f"output/assertions/{AWARD_ID}.png")
    for path, headline, label in (
        ("verify.html", "有効", "発行者のサイトがこの授与を確認"),
        ("en/verify.html", "Valid", "The issuer's site confirms this award"),
    ):
        page.goto(f"{server.url}/{path}")
        page.set_input_files("#badge-file", image)
        assert panel_state(page) == "valid"
        seen = shown(page)
        assert seen["headline"].startswith(headline)
        assert label in [line["name"] for line in seen["checks"]]
    assert packs == []  # the words were in the page
