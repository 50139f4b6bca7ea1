"""HTML pages from Jinja2 templates (autoescape on, strict undefined) and Markdown rendered safely.

Site-wide pages (index, issuers, badges, verify) are written in every language: the default language at the
URL-scheme path, the other under `{lang}/`. Award pages, the bulk of a site, exist once, in the default
language, and their script switches them to the other language from `assets/i18n/{lang}.json`; with
`award_pages: every_language` they are written in every language too.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import re
import signal
import struct
import sys
import threading
import time
import types
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import cache
from html import escape, unescape
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote_plus, urlencode

import jinja2
import jinja2.filters
import jinja2.meta
import zxingcpp
from babel import Locale
from babel.numbers import format_decimal
from jinja2.compiler import CodeGenerator
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

from sitegen.build import i18n
from sitegen.content.markdown import render_markdown
from sitegen.keyfiles import named_like_key, private_key_at
from sitegen.messages import _
from sitegen.microcredentials import AWARD, DESCRIPTORS, FROM_CORE, ISSUER, value_words
from sitegen.model import (
    LANGUAGES,
    PACKAGE_THEMES,
    PLATFORM_NAMES,
    Award,
    BadgeClass,
    Credits,
    Issuer,
    Microcredential,
    Site,
    Text,
)
from sitegen.openbadges.ob2 import format_datetime, to_uri

try:
    import resource
except ImportError:  # not on Windows: there, the time budget and the size caps still hold, not the memory cap
    resource = None  # type: ignore[assignment]


IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
VIDEO_EXTENSIONS = (".mp4", ".webm", ".ogv")
# The theme's words of verification results (<template id="verify-messages"> and "verify-reasons").
VERIFY_WORDS = ("_verify_messages.html", "_verify_reasons.html")


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Where templates and assets are looked up, first match wins: the site's own theme, then the default."""
    dirs = [root / "themes" / theme, PACKAGE_THEMES / theme]
    if theme != "default":
        dirs += [root / "themes" / "default"]
    dirs.append(PACKAGE_THEMES / "default")
    return [d for d in dirs if d.is_dir()]


def media_kind(url: str | None) -> str | None:
    """ "image" or "video" when an evidence link points at media a page can show inline."""
    path = (url or "").split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith(IMAGE_EXTENSIONS):
        return "image"
    if path.endswith(VIDEO_EXTENSIONS):
        return "video"
    return None


QR_QUIET_ZONE = 4
_MODULE_BITS = b"0" + b"1" * 255  # zxing-cpp's dark module (0) is a black bit, anything else a white one


def qr_png(url: str) -> bytes:
    """The QR code of a URL as a 1-bit PNG, one pixel per module, its quiet zone included: zxing-cpp encodes it
    (a pure-Python encoder took several milliseconds per award). About 320 bytes, a ninth of an SVG path of
    its dark runs: an award page carries its own address's, printed with it."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape
    modules = bytes(memoryview(cast(Any, image)))  # 8-bit: 0 dark, 255 light (the stubs do not declare it)
    q = QR_QUIET_ZONE
    size = width + 2 * q
    row_bytes = (size + 7) // 8
    light_row = b"\x00" + b"\xff" * row_bytes  # filter type 0, then every bit light (1 is white in 1-bit grey)
    rows = [light_row] * q
    for y in range(height):
        bits = "1" * q + modules[y * width : (y + 1) * width].translate(_MODULE_BITS).decode() + "1" * q
        rows.append(b"\x00" + int(bits.ljust(row_bytes * 8, "1"), 2).to_bytes(row_bytes, "big"))
    rows += [light_row] * q

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale, not interlaced
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def qr_image(url: str, label: str = "QR code") -> Markup:
    """The QR code of a URL as an <img> of its PNG inline (a data: URL), named for screen readers by its
    address; site.css draws it with sharp pixels on screen and on paper."""
    data = base64.b64encode(qr_png(url)).decode("ascii")
    return Markup(f'<img class="qr-code" src="data:image/png;base64,{data}" alt="{escape(label)}: {escape(url)}">')


# Whitespace between two tags that holds a line break is one line break: it renders the same (one space, or none
# between blocks), the page stays one element a line for a diff, and the template's indentation is not published
# 100,000 times. The content of <pre>, <textarea> and <script> is kept as it is.
_LAYOUT_WHITESPACE = re.compile(rb"(<(pre|textarea|script)\b.*?</\2)|>[ \t\r\n]*\n[ \t\r\n]*(?=<)", re.S | re.I)


def compact_html(page: bytes) -> bytes:
    """A page without the whitespace of its template's layout (see _LAYOUT_WHITESPACE)."""
    return _LAYOUT_WHITESPACE.sub(lambda m: m.group(1) or b">\n", page)


# An award page, 100,000 of them, also loses the line breaks next to the tags of block elements (or of the
# head's): the browser shows none of them (between blocks, or at a line's start or end). Those between inline
# elements (a space in the text) stay, and so does what <pre>, <textarea> and <script> hold.
_BLOCK_TAGS = (
    rb"(?:html|head|body|meta|link|title|script|style|header|nav|main|footer|article|section|aside|div|p|h[1-6]"
    rb"|ul|ol|li|dl|dt|dd|figure|figcaption|table|caption|thead|tbody|tr|th|td|details|summary|template"
    rb"|noscript|form|fieldset|blockquote|hr|br|pre)"
)
_BLOCK_LINE_BREAK = re.compile(
    rb"(<(pre|textarea|script)\b.*?)(?=</\2)"  # what they hold, kept as it is
    rb"|(?<=>)\n(?=</?%s[\s/>])"  # a line break before a block's tag
    rb"|(</?%s\b[^<>]*>)\n(?=<)" % (_BLOCK_TAGS, _BLOCK_TAGS),  # and after one
    re.S | re.I,
)


def without_block_line_breaks(page: bytes) -> bytes:
    """A compacted page (compact_html) without the line breaks next to block tags (see _BLOCK_LINE_BREAK)."""
    return _BLOCK_LINE_BREAK.sub(lambda m: m.group(1) or m.group(3) or b"", page)


