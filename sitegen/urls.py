"""Every public path and URL of a site (DESIGN §3), and did:web: the one place they are made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True)
class Urls:
    """Output paths (relative, POSIX) and their public URLs under base_url: a frozen record, as templates get it."""

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    # --- identifiers inside documents ----------------------------------------------------------
    def did(self) -> str:
        """The issuer's did:web, which resolves to did_document() under this base."""
        return did_web(self.base)

    def verification_method(self, key_id: str) -> str:
        """The id of a key in the DID document: the DID with the key id as fragment."""
        return f"{self.did()}#{key_id}"

    def criteria(self, badge_slug: str) -> str:
        """The criteria of a badge: a fragment of its page."""
        return self.url(self.badge_page(badge_slug)) + "#criteria"

    def status_list_entry(self, issuer_slug: str, list_number: int, index: int) -> str:
        """The id of a credential's entry in a status list: the list's URL with the index as fragment."""
        return f"{self.url(self.status_list(issuer_slug, list_number))}#{index}"

    def status_list_subject(self, issuer_slug: str, list_number: int) -> str:
        """The id of the BitstringStatusList a status list credential holds."""
        return f"{self.url(self.status_list(issuer_slug, list_number))}#list"

    @staticmethod
    def signed_assertion_id(award_id: str) -> str:
        """The id of an award's OB 2.0 signed assertion (and of its revocation entry): a urn:uuid."""
        return f"urn:uuid:{award_id}"

    # --- paths -------------------------------------------------------------------------------
    @staticmethod
    def issuer_json(slug: str) -> str:
        return f"issuers/{slug}.json"

    @staticmethod
    def in_language(lang: str, path: str) -> str:
        """A document or page in a language other than the site's default: the same path under `{lang}/`."""
        return f"{lang}/{path}"

    @staticmethod
    def issuer_page(slug: str) -> str:
        return f"issuers/{slug}.html"

    @staticmethod
    def issuer_image(slug: str, kind: str) -> str:
        return f"issuers/{slug}.{kind}"

    @staticmethod
    def microcredential_ob2_context() -> str:
        """The JSON-LD context of the OB 2.0 micro-credential extensions (published when a badge uses them)."""
        return "contexts/microcredential-ob2.json"

    @staticmethod
    def microcredential_ob2_schema() -> str:
        """The JSON Schema the context names, with which OB 2.0 validators check the extension objects."""
        return "contexts/microcredential-ob2.schema.json"

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
    def assertions_folder() -> str:
        """Where every hosted assertion lies: the issuer accepts hosted assertions only under it."""
        return "assertions/"

    @staticmethod
    def credentials_folder() -> str:
        return "credentials/"

    @staticmethod
    def status_folder() -> str:
        return "status/"

    @staticmethod
    def keys_folder() -> str:
        return "keys/"

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


def did_web(base_url: str) -> str:
    """did:web for base_url: `https://host[:port]/a/b` → `did:web:host%3Aport:a:b`."""
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    path = [quote(segment, safe="") for segment in parts.path.strip("/").split("/") if segment]
    return ":".join(["did:web", host, *path])


def did_web_url(did: str) -> str:
    """Where a did:web document lives: `did:web:host%3Aport:a:b` → `https://host:port/a/b/did.json`."""
    if not isinstance(did, str) or not DID_WEB.match(did):
        raise ValueError(f"not a did:web DID: {did!r}")
    parts = did.split(":")[2:]
    host = unquote(parts[0])
    segments = [unquote(p) for p in parts[1:]]
    if any(c in s for s in segments for c in "/?#\\") or any(s in (".", "..") for s in segments):
        raise ValueError(f"not a did:web DID: {did!r}")
    path = "/".join(segments)
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


# A did:web DID: a host (with %3A before a port) and path segments; nothing that could re-aim the URL it names.
DID_WEB = re.compile(r"^did:web:[A-Za-z0-9.-]+(?:%3[Aa][0-9]+)?(?::[A-Za-z0-9._~%!$&'()*+,;=@-]+)*$")
