"""Publish Open Badges 3.0: signed credentials (cached by content hash), status lists, the DID document.

Signing is the expensive step of a large build, so a proof is reused whenever everything that goes into it
is unchanged: the unsigned credential, the verification method and its public key, the proof's `created`,
the cryptosuite and the sitegen version.

A cached proof is published only when the cache file carries a MAC under a key derived from the private
signing key: a cache committed to the repository, or made with another key, is ignored, and a forged proof
never reaches the site. Proofs are deterministic, so an entry is exactly what signing again would give; the
CI cache of the signing job (made with the same key) stays useful.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import InitVar, dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen import __version__
from sitegen.build import cache
from sitegen.model import Award, Site
from sitegen.openbadges import baking, ob2, ob3
from sitegen.openbadges.keys import derived_secret
from sitegen.openbadges.proofs import CRYPTOSUITE, sign_credential
from sitegen.openbadges.status_lists import encode_status_list
from sitegen.status import STATUS_LIST_LENGTH, StatusPosition

SUITE = CRYPTOSUITE  # part of every proof's cache key
CACHE_NAME = "proofs-v3.json"  # v3: one MAC of the whole file (v2: one per entry, a second per 100,000 to check)
CACHE_FILE = cache.CACHE_DIR / CACHE_NAME
CACHE_HEADER = b"sitegen proofs v3\n"  # a sealed file (cache.write_sealed) of the proofs: {cache key: proof}


@dataclass
class SigningContext:
    """What every worker needs to sign: the key, the verification method, the status positions, the cache."""

    private_key: Ed25519PrivateKey  # never written anywhere
    key_id: str
    public_multikey: str
    verification_method: str
    positions: dict[str, StatusPosition]
    cache_root: InitVar[Path | None] = None  # the repository whose proof cache is read (only a file this key made)
    status_proofs: dict[str, dict] = field(default_factory=dict)  # proofs of the status lists of this build
    check: bool = False  # canonicalise both ways and refuse any difference (`build --check-signing`)
    cache: dict[str, dict] = field(init=False, default_factory=dict)  # cache key → proof, made with this key

    def __post_init__(self, cache_root: Path | None) -> None:
        self._mac_key = derived_secret(self.private_key, b"sitegen proof cache v3")
        self.cache = self._proofs(cache_root) if cache_root is not None else {}

    def _mac(self):
        return hmac.new(self._mac_key, digestmod=hashlib.sha256)

    def _proofs(self, root: Path) -> dict[str, dict]:
        """The proofs of the cache file, if this key made it: whatever else lies there is never published."""
        kept = cache.read_sealed(root, CACHE_NAME, CACHE_HEADER, self._mac())
        proofs = cache.json_object(bytes(kept)) if kept is not None else None
        shared: dict[str, str] = {}
        return {key: _shared_values(proof, shared) for key, proof in (proofs or {}).items() if isinstance(proof, dict)}

    def save_cache(self, root: Path, used: dict[str, dict | str]) -> None:
        """Keep exactly the proofs this build used, so the cache never grows past the site. A proof may come
        already in JSON (compact_entries): the file is the same."""
        if not any(isinstance(proof, str) for proof in used.values()):
            payload = cache.encoded(used)  # one call of the C encoder
        else:
            parts = [
                f"{json.dumps(key)}:{proof if isinstance(proof, str) else cache.encoded(proof)}"
                for key, proof in sorted(used.items())
            ]
            payload = "{" + ",".join(parts) + "}"
        cache.write_sealed(root, CACHE_NAME, CACHE_HEADER, self._mac(), lambda out: cache.write_parts(out, [payload]))

    def proof_key(self, unsigned: dict, created: str) -> str:
        material = json.dumps(
            [__version__, SUITE, self.verification_method, self.public_multikey, created, unsigned],
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def sign(self, unsigned: dict, created: str, used: dict[str, dict]) -> dict:
        """The credential with its proof, from the cache when possible; `used` collects every entry used."""
        key = self.proof_key(unsigned, created)
        proof = self.cache.get(key)
        if proof is None:
            signed = sign_credential(unsigned, self.private_key, self.verification_method, created, check=self.check)
            proof = signed["proof"][0]
        used[key] = proof
        return {**unsigned, "proof": [proof]}


def _shared_values(proof: dict, shared: dict[str, str]) -> dict:
    """The proof with its repeated values (type, suite, key, purpose, day) as one string each: JSON gives every
    one its own copy, and a large site's cache holds 100,000 proofs."""
    return {
        key: shared.setdefault(value, value) if isinstance(value, str) and key != "proofValue" else value
        for key, value in proof.items()
    }


def compact_entries(used: dict[str, dict]) -> dict[str, str]:
    """The new proofs in JSON, as save_cache writes them: a worker returns 100,000s of them, which the build holds
    until it saves the cache (a string each instead of a dict and six strings)."""
    return {key: cache.encoded(proof) for key, proof in used.items()}


def credential_files(
    site: Site, ctx: SigningContext, award: Award, used: dict[str, dict]
) -> tuple[list[tuple[str, bytes]], str]:
    """The signed credential of one award and its baked image, and the cache key of its proof."""
    urls = site.urls
    unsigned = ob3.credential(site, award, ctx.positions[award.id])
    created = ob2.format_datetime(award.issued_on)
    signed = ctx.sign(unsigned, created, used)
    proof_key = ctx.proof_key(unsigned, created)
    data = ob2.to_json(signed)
    files = [(urls.credential_json(award.id), data)]
    if site.config.baked_files:
        image = site.badges[award.badge].image
        files.append((urls.credential_image(award.id, image.kind), baking.bake_credential(image, data.decode("utf-8"))))
    return files, proof_key


def status_list_files(site: Site, ctx: SigningContext, used: dict[str, dict]) -> list[tuple[str, bytes]]:
    """One signed BitstringStatusList credential per issuer and list, revoked awards' bits set."""
    lists: dict[tuple[str, int], list[Award]] = {}
    for award in site.awards:
        position = ctx.positions[award.id]
        lists.setdefault((site.badges[award.badge].issuer, position.list_number), []).append(award)
    files = []
    for (issuer_slug, number), awards in sorted(lists.items()):
        revoked = [ctx.positions[a.id].index for a in awards if a.revoked]
        valid_from = ob2.format_datetime(status_list_valid_from(awards))
        unsigned = ob3.status_list_credential(
            site,
            site.issuers[issuer_slug],
            list_number=number,
            encoded_list=encode_status_list(revoked, STATUS_LIST_LENGTH),
            valid_from=valid_from,
        )
        signed = ctx.sign(unsigned, valid_from, used)
        files.append((site.urls.status_list(issuer_slug, number), ob2.to_json(signed)))
    return files


def status_list_valid_from(awards: list[Award]):
    """A status list is valid from the first issue of the credentials that point to it.

    Every verifier refuses a status list whose validFrom is still to come, and with it every credential of the
    list: so no award may move it later. The earliest issue date is never later than the date of any credential
    that relies on the list (a list is only in the future when all its credentials are), and revocations,
    whatever their dates, leave it alone. Content, not the build's clock, decides it: the same content gives
    the same bytes."""
    return min(award.issued_on for award in awards)


def key_files(site: Site) -> list[tuple[str, bytes]]:
    """The DID document and one document per public key, retired keys included."""
    keys = list(site.config.keys)
    files = [(site.urls.did_document(), ob2.to_json(ob3.did_document(site, keys)))]
    for key in keys:
        files.append((site.urls.key_document(key.id), ob2.to_json(ob3.key_document(site, key))))
    return files