# A word the language switch translates: data-t="its English msgid">its words in the page's language<.
_SWITCHED_WORDS = re.compile(rb' data-t="([^"]*)">([^<]*)<')


def implicit_keys(page: bytes, catalogue: dict[str, str], ambiguous: frozenset[str]) -> bytes:
    """A bare `data-t` where the words name their msgid by themselves: the English msgid itself, or a translation
    (`catalogue`: msgid → words in the page's language) no other msgid shares (`ambiguous`: those shared). The
    script looks the msgid up from the words in the page's language pack when the page is switched: an award
    page's keys were a tenth of its bytes."""

    def shorten(match: re.Match) -> bytes:
        key, words = unescape(match.group(1).decode()), unescape(match.group(2).decode())
        named = words == key if not catalogue else catalogue.get(key) == words and words not in ambiguous
        return b" data-t>" + match.group(2) + b"<" if named else match.group(0)

    return _SWITCHED_WORDS.sub(shorten, page)


def linkedin_url(
    site: Site, award: Award, lang: str, *, prefixes: dict | None = None, cert_url: str | None = None
) -> str:
    """LinkedIn's "Add to profile" link, pre-filled with the certification. `prefixes` keeps the part that
    is the same for every award of a badge. The issuer's LinkedIn organization id, when the issuer gives it,
    makes LinkedIn show the organization's logo; its name is the fallback."""
    prefixes = {} if prefixes is None else prefixes
    prefix = prefixes.get(award.badge)
    if prefix is None:
        badge_fields = _linkedin_badge_fields(site, award.badge, lang)
        prefix = prefixes[award.badge] = "https://www.linkedin.com/profile/add?" + urlencode(badge_fields)
    fields: dict[str, str | int] = {"issueYear": award.issued_on.year, "issueMonth": award.issued_on.month}
    if award.expires:
        fields.update(expirationYear=award.expires.year, expirationMonth=award.expires.month)
    fields.update(certUrl=cert_url or site.urls.url(site.urls.assertion_page(award.id)), certId=award.id)
    return prefix + "&" + urlencode(fields)


def _iri_query_value(value: str) -> str:
    """A query value as an IRI (RFC 3987): ASCII form-encoded as urlencode does it, letters, marks, digits,
    punctuation and signs of other scripts kept as they are (the browser encodes them in UTF-8 when the link is
    followed): 3 bytes a Japanese character in the page instead of 9. Spaces, controls and format characters of
    any script stay encoded."""
    return "".join(
        ch if ord(ch) > 0x7F and unicodedata.category(ch)[0] in "LMNPS" else quote_plus(ch, safe="") for ch in value
    )


def linkedin_badge_url(site: Site, badge_slug: str, lang: str) -> str:
    """LinkedIn's "Add to profile" link with what is the same for every award of a badge (its name, its issuer),
    as an IRI: what an award page carries; its script adds the award's own fields (linkedin_url's others) from
    what the page shows. Without the script, LinkedIn's form opens with the badge and its issuer filled in."""
    fields = _linkedin_badge_fields(site, badge_slug, lang)
    query = "&".join(f"{key}={_iri_query_value(value)}" for key, value in fields.items())
    return "https://www.linkedin.com/profile/add?" + query


def _linkedin_badge_fields(site: Site, badge_slug: str, lang: str) -> dict[str, str]:
    """LinkedIn's form's fields that every award of a badge shares: the badge's name and its issuer (by
    LinkedIn's organisation id when the issuer has one, so LinkedIn shows its logo)."""
    badge = site.badges[badge_slug]
    issuer = site.issuers[badge.issuer]
    fields = {"startTask": "CERTIFICATION_NAME", "name": badge.name.get(lang)}
    if issuer.linkedin_organization_id:
        fields["organizationId"] = issuer.linkedin_organization_id
    else:
        fields["organizationName"] = issuer.name.get(lang)
    return fields


def build_day(tz: dt.tzinfo, environ=os.environ) -> dt.date:
    """The day a build decides expiry on: the day of SOURCE_DATE_EPOCH when it is set (a reproducible build
    gives the same pages whenever it runs), else today in the site's time zone. Only the pages of awards that
    expired depend on it; published JSON never does."""
    epoch = str(environ.get("SOURCE_DATE_EPOCH", "")).strip()
    moment = datetime.fromtimestamp(int(epoch), tz) if epoch.isdigit() else datetime.now(tz)
    return moment.date()


def award_state(award: Award, day: dt.date) -> str:
    """ "revoked", "expired" (its expiry is before `day`) or "valid": what an award page says without script."""
    if award.revoked:
        return "revoked"
    if award.expires is not None and award.expires.date() < day:
        return "expired"
    return "valid"


def png_size(data: bytes | None) -> tuple[int, int] | None:
    """Width and height of a PNG, read from its header (IHDR), or None for another kind of image."""
    if not data or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def baked_file_name(badge: BadgeClass, award: Award, version: str) -> str:
    """A readable, distinct name for a downloaded baked image: which badge, which award, which standard."""
    what = "openbadges-2.0" if version == "ob2" else "openbadges-3.0-credential"
    return f"{badge.slug}-{award.id[:8]}-{what}.{badge.image.kind}"


def N_(message: str) -> str:
    """Marks a text for the message catalogue (pybabel extract); it is translated where it is shown."""
    return message


# The words of the micro-credential table: its heading, and the controlled values of
# sitegen/microcredentials.py (ASSESSMENT_TYPES, PARTICIPATION, IDENTITY_VERIFICATION) in words.
MICROCREDENTIAL_HEADING = N_("Micro-credential details")
MICROCREDENTIAL_CAPTION = N_("Descriptors of the EU Council Recommendation on micro-credentials (2022/C 243/02)")


def country_name(code: str | None, lang: str) -> str:
    """An ISO 3166-1 country code in words ("JP" → 日本, Japan); an unknown code as it is."""
    if not code:
        return ""
    return Locale.parse(lang).territories.get(code.upper(), code)


