"""The checks engine of the pages (assets/checks.js, window.SitegenChecks), called in Chromium on a real signed
site served on 127.0.0.1: every input form verify.html takes, each forgery of issue 13 (built with sitegen's own
baking and the site's real keys, or a forger's), a network failure, and the recipient check. The reports are
asserted as the ui receives them: state, the failing check's name and reason, and the badge as the site
publishes it."""

from __future__ import annotations

import base64
import copy
import datetime
import io
import json
import re
import textwrap
from pathlib import Path

import pytest
from browser import Server, free_port
from browser_sites import serve_signed
from conftest import AWARD_ID, EMAIL, REVOKED_ID, SALT, default_files, identity_hash, png_bytes, write_files
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers import edit
from PIL import Image

from sitegen.build.pipeline import build_site
from sitegen.openbadges import baking
from sitegen.openbadges.jws import sign_jws
from sitegen.openbadges.keys import generate, generate_rsa, load_private_key
from sitegen.openbadges.proofs import sign_credential
from sitegen.urls import did_web

THEME = Path(__file__).parent.parent / "sitegen/themes/default"
STAR_ID = "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9"  # a star (SVG) award, still valid
CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"  # a star award that expired


class Signed:
    """The served site: its address, its output folder, and the keys it was signed with."""

    def __init__(self, base: str, output: Path, ed: tuple[str, str], rsa_key: tuple[str, str]):
        self.site, self.output, self.ed, self.rsa = base + "/", output, ed, rsa_key
        self.did = did_web(base)

    def read(self, rel: str) -> dict:
        return json.loads((self.output / rel).read_text(encoding="utf-8"))

    def bytes(self, rel: str) -> bytes:
        return (self.output / rel).read_bytes()


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A site in Japanese first with English award pages of their own, OB 3.0 credentials signed with Ed25519,
    OB 2.0 JWS signed with RSA, baked images, an issuer logo, and a second PNG badge."""
    ed, rsa_key = generate(), generate_rsa()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    files = default_files()
    indented = "\n".join("      " + line for line in rsa_key[1].strip().splitlines())
    site_yaml = edit(textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", base)
    files["content/site.yaml"] = (
        edit(site_yaml, "default_language: en", "default_language: ja")
        + "award_pages: every_language\n"
        + f"keys:\n  - id: key-1\n    public_key: {ed[1]}\n"
        + f"ob2_signing:\n  key_id: rsa-1\n  public_key: |\n{indented}\n"
    )
    files["content/issuers/test-uni.yaml"] = (
        textwrap.dedent(files["content/issuers/test-uni.yaml"]) + "image: images/logo.png\nimage_caption: A logo\n"
    )
    files["content/images/logo.png"] = png_bytes(32, (200, 30, 30))
    files["content/images/rust.png"] = png_bytes(64, (180, 80, 20))
    files["content/badgeclasses/rust.yaml"] = (
        "issuer: test-uni\nname: Rust\ndescription: Writes Rust.\n"
        "image: images/rust.png\nimage_caption: An orange square\ncriteria: Write Rust.\n"
    )
    recent = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    files["content/assertions/star-recent.yaml"] = (
        f"badge: star\nissued_on: {recent}\nawards:\n  - id: {STAR_ID}\n"
        f'    recipient: {{hash: "{identity_hash("erin@example.org")}", salt: "{SALT}"}}\n'
    )
    root = write_files(tmp_path_factory.mktemp("checks"), files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": ed[0], "SITEGEN_OB2_SIGNING_KEY": rsa_key[0]})
    server = Server(root / "output", port)
    yield Signed(base, root / "output", ed, rsa_key)
    server.stop()


@pytest.fixture
def on_site(page, signed):
    """A fresh page on the site's verify.html, where SitegenChecks is loaded."""
    page.goto(signed.site + "verify.html")
    page.wait_for_function("window.SitegenChecks && window.SitegenChecks.checkInput")
    return page


def check_file(page, signed: Signed, data: bytes) -> dict:
    return page.evaluate(
        """async ([b64, site]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            return SitegenChecks.checkInput({file: new Blob([bytes])}, site);
        }""",
        [base64.b64encode(data).decode(), signed.site],
    )


def check_text(page, signed: Signed, text: str) -> dict:
    return page.evaluate("([text, site]) => SitegenChecks.checkInput({text}, site)", [text, signed.site])


