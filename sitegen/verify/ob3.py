"""Verify Open Badges 3.0 credentials: the Data Integrity proof against the issuer's did:web key (or the key a
did:key DID is made of), the dates, the status list, and the recipient."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sitegen.messages import _
from sitegen.openbadges.keys import public_key_from_multikey
from sitegen.openbadges.proofs import verify_credential
from sitegen.openbadges.status_lists import decode_status_list, status_bit
from sitegen.recipients import recipient_matches
from sitegen.status import STATUS_LIST_LENGTH
from sitegen.urls import DID_WEB, Urls, did_web, did_web_url
from sitegen.verify.checks import DID_DOCUMENT, OB3_CREDENTIAL, STATUS_LIST
from sitegen.verify.fetch import Fetcher, FetchError
from sitegen.verify.report import UNREACHABLE, Result, parse_datetime


def resolve_did_document(did: str, fetcher: Fetcher, result: Result, step: str) -> dict | None:
    """The DID document fetched from the did:web URL of `did`, and only if it says it is that DID's."""
    try:
        url = _did_url_in_site(did, fetcher.base_url) if fetcher.site_dir is not None else did_web_url(did)
        document = fetcher.get_json(url)
    except (FetchError, ValueError) as exc:
        message = _("cannot resolve the DID document of {did}: {problem}").format(did=did, problem=exc)
        result.fetch_failed(step, message, exc, code="verify.key.did-unresolvable")
        return None
    if document.get("id") != did:
        result.error(
            step,
            _("the DID document at {url} is not the document of {did} (its id is {value!r})").format(
                url=url, did=did, value=document.get("id")
            ),
            code="verify.key.did-unresolvable",
        )
        return None
    return document


def _listed(value) -> list:
    """A property that holds one value or a list of them, as a list."""
    return value if isinstance(value, list) else [] if value is None else [value]


def issuer_key(vm_id: str, issuer_id, fetcher: Fetcher, result: Result, *, step: str) -> dict | None:
    """The verification method `vm_id` if it is the issuer's: under the issuer's own DID, and listed in the
    `assertionMethod` of the DID document resolved from that DID. A key document found anywhere else, or one
    that merely names the issuer as its controller, is never the issuer's key. A did:key issuer's one key is
    the DID itself, read here and never fetched."""
    if isinstance(issuer_id, str) and issuer_id.startswith(DID_KEY_PREFIX):
        return _did_key_method(vm_id, issuer_id, result, step)
    if not isinstance(issuer_id, str) or not DID_WEB.match(issuer_id):
        result.error(
            step,
            _("the issuer {issuer!r} is not a did:web DID, so its keys cannot be checked").format(issuer=issuer_id),
            code="verify.key.not-did-web",
        )
        return None
    did, _hash, fragment = vm_id.partition("#")
    if did != issuer_id or not fragment or "#" in fragment:
        _not_the_issuers(vm_id, issuer_id, result, step)
        return None
    document = resolve_did_document(issuer_id, fetcher, result, step)
    if document is None:
        return None
    listed = [
        m for m in _listed(document.get("assertionMethod")) if (m.get("id") if isinstance(m, dict) else m) == vm_id
    ]
    if not listed:
        result.error(
            step,
            _("{key} is not an assertionMethod of {issuer}: the issuer does not sign credentials with it").format(
                key=vm_id, issuer=issuer_id
            ),
            code="verify.key.not-issuers",
        )
        return None
    # The method itself: embedded in assertionMethod, or (referenced by id) in verificationMethod.
    methods = [m for m in listed if isinstance(m, dict)] or [
        m for m in _listed(document.get("verificationMethod")) if isinstance(m, dict) and m.get("id") == vm_id
    ]
    if len(methods) != 1:
        result.error(
            step,
            (
                _("the DID document of {issuer} defines {key} {count} times")
                if methods
                else _("the DID document of {issuer} defines {key} no times")
            ).format(issuer=issuer_id, key=vm_id, count=len(methods)),
            code="verify.key.not-issuers",
        )
        return None
    if methods[0].get("controller") != issuer_id:
        result.error(
            step,
            _("the key's controller {controller!r} is not the issuer {issuer}").format(
                controller=methods[0].get("controller"), issuer=issuer_id
            ),
            code="verify.key.not-issuers",
        )
        return None
    return methods[0]


