"""YAML mistakes explained (#15 item 1): the line and column of the mistake itself, the line quoted with a ^ under
it, the character named and the fix, in English and in Japanese; CRLF files read exactly as LF ones.

Each mistake is one small file of a scratch site, read through the real loader (and a few through the CLI)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from conftest import AWARD_ID, SALT, identity_hash
from helpers import build, tree_bytes

import sitegen.content
from sitegen.cli import main
from sitegen.content.load import load_content
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Collector
from sitegen.messages import translations, use_language

ISSUER = "content/issuers/test-uni.yaml"
BADGE = "content/badgeclasses/star.yaml"
AWARDS = "content/assertions/star-carol.yaml"
RECIPIENT = f'{{hash: "{identity_hash("carol@example.org")}", salt: "{SALT}"}}'
BADGE_START = (
    "issuer: test-uni\nname: Star\nimage: images/star.svg\nimage_caption: A blue circle\ncriteria: Be a star.\n"
)
AWARDS_START = "badge: star\nissued_on: 2025-01-15\nawards:\n"


@dataclass(frozen=True)
class Case:
    file: str
    text: str | bytes
    line: int
    column: int
    marker: str  # the line under the quoted one, as printed
    english: tuple[str, ...]  # words the English message holds
    japanese: tuple[str, ...]  # and the Japanese one


CASES = {
    # The issue's own: a full-width space after the colon; PyYAML stops on the next line.
    "full-width space after a colon": Case(
        ISSUER,
        "name: テスト大学\nurl:\u3000https://uni.example.org\nemail: badges@uni.example.org\n",
        2,
        5,
        "      |     ^",
        ("a full-width space (U+3000) after 'url:'", "Replace the full-width space with a normal space."),
        ("全角スペース（U+3000）", "'url:' の後", "全角スペースを半角スペースに置き換えてください。"),
    ),
    "full-width space as indentation of a list item": Case(
        AWARDS,
        AWARDS_START + f"\u3000- id: {AWARD_ID}\n",
        4,
        1,
        "      | ^",
        ("a full-width space (U+3000) in the indentation", "Replace the full-width space with a normal space."),
        ("字下げに全角スペース（U+3000）が使われています", "半角スペースに置き換えてください"),
    ),
    "full-width space on a line of its own": Case(
        ISSUER,
        "name: Test\n\u3000\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        2,
        1,
        "      | ^",
        ("a full-width space (U+3000)", "normal space"),
        ("全角スペース（U+3000）", "半角スペース"),
    ),
    "full-width colon": Case(
        ISSUER,
        "name\uff1aテスト大学\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        5,
        "      |     ^",
        ("a full-width colon (U+FF1A) after 'name' where YAML needs ':'", "Replace '：' with ':'", "name: value"),
        ("全角コロン（U+FF1A）", "'name' の後が ':' ではなく", "name: 値"),
    ),
    "full-width colon on the last line": Case(
        ISSUER,
        "url: https://uni.example.org\nemail: badges@uni.example.org\nname\uff1aテスト大学\n",
        3,
        5,
        "      |     ^",
        ("a full-width colon (U+FF1A)",),
        ("全角コロン（U+FF1A）",),
    ),
    "tab in the indentation": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\n\t- stars\n",
        8,
        1,
        "      | ^",
        ("a tab (U+0009) in the indentation", "Indent with spaces, not tabs."),
        ("字下げにタブ文字（U+0009）が使われています", "タブではなく半角スペース"),
    ),
    "non-breaking space after a colon": Case(
        ISSUER,
        "name:\u00a0Test\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        6,
        "      |      ^",
        ("a non-breaking space (U+00A0) after 'name:'", "Replace the non-breaking space with a normal space."),
        ("ノーブレークスペース（U+00A0）", "半角スペースに置き換えてください"),
    ),
    "non-breaking space as indentation": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\n\u00a0 - stars\n",
        8,
        1,
        "      | ^",
        ("a non-breaking space (U+00A0) in the indentation",),
        ("字下げにノーブレークスペース（U+00A0）",),
    ),
    "unquoted text with ': ' in it": Case(
        BADGE,
        BADGE_START + "description: 注意: 受講前に登録が必要です\n",
        6,
        16,
        "      |                  ^",
        (
            "a second ': ' in the value of 'description'",
            "Put text containing ': ' in quotes",
            '"注意: 受講前に登録が必要です"',
        ),
        ("'description' の値の中に ': ' があります", "': ' を含む文章は引用符で囲んでください", '"注意: 受講前に'),
    ),
    "a hashtag that starts a comment": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags: [python, #AI]\n",
        7,
        16,
        "      |                ^",
        ("'#' starts a comment here", "Put text starting with '#' in quotes"),
        ("'#' からコメントが始まる", "引用符で囲んでください"),
    ),
    "no space after the colon": Case(
        ISSUER,
        "name: Test\nurl:https://uni.example.org\nemail: badges@uni.example.org\n",
        2,
        5,
        "      |     ^",
        ("no space after 'url:'", "Put a space after the colon: url: value"),
        ("'url:' の後にスペースがありません", "コロンの後に半角スペースを入れてください"),
    ),
    "key:value on the last line": Case(
        ISSUER,
        "name: Test\nurl: https://uni.example.org\nemail:badges@uni.example.org\n",
        3,
        7,
        "      |       ^",
        ("no space after 'email:'",),
        ("'email:' の後にスペースがありません",),
    ),
    "long vowel mark as a list marker": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\nー python\nー programming\n",
        8,
        1,
        "      | ^",
        ("'ー' (U+30FC) used as a list marker", "Start each list item with '-' (a normal hyphen)"),
        ("リストの記号に'ー'（U+30FC）が使われています", "半角の '-'"),
    ),
    "middle dot as a list marker": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\n・python\n・programming\n",
        8,
        1,
        "      | ^",
        ("'・' (U+30FB) used as a list marker",),
        ("リストの記号に'・'（U+30FB）",),
    ),
    "full-width hyphen as a list marker": Case(
        AWARDS,
        AWARDS_START + f"  － id: {AWARD_ID}\n    recipient: {RECIPIENT}\n",
        4,
        3,
        "      |   ^",
        ("'－' (U+FF0D) used as a list marker",),
        ("'－'（U+FF0D）",),
    ),
    "no space after the list marker": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\n-python\n-programming\nvalid_for: P1Y\n",
        8,
        2,
        "      |  ^",
        ("no space after the list marker '-'", "Put a space after '-'"),
        ("リストの記号 '-' の後にスペースがありません",),
    ),
    "a full-width space after the list marker": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags:\n-\u3000python\n-\u3000programming\n",
        8,
        2,
        "      |  ^",
        ("a full-width space (U+3000) after the list marker '-'", "Replace the full-width space with a normal space."),
        ("リストの記号 '-' の後に全角スペース（U+3000）があります",),
    ),
    "unclosed double quote": Case(
        ISSUER,
        'name: "テスト大学\nurl: https://uni.example.org\nemail: badges@uni.example.org\n',
        1,
        7,
        "      |       ^",
        ('the quote " is never closed', 'Add the closing " at the end of the value.'),
        ('引用符 " が閉じられていません', '値の最後に閉じる " を付けてください。'),
    ),
    "unclosed bracket": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags: [python, programming\nvalid_for: P1Y\n",
        7,
        7,
        "      |       ^",
        ("the '[' is never closed by ']'", "Add the closing ']'"),
        ("'[' が ']' で閉じられていません",),
    ),
    "text after a closing bracket": Case(
        ISSUER,
        "name: [重要] テスト大学\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        12,
        "      |              ^",
        ("text after the closing ']'", 'put the whole value in quotes: name: "[重要] テスト大学"'),
        ("閉じる ']' の後に文字があります", "リストとして読みます"),
    ),
    "text after a closing quote": Case(
        ISSUER,
        "name: 'Women's University'\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        14,
        "      |              ^",
        ("text after the closing quote", "write an apostrophe twice ('')"),
        ("閉じる引用符の後に文字があります", "アポストロフィを 2 つ（''）"),
    ),
    "curly quotes": Case(
        ISSUER,
        "name: “テスト大学: 本部”\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        7,
        "      |       ^",
        (
            "a curly quote '“' (U+201C) at the start of the value",
            'Use straight quotes around the value: name: "テスト大学: 本部"',
        ),
        ("全角の引用符 “（U+201C）", "半角の引用符で囲んでください"),
    ),
    "a value starting with @": Case(
        ISSUER,
        "name: Test\nurl: https://uni.example.org\nemail: @badges\n",
        3,
        8,
        "      |        ^",
        ("a value cannot start with '@'", 'Put the value in quotes: email: "@badges"'),
        ("値を '@' で始めることはできません", "値を引用符で囲んでください"),
    ),
    "a value starting with a backtick": Case(
        BADGE,
        BADGE_START + "description: `print()` を使います\n",
        6,
        14,
        "      |              ^",
        ("a value cannot start with '`'",),
        ("値を '`' で始めることはできません",),
    ),
    "a list item indented wrongly": Case(
        AWARDS,
        AWARDS_START + f"  - id: {AWARD_ID}\n    recipient: {RECIPIENT}\n - id: x\n",
        6,
        2,
        "      |  ^",
        ("the indentation of this line (1 space) matches none of the lines above", "indented by 0, 2, 4 spaces"),
        ("この行の字下げ（スペース 1 個）が上のどの行とも揃っていません", "揃えてください"),
    ),
    "mixed indentation of keys": Case(
        AWARDS,
        AWARDS_START + f"  - id: {AWARD_ID}\n    recipient: {RECIPIENT}\n   name: Carol\n",
        6,
        4,
        "      |    ^",
        ("the indentation of this line (3 spaces)", "indented by 2, 4 spaces"),
        ("字下げ（スペース 3 個）",),
    ),
    "a key indented under a key that has a value": Case(
        ISSUER,
        "name: Test\nurl: https://uni.example.org\nemail: badges@uni.example.org\n  colour: blue\n",
        4,
        3,
        "      |   ^",
        ("indented more than 'email' above it, which already has a value", "Indent it like 'email' (0 spaces)"),
        ("すでに値のある上の 'email' より深く字下げ", "'email' と同じ字下げ（スペース 0 個）"),
    ),
    "a key without a colon": Case(
        ISSUER,
        "name: Test\nurl\nemail: badges@uni.example.org\n",
        2,
        4,
        "      |    ^",
        ("no ':' after 'url'", "Write 'key: value'"),
        ("'url' の後に ':' がありません", "「キー: 値」の形"),
    ),
    "a byte order mark in the middle": Case(
        ISSUER,
        "name: Test\n\ufeffurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        2,
        1,
        "      | ^",
        ("a byte order mark (U+FEFF)", "Delete the invisible character"),
        ("バイトオーダーマーク（U+FEFF）", "目に見えない文字を削除してください"),
    ),
    "a zero-width space before a key": Case(
        ISSUER,
        "name: Test\nurl: https://uni.example.org\n\u200bemail: badges@uni.example.org\n",
        3,
        1,
        "      | ^",
        ("a zero-width space (U+200B)", "Delete the invisible character"),
        ("ゼロ幅スペース（U+200B）", "削除してください"),
    ),
    "a full-width space inside a key": Case(
        ISSUER,
        "name\u3000: Test\nurl: https://uni.example.org\nemail: badges@uni.example.org\n",
        1,
        5,
        "      |     ^",
        ("a full-width space (U+3000) in the key 'name'",),
        ("キー 'name' に全角スペース（U+3000）が含まれています",),
    ),
    "a list on the key's line": Case(
        BADGE,
        BADGE_START + "description: A star.\ntags: - python\n",
        7,
        7,
        "      |       ^",
        ("a list item on the same line as 'tags:'", "Start the list on the next line"),
        ("'tags:' と同じ行にリストの項目があります",),
    ),
    "a Windows path in double quotes": Case(
        BADGE,
        BADGE_START + 'description: "C:\\Users\\office\\star.png"\n',
        6,
        17,
        "      |                 ^",
        ("a backslash (\\) inside double quotes starts an escape sequence", "Put the value in single quotes instead"),
        ("二重引用符の中のバックスラッシュ（\\）", "単一引用符 ' で囲むか"),
    ),
    "a missing comma between entries in braces": Case(
        AWARDS,
        AWARDS_START + f"  - id: {AWARD_ID}\n    recipient: {{hash: x salt: y}}\n",
        5,
        25,
        "      |                         ^",
        ("a ',' or the closing '}' is missing here", "Separate the items with ', '"),
        ("ここに ',' または閉じる '}' がありません", "', ' で区切ってください"),
    ),
    "a full-width space after a quoted value": Case(
        ISSUER,
        'name: "テスト大学"\u3000\nurl: https://uni.example.org\nemail: badges@uni.example.org\n',
        1,
        14,
        "      | " + " " * 18 + "^",  # the Japanese characters take two columns each
        ("a full-width space (U+3000) after the end of the value",),
        ("値の終わりの後に全角スペース（U+3000）があります",),
    ),
    "a list item indented wrongly after a Markdown text": Case(
        BADGE,
        "issuer: test-uni\nname: Star\nimage: images/star.svg\nimage_caption: A blue circle\ndescription: A star.\n"
        "criteria: |\n  - 課題: 提出\n  - 試験: 合格\ntags:\n  - python\n - stars\n",
        11,
        2,
        "       |  ^",
        ("the indentation of this line (1 space) matches none of the lines above",),  # not the Markdown's ': '
        ("この行の字下げ（スペース 1 個）",),
    ),
    "a second document": Case(
        ISSUER,
        "name: Test\nurl: https://uni.example.org\n---\nemail: badges@uni.example.org\n",
        3,
        1,
        "      | ^",
        ("a second document starts here ('---')",),
        ("2 つ目の文書",),
    ),
}


@pytest.fixture(params=["en", "ja"])
def language(request):
    """The messages in each language; the suite's autouse fixture puts English back afterwards."""
    use_language(request.param)
    return request.param


