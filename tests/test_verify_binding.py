"""`sitegen verify` trusts a key only when the issuer vouches for it, and a fetched document only when it is the
one named (issue 11, parts 2, 3, 9 and 11).

A real site is built with real keys for https://127.0.0.1:PORT/badges and served over real TLS (a certificate
made for the test, trusted through SSL_CERT_FILE), so did:web resolves as it does on GitHub Pages. A forger has
keys of their own and a server of their own on another port; every forgery below is signed for real."""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
import shutil
import ssl
import struct
import textwrap
import threading
import tracemalloc
import zlib
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import AWARD_ID, REVOKED_ID, SVG, default_files, identity_hash, png_bytes, write_files
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.content import images
from sitegen.openbadges.jws import public_pem, sign_jws
from sitegen.openbadges.keys import generate, generate_rsa, load_private_key
from sitegen.openbadges.proofs import sign_credential
from sitegen.openbadges.status_lists import encode_status_list
from sitegen.urls import did_web
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_document, verify_file, verify_site, verify_url

OTHER_ID = "9d4c1f7e-3b2a-4e5f-8a6b-7c8d9e0f1a2b"  # an award of the second issuer
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"


# --- a real TLS server on 127.0.0.1 ---------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sitegen test 127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Handler(SimpleHTTPRequestHandler):
    """Serves the server's current `root` (tests swap it for a fresh copy of the site)."""

    def __init__(self, request, client_address, server):
        super().__init__(request, client_address, server, directory=str(server.root))

    def log_message(self, *args):
        pass


class TlsServer:
    def __init__(self, cert: Path, key: Path):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.root = Path("/nonexistent")
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, root: Path) -> None:
        self.httpd.root = root

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = _certificate(folder)
    site, forger = TlsServer(cert, key), TlsServer(cert, key)
    yield cert, site, forger
    site.stop()
    forger.stop()


@pytest.fixture(autouse=True)
def trust_test_certificate(tls, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))


# --- the genuine site, and the forger's keys -------------------------------------------------------


def site_files(base_url: str, ed_public: str | None, rsa_public: str | None, extra: str = "") -> dict:
    files = default_files()
    yaml = textwrap.dedent(files["content/site.yaml"]).replace("https://example.github.io/badges", base_url)
    if ed_public:
        yaml += f"keys:\n  - id: key-1\n    public_key: {ed_public}\n"
    if rsa_public:
        indented = "\n".join("      " + line for line in rsa_public.strip().splitlines())
        yaml += f"ob2_signing:\n  key_id: rsa-1\n  public_key: |\n{indented}\n"
    files["content/site.yaml"] = yaml + extra
    # A second issuer, with an award of its own, so the site has two genuine status and revocation lists.
    files["content/issuers/other-uni.yaml"] = (
        "name: Other University\nurl: https://other.example.org\nemail: b@other.example.org\n"
    )
    files["content/badgeclasses/other-badge.yaml"] = textwrap.dedent("""\
        issuer: other-uni
        name: Other
        description: Another issuer's badge.
        image: images/python.png
        image_caption: A blue square
        criteria: Be another.
        """)
    files["content/assertions/other.yaml"] = textwrap.dedent(f"""\
        badge: other-badge
        issued_on: 2026-03-01
        awards:
          - id: {OTHER_ID}
            recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "0123456789abcdef0123456789abcdef"}}
        """)
    return files


@pytest.fixture(scope="module")
def keys():
    forger_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {"ed": generate(), "rsa": generate_rsa(), "forger_ed": generate(), "forger_rsa": forger_rsa}


@pytest.fixture(scope="module")
def built(tls, keys, tmp_path_factory):
    """The signed site (OB 3.0 and OB 2.0 signatures), built once for the address the site server has."""
    _cert, site, _forger = tls
    base = f"{site.url}/badges"
    root = write_files(tmp_path_factory.mktemp("genuine"), site_files(base, keys["ed"][1], keys["rsa"][1]))
    result = build_site(root, environ={"SITEGEN_SIGNING_KEY": keys["ed"][0], "SITEGEN_OB2_SIGNING_KEY": keys["rsa"][0]})
    assert result.signed
    return base, root / "output"


