"""The Open Badges 2.0 JSON-LD documents of the site, as plain dicts, and their canonical bytes."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from babel import Locale

from sitegen import microcredentials
from sitegen.model import PLATFORM_NAMES, Award, BadgeClass, Issuer, Microcredential, Site

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

# The micro-credential descriptors as Open Badges 2.0 extensions: one on the BadgeClass, the grade on the
# Assertion. The official validator checks every `Extension` node against the JSON Schema its context names,
# so the context and the schema are published on the site (urls.microcredential_ob2_*).
MC_VOCAB = "https://w3id.org/sitegen/microcredential#"
MC_BADGE_EXTENSION = "extensions:MicroCredentialExtension"
MC_GRADE_EXTENSION = "extensions:MicroCredentialGrade"
MICROCREDENTIAL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "sitegen micro-credential descriptors (Open Badges 2.0 extension)",
    "type": "object",
    "properties": {
        "workloadHours": {"type": "number", "minimum": 0},
        "participation": {"enum": list(microcredentials.PARTICIPATION)},
        "identityVerification": {"enum": list(microcredentials.IDENTITY_VERIFICATION)},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "grade": {"type": "string"},
    },
}


def microcredential_context(site: Site) -> dict:
    terms: dict[str, Any] = {
        "learningOutcomes": {"@id": "mc:learningOutcomes", "@container": "@list"},
        "languageOfInstruction": {"@id": "mc:languageOfInstruction", "@container": "@set"},
        "stackableInto": {"@id": "mc:stackableInto", "@type": "@id", "@container": "@set"},
        "assessment": {"@id": "mc:assessment", "@container": "@set"},
    }
    for term in (
        "workloadHours credits value system level framework code assessmentType participation "
        "identityVerification qualityAssurance prerequisites fieldOfStudy country grade"
    ).split():
        terms.setdefault(term, "mc:" + term)
    schema = site.urls.url(site.urls.microcredential_ob2_schema())
    return {
        "@context": {
            "obi": "https://w3id.org/openbadges#",
            "extensions": "https://w3id.org/openbadges/extensions#",
            "mc": MC_VOCAB,
            **terms,
        },
        "obi:validation": [
            {"obi:validatesType": MC_BADGE_EXTENSION, "obi:validationSchema": schema},
            {"obi:validatesType": MC_GRADE_EXTENSION, "obi:validationSchema": schema},
        ],
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def stackable_url(site: Site, target: str) -> str:
    """A `stackable_into` entry: a badge of this site (its slug) or an absolute URL."""
    return to_uri(target) if "://" in target else site.urls.url(site.urls.badge_json(target))


def microcredential_extension(site: Site, badge: BadgeClass, mc: Microcredential, lang: str) -> dict:
    """The descriptors as one OB 2.0 extension object, its text in `lang`."""
    out: dict[str, Any] = {
        "@context": site.urls.url(site.urls.microcredential_ob2_context()),
        "type": ["Extension", MC_BADGE_EXTENSION],
    }
    issuer = site.issuers[badge.issuer]
    if issuer.country:
        out["country"] = issuer.country
    if mc.learning_outcomes:
        out["learningOutcomes"] = [text.get(lang) for text in mc.learning_outcomes]
    if mc.workload_hours is not None:
        out["workloadHours"] = _number(mc.workload_hours)
    if mc.credits:
        out["credits"] = {"value": _number(mc.credits.value), "system": mc.credits.system}
    if mc.level:
        level = mc.level
        out["level"] = {
            key: value
            for key, value in (
                ("framework", level.framework),
                ("code", level.code),
                ("name", level.name.get(lang) if level.name else None),
                ("url", level.url and to_uri(level.url)),
            )
            if value
        }
    if mc.assessment:
        out["assessment"] = [
            {"assessmentType": a.type, **({"description": a.text.get(lang)} if a.text else {})} for a in mc.assessment
        ]
    if mc.participation:
        out["participation"] = mc.participation
    if mc.identity_verification:
        out["identityVerification"] = mc.identity_verification
    if mc.quality_assurance:
        qa = mc.quality_assurance
        out["qualityAssurance"] = {"description": qa.text.get(lang), **({"url": to_uri(qa.url)} if qa.url else {})}
    if mc.prerequisites:
        out["prerequisites"] = mc.prerequisites.get(lang)
    if mc.stackable_into:
        out["stackableInto"] = [stackable_url(site, target) for target in mc.stackable_into]
    if mc.field_of_study:
        out["fieldOfStudy"] = mc.field_of_study.get(lang)
    if mc.code:
        out["code"] = mc.code
    if mc.language_of_instruction:
        out["languageOfInstruction"] = list(mc.language_of_instruction)
    return out


def level_text(level, lang: str) -> str:
    """ "EQF level 5 (EQF 5)": the level's name, then its framework and code."""
    code = f"{level.framework} {level.code}" if level.code else level.framework
    open_, close = ("（", "）") if lang == "ja" else (" (", ")")
    return f"{level.name.get(lang)}{open_}{code}{close}" if level.name else code