def _web_link(url: str | None) -> str | None:
    """Only http(s) addresses become links: a `javascript:` URL in a YAML file must not run on a click."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _number(value: float, lang: str) -> str:
    return format_decimal(value, locale=lang)


def _credits(credits: Credits, lang: str) -> str:
    """ "10 ECTS"; Japanese university credits (単位, system "JP-university") in words."""
    number = _number(credits.value, lang)
    if credits.system == "JP-university":
        plural = 1 if credits.value == 1 else 2
        words = i18n.translations(lang).ngettext(
            "%(count)s university credit (Japan)", "%(count)s university credits (Japan)", plural
        )
        return words % {"count": number}
    return f"{number} {credits.system}"


def _item(text: str, href: str | None = None, lang: str | None = None, detail: str | None = None, detail_lang=None):
    return {"text": text, "href": href, "lang": lang, "detail": detail, "detail_lang": detail_lang}


def _text_item(value: Text, lang: str, href: str | None = None) -> dict:
    """A text in the table's language, or marked with its own language when it has no such variant."""
    return _item(value.get(lang), href, None if value.has(lang) else value.languages[0])


def microcredential_rows(
    site: Site, badge: BadgeClass, issuer: Issuer, award: Award | None, lang: str, badge_pages: str
) -> list[dict]:
    """The rows of a micro-credential badge's table in one language, in the order of
    microcredentials.DESCRIPTORS: {"key", "label", "entries": [{"text", "href", "lang", "detail", "detail_lang"}],
    "list"}; descriptors without a value are left out, and so are the core fields the page shows anyway (title,
    issuer, date, learner). `badge_pages` is the relative folder of this language's badge pages."""
    mc: Microcredential | None = badge.microcredential
    if mc is None:
        return []
    names = Locale.parse(lang)
    rows = []
    for descriptor in DESCRIPTORS:
        key, items, as_list = descriptor.key, [], False
        if descriptor.where == FROM_CORE:
            continue
        if descriptor.where == ISSUER:
            if key == "country" and issuer.country:
                items = [_item(country_name(issuer.country, lang))]
        elif descriptor.where == AWARD:
            if key == "grade" and award is not None and award.grade:
                items = [_item(award.grade)]
        elif key == "learning_outcomes":
            items, as_list = [_text_item(text, lang) for text in mc.learning_outcomes], True
        elif key == "workload_hours" and mc.workload_hours is not None:
            items = [_item(_number(mc.workload_hours, lang))]
        elif key == "credits" and mc.credits is not None:
            items = [_item(_credits(mc.credits, lang))]
        elif key == "level" and mc.level is not None:
            level = mc.level
            words_of_level = " ".join(part for part in (level.framework, level.code) if part)
            name_lang = None
            if level.name is not None:
                words_of_level += " — " + level.name.get(lang)
                name_lang = None if level.name.has(lang) else level.name.languages[0]
            items = [_item(words_of_level, _web_link(level.url), name_lang)]
        elif key == "assessment":
            for assessment in mc.assessment:
                text = assessment.text
                items.append(
                    _item(
                        value_words(assessment.type, lang),
                        detail=text.get(lang) if text else None,
                        detail_lang=None if text is None or text.has(lang) else text.languages[0],
                    )
                )
            as_list = len(items) > 1
        elif key in ("participation", "identity_verification"):
            value = getattr(mc, key)
            if value:
                items = [_item(value_words(value, lang))]
        elif key == "quality_assurance" and mc.quality_assurance is not None:
            qa = mc.quality_assurance
            items = [_text_item(qa.text, lang, _web_link(qa.url))]
        elif key in ("prerequisites", "field_of_study"):
            value = getattr(mc, key)
            if value is not None:
                items = [_text_item(value, lang)]
        elif key == "stackable_into":
            for target in mc.stackable_into:
                other = site.badges.get(target)
                if other is not None:
                    items.append(_text_item(other.name, lang, badge_pages + site.urls.badge_page(target)))
                else:
                    items.append(_item(target, _web_link(target)))
            as_list = len(items) > 1
        elif key == "code" and mc.code:
            items = [_item(mc.code)]
        elif key == "language_of_instruction":
            items = [_item(names.languages.get(code, code)) for code in mc.language_of_instruction]
        if items:
            label = descriptor.label_ja if lang == "ja" else descriptor.label_en
            rows.append({"key": key, "label": label, "entries": items, "list": as_list})
    return rows


# --- theme templates: data in, a page out, within a budget --------------------------------------------------
# A theme's templates come from the content repository, so from pull requests, and the check, the preview and
# the deploy build (which holds the signing key) render them. They get data, never capabilities: every object a
# template can reach is plain data (PLAIN_TYPES, and the frozen records of sitegen.model), and ThemeEnvironment
# refuses attribute access on, and calls of, anything else, whatever path leads there (attributes, items,
# |attr, map(attribute=...), format strings). tests/test_theme_sandbox.py walks everything reachable.

PAGE_TIME_BUDGET = 10.0  # seconds per page; a page of the default theme takes about a millisecond
BUILD_TIME_BUDGET, PAGE_AVERAGE_BUDGET = 60.0, 0.05  # all pages of a process: 60 s + 50 ms a page
PAGE_SIZE_LIMIT = 20_000_000  # characters per page; a large site's index is a few hundred kilobytes
PAGE_MEMORY_BUDGET = 512 * 2**20  # bytes of address space rendering a page may add (Linux)
POWER_LIMIT_BITS = 100_000  # `a ** b` and `a * b` in a template: no number of more bits than this

