"""The built site, parsed as a verifier, an earner and a search engine would read it."""

from __future__ import annotations

import hashlib
import re

from conftest import AWARD_ID, BASE_URL, EMAIL, REVOKED_ID, SALT
from helpers import build, edit, page, read_json, tree_bytes

from sitegen.openbadges.baking import unbake_png, unbake_svg

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def test_every_document_id_is_the_url_it_is_served_from(make_site):
    root = make_site()
    assert build(root) == 0
    out = root / "output"
    documents = (
        list(out.glob("issuers/*.json"))
        + list(out.glob("badges/*.json"))
        + list(out.glob("assertions/*.json"))
        + list(out.glob("revocations/*.json"))
    )
    assert len(documents) == 1 + 2 + 3 + 1
    for path in documents:
        doc = read_json(path)
        assert doc["@context"] == "https://w3id.org/openbadges/v2"
        assert doc["id"] == f"{BASE_URL}/{path.relative_to(out).as_posix()}"


def test_assertion_links_badge_and_issuer_and_hashes_the_recipient(make_site):
    root = make_site()
    build(root)
    out = root / "output"
    assertion = read_json(out / f"assertions/{AWARD_ID}.json")
    assert assertion["type"] == "Assertion"
    assert assertion["verification"] == {"type": "HostedBadge"}
    recipient = assertion["recipient"]
    assert recipient == {
        "type": "email",
        "hashed": True,
        "salt": SALT,
        "identity": "sha256$" + hashlib.sha256((EMAIL + SALT).encode()).hexdigest(),
    }
    assert DATETIME.match(assertion["issuedOn"]) and assertion["issuedOn"] == "2026-04-01T00:00:00+09:00"
    assert assertion["evidence"] == [{"type": "Evidence", "id": "https://github.com/alice/project", "name": "Project"}]
    badge = read_json(out / "badges/python-basics.json")
    assert assertion["badge"] == badge["id"]
    assert badge["image"] == {
        "id": f"{BASE_URL}/badges/python-basics.png",
        "caption": "A blue square with the word Python",
    }
    assert badge["criteria"]["id"] == f"{BASE_URL}/badges/python-basics.html#criteria"
    assert "final exam" in badge["criteria"]["narrative"]
    assert badge["alignment"] == [
        {
            "targetName": "Programming",
            "targetUrl": "https://framework.example.org/prog",
            "targetFramework": "Example",
            "targetCode": "P1",
        }
    ]
    issuer = read_json(out / "issuers/test-uni.json")
    assert badge["issuer"] == issuer["id"]
    assert issuer["name"] == "Test University"  # the site's default language
    assert issuer["revocationList"] == f"{BASE_URL}/revocations/test-uni.json"
    assert (out / "badges/python-basics.png").read_bytes().startswith(b"\x89PNG")


def test_expiry_comes_from_valid_for_and_is_published_with_timezone(make_site):
    root = make_site()
    build(root)
    assertion = read_json(root / f"output/assertions/{CAROL_ID}.json")
    assert assertion["issuedOn"] == "2025-01-15T00:00:00+09:00"
    assert assertion["expires"] == "2026-01-15T00:00:00+09:00"


def test_revoked_award_is_stripped_and_listed(make_site):
    root = make_site()
    build(root)
    out = root / "output"
    revoked = read_json(out / f"assertions/{REVOKED_ID}.json")
    assert revoked == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{BASE_URL}/assertions/{REVOKED_ID}.json",
        "revoked": True,
        "revocationReason": "Awarded by mistake",
    }
    listing = read_json(out / "revocations/test-uni.json")
    ids = [entry["id"] for entry in listing["revokedAssertions"]]
    assert revoked["id"] in ids and f"{BASE_URL}/assertions/{AWARD_ID}.json" not in ids
    assert len(ids) >= 2  # never a one-entry list, which the official validator cannot search
    text = page(out / f"assertions/{REVOKED_ID}.html").text
    assert "Revoked" in text and "Awarded by mistake" in text


