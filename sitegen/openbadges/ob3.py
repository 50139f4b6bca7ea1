"""Open Badges 3.0: the unsigned credentials, status lists and the issuer's DID document.

Signing happens later (proofs.py, orchestrated by build/signing.py); everything here is plain data computed
from the site model.
"""

from __future__ import annotations

from typing import Any

from sitegen.model import Award, BadgeClass, Issuer, PublicKey, Site
from sitegen.openbadges.ob2 import alignment_entry, evidence_entry, format_datetime, to_uri
from sitegen.status import StatusPosition

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"  # defines 1EdTechRevocationList
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def verification_method_id(site: Site, key_id: str) -> str:
    return site.urls.verification_method(key_id)


def verification_method(site: Site, key: PublicKey) -> dict:
    return {
        "id": site.urls.verification_method(key.id),
        "type": "Multikey",
        "controller": site.urls.did(),
        "publicKeyMultibase": key.multibase,
    }


def did_document(site: Site, keys: list[PublicKey]) -> dict:
    """Every key ever used stays listed, so credentials signed before a rotation keep verifying."""
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": site.urls.did(),
        "verificationMethod": [verification_method(site, key) for key in keys],
        "assertionMethod": [site.urls.verification_method(key.id) for key in keys],
    }


def key_document(site: Site, key: PublicKey) -> dict:
    return {"@context": MULTIKEY_CONTEXT, **verification_method(site, key)}


def assign_status_positions(site: Site) -> dict[str, StatusPosition]:
    """Every award's position in its issuer's status lists (validation made sure no two share one)."""
    return {award.id: site.status_position(award) for award in site.awards}


# --- documents -----------------------------------------------------------------------------------


def issuer_profile(site: Site, issuer: Issuer) -> dict:
    urls, lang = site.urls, site.config.default_language
    profile: dict[str, Any] = {
        "id": site.urls.did(),
        "type": ["Profile"],
        "name": issuer.name.get(lang),
        "url": to_uri(issuer.url),
        "email": issuer.email,
    }
    if issuer.description:
        profile["description"] = issuer.description.get(lang)
    if issuer.image:
        image = {"id": urls.url(urls.issuer_image(issuer.slug, issuer.image.kind)), "type": "Image"}
        if issuer.image_caption:
            image["caption"] = issuer.image_caption.get(lang)
        profile["image"] = image
    if issuer.telephone:
        profile["phone"] = issuer.telephone
    return profile


def achievement(site: Site, badge: BadgeClass) -> dict:
    urls, lang = site.urls, site.config.default_language
    doc: dict[str, Any] = {
        "id": urls.url(urls.badge_json(badge.slug)),
        "type": ["Achievement"],
        "achievementType": badge.achievement_type,
        "name": badge.name.get(lang),
        "description": badge.description.get(lang),
        "criteria": {"id": urls.criteria(badge.slug), "narrative": badge.criteria.get(lang)},
        "image": {
            "id": urls.url(urls.badge_image(badge.slug, badge.image.kind)),
            "type": "Image",
            "caption": badge.image_caption.get(lang),
        },
    }
    if lang:
        doc["inLanguage"] = lang
    if badge.tags:
        doc["tag"] = list(badge.tags)
    if badge.alignments:
        doc["alignment"] = [alignment_entry(a, lang, type=["Alignment"]) for a in badge.alignments]
    return doc


def credential(site: Site, award: Award, position: StatusPosition) -> dict:
    """The unsigned OpenBadgeCredential of one award."""
    urls = site.urls
    badge = site.badges[award.badge]
    issuer = site.issuers[badge.issuer]
    status_url = urls.url(urls.status_list(issuer.slug, position.list_number))
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": urls.url(urls.credential_json(award.id)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(site, issuer),
        "name": badge.name.get(site.config.default_language),
        "validFrom": format_datetime(award.issued_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": award.identity_hash,
                    "salt": award.salt,
                }
            ],
            "achievement": achievement(site, badge),
        },
        "credentialStatus": {
            "id": urls.status_list_entry(issuer.slug, position.list_number, position.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position.index),
            "statusListCredential": status_url,
        },
    }
    if site.config.credential_status == "1edtech":
        doc["@context"].append(OB3_EXTENSIONS_CONTEXT)
        doc["credentialStatus"] = {
            "id": urls.url(urls.credential_revocations(issuer.slug)),
            "type": "1EdTechRevocationList",
        }
    if award.expires:
        doc["validUntil"] = format_datetime(award.expires)
    if award.narrative:
        doc["credentialSubject"]["narrative"] = award.narrative
    if award.evidence:
        doc["evidence"] = [evidence_entry(e, ["Evidence"], site.config.default_language) for e in award.evidence]
    return doc


def status_list_credential(site: Site, issuer: Issuer, *, list_number: int, encoded_list: str, valid_from: str) -> dict:
    """The unsigned BitstringStatusListCredential of one of the issuer's status lists."""
    urls = site.urls
    return {
        "@context": [VC_CONTEXT],
        "id": urls.url(urls.status_list(issuer.slug, list_number)),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.did(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": urls.status_list_subject(issuer.slug, list_number),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def ob3_revocation_list(site: Site, issuer_slug: str) -> dict:
    """The 1EdTech revocation list of the issuer's credentials (the form the 1EdTech validator reads)."""
    urls = site.urls
    lang = site.config.default_language
    revoked = [
        {
            "id": urls.url(urls.credential_json(a.id)),
            "revoked": True,
            "revocationReason": a.revoked.reason.all_languages(lang),
        }
        for a in site.revoked_awards_of(issuer_slug)
        if a.revoked  # always: the list holds revoked awards only
    ]
    # The 1EdTech Revocation List names its entries revokedCredential; the 1EdTech validator reads
    # revokedCredentials. Both carry the same entries, so each reader finds every revocation.
    return {
        "id": urls.url(urls.credential_revocations(issuer_slug)),
        "issuer": urls.did(),
        "revokedCredential": revoked,
        "revokedCredentials": revoked,
    }
