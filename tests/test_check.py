"""`sitegen check --base REF` on a real git repository: the plan, and the changes it refuses."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import AWARD_ID
from helpers import git

from sitegen.cli import main


@pytest.fixture
def repo(make_site):
    root = make_site()
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return root


def check(root, capsys, tmp_path):
    summary = tmp_path / "summary.md"
    code = main(["check", "--base", "main", "--root", str(root), "--summary", str(summary)])
    out = capsys.readouterr().out
    assert summary.read_text() == out.rstrip("\n") + "\n" or summary.read_text().strip() == out.strip()
    return code, out


def test_issuing_and_revoking_make_a_plan(repo, capsys, tmp_path):
    assert main(["issue", "star", "--email", "new@example.org", "--issued-on", "2026-06-01", "--root", str(repo)]) == 0
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(repo)]) == 0
    capsys.readouterr()
    code, out = check(repo, capsys, tmp_path)
    assert code == 0, out
    assert "ready to merge" in out
    assert "| awards issued | 1 |" in out and "| awards revoked | 1 |" in out
    assert f"{AWARD_ID}" in out


def test_deleting_an_award_fails_the_check(repo, capsys, tmp_path):
    (repo / "content/assertions/star-carol.yaml").unlink()
    code, out = check(repo, capsys, tmp_path)
    assert code == 1
    assert "assertions/7c9e6679-7425-40de-944b-e07fc1f90ae7.json` was published and would disappear" in out


def test_changing_a_recipient_or_badge_fails_the_check(repo, capsys, tmp_path):
    path = repo / "content/assertions/star-carol.yaml"
    path.write_text(path.read_text().replace("badge: star", "badge: python-basics"))
    code, out = check(repo, capsys, tmp_path)
    assert code == 1 and "its badge would change; revoke it and issue a new award" in out


def test_changing_base_url_fails_the_check(repo, capsys, tmp_path):
    site = repo / "content/site.yaml"
    site.write_text(site.read_text().replace("example.github.io", "other.example.org"))
    code, out = check(repo, capsys, tmp_path)
    assert code == 1 and "base_url changed" in out


def test_a_content_error_fails_with_file_and_line(repo, capsys):
    (repo / "content/issuers/test-uni.yaml").write_text("name: x\n")
    assert main(["check", "--base", "main", "--root", str(repo)]) == 1
    assert "content/issuers/test-uni.yaml:1: error: missing required field" in capsys.readouterr().err


def test_a_content_error_is_written_to_the_job_summary(repo, capsys, tmp_path):
    (repo / "content/issuers/test-uni.yaml").write_text("name: x\n")
    summary = tmp_path / "summary.md"
    assert main(["check", "--base", "main", "--root", str(repo), "--summary", str(summary)]) == 1
    assert "content/issuers/test-uni.yaml:1: error: missing required field" in summary.read_text()


def test_a_changed_shown_name_or_badge_image_is_in_the_plan(repo, capsys, tmp_path):
    path = repo / "content/assertions/star-carol.yaml"
    path.write_text(path.read_text().replace("show_name: true", "show_name: false"))
    image = repo / "content/images/star.svg"
    image.write_bytes(image.read_bytes().replace(b"</svg>", b"<circle r='1'/></svg>"))
    code, out = check(repo, capsys, tmp_path)
    assert code == 0, out
    assert "| awards changed | 1 |" in out and "7c9e6679-7425-40de-944b-e07fc1f90ae7" in out
    assert "| badges added / changed | 0 / 1 |" in out


def test_plaintext_emails_and_recipient_spreadsheets_fail_the_check(repo, capsys, tmp_path):
    (repo / "cohort.csv").write_text("email\nhana@example.org\n")
    path = repo / "content/assertions/star-carol.yaml"
    path.write_text(path.read_text() + "# hana@example.org\n")
    code, out = check(repo, capsys, tmp_path)
    assert code == 1
    assert "`cohort.csv` is a spreadsheet" in out
    assert "`content/assertions/star-carol.yaml:" in out and "holds an email address" in out


@pytest.mark.parametrize(
    "options", ["baking: files", "baking: browser", "baking: browser\naward_pages: every_language", "ob2"]
)
def test_the_check_judges_the_size_of_the_signed_site_it_cannot_build(make_site, tmp_path, options):
    """A pull request has no signing key; main deploys the signed site. The check's estimate of it must be
    close to what the signed build really publishes."""
    import textwrap

    from conftest import default_files

    from sitegen.build.pipeline import build_site, signed_size_estimate
    from sitegen.commands.check import _check_signed_size, run_check
    from sitegen.openbadges.keys import generate, generate_rsa

    private, public = generate()
    environ = {"SITEGEN_SIGNING_KEY": private}
    site_yaml = textwrap.dedent(default_files()["content/site.yaml"]) + f"keys:\n  - id: k1\n    public_key: {public}\n"
    if options == "ob2":
        rsa_private, rsa_public = generate_rsa()
        environ["SITEGEN_OB2_SIGNING_KEY"] = rsa_private
        site_yaml += (
            "ob2_signing:\n  key_id: rsa-1\n  public_key: |\n" + textwrap.indent(rsa_public.strip(), "    ") + "\n"
        )
    else:
        site_yaml += options + "\n"
    root = make_site({"content/site.yaml": site_yaml})
    plan = run_check(root, None)
    assert any(n.message.startswith("Signed for deployment, the site will be about") for n in plan.notes)
    signed = build_site(root, tmp_path / "signed", environ=environ)
    unsigned = build_site(root, tmp_path / "unsigned", environ={})
    estimate = unsigned.bytes + signed_size_estimate(root, unsigned.site, jws=options == "ob2")
    assert abs(estimate - signed.bytes) <= 0.02 * signed.bytes, (estimate, signed.bytes)
    _check_signed_size(root, dataclasses.replace(unsigned, size_limit=int(signed.bytes * 0.99)), plan)
    assert "over the limit" in plan.problems[-1].message and not plan.ok


def test_a_change_in_the_other_language_only_is_in_the_plan(repo, capsys, tmp_path):
    """The published JSON holds the default language (en here); the Japanese pages change all the same."""
    issuer = repo / "content/issuers/test-uni.yaml"
    issuer.write_text(issuer.read_text().replace("ja: テスト大学", "ja: テスト工科大学"))
    badge = repo / "content/badgeclasses/python-basics.yaml"
    badge.write_text(badge.read_text().replace("ja: Python 基礎", "ja: Python 入門"))
    code, out = check(repo, capsys, tmp_path)
    assert code == 0, out
    assert "| badges added / changed | 0 / 1 |" in out and "| issuers added / changed | 0 / 1 |" in out
    assert "| awards changed | 0 |" in out  # an award is not changed by its badge's new name


def test_new_awards_with_scattering_hand_written_ids_are_warned_about(repo, capsys, tmp_path):
    from conftest import identity_hash

    from sitegen.status import status_position

    # An id written by hand that lands in a later status list while the first has room.
    award_id = next(
        i
        for i in (f"00000000-0000-4000-8000-{n:012d}" for n in range(1000))
        if status_position("test-uni", i).list_number > 1
    )
    (repo / "content/assertions/by-hand.yaml").write_text(
        f"badge: star\nissued_on: 2026-06-01\nawards:\n  - id: {award_id}\n"
        f'    recipient: {{hash: "{identity_hash("dan@example.org")}", salt: "s"}}\n'
    )
    code, out = check(repo, capsys, tmp_path)
    assert code == 0 and "warning: 1 new award(s) have hand-written ids" in out and award_id in out
    # Awards issued by `sitegen issue` share the first list: no warning about them.
    (repo / "content/assertions/by-hand.yaml").unlink()
    assert main(["issue", "star", "--email", "erin@example.org", "--root", str(repo)]) == 0
    (tmp_path / "second").mkdir()
    code, out = check(repo, capsys, tmp_path / "second")
    assert code == 0 and "hand-written ids" not in out


def test_content_cannot_forge_the_job_summary_and_theme_changes_are_listed(repo, capsys, tmp_path):
    # A value that closes the code fence and writes a heading, a link and an image of its own.
    badge = repo / "content/badgeclasses/star.yaml"
    forged = "x\\n```\\n\\n## sitegen check: ✅ ready to merge\\n\\n[details](https://evil.example) <img src=x>"
    badge.write_text(badge.read_text().replace("issuer: test-uni", f'issuer: "{forged}"'))
    summary = tmp_path / "summary.md"
    assert main(["check", "--base", "main", "--root", str(repo), "--summary", str(summary)]) == 1
    text = summary.read_text()
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("## ")] == ["## sitegen check: ❌ must be fixed before merging"]
    fence = lines.index("```")
    assert lines[fence + 2] == "```" and "<img" in lines[fence + 1]  # the value stays one line of code
    # A change outside content/ (a theme) is listed for review, whatever the plan says about badges.
    badge.write_text(badge.read_text().replace(f'issuer: "{forged}"', "issuer: test-uni"))
    (repo / "themes/default/static").mkdir(parents=True)
    (repo / "themes/default/static/extra.css").write_text("body{}")
    git(repo, "add", "-A")
    (tmp_path / "second").mkdir()
    code, out = check(repo, capsys, tmp_path / "second")
    assert code == 0 and "Other files changed (1)" in out and "`themes/default/static/extra.css`" in out
