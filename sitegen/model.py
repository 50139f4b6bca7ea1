"""The site as frozen data, and the one place where public URLs and output paths are computed.

The URL scheme (DESIGN.md §3) is a promise to every verifier that ever resolved one of our URLs:
change it only by adding, never by renaming.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sitegen.diagnostics import Location
from sitegen.microcredentials import PROFILES
from sitegen.status import StatusPosition, status_position
from sitegen.urls import Urls

LANGUAGES = ("ja", "en")
PACKAGE_THEMES = Path(__file__).parent / "themes"  # the themes that ship with sitegen ("default")


@dataclass(frozen=True)
class Text:
    """A text in one or more languages; a plain YAML string is stored under the site's default language."""

    values: tuple[tuple[str, str], ...]

    def get(self, lang: str) -> str:
        by_lang = dict(self.values)
        if lang in by_lang:
            return by_lang[lang]
        return self.values[0][1]

    def has(self, lang: str) -> bool:
        return any(code == lang for code, _ in self.values)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.values)

    def all_languages(self, first: str) -> str:
        """Every language's text, `first` first: "…の訂正 / The grade was corrected", for a one-string field
        of a published document that readers of either language see."""
        ordered = sorted(self.values, key=lambda pair: pair[0] != first)
        return " / ".join(text for _, text in ordered)


@dataclass(frozen=True)
class ImageFile:
    # No path to the file: templates see this record, and a Path would let them read and write files.
    rel: str  # as written in the YAML, relative to content/
    kind: str  # "png" or "svg"
    data: bytes = field(repr=False, compare=False)  # checked and normalised once (bake.prepare_image)
    preview: bytes | None = field(default=None, repr=False, compare=False)  # badge SVGs: PNG for link previews


@dataclass(frozen=True)
class PublicKey:
    """A signing key of the site as listed in site.yaml; only its public half ever enters the repository."""

    id: str  # e.g. "key-2026": the fragment of its verification method in the DID document
    multibase: str  # Ed25519 public key as a Multikey, "z6Mk…"
    retired: bool = False  # still published so that old credentials verify, never used to sign


@dataclass(frozen=True)
class Ob2SigningKey:
    """The RSA key of optional Open Badges 2.0 signed assertions (JWS RS256); public half only."""

    id: str  # published as keys/{id}.json (a CryptographicKey)
    public_pem: str


@dataclass(frozen=True)
class OptionDoc:
    """One row of the site-option table: what a `site.yaml` key means, for validation, `sitegen new` and the
    README (sitegen/content/options.py reads these rows; the field's type annotation is its Python type)."""

    key: str  # as written in site.yaml
    type: str  # for people: "URL", "text", "offset", ...
    default: str | None  # as written in YAML; None: required
    doc: str  # one line
    since: str  # the sitegen version that added the option
    allowed: tuple[str, ...] = ()  # a closed set of values, checked by the table's own reader
    example: str | None = None  # what `sitegen new` writes; None: the default, commented out