def microcredential_section(badge: BadgeClass, extension: dict, lang: str) -> str:
    """The descriptors as labelled lines after the description, in `lang`: displayers that know no extension
    show the description."""
    ja = lang == "ja"
    sep = "；" if ja else "; "

    def label(key: str) -> str:
        row = microcredentials.BY_KEY[key]
        return row.label_ja if ja else row.label_en

    mc = badge.microcredential
    assert mc is not None
    colon = "：" if ja else ": "
    open_, close = ("（", "）") if ja else (" (", ")")
    country = extension.get("country")
    territories = Locale.parse("ja" if ja else "en").territories
    lines = [f"{label('country')}{colon}{territories.get(country, country)}{open_}{country}{close}"] if country else []
    values = {
        "learning_outcomes": sep.join(extension.get("learningOutcomes", [])),
        "workload_hours": str(extension.get("workloadHours", "")),
        "credits": mc.credits and f"{extension['credits']['value']} {mc.credits.system}",
        "level": mc.level and level_text(mc.level, lang),
        "assessment": sep.join(
            microcredentials.value_words(a["assessmentType"], lang)
            + (f"{open_}{a['description']}{close}" if "description" in a else "")
            for a in extension.get("assessment", [])
        ),
        "participation": extension.get("participation")
        and microcredentials.value_words(extension["participation"], lang),
        "quality_assurance": mc.quality_assurance
        and extension["qualityAssurance"]["description"]
        + (f"{open_}{extension['qualityAssurance']['url']}{close}" if "url" in extension["qualityAssurance"] else ""),
        "prerequisites": extension.get("prerequisites"),
        "identity_verification": extension.get("identityVerification")
        and microcredentials.value_words(extension["identityVerification"], lang),
        "stackable_into": sep.join(extension.get("stackableInto", [])),
        "field_of_study": extension.get("fieldOfStudy"),
        "code": extension.get("code"),
        "language_of_instruction": sep.join(extension.get("languageOfInstruction", [])),
    }
    for row in microcredentials.DESCRIPTORS:  # the table's order
        if values.get(row.key):
            lines.append(f"{label(row.key)}{colon}{values[row.key]}")
    heading = "マイクロクレデンシャル情報" if ja else "Micro-credential details"
    return heading + "\n" + "\n".join(lines)