DID_KEY_PREFIX = "did:key:"
# did:key:<multibase> (w3c-ccg did-method-key): the DID is the public key. Only an Ed25519 Multikey ("z6Mk…",
# base58btc of 0xed01 + 32 bytes) is read; its one verification method is did:key:<mb>#<mb>.
DID_KEY = re.compile(r"^did:key:(z[1-9A-HJ-NP-Za-km-z]+)$")


def _did_key_method(vm_id: str, did: str, result: Result, step: str) -> dict | None:
    """The verification method of the did:key issuer `did`, if `vm_id` is it: expanded from the DID itself, as
    the did:key method says (nothing is fetched)."""
    found = DID_KEY.match(did)
    try:
        if found is None:
            raise ValueError(_("not did:key:z followed by base58btc"))
        public_key_from_multikey(found.group(1))
    except ValueError as exc:
        result.error(
            step,
            _("the issuer's did:key {did} is not an Ed25519 key verify can read: {problem}").format(
                did=did, problem=exc
            ),
            code="verify.key.malformed",
        )
        return None
    multibase = found.group(1)
    key_did, _hash, fragment = vm_id.partition("#")
    if key_did != did:
        _not_the_issuers(vm_id, did, result, step)
        return None
    if fragment != multibase:
        result.error(
            step,
            _(
                "the proof's key {key!r} is not the key of the issuer {issuer}: a did:key has one key, {expected}"
            ).format(key=vm_id, issuer=did, expected=f"{did}#{multibase}"),
            code="verify.key.not-issuers",
        )
        return None
    return {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}


def _not_the_issuers(vm_id: str, issuer: str, result: Result, step: str) -> None:
    """The proof names a key outside the issuer's own DID: whoever controls it, it is not the issuer's."""
    result.error(
        step,
        _("the proof's key {key!r} is not a key of the issuer {issuer} (the issuer's keys are {issuer}#…)").format(
            key=vm_id, issuer=issuer
        ),
        code="verify.key.not-issuers",
    )


def _did_url_in_site(did: str, base_url: str | None) -> str:
    if not base_url or did != did_web(base_url):
        raise ValueError(f"{did} is not the DID of the site at {base_url}")
    urls = Urls(base_url)
    return urls.url(urls.did_document())


def _check_proof(result: Result, doc: dict, fetcher: Fetcher, step: str) -> None:
    """The document's Data Integrity proof, made with a key of its issuer (`step` names it in findings)."""
    result.ran(step, "signature")
    proofs = doc.get("proof")
    malformed = "verify.signature.malformed-proof"
    if not isinstance(proofs, list) or not proofs:
        result.error(step, _("proof must be a non-empty array"), code=malformed)
        return
    proof = proofs[0]
    if not isinstance(proof, dict):
        result.error(step, _("proof must hold proof objects"), code=malformed)
        return
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-rdfc-2022":
        unsupported = _("unsupported proof {type}/{cryptosuite}").format(
            type=proof.get("type"), cryptosuite=proof.get("cryptosuite")
        )
        result.error(step, unsupported, code=malformed)
        return
    if proof.get("proofPurpose") != "assertionMethod":
        purpose = _("proofPurpose is {value!r}, expected assertionMethod").format(value=proof.get("proofPurpose"))
        result.error(step, purpose, code=malformed)
    vm_id = proof.get("verificationMethod")
    if not isinstance(vm_id, str):
        result.error(step, _("proof has no verificationMethod"), code="verify.signature.no-key")
        return
    result.started("issuer key")
    method = issuer_key(vm_id, _issuer_id(doc), fetcher, result, step=step)
    if method is None:
        return
    try:
        public_key = public_key_from_multikey(str(method.get("publicKeyMultibase", "")))
    except ValueError as exc:
        result.error(step, _("bad publicKeyMultibase: {problem}").format(problem=exc), code="verify.key.malformed")
        return
    try:
        problems = verify_credential(doc, lambda _vm: public_key)
    except RecursionError:  # JSON-LD processing recurses per level of nesting
        problems = [_("the document is nested too deeply to check")]
    for problem in problems:
        result.error(step, problem, code="verify.signature.invalid")
    if not problems and str(_issuer_id(doc)).startswith(DID_KEY_PREFIX):
        # Anyone can make a did:key: a valid proof names no one, so the reader is told whom to trust instead.
        result.warning(
            step,
            _(
                "the issuer is identified by a did:key only: the signature proves the credential is unchanged, not "
                "who issued it; trust it as far as you trust where you got it from (here: {source})"
            ).format(source=result.subject),
            code="verify.key.did-key-only",
        )


