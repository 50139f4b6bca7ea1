"""Data Integrity proofs (eddsa-rdfc-2022) of Open Badges 3.0 credentials: signing, verifying, and refusing what
JSON-LD would leave unsigned.

The algorithm is the one of the W3C "Data Integrity EdDSA Cryptosuites" spec: canonicalise the proof
options and the document with RDFC-1.0, hash both with SHA-256 (proof options first), sign the 64 bytes
with Ed25519, and encode the signature in base58btc multibase.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sitegen.messages import _
from sitegen.openbadges import jsonld
from sitegen.openbadges.fastcanon import CanonTemplates, utf8
from sitegen.openbadges.keys import SigningError, base58_decode, base58_encode

CRYPTOSUITE = "eddsa-rdfc-2022"


# --- what JSON-LD would silently drop --------------------------------------------------------------


def _count_values(node) -> int:
    """Scalars of a compact JSON document (outside @context): what expansion must keep."""
    if isinstance(node, list):
        return sum(_count_values(item) for item in node)
    if isinstance(node, dict):
        # A value object's language, direction and datatype describe its @value: they are not values.
        skipped = {"@context", "@language", "@direction", "@index"} | ({"@type"} if "@value" in node else set())
        return sum(_count_values(value) for key, value in node.items() if key not in skipped)
    return 0 if node is None else 1


def _count_expanded(node) -> int:
    if isinstance(node, list):
        return sum(_count_expanded(item) for item in node)
    if isinstance(node, dict):
        count = 0
        for key, value in node.items():
            if key in ("@id", "@value"):
                count += 1
            elif key == "@type":
                if "@value" not in node:  # a literal's datatype is not a value of the document
                    count += len(value) if isinstance(value, list) else 1
            elif key in ("@language", "@direction", "@index"):
                continue
            else:
                count += _count_expanded(value)
        return count
    return 0


def _relative_iris(node, found: list) -> None:
    """Types and ids that are not absolute IRIs: RDF has no place for them, so canonicalisation drops them."""
    if isinstance(node, list):
        for item in node:
            _relative_iris(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and "@value" not in node:
                found.extend(f"type {t}" for t in (value if isinstance(value, list) else [value]) if ":" not in t)
            elif key == "@id" and isinstance(value, str) and ":" not in value:
                found.append(f"id {value}")
            else:
                _relative_iris(value, found)


def _paths(node, prefix=""):
    """(path, container, key) of every key and list item, parents first."""
    if isinstance(node, dict):
        items = [(k, v) for k, v in node.items() if k != "@context"]
        for key, _value in items:
            yield (f"{prefix}.{key}" if prefix else key), node, key
        for key, value in items:
            yield from _paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, f"{prefix}[{index}]")


def check_no_data_loss(document: dict, expanded: list | None = None) -> None:
    """Refuse a document whose JSON-LD expansion loses data: a term no context defines is dropped by pyld
    without a word, and a signature over the rest would not cover what the reader sees."""
    lost = lost_fields(document, expanded)
    if lost:
        raise SigningError(
            _(
                "refusing to sign: JSON-LD drops {fields} (no @context defines it), so the signature would not cover it"
            ).format(fields=", ".join(lost))
        )


def lost_fields(document: dict, expanded: list | None = None) -> list[str]:
    """The fields of `document` that JSON-LD drops (a verifier in safe mode refuses such a document)."""
    if expanded is None:
        expanded = jsonld.expand(document)
    relative: list[str] = []
    _relative_iris(expanded, relative)
    if _count_expanded(expanded) == _count_values(document) and not relative:
        return []
    # Find the culprits: removing a dropped field leaves the expansion unchanged.
    baseline = _count_expanded(expanded)
    lost: list[str] = []
    for path, container, key in list(_paths(document)):
        if any(path.startswith(p + ".") or path.startswith(p + "[") for p in lost):
            continue
        trial = copy.deepcopy(document)
        target = _follow(trial, path)
        if target is None:
            continue
        holder, name = target
        del holder[name]
        if _count_expanded(jsonld.expand(trial)) == baseline and _count_values({name: container[key]}) > 0:
            lost.append(path)
    return lost + relative or ["an unknown field"]


def _follow(document: dict, path: str):
    """(container, key) for a dotted path like `a.b[0].c`."""
    node = document
    parts = []
    for piece in path.replace("[", ".[").split("."):
        if piece:
            parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    for part in parts[:-1]:
        node = node[part]
    if isinstance(node, dict) and parts[-1] in node:
        return node, parts[-1]
    return None


# --- proofs --------------------------------------------------------------------------------------


def _proof_options(document: dict, verification_method: str, created: str) -> dict:
    return {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }


@lru_cache(maxsize=4096)
def _proof_options_hash(options_json: str) -> bytes:
    # Awards of one cohort share their proof options (same created, same key): canonicalise them once.
    return hashlib.sha256(jsonld.canonize(json.loads(options_json)).encode("utf-8")).digest()


def hash_data(document: dict, proof_options: dict, expanded: list | None = None) -> bytes:
    """SHA-256 of the canonical proof options, then SHA-256 of the canonical document (64 bytes).
    `expanded` (the document already expanded) saves expanding it a second time."""
    canonical = jsonld.canonize(expanded if expanded is not None else document)
    return _hash_canonical(canonical, proof_options)


def _hash_canonical(canonical: str, proof_options: dict) -> bytes:
    proof_hash = _proof_options_hash(json.dumps(proof_options, sort_keys=True))
    return proof_hash + hashlib.sha256(utf8(canonical)).digest()


# The shapes of this process's credentials (one JSON-LD expansion per shape: see fastcanon).
TEMPLATES = CanonTemplates(lost_fields)


def canonical_document(document: dict, *, fast: bool = True) -> str:
    """The RDFC-1.0 canonical N-Quads of a document to sign, refusing one whose expansion loses data: from its
    shape's template when it has one (fast), else through pyld."""
    canonical = TEMPLATES.canonical(document) if fast else None
    if canonical is None:
        expanded = jsonld.expand(document)
        check_no_data_loss(document, expanded)
        canonical = jsonld.canonize(expanded)
    return canonical


