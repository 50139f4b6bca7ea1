"""The pull-request gate against a hostile or careless change (issue 11: parts 6, 7, 8 and 10).

Each check runs `sitegen check --base main` on a real git repository made in tmp_path: the base commit is what
main publishes, the working tree is the pull request.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import AWARD_ID, default_files, identity_hash
from helpers import git

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.commands import authoring
from sitegen.commands.check import personal_data_problems, private_key_problems, run_check
from sitegen.diagnostics import SitegenError
from sitegen.logsafe import GuardedStream, neutralise
from sitegen.openbadges.keys import generate, generate_rsa
from sitegen.urls import Urls

REPO = Path(__file__).resolve().parent.parent
SITE_YAML = textwrap.dedent(default_files()["content/site.yaml"])
GIT_USER = ["-c", "user.name=t", "-c", "user.email=t@example.org"]


def commit_base(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, *GIT_USER, "add", "-A")
    git(root, *GIT_USER, "commit", "-qm", "base")
    return root


def check(root: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--base", "main", "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


ISSUER = "name: Other Org\nurl: https://other.example.org\nemail: badges@other.example.org\n"


@pytest.fixture(scope="module")
def ed25519_keys():
    return [generate() for _ in range(3)]


@pytest.fixture(scope="module")
def rsa_keys():
    return [generate_rsa() for _ in range(2)]


def keys_yaml(*entries: tuple[str, str, bool]) -> str:
    lines = ["keys:"]
    for key_id, public, retired in entries:
        lines += [f"  - id: {key_id}", f"    public_key: {public}"] + (["    retired: true"] if retired else [])
    return "\n".join(lines) + "\n"


def ob2_yaml(public_pem: str, key_id: str = "rsa-1") -> str:
    return f"ob2_signing:\n  key_id: {key_id}\n  public_key: |\n" + textwrap.indent(public_pem.strip(), "    ") + "\n"


# --- part 6: changes that re-home or break published credentials --------------------------------------------


def test_moving_an_awarded_badge_to_another_issuer_is_refused(make_site, capsys):
    root = commit_base(
        make_site(
            {
                "content/issuers/other-org.yaml": ISSUER,
                "content/badgeclasses/unawarded.yaml": default_files()["content/badgeclasses/star.yaml"],
            }
        )
    )
    edit(root / "content/badgeclasses/star.yaml", "issuer: test-uni", "issuer: other-org")
    code, out = check(root, capsys)
    assert code == 1
    assert "badge `star` has published awards and would move from issuer `test-uni` to `other-org`" in out
    # A badge nobody holds yet may still change issuer.
    edit(root / "content/badgeclasses/star.yaml", "issuer: other-org", "issuer: test-uni")
    edit(root / "content/badgeclasses/unawarded.yaml", "issuer: test-uni", "issuer: other-org")
    code, out = check(root, capsys)
    assert code == 0, out


def test_renaming_an_issuer_of_published_awards_is_refused(make_site, capsys):
    root = commit_base(make_site())
    (root / "content/issuers/test-uni.yaml").rename(root / "content/issuers/test-university.yaml")
    for badge in ("star", "python-basics"):
        edit(root / f"content/badgeclasses/{badge}.yaml", "issuer: test-uni", "issuer: test-university")
    code, out = check(root, capsys)
    assert code == 1
    assert "issuer `test-uni` has 3 published award(s) and would disappear" in out
    assert "would move from issuer `test-uni` to `test-university`" in out


def test_a_changed_or_removed_signing_key_is_refused_and_rotation_is_allowed(make_site, capsys, ed25519_keys):
    (_, first), (_, second), (_, third) = ed25519_keys
    root = commit_base(make_site({"content/site.yaml": SITE_YAML + keys_yaml(("k1", first, False))}))
    site = root / "content/site.yaml"
    # The key's public half changes under the same id: every credential signed with it stops verifying.
    site.write_text(SITE_YAML + keys_yaml(("k1", second, False)))
    code, out = check(root, capsys)
    assert code == 1 and "the public key `keys/k1.json` signed published credentials and would change" in out
    assert "retired: true" in out  # the message says how to rotate
    # Removed, or renamed (its verification method disappears from the DID document).
    site.write_text(SITE_YAML + keys_yaml(("k2", second, False)))
    code, out = check(root, capsys)
    assert code == 1 and "the public key `keys/k1.json` signed published credentials and would be removed" in out
    assert "`did:web:example.github.io:badges#k1` of `did.json` signed published credentials" in out
    # Rotation: a new key first, the old one kept and retired.
    site.write_text(SITE_YAML + keys_yaml(("k2", second, False), ("k1", first, True)))
    code, out = check(root, capsys)
    assert code == 0, out
    assert "public key" not in out
    # And a second rotation on top of the first, as main would see it.
    git(root, *GIT_USER, "commit", "-qam", "rotate")
    site.write_text(SITE_YAML + keys_yaml(("k3", third, False), ("k2", second, True), ("k1", first, True)))
    code, out = check(root, capsys)
    assert code == 0, out


def test_a_key_nobody_has_to_prove_is_refused(make_site, capsys, ed25519_keys):
    """Every key of the DID document verifies as the issuer's, retired or not; the deploy proves only the key it
    signs with. A forger's key slipped in as retired, or behind the key in use, would make forgeries verify."""
    (_, ours), (_, forgers), (_, newer) = ed25519_keys
    root = commit_base(make_site({"content/site.yaml": SITE_YAML + keys_yaml(("k1", ours, False))}))
    site = root / "content/site.yaml"
    for keys in [
        (("k1", ours, False), ("k0", forgers, True)),  # added as retired
        (("k1", ours, False), ("k9", forgers, False)),  # added behind the key in use
        (("k2", newer, False), ("k1", ours, True), ("k0", forgers, True)),
    ]:  # hidden in a real rotation
        site.write_text(SITE_YAML + keys_yaml(*keys))
        code, out = check(root, capsys)
        assert code == 1, keys
        assert "no build ever proves who holds its private half" in out
        assert "the new key `k2`" not in out  # the key in use is the one the deploy proves
    # A rotation alone passes, with a reminder of the secret.
    site.write_text(SITE_YAML + keys_yaml(("k2", newer, False), ("k1", ours, True)))
    code, out = check(root, capsys)
    assert code == 0, out
    assert "a new signing key `k2` takes over" in out


