"""`sitegen new`: a fresh content repository with one issuer, one badge and one award that builds as is;
with `--microcredential`, also a micro-credential badge giving every descriptor, under the eu profile."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from pathlib import Path

from sitegen.content.options import commented_site_yaml
from sitegen.diagnostics import SitegenError
from sitegen.messages import _
from sitegen.status import draw_award_ids

BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img">
<title>First badge</title>
<circle cx="100" cy="100" r="92" fill="#0b5cad"/>
<circle cx="100" cy="100" r="74" fill="none" stroke="#ffffff" stroke-width="6"/>
<path d="M100 52 L114 86 L150 88 L122 110 L132 146 L100 126 L68 146 L78 110 L50 88 L86 86 Z" fill="#ffd23f"/>
</svg>
"""

# Every option, each under its doc, from the option table (model.SiteConfig).
SITE_YAML = commented_site_yaml()

ISSUER_YAML = """\
name: {ja: サンプル組織, en: Example Organisation}
url: https://example.org
email: badges@example.org
description: {ja: このサイトでバッジを発行する組織です。, en: The organisation that issues the badges on this site.}
# LinkedIn's company id (the digits in linkedin.com/company/12345678/admin): "Add to profile" then names
# the organisation and shows its logo. Pages only; no published badge data carries it.
# linkedin_organization_id: "12345678"
"""

BADGE_YAML = """\
issuer: example-org
name: {ja: はじめてのバッジ, en: First Badge}
description: {ja: サイトを作った人に贈るバッジです。, en: Awarded for setting up this badge site.}
image: images/first-badge.svg
image_caption: {ja: 青い円の中の黄色い星, en: A yellow star in a blue circle}
criteria: |
  - `sitegen new` でサイトを作成する / create the site with `sitegen new`
  - `sitegen build` でビルドする / build it with `sitegen build`
tags: [example]
"""

AWARD_YAML = """\
badge: first-badge
issued_on: {today}
awards:
  - id: {award_id}
    # The recipient is identified by a salted hash of their email; the email itself is never stored.
    recipient: {{hash: "{hash}", salt: "{salt}"}}
"""

# --microcredential: the EU profile on, the issuer's country, and a badge with every descriptor of
# sitegen/microcredentials.py (README: "Micro-credentials").
MICROCREDENTIAL_PROFILE = "microcredential_profile: eu"

ISSUER_MICROCREDENTIAL_YAML = """\
# The issuer's country (ISO 3166-1 alpha-2): the EU profile requires it of micro-credential issuers.
country: JP
# Identifiers in public registers, e.g. Japan's corporate number (法人番号, 13 digits, checked):
# identifiers:
#   - {type: corporate-number, value: "1234567890123"}
"""

MICROCREDENTIAL_BADGE_YAML = """\
issuer: example-org
name: {ja: データ分析入門, en: Introduction to Data Analysis}
description:
  ja: 表計算とグラフでデータを分析し、結果を説明できることを証明するマイクロクレデンシャルです。
  en: A micro-credential showing that the holder can analyse data with spreadsheets and charts and explain the results.
image: images/first-badge.svg
image_caption: {ja: 青い円の中の黄色い星, en: A yellow star in a blue circle}
criteria:
  ja: 全 6 回の課題を提出し、最終プロジェクトで 60 点以上を得ること。
  en: Submit all six assignments and score 60 or more on the final project.
achievement_type: MicroCredential
# The micro-credential descriptors (EU Council Recommendation 2022/C 243/02, Annex I). Under
# `microcredential_profile: eu` the mandatory ones must be given; the others are optional.
microcredential:
  learning_outcomes:  # mandatory: what the learner can do, one item each
    - {ja: 表計算ソフトでデータを整理・集計できる, en: Can clean and summarise data in a spreadsheet}
    - {ja: 目的に合ったグラフでデータを説明できる, en: Can explain data with a chart that fits the question}
  workload_hours: 30  # mandatory: notional workload in hours
  credits: {value: 1, system: JP-university}  # credits and the credit system (ECTS, JP-university, …)
  level: {framework: EQF, code: "5", name: {ja: EQF レベル 5, en: EQF level 5}, url: https://europass.europa.eu/en/description-eight-eqf-levels}
  assessment:  # mandatory: examination, project, portfolio, oral, practical, written-assignment,
    # recognition-of-prior-learning or other, each with optional words
    - {type: project, text: {ja: 最終プロジェクト（ルーブリック評価）, en: Final project marked on a rubric}}
    - written-assignment
  participation: online  # mandatory: online, onsite or blended
  identity_verification: unsupervised-online-with-id-check  # none, supervised-online, supervised-onsite, …
  quality_assurance:  # mandatory: how the programme's quality is assured
    text: {ja: 学内の教育課程委員会による審査, en: Reviewed by the curriculum committee}
    url: https://example.org/quality
  prerequisites: {ja: なし, en: None}
  stackable_into: [https://example.org/programmes/data-science]  # badges of this site (file names) or URLs
  field_of_study: {ja: データサイエンス, en: Data science}
  code: DA-101
  language_of_instruction: [ja, en]
"""

