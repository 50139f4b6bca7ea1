"""Content the pages can show to everyone: images in Markdown without alt text, and the issuer's LinkedIn
organization id (read from the issuer YAML for the pages, never published in a badge document)."""

from __future__ import annotations

import json

import pytest
from browser import Server, axe_violations, free_port
from conftest import SALT, default_files, identity_hash
from helpers import Page, edit

from sitegen.cli import main
from sitegen.content.markdown import images_without_alt, render_markdown
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError

ISSUER = "content/issuers/test-uni.yaml"


def issuer_with(line: str) -> dict[str, str]:
    return {ISSUER: str(default_files()[ISSUER]) + line + "\n"}


@pytest.mark.parametrize(
    ("written", "read"),
    [("12345678", "12345678"), ('"12345678"', "12345678"), ("'90210'", "90210"), (" 7 ", "7")],
)
def test_linkedin_organization_id_is_read_as_a_string_of_digits(make_site, written, read):
    root = make_site(issuer_with(f"linkedin_organization_id: {written}"))
    site, _ = load_site(root)
    assert site.issuers["test-uni"].linkedin_organization_id == read


def test_linkedin_organization_id_is_optional(make_site):
    site, _ = load_site(make_site())
    assert site.issuers["test-uni"].linkedin_organization_id is None


@pytest.mark.parametrize(
    "written",
    [
        '"https://www.linkedin.com/company/12345678/"',  # the page's address, not its id
        "test-university",  # the vanity name
        '"1234 5678"',
        '"0123"',
        "-5",
        "12.5",
        "true",
        "[1, 2]",
        "{id: 1}",
    ],
)
def test_anything_but_digits_is_an_error_at_its_line(make_site, capsys, written):
    root = make_site(issuer_with(f"linkedin_organization_id: {written}"))
    with pytest.raises(BuildError) as raised:
        load_site(root)
    [problem] = raised.value.diagnostics
    assert (problem.location.path, problem.location.line) == (ISSUER, 5)
    assert problem.code in ("content.invalid-value", "content.wrong-type")
    assert "linkedin_organization_id" in problem.message
    # What the author reads on the command line: file:line and the field.
    assert main(["check", "--root", str(root)]) != 0
    err = capsys.readouterr().err
    assert f"{ISSUER}:5" in err and "linkedin_organization_id" in err


def test_linkedin_organization_id_is_in_no_published_json(make_site):
    root = make_site(issuer_with("linkedin_organization_id: 98765432123"))
    assert main(["build", "--root", str(root)]) == 0
    out = root / "output"
    # The badge data: documents, credentials, status lists, baked images (assets/ is the theme's, not data).
    published = [
        p for p in out.rglob("*") if p.is_file() and p.suffix != ".html" and not p.is_relative_to(out / "assets")
    ]
    assert any(p.suffix == ".json" for p in published) and any(p.suffix == ".png" for p in published)
    for path in published:
        data = path.read_bytes()
        assert b"98765432123" not in data and b"linkedin_organization" not in data, path


CAROL = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

# Item 9: images without alt text, in every Markdown field and language. The lines are those of the files below.
IMG = "https://img.example"
PICTURES = f"""\
issuer: test-uni
name: Pictures
description: |
  <img alt="" src="{IMG}/rule.png"> a rule, decorative on purpose, and ![A blue star]({IMG}/star.png)
image: images/python.png
image_caption: A blue square
criteria:
  ja: "![]({IMG}/ja.png) 試験に合格する"
  en: |
    Pass the exam.
    <img src="{IMG}/en.png">
"""
ISSUER_WITH_LOGO = f"""\
name: {{ja: テスト大学, en: Test University}}
url: https://uni.example.org
email: badges@uni.example.org
description: {{ja: '<img src="{IMG}/logo.png">テスト大学', en: A university that tests things.}}
"""
CAROL_AWARD = f"""\
badge: star
issued_on: 2025-01-15
awards:
  - id: {CAROL}
    recipient: {{hash: "{identity_hash("carol@example.org")}", salt: "{SALT}"}}
    name: Carol Example
    show_name: true
    narrative: "Drew this: ![ ]({IMG}/drawing.png)"
    evidence:
      - narrative: '<img alt="  " src="{IMG}/photo.png"> the finished piece'
"""
WITHOUT_ALT = {
    ("content/badgeclasses/pictures.yaml", 8, f"{IMG}/ja.png", "'criteria.ja'"),
    ("content/badgeclasses/pictures.yaml", 9, f"{IMG}/en.png", "'criteria.en'"),
    ("content/issuers/test-uni.yaml", 4, f"{IMG}/logo.png", "'description.ja'"),
    ("content/assertions/star-carol.yaml", 8, f"{IMG}/drawing.png", "'narrative'"),
    ("content/assertions/star-carol.yaml", 10, f"{IMG}/photo.png", "'narrative'"),
}


