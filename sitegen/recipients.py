"""Recipients' emails: the one place they are normalised and hashed (as written into awards and checked by verify)."""

from __future__ import annotations

import hashlib
import re


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()


def recipient_matches(identity: str, salt: str | None, email: str, hashed: bool = True) -> bool:
    """Whether a recipient identity (a `sha256$`/`md5$` hash, or the plain address when not hashed) is `email`."""
    if not hashed:
        return normalise_email(identity) == normalise_email(email)
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5"):
        return False
    for candidate in {normalise_email(email), email}:
        data = (candidate + (salt if isinstance(salt, str) else "")).encode("utf-8")
        if hashlib.new(algorithm.lower(), data).hexdigest() == digest.lower():
            return True
    return False


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