PLAIN_TYPES = frozenset(
    {
        str,
        Markup,
        int,
        float,
        bool,
        type(None),
        bytes,
        tuple,
        list,
        dict,
        dt.datetime,
        dt.date,
        dt.time,
        dt.timedelta,
        dt.timezone,
    }
)
# Dates give their values, not the clock or the machine's time zone (now, today, astimezone, fromtimestamp).
DATE_ATTRIBUTES = frozenset(
    {
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "microsecond",
        "tzinfo",
        "fold",
        "date",
        "time",
        "timetz",
        "isoformat",
        "strftime",
        "weekday",
        "isoweekday",
        "isocalendar",
        "toordinal",
        "utcoffset",
        "tzname",
        "dst",
        "replace",
        "ctime",
        "days",
        "seconds",
        "microseconds",
        "total_seconds",
        "min",
        "max",
        "resolution",
    }
)
TIMEZONE_ATTRIBUTES = frozenset({"utcoffset", "tzname", "dst"})
DATE_TYPES = (dt.datetime, dt.date, dt.time, dt.timedelta, dt.timezone)
# Jinja's own helpers that templates make for themselves (loop, cycler(), joiner(), namespace(), self, super(),
# caller, macros, imported templates, groupby's groups): their public attributes are loop state, the template's
# own values or more helpers.
JINJA_HELPERS = frozenset(
    {
        LoopContext,
        Macro,
        TemplateReference,
        BlockReference,
        TemplateModule,
        Cycler,
        Joiner,
        Namespace,
        getattr(jinja2.filters, "_GroupTuple", tuple),
    }
)
CALLABLE_HELPERS = (LoopContext, Macro, BlockReference, Joiner, Undefined)


# The modules whose frozen dataclasses are records a template may read (Site, Award, Urls, StatusPosition, ...).
RECORD_MODULES = frozenset({"sitegen.model", "sitegen.urls", "sitegen.status"})


@cache
def is_record_type(cls: type) -> bool:
    """A frozen dataclass of sitegen.model (Site, Issuer, BadgeClass, Award, Text, ...): data, and methods that
    compute from it."""
    return (
        cls.__module__ in RECORD_MODULES and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]  # every dataclass has it, undeclared
    )


def is_plain_data(value) -> bool:
    cls: type = type(value)
    return cls in PLAIN_TYPES or is_record_type(cls)


def may_look_into(value) -> bool:
    """Whether a template may read attributes and items of `value`."""
    cls: type = type(value)
    return cls in PLAIN_TYPES or cls in JINJA_HELPERS or is_record_type(cls) or isinstance(value, Undefined)


def is_pure_method(value) -> bool:
    """A method of plain data, of a record or of a Jinja helper ("a".upper, mapping.get, urls.badge_page,
    loop.cycle), or a staticmethod of a record: each computes from the data it belongs to."""
    if isinstance(value, (types.BuiltinMethodType, types.MethodType)):
        owner = value.__self__
        if isinstance(owner, type):  # a classmethod: Markup.escape, int.from_bytes, dict.fromkeys, not datetime.now
            return (owner in PLAIN_TYPES and owner not in DATE_TYPES) or is_record_type(owner)
        if type(owner) in DATE_TYPES:  # their values, not the clock or the machine's time zone
            return value.__name__ in DATE_ATTRIBUTES
        return may_look_into(owner) and not isinstance(owner, Undefined)
    if isinstance(value, types.FunctionType) and value.__module__ in RECORD_MODULES:
        owner = getattr(sys.modules[value.__module__], value.__qualname__.rpartition(".")[0], None)
        return isinstance(owner, type) and is_record_type(owner) and getattr(owner, value.__name__, None) is value
    return False


# The sandbox's own str.format (wrap_str_format returns None only for what is not a format method).
_FORMAT_WRAPPER = cast(Callable[..., str], SandboxedEnvironment().wrap_str_format("".format)).__code__


class OverBudget(jinja2.TemplateRuntimeError):
    """Rendering a page took too long, or made it too large."""


class TemplateProblem(jinja2.TemplateError):
    """A theme template failed: where (template file, line) and why, as plain values, so that it crosses from a
    worker process of the award build to the main one (a traceback does not)."""

    def __init__(self, message: str, filename: str | None = None, lineno: int = 0):
        super().__init__(message)
        self.filename, self.lineno = filename, lineno