def check_url(page, signed: Signed, url: str) -> dict:
    return page.evaluate("([url, site]) => SitegenChecks.checkInput({url}, site)", [url, signed.site])


def check_award(page, signed: Signed, award: str) -> dict:
    return page.evaluate(
        "([a, c, site]) => SitegenChecks.checkAward({assertionUrl: a, credentialUrl: c, site})",
        [f"{signed.site}assertions/{award}.json", f"{signed.site}credentials/{award}.json", signed.site],
    )


def outcomes(report: dict) -> dict[str, tuple[str, str]]:
    return {c["name"]: (c["outcome"], c["reason"]) for c in report["checks"]}


def failing(report: dict) -> list[tuple[str, str]]:
    return [(c["name"], c["reason"]) for c in report["checks"] if c["outcome"] == "failed"]


def bake_png(signed: Signed, picture: str, keyword: str, text: str) -> bytes:
    return baking.bake_png(signed.bytes(picture), keyword, text)


OB2_CHECKS = ["issuer's site confirms", "revocation list", "expiry"]
OB3_CHECKS = ["issuer's site confirms", "signature", "issuer key", "status", "expiry"]
JWS_CHECKS = ["issuer's site confirms", "signature", "issuer key", "revocation list", "expiry"]
IMAGE = "image matches the badge"


def assert_python_basics(report: dict, signed: Signed, kind: str) -> None:
    """The badge as the site publishes award AWARD_ID: never what the input claims."""
    badge = report["badge"]
    assert badge["kind"] == kind
    assert badge["awardId"] == AWARD_ID
    assert badge["awardPage"] == f"{signed.site}assertions/{AWARD_ID}.html"
    assert badge["name"] == "Python 基礎"
    assert badge["image"] == f"{signed.site}badges/python-basics.png"
    assert badge["issuer"]["name"] == "テスト大学"
    assert badge["issuer"]["url"] == "https://uni.example.org"
    assert badge["issuer"]["image"] == f"{signed.site}issuers/test-uni.png"
    assert badge["issuedOn"].startswith("2026-04-01")
    assert badge["expires"] is None and badge["revocationReason"] is None
    assert badge["recipient"] == {"identity": identity_hash(), "salt": SALT, "hashed": True}


# --- every input form, genuine --------------------------------------------------------------------


def test_the_award_page_checks_its_assertion_and_credential(on_site, signed):
    report = check_award(on_site, signed, AWARD_ID)
    assert report["state"] == "valid" and report["reason"] == ""
    assert [c["name"] for c in report["checks"]] == [
        "issuer's site confirms",
        "signature",
        "issuer key",
        "status",
        "revocation list",
        "expiry",
    ]
    assert {c["outcome"] for c in report["checks"]} == {"passed"}
    assert_python_basics(report, signed, "ob2")
    assert signed.read("issuers/test-uni.json")["image"] == report["badge"]["issuer"]["image"]


@pytest.mark.parametrize(
    "rel, kind, names",
    [
        (f"credentials/{AWARD_ID}.png", "ob3", [*OB3_CHECKS, IMAGE]),
        (f"assertions/{AWARD_ID}.png", "ob2", [*OB2_CHECKS, IMAGE]),
        (f"credentials/{AWARD_ID}.json", "ob3", OB3_CHECKS),
        (f"assertions/{AWARD_ID}.json", "ob2", OB2_CHECKS),
        (f"assertions/{AWARD_ID}.jws", "ob2", JWS_CHECKS),
    ],
)
def test_a_genuine_file_is_valid(on_site, signed, rel, kind, names):
    report = check_file(on_site, signed, signed.bytes(rel))
    assert report["state"] == "valid", report
    assert [c["name"] for c in report["checks"]] == names
    assert {c["outcome"] for c in report["checks"]} == {"passed"}
    assert_python_basics(report, signed, kind)


@pytest.mark.parametrize("rel", [f"credentials/{STAR_ID}.svg", f"assertions/{STAR_ID}.svg"])
def test_a_genuine_svg_image_is_valid_and_shows_the_svg_badge(on_site, signed, rel):
    report = check_file(on_site, signed, signed.bytes(rel))
    assert report["state"] == "valid", report
    assert outcomes(report)[IMAGE] == ("passed", "")
    assert report["badge"]["name"] == "Star"
    assert report["badge"]["image"] == f"{signed.site}badges/star.svg"
    assert report["badge"]["expires"]  # valid_for: P1Y


