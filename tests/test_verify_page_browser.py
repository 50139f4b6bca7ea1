"""verify.html and the award pages' verification panel in a real browser: what each check shows, every
input form, and the forgeries a verifier must see through."""

from __future__ import annotations

import pytest
from browser import axe_violations
from browser_sites import CAROL_ID, panel_state
from conftest import AWARD_ID, REVOKED_ID
from helpers import edit

from sitegen.openbadges import baking


def test_award_page_checks_itself_in_the_browser(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert panel_state(page) == "valid"
    assert "有効" in page.inner_text(".verify-result")
    assert page.inner_text(".verify-time").startswith("確認日時")
    page.goto(f"{server.url}/assertions/{REVOKED_ID}.html")
    assert panel_state(page) == "revoked"
    assert "Awarded by mistake" in page.inner_text(".verify-panel")
    page.goto(f"{server.url}/assertions/{CAROL_ID}.html")
    assert panel_state(page) == "expired"
    assert not page.is_visible('[data-field="linkedin"]')  # an expired badge is not offered for a profile
    assert page.is_visible("#page-link")


def test_a_failed_fetch_says_could_not_be_verified_not_invalid(served, page):
    server, _ = served
    page.route("**/assertions/*.json", lambda route: route.abort())
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert panel_state(page) == "unverifiable"
    assert "現在確認できません" in page.inner_text(".verify-result")


def test_verify_page_unbakes_png_and_svg_in_the_browser(served, page):
    server, root = served
    page.goto(f"{server.url}/en/verify.html")

    def check_file(path):
        page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
        page.set_input_files("#badge-file", str(path))
        return panel_state(page)

    assert check_file(root / f"output/assertions/{AWARD_ID}.png") == "valid"
    assert check_file(root / f"output/assertions/{REVOKED_ID}.png") == "revoked"
    assert check_file(root / f"output/assertions/{CAROL_ID}.svg") == "expired"
    assert check_file(root / "output/badges/python-basics.png") == "no-badge"  # an image with no badge inside
    assert "holds no Open Badges data" in page.inner_text(".verify-result")
    page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
    page.fill("#badge-url", f"{server.url}/assertions/{AWARD_ID}.html")
    page.click("form[data-verify-url-form] button")
    assert panel_state(page) == "valid"
    assert "Valid" in page.inner_text(".verify-result")
    # A badge of another site is not called invalid: this page just cannot vouch for it.
    page.goto(f"{server.url}/verify.html")
    page.fill("#badge-url", "https://other.example.org/badges/assertions/1.json")
    page.click("form[data-verify-url-form] button")
    assert panel_state(page) == "elsewhere"
    assert "このサイトで発行されたバッジだけ" in page.inner_text(".verify-result")


def test_signed_award_pages_and_baked_credentials_check_in_the_browser(signed_served, page):
    server, root = signed_served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert page.get_attribute(".verify-panel", "data-credential")
    assert panel_state(page) == "valid"
    # The hosted JSON says valid, but the credential's status bit says revoked: the page must not say valid.
    hosted = root / f"output/assertions/{REVOKED_ID}.json"
    page.route(
        f"**/assertions/{REVOKED_ID}.json",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=edit((root / f"output/assertions/{AWARD_ID}.json").read_text(), AWARD_ID, REVOKED_ID, count=None),
        ),
    )
    page.goto(f"{server.url}/assertions/{REVOKED_ID}.html")
    assert panel_state(page) == "revoked"
    assert hosted.exists()
    page.goto(f"{server.url}/verify.html")
    page.set_input_files("#badge-file", str(root / f"output/credentials/{AWARD_ID}.png"))
    assert panel_state(page) == "valid"
    page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
    page.set_input_files("#badge-file", str(root / f"output/credentials/{REVOKED_ID}.png"))
    assert panel_state(page) == "revoked"


# --- what a verifier sees: each check by name, the badge as its issuer publishes it, every input form ---------