def test_baked_png_holds_the_assertion_in_one_uncompressed_itxt_chunk(make_site):
    root = make_site()
    build(root)
    baked = (root / f"output/assertions/{AWARD_ID}.png").read_bytes()
    original = (root / "output/badges/python-basics.png").read_bytes()
    # spliced, not re-encoded: the image data is byte for byte the badge's
    assert baked.endswith(original[33:]) and baked[:33] == original[:33]
    chunk_types = re.findall(rb"(?:iTXt|zTXt|tEXt)", baked)
    assert chunk_types == [b"iTXt"]
    assert b"iTXt" + b"openbadges\x00\x00\x00\x00\x00{" in baked  # keyword, no compression, no language
    assert unbake_png(baked)["openbadges"] == (root / f"output/assertions/{AWARD_ID}.json").read_text()


def test_baked_svg_holds_the_assertion_after_the_svg_start_tag(make_site):
    root = make_site()
    build(root)
    baked = (root / f"output/assertions/{CAROL_ID}.svg").read_bytes()
    assert baked.startswith(b"<svg")
    assert b'xmlns:openbadges="http://openbadges.org"' in baked[: baked.index(b">")]
    assert baked[baked.index(b">") + 1 :].startswith(
        b'<openbadges:assertion verify="' + f"{BASE_URL}/assertions/{CAROL_ID}.json".encode()
    )
    assert unbake_svg(baked)["assertion"] == (root / f"output/assertions/{CAROL_ID}.json").read_text().strip()


def test_two_builds_are_byte_identical(make_site, tmp_path):
    root = make_site()
    assert build(root) == 0
    first = tree_bytes(root / "output")
    # a whole site, not two empty folders (which are equal too)
    assert {"index.html", f"assertions/{AWARD_ID}.json", f"assertions/{AWARD_ID}.png"} <= first.keys()
    other = make_site(root=tmp_path / "copy")
    assert build(other) == 0
    assert tree_bytes(other / "output") == first
    assert build(root) == 0
    assert tree_bytes(root / "output") == first


def test_pages_show_badges_but_never_recipients_without_consent(make_site):
    root = make_site()
    build(root)
    out = root / "output"
    index = page(out / "index.html")
    assert "Python Basics" in index.text and "Test University" in index.text
    assert not any(AWARD_ID in a.get("href", "") for a in index.find_all("a"))
    assert "Carol" not in (out / "index.html").read_text()
    badge = page(out / "badges/python-basics.html")
    assert badge.find_all("img", alt="A blue square with the word Python")
    assert badge.find_all("strong") and "final exam" in badge.text
    award = page(out / f"assertions/{AWARD_ID}.html")
    assert award.find_all("meta", name="robots", content="noindex")
    assert award.find_all("img", alt="A blue square with the word Python")
    assert award.find_all("a", href=f"../assertions/{AWARD_ID}.json") and award.find_all(
        "a", href=f"../assertions/{AWARD_ID}.png"
    )
    assert "April 1, 2026" in award.text
    consented = page(out / f"assertions/{CAROL_ID}.html")
    assert "Carol Example" in consented.text
    assert not consented.find_all("meta", name="robots")
    assert consented.find_all("time", datetime="2026-01-15T00:00:00+09:00")  # the expiry date, shown plainly


def test_japanese_default_language_is_used_for_text_and_dates(make_site):
    root = make_site(
        {"content/site.yaml": f"base_url: {BASE_URL}\nname: {{ja: テスト, en: Test}}\ndefault_language: ja\n"}
    )
    build(root)
    out = root / "output"
    assert read_json(out / "badges/python-basics.json")["name"] == "Python 基礎"
    award = (out / f"assertions/{AWARD_ID}.html").read_text()
    assert '<html lang="ja">' in award and "2026年4月1日" in award and "発行日" in award


def test_markdown_is_sanitised(make_site):
    hostile = (
        'criteria: |\n  <script>alert(1)</script>\n  <img src=x onerror="alert(2)">\n'
        '  [click](javascript:alert(3)) and <a href="https://ok.example">fine</a>\n'
        '  <iframe src="https://evil.example"></iframe>\n'
    )
    badge = (
        "issuer: test-uni\nname: Evil\ndescription: <b onmouseover=alert(4)>bold</b>\n"
        "image: images/python.png\nimage_caption: x\n" + hostile
    )
    root = make_site({"content/badgeclasses/evil.yaml": badge})
    assert build(root) == 0
    html = (root / "output/badges/evil.html").read_text()
    for script in ("site.js", "checks.js", "verify.js"):  # the theme's own scripts
        html = edit(html, f'<script src="../assets/{script}" defer></script>', "")
    for bad in ("<script", "onerror", "onmouseover", "javascript:", "<iframe"):
        assert bad not in html, bad
    assert '<a href="https://ok.example"' in html and "<b>bold</b>" in html


