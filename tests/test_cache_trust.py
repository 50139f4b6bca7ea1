"""Nothing of `.sitegen-cache` is trusted because of where it lies.

A pull request can commit a `.sitegen-cache/` (and an `output/`) of its own making, or a symbolic link in
their place. A cached proof is published only when its file's MAC shows the private signing key made it;
the reuse records and the checked award files only when a MAC under this machine's secret shows this machine
wrote them (and of the award files, a pickle, only the model's classes are ever unpickled); the cache is
never read or written through a link; a cache that is not what sitegen writes is ignored, never a crash.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import textwrap
from pathlib import Path

import pytest
from conftest import AWARD_ID, REVOKED_ID, default_files

from sitegen.build import cache as reuse
from sitegen.build import signing
from sitegen.build.pipeline import build_site
from sitegen.build.write import file_stamp
from sitegen.cli import main
from sitegen.openbadges.keys import generate
from sitegen.verify.inputs import verify_site

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EXPECTED = {
    f"credentials/{AWARD_ID}.json": "valid",
    f"credentials/{REVOKED_ID}.json": "revoked",
    f"credentials/{CAROL_ID}.json": "expired",
}


@pytest.fixture(scope="module")
def keypair():
    return generate()


def signed_site(make_site, keypair) -> Path:
    site = (
        textwrap.dedent(default_files()["content/site.yaml"]) + f"keys:\n  - id: key-1\n    public_key: {keypair[1]}\n"
    )
    return make_site({"content/site.yaml": site})


def build_signed(root: Path, keypair):
    return build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})


def published_proofs(root: Path) -> dict[str, str]:
    return {
        p.name: json.loads(p.read_text())["proof"][0]["proofValue"]
        for p in [*(root / "output/credentials").glob("*.json"), *(root / "output/status").glob("*.json")]
    }


def assert_verifies(root: Path) -> None:
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert {k: statuses[k] for k in EXPECTED} == EXPECTED


def forge(proofs: dict) -> dict:
    """Every proof with a real signature of another document (valid JSON, genuine-looking, wrong here)."""
    values = sorted(proof["proofValue"] for proof in proofs.values())
    return {
        key: {**proof, "proofValue": values[(values.index(proof["proofValue"]) + 1) % len(values)]}
        for key, proof in proofs.items()
    }


def read_proofs(path: Path) -> tuple[dict, bytes]:
    """The proofs of a cache file as the build writes it (a header, the JSON, then its MAC), and its MAC."""
    data = path.read_bytes()
    assert data.startswith(signing.CACHE_HEADER)
    return json.loads(data[len(signing.CACHE_HEADER) : -64]), data[-64:]


def proofs_file(proofs: dict, mac: bytes | signing.SigningContext) -> bytes:
    """A cache file of these proofs, with this MAC, or the MAC this context's key makes."""
    payload = json.dumps(proofs).encode("ascii")
    if isinstance(mac, signing.SigningContext):
        digest = mac._mac()
        digest.update(payload)
        mac = digest.hexdigest().encode("ascii")
    return signing.CACHE_HEADER + payload + mac


def generate_private():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def test_a_forged_proof_in_a_committed_cache_is_never_published(make_site, keypair):
    root = signed_site(make_site, keypair)
    build_signed(root, keypair)
    genuine, genuine_mac = read_proofs(root / signing.CACHE_FILE)
    assert genuine and all("proofValue" in proof for proof in genuine.values())
    proofs = published_proofs(root)
    attacker = signing.SigningContext(generate_private(), "key-1", keypair[1], "x", {})  # the attacker's own key
    forged = forge(genuine)
    caches = {
        "the proofs changed, the MAC kept": proofs_file(forged, genuine_mac),
        "re-MACed with another key": proofs_file(forged, attacker),
        "plain proofs, as the cache once held them": json.dumps(forged).encode(),
        "a MAC per entry, as the cache once held them": json.dumps(
            {key: {"proof": proof, "mac": "0" * 64} for key, proof in forged.items()}
        ).encode(),
    }
    for name, cache in caches.items():
        (root / signing.CACHE_FILE).write_bytes(cache)
        (root / ".sitegen-cache/proofs-v1.json").write_text(json.dumps(forged))
        result = build_signed(root, keypair)
        assert result.signed == len(genuine), name  # everything signed afresh
        assert published_proofs(root) == proofs, name
        assert_verifies(root)
    # The cache this build wrote is genuine again: the next build signs nothing and publishes the same bytes.
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert build_signed(root, keypair).signed == 0
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before