@pytest.fixture
def pictures_site(make_site):
    site_yaml = str(default_files()["content/site.yaml"]) + "award_pages: every_language\n"
    return make_site(
        {
            "content/site.yaml": site_yaml,
            "content/badgeclasses/pictures.yaml": PICTURES,
            ISSUER: ISSUER_WITH_LOGO,
            "content/assertions/star-carol.yaml": CAROL_AWARD,
        }
    )


def alt_warnings(diagnostics: list[dict]) -> set[tuple[str, int, str, str]]:
    """(path, line, image, field) of each content.image-without-alt warning."""
    found = set()
    for item in diagnostics:
        if item["code"] == "content.image-without-alt":
            assert item["severity"] == "warning"
            [image] = [src for (_, _, src, _) in WITHOUT_ALT if src in item["message"]]
            field = item["message"].split(":")[0]
            found.add((item["path"], item["line"], image, field))
    return found


def test_images_without_alt_are_warnings_at_their_field_and_the_build_succeeds(pictures_site, capsys):
    assert main(["build", "--json", "--root", str(pictures_site)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    # Each one named once, with its file, line and field; the described and the alt="" images are not.
    assert alt_warnings(report["diagnostics"]) == WITHOUT_ALT
    assert sum(d["code"] == "content.image-without-alt" for d in report["diagnostics"]) == len(WITHOUT_ALT)
    assert not any("rule.png" in d["message"] or "star.png" in d["message"] for d in report["diagnostics"])

    # Without --json the build prints them as file:line: warning.
    assert main(["build", "--root", str(pictures_site)]) == 0
    err = capsys.readouterr().err
    for path, line, image, _ in WITHOUT_ALT:
        [shown] = [text for text in err.splitlines() if image in text]
        assert shown.startswith(f"{path}:{line}") and "warning" in shown and "alt text" in shown


def test_check_shows_the_warnings(pictures_site, capsys):
    assert main(["check", "--root", str(pictures_site)]) == 0
    out = capsys.readouterr().out
    for path, line, image, _ in WITHOUT_ALT:
        assert f"{path}:{line}" in out and image in out


def every_image(html: str) -> list[dict]:
    return [attrs for tag, attrs in Page(html).tags if tag == "img"]


def test_no_page_shows_an_image_without_alt(pictures_site):
    assert main(["build", "--root", str(pictures_site)]) == 0
    out = pictures_site / "output"
    pages = sorted(out.rglob("*.html"))
    seen: dict[str, str | None] = {}
    for path in pages:
        for attrs in every_image(path.read_text(encoding="utf-8")):
            seen[attrs.get("src") or ""] = attrs.get("alt")
            assert "alt" in attrs, (path, attrs)
            assert attrs["alt"] == "" or attrs["alt"].strip(), (path, attrs)
    # The texts the language switch puts into a page (both languages' criteria and descriptions) too.
    for path in sorted(out.glob("assets/i18n/*.json")):
        for fragment in json_strings(json.loads(path.read_text(encoding="utf-8"))):
            for attrs in every_image(fragment):
                seen[attrs.get("src") or ""] = attrs.get("alt")
                assert "alt" in attrs and (attrs["alt"] == "" or attrs["alt"].strip()), (path, attrs)
    # Each image of the content was there to be looked at, in either language; described ones kept their text.
    for image in [src for (_, _, src, _) in WITHOUT_ALT] + [f"{IMG}/rule.png"]:
        assert seen.get(image) == "", image
    assert seen[f"{IMG}/star.png"] == "A blue star"


def json_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in json_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in json_strings(item)]
    return [value] if isinstance(value, str) else []


def test_an_explicit_empty_alt_is_decorative_and_no_warning(make_site, capsys):
    decorative = edit(PICTURES, f'ja: "![]({IMG}/ja.png)', f'ja: "<img alt=\\"\\" src={IMG}/ja.png>')
    decorative = edit(decorative, f'<img src="{IMG}/en.png">', f"![Exam sheet]({IMG}/en.png)")
    root = make_site({"content/badgeclasses/pictures.yaml": decorative})
    assert main(["build", "--json", "--root", str(root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [d for d in report["diagnostics"] if d["code"] == "content.image-without-alt"]
    html = (root / "output/badges/pictures.html").read_text(encoding="utf-8")
    alts = {attrs["src"]: attrs["alt"] for attrs in every_image(html) if attrs.get("src", "").startswith(IMG)}
    assert alts[f"{IMG}/en.png"] == "Exam sheet" and alts[f"{IMG}/rule.png"] == ""


@pytest.mark.parametrize(
    ("markdown", "lacking", "images"),
    [
        ("![](https://i.example/a.png)", ("https://i.example/a.png",), 1),  # Markdown cannot say "decorative"
        ("![ ](https://i.example/a.png)", ("https://i.example/a.png",), 1),
        ("<img src=x>", ("x",), 1),  # what the sanitiser left of the image axe reported
        ('<img alt="   " src=x>', ("x",), 1),
        ('<img alt="&nbsp;" src=x>', ("x",), 1),
        ('<img src=x onerror="alert(1)"> and ![](y)', ("x", "y"), 2),
        ("<img>", ("",), 1),
        ('<img src="javascript:alert(1)">', ("",), 1),  # its source removed by the sanitiser: still an image
        ('<img alt="" src=x>', (), 1),
        ("![A star](https://i.example/a.png)", (), 1),
        ('<IMG SRC=x ALT="A star">', (), 1),
        ("`<img src=x>` is how not to do it", (), 0),  # code, not an image
        ('<a title="<img src=x>" href="https://a.example">a</a>', (), 0),
    ],
)
def test_render_markdown_gives_every_image_an_alt(markdown, lacking, images):
    assert images_without_alt(markdown) == lacking
    rendered = every_image(str(render_markdown(markdown)))
    assert len(rendered) == images
    for attrs in rendered:
        assert "alt" in attrs and (attrs["alt"] == "" or attrs["alt"].strip()), attrs
        if (attrs.get("src") or "") in lacking:
            assert attrs["alt"] == ""


def test_axe_finds_no_image_without_alt_on_the_pages(pictures_site, browser):  # noqa: F811
    """The same content, served and read by axe-core in Chromium, in both languages."""
    assert main(["build", "--root", str(pictures_site)]) == 0
    out = pictures_site / "output"
    server = Server(out, free_port())
    context = browser.new_context()
    context.route(f"{IMG}/**", lambda route: route.abort())  # the images are elsewhere: only their tags matter
    page = context.new_page()
    try:
        problems, images = {}, {}
        for english in ["badges/pictures.html", "issuers/test-uni.html", f"assertions/{CAROL}.html"]:
            for rel in (english, f"ja/{english}"):
                page.goto(f"{server.url}/{rel}")
                page.wait_for_load_state("networkidle")
                images[rel] = page.locator(f"img[src^='{IMG}']").count()
                violations = axe_violations(page)
                if violations:
                    problems[rel] = violations
        # The content's images are there to be judged (the issuer's is in its Japanese description only).
        assert all(count > 0 for rel, count in images.items() if rel != "issuers/test-uni.html"), images
        assert problems == {}
    finally:
        context.close()
        server.stop()