@pytest.mark.parametrize(
    "rel, kind",
    [
        (f"assertions/{AWARD_ID}.json", "ob2"),
        (f"credentials/{AWARD_ID}.json", "ob3"),
        (f"assertions/{AWARD_ID}.jws", "ob2"),
    ],
)
def test_pasted_text_is_checked(on_site, signed, rel, kind):
    pasted = "\n  " + (signed.output / rel).read_text(encoding="utf-8") + "\n"
    report = check_text(on_site, signed, pasted)
    assert report["state"] == "valid", report
    assert_python_basics(report, signed, kind)


@pytest.mark.parametrize(
    "rel",
    [
        f"assertions/{AWARD_ID}.html",
        f"ja/assertions/{AWARD_ID}.html",
        f"en/assertions/{AWARD_ID}.html?lang=ja#verify-h",
        f"en/assertions/{AWARD_ID}",
        f"assertions/{AWARD_ID}.json",
        f"credentials/{AWARD_ID}.json",
        f"credentials/{AWARD_ID}.png",
        f"assertions/{AWARD_ID}.png",
    ],
)
def test_a_link_is_checked(on_site, signed, rel):
    if rel.startswith("en/"):
        assert (signed.output / f"en/assertions/{AWARD_ID}.html").is_file()  # the English page exists
    report = check_url(on_site, signed, signed.site + rel)
    assert report["state"] == "valid", report
    assert outcomes(report)["issuer's site confirms"] == ("passed", "")
    assert report["badge"]["awardPage"] == f"{signed.site}assertions/{AWARD_ID}.html"
    assert report["badge"]["name"] == "Python 基礎"
    if rel.endswith(".png"):
        assert outcomes(report)[IMAGE] == ("passed", "")
    if ".html" in rel or rel.endswith(AWARD_ID):  # the award page checks both documents
        assert {"signature", "revocation list"} <= set(outcomes(report))


def test_revoked_and_expired_awards_say_so_with_the_issuers_reason(on_site, signed):
    revoked = check_award(on_site, signed, REVOKED_ID)
    assert revoked["state"] == "revoked" and revoked["reason"] == "revoked"
    assert revoked["badge"]["revocationReason"] == "Awarded by mistake"
    assert revoked["badge"]["name"] == "Python 基礎"  # from its credential: the hosted assertion is stripped
    assert outcomes(revoked)["status"] == ("failed", "revoked")
    assert outcomes(revoked)["revocation list"] == ("failed", "revoked")
    image = check_file(on_site, signed, signed.bytes(f"credentials/{REVOKED_ID}.png"))
    assert image["state"] == "revoked" and image["badge"]["revocationReason"] == "Awarded by mistake"
    expired = check_url(on_site, signed, f"{signed.site}ja/assertions/{CAROL_ID}.html")
    assert expired["state"] == "expired" and expired["reason"] == "expired"
    assert outcomes(expired)["expiry"][0] == "failed"
    assert expired["detail"].startswith(expired["badge"]["expires"][:10])


@pytest.fixture(scope="module")
def revocation_list_site(tmp_path_factory):
    """A signed site whose credentials' status is a 1EdTech revocation list (with the issuer's reasons)."""
    yield from serve_signed(tmp_path_factory.mktemp("1edtech"), "credential_status: 1edtech\n")


def test_a_1edtech_revocation_list_revokes_with_its_reason(page, revocation_list_site):
    server, root = revocation_list_site
    site = Signed(server.url, root / "output", ("", ""), ("", ""))
    page.goto(site.site + "verify.html")
    report = check_file(page, site, site.bytes(f"credentials/{REVOKED_ID}.png"))
    assert report["state"] == "revoked"
    assert outcomes(report)["status"] == ("failed", "revoked")
    assert report["badge"]["revocationReason"] == "Awarded by mistake"
    report = check_file(page, site, site.bytes(f"credentials/{AWARD_ID}.png"))
    assert report["state"] == "valid" and outcomes(report)["status"] == ("passed", "")


# --- the forgeries of issue 13 --------------------------------------------------------------------


