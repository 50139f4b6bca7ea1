"""Check every content file against the YAML contract and turn it into the site model.

Every problem is reported (file and line) before anything is built; a file with problems contributes
nothing to the model, so later stages only ever see checked data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from difflib import get_close_matches
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from babel import Locale

from sitegen.content.images import MAX_IMAGE_BYTES, ImageError, prepare_image, svg_preview
from sitegen.content.load import INVALID, LineDict, LineList, RawDoc, parse_later
from sitegen.content.markdown import images_without_alt
from sitegen.content.options import NEUTRAL_CONFIG, SLUG, read_site_config
from sitegen.content.yaml_mistakes import line_mistake, yaml_lines
from sitegen.content.yaml_mistakes import message as mistake_message
from sitegen.diagnostics import Collector, Diagnostic, Location
from sitegen.messages import _, message_language
from sitegen.microcredentials import (
    ASSESSMENT_TYPES,
    BADGE,
    IDENTITY_VERIFICATION,
    ISSUER,
    PARTICIPATION,
    YAML_EXAMPLES,
    Descriptor,
    required_by,
)
from sitegen.microcredentials import (
    BADGE_KEYS as MICROCREDENTIAL_KEYS,
)
from sitegen.model import (
    LANGUAGES,
    Alignment,
    Assessment,
    Award,
    BadgeClass,
    Credits,
    Endorsement,
    Evidence,
    Identifier,
    ImageFile,
    ImportedFrom,
    Issuer,
    Level,
    Microcredential,
    QualityAssurance,
    Revocation,
    Site,
    SiteConfig,
    Text,
)
from sitegen.recipients import EMAIL
from sitegen.status import StatusPosition, status_position

HASH = re.compile(r"^sha256\$[0-9a-fA-F]{64}$")
TELEPHONE = re.compile(r"^\+?[1-9]\d{1,14}(;ext=\d+)?$")
LINKEDIN_ORGANIZATION_ID = re.compile(r"^[1-9][0-9]{0,19}$")
DURATION = re.compile(r"^P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
ACHIEVEMENT_TYPES = {
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
}

ISSUER_KEYS = {
    "name",
    "url",
    "email",
    "description",
    "image",
    "image_caption",
    "telephone",
    "linkedin_organization_id",
    "country",
    "identifiers",
}
BADGE_KEYS = {
    "issuer",
    "name",
    "description",
    "image",
    "image_caption",
    "criteria",
    "tags",
    "alignment",
    "valid_for",
    "achievement_type",
    "endorsements",
    "microcredential",
}
ALIGNMENT_KEYS = {"name", "url", "framework", "code", "description"}
COHORT_KEYS = {"badge", "issued_on", "expires", "awards"}
AWARD_KEYS = {
    "id",
    "recipient",
    "issued_on",
    "expires",
    "name",
    "show_name",
    "narrative",
    "evidence",
    "revoked",
    "grade",
    "imported_from",
}
EVIDENCE_KEYS = {"url", "name", "narrative", "description"}
# ISO 3166-1 alpha-2 from CLDR's territory list (babel), without the codes ISO reserves but does not assign
# to a country (AC, EU, UN, XK, ZZ, …): an issuer's country must be one a verifier can look up.
NOT_ISO_3166 = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
COUNTRIES = frozenset(
    str(code) for code in Locale("en").territories if re.fullmatch("[A-Z]{2}", str(code)) and code not in NOT_ISO_3166
)
LANGUAGE_NAMES = frozenset(Locale("en").languages)
LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(-[A-Za-z0-9]{1,8})*$")
IDENTIFIER_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CORPORATE_NUMBER = re.compile(r"^[1-9][0-9]{12}$")


def _type_name(value) -> str:
    """What a YAML value is, in words of the message language ("not a list")."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, (datetime, date)):
        return _("a date")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("empty")
    if isinstance(value, str):
        return _("str")
    return type(value).__name__


def field(key: str, example: str = "") -> str:
    """A field named in a message as what it is ("'recipient'", or "'credits' ({value, system})")."""
    if example:
        return _("'{key}' ({example})").format(key=key, example=example)
    return _("'{key}'").format(key=key)


def closest(word, choices: Iterable[str]) -> str | None:
    """The choice a typo most likely meant ("bakin" → "baking"), or None when none is close."""
    matches = get_close_matches(str(word), sorted(choices), n=1)
    return matches[0] if matches else None


def either(choices: Iterable[str]) -> str:
    """ "a or b" in the message language (values stay as they are)."""
    return _(" or ").join(choices)


def unknown_key_message(key, allowed: Iterable[str], what: str) -> str:
    """An unknown key: the allowed key it most likely meant, else the allowed keys."""
    suggestion = closest(key, allowed)
    if suggestion is not None:
        return _("unknown key '{key}' in {what}: did you mean '{suggestion}'?").format(
            key=key, what=what, suggestion=suggestion
        )
    return _("unknown key '{key}' in {what} (allowed: {allowed})").format(
        key=key, what=what, allowed=", ".join(sorted(allowed))
    )


def unknown_slug_message(kind: str, slug: str, known: set[str]) -> str:
    """A badge or issuer file name that does not exist: the existing one it most likely meant, else all of them."""
    suggestion = closest(slug, known)
    listed = ", ".join(sorted(known)) or _("none yet")
    if kind == "issuer":
        if suggestion is not None:
            return _(
                "unknown issuer '{issuer}': did you mean '{suggestion}'? (one per file in content/issuers/)"
            ).format(issuer=slug, suggestion=suggestion)
        return _("unknown issuer '{issuer}' (issuers: {known}; one per file in content/issuers/)").format(
            issuer=slug, known=listed
        )
    if suggestion is not None:
        return _(
            "unknown badge '{badge}': did you mean '{suggestion}'? (one per file in content/badgeclasses/)"
        ).format(badge=slug, suggestion=suggestion)
    return _("unknown badge '{badge}' (badges: {known}; one per file in content/badgeclasses/)").format(
        badge=slug, known=listed
    )


