"""What a private key looks like, for the places that refuse one: `check` (anywhere in the repository), the
build (a theme's files) and `load` (content files). One definition, so that they cannot drift apart."""

from __future__ import annotations

import re

# By file name: a public key belongs in site.yaml, so nothing else should be named like a key (`.pub` is public).
KEY_FILE_NAME = re.compile(
    r"(?:^|/)(?:id_(?:rsa|dsa|ecdsa|ed25519)[^/]*|[^/]*\.(?:pem|key|p8|p12|pfx|jks|keystore|ppk|der))$", re.IGNORECASE
)
# By content: PEM armour with a key after it (a mention of the armour in code or docs is no key), a PuTTY key.
PRIVATE_KEY_TEXT = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,300}?[A-Za-z0-9+/=]{40}"
    r"|PuTTY-User-Key-File-\d+:"
)


# A private JSON Web Key (JSON or YAML): its private member `d`, in a text that names a key type (`kty`).
PRIVATE_JWK_MEMBER = re.compile(r"""["']?\bd["']?\s*:\s*["']?[A-Za-z0-9_-]{32,}""")


def private_key_at(text: str) -> int | None:
    """Where a private key starts in `text` (an offset), or None."""
    found = PRIVATE_KEY_TEXT.search(text)
    if found is None and "kty" in text:
        found = PRIVATE_JWK_MEMBER.search(text)
    return found.start() if found else None


def named_like_key(name: str) -> bool:
    return bool(KEY_FILE_NAME.search(name)) and not name.lower().endswith(".pub")
