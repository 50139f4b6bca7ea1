"""The award page as built, without a browser: what it says without script (valid, expired, revoked, decided on
the build's day), who holds the badge, what a verifier and an earner find on it (issuer logo, achievement type,
tags, sharing per language, LinkedIn, wallets, downloads) and what a shared link's preview shows."""

from __future__ import annotations

import json
import re
import textwrap
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_sites import CAROL_ID
from conftest import AWARD_ID, BASE_URL, REVOKED_ID, default_files, png_bytes
from helpers import edit, page, tree_bytes
from test_ob3 import keypair, with_keys  # noqa: F401 (fixture)

from sitegen.build.pipeline import build_site

JAN_1, FEB_1 = "1767225600", "1769904000"  # 2026-01-01 and 2026-02-01, 00:00 UTC: Carol's award expires Jan 15
CAROL_PAGE = f"assertions/{CAROL_ID}.html"


def award_html(root, award_id: str = AWARD_ID) -> str:
    return (root / f"output/assertions/{award_id}.html").read_text(encoding="utf-8")


def linkedin_fields(html: str) -> dict[str, str] | None:
    found = re.search(r'href="(https://www\.linkedin\.com/[^"]+)"', html)
    if found is None:
        return None
    return {k: v[0] for k, v in parse_qs(urlsplit(unescape(found.group(1))).query).items()}


def test_an_award_built_after_its_expiry_says_expired_offers_no_linkedin_and_a_rebuild_notices(make_site):
    root = make_site()
    first = build_site(root, environ={"SOURCE_DATE_EPOCH": JAN_1})
    before = award_html(root, CAROL_ID)
    assert 'data-state="valid"' in before and "status-expired" not in before
    assert "Expires on" in before and linkedin_fields(before) is not None
    data_before = {k: v for k, v in tree_bytes(root / "output").items() if not k.endswith(".html")}

    # The same content built a month later: only the expired award's page is made again, and it says so.
    second = build_site(root, environ={"SOURCE_DATE_EPOCH": FEB_1})
    after = award_html(root, CAROL_ID)
    assert 'data-state="expired"' in after
    banner = page(root / "output" / CAROL_PAGE)
    assert "Expired – This badge expired on January 15, 2026" in banner.text
    # (a bare data-t: the English words are their own msgid for the language switch)
    assert "<dt data-t>Expired on</dt>" in after and ">Expires on</dt>" not in after
    assert linkedin_fields(after) is None and "data-while-valid" not in after
    assert first.reused == 0 and second.reused == len(second.site.awards) - 1
    # Published data never depends on the day of the build.
    assert {k: v for k, v in tree_bytes(root / "output").items() if not k.endswith(".html")} == data_before
    # The other awards say what they said.
    assert 'data-state="valid"' in award_html(root) and 'data-state="revoked"' in award_html(root, REVOKED_ID)


def test_a_named_recipient_is_shown_at_the_top_with_how_the_name_was_confirmed(make_site):
    root = make_site()
    build_site(root, environ={"SOURCE_DATE_EPOCH": JAN_1})
    named = award_html(root, CAROL_ID)
    assert re.search(
        r'<p class="awarded-to"><span class="awarded-label" data-t>Awarded to</span> '
        r'<strong class="recipient-name">Carol Example</strong></p>',
        named,
    )
    assert named.index("recipient-name") < named.index("<h1")  # above the badge's name
    assert "The issuer confirmed this name when it awarded the badge; the recipient agreed to show it." in named
    # Without consent, the page names no one: on paper it certifies "the holder of award <id>".
    anonymous = award_html(root)
    assert "recipient-name" not in anonymous and "confirmed this name" not in anonymous
    assert (
        '<p class="print-only awarded-to"><span data-t>the holder of award</span> '
        f"<code>{AWARD_ID}</code></p>" in anonymous
    )
    japanese = make_site(
        {
            "content/site.yaml": edit(
                default_files()["content/site.yaml"], "default_language: en", "default_language: ja"
            )
        },
        root=root.parent / "ja",
    )
    build_site(japanese, environ={"SOURCE_DATE_EPOCH": JAN_1})
    shown = page(japanese / "output" / CAROL_PAGE).text
    assert "受領者 Carol Example" in shown and "この氏名は発行者が授与時に確認したもので" in shown