class _File:
    """Reads typed fields out of one YAML mapping, reporting each problem at its line."""

    def __init__(self, rel: str, problems: Collector, default_language: str = "en"):
        self.rel = rel
        self.problems = problems
        self.lang = default_language
        self.ok = True

    def error(self, line: int, code: str, message: str, *, column: int = 0) -> None:
        self.ok = False
        self.problems.error(Location(self.rel, line, column), code, message)

    def error_at(self, data: LineDict, key: str, code: str, message: str) -> None:
        """A problem with the field `key` of `data`, reported at its line and column."""
        self.error(data.line_of(key), code, message, column=data.column_of(key))

    def mapping(self, data, what: str, line: int = 1) -> LineDict | None:
        if data is INVALID:
            self.ok = False
            return None
        if not isinstance(data, LineDict):
            self.error(
                getattr(data, "line", line),
                "content.wrong-type",
                _("{what} must be a mapping of keys to values, not {kind}").format(what=what, kind=_type_name(data)),
                column=getattr(data, "column", 0),
            )
            return None
        return data

    def known_keys(self, data: LineDict, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error_at(data, key, "content.unknown-field", unknown_key_message(key, allowed, what))

    def get(self, data: LineDict, key: str, required: bool):
        value = data.get(key)
        if value is INVALID:
            self.ok = False
            return None
        if value is None or value == "":
            if required:
                self.error_at(data, key, "content.missing-field", _("missing required field '{key}'").format(key=key))
            return None
        return value

    def text(self, data: LineDict, key: str, *, required: bool = True) -> Text | None:
        value = self.get(data, key, required)
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return Text(((self.lang, str(value)),))
        if isinstance(value, LineDict):
            pairs = []
            for lang, text in value.items():
                if lang not in LANGUAGES and text is None:
                    self.error_at(
                        value,
                        lang,
                        "content.invalid-value",
                        _(
                            "'{key}' has a stray part '{lang}': inside {{…}}, put text that contains a comma or "
                            "colon in quotes"
                        ).format(key=key, lang=lang),
                    )
                elif lang not in LANGUAGES:
                    self.error_at(
                        value,
                        lang,
                        "content.invalid-value",
                        _("'{key}' has language '{lang}'; use {languages}").format(
                            key=key, lang=lang, languages=either(LANGUAGES)
                        ),
                    )
                elif not isinstance(text, str) or not text.strip():
                    self.error_at(
                        value,
                        lang,
                        "content.invalid-value",
                        _("'{key}.{lang}' must be non-empty text").format(key=key, lang=lang),
                    )
                else:
                    pairs.append((lang, text))
            if not pairs:
                if value:
                    return None
                self.error_at(data, key, "content.missing-field", _("'{key}' has no text").format(key=key))
                return None
            # The default language first: it is what a reader sees when their language is missing.
            pairs.sort(key=lambda pair: (pair[0] != self.lang, LANGUAGES.index(pair[0])))
            return Text(tuple(pairs))
        self.error_at(
            data,
            key,
            "content.wrong-type",
            _("'{key}' must be text or {{ja: …, en: …}}, not {kind}").format(key=key, kind=_type_name(value)),
        )
        return None

    def markdown(self, data: LineDict, key: str, *, required: bool = True) -> Text | None:
        """A text field the pages render as Markdown (with HTML): its images need alt text."""
        text = self.text(data, key, required=required)
        if text is not None:
            variants = data[key]
            for lang, value in text.values:
                if isinstance(variants, LineDict):
                    where = Location(self.rel, variants.line_of(lang), variants.column_of(lang))
                    self.images_need_alt(where, f"{key}.{lang}", value)
                else:
                    self.images_need_alt(Location(self.rel, data.line_of(key), data.column_of(key)), key, value)
        return text

    def markdown_string(self, data: LineDict, key: str) -> str | None:
        """An optional one-language Markdown field (a narrative)."""
        value = self.string(data, key, required=False)
        if value is not None:
            self.images_need_alt(Location(self.rel, data.line_of(key), data.column_of(key)), key, value)
        return value

    def images_need_alt(self, where: Location, field: str, markdown: str) -> None:
        """A warning per image without alt text: the page gives it alt="" (decorative), which hides what it
        shows from whoever cannot see it."""
        for src in images_without_alt(markdown):
            src = " ".join(src.split())
            if src:
                message = _(
                    "'{field}': the image {src} has no alt text; say what it shows, ![what it shows](…) in Markdown "
                    'or <img alt="what it shows" …> in HTML (alt="" marks an image that is only decoration)'
                ).format(field=field, src=_shorten(src))
            else:
                message = _(
                    "'{field}': an image without a source has no alt text; say what it shows, ![what it shows](…) "
                    'in Markdown or <img alt="what it shows" …> in HTML (alt="" marks an image that is only '
                    "decoration)"
                ).format(field=field)
            self.problems.warning(where, "content.image-without-alt", message)

    def string(self, data: LineDict, key: str, *, required: bool = True, pattern=None, hint: str = "") -> str | None:
        value = self.get(data, key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error_at(
                data,
                key,
                "content.wrong-type",
                _("'{key}' must be text, not {kind}").format(key=key, kind=_type_name(value)),
            )
            return None
        value = str(value).strip()
        if pattern is not None and not pattern.match(value):
            message = (
                _("'{key}' is not valid: '{value}' ({hint})") if hint else _("'{key}' is not valid: '{value}'")
            ).format(key=key, value=value, hint=hint)
            self.error_at(data, key, "content.invalid-value", message)
            return None
        return value

    def url(self, data: LineDict, key: str, *, required: bool = True) -> str | None:
        value = self.string(data, key, required=required)
        if value is not None and not re.match(r"^https?://[^\s/?#]+[^\s]*$", value):
            self.error_at(
                data,
                key,
                "content.invalid-value",
                _("'{key}' must be an http:// or https:// URL, not '{value}'").format(key=key, value=value),
            )
            return None
        if value is not None:
            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018 (raises on a malformed host:port)
                if not parts.hostname:
                    raise ValueError(_("no host"))
            except ValueError as exc:
                self.error_at(
                    data,
                    key,
                    "content.invalid-value",
                    _("'{key}' is not a valid URL ({reason}): '{value}'").format(key=key, reason=exc, value=value),
                )
                return None
        return value

    def boolean(self, data: LineDict, key: str) -> bool:
        value = data.get(key)
        if value is None or value is INVALID:
            return False
        if not isinstance(value, bool):
            self.error_at(
                data,
                key,
                "content.wrong-type",
                _("'{key}' must be true or false, not {kind}").format(key=key, kind=_type_name(value)),
            )
            return False
        return value

    def moment(self, data: LineDict, key: str, *, tz: timezone, required: bool) -> datetime | None:
        """A date (midnight in the site's timezone) or a date-time; a time without offset takes the site's."""
        value = self.get(data, key, required)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.error_at(
                    data,
                    key,
                    "content.invalid-value",
                    _("'{key}' is not a date: '{value}' (write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+09:00)").format(
                        key=key, value=value
                    ),
                )
                return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=tz)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=tz)
        self.error_at(
            data,
            key,
            "content.wrong-type",
            _("'{key}' must be a date (YYYY-MM-DD), not {kind}").format(key=key, kind=_type_name(value)),
        )
        return None

    def items(self, data: LineDict, key: str, what: str):
        """(item, line) pairs of an optional list field."""
        value = self.get(data, key, False)
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.error_at(
                data,
                key,
                "content.wrong-type",
                _("'{key}' must be a list of {what}, not {kind}").format(key=key, what=what, kind=_type_name(value)),
            )
            return []
        return [(item, value.line_of(i)) for i, item in enumerate(value)]

    def image(
        self, data: LineDict, key: str, *, content: Path, required: bool, cache: dict, preview: bool = False
    ) -> ImageFile | None:
        """The image a field names, checked; `preview`: an SVG also gets its PNG rendering for link previews."""
        rel = self.string(data, key, required=required)
        if rel is None:
            return None
        if any(ord(c) < 32 for c in rel):
            self.error_at(
                data,
                key,
                "image.bad-path",
                _("'{key}' must be a file name inside content/, not {name}").format(key=key, name=repr(rel)),
            )
            return None
        path = (content / rel).resolve()
        if not path.is_relative_to(content.resolve()):
            self.error_at(
                data, key, "image.bad-path", _("'{key}' points outside content/: '{name}'").format(key=key, name=rel)
            )
            return None
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("png", "svg"):
            self.error_at(
                data,
                key,
                "image.bad-path",
                _("'{key}' must be a PNG or SVG file (Open Badges allows no other format), not '{name}'").format(
                    key=key, name=rel
                ),
            )
            return None
        if not path.is_file():
            self.error_at(data, key, "image.not-found", _("image not found: content/{name}").format(name=rel))
            return None
        prepared = _once(cache, path, lambda: prepare_image(_read_image(path), kind))
        rendered = None
        if preview and kind == "svg" and not isinstance(prepared, ImageError):
            rendered = _once(cache, (path, "preview"), lambda: svg_preview(prepared))
        for result in (prepared, rendered):
            if isinstance(result, ImageError):
                self.error_at(
                    data, key, result.code, _("image content/{name}: {problem}").format(name=rel, problem=result)
                )
                return None
        return ImageFile(rel, kind, prepared, rendered)


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_image(path: Path) -> bytes:
    """The file's bytes, reading no more than the size limit allows (a huge file is refused, not loaded)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise ImageError(_("cannot be read ({reason})").format(reason=exc.strerror)) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            _("the file has more than {limit} bytes; images may have at most that").format(
                limit=f"{MAX_IMAGE_BYTES:,}"
            ),
            "image.too-large",
        )
    return data


def _once(cache: dict, key, make):
    """An image is checked (or drawn) once however many files name it; its ImageError is kept as the result."""
    if key not in cache:
        try:
            cache[key] = make()
        except ImageError as exc:
            cache[key] = exc
    return cache[key]


# The first timezone to start a day: a date has begun once it has begun here.
EARLIEST_TIMEZONE = timezone(timedelta(hours=14))
DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def in_future(value, moment: datetime, now: datetime) -> bool:
    """Whether a date or date-time written in the YAML has not begun yet by the build's clock.

    A date without a time of day counts once it has begun anywhere on Earth: its author may live in another
    timezone than the site's (`sitegen issue` and `revoke` write the author's today), so today's date is never
    refused. A date-time is judged exactly."""
    date_only = (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and DATE_ONLY.match(value) is not None
    )
    if date_only:
        return moment.date() > now.astimezone(EARLIEST_TIMEZONE).date()
    return moment > now


def _duration_parts(duration: str) -> tuple[int, ...]:
    match = DURATION.match(duration)
    if match is None:
        raise ValueError(f"not an ISO 8601 duration of years, months, weeks and days: {duration!r}")
    return tuple(int(g or 0) for g in match.groups())


def duration_years(duration: str) -> float:
    years, months, weeks, days = _duration_parts(duration)
    return years + months / 12 + (weeks * 7 + days) / 365.25


def add_duration(start: datetime, duration: str) -> datetime:
    """start + an ISO 8601 duration of years, months, weeks and days (month ends are clamped)."""
    years, months, weeks, days = _duration_parts(duration)
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    moved = start.replace(year=year, month=month, day=min(start.day, last_day))
    return moved + timedelta(weeks=weeks, days=days)


# Names Windows keeps for devices: no file can be called so there (badges/con.json), so no slug may.
WINDOWS_DEVICES = re.compile(r"^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])$")


def _slug_ok(doc: RawDoc, f: _File) -> bool:
    if SLUG.match(doc.stem) and WINDOWS_DEVICES.match(doc.stem):
        f.error(
            0,
            "content.bad-file-name",
            _("file name '{name}' is a name Windows keeps for a device: no file can have it there; rename it").format(
                name=doc.stem
            ),
        )
        return False
    if SLUG.match(doc.stem):
        return True
    suggestion = re.sub(r"[^a-z0-9]+", "-", doc.stem.lower()).strip("-") or "my-badge"
    f.error(
        0,
        "content.bad-file-name",
        _(
            "file name '{name}' is not URL-safe: it becomes the public URL, so use lowercase letters, digits and "
            "hyphens (e.g. {suggestion}.yaml)"
        ).format(name=doc.stem, suggestion=suggestion),
    )
    return False


def _issuer(doc: RawDoc, config: SiteConfig, content: Path, problems: Collector, images: dict) -> Issuer | None:
    if not doc.readable:
        return None
    f = _File(doc.rel, problems, config.default_language)
    data = f.mapping(doc.data, _("an issuer file"))
    if data is None:
        return None
    _slug_ok(doc, f)
    f.known_keys(data, ISSUER_KEYS, _("an issuer"))
    # Every field is read (and so checked) before the first problem ends the record: one run names them all.
    name = f.text(data, "name")
    url = f.url(data, "url")
    email = f.string(data, "email", pattern=EMAIL, hint=_("an email address the issuer reads"))
    description = f.markdown(data, "description", required=False)
    image = f.image(data, "image", content=content, required=False, cache=images)
    image_caption = f.text(data, "image_caption", required=False)
    telephone = f.string(
        data, "telephone", required=False, pattern=TELEPHONE, hint=_("international format, e.g. +81312345678")
    )
    linkedin_organization_id = f.string(
        data,
        "linkedin_organization_id",
        required=False,
        pattern=LINKEDIN_ORGANIZATION_ID,
        hint=_("LinkedIn's numeric company id, digits only: the number in linkedin.com/company/12345678/admin"),
    )
    country = _country(f, data)
    identifiers = _identifiers(f, data)
    if not f.ok or name is None or url is None or email is None:  # a required field is None only when reported
        return None
    return Issuer(
        slug=doc.stem,
        name=name,
        url=url,
        email=email,
        description=description,
        image=image,
        image_caption=image_caption,
        telephone=telephone,
        source=doc.rel,
        linkedin_organization_id=linkedin_organization_id,
        country=country,
        identifiers=identifiers,
    )


def _country(f: _File, data: LineDict) -> str | None:
    value = f.string(data, "country", required=False)
    if value is None:
        return None
    if value.upper() not in COUNTRIES:
        f.error_at(
            data,
            "country",
            "content.invalid-value",
            _("'country' must be an ISO 3166-1 alpha-2 country code such as JP, not '{value}'").format(value=value),
        )
        return None
    return value.upper()


def corporate_number_ok(number: str) -> bool:
    """Japan's corporate number (法人番号): 13 digits, the first a check digit over the other twelve."""
    if not CORPORATE_NUMBER.match(number):
        return False
    digits = [int(c) for c in reversed(number[1:])]
    total = sum(d * (2 if i % 2 else 1) for i, d in enumerate(digits))
    return int(number[0]) == 9 - total % 9


