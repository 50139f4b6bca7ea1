"""Issue 14 item 5: the "Micro-credential details" table of badge and award pages, in both languages, and the
descriptor changes in `sitegen check`'s plan. Scratch sites from YAML, parsed pages, Chromium with axe."""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser

import pytest
from browser import Server, axe_violations, free_port
from conftest import AWARD_ID, default_files, write_files
from helpers import build, edit, git

from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.microcredentials import DESCRIPTORS

CAROL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

MICROCREDENTIAL = """\
achievement_type: MicroCredential
microcredential:
  learning_outcomes:
    - {ja: グラフを選べる, en: Can choose a chart}
    - "Writes <script>alert(1)</script> safely"
  workload_hours: 45
  credits: {value: 10, system: ECTS}
  level: {framework: EQF, code: "6", name: {ja: 学士, en: Bachelor}, url: "https://europa.eu/eqf"}
  assessment:
    - {type: project, text: {ja: 最終プロジェクト, en: Final project}}
    - examination
  participation: blended
  identity_verification: supervised-onsite
  quality_assurance: {text: {ja: 学内審査, en: Internal review}, url: "https://uni.example.org/qa"}
  prerequisites: {ja: なし, en: None needed}
  stackable_into: [star, "https://other.example.org/programme"]
  field_of_study: {ja: 情報学, en: Informatics}
  code: CS-101
  language_of_instruction: [ja, en]
"""


def mc_files(default_language: str = "en", base_url: str | None = None) -> dict:
    """The scratch site with python-basics a micro-credential of an issuer in Japan, and graded awards (Carol's
    badge, star, has no block)."""
    files = default_files()
    site_yaml = textwrap.dedent(files["content/site.yaml"])
    if base_url:
        site_yaml = edit(site_yaml, "https://example.github.io/badges", base_url)
    files["content/site.yaml"] = edit(site_yaml, "default_language: en", f"default_language: {default_language}")
    files["content/issuers/test-uni.yaml"] = textwrap.dedent(files["content/issuers/test-uni.yaml"]) + "country: JP\n"
    files["content/badgeclasses/python-basics.yaml"] = (
        textwrap.dedent(files["content/badgeclasses/python-basics.yaml"]) + MICROCREDENTIAL
    )
    files["content/assertions/2026/spring.yaml"] = edit(
        textwrap.dedent(files["content/assertions/2026/spring.yaml"]),
        "    evidence:",
        '    grade: "A <b>(90/100)</b>"\n    evidence:',
    )
    files["content/assertions/star-carol.yaml"] = (
        textwrap.dedent(files["content/assertions/star-carol.yaml"]) + "    grade: Distinction\n"
    )
    return files


class Tables(HTMLParser):
    """The micro-credential sections of a page: per section its attributes, heading, caption and rows
    (th text, th scope, td text, links of the td as (href, text, lang))."""

    def __init__(self, html: str):
        super().__init__()
        self.sections: list[dict] = []
        self._in = None  # the part being read: "h2", "caption", "th", "td"
        self._depth = 0
        self._link: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "microcredential" in (attrs.get("class") or ""):
            self.sections.append({"attrs": attrs, "h2": "", "caption": "", "rows": [], "tables": 0})
            self._depth = 1
            return
        if not self._depth:
            return
        if tag == "section":
            self._depth += 1
        section = self.sections[-1]
        if tag == "table":
            section["tables"] += 1
        elif tag in ("h2", "caption"):
            self._in = tag
        elif tag == "tr":
            section["rows"].append({"th": "", "scope": None, "td": "", "links": [], "items": 0})
        elif tag == "th":
            self._in = "th"
            section["rows"][-1]["scope"] = attrs.get("scope")
        elif tag == "td":
            self._in = "td"
        elif tag == "li" and self._in == "td":
            section["rows"][-1]["items"] += 1
        elif tag == "a" and self._in == "td":
            self._link = [attrs.get("href"), "", attrs.get("lang")]

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "section":
            self._depth -= 1
        elif tag in ("h2", "caption", "th", "td"):
            self._in = None
        elif tag == "a" and self._link is not None:
            self.sections[-1]["rows"][-1]["links"].append(tuple(self._link))
            self._link = None

    def handle_data(self, data):
        if not self._depth or self._in is None:
            return
        section = self.sections[-1]
        if self._in in ("h2", "caption"):
            section[self._in] += data
        else:
            section["rows"][-1][self._in] += data
        if self._link is not None:
            self._link[1] += data