def option(
    key: str,
    *,
    type: str,
    doc: str,
    since: str = "0.1",
    default: Any = MISSING,
    default_yaml: str | None = None,
    allowed: tuple[str, ...] = (),
    example: str | None = None,
) -> Any:
    """A `SiteConfig` field declared with its `site.yaml` row; a choice's default is its YAML text too."""
    if default_yaml is None and isinstance(default, str):
        default_yaml = default
    row = OptionDoc(key, type, default_yaml, doc, since, allowed, example)
    return field(default=default, metadata={"option": row})


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    """The checked `site.yaml`, and the table of its options: one `option(...)` per key, in the order `sitegen
    new` and the README list them. Adding a choice option touches only this class (and the code that uses it)."""

    base_url: str = option(  # no trailing slash
        "base_url",
        type="URL",
        doc="The address the site is published at: every badge's id is built from it, so set it before the first "
        "award and never change it afterwards (old badges would stop verifying).",
        example="https://your-account.github.io/badges",
    )
    name: Text = option(
        "name", type="text", doc="The site's name, in each language.", example="{ja: オープンバッジ, en: Open Badges}"
    )
    default_language: str = option(
        "default_language",
        type="language",
        default="en",
        allowed=LANGUAGES,
        doc="The language of the pages and of the published JSON.",
        example="ja",
    )
    tz: timezone = option(
        "timezone",
        type="offset",
        default=timezone.utc,
        default_yaml='"Z"',
        doc="The offset used for dates written without a time.",
        example='"+09:00"',
    )
    theme: str = option(
        "theme", type="folder name", default="default", doc="The theme: default, or a folder under themes/."
    )
    keys: tuple[PublicKey, ...] = option(
        "keys",
        type="list of {id, public_key, retired}",
        default=(),
        default_yaml="[]",
        doc="The Open Badges 3.0 signing keys, public halves only (`sitegen keys generate` prints an entry).",
    )
    ob2_key: Ob2SigningKey | None = option(
        "ob2_signing",
        type="{key_id, public_key}",
        default=None,
        default_yaml="false",
        doc="An RSA public key (PEM) to sign Open Badges 2.0 assertions with (JWS RS256).",
    )
    # The schema allows one status entry per credential, so it is one or the other.
    credential_status: str = option(
        "credential_status",
        type="choice",
        default="bitstring",
        allowed=("bitstring", "1edtech"),
        doc="How an OB 3.0 credential names its revocation status: a BitstringStatusListEntry (wallets, Digital "
        "Bazaar / DCC verifiers) or the issuer's 1EdTechRevocationList (the 1EdTech validator).",
    )
    baking: str = option(
        "baking",
        type="choice",
        default="files",
        allowed=("files", "browser"),
        doc="files: a baked PNG/SVG per award is published; browser: none is, the award page bakes the download "
        "in the reader's browser (a large site stays within GitHub Pages' size limit).",
    )
    award_pages: str = option(
        "award_pages",
        type="choice",
        default="one_language",
        allowed=("one_language", "every_language"),
        doc="one_language: an award page in the default language, switched in place by its script; "
        "every_language: also {lang}/assertions/{id}.html, so the switch works without JavaScript.",
    )

    microcredential_profile: str = option(
        "microcredential_profile",
        type="choice",
        default="none",
        allowed=PROFILES,
        doc="eu: every micro-credential badge (achievement_type MicroCredential, or a `microcredential:` block) "
        "must give the mandatory elements of the EU Council Recommendation on micro-credentials, Annex I.",
    )

    published_languages: tuple[str, ...] = option(
        "published_languages",
        type="list of languages",
        default=(),
        default_yaml="[]",
        doc="The languages each badge and issuer is published in: the default language at badges/{badge}.json, "
        "each other one as its own document at {lang}/badges/{badge}.json (and {lang}/issuers/), linked both ways "
        "(e.g. [ja, en]).",
    )
    published_languages_since: date | None = option(
        "published_languages_since",
        type="date",
        default=None,
        default_yaml="null",
        doc="Awards issued on or after this day name the other languages in their signed credential; those "
        "issued before keep theirs unchanged. Needed once credentials were published without the links.",
    )

    size_limit: int = option(
        "size_limit",
        type="size",
        default=10**9,
        default_yaml="1GB",
        doc="The largest site a build writes, and `sitegen check` allows: GitHub Pages publishes sites of at most "
        "1 GB. Raise it only for a site served from a host without that limit (e.g. a bucket behind a CDN, "
        "see docs/architecture.md): 20GB, 1.5TB, or a number of bytes.",
    )

    @property
    def other_languages(self) -> tuple[str, ...]:
        """The languages badges and issuers are also published in, besides the default one."""
        return tuple(lang for lang in self.published_languages if lang != self.default_language)

    def links_languages(self, issued_on: datetime) -> bool:
        """Whether an award issued then names the other languages in its credential (new awards only: a signed
        credential already issued never changes)."""
        if not self.other_languages:
            return False
        since = self.published_languages_since
        return since is None or issued_on.astimezone(self.tz).date() >= since

    @property
    def baked_files(self) -> bool:
        return self.baking == "files"

    @property
    def active_key(self) -> PublicKey | None:
        return next((key for key in self.keys if not key.retired), None)


def site_options() -> tuple[tuple[str, OptionDoc], ...]:
    """(field name, row) of every site option, in declaration order."""
    return tuple((f.name, f.metadata["option"]) for f in fields(SiteConfig))


@dataclass(frozen=True)
class Identifier:
    """An identifier of an issuer in a public register: type "corporate-number" (Japan's 法人番号), "ror", …"""

    type: str
    value: str


@dataclass(frozen=True)
class Issuer:
    slug: str
    name: Text
    url: str
    email: str
    description: Text | None
    image: ImageFile | None
    image_caption: Text | None
    telephone: str | None
    source: str
    # LinkedIn's numeric company id: "Add to profile" names the organisation so LinkedIn shows its logo.
    # Only the pages use it; no published JSON carries it.
    linkedin_organization_id: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case ("JP")
    identifiers: tuple[Identifier, ...] = ()  # e.g. Japan's corporate number


@dataclass(frozen=True)
class Alignment:
    name: Text
    url: str
    framework: str | None = None
    code: str | None = None
    description: Text | None = None