def _issuer_id(doc: dict):
    """The credential's issuer id: `issuer` is a URI or an embedded Profile."""
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def verify_credential_document(
    doc: dict,
    fetcher: Fetcher,
    email: str | None = None,
    *,
    now: datetime | None = None,
    kind: str = "ob3-credential",
    subject: str = "credential",
) -> Result:
    result = Result(subject, kind)
    result.read(OB3_CREDENTIAL)
    result.started("readable")  # it was read as JSON before it came here
    now = now or datetime.now(timezone.utc)
    context = doc.get("@context")
    result.ran("credential.context", "document format")
    if not isinstance(context, list) or context[:1] != ["https://www.w3.org/ns/credentials/v2"]:
        result.error(
            "credential.context",
            _("the first @context must be {context}").format(context="https://www.w3.org/ns/credentials/v2"),
            code="verify.document.context",
        )
    types_value = doc.get("type")
    types = types_value if isinstance(types_value, list) else [doc.get("type")]
    result.ran("credential.type", "document format")
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        result.error(
            "credential.type",
            _("type {value} is not an OpenBadgeCredential").format(value=types),
            code="verify.document.type",
        )
    _check_proof(result, doc, fetcher, "credential.proof")

    result.ran("credential.dates", "issue date")
    valid_from = parse_datetime(doc.get("validFrom"))
    if valid_from is None:
        result.error(
            "credential.dates",
            _("{key} is not a date-time with a timezone: {value!r}").format(
                key="validFrom", value=doc.get("validFrom")
            ),
            code="verify.document.bad-date",
        )
    elif valid_from > now:
        result.error(
            "credential.dates",
            _("the credential is not valid before {date}").format(date=doc["validFrom"]),
            code="verify.dates.not-yet-valid",
        )
    if "validUntil" in doc:
        result.started("expiry")
        valid_until = parse_datetime(doc.get("validUntil"))
        if valid_until is None:
            result.error(
                "credential.dates",
                _("{key} is not a date-time with a timezone: {value!r}").format(
                    key="validUntil", value=doc.get("validUntil")
                ),
                code="verify.document.bad-date",
            )
        elif valid_until <= now:
            result.expire("expiry", doc["validUntil"])
    else:
        result.skip("expiry", _("the credential does not expire"))

    subject_doc_value = doc.get("credentialSubject")
    subject_doc = subject_doc_value if isinstance(subject_doc_value, dict) else {}
    if email is not None:
        result.ran("credential.recipient-match", "recipient")
        identifiers = subject_doc.get("identifier") or []
        identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
        if not any(
            isinstance(i, dict)
            and i.get("identityType") == "emailAddress"
            and isinstance(i.get("identityHash"), str)
            and recipient_matches(i["identityHash"], i.get("salt"), email, i.get("hashed") is not False)
            for i in identifiers
        ):
            result.error(
                "credential.recipient-match",
                _("the credential was not issued to {email}").format(email=email),
                code="verify.recipient.mismatch",
            )
    else:
        result.skip("recipient", _("no --email given"))

    statuses = doc.get("credentialStatus")
    if statuses is not None:
        result.ran("credential.status", "status")
        # One entry or several (JSON-LD reads both alike, and the signature covers both): every entry is
        # checked, and one this verifier cannot read fails the credential rather than being skipped.
        for status in statuses if isinstance(statuses, list) else [statuses]:
            _check_status_entry(result, doc, status, fetcher, now)
    else:
        result.skip("status", _("the credential names no status list"))
    return result


STATUS = "credential.status"  # the step every status finding is printed under


