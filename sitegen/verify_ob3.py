"""Verify Open Badges 3.0 credentials: the Data Integrity proof against the issuer's did:web key, the dates,
the status list, and the recipient."""

from __future__ import annotations

from datetime import datetime, timezone

from sitegen.credentials import STATUS_LIST_LENGTH
from sitegen.verify import FetchError, Fetcher, Result, _parse_datetime, recipient_matches


def did_web_url(did: str) -> str:
    """Where a did:web document lives: `did:web:host%3Aport:a:b` → `https://host:port/a/b/did.json`."""
    from urllib.parse import unquote

    parts = did.split(":")[2:]
    if not parts or not parts[0]:
        raise ValueError(f"not a did:web: {did}")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def resolve_verification_method(vm_id: str, fetcher: Fetcher, result: Result, check: str) -> dict | None:
    """The verification method object, from the controller's DID document (or a key document)."""
    base = vm_id.split("#", 1)[0]
    try:
        url = did_web_url(base) if base.startswith("did:web:") else base
        if fetcher.site_dir is not None and base.startswith("did:web:"):
            url = _did_url_in_site(base, fetcher.base_url)
        document = fetcher.get_json(url)
    except (FetchError, ValueError) as exc:
        result.error(check, f"cannot resolve {vm_id}: {exc}")
        return None
    if document.get("id") == vm_id:
        return document
    methods = document.get("verificationMethod") or []
    method = next((m for m in methods if isinstance(m, dict) and m.get("id") == vm_id), None)
    if method is None:
        result.error(check, f"{vm_id} is not in the DID document of {base}")
        return None
    assertion = document.get("assertionMethod") or []
    if vm_id not in [a if isinstance(a, str) else a.get("id") for a in assertion]:
        result.error(check, f"{vm_id} is not an assertionMethod of {base}")
    return method


def _did_url_in_site(did: str, base_url: str) -> str:
    from sitegen.credentials import did_web
    from sitegen.model import Urls

    if did != did_web(base_url):
        raise ValueError(f"{did} is not the DID of the site at {base_url}")
    urls = Urls(base_url)
    return urls.url(urls.did_document())


def _check_proof(result: Result, doc: dict, fetcher: Fetcher, check: str) -> None:
    from sitegen.sign import public_key_from_multikey, verify_credential

    result.ran(check)
    proofs = doc.get("proof")
    if not isinstance(proofs, list) or not proofs:
        result.error(check, "proof must be a non-empty array")
        return
    proof = proofs[0]
    if not isinstance(proof, dict):
        result.error(check, "proof must hold proof objects")
        return
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-rdfc-2022":
        result.error(check, f"unsupported proof {proof.get('type')}/{proof.get('cryptosuite')}")
        return
    if proof.get("proofPurpose") != "assertionMethod":
        result.error(check, f"proofPurpose is {proof.get('proofPurpose')!r}, expected assertionMethod")
    vm_id = proof.get("verificationMethod")
    if not isinstance(vm_id, str):
        result.error(check, "proof has no verificationMethod")
        return
    method = resolve_verification_method(vm_id, fetcher, result, check)
    if method is None:
        return
    issuer_id = _issuer_id(doc)
    if method.get("controller") != issuer_id:
        result.error(check, f"the key's controller {method.get('controller')!r} is not the issuer {issuer_id!r}")
    try:
        public_key = public_key_from_multikey(method.get("publicKeyMultibase", ""))
    except ValueError as exc:
        result.error(check, f"bad publicKeyMultibase: {exc}")
        return
    for problem in verify_credential(doc, lambda _vm: public_key):
        result.error(check, problem)


def verify_credential_document(doc: dict, fetcher: Fetcher, email: str | None = None, now: datetime | None = None,
                               kind: str = "ob3-credential", subject: str = "credential") -> Result:
    result = Result(subject, kind)
    now = now or datetime.now(timezone.utc)
    context = doc.get("@context")
    result.ran("credential.context")
    if not isinstance(context, list) or context[:1] != ["https://www.w3.org/ns/credentials/v2"]:
        result.error("credential.context", "the first @context must be https://www.w3.org/ns/credentials/v2")
    types = doc.get("type") if isinstance(doc.get("type"), list) else [doc.get("type")]
    result.ran("credential.type")
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        result.error("credential.type", f"type {types} is not an OpenBadgeCredential")
    _check_proof(result, doc, fetcher, "credential.proof")

    result.ran("credential.dates")
    valid_from = _parse_datetime(doc.get("validFrom"))
    if valid_from is None:
        result.error("credential.dates", f"validFrom is not a date-time with a timezone: {doc.get('validFrom')!r}")
    elif valid_from > now:
        result.error("credential.dates", f"the credential is not valid before {doc['validFrom']}")
    if "validUntil" in doc:
        valid_until = _parse_datetime(doc.get("validUntil"))
        if valid_until is None:
            result.error("credential.dates", f"validUntil is not a date-time with a timezone: {doc.get('validUntil')!r}")
        elif valid_until <= now:
            result.expired = doc["validUntil"]

    subject_doc = doc.get("credentialSubject") if isinstance(doc.get("credentialSubject"), dict) else {}
    if email is not None:
        result.ran("credential.recipient-match")
        identifiers = subject_doc.get("identifier") or []
        identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
        if not any(isinstance(i, dict) and i.get("identityType") == "emailAddress" and isinstance(i.get("identityHash"), str)
                   and recipient_matches(i["identityHash"], i.get("salt"), email, i.get("hashed") is not False)
                   for i in identifiers):
            result.error("credential.recipient-match", f"the credential was not issued to {email}")

    statuses = doc.get("credentialStatus")
    if statuses is not None:
        result.ran("credential.status")
        # One entry or several (JSON-LD reads both alike, and the signature covers both): every entry is
        # checked, and one this verifier cannot read fails the credential rather than being skipped.
        for status in statuses if isinstance(statuses, list) else [statuses]:
            _check_status_entry(result, doc, status, fetcher)
    return result