class World:
    """One test's copy of the genuine site on the site server, and the forger's folder on the forger's."""

    def __init__(self, base: str, site_dir: Path, forger_dir: Path, forger_url: str, keys: dict):
        self.base, self.site_dir, self.forger_dir, self.forger_url, self.keys = (
            base,
            site_dir,
            forger_dir,
            forger_url,
            keys,
        )
        self.did = did_web(base)
        self.forger_did = did_web(forger_url)

    def read(self, rel: str) -> dict:
        return json.loads((self.site_dir / rel).read_text())

    def write(self, rel: str, doc) -> None:
        (self.site_dir / rel).write_text(json.dumps(doc) if not isinstance(doc, str) else doc)

    def forge(self, rel: str, doc: dict) -> str:
        path = self.forger_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc))
        return f"{self.forger_url}/{rel}"

    def verify(self, doc) -> object:
        text = doc if isinstance(doc, str) else json.dumps(doc)
        return verify_document(text, Fetcher(), kind="json", subject="forged")


@pytest.fixture
def world(built, tls, keys, tmp_path):
    base, output = built
    _cert, site, forger = tls
    www, forger_www = tmp_path / "www", tmp_path / "forger"
    shutil.copytree(output, www / "badges")
    forger_www.mkdir()
    site.serve(www)
    forger.serve(forger_www)
    return World(base, www / "badges", forger_www, forger.url, keys)


def unsigned(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc.pop("proof", None)
    return doc


def resign(doc: dict, private_pem: str, vm: str) -> dict:
    return sign_credential(
        unsigned(doc), load_private_key(private_pem), vm, doc.get("validFrom", "2026-01-01T00:00:00Z")
    )


def multikey_method(vm: str, controller: str, public: str) -> dict:
    return {"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": public}


def did_document(did: str, methods: list[dict], assertion: list) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }


def errors(result, check_prefix: str = "") -> str:
    return " | ".join(f.message for f in result.errors if f.check.startswith(check_prefix))


# --- the genuine site verifies over TLS ------------------------------------------------------------


def test_the_genuine_site_verifies_over_https(world):
    for award, expected in ((AWARD_ID, "valid"), (REVOKED_ID, "revoked"), (OTHER_ID, "valid")):
        for path in (
            f"credentials/{award}.json",
            f"credentials/{award}.png",
            f"assertions/{award}.jws",
            f"assertions/{award}.json",
        ):
            result = verify_url(f"{world.base}/{path}", Fetcher())
            assert result.status == expected, (path, result.findings)
    statuses = {r.subject: r.status for r in verify_site(world.site_dir)}
    assert set(statuses.values()) <= {"valid", "revoked", "expired"}, statuses
    status_list = genuine_credential(world, REVOKED_ID)["credentialStatus"]["statusListCredential"]
    assert {"did.json", "issuers/test-uni.json", status_list[len(world.base) + 1 :]} <= set(statuses)


# --- OB 3.0: the proof's key must be the issuer's ------------------------------------------------


def genuine_credential(world, award=AWARD_ID) -> dict:
    return world.read(f"credentials/{award}.json")


def forged_claim(world) -> dict:
    """What a forger wants verified: the genuine credential of another person, re-addressed to themself."""
    doc = unsigned(genuine_credential(world))
    doc["credentialSubject"]["identifier"][0]["identityHash"] = identity_hash("mallory@example.org")
    return doc


def test_a_key_document_on_the_forgers_server_claiming_the_issuer_as_controller_is_refused(world):
    public = world.keys["forger_ed"][1]
    vm = world.forge(
        "key.json",
        {"@context": MULTIKEY_CONTEXT, **multikey_method("", world.did, public), "id": f"{world.forger_url}/key.json"},
    )
    result = world.verify(resign(forged_claim(world), world.keys["forger_ed"][0], vm))
    assert result.status == "invalid"
    assert "is not a key of the issuer" in errors(result, "credential.proof")


