"""What can be proved here of sitegen on Windows (CI runs Linux only).

- The output folder swap where a folder cannot be renamed: Windows refuses to rename a folder while a program
  holds a file in it open (a browser's preview, an editor, a virus scanner) or has it as its working folder, and
  refuses to replace or delete a file held open. `WindowsLocks` gives os.replace and os.unlink those rules for
  the paths a test holds; the build itself is the real one, through the real CLI.
- Content written by a Windows editor (CRLF line endings, a UTF-8 BOM) builds the same bytes as LF content.
- No text file is opened in sitegen/ without an explicit encoding (Windows' default is the ANSI code page, cp932
  on a Japanese machine, not UTF-8).
"""

from __future__ import annotations

import argparse
import ast
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AWARD_ID
from helpers import build, edit, tree_bytes

import sitegen
import sitegen.build.cache as cache
import sitegen.build.write as write
from sitegen.cli import main, make_parser
from sitegen.messages import language_from_environment, use_language

LEFTOVER_PREFIXES = (write.STAGING_PREFIX, write.OLD_PREFIX)


class WindowsLocks:
    """os.replace and os.unlink with Windows' rules for the files and folders a test holds open."""

    def __init__(self, monkeypatch, held=(), release_after: int | None = None):
        self.held = {Path(path).absolute() for path in held}
        self.release_after = release_after  # refusals before the holder lets go (a scanner); None: never
        self.refused: list[Path] = []
        self._replace, self._unlink = os.replace, os.unlink
        monkeypatch.setattr(os, "replace", self.replace)
        monkeypatch.setattr(os, "unlink", self.unlink)
        monkeypatch.setattr(write, "exchange_folders", lambda a, b: False)  # no atomic exchange on Windows
        monkeypatch.setattr(write, "RETRY_DELAYS", (0, 0, 0))

    def _in_use(self, path) -> bool:
        if self.release_after is not None and len(self.refused) >= self.release_after:
            return False
        path = Path(path).absolute()
        return any(path == held or path in held.parents for held in self.held)

    def _refuse(self, path) -> None:
        self.refused.append(Path(path))
        raise PermissionError(errno.EACCES, "The process cannot access the file: it is being used", str(path))

    def replace(self, source, target, **kwargs):
        if not kwargs:
            for path in (source, target):
                if self._in_use(path):
                    self._refuse(path)
            if Path(target).is_dir():  # Windows never renames over an existing folder
                self._refuse(target)
        return self._replace(source, target, **kwargs)

    def unlink(self, path, **kwargs):
        if not kwargs and self._in_use(path):
            self._refuse(path)
        return self._unlink(path, **kwargs)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(LEFTOVER_PREFIXES))


def built_fresh(make_site, tmp_path, root: Path) -> dict[str, bytes]:
    """The site of `root`'s content, built into a folder of its own by the ordinary swap."""
    fresh = tmp_path / "fresh"
    shutil.copytree(root / "content", fresh / "content")
    assert build(fresh) == 0
    return tree_bytes(fresh / "output")


def second_version(root: Path) -> None:
    """A change that adds, changes and removes published files: a badge's text, and a badge with its award gone."""
    badge = root / "content/badgeclasses/python-basics.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text(edit(text, "Writes small Python programs.", "Writes Python programs."), encoding="utf-8")
    (root / "content/badgeclasses/star.yaml").unlink()
    (root / "content/assertions/star-carol.yaml").unlink()


def test_where_the_output_folder_cannot_be_renamed_its_contents_are_replaced(make_site, tmp_path, monkeypatch):
    root = make_site()
    assert build(root) == 0
    old = tree_bytes(root / "output")
    second_version(root)
    expected = built_fresh(make_site, tmp_path, root)
    assert expected != old and "badges/star.html" in old and "badges/star.html" not in expected

    # A terminal has output/ as its working folder: the folder cannot be renamed, its files can.
    locks = WindowsLocks(monkeypatch, held=[root / "output"])
    assert build(root) == 0
    assert locks.refused, "the build never tried to rename output/"
    assert tree_bytes(root / "output") == expected
    assert not leftovers(root)


NEW_AWARD = f"""\
    badge: star
    issued_on: 2026-03-01
    awards:
      - id: 3f0c5c1e-7d1a-4c53-a1b8-2f3c9d0e4b5a
        recipient: {{hash: "sha256${"ab" * 32}", salt: "{"cd" * 16}"}}
    """