class _TickingCodeGenerator(CodeGenerator):
    """Each block a template runs (a loop's body, a macro, an included template, an if) first checks the time
    budget of the page: a theme that loops fails instead of hanging the build."""

    def blockvisit(self, nodes, frame) -> None:
        if not frame.soft_frame:  # an if's body (a soft frame) repeats only inside one of the others
            self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, restricted to data (see above) and to a budget of time, size and memory."""

    code_generator_class = _TickingCodeGenerator
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.globals["lipsum"]  # unbounded work in one call, outside the time budget; no use on a badge site
        self.deadline = math.inf
        self.pages_rendered, self.seconds_rendering = 0, 0.0
        self._functions: dict[int, object] = {}
        self._names: dict[tuple[type, str], bool] = {}

    def allow_globals(self) -> None:
        """The functions among the globals (range, dict, cycler, joiner, namespace, gettext, ngettext, _,
        media_kind) may be called; call this once the globals are set."""
        self._functions = {id(value): value for value in self.globals.values() if callable(value)}

    def is_safe_callable(self, obj) -> bool:
        # An allow-list: Jinja's own rule is "anything not marked unsafe".
        return (
            self._functions.get(id(obj)) is obj
            or isinstance(obj, CALLABLE_HELPERS)
            or is_pure_method(obj)
            or getattr(obj, "__code__", None) is _FORMAT_WRAPPER
        )

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        return self._name_allowed(obj, attr) and self._may_hand_out(value)

    def _name_allowed(self, obj, attr: str) -> bool:
        """Whether a template may read attribute `attr` of `obj`: it depends on the type only, so it is decided
        once per type and name (an attribute access is the commonest thing a page does)."""
        key = (type(obj), attr)
        allowed = self._names.get(key)
        if allowed is None:
            allowed = (
                may_look_into(obj)
                and super().is_safe_attribute(obj, attr, None)
                and (
                    type(obj) not in DATE_TYPES
                    or attr in (TIMEZONE_ATTRIBUTES if type(obj) is dt.timezone else DATE_ATTRIBUTES)
                )
            )
            if len(self._names) < 10_000:
                self._names[key] = allowed
        return allowed

    def _may_hand_out(self, value) -> bool:
        return may_look_into(value) or self.is_safe_callable(value)

    def unsafe_undefined(self, obj, attribute: str):
        # At once, not an undefined value that fails when printed: one inside a list or a test would not.
        raise SecurityError(
            _("a template may not use {attribute!r} of a {kind!r} object (templates get data only)").format(
                attribute=attribute, kind=type(obj).__name__
            )
        )

    def getattr(self, obj, attribute: str):
        # As Jinja's, but nothing of an object that is not data is evaluated, and items are checked too.
        if not may_look_into(obj):
            return self.unsafe_undefined(obj, attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                value = obj[attribute]  # a mapping's key, a block of `self`
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
            return value if self._may_hand_out(value) else self.unsafe_undefined(obj, attribute)
        return self._attribute(obj, attribute, value)

    def getitem(self, obj, argument):
        if not may_look_into(obj):
            return self.unsafe_undefined(obj, str(argument))
        try:
            value = obj[argument]
        except (TypeError, LookupError):
            if isinstance(argument, str):
                try:
                    value = getattr(obj, argument)
                except AttributeError:
                    pass
                else:
                    return self._attribute(obj, argument, value)
            return self.undefined(obj=obj, name=argument)
        return value if self._may_hand_out(value) else self.unsafe_undefined(obj, str(argument))

    def _attribute(self, obj, attribute: str, value):
        if not self._name_allowed(obj, attribute):
            return self.unsafe_undefined(obj, attribute)
        fmt = self.wrap_str_format(value)  # str.format runs through the sandbox's formatter
        if fmt is not None:
            return fmt
        return value if self._may_hand_out(value) else self.unsafe_undefined(obj, attribute)

    def call_binop(self, context, operator: str, left, right):
        # One operation must not make a gigantic value before any budget can step in.
        if isinstance(left, int) and isinstance(right, int):
            bits = (
                right * max(left.bit_length() - 1, 0)
                if operator == "**" and right > 0
                else left.bit_length() + right.bit_length()
            )
            if bits > POWER_LIMIT_BITS:
                raise SecurityError(
                    _("'{operator}' would make a number of about {bits} bits").format(
                        operator=operator, bits=f"{bits:,}"
                    )
                )
        elif operator == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if (
                isinstance(sequence, (str, bytes, list, tuple))
                and isinstance(count, int)
                and len(sequence) * count > PAGE_SIZE_LIMIT
            ):
                raise SecurityError(
                    _("'*' would make a sequence of {count} items").format(count=f"{len(sequence) * count:,}")
                )
        return super().call_binop(context, operator, left, right)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        # Jinja computes constant expressions as it compiles ("x"|center(3000000000)): within the memory budget.
        try:
            with MemoryBudget(PAGE_MEMORY_BUDGET):
                return super().compile(source, name, filename, raw, defer_init)
        except jinja2.TemplateError:
            raise
        except MemoryError:
            raise TemplateProblem(
                _("compiling the template needed over {size} MB of memory").format(size=PAGE_MEMORY_BUDGET // 2**20),
                filename or name,
            ) from None
        except RecursionError:
            raise TemplateProblem(_("the template is nested too deeply to compile"), filename or name) from None
        except Exception as exc:  # e.g. a SyntaxError in the Python code Jinja made of it
            raise TemplateProblem(
                _("the template cannot be compiled ({kind}: {problem})").format(kind=type(exc).__name__, problem=exc),
                filename or name,
            ) from None

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverBudget(_page_took_too_long())

    def render_page(self, template: jinja2.Template, context: dict) -> str:
        """The page, or TemplateProblem naming the template and line that failed and why."""
        started = time.monotonic()
        self.deadline = started + PAGE_TIME_BUDGET
        try:
            # A page that grows without end is stopped by the memory budget or the time budget as it grows (the
            # loops that make it tick, and an alarm for work inside one expression, such as a filter on a huge
            # string); one of a moderate size over the limit, when it is complete.
            with MemoryBudget(PAGE_MEMORY_BUDGET), _alarm(PAGE_TIME_BUDGET * 1.5):  # after the checks' turn
                page = self.concat(template.root_render_func(template.new_context(context)))
            if len(page) > PAGE_SIZE_LIMIT:
                raise OverBudget(
                    _("the page is over {size} MB (does the theme loop?)").format(size=f"{PAGE_SIZE_LIMIT / 1e6:g}")
                )
            # Many pages each just under the page's budget would hold a build (and the pull-request gate) for
            # hours: the pages of one process share a budget too, far above what any real theme takes.
            self.pages_rendered += 1
            self.seconds_rendering += time.monotonic() - started
            if self.seconds_rendering > BUILD_TIME_BUDGET + PAGE_AVERAGE_BUDGET * self.pages_rendered:
                raise OverBudget(
                    _(
                        "the theme took {seconds} s for {pages} page(s), over {budget} ms a page "
                        "(a page takes about a millisecond)"
                    ).format(
                        seconds=f"{self.seconds_rendering:.0f}",
                        pages=self.pages_rendered,
                        budget=f"{PAGE_AVERAGE_BUDGET * 1000:g}",
                    )
                )
        except Exception as exc:  # whatever a template does wrong is the theme's error, reported with its place
            page = ""
            raise template_problem(exc, template) from None
        finally:
            self.deadline = math.inf
        return page


@contextlib.contextmanager
def _alarm(seconds: float):
    """Raise OverBudget in the code running after `seconds`: the deadline checks of loops and blocks cannot see
    work inside one expression. Only the main thread receives signals (a build's, or a worker process's); in
    another thread, or without SIGALRM (Windows), the deadline checks alone hold."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget(_page_took_too_long())

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _page_took_too_long() -> str:
    return _("rendering the page took over {seconds} s (does the theme loop?)").format(seconds=f"{PAGE_TIME_BUDGET:g}")


