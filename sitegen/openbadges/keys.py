"""Signing keys: generate a pair, and load the private half from the environment or a file outside the repo."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sitegen.diagnostics import SitegenError
from sitegen.messages import _

ENV_KEY = "SITEGEN_SIGNING_KEY"  # the PEM text itself (a GitHub Actions secret)
ENV_KEY_FILE = "SITEGEN_SIGNING_KEY_FILE"  # or a path to it, outside the repository
ENV_OB2_KEY = "SITEGEN_OB2_SIGNING_KEY"  # RSA, for the optional OB 2.0 signed assertions


class SigningKeyError(SitegenError):
    pass


def generate() -> tuple[str, str]:
    """A new Ed25519 key: (private key as PKCS#8 PEM, public key as a Multikey "z6Mk…")."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return pem, public_multikey(private.public_key())


def _read_pem(root: Path, environ, variable: str) -> tuple[str, str]:
    """(PEM text, where it came from) from $VARIABLE or the file named by $VARIABLE_FILE; ("", "") if neither."""
    pem = environ.get(variable, "").strip()
    if pem:
        return pem, variable
    path = environ.get(f"{variable}_FILE", "").strip()
    if not path:
        return "", ""
    key_path = Path(path).expanduser().resolve()
    if key_path.is_relative_to(root.resolve()):
        raise SigningKeyError(
            f"{variable}_FILE points inside the repository ({path}): a private key must never "
            f"be stored there. Move it outside, or use the {variable} secret."
        )
    try:
        return key_path.read_text(encoding="ascii"), f"{variable}_FILE"
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningKeyError(f"cannot read the key file {path}: {exc}") from None


def load_signing_key(root: Path, environ=os.environ) -> Ed25519PrivateKey | None:
    """The Ed25519 key from $SITEGEN_SIGNING_KEY or $SITEGEN_SIGNING_KEY_FILE; None when neither is set."""
    pem, source = _read_pem(root, environ, ENV_KEY)
    if not pem:
        return None
    try:
        return load_private_key(pem)
    except Exception as exc:
        raise SigningKeyError(
            f"{source} does not hold an Ed25519 private key in PKCS#8 PEM "
            f"(`openssl genpkey -algorithm ed25519` writes one): {exc}"
        ) from None


def load_ob2_signing_key(root: Path, environ=os.environ) -> rsa.RSAPrivateKey | None:
    """The RSA key of OB 2.0 signed assertions from $SITEGEN_OB2_SIGNING_KEY(_FILE); None when not set."""
    pem, source = _read_pem(root, environ, ENV_OB2_KEY)
    if not pem:
        return None
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SigningKeyError(f"{source} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError(f"{source} is not an RSA key (OB 2.0 signed assertions use RS256)")
    return key


def generate_rsa() -> tuple[str, str]:
    """A new 3072-bit RSA key for OB 2.0 JWS: (private PKCS#8 PEM, public PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return pem, public


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = BASE58_ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = BASE58_ALPHABET.find(char)
        if index < 0:
            raise ValueError(_("not base58: {character}").format(character=repr(char)))
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def load_private_key(pem: bytes | str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PKCS#8 PEM (what `openssl genpkey -algorithm ed25519` writes)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(_("not an unencrypted PEM private key ({problem})").format(problem=exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(_("not an Ed25519 key but {kind}").format(kind=type(key).__name__))
    return key


def public_multikey(public_key: Ed25519PublicKey) -> str:
    """The Multikey form of an Ed25519 public key: "z" + base58btc(0xed01 + 32 bytes), always "z6Mk…"."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58_encode(MULTIKEY_ED25519_PREFIX + raw)


def derived_secret(private_key: Ed25519PrivateKey, label: bytes) -> bytes:
    """A secret for one purpose (`label`) derived from the private key (HMAC-SHA-256 of the label under its
    raw 32 bytes): it proves whoever holds it holds the key, and reveals nothing of the key."""
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return hmac.new(raw, label, hashlib.sha256).digest()


def public_key_from_multikey(multibase: str) -> Ed25519PublicKey:
    if not multibase.startswith("z"):
        raise ValueError(_("publicKeyMultibase must be base58btc (start with z)"))
    data = base58_decode(multibase[1:])
    if not data.startswith(MULTIKEY_ED25519_PREFIX) or len(data) != 34:
        raise ValueError(_("not an Ed25519 Multikey"))
    return Ed25519PublicKey.from_public_bytes(data[2:])


MULTIKEY_ED25519_PREFIX = b"\xed\x01"


BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class SigningError(SitegenError):
    pass