def sign_credential(
    credential: dict, private_key: Ed25519PrivateKey, verification_method: str, created: str, *, check: bool = False
) -> dict:
    """A copy of `credential` with `proof` = [a DataIntegrityProof] (eddsa-rdfc-2022). Deterministic.
    `check`: canonicalise through pyld too and refuse to sign when the two differ (`build --check-signing`)."""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    canonical = canonical_document(unsecured)
    if check and canonical != canonical_document(unsecured, fast=False):
        raise SigningError(
            _("the fast canonical form of {id} differs from pyld's: not signed (please report it)").format(
                id=unsecured.get("id")
            )
        )
    options = _proof_options(unsecured, verification_method, created)
    signature = private_key.sign(_hash_canonical(canonical, options))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + base58_encode(signature)
    return {**unsecured, "proof": [proof]}


def foreign_context(document: dict) -> str | None:
    """What is wrong with the document's contexts, if anything: an object in @context other than sitegen's own
    embedded contexts, or an @context nested in the data. Such a context could rename terms so that the JSON a
    reader sees says something else than the signed triples (the same RDF) while the proof still holds; the
    browser's checker (ob3-proof.js) refuses the same."""
    top = document.get("@context")
    for context in top if isinstance(top, list) else [top]:
        if not isinstance(context, str) and not jsonld.is_embedded_context(context):
            return _("an embedded @context that is not one of sitegen's own")

    def nested(node) -> bool:
        if isinstance(node, dict):
            return "@context" in node or any(nested(value) for value in node.values())
        return isinstance(node, list) and any(nested(value) for value in node)

    if nested([value for key, value in document.items() if key != "@context"]):
        return _("an @context nested in the data")
    return None


def verify_credential(credential: dict, public_key_for: Callable[[str], Ed25519PublicKey]) -> list[str]:
    """Problems with the credential's eddsa-rdfc-2022 proof; an empty list means the signature is valid."""
    refused = foreign_context(credential)
    if refused:
        return [_("the proof cannot be checked: {problem}").format(problem=refused)]
    proofs = credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if isinstance(proofs, dict) else []
    if not proofs:
        return [_("no proof")]
    proof = proofs[0]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return [_("unsupported proof {type}/{suite}").format(type=proof.get("type"), suite=proof.get("cryptosuite"))]
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return [_("proofValue is not base58btc multibase")]
    try:
        signature = base58_decode(value[1:])
        public_key = public_key_for(proof.get("verificationMethod", ""))
        return _verified(credential, public_key, signature, proof)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        return [_("the proof cannot be checked: {problem}").format(problem=exc)]


# Results by (credential, public key): a site's status list is checked once, not once per credential naming it,
# and a baked credential identical to the hosted one is not checked twice. Bounded, like every cache here.
_RESULTS: dict[tuple[str, bytes], list[str]] = {}


def _verified(credential: dict, public_key: Ed25519PublicKey, signature: bytes, proof: dict) -> list[str]:
    material = json.dumps(credential, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    memo = (hashlib.sha256(material.encode("ascii")).hexdigest(), public_key.public_bytes_raw())
    if memo not in _RESULTS:
        if len(_RESULTS) > 4096:
            _RESULTS.clear()
        _RESULTS[memo] = _check_signature(credential, public_key, signature, proof)
    return list(_RESULTS[memo])


def _check_signature(credential: dict, public_key: Ed25519PublicKey, signature: bytes, proof: dict) -> list[str]:
    try:
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        options = {"@context": unsecured.get("@context"), **{k: v for k, v in proof.items() if k != "proofValue"}}
        # From its shape's template when it has one: exactly pyld's canonical form, and a shape with a template
        # loses no field. Otherwise through pyld, and then a valid signature covers only what JSON-LD keeps:
        # fields it drops could say anything.
        canonical = TEMPLATES.canonical(unsecured)
        expanded = None
        if canonical is None:
            expanded = jsonld.expand(unsecured)
            canonical = jsonld.canonize(expanded)
        public_key.verify(signature, _hash_canonical(canonical, options))
        lost = lost_fields(unsecured, expanded) if expanded is not None else []
        if lost:
            return [_("the signature does not cover {fields} (no @context defines it)").format(fields=", ".join(lost))]
    except InvalidSignature:
        return [
            _("the signature does not match the credential (it was changed after signing, or signed with another key)")
        ]
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        SigningError,
        jsonld.jsonld.JsonLdError,
    ) as exc:
        return [_("the proof cannot be checked: {problem}").format(problem=exc)]
    return []