def template_problem(exc: Exception, template: jinja2.Template) -> TemplateProblem:
    """Where a template failed (the innermost template line in the traceback) and a message without Python."""
    if isinstance(exc, TemplateProblem):
        return exc
    filename, lineno = template.filename, 0
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        filename, lineno = exc.filename, exc.lineno
    else:
        # The innermost template line, preferring the repository's templates: when a theme's template recurses
        # through the default base.html, the theme's is the one to fix.
        innermost = theirs = None
        tb = exc.__traceback__
        while tb is not None:
            frame_template = tb.tb_frame.f_globals.get("__jinja_template__")
            if frame_template is not None:
                innermost = (
                    frame_template.filename or frame_template.name,
                    frame_template.get_corresponding_lineno(tb.tb_lineno),
                )
                if not Path(innermost[0]).is_relative_to(PACKAGE_THEMES):
                    theirs = innermost
            tb = tb.tb_next
        filename, lineno = theirs or innermost or (filename, lineno)
    if isinstance(exc, RecursionError):
        message = _("the templates call themselves without end (a macro, include, extends or loop that recurses)")
    elif isinstance(exc, MemoryError):
        message = _("rendering the page needed over {size} MB of memory (does the theme loop?)").format(
            size=PAGE_MEMORY_BUDGET // 2**20
        )
    elif isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    else:
        message = f"{type(exc).__name__}: {exc}"
    return TemplateProblem(message, filename, lineno)


class MemoryBudget:
    """Lets the code inside add at most `extra` bytes of address space (Linux: RLIMIT_AS), so that a template
    building a gigantic value fails with MemoryError instead of exhausting the machine."""

    def __init__(self, extra: int):
        self.extra, self.previous = extra, None

    def __enter__(self):
        try:
            with open("/proc/self/statm", "rb") as statm:
                used = int(statm.read().split()[0]) * resource.getpagesize()
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        except (OSError, AttributeError, ValueError):  # no /proc, no resource module: no cap
            return self
        cap = used + self.extra if hard == resource.RLIM_INFINITY else min(used + self.extra, hard)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            self.previous = (soft, hard)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.previous is not None:
            resource.setrlimit(resource.RLIMIT_AS, self.previous)
            self.previous = None


