"""Content diagnostics in Japanese (issue 15 item 4): a scratch site per code, read by the real loader with the
message language set to Japanese, and the message a user reads, word for word. English is what the other
tests pin; a message that lost its translation, or a piece of it left in English, fails here."""

from __future__ import annotations

import io
import random
import uuid

import pytest
from conftest import SALT, identity_hash
from helpers import build
from PIL import Image

from sitegen.content.site import load_site
from sitegen.diagnostics import CODES, BuildError
from sitegen.messages import use_language
from sitegen.status import status_position

MULTIKEY = "z6Mk" + "a" * 44
ALICE = f'{{hash: "{identity_hash()}", salt: "{SALT}"}}'


@pytest.fixture
def japanese():
    use_language("ja")
    yield
    use_language("en")


def diagnostics_of(root) -> list[tuple[str, str, str]]:
    """(where, code, message) of every error, or of every warning when the site loads."""
    try:
        _site, warnings = load_site(root)
    except BuildError as raised:
        return [(str(d.location), d.code, d.message) for d in raised.diagnostics]
    return [(str(d.location), d.code, d.message) for d in warnings]


def colliding_ids() -> tuple[str, str]:
    """Two award ids of the issuer test-uni that share one status list entry (about 1,300 draws)."""
    rng, seen = random.Random(7), {}
    while True:
        candidate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        position = status_position("test-uni", candidate)
        if position in seen:
            return seen[position], candidate
        seen[position] = candidate


def huge_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (4097, 4097)).save(buffer, "PNG")  # a few kilobytes, 16.8 million pixels
    return buffer.getvalue()


def award_file(**award: str) -> str:
    """An award file of the badge star with one award whose fields are `award` (YAML flow values)."""
    fields = {"id": "5b8f6d8e-2f4a-4c1e-9a57-0f1e2d3c4b5b", "recipient": ALICE, **award}
    lines = "".join(f"    {key}: {value}\n" for key, value in fields.items()).replace("    ", "  - ", 1)
    return f"badge: star\nissued_on: 2026-01-01\nawards:\n{lines}"


FIRST, SECOND = colliding_ids()

# code: (files that make the problem, where, the Japanese message's first line)
CASES = {
    # The loader's (load.py, yaml_mistakes.py)
    "content.unreadable": (
        {"content/issuers/test-uni.yaml": "name: テスト大学\n".encode("cp932")},
        "content/issuers/test-uni.yaml:1",
        "UTF-8 のテキストではありません。Shift_JIS（日本語版 Windows の文字コード） で保存されているようです",
    ),
    "content.missing-file": (
        {"content/site.yaml": None},
        "content/site.yaml",
        "ありません。どのサイトにも content/site.yaml が必要です（例は `sitegen new` で作れます）",
    ),
    "content.wrong-extension": (
        {"content/issuers/other.yml": "name: Other\n"},
        "content/issuers/other.yml",
        "拡張子を .yaml に変えてください。コンテンツのファイルの拡張子は .yaml です",
    ),
    "content.private-key": (
        {"content/issuers/test-uni.yaml": "name: Test University\n# -----BEGIN PRIVATE KEY-----\n"},
        "content/issuers/test-uni.yaml:2",
        "このファイルには秘密鍵が含まれています。リポジトリから（履歴からも）削除し、鍵を取り替えて、新しい鍵を "
        "SITEGEN_SIGNING_KEY でビルドに渡してください",
    ),
    "content.yaml-syntax": (
        {"content/issuers/test-uni.yaml": "name: Test University\n\turl: https://uni.example.org\n"},
        "content/issuers/test-uni.yaml:2",
        "YAML の構文エラー（1 文字目）：字下げにタブ文字（U+0009）が使われています",
    ),
    "content.yaml-unsupported": (
        {"content/issuers/test-uni.yaml": "name: Test University\n[a]: x\n"},
        "content/issuers/test-uni.yaml:2",
        "使えないキーです（キーは普通の文字列にしてください）",
    ),
    "content.duplicate-key": (
        {"content/issuers/test-uni.yaml": "name: Test University\nname: Test\n"},
        "content/issuers/test-uni.yaml:2",
        "キー「name」が重複しています",
    ),
    # The checks' (validate.py, options.py, images.py)
    "content.unknown-field": (
        {"content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\nbakin: files\n"},
        "content/site.yaml:3",
        "site.yamlに不明なキー「bakin」があります。「baking」の誤りではありませんか？",
    ),
    "content.missing-field": (
        {"content/issuers/test-uni.yaml": "name: Test University\nurl: https://uni.example.org\n"},
        "content/issuers/test-uni.yaml:1",
        "必須の項目「email」がありません",
    ),
    "content.wrong-type": (
        {
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: Star\ndescription: A star.\n"
            "image: images/star.svg\nimage_caption: A circle\ncriteria: Be a star.\ntags: python\n"
        },
        "content/badgeclasses/star.yaml:7",
        "「tags」は語のリストで書いてください（テキストになっています）",
    ),
    "content.invalid-value": (
        {
            "content/issuers/test-uni.yaml": "name: Test University\nurl: https://uni.example.org\n"
            "email: badges@uni.example.org\ncountry: XX\n"
        },
        "content/issuers/test-uni.yaml:4",
        "「country」は JP のような ISO 3166-1 alpha-2 の国コードにしてください（「XX」になっています）",
    ),
    "content.microcredential-missing": (
        {
            "content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\n"
            "microcredential_profile: eu\n",
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: Star\ndescription: A star.\n"
            "image: images/star.svg\nimage_caption: A circle\ncriteria: Be a star.\n"
            "achievement_type: MicroCredential\n",
        },
        "content/badgeclasses/star.yaml:7",
        "マイクロクレデンシャルの記述項目 workload_hours（学習時間（時間））がありません（microcredential_profile: eu "
        "では必須です）。「microcredential:」の下に追加してください。例：`workload_hours: 30`",
    ),
    "content.invalid-option": (
        {"content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\nbaking: maybe\n"},
        "content/site.yaml:3",
        "「baking」は files または browser のいずれかにしてください（「maybe」になっています）",
    ),
    "content.invalid-key": (
        {
            "content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\nkeys:\n"
            f"  - {{id: k1, public_key: {MULTIKEY}}}\n  - {{id: k1, public_key: {MULTIKEY}}}\n"
        },
        "content/site.yaml:5",
        "鍵 ID「k1」が重複しています",
    ),
    "content.bad-file-name": (
        {"content/issuers/Test_Uni.yaml": "name: T\nurl: https://t.example.org\nemail: t@t.example.org\n"},
        "content/issuers/Test_Uni.yaml",
        "ファイル名「Test_Uni」は URL に使えません。ファイル名は公開される URL になるため、"
        "英小文字・数字・ハイフンだけにしてください（例：test-uni.yaml）",
    ),
    "content.unknown-issuer": (
        {
            "content/badgeclasses/star.yaml": "issuer: test-unu\nname: Star\ndescription: A star.\n"
            "image: images/star.svg\nimage_caption: A circle\ncriteria: Be a star.\n"
        },
        "content/badgeclasses/star.yaml:1",
        "不明な発行者「test-unu」です。「test-uni」の誤りではありませんか？（発行者は content/issuers/ に 1 つずつ"
        "ファイルで置きます）",
    ),
    "content.unknown-badge": (
        {"content/assertions/star-carol.yaml": award_file().replace("badge: star", "badge: pyhton-basics")},
        "content/assertions/star-carol.yaml:1",
        "不明なバッジ「pyhton-basics」です。「python-basics」の誤りではありませんか？（バッジは content/badgeclasses/ "
        "に 1 つずつファイルで置きます）",
    ),
    "content.future-date": (
        {"content/assertions/star-carol.yaml": award_file(issued_on="2999-01-01")},
        "content/assertions/star-carol.yaml:6",
        "「issued_on」の 2999-01-01 は未来の日付です。授与は発行した時点で公開され、その証明書も署名されます。"
        "授与した日（今日かそれ以前）を書いてください",
    ),
    "content.plaintext-email": (
        {"content/assertions/star-carol.yaml": award_file(recipient="{email: carol@example.org}")},
        "content/assertions/star-carol.yaml:5",
        'メールアドレスをそのままリポジトリに保存してはいけません。代わりに {hash: "sha256$…", salt: "…"} を書いて'
        "ください（`sitegen issue --email` で計算できます）",
    ),
    "content.date-order": (
        {"content/assertions/star-carol.yaml": award_file(expires="2025-01-01")},
        "content/assertions/star-carol.yaml:6",
        "「expires」は発行日より後の日付にしてください",
    ),
    "content.image-without-alt": (
        {
            "content/issuers/test-uni.yaml": "name: Test University\nurl: https://uni.example.org\n"
            "email: badges@uni.example.org\ndescription: 'Our campus: ![](https://uni.example.org/c.png)'\n"
        },
        "content/issuers/test-uni.yaml:4",
        "「description」：画像 https://uni.example.org/c.png に代替テキスト（alt）がありません。何が写っているかを"
        '書いてください（Markdown では ![写っているもの](…)、HTML では <img alt="写っているもの" …>。alt="" は飾り'
        "だけの画像の印です）",
    ),
    "award.duplicate-id": (
        {"content/assertions/again.yaml": award_file(id="7c9e6679-7425-40de-944b-e07fc1f90ae7")},
        "content/assertions/star-carol.yaml:4",
        "授与の ID 7c9e6679-7425-40de-944b-e07fc1f90ae7 が重複しています（content/assertions/again.yaml:4 にも"
        "あります）。授与ごとに別の ID が必要です",
    ),
    "award.status-collision": (
        {
            "content/assertions/pair.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n"
            f"  - {{id: {FIRST}, recipient: {ALICE}}}\n  - {{id: {SECOND}, recipient: {ALICE}}}\n"
        },
        "content/assertions/pair.yaml:5",
        f"授与 {SECOND} は授与 {FIRST}（content/assertions/pair.yaml:4）とステータスリスト "
        f"{status_position('test-uni', FIRST).list_number} の項目 {status_position('test-uni', FIRST).index} "
        "を共有してしまい、片方を取り消すと両方が取り消されます。まだ公開していない方に新しいランダムな ID を付けて"
        "ください（`sitegen issue` は衝突しない ID を選びます）",
    ),
    "image.bad-path": (
        {
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: Star\ndescription: A star.\n"
            "image: ../star.png\nimage_caption: A circle\ncriteria: Be a star.\n"
        },
        "content/badgeclasses/star.yaml:4",
        "「image」が content/ の外を指しています：「../star.png」",
    ),
    "image.not-found": (
        {"content/images/star.svg": None},
        "content/badgeclasses/star.yaml:4",
        "画像が見つかりません：content/images/star.svg",
    ),
    "image.too-large": (
        {"content/images/python.png": huge_png()},
        "content/badgeclasses/python-basics.yaml:4",
        "画像 content/images/python.png：PNG 画像が 4,097 × 4,097 ピクセルあります。画像は 16,777,216 ピクセル"
        "（4096 × 4096）までです",
    ),
    "image.invalid": (
        {"content/images/star.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'},
        "content/badgeclasses/star.yaml:4",
        "画像 content/images/star.svg：SVG：<script> 要素があります。バッジ画像はサイトから配信されるため、動きのない"
        "静的な画像にしてください",
    ),
}


def test_every_code_of_the_content_stage_has_a_case():
    content_stage = {code for code in CODES if code.startswith(("content.", "award.", "image."))}
    # A symbolic link has a test of its own below; award.already-held is `sitegen issue`'s.
    assert content_stage - {"content.symlink", "award.already-held"} == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_content_problem_reads_in_japanese(make_site, japanese, code):
    files, where, message = CASES[code]
    found = [(where, code, message.splitlines()[0]) for where, code, message in diagnostics_of(make_site(files))]
    assert (where, code, message) in found, found


def test_a_symbolic_link_reads_in_japanese(make_site, japanese, tmp_path):
    root = make_site()
    (tmp_path / "elsewhere.yaml").write_text("name: x\n", encoding="utf-8")
    (root / "content/issuers/link.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert (
        "content/issuers/link.yaml",
        "content.symlink",
        "シンボリックリンクです。コンテンツとテーマのファイルはリポジトリ内の実際のファイルにしてください（リンクを"
        "ファイルに置き換えてください）",
    ) in diagnostics_of(root)


def test_the_cli_prints_content_errors_in_japanese(make_site, capsys, monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")  # the CLI chooses the language of the environment
    root = make_site({"content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\nbakin: files\n"})
    try:
        assert build(root) == 1
    finally:
        use_language("en")
    assert "site.yamlに不明なキー「bakin」があります。「baking」の誤りではありませんか？" in capsys.readouterr().err


def test_composed_pieces_read_in_japanese_too(make_site, japanese):
    """The words helpers put into a message (what a value is, what a list holds, a hint, 'a or b') are Japanese."""
    root = make_site(
        {
            "content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\ntimezone: Tokyo\n"
            "published_languages: [fr]\n",
            "content/issuers/test-uni.yaml": "- name\n",
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: {ja: 星, de: Stern}\ndescription: A star.\n"
            "image: images/star.svg\nimage_caption: A circle\ncriteria: Be a star.\nvalid_for: two years\n",
            "content/assertions/star-carol.yaml": award_file(show_name="1"),
            "content/assertions/more.yaml": award_file(id=f"{uuid.UUID(int=1, version=4)}", recipient="{sal: x}"),
        }
    )
    found = {(where, message) for where, _code, message in diagnostics_of(root)}
    assert found >= {
        (
            "content/site.yaml:3",
            '「timezone」は "+09:00" や "Z" のような UTC からの時差にしてください（「Tokyo」になっています）',
        ),
        ("content/site.yaml:4", "「published_languages」に書けるのは ja、en です（「fr」は書けません）"),
        (
            "content/issuers/test-uni.yaml:1",
            "発行者ファイルは「キー: 値」の組（マッピング）で書いてください（リストになっています）",
        ),
        ("content/badgeclasses/star.yaml:2", "「name」の言語「de」は使えません。ja または en を使ってください"),
        (
            "content/badgeclasses/star.yaml:7",
            "「valid_for」の値「two years」は正しくありません（ISO 8601 の期間で書きます。例：P2Y、P6M、P90D）",
        ),
        ("content/assertions/star-carol.yaml:6", "「show_name」は true か false にしてください（数値になっています）"),
        (
            "content/assertions/more.yaml:5",
            "「recipient」に不明なキー「sal」があります。「salt」の誤りではありませんか？",
        ),
    }, found


def test_a_file_yaml_reads_as_one_text_because_of_full_width_colons_is_explained(make_site, japanese):
    """Every key followed by a full-width colon (as a Japanese input method types it) is no YAML syntax error:
    the whole file is one text. The mistake is named at its line and column, as a syntax error is."""
    root = make_site(
        {"content/issuers/test-uni.yaml": "name：テスト大学\nurl：https://uni.example.org\nemail：b@uni.example.org\n"}
    )
    assert diagnostics_of(root) == [
        (
            "content/issuers/test-uni.yaml:1",
            "content.yaml-syntax",
            "YAML の構文エラー（5 文字目）：'name' の後が ':' ではなく全角コロン（U+FF1A）になっています\n"
            "    1 | name：テスト大学\n"
            "      |     ^\n"
            "    '：' を半角の ':' と半角スペースに置き換えてください：name: 値",
        )
    ]
    use_language("en")
    root = make_site({"content/site.yaml": "base_url:\u3000https://example.github.io/badges\n"})
    assert [(where, code, message.splitlines()[0]) for where, code, message in diagnostics_of(root)] == [
        (
            "content/site.yaml:1",
            "content.yaml-syntax",
            "YAML syntax error at column 10: a full-width space (U+3000) after 'base_url:'",
        )
    ]
