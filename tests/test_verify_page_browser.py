"""verify.html and the award pages' verification panel in a real browser: what each check shows, every
input form, and the forgeries a verifier must see through."""

from __future__ import annotations

from browser_sites import CAROL_ID, panel_state
from conftest import AWARD_ID, REVOKED_ID
from helpers import edit


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
