"""The site-option table (model.SiteConfig) and everything made from it: site.yaml's checks, `sitegen new`'s
site.yaml, the README's option list, and what templates read."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import BASE_URL
from helpers import build, tree_bytes

from sitegen.commands.new import create
from sitegen.content.options import STRUCTURED, commented_site_yaml
from sitegen.content.site import load_site
from sitegen.diagnostics import CODES, BuildError
from sitegen.model import SiteConfig, Text, site_options

ROOT = Path(__file__).resolve().parent.parent

# What `sitegen new` wrote before the option table: its site.yaml must build the same site as this one.
SITE_YAML_0_1 = """\
base_url: https://your-account.github.io/badges
name: {ja: オープンバッジ, en: Open Badges}
default_language: ja        # ja or en
timezone: "+09:00"          # the offset used for dates written without a time
"""


def site_yaml(extra: str = "") -> str:
    return f'base_url: {BASE_URL}\nname: {{ja: テスト, en: Test}}\ndefault_language: en\ntimezone: "+09:00"\n{extra}'


def test_every_field_of_site_config_is_a_row_of_the_table():
    rows = site_options()
    assert [name for name, _ in rows] == [f.name for f in dataclasses.fields(SiteConfig)]
    keys = [row.key for _, row in rows]
    assert len(set(keys)) == len(keys)
    for name, row in rows:
        assert row.doc and row.since and row.type, name
        if row.key in STRUCTURED:
            continue
        # Read by the generic reader: a closed set of values with its default among them.
        assert row.allowed and row.default in row.allowed, name
        assert getattr(SiteConfig(base_url="x", name=Text((("en", "x"),))), name) == row.default


def test_site_config_is_built_by_keyword_only():
    with pytest.raises(TypeError):
        SiteConfig("https://example.org", Text((("en", "x"),)))  # type: ignore[misc]


def test_defaults_of_a_minimal_site_yaml(make_site):
    site, _ = load_site(make_site({"content/site.yaml": site_yaml()}))
    config = site.config
    assert (config.base_url, config.theme, config.keys, config.ob2_key) == (BASE_URL, "default", (), None)
    assert (config.credential_status, config.baking, config.award_pages) == ("bitstring", "files", "one_language")


def test_every_option_problem_is_reported_in_one_run_with_file_line_and_code(make_site):
    extra = "credential_status: nope\nbaking: maybe\naward_pages: [x]\ntheme: missing\nbakin: files\n"
    root = make_site({"content/site.yaml": site_yaml(extra).replace("default_language: en", "default_language: de")})
    with pytest.raises(BuildError) as raised:
        load_site(root)
    found = {(str(d), d.code) for d in raised.value.diagnostics}
    assert found == {
        ("content/site.yaml:3: error: 'default_language' must be ja or en, not 'de'", "content.invalid-option"),
        (
            "content/site.yaml:5: error: 'credential_status' must be bitstring or 1edtech, not 'nope'",
            "content.invalid-option",
        ),
        ("content/site.yaml:6: error: 'baking' must be files or browser, not 'maybe'", "content.invalid-option"),
        ("content/site.yaml:7: error: 'award_pages' must be text, not a list", "content.wrong-type"),
        (
            "content/site.yaml:8: error: theme 'missing' not found: there is no folder themes/missing/",
            "content.invalid-option",
        ),
        (
            "content/site.yaml:9: error: unknown key 'bakin' in site.yaml: did you mean 'baking'?",
            "content.unknown-field",
        ),
    }
    assert all(code in CODES for _, code in found)


def test_the_cli_prints_option_errors_as_before(make_site, capsys):
    assert build(make_site({"content/site.yaml": site_yaml("baking: maybe\n")})) == 1
    assert "content/site.yaml:5: error: 'baking' must be files or browser, not 'maybe'\n" in capsys.readouterr().err


def test_new_site_yaml_explains_every_option_and_builds_the_same_site_as_before(tmp_path):
    create(tmp_path / "new")
    text = (tmp_path / "new/content/site.yaml").read_text(encoding="utf-8")
    assert text == commented_site_yaml()
    for _, row in site_options():
        assert row.doc.split()[0] in text and f"{row.key}: " in text
    shutil.copytree(tmp_path / "new", tmp_path / "old")
    (tmp_path / "old/content/site.yaml").write_text(SITE_YAML_0_1, encoding="utf-8")
    assert build(tmp_path / "new") == 0 and build(tmp_path / "old") == 0
    new, old = tree_bytes(tmp_path / "new/output"), tree_bytes(tmp_path / "old/output")
    assert new.keys() == old.keys() and new == old


def test_readme_option_list_is_the_table():
    spec = importlib.util.spec_from_file_location("site_options", ROOT / "tools/site_options.py")
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tool.with_options(readme) == readme, "README.md is out of date: run python tools/site_options.py"


def test_templates_read_every_option(make_site):
    # A theme page reading each option: the sandbox lets templates read SiteConfig as it did.
    index = (
        "{% for o in ['base_url', 'default_language', 'theme', 'credential_status', 'baking', 'award_pages'] %}"
        "[{{ o }}={{ site.config[o] }}]{% endfor %}"
        "[name={{ site.config.name|text }}][baked={{ site.config.baked_files }}]"
        "[keys={{ site.config.keys|length }}][tz={{ site.config.tz }}]"
    )
    extra = "baking: browser\naward_pages: every_language\ncredential_status: 1edtech\n"
    root = make_site({"content/site.yaml": site_yaml(extra), "themes/default/templates/index.html": index})
    assert build(root) == 0
    page = (root / "output/index.html").read_text(encoding="utf-8")
    for shown in (
        f"[base_url={BASE_URL}]",
        "[default_language=en]",
        "[theme=default]",
        "[credential_status=1edtech]",
        "[baking=browser]",
        "[award_pages=every_language]",
        "[name=Test]",
        "[baked=False]",
        "[keys=0]",
        "[tz=UTC+09:00]",
    ):
        assert shown in page, (shown, page)
