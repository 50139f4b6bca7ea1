"""The command line in the user's language (issue 15 item 4) and its small helps for newcomers (item 7).

Every message sitegen's Python code words through `_()`/`ngettext()` has its Japanese in the catalogue; each surface
(a build's errors, --help with argparse's own words, serve's error page in the browser) speaks Japanese when the
locale or --lang asks for it; a mistyped command gets a suggestion; date options show their format; verify of a
file inside a built folder needs no --site; `new` names what to delete; `serve` names an award page.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import catalogues
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from browser import free_port
from conftest import AWARD_ID, default_files

from sitegen.build.pipeline import build_site
from sitegen.cli import main, make_parser
from sitegen.openbadges.keys import generate

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "sitegen/locale/ja/LC_MESSAGES/cli.po"


def japanese() -> dict[str, str]:
    """The environment of a Japanese locale (read after conftest's fixture has cleared the machine's own)."""
    return {**os.environ, "LANG": "ja_JP.UTF-8"}


# --- every message has its Japanese ---------------------------------------------------------------------------


def python_messages() -> list[tuple[str, int, str | tuple[str, str]]]:
    """(file, line, msgid) of every message in sitegen/**/*.py, extracted as tools/catalogues.py extracts the `cli`
    catalogue."""
    found = []
    for path in sorted((ROOT / "sitegen").glob("**/*.py")):
        for lineno, message, _comments, _context in extract_from_file("python", path, keywords=catalogues.PY_KEYWORDS):
            if message:
                found.append((str(path.relative_to(ROOT)), lineno, message))
    return found


def test_the_catalogues_are_up_to_date():
    """tools/catalogues.py --check: both .pot files are what the code and templates hold, every message has its
    Japanese (run `python tools/catalogues.py` after changing a message)."""
    assert catalogues.main(["--check"]) == 0


def placeholders(text: str) -> list[str]:
    """The {named} and %(named)s / %s placeholders of a message, sorted (a translation must keep each)."""
    named = [field for _literal, field, _spec, _conversion in string.Formatter().parse(text) if field is not None]
    return sorted(named + re.findall(r"%(?:\(\w+\))?[sdr]", text))


def test_every_message_of_the_code_has_its_japanese_with_the_same_placeholders():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ja")
    messages = python_messages()
    assert len(messages) > 300, "the extraction found too few messages"
    problems = []
    for filename, lineno, message in messages:
        msgid, source = (message, message) if isinstance(message, str) else (message[0], message[1])
        entry = catalogue.get(msgid)
        translation = entry.string if entry is not None else ""
        if isinstance(translation, (tuple, list)):
            translation = translation[0]
        where = f"{filename}:{lineno}"
        if not translation:
            problems.append(f"{where}: no Japanese for {msgid!r}")
        elif placeholders(translation) != placeholders(source):
            problems.append(f"{where}: the Japanese of {msgid!r} has {placeholders(translation)}")
    assert not problems, f"{len(problems)} message(s) lack their Japanese:\n" + "\n".join(problems)


# --- the language: --lang, else the locale ---------------------------------------------------------------------


def run_cli(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_help_is_japanese_under_a_japanese_locale_with_argparse_s_own_words():
    shown = run_cli("--help", env=japanese())
    assert shown.returncode == 0
    assert shown.stdout.startswith("使い方：sitegen ")
    for words in (
        "オプション",
        "このヘルプを表示して終了します",
        "サイトを output/ にビルドします",
        "メッセージと --help の言語",
    ):
        assert words in shown.stdout, words
    issue = run_cli("issue", "--help", env=japanese()).stdout
    assert "授与日。例：2026-04-01（既定：今日）" in issue and "位置引数" in issue
    missing = run_cli("issue", env=japanese())  # argparse's own error, worded by it through our catalogue
    assert missing.returncode == 2 and "sitegen issue：エラー：次の引数が必要です：badge" in missing.stderr


def test_lang_overrides_the_locale_and_lc_all_overrides_lang():
    english = run_cli("--lang", "en", "--help", env=japanese())
    assert english.stdout.startswith("usage: sitegen ") and "build the site into output/" in english.stdout
    assert "usage: sitegen" in run_cli("--help", env={**japanese(), "LC_ALL": "en_US.UTF-8"}).stdout
    no_lang = {name: value for name, value in os.environ.items() if name != "LANG"}
    assert "使い方：" in run_cli("--help", env={**no_lang, "LANGUAGE": "ja:en"}).stdout
    after_the_command = run_cli("build", "--lang", "ja", "--help")  # --lang after the command works too
    assert "サイトの書き出し先" in after_the_command.stdout
    assert run_cli("--lang", "jp", "--help").returncode == 2


def test_a_build_with_a_content_error_speaks_japanese(make_site, capsys):
    root = make_site({"content/issuers/test-uni.yaml": "url: https://uni.example.org\nemail: a@uni.example.org\n"})
    assert main(["--lang", "ja", "build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/issuers/test-uni.yaml:1: エラー: " in err
    assert err.rstrip().endswith("ビルドに失敗しました（エラー 1 件）。output/ は元のままです")
    assert not (root / "output").exists()
    # --json stays the same for a program in any language: the severity keeps its English name.
    assert main(["--lang", "ja", "build", "--json", "--root", str(root)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and {d["severity"] for d in report["diagnostics"]} == {"error"}


def test_a_built_site_is_the_same_bytes_whatever_the_language(make_site, tmp_path):
    in_english, in_japanese = make_site(root=tmp_path / "en"), make_site(root=tmp_path / "ja")
    assert run_cli("build", cwd=in_english).returncode == 0
    built = run_cli("build", cwd=in_japanese, env=japanese())
    assert built.returncode == 0 and "をビルドしました" in built.stdout
    english_files, japanese_files = tree(in_english / "output"), tree(in_japanese / "output")
    assert english_files.keys() == japanese_files.keys()
    assert [rel for rel in english_files if english_files[rel] != japanese_files[rel]] == []


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- serve: its error page and its log ------------------------------------------------------------------------


class Preview:
    """`sitegen serve` as a user starts it, its log read line by line until a line is there."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--port", str(self.port)],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, words: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.lines:
                if words in line:
                    return line
            if self.process.poll() is not None and not any(words in line for line in self.lines):
                break
            time.sleep(0.1)
        raise AssertionError(f"{words!r} not in the preview's log:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_serve_shows_its_build_error_page_in_japanese(make_site):
    root = make_site({"content/issuers/test-uni.yaml": "url: https://uni.example.org\nemail: a@uni.example.org\n"})
    preview = Preview(root, japanese())
    try:
        preview.wait_for("ビルドに失敗しました（問題 1 件）：")
        preview.wait_for("でプレビューしています（Ctrl-C で終了。output/ は変更しません）")
        status, body = fetch(f"http://127.0.0.1:{preview.port}/")
        assert status == 500
        assert '<html lang="ja">' in body and "<title>ビルド失敗</title>" in body
        assert "<h1>サイトをビルドできませんでした</h1>" in body and "このページは自動で再読み込みされます。" in body
        assert "content/issuers/test-uni.yaml:1: エラー: " in body
    finally:
        preview.stop()


def test_serve_names_an_award_page_that_opens(make_site):
    preview = Preview(make_site(), {**os.environ})
    try:
        line = preview.wait_for("an award page to look at: ")
        url = line.split("an award page to look at: ", 1)[1]
        assert url == f"http://127.0.0.1:{preview.port}/assertions/{AWARD_ID}.html"  # not the revoked one
        status, body = fetch(url)
        assert status == 200 and "Python Basics" in body
    finally:
        preview.stop()


# --- item 7: did you mean, date formats, verify inside a built folder, new's sample award --------------------


def test_a_mistyped_command_suggests_the_closest(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["biuld"])
    assert stopped.value.code == 2
    assert "invalid choice: 'biuld'" in capsys.readouterr().err.replace("\n", " ")
    with pytest.raises(SystemExit):
        main(["biuld"])
    assert capsys.readouterr().err.rstrip().endswith("did you mean 'build'?")
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "verfy"])
    assert capsys.readouterr().err.rstrip().endswith("。「verify」のことですか？")
    with pytest.raises(SystemExit):
        main(["xyzzy"])  # nothing close: argparse's message alone
    assert "did you mean" not in capsys.readouterr().err