class ThemeLoader(jinja2.FileSystemLoader):
    """Templates from a theme folder; one holding a private key is refused, so no page can publish it."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        problem = key_file_problem(Path(filename), source.encode("utf-8"))
        if problem:
            raise TemplateProblem(problem, filename)
        return source, filename, uptodate


def key_file_problem(path: Path, data: bytes) -> str | None:
    """Why a theme file must not be published (a private key), or None. Stricter than `check` on content: a
    theme is published as it is, so even a mention of PRIVATE KEY is refused."""
    if named_like_key(path.name):
        return _("a theme must not hold key files ({name} is named like one: *.pem, *.key, id_rsa…)").format(
            name=path.name
        )
    if b"PRIVATE KEY" in data:
        return _("this file holds a private key ('PRIVATE KEY'); a theme must not publish one")
    if b"kty" in data and private_key_at(data.decode("utf-8", errors="replace")) is not None:
        return _("this file holds a private key (a JSON Web Key with a 'd' member); a theme must not publish one")
    return None


def published_award(award: Award) -> Award:
    """The award as templates see it: the recipient's name only when they agreed to show it (a theme from a pull
    request must not be able to publish it)."""
    return dataclasses.replace(award, name=None) if award.name and not award.show_name else award


def published_view(site: Site) -> Site:
    """The site as templates see it (`site.awards` too): names only with consent."""
    if not any(award.name and not award.show_name for award in site.awards):
        return site
    return dataclasses.replace(site, awards=tuple(published_award(award) for award in site.awards))


def data_path_in(lang: str, site: Site) -> Callable[[str], str]:
    """The templates' data_path(path): a badge's or issuer's JSON in the page's language when the site publishes
    it (published_languages). A plain function: a template reaches nothing through it."""
    translated = lang in site.config.other_languages
    prefix = site.urls.in_language(lang, "")

    def data_path(path: str) -> str:
        return prefix + path if translated else path

    return data_path


class Renderer:
    def __init__(self, root: Path, site: Site, lang: str | None = None, *, folder: str = "templates"):
        """`folder`: the theme's folder of templates; "mail" for the messages of `sitegen notify`."""
        self.site = site
        self.lang = lang or site.config.default_language
        self.default_lang = site.config.default_language
        dirs = theme_dirs(root, site.config.theme)
        loaders = [ThemeLoader(str(d / folder)) for d in dirs]
        # A theme's own templates come from the content repository, so from pull requests: with any, every page
        # renders in ThemeEnvironment (data only, within a budget). sitegen's own templates are its code.
        self.sandboxed = any((d / folder).is_dir() and not d.is_relative_to(PACKAGE_THEMES) for d in dirs)
        environment = ThemeEnvironment if self.sandboxed else jinja2.Environment
        self.env: jinja2.Environment = environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # a build renders each template thousands of times: no mtime check each time
        )
        # Old-style gettext: `_()` is the catalogue's own function, several times cheaper per call than the
        # new-style wrapper on a page rendered 100,000 times; autoescape still escapes what it returns.
        translations = i18n.translations(self.lang)
        self.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
            translations.gettext, translations.ngettext, newstyle=False
        )
        self.qr_label = translations.gettext("QR code")
        self.env.filters["markdown"] = render_markdown
        self.env.filters["text"] = self._text
        self.env.filters["lang_attr"] = self._lang_attr
        self.env.filters["text_attrs"] = self._text_attrs
        self.env.filters["own_lang"] = self._own_lang
        self.env.filters["date"] = self._date
        self.env.filters["isodate"] = format_datetime
        self.env.filters["duration"] = lambda value: i18n.format_duration(value, self.lang)
        self.env.filters["uri"] = to_uri
        self.env.filters["country"] = lambda code: country_name(code, self.lang)
        self.env.globals.update(
            site=published_view(site),
            lang=self.lang,
            urls=site.urls,
            media_kind=media_kind,
            language_names=i18n.LANGUAGE_NAMES,
            default_lang=self.default_lang,
            data_path=data_path_in(self.lang, site),
        )
        if isinstance(self.env, ThemeEnvironment):  # exactly when self.sandboxed
            self.env.allow_globals()
        self._templates: dict[str, jinja2.Template] = {}
        self._linkedin_prefixes: dict[str, str] = {}
        self._linkedin_badge_urls: dict[str, str] = {}
        self._theme_variables: set[str] | None = None
        # Set by the build when signed Open Badges 3.0 credentials are published next to the pages.
        self.credentials_published = False
        # The day expiry is decided on (the build sets its own, the same for every page).
        self.today = build_day(site.config.tz)
        self._share_images: dict[str, dict] = {}
        self._switch_catalogue: tuple[dict[str, str], frozenset[str]] | None = None

    def _text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    @staticmethod
    def _text_attrs(value: Text | None) -> Markup:
        """` data-text-ja="…" data-text-en="…"`: an award's own text in every language it has, for the award
        page's language switch (the language pack holds only issuers' and badges' text)."""
        if value is None or len(value.values) < 2:
            return Markup("")
        return Markup("".join(f' data-text-{lang}="{escape(text)}"' for lang, text in value.values))

    def _own_lang(self, value: Text | str | None) -> Markup:
        """` lang="ja"` on an award's own text written in one language, so that it is read in its language
        whichever language the page is in or is switched to: a plain string is in the site's default language."""
        if isinstance(value, str) and value:
            return Markup(f' lang="{self.default_lang}"')
        if isinstance(value, Text) and len(value.values) == 1:
            return Markup(f' lang="{value.languages[0]}"')
        return Markup("")

    def _lang_attr(self, value: Text | None) -> Markup:
        """` lang="ja"` when a text is shown in another language than the page's (it has no translation)."""
        if value is None or value.has(self.lang):
            return Markup("")
        return Markup(f' lang="{value.languages[0]}"')

    def _date(self, moment: datetime) -> str:
        return i18n.format_date(moment, self.lang)

    def prefix(self, lang: str) -> str:
        """The folder of a language's site-wide pages: none for the default language."""
        return "" if lang == self.default_lang else f"{lang}/"

    def _render(self, name: str, path: str, alternates: list[dict], **context) -> bytes:
        template = self._templates.get(name)
        if template is None:
            try:
                template = self._templates[name] = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:  # as a TemplateProblem, it crosses from a worker process
                raise TemplateProblem(exc.message or "syntax error", exc.filename, exc.lineno or 0) from None
        context.update(
            root="../" * path.count("/"),
            prefix=self.prefix(self.lang),
            path=path,
            alternates=alternates,
            page_url=self.site.urls.url(path),
        )
        if isinstance(self.env, ThemeEnvironment):  # exactly when self.sandboxed
            return self.env.render_page(template, context).encode("utf-8")
        return template.render(context).encode("utf-8")

    def render_mail(self, name: str, **context) -> str:
        """A message of `sitegen notify` from the theme's mail/ templates (a Renderer made with folder="mail"):
        the same sandbox and budget as the pages."""
        return self._render(name, "", [], **context).decode("utf-8")

    def _alternates(self, rel: str) -> list[dict]:
        """Links to the same site-wide page in the other languages."""
        here = self.prefix(self.lang) + rel
        depth = "../" * here.count("/")
        return [
            {"lang": lang, "label": i18n.LANGUAGE_NAMES[lang], "href": depth + self.prefix(lang) + rel, "script": False}
            for lang in LANGUAGES
            if lang != self.lang
        ]

    def site_page(self, template: str, rel: str, **context) -> tuple[str, bytes]:
        path = self.prefix(self.lang) + rel
        return path, compact_html(self._render(template, path, self._alternates(rel), **context))

    def index(self) -> tuple[str, bytes]:
        issuers = [(issuer, self.site.badges_of(issuer.slug)) for issuer in self.site.issuers.values()]
        return self.site_page("index.html", "index.html", issuers=issuers)

    def issuer(self, issuer: Issuer) -> tuple[str, bytes]:
        return self.site_page(
            "issuer.html",
            self.site.urls.issuer_page(issuer.slug),
            issuer=issuer,
            badges=self.site.badges_of(issuer.slug),
        )

    def share_image(self, badge: BadgeClass) -> dict:
        """The picture of a badge's link previews: its URL and, for a PNG, its size (previews show no SVG: an
        SVG badge is shared as its PNG preview)."""
        image = self._share_images.get(badge.slug)
        if image is None:
            urls = self.site.urls
            if badge.image.preview:
                url, data = urls.url(urls.badge_preview(badge.slug)), badge.image.preview
            else:
                url, data = urls.url(urls.badge_image(badge.slug, badge.image.kind)), badge.image.data
            size = png_size(data)
            image = self._share_images[badge.slug] = {
                "url": url,
                "width": size[0] if size else None,
                "height": size[1] if size else None,
            }
        return image

    def microcredential_tables(self, badge: BadgeClass, award: Award | None, path: str, langs) -> list[dict]:
        """The micro-credential table of a badge in each of `langs` (none for a badge without the block):
        {"lang", "heading", "caption", "rows"}. An award page switched by script carries one per language."""
        if badge.microcredential is None:
            return []
        root = "../" * path.count("/")
        issuer = self.site.issuers[badge.issuer]
        tables = []
        for lang in langs:
            words = i18n.translations(lang).gettext
            rows = microcredential_rows(self.site, badge, issuer, award, lang, root + self.prefix(lang))
            if not rows:  # an empty block: no empty table
                return []
            tables.append(
                {
                    "lang": lang,
                    "heading": words(MICROCREDENTIAL_HEADING),
                    "caption": words(MICROCREDENTIAL_CAPTION),
                    "rows": rows,
                }
            )
        return tables

    def badge(self, badge: BadgeClass) -> tuple[str, bytes]:
        rel = self.site.urls.badge_page(badge.slug)
        return self.site_page(
            "badge.html",
            rel,
            badge=badge,
            issuer=self.site.issuers[badge.issuer],
            share_image=self.share_image(badge),
            microcredential=self.microcredential_tables(badge, None, self.prefix(self.lang) + rel, [self.lang]),
        )

    def verify_page(self) -> tuple[str, bytes]:
        return self.site_page("verify.html", "verify.html")

    def award_page_path(self, award: Award) -> str:
        return self.prefix(self.lang) + self.site.urls.assertion_page(award.id)

    def award(self, award: Award) -> bytes:
        badge = self.site.badges[award.badge]
        rel = self.site.urls.assertion_page(award.id)
        path = self.award_page_path(award)
        depth = "../" * path.count("/")
        if self.site.config.award_pages == "every_language":
            alternates = [
                {
                    "lang": lang,
                    "label": i18n.LANGUAGE_NAMES[lang],
                    "script": False,
                    "href": depth + self.prefix(lang) + rel,
                }
                for lang in LANGUAGES
                if lang != self.lang
            ]
        else:
            # One page, switched in place by the script. Without it, the link leads to the badge's page in
            # that language: its name, description and criteria.
            alternates = [
                {
                    "lang": lang,
                    "label": i18n.LANGUAGE_NAMES[lang],
                    "script": True,
                    "href": depth + self.prefix(lang) + self.site.urls.badge_page(badge.slug),
                }
                for lang in LANGUAGES
                if lang != self.lang
            ]
        # The address to share, per language: a single page switched by script is shared from the other
        # language's view with ?lang=…, so that whoever opens the link reads it in that language too.
        page_url = self.site.urls.url(path)
        share_urls = {self.lang: page_url}
        if self.site.config.award_pages != "every_language":
            share_urls.update({lang: f"{page_url}?lang={lang}" for lang in LANGUAGES if lang != self.lang})
        credential_url = self.site.urls.url(self.site.urls.credential_json(award.id))
        # The page's language first: the others are hidden until the reader switches to them.
        table_langs = [self.lang] + [lang for lang in share_urls if lang != self.lang]
        page = self._render(
            "award.html",
            path,
            alternates,
            award=published_award(award),
            imported_platform=award.imported_from
            and PLATFORM_NAMES.get(award.imported_from.platform, award.imported_from.platform),
            award_state=award_state(award, self.today),
            badge=badge,
            issuer=self.site.issuers[badge.issuer],
            # The page's QR codes are drawn by site.js from its address (not in each of 100,000 pages); `qr`, the
            # page's own as an <img>, and `linkedin`, the complete link, are made only for a theme of the
            # repository's own that reads them (sitegen's pages carry linkedin_badge, which site.js completes).
            qr=qr_image(page_url, self.qr_label) if self.theme_reads("qr") else "",
            share_urls=share_urls,
            share_image=self.share_image(badge),
            linkedin=(
                linkedin_url(self.site, award, self.lang, prefixes=self._linkedin_prefixes, cert_url=page_url)
                if self.theme_reads("linkedin")
                else ""
            ),
            linkedin_badge=self._linkedin_badge_url(badge.slug),
            credentials=self.credentials_published,
            credential_url=credential_url,
            baked_names={version: baked_file_name(badge, award, version) for version in ("ob2", "ob3")},
            microcredential=self.microcredential_tables(badge, published_award(award), path, table_langs),
        )
        return implicit_keys(without_block_line_breaks(compact_html(page)), *self._switch_words())

    def _linkedin_badge_url(self, badge_slug: str) -> str:
        url = self._linkedin_badge_urls.get(badge_slug)
        if url is None:
            url = self._linkedin_badge_urls[badge_slug] = linkedin_badge_url(self.site, badge_slug, self.lang)
        return url

    def theme_reads(self, variable: str) -> bool:
        """Whether a template of the theme reads `variable` from its context (asked of every template once)."""
        if self._theme_variables is None:
            self._theme_variables = set().union(*(self._template_variables(name) for name in self._template_names()))
        return variable in self._theme_variables

    def _template_names(self) -> list[str]:
        return [name for name in self.env.loader.list_templates() if name.endswith(".html")] if self.env.loader else []

    def _template_variables(self, name: str) -> set[str]:
        """The variables a template reads from its context (none when it does not parse: rendering reports it)."""
        try:
            source = self.env.loader.get_source(self.env, name)[0] if self.env.loader else ""
            return jinja2.meta.find_undeclared_variables(self.env.parse(source))
        except jinja2.TemplateError:
            return set()

    def _switch_words(self) -> tuple[dict[str, str], frozenset[str]]:
        """The page language's words by msgid (none for English: its words are the msgids), and the words more
        than one msgid translates to: the script could not tell their msgid from them."""
        if self._switch_catalogue is None:
            catalogue = {} if self.lang == "en" else i18n.catalogue(self.lang)
            words = {key: text for key, text in catalogue.items() if isinstance(text, str)}
            counts = Counter(words.values())
            self._switch_catalogue = (words, frozenset(text for text, n in counts.items() if n > 1))
        return self._switch_catalogue

    def language_pack(self) -> bytes:
        """What an award page's script needs to show itself in this language: interface text, and the
        issuers' and badges' text in this language."""
        pack = {
            "lang": self.lang,
            "site": self.site.config.name.get(self.lang),
            "ui": i18n.catalogue(self.lang) if self.lang != "en" else {},
            "issuers": {slug: {"name": issuer.name.get(self.lang)} for slug, issuer in self.site.issuers.items()},
            "badges": {
                slug: {
                    "name": badge.name.get(self.lang),
                    "caption": badge.image_caption.get(self.lang),
                    "description": str(render_markdown(badge.description.get(self.lang))),
                    "criteria": str(render_markdown(badge.criteria.get(self.lang))),
                }
                for slug, badge in self.site.badges.items()
            },
            "verify_words": self.verify_words(),
            # The parts of an award page only its script uses (<template id="award-parts">): here once, not in
            # every page.
            "award_parts": compact_html(
                self._render("_award_parts.html", f"assets/i18n/{self.lang}.json", [])
            ).decode(),
        }
        return (json.dumps(pack, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")

    def verify_words(self) -> str:
        """The verification words in this language: the two <template>s verify.html carries inline. Award pages
        load them from the language pack instead: 12 KB less on every award page, cached once for all."""
        path = f"assets/i18n/{self.lang}.json"
        return "".join(compact_html(self._render(name, path, [])).decode("utf-8") for name in VERIFY_WORDS)

    def extra_pages(self) -> list[tuple[str, bytes]]:
        """Pages that belong to no issuer, badge or award (output path, bytes)."""
        return [self.verify_page()]