def _identifiers(f: _File, data: LineDict) -> tuple[Identifier, ...]:
    found = []
    for item, line in f.items(data, "identifiers", "{type, value}"):
        item = f.mapping(item, _("an identifier"), line)
        if item is None:
            continue
        f.known_keys(item, {"type", "value"}, _("an identifier"))
        kind = f.string(
            item, "type", pattern=IDENTIFIER_TYPE, hint=_("lowercase words joined by hyphens: corporate-number, ror")
        )
        value = f.string(item, "value")
        if kind == "corporate-number" and value is not None and not corporate_number_ok(value):
            f.error_at(
                item,
                "value",
                "content.invalid-value",
                _(
                    "'{value}' is not a corporate number (法人番号): 13 digits whose first is the check digit; copy "
                    "it from the National Tax Agency's register (houjin-bangou.nta.go.jp)"
                ).format(value=value),
            )
        elif kind is not None and value is not None:
            found.append(Identifier(kind, value))
    return tuple(found)


def _badge(
    doc: RawDoc,
    config: SiteConfig,
    content: Path,
    issuers: set[str],
    problems: Collector,
    images: dict,
    badge_slugs: set[str],
    issuer_records: dict[str, Issuer],
) -> BadgeClass | None:
    if not doc.readable:
        return None
    f = _File(doc.rel, problems, config.default_language)
    data = f.mapping(doc.data, _("a badge class file"))
    if data is None:
        return None
    _slug_ok(doc, f)
    f.known_keys(data, BADGE_KEYS, _("a badge class"))
    issuer = f.string(data, "issuer")
    if issuer is not None and issuer not in issuers:
        f.error_at(data, "issuer", "content.unknown-issuer", unknown_slug_message("issuer", issuer, issuers))
    tags = []
    for tag, line in f.items(data, "tags", _("words")):
        if isinstance(tag, (str, int, float)) and not isinstance(tag, bool) and str(tag).strip():
            tags.append(str(tag).strip())
        else:
            f.error(line, "content.wrong-type", _("a tag must be text, not {kind}").format(kind=_type_name(tag)))
    alignments = []
    for item, line in f.items(data, "alignment", "{name, url, framework, code, description}"):
        item = f.mapping(item, _("an alignment"), line)
        if item is None:
            continue
        f.known_keys(item, ALIGNMENT_KEYS, _("an alignment"))
        name, url = f.text(item, "name"), f.url(item, "url")
        framework, code = f.string(item, "framework", required=False), f.string(item, "code", required=False)
        description = f.text(item, "description", required=False)
        if name is not None and url is not None:
            alignments.append(Alignment(name, url, framework, code, description))
    endorsements = []
    for item, line in f.items(data, "endorsements", "{by, url, comment}"):
        item = f.mapping(item, _("an endorsement"), line)
        if item is None:
            continue
        f.known_keys(item, {"by", "url", "comment"}, _("an endorsement"))
        by, url, comment = f.string(item, "by"), f.url(item, "url"), f.text(item, "comment", required=False)
        if by is not None and url is not None:
            endorsements.append(Endorsement(by=by, url=url, comment=comment))
    achievement_type = f.string(data, "achievement_type", required=False) or "Badge"
    if achievement_type not in ACHIEVEMENT_TYPES and not achievement_type.startswith("ext:"):
        f.error_at(
            data,
            "achievement_type",
            "content.invalid-value",
            _("'achievement_type' must be one of {types} or ext:…").format(types=", ".join(sorted(ACHIEVEMENT_TYPES))),
        )
    valid_for = f.string(
        data, "valid_for", required=False, pattern=DURATION, hint=_("an ISO 8601 duration such as P2Y, P6M or P90D")
    )
    if valid_for and duration_years(valid_for) > 100:
        f.error_at(
            data,
            "valid_for",
            "content.invalid-value",
            _("'valid_for' of {value} is more than 100 years; leave it out for a badge that does not expire").format(
                value=valid_for
            ),
        )
    microcredential = None
    if data.get("microcredential") is not None:
        microcredential = _microcredential(f, data, doc.stem, badge_slugs)
    # A block that could not be read is reported already; the profile judges a readable one, or its absence.
    if microcredential is not None or (achievement_type == "MicroCredential" and data.get("microcredential") is None):
        _profile(f, data, config.microcredential_profile, microcredential, issuer, issuer_records)
    name, description = f.text(data, "name"), f.markdown(data, "description")
    image = f.image(data, "image", content=content, required=True, cache=images, preview=True)
    image_caption, criteria = f.text(data, "image_caption"), f.markdown(data, "criteria")
    # A required field is None only when its problem was reported (f.ok is False); the checks tell mypy.
    if not f.ok or issuer is None or name is None or description is None or image is None:
        return None
    if image_caption is None or criteria is None:
        return None
    return BadgeClass(
        slug=doc.stem,
        issuer=issuer,
        name=name,
        description=description,
        image=image,
        image_caption=image_caption,
        criteria=criteria,
        tags=tuple(tags),
        alignments=tuple(alignments),
        valid_for=valid_for,
        achievement_type=achievement_type,
        source=doc.rel,
        endorsements=tuple(endorsements),
        microcredential=microcredential,
    )