def test_a_mistyped_option_suggests_the_closest_of_its_command(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["issue", "first-badge", "--email", "a@example.org", "--isued-on", "2026-04-01"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("unrecognized arguments: --isued-on 2026-04-01; did you mean '--issued-on'?")
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "keys", "generate", "--privat-key-file=key.pem"])  # a command's own command
    suggested = "認識できない引数です：--privat-key-file=key.pem。「--private-key-file」のことですか？"
    assert suggested in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["build", "--zzz"])
    assert capsys.readouterr().err.rstrip().endswith("error: unrecognized arguments: --zzz")


def test_every_date_option_shows_its_format_and_an_example():
    parser = make_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    dates = [
        (name, option)
        for name, command in commands.choices.items()
        for option in command._actions
        if getattr(option.type, "__name__", "") == "_day"
    ]
    assert {(name, option.option_strings[0]) for name, option in dates} >= {
        ("issue", "--issued-on"),
        ("issue", "--expires"),
        ("revoke", "--on"),
    }
    for name, option in dates:
        assert option.metavar == "YYYY-MM-DD", (name, option.option_strings)
        assert re.search(r"e\.g\. \d{4}-\d\d-\d\d", option.help), (name, option.help)
    shown = " ".join(commands.choices["issue"].format_help().split())
    assert "--issued-on YYYY-MM-DD the issue date, e.g. 2026-04-01 (default: today)" in shown


