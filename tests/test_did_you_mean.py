"""Issue 15 item 7, the content side: "did you mean …" for a mistyped key or file name (badge, issuer), as the CLI
prints it; and a Markdown list written right under a line of text, which renders as a list as GitHub shows it.
Real scratch sites, the real CLI, the built pages parsed."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from conftest import AWARD_ID, SALT, identity_hash
from helpers import build

from sitegen.content.markdown import render_markdown

STAR = "issuer: test-uni\nname: Star\ndescription: A star.\nimage: images/star.svg\nimage_caption: A circle\n"
ALICE = f'{{hash: "{identity_hash()}", salt: "{SALT}"}}'


def errors_of(root, capsys) -> list[str]:
    assert build(root) == 1
    return [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            {"content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\nbakin: files\n"},
            "content/site.yaml:3: error: unknown key 'bakin' in site.yaml: did you mean 'baking'?",
        ),
        (
            {"content/badgeclasses/star.yaml": STAR.replace("description:", "descripton:") + "criteria: Be a star.\n"},
            "content/badgeclasses/star.yaml:3: error: unknown key 'descripton' in a badge class: did you mean "
            "'description'?",
        ),
        (
            {
                "content/assertions/star-carol.yaml": "badge: star\nawards:\n"
                f"  - {{id: {AWARD_ID.replace('5a', '5c')}, recipient: {ALICE}, isued_on: 2026-01-01}}\n"
            },
            "content/assertions/star-carol.yaml:3: error: unknown key 'isued_on' in an award: did you mean "
            "'issued_on'?",
        ),
        (
            {
                "content/assertions/star-carol.yaml": "badge: star\nissued_on: 2026-01-01\nawards:\n"
                f"  - id: {AWARD_ID.replace('5a', '5c')}\n    recipient: {{hash: x, sal: y}}\n"
            },
            "content/assertions/star-carol.yaml:5: error: unknown key 'sal' in 'recipient': did you mean 'salt'?",
        ),
        (
            {"content/badgeclasses/star.yaml": STAR.replace("test-uni", "test-univ") + "criteria: Be a star.\n"},
            "content/badgeclasses/star.yaml:1: error: unknown issuer 'test-univ': did you mean 'test-uni'? (one per "
            "file in content/issuers/)",
        ),
        (
            {
                "content/assertions/star-carol.yaml": "badge: python-basic\nissued_on: 2026-01-01\nawards:\n"
                f"  - {{id: {AWARD_ID.replace('5a', '5c')}, recipient: {ALICE}}}\n"
            },
            "content/assertions/star-carol.yaml:1: error: unknown badge 'python-basic': did you mean 'python-basics'? "
            "(one per file in content/badgeclasses/)",
        ),
        (
            {
                "content/badgeclasses/star.yaml": STAR + "criteria: Be a star.\nmicrocredential:\n"
                "  stackable_into: [pyhton-basics]\n"
            },
            "content/badgeclasses/star.yaml:8: error: 'stackable_into': 'pyhton-basics' is not another badge of this "
            "site nor an http(s):// URL: did you mean 'python-basics'?",
        ),
    ],
    ids=["site option", "badge key", "award key", "recipient key", "issuer", "badge", "stackable_into"],
)
def test_a_typo_is_answered_with_what_it_most_likely_meant(make_site, capsys, files, error):
    assert error in errors_of(make_site(files), capsys)


def test_without_a_close_match_the_allowed_keys_and_slugs_are_listed(make_site, capsys):
    root = make_site(
        {
            "content/site.yaml": "base_url: https://example.github.io/badges\nname: Badges\ncolour: blue\n",
            "content/badgeclasses/star.yaml": STAR.replace("test-uni", "faculty") + "criteria: Be a star.\n",
            "content/assertions/star-carol.yaml": "badge: rocket\nissued_on: 2026-01-01\nawards:\n"
            f"  - {{id: {AWARD_ID.replace('5a', '5c')}, recipient: {ALICE}}}\n",
        }
    )
    errors = errors_of(root, capsys)
    assert (
        "content/site.yaml:3: error: unknown key 'colour' in site.yaml (allowed: award_pages, baking, base_url, "
        "credential_status, default_language, keys, microcredential_profile, name, ob2_signing, published_languages, "
        "published_languages_since, size_limit, theme, timezone)"
    ) in errors
    assert (
        "content/badgeclasses/star.yaml:1: error: unknown issuer 'faculty' (issuers: test-uni; one per file in "
        "content/issuers/)"
    ) in errors
    assert (
        "content/assertions/star-carol.yaml:1: error: unknown badge 'rocket' (badges: python-basics, star; one per "
        "file in content/badgeclasses/)"
    ) in errors


class Blocks(HTMLParser):
    """The text of each paragraph and list item of an HTML fragment, and the items of each list, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.paragraphs: list[str] = []
        self.lists: list[tuple[str, list[str]]] = []  # ("ul" or "ol", its items' texts)
        self._open: list[tuple[str, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists.append((tag, []))
        if tag in ("p", "li"):
            self._open.append((tag, []))

    def handle_endtag(self, tag):
        if tag in ("p", "li") and self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            (self.paragraphs if tag == "p" else self.lists[-1][1]).append(text)

    def handle_data(self, data):
        for _, parts in self._open:
            parts.append(data)


@pytest.mark.parametrize(
    ("markdown", "paragraphs", "lists"),
    [
        ("Requirements:\n- a\n- b", ["Requirements:"], [("ul", ["a", "b"])]),
        ("要件：\n* 課題を提出する\n* 試験に合格する", ["要件："], [("ul", ["課題を提出する", "試験に合格する"])]),
        ("Steps:\n1. one\n2. two", ["Steps:"], [("ol", ["one", "two"])]),
        ("In a quote:\n> Needs:\n> + x\n> + y", ["In a quote:", "Needs:"], [("ul", ["x", "y"])]),
        # As before: a list after a blank line, a list's continuation line, a list item's own lines.
        ("Requirements:\n\n- a\n- b", ["Requirements:"], [("ul", ["a", "b"])]),
        ("- a\n  continued\n- b", [], [("ul", ["a continued", "b"])]),
        # Not lists on GitHub either: an ordered list that does not start at 1 under text, a thematic break, a
        # dash without text, a year.
        ("The year\n1986. was good", ["The year 1986. was good"], []),
        ("Text\n* * *\nMore", ["Text", "More"], []),
        ("Lowest:\n-5 degrees", ["Lowest: -5 degrees"], []),
    ],
    ids=["dash", "star, Japanese", "ordered", "blockquote", "blank line", "continuation", "not 1", "rule", "minus"],
)
def test_a_list_right_under_a_line_of_text_is_a_list_as_on_github(markdown, paragraphs, lists):
    blocks = Blocks(render_markdown(markdown))
    assert (blocks.paragraphs, blocks.lists) == (paragraphs, lists)


def test_code_keeps_its_lines():
    assert (
        render_markdown("Run:\n\n    make\n    - not a list")
        == "<p>Run:</p>\n<pre><code>make\n- not a list\n</code></pre>"
    )


def test_the_pages_show_the_list_and_the_published_criteria_keep_the_text_as_written(make_site, capsys):
    criteria = "Requirements:\n- Shine\n- Twinkle\n"
    narrative = "What they did:\n- a talk\n- a <script>alert(1)</script> demo"
    root = make_site(
        {
            "content/badgeclasses/star.yaml": STAR + "criteria: |\n  Requirements:\n  - Shine\n  - Twinkle\n",
            "content/assertions/star-carol.yaml": "badge: star\nissued_on: 2026-01-01\nawards:\n"
            f"  - id: {AWARD_ID.replace('5a', '5c')}\n    recipient: {ALICE}\n    narrative: {json.dumps(narrative)}\n",
        }
    )
    assert build(root) == 0
    out = root / "output"
    badge_page = Blocks((out / "badges/star.html").read_text(encoding="utf-8"))
    assert "Requirements:" in badge_page.paragraphs and ("ul", ["Shine", "Twinkle"]) in badge_page.lists
    award_html = (out / f"assertions/{AWARD_ID.replace('5a', '5c')}.html").read_text(encoding="utf-8")
    award_page = Blocks(award_html)
    assert "What they did:" in award_page.paragraphs and ("ul", ["a talk", "a demo"]) in award_page.lists
    assert "<script>alert" not in award_html  # sanitised as before
    # Published data carries the Markdown as written: only the pages render it.
    assert json.loads((out / "badges/star.json").read_text(encoding="utf-8"))["criteria"]["narrative"] == criteria
    assertion = json.loads((out / f"assertions/{AWARD_ID.replace('5a', '5c')}.json").read_text(encoding="utf-8"))
    assert assertion["narrative"] == narrative