def test_issuer_logo_achievement_type_and_tags_are_shown_and_the_embed_snippet_is_behind_a_disclosure(make_site):
    issuer = (
        textwrap.dedent(default_files()["content/issuers/test-uni.yaml"])
        + "image: images/logo.png\nimage_caption: The Test University crest\n"
    )
    badge = (
        textwrap.dedent(default_files()["content/badgeclasses/python-basics.yaml"])
        + "achievement_type: CertificateOfCompletion\n"
    )
    root = make_site(
        {
            "content/issuers/test-uni.yaml": issuer,
            "content/badgeclasses/python-basics.yaml": badge,
            "content/images/logo.png": png_bytes(48, (200, 30, 60)),
        }
    )
    build_site(root)
    html = award_html(root)
    issued_by = html[html.index('<p class="issued-by">') : html.index("</p>", html.index('<p class="issued-by">'))]
    assert '<img class="issuer-logo-small" src="../issuers/test-uni.png" alt="The Test University crest"' in issued_by
    assert "Issued by" in issued_by and ">Test University</a>" in issued_by
    assert (root / "output/issuers/test-uni.png").is_file()
    kind = page(root / f"output/assertions/{AWARD_ID}.html")
    assert "Certificate of completion Tags python programming" in kind.text
    assert '<span class="achievement-type" data-t>Certificate of completion</span>' in html
    # The achievement type in Japanese on a Japanese page (the switch swaps it back by its English words).
    star = page(root / "output" / CAROL_PAGE).text
    assert "Badge" in star
    # The embed snippet is there to copy, behind a disclosure: it comes with the language pack, the same on every
    # award page (tests/test_page_size.py fills it in a browser).
    parts = json.loads((root / "output/assets/i18n/en.json").read_text())["award_parts"]
    details = parts[parts.index('<details data-part="embed">') : parts.index('id="embed-code"')]
    assert '<summary data-t="Embed on a web page">' in details and "</details>" not in details


def test_achievement_types_read_as_words_in_japanese(make_site):
    site_yaml = edit(default_files()["content/site.yaml"], "default_language: en", "default_language: ja")
    badge = (
        textwrap.dedent(default_files()["content/badgeclasses/python-basics.yaml"]) + "achievement_type: Certificate\n"
    )
    root = make_site({"content/site.yaml": site_yaml, "content/badgeclasses/python-basics.yaml": badge})
    build_site(root)
    html = award_html(root)
    # A bare data-t: the switch finds the msgid from the Japanese words (no other msgid is translated so) ...
    assert '<span class="achievement-type" data-t>証明書</span>' in html
    assert '<span class="achievement-type" data-t>バッジ</span>' in award_html(root, CAROL_ID)
    # ... unless several are (発行日 is both "Issued on" and "Issue date"): the msgid stays written out.
    assert 'data-t="Issued on">発行日<' in html


def test_linkedin_names_the_issuer_by_its_organization_id_when_given(make_site):
    issuer = textwrap.dedent(default_files()["content/issuers/test-uni.yaml"]) + 'linkedin_organization_id: "2414183"\n'
    root = make_site({"content/issuers/test-uni.yaml": issuer})
    build_site(root)
    fields = linkedin_fields(award_html(root))
    assert fields is not None and fields["organizationId"] == "2414183" and "organizationName" not in fields
    assert fields["name"] == "Python Basics"  # the award's own fields are added by site.js (test_page_size.py)
    assert "2414183" not in (root / "output/issuers/test-uni.json").read_text()  # for the page only


def test_shared_links_of_a_page_switched_by_script_carry_the_other_language(make_site):
    root = make_site()  # English by default: one award page, switched to Japanese in place
    build_site(root)
    html = award_html(root)
    own, japanese = f"{BASE_URL}/assertions/{AWARD_ID}.html", f"{BASE_URL}/assertions/{AWARD_ID}.html?lang=ja"
    # The Japanese view's address (?lang=ja) is made by the script, and so are the QR codes of both and
    # LinkedIn's certUrl (tests/test_page_size.py): the page carries its own address once, printed from its field.
    assert f'<textarea id="page-link" readonly rows="1">{own}</textarea>' in html and japanese not in html
    assert "certUrl" not in linkedin_fields(html) and "<figure" not in html and "page-address" not in html


def test_pages_in_every_language_share_their_own_address(make_site):
    site_yaml = default_files()["content/site.yaml"] + "award_pages: every_language\n"
    root = make_site({"content/site.yaml": site_yaml})
    build_site(root)
    japanese = (root / f"output/ja/assertions/{AWARD_ID}.html").read_text()
    own = f"{BASE_URL}/ja/assertions/{AWARD_ID}.html"
    assert f'<textarea id="page-link" readonly rows="1">{own}</textarea>' in japanese and "?lang=" not in japanese
    assert linkedin_fields(japanese)["name"] == "Python 基礎"  # site.js adds certUrl from the field above


