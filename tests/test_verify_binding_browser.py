"""The in-browser checks (award pages, verify.html) follow `sitegen verify`'s rules: a key is the issuer's only
when the issuer vouches for it, and a fetched document only when its id is the URL it was fetched from
(issue 11, parts 2 and 3). A real signed site on a real local server, real forgeries, real Chromium."""

from __future__ import annotations

import base64
import copy
import json
import shutil
import textwrap
import threading
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import free_port
from conftest import AWARD_ID, REVOKED_ID, default_files, identity_hash, write_files
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers import edit

from sitegen.build.pipeline import build_site
from sitegen.openbadges import baking
from sitegen.openbadges.jws import public_pem, sign_jws
from sitegen.openbadges.keys import generate, generate_rsa, load_private_key
from sitegen.openbadges.proofs import sign_credential
from sitegen.urls import did_web

OTHER_ID = "9d4c1f7e-3b2a-4e5f-8a6b-7c8d9e0f1a2b"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the server's current `root`, as GitHub Pages would (x.html answers /x)."""

    def __init__(self, request, client_address, server):
        super().__init__(request, client_address, server, directory=str(server.root))

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def keys():
    return {
        "ed": generate(),
        "rsa": generate_rsa(),
        "forger_ed": generate(),
        "forger_rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture(scope="module")
def server(keys, tmp_path_factory):
    """A signed site with two issuers, built for the local address it is served at."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    files = default_files()
    indented = "\n".join("      " + line for line in keys["rsa"][1].strip().splitlines())
    files["content/site.yaml"] = (
        edit(textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", base)
        + f"keys:\n  - id: key-1\n    public_key: {keys['ed'][1]}\n"
        + f"ob2_signing:\n  key_id: rsa-1\n  public_key: |\n{indented}\n"
    )
    files["content/issuers/other-uni.yaml"] = (
        "name: Other University\nurl: https://other.example.org\nemail: b@other.example.org\n"
    )
    files["content/badgeclasses/other-badge.yaml"] = (
        "issuer: other-uni\nname: Other\ndescription: Another's badge.\n"
        "image: images/python.png\nimage_caption: A square\ncriteria: Be.\n"
    )
    files["content/assertions/other.yaml"] = (
        f"badge: other-badge\nissued_on: 2026-03-01\nawards:\n  - id: {OTHER_ID}\n"
        f'    recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "0123456789abcdef0123456789abcdef"}}\n'
    )
    root = write_files(tmp_path_factory.mktemp("browser-binding"), files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keys["ed"][0], "SITEGEN_OB2_SIGNING_KEY": keys["rsa"][0]})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    httpd.root = root / "output"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, base, root / "output"
    httpd.shutdown()
    httpd.server_close()


class Site:
    """One test's copy of the site, served; files changed here are what the browser fetches."""

    def __init__(self, base: str, folder: Path, keys: dict):
        self.base, self.folder, self.keys, self.did = base, folder, keys, did_web(base)

    def read(self, rel: str) -> dict:
        return json.loads((self.folder / rel).read_text())

    def write(self, rel: str, doc) -> None:
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))

    def status_list_path(self, award: str) -> str:
        return self.read(f"credentials/{award}.json")["credentialStatus"]["statusListCredential"][len(self.base) + 1 :]


@pytest.fixture
def site(server, keys, tmp_path):
    httpd, base, output = server
    folder = tmp_path / "site"
    shutil.copytree(output, folder)
    httpd.root = folder
    return Site(base, folder, keys)


class Chromium:
    """`run(check)` calls check(page) in a fresh browser context and returns what it returns."""

    def __init__(self, browser):
        self.browser = browser

    def run(self, check):
        context = self.browser.new_context()
        try:
            return check(context.new_page())
        finally:
            context.close()


@pytest.fixture
def chromium(browser):
    """A fresh browser context of the session's Chromium (conftest's `browser`) for each check."""
    return Chromium(browser)


def settled(page) -> str:
    page.wait_for_function(
        "document.querySelector('.verify-panel').getAttribute('data-state') "
        "&& document.querySelector('.verify-panel').getAttribute('data-state') !== 'checking'"
    )
    return page.get_attribute(".verify-panel", "data-state")


def award_page(chromium: Chromium, site: Site, award: str) -> str:
    """The state the award's page settles in."""

    def check(page):
        page.goto(f"{site.base}/assertions/{award}.html")
        return settled(page)

    return chromium.run(check)


