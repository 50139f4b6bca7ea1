"""Micro-credentials in the YAML (issue 14 items 1, 2, 7): the `microcredential:` block, the issuer's country
and identifiers, the award's grade, `microcredential_profile: eu`, `sitegen new --microcredential` and the
example site. Real scratch sites, read by the real loader and built by the real CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import fields
from pathlib import Path

from conftest import AWARD_ID, SALT, identity_hash
from helpers import build, edit

from sitegen.cli import main
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError
from sitegen.microcredentials import BADGE, BADGE_KEYS, DESCRIPTORS, YAML_EXAMPLES, required_by
from sitegen.model import (
    Assessment,
    Credits,
    Identifier,
    Level,
    Microcredential,
    QualityAssurance,
    Text,
)

REPO = Path(__file__).resolve().parent.parent

ISSUER = """\
    name: {ja: テスト大学, en: Test University}
    url: https://uni.example.org
    email: badges@uni.example.org
    country: jp
    identifiers:
      - {type: corporate-number, value: "7000012050002"}
      - {type: ror, value: 03vek6s52}
    """

BADGE_HEAD = """\
    issuer: test-uni
    name: {ja: データ可視化, en: Data Visualisation}
    description: Draws honest charts.
    image: images/star.svg
    image_caption: A blue circle
    criteria: Pass the project.
    """

FULL_BLOCK = """\
    achievement_type: MicroCredential
    microcredential:
      learning_outcomes:
        - {ja: グラフを選べる, en: Can choose a chart}
        - Can explain a chart
      workload_hours: 7.5
      credits: {value: 2, system: ECTS}
      level: {framework: EQF, code: "5", name: {en: Level 5, ja: レベル5}, url: https://eqf.example.org/5}
      assessment:
        - {type: project, text: {en: A final project}}
        - oral
      participation: blended
      identity_verification: supervised-onsite
      quality_assurance: {text: {en: Reviewed yearly}, url: https://uni.example.org/qa}
      prerequisites: {ja: なし, en: None}
      stackable_into: [python-basics, https://other.example.org/programme]
      field_of_study: {en: Data science}
      code: DV-1
      language_of_instruction: [ja, en, pt-BR]
    """

GRADE_AWARD = f"""\
    badge: dataviz
    issued_on: 2026-04-01
    awards:
      - id: {AWARD_ID[:-1]}9
        recipient: {{hash: "{identity_hash()}", salt: "{SALT}"}}
        grade: "A (92/100)"
    """


def site_with(make_site, badge: str, *, issuer: str = ISSUER, profile: str | None = None, award: str | None = None):
    badge_yaml = textwrap.dedent(BADGE_HEAD) + textwrap.dedent(badge)
    files = {"content/issuers/test-uni.yaml": issuer, "content/badgeclasses/dataviz.yaml": badge_yaml}
    if award is not None:
        files["content/assertions/dataviz.yaml"] = award
    root = make_site(files)
    if profile is not None:
        site_yaml = root / "content/site.yaml"
        site_yaml.write_text(site_yaml.read_text() + f"microcredential_profile: {profile}\n")
    return root


def errors_of(root: Path, capsys) -> list[str]:
    code = build(root)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert (code == 1) == bool(errors), captured.err
    return errors


def line_of(root: Path, rel: str, text: str) -> int:
    """The 1-based line of the first line of `rel` containing `text`."""
    for number, line in enumerate((root / rel).read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {rel}")


def test_every_key_is_read_into_the_model_records(make_site):
    root = site_with(make_site, FULL_BLOCK, award=GRADE_AWARD)
    site, warnings = load_site(root)
    assert warnings == []
    assert site.issuers["test-uni"].country == "JP"  # written in lower case, stored as the code
    assert site.issuers["test-uni"].identifiers == (
        Identifier("corporate-number", "7000012050002"),  # the National Tax Agency's own number
        Identifier("ror", "03vek6s52"),
    )
    assert site.badges["dataviz"].achievement_type == "MicroCredential"
    assert site.badges["dataviz"].microcredential == Microcredential(
        learning_outcomes=(
            Text((("en", "Can choose a chart"), ("ja", "グラフを選べる"))),  # the site's default language first
            Text((("en", "Can explain a chart"),)),
        ),
        workload_hours=7.5,
        credits=Credits(2, "ECTS"),
        level=Level("EQF", "5", Text((("en", "Level 5"), ("ja", "レベル5"))), "https://eqf.example.org/5"),
        assessment=(Assessment("project", Text((("en", "A final project"),))), Assessment("oral")),
        participation="blended",
        identity_verification="supervised-onsite",
        quality_assurance=QualityAssurance(Text((("en", "Reviewed yearly"),)), "https://uni.example.org/qa"),
        prerequisites=Text((("en", "None"), ("ja", "なし"))),
        stackable_into=("python-basics", "https://other.example.org/programme"),
        field_of_study=Text((("en", "Data science"),)),
        code="DV-1",
        language_of_instruction=("ja", "en", "pt-BR"),
    )
    # Every BADGE descriptor of the table is a key of the block and a field of the record: nothing left unread.
    record = site.badges["dataviz"].microcredential
    assert {f.name for f in fields(Microcredential)} == set(BADGE_KEYS)
    assert all(getattr(record, key) not in (None, ()) for key in BADGE_KEYS)
    [award] = [a for a in site.awards if a.badge == "dataviz"]
    assert award.grade == "A (92/100)"
    # Badges, issuers and awards without the new keys read as before.
    assert site.badges["star"].microcredential is None
    assert all(a.grade is None for a in site.awards if a.badge != "dataviz")


def test_a_site_without_micro_credentials_builds_as_before(make_site, capsys):
    root = make_site()
    assert errors_of(root, capsys) == []
    site, _ = load_site(root)
    assert site.config.microcredential_profile == "none"
    assert site.issuers["test-uni"].country is None and site.issuers["test-uni"].identifiers == ()


BAD_BADGE = """\
    microcredential:
      learning_outcomes: [{fr: Peut dessiner}]
      workload_hours: -3
      credits: {value: two, system: ECTS}
      level: {code: "5", label: five}
      assessment: [exam, {type: oral, txt: talk}]
      participation: sometimes
      identity_verification: trust-me
      quality_assurance: Reviewed
      prerequisites: [a, b]
      stackable_into: [dataviz, no-such-badge, "https://"]
      field_of_study: {en: ""}
      code: [DV, 1]
      language_of_instruction: [ja, xx, "e n"]
      hours: 10
    """

BAD_ISSUER = """\
    name: Test University
    url: https://uni.example.org
    email: badges@uni.example.org
    country: EU
    identifiers:
      - {type: corporate-number, value: "7000012050003"}
      - {type: Corporate Number, value: x}
      - {type: ror, value: 03vek6s52, note: x}
      - ror
    """


def test_each_bad_value_and_unknown_key_is_an_error_at_its_line_all_in_one_run(make_site, capsys):
    award = edit(GRADE_AWARD, 'grade: "A (92/100)"', "grade: [A]\n        mark: 92")
    root = site_with(make_site, BAD_BADGE, issuer=BAD_ISSUER, award=award)
    errors = errors_of(root, capsys)
    badge, issuer, awards = (
        "content/badgeclasses/dataviz.yaml",
        "content/issuers/test-uni.yaml",
        "content/assertions/dataviz.yaml",
    )
    expected = [
        (badge, "learning_outcomes:", "'learning_outcomes' has language 'fr'"),
        (badge, "workload_hours:", "'workload_hours' must be a positive number"),
        (badge, "credits:", "'value' must be a positive number (the number of credits"),
        (badge, "level:", "unknown key 'label' in 'level'"),
        (badge, "level:", "missing required field 'framework'"),
        (badge, "assessment:", "'type' must be one of examination, project, portfolio"),
        (badge, "assessment:", "unknown key 'txt' in an assessment"),
        (badge, "participation:", "'participation' must be one of online, onsite, blended, not 'sometimes'"),
        (badge, "identity_verification:", "'identity_verification' must be one of none, supervised-online"),
        (badge, "quality_assurance:", "'quality_assurance' ({text, url}) must be a mapping"),
        (badge, "prerequisites:", "'prerequisites' must be text or {ja: …, en: …}, not a list"),
        (badge, "stackable_into:", "'stackable_into': 'dataviz' is not another badge of this site"),
        (badge, "stackable_into:", "'stackable_into': 'no-such-badge' is not another badge of this site"),
        (badge, "stackable_into:", "'stackable_into' must be an http:// or https:// URL, not 'https://'"),
        (badge, "field_of_study:", "'field_of_study.en' must be non-empty text"),
        (badge, "code: [DV", "'code' must be text, not a list"),
        (badge, "language_of_instruction:", "'xx' is not a language code"),
        (badge, "language_of_instruction:", "'e n' is not a language code"),
        (badge, "  hours: 10", "unknown key 'hours' in 'microcredential'"),
        (issuer, "country:", "'country' must be an ISO 3166-1 alpha-2 country code such as JP, not 'EU'"),
        (issuer, "7000012050003", "'7000012050003' is not a corporate number (法人番号)"),
        (issuer, "Corporate Number", "'type' is not valid: 'Corporate Number'"),
        (issuer, "note: x", "unknown key 'note' in an identifier"),
        (issuer, "- ror", "an identifier must be a mapping"),
        (awards, "grade:", "'grade' must be text, not a list"),
        (awards, "mark:", "unknown key 'mark' in an award"),
    ]
    for rel, text, message in expected:
        where = f"{rel}:{line_of(root, rel, text)}"
        assert any(e.startswith(where) and message in e for e in errors), (where, message, errors)
    assert len(errors) == len(expected), "\n".join(errors)
    assert not (root / "output").exists()


def test_a_list_item_error_names_its_own_line(make_site, capsys):
    block = "microcredential:\n  assessment:\n    - project\n    - vibes\n"
    block += "  language_of_instruction:\n    - en\n    - klingon\n"
    root = site_with(make_site, block)
    errors = errors_of(root, capsys)
    rel = "content/badgeclasses/dataviz.yaml"
    assert [e.split(": error: ")[0].split(":")[:2] for e in errors] == [
        [rel, str(line_of(root, rel, "- vibes"))],
        [rel, str(line_of(root, rel, "- klingon"))],
    ]


def test_the_eu_profile_names_each_missing_descriptor_with_an_example_at_the_badge(make_site, capsys):
    issuer = edit(ISSUER, "    country: jp\n", "")
    root = site_with(make_site, "achievement_type: MicroCredential\n", issuer=issuer, profile="eu")
    errors = errors_of(root, capsys)
    rel = "content/badgeclasses/dataviz.yaml"
    required = required_by("eu")
    assert {d.key for d in required} == {
        "country",
        "learning_outcomes",
        "workload_hours",
        "level",
        "assessment",
        "participation",
        "quality_assurance",
    }
    assert len(errors) == len(required), "\n".join(errors)
    for descriptor in required:
        [error] = [e for e in errors if f"descriptor '{descriptor.key}' missing" in e]
        anchor = "issuer:" if descriptor.key == "country" else "achievement_type:"
        assert error.startswith(f"{rel}:{line_of(root, rel, anchor)}"), error
        assert descriptor.eu in error  # the EU element's own words
        assert f"e.g. `{YAML_EXAMPLES[descriptor.key]}`" in error
    assert "add it to content/issuers/test-uni.yaml" in next(e for e in errors if "'country'" in e)
    # Each is reported under its own code (the README's table documents it).
    try:
        load_site(root)
    except BuildError as exc:
        codes = [d.code for d in exc.diagnostics]
    assert codes == ["content.microcredential-missing"] * len(required)


def test_the_eu_profile_asks_only_for_what_a_block_lacks_and_every_example_satisfies_it(make_site, capsys):
    block = "microcredential:\n  workload_hours: 10\n  participation: online\n"
    root = site_with(make_site, block, profile="eu")
    errors = errors_of(root, capsys)
    missing = {re.search(r"descriptor '(\w+)' missing", e).group(1) for e in errors}  # type: ignore[union-attr]
    assert missing == {"learning_outcomes", "level", "assessment", "quality_assurance"}
    rel = "content/badgeclasses/dataviz.yaml"
    assert all(e.startswith(f"{rel}:{line_of(root, rel, 'microcredential:')}:") for e in errors)
    # Pasting the examples the errors show makes the badge pass: they are valid YAML of the right shape.
    examples = "".join(f"  {YAML_EXAMPLES[d.key]}\n" for d in required_by("eu") if d.where == BADGE)
    examples = examples.replace("workload_hours: 30", "").replace("participation: online", "")
    root = site_with(make_site, block + examples, profile="eu")
    assert errors_of(root, capsys) == []


def test_the_profile_is_off_by_default_and_spares_badges_that_are_not_micro_credentials(make_site, capsys):
    # No profile: a micro-credential may give only some descriptors.
    assert errors_of(site_with(make_site, "microcredential: {workload_hours: 3}\n"), capsys) == []
    # The eu profile: ordinary badges (no block, another achievement type) need nothing.
    issuer = edit(ISSUER, "    country: jp\n", "")
    assert errors_of(site_with(make_site, "achievement_type: Course\n", issuer=issuer, profile="eu"), capsys) == []


def test_an_unknown_profile_is_an_error_at_its_line(make_site, capsys):
    root = site_with(make_site, "", profile="jmooc")
    errors = errors_of(root, capsys)
    line = line_of(root, "content/site.yaml", "microcredential_profile")
    assert len(errors) == 1 and errors[0].startswith(f"content/site.yaml:{line}")
    assert "'microcredential_profile' must be none or eu, not 'jmooc'" in errors[0]


def test_sitegen_new_microcredential_builds_as_is_verifies_and_passes_the_profile(tmp_path, capsys):
    root = tmp_path / "mc"
    assert main(["new", "--microcredential", str(root)]) == 0
    assert main(["build", "--root", str(root)]) == 0
    assert main(["verify", str(root / "output")]) == 0
    capsys.readouterr()
    site, warnings = load_site(root)
    assert warnings == []
    assert site.config.microcredential_profile == "eu"
    assert site.issuers["example-org"].country == "JP"
    [badge] = [b for b in site.badges.values() if b.microcredential is not None]
    assert badge.achievement_type == "MicroCredential"
    assert all(getattr(badge.microcredential, key) not in (None, ()) for key in BADGE_KEYS)  # every descriptor
    assert all(text.has("ja") and text.has("en") for text in badge.microcredential.learning_outcomes)
    assert [a.grade for a in site.awards if a.badge == badge.slug] == ["A"]
    # The profile is really on: without a mandatory descriptor the scaffold no longer builds.
    path = root / "content/badgeclasses" / f"{badge.slug}.yaml"
    path.write_text(edit(path.read_text(), "  participation: online", "  # participation: online"))
    errors = errors_of(root, capsys)
    assert len(errors) == 1 and "descriptor 'participation' missing" in errors[0]


def test_sitegen_new_without_the_option_has_no_micro_credential(tmp_path, capsys):
    root = tmp_path / "plain"
    assert main(["new", str(root)]) == 0
    site, _ = load_site(root)
    assert site.config.microcredential_profile == "none"
    assert all(b.microcredential is None for b in site.badges.values())
    assert site.issuers["example-org"].country is None


def test_the_example_site_has_a_bilingual_micro_credential_with_every_descriptor():
    site, warnings = load_site(REPO)
    assert warnings == []
    assert site.config.microcredential_profile == "eu"
    issuer = site.issuers["sakura-tech"]
    assert issuer.country == "JP" and [i.type for i in issuer.identifiers] == ["corporate-number"]
    [badge] = [b for b in site.badges.values() if b.microcredential is not None]
    mc = badge.microcredential
    assert badge.achievement_type == "MicroCredential"
    assert all(getattr(mc, key) not in (None, ()) for key in BADGE_KEYS)
    texts = [*mc.learning_outcomes, mc.prerequisites, mc.field_of_study, mc.quality_assurance.text, mc.level.name]
    texts += [a.text for a in mc.assessment if a.text is not None]
    assert all(t.has("ja") and t.has("en") for t in texts)
    assert any(target in site.badges for target in mc.stackable_into)  # a badge of the site itself
    assert [a.grade for a in site.awards if a.badge == badge.slug] == ["A (90/100)"]
    # Every descriptor of the table is given somewhere in the example (badge block, issuer, award or core).
    assert {d.where for d in DESCRIPTORS} == {"badge", "issuer", "award", "core"}


def test_the_readme_mapping_table_is_the_descriptor_table():
    """README's micro-credential mapping is generated from sitegen/microcredentials.py: it must not drift."""
    repo = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, str(repo / "tools/microcredential_table.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