def syntax_problems(root, rel: str) -> list:
    problems = Collector()
    load_content(root, problems)
    return [d for d in problems.items if d.path == rel and d.code in ("content.yaml-syntax", "content.unreadable")]


def source_lines(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        return []
    return text.replace("\r\n", "\n").split("\n")


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("name", list(CASES))
def test_a_yaml_mistake_is_explained_where_it_is(make_site, language, name, ending):
    case = CASES[name]
    assert isinstance(case.text, str)
    root = make_site({case.file: case.text.replace("\n", ending)})
    found = syntax_problems(root, case.file)
    assert len(found) == 1, [d.message for d in found]
    problem = found[0]
    assert (problem.location.line, problem.location.column) == (case.line, case.column), problem.message
    head, quoted, marker, advice = problem.message.split("\n")
    if language == "en":
        assert head.startswith(f"YAML syntax error at column {case.column}: ")
    else:
        assert head.startswith(f"YAML の構文エラー（{case.column} 文字目）：")
    # The line as written (a tab shows as one space, so that the marker stays under its column), then the marker.
    assert quoted == f"    {case.line} | " + source_lines(case.text)[case.line - 1].replace("\t", " ")
    assert marker == case.marker
    assert advice.startswith("    ")
    for words in case.english if language == "en" else case.japanese:
        assert words in problem.message


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_a_crlf_site_builds_exactly_as_the_lf_one(make_site, tmp_path):
    """Files saved by Notepad or Excel on Windows end their lines with CRLF: the same content, the same site."""
    lf = make_site()
    crlf = make_site(root=tmp_path / "crlf")
    for path in sorted((crlf / "content").rglob("*.yaml")):
        text = path.read_bytes()
        assert b"\r\n" not in text
        path.write_bytes(text.replace(b"\n", b"\r\n"))
    assert build(lf) == 0
    assert build(crlf) == 0
    assert tree_bytes(lf / "output") == tree_bytes(crlf / "output")


JAPANESE_ISSUER = "name: テスト大学\nurl: https://uni.example.org\nemail: badges@uni.example.org\n"


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_shift_jis_file_is_named_with_its_line(make_site, language, ending):
    """Notepad and Excel on Japanese Windows save Shift_JIS (cp932): the message says so and how to save UTF-8."""
    text = ("# 発行者\n" + JAPANESE_ISSUER).replace("\n", ending)
    root = make_site({ISSUER: text.encode("cp932")})
    (problem,) = syntax_problems(root, ISSUER)
    assert problem.code == "content.unreadable"
    assert (problem.location.line, problem.location.column) == (1, 3)
    head, quoted, marker, advice = problem.message.split("\n")
    assert quoted == "    1 | # 発行者"
    assert marker == "      |   ^"
    if language == "en":
        assert head == "not UTF-8 text: it seems saved as Shift_JIS (the Japanese Windows encoding)"
        assert "Save the file as UTF-8" in advice
    else:
        assert (
            head
            == "UTF-8 のテキストではありません。Shift_JIS（日本語版 Windows の文字コード） で保存されているようです"
        )
        assert "UTF-8 で保存し直してください" in advice


def test_a_windows_1252_file_is_named_with_its_line_and_column(make_site):
    text = "name: Test\nurl: https://uni.example.org\nemail: badges@uni.example.org\ndescription: Caf\u00e9 club\n"
    root = make_site({ISSUER: text.encode("cp1252")})
    (problem,) = syntax_problems(root, ISSUER)
    assert (problem.location.line, problem.location.column) == (4, 17)
    assert problem.message.split("\n")[:3] == [
        "not UTF-8 text: it seems saved as Windows-1252",
        "    4 | description: Café club",
        "      |                 ^",
    ]


def test_a_utf16_file_is_named(make_site, language):
    root = make_site({ISSUER: JAPANESE_ISSUER.encode("utf-16")})
    (problem,) = syntax_problems(root, ISSUER)
    assert problem.location.line == 1
    assert ("UTF-16 (“Unicode” in Notepad)" if language == "en" else "UTF-16（メモ帳の「Unicode」）") in problem.message


def test_a_utf8_file_with_a_bom_and_crlf_reads_as_a_plain_one(make_site):
    """Notepad's "UTF-8 (BOM)" and Excel's "CSV UTF-8" write a byte order mark first: not a mistake there."""
    root = make_site({ISSUER: ("\ufeff" + JAPANESE_ISSUER.replace("\n", "\r\n")).encode("utf-8")})
    assert syntax_problems(root, ISSUER) == []
    assert build(root) == 0


def test_the_cli_prints_the_mistake_readably(make_site, capsys):
    root = make_site({ISSUER: "name: テスト大学\nurl:\u3000https://uni.example.org\nemail: badges@uni.example.org\n"})
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{ISSUER}:2: error: YAML syntax error at column 5: a full-width space (U+3000) after 'url:'\n"
        "    2 | url:\u3000https://uni.example.org\n"
        "      |     ^\n"
        "    Replace the full-width space with a normal space.\n"
    ) in err


