"""assets/vendor/ob3-proof.js: Open Badges 3.0 Data Integrity proofs (eddsa-rdfc-2022) verified in Chromium, on a
served signed scratch site, as sitegen's Python verifies them; its N-Quads equal pyld's; its licence file names
every package it is built from."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest
from browser import Server, free_port
from conftest import default_files, write_files
from helpers import edit, read_json

from sitegen.build.pipeline import build_site
from sitegen.openbadges import jsonld
from sitegen.openbadges.keys import generate, load_private_key, public_key_from_multikey
from sitegen.openbadges.proofs import sign_credential, verify_credential

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "sitegen/themes/default/static/vendor"
LOCK = ROOT / "tools/browser-verifier/package-lock.json"
AWARD = "credentials/5b8f6d8e-2f4a-4c1e-9a57-0f1e2d3c4b5a.json"
CAROL = "credentials/7c9e6679-7425-40de-944b-e07fc1f90ae7.json"
REVOKED = "credentials/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A signed scratch site in Japanese (the credentials carry Japanese names), with Bitstring status lists,
    built for the address it is served at. Yields (server, output folder, private key PEM, public Multikey)."""
    private, public = generate()
    port = free_port()
    root = tmp_path_factory.mktemp("proof")
    files = default_files()
    site_yaml = edit(
        textwrap.dedent(files["content/site.yaml"]), "https://example.github.io/badges", f"http://127.0.0.1:{port}"
    )
    files["content/site.yaml"] = (
        edit(site_yaml, "default_language: en", "default_language: ja")
        + f"keys:\n  - id: key-1\n    public_key: {public}\ncredential_status: bitstring\n"
    )
    files["content/assertions/2026/spring.yaml"] = edit(
        files["content/assertions/2026/spring.yaml"], "name: Project", "name: {ja: 制作物「電卓」, en: Project}"
    )
    write_files(root, files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    server = Server(root / "output", port)
    yield server, root / "output", private, public
    server.stop()


@pytest.fixture
def proof_page(site, page):
    """A page of the served site with the bundle loaded as checks.js loads it (a classic <script>)."""
    server = site[0]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url + "/index.html")
    page.add_script_tag(url=server.url + "/assets/vendor/ob3-proof.js")
    page.wait_for_function("window.SitegenProof && typeof window.SitegenProof.verify === 'function'")
    page.requests = requests  # what the page asked the network for, to prove the bundle asks for nothing
    return page


def verify(page, document: dict, key: str, use_webcrypto: bool = True) -> dict:
    return page.evaluate(
        "([doc, key, web]) => SitegenProof.verify(doc, {publicKeyMultibase: key, useWebCrypto: web})",
        [document, key, use_webcrypto],
    )


def credential(site, path: str = AWARD) -> dict:
    document = read_json(site[1] / path)
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    return document


def python_verdict(document: dict, public: str) -> list[str]:
    return verify_credential(document, lambda _method: public_key_from_multikey(public))


# --- genuine documents verify ------------------------------------------------------------------------


@pytest.mark.parametrize("use_webcrypto", [True, False], ids=["webcrypto", "noble-fallback"])
def test_the_sites_credentials_verify(site, proof_page, use_webcrypto):
    public = site[3]
    assert credential(site)["evidence"][0]["name"] == "制作物「電卓」"  # Japanese text is signed and checked
    for path in (AWARD, CAROL, REVOKED):  # a revoked award's credential is still genuinely signed
        document = credential(site, path)
        assert verify(proof_page, document, public, use_webcrypto) == {"verified": True}, path


def test_chromium_has_webcrypto_ed25519_so_the_default_path_is_webcrypto(proof_page):
    """The WebCrypto test above is only worth something if the browser really has Ed25519."""
    assert (
        proof_page.evaluate("""async () => {
        const key = await crypto.subtle.generateKey({name: 'Ed25519'}, true, ['sign', 'verify']);
        return key.publicKey.algorithm.name;
    }""")
        == "Ed25519"
    )


def test_a_browser_without_webcrypto_ed25519_falls_back_to_noble(site, proof_page):
    """Take Ed25519 away from WebCrypto as an older browser lacks it: the default options still decide right."""
    proof_page.evaluate("""() => {
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
            (algorithm && algorithm.name === 'Ed25519')
                ? Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'))
                : importKey(format, data, algorithm, ...rest);
        crypto.subtle.verify = () => { throw new Error('WebCrypto verify must not be called'); };
    }""")
    document = credential(site)
    assert verify(proof_page, document, site[3]) == {"verified": True}
    document["validFrom"] = "2020-01-01T00:00:00+09:00"
    assert verify(proof_page, document, site[3]) == {"verified": False, "reason": "bad-signature", "detail": ""}


