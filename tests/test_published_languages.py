"""published_languages: every badge and issuer also published in the other language as its own document, linked
both ways; signed credentials name the translations only from published_languages_since, so those already in
wallets never change; the translations' URLs join the permanence guard."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import AWARD_ID, BASE_URL, default_files, identity_hash
from helpers import git

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.diagnostics import BuildError
from sitegen.openbadges.keys import generate
from sitegen.verify.fetch import Fetcher
from sitegen.verify.inputs import verify_site
from sitegen.verify.ob2 import verify_ob2_hosted

SITE_YAML = textwrap.dedent(default_files()["content/site.yaml"])  # type: ignore[arg-type]
LATE_ID = "3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70"  # an award issued after the English documents were published


@pytest.fixture(scope="module")
def keypair():
    return generate()


def site_yaml(extra: str = "", public: str | None = None) -> str:
    keys = f"keys:\n  - id: key-1\n    public_key: {public}\n" if public else ""
    return SITE_YAML + extra + keys


def read(root: Path, rel: str) -> dict:
    return json.loads((root / "output" / rel).read_text(encoding="utf-8"))


def late_award() -> str:
    return f"""\
        badge: python-basics
        issued_on: 2026-06-01
        awards:
          - id: {LATE_ID}
            recipient: {{hash: "{identity_hash("dave@example.org")}", salt: "0123456789abcdef0123456789abcdef"}}
        """


def test_each_badge_and_issuer_is_published_in_both_languages_linked_both_ways(make_site):
    root = make_site({"content/site.yaml": site_yaml("published_languages: [en, ja]\n")})
    build_site(root)
    badge, badge_ja = read(root, "badges/python-basics.json"), read(root, "ja/badges/python-basics.json")
    issuer, issuer_ja = read(root, "issuers/test-uni.json"), read(root, "ja/issuers/test-uni.json")
    badge_url, badge_ja_url = f"{BASE_URL}/badges/python-basics.json", f"{BASE_URL}/ja/badges/python-basics.json"
    issuer_url, issuer_ja_url = f"{BASE_URL}/issuers/test-uni.json", f"{BASE_URL}/ja/issuers/test-uni.json"

    assert (badge["id"], badge["@language"], badge["name"]) == (badge_url, "en", "Python Basics")
    assert badge["related"] == [{"id": badge_ja_url, "@language": "ja"}]
    assert (badge_ja["id"], badge_ja["@language"], badge_ja["name"]) == (badge_ja_url, "ja", "Python 基礎")
    assert badge_ja["related"] == [{"id": badge_url, "@language": "en"}]
    # The translation reads in its language throughout: its criteria on the Japanese page, its issuer in Japanese.
    assert badge_ja["criteria"]["id"] == f"{BASE_URL}/ja/badges/python-basics.html#criteria"
    assert badge_ja["issuer"] == issuer_ja_url and badge["issuer"] == issuer_url
    assert badge_ja["image"] == badge["image"]  # one image

    assert issuer["related"] == [{"id": issuer_ja_url, "@language": "ja"}] and issuer["@language"] == "en"
    assert (issuer_ja["id"], issuer_ja["name"]) == (issuer_ja_url, "テスト大学")
    assert issuer_ja["related"] == [{"id": issuer_url, "@language": "en"}]
    # A translation is held to the issuer's rules for hosted assertions; the revocation list has one owner.
    assert issuer_ja["verification"] == issuer["verification"]
    assert "revocationList" in issuer and "revocationList" not in issuer_ja
    # Each page links to the document in its own language.
    page_ja = (root / "output/ja/badges/python-basics.html").read_text(encoding="utf-8")
    page_en = (root / "output/badges/python-basics.html").read_text(encoding="utf-8")
    assert 'href="../../ja/badges/python-basics.json"' in page_ja
    assert 'href="../badges/python-basics.json"' in page_en
    assert 'href="../../ja/issuers/test-uni.json"' in (root / "output/ja/issuers/test-uni.html").read_text("utf-8")
    # Both are checked by verify: each id is the URL it is served from, each badge's issuer is sound.
    results = {r.subject: r.status for r in verify_site(root / "output")}
    assert {results[p] for p in ("ja/badges/python-basics.json", "ja/issuers/test-uni.json")} == {"valid"}
    assert "invalid" not in results.values()


def test_without_the_option_nothing_changes(make_site):
    root = make_site()
    build_site(root)
    assert not (root / "output/ja/badges/python-basics.json").exists()
    assert "related" not in read(root, "badges/python-basics.json")
    assert "@language" not in read(root, "issuers/test-uni.json")


def test_an_assertion_elsewhere_naming_a_translated_badge_does_not_verify(make_site):
    """Another repository on the same github.io origin cannot issue in our name through the translation: the
    translated issuer keeps the policy that accepts hosted assertions only under our assertions/ folder."""
    root = make_site({"content/site.yaml": site_yaml("published_languages: [en, ja]\n")})
    build_site(root)
    genuine = read(root, f"assertions/{AWARD_ID}.json")
    forged = dict(genuine, id=f"{BASE_URL}/elsewhere/forged.json", badge=f"{BASE_URL}/ja/badges/python-basics.json")
    (root / "output/elsewhere").mkdir()
    (root / "output/elsewhere/forged.json").write_text(json.dumps(forged), encoding="utf-8")
    result = verify_ob2_hosted(forged["id"], Fetcher(root / "output", BASE_URL))
    assert result.status == "invalid"
    assert "verify.issuer.hosted-scope" in {finding.code for finding in result.errors}
    # The same assertion under our assertions/ folder, naming the translation, is accepted: the check is the scope.
    inside = dict(genuine, badge=f"{BASE_URL}/ja/badges/python-basics.json")
    (root / f"output/assertions/{AWARD_ID}.json").write_text(json.dumps(inside), encoding="utf-8")
    assert verify_ob2_hosted(genuine["id"], Fetcher(root / "output", BASE_URL)).status == "valid"


def test_signed_credentials_name_the_translations_only_from_the_day_they_are_published(make_site, keypair):
    private, public = keypair
    root = make_site({"content/site.yaml": site_yaml(public=public)})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    before = (root / f"output/credentials/{AWARD_ID}.json").read_bytes()

    (root / "content/site.yaml").write_text(
        site_yaml("published_languages: [en, ja]\npublished_languages_since: 2026-05-01\n", public), encoding="utf-8"
    )
    (root / "content/assertions/2026/late.yaml").write_text(textwrap.dedent(late_award()), encoding="utf-8")
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    # Issued 2026-04-01, before the day: the very bytes already in the earner's wallet.
    assert (root / f"output/credentials/{AWARD_ID}.json").read_bytes() == before
    late = read(root, f"credentials/{LATE_ID}.json")
    achievement = late["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "en"
    assert achievement["related"] == [
        {"id": f"{BASE_URL}/ja/badges/python-basics.json", "type": ["Related"], "inLanguage": "ja"}
    ]
    statuses = {r.subject: r.status for r in verify_site(root / "output")}
    assert statuses[f"credentials/{LATE_ID}.json"] == "valid", statuses


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--base", "main", "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_check_refuses_turning_the_languages_on_under_published_credentials(make_site, keypair, capsys):
    root = make_site({"content/site.yaml": site_yaml(public=keypair[1])})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    edit(root / "content/site.yaml", "keys:", "published_languages: [en, ja]\nkeys:")
    code, out = check(root, capsys)
    assert code == 1
    assert "published credential(s) would change" in out and "published_languages_since: " in out
    # With the day set, awards already issued keep their credentials: the change is fine.
    edit(root / "content/site.yaml", "keys:", "published_languages_since: 2026-12-01\nkeys:")
    code, out = check(root, capsys)
    assert code == 0, out
    assert "would change" not in out


def test_check_keeps_the_translations_published(make_site, capsys):
    """Once published, {lang}/badges/… and {lang}/issuers/… are permanent URLs like every other."""
    root = make_site({"content/site.yaml": site_yaml("published_languages: [en, ja]\n")})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    edit(root / "content/site.yaml", "published_languages: [en, ja]\n", "")
    code, out = check(root, capsys)
    assert code == 1
    for path in ("ja/badges/python-basics.json", "ja/badges/star.json", "ja/issuers/test-uni.json"):
        assert f"`{path}` was published and would disappear" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[en, fr]", "'published_languages' may list ja and en, not 'fr'"),
        ("[ja]", "'published_languages' must list the default language 'en' too"),
        ("[en, en]", "'published_languages' lists 'en' twice"),
        ("en", "'published_languages' must be a list of languages"),
    ],
)
def test_bad_published_languages_are_content_errors_at_their_line(make_site, value, message):
    root = make_site({"content/site.yaml": site_yaml(f"published_languages: {value}\n")})
    with pytest.raises(BuildError) as raised:
        build_site(root)
    [problem] = raised.value.diagnostics
    assert message in problem.message and str(problem.location) == "content/site.yaml:5"
