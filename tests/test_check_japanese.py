"""`sitegen check` in Japanese (issue 15, item 4): the Markdown plan a reviewer reads in the job summary (its
verdict, headings, table and sentences), the plan's problems and notes, the job summary of a change that does not
build and git's errors, on a real git repository with a base commit, through the real CLI. `--json` keeps its keys
and codes."""

from __future__ import annotations

import json

import pytest
from conftest import AWARD_ID
from helpers import git

from sitegen.cli import main

STAR_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"  # the star award, in content/assertions/star-carol.yaml


@pytest.fixture
def repo(make_site):
    root = make_site()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def check_ja(root, capsys, tmp_path, *options: str) -> tuple[int, str, str]:
    """`sitegen --lang ja check`: the exit code, the plan as printed and as written to the job summary."""
    summary = tmp_path / "summary.md"
    capsys.readouterr()
    code = main(["--lang", "ja", "check", "--root", str(root), "--summary", str(summary), *options])
    return code, capsys.readouterr().out, summary.read_text(encoding="utf-8")


def test_the_plan_of_a_change_is_in_japanese(repo, capsys, tmp_path):
    assert main(["issue", "star", "--email", "new@example.org", "--issued-on", "2026-06-01", "--root", str(repo)]) == 0
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(repo)]) == 0

    code, out, summary = check_ja(repo, capsys, tmp_path, "--base", "main")

    assert code == 0, out
    assert summary.strip() == out.strip()
    lines = out.splitlines()
    assert lines[0] == "## sitegen check：✅ マージできます"
    assert "### この変更で公開されるもの（`main` との比較）" in lines
    table = lines[lines.index("| | 件数 |") :][:7]
    assert table == [
        "| | 件数 |",
        "|---|---|",
        "| 発行した授与 | 1 |",
        "| 失効させた授与 | 1 |",
        "| 変更した授与 | 0 |",
        "| 追加 / 変更したバッジ | 0 / 0 |",
        "| 追加 / 変更した発行者 | 0 / 0 |",
    ]
    assert "<details><summary>発行（1）</summary>" in lines
    assert "<details><summary>失効（1）</summary>" in lines
    assert any(line.startswith("サイト：") and line.endswith(" MB。") for line in lines), out
    for english in ("ready to merge", "What this change publishes", "count", "awards issued", "Site:"):
        assert english not in out


def test_a_problem_fails_the_plan_in_japanese(repo, capsys, tmp_path):
    (repo / "content/assertions/star-carol.yaml").unlink()

    code, out, _summary = check_ja(repo, capsys, tmp_path, "--base", "main")

    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "## sitegen check：❌ マージ前に修正が必要です"
    assert "### 問題" in lines
    assert (
        f"- `assertions/{STAR_ID}.json` は公開済みですが、この変更で消えてしまいます。"
        "授与は削除せずに失効させ、バッジと発行者のファイルは残してください"
    ) in lines, out


def test_a_changed_recipient_and_a_spreadsheet_are_explained_in_japanese(repo, capsys, tmp_path):
    path = repo / "content/assertions/star-carol.yaml"
    path.write_text(path.read_text().replace("badge: star", "badge: python-basics"))
    (repo / "cohort.csv").write_text("email\nhana@example.org\n")

    code, out, _summary = check_ja(repo, capsys, tmp_path, "--base", "main")

    assert code == 1
    assert f"授与 {STAR_ID} のバッジが変わってしまいます。この授与を失効させ、新しい授与を発行してください" in out
    assert "`cohort.csv` はリポジトリ内の表計算ファイルです。受領者の一覧には個人情報が含まれます。" in out


def test_without_a_base_the_plan_says_so_in_japanese(make_site, capsys, tmp_path):
    root = make_site()
    git(root, "init", "-q", "-b", "trunk")  # no main or master: nothing to compare with
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")

    code, out, _summary = check_ja(root, capsys, tmp_path)

    assert code == 0, out
    assert out.splitlines()[0] == (
        "## sitegen check：⚠️ ベースのリビジョンと比較していません："
        "ビルドと検証はできますが、それ以上のことはわかりません"
    )
    assert "### この変更で公開されるもの" in out.splitlines()
    assert "- 比較対象がありません。--base の指定がなく、既定のブランチ（origin/HEAD、main、master）も" in out


def test_an_unknown_base_is_a_one_line_japanese_error(repo, capsys):
    capsys.readouterr()

    assert main(["--lang", "ja", "check", "--root", str(repo), "--base", "nope"]) != 0

    err = capsys.readouterr().err
    assert (
        "リビジョン 'nope' が見つかりません。このリポジトリのブランチ、タグ、またはコミットを指定してください"
        "（ブランチの一覧は `git branch -a` で確認できます）"
    ) in err, err
    assert len(err.strip().splitlines()) == 1


def test_the_summary_of_a_change_that_does_not_build_is_in_japanese(repo, capsys, tmp_path):
    (repo / "content/issuers/test-uni.yaml").write_text("name: x\n")
    summary = tmp_path / "summary.md"

    assert main(["--lang", "ja", "check", "--base", "main", "--root", str(repo), "--summary", str(summary)]) == 1

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## sitegen check：❌ マージ前に修正が必要です\n\nコンテンツをビルドできません。")
    assert "content/issuers/test-uni.yaml:1:" in text


def test_json_keeps_its_keys_and_codes_with_the_messages_in_japanese(repo, capsys):
    (repo / "cohort.csv").write_text("email\nhana@example.org\n")
    capsys.readouterr()

    assert main(["--lang", "ja", "check", "--base", "main", "--root", str(repo), "--json"]) == 1

    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["compared"] is True and report["base"] == "main"
    problem = next(d for d in report["diagnostics"] if d["code"] == "check.personal-data")
    assert problem["severity"] == "error"
    assert problem["message"].startswith("`cohort.csv` はリポジトリ内の表計算ファイルです。")


def test_english_is_unchanged(repo, capsys, tmp_path):
    summary = tmp_path / "summary.md"
    capsys.readouterr()

    assert main(["--lang", "en", "check", "--base", "main", "--root", str(repo), "--summary", str(summary)]) == 0

    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["## sitegen check: ✅ ready to merge", ""]
    assert "### What this change publishes compared with `main`" in out
    assert "| | count |\n|---|---|\n| awards issued | 0 |" in out
