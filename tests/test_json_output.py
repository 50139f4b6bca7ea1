"""`sitegen build --json` and `sitegen check --json`: one JSON object with the diagnostics as objects; the text
output without --json is what it always was."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import git

from sitegen.cli import main

BAD_BADGE = {"content/badgeclasses/star.yaml": "issuer: nobody\nname: Star\n"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def pull_request(make_site):
    """A repository whose working tree adds a recipient spreadsheet and an email address in an award file."""
    root = make_site()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "recipients.csv").write_text("email\nx@example.org\n")
    award = root / "content/assertions/star-carol.yaml"
    award.write_text(award.read_text() + "# from bob@example.org\n")
    return root


def by_code(diagnostics: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in diagnostics:
        assert set(item) == {"severity", "code", "message", "path", "line", "column"}
        out.setdefault(item["code"], []).append(item)
    return out


def test_build_json_on_a_good_site(make_site, capsys):
    root = make_site()
    code, out, err = run(capsys, "build", "--json", "--root", str(root))
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["ok"] is True
    assert (report["issuers"], report["badges"], report["awards"]) == (1, 2, 3)
    assert report["files"] > 0 and report["bytes"] > 0 and report["output"] == str(root / "output")
    [note] = by_code(report["diagnostics"])["build.ob3-skipped"]
    assert note["severity"] == "note" and note["path"] == "content/site.yaml"
    assert note["message"].startswith("Open Badges 3.0 credentials were skipped: ")


def test_build_json_on_a_bad_site(make_site, capsys):
    root = make_site(BAD_BADGE)
    code, out, err = run(capsys, "build", "--json", "--root", str(root))
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["ok"] is False
    assert report["error"] == "build failed: 5 error(s); output/ was left as it was"
    [unknown] = by_code(report["diagnostics"])["content.unknown-issuer"]
    assert unknown["severity"] == "error"
    assert (unknown["path"], unknown["line"]) == ("content/badgeclasses/star.yaml", 1)
    assert "unknown issuer 'nobody'" in unknown["message"]
    assert not (root / "output").exists()


def test_check_json_on_a_pull_request_with_plan_problems(pull_request, capsys, tmp_path):
    summary = tmp_path / "summary.md"
    code, out, err = run(
        capsys, "check", "--json", "--base", "main", "--root", str(pull_request), "--summary", str(summary)
    )
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["ok"] is False and report["base"] == "main"
    assert report["issued"] == [] and report["files"] > 0
    found = by_code(report["diagnostics"])["check.personal-data"]
    where = sorted((d["path"], d["line"], d["severity"]) for d in found)
    assert where == [("content/assertions/star-carol.yaml", 8, "error"), ("recipients.csv", 0, "error")]
    assert "## sitegen check: ❌" in summary.read_text()  # the job summary is written as without --json


def test_check_json_has_the_notes(make_site, capsys):
    code, out, _ = run(capsys, "check", "--json", "--root", str(make_site()))
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    [note] = by_code(report["diagnostics"])["check.no-base"]
    assert note["severity"] == "note" and note["message"].startswith("nothing to compare with: no --base given")
    assert report["compared"] is False


def test_check_json_when_the_content_does_not_build(make_site, capsys):
    code, out, err = run(capsys, "check", "--json", "--root", str(make_site(BAD_BADGE)))
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["ok"] is False and report["error"] == "5 error(s) in the content"
    assert "content.unknown-issuer" in by_code(report["diagnostics"])


# The text outputs below were captured from the code before diagnostics became objects (commit 86e4918).


def test_build_text_is_unchanged(make_site, capsys):
    root = make_site()
    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 0
    assert out == (
        "built 1 issuer(s), 2 badge(s), 3 award(s): 39 files, 0.5 MB (0.0% of the GitHub Pages limit) in "
        f"{root}/output\n"
    )
    assert err == (
        "note: Open Badges 3.0 credentials were skipped: content/site.yaml lists no signing key under 'keys:' "
        "(run `sitegen keys generate`). The Open Badges 2.0 site was built.\n"
    )
    code, out, err = run(capsys, "build", "--root", str(make_site(BAD_BADGE)))
    assert code == 1 and out == ""
    assert err == (
        "content/badgeclasses/star.yaml:1: error: missing required field 'criteria'\n"
        "content/badgeclasses/star.yaml:1: error: missing required field 'description'\n"
        "content/badgeclasses/star.yaml:1: error: missing required field 'image'\n"
        "content/badgeclasses/star.yaml:1: error: missing required field 'image_caption'\n"
        "content/badgeclasses/star.yaml:1: error: unknown issuer 'nobody' (issuers: test-uni; one per file in "
        "content/issuers/)\n"
        "build failed: 5 error(s); output/ was left as it was\n"
    )


CHECK_TEXT = """\
## sitegen check: ❌ must be fixed before merging

### Problems

- `content/assertions/star-carol.yaml:8` holds an email address: award files keep only the salted hash that \
`sitegen issue` writes
- `recipients.csv` is a spreadsheet in the repository: recipient lists hold personal data. Keep it outside the \
repository (sitegen issue --csv reads it from anywhere).

### What this change publishes{against}

| | count |
|---|---|
| awards issued | 0 |
| awards revoked | 0 |
| awards changed | 0 |
| badges added / changed | 0 / 0 |
| issuers added / changed | 0 / 0 |

Site: 39 files, 0.5 MB.
{notes}
"""


def test_check_text_is_unchanged(pull_request, capsys):
    code, out, err = run(capsys, "check", "--base", "main", "--root", str(pull_request))
    assert code == 1 and err == ""
    assert out == CHECK_TEXT.format(against=" compared with `main`", notes="")
    # Without --base: the merge base of the default branch, and the plan says so.
    merge_base = subprocess.run(
        ["git", "-C", str(pull_request), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()[:12]
    code, out, err = run(capsys, "check", "--root", str(pull_request))
    assert code == 1 and err == ""
    chosen = f"- no --base given: compared with `main` where this branch left it (merge base {merge_base})\n"
    assert out == CHECK_TEXT.format(against=f" compared with `main ({merge_base})`", notes=chosen)