def tables(path) -> list[dict]:
    return Tables(path.read_text(encoding="utf-8")).sections


def row(section: dict, label: str) -> dict:
    return next(r for r in section["rows"] if r["th"] == label)


LABELS_EN = [
    "Country of the issuer",
    "Learning outcomes",
    "Workload (hours)",
    "Credits",
    "Level",
    "Assessment",
    "Form of participation",
    "Quality assurance",
    "Prerequisites",
    "Identity verification during assessment",
    "Stackable into",
    "Field of study",
    "Code",
    "Language of instruction",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("mc") / "site", mc_files())
    assert build(root) == 0
    return root / "output"


def test_the_badge_page_has_the_table_in_english_and_in_japanese(built):
    (english,) = tables(built / "badges/python-basics.html")
    assert english["h2"] == "Micro-credential details"
    assert "EU Council Recommendation on micro-credentials" in english["caption"]
    assert english["tables"] == 1 and "hidden" not in english["attrs"]
    assert [r["th"] for r in english["rows"]] == LABELS_EN
    assert {r["scope"] for r in english["rows"]} == {"row"}
    # the labels are the table's, in its order
    order = [d.label_en for d in DESCRIPTORS]
    assert [order.index(label) for label in LABELS_EN] == sorted(order.index(label) for label in LABELS_EN)
    assert row(english, "Country of the issuer")["td"] == "Japan"
    outcomes = row(english, "Learning outcomes")
    assert outcomes["items"] == 2 and "Can choose a chart" in outcomes["td"]
    assert "Writes <script>alert(1)</script> safely" in outcomes["td"]  # text, not markup
    assert row(english, "Workload (hours)")["td"] == "45"
    assert row(english, "Credits")["td"] == "10 ECTS"
    assert row(english, "Level")["links"] == [("https://europa.eu/eqf", "EQF 6 — Bachelor", None)]
    assert row(english, "Assessment")["td"] == "Project: Final projectExamination"  # two list items
    assert row(english, "Form of participation")["td"] == "Blended (online and on site)"
    assert row(english, "Identity verification during assessment")["td"] == "Supervised on site"
    assert row(english, "Quality assurance")["links"] == [("https://uni.example.org/qa", "Internal review", None)]
    assert row(english, "Prerequisites")["td"] == "None needed"
    assert row(english, "Stackable into")["links"] == [
        ("../badges/star.html", "Star", None),
        ("https://other.example.org/programme", "https://other.example.org/programme", None),
    ]
    assert row(english, "Field of study")["td"] == "Informatics"
    assert row(english, "Code")["td"] == "CS-101"
    assert row(english, "Language of instruction")["td"] == "Japanese, English"
    # the raw page: the hostile outcome is escaped
    assert "<script>alert(1)" not in (built / "badges/python-basics.html").read_text(encoding="utf-8")

    (japanese,) = tables(built / "ja/badges/python-basics.html")
    assert japanese["h2"] == "マイクロクレデンシャル情報" and japanese["attrs"]["lang"] == "ja"
    assert [r["th"] for r in japanese["rows"]] == [
        next(d.label_ja for d in DESCRIPTORS if d.label_en == label) for label in LABELS_EN
    ]
    assert row(japanese, "発行者の国")["td"] == "日本"
    assert row(japanese, "学習成果")["td"].startswith("グラフを選べる")
    assert row(japanese, "レベル")["links"] == [("https://europa.eu/eqf", "EQF 6 — 学士", None)]
    assert row(japanese, "評価方法")["td"] == "プロジェクト: 最終プロジェクト試験"
    assert row(japanese, "受講形態")["td"] == "ブレンド型（オンラインと対面）"
    assert row(japanese, "評価時の本人確認")["td"] == "対面監督下"
    assert row(japanese, "質保証")["links"] == [("https://uni.example.org/qa", "学内審査", None)]
    # Star has no Japanese name: the link says so with its language
    assert row(japanese, "積み上げ先")["links"][0] == ("../../ja/badges/star.html", "Star", "en")
    assert row(japanese, "授業言語")["td"] == "日本語、英語"