@pytest.mark.parametrize("keyword, rel", [("openbadges", "assertions"), ("openbadgecredential", "credentials")])
def test_another_badges_picture_with_a_genuine_award_is_not_valid(on_site, signed, keyword, rel):
    genuine = (signed.output / f"{rel}/{AWARD_ID}.json").read_text(encoding="utf-8")
    report = check_file(on_site, signed, bake_png(signed, "badges/rust.png", keyword, genuine))
    assert report["state"] == "invalid"
    assert report["reason"] == "not-the-badge-image"
    assert failing(report) == [(IMAGE, "not-the-badge-image")]
    assert outcomes(report)["issuer's site confirms"] == ("passed", "")
    assert report["badge"]["image"] == f"{signed.site}badges/python-basics.png"  # the issuer's, to compare


def test_an_embedded_assertion_naming_another_badge_date_and_recipient_is_not_valid(on_site, signed):
    claim = signed.read(f"assertions/{AWARD_ID}.json")
    claim["badge"] = f"{signed.site}badges/rust.json"
    claim["issuedOn"] = "2025-01-01T00:00:00+09:00"
    claim["recipient"]["identity"] = identity_hash("mallory@example.org")
    report = check_file(on_site, signed, bake_png(signed, "badges/python-basics.png", "openbadges", json.dumps(claim)))
    assert report["state"] == "invalid" and report["reason"] == "differs-from-hosted"
    assert ("issuer's site confirms", "differs-from-hosted") in failing(report)
    # What is shown is what the issuer publishes for that award, not the claim.
    assert_python_basics(report, signed, "ob2")
    svg_claim = signed.read(f"assertions/{STAR_ID}.json")
    svg_claim["recipient"]["identity"] = identity_hash("mallory@example.org")
    svg = baking.bake_ob2_svg(signed.bytes("badges/star.svg"), svg_claim["id"], json.dumps(svg_claim))
    assert failing(check_file(on_site, signed, svg)) == [("issuer's site confirms", "differs-from-hosted")]


def test_an_ob3_image_with_an_edited_achievement_and_broken_signature_is_not_valid(on_site, signed):
    claim = signed.read(f"credentials/{AWARD_ID}.json")
    claim["credentialSubject"]["achievement"]["name"] = "Rust"
    claim["validFrom"] = "2025-01-01T00:00:00+09:00"
    png = bake_png(signed, "badges/python-basics.png", "openbadgecredential", json.dumps(claim))
    report = check_file(on_site, signed, png)
    assert report["state"] == "invalid" and report["reason"] == "differs-from-hosted"
    assert outcomes(report)["issuer's site confirms"] == ("failed", "differs-from-hosted")
    assert outcomes(report)["signature"] == ("failed", "bad-signature")  # verified in the browser
    assert outcomes(report)["issuer key"] == ("passed", "")
    assert report["badge"]["name"] == "Python 基礎"


def test_an_image_with_a_second_badge_inside_is_not_valid(on_site, signed):
    """Baking adds one chunk: a forged assertion beside the genuine credential would be read by other tools."""
    genuine = signed.bytes(f"credentials/{AWARD_ID}.png")
    claim = signed.read(f"assertions/{AWARD_ID}.json")
    claim["recipient"]["identity"] = identity_hash("mallory@example.org")
    report = check_file(on_site, signed, baking.bake_png(genuine, "openbadges", json.dumps(claim)))
    assert report["state"] == "invalid"
    assert failing(report) == [(IMAGE, "several-badges-in-image")]


def resign(doc: dict, private_pem: str, vm: str) -> dict:
    doc = copy.deepcopy(doc)
    doc.pop("proof", None)
    return sign_credential(doc, load_private_key(private_pem), vm, doc["validFrom"])


def test_a_credential_signed_by_a_foreign_key_is_not_valid(on_site, signed):
    genuine = signed.read(f"credentials/{AWARD_ID}.json")
    forger = generate()
    foreign = resign(genuine, forger[0], "did:web:evil.example#key-1")
    report = check_text(on_site, signed, json.dumps(foreign))
    assert report["state"] == "invalid"
    assert outcomes(report)["issuer key"] == ("failed", "foreign-key")
    assert outcomes(report)["issuer's site confirms"] == ("failed", "differs-from-hosted")
    # The forger's key named as the issuer's: the issuer's real key does not verify it.
    posing = resign(genuine, forger[0], f"{signed.did}#key-1")
    report = check_file(on_site, signed, json.dumps(posing).encode())
    assert report["state"] == "invalid"
    assert outcomes(report)["issuer key"] == ("passed", "")
    assert outcomes(report)["signature"] == ("failed", "bad-signature")
    # The genuine credential re-signed by the issuer's own key passes: the check is the signature, not the bytes.
    again = resign(genuine, signed.ed[0], f"{signed.did}#key-1")
    assert outcomes(check_text(on_site, signed, json.dumps(again)))["signature"] == ("passed", "")