def _check_status_entry(result: Result, doc: dict, status, fetcher: Fetcher, now: datetime) -> None:
    types = status.get("type") if isinstance(status, dict) else None
    types = types if isinstance(types, list) else [types]
    if "1EdTechRevocationList" in types:
        _check_revocation_list(result, doc, status, fetcher)
        return
    if "BitstringStatusListEntry" not in types:
        result.error(
            STATUS,
            _(
                "credentialStatus of type {types} cannot be checked, so the credential "
                "may be revoked (BitstringStatusListEntry and 1EdTechRevocationList are)"
            ).format(types=types),
            code="verify.status.unsupported",
        )
        return
    purpose, list_url, index = (
        status.get("statusPurpose"),
        status.get("statusListCredential"),
        status.get("statusListIndex"),
    )
    if purpose not in ("revocation", "suspension"):
        result.error(
            STATUS,
            _("a status of purpose {purpose!r} cannot be checked (revocation and suspension can)").format(
                purpose=purpose
            ),
            code="verify.status.unsupported",
        )
        return
    if not isinstance(list_url, str):
        result.error(
            STATUS,
            _("statusListCredential must be a URL, not {value!r}").format(value=list_url),
            code="verify.status.malformed-entry",
        )
        return
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        result.error(
            STATUS,
            _("statusListIndex must be a non-negative integer, not {value!r}").format(value=index),
            code="verify.status.malformed-entry",
        )
        return
    try:
        status_list = fetcher.get_json(list_url)
    except FetchError as exc:
        message = _("the status list cannot be read: {problem}").format(problem=exc)
        result.fetch_failed(STATUS, message, exc, code="verify.status.list-unreadable")
        return
    # The list must be the one the credential names, from its issuer, for this purpose: another genuine
    # list (of another issuer, or of this one, or for another purpose) says nothing about this credential.
    if status_list.get("id") != list_url:
        result.error(
            STATUS,
            _("the document at {url} is not that status list (its id is {value!r})").format(
                url=list_url, value=status_list.get("id")
            ),
            code="verify.status.wrong-list",
        )
        return
    list_types = _listed(status_list.get("type"))
    if "BitstringStatusListCredential" not in list_types or "VerifiableCredential" not in list_types:
        result.error(
            STATUS,
            _("{url} is not a BitstringStatusListCredential").format(url=list_url),
            code="verify.status.wrong-list",
        )
        return
    if _issuer_id(status_list) != _issuer_id(doc):
        result.error(
            STATUS,
            _("the status list was issued by {issuer!r}, not by the credential's issuer {expected!r}").format(
                issuer=_issuer_id(status_list), expected=_issuer_id(doc)
            ),
            code="verify.status.wrong-list",
        )
        return
    list_result = Result(list_url, "status-list")
    _check_proof(list_result, status_list, fetcher, "status-list.proof")
    for finding in list_result.errors:
        # The list's key not reached over the network says nothing against the list: unverifiable, not invalid.
        code = UNREACHABLE if finding.code == UNREACHABLE else "verify.status.list-not-signed"
        result.error(STATUS, _("status list: {problem}").format(problem=finding.message), code=code)
    if list_result.errors:
        return
    valid_from, valid_until = (
        parse_datetime(status_list.get("validFrom")),
        parse_datetime(status_list.get("validUntil")),
    )
    if valid_from is not None and valid_from > now:
        result.error(
            STATUS,
            _("the status list is not valid before {date}").format(date=status_list["validFrom"]),
            code="verify.status.list-out-of-date",
        )
    if valid_until is not None and valid_until <= now:
        result.error(
            STATUS,
            _("the status list expired on {date}").format(date=status_list["validUntil"]),
            code="verify.status.list-out-of-date",
        )
    list_subject = status_list.get("credentialSubject")
    list_subject = list_subject if isinstance(list_subject, dict) else {}
    if list_subject.get("type") != "BitstringStatusList" and "BitstringStatusList" not in _listed(
        list_subject.get("type")
    ):
        result.error(
            STATUS,
            _("the status list's credentialSubject is not a BitstringStatusList"),
            code="verify.status.wrong-list",
        )
        return
    if list_subject.get("statusPurpose") != purpose:
        result.error(
            STATUS,
            _("the status list is for {list_purpose!r}, the entry for {purpose!r}").format(
                list_purpose=list_subject.get("statusPurpose"), purpose=purpose
            ),
            code="verify.status.wrong-list",
        )
        return
    try:
        bits = decode_status_list(list_subject.get("encodedList"))
    except ValueError as exc:
        result.error(
            STATUS,
            _("the status list cannot be decoded: {problem}").format(problem=exc),
            code="verify.status.list-malformed",
        )
        return
    if len(bits) * 8 < STATUS_LIST_LENGTH:
        result.error(
            STATUS,
            _("the status list has {count} entries, fewer than {minimum}").format(
                count=len(bits) * 8, minimum=STATUS_LIST_LENGTH
            ),
            code="verify.status.list-malformed",
        )
    if index >= len(bits) * 8:
        result.error(
            STATUS,
            _("statusListIndex {index} is outside the list").format(index=index),
            code="verify.status.malformed-entry",
        )
    elif status_bit(bits, index):
        if purpose == "suspension":
            result.error(STATUS, _("the issuer's status list marks it suspended"), code="verify.status.suspended")
        else:
            result.revoke("status", _("the issuer's status list marks it revoked"))


