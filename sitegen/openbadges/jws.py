"""Open Badges 2.0 signed assertions: JWS compact serialization with RS256 (RSASSA-PKCS1-v1_5 + SHA-256)."""

from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sitegen.diagnostics import SitegenError
from sitegen.messages import _

HEADER = {"alg": "RS256"}


class JwsError(SitegenError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jws(payload: dict, private_key: rsa.RSAPrivateKey) -> str:
    """Compact JWS of `payload`; PKCS#1 v1.5 signatures are deterministic, so rebuilds give the same bytes."""
    header = _b64(json.dumps(HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signature = private_key.sign(f"{header}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}"


def read_jws(token: str) -> tuple[dict, dict]:
    """(header, payload) without checking the signature; JwsError if it is not a compact JWS."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwsError(_("not a compact JWS (three base64url parts separated by dots)"))
    try:
        header, payload = json.loads(_unb64(parts[0])), json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise JwsError(_("the JWS does not decode to JSON: {problem}").format(problem=exc)) from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwsError(_("the JWS header and payload must be JSON objects"))
    return header, payload


def verify_jws(token: str, public_key) -> dict:
    """The payload if the RS256 signature is valid; JwsError otherwise."""
    header, payload = read_jws(token)
    if header.get("alg") != "RS256":
        algorithm = repr(header.get("alg"))
        raise JwsError(_("unsupported JWS algorithm {algorithm} (RS256 expected)").format(algorithm=algorithm))
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise JwsError(_("the signing key is not an RSA key"))
    head, body, signature = token.strip().split(".")
    try:
        public_key.verify(_unb64(signature), f"{head}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise JwsError(
            _("the signature does not match (the assertion was changed or signed with another key)")
        ) from None
    return payload


def load_public_pem(pem: str):
    """The public key of a PEM text; ValueError when it is not one (or of a kind we cannot read)."""
    try:
        return serialization.load_pem_public_key(pem.encode("ascii"))
    except UnsupportedAlgorithm as exc:
        raise ValueError(_("unsupported public key: {problem}").format(problem=exc)) from None


def public_pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