def test_yaml_strings_are_escaped_in_pages(make_site):
    root = make_site(
        {
            "content/issuers/test-uni.yaml": (
                'name: "<script>alert(1)</script>Uni"\nurl: https://uni.example.org\nemail: a@uni.example.org\n'
            )
        }
    )
    assert build(root) == 0
    html = (root / "output/issuers/test-uni.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_output_has_nojekyll_and_assets(make_site):
    root = make_site()
    build(root)
    assert (root / "output/.nojekyll").exists()
    assert (root / "output/assets/site.css").stat().st_size > 0


def test_site_theme_overrides_a_template(make_site):
    root = make_site({"themes/default/templates/index.html": "custom index {{ site.config.name|text }}"})
    build(root)
    assert (root / "output/index.html").read_text() == "custom index Test University Badges"


def test_unicode_and_unsafe_links_are_published_as_ascii_uris(make_site):
    award = f"""\
        badge: star
        issued_on: 2026-03-01
        awards:
          - id: 11111111-2222-4333-8444-555555555555
            recipient: {{hash: "sha256${"a" * 64}", salt: s}}
            evidence: [{{url: "https://例え.jp/パス?x=ü"}}, {{url: "https://example.org/p?q={{a}}|b"}}]
        """
    root = make_site({"content/assertions/odd.yaml": award})
    assert build(root) == 0
    evidence = read_json(root / "output/assertions/11111111-2222-4333-8444-555555555555.json")["evidence"]
    assert [e["id"] for e in evidence] == [
        "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?x=%C3%BC",
        "https://example.org/p?q=%7Ba%7D%7Cb",
    ]


def test_rebuilds_reuse_unchanged_awards_and_redo_what_changed(make_site):
    from sitegen.build.pipeline import build_site

    root = make_site()
    first = build_site(root)
    assert first.reused == 0
    before = tree_bytes(root / "output")
    second = build_site(root)
    assert second.reused == 3 and tree_bytes(root / "output") == before
    # A badge's name is on its awards' pages: they are made again.
    badge = root / "content/badgeclasses/python-basics.yaml"
    badge.write_text(edit(badge.read_text(), "en: Python Basics", "en: Python Fundamentals"))
    third = build_site(root)
    assert third.reused == 0  # everything shares the site's badges and settings
    assert "Python Fundamentals" in (root / f"output/assertions/{AWARD_ID}.html").read_text()
    # One award edited: only it is made again.
    awards = root / "content/assertions/star-carol.yaml"
    awards.write_text(edit(awards.read_text(), "name: Carol Example", "name: Carol Q. Example"))
    fourth = build_site(root)
    assert fourth.reused == 2
    assert "Carol Q. Example" in (root / f"output/assertions/{CAROL_ID}.html").read_text()
    # A theme change reaches every page.
    make_site({"themes/default/templates/award.html": "{{ award.id }} custom"}, root=root)
    fifth = build_site(root)
    assert fifth.reused == 0 and (root / f"output/assertions/{AWARD_ID}.html").read_text() == f"{AWARD_ID} custom"
    # A published file edited by hand in output/ (in place, or replaced by an editor) is made again.
    page = root / f"output/assertions/{AWARD_ID}.html"
    with open(page, "ab") as handle:
        handle.write(b"<!-- edited -->")
    json_file = root / f"output/assertions/{CAROL_ID}.json"
    replaced = json_file.read_bytes()
    json_file.unlink()
    json_file.write_bytes(replaced)
    sixth = build_site(root)
    assert sixth.reused == 1 and page.read_text() == f"{AWARD_ID} custom"
    assert build_site(root).reused == 3
    # A lost output folder is simply rebuilt.
    import shutil

    shutil.rmtree(root / "output")
    assert build_site(root).reused == 0 and (root / f"output/assertions/{AWARD_ID}.json").exists()


def test_the_default_pages_render_in_the_sandbox_a_theme_of_its_own_gets(make_site):
    """A repository with templates of its own renders every page in Jinja's sandbox, sitegen's included."""
    from helpers import page

    root = make_site({"themes/default/templates/_note.html": "<p>a theme of its own</p>"})
    assert build(root) == 0
    assert "Python Basics" in page(root / f"output/assertions/{AWARD_ID}.html").text
    assert "Python 基礎" in page(root / "output/ja/badges/python-basics.html").text
