"""Open Badges 3.0: the official test vector, canonical escaping, signed credentials, keys, status and rotation."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import textwrap

import pytest
from conftest import AWARD_ID, BASE_URL, REVOKED_ID
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import edit

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.openbadges import jsonld
from sitegen.openbadges.keys import generate, public_multikey
from sitegen.openbadges.proofs import SigningError, _proof_options, sign_credential, verify_credential
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_site
from sitegen.verify.ob3 import verify_credential_document

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

# The Open Badges 3.0 implementation guide's Linked Data Proof test vector (ob_v3p0/impl/linked-data-proof-ob,
# test-vectors/obv3p0/): its credential, key seed, proof options and expected results.
VECTOR_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and recognized upon "
                "review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to collaborate "
            "within a group environment.",
            "name": "Teamwork",
        },
    },
}
VECTOR_SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
VECTOR_VM = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_CREATED = "2010-01-01T19:23:24Z"
VECTOR_PROOF_CANON = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"'
    "^^<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n"
    f"_:c14n0 <https://w3id.org/security#verificationMethod> <{VECTOR_VM}> .\n"
)
VECTOR_DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
VECTOR_PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
VECTOR_PROOF_VALUE = "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"


def test_official_test_vector():
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR_SEED))
    assert public_multikey(key.public_key()) == VECTOR_VM.split("#")[1]
    proof_canon = jsonld.canonize(_proof_options(VECTOR_CREDENTIAL, VECTOR_VM, VECTOR_CREATED))
    assert proof_canon == VECTOR_PROOF_CANON
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == VECTOR_PROOF_HASH
    document_canon = jsonld.canonize(VECTOR_CREDENTIAL)
    assert '<http://example.com/credentials/3527> <https://schema.org/name> "Teamwork Badge" .\n' in document_canon
    assert hashlib.sha256(document_canon.encode()).hexdigest() == VECTOR_DOCUMENT_HASH
    signed = sign_credential(VECTOR_CREDENTIAL, key, VECTOR_VM, VECTOR_CREATED)
    assert signed["proof"] == [
        {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": VECTOR_CREATED,
            "verificationMethod": VECTOR_VM,
            "proofPurpose": "assertionMethod",
            "proofValue": VECTOR_PROOF_VALUE,
        }
    ]
    assert verify_credential(signed, lambda vm: key.public_key()) == []


def literal_credential(narrative: str, evidence_url: str) -> dict:
    doc = copy.deepcopy(VECTOR_CREDENTIAL)
    doc["credentialSubject"]["narrative"] = narrative
    doc["evidence"] = [{"id": evidence_url, "type": ["Evidence"]}]
    return doc


def test_control_characters_and_odd_iris_are_escaped_like_the_reference_implementation():
    # Expected lines as rdf-canonize (the JavaScript reference) writes them; the Digital Bazaar verifier
    # accepted credentials signed over exactly these strings.
    text = 'ctl \x01 bs \b ff \f tab \t del \x7f quote " backslash \\ nl \n cr \r 日本語 😀'
    canon = jsonld.canonize(literal_credential(text, "https://example.org/p?q={a}|b^c`d\\e"))
    assert (
        '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "ctl \\u0001 bs \\b ff \\f tab \\t '
        'del \\u007F quote \\" backslash \\\\ nl \\n cr \\r 日本語 😀" .\n'
    ) in canon
    assert "<https://example.org/p?q=\\u007Ba\\u007D\\u007Cb\\u005Ec\\u0060d\\u005Ce>" in canon


def test_the_loader_refuses_every_other_url():
    with pytest.raises(jsonld.OfflineLoaderError):
        jsonld.document_loader("https://evil.example/context.json")
    doc = dict(VECTOR_CREDENTIAL, **{"@context": VECTOR_CREDENTIAL["@context"] + ["https://w3id.org/security/v1"]})
    with pytest.raises(jsonld.jsonld.JsonLdError):
        jsonld.canonize(doc)


def test_signing_refuses_a_document_that_loses_data_and_names_the_field():
    key = Ed25519PrivateKey.generate()
    doc = copy.deepcopy(VECTOR_CREDENTIAL)
    doc["credentialSubject"]["achievement"]["levle"] = "typo"
    with pytest.raises(SigningError, match=r"credentialSubject\.achievement\.levle"):
        sign_credential(doc, key, VECTOR_VM, VECTOR_CREATED)
    doc = dict(VECTOR_CREDENTIAL, type=["VerifiableCredential", "OpenBadgeCredential", "MadeUpType"])
    with pytest.raises(SigningError, match="MadeUpType"):
        sign_credential(doc, key, VECTOR_VM, VECTOR_CREATED)


def test_signing_refuses_relative_ids_and_accepts_language_values():
    key = Ed25519PrivateKey.generate()
    doc = copy.deepcopy(VECTOR_CREDENTIAL)
    doc["credentialSubject"]["achievement"]["id"] = "relative/path"  # RDF has no place for it
    with pytest.raises(SigningError, match="relative/path"):
        sign_credential(doc, key, VECTOR_VM, VECTOR_CREATED)
    doc = copy.deepcopy(VECTOR_CREDENTIAL)
    doc["credentialSubject"]["achievement"]["name"] = {"@value": "チームワーク", "@language": "ja"}
    assert not verify_credential(sign_credential(doc, key, VECTOR_VM, VECTOR_CREATED), lambda vm: key.public_key())


def test_verification_refuses_fields_the_signature_does_not_cover():
    key = Ed25519PrivateKey.generate()
    signed = sign_credential(VECTOR_CREDENTIAL, key, VECTOR_VM, VECTOR_CREATED)
    added = copy.deepcopy(signed)
    added["credentialSubject"]["achievement"]["level"] = "Expert"  # no context defines it: JSON-LD drops it
    problems = verify_credential(added, lambda vm: key.public_key())
    assert problems and "credentialSubject.achievement.level" in problems[0]


def test_tampering_breaks_the_signature():
    key = Ed25519PrivateKey.generate()
    signed = sign_credential(VECTOR_CREDENTIAL, key, VECTOR_VM, VECTOR_CREATED)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    assert verify_credential(tampered, lambda vm: key.public_key())
    assert verify_credential(signed, lambda vm: Ed25519PrivateKey.generate().public_key())


# --- the built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair():
    return generate()


def with_keys(site_yaml: str, *keys: tuple[str, str, bool]) -> str:
    lines = [textwrap.dedent(site_yaml).rstrip("\n"), "keys:"]
    for key_id, public, retired in keys:
        lines += [f"  - id: {key_id}", f"    public_key: {public}"] + (["    retired: true"] if retired else [])
    return "\n".join(lines) + "\n"


@pytest.fixture
def signed_site(make_site, keypair):
    from conftest import default_files

    private, public = keypair
    root = make_site({"content/site.yaml": with_keys(default_files()["content/site.yaml"], ("key-1", public, False))})
    result = build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root, result


def read(root, rel):
    return json.loads((root / "output" / rel).read_text())


def test_credentials_are_published_signed_and_verify(signed_site, keypair):
    root, result = signed_site
    lists = {
        read(root, f"credentials/{i}.json")["credentialStatus"]["statusListCredential"]
        for i in (AWARD_ID, REVOKED_ID, CAROL_ID)
    }
    assert result.signed == 3 + len(lists)  # three credentials and the status lists they point into
    credential = read(root, f"credentials/{AWARD_ID}.json")
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"{BASE_URL}/credentials/{AWARD_ID}.json"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "did:web:example.github.io:badges" and credential["issuer"]["type"] == [
        "Profile"
    ]
    identifier = credential["credentialSubject"]["identifier"]
    assert isinstance(identifier, list) and identifier[0]["identityType"] == "emailAddress"
    assert identifier[0]["identityHash"].startswith("sha256$") and identifier[0]["hashed"] is True
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["image"]["caption"] and achievement["criteria"]["narrative"] and achievement["alignment"]
    assert isinstance(credential["proof"], list) and credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"][0]["verificationMethod"] == "did:web:example.github.io:badges#key-1"
    assert isinstance(credential["credentialStatus"], dict)
    did = read(root, "did.json")
    assert did["assertionMethod"] == ["did:web:example.github.io:badges#key-1"]
    assert did["verificationMethod"][0]["publicKeyMultibase"] == keypair[1]
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert statuses[f"credentials/{AWARD_ID}.json"] == "valid"
    assert statuses[f"credentials/{AWARD_ID}.png"] == "valid"
    assert statuses[f"credentials/{REVOKED_ID}.json"] == "revoked"
    assert statuses[f"credentials/{CAROL_ID}.svg"] == "expired"
    everything = b"".join(p.read_bytes() for p in (root / "output").rglob("*") if p.is_file())
    assert keypair[0].splitlines()[1].encode() not in everything  # the private key is never published


def test_status_list_is_large_deterministic_and_marks_revocations(signed_site):
    root, _ = signed_site
    revoked = read(root, f"credentials/{REVOKED_ID}.json")["credentialStatus"]
    status = read(root, revoked["statusListCredential"].removeprefix(BASE_URL + "/"))
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status["credentialSubject"]["encodedList"]
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert packed[4:8] == b"\0\0\0\0"  # gzip without a timestamp
    bits = gzip.decompress(packed)
    assert len(bits) * 8 >= 131072
    revoked_index = int(revoked["statusListIndex"])
    assert bits[revoked_index // 8] & (0x80 >> (revoked_index % 8))
    assert sum(bin(b).count("1") for b in bits) == 1


def test_rebuilds_are_byte_identical_and_sign_only_what_changed(signed_site, keypair):
    root, _ = signed_site
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    again = build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    assert again.signed == 0
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before
    assert main(["issue", "star", "--email", "new@example.org", "--issued-on", "2026-06-01", "--root", str(root)]) == 0
    third = build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    assert third.signed == 1 + 1  # the new credential and its issuer's status list


def test_revocation_edit_flips_the_status_bit(signed_site, keypair):
    root, _ = signed_site
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(root)]) == 0
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert statuses[f"credentials/{AWARD_ID}.json"] == "revoked"
    listing = read(root, "revocations/test-uni-credentials.json")
    assert f"{BASE_URL}/credentials/{AWARD_ID}.json" in [e["id"] for e in listing["revokedCredential"]]


def test_tampered_credential_is_invalid(signed_site):
    root, _ = signed_site
    path = root / f"output/credentials/{AWARD_ID}.json"
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["achievement"]["name"] = "Something else"
    path.write_text(json.dumps(doc))
    result = [r for r in verify_site(root / "output") if r.subject == f"credentials/{AWARD_ID}.json"][0]
    assert result.status == "invalid" and any(f.check == "credential.proof" for f in result.errors)


def test_key_rotation_keeps_old_credentials_verifying(signed_site, keypair):
    from conftest import default_files

    root, _ = signed_site
    old_copy = read(root, f"credentials/{AWARD_ID}.json")  # what an earner keeps in a wallet
    new_private, new_public = generate()
    (root / "content/site.yaml").write_text(
        with_keys(default_files()["content/site.yaml"], ("key-2", new_public, False), ("key-1", keypair[1], True))
    )
    build_site(root, environ={"SITEGEN_SIGNING_KEY": new_private})
    assert read(root, f"credentials/{AWARD_ID}.json")["proof"][0]["verificationMethod"].endswith("#key-2")
    assert (root / "output/keys/key-1.json").exists() and (root / "output/keys/key-2.json").exists()
    fetcher = Fetcher(root / "output", BASE_URL)
    assert verify_credential_document(old_copy, fetcher).status == "valid"


def test_without_a_private_key_the_ob2_site_is_built_and_the_skip_is_said(make_site, keypair, capsys):
    from conftest import default_files

    root = make_site(
        {"content/site.yaml": with_keys(default_files()["content/site.yaml"], ("key-1", keypair[1], False))}
    )
    result = build_site(root, environ={})
    assert any("Open Badges 3.0 credentials were skipped" in n.message for n in result.notes)
    assert not (root / "output/credentials").exists() and (root / "output/did.json").exists()
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert main(["build", "--root", str(root), "--require-signing"]) == 1
    assert "signing is required" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before


def test_a_key_file_inside_the_repository_or_a_wrong_key_is_refused(make_site, keypair, capsys):
    from conftest import default_files

    root = make_site(
        {"content/site.yaml": with_keys(default_files()["content/site.yaml"], ("key-1", keypair[1], False))}
    )
    inside = root / "signing.pem"
    inside.write_text(keypair[0])
    with pytest.raises(Exception, match="inside the repository"):
        build_site(root, environ={"SITEGEN_SIGNING_KEY_FILE": str(inside)})
    other_private, _ = generate()
    assert main(["build", "--root", str(root)]) == 0
    import os

    os.environ["SITEGEN_SIGNING_KEY"] = other_private
    try:
        assert main(["build", "--root", str(root)]) == 1
    finally:
        del os.environ["SITEGEN_SIGNING_KEY"]
    assert "does not belong to key 'key-1'" in capsys.readouterr().err


def test_keys_generate_prints_the_public_key_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "content").mkdir()
    assert main(["keys", "generate", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "public_key: z6Mk" in out and "BEGIN PRIVATE KEY" in out and "SITEGEN_SIGNING_KEY" in out
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert main(["keys", "generate", "--root", str(tmp_path), "--private-key-file", str(tmp_path / "k.pem")]) == 1


def test_status_positions_never_move_so_a_wallet_copy_is_revoked_too(signed_site, keypair, tmp_path):
    """A credential's status entry is signed into every copy: adding awards (backdated ones too) must not move it."""
    from sitegen.verify.inputs import verify_file

    root, _ = signed_site
    wallet_copy = tmp_path / "wallet.json"
    wallet_copy.write_bytes((root / f"output/credentials/{AWARD_ID}.json").read_bytes())
    sheet = tmp_path / "early.csv"
    sheet.write_text("email,issued_on\n" + "".join(f"early{i}@example.org,2020-01-0{1 + i % 9}\n" for i in range(40)))
    assert main(["issue", "python-basics", "--csv", str(sheet), "--root", str(root)]) == 0
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(root)]) == 0
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    published = read(root, f"credentials/{AWARD_ID}.json")
    assert published["credentialStatus"] == json.loads(wallet_copy.read_text())["credentialStatus"]
    result = verify_file(wallet_copy, Fetcher(root / "output", BASE_URL))
    assert result.status == "revoked", result.findings


