"""Content the pages can show to everyone: images in Markdown without alt text, and the issuer's LinkedIn
organization id (read from the issuer YAML for the pages, never published in a badge document)."""

from __future__ import annotations

import pytest
from conftest import default_files

from sitegen.cli import main
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