@pytest.mark.parametrize("change", ["an award added: its page is reused", "a badge edited: its page is rendered again"])
def test_a_file_held_open_that_did_not_change_is_no_obstacle(make_site, monkeypatch, change):
    root = make_site()
    assert build(root) == 0
    if change.startswith("an award"):
        make_site({"content/assertions/star-dave.yaml": NEW_AWARD}, root=root)
    else:
        badge = root / "content/badgeclasses/star.yaml"
        text = badge.read_text(encoding="utf-8")
        badge.write_text(edit(text, "A star performer.", "A true star."), encoding="utf-8")
    award_page = root / f"output/assertions/{AWARD_ID}.html"
    before = award_page.read_bytes()

    WindowsLocks(monkeypatch, held=[award_page])  # the award page is open in a browser's preview
    assert build(root) == 0
    assert award_page.read_bytes() == before
    if change.startswith("an award"):
        assert (root / "output/assertions/3f0c5c1e-7d1a-4c53-a1b8-2f3c9d0e4b5a.html").is_file()
    else:
        assert "A true star." in (root / "output/badges/star.html").read_text(encoding="utf-8")
    assert not leftovers(root)


def test_a_changed_file_held_open_fails_the_build_by_name_and_the_next_build_completes(
    make_site, tmp_path, monkeypatch, capsys
):
    root = make_site()
    assert build(root) == 0
    held = root / "output/badges/python-basics.html"
    old_page = held.read_bytes()
    second_version(root)
    expected = built_fresh(make_site, tmp_path, root)
    capsys.readouterr()

    with monkeypatch.context() as patch:
        WindowsLocks(patch, held=[held])
        assert main(["build", "--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert "1 file(s) in" in error and "in use by another program" in error and "badges/python-basics.html" in error
    assert "close the program" in error
    # Every other file is the new site's; the one held open is still the old one.
    now = tree_bytes(root / "output")
    assert now["badges/python-basics.html"] == old_page != expected["badges/python-basics.html"]
    del now["badges/python-basics.html"]
    assert now == {path: data for path, data in expected.items() if path != "badges/python-basics.html"}
    assert not leftovers(root)

    # Once the program lets go, the next build completes the site.
    assert build(root) == 0
    assert tree_bytes(root / "output") == expected


def test_the_message_of_a_file_held_open_in_japanese():
    use_language("ja")
    message = str(write.OutputInUse(Path("output"), ["badges/python-basics.html", "index.html"]))
    assert message.startswith("output の 2 個のファイルが他のプログラムで使用中のため")
    assert "badges/python-basics.html" in message and "閉じてから、もう一度ビルドしてください" in message


def test_a_file_held_for_a_moment_is_tried_again(make_site, tmp_path, monkeypatch):
    root = make_site()
    assert build(root) == 0
    second_version(root)
    expected = built_fresh(make_site, tmp_path, root)

    # A virus scanner reads the new files just written: the rename is refused twice, then done.
    locks = WindowsLocks(monkeypatch, held=[root / "output"], release_after=2)
    assert build(root) == 0
    assert len(locks.refused) == 2
    assert tree_bytes(root / "output") == expected
    assert not leftovers(root)


def test_the_atomic_exchange_is_not_looked_for_on_windows(tmp_path, monkeypatch):
    """Windows has no C library to load by name: ctypes.util.find_library("c") is None there, and ctypes.CDLL(None)
    raises TypeError (not OSError), which ended every rebuild over an existing output/ in an internal error."""

    def windows_cdll(name, *args, **kwargs):
        if name is None:
            raise TypeError("argument of type 'NoneType' is not iterable")  # what CDLL(None) raises on Windows
        raise OSError(f"no {name} on Windows")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(write.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(write.ctypes, "CDLL", windows_cdll)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert write.exchange_folders(tmp_path / "a", tmp_path / "b") is False


# --- content written on Windows ----------------------------------------------------------------------------

WINDOWS_TEXT = {
    # Multi-line values of every YAML style, where a line ending could leak into the data.
    "content/badgeclasses/python-basics.yaml": """\
        issuer: test-uni
        name: {ja: Python 基礎, en: Python Basics}
        description: >
          Writes small
          Python programs.
        image: images/python.png
        image_caption: "A blue square
          with the word Python"
        criteria: |
          Requirements:

          - Pass the **final exam**
          - Submit three exercises
        tags: [python, programming]
        """,
}


def as_written_on_windows(text: bytes, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("bom", [False, True], ids=["CRLF", "CRLF with BOM (Notepad)"])
def test_content_with_windows_line_endings_builds_the_same_bytes(make_site, tmp_path, bom):
    unix = make_site(WINDOWS_TEXT, root=tmp_path / "unix")
    windows = make_site(WINDOWS_TEXT, root=tmp_path / "windows")
    converted = 0
    for path in (windows / "content").rglob("*.yaml"):
        path.write_bytes(as_written_on_windows(path.read_bytes(), bom))
        converted += 1
    assert converted >= 5 and b"\r\n" in (windows / "content/site.yaml").read_bytes()

    assert build(unix) == 0
    assert build(windows) == 0
    built_unix, built_windows = tree_bytes(unix / "output"), tree_bytes(windows / "output")
    assert built_windows == built_unix
    criteria = built_unix["badges/python-basics.json"].decode("utf-8")
    assert "Writes small Python programs." in criteria and "\\r" not in criteria


def test_two_published_names_that_differ_only_in_case_are_refused(make_site, capsys):
    """`themes/default/static/Site.css` (meant to override site.css) would publish assets/Site.css beside the
    default theme's assets/site.css: one file on Windows and macOS, so the build refuses it by name."""
    root = make_site({"themes/default/static/Site.css": "body { color: navy; }\n"})
    assert main(["build", "--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert "assets/Site.css and assets/site.css" in error or "assets/site.css and assets/Site.css" in error
    assert "differ only in case" in error and "rename one of them" in error
    assert not (root / "output").exists()

    use_language("ja")
    assert main(["build", "--lang", "ja", "--root", str(root)]) == 1
    assert "大文字・小文字しか違いません" in capsys.readouterr().err


# --- the code ---------------------------------------------------------------------------------------------

PACKAGE = Path(sitegen.__file__).parent
NOT_FILES = {"Image", "tarfile", "webbrowser", "os", "gzip", "zipfile", "urllib", "request"}


def _mode(call: ast.Call, position: int) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "mode":
            return keyword.value.value if isinstance(keyword.value, ast.Constant) else "?"
    if len(call.args) > position:
        value = call.args[position]
        return value.value if isinstance(value, ast.Constant) else "?"
    return None


def text_opened_without_encoding(source: str) -> list[int]:
    """Lines that open a file in text mode without naming its encoding: open(), Path.open(), os.fdopen(),
    read_text(), write_text()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        has_encoding = any(keyword.arg == "encoding" for keyword in node.keywords)
        if isinstance(function, ast.Name) and function.id == "open":
            mode = _mode(node, 1)
        elif isinstance(function, ast.Attribute) and function.attr in ("open", "fdopen"):
            receiver = function.value
            if function.attr == "open" and isinstance(receiver, ast.Name) and receiver.id in NOT_FILES:
                continue
            mode = _mode(node, 1 if function.attr == "fdopen" else 0)
        elif isinstance(function, ast.Attribute) and function.attr in ("read_text", "write_text"):
            position = 0 if function.attr == "read_text" else 1
            if not has_encoding and len(node.args) <= position:
                lines.append(node.lineno)
            continue
        else:
            continue
        if "b" not in (mode or "r") and not has_encoding:
            lines.append(node.lineno)
    return lines


def test_the_check_finds_text_opened_without_an_encoding():
    source = (
        "open(p)\nopen(p, 'w')\nopen(p, 'rb')\nopen(p, encoding='utf-8')\npath.open()\npath.open('wb')\n"
        "path.read_text()\npath.read_text(encoding='utf-8')\npath.write_text(t)\npath.write_text(t, 'utf-8')\n"
        "os.fdopen(fd, 'w')\nos.fdopen(fd, 'wb')\nImage.open(buffer)\n"
    )
    assert text_opened_without_encoding(source) == [1, 2, 5, 7, 9, 11]


def test_sitegen_names_the_encoding_of_every_text_file_it_opens():
    found = [
        f"{path.relative_to(PACKAGE.parent).as_posix()}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in text_opened_without_encoding(path.read_text(encoding="utf-8"))
    ]
    assert not found, "text opened in the machine's encoding (cp932 on Japanese Windows): " + ", ".join(found)


# --- the terminal ----------------------------------------------------------------------------------------


def test_output_redirected_on_a_japanese_windows_machine_is_not_an_internal_error(make_site, tmp_path):
    """Redirected (`sitegen check > plan.md`, a pipe in PowerShell), Python writes in the ANSI code page, cp932 on
    Japanese Windows, which has no ✅: PYTHONIOENCODING gives a Linux process the same stream."""
    root = make_site()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
            check=True,
            capture_output=True,
        )
    environment = {**os.environ, "PYTHONIOENCODING": "cp932", "LANG": "C.UTF-8"}
    checked = subprocess.run(
        [sys.executable, "-m", "sitegen", "check", "--base", "main", "--root", str(root)],
        capture_output=True,
        env=environment,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stderr.decode("cp932", "replace")
    assert "? ready to merge" in checked.stdout.decode("cp932")  # ✅ is not in cp932: shown as ?


# --- the Japanese README ----------------------------------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parent.parent


def commands_in_readme(text: str, heading: str) -> set[str]:
    table = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return {row.split("`")[1].split()[1] for row in table.splitlines() if row.startswith("| `sitegen ")}


def test_the_japanese_readme_documents_every_command_and_option_the_english_one_does():
    """README.ja.md is the README of the staff who issue: every command of README.md's table is in its table too,
    and every option of those commands' --help that README.md names is written in it."""
    english_text = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    english = commands_in_readme(english_text, "Commands")
    japanese_text = (REPOSITORY / "README.ja.md").read_text(encoding="utf-8")
    japanese = commands_in_readme(japanese_text, "コマンド")
    assert english - {"--version"} <= japanese, f"missing in README.ja.md's table: {english - japanese}"

    parser = make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name in sorted(english & set(commands.choices)):
        command = commands.choices[name]
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        for parser_of_command in [command, *(p for a in nested for p in a.choices.values())]:
            for option in parser_of_command._actions:
                for spelled in option.option_strings:
                    if spelled.startswith("--") and spelled in english_text and spelled not in japanese_text:
                        missing.append(f"sitegen {name} {spelled}")
    assert not missing, "options not in README.ja.md: " + ", ".join(missing)


def test_the_message_language_follows_the_windows_locale_when_no_variable_is_set():
    """Windows sets no LANG: a Japanese Windows user gets Japanese messages from the user's locale."""
    assert language_from_environment({}, windows_locale="Japanese_Japan") == "ja"
    assert language_from_environment({}, windows_locale="ja_JP") == "ja"
    assert language_from_environment({}, windows_locale="English_United States") == "en"
    assert language_from_environment({"LANG": "en_US.UTF-8"}, windows_locale="Japanese_Japan") == "en"
    assert language_from_environment({"LC_ALL": "ja_JP.UTF-8"}) == "ja"


def test_revoke_and_issue_keep_a_windows_files_line_endings(make_site):
    """A cohort file saved on Windows stays CRLF when sitegen edits it (and an LF one stays LF): the pull
    request shows only the lines that changed."""
    root = make_site()
    cohort = root / "content/assertions/2026/spring.yaml"
    crlf = cohort.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    cohort.write_bytes(crlf)
    assert main(["revoke", AWARD_ID, "--reason", "mistake", "--root", str(root)]) == 0
    after = cohort.read_bytes()
    assert b"revoked: {on:" in after and after.count(b"\n") == after.count(b"\r\n")
    assert after.replace(b"\r\n", b"\n").count(b"\n") == crlf.count(b"\r\n") + 1  # one line added, none rewritten
    args = ["issue", "python-basics", "--email", "frank@example.org", "--file", str(cohort), "--root", str(root)]
    assert main(args) == 0
    again = cohort.read_bytes()
    assert again.startswith(after) and again.count(b"\n") == again.count(b"\r\n")


def test_the_cache_works_by_path_where_there_are_no_directory_descriptors(tmp_path, monkeypatch):
    """Windows has no dir_fd: the cache is read and written by path there, and still never through a link."""
    monkeypatch.setattr(cache, "_BY_PATH", True)
    cache.write_cache(tmp_path, "proofs.json", {"a": 1})
    assert cache.read_cache(tmp_path, "proofs.json") == {"a": 1}
    assert (tmp_path / cache.CACHE_DIR / ".gitignore").read_text(encoding="utf-8") == "*\n"
    secret = tmp_path / "elsewhere.json"
    secret.write_text('{"planted": true}', encoding="utf-8")
    link = tmp_path / cache.CACHE_DIR / "planted.json"
    link.symlink_to(secret)
    assert cache.read_cache(tmp_path, "planted.json") is None  # a link is never read
    cache.write_cache(tmp_path, "planted.json", {"b": 2})
    assert secret.read_text(encoding="utf-8") == '{"planted": true}'  # nor written through
    assert cache.read_cache(tmp_path, "planted.json") == {"b": 2}


@pytest.mark.parametrize("name", ["con", "nul", "com1", "lpt9"])
def test_a_badge_named_like_a_windows_device_is_refused(make_site, name, capsys):
    root = make_site()
    (root / f"content/badgeclasses/{name}.yaml").write_text(
        (root / "content/badgeclasses/star.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["build", "--root", str(root)]) == 1
    assert f"file name '{name}' is a name Windows keeps for a device" in capsys.readouterr().err