def test_keys_may_change_while_nothing_is_published(make_site, capsys, ed25519_keys):
    (_, first), (_, second), _ = ed25519_keys
    files = {
        "content/site.yaml": SITE_YAML + keys_yaml(("k1", first, False)),
        "content/assertions/2026/spring.yaml": None,
        "content/assertions/star-carol.yaml": None,
    }
    root = commit_base(make_site(files))
    (root / "content/site.yaml").write_text(SITE_YAML + keys_yaml(("k1", second, False)))
    code, out = check(root, capsys)
    assert code == 0, out


def test_a_changed_or_removed_ob2_signing_key_is_refused(make_site, capsys, rsa_keys):
    (_, first), (_, second) = rsa_keys
    root = commit_base(make_site({"content/site.yaml": SITE_YAML + ob2_yaml(first)}))
    site = root / "content/site.yaml"
    site.write_text(SITE_YAML + ob2_yaml(second))
    code, out = check(root, capsys)
    assert code == 1 and "the public key `keys/rsa-1.json` signed published credentials and would change" in out
    site.write_text(SITE_YAML)
    code, out = check(root, capsys)
    assert code == 1 and "the public key `keys/rsa-1.json` signed published credentials and would be removed" in out


def test_an_issuer_that_would_take_over_the_ob2_key_is_refused(make_site, capsys, rsa_keys):
    (_, public), _ = rsa_keys
    root = commit_base(make_site({"content/site.yaml": SITE_YAML + ob2_yaml(public)}))
    # The OB 2.0 key belongs to the first issuer by file name: "a-first" sorts before "test-uni".
    (root / "content/issuers/a-first.yaml").write_text(ISSUER)
    code, out = check(root, capsys)
    assert code == 1
    assert (
        "the OB 2.0 signing key `keys/rsa-1.json` would change its owner from "
        "`https://example.github.io/badges/issuers/test-uni.json` to "
        "`https://example.github.io/badges/issuers/a-first.json`"
    ) in out
    assert "sorts after `test-uni`" in out
    # An issuer that sorts after the owner changes nothing of the key.
    (root / "content/issuers/a-first.yaml").rename(root / "content/issuers/zz-later.yaml")
    code, out = check(root, capsys)
    assert code == 0, out