def test_a_symlinked_cache_folder_is_neither_read_nor_written(make_site, keypair, tmp_path):
    root = signed_site(make_site, keypair)
    build_signed(root, keypair)
    genuine, genuine_mac = read_proofs(root / signing.CACHE_FILE)
    proofs = published_proofs(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / signing.CACHE_NAME).write_bytes(proofs_file(forge(genuine), genuine_mac))
    (elsewhere / "proofs-v1.json").write_text("{}")
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    for path in sorted((root / ".sitegen-cache").iterdir()):
        path.unlink()
    (root / ".sitegen-cache").rmdir()
    os.symlink(elsewhere, root / ".sitegen-cache")
    result = build_signed(root, keypair)
    assert result.signed == len(genuine) and published_proofs(root) == proofs
    assert_verifies(root)
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before  # nothing written there
    assert (root / ".sitegen-cache").is_symlink()
    assert "symbolic link" in reuse.cache_note(root)
    assert any("symbolic link" in note.message for note in result.notes)  # the build says why it signed everything
    assert main(["build", "--root", str(root)]) == 0


def test_links_inside_the_cache_folder_are_neither_followed_nor_written_through(make_site, keypair, tmp_path):
    root = signed_site(make_site, keypair)
    build_signed(root, keypair)
    genuine, genuine_mac = read_proofs(root / signing.CACHE_FILE)
    proofs = published_proofs(root)
    planted = tmp_path / "planted.json"
    planted.write_bytes(proofs_file(forge(genuine), genuine_mac))
    victim = tmp_path / "victim"  # does not exist: a dangling link would create it
    cache = root / ".sitegen-cache"
    for name in (signing.CACHE_NAME, ".gitignore", reuse.CACHE_NAME):
        (cache / name).unlink()
    os.symlink(planted, cache / signing.CACHE_NAME)
    os.symlink(victim, cache / ".gitignore")
    os.symlink(planted, cache / reuse.CACHE_NAME)
    planted_bytes = planted.read_bytes()
    result = build_signed(root, keypair)
    assert result.signed == len(genuine) and result.reused == 0 and published_proofs(root) == proofs
    assert_verifies(root)
    assert planted.read_bytes() == planted_bytes and not victim.exists() and not os.path.lexists(victim)
    assert not (cache / signing.CACHE_NAME).is_symlink()  # replaced by the cache this build wrote
    assert read_proofs(cache / signing.CACHE_NAME)[0].keys() == genuine.keys()


BROKEN = {
    "not JSON": "{",
    "nested too deep": "[" * 100_000 + "]" * 100_000,
    "a list": "[]",
    "entries of the wrong shape": json.dumps({"k": 1, "k2": {"proof": [], "mac": 1}, "k3": {"proof": {}, "mac": "00"}}),
    "binary": b"\xff\xfe\x00".decode("latin-1"),
}


@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_a_cache_that_is_not_what_sitegen_writes_is_ignored(make_site, keypair, variant):
    root = signed_site(make_site, keypair)
    build_signed(root, keypair)
    (root / signing.CACHE_FILE).write_text(BROKEN[variant], encoding="latin-1")
    records = json.loads((root / reuse.CACHE_FILE).read_text())
    records["awards"] = {AWARD_ID: [[], {}, 3], CAROL_ID: {"x": 1}} if variant == "binary" else BROKEN[variant]
    (root / reuse.CACHE_FILE).write_text(json.dumps(records) if variant != "not JSON" else "{", encoding="utf-8")
    os.environ["SITEGEN_SIGNING_KEY"] = keypair[0]
    try:
        assert main(["build", "--root", str(root)]) == 0
    finally:
        del os.environ["SITEGEN_SIGNING_KEY"]
    assert_verifies(root)


def award_paths(award_id: str) -> list[str]:
    """The files of one award of an unsigned site, in the order the build stamps them."""
    return [f"assertions/{award_id}.json", f"assertions/{award_id}.html", f"assertions/{award_id}.png"]


@pytest.mark.parametrize("planted", ["a symbolic link to a file outside", "a forged file"])
def test_a_committed_awards_cache_cannot_make_the_build_publish_files_of_a_committed_output(
    make_site, tmp_path, planted
):
    """The attacker commits output/ and the reuse records, with the stamps those files will have: possible for
    a link to a file whose inode and times they know (a file of the CI runner's image), and assumed here for a
    forged file. The records are not MACed with this machine's secret, so nothing is reused."""
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    legit = json.loads((root / reuse.CACHE_FILE).read_text())
    fingerprint = legit["awards"][AWARD_ID][0]
    output = root / "output"
    assert file_stamp([output / p for p in award_paths(AWARD_ID)]) == legit["awards"][AWARD_ID][2]
    target = output / f"assertions/{AWARD_ID}.json"
    genuine = target.read_bytes()
    target.unlink()
    if planted.startswith("a symbolic"):
        secret = tmp_path / "runner-secret.txt"
        secret.write_text("SECRET-OF-THE-RUNNER\n")
        os.symlink(secret, target)
    else:
        target.write_text('{"forged": "SECRET-OF-THE-RUNNER"}\n')
    stamp = file_stamp([output / p for p in award_paths(AWARD_ID)])
    committed = {"output": str(output.absolute()), "awards": {AWARD_ID: [fingerprint, None, stamp]}}
    for name in ("awards-v2.json", "awards-v3.json"):  # the names of the records before and after MACs
        (root / ".sitegen-cache" / name).write_text(json.dumps({**committed, "mac": "0" * 64}))
    assert main(["build", "--root", str(root)]) == 0
    published = root / f"output/assertions/{AWARD_ID}.json"
    assert not published.is_symlink() and published.read_bytes() == genuine
    assert b"SECRET-OF-THE-RUNNER" not in b"".join(p.read_bytes() for p in (root / "output").rglob("*") if p.is_file())


def test_the_machine_s_own_records_are_still_reused(make_site):
    root = make_site()
    first = build_site(root)
    assert first.reused == 0
    assert build_site(root).reused == 3
    records = json.loads((root / reuse.CACHE_FILE).read_text())
    records["awards"][AWARD_ID][0] = "0" * 64  # any change of the records breaks their MAC: nothing is reused
    (root / reuse.CACHE_FILE).write_text(json.dumps(records))
    assert build_site(root).reused == 0


class _RunsCode:
    """Unpickled, it would run a command: what a forger would put in a pickled cache."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _award_files(root: Path) -> tuple[str, dict[str, list]]:
    data = (root / ".sitegen-cache" / reuse.AWARD_FILES_NAME).read_bytes()
    return pickle.loads(data[data.index(b"\n") + 1 : -64])  # the file this build wrote, read by the test


def _write_award_files(root: Path, code: str, entries: dict, secret: bytes | None) -> None:
    payload = pickle.dumps((code, entries))
    mac = reuse._award_files_mac(secret) if secret else None
    if mac is not None:
        mac.update(payload)
    (root / ".sitegen-cache" / reuse.AWARD_FILES_NAME).write_bytes(
        b"sitegen award files v2\n" + payload + (mac.hexdigest() if mac else "0" * 64).encode("ascii")
    )


@pytest.mark.parametrize(
    ("mac", "payload"), [("forged", "other awards"), ("forged", "code"), ("this machine's (a leaked secret)", "code")]
)
def test_a_planted_award_files_cache_never_changes_the_awards_or_runs_code(make_site, tmp_path, mac, payload):
    """The cache of checked award files is a pickle: read only under this machine's MAC (which only this machine's
    secret makes: the reason it never leaves the user's cache folder), and then only the model's own classes are
    unpickled, so a planted one can neither change what is published nor run code."""
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    genuine = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    code, entries = _award_files(root)
    marker = tmp_path / "code-ran"
    if payload == "code":
        planted = {key: [_RunsCode(marker)] for key in entries}
    else:  # forged awards of the right shape: every recipient's name shown as the forger's
        planted = {
            key: [dataclasses.replace(award, name="Mallory", show_name=True) for award in awards]
            for key, awards in entries.items()
        }
    secret = reuse._machine_secret() if mac.startswith("this machine") else None
    _write_award_files(root, code, planted, secret)
    assert main(["build", "--root", str(root)]) == 0
    assert not marker.exists()
    rebuilt = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert rebuilt == genuine


def test_an_award_files_cache_of_another_sitegen_is_not_used(make_site):
    root = make_site()
    build_site(root)
    code, entries = _award_files(root)
    assert reuse.AwardFileCache(root).recall(next(iter(entries))) is not None  # this sitegen's: recalled
    _write_award_files(root, "0.0.1 " + "0" * 64, entries, reuse._machine_secret())
    assert reuse.AwardFileCache(root).recall(next(iter(entries))) is None


def test_the_helper_process_never_runs_a_sitegen_folder_of_the_repository(make_site, monkeypatch, tmp_path):
    """A build runs in the repository (the deploy job: with the signing key in its environment); a pull request can
    add a `sitegen/` folder there. The helper process imports the sitegen that builds, never that one."""
    root = make_site()
    marker = tmp_path / "planted-code-ran"
    planted = f"open({str(marker)!r}, 'w').close()\\n"
    for name in ("sitegen/__init__.py", "sitegen/build/__init__.py", "sitegen/build/write.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(planted)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PYTHONPATH", str(root))
    build_site(root)
    assert build_site(root).reused == 3  # the helper linked every reused file
    assert not marker.exists()