def checked(page, url_prefix: str = "") -> dict:
    """What the panel shows once settled: state, headline, check lines, badge card, time, focus."""
    panel_state(page)
    return page.evaluate(
        """() => {
        const panel = document.querySelector('.verify-panel');
        const card = panel.querySelector('.verify-badge');
        return {
          state: panel.getAttribute('data-state'),
          headline: panel.querySelector('.verify-result').innerText,
          detail: panel.querySelector('.verify-detail').innerText,
          checks: Object.fromEntries([...panel.querySelectorAll('.verify-checks li')].map(
            li => [li.getAttribute('data-check'), li.getAttribute('data-outcome')])),
          lines: [...panel.querySelectorAll('.verify-checks li')].map(li => li.innerText),
          card: card.hidden ? null : card.innerText,
          image: card.hidden || !card.querySelector('img') ? null : card.querySelector('img').src,
          link: card.hidden || !card.querySelector('a.verify-badge-link') ? null
            : card.querySelector('a.verify-badge-link').href,
          time: panel.querySelector('.verify-time').innerText,
          focused: document.activeElement.id,
          recipientForm: !panel.querySelector('[data-verify-recipient]').hidden,
        };
    }"""
    )


def new_check(page) -> None:
    page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")


@pytest.fixture
def tokyo_page(browser):  # noqa: F811
    """A reader in Tokyo: the check time must carry its time zone."""
    context = browser.new_context(timezone_id="Asia/Tokyo")
    yield context.new_page()
    context.close()


def test_award_page_lists_each_check_and_the_badge_from_the_issuers_site(served, tokyo_page):
    server, _ = served
    page = tokyo_page
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    seen = checked(page)
    assert seen["state"] == "valid"
    assert seen["checks"]["issuer's site confirms"] == "passed"
    assert seen["checks"]["revocation list"] == "passed"
    assert seen["checks"]["expiry"] == "passed"
    # Each line says its check and its outcome in words (not colour alone).
    assert any("発行者のサイトがこの授与を確認" in line and "合格" in line for line in seen["lines"])
    assert "Python 基礎" in seen["card"] and "テスト大学" in seen["card"]
    issued = page.inner_text(".badge-head time")  # the card writes dates as the page does
    assert issued in seen["card"]
    assert seen["image"] == f"{server.url}/badges/python-basics.png"
    assert seen["link"] == f"{server.url}/assertions/{AWARD_ID}.html"
    assert seen["time"].startswith("確認日時") and "JST" in seen["time"]
    assert seen["focused"] != "verify-h"  # an award page does not move the reader on load

    # The English view: the same checks in English words, the time zone too.
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html?lang=en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_function("document.querySelector('.verify-panel').getAttribute('data-state') === 'valid'")
    seen = checked(page)
    assert any("The issuer's site confirms this award" in line and "Passed" in line for line in seen["lines"])
    # The card says what the published badge data says (this site publishes its data in Japanese).
    assert "Python 基礎" in seen["card"] and "Issued by テスト大学" in seen["card"]
    assert seen["time"].startswith("Checked at") and "GMT+9" in seen["time"]


