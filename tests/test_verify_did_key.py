"""`sitegen verify` reads an issuer named by a did:key (Open Badge Factory signs its Open Badges 3.0 credentials so):
the key is the DID itself, resolved here and never fetched, bound to the issuer as a did:web key is, and the
result tells its reader that a did:key proves the credential unchanged, not who issued it. A 1EdTechRevocationList
at another host than the credential is fetched and read.

The credentials are signed with sitegen's own signer and fresh Ed25519 keys, shaped like the one OBF published
(tests/fixtures/import/obf/credential-did-key.json, quoted in a test of CloudNativeBergen/website), which is
checked too: its real signature, by OBF's real key."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.cli import main
from sitegen.commands.import_sources import OfflineFetcher
from sitegen.openbadges.keys import MULTIKEY_ED25519_PREFIX, base58_encode, public_multikey
from sitegen.openbadges.proofs import sign_credential
from sitegen.openbadges.status_lists import encode_status_list
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_file, verify_url

OBF_CREDENTIAL = Path(__file__).parent / "fixtures" / "import" / "obf" / "credential-did-key.json"
ASSERTION = "5d01dbad9a8e95c47d268307c85621e8cf8b50e0"  # OBF names a credential by 40 hex digits
DID_KEY_ONLY = "the issuer is identified by a did:key only"


class Host:
    """A web host on 127.0.0.1 serving JSON documents at their paths (each Host is another origin)."""

    def __init__(self):
        self.routes: dict[str, bytes] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                body = routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/ld+json" if body is not None else "text/plain")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, doc: dict) -> str:
        self.routes[path] = json.dumps(doc).encode()
        return self.base + path

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def obf():
    """The host of the credentials (Open Badge Factory's place)."""
    host = Host()
    yield host
    host.stop()


@pytest.fixture
def lists():
    """Another host, serving the issuer's revocation list."""
    host = Host()
    yield host
    host.stop()


class DidKey:
    """A fresh Ed25519 key and the did:key made of it."""

    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        self.multibase = public_multikey(self.private.public_key())
        self.did = f"did:key:{self.multibase}"
        self.method = f"{self.did}#{self.multibase}"  # its one verification method


def obf_credential(host: Host, issuer: str, list_url: str, name: str = ASSERTION) -> dict:
    """An unsigned credential shaped like the one Open Badge Factory published (its keys, its URL forms)."""
    return {
        "awardedDate": "2025-11-08T08:38:36Z",
        "endorsement": [],
        "credentialSubject": {
            "identifier": [
                {
                    "salt": "R4qr2lVG0K",
                    "identityHash": "sha256$7d4874516bc1b3fabeb95b6a06af029aeba120c3acd414a35201e2e2fce3a523",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "type": "IdentityObject",
                }
            ],
            "achievement": {
                "image": {"id": f"{host.base}/obv3/images/badge/{'ab' * 32}", "type": "Image"},
                "criteria": {
                    "narrative": "Attend the whole course",
                    "id": f"{host.base}/v1/badge/_/T5EFYF/criteria.html",
                },
                "description": "A test badge",
                "inLanguage": "en",
                "type": ["Achievement"],
                "name": "Test Badge",
                "id": f"{host.base}/obv3/achievements/T5EFYFaNXGXaD13?lang=en",
                "tag": ["Tag1", "Tag2"],
            },
            "type": ["AchievementSubject"],
        },
        "validFrom": "2025-11-08T08:38:36Z",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "issuer": {
            "type": ["Profile"],
            "url": "https://issuer.example.org/",
            "name": "Example Issuer",
            "id": issuer,
            "otherIdentifier": [
                {"identifier": "T5EFVQa25J64aLH8", "identifierType": "systemId", "type": "IdentifierEntry"}
            ],
            "email": "badges@issuer.example.org",
        },
        "credentialStatus": {"id": list_url, "type": "1EdTechRevocationList"},
        "id": f"{host.base}/obv3/credentials/{name}",
    }


def revocation_list(lists: Host, issuer: str, revoked: list[dict] | None = None) -> str:
    """The issuer's 1EdTech revocation list, served on the other host."""
    path = "/obv3/revoked/T5EFVQa25J64aLH8/T5EFYFaNXGXaD13"
    return lists.serve(path, {"id": lists.base + path, "issuer": issuer, "revokedCredentials": revoked or []})


def publish(host: Host, credential: dict, signer: Ed25519PrivateKey, method: str) -> str:
    """The credential signed by `signer` naming `method` as its key, served at its id."""
    signed = sign_credential(credential, signer, method, "2025-11-08T08:39:32Z")
    return host.serve(credential["id"].removeprefix(host.base), signed)


def codes(result) -> list[str]:
    return [finding.code for finding in result.findings]


# --- 1. the did:key ---------------------------------------------------------------------------------------------


def test_the_credential_open_badge_factory_published_verifies_with_its_did_key(tmp_path):
    """OBF's real credential and proof: the did:key is its key, and nothing but the revocation list is fetched
    (a saved copy here: the credential at its id, and a list shaped by us, since no public source shows OBF's)."""
    doc = json.loads(OBF_CREDENTIAL.read_text(encoding="utf-8"))
    saved = tmp_path / "saved" / "openbadgefactory.com" / "obv3"
    (saved / "credentials").mkdir(parents=True)
    (saved / "credentials" / ASSERTION).write_text(json.dumps(doc), encoding="utf-8")
    listing = saved / "revoked" / "T5EFVQa25J64aLH8" / "T5EFYFaNXGXaD13"
    listing.parent.mkdir(parents=True)
    listing.write_text(
        json.dumps({"id": doc["credentialStatus"]["id"], "issuer": doc["issuer"]["id"], "revokedCredentials": []}),
        encoding="utf-8",
    )
    result = verify_file(OBF_CREDENTIAL, OfflineFetcher(tmp_path / "saved"))
    assert result.status == "valid", result.findings
    [warning] = result.findings
    assert warning.severity == "warning" and warning.code == "verify.key.did-key-only"
    assert warning.message == (
        "the issuer is identified by a did:key only: the signature proves the credential is unchanged, not who "
        f"issued it; trust it as far as you trust where you got it from (here: {OBF_CREDENTIAL})"
    )
    verdicts = {check["name"]: check["verdict"] for check in result.to_dict()["checks"]}
    assert verdicts["signature"] == "passed" and verdicts["issuer key"] == "warning" and verdicts["status"] == "passed"

    doc["credentialSubject"]["achievement"]["name"] = "Another Badge"  # one word changed after OBF signed it
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc), encoding="utf-8")
    (saved / "credentials" / ASSERTION).write_text(json.dumps(doc), encoding="utf-8")
    result = verify_file(changed, OfflineFetcher(tmp_path / "saved"))
    assert result.status == "invalid" and "verify.signature.invalid" in codes(result)