@pytest.mark.parametrize("where", ["forger's own DID", "DID extending the issuer's", "DID under the issuer's path"])
def test_a_key_of_another_did_is_refused_even_when_it_names_the_issuer_as_controller(world, where):
    public, private = world.keys["forger_ed"][1], world.keys["forger_ed"][0]
    if where == "forger's own DID":
        did = world.forger_did
        world.forge(
            ".well-known/did.json", did_document(did, [multikey_method(f"{did}#k", world.did, public)], [f"{did}#k"])
        )
    else:
        # Another repository of the same GitHub Pages origin (…/badgesx), or a folder inside the site.
        suffix, folder = (
            ("x", world.site_dir.parent / "badgesx") if "extending" in where else (":evil", world.site_dir / "evil")
        )
        did = world.did + suffix
        folder.mkdir()
        (folder / "did.json").write_text(
            json.dumps(did_document(did, [multikey_method(f"{did}#k", world.did, public)], [f"{did}#k"]))
        )
    forged = resign(forged_claim(world), private, f"{did}#k")
    result = world.verify(forged)
    assert result.status == "invalid" and "is not a key of the issuer" in errors(result, "credential.proof")


@pytest.mark.parametrize("relation", ["authentication", "capabilityInvocation", "verificationMethod only"])
def test_a_key_of_the_issuers_did_that_is_not_an_assertion_method_is_refused(world, relation):
    did_doc = world.read("did.json")
    vm = f"{world.did}#other"
    did_doc["verificationMethod"].append(multikey_method(vm, world.did, world.keys["forger_ed"][1]))
    if relation != "verificationMethod only":
        did_doc[relation] = [vm]
    world.write("did.json", did_doc)
    result = world.verify(resign(forged_claim(world), world.keys["forger_ed"][0], vm))
    assert result.status == "invalid" and "is not an assertionMethod" in errors(result, "credential.proof")


@pytest.mark.parametrize("document_id", ["did:web:evil.example", "{did}:x", "{did_lower}"])
def test_a_did_document_at_the_right_url_for_another_did_is_refused(world, document_id):
    vm = f"{world.did}#evil"
    document_id = document_id.format(did=world.did, did_lower=world.did.replace("%3A", "%3a"))
    world.write(
        "did.json", did_document(document_id, [multikey_method(vm, world.did, world.keys["forger_ed"][1])], [vm])
    )
    result = world.verify(resign(forged_claim(world), world.keys["forger_ed"][0], vm))
    assert result.status == "invalid" and "is not the document of" in errors(result, "credential.proof")


@pytest.mark.parametrize(
    "vm",
    ["#evil", "{did}#evil#x", "{did_lower}#evil", "{did}:#evil", " {did}#evil", "{did}/#evil", "{did}?x#evil", "{did}"],
)
def test_relative_and_fragment_tricks_do_not_make_a_key_the_issuers(world, vm):
    """The DID document (at the issuer's URL, with the issuer's id) lists the trick as given and a relative
    `#evil`: a key is the issuer's only when its id is the issuer's DID exactly, then `#` and a fragment."""
    vm = vm.format(did=world.did, did_lower=world.did.replace("%3A", "%3a"))
    did_doc = world.read("did.json")
    evil = multikey_method("#evil", world.did, world.keys["forger_ed"][1])
    did_doc["verificationMethod"] += [evil, {**evil, "id": vm}]
    did_doc["assertionMethod"] += ["#evil", vm]
    world.write("did.json", did_doc)
    result = world.verify(resign(forged_claim(world), world.keys["forger_ed"][0], vm))
    assert result.status == "invalid", vm
    assert errors(result, "credential.proof")


def test_the_issuers_real_key_id_with_the_forgers_signature_is_refused(world):
    result = world.verify(resign(forged_claim(world), world.keys["forger_ed"][0], f"{world.did}#key-1"))
    assert result.status == "invalid" and "signature does not match" in errors(result, "credential.proof")