def check_image(chromium: Chromium, site: Site, path: Path) -> str:
    """The state verify.html settles in for a badge image chosen there."""

    def check(page):
        page.goto(f"{site.base}/verify.html")
        page.set_input_files("#badge-file", str(path))
        return settled(page)

    return chromium.run(check)


def resign(doc: dict, private_pem: str, vm: str) -> dict:
    doc = copy.deepcopy(doc)
    doc.pop("proof", None)
    return sign_credential(doc, load_private_key(private_pem), vm, doc["validFrom"])


def baked_png(site: Site, tmp_path: Path, keyword: str, text: str, name: str = "badge.png") -> Path:
    path = tmp_path / name
    path.write_bytes(baking.bake_png((site.folder / "badges/python-basics.png").read_bytes(), keyword, text))
    return path


def unrevoke_hosted(site: Site) -> None:
    """The hosted OB 2.0 JSON of the revoked award made to look valid: only the credential's status can tell."""
    site.write(
        f"assertions/{REVOKED_ID}.json",
        edit((site.folder / f"assertions/{AWARD_ID}.json").read_text(), AWARD_ID, REVOKED_ID, count=None),
    )


def test_the_genuine_site_checks_valid_and_revoked_in_the_browser(site, chromium, tmp_path):
    assert award_page(chromium, site, AWARD_ID) == "valid"
    assert award_page(chromium, site, OTHER_ID) == "valid"
    assert award_page(chromium, site, REVOKED_ID) == "revoked"
    assert check_image(chromium, site, site.folder / f"credentials/{AWARD_ID}.png") == "valid"
    assert check_image(chromium, site, site.folder / f"credentials/{REVOKED_ID}.png") == "revoked"
    for award, state in ((AWARD_ID, "valid"), (OTHER_ID, "valid"), (REVOKED_ID, "revoked")):
        token = (site.folder / f"assertions/{award}.jws").read_text()
        assert check_image(chromium, site, baked_png(site, tmp_path, "openbadges", token)) == state, award


# --- OB 3.0 -------------------------------------------------------------------------------------


def test_a_baked_credential_signed_with_a_forgers_key_is_not_valid(site, chromium, tmp_path):
    genuine = site.read(f"credentials/{AWARD_ID}.json")
    forger_key = f"{site.base}/forger/key.json"  # a key document the forger got onto the origin
    site.write(
        "forger/key.json",
        {
            "@context": "https://w3id.org/security/multikey/v1",
            "id": forger_key,
            "type": "Multikey",
            "controller": site.did,
            "publicKeyMultibase": site.keys["forger_ed"][1],
        },
    )
    claim = copy.deepcopy(genuine)
    claim["credentialSubject"]["identifier"][0]["identityHash"] = identity_hash("mallory@example.org")
    for forged, name in (
        (resign(claim, site.keys["forger_ed"][0], forger_key), "claim.png"),
        (resign(genuine, site.keys["forger_ed"][0], forger_key), "same-content.png"),
        (resign(claim, site.keys["forger_ed"][0], f"{site.did}#key-1"), "claim-real-key.png"),
    ):
        path = baked_png(site, tmp_path, "openbadgecredential", json.dumps(forged), name)
        assert check_image(chromium, site, path) == "invalid", name


@pytest.mark.parametrize(
    "case",
    [
        "did document of another DID",
        "key only in authentication",
        "key document claiming the issuer",
        "key of another DID",
    ],
)
def test_a_published_credential_whose_key_is_not_the_issuers_is_not_valid(site, chromium, case):
    did_doc = site.read(".well-known/did.json")
    credential = site.read(f"credentials/{AWARD_ID}.json")
    if case == "did document of another DID":
        did_doc["id"] = "did:web:evil.example"
    elif case == "key only in authentication":
        vm = f"{site.did}#other"
        did_doc["verificationMethod"].append({**did_doc["verificationMethod"][0], "id": vm})
        did_doc["authentication"] = [vm]
        credential["proof"][0]["verificationMethod"] = vm
    elif case == "key document claiming the issuer":
        credential["proof"][0]["verificationMethod"] = f"{site.base}/keys/key-1.json"
    else:
        credential["proof"][0]["verificationMethod"] = "did:web:evil.example#key-1"
    site.write(".well-known/did.json", did_doc)
    site.write(f"credentials/{AWARD_ID}.json", credential)
    assert award_page(chromium, site, AWARD_ID) == "invalid"