def test_the_status_list_credential_verifies(site, proof_page):
    status_url = credential(site)["credentialStatus"]["statusListCredential"]
    status_list = read_json(site[1] / status_url.split("/", 3)[3])
    assert "BitstringStatusListCredential" in status_list["type"]
    for use_webcrypto in (True, False):
        assert verify(proof_page, status_list, site[3], use_webcrypto) == {"verified": True}
    # Whoever edits the list (to clear a revocation bit) breaks the proof.
    encoded = status_list["credentialSubject"]["encodedList"]
    status_list["credentialSubject"]["encodedList"] = encoded[:20] + ("B" if encoded[20] != "B" else "C") + encoded[21:]
    assert verify(proof_page, status_list, site[3])["reason"] == "bad-signature"


# --- forgeries fail, as in Python ------------------------------------------------------------------------


def _edit_name(document):
    document["credentialSubject"]["achievement"]["name"] = "Advanced Python"


def _edit_recipient(document):
    identifier = document["credentialSubject"]["identifier"][0]
    identifier["identityHash"] = "sha256$" + "0" * 64


def _edit_valid_from(document):
    document["validFrom"] = "2020-04-01T00:00:00+09:00"


def _edit_evidence(document):
    document["evidence"][0]["name"] = "制作物「天気予報」"


def _add_undefined_term(document):
    document["credentialSubject"]["grade"] = "A+"  # no context defines it: JSON-LD would drop it unsigned