@dataclass(frozen=True)
class Endorsement:
    """A third party vouching for a badge, shown on its pages with a link to the endorser's own statement.
    It is not put into the badge's Open Badges documents: a verifiable endorsement is issued and hosted by the
    endorser, not by the badge's issuer."""

    by: str  # the endorsing organisation or person
    url: str  # where the endorser published the endorsement
    comment: Text | None = None


@dataclass(frozen=True)
class Credits:
    value: float  # written as an int when whole
    system: str  # "ECTS", "JP-university" (単位), …


@dataclass(frozen=True)
class Level:
    """A level in a qualifications framework: framework "EQF", code "6", its name and URL."""

    framework: str
    code: str | None = None
    name: Text | None = None
    url: str | None = None


@dataclass(frozen=True)
class Assessment:
    type: str  # one of microcredentials.ASSESSMENT_TYPES
    text: Text | None = None  # what it was, in words


@dataclass(frozen=True)
class QualityAssurance:
    text: Text
    url: str | None = None


@dataclass(frozen=True)
class Microcredential:
    """A badge's micro-credential descriptors (the `microcredential:` block); which ones a profile requires is
    in sitegen/microcredentials.py."""

    learning_outcomes: tuple[Text, ...] = ()
    workload_hours: float | None = None
    credits: Credits | None = None
    level: Level | None = None
    assessment: tuple[Assessment, ...] = ()
    participation: str | None = None  # microcredentials.PARTICIPATION
    identity_verification: str | None = None  # microcredentials.IDENTITY_VERIFICATION
    quality_assurance: QualityAssurance | None = None
    prerequisites: Text | None = None
    stackable_into: tuple[str, ...] = ()  # slugs of badges of this site, or absolute URLs
    field_of_study: Text | None = None
    code: str | None = None
    language_of_instruction: tuple[str, ...] = ()  # language codes ("ja", "en")


@dataclass(frozen=True)
class BadgeClass:
    slug: str
    issuer: str  # issuer slug
    name: Text
    description: Text
    image: ImageFile
    image_caption: Text
    criteria: Text
    tags: tuple[str, ...]
    alignments: tuple[Alignment, ...]
    valid_for: str | None  # ISO 8601 duration as written
    achievement_type: str
    source: str
    endorsements: tuple[Endorsement, ...] = ()
    microcredential: Microcredential | None = None  # the descriptors (sitegen/microcredentials.py)


@dataclass(frozen=True)
class Evidence:
    url: str | None
    name: Text | None
    narrative: str | None  # Markdown, in the language it was written in
    description: Text | None


@dataclass(frozen=True)
class ImportedFrom:
    """Where an award imported from another platform was first issued (`sitegen import`): its original assertion
    or credential URL, and the platform (moodle, badgr, obf, …). The award has a new id and this site's URLs."""

    url: str
    platform: str


# How the published documents and pages name a platform awards were imported from.
PLATFORM_NAMES = {
    "moodle": "Moodle",
    "badgr": "Badgr",
    "canvas-credentials": "Canvas Credentials",
    "obf": "Open Badge Factory",
    "credly": "Credly",
    "sitegen": "sitegen",
    "openbadges": "Open Badges",
}


@dataclass(frozen=True)
class Revocation:
    on: datetime
    reason: Text  # published in every language it has (one string); pages show the reader's


@dataclass(frozen=True)
class Award:
    id: str  # a UUID, the only thing the award's URLs depend on
    badge: str  # badge slug
    identity_hash: str  # "sha256$…"
    salt: str  # "" only for an imported award whose original hash had no salt (kept as it was published)
    issued_on: datetime
    expires: datetime | None
    name: str | None
    show_name: bool
    narrative: str | None
    evidence: tuple[Evidence, ...]
    revoked: Revocation | None
    source: Location  # where the award is in the YAML (its list item)
    grade: str | None = None  # micro-credentials: the grade achieved
    imported_from: ImportedFrom | None = None

    @property
    def public_name(self) -> str | None:
        """The recipient's name, only when they agreed to show it."""
        return self.name if self.show_name and self.name else None


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    issuers: dict[str, Issuer]
    badges: dict[str, BadgeClass]
    awards: tuple[Award, ...]  # sorted by id
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urls", Urls(self.config.base_url))

    def badges_of(self, issuer_slug: str) -> list[BadgeClass]:
        return [b for b in self.badges.values() if b.issuer == issuer_slug]

    def status_position(self, award: Award) -> StatusPosition:
        return status_position(self.badges[award.badge].issuer, award.id)

    def revoked_awards_of(self, issuer_slug: str) -> list[Award]:
        return [a for a in self.awards if a.revoked and self.badges[a.badge].issuer == issuer_slug]