def test_issued_ids_share_the_first_status_list_and_never_collide(make_site, tmp_path):
    from sitegen.content.site import load_site
    from sitegen.status import status_position

    root = make_site()
    sheet = tmp_path / "many.csv"
    sheet.write_text("email\n" + "".join(f"p{i}@example.org\n" for i in range(200)))
    assert main(["issue", "star", "--csv", str(sheet), "--root", str(root)]) == 0
    site, _ = load_site(root)
    new = [a for a in site.awards if a.badge == "star" and a.id != CAROL_ID]
    positions = [status_position("test-uni", a.id) for a in new]
    assert len(new) == 200 and len(set(positions)) == 200
    assert {p.list_number for p in positions} == {1}
    assert all(p.index < 16384 for p in positions)


def test_a_hand_written_id_that_collides_is_a_content_error(make_site, capsys):
    import random
    import uuid

    from conftest import identity_hash
    from helpers import build

    from sitegen.status import status_position

    rng, seen = random.Random(7), {}
    while True:  # two ids on one entry: about 1,300 draws among 64 × 16,384 entries
        candidate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        position = status_position("test-uni", candidate)
        if position in seen:
            first, second = seen[position], candidate
            break
        seen[position] = candidate
    awards = "".join(f'  - id: {i}\n    recipient: {{hash: "{identity_hash()}", salt: "s"}}\n' for i in (first, second))
    root = make_site({"content/assertions/pair.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n{awards}"})
    assert build(root) == 1
    err = capsys.readouterr().err
    assert f"content/assertions/pair.yaml:6: error: award {second} would share status list entry" in err