def test_a_badge_without_the_block_has_no_table(built):
    assert tables(built / "badges/star.html") == []
    assert 'class="microcredential"' not in (built / f"assertions/{CAROL_ID}.html").read_text(encoding="utf-8")


def test_the_award_page_carries_both_tables_and_the_grade(built):
    sections = tables(built / f"assertions/{AWARD_ID}.html")
    assert [(s["attrs"]["lang"], s["attrs"].get("data-lang-only"), "hidden" in s["attrs"]) for s in sections] == [
        ("en", "en", False),
        ("ja", "ja", True),
    ]
    english, japanese = sections
    assert [r["th"] for r in english["rows"]] == order_with_grade()
    assert row(english, "Grade")["td"] == "A <b>(90/100)</b>" and row(japanese, "成績")["td"] == "A <b>(90/100)</b>"
    assert "<b>(90/100)</b>" not in (built / f"assertions/{AWARD_ID}.html").read_text(encoding="utf-8")
    assert row(japanese, "単位")["td"] == "10 ECTS"
    # the award page is at the root: this language's badge pages
    assert row(english, "Stackable into")["links"][0][0] == "../badges/star.html"
    assert row(japanese, "積み上げ先")["links"][0][0] == "../ja/badges/star.html"


def order_with_grade() -> list[str]:
    """The English labels of the award table: the badge's rows and the grade, in the order of DESCRIPTORS."""
    labels = set(LABELS_EN) | {"Grade"}
    return [d.label_en for d in DESCRIPTORS if d.label_en in labels]


def test_a_graded_award_of_a_badge_without_the_block_shows_its_grade_among_the_facts(built):
    html = (built / f"assertions/{CAROL_ID}.html").read_text(encoding="utf-8")
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    assert "<dt data-t>Grade</dt>" in facts and ">Distinction</dd>" in facts  # English: its own msgid
    # a micro-credential's award has it in its table instead, once per language
    html = (built / f"assertions/{AWARD_ID}.html").read_text(encoding="utf-8")
    assert 'data-t="Grade"' not in html and "<dt data-t>Grade</dt>" not in html


def test_award_pages_in_every_language_carry_one_table_each(tmp_path):
    files = mc_files()
    files["content/site.yaml"] += "award_pages: every_language\n"
    root = write_files(tmp_path / "site", files)
    assert build(root) == 0
    (english,) = tables(root / f"output/assertions/{AWARD_ID}.html")
    (japanese,) = tables(root / f"output/ja/assertions/{AWARD_ID}.html")
    assert "data-lang-only" not in english["attrs"] and "hidden" not in japanese["attrs"]
    assert english["h2"] == "Micro-credential details" and japanese["h2"] == "マイクロクレデンシャル情報"
    assert row(japanese, "積み上げ先")["links"][0][0] == "../../ja/badges/star.html"


# --- in Chromium: the language switch, accessibility --------------------------------------------------------


@pytest.fixture(scope="module")
def mc_served(tmp_path_factory):
    port = free_port()
    root = write_files(tmp_path_factory.mktemp("mc-served"), mc_files("ja", f"http://127.0.0.1:{port}"))
    build_site(root)
    server = Server(root / "output", port)
    yield server
    server.stop()


def test_the_award_page_table_follows_the_language_switch(mc_served, page):
    page.goto(f"{mc_served.url}/assertions/{AWARD_ID}.html")
    assert page.is_visible('section.microcredential[lang="ja"]')
    assert not page.is_visible('section.microcredential[lang="en"]')
    assert page.inner_text('section.microcredential[lang="ja"] caption')
    assert "ブレンド型" in page.inner_text('section.microcredential[lang="ja"]')
    page.click("a.lang-switch")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.is_visible('section.microcredential[lang="en"]')
    assert not page.is_visible('section.microcredential[lang="ja"]')
    english = page.inner_text('section.microcredential[lang="en"]')
    assert "Micro-credential details" in english and "Blended (online and on site)" in english
    assert "A <b>(90/100)</b>" in english
    page.goto(f"{mc_served.url}/assertions/{AWARD_ID}.html?lang=en")  # a shared English link
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.is_visible('section.microcredential[lang="en"] table')