def test_the_cli_prints_the_mistake_in_japanese_for_a_japanese_locale(make_site, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    text = BADGE_START + "description: 注意: 受講前に登録が必要です\n"
    root = make_site({BADGE: text.replace("\n", "\r\n")})  # saved on Windows
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{BADGE}:6: " in err  # the word between ("error") is the CLI's
    assert (
        "YAML の構文エラー（16 文字目）：'description' の値の中に ': ' があります\n"
        "    6 | description: 注意: 受講前に登録が必要です\n"
        "      |                  ^\n"
        "    ': ' を含む文章は引用符で囲んでください：description: \"注意: 受講前に登録が必要です\"\n"
    ) in err


def test_json_output_carries_the_line_and_column_of_the_mistake(make_site, capsys):
    root = make_site({ISSUER: "name\uff1aテスト大学\nurl: https://uni.example.org\nemail: badges@uni.example.org\n"})
    assert main(["build", "--root", str(root), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (found,) = [d for d in report["diagnostics"] if d["code"] == "content.yaml-syntax"]
    assert (found["path"], found["line"], found["column"]) == (ISSUER, 1, 5)
    assert "    1 | name：テスト大学\n      |     ^\n" in found["message"]


def test_every_message_of_the_loader_has_its_japanese():
    """A message added to the loader without its Japanese would reach Japanese users in English."""
    japanese = translations("ja")
    content = Path(sitegen.content.__file__).parent
    for module in (content / "load.py", content / "yaml_mistakes.py"):
        for _line, message, _comments, _context in extract_from_file(
            "python", str(module), keywords={"_": None, "ngettext": (1, 2)}
        ):
            if isinstance(message, tuple):
                assert japanese.ngettext(message[0], message[1], 2) != message[1], message
            else:
                assert japanese.gettext(message) != message, message


def test_a_long_line_is_cut_around_the_mistake(make_site):
    description = "あ" * 200 + ": " + "x" * 100
    root = make_site({BADGE: BADGE_START + f"description: {description}\n"})
    (problem,) = syntax_problems(root, BADGE)
    assert (problem.location.line, problem.location.column) == (6, 214)
    _head, quoted, marker, _advice = problem.message.split("\n")
    assert quoted == "    6 | ..." + "あ" * 50 + ": " + "x" * 48 + "..."
    assert marker == "      | " + " " * (3 + 2 * 50) + "^"  # under the colon: each あ takes two columns


def test_a_file_that_is_not_utf8_is_reported_once(make_site):
    """A Shift_JIS issuer file is 'unreadable' at its line, not also 'an issuer file must be a mapping… not empty'."""
    root = make_site({"content/issuers/test-uni.yaml": "name: テスト大学\n".encode("cp932")})
    with pytest.raises(BuildError) as raised:
        load_site(root)
    found = [d for d in raised.value.diagnostics if d.location.path == "content/issuers/test-uni.yaml"]
    assert [d.code for d in found] == ["content.unreadable"], found