@pytest.mark.parametrize(
    "case",
    [
        "another genuine list of the site",
        "list naming another id",
        "list of another issuer",
        "list of another purpose",
        "list that inflates without end",
    ],
)
def test_a_status_list_that_is_not_the_one_named_does_not_unrevoke(site, chromium, tmp_path, case):
    unrevoke_hosted(site)
    own, other = site.status_list_path(REVOKED_ID), site.status_list_path(OTHER_ID)
    assert award_page(chromium, site, REVOKED_ID) == "revoked"  # the credential's status still tells
    listing = site.read(other)
    if case == "list naming another id":
        listing = site.read(own)
        listing["id"] = f"{site.base}/{other}"
    elif case == "list of another issuer":
        listing = site.read(own)
        listing["issuer"] = "did:web:evil.example"
    elif case == "list of another purpose":
        listing = site.read(own)
        listing["credentialSubject"]["statusPurpose"] = "suspension"
    if case != "another genuine list of the site":
        listing["credentialSubject"]["encodedList"] = site.read(other)["credentialSubject"]["encodedList"]
    if case == "list that inflates without end":
        listing = site.read(own)
        deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
        bomb = b"".join(deflate.compress(bytes(1 << 20)) for _ in range(64)) + deflate.flush()
        listing["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    site.write(own, listing)
    assert award_page(chromium, site, REVOKED_ID) == "invalid", case
    assert check_image(chromium, site, site.folder / f"credentials/{REVOKED_ID}.png") == "invalid", case


# --- OB 2.0 signed assertions ------------------------------------------------------------------


def forged_token(site: Site, creator: str, private=None) -> str:
    token = (site.folder / f"assertions/{AWARD_ID}.jws").read_text()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    payload["recipient"]["identity"] = identity_hash("mallory@example.org")
    payload["verification"]["creator"] = creator
    return sign_jws(payload, private or site.keys["forger_rsa"])


@pytest.mark.parametrize(
    "case",
    [
        "forger's key claiming the issuer",
        "key owned by a profile elsewhere",
        "profile not listing the key",
        "key whose id is not its url",
        "tampered payload",
    ],
)
def test_a_forged_signed_assertion_is_not_valid_in_the_browser(site, chromium, tmp_path, case):
    key_url = f"{site.base}/keys/rsa-1.json"
    issuer_url = f"{site.base}/issuers/test-uni.json"
    if case == "forger's key claiming the issuer":
        forged = f"{site.base}/forger/key.json"
        site.write(
            "forger/key.json",
            {
                "@context": "https://w3id.org/openbadges/v2",
                "type": "CryptographicKey",
                "id": forged,
                "owner": issuer_url,
                "publicKeyPem": public_pem(site.keys["forger_rsa"]),
            },
        )
        token = forged_token(site, forged)
    elif case == "key owned by a profile elsewhere":
        site.write(
            "forger/issuers/test-uni.json",
            {**site.read("issuers/test-uni.json"), "id": f"{site.base}/forger/issuers/test-uni.json"},
        )
        site.write(
            "keys/rsa-1.json", {**site.read("keys/rsa-1.json"), "owner": f"{site.base}/forger/issuers/test-uni.json"}
        )
        token = (site.folder / f"assertions/{AWARD_ID}.jws").read_text()
    elif case == "profile not listing the key":
        for slug in ("test-uni", "other-uni"):
            profile = site.read(f"issuers/{slug}.json")
            del profile["publicKey"]
            site.write(f"issuers/{slug}.json", profile)
        token = (site.folder / f"assertions/{AWARD_ID}.jws").read_text()
    elif case == "key whose id is not its url":
        site.write(
            "forger/key.json", {**site.read("keys/rsa-1.json"), "publicKeyPem": public_pem(site.keys["forger_rsa"])}
        )
        token = forged_token(site, f"{site.base}/forger/key.json")
    else:
        head, _body, signature = (site.folder / f"assertions/{AWARD_ID}.jws").read_text().split(".")
        _h, body, _s = forged_token(site, key_url).split(".")
        token = ".".join((head, body, signature))
    assert key_url in json.dumps(site.read("issuers/test-uni.json")) or case == "profile not listing the key"
    assert check_image(chromium, site, baked_png(site, tmp_path, "openbadges", token)) == "invalid", case