def _edited_credential(root, tmp_path, award_id, change):
    doc = read(root, f"credentials/{award_id}.json")
    change(doc)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_revoked_credential_cannot_hide_its_status(signed_site, tmp_path):
    """Wrapping the status entry in an array keeps the signature valid; the revocation must still be seen."""
    from sitegen.verify.inputs import verify_file

    root, _ = signed_site
    fetcher = Fetcher(root / "output", BASE_URL)
    for change in (
        lambda d: d.update(credentialStatus=[d["credentialStatus"]]),
        lambda d: d["credentialStatus"].update(type=["BitstringStatusListEntry"]),
    ):
        result = verify_file(_edited_credential(root, tmp_path, REVOKED_ID, change), fetcher)
        # Edited, it is not the credential its issuer publishes (issue 13): not valid, and still seen revoked.
        assert result.status == "invalid" and result.revoked == "the issuer's status list marks it revoked"
        assert {f.code for f in result.errors} == {"verify.baked.differs-from-hosted"}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialStatus"].update(statusListIndex="abc"),
        lambda d: d["credentialStatus"].update(statusListIndex=None),
        lambda d: d["credentialStatus"].update(statusListCredential=5),
        lambda d: d["credentialStatus"].update(type="SomethingElse"),
        lambda d: d.update(proof=["x"]),
        lambda d: d.update(credentialStatus="nonsense"),
    ],
)
def test_malformed_credentials_are_invalid_not_a_crash(signed_site, tmp_path, capsys, change):
    root, _ = signed_site
    path = _edited_credential(root, tmp_path, AWARD_ID, change)
    assert main(["verify", str(path), "--site", str(root / "output"), "--email", "nobody@example.org"]) == 1
    out = capsys.readouterr()
    assert "INVALID" in out.out and "internal error" not in out.err