def _microcredential(f: _File, data: LineDict, slug: str, badge_slugs: set[str]) -> Microcredential | None:
    """The badge's `microcredential:` block, every key checked (None when it is not a mapping)."""
    block = f.mapping(data["microcredential"], field("microcredential"), data.line_of("microcredential"))
    if block is None:
        return None
    f.known_keys(block, set(MICROCREDENTIAL_KEYS), field("microcredential"))
    outcomes = []
    for item, line in f.items(
        block, "learning_outcomes", _("texts (each text or {example})").format(example="{ja: …, en: …}")
    ):
        text = f.text(_item(item, line, "learning_outcomes"), "learning_outcomes")
        if text is not None:
            outcomes.append(text)
    workload = _positive(f, block, "workload_hours", _("a number of hours, e.g. 30 or 7.5"))
    credits = None
    raw = f.get(block, "credits", False)
    if raw is not None and (raw := f.mapping(raw, field("credits", "{value, system}"), block.line_of("credits"))):
        f.known_keys(raw, {"value", "system"}, field("credits"))
        value = _positive(f, raw, "value", _("the number of credits, e.g. 2 or 0.5"), required=True)
        system = f.string(raw, "system")
        if value is not None and system is not None:
            credits = Credits(value, system)
    level = None
    raw = f.get(block, "level", False)
    what = field("level", "{framework, code, name, url}")
    if raw is not None and (raw := f.mapping(raw, what, block.line_of("level"))):
        f.known_keys(raw, {"framework", "code", "name", "url"}, field("level"))
        framework = f.string(raw, "framework")
        code, name = f.string(raw, "code", required=False), f.text(raw, "name", required=False)
        url = f.url(raw, "url", required=False)
        if framework is not None:
            level = Level(framework, code, name, url)
    assessment = []
    kinds = _("types ({types}) or {example}").format(types=", ".join(ASSESSMENT_TYPES), example="{type, text}")
    for item, line in f.items(block, "assessment", kinds):
        if isinstance(item, LineDict):
            f.known_keys(item, {"type", "text"}, _("an assessment"))
            kind = _choice(f, item, "type", ASSESSMENT_TYPES, required=True)
            text = f.text(item, "text", required=False)
        else:
            kind, text = _choice(f, _item(item, line, "type"), "type", ASSESSMENT_TYPES, required=True), None
        if kind is not None:
            assessment.append(Assessment(kind, text))
    participation = _choice(f, block, "participation", PARTICIPATION)
    identity_verification = _choice(f, block, "identity_verification", IDENTITY_VERIFICATION)
    quality_assurance = None
    raw = f.get(block, "quality_assurance", False)
    if raw is not None and (
        raw := f.mapping(raw, field("quality_assurance", "{text, url}"), block.line_of("quality_assurance"))
    ):
        f.known_keys(raw, {"text", "url"}, field("quality_assurance"))
        text, url = f.text(raw, "text"), f.url(raw, "url", required=False)
        if text is not None:
            quality_assurance = QualityAssurance(text, url)
    stackable = []
    for item, line in f.items(block, "stackable_into", _("badge file names of this site or https:// URLs")):
        target = f.string(_item(item, line, "stackable_into"), "stackable_into")
        if target is None:
            continue
        if re.match(r"^https?://", target):
            target = f.url(_item(target, line, "stackable_into"), "stackable_into")
        elif target == slug or target not in badge_slugs:
            others = badge_slugs - {slug}
            suggestion = closest(target, others)
            if suggestion is not None:
                message = _(
                    "'stackable_into': '{target}' is not another badge of this site nor an http(s):// URL: did you "
                    "mean '{suggestion}'?"
                ).format(target=target, suggestion=suggestion)
            else:
                message = _(
                    "'stackable_into': '{target}' is not another badge of this site (badges: {known}) nor an "
                    "http(s):// URL"
                ).format(target=target, known=", ".join(sorted(others)) or _("none"))
            f.error(line, "content.unknown-badge", message)
            target = None
        if target is not None:
            stackable.append(target)
    languages = []
    for item, line in f.items(block, "language_of_instruction", _("language codes such as ja or en")):
        code = f.string(_item(item, line, "language_of_instruction"), "language_of_instruction")
        match = LANGUAGE_TAG.match(code) if code is not None else None
        if code is not None and (match is None or match.group(1) not in LANGUAGE_NAMES):
            f.error(
                line,
                "content.invalid-value",
                _("'{code}' is not a language code (BCP 47, e.g. ja, en, pt-BR)").format(code=code),
            )
        elif code is not None:
            languages.append(code)
    return Microcredential(
        learning_outcomes=tuple(outcomes),
        workload_hours=workload,
        credits=credits,
        level=level,
        assessment=tuple(assessment),
        participation=participation,
        identity_verification=identity_verification,
        quality_assurance=quality_assurance,
        prerequisites=f.text(block, "prerequisites", required=False),
        stackable_into=tuple(stackable),
        field_of_study=f.text(block, "field_of_study", required=False),
        code=f.string(block, "code", required=False),
        language_of_instruction=tuple(languages),
    )