@pytest.mark.parametrize(
    "path", ["badges/python-basics.html", "en/badges/python-basics.html", f"assertions/{AWARD_ID}.html"]
)
def test_pages_with_the_table_are_accessible(mc_served, page, path):
    page.goto(f"{mc_served.url}/{path}")
    page.wait_for_load_state("networkidle")
    assert page.locator("section.microcredential table th[scope=row]").count() >= 14
    assert axe_violations(page) == []
    if path.startswith("assertions/"):
        page.click("a.lang-switch")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert axe_violations(page) == []


# --- sitegen check: the plan lists descriptor changes -----------------------------------------------------


def test_check_lists_changed_descriptors_of_an_awarded_badge(tmp_path, capsys):
    root = write_files(tmp_path / "site", mc_files())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    badge = root / "content/badgeclasses/python-basics.yaml"
    text = badge.read_text(encoding="utf-8")
    text = edit(text, "credits: {value: 10, system: ECTS}", "credits: {value: 5, system: ECTS}")
    text = edit(text, "  prerequisites: {ja: なし, en: None needed}\n", "")
    badge.write_text(text, encoding="utf-8")
    star = root / "content/badgeclasses/star.yaml"
    star.write_text(star.read_text(encoding="utf-8") + "microcredential:\n  workload_hours: 2\n", encoding="utf-8")
    issuer = root / "content/issuers/test-uni.yaml"
    issuer.write_text(edit(issuer.read_text(encoding="utf-8"), "country: JP", "country: DE"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    code = main(["check", "--base", "main", "--root", str(root), "--summary", str(summary)])
    out = summary.read_text(encoding="utf-8")
    capsys.readouterr()
    assert code == 0, out
    section = out.split("#### Micro-credential descriptors changed", 1)[1].split("\n\n", 2)[1]
    assert section.splitlines() == [
        "- badge `python-basics` after 2 award(s) were issued: changed Credits; removed Prerequisites",
        "- badge `star` after 1 award(s) were issued: added Workload (hours)",
        "- issuer `test-uni`: changed Country of the issuer (JP → DE)",
    ]
    assert main(["check", "--base", "main", "--root", str(root), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["descriptor_changes"][0] == (
        "badge `python-basics` after 2 award(s) were issued: changed Credits; removed Prerequisites"
    )


def test_check_says_nothing_of_descriptors_when_none_changed(tmp_path, capsys):
    root = write_files(tmp_path / "site", mc_files())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    badge = root / "content/badgeclasses/python-basics.yaml"
    badge.write_text(edit(badge.read_text(encoding="utf-8"), "Writes small", "Writes short"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    assert main(["check", "--base", "main", "--root", str(root), "--summary", str(summary)]) == 0
    capsys.readouterr()
    out = summary.read_text(encoding="utf-8")
    assert "Badges changed (1)" in out and "descriptors changed" not in out


def test_the_table_renders_in_the_theme_sandbox(tmp_path):
    """A site with templates of its own renders every page in the sandbox (data only): the table's rows are
    plain data it may read."""
    files = mc_files()
    files["themes/default/templates/index.html"] = '{% extends "base.html" %}{% block main %}own{% endblock %}'
    root = write_files(tmp_path / "site", files)
    assert build(root) == 0
    assert "own" in (root / "output/index.html").read_text(encoding="utf-8")  # the site's template is used
    (english, japanese) = tables(root / f"output/assertions/{AWARD_ID}.html")
    assert [r["th"] for r in english["rows"]] == order_with_grade()
    assert row(japanese, "レベル")["links"] == [("https://europa.eu/eqf", "EQF 6 — 学士", None)]


def test_an_empty_block_of_an_issuer_without_country_shows_no_empty_table(tmp_path):
    files = default_files()
    files["content/badgeclasses/star.yaml"] = textwrap.dedent(files["content/badgeclasses/star.yaml"]) + (
        "microcredential: {}\n"
    )
    root = write_files(tmp_path / "site", files)
    assert build(root) == 0
    assert tables(root / "output/badges/star.html") == []
    assert tables(root / f"output/assertions/{CAROL_ID}.html") == []


def test_the_issuer_page_names_its_country_in_the_readers_language(built):
    english = (built / "issuers/test-uni.html").read_text(encoding="utf-8")
    japanese = (built / "ja/issuers/test-uni.html").read_text(encoding="utf-8")
    assert "<dt>Country</dt><dd>Japan</dd>" in english
    assert "<dt>国</dt><dd>日本</dd>" in japanese