def _check_revocation_list(result: Result, doc: dict, status: dict, fetcher: Fetcher) -> None:
    """A 1EdTech Revocation List: the credential is revoked if an entry has its id and does not say
    revoked: false. A list that cannot be read fails the credential (the 1EdTech validator only warns)."""
    list_url = status.get("id")
    if not isinstance(list_url, str):
        result.error(
            STATUS,
            _("the 1EdTechRevocationList id must be a URL, not {value!r}").format(value=list_url),
            code="verify.status.malformed-entry",
        )
        return
    try:
        listing = fetcher.get_json(list_url)
    except FetchError as exc:
        message = _("the revocation list cannot be read: {problem}").format(problem=exc)
        result.fetch_failed(STATUS, message, exc, code="verify.status.list-unreadable")
        return
    if listing.get("id") != list_url:
        result.error(
            STATUS,
            _("the document at {url} is not that revocation list (its id is {value!r})").format(
                url=list_url, value=listing.get("id")
            ),
            code="verify.status.wrong-list",
        )
        return
    if _issuer_id(listing) != _issuer_id(doc):
        result.error(
            STATUS,
            _("the revocation list was issued by {issuer!r}, not by the credential's issuer {expected!r}").format(
                issuer=_issuer_id(listing), expected=_issuer_id(doc)
            ),
            code="verify.status.wrong-list",
        )
        return
    entries = []
    for key in ("revokedCredential", "revokedCredentials"):  # the spec's name, and the 1EdTech validator's
        value = listing.get(key, [])
        entries += value if isinstance(value, list) else [value]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") == doc.get("id") and entry.get("revoked") is not False:
            reason = entry.get("revocationReason")
            result.revoke(
                "status",
                _("the issuer's revocation list names it: {reason}").format(reason=reason)
                if isinstance(reason, str)
                else _("the issuer's revocation list names it"),
            )
            return


# --- the shared documents of a site, checked on their own (a site with no awards has only these) ----------


def verify_did_document(did: str, fetcher: Fetcher, subject: str) -> Result:
    """The site's DID document: served for its DID, and every key it signs with is a key of that DID."""
    result = Result(subject, "did-document")
    result.read(DID_DOCUMENT)
    result.ran("did.document", "issuer key")
    document = resolve_did_document(did, fetcher, result, "did.document")
    if document is None:
        return result
    result.ran("did.assertion-method", "DID document")
    for entry in _listed(document.get("assertionMethod")):
        vm_id = entry.get("id") if isinstance(entry, dict) else entry
        if not isinstance(vm_id, str):
            result.error(
                "did.assertion-method",
                _("assertionMethod holds {value!r}, not a key id").format(value=entry),
                code="verify.did.not-a-key-id",
            )
            continue
        method = issuer_key(vm_id, did, fetcher, result, step="did.assertion-method")
        if method is not None:
            try:
                public_key_from_multikey(str(method.get("publicKeyMultibase", "")))
            except ValueError as exc:
                result.error(
                    "did.assertion-method",
                    _("{key}: bad publicKeyMultibase: {problem}").format(key=vm_id, problem=exc),
                    code="verify.key.malformed",
                )
    return result


def verify_status_list(url: str, issuer: str, fetcher: Fetcher, subject: str) -> Result:
    """A published status list: served at its own id, issued and signed by the site's DID."""
    result = Result(subject, "ob3-status-list")
    result.read(STATUS_LIST)
    result.ran("status-list.fetch", "readable")
    try:
        status_list = fetcher.get_json(url)
    except FetchError as exc:
        result.fetch_failed("status-list.fetch", str(exc), exc, code="verify.document.unreadable")
        return result
    result.ran("status-list.id-matches-url", "document id matches URL")
    if status_list.get("id") != url:
        result.error(
            "status-list.id-matches-url",
            _("id {value!r} is not the URL it was fetched from ({url})").format(value=status_list.get("id"), url=url),
            code="verify.document.id-mismatch",
        )
    result.ran("status-list.issuer", "status list")
    if _issuer_id(status_list) != issuer:
        result.error(
            "status-list.issuer",
            _("issued by {issuer!r}, not by the site's DID {did}").format(issuer=_issuer_id(status_list), did=issuer),
            code="verify.status-list.wrong-issuer",
        )
    _check_proof(result, status_list, fetcher, "status-list.proof")
    subject_value = status_list.get("credentialSubject")
    subject_doc = subject_value if isinstance(subject_value, dict) else {}
    result.ran("status-list.encoded-list", "status list")
    try:
        decode_status_list(subject_doc.get("encodedList"))
    except ValueError as exc:
        result.error("status-list.encoded-list", str(exc), code="verify.status-list.undecodable")
    return result