@pytest.mark.parametrize("with_keys", [True, False])
def test_issuer_slugs_that_clash_in_the_signed_site_are_refused(make_site, capsys, tmp_path, ed25519_keys, with_keys):
    """Issuer `test-uni-credentials` publishes its OB 2.0 revocation list at revocations/test-uni-credentials.json,
    where issuer `test-uni`'s OB 3.0 list goes once the site signs. The check's build has no key, so it must
    find this from the model."""
    private, public = ed25519_keys[0]
    site_yaml = SITE_YAML + (keys_yaml(("k1", public, False)) if with_keys else "")
    root = commit_base(make_site({"content/site.yaml": site_yaml}))
    (root / "content/issuers/test-uni-credentials.yaml").write_text(ISSUER)
    code, out = check(root, capsys)
    assert code == 1
    when = (
        "in the signed site that main deploys"
        if with_keys
        else "once the site signs Open Badges 3.0 credentials (keys: in content/site.yaml)"
    )
    assert (
        f"`revocations/test-uni-credentials.json` would be published twice {when}: the OB 3.0 revocation list of "
        "issuer `test-uni` and the OB 2.0 revocation list of issuer `test-uni-credentials`"
    ) in out
    assert "Rename the issuer this change adds" in out
    if with_keys:  # the clash is real: the deploy build of this change fails
        with pytest.raises(SitegenError, match="revocations/test-uni-credentials.json"):
            build_site(root, tmp_path / "signed", environ={"SITEGEN_SIGNING_KEY": private})


def test_a_clash_published_already_is_a_warning_not_a_failure(make_site, capsys):
    root = commit_base(make_site({"content/issuers/test-uni-credentials.yaml": ISSUER}))
    edit(root / "content/issuers/test-uni.yaml", "A university", "The university")
    code, out = check(root, capsys)
    assert code == 0, out
    assert "warning: `revocations/test-uni-credentials.json` would be published twice" in out


def test_every_url_family_is_considered_by_the_clash_check():
    """The clash check knows the paths only a signed build writes (the others are checked by the unsigned build
    itself). A new path family in Urls must be sorted into one or the other here and in check._signed_claims."""
    unsigned = {
        "issuer_json",
        "issuer_page",
        "issuer_image",
        "badge_json",
        "badge_page",
        "badge_image",
        "badge_preview",
        "assertion_json",
        "assertion_page",
        "assertion_image",
        "revocation_list",
        "key_document",
        "did_document",
        "microcredential_ob2_context",
        "microcredential_ob2_schema",
        "in_language",  # {lang}/ + an unsigned path: translations of badges and issuers, the pages
        "url",
    }
    signed = {"credential_json", "credential_image", "signed_assertion", "status_list", "credential_revocations"}
    # Ids inside documents (fragments of published URLs, a DID, a urn:uuid) and the folders readers walk: no file.
    not_files = {
        "did",
        "verification_method",
        "criteria",
        "status_list_entry",
        "status_list_subject",
        "signed_assertion_id",
        "assertions_folder",
        "credentials_folder",
        "status_folder",
        "keys_folder",
    }
    families = {
        name
        for name, value in vars(Urls).items()
        if not name.startswith("_") and callable(getattr(value, "__func__", value))
    }
    assert families == unsigned | signed | not_files


def test_switching_the_credential_status_method_is_a_warning(make_site, capsys, ed25519_keys):
    _, public = ed25519_keys[0]
    root = commit_base(make_site({"content/site.yaml": SITE_YAML + keys_yaml(("k1", public, False))}))
    (root / "content/site.yaml").write_text(
        SITE_YAML + "credential_status: 1edtech\n" + keys_yaml(("k1", public, False))
    )
    code, out = check(root, capsys)
    assert code == 0, out
    assert "warning: credential_status changes from bitstring to 1edtech" in out


def test_a_signed_old_credential_still_verifies_after_a_rotation(make_site, tmp_path, ed25519_keys):
    """What the gate allows (rotation) keeps the credentials signed before it verifying."""
    from sitegen.verify.inputs import verify_site

    (first_private, first), (second_private, second), _ = ed25519_keys
    root = make_site({"content/site.yaml": SITE_YAML + keys_yaml(("k1", first, False))})
    before = build_site(root, tmp_path / "before", environ={"SITEGEN_SIGNING_KEY": first_private})
    old_credential = (before.output / f"credentials/{AWARD_ID}.json").read_bytes()
    (root / "content/site.yaml").write_text(SITE_YAML + keys_yaml(("k2", second, False), ("k1", first, True)))
    after = build_site(root, tmp_path / "after", environ={"SITEGEN_SIGNING_KEY": second_private})
    assert (after.output / f"credentials/{AWARD_ID}.json").read_bytes() != old_credential  # re-signed with k2
    (after.output / f"credentials/{AWARD_ID}.json").write_bytes(old_credential)  # the copy in a wallet
    results = {r.subject: r for r in verify_site(after.output)}
    old = next(r for subject, r in results.items() if AWARD_ID in subject and "credentials" in subject)
    assert old.status == "valid", [f.message for f in old.errors]


# --- part 10: names stay private ----------------------------------------------------------------------------


def test_issue_drops_a_name_given_without_consent(make_site, tmp_path):
    root = make_site()
    target, issued = authoring.issue(
        root,
        "star",
        [authoring.Recipient("erin@example.org", name="Erin Example")],
        issued_on=__import__("datetime").date(2026, 6, 1),
    )
    assert "Erin" not in target.read_text(encoding="utf-8")
    assert issued[0].name_dropped and issued[0].name == "Erin Example"  # kept for the mail merge only
    message = authoring.dropped_names_message(issued)
    assert "the name of 1 recipient(s) was not written" in message and "--show-name" in message
    # With consent it is written, and nothing is said.
    target, issued = authoring.issue(
        root,
        "star",
        [authoring.Recipient("fay@example.org", name="Fay", show_name=True)],
        issued_on=__import__("datetime").date(2026, 6, 1),
    )
    award = yaml.safe_load(target.read_text(encoding="utf-8"))["awards"][0]
    assert award["name"] == "Fay" and award["show_name"] is True
    assert authoring.dropped_names_message(issued) is None


def test_issue_from_a_csv_drops_names_without_consent_and_names_the_rows(make_site, tmp_path, capsys):
    root = make_site()
    sheet = tmp_path / "recipients.csv"
    sheet.write_text(
        "email,name,show_name\nhana@example.org,Hana,yes\nken@example.org,Ken Secret,no\nmia@example.org,Mia Secret,\n",
        encoding="utf-8",
    )
    assert main(["issue", "star", "--csv", str(sheet), "--root", str(root)]) == 0
    [path] = (root / "content/assertions").glob("*/star-*.yaml")
    text = path.read_text(encoding="utf-8")
    assert "Hana" in text and "Secret" not in text
    awards = yaml.safe_load(text)["awards"]
    assert [a.get("name") for a in awards] == ["Hana", None, None]
    recipients = authoring.read_csv(sheet)
    _, issued = authoring.issue(root, "star", recipients, issued_on=__import__("datetime").date(2026, 6, 2), again=True)
    message = authoring.dropped_names_message(issued)
    assert f"{sheet}:3" in message and f"{sheet}:4" in message and f"{sheet}:2" not in message


def test_check_refuses_a_new_name_without_consent(make_site, capsys):
    root = commit_base(make_site())
    (root / "content/assertions/by-hand.yaml").write_text(
        "badge: star\nissued_on: 2026-06-01\nawards:\n  - id: 11111111-2222-4333-8444-555555555555\n"
        f'    recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "s"}}\n    name: Dan Private\n'
    )
    code, out = check(root, capsys)
    assert code == 1
    assert "`content/assertions/by-hand.yaml:4` writes the recipient's name without `show_name: true`" in out
    # A name that was there already (consent withdrawn, show_name now false) is a warning, not a failure.
    (root / "content/assertions/by-hand.yaml").unlink()
    edit(root / "content/assertions/star-carol.yaml", "show_name: true", "show_name: false")
    code, out = check(root, capsys)
    assert code == 0, out
    assert (
        "warning: 1 award(s) keep a recipient's name without `show_name: true` (`content/assertions/star-carol.yaml:4`)"
        in out
    )


# --- part 8: personal data and private keys -----------------------------------------------------------------

EMAIL_DISGUISES = {
    "YAML \\x40 escape": 'narrative: "Ask alice\\x40example.org"',
    "YAML \\u0040 escape": 'narrative: "alice\\u0040example.org"',
    "YAML \\U escape": 'narrative: "alice\\U00000040example.org"',
    "full-width at": "narrative: alice＠example.org",
    "full-width escaped": 'narrative: "alice\\uff20example.org"',
    "small at": "narrative: alice﹫example.org",
    "folded double-quoted": 'narrative: "alice@\n      example.org"',
    "line continuation": 'narrative: "ali\\\n      ce@example.org"',
    "folded block": "narrative: >\n      alice\n      @example.org",
    "HTML reference": "narrative: alice&#64;example.org",
    "percent-encoded": 'evidence: [{url: "mailto:alice%40example.org"}]',
    "zero-width space": "narrative: alice@exa\u200bmple.org",
    "Markdown escape": "narrative: alice\\@example.org",
    "key": '"alice\\x40example.org": x',
    "escape in a comment": "narrative: fine  # alice\\x40example.org",
    "internationalised domain": "narrative: alice@exämple.de",
    "Japanese address": "narrative: 山田@例え.日本",
}


@pytest.mark.parametrize("disguise", EMAIL_DISGUISES.values(), ids=EMAIL_DISGUISES.keys())
def test_the_email_guard_reads_what_yaml_and_the_page_make_of_a_value(make_site, disguise):
    root = make_site(
        {
            "content/assertions/hidden.yaml": (
                "badge: star\nissued_on: 2026-06-01\nawards:\n  - id: 11111111-2222-4333-8444-555555555555\n"
                f'    recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "s"}}\n    {disguise}\n'
            )
        }
    )
    problems = personal_data_problems(root)
    assert problems and all(
        str(p.location) in ("content/assertions/hidden.yaml:6", "content/assertions/hidden.yaml:7") for p in problems
    ), problems


def test_the_email_guard_leaves_urls_with_at_signs_and_hashes_alone(make_site):
    root = make_site(
        {
            "content/assertions/fine.yaml": (
                "badge: star\nissued_on: 2026-06-01\nawards:\n  - id: 11111111-2222-4333-8444-555555555555\n"
                f'    recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "s"}}\n'
                '    evidence: [{url: "https://medium.com/@dan/my-project", name: "50% done & shown"}]\n'
            )
        }
    )
    assert personal_data_problems(root) == []


def test_an_escaped_email_fails_the_check_with_its_line(make_site, capsys):
    root = commit_base(make_site())
    path = root / "content/assertions/star-carol.yaml"
    path.write_text(path.read_text() + '    narrative: "Contact carol\\x40example.org"\n')
    code, out = check(root, capsys)
    assert code == 1 and "`content/assertions/star-carol.yaml:8` holds an email address" in out


def private_pem() -> str:
    return generate()[0]


def test_private_keys_anywhere_in_the_repository_fail_the_check(make_site, capsys, rsa_keys):
    root = commit_base(make_site())
    pem = private_pem()
    rsa_pem = rsa_keys[0][0]
    body = "\n".join(pem.strip().splitlines()[1:-1])
    planted = {
        "deploy/signing.pem": "anything at all\n",  # by name
        "ops/site.key": "x\n",
        "home/.ssh/id_ed25519": "x\n",
        "notes/keep-safe.txt": "the key:\n" + pem,  # by content, wherever it is
        "scripts/rsa.txt": rsa_pem.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY"),
        # (the armour is split in this file, which must pass the check itself)
        "docs/openssh.md": "```\n-----BEGIN OPENSSH "
        + "PRIVATE KEY-----\n"
        + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" * 2
        + "\n-----END OPENSSH PRIVATE KEY-----\n```\n",
        "config/escaped.yaml": 'key: "-----BEGIN PRIVATE\\x20KEY-----\\n' + body + '\\n-----END PRIVATE KEY-----"\n',
        "config/json-string.json": '{"key": "-----BEGIN EC PRIVATE KEY-----\\n' + body + '"}\n',
        # Private JSON Web Keys, in JSON and in YAML.
        "keys/wallet.json": '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",\n'
        ' "d": "' + "nWGxne_9WmC6hEr0" + 'kuwsxERJxWl7MmkZcDusAxyuf2A"}\n',  # split: this file passes
        "config/jwk.yaml": "kty: OKP\ncrv: Ed25519\nd: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\n",
    }
    for rel, text in planted.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    # Not keys: a public key file, and code that mentions the armour without a key after it.
    (root / "home/.ssh/id_ed25519.pub").write_text("ssh-ed25519 AAAAC3Nz… me@host\n")
    (root / "tools/check.py").parent.mkdir(parents=True, exist_ok=True)
    (root / "tools/check.py").write_text('if "-----BEGIN PRIVATE KEY-----" in text:\n    refuse()\n')
    # A public JWK (no "d") is no key either.
    (root / "keys/public.json").write_text(
        '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
    )
    code, out = check(root, capsys)
    assert code == 1
    for rel in planted:
        assert f"`{rel}" in out, rel
    assert "id_ed25519.pub" not in out and "tools/check.py" not in out and "keys/public.json" not in out
    assert "`keys/wallet.json:2` holds a private key" in out
    assert "`notes/keep-safe.txt:2` holds a private key" in out
    assert "`deploy/signing.pem` is named like a private key file" in out


def test_a_private_key_behind_a_link_is_not_read(make_site, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(private_pem())
    root = commit_base(make_site())
    (root / "notes.txt").symlink_to(outside)
    assert private_key_problems(root) == []  # the link is not followed (and content/ refuses links anyway)


def test_this_repository_passes_its_own_private_key_and_email_checks():
    """sitegen's own code, tests and docs mention keys and addresses: none may look like a real one."""
    assert private_key_problems(REPO) == []
    assert personal_data_problems(REPO) == []


# --- part 7: workflow commands in what sitegen prints -------------------------------------------------------

DOTNET_WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def runner_commands(text: str) -> list[str]:
    """The lines the GitHub Actions runner would take as workflow commands (actions/runner ActionCommand.cs:
    lines split at \\r, \\n, \\r\\n; `::name …::` after TrimStart(), or the legacy `##[name]` anywhere)."""
    found = []
    for line in re.split(r"\r\n|\r|\n", text):
        trimmed = line.lstrip(DOTNET_WHITESPACE)
        if trimmed.startswith("::") and "::" in trimmed[2:]:
            found.append(line)
        elif "##[" in line and "]" in line[line.index("##[") :]:
            found.append(line)
    return found


PAYLOADS = [
    "x\n::warning::ready to merge",
    "x\r::add-mask::plan",
    "  ::stop-commands::token",
    "\u3000::error title=ok::forged",
    "\u2028::notice::x",
    "tab\n\t::set-output name=ok::true",
    "legacy ##[warning]forged",
    "two\r\n::group::a\n::endgroup::",
    "##[stop-commands]token",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralised_text_holds_no_workflow_command(payload):
    assert runner_commands(payload), "the payload must be a command before"
    safe = neutralise(payload)
    assert runner_commands(safe) == []
    assert safe.replace("\\", "") == payload  # only a visible backslash is added


def test_guarded_streams_neutralise_lines_split_over_writes():
    import io

    sink = io.StringIO()
    stream = GuardedStream(sink)
    for piece in ["first line\r", "\n::warn", "ing::x\n", "mid ##", "[error]y\n", "end: no newline ::a::b"]:
        stream.write(piece)
    stream.flush()
    assert runner_commands(sink.getvalue()) == []
    assert sink.getvalue().replace("\\", "") == "first line\r\n::warning::x\nmid ##[error]y\nend: no newline ::a::b"


def test_the_check_plan_and_build_errors_carry_no_workflow_command(make_site, capsys):
    root = commit_base(make_site())
    # A file outside content/ is listed in the plan by name: the name is the payload.
    weird = root / "notes" / "##[warning]ready to merge"
    weird.parent.mkdir()
    weird.write_text("x")
    git(root, "add", "-A")
    code, out = check(root, capsys)
    assert "ready to merge" in out and runner_commands(out) == []
    # A content value with a line break reaches a build error message as it is; cli.main prints it through
    # the guard, so no line of it is a command.
    edit(root / "content/badgeclasses/star.yaml", "issuer: test-uni", 'issuer: "x\\n::warning::ready to merge"')
    code = main(["check", "--base", "main", "--root", str(root)])
    captured = capsys.readouterr()
    assert code == 1 and "ready to merge" in captured.err
    assert runner_commands(captured.out + captured.err) == []


def test_run_check_never_signs(make_site, ed25519_keys, monkeypatch):
    """The gate builds a pull request's content without any key in reach, whatever the environment holds."""
    private, public = ed25519_keys[0]
    monkeypatch.setenv("SITEGEN_SIGNING_KEY", private)
    root = make_site({"content/site.yaml": SITE_YAML + keys_yaml(("k1", public, False))})
    plan = run_check(root, None)
    assert any(n.message.startswith("Signed for deployment, the site will be about") for n in plan.notes)


def test_committed_build_output_and_caches_are_refused(make_site, capsys):
    root = commit_base(make_site())
    assert main(["build", "--root", str(root)]) == 0  # output/ and .sitegen-cache/ exist, not committed
    code, out = check(root, capsys)
    assert code == 0 and "never committed" not in out
    git(root, "add", "-f", "output", ".sitegen-cache")
    code, out = check(root, capsys)
    assert code == 1
    assert "`output/.nojekyll`" in out and "built files and caches are made by the build and never committed" in out
    # A link named like the folder is refused as well (git lists it as `output`, not `output/…`).
    git(root, "rm", "-r", "-q", "-f", "--cached", "output", ".sitegen-cache")
    import shutil

    shutil.rmtree(root / "output")
    (root / "output").symlink_to(root / "content")
    git(root, "add", "-f", "output")
    code, out = check(root, capsys)
    assert code == 1 and "`output`" in out and "never committed" in out