def format_datetime(moment: datetime) -> str:
    """ISO 8601 with seconds and an explicit offset (`Z` for UTC), as every OB 2.0 verifier accepts."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if moment.utcoffset() == timezone.utc.utcoffset(None) else text


def to_uri(url: str) -> str:
    """A URL as an ASCII URI (IDNA host, percent-encoded path and query): verifiers reject raw Unicode
    and characters such as {}|^` in IRIs, and people paste such links into evidence fields."""
    parts = urlsplit(url)
    try:
        host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    except UnicodeError:
        host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    if parts.username:
        netloc = quote(parts.username, safe="%") + "@" + netloc
    safe = "/:@!$&'()*+,;=%~-._"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            quote(parts.fragment, safe=safe + "?"),
        )
    )


def to_json(document: dict) -> bytes:
    """Deterministic bytes: sorted keys, UTF-8, no whitespace between tokens, a final newline. Compact: 100,000
    credentials are 100,000 files (the proofs sign the canonical RDF, not these bytes, so they hold either way)."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def language_links(site: Site, path: str, lang: str) -> dict:
    """`@language` and `related` of a badge or issuer document published in several languages (OB 2.0's way of
    naming the translations of one document): each document links to every other language's, both ways."""
    if not site.config.other_languages:
        return {}
    related = [
        {"id": site.urls.url(language_path(site, path, other)), "@language": other}
        for other in site.config.published_languages
        if other != lang
    ]
    return {"@language": lang, "related": related}


def language_path(site: Site, path: str, lang: str) -> str:
    """Where the `lang` version of the document at `path` is published."""
    return path if lang == site.config.default_language else site.urls.in_language(lang, path)


def issuer_profile(site: Site, issuer: Issuer, lang: str | None = None) -> dict:
    """The issuer's profile in the default language, or (`lang`) its translation at {lang}/issuers/{issuer}.json,
    which the badge translations name. A translation keeps the verification policy (an assertion naming a
    translated badge is held to the same rules) but names no revocation list or key: each has one owner, the
    default-language profile, which every award names."""
    urls = site.urls
    translation = lang is not None and lang != site.config.default_language
    lang = lang or site.config.default_language
    path = urls.issuer_json(issuer.slug)
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Profile",
        "id": urls.url(language_path(site, path, lang)),
        "name": issuer.name.get(lang),
        "url": to_uri(issuer.url),
        "email": issuer.email,
        # Every project site of a GitHub account shares one origin: accept hosted assertions only
        # under our own assertions/ folder, so another repository there cannot issue in our name.
        "verification": {"type": "VerificationObject", "startsWith": urls.url(urls.assertions_folder())},
    }
    if not translation:
        doc["revocationList"] = urls.url(urls.revocation_list(issuer.slug))
        if site.config.ob2_key:
            doc["publicKey"] = [urls.url(ob2_key_path(site))]
    if issuer.description:
        doc["description"] = issuer.description.get(lang)
    if issuer.image:
        doc["image"] = urls.url(urls.issuer_image(issuer.slug, issuer.image.kind))
    if issuer.telephone:
        doc["telephone"] = issuer.telephone
    return doc | language_links(site, path, lang)


def ob2_key_path(site: Site) -> str:
    """Where the RSA public key of signed assertions is published (the site has one: `ob2_signing`)."""
    key = site.config.ob2_key
    if key is None:
        raise ValueError("the site has no OB 2.0 signing key")
    return site.urls.key_document(key.id)


def cryptographic_key(site: Site) -> dict:
    """The RSA public key of signed assertions. A key has one owner: the first issuer of the site."""
    owner = next(iter(site.issuers))
    key = site.config.ob2_key
    if key is None:
        raise ValueError("the site has no OB 2.0 signing key")
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": site.urls.url(ob2_key_path(site)),
        "owner": site.urls.url(site.urls.issuer_json(owner)),
        "publicKeyPem": key.public_pem,
    }


def signed_assertion(site: Site, award: Award) -> dict:
    """The payload of the award's JWS: its id is a urn:uuid, its verification names the signing key."""
    doc = assertion(site, replace(award, revoked=None))
    doc["id"] = site.urls.signed_assertion_id(award.id)
    doc["verification"] = {"type": "SignedBadge", "creator": site.urls.url(ob2_key_path(site))}
    doc.pop("image", None)  # the baked image holds the hosted assertion, not this one
    return doc


def badge_class(site: Site, badge: BadgeClass, lang: str | None = None) -> dict:
    """The badge class in the default language, or (`lang`) its translation at {lang}/badges/{badge}.json, whose
    criteria are on the page in that language and whose issuer is the issuer's profile in that language."""
    urls = site.urls
    lang = lang or site.config.default_language
    path = urls.badge_json(badge.slug)
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.url(language_path(site, path, lang)),
        "name": badge.name.get(lang),
        "description": badge.description.get(lang),
        "image": {
            "id": urls.url(urls.badge_image(badge.slug, badge.image.kind)),
            "caption": badge.image_caption.get(lang),
        },
        "criteria": {
            "id": urls.url(language_path(site, urls.badge_page(badge.slug), lang)) + "#criteria",
            "narrative": badge.criteria.get(lang),
        },
        "issuer": urls.url(language_path(site, urls.issuer_json(badge.issuer), lang)),
    }
    if badge.tags:
        doc["tags"] = list(badge.tags)
    if badge.alignments:
        doc["alignment"] = [alignment_entry(a, lang) for a in badge.alignments]
    if badge.microcredential:
        extension = microcredential_extension(site, badge, badge.microcredential, lang)
        doc[MC_BADGE_EXTENSION] = extension
        doc["description"] = doc["description"].rstrip() + "\n\n" + microcredential_section(badge, extension, lang)
    return doc | language_links(site, path, lang)


def alignment_entry(alignment, lang: str, **extra) -> dict:
    """An alignment in the shape OB 2.0 and OB 3.0 share (OB 3.0 adds `type`), its text in `lang`."""
    out = {**extra, "targetName": alignment.name.get(lang), "targetUrl": to_uri(alignment.url)}
    description = alignment.description.get(lang) if alignment.description else None
    for key, value in (
        ("targetFramework", alignment.framework),
        ("targetCode", alignment.code),
        ("targetDescription", description),
    ):
        if value:
            out[key] = value
    return out


def assertion(site: Site, award: Award) -> dict:
    """The hosted assertion; a revoked award is published stripped, so that no verifier can accept it."""
    urls = site.urls
    url = urls.url(urls.assertion_json(award.id))
    if award.revoked:
        return {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": url,
            "revoked": True,
            "revocationReason": award.revoked.reason.all_languages(site.config.default_language),
        }
    badge = site.badges[award.badge]
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": url,
        "recipient": {
            "type": "email",
            "hashed": True,
            "identity": award.identity_hash,
            **({"salt": award.salt} if award.salt else {}),  # an imported award may have been hashed without
        },
        "badge": urls.url(urls.badge_json(award.badge)),
        "issuedOn": format_datetime(award.issued_on),
        "verification": {"type": "HostedBadge"},
        # The baked copy when one is published, else the badge's own image (the page bakes downloads).
        "image": urls.url(
            urls.assertion_image(award.id, badge.image.kind)
            if site.config.baked_files
            else urls.badge_image(badge.slug, badge.image.kind)
        ),
    }
    if award.expires:
        doc["expires"] = format_datetime(award.expires)
    if award.narrative:
        doc["narrative"] = award.narrative
    if award.evidence:
        doc["evidence"] = [evidence_entry(e, "Evidence", site.config.default_language) for e in award.evidence]
    if award.imported_from:
        doc.setdefault("evidence", []).append(imported_entry(award, "Evidence", site.config.default_language))
    if award.grade:
        doc[MC_GRADE_EXTENSION] = {
            "@context": urls.url(urls.microcredential_ob2_context()),
            "type": ["Extension", MC_GRADE_EXTENSION],
            "grade": award.grade,
        }
    return doc


def imported_entry(award: Award, type_, lang: str) -> dict:
    """An evidence entry pointing back to where an imported award was first issued: its history stays honest
    (the signature and the issuer are this site's; the original issue date is kept)."""
    origin = award.imported_from
    assert origin is not None
    platform = PLATFORM_NAMES.get(origin.platform, origin.platform)
    host = urlsplit(origin.url).hostname or origin.url
    if lang == "ja":
        name = f"移行前の発行：{platform}（{host}）"
        description = (
            f"この授与は {host}（{platform}）で最初に発行され、このサイトに移されました。発行日は元のままです。"
        )
    else:
        name = f"Originally issued on {platform} ({host})"
        description = (
            f"This award was first issued at {host} ({platform}) and moved to this site; "
            "its issue date is the original."
        )
    return {"type": type_, "id": to_uri(origin.url), "name": name, "description": description}


def evidence_entry(evidence, type_, lang: str) -> dict:
    """An evidence entry; `type_` is "Evidence" in OB 2.0 and ["Evidence"] in OB 3.0; its text in `lang`."""
    out = {"type": type_}
    name = evidence.name.get(lang) if evidence.name else None
    description = evidence.description.get(lang) if evidence.description else None
    for key, value in (
        ("id", evidence.url and to_uri(evidence.url)),
        ("name", name),
        ("narrative", evidence.narrative),
        ("description", description),
    ):
        if value:
            out[key] = value
    return out


def revocation_list(site: Site, issuer: Issuer) -> dict:
    urls = site.urls
    entries = []
    for award in site.revoked_awards_of(issuer.slug):
        if award.revoked is None:  # never: the list holds revoked awards only
            continue
        reason = award.revoked.reason.all_languages(site.config.default_language)
        entries.append({"id": urls.url(urls.assertion_json(award.id)), "revocationReason": reason})
        if site.config.ob2_key:  # the signed assertion of the same award
            entries.append({"id": urls.signed_assertion_id(award.id), "revocationReason": reason})
    # JSON-LD compaction turns a one-entry list into a single object, which the official validator then
    # fails to search; a fixed placeholder keeps the list a list whatever the number of revocations.
    entries.append({"id": placeholder_revocation_id(site, issuer), "revocationReason": "placeholder entry"})
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": urls.url(urls.revocation_list(issuer.slug)),
        "issuer": urls.url(urls.issuer_json(issuer.slug)),
        "revokedAssertions": entries,
    }


def placeholder_revocation_id(site: Site, issuer: Issuer) -> str:
    """A stable urn:uuid that names no award (uuid5 of the revocation list URL)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, site.urls.url(site.urls.revocation_list(issuer.slug))))
