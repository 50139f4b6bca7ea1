"""`sitegen new`: a fresh content repository with one issuer, one badge and one award that builds as is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from pathlib import Path

from sitegen.content.options import commented_site_yaml
from sitegen.diagnostics import SitegenError
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


def create(target: Path, example_email: str = "you@example.org") -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SitegenError(f"{target} already exists (a file, or a folder that is not empty); choose a new folder")
    salt = secrets.token_hex(16)
    files = {
        "content/site.yaml": SITE_YAML,
        "content/issuers/example-org.yaml": ISSUER_YAML,
        "content/badgeclasses/first-badge.yaml": BADGE_YAML,
        "content/images/first-badge.svg": BADGE_SVG,
        f"content/assertions/{date.today():%Y}/first-badge.yaml": AWARD_YAML.format(
            today=date.today().isoformat(),
            award_id=draw_award_ids("example-org", 1)[0],  # as `sitegen issue` draws them
            hash="sha256$" + hashlib.sha256((example_email + salt).encode()).hexdigest(),
            salt=salt,
        ),
        ".gitignore": GITIGNORE,
    }
    try:
        for rel, text in files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SitegenError(f"cannot create the site in {target}: {exc.strerror or exc}") from None
