"""Open Badges 3.0: the unsigned credentials, status lists and the issuer's DID document.

Signing happens later (proofs.py, orchestrated by build/signing.py); everything here is plain data computed
from the site model.
"""

from __future__ import annotations

from typing import Any

from sitegen import microcredentials
from sitegen.model import Award, BadgeClass, Issuer, Microcredential, PublicKey, Site
from sitegen.openbadges import jsonld
from sitegen.openbadges.ob2 import (
    alignment_entry,
    evidence_entry,
    format_datetime,
    imported_entry,
    stackable_url,
    to_uri,
)
from sitegen.status import StatusPosition

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"  # defines 1EdTechRevocationList
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

# The micro-credential descriptors OB 3.0 has no property for live in one object on the Achievement,
# `microCredential`. Neither the VC 2.0 nor the OB 3.0 context has an @vocab, so its terms need a context of
# their own: it is embedded in the credential (JSON-LD allows a map in @context; the OB 3.0 schema does too), so
# a verifier or wallet with a closed list of contexts verifies it without fetching anything. Its content is
# fixed (contexts/microcredential-embedded-v1.json): sitegen's checkers accept this embedded context and no
# other, since another could rename terms so that the JSON reads otherwise than the signed triples.
MC_CONTEXT = jsonld.embedded_context("microcredential-embedded-v1.json")
# Japan's corporate number and other register numbers: OB 3.0's IdentifierEntry takes its enumeration or "ext:…".
OB3_IDENTIFIER_TYPES = {"corporate-number": "ext:JapanCorporateNumber", "ror": "ext:ROR"}


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
    if issuer.country:
        profile["address"] = {"type": ["Address"], "addressCountryCode": issuer.country}
    if issuer.identifiers:
        profile["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": i.value, "identifierType": identifier_type(i.type)}
            for i in issuer.identifiers
        ]
    return profile


def identifier_type(kind: str) -> str:
    """An issuer identifier's type as OB 3.0 spells it: a known register, else "ext:" and the YAML name."""
    if kind in OB3_IDENTIFIER_TYPES:
        return OB3_IDENTIFIER_TYPES[kind]
    return "ext:" + "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "-" for c in kind)


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
    if badge.microcredential:
        add_microcredential(site, badge, badge.microcredential, doc)
    return doc


def add_microcredential(site: Site, badge: BadgeClass, mc: Microcredential, doc: dict) -> None:
    """The descriptors: OB 3.0's own properties where they exist, the rest in the `microCredential` object
    (the table in sitegen/microcredentials.py says which is which)."""
    lang = site.config.default_language
    if badge.achievement_type == "Badge":  # the default: a micro-credential block says what it is
        doc["achievementType"] = "MicroCredential"
    extension: dict[str, Any] = {"type": "MicroCredentialDescriptors"}
    if mc.learning_outcomes:
        extension["learningOutcomes"] = [text.get(lang) for text in mc.learning_outcomes]
    if mc.workload_hours is not None:
        extension["workloadHours"] = mc.workload_hours
    if mc.credits:
        doc["creditsAvailable"] = float(mc.credits.value)
        extension["creditSystem"] = mc.credits.system
    if mc.level:
        level = mc.level
        if level.url:  # an Alignment needs a targetUrl
            entry = {
                "type": ["Alignment"],
                "targetType": "ext:QualificationsFrameworkLevel",
                "targetName": level.name.get(lang) if level.name else f"{level.framework} {level.code or ''}".strip(),
                "targetUrl": to_uri(level.url),
                "targetFramework": level.framework,
            }
            if level.code:
                entry["targetCode"] = level.code
            doc.setdefault("alignment", []).append(entry)
        else:
            extension["level"] = {
                key: value
                for key, value in (
                    ("framework", level.framework),
                    ("code", level.code),
                    ("name", level.name.get(lang) if level.name else None),
                )
                if value
            }
    if mc.assessment:
        extension["assessment"] = [
            {"assessmentType": a.type, **({"description": a.text.get(lang)} if a.text else {})} for a in mc.assessment
        ]
    if mc.participation:
        extension["participation"] = mc.participation
    if mc.identity_verification:
        extension["identityVerification"] = mc.identity_verification
    if mc.quality_assurance:
        qa = mc.quality_assurance
        extension["qualityAssurance"] = {
            "description": qa.text.get(lang),
            **({"url": to_uri(qa.url)} if qa.url else {}),
        }
    if mc.prerequisites:
        extension["prerequisites"] = mc.prerequisites.get(lang)
    if mc.stackable_into:
        targets = [stackable_url(site, target) for target in mc.stackable_into]
        doc["related"] = [{"id": url, "type": ["Related"]} for url in targets]
        extension["stackableInto"] = targets  # `related` alone does not say how they are related
    if mc.field_of_study:
        doc["fieldOfStudy"] = mc.field_of_study.get(lang)
    if mc.code:
        doc["humanCode"] = mc.code
    if mc.language_of_instruction:
        # Not inLanguage: that is one code, the language this document is written in (the site's language).
        extension["languageOfInstruction"] = list(mc.language_of_instruction)
    doc["microCredential"] = extension


def grade_description_id(site: Site, badge: BadgeClass) -> str:
    return site.urls.url(site.urls.badge_json(badge.slug)) + "#grade"


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
                    **({"salt": award.salt} if award.salt else {}),  # an imported award may have none
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
    if badge.microcredential:
        doc["@context"].append(MC_CONTEXT)
    if site.config.links_languages(award.issued_on):
        # The badge's documents in the other languages; an award issued before they were published keeps the
        # credential it was signed with (published_languages_since).
        doc["credentialSubject"]["achievement"].setdefault("related", []).extend(
            {
                "id": urls.url(urls.in_language(other, urls.badge_json(badge.slug))),
                "type": ["Related"],
                "inLanguage": other,
            }
            for other in site.config.other_languages
        )
    if award.expires:
        doc["validUntil"] = format_datetime(award.expires)
    if award.narrative:
        doc["credentialSubject"]["narrative"] = award.narrative
    if award.grade:
        # The grade: what the badge grades (a ResultDescription on the achievement) and this award's value.
        grade_id = grade_description_id(site, badge)
        row = microcredentials.BY_KEY["grade"]
        label = row.label_ja if site.config.default_language == "ja" else row.label_en
        achievement_doc = doc["credentialSubject"]["achievement"]
        achievement_doc["resultDescription"] = [
            {"id": grade_id, "type": ["ResultDescription"], "name": label, "resultType": "Result"}
        ]
        doc["credentialSubject"]["result"] = [{"type": ["Result"], "resultDescription": grade_id, "value": award.grade}]
    if award.evidence:
        doc["evidence"] = [evidence_entry(e, ["Evidence"], site.config.default_language) for e in award.evidence]
    if award.imported_from:
        doc.setdefault("evidence", []).append(imported_entry(award, ["Evidence"], site.config.default_language))
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
