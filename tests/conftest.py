"""Tiny scratch sites in tmp_path: a fixture writes the files, tests build and parse the output."""

from __future__ import annotations

import hashlib
import io
import textwrap
from pathlib import Path

import pytest

# One Chromium for the whole session, defined here only: each test module that imported the fixture itself
# would start a Playwright of its own, and a second one in one process fails.
from browser import browser  # noqa: F401,E402 (fixture)
from PIL import Image

from sitegen.messages import use_language

BASE_URL = "https://example.github.io/badges"
AWARD_ID = "5b8f6d8e-2f4a-4c1e-9a57-0f1e2d3c4b5a"
REVOKED_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
EMAIL = "alice@example.org"
SALT = "0123456789abcdef0123456789abcdef"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">'
    b'<title>Star</title><circle cx="50" cy="50" r="40" fill="#0b5cad"/></svg>\n'
)


def png_bytes(size: int = 64, color=(11, 92, 173)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "PNG")
    return buffer.getvalue()


def identity_hash(email: str = EMAIL, salt: str = SALT) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def default_files() -> dict[str, str | bytes]:
    return {
        "content/site.yaml": f"""\
            base_url: {BASE_URL}
            name: {{ja: テスト大学バッジ, en: Test University Badges}}
            default_language: en
            timezone: "+09:00"
            """,
        "content/issuers/test-uni.yaml": """\
            name: {ja: テスト大学, en: Test University}
            url: https://uni.example.org
            email: badges@uni.example.org
            description: A university that *tests* things.
            """,
        "content/badgeclasses/python-basics.yaml": """\
            issuer: test-uni
            name: {ja: Python 基礎, en: Python Basics}
            description: Writes small Python programs.
            image: images/python.png
            image_caption: A blue square with the word Python
            criteria: |
              - Pass the **final exam**
              - Submit three exercises
            tags: [python, programming]
            alignment:
              - {name: Programming, url: "https://framework.example.org/prog", framework: Example, code: P1}
            """,
        "content/badgeclasses/star.yaml": """\
            issuer: test-uni
            name: Star
            description: A star performer.
            image: images/star.svg
            image_caption: A blue circle
            criteria: Be a star.
            valid_for: P1Y
            """,
        "content/images/python.png": png_bytes(),
        "content/images/star.svg": SVG,
        "content/assertions/2026/spring.yaml": f"""\
            badge: python-basics
            issued_on: 2026-04-01
            awards:
              - id: {AWARD_ID}
                recipient: {{hash: "{identity_hash()}", salt: "{SALT}"}}
                evidence: [{{url: "https://github.com/alice/project", name: Project}}]
              - id: {REVOKED_ID}
                recipient: {{hash: "{identity_hash("bob@example.org")}", salt: "{SALT}"}}
                revoked: {{on: 2026-05-01, reason: Awarded by mistake}}
            """,
        "content/assertions/star-carol.yaml": f"""\
            badge: star
            issued_on: 2025-01-15
            awards:
              - id: 7c9e6679-7425-40de-944b-e07fc1f90ae7
                recipient: {{hash: "{identity_hash("carol@example.org")}", salt: "{SALT}"}}
                name: Carol Example
                show_name: true
            """,
    }


def write_files(root: Path, files: dict[str, str | bytes | None]) -> Path:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Every test starts with sitegen's messages in English, whatever the machine's locale: the CLI (in-process or
    a subprocess, which inherits os.environ) reads LC_ALL/LC_MESSAGES/LANG/LANGUAGE. A test wanting Japanese sets
    them itself or passes --lang ja."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    use_language("en")
    yield
    use_language("en")


@pytest.fixture
def make_site(tmp_path):
    """make_site(overrides) → the root of a scratch content repository (None in overrides deletes a file)."""

    def make(overrides: dict | None = None, root: Path | None = None) -> Path:
        files = default_files()
        files.update(overrides or {})
        return write_files(root or tmp_path / "site", {k: v for k, v in files.items()})

    return make


# The served scratch sites of the browser tests (last: they build on the helpers above).
from browser_sites import page, served, signed_served  # noqa: F401,E402 (fixtures)
