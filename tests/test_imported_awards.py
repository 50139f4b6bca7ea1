"""Awards imported from another platform (`imported_from:`): they keep their recipient exactly as first published
(even a hash without salt), get this site's URLs and signature, and every published document points back to
where they were first issued."""

from __future__ import annotations

import hashlib
import json
import textwrap

import pytest
from conftest import BASE_URL, default_files

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.diagnostics import BuildError
from sitegen.openbadges.keys import generate

IMPORTED_ID = "8d2f7a1c-3b4e-4f5a-9c6d-7e8f9a0b1c2d"
ORIGINAL = "https://moodle.example.ac.jp/badges/assertion.php?b=0f1e2d3c&obversion=2"
EMAIL = "erin@example.org"
UNSALTED = "sha256$" + hashlib.sha256(EMAIL.encode()).hexdigest()


def imported(recipient: str = f'{{hash: "{UNSALTED}"}}', extra: str = "") -> str:
    return f"""\
        badge: python-basics
        issued_on: 2024-10-01
        awards:
          - id: {IMPORTED_ID}
            recipient: {recipient}
            imported_from: {{url: "{ORIGINAL}", platform: moodle}}
        {extra}"""


@pytest.fixture(scope="module")
def keypair():
    return generate()


def test_an_imported_award_points_back_to_its_origin_in_every_document(make_site, keypair):
    site_yaml = textwrap.dedent(default_files()["content/site.yaml"])  # type: ignore[arg-type]
    site_yaml += f"keys:\n  - id: key-1\n    public_key: {keypair[1]}\n"
    root = make_site({"content/site.yaml": site_yaml, "content/assertions/imported.yaml": imported()})
    build_site(root, environ={"SITEGEN_SIGNING_KEY": keypair[0]})
    assertion = json.loads((root / f"output/assertions/{IMPORTED_ID}.json").read_text(encoding="utf-8"))
    credential = json.loads((root / f"output/credentials/{IMPORTED_ID}.json").read_text(encoding="utf-8"))

    # This site's URL and signature; the original issue date; the recipient exactly as first published.
    assert assertion["id"] == f"{BASE_URL}/assertions/{IMPORTED_ID}.json"
    assert assertion["issuedOn"].startswith("2024-10-01")
    assert assertion["recipient"] == {"type": "email", "hashed": True, "identity": UNSALTED}
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == UNSALTED
    assert "salt" not in credential["credentialSubject"]["identifier"][0]
    [origin] = assertion["evidence"]
    assert origin["id"] == ORIGINAL and origin["name"] == "Originally issued on Moodle (moodle.example.ac.jp)"
    assert credential["evidence"] == [{**origin, "type": ["Evidence"]}]

    # Its page says so, with a link to the original.
    page = (root / f"output/assertions/{IMPORTED_ID}.html").read_text(encoding="utf-8")
    assert "Moved from another platform" in page and "first issued elsewhere" in page
    assert f'<a href="{ORIGINAL.replace("&", "&amp;")}" rel="noopener nofollow">Moodle</a>' in page

    # It verifies, and the earner's email still matches the hash kept from the old platform.
    assert main(["verify", str(root / f"output/credentials/{IMPORTED_ID}.json"), "--site", str(root / "output")]) == 0
    hosted = str(root / f"output/assertions/{IMPORTED_ID}.json")
    assert main(["verify", hosted, "--site", str(root / "output"), "--email", EMAIL]) == 0
    assert main(["verify", hosted, "--site", str(root / "output"), "--email", "someone@example.org"]) != 0


def test_a_missing_salt_is_an_error_unless_the_award_was_imported(make_site):
    plain = imported().replace(f'            imported_from: {{url: "{ORIGINAL}", platform: moodle}}\n', "")
    root = make_site({"content/assertions/imported.yaml": plain})
    with pytest.raises(BuildError) as raised:
        build_site(root)
    assert any("'salt'" in d.message and d.location.line == 5 for d in raised.value.diagnostics)


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ('{url: "not a url", platform: moodle}', "'url'"),
        (f'{{url: "{ORIGINAL}", platform: "Moodle 4!"}}', "'platform' is not valid"),
        (f'{{url: "{ORIGINAL}"}}', "missing required field 'platform'"),
        (f'{{url: "{ORIGINAL}", platform: moodle, when: 2024}}', "unknown key 'when'"),
    ],
)
def test_bad_imported_from_is_reported_at_its_line(make_site, origin, message):
    text = imported().replace(f'{{url: "{ORIGINAL}", platform: moodle}}', origin)
    root = make_site({"content/assertions/imported.yaml": text})
    with pytest.raises(BuildError) as raised:
        build_site(root)
    [found] = raised.value.diagnostics
    assert found.location.path == "content/assertions/imported.yaml" and found.location.line == 6
    assert message in found.message
