"""Signing keys: generate a pair, and load the private half from the environment or a file outside the repo."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.diagnostics import SitegenError
from sitegen.sign import load_private_key, public_multikey

ENV_KEY = "SITEGEN_SIGNING_KEY"  # the PEM text itself (a GitHub Actions secret)
ENV_KEY_FILE = "SITEGEN_SIGNING_KEY_FILE"  # or a path to it, outside the repository


class SigningKeyError(SitegenError):
    pass


def generate() -> tuple[str, str]:
    """A new Ed25519 key: (private key as PKCS#8 PEM, public key as a Multikey "z6Mk…")."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return pem, public_multikey(private.public_key())


def load_signing_key(root: Path, environ=os.environ) -> Ed25519PrivateKey | None:
    """The private key from $SITEGEN_SIGNING_KEY or $SITEGEN_SIGNING_KEY_FILE; None when neither is set."""
    pem = environ.get(ENV_KEY, "").strip()
    path = environ.get(ENV_KEY_FILE, "").strip()
    if not pem and path:
        key_path = Path(path).expanduser().resolve()
        if key_path.is_relative_to(root.resolve()):
            raise SigningKeyError(f"{ENV_KEY_FILE} points inside the repository ({path}): a private key must never "
                            "be stored there. Move it outside, or use the SITEGEN_SIGNING_KEY secret.")
        try:
            pem = key_path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SigningKeyError(f"cannot read the signing key file {path}: {exc}") from None
    if not pem:
        return None
    try:
        return load_private_key(pem)
    except Exception as exc:
        source = ENV_KEY if environ.get(ENV_KEY, "").strip() else ENV_KEY_FILE
        raise SigningKeyError(f"{source} does not hold an Ed25519 private key in PKCS#8 PEM "
                        f"(`openssl genpkey -algorithm ed25519` writes one): {exc}") from None
