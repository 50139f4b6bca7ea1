"""The site as frozen data, and the one place where public URLs and output paths are computed.

The URL scheme (DESIGN.md §3) is a promise to every verifier that ever resolved one of our URLs:
change it only by adding, never by renaming.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

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
class SiteConfig:
    base_url: str  # no trailing slash
    name: Text
    default_language: str
    tz: timezone
    theme: str
    keys: tuple[PublicKey, ...] = ()
    ob2_key: Ob2SigningKey | None = None
    # How an OB 3.0 credential names its revocation status: "bitstring" (a BitstringStatusListEntry, what
    # wallets and the Digital Bazaar / DCC verifiers check) or "1edtech" (the issuer's 1EdTechRevocationList,
    # the only method the 1EdTech validator checks). The schema allows one entry, so it is one or the other.
    credential_status: str = "bitstring"
    # "files": a baked PNG/SVG per award is published (assertions/{id}.png, credentials/{id}.png).
    # "browser": none is; the award page bakes the download in the reader's browser from the badge image and
    # the award's JSON (the same bytes), so a large site stays within GitHub Pages' size limit.
    baking: str = "files"
    # "one_language": an award page in the site's default language, switched in place by its script.
    # "every_language": also {lang}/assertions/{id}.html for the other language, so that the switch is a plain
    # link and works without JavaScript (one more page per award).
    award_pages: str = "one_language"

    @property
    def baked_files(self) -> bool:
        return self.baking == "files"

    @property
    def active_key(self) -> PublicKey | None:
        return next((key for key in self.keys if not key.retired), None)


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


@dataclass(frozen=True)
class Evidence:
    url: str | None
    name: Text | None
    narrative: str | None  # Markdown, in the language it was written in
    description: Text | None


@dataclass(frozen=True)
class Revocation:
    on: datetime
    reason: Text  # published in every language it has (one string); pages show the reader's


@dataclass(frozen=True)
class Award:
    id: str  # a UUID, the only thing the award's URLs depend on
    badge: str  # badge slug
    identity_hash: str  # "sha256$…"
    salt: str
    issued_on: datetime
    expires: datetime | None
    name: str | None
    show_name: bool
    narrative: str | None
    evidence: tuple[Evidence, ...]
    revoked: Revocation | None
    source: str  # "path:line" of the award in the YAML

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
    urls: "Urls" = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urls", Urls(self.config.base_url))

    def badges_of(self, issuer_slug: str) -> list[BadgeClass]:
        return [b for b in self.badges.values() if b.issuer == issuer_slug]

    def status_position(self, award: Award) -> StatusPosition:
        return status_position(self.badges[award.badge].issuer, award.id)

    def revoked_awards_of(self, issuer_slug: str) -> list[Award]:
        return [a for a in self.awards if a.revoked and self.badges[a.badge].issuer == issuer_slug]


# --- status list positions (Open Badges 3.0 revocation) ------------------------------------------
# A credential's position in its issuer's status lists is signed into it, so it must never change: it is a
# function of the issuer and the award id alone, never of the other awards. The index comes from a hash,
# so it says nothing about issue order. `sitegen issue` draws ids until the position is free and in the
# first list with room, so a small issuer's awards share one list (a verifier's fetch says little about
# which credential it checks); a hand-written id that collides is a content error before it is published.
STATUS_LIST_LENGTH = 131072  # the minimum the Bitstring Status List spec allows, for group privacy
# The 1EdTech validator compares a status index with the list's length in bytes, so it rejects indexes of
# 16384 and above: indexes stay below that, and a list is filled to half of them before the next one.
STATUS_INDEX_RANGE = STATUS_LIST_LENGTH // 8
STATUS_LIST_FILL = STATUS_INDEX_RANGE // 2
STATUS_LISTS = 64  # per issuer; fixed for good, as positions depend on it (room for 500,000 awards)


@dataclass(frozen=True, order=True)
class StatusPosition:
    list_number: int  # 1-based: status/{issuer}-{n}.json
    index: int


def scattered_awards(site: "Site") -> set[str]:
    """Awards in a status list while an earlier list of their issuer has room. `sitegen issue` never does this;
    hand-written ids do, and a list shared by few awards tells whoever watches its fetches which award is
    being checked."""
    lists: dict[str, dict[int, list[str]]] = {}
    for award in site.awards:
        position = site.status_position(award)
        lists.setdefault(site.badges[award.badge].issuer, {}).setdefault(position.list_number, []).append(award.id)
    scattered = set()
    for by_number in lists.values():
        first_with_room = first_list_with_room({n: len(ids) for n, ids in by_number.items()})
        if first_with_room is not None:
            scattered.update(a for n, ids in by_number.items() if n > first_with_room for a in ids)
    return scattered


def first_list_with_room(filled: dict[int, int]) -> int | None:
    """The first of an issuer's status lists under half full (`filled`: list number → entries taken), or None."""
    return next((n for n in range(1, STATUS_LISTS + 1) if filled.get(n, 0) < STATUS_LIST_FILL), None)