@pytest.mark.parametrize("baking", ["files", "browser"])
def test_baked_downloads_have_distinct_readable_names(make_site, keypair, baking):  # noqa: F811
    private, public = keypair
    site_yaml = with_keys(default_files()["content/site.yaml"], ("key-1", public, False))
    root = make_site({"content/site.yaml": site_yaml + ("baking: browser\n" if baking == "browser" else "")})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    if baking == "browser":
        # No file to name: the script names what it bakes as the build would have (tests/test_page_size.py).
        assert "download=" not in award_html(root) and "data-filename" not in award_html(root)
        return
    names = {a["download"] for _, a in page(root / f"output/assertions/{AWARD_ID}.html").tags if "download" in a}
    assert names == {
        "python-basics-5b8f6d8e-openbadges-2.0.png",
        "python-basics-5b8f6d8e-openbadges-3.0-credential.png",
    }
    star = page(root / "output" / CAROL_PAGE)
    assert {a["download"] for _, a in star.tags if "download" in a} == {
        "star-7c9e6679-openbadges-2.0.svg",
        "star-7c9e6679-openbadges-3.0-credential.svg",
    }


def test_an_award_with_a_signed_credential_explains_adding_it_to_a_wallet(make_site, keypair):  # noqa: F811
    private, public = keypair
    root = make_site({"content/site.yaml": with_keys(default_files()["content/site.yaml"], ("key-1", public, False))})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    # The panel is the same on every award page: it comes once with the language pack, and the page's script
    # puts it in place with the credential's address and QR code (tests/test_page_size.py, in a browser).
    parts = json.loads((root / "output/assets/i18n/en.json").read_text())["award_parts"]
    wallet = parts[
        parts.index('<section data-part="wallet"') : parts.index("</section>", parts.index('data-part="wallet"'))
    ]
    assert "Learner Credential Wallet" in wallet and "Add Credential" in wallet
    assert '<input id="credential-link" type="text" readonly>' in wallet
    assert f'data-credential="../credentials/{AWARD_ID}.json"' in award_html(root)
    # The script adds nothing for a revoked award, and nothing without a signed credential.
    assert 'data-state="revoked"' in award_html(root, REVOKED_ID)
    unsigned = make_site(root=root.parent / "unsigned")
    build_site(unsigned)
    assert "data-credential=" not in award_html(unsigned)


def meta_of(path) -> dict[str, str]:
    return {a.get("property") or a.get("name"): a.get("content") for _, a in page(path).tags if _ == "meta"}


def test_link_previews_name_the_site_size_the_image_and_say_when_an_award_is_revoked(make_site):
    root = make_site()
    build_site(root)
    out = root / "output"
    meta = meta_of(out / f"assertions/{AWARD_ID}.html")
    assert meta["og:site_name"] == "Test University Badges"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("64", "64")  # the badge image's own size
    assert meta["og:image:alt"] == "A blue square with the word Python"
    star = meta_of(out / CAROL_PAGE)  # an SVG badge is previewed as its PNG drawing, of that drawing's size
    width, height = (int(b) for b in (star["og:image:width"], star["og:image:height"]))
    preview = (out / "badges/star.preview.png").read_bytes()
    assert (width, height) == (int.from_bytes(preview[16:20], "big"), int.from_bytes(preview[20:24], "big"))
    revoked = meta_of(out / f"assertions/{REVOKED_ID}.html")
    assert revoked["og:title"] == "Revoked: Python Basics – Test University"
    assert "twitter:title" not in revoked and revoked["twitter:card"] == "summary"  # X reads og:title
    assert revoked["og:description"] == "The issuer revoked this award; it is no longer valid."
    issuer = meta_of(out / "issuers/test-uni.html")
    assert issuer["og:title"] == "Test University" and issuer["og:site_name"] == "Test University Badges"
    assert issuer["og:description"] == "A university that tests things."
    assert issuer["og:url"] == f"{BASE_URL}/issuers/test-uni.html"
    japanese_index = meta_of(out / "ja/index.html")
    assert japanese_index["og:title"] == "テスト大学バッジ" and japanese_index["og:url"] == f"{BASE_URL}/ja/index.html"