def _check_status_entry(result: Result, doc: dict, status, fetcher: Fetcher) -> None:
    from sitegen.sign import decode_status_list, status_bit

    types = status.get("type") if isinstance(status, dict) else None
    types = types if isinstance(types, list) else [types]
    if "1EdTechRevocationList" in types:
        _check_revocation_list(result, doc, status, fetcher)
        return
    if "BitstringStatusListEntry" not in types:
        result.error("credential.status", f"credentialStatus of type {types} cannot be checked, so the credential "
                                          "may be revoked (BitstringStatusListEntry and 1EdTechRevocationList are)")
        return
    purpose, list_url, index = status.get("statusPurpose"), status.get("statusListCredential"), status.get("statusListIndex")
    if not isinstance(list_url, str):
        result.error("credential.status", f"statusListCredential must be a URL, not {list_url!r}")
        return
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        result.error("credential.status", f"statusListIndex must be a non-negative integer, not {index!r}")
        return
    try:
        status_list = fetcher.get_json(list_url)
    except FetchError as exc:
        result.error("credential.status", f"the status list cannot be read: {exc}")
        return
    list_result = Result(list_url, "status-list")
    _check_proof(list_result, status_list, fetcher, "status-list.proof")
    for finding in list_result.errors:
        result.error("credential.status", f"status list: {finding.message}")
    if status_list.get("issuer") != _issuer_id(doc):
        result.error("credential.status", "the status list was issued by someone else")
    list_subject = status_list.get("credentialSubject")
    list_subject = list_subject if isinstance(list_subject, dict) else {}
    if list_subject.get("statusPurpose") != purpose:
        result.error("credential.status", f"the status list is for {list_subject.get('statusPurpose')!r}, "
                                          f"the entry for {purpose!r}")
    try:
        bits = decode_status_list(list_subject["encodedList"])
    except (KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        result.error("credential.status", f"the status list cannot be decoded: {exc}")
        return
    if len(bits) * 8 < STATUS_LIST_LENGTH:
        result.error("credential.status", f"the status list has {len(bits) * 8} entries, fewer than {STATUS_LIST_LENGTH}")
    if index >= len(bits) * 8:
        result.error("credential.status", f"statusListIndex {index} is outside the list")
    elif status_bit(bits, index):
        if purpose == "suspension":
            result.error("credential.status", "the issuer's status list marks it suspended")
        else:
            result.revoked = "the issuer's status list marks it revoked"


def _check_revocation_list(result: Result, doc: dict, status: dict, fetcher: Fetcher) -> None:
    """A 1EdTech Revocation List: the credential is revoked if an entry has its id and does not say
    revoked: false. A list that cannot be read fails the credential (the 1EdTech validator only warns)."""
    list_url = status.get("id")
    if not isinstance(list_url, str):
        result.error("credential.status", f"the 1EdTechRevocationList id must be a URL, not {list_url!r}")
        return
    try:
        listing = fetcher.get_json(list_url)
    except FetchError as exc:
        result.error("credential.status", f"the revocation list cannot be read: {exc}")
        return
    if listing.get("issuer") != _issuer_id(doc):
        result.error("credential.status", "the revocation list was issued by someone else")
    entries = []
    for key in ("revokedCredential", "revokedCredentials"):  # the spec's name, and the 1EdTech validator's
        value = listing.get(key, [])
        entries += value if isinstance(value, list) else [value]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") == doc.get("id") and entry.get("revoked") is not False:
            reason = entry.get("revocationReason")
            result.revoked = "the issuer's revocation list names it" + (f": {reason}" if isinstance(reason, str) else "")
            return


def _issuer_id(doc: dict):
    """The credential's issuer id: `issuer` is a URI or an embedded Profile."""
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer
