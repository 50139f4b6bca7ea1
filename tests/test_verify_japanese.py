"""`sitegen verify` and `sitegen build` speak the user's language (issue 15, item 4): verify's findings about a
tampered badge, and a build's notes and errors, come out in Japanese with `--lang ja` or a Japanese locale, while
`--json` keeps its codes and check names, and English stays word for word what it was.

A real signed site is built once; the tampered badges are made from its own published files and verified offline
against the built folder (--site), through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AWARD_ID, identity_hash, write_files
from test_verify_binding import site_files

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.openbadges import baking
from sitegen.openbadges.keys import generate

BASE = "https://example.org/badges"
CONFIRMS = "issuer's site confirms"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    private, public = generate()
    root = write_files(tmp_path_factory.mktemp("signed"), site_files(BASE, public, None))
    assert build_site(root, environ={"SITEGEN_SIGNING_KEY": private}).signed
    return root / "output"


def published(folder: Path, rel: str) -> dict:
    return json.loads((folder / rel).read_text(encoding="utf-8"))


def verify(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


def test_a_tampered_credential_is_reported_in_japanese(built, tmp_path, capsys):
    credential = published(built, f"credentials/{AWARD_ID}.json")
    credential["credentialSubject"]["achievement"]["name"] = "Python Mastery"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(credential), encoding="utf-8")

    code, out = verify(capsys, "--lang", "ja", "verify", str(path), "--site", str(built))

    assert code == 1
    url = f"{BASE}/credentials/{AWARD_ID}.json"
    assert f"アチーブメントが、発行者が {url} で公開しているクレデンシャルと異なります" in out, out
    assert "differs from" not in out


def test_an_edited_assertion_baked_into_the_badge_is_reported_in_japanese(built, tmp_path, capsys):
    assertion = published(built, f"assertions/{AWARD_ID}.json")
    assertion["badge"] = f"{BASE}/badges/star.json"
    assertion["issuedOn"] = "2024-01-01T00:00:00+09:00"
    assertion["recipient"]["identity"] = identity_hash("mallory@example.org")
    picture = (built / "badges/python-basics.png").read_bytes()
    path = tmp_path / "edited.png"
    path.write_bytes(baking.bake_png(picture, baking.OB2_PNG_KEYWORD, json.dumps(assertion)))
    url = f"{BASE}/assertions/{AWARD_ID}.json"

    code, out = verify(capsys, "--lang", "ja", "verify", str(path), "--site", str(built))
    assert code == 1
    # The fields are words of the language, joined as Japanese joins a list.
    assert f"バッジ、発行日、受領者が、発行者が {url} で公開しているアサーションと異なります" in out, out

    code, out = verify(capsys, "--lang", "en", "verify", str(path), "--site", str(built))
    assert code == 1
    assert f"the badge, issue date and recipient differ from the assertion the issuer publishes at {url}" in out


def test_json_keeps_its_codes_and_check_names_with_messages_in_japanese(built, tmp_path, capsys):
    credential = published(built, f"credentials/{AWARD_ID}.json")
    credential["validFrom"] = "yesterday"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(credential), encoding="utf-8")

    code, out = verify(capsys, "--lang", "ja", "verify", str(path), "--site", str(built), "--json")

    assert code == 1
    result = json.loads(out)["results"][0]
    assert result["status"] == "invalid"
    findings = {finding["code"]: finding for finding in result["findings"]}
    bad_date = findings["verify.document.bad-date"]
    assert bad_date["check"] == "credential.dates"
    assert bad_date["message"] == "validFrom がタイムゾーン付きの日時ではありません：'yesterday'"
    verdicts = {check["name"]: check["verdict"] for check in result["checks"]}
    assert verdicts[CONFIRMS] == "failed" and verdicts["signature"] == "failed"
    # A check that did not run says why, in the language of the messages.
    skipped = {check["name"]: check.get("reason") for check in result["checks"] if check["verdict"] == "skipped"}
    assert skipped["recipient"] == "--email が指定されていません"


def test_the_locale_chooses_japanese_without_lang(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    folder = tmp_path / "not-a-site"
    (folder / "issuers").mkdir(parents=True)

    code, out = verify(capsys, "verify", str(folder))

    assert code == 1
    assert "このフォルダーはビルドされたサイトではありません（index.html もバッジデータもありません）" in out, out


def test_a_build_note_is_in_japanese(make_site, capsys):
    root = make_site()  # no signing key in site.yaml: the Open Badges 3.0 credentials are skipped, with a note

    assert main(["--lang", "ja", "build", "--root", str(root)]) == 0

    err = capsys.readouterr().err
    assert (
        "Open Badges 3.0 のクレデンシャルは作成しませんでした：content/site.yaml の 'keys:' に署名鍵がありません"
        "（`sitegen keys generate` を実行してください）。Open Badges 2.0 のサイトはビルドしました。"
    ) in err, err
    assert "were skipped" not in err


def test_a_build_error_is_in_japanese(make_site, capsys):
    root = make_site()
    write_files(root, {"themes/default/static/deploy.pem": "not really a key"})

    assert main(["--lang", "ja", "build", "--root", str(root)]) == 1

    err = capsys.readouterr().err
    assert "テーマに鍵ファイルを置いてはいけません（deploy.pem は鍵ファイルのような名前です" in err, err


def test_size_advice_is_in_japanese(make_site, capsys):
    root = make_site()

    assert main(["--lang", "ja", "build", "--root", str(root), "--size-limit", "20000"]) == 1

    err = capsys.readouterr().err
    assert "サイトが上限（0 MB）を超えています" in err, err
    assert "容量を空けるには、content/site.yaml に `baking: browser` を設定してください。" in err