def draw_award_ids(issuer_slug: str, count: int, taken: set[StatusPosition] = frozenset(),
                   new_id=lambda: str(uuid.uuid4())) -> list[str]:
    """Award ids whose status list positions are free (not in `taken`), each in the issuer's first list
    with room: drawing until one lands there is what keeps every published position fixed for good.
    About STATUS_LISTS draws per id."""
    taken = set(taken)
    filled = Counter(position.list_number for position in taken)
    ids = []
    for _ in range(count):
        wanted = first_list_with_room(filled)  # None: every list half full, any free entry will do
        while True:
            candidate = new_id()
            position = status_position(issuer_slug, candidate)
            if position not in taken and wanted in (None, position.list_number):
                break
        taken.add(position)
        filled[position.list_number] += 1
        ids.append(candidate)
    return ids


def status_position(issuer_slug: str, award_id: str) -> StatusPosition:
    digest = hashlib.sha256(f"{issuer_slug}/{award_id}".encode()).digest()
    return StatusPosition(int.from_bytes(digest[:8], "big") % STATUS_LISTS + 1,
                          int.from_bytes(digest[8:16], "big") % STATUS_INDEX_RANGE)


@dataclass(frozen=True)
class Urls:
    """Output paths (relative, POSIX) and their public URLs under base_url: a frozen record, as templates get it."""

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    # --- paths -------------------------------------------------------------------------------
    @staticmethod
    def issuer_json(slug: str) -> str:
        return f"issuers/{slug}.json"

    @staticmethod
    def issuer_page(slug: str) -> str:
        return f"issuers/{slug}.html"

    @staticmethod
    def issuer_image(slug: str, kind: str) -> str:
        return f"issuers/{slug}.{kind}"

    @staticmethod
    def badge_json(slug: str) -> str:
        return f"badges/{slug}.json"

    @staticmethod
    def badge_page(slug: str) -> str:
        return f"badges/{slug}.html"

    @staticmethod
    def badge_image(slug: str, kind: str) -> str:
        return f"badges/{slug}.{kind}"

    @staticmethod
    def badge_preview(slug: str) -> str:
        """PNG rendering of an SVG badge for link previews (a slug has no dot, so no badge can clash)."""
        return f"badges/{slug}.preview.png"

    @staticmethod
    def assertion_json(award_id: str) -> str:
        return f"assertions/{award_id}.json"

    @staticmethod
    def assertion_page(award_id: str) -> str:
        return f"assertions/{award_id}.html"

    @staticmethod
    def assertion_image(award_id: str, kind: str) -> str:
        return f"assertions/{award_id}.{kind}"

    @staticmethod
    def revocation_list(issuer_slug: str) -> str:
        return f"revocations/{issuer_slug}.json"

    @staticmethod
    def credential_json(award_id: str) -> str:
        return f"credentials/{award_id}.json"

    @staticmethod
    def credential_image(award_id: str, kind: str) -> str:
        return f"credentials/{award_id}.{kind}"

    @staticmethod
    def signed_assertion(award_id: str) -> str:
        return f"assertions/{award_id}.jws"

    @staticmethod
    def status_list(issuer_slug: str, list_number: int) -> str:
        return f"status/{issuer_slug}-{list_number}.json"

    @staticmethod
    def credential_revocations(issuer_slug: str) -> str:
        return f"revocations/{issuer_slug}-credentials.json"

    @staticmethod
    def key_document(key_id: str) -> str:
        return f"keys/{key_id}.json"

    def did_document(self) -> str:
        """Where did:web resolves: `did.json` under a path, `.well-known/did.json` at a domain root."""
        return "did.json" if urlsplit(self.base).path.strip("/") else ".well-known/did.json"
