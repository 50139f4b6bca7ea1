"""The signing fast path (sitegen/openbadges/fastcanon.py) gives exactly pyld's canonical N-Quads, and so exactly
pyld's proofs, for every credential sitegen makes and for generated variants of them; what it cannot be sure of
falls back to pyld; `build --check-signing` compares both on every credential of a site."""

from __future__ import annotations

import copy
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import default_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.openbadges import proofs
from sitegen.openbadges.fastcanon import PLAIN_IRI, CanonTemplates
from sitegen.openbadges.keys import SigningError, generate, load_private_key
from sitegen.openbadges.ob2 import to_uri

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def keypair():
    return generate()


@pytest.fixture(scope="module")
def example_credentials(tmp_path_factory, keypair) -> list[dict]:
    """The unsigned credentials of the example site (every micro-credential descriptor, a grade, evidence,
    expiry, revocation, a name shown, the language links), signed with a key of this test."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(EXAMPLE, root / "content")
    with open(root / "content/site.yaml", "a", encoding="utf-8") as site:
        site.write(f"keys:\n  - id: test-key\n    public_key: {keypair[1]}\n")
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    documents = []
    for path in sorted((root / "output/credentials").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        document.pop("proof")
        documents.append(document)
    assert len(documents) >= 10
    return documents


def both(document: dict) -> tuple[str | None, str | None]:
    """The fast path's canonical form (None: it leaves the document to pyld) and pyld's (None: refused, as a
    relative IRI that JSON-LD drops)."""
    fast = CanonTemplates(proofs.lost_fields).canonical(document)
    try:
        return fast, proofs.canonical_document(document, fast=False)
    except SigningError:
        return fast, None


def test_every_example_credential_is_canonicalised_as_pyld_does_from_a_template(example_credentials):
    templates = CanonTemplates(proofs.lost_fields)
    for document in example_credentials:
        assert templates.canonical(document) == proofs.canonical_document(document, fast=False)
    assert templates.slow == 0  # sitegen's own credentials all take the fast path


def test_proofs_are_the_same_bytes_either_way(example_credentials, keypair):
    key = load_private_key(keypair[0])
    method = "did:web:example.github.io:badges#test-key"
    for document in example_credentials[:4]:
        fast = proofs.sign_credential(document, key, method, "2026-04-01T00:00:00Z")
        checked = proofs.sign_credential(document, key, method, "2026-04-01T00:00:00Z", check=True)
        assert fast == checked
        assert proofs.verify_credential(fast, lambda _: key.public_key()) == []


# Texts people write: Japanese, right-to-left, emoji, control characters, quotes and backslashes, long ones.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.sampled_from(
        [
            "Python 基礎",
            "مرحبا بالعالم",
            "👩🏽‍💻 done",
            'say "hi"\\n',
            "a\tb\nc\rd\x00e\x7f",
            "ｱｲｳ　全角",
            "x" * 3000,
            "",
        ]
    ),
)
URL = st.builds(lambda path: to_uri("https://evidence.example.org/" + path), st.text(max_size=20))
ODD_IRI = st.sampled_from(["https://example.org/a b", "mailto:a@example.org", "relative/path", "urn:", "http://"])


@st.composite
def variants(draw, bases):
    """(a credential with generated values, whether it holds an IRI the fast path must leave to pyld)"""
    document = copy.deepcopy(draw(st.sampled_from(bases)))
    odd = False

    def iri():
        nonlocal odd
        # Often one IRI twice, or one the document already names: JSON-LD merges such nodes.
        value = draw(st.one_of(URL, ODD_IRI, st.sampled_from(["https://evidence.example.org/", document["id"]])))
        odd = odd or not PLAIN_IRI.match(value)
        return value

    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    document["name"] = draw(TEXT)
    achievement["description"] = draw(TEXT)
    achievement["criteria"]["narrative"] = draw(TEXT)
    subject["identifier"][0]["salt"] = draw(TEXT)
    if draw(st.booleans()):
        subject["narrative"] = draw(TEXT)
    else:
        subject.pop("narrative", None)
    evidence = []
    for _ in range(draw(st.integers(0, 3))):
        entry = {"type": ["Evidence"]}
        for field, value in (
            ("id", None),
            ("name", TEXT),
            ("description", TEXT),
            ("narrative", TEXT),
        ):
            if draw(st.booleans()):
                entry[field] = iri() if value is None else draw(value)
        evidence.append(entry)
    if evidence:
        document["evidence"] = evidence
    else:
        document.pop("evidence", None)
    if draw(st.booleans()):
        document["validUntil"] = draw(st.sampled_from(["2030-01-01T00:00:00Z", "2030-01-01T09:00:00+09:00", "soon"]))
    if draw(st.booleans()):
        document["id"] = iri()
    if "microCredential" in achievement:
        achievement["microCredential"]["learningOutcomes"] = draw(st.lists(TEXT, min_size=1, max_size=4))
    if draw(st.booleans()):
        achievement.setdefault("related", []).append(
            {"id": iri(), "type": ["Related"], "inLanguage": draw(st.sampled_from(["en", "ja"]))}
        )
    if draw(st.booleans()):  # tags, often repeated
        achievement["tag"] = draw(st.lists(st.sampled_from(["python", "python", "データ", ""]), max_size=4))
    if draw(st.booleans()):  # a language-tagged value, as JSON-LD writes one
        achievement["name"] = {"@value": draw(TEXT), "@language": draw(st.sampled_from(["ja", "en", "ar"]))}
    return document, odd


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_credentials_canonicalise_exactly_as_pyld(example_credentials, data):
    document, odd = data.draw(variants(example_credentials))
    fast, slow = both(document)
    assert fast is None or fast == slow  # never a different form, never one where pyld refuses
    assert odd or fast is not None  # plain values always take the fast path


def test_equal_iris_merge_as_json_ld_merges_them(example_credentials):
    """Two evidence entries with one URL are one node in RDF: its equal triples are kept once, as pyld does."""
    document = copy.deepcopy(example_credentials[0])
    same = {"type": ["Evidence"], "id": "https://evidence.example.org/", "name": "A"}
    document["evidence"] = [same, dict(same), dict(same, name="B"), {"type": ["Evidence"], "id": document["id"]}]
    fast, slow = both(document)
    assert fast is not None and fast == slow
    # Equal literals of one node too: two equal tags are one triple.
    document["credentialSubject"]["achievement"]["tag"] = ["same", "same", "other"]
    fast, slow = both(document)
    assert fast is not None and fast == slow


def test_what_the_fast_path_cannot_be_sure_of_falls_back(example_credentials):
    document = copy.deepcopy(example_credentials[0])
    document["id"] = "https://example.org/a b"  # pyld keeps it, but it is no plain IRI: left to pyld
    templates = CanonTemplates(proofs.lost_fields)
    assert templates.canonical(document) is None and templates.slow == 1
    assert proofs.canonical_document(document) == proofs.canonical_document(document, fast=False)


def test_a_field_json_ld_drops_is_still_refused(example_credentials, keypair):
    document = copy.deepcopy(example_credentials[0])
    document["credentialSubject"]["undefinedTerm"] = "not signed"
    with pytest.raises(SigningError, match="undefinedTerm"):
        proofs.sign_credential(document, load_private_key(keypair[0]), "did:web:x#k", "2026-04-01T00:00:00Z")


def test_a_lone_surrogate_is_refused_by_both_paths(example_credentials, keypair):
    document = copy.deepcopy(example_credentials[0])
    document["name"] = "bad \ud800 text"
    key = load_private_key(keypair[0])
    for check in (False, True):
        with pytest.raises(SigningError, match="lone surrogate"):
            proofs.sign_credential(document, key, "did:web:x#k", "2026-04-01T00:00:00Z", check=check)


def test_build_check_signing_compares_every_credential(make_site, keypair, monkeypatch):
    site_yaml = textwrap.dedent(default_files()["content/site.yaml"])  # type: ignore[arg-type]
    site_yaml += f"keys:\n  - id: key-1\n    public_key: {keypair[1]}\n"
    root = make_site({"content/site.yaml": site_yaml})
    key_file = root.parent / "key.pem"
    key_file.write_text(keypair[0], encoding="utf-8")
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    cached = {p.name: p.read_bytes() for p in (root / "output/credentials").glob("*.json")}
    monkeypatch.setenv("SITEGEN_SIGNING_KEY_FILE", str(key_file))
    assert main(["build", "--root", str(root), "--check-signing", "--quiet"]) == 0
    assert {p.name: p.read_bytes() for p in (root / "output/credentials").glob("*.json")} == cached