def test_a_did_key_credential_verifies_and_its_reader_is_told_what_a_did_key_proves(obf, lists, capsys):
    key = DidKey()
    url = publish(obf, obf_credential(obf, key.did, revocation_list(lists, key.did)), key.private, key.method)

    assert main(["verify", url, "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert result["status"] == "valid"
    [finding] = result["findings"]
    assert finding["code"] == "verify.key.did-key-only" and finding["level"] == "warning"
    assert f"trust it as far as you trust where you got it from (here: {url})" in finding["message"]

    assert main(["verify", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"VALID    ob3-credential  {url}")
    assert f"warning: [credential.proof] {DID_KEY_ONLY}: the signature proves the credential is unchanged" in out

    assert main(["--lang", "ja", "verify", url]) == 0
    out = capsys.readouterr().out
    assert "did:key" in out and "発行者" in out and DID_KEY_ONLY not in out


def test_the_recipients_email_is_matched_in_a_did_key_credential(obf, lists, capsys):
    key = DidKey()
    credential = obf_credential(obf, key.did, revocation_list(lists, key.did))
    identifier = credential["credentialSubject"]["identifier"][0]
    identifier["identityHash"] = "sha256$" + hashlib.sha256(b"lauri@example.fisalt-1").hexdigest()
    identifier["salt"] = "salt-1"
    url = publish(obf, credential, key.private, key.method)
    assert main(["verify", url, "--email", "lauri@example.fi"]) == 0
    assert main(["verify", url, "--email", "aino@example.fi"]) == 1
    assert "the credential was not issued to aino@example.fi" in capsys.readouterr().out


def _multibase(prefix: bytes, length: int) -> str:
    return "z" + base58_encode(prefix + bytes(range(1, length + 1)))


X25519 = _multibase(bytes([0xEC, 0x01]), 32)  # z6LS…: a key agreement key, never a signing key
P256 = _multibase(bytes([0x80, 0x24, 0x02]), 32)  # zDn…: a compressed P-256 key
ED25519_TOO_SHORT = _multibase(MULTIKEY_ED25519_PREFIX, 31)


FORGERIES = {
    # name: (issuer, verification method, signer) from (the issuer's key, another key); the code and words refused
    "signed by another key than the one the proof names": (
        lambda k, o: (k.did, k.method, o.private),
        "verify.signature.invalid",
        "the signature does not match the credential",
    ),
    "a fragment naming another key": (
        lambda k, o: (k.did, f"{k.did}#{o.multibase}", o.private),
        "verify.key.not-issuers",
        "a did:key has one key",
    ),
    "another did:key's key": (
        lambda k, o: (k.did, o.method, o.private),
        "verify.key.not-issuers",
        "is not a key of the issuer",
    ),
    "the DID without a fragment": (
        lambda k, o: (k.did, k.did, k.private),
        "verify.key.not-issuers",
        "a did:key has one key",
    ),
    "a multibase that is not base58btc": (
        lambda k, o: ("did:key:z6Mk0OIl" + k.multibase[8:], "did:key:z6Mk0OIl#z6Mk0OIl", k.private),
        "verify.key.malformed",
        "not did:key:z followed by base58btc",
    ),
    "a multibase that is not base58btc at all": (
        lambda k, o: ("did:key:" + k.multibase[1:], f"did:key:{k.multibase[1:]}#{k.multibase[1:]}", k.private),
        "verify.key.malformed",
        "not did:key:z followed by base58btc",
    ),
    "an X25519 key (a key agreement key, not a signing key)": (
        lambda k, o: (f"did:key:{X25519}", k.method, k.private),
        "verify.key.malformed",
        "not an Ed25519 Multikey",
    ),
    "a P-256 key": (
        lambda k, o: (f"did:key:{P256}", k.method, k.private),
        "verify.key.malformed",
        "not an Ed25519 Multikey",
    ),
    "an Ed25519 prefix with a key too short": (
        lambda k, o: (f"did:key:{ED25519_TOO_SHORT}", k.method, k.private),
        "verify.key.malformed",
        "not an Ed25519 Multikey",
    ),
    "another DID method (did:jwk), refused as before": (
        lambda k, o: ("did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5In0", k.method, k.private),
        "verify.key.not-did-web",
        "is not a did:web DID, so its keys cannot be checked",
    ),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_did_key_credential_not_signed_by_the_issuers_own_key_is_refused(forgery, obf, lists):
    make, code, words = FORGERIES[forgery]
    key, other = DidKey(), DidKey()
    issuer, method, signer = make(key, other)
    url = publish(obf, obf_credential(obf, issuer, revocation_list(lists, issuer)), signer, method)
    result = verify_url(url, Fetcher())
    assert result.status == "invalid"
    assert code in codes(result) and any(words in f.message for f in result.findings), result.findings
    assert "verify.key.did-key-only" not in codes(result)  # a key not bound to its issuer earns no such note


def test_the_key_is_read_from_the_did_and_never_fetched(obf, lists):
    """Nothing answers for did:key anywhere: verifying needs the credential and its revocation list, nothing else."""
    key = DidKey()
    url = publish(obf, obf_credential(obf, key.did, revocation_list(lists, key.did)), key.private, key.method)
    fetched: list[str] = []

    class Recording(Fetcher):
        def _fetch(self, url: str) -> tuple[int, bytes]:
            fetched.append(url)
            return super()._fetch(url)

    assert verify_url(url, Recording()).status == "valid"
    assert sorted(set(fetched)) == sorted({url, lists.base + "/obv3/revoked/T5EFVQa25J64aLH8/T5EFYFaNXGXaD13"})


# --- 2. a 1EdTechRevocationList at another host ----------------------------------------------------------------------


def test_a_revocation_list_at_another_host_is_fetched_and_names_the_credential_revoked(obf, lists, capsys):
    key = DidKey()
    credential = obf_credential(obf, key.did, revocation_list(lists, key.did))
    url = publish(obf, credential, key.private, key.method)
    assert verify_url(url, Fetcher()).status == "valid"

    entry = {"id": credential["id"], "revoked": True, "revocationReason": "Awarded by mistake"}
    revocation_list(lists, key.did, [{"id": obf.base + "/obv3/credentials/another", "revoked": True}, entry])
    result = verify_url(url, Fetcher())
    assert result.status == "revoked" and result.revoked == "the issuer's revocation list names it: Awarded by mistake"
    assert main(["verify", url]) == 1
    assert f"REVOKED  ob3-credential  {url} (revoked: the issuer's revocation list names it: Awarded by mistake)" in (
        capsys.readouterr().out
    )

    revocation_list(lists, key.did, [{**entry, "revoked": False}])  # an entry that says it is not revoked
    assert verify_url(url, Fetcher()).status == "valid"


def test_a_revocation_list_at_another_host_that_cannot_be_read_or_is_not_the_issuers_fails_the_credential(obf, lists):
    key = DidKey()
    list_url = revocation_list(lists, key.did)
    url = publish(obf, obf_credential(obf, key.did, list_url), key.private, key.method)

    lists.routes.clear()  # the list is gone: the credential may be revoked
    result = verify_url(url, Fetcher())
    assert result.status == "invalid" and "verify.status.list-unreadable" in codes(result)
    assert any(f"HTTP 404 for {list_url}" in f.message for f in result.findings)

    revocation_list(lists, DidKey().did)  # a list, but of another issuer
    result = verify_url(url, Fetcher())
    assert result.status == "invalid" and "verify.status.wrong-list" in codes(result)

    lists.stop()  # the host does not answer at all: try again later
    result = verify_url(url, Fetcher(timeout=5))
    assert result.status == "unverifiable" and "verify.document.unreachable" in codes(result)


def _bitstring_list(lists: Host, issuer: str, signer: Ed25519PrivateKey, method: str, revoked: set[int]) -> str:
    """A BitstringStatusListCredential of `issuer`, signed by `signer` as `method`, served on the other host."""
    path = "/status/1"
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": lists.base + path,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2025-11-01T00:00:00Z",
        "credentialSubject": {
            "id": lists.base + path + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked),
        },
    }
    return publish(lists, status_list, signer, method)


def test_a_bitstring_status_list_signed_by_the_did_key_at_another_host_is_checked_with_that_key(obf, lists):
    """The issuer's status list is a credential of its own: signed by the same did:key, or it says nothing."""
    key, other = DidKey(), DidKey()
    credential = obf_credential(obf, key.did, "unused")
    list_url = _bitstring_list(lists, key.did, key.private, key.method, set())
    credential["credentialStatus"] = {
        "id": f"{list_url}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": list_url,
    }
    url = publish(obf, credential, key.private, key.method)
    result = verify_url(url, Fetcher())
    assert result.status == "valid", result.findings

    _bitstring_list(lists, key.did, key.private, key.method, {42})
    result = verify_url(url, Fetcher())
    assert result.status == "revoked" and result.revoked == "the issuer's status list marks it revoked"

    _bitstring_list(lists, key.did, other.private, key.method, set())  # the list forged with another key
    result = verify_url(url, Fetcher())
    assert result.status == "invalid" and "verify.status.list-not-signed" in codes(result)

    _bitstring_list(lists, other.did, other.private, other.method, set())  # another did:key's own list
    result = verify_url(url, Fetcher())
    assert result.status == "invalid" and "verify.status.wrong-list" in codes(result)
