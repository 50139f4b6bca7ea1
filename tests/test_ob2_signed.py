"""Optional Open Badges 2.0 signed assertions: JWS RS256 with a published CryptographicKey."""

from __future__ import annotations

import json
import os

import pytest
from conftest import AWARD_ID, BASE_URL, REVOKED_ID

from sitegen.build.pipeline import build_site
from sitegen.openbadges.jws import read_jws
from sitegen.openbadges.keys import generate_rsa
from sitegen.verify.inputs import verify_site


@pytest.fixture(scope="module")
def rsa_key():
    return generate_rsa()  # (private PEM, public PEM); 3072-bit generation takes a moment


def site_yaml(public_pem: str) -> str:
    indented = "\n".join("      " + line for line in public_pem.strip().splitlines())
    return (
        f"base_url: {BASE_URL}\nname: Test\ndefault_language: en\n"
        f"ob2_signing:\n  key_id: rsa-test\n  public_key: |\n{indented}\n"
    )


def test_signed_assertions_are_published_and_verify(make_site, rsa_key):
    private, public = rsa_key
    root = make_site({"content/site.yaml": site_yaml(public)})
    result = build_site(root, environ={"SITEGEN_OB2_SIGNING_KEY": private})
    out = root / "output"
    key = json.loads((out / "keys/rsa-test.json").read_text())
    assert key["type"] == "CryptographicKey" and key["id"] == f"{BASE_URL}/keys/rsa-test.json"
    assert key["owner"] == f"{BASE_URL}/issuers/test-uni.json" and "PRIVATE" not in key["publicKeyPem"]
    issuer = json.loads((out / "issuers/test-uni.json").read_text())
    assert issuer["publicKey"] == [key["id"]]
    header, payload = read_jws((out / f"assertions/{AWARD_ID}.jws").read_text())
    assert header == {"alg": "RS256"}
    assert payload["id"] == f"urn:uuid:{AWARD_ID}"
    assert payload["verification"] == {"type": "SignedBadge", "creator": key["id"]}
    revocations = json.loads((out / "revocations/test-uni.json").read_text())
    assert f"urn:uuid:{REVOKED_ID}" in [e["id"] for e in revocations["revokedAssertions"]]
    statuses = {r.subject: r.status for r in verify_site(out)}
    assert statuses[f"assertions/{AWARD_ID}.jws"] == "valid"
    assert statuses[f"assertions/{REVOKED_ID}.jws"] == "revoked"
    assert not any("signed assertions" in note.message for note in result.notes)
    # Deterministic: PKCS#1 v1.5 signatures do not change between builds.
    before = (out / f"assertions/{AWARD_ID}.jws").read_bytes()
    build_site(root, environ={"SITEGEN_OB2_SIGNING_KEY": private})
    assert (out / f"assertions/{AWARD_ID}.jws").read_bytes() == before
    assert private.split("\n")[1] not in "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())


def test_tampered_signed_assertion_fails(make_site, rsa_key):
    private, public = rsa_key
    root = make_site({"content/site.yaml": site_yaml(public)})
    build_site(root, environ={"SITEGEN_OB2_SIGNING_KEY": private})
    path = root / f"output/assertions/{AWARD_ID}.jws"
    head, body, signature = path.read_text().split(".")
    payload = json.loads(__import__("base64").urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["issuedOn"] = "2020-01-01T00:00:00Z"
    forged = __import__("base64").urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    path.write_text(f"{head}.{forged}.{signature}")
    result = [r for r in verify_site(root / "output") if r.subject == f"assertions/{AWARD_ID}.jws"][0]
    assert result.status == "invalid" and any(f.check == "jws.signature" for f in result.errors)


def test_without_the_private_key_the_public_key_is_still_published(make_site, rsa_key):
    _private, public = rsa_key
    root = make_site({"content/site.yaml": site_yaml(public)})
    result = build_site(root, environ={})
    assert (root / "output/keys/rsa-test.json").exists()  # the issuer profile links it: it must resolve
    assert not list((root / "output/assertions").glob("*.jws"))
    assert any("signed assertions were skipped" in note.message for note in result.notes)


def test_a_private_key_in_site_yaml_is_refused(make_site, rsa_key, capsys):
    private, _public = rsa_key
    from sitegen.cli import main

    root = make_site({"content/site.yaml": site_yaml(private)})
    assert main(["build", "--root", str(root)]) == 1
    assert "private key" in capsys.readouterr().err
    assert not (root / "output").exists()


def test_require_signing_fails_without_the_ob2_key_the_site_asks_for(make_site, rsa_key, capsys):
    from sitegen.cli import main

    root = make_site({"content/site.yaml": site_yaml(rsa_key[1])})
    assert build_site(root, environ={}).notes  # a local build says what it skipped
    before = sorted(p.relative_to(root) for p in (root / "output").rglob("*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITEGEN_")}
    env["SITEGEN_OB2_SIGNING_KEY"] = ""  # what GitHub Actions passes for a secret that was never set
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "environ", env)
        assert main(["build", "--root", str(root), "--require-signing"]) == 1
    err = capsys.readouterr().err
    assert "SITEGEN_OB2_SIGNING_KEY" in err and "lists no signing key under 'keys:'" in err  # both, in one run
    assert sorted(p.relative_to(root) for p in (root / "output").rglob("*")) == before


def test_the_deploy_workflow_passes_the_ob2_key():
    from pathlib import Path

    import yaml

    publish = yaml.safe_load((Path(__file__).parents[1] / ".github/workflows/publish.yml").read_text())
    build_env = next(s["env"] for s in publish["jobs"]["build"]["steps"] if "env" in s)
    assert build_env["SITEGEN_OB2_SIGNING_KEY"] == "${{ secrets.SITEGEN_OB2_SIGNING_KEY }}"


def test_keys_generate_ob2_writes_the_private_key_file_when_asked(tmp_path, capsys):
    from sitegen.cli import main

    target = tmp_path / "keys" / "rsa.pem"
    target.parent.mkdir()
    assert main(["keys", "generate", "--ob2", "--private-key-file", str(target), "--root", str(tmp_path / "repo")]) == 0
    out = capsys.readouterr().out
    assert "PRIVATE KEY" not in out and "ob2_signing:" in out and str(target) in out
    assert "BEGIN PRIVATE KEY" in target.read_text() and (target.stat().st_mode & 0o077) == 0