def _item(value, line: int, name: str) -> LineDict:
    """A list item as a one-key mapping at its line, so that the field readers check it and say where."""
    holder = LineDict({name: value})
    holder.line, holder.column, holder.marks = line, 0, (line, 0)
    return holder


def _positive(f: _File, data: LineDict, key: str, hint: str, *, required: bool = False) -> float | None:
    value = f.get(data, key, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        f.error_at(
            data,
            key,
            "content.invalid-value",
            _("'{key}' must be a positive number ({hint}), not '{value}'").format(key=key, hint=hint, value=value),
        )
        return None
    return value


def _choice(f: _File, data: LineDict, key: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    value = f.string(data, key, required=required)
    if value is not None and value not in allowed:
        f.error_at(
            data,
            key,
            "content.invalid-value",
            _("'{key}' must be one of {allowed}, not '{value}'").format(
                key=key, allowed=", ".join(allowed), value=value
            ),
        )
        return None
    return value


def _profile(
    f: _File,
    data: LineDict,
    profile: str,
    microcredential: Microcredential | None,
    issuer_slug: str | None,
    issuers: dict[str, Issuer],
) -> None:
    """Under `microcredential_profile: eu`, an error per mandatory descriptor a micro-credential badge lacks."""
    issuer = issuers.get(issuer_slug) if issuer_slug else None
    anchor = "microcredential" if "microcredential" in data else "achievement_type"
    for descriptor in required_by(profile):
        words = {
            "key": descriptor.key,
            "element": descriptor_words(descriptor, message_language()),
            "profile": profile,
            "example": YAML_EXAMPLES[descriptor.key],
        }
        if descriptor.where == ISSUER and issuer is not None and getattr(issuer, descriptor.key) is None:
            f.error_at(
                data,
                "issuer",
                "content.microcredential-missing",
                _(
                    "micro-credential descriptor '{key}' missing ({element}; required by microcredential_profile: "
                    "{profile}): add it to {file}, e.g. `{example}`"
                ).format(file=issuer.source, **words),
            )
        elif descriptor.where == BADGE and microcredential_missing(microcredential, descriptor.key):
            f.error_at(
                data,
                anchor,
                "content.microcredential-missing",
                _(
                    "micro-credential descriptor '{key}' missing ({element}; required by microcredential_profile: "
                    "{profile}): add it under 'microcredential:', e.g. `{example}`"
                ).format(**words),
            )


def descriptor_words(descriptor: Descriptor, lang: str) -> str:
    """A descriptor named in a message: the EU Recommendation's element in English, the pages' label in Japanese
    (the Recommendation has no official Japanese words)."""
    return descriptor.label_ja if lang == "ja" else descriptor.eu


def microcredential_missing(microcredential: Microcredential | None, key: str) -> bool:
    return microcredential is None or getattr(microcredential, key) in (None, ())


def _awards(
    doc: RawDoc,
    config: SiteConfig,
    badges: dict[str, BadgeClass],
    badge_slugs: set[str],
    problems: Collector,
    now: datetime,
) -> list[Award]:
    if not doc.readable:
        return []
    f = _File(doc.rel, problems, config.default_language)
    data = f.mapping(doc.data, _("an award file"))
    if data is None:
        return []
    f.known_keys(data, COHORT_KEYS, _("an award file (each award goes under 'awards:')"))
    badge_slug = f.string(data, "badge")
    if badge_slug is not None and badge_slug not in badge_slugs:
        f.error_at(data, "badge", "content.unknown-badge", unknown_slug_message("badge", badge_slug, badge_slugs))
    default_issued = f.moment(data, "issued_on", tz=config.tz, required=False)
    if default_issued is not None and in_future(data.get("issued_on"), default_issued, now):
        f.error_at(data, "issued_on", "content.future-date", _future_issue(data.get("issued_on")))
    default_expires = f.moment(data, "expires", tz=config.tz, required=False)
    entries = f.items(data, "awards", _("awards"))
    if "awards" not in data:
        f.error(
            data.line,
            "content.missing-field",
            _("missing required field 'awards' (a list with one entry per recipient)"),
            column=data.column,
        )
    badge = badges.get(badge_slug) if badge_slug is not None else None
    awards = []
    for item, line in entries:
        before = f.ok
        f.ok = True
        award = _award(f, item, line, badge_slug, badge, default_issued, default_expires, config, now)
        if award is not None and f.ok:
            awards.append(award)
        f.ok = before and f.ok
    # Awards that are right in themselves take part in the site-wide checks (duplicate ids, status list
    # entries) even when something else in the file is wrong, so that one run names every problem.
    return awards


def _future_issue(value) -> str:
    return _(
        "'issued_on' {value} is in the future: an award is published, and its credential signed, when it is "
        "issued; write the date it was awarded (today or earlier)"
    ).format(value=value)


def _award(
    f: _File,
    item,
    line: int,
    badge_slug,
    badge: BadgeClass | None,
    default_issued,
    default_expires,
    config: SiteConfig,
    now: datetime,
) -> Award | None:
    item = f.mapping(item, _("an award"), line)
    if item is None:
        return None
    f.known_keys(item, AWARD_KEYS, _("an award"))
    award_id = f.string(item, "id")
    if award_id is not None:
        try:
            if str(uuid.UUID(award_id)) != award_id:
                raise ValueError
        except ValueError:
            f.error_at(
                item,
                "id",
                "content.invalid-value",
                _("'id' must be a lowercase UUID such as {example} (`sitegen issue` writes one), not '{value}'").format(
                    example=uuid.uuid4(), value=award_id
                ),
            )
    imported_from = _imported_from(f, item)
    hash_, salt = None, None
    recipient = f.get(item, "recipient", True)
    if recipient is not None:
        recipient = f.mapping(recipient, field("recipient"), item.line_of("recipient"))
        if recipient is not None:
            if "email" in recipient:
                f.error_at(
                    recipient,
                    "email",
                    "content.plaintext-email",
                    _(
                        "a plaintext email must never be stored in the repository: "
                        'write {{hash: "sha256$…", salt: "…"}} instead (`sitegen issue --email` computes them)'
                    ).format(),
                )
            else:
                f.known_keys(recipient, {"hash", "salt"}, field("recipient"))
                hash_ = f.string(recipient, "hash", pattern=HASH, hint=_("expected sha256$ and 64 hex digits"))
                # An imported award keeps its recipient as first published: some platforms hashed without salt.
                imported = "imported_from" in item
                salt = f.string(recipient, "salt", required=not imported)
                if imported and salt is None and "salt" not in recipient:
                    salt = ""
    issued = f.moment(item, "issued_on", tz=config.tz, required=False)
    if issued is not None and in_future(item.get("issued_on"), issued, now):
        f.error_at(item, "issued_on", "content.future-date", _future_issue(item.get("issued_on")))
    issued = issued or default_issued
    if issued is None and "issued_on" not in item:
        f.error(
            item.line,
            "content.missing-field",
            _("missing 'issued_on' (set it on the award or once at the top of the file)"),
            column=item.column,
        )
    expires = f.moment(item, "expires", tz=config.tz, required=False) or default_expires
    if expires is None and issued is not None and badge is not None and badge.valid_for:
        try:
            expires = add_duration(issued, badge.valid_for)
        except (ValueError, OverflowError):
            f.error(
                item.line,
                "content.invalid-value",
                _(
                    "the badge's valid_for {value} takes this award's expiry past the year 9999; check its issue date"
                ).format(value=badge.valid_for),
                column=item.column,
            )
    if expires is not None and issued is not None and expires <= issued:
        f.error_at(item, "expires", "content.date-order", _("'expires' must be after the issue date"))
    evidence = []
    for entry, eline in f.items(item, "evidence", "{url, name, narrative, description}"):
        entry = f.mapping(entry, _("an evidence entry"), eline)
        if entry is None:
            continue
        f.known_keys(entry, EVIDENCE_KEYS, _("evidence"))
        ev = Evidence(
            f.url(entry, "url", required=False),
            f.text(entry, "name", required=False),
            f.markdown_string(entry, "narrative"),
            f.text(entry, "description", required=False),
        )
        if not (ev.url or ev.narrative) and "url" not in entry:
            f.error(eline, "content.missing-field", _("evidence needs a 'url' or a 'narrative'"), column=entry.column)
        evidence.append(ev)
    revoked = None
    if item.get("revoked") not in (None, False):
        raw = f.mapping(item["revoked"], field("revoked", "{on: DATE, reason: …}"), item.line_of("revoked"))
        if raw is not None:
            f.known_keys(raw, {"on", "reason"}, field("revoked"))
            on = f.moment(raw, "on", tz=config.tz, required=True)
            if on is not None and in_future(raw.get("on"), on, now):
                # The status list says "revoked" from the build that publishes it: a later date would be a lie,
                # and it once moved the list's validFrom into the future, which made verifiers refuse it.
                f.error_at(
                    raw,
                    "on",
                    "content.future-date",
                    _(
                        "revocation date {value} is in the future: a revocation takes effect when the site is "
                        "published; write today's date (or an earlier one) and publish it on the day it applies"
                    ).format(value=raw.get("on")),
                )
            reason = f.text(raw, "reason")  # a plain string, or {ja: …, en: …}
            if on is not None and reason is not None:
                revoked = Revocation(on, reason)
    name = f.string(item, "name", required=False)
    grade = f.string(item, "grade", required=False)
    show_name = f.boolean(item, "show_name")
    narrative = f.markdown_string(item, "narrative")  # read (and checked) whatever else is wrong
    if show_name and not name:
        f.error_at(item, "show_name", "content.missing-field", _("'show_name: true' needs a 'name' to show"))
    if award_id is None or hash_ is None or salt is None or issued is None or badge_slug is None:
        return None
    return Award(
        id=award_id,
        badge=badge_slug,
        identity_hash=hash_.lower(),
        salt=salt,
        issued_on=issued,
        expires=expires,
        name=name,
        show_name=show_name,
        narrative=narrative,
        evidence=tuple(evidence),
        revoked=revoked,
        source=Location(f.rel, line),
        grade=grade,
        imported_from=imported_from,
    )


def _imported_from(f: _File, item: LineDict) -> ImportedFrom | None:
    """`imported_from: {url, platform}`: where an imported award was first issued (`sitegen import` writes it)."""
    raw = item.get("imported_from")
    if raw is None:
        return None
    raw = f.mapping(raw, field("imported_from", "{url, platform}"), item.line_of("imported_from"))
    if raw is None:
        return None
    f.known_keys(raw, {"url", "platform"}, field("imported_from"))
    url = f.url(raw, "url")
    platform = f.string(raw, "platform", pattern=SLUG, hint=_("a short name such as moodle, badgr or obf"))
    return ImportedFrom(url, platform) if url and platform else None


def _read_as_one_text(doc: RawDoc, problems: Collector) -> RawDoc:
    """A file YAML read as one text instead of keys and values, because of a mistake on its lines (a full-width
    colon or space after each key, as a Japanese input method types them): the first such mistake, explained as
    a YAML syntax error is, and the file taken as unreadable. Any other file as it is."""
    if not doc.readable or not isinstance(doc.data, str):
        return doc
    try:
        lines = yaml_lines(doc.path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return doc
    for number, line in enumerate(lines, 1):
        mistake = line_mistake(line)
        if mistake is not None:
            column = mistake.column + 1
            problems.error(
                Location(doc.rel, number, column),
                "content.yaml-syntax",
                mistake_message(lines, number, column, mistake.what, mistake.fix),
            )
            return dataclasses.replace(doc, readable=False)
    return doc  # plain text: reported as not a mapping


class AwardFileMemo(Protocol):
    """The awards of award files checked by an earlier build (the build's cache), by award_file_key: a large site's
    rebuild then parses and checks only the files that changed. Only a file that had no problem at all is
    remembered, so a file recalled reports nothing, as checking it again would."""

    def recall(self, key: str) -> list[Award] | None: ...

    def remember(self, key: str, awards: list[Award]) -> None: ...


def award_context(config: SiteConfig, badges: dict[str, BadgeClass], badge_slugs: set[str]) -> bytes:
    """Everything besides its own text that an award file's awards are made from: the site settings (time zone,
    language) and the badges (which exist, their validity periods)."""
    # Not the day of the build: a file whose dates were not in the future once never has them in the future later.
    return repr((config, sorted(badges.items()), sorted(badge_slugs))).encode("utf-8")


def award_file_key(doc: RawDoc, context: bytes) -> str:
    """What an award file's awards depend on, as one digest: its path (the awards' source), its text, the context."""
    assert doc.text is not None
    digest = hashlib.sha256(context)
    for part in (doc.rel, doc.text):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def build_site_model(
    root: Path, docs: list[RawDoc], problems: Collector, memo: AwardFileMemo | None = None
) -> Site | None:
    """The checked site, or None when any file has an error (all of them are in `problems`). `memo` gives the
    awards of unchanged award files loaded with awards_later, and keeps those of the others."""
    docs = [doc if doc.text is not None else _read_as_one_text(doc, problems) for doc in docs]
    one_text_at = len(problems.items)  # where the award files' problems of _read_as_one_text belong
    content = root / "content"
    site_docs = [d for d in docs if d.kind == "site"]
    site_doc = site_docs[0] if site_docs and site_docs[0].readable else None
    config = read_site_config(_File(site_doc.rel, problems), site_doc.data, root) if site_doc else None
    # Without a valid site.yaml the other files can still be checked, against neutral defaults.
    check_config = config or NEUTRAL_CONFIG
    images: dict = {}
    now = datetime.now(timezone.utc)  # only to refuse dates in the future; nothing published depends on it

    issuers = {}
    issuer_docs = [d for d in docs if d.kind == "issuer"]
    for doc in issuer_docs:
        issuer = _issuer(doc, check_config, content, problems, images)
        if issuer is not None:
            issuers[issuer.slug] = issuer
    badges = {}
    badge_docs = [d for d in docs if d.kind == "badge"]
    badge_slugs = {d.stem for d in badge_docs}
    for doc in badge_docs:
        badge = _badge(
            doc, check_config, content, {d.stem for d in issuer_docs}, problems, images, badge_slugs, issuers
        )
        if badge is not None:
            badges[badge.slug] = badge
    awards: list[Award] = []
    parsed_late: list[tuple[int, list[Diagnostic]]] = []
    read_late = Collector()
    context = award_context(check_config, badges, badge_slugs) if memo is not None else b""
    for doc in (d for d in docs if d.kind == "awards"):
        if doc.text is not None:  # loaded with awards_later: parsed now, and its tree let go once checked
            key = award_file_key(doc, context) if memo is not None and doc.readable else None
            recalled = memo.recall(key) if memo is not None and key is not None else None
            if recalled is not None:
                awards.extend(recalled)
                doc.text = None
                continue
            parsed = Collector()
            parse_later(doc, parsed)
            parsed_late.append((doc.problems_at, parsed.items))
            before = len(problems.items) + len(read_late.items)
            found = _awards(_read_as_one_text(doc, read_late), check_config, badges, badge_slugs, problems, now)
            awards.extend(found)
            if memo is not None and key is not None and not parsed.items:
                if len(problems.items) + len(read_late.items) == before:
                    memo.remember(key, found)
            doc.data = None
        else:
            awards.extend(_awards(doc, check_config, badges, badge_slugs, problems, now))
    # Their problems where parsing every file first would have put them: the same report either way.
    problems.items[one_text_at:one_text_at] = read_late.items
    for at, items in reversed(parsed_late):
        problems.items[at:at] = items

    seen: dict[str, Award] = {}
    for award in awards:
        if award.id in seen:
            problems.error(
                award.source,
                "award.duplicate-id",
                _("duplicate award id {id} (also at {other}); every award needs its own id").format(
                    id=award.id, other=seen[award.id].source
                ),
            )
        else:
            seen[award.id] = award
    positions: dict[StatusPosition, Award] = {}
    for award in sorted(seen.values(), key=lambda award: award.source):
        if award.badge not in badges:
            continue
        position = status_position(badges[award.badge].issuer, award.id)
        if position in positions:
            problems.error(
                award.source,
                "award.status-collision",
                _(
                    "award {id} would share status list entry {index} of list {list} with award {other_id} (at "
                    "{other}), so revoking one would revoke both: give the one not published yet a new random id "
                    "(`sitegen issue` picks ids that never collide)"
                ).format(
                    id=award.id,
                    index=position.index,
                    list=position.list_number,
                    other_id=positions[position].id,
                    other=positions[position].source,
                ),
            )
        else:
            positions[position] = award
    if problems.errors or config is None:
        return None
    return Site(
        config, dict(sorted(issuers.items())), dict(sorted(badges.items())), tuple(sorted(awards, key=lambda a: a.id))
    )