def test_revoked_and_expired_award_pages_say_why(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{REVOKED_ID}.html")
    seen = checked(page)
    assert seen["state"] == "revoked"
    assert seen["checks"]["revocation list"] == "failed"
    assert "理由: Awarded by mistake" in seen["detail"]  # the reason as the issuer published it
    page.goto(f"{server.url}/assertions/{CAROL_ID}.html")
    seen = checked(page)
    assert seen["state"] == "expired"
    assert seen["checks"]["expiry"] == "failed"
    assert "2026年1月15日" in seen["card"]  # the expiry, as the page writes dates
    expiry_line = next(line for line in seen["lines"] if "不合格" in line)
    assert "2026年1月15日" in expiry_line and "T00:00" not in expiry_line  # never a raw ISO timestamp
    assert seen["detail"] == ""  # the headline says expired, the expiry line says when: not a third time
    assert not page.is_visible('[data-field="linkedin"]')


def test_without_javascript_the_panel_tells_the_builds_verdict(served, browser):  # noqa: F811
    server, _ = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        colours = {}
        for award, state in ((AWARD_ID, "valid"), (REVOKED_ID, "revoked"), (CAROL_ID, "expired")):
            page.goto(f"{server.url}/assertions/{award}.html")
            assert page.get_attribute(".verify-panel", "data-award-state") == state
            colours[state] = page.evaluate("getComputedStyle(document.querySelector('.verify-panel')).backgroundColor")
            text = page.inner_text(".verify-panel")
            if state == "expired":
                assert "有効期限切れ" in text and "有効期限" + " " not in text.replace("有効期限切れ", "")
            if state == "revoked":
                assert "取り消し" in text
        # Revoked is red in the panel itself, expired is not neutral: each differs from a valid award's panel.
        assert colours["revoked"] == "rgb(253, 236, 236)"
        assert colours["expired"] == "rgb(255, 244, 224)"
        assert colours["valid"] not in (colours["revoked"], colours["expired"])
    finally:
        context.close()


def test_recipient_email_is_checked_in_the_browser_and_sent_nowhere(served, page):
    server, _ = served
    page.goto(f"{server.url}/assertions/{AWARD_ID}.html")
    assert checked(page)["recipientForm"]
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.fill("#recipient-email", " Alice@Example.org ")
    page.click("[data-verify-recipient] button")
    page.wait_for_selector('.verify-checks li[data-check="recipient"]')
    assert "一致" in page.inner_text(".verify-recipient-result")
    assert page.get_attribute('.verify-checks li[data-check="recipient"]', "data-outcome") == "passed"
    page.fill("#recipient-email", "bob@example.org")
    page.click("[data-verify-recipient] button")
    page.wait_for_selector('.verify-checks li[data-check="recipient"][data-outcome="failed"]')
    assert "不一致" in page.inner_text(".verify-recipient-result")
    assert page.locator('.verify-checks li[data-check="recipient"]').count() == 1  # updated, not added again
    assert requests == []  # nothing about the address left the browser

    # verify.html offers it once a badge is shown.
    page.goto(f"{server.url}/en/verify.html")
    assert not page.is_visible("#recipient-email")
    page.set_input_files("#badge-file", str(served[1] / f"output/assertions/{AWARD_ID}.png"))
    assert checked(page)["recipientForm"]
    page.fill("#recipient-email", "alice@example.org")
    page.click("[data-verify-recipient] button")
    page.wait_for_selector('.verify-checks li[data-check="recipient"][data-outcome="passed"]')
    assert "Matches" in page.inner_text(".verify-recipient-result")


def test_verify_page_takes_every_form_and_shows_its_work(served, page, tmp_path):
    server, root = served
    page.goto(f"{server.url}/en/verify.html")
    # A baked PNG, chosen.
    page.set_input_files("#badge-file", str(root / f"output/assertions/{AWARD_ID}.png"))
    seen = checked(page)
    assert seen["state"] == "valid" and seen["headline"].startswith("Valid")
    assert seen["checks"]["image matches the badge"] == "passed"
    assert seen["checks"]["issuer's site confirms"] == "passed"
    assert "Python 基礎" in seen["card"] and "April 1, 2026" in seen["card"]
    assert seen["focused"] == "result-h"  # the reader is taken to the result
    # The badge's JSON as a .json file.
    data = tmp_path / "award.json"
    data.write_text((root / f"output/assertions/{AWARD_ID}.json").read_text())
    new_check(page)
    page.set_input_files("#badge-file", str(data))
    seen = checked(page)
    assert seen["state"] == "valid" and "image matches the badge" not in seen["checks"]
    # Pasted JSON.
    page.focus("#badge-text")
    page.fill("#badge-text", (root / f"output/assertions/{CAROL_ID}.json").read_text())
    new_check(page)
    page.click("[data-verify-text-form] button")
    seen = checked(page)
    assert seen["state"] == "expired" and seen["checks"]["expiry"] == "failed"
    assert "January 15, 2026" in seen["card"] and seen["focused"] == "result-h"
    # A link to the award's page, as shared from the English view.
    page.fill("#badge-url", f"{server.url}/assertions/{AWARD_ID}.html?lang=en")
    new_check(page)
    page.click("[data-verify-url-form] button")
    seen = checked(page)
    assert seen["state"] == "valid" and seen["link"] == f"{server.url}/assertions/{AWARD_ID}.html"


def test_a_rejected_input_never_leaves_the_previous_result_on_screen(served, page, tmp_path):
    server, root = served
    page.goto(f"{server.url}/verify.html")
    page.set_input_files("#badge-file", str(root / f"output/assertions/{AWARD_ID}.png"))
    assert checked(page)["state"] == "valid"
    page.fill("#badge-text", "this is not a badge")
    new_check(page)
    page.click("[data-verify-text-form] button")
    seen = checked(page)
    assert seen["state"] == "unreadable"
    assert "有効" not in seen["headline"] and "バッジのデータとして読み取れません" in seen["headline"]
    assert seen["checks"] == {} and seen["card"] is None and not seen["recipientForm"]
    assert seen["detail"] and "this is not a badge" not in seen["detail"]  # why, in words; never the input echoed
    again = tmp_path / "again.png"  # another file: the browser fires no change for the same one
    again.write_bytes((root / f"output/assertions/{AWARD_ID}.png").read_bytes())
    new_check(page)
    page.set_input_files("#badge-file", str(again))
    assert checked(page)["state"] == "valid"
    new_check(page)
    page.set_input_files("#badge-file", str(root / "output/badges/python-basics.png"))
    seen = checked(page)
    assert seen["state"] == "no-badge" and seen["checks"] == {} and seen["card"] is None


def test_a_forged_image_shows_which_check_failed(served, page, tmp_path):
    server, root = served
    # Another badge's picture with a genuine award baked in.
    assertion = (root / f"output/assertions/{AWARD_ID}.json").read_text()
    forged = tmp_path / "forged.svg"
    forged.write_bytes(
        baking.bake_ob2_svg((root / "output/badges/star.svg").read_bytes(), f"{server.url}/x", assertion)
    )
    page.goto(f"{server.url}/en/verify.html")
    page.set_input_files("#badge-file", str(forged))
    seen = checked(page)
    assert seen["state"] == "invalid" and seen["headline"].startswith("Not valid")
    assert seen["checks"]["image matches the badge"] == "failed"
    failed = next(line for line in seen["lines"] if "The picture is the badge's own image" in line)
    assert "Failed" in failed and "The picture is not this badge's image as the issuer publishes it" in failed
    # The card shows the badge's own image from the issuer's site, never the picture in hand.
    assert seen["image"] == f"{server.url}/badges/python-basics.png"


@pytest.mark.parametrize("width", [375, 1280])
def test_panels_showing_a_result_are_accessible(served, browser, width):  # noqa: F811
    server, root = served
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for award, state in ((AWARD_ID, "valid"), (REVOKED_ID, "revoked")):
            page.goto(f"{server.url}/assertions/{award}.html")
            assert panel_state(page) == state
            assert axe_violations(page) == []
        page.goto(f"{server.url}/en/verify.html")
        page.set_input_files("#badge-file", str(root / f"output/assertions/{AWARD_ID}.png"))
        assert panel_state(page) == "valid"
        # The result is scrolled into view (on a phone it is far below the inputs).
        top = page.evaluate("document.getElementById('result-h').getBoundingClientRect().top")
        assert 0 <= top < 100
        page.fill("#recipient-email", "alice@example.org")
        page.click("[data-verify-recipient] button")
        page.wait_for_selector('.verify-checks li[data-check="recipient"]')
        assert axe_violations(page) == []
    finally:
        context.close()


def test_a_signed_credential_shows_its_signature_key_and_status_checks(signed_served, page, tmp_path):
    server, root = signed_served
    page.goto(f"{server.url}/verify.html")  # an English site
    page.set_input_files("#badge-file", str(root / f"output/credentials/{AWARD_ID}.png"))
    seen = checked(page)
    assert seen["state"] == "valid", seen
    for name in ("issuer's site confirms", "signature", "issuer key", "image matches the badge"):
        assert seen["checks"][name] == "passed"
    assert any(name in seen["checks"] for name in ("status", "revocation list"))
    assert any("The signature is intact: Passed" in line for line in seen["lines"])
    # The credential pasted as text: the same checks but the picture's.
    new_check(page)
    page.fill("#badge-text", (root / f"output/credentials/{CAROL_ID}.json").read_text())
    page.click("[data-verify-text-form] button")
    seen = checked(page)
    assert seen["state"] == "expired" and seen["checks"]["expiry"] == "failed"
    assert seen["checks"]["signature"] == "passed" and "image matches the badge" not in seen["checks"]
    assert "January 15, 2026" in seen["card"]