MICROCREDENTIAL_AWARD_YAML = """\
badge: intro-data-analysis
issued_on: {today}
awards:
  - id: {award_id}
    recipient: {{hash: "{hash}", salt: "{salt}"}}
    grade: A  # the grade achieved (optional)
"""

GITIGNORE = """\
output/
.sitegen-build-*/
.sitegen-old-*/
.sitegen-cache/
# recipient lists hold plaintext email addresses: never commit them (sitegen check refuses them too)
*.csv
*.tsv
*.xlsx
*.xls
*.ods
"""


def create(target: Path, example_email: str = "you@example.org", *, microcredential: bool = False) -> list[str]:
    """Writes the site; returns the sample award files in it (their paths from the current folder), which award
    the badges to `example_email` and are to be deleted before publishing."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SitegenError(
            _("{folder} already exists (a file, or a folder that is not empty); choose a new folder").format(
                folder=target
            )
        )
    salt = secrets.token_hex(16)
    award_ids = draw_award_ids("example-org", 2)  # as `sitegen issue` draws them
    recipient_hash = "sha256$" + hashlib.sha256((example_email + salt).encode()).hexdigest()
    files = {
        "content/site.yaml": SITE_YAML,
        "content/issuers/example-org.yaml": ISSUER_YAML,
        "content/badgeclasses/first-badge.yaml": BADGE_YAML,
        "content/images/first-badge.svg": BADGE_SVG,
        f"content/assertions/{date.today():%Y}/first-badge.yaml": AWARD_YAML.format(
            today=date.today().isoformat(), award_id=award_ids[0], hash=recipient_hash, salt=salt
        ),
        ".gitignore": GITIGNORE,
    }
    samples = [f"content/assertions/{date.today():%Y}/first-badge.yaml"]
    if microcredential:
        default = "# " + MICROCREDENTIAL_PROFILE.replace("eu", "none")
        files["content/site.yaml"] = SITE_YAML.replace(default, MICROCREDENTIAL_PROFILE)
        files["content/issuers/example-org.yaml"] += ISSUER_MICROCREDENTIAL_YAML
        files["content/badgeclasses/intro-data-analysis.yaml"] = MICROCREDENTIAL_BADGE_YAML
        files[f"content/assertions/{date.today():%Y}/intro-data-analysis.yaml"] = MICROCREDENTIAL_AWARD_YAML.format(
            today=date.today().isoformat(), award_id=award_ids[1], hash=recipient_hash, salt=salt
        )
        samples.append(f"content/assertions/{date.today():%Y}/intro-data-analysis.yaml")
    try:
        for rel, text in files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SitegenError(
            _("cannot create the site in {folder}: {reason}").format(folder=target, reason=exc.strerror or exc)
        ) from None
    return [str(target / sample) for sample in samples]