def test_credentials_can_name_the_1edtech_revocation_list_instead(make_site, keypair):
    from conftest import default_files

    private, public = keypair
    site_yaml = (
        with_keys(default_files()["content/site.yaml"], ("key-1", public, False)) + "credential_status: 1edtech\n"
    )
    root = make_site({"content/site.yaml": site_yaml})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    credential = read(root, f"credentials/{AWARD_ID}.json")
    assert credential["@context"][2] == "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    assert credential["credentialStatus"] == {
        "id": f"{BASE_URL}/revocations/test-uni-credentials.json",
        "type": "1EdTechRevocationList",
    }
    listing = read(root, "revocations/test-uni-credentials.json")
    assert listing["revokedCredential"] == listing["revokedCredentials"]  # the spec's name and the validator's
    assert [e["id"] for e in listing["revokedCredential"]] == [f"{BASE_URL}/credentials/{REVOKED_ID}.json"]
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert statuses[f"credentials/{AWARD_ID}.json"] == "valid"
    assert statuses[f"credentials/{REVOKED_ID}.json"] == "revoked"
    assert statuses[f"credentials/{REVOKED_ID}.png"] == "revoked"
    # The revocation edit reaches the list.
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(root)]) == 0
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    assert {r.subject: r.status for r in verify_site(root / "output")}[f"credentials/{AWARD_ID}.json"] == "revoked"
    bad = make_site({"content/site.yaml": edit(site_yaml, "1edtech", "revocation-list")})
    assert main(["build", "--root", str(bad)]) == 1
