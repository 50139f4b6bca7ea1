"""Bad content: every problem named with file and line, all in one run, exit 1, output/ untouched."""

from __future__ import annotations

import pytest
from conftest import AWARD_ID, identity_hash
from helpers import build, edit, tree_bytes

from sitegen.cli import main

GOOD_AWARD = f'recipient: {{hash: "{identity_hash()}", salt: "abc"}}'


def errors_of(root, capsys) -> tuple[int, list[str]]:
    code = build(root)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, [line for line in captured.err.splitlines() if ": error: " in line]


CASES = {
    "malformed YAML": (
        {"content/issuers/test-uni.yaml": "name: Test\nurl: [https://x.example\nemail: a@b.example\n"},
        "content/issuers/test-uni.yaml:2: error: YAML syntax error",
    ),
    "missing required field": (
        {"content/issuers/test-uni.yaml": "name: Test\nurl: https://uni.example.org\n"},
        "content/issuers/test-uni.yaml:1: error: missing required field 'email'",
    ),
    "wrong type": (
        {
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: [a, b]\ndescription: d\nimage: images/star.svg\n"
            "image_caption: c\ncriteria: c\n"
        },
        "content/badgeclasses/star.yaml:2: error: 'name' must be text or {ja: …, en: …}, not a list",
    ),
    "unknown issuer": (
        {
            "content/badgeclasses/star.yaml": "issuer: nobody\nname: n\ndescription: d\nimage: images/star.svg\n"
            "image_caption: c\ncriteria: c\n"
        },
        "content/badgeclasses/star.yaml:1: error: unknown issuer 'nobody'",
    ),
    "unknown badge": (
        {
            "content/assertions/x.yaml": f"badge: nope\nissued_on: 2026-01-01\nawards:\n"
            f"  - id: {AWARD_ID[:-1]}0\n    {GOOD_AWARD}\n"
        },
        "content/assertions/x.yaml:1: error: unknown badge 'nope'",
    ),
    "duplicate award id": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n"
            f"  - id: {AWARD_ID}\n    {GOOD_AWARD}\n"
        },
        "content/assertions/x.yaml:4: error: duplicate award id " + AWARD_ID,
    ),
    "bad date": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-02-30\nawards:\n"
            f"  - id: {AWARD_ID[:-1]}0\n    {GOOD_AWARD}\n"
        },
        "content/assertions/x.yaml:2: error: invalid value '2026-02-30'",
    ),
    "missing image": (
        {"content/images/star.svg": None},
        "content/badgeclasses/star.yaml:4: error: image not found: content/images/star.svg",
    ),
    "not PNG or SVG": (
        {
            "content/images/star.jpg": b"\xff\xd8\xff\xe0 not really",
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: n\ndescription: d\n"
            "image: images/star.jpg\nimage_caption: c\ncriteria: c\n",
        },
        "content/badgeclasses/star.yaml:4: error: 'image' must be a PNG or SVG file",
    ),
    "PNG that is not a PNG": (
        {"content/images/python.png": b"GIF89a not a png"},
        "content/badgeclasses/python-basics.yaml:4: error: image content/images/python.png: not a PNG file",
    ),
    "SVG with a script": (
        {"content/images/star.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'},
        "content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG contains a <script> element",
    ),
    "SVG that points to another file": (
        {
            "content/images/star.svg": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="/home/me/logo.png" width="9" height="9"/></svg>'
        },
        "content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG references another file",
    ),
    "SVG that cannot be drawn": (
        {"content/images/star.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>'},
        "content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG cannot be drawn as a PNG preview",
    ),
    "image path with a control character": (
        {
            "content/badgeclasses/star.yaml": 'issuer: test-uni\nname: n\ndescription: d\nimage: "images/\\0.png"\n'
            "image_caption: c\ncriteria: c\n"
        },
        "content/badgeclasses/star.yaml:4: error: 'image' must be a file name inside content/",
    ),
    "path escaping content/": (
        {
            "content/badgeclasses/star.yaml": "issuer: test-uni\nname: n\ndescription: d\nimage: ../../etc/passwd.png\n"
            "image_caption: c\ncriteria: c\n"
        },
        "content/badgeclasses/star.yaml:4: error: 'image' points outside content/",
    ),
    "slug not URL-safe": (
        {
            "content/badgeclasses/Python Advanced.yaml": "issuer: test-uni\nname: n\ndescription: d\n"
            "image: images/star.svg\nimage_caption: c\ncriteria: c\n"
        },
        "content/badgeclasses/Python Advanced.yaml: error: file name 'Python Advanced' is not URL-safe",
    ),
    "plaintext email": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n  - id: {AWARD_ID[:-1]}0\n"
            "    recipient: {email: a@b.example}\n"
        },
        "content/assertions/x.yaml:5: error: a plaintext email must never be stored",
    ),
    "unknown key": (
        {"content/issuers/test-uni.yaml": "name: T\nurl: https://uni.example.org\nemail: a@b.example\nwebsite: x\n"},
        "content/issuers/test-uni.yaml:4: error: unknown key 'website'",
    ),
    "expiry before issue": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n  - id: {AWARD_ID[:-1]}0\n"
            f"    {GOOD_AWARD}\n    expires: 2025-01-01\n"
        },
        "content/assertions/x.yaml:6: error: 'expires' must be after the issue date",
    ),
    "bad award id": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n"
            f"  - id: jane-smith\n    {GOOD_AWARD}\n"
        },
        "content/assertions/x.yaml:4: error: 'id' must be a lowercase UUID",
    ),
    "SVG that declares the openbadges namespace": (
        {
            "content/images/star.svg": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
            b'<rect width="9" height="9"/></svg>'
        },
        "content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG already declares the openbadges",
    ),
    "theme that does not exist": (
        {"content/site.yaml": "base_url: https://example.github.io/badges\nname: Test\ntheme: sakura\n"},
        "content/site.yaml:3: error: theme 'sakura' not found",
    ),
    "base_url with an uppercase host": (
        {"content/site.yaml": "base_url: https://SakuraTech.github.io/Badges\nname: Test\n"},
        "content/site.yaml:1: error: 'base_url' must have a lowercase host: https://sakuratech.github.io/Badges",
    ),
    "bad hash": (
        {
            "content/assertions/x.yaml": f"badge: star\nissued_on: 2026-01-01\nawards:\n  - id: {AWARD_ID[:-1]}0\n"
            "    recipient: {hash: md5$abc, salt: s}\n"
        },
        "content/assertions/x.yaml:5: error: 'hash' is not valid",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_problem_is_reported_with_file_and_line(make_site, capsys, name):
    overrides, expected = CASES[name]
    root = make_site(overrides)
    code, errors = errors_of(root, capsys)
    assert code == 1
    assert any(line.startswith(expected) for line in errors), errors
    assert not (root / "output").exists()


def test_all_problems_are_reported_in_one_run(make_site, capsys):
    overrides = {}
    for name in ("missing required field", "unknown issuer", "bad date", "SVG with a script", "slug not URL-safe"):
        overrides.update(CASES[name][0])
    root = make_site(overrides)
    code, errors = errors_of(root, capsys)
    assert code == 1
    for name in ("missing required field", "unknown issuer", "slug not URL-safe"):
        assert any(line.startswith(CASES[name][1]) for line in errors), (name, errors)
    assert errors == sorted(errors)


def test_a_failed_build_leaves_the_previous_output_exactly_as_it_was(make_site, capsys):
    root = make_site()
    assert build(root) == 0
    before = tree_bytes(root / "output")
    make_site({"content/badgeclasses/star.yaml": "issuer: nobody\n"}, root=root)
    code, errors = errors_of(root, capsys)
    assert code == 1 and errors
    assert tree_bytes(root / "output") == before
    assert not [p for p in root.iterdir() if p.name.startswith((".sitegen-build-", ".sitegen-old-"))]  # no staging left


def test_a_template_error_is_reported_and_output_kept(make_site, capsys):
    root = make_site()
    assert build(root) == 0
    before = tree_bytes(root / "output")
    make_site({"themes/default/templates/index.html": "{% for x in %}"}, root=root)
    code = build(root)
    err = capsys.readouterr().err
    assert code == 1 and "themes/default/templates/index.html:1: error: template error" in err
    assert tree_bytes(root / "output") == before


def test_missing_site_yaml(tmp_path, capsys):
    (tmp_path / "content").mkdir()
    code, errors = errors_of(tmp_path, capsys)
    assert code == 1 and errors[0].startswith("content/site.yaml: error: missing")


def test_site_size_is_reported_warned_and_capped(make_site, capsys):
    root = make_site()
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    size = sum(p.stat().st_size for p in (root / "output").rglob("*") if p.is_file())
    assert "% of the GitHub Pages limit)" in out
    assert main(["build", "--root", str(root), "--size-limit", str(int(size / 0.9))]) == 0
    assert "warning: the site is" in capsys.readouterr().err
    before = tree_bytes(root / "output")
    assert main(["build", "--root", str(root), "--size-limit", str(size // 2)]) == 1
    err = capsys.readouterr().err
    assert "over the" in err and "baking: browser" in err
    assert tree_bytes(root / "output") == before
    # The advice works: without a baked file per award the site is smaller.
    with open(root / "content/site.yaml", "a", encoding="utf-8") as handle:
        handle.write("baking: browser\n")
    assert main(["build", "--root", str(root)]) == 0
    capsys.readouterr()
    assert sum(p.stat().st_size for p in (root / "output").rglob("*") if p.is_file()) < size


@pytest.mark.parametrize("where", [".", "content", "content/images", "..", ".git", "notes"])
def test_an_output_folder_that_would_lose_work_is_refused(make_site, capsys, where):
    root = make_site()
    (root / ".git").mkdir()
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (root / "notes").mkdir()
    (root / "notes/todo.txt").write_text("mine")
    before = tree_bytes(root)
    assert main(["build", "--root", str(root), "--output", str(root / where)]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "internal error" not in err
    assert tree_bytes(root) == before


def test_a_previous_output_folder_is_replaced(make_site, tmp_path):
    root = make_site()
    target = tmp_path / "public"
    assert main(["build", "--root", str(root), "--output", str(target)]) == 0
    assert main(["build", "--root", str(root), "--output", str(target)]) == 0  # it is sitegen's own
    assert (target / "index.html").is_file()


def test_a_bad_date_does_not_hide_the_other_problems_of_its_file(make_site, capsys):
    root = make_site(
        {
            "content/assertions/x.yaml": f"badge: nope\nissued_on: 2026-13-45\nawards:\n"
            f"  - id: jane-smith\n    {GOOD_AWARD}\n    show_name: maybe\n"
        }
    )
    code, errors = errors_of(root, capsys)
    assert code == 1
    joined = "\n".join(errors)
    for expected in (
        "x.yaml:2: error: invalid value '2026-13-45'",
        "x.yaml:1: error: unknown badge 'nope'",
        "x.yaml:4: error: 'id' must be a lowercase UUID",
        "x.yaml:6: error: 'show_name' must be true or false",
    ):
        assert expected in joined, joined


def test_yaml_aliases_that_could_explode_are_refused_quickly(make_site, capsys):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    root = make_site(
        {
            "content/issuers/test-uni.yaml": "name: T\nurl: https://uni.example.org\nemail: a@b.example\n"
            "description:\n" + "".join("  " + line + "\n" for line in bomb.splitlines())
        }
    )
    code, errors = errors_of(root, capsys)
    assert code == 1 and any("YAML aliases" in e for e in errors)


def test_impossible_offsets_and_validities_are_content_errors_and_a_duplicate_is_found_beside_other_errors(
    make_site, capsys
):
    from conftest import default_files

    files = default_files()
    root = make_site(
        {
            "content/site.yaml": edit(files["content/site.yaml"], 'timezone: "+09:00"', 'timezone: "+25:00"'),
            "content/badgeclasses/star.yaml": edit(files["content/badgeclasses/star.yaml"], "P1Y", "P99999Y"),
            # The duplicate of an award published elsewhere, in a file that also has another mistake.
            "content/assertions/x.yaml": f"badge: nope\nissued_on: 2026-01-01\nawards:\n"
            f"  - id: {AWARD_ID}\n    {GOOD_AWARD}\n"
            f"  - id: not-a-uuid\n    {GOOD_AWARD}\n",
        }
    )
    code, errors = errors_of(root, capsys)
    assert code == 1
    assert any(e.startswith("content/site.yaml:4: error: 'timezone' must be an offset") for e in errors)
    assert any(
        e.startswith("content/badgeclasses/star.yaml:7: error: 'valid_for' of P99999Y is more than 100 years")
        for e in errors
    )
    assert any(e.startswith("content/assertions/x.yaml:1: error: unknown badge 'nope'") for e in errors)
    assert any(e.startswith(f"content/assertions/x.yaml:4: error: duplicate award id {AWARD_ID}") for e in errors)
    assert any(e.startswith("content/assertions/x.yaml:6: error: 'id' must be a lowercase UUID") for e in errors)
    for offset in ('"+09:75"', '"-15:00"'):
        root = make_site({"content/site.yaml": edit(files["content/site.yaml"], '"+09:00"', offset)})
        assert errors_of(root, capsys)[0] == 1


def test_an_expiry_past_the_calendar_is_an_error_not_a_badge_that_never_expires(make_site, capsys):
    from conftest import default_files

    carol = edit(
        default_files()["content/assertions/star-carol.yaml"], "issued_on: 2025-01-15", "issued_on: 9999-06-01"
    )
    root = make_site({"content/assertions/star-carol.yaml": carol})
    code, errors = errors_of(root, capsys)
    assert code == 1 and any("takes this award's expiry past the year 9999" in e for e in errors)
    root = make_site({"content/site.yaml": edit(default_files()["content/site.yaml"], '"+09:00"', '"+14:30"')})
    assert errors_of(root, capsys)[0] == 1
    root = make_site({"content/site.yaml": edit(default_files()["content/site.yaml"], '"+09:00"', '"+14:00"')})
    assert errors_of(root, capsys)[0] == 0


def test_theme_templates_are_sandboxed_and_links_out_of_the_repository_are_refused(make_site, capsys, tmp_path):
    """A pull request's theme or content must not run code or read the machine's files (the deploy job holds
    the signing key)."""
    import os

    witness = tmp_path / "ran"
    attack = (
        '{% extends "base.html" %}{% set _ = cycler.__init__.__globals__.os.system("touch ' + str(witness) + '") %}'
    )
    root = make_site({"themes/default/templates/verify.html": attack})
    code, errors = errors_of(root, capsys)
    assert code == 1 and not witness.exists()
    secret = tmp_path / "secret.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n")
    for rel in ("themes/default/static/print.css", "content/issuers/linked.yaml"):
        root = make_site()
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(secret, root / rel)
        code, errors = errors_of(root, capsys)
        assert code == 1 and any(e.startswith(f"{rel}:") and "symbolic link" in e for e in errors)
        assert not (root / "output").exists()


SVG_ATTACKS = {
    "prefixed script": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg"><s:script>'
    b"alert(1)</s:script></svg>",
    "XHTML iframe": b'<svg xmlns="http://www.w3.org/2000/svg"><iframe xmlns="http://www.w3.org/1999/xhtml" '
    b'srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"/></svg>',
    "SMIL href": b'<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="&#106;avascript:alert(1)"/>'
    b'<rect width="9" height="9"/></a></svg>',
    "meta refresh": b'<svg xmlns="http://www.w3.org/2000/svg"><meta xmlns="http://www.w3.org/1999/xhtml" '
    b'http-equiv="refresh" content="0;url=https://evil.example/"/></svg>',
    "encoded import": b'<svg xmlns="http://www.w3.org/2000/svg"><style>&#64;import "https://evil.example/x.css";</style></svg>',
    "encoded url": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" style="fill:&#117;rl(https://e.example/x)"/></svg>',
    "CSS escape": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" style="fill:u\\72l(https://e.example/x)"/></svg>',
    "animated image": b'<svg xmlns="http://www.w3.org/2000/svg"><image><animate attributeName="href" '
    b'values="https://evil.example/x"/></image></svg>',
}


@pytest.mark.parametrize("attack", sorted(SVG_ATTACKS))
def test_svg_badges_that_could_run_script_or_fetch_are_refused_however_disguised(make_site, capsys, attack):
    root = make_site({"content/images/star.svg": SVG_ATTACKS[attack]})
    code, errors = errors_of(root, capsys)
    assert code == 1 and any(
        e.startswith("content/badgeclasses/star.yaml:4: error: image content/images/star.svg: SVG") for e in errors
    ), errors


def test_an_svg_drawing_with_gradients_styles_and_editor_metadata_is_accepted(make_site):
    drawing = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10">'
        b'<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        b'<style>.a{fill:url(#g)}</style><rect class="a" inkscape:label="x" width="10" height="10" '
        b'style="stroke:url(#g)"/><use xlink:href="#g"/></svg>'
    )
    assert build(make_site({"content/images/star.svg": drawing})) == 0


def test_urls_that_would_break_out_of_pages_or_crash_the_build_are_content_errors(make_site, capsys):
    from conftest import default_files

    files = default_files()
    site = edit(
        files["content/site.yaml"],
        "base_url: https://example.github.io/badges",
        "base_url: 'https://example.github.io/b\"onmouseover=\"alert(1)'",
    )
    code, errors = errors_of(make_site({"content/site.yaml": site}), capsys)
    assert code == 1 and any(e.startswith("content/site.yaml:1: error: 'base_url' may hold") for e in errors)
    spring = edit(
        files["content/assertions/2026/spring.yaml"],
        "https://github.com/alice/project",
        "https://x@javascript:alert(26)//y",
    )
    code, errors = errors_of(make_site({"content/assertions/2026/spring.yaml": spring}), capsys)
    assert code == 1 and any("'url' is not a valid URL" in e for e in errors)