def test_a_credential_of_the_forgers_own_did_is_the_forgers_not_the_sites(world):
    """Signing as oneself is allowed: the result names the forger as issuer, never the site."""
    did, public = world.forger_did, world.keys["forger_ed"][1]
    world.forge(".well-known/did.json", did_document(did, [multikey_method(f"{did}#k", did, public)], [f"{did}#k"]))
    doc = forged_claim(world)
    doc["issuer"]["id"] = did
    del doc["credentialStatus"]
    # Kept at the site's credential URL, it claims an id the site publishes another credential at (issue 13).
    kept_id = world.verify(resign(doc, world.keys["forger_ed"][0], f"{did}#k"))
    assert kept_id.status == "invalid" and "issuer publishes at" in errors(kept_id, "credential.published")
    doc["id"] = "urn:uuid:6f1e0c2a-8d3b-4a5c-9e7f-1a2b3c4d5e6f"  # an id of its own
    result = world.verify(resign(doc, world.keys["forger_ed"][0], f"{did}#k"))
    assert result.status == "valid", result.findings
    doc["issuer"]["id"] = world.did  # the same proof does not pass for the site's DID
    assert world.verify(resign(doc, world.keys["forger_ed"][0], f"{did}#k")).status == "invalid"


# --- OB 3.0: the status list must be the one named, the issuer's, for the entry's purpose ---------


def test_another_genuine_status_list_of_the_site_does_not_unrevoke_a_credential(world):
    revoked = genuine_credential(world, REVOKED_ID)
    assert world.verify(revoked).status == "revoked"
    own = revoked["credentialStatus"]["statusListCredential"]
    other = genuine_credential(world, OTHER_ID)["credentialStatus"]["statusListCredential"]
    assert own != other
    (world.site_dir / own[len(world.base) + 1 :]).write_text(
        (world.site_dir / other[len(world.base) + 1 :]).read_text()
    )
    result = world.verify(revoked)
    assert result.status == "invalid" and "is not that status list" in errors(result)
    # Read from the folder, as the deploy does: the same.
    site = {r.subject: r for r in verify_site(world.site_dir)}
    assert site[f"credentials/{REVOKED_ID}.json"].status == "invalid"
    assert site[own[len(world.base) + 1 :]].status == "invalid"


def status_list_of(world, award=REVOKED_ID, **changes) -> tuple[str, dict]:
    """The status list the credential names, changed and signed again with the site's genuine key."""
    url = genuine_credential(world, award)["credentialStatus"]["statusListCredential"]
    doc = unsigned(world.read(url[len(world.base) + 1 :]))
    for key, value in changes.items():
        target = doc["credentialSubject"] if key in ("statusPurpose", "encodedList") else doc
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return url, doc


def serve_list(world, url: str, doc: dict, private: str | None = None, vm: str | None = None) -> None:
    signed = resign(doc, private or world.keys["ed"][0], vm or f"{world.did}#key-1")
    (world.site_dir / url[len(world.base) + 1 :]).write_text(json.dumps(signed))


@pytest.mark.parametrize(
    "case",
    [
        "forger's key claiming the issuer",
        "forger's own DID",
        "wrong purpose",
        "not a status list credential",
        "expired list",
        "list of the future",
    ],
)
def test_a_status_list_that_is_not_the_issuers_list_for_this_purpose_is_refused(world, case):
    url, doc = status_list_of(world, encodedList=encode_status_list([]))  # says: nothing is revoked
    private, vm = None, None
    if case == "forger's key claiming the issuer":
        private = world.keys["forger_ed"][0]
        vm = world.forge(
            "key.json",
            {
                "@context": MULTIKEY_CONTEXT,
                **multikey_method(f"{world.forger_url}/key.json", world.did, world.keys["forger_ed"][1]),
            },
        )
    elif case == "forger's own DID":
        did = world.forger_did
        world.forge(
            ".well-known/did.json",
            did_document(did, [multikey_method(f"{did}#k", did, world.keys["forger_ed"][1])], [f"{did}#k"]),
        )
        doc["issuer"], private, vm = did, world.keys["forger_ed"][0], f"{did}#k"
    elif case == "wrong purpose":
        doc["credentialSubject"]["statusPurpose"] = "suspension"
    elif case == "not a status list credential":
        doc["type"] = ["VerifiableCredential"]
    elif case == "expired list":
        doc["validUntil"] = "2026-01-02T00:00:00Z"
        doc["validFrom"] = "2026-01-01T00:00:00Z"
    else:
        doc["validFrom"] = "2999-01-01T00:00:00Z"
    serve_list(world, url, doc, private, vm)
    result = world.verify(genuine_credential(world, REVOKED_ID))
    assert result.status == "invalid", (case, result.findings)
    assert result.revoked is None or result.errors


