"""The openbadges/ and build/ stages (issue 12, items 1 and 5): public ids come from Urls, key bytes are handled
in openbadges/keys.py only, no import hides inside a function, and wide signatures are keyword-only."""

from __future__ import annotations

import ast
import hashlib
import hmac
import inspect
from pathlib import Path

import pytest
from conftest import AWARD_ID, BASE_URL
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.build import render, signing
from sitegen.content.site import load_site
from sitegen.model import ImageFile, PublicKey
from sitegen.openbadges import baking, ob2, ob3
from sitegen.openbadges.keys import derived_secret, generate
from sitegen.urls import Urls, did_web

PACKAGE = Path(__file__).parent.parent / "sitegen"
# The files of the openbadges/ and build/ stages (but the pipeline) and the base modules they share.
STAGE_FILES = sorted(
    [
        *(PACKAGE / "openbadges").glob("*.py"),
        *(PACKAGE / "build" / name for name in ("render.py", "signing.py", "cache.py", "write.py", "i18n.py")),
        PACKAGE / "urls.py",
        PACKAGE / "status.py",
        PACKAGE / "logsafe.py",
    ]
)


def test_urls_make_every_identifier_inside_the_documents():
    urls = Urls(BASE_URL + "/")  # a trailing slash changes nothing
    assert urls.did() == did_web(BASE_URL) == "did:web:example.github.io:badges"
    assert urls.verification_method("key-2026") == "did:web:example.github.io:badges#key-2026"
    assert urls.criteria("python-basics") == f"{BASE_URL}/badges/python-basics.html#criteria"
    assert urls.status_list_entry("test-uni", 3, 1234) == f"{BASE_URL}/status/test-uni-3.json#1234"
    assert urls.status_list_subject("test-uni", 3) == f"{BASE_URL}/status/test-uni-3.json#list"
    assert urls.signed_assertion_id(AWARD_ID) == f"urn:uuid:{AWARD_ID}"
    assert urls.url(urls.assertions_folder()) == f"{BASE_URL}/assertions/"
    # The folders are the ones the paths lie in.
    assert urls.credential_json(AWARD_ID).startswith(urls.credentials_folder())
    assert urls.status_list("test-uni", 1).startswith(urls.status_folder())
    assert urls.key_document("key-2026").startswith(urls.keys_folder())
    assert urls.assertion_json(AWARD_ID).startswith(urls.assertions_folder())


def test_a_did_at_a_port_and_a_domain_root():
    assert Urls("http://localhost:8000").did() == "did:web:localhost%3A8000"
    assert Urls("https://badges.example.org").did_document() == ".well-known/did.json"


@pytest.fixture
def site(make_site):
    site, problems = load_site(make_site())
    assert not [p for p in problems if p.severity == "error"], problems
    return site


def test_the_documents_take_their_ids_from_urls(site):
    urls = site.urls
    key = PublicKey("key-2026", generate()[1])
    did_document = ob3.did_document(site, [key])
    assert did_document["id"] == urls.did()
    assert did_document["assertionMethod"] == [urls.verification_method("key-2026")]
    assert did_document["verificationMethod"][0]["controller"] == urls.did()
    assert ob3.verification_method_id(site, "key-2026") == urls.verification_method("key-2026")

    award = next(a for a in site.awards if not a.revoked)
    position = site.status_position(award)
    credential = ob3.credential(site, award, position)
    issuer = site.badges[award.badge].issuer
    assert credential["issuer"]["id"] == urls.did()
    assert credential["credentialSubject"]["achievement"]["criteria"]["id"] == urls.criteria(award.badge)
    assert credential["credentialStatus"]["id"] == urls.status_list_entry(issuer, position.list_number, position.index)

    profile = ob2.issuer_profile(site, site.issuers[issuer])
    assert profile["verification"]["startsWith"] == urls.url(urls.assertions_folder())


def test_a_status_list_credential_takes_its_list_by_name(site):
    issuer = next(iter(site.issuers.values()))
    with pytest.raises(TypeError):
        ob3.status_list_credential(site, issuer, 1, "uH4sI", "2026-04-01T00:00:00Z")
    document = ob3.status_list_credential(
        site, issuer, list_number=1, encoded_list="uH4sI", valid_from="2026-04-01T00:00:00Z"
    )
    assert document["id"] == site.urls.url(site.urls.status_list(issuer.slug, 1))
    assert document["credentialSubject"]["id"] == site.urls.status_list_subject(issuer.slug, 1)
    assert document["issuer"] == site.urls.did()


def test_the_proof_cache_mac_key_is_derived_from_the_signing_key_for_its_format():
    """The MAC key is derived in openbadges/keys.py (no key bytes in build/), under a label naming the cache's
    format: a cache of another format is never read as this one."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    label = b"sitegen proof cache v3"
    assert derived_secret(private, label) == hmac.new(raw, label, hashlib.sha256).digest()
    assert derived_secret(private, b"another purpose") != derived_secret(private, label)
    context = signing.SigningContext(
        private_key=private, key_id="k", public_multikey="z", verification_method="did:web:x#k", positions={}
    )
    assert context._mac_key == derived_secret(private, label)


def test_no_key_bytes_are_handled_by_the_signing_orchestration():
    source = (PACKAGE / "build" / "signing.py").read_text(encoding="utf-8")
    assert "serialization" not in source and "private_bytes" not in source


def test_linkedin_prefixes_are_passed_by_name():
    parameters = inspect.signature(render.linkedin_url).parameters
    assert parameters["prefixes"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("path", STAGE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_inside_a_function(path):
    """Not even of another package: every dependency of a stage is visible at the top of its module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = [
        f"{path.name}:{node.lineno}"
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert not inner


def test_baking_an_award_is_decided_in_openbadges(site):
    """bake_assertion / bake_credential choose the PNG chunk or the SVG element as the image is."""
    badge = next(iter(site.badges.values()))
    assert badge.image.kind == "png"
    assert baking.unbake_png(baking.bake_credential(badge.image, '{"c": 1}'))[baking.OB3_PNG_KEYWORD] == '{"c": 1}'
    assert baking.unbake_png(baking.bake_assertion(badge.image, "u", '{"a": 1}'))[baking.OB2_PNG_KEYWORD] == '{"a": 1}'
    svg = ImageFile("x.svg", "svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert baking.unbake_svg(baking.bake_credential(svg, '{"c": 1}')) == {"credential": '{"c": 1}'}
    assert baking.unbake_svg(baking.bake_assertion(svg, "https://a/1.json", "")) == {"assertion": "https://a/1.json"}