@pytest.fixture
def signed_build(make_site):
    """A site built with an OB 3.0 signing key: assertions/x.png (OB 2.0) and credentials/x.json|png (OB 3.0)."""
    private, public = generate()
    site_yaml = textwrap.dedent(default_files()["content/site.yaml"]) + f"keys:\n  - id: k1\n    public_key: {public}\n"
    root = make_site({"content/site.yaml": site_yaml})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root


def test_verify_of_a_file_inside_a_built_folder_reads_that_folder_offline(signed_build):
    # The site's base URL (example.github.io/badges) publishes nothing: only the folder can confirm these files.
    for rel in (f"output/assertions/{AWARD_ID}.png", f"output/credentials/{AWARD_ID}.json"):
        checked = run_cli("verify", rel, cwd=signed_build)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("VALID"), checked.stdout
        folder = signed_build.absolute() / "output"
        assert checked.stderr.strip() == f"reading the site's files from {folder} (as --site {folder})"
    # Copied out of the folder, the same file is checked against the issuer's site as before (here: unreachable
    # or not found), and an explicit --site still wins.
    outside = signed_build / f"{AWARD_ID}.png"
    outside.write_bytes((signed_build / f"output/assertions/{AWARD_ID}.png").read_bytes())
    assert run_cli("verify", outside.name, cwd=signed_build).returncode != 0
    assert run_cli("verify", outside.name, "--site", "output", cwd=signed_build).returncode == 0


def test_verify_inside_a_built_folder_in_japanese_words_the_verdict(signed_build):
    checked = run_cli("verify", f"output/credentials/{AWARD_ID}.json", cwd=signed_build, env=japanese())
    assert checked.returncode == 0
    assert checked.stdout.startswith("有効") and "1 件を検証しました：有効 1 件" in checked.stdout
    assert "サイトのファイルを" in checked.stderr and "から読み取ります（--site " in checked.stderr


def test_new_says_which_sample_award_to_delete_before_publishing(tmp_path):
    created = run_cli("new", "badges", "--microcredential", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    last = created.stdout.strip().splitlines()[-1]
    assert last.startswith("before publishing, delete the sample awards (they award the badges to you@example.org): ")
    named = last.split(": ", 1)[1].split(", ")
    assert len(named) == 2 and all((tmp_path / path).is_file() for path in named)
    assert {Path(path).name for path in named} == {"first-badge.yaml", "intro-data-analysis.yaml"}
    in_japanese = run_cli("new", "other", cwd=tmp_path, env=japanese())
    assert "新しいバッジサイトを other/ に作成しました" in in_japanese.stdout
    assert "公開する前に、サンプルの授与ファイルを削除してください" in in_japanese.stdout


def test_japanese_output_in_a_legacy_encoding_does_not_fail(tmp_path):
    """Japanese Windows writes redirected output in cp932, which lacks a few characters sitegen prints (›)."""
    printed = subprocess.run(
        [sys.executable, "-m", "sitegen", "--lang", "ja", "keys", "generate"],
        cwd=tmp_path,
        env={**japanese(), "PYTHONIOENCODING": "cp932"},
        capture_output=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr.decode("cp932")
    text = printed.stdout.decode("cp932")
    assert "1. 公開鍵を content/site.yaml に追加して、コミットしてください：" in text
    assert "GitHub ? Settings ? Environments" in text


def test_a_global_option_after_the_command_says_where_it_goes(make_site, capsys):
    with pytest.raises(SystemExit):
        main(["build", "--debug", "--root", str(make_site())])
    assert "--debug goes before the command: sitegen --debug build" in capsys.readouterr().err