def test_an_entry_of_a_purpose_verify_cannot_check_is_refused(world):
    doc = unsigned(genuine_credential(world, AWARD_ID))
    doc["credentialStatus"]["statusPurpose"] = "message"
    result = world.verify(resign(doc, world.keys["ed"][0], f"{world.did}#key-1"))
    assert result.status == "invalid" and "cannot be checked" in errors(result, "credential.status")


def test_a_status_list_that_inflates_without_end_is_refused(world):
    zeros = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(zeros.compress(bytes(1 << 20)) for _ in range(64)) + zeros.flush()  # 64 MB of zeros
    url, doc = status_list_of(world, encodedList="u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode())
    serve_list(world, url, doc)
    tracemalloc.start()
    try:
        result = world.verify(genuine_credential(world, REVOKED_ID))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "invalid" and "inflates to more than" in errors(result)
    assert peak < 32 * 2**20


@pytest.fixture(scope="module")
def built_1edtech(tls, keys, tmp_path_factory):
    _cert, site, _forger = tls
    base = f"{site.url}/badges"
    root = write_files(
        tmp_path_factory.mktemp("edtech"), site_files(base, keys["ed"][1], None, "credential_status: 1edtech\n")
    )
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keys["ed"][0]})
    return base, root / "output"


def test_another_issuers_1edtech_revocation_list_does_not_unrevoke_a_credential(built_1edtech, tls, tmp_path):
    base, output = built_1edtech
    www = tmp_path / "www"
    shutil.copytree(output, www / "badges")
    tls[1].serve(www)
    site_dir = www / "badges"
    revoked = json.loads((site_dir / f"credentials/{REVOKED_ID}.json").read_text())
    assert verify_document(json.dumps(revoked), Fetcher(), kind="json", subject="x").status == "revoked"
    own = site_dir / "revocations/test-uni-credentials.json"
    genuine = own.read_text()
    own.write_text((site_dir / "revocations/other-uni-credentials.json").read_text())
    result = verify_document(json.dumps(revoked), Fetcher(), kind="json", subject="x")
    assert result.status == "invalid" and "is not that revocation list" in errors(result)
    listing = json.loads(genuine)
    listing["issuer"] = "did:web:evil.example"
    own.write_text(json.dumps(listing))
    result = verify_document(json.dumps(revoked), Fetcher(), kind="json", subject="x")
    assert result.status == "invalid" and "was issued by" in errors(result)


# --- OB 2.0 signed assertions: the key must be the issuer's, both ways -----------------------------


def forged_jws(world, creator: str, private=None) -> str:
    token = (world.site_dir / f"assertions/{AWARD_ID}.jws").read_text()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    payload["recipient"]["identity"] = identity_hash("mallory@example.org")
    payload["verification"]["creator"] = creator
    return sign_jws(payload, private or world.keys["forger_rsa"])


def forger_key_document(world, key_id: str, owner: str) -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": key_id,
        "owner": owner,
        "publicKeyPem": public_pem(world.keys["forger_rsa"]),
    }


def jws_result(world, token: str):
    path = world.forger_dir / "forged.jws"
    path.write_text(token)
    return verify_file(path, Fetcher())


def test_the_genuine_signed_assertions_verify_and_name_their_owner(world):
    key = world.read("keys/rsa-1.json")
    owner_slug = key["owner"].rsplit("/", 1)[1]
    for award in (AWARD_ID, OTHER_ID):
        result = verify_url(f"{world.base}/assertions/{award}.jws", Fetcher())
        assert result.status == "valid", result.findings
        issuer = "other-uni.json" if award == OTHER_ID else "test-uni.json"
        # The site's one key belongs to its first issuer; the others list it too, which is said, not failed.
        assert bool(result.findings) == (issuer != owner_slug)


def test_a_forgers_key_claiming_the_issuer_as_owner_is_refused(world):
    key_url = f"{world.forger_url}/keys/rsa-1.json"
    world.forge("keys/rsa-1.json", forger_key_document(world, key_url, f"{world.base}/issuers/test-uni.json"))
    result = jws_result(world, forged_jws(world, key_url))
    assert result.status == "invalid" and "does not list" in errors(result, "jws.key-ownership")