def test_a_forged_or_tampered_jws_is_not_valid(on_site, signed):
    token = (signed.output / f"assertions/{AWARD_ID}.jws").read_text(encoding="utf-8").strip()
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["recipient"]["identity"] = identity_hash("mallory@example.org")
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = sign_jws(payload, forger)
    report = check_text(on_site, signed, forged)
    assert report["state"] == "invalid"
    assert outcomes(report)["signature"] == ("failed", "bad-signature")
    assert outcomes(report)["issuer's site confirms"] == ("failed", "differs-from-hosted")
    tampered = ".".join((head, forged.split(".")[1], signature))
    report = check_file(on_site, signed, bake_png(signed, "badges/python-basics.png", "openbadges", tampered))
    assert outcomes(report)["signature"] == ("failed", "bad-signature")
    assert report["state"] == "invalid"


def test_a_re_encoded_genuine_picture_still_matches(on_site, signed):
    """An image optimiser or a re-save changes the bytes, not the picture: the pixels are compared."""
    picture = Image.open(io.BytesIO(signed.bytes("badges/python-basics.png")))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=1)
    re_encoded = buffer.getvalue()
    assert re_encoded != signed.bytes("badges/python-basics.png")
    text = (signed.output / f"credentials/{AWARD_ID}.json").read_text(encoding="utf-8")
    report = check_file(on_site, signed, baking.bake_png(re_encoded, "openbadgecredential", text))
    assert report["state"] == "valid", report
    assert outcomes(report)[IMAGE] == ("passed", "")
    # One pixel changed is another picture.
    picture.putpixel((3, 3), (0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    report = check_file(on_site, signed, baking.bake_png(buffer.getvalue(), "openbadgecredential", text))
    assert failing(report) == [(IMAGE, "not-the-badge-image")]


# --- what cannot be read, what is elsewhere, what cannot be reached -------------------------------


@pytest.mark.parametrize(
    "given, state, reason",
    [
        (("text", '{"type": "Assertion", '), "unreadable", "not-json"),
        (("text", "hello"), "unreadable", "not-a-badge-document"),
        (("text", '{"name": "a list of groceries"}'), "unreadable", "not-a-badge-document"),
        (("file", b"GIF89a\x01\x00\x01\x00"), "unreadable", "not-an-image"),
        (("file", png_bytes()), "no-badge", "no-badge-in-image"),
        (("url", "https://elsewhere.example.org/assertions/x.json"), "elsewhere", "other-site"),
        (("text", '{"type": "Assertion", "id": "https://elsewhere.example.org/a.json"}'), "elsewhere", "other-site"),
        (
            ("text", '{"type": "Assertion", "id": "urn:uuid:' + AWARD_ID + '"}'),
            "unreadable",
            "signed-without-signature",
        ),
        (("url", "not a link at all"), "unreadable", "not-a-link"),
    ],
)
def test_what_is_not_a_badge_of_this_site_says_why_in_a_reason_key(on_site, signed, given, state, reason):
    kind, value = given
    report = {"text": check_text, "file": check_file, "url": check_url}[kind](on_site, signed, value)
    assert (report["state"], report["reason"]) == (state, reason)
    assert report["badge"] is None and report["checks"] == []
    assert "SyntaxError" not in report["detail"] and "JSON" not in report["detail"]  # never a parser's words


def test_a_missing_award_is_not_published(on_site, signed):
    missing = f"{signed.site}assertions/{'0' * 8}-0000-4000-8000-{'0' * 12}.json"
    report = check_url(on_site, signed, missing)
    assert report["state"] == "invalid"
    assert failing(report) == [("issuer's site confirms", "not-published")]


def test_a_network_failure_is_unverifiable_never_invalid(on_site, signed):
    on_site.route("**/credentials/**", lambda route: route.abort())
    report = check_award(on_site, signed, AWARD_ID)
    assert report["state"] == "unverifiable" and report["reason"] == "network"
    assert outcomes(report)["issuer's site confirms"] == ("unverifiable", "network")
    assert not failing(report)
    on_site.unroute("**/credentials/**")
    on_site.route("**/status/**", lambda route: route.abort())
    report = check_file(on_site, signed, signed.bytes(f"credentials/{AWARD_ID}.png"))
    assert report["state"] == "unverifiable"
    assert outcomes(report)["status"] == ("unverifiable", "network")
    on_site.route("**/assertions/**", lambda route: route.abort())
    report = check_url(on_site, signed, f"{signed.site}assertions/{AWARD_ID}.json")
    assert (report["state"], report["reason"]) == ("unverifiable", "network")


def test_the_proof_checker_is_loaded_only_for_a_credential_and_its_absence_is_unverifiable(on_site, signed):
    loaded = "() => [...document.scripts].some(s => s.src.endsWith('assets/vendor/ob3-proof.js'))"
    assert check_file(on_site, signed, signed.bytes(f"assertions/{AWARD_ID}.png"))["state"] == "valid"
    assert not on_site.evaluate(loaded)
    assert check_file(on_site, signed, signed.bytes(f"credentials/{AWARD_ID}.png"))["state"] == "valid"
    assert on_site.evaluate(loaded)

    page = on_site.context.new_page()
    page.route("**/vendor/ob3-proof.js", lambda route: route.abort())
    page.goto(signed.site + "verify.html")
    report = check_file(page, signed, signed.bytes(f"credentials/{AWARD_ID}.png"))
    assert report["state"] == "unverifiable"
    assert outcomes(report)["signature"] == ("unverifiable", "no-proof-checker")


# --- the recipient --------------------------------------------------------------------------------


def test_the_recipient_is_checked_in_the_browser(on_site, signed):
    recipient = check_award(on_site, signed, AWARD_ID)["badge"]["recipient"]
    requests: list[str] = []
    on_site.on("request", lambda request: requests.append(request.url))

    def matches(email, who=recipient):
        return on_site.evaluate("([r, e]) => SitegenChecks.checkRecipient(r, e)", [who, email])

    assert matches(EMAIL) is True
    assert matches("  Alice@Example.ORG ") is True  # normalised as sitegen/recipients.py does
    assert matches("mallory@example.org") is False
    assert matches("") is None
    assert matches(EMAIL, {**recipient, "identity": recipient["identity"].upper().replace("SHA256$", "sha256$")})
    assert matches(EMAIL, {**recipient, "identity": "md5$" + "0" * 32}) is None  # WebCrypto has no MD5
    assert matches(EMAIL, {"identity": EMAIL.upper(), "salt": "", "hashed": False}) is True
    assert requests == []  # nothing left the browser


# --- reasons in words -----------------------------------------------------------------------------


def reason_keys_of_the_engine() -> set[str]:
    script = (THEME / "static/checks.js").read_text(encoding="utf-8")
    keys = set(re.findall(r'\b(?:failed|unverifiable)\("([a-z-]+)"', script))
    keys |= set(re.findall(r'\bnew (?:Early|Outcome)\("[a-z-]+", "([a-z-]+)"', script))
    keys |= set(re.findall(r'record\([^,]+, "(?:failed|unverifiable)", "([a-z-]+)"', script))
    return keys


def test_every_reason_the_engine_reports_has_words_in_both_languages(signed):
    keys = reason_keys_of_the_engine()
    assert {"differs-from-hosted", "not-the-badge-image", "bad-signature", "foreign-key", "network"} <= keys
    for page, lang in ((signed.output / "verify.html", "ja"), (signed.output / "en/verify.html", "en")):
        html = page.read_text(encoding="utf-8")
        template = re.search(r'<template id="verify-reasons">(.*?)</template>', html, re.S).group(1)
        words = dict(re.findall(r'<span data-reason="([a-z-]+)" data-t="[^"]*">([^<]+)</span>', template))
        assert keys <= set(words), keys - set(words)
        english = {key for key, text in words.items() if re.fullmatch(r"[\x00-\x7f]+", text)}
        assert english == (set(words) if lang == "en" else set()), lang