@pytest.mark.parametrize(
    "forge",
    [_edit_name, _edit_recipient, _edit_valid_from, _edit_evidence, _add_undefined_term],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("use_webcrypto", [True, False], ids=["webcrypto", "noble-fallback"])
def test_an_edited_credential_is_a_bad_signature(site, proof_page, forge, use_webcrypto):
    document = credential(site)
    forge(document)
    assert python_verdict(document, site[3]), "the forgery must fail in Python too"
    result = verify(proof_page, document, site[3], use_webcrypto)
    assert result["verified"] is False and result["reason"] == "bad-signature", result
    if forge is _add_undefined_term:
        assert result["detail"] == "grade"


@pytest.mark.parametrize("use_webcrypto", [True, False], ids=["webcrypto", "noble-fallback"])
def test_a_proof_from_another_key_is_a_bad_signature(site, proof_page, use_webcrypto):
    """A forger signs an edited credential with a key of their own, naming the issuer's key: checked against the
    issuer's key, it fails; checked against the forger's own key it passes (so the bundle really verifies)."""
    forger_private, forger_public = generate()
    document = credential(site)
    _edit_name(document)
    proof = document["proof"][0]
    forged = sign_credential(document, load_private_key(forger_private), proof["verificationMethod"], proof["created"])
    assert verify(proof_page, forged, site[3], use_webcrypto) == {
        "verified": False,
        "reason": "bad-signature",
        "detail": "",
    }
    assert verify(proof_page, forged, forger_public, use_webcrypto) == {"verified": True}


def test_a_proof_moved_to_another_credential_is_a_bad_signature(site, proof_page):
    genuine, other = credential(site, AWARD), credential(site, CAROL)
    other["proof"] = genuine["proof"]
    assert python_verdict(other, site[3])
    for use_webcrypto in (True, False):
        assert verify(proof_page, other, site[3], use_webcrypto)["reason"] == "bad-signature"


def test_an_edited_proof_option_is_a_bad_signature(site, proof_page):
    document = credential(site)
    document["proof"][0]["created"] = "2030-01-01T00:00:00+09:00"
    assert verify(proof_page, document, site[3])["reason"] == "bad-signature"


def test_a_foreign_context_is_refused_and_never_fetched(site, proof_page):
    document = credential(site)
    foreign = site[0].url + "/evil-context.jsonld"  # served by nobody; asked for it would show in the log
    document["@context"] = [*document["@context"], foreign]
    proof_page.requests.clear()
    assert verify(proof_page, document, site[3]) == {
        "verified": False,
        "reason": "unknown-context",
        "detail": foreign,
    }
    assert proof_page.requests == []  # neither the foreign context nor any other was asked for


def test_an_inline_or_nested_context_is_refused(site, proof_page):
    """An embedded context could rename terms so the JSON reads otherwise than the signed RDF: none is taken."""
    inline = credential(site)
    inline["@context"] = [*inline["@context"], {"title": "https://schema.org/name"}]
    assert verify(proof_page, inline, site[3]) == {
        "verified": False,
        "reason": "unknown-context",
        "detail": "an embedded context",
    }
    nested = credential(site)
    nested["credentialSubject"]["@context"] = {"note": "https://schema.org/description"}
    assert verify(proof_page, nested, site[3])["reason"] == "unknown-context"
    missing = credential(site)
    del missing["@context"]
    assert verify(proof_page, missing, site[3])["reason"] == "malformed"


def test_proofs_the_bundle_cannot_take_are_named(site, proof_page):
    public = site[3]
    no_proof = credential(site)
    del no_proof["proof"]
    assert verify(proof_page, no_proof, public) == {"verified": False, "reason": "no-proof", "detail": ""}

    for field, value in (
        ("cryptosuite", "ecdsa-rdfc-2019"),
        ("type", "Ed25519Signature2020"),
        ("proofPurpose", "authentication"),
    ):
        other = credential(site)
        other["proof"][0][field] = value
        assert verify(proof_page, other, public)["reason"] == "unsupported-proof", field

    not_multibase = credential(site)
    not_multibase["proof"][0]["proofValue"] = "u" + not_multibase["proof"][0]["proofValue"][1:]
    assert verify(proof_page, not_multibase, public)["reason"] == "malformed"
    short = credential(site)
    short["proof"][0]["proofValue"] = short["proof"][0]["proofValue"][:40]
    assert verify(proof_page, short, public)["reason"] == "malformed"
    assert verify(proof_page, credential(site), "z6MkNotAKey0OIl")["reason"] == "malformed"
    assert verify(proof_page, credential(site), "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")["reason"] == (
        "malformed"  # a secp256k1 Multikey, not Ed25519
    )
    for hostile in (None, [], "text", 42, {"proof": "x"}):
        assert verify(proof_page, hostile, public)["verified"] is False


# --- canonical N-Quads equal pyld's ------------------------------------------------------------------


def test_canonize_equals_sitegens_python(site, proof_page):
    output = site[1]
    documents = [credential(site, path) for path in (AWARD, CAROL, REVOKED)]
    documents.append(read_json(next(output.rglob("did.json"))))  # where did:web puts it
    documents.extend(read_json(path) for path in sorted((output / "status").glob("*.json"))[:1])
    # Text that exercises RDFC-1.0's escaping (sitegen patches pyld's to match): control characters, quotes,
    # backslashes, line breaks, Japanese, an emoji; and a language-tagged value.
    tricky = copy.deepcopy(documents[0])
    achievement = tricky["credentialSubject"]["achievement"]
    achievement["name"] = 'Python 基礎 "上級"\\ \u0001\u0008\t\n\u000c\r\u001f\u007f 🎓'
    achievement["description"] = {"@value": "説明", "@language": "ja"}
    tricky["evidence"].append({"id": "https://example.org/a%20b?x=1&y=\u00e9", "type": ["Evidence"], "name": "二"})
    documents.append(tricky)
    for document in documents:
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        expected = jsonld.canonize(unsecured)
        assert expected.count("\n") >= 5
        assert proof_page.evaluate("doc => SitegenProof.canonize(doc)", unsecured) == expected, document.get("id")


# --- the bundle's files --------------------------------------------------------------------------------


def test_the_licence_file_names_every_package_of_the_bundled_tree():
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    licences = (VENDOR / "ob3-proof.LICENSES.txt").read_text(encoding="utf-8")
    production = {
        path.split("node_modules/")[-1]: entry
        for path, entry in lock["packages"].items()
        if path.startswith("node_modules/") and not entry.get("dev")
    }
    assert {"jsonld", "rdf-canonize", "@noble/ed25519"} <= production.keys()
    for name, entry in production.items():
        assert f"- {name} {entry['version']} ({entry['license']})" in licences, name
    # The bundled ones with their full licence text, not only a name.
    for name in ("jsonld", "rdf-canonize", "@noble/ed25519", "canonicalize"):
        assert f"{name} {production[name]['version']} ({production[name]['license']})\n" + "=" * 78 in licences
    assert "Apache License" in licences and "Permission is hereby granted" in licences
    # No package of the build tools (esbuild) is shipped.
    assert "esbuild" not in licences.split("Built by")[1].split("\n", 2)[2]


def test_the_bundle_carries_sitegens_contexts_under_their_urls():
    """Their content is sitegen's (the canonical N-Quads above agree; .ci/run rebuilds the bundle and compares)."""
    bundle = (VENDOR / "ob3-proof.js").read_text(encoding="ascii")
    for url in jsonld.CONTEXT_FILES:
        assert json.dumps(url) in bundle, url