def test_a_key_whose_owner_is_another_profile_is_refused(world):
    """The issuer lists the key, but the key names a profile elsewhere as its owner (and that profile lists
    it): the two-way link is broken, so the key is not the issuer's."""
    profile = world.read("issuers/test-uni.json")
    owner = world.forge("issuers/test-uni.json", {**profile, "id": f"{world.forger_url}/issuers/test-uni.json"})
    key = world.read("keys/rsa-1.json")
    world.write("keys/rsa-1.json", {**key, "owner": owner})
    result = verify_url(f"{world.base}/assertions/{AWARD_ID}.jws", Fetcher())
    assert result.status == "invalid" and "is owned by" in errors(result, "jws.key-ownership")


def test_a_profile_that_does_not_list_the_key_does_not_vouch_for_it(world):
    for slug in ("test-uni", "other-uni"):
        profile = world.read(f"issuers/{slug}.json")
        del profile["publicKey"]
        world.write(f"issuers/{slug}.json", profile)
    result = verify_url(f"{world.base}/assertions/{AWARD_ID}.jws", Fetcher())
    assert result.status == "invalid" and "does not list" in errors(result, "jws.key-ownership")


@pytest.mark.parametrize("case", ["forger's copy naming the genuine id", "genuine id with a fragment"])
def test_a_key_document_whose_id_is_not_its_url_is_refused(world, case):
    genuine_key = f"{world.base}/keys/rsa-1.json"
    if case == "forger's copy naming the genuine id":
        creator = world.forge(
            "keys/rsa-1.json", forger_key_document(world, genuine_key, f"{world.base}/issuers/test-uni.json")
        )
    else:
        creator = genuine_key + "#rsa-1"
    result = jws_result(world, forged_jws(world, creator))
    assert result.status == "invalid" and "is not the URL it was fetched from" in errors(result, "jws.key")


# --- OB 2.0 hosted documents: each must be the one at its URL --------------------------------------


@pytest.mark.parametrize(
    "rel, other",
    [
        ("badges/python-basics.json", "badges/star.json"),
        ("issuers/test-uni.json", "issuers/other-uni.json"),
        ("revocations/test-uni.json", "revocations/other-uni.json"),
        ("keys/rsa-1.json", None),
    ],
)
def test_another_genuine_document_of_the_site_at_a_documents_url_is_refused(world, rel, other):
    if other is None:  # a key document at another URL of the site, copied to the key's URL
        key = world.read(rel)
        world.write("keys/copy.json", key)
        key["id"] = f"{world.base}/keys/copy.json"
        world.write(rel, key)
    else:
        world.write(rel, (world.site_dir / other).read_text())
    revoked = verify_url(f"{world.base}/assertions/{REVOKED_ID}.jws", Fetcher())
    assert revoked.status == "invalid", (rel, revoked.findings)
    if rel != "revocations/test-uni.json":
        assert verify_url(f"{world.base}/assertions/{AWARD_ID}.jws", Fetcher()).status == "invalid"


def test_a_revocation_list_of_another_issuer_at_the_right_url_is_refused(world):
    listing = world.read("revocations/test-uni.json")
    listing["issuer"] = f"{world.base}/issuers/other-uni.json"
    listing["revokedAssertions"] = [e for e in listing["revokedAssertions"] if REVOKED_ID not in e["id"]]
    world.write("revocations/test-uni.json", listing)
    result = verify_url(f"{world.base}/assertions/{REVOKED_ID}.jws", Fetcher())
    assert result.status == "invalid" and "another issuer's" in errors(result, "revocation-list")


# --- part 9: verify caps what it inflates from an image --------------------------------------------


def png_with(*chunks: tuple[bytes, bytes], width: int = 64, height: int = 64) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    base = (
        png_bytes()
        if (width, height) == (64, 64)
        else (
            images.PNG_SIGNATURE
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib_bomb(256))
            + chunk(b"IEND", b"")
        )
    )
    ihdr_end = len(images.PNG_SIGNATURE) + 25
    return base[:ihdr_end] + b"".join(chunk(kind, data) for kind, data in chunks) + base[ihdr_end:]


def zlib_bomb(megabytes: int) -> bytes:
    deflate = zlib.compressobj(9)
    return b"".join(deflate.compress(bytes(1 << 20)) for _ in range(megabytes)) + deflate.flush()


def itxt(keyword: str, data: bytes, compressed: bool) -> tuple[bytes, bytes]:
    return b"iTXt", keyword.encode() + b"\0" + (b"\1\0" if compressed else b"\0\0") + b"\0\0" + data


def verified_with_peak(path: Path, fetcher: Fetcher):
    tracemalloc.start()
    try:
        result = verify_file(path, fetcher)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def plain_site(make_site):
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    out = root / "output"
    return out, Fetcher(out, "https://example.github.io/badges")


@pytest.mark.parametrize("keyword", ["openbadges", "openbadgecredential"])
def test_a_compressed_itxt_bomb_is_refused_with_a_clear_message(plain_site, tmp_path, keyword):
    out, fetcher = plain_site
    path = tmp_path / "bomb.png"
    path.write_bytes(png_with(itxt(keyword, zlib_bomb(512), True)))  # 512 MB of zeros in half a megabyte
    result, peak = verified_with_peak(path, fetcher)
    assert result.status == "invalid" and "inflates to more than 8 MB" in errors(result, "baked.extract")
    assert peak < 32 * 2**20


def test_compressed_chunks_that_are_not_the_badge_are_never_inflated(plain_site, tmp_path):
    out, fetcher = plain_site
    hosted = f"https://example.github.io/badges/assertions/{AWARD_ID}.json"
    bomb = zlib_bomb(512)
    path = tmp_path / "decoys.png"
    path.write_bytes(
        png_with(
            (b"zTXt", b"openbadges\0\0" + bomb), itxt("Comment", bomb, True), itxt("openbadges", hosted.encode(), False)
        )
    )
    result, peak = verified_with_peak(path, fetcher)
    assert result.status == "valid", result.findings
    assert peak < 32 * 2**20
    path.write_bytes(png_with((b"zTXt", b"openbadges\0\0" + bomb)))  # a zTXt badge is not read at all
    result, peak = verified_with_peak(path, fetcher)
    assert "carries no badge" in errors(result, "baked.extract") and peak < 32 * 2**20


def test_a_png_of_huge_dimensions_is_read_for_its_badge_only(plain_site, tmp_path):
    out, fetcher = plain_site
    hosted = f"https://example.github.io/badges/assertions/{AWARD_ID}.json"
    path = tmp_path / "huge.png"
    path.write_bytes(png_with(itxt("openbadges", hosted.encode(), False), width=200_000, height=200_000))
    result, peak = verified_with_peak(path, fetcher)
    # The badge is read; the picture, never decoded, is not the badge's image (issue 13).
    assert {f.code for f in result.errors} == {"verify.image.not-the-badge"}, result.findings
    assert peak < 32 * 2**20


def test_a_file_or_download_too_large_to_be_a_badge_is_refused_unread(plain_site, tmp_path):
    out, fetcher = plain_site
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.write(png_bytes())
        handle.truncate(40 * 2**20)  # sparse: no 40 MB written
    result = verify_file(big, fetcher)
    assert result.status == "invalid" and "larger than 32 MB" in errors(result)
    shutil.copy(big, out / "badges/python-basics.png")
    result = verify_url(f"https://example.github.io/badges/assertions/{AWARD_ID}.json", fetcher)
    assert result.status == "invalid" and "larger than 32 MB" in errors(result, "badge.image")


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
        '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>',
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE svg [<!ENTITY % p "x">]>',
    ],
)
def test_an_svg_that_declares_entities_is_refused(plain_site, tmp_path, declaration):
    out, fetcher = plain_site
    hosted = f"https://example.github.io/badges/assertions/{AWARD_ID}.json"
    body = SVG.decode().split("\n", 2)[2]
    use = "&h;" if "ENTITY h" in declaration else "&x;" if "ENTITY x" in declaration else ""
    svg = f'<?xml version="1.0"?>\n{declaration}\n' + body.replace(
        "<title>",
        f'<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="{hosted}"/><desc>{use}</desc><title>',
    )
    for encoding in ("utf-8", "utf-16"):
        path = tmp_path / "entities.svg"
        path.write_bytes(svg.replace('version="1.0"', f'version="1.0" encoding="{encoding}"').encode(encoding))
        result, peak = verified_with_peak(path, fetcher)
        assert result.status == "invalid" and "declares XML entities" in errors(result, "baked.extract"), encoding
        assert peak < 32 * 2**20
    path.write_bytes(svg.replace(declaration, "").replace(use, "").encode())  # the same image without them
    result = verify_file(path, fetcher)  # read: only its picture, a star, is not the Python badge's (issue 13)
    assert {f.code for f in result.errors} == {"verify.image.not-the-badge"}, result.findings


# --- part 11: a site with no awards passes its own deploy ------------------------------------------


@pytest.mark.parametrize("signing", ["unsigned", "signed"])
def test_a_site_without_awards_verifies(make_site, keys, signing, capsys):
    files = {"content/assertions/2026/spring.yaml": None, "content/assertions/star-carol.yaml": None}
    environ = {}
    if signing == "signed":
        yaml = textwrap.dedent(default_files()["content/site.yaml"])
        indented = "\n".join("      " + line for line in keys["rsa"][1].strip().splitlines())
        files["content/site.yaml"] = (
            yaml + f"keys:\n  - id: key-1\n    public_key: {keys['ed'][1]}\n"
            f"ob2_signing:\n  key_id: rsa-1\n  public_key: |\n{indented}\n"
        )
        environ = {"SITEGEN_SIGNING_KEY": keys["ed"][0], "SITEGEN_OB2_SIGNING_KEY": keys["rsa"][0]}
    root = make_site(files)
    build_site(root, environ=environ)
    out = root / "output"
    assert not list(out.glob("assertions/*.json"))
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0, capsys.readouterr().out
    assert "invalid" not in capsys.readouterr().out.lower()
    subjects = {r.subject for r in verify_site(out)}
    assert {"issuers/test-uni.json", "badges/star.json"} <= subjects
    assert ("did.json" in subjects) == (signing == "signed")
    # What is checked is real: a broken shared document still fails the empty site.
    badge = json.loads((out / "badges/star.json").read_text())
    badge["id"] = "https://example.github.io/badges/badges/python-basics.json"
    (out / "badges/star.json").write_text(json.dumps(badge))
    assert main(["verify", str(out)]) == 1


# --- input nested beyond what a parser can follow is a clear failure, not a crash ---------------------


def test_json_nested_too_deeply_is_invalid_not_an_internal_error(world, tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    assert main(["verify", str(deep)]) == 1
    assert "nested too deeply" in capsys.readouterr().out
    # Deep enough for JSON-LD processing to exhaust the stack, within what the JSON parser reads; signed
    # by a key the forger's own DID document lists, so that the proof is really checked.
    did, public = world.forger_did, world.keys["forger_ed"][1]
    world.forge(".well-known/did.json", did_document(did, [multikey_method(f"{did}#k", did, public)], [f"{did}#k"]))
    doc = forged_claim(world)
    doc["issuer"]["id"] = did
    del doc["credentialStatus"]
    doc["proof"] = [{**genuine_credential(world)["proof"][0], "verificationMethod": f"{did}#k"}]
    text = json.dumps(doc).replace(
        '"credentialSubject": {', '"credentialSubject": {"narrative": ' + "[" * 950 + '"x"' + "]" * 950 + ", ", 1
    )
    path = tmp_path / "deep-credential.json"
    path.write_text(text)
    capsys.readouterr()
    assert main(["verify", str(path)]) == 1
    assert "nested too deeply" in capsys.readouterr().out


def test_a_new_site_without_issuers_verifies_but_an_empty_folder_does_not(make_site, tmp_path, capsys):
    root = make_site(
        {
            "content/assertions/2026/spring.yaml": None,
            "content/assertions/star-carol.yaml": None,
            "content/badgeclasses/python-basics.yaml": None,
            "content/badgeclasses/star.yaml": None,
            "content/issuers/test-uni.yaml": None,
        }
    )
    build_site(root)
    assert (root / "output/index.html").is_file() and not list((root / "output").glob("issuers/*.json"))
    capsys.readouterr()
    assert main(["verify", str(root / "output")]) == 0
    (tmp_path / "not-a-site").mkdir()
    assert main(["verify", str(tmp_path / "not-a-site")]) == 1
    assert "not a built site" in capsys.readouterr().out
