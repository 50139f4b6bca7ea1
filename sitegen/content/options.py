"""The site-option table at work: `site.yaml` checked against it, and the option lists made from it.

The table itself is `model.SiteConfig` (one `option(...)` per key). A choice option needs nothing here: its
reader is generic. Options whose value has structure (a URL, a text, keys...) have their reader below.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from sitegen.content.load import LineDict
from sitegen.messages import _
from sitegen.model import (
    LANGUAGES,
    PACKAGE_THEMES,
    Ob2SigningKey,
    OptionDoc,
    PublicKey,
    SiteConfig,
    Text,
    site_options,
)

if TYPE_CHECKING:
    from sitegen.content.validate import _File

# Lowercase letters, digits and inner hyphens: content file names, theme folders and key ids.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
OFFSET = re.compile(r"^(?:Z|UTC|([+-])(\d{2}):(\d{2}))$")
MULTIKEY = re.compile(r"^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$")
KEY_KEYS = {"id", "public_key", "retired"}
# Diagnostic codes (sitegen/diagnostics.py CODES): a value an option does not allow, and a signing key problem.
BAD_VALUE = "content.invalid-option"
KEY_PROBLEM = "content.invalid-key"

# What a site is checked against when its site.yaml is missing or has errors, so that the other files are still
# checked in the same run.
NEUTRAL_CONFIG = SiteConfig(base_url="https://example.invalid", name=Text((("en", "site"),)))


def read_site_config(f: _File, raw: Any, root: Path) -> SiteConfig | None:
    """The checked site.yaml, or None when it has errors (each reported through `f`, at its line)."""
    data = f.mapping(raw, "site.yaml")
    if data is None:
        return None
    options = dict(site_options())
    f.known_keys(data, {row.key for row in options.values()}, "site.yaml")
    # The default language first: the texts of the other options are stored under it.
    f.lang = _choice(f, data, options["default_language"])
    values: dict[str, Any] = {"default_language": f.lang}
    for name, row in options.items():
        if name == "default_language":
            continue
        reader = STRUCTURED.get(row.key)
        values[name] = reader(f, data, root) if reader else _choice(f, data, row)
    keys, ob2_key = values["keys"], values["ob2_key"]
    if keys and ob2_key and ob2_key.id in {k.id for k in keys}:
        f.error_at(
            data,
            "ob2_signing",
            KEY_PROBLEM,
            _("key id '{id}' is used twice: keys/{id}.json can hold one key").format(id=ob2_key.id),
        )
    if not f.ok:
        return None
    return SiteConfig(**values)


def _choice(f: _File, data: LineDict, row: OptionDoc) -> str:
    """A value from the row's closed set; its default when absent, and (reported) when not allowed."""
    assert row.default is not None and row.allowed, f"'{row.key}' is not a choice: give it a reader in STRUCTURED"
    value = f.string(data, row.key, required=False) or row.default
    if value not in row.allowed:
        f.error_at(
            data,
            row.key,
            BAD_VALUE,
            _("'{key}' must be {allowed}, not '{value}'").format(
                key=row.key, allowed=_(" or ").join(row.allowed), value=value
            ),
        )
        return row.default
    return value


def _base_url(f: _File, data: LineDict, root: Path) -> str | None:
    base_url = f.url(data, "base_url")
    if base_url and re.search(r"[?#]", base_url):
        f.error_at(data, "base_url", BAD_VALUE, _("'base_url' must not have a query or fragment"))
    elif base_url and re.search(r"[\"'<>\\`{}|^@]", base_url):
        # It is written into every page and document as it is: only plain URL characters.
        f.error_at(
            data,
            "base_url",
            BAD_VALUE,
            _("'base_url' may hold letters, digits and - . _ ~ / : % only, not '{value}'").format(value=base_url),
        )
    elif base_url:
        scheme, rest = base_url.split("://", 1)
        host = rest.split("/", 1)[0]
        if host != host.lower():
            # Verifiers fetch the lowercased host, and then the ids no longer equal the URLs they come from.
            fixed = f"{scheme}://{host.lower()}{rest[len(host) :]}"
            f.error_at(data, "base_url", BAD_VALUE, _("'base_url' must have a lowercase host: {url}").format(url=fixed))
    return base_url.rstrip("/") if base_url else None


def _name(f: _File, data: LineDict, root: Path) -> Text | None:
    return f.text(data, "name")


def _timezone(f: _File, data: LineDict, root: Path) -> timezone | None:
    tz = parse_timezone(data.get("timezone"))
    if tz is None:
        f.error_at(
            data,
            "timezone",
            BAD_VALUE,
            _("'timezone' must be an offset like \"+09:00\" or \"Z\", not '{value}'").format(
                value=data.get("timezone")
            ),
        )
    return tz


def parse_timezone(value: Any) -> timezone | None:
    if value is None:
        return timezone.utc
    match = OFFSET.match(str(value).strip())
    if not match:
        return None
    if match.group(1) is None:
        return timezone.utc
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3))
    if minutes > 59 or hours * 60 + minutes > 14 * 60:  # no place on Earth is further than 14 hours from UTC
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _theme(f: _File, data: LineDict, root: Path) -> str:
    theme = f.string(data, "theme", required=False, pattern=SLUG, hint=_("a folder name under themes/")) or "default"
    if theme != "default" and not (root / "themes" / theme).is_dir() and not (PACKAGE_THEMES / theme).is_dir():
        f.error_at(
            data,
            "theme",
            BAD_VALUE,
            _("theme '{theme}' not found: there is no folder themes/{theme}/").format(theme=theme),
        )
    return theme


def _ob2_key(f: _File, data: LineDict, root: Path) -> Ob2SigningKey | None:
    """Optional OB 2.0 signed assertions: `ob2_signing: {key_id, public_key: <RSA public key PEM>}`."""
    raw = data.get("ob2_signing")
    if raw in (None, False):
        return None
    what = _("'{key}' ({example})").format(key="ob2_signing", example="{key_id, public_key}")
    raw = f.mapping(raw, what, data.line_of("ob2_signing"))
    if raw is None:
        return None
    f.known_keys(raw, {"key_id", "public_key"}, _("'{key}'").format(key="ob2_signing"))
    key_id = f.string(raw, "key_id", pattern=SLUG, hint=_("lowercase letters, digits and hyphens"))
    pem = f.string(raw, "public_key")
    if pem is None or key_id is None:
        return None
    if "PRIVATE" in pem:
        f.error_at(
            raw, "public_key", KEY_PROBLEM, _("this is a private key: never put a private key in the repository")
        )
        return None
    try:
        public = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        f.error_at(
            raw, "public_key", KEY_PROBLEM, _("'public_key' is not a PEM public key (-----BEGIN PUBLIC KEY-----…)")
        )
        return None
    if not isinstance(public, rsa.RSAPublicKey) or public.key_size < 2048:
        f.error_at(
            raw, "public_key", KEY_PROBLEM, _("Open Badges 2.0 signing needs an RSA key of at least 2048 bits (RS256)")
        )
        return None
    return Ob2SigningKey(key_id, pem.strip() + "\n")


def _keys(f: _File, data: LineDict, root: Path) -> tuple[PublicKey, ...]:
    """The Open Badges 3.0 signing keys: public halves only (`sitegen keys generate` prints an entry)."""
    keys: list[PublicKey] = []
    for item, line in f.items(data, "keys", "{id, public_key, retired}"):
        item = f.mapping(item, _("a key"), line)
        if item is None:
            continue
        f.known_keys(item, KEY_KEYS, _("a key"))
        key_id = f.string(item, "id", pattern=SLUG, hint=_("lowercase letters, digits and hyphens"))
        public = f.string(
            item,
            "public_key",
            pattern=MULTIKEY,
            hint=_("an Ed25519 Multikey, z6Mk…, as `sitegen keys generate` prints"),
        )
        if "private" in str(item.get("public_key", "")).lower():
            f.error_at(
                item,
                "public_key",
                KEY_PROBLEM,
                _("this looks like a private key: never put a private key in the repository"),
            )
        if key_id and public:
            if any(k.id == key_id for k in keys):
                f.error_at(item, "id", KEY_PROBLEM, _("duplicate key id '{id}'").format(id=key_id))
            keys.append(PublicKey(key_id, public, f.boolean(item, "retired")))
    if keys and not any(not k.retired for k in keys):
        f.error_at(data, "keys", KEY_PROBLEM, _("every key is retired: add a new key to sign new credentials"))
    return tuple(keys)


def _published_languages(f: _File, data: LineDict, root: Path) -> tuple[str, ...]:
    """`[ja, en]`: the default language first, each other one once."""
    languages: list[str] = []
    for item, line in f.items(data, "published_languages", _("languages")):
        if item not in LANGUAGES:
            f.error(
                line,
                BAD_VALUE,
                _("'published_languages' may list {languages}, not '{value}'").format(
                    languages=_(" and ").join(LANGUAGES), value=item
                ),
            )
        elif item in languages:
            f.error(line, BAD_VALUE, _("'published_languages' lists '{value}' twice").format(value=item))
        else:
            languages.append(item)
    if languages and f.lang not in languages:
        f.error_at(
            data,
            "published_languages",
            BAD_VALUE,
            _("'published_languages' must list the default language '{lang}' too: badges are published in it").format(
                lang=f.lang
            ),
        )
    return tuple(sorted(languages, key=lambda lang: lang != f.lang))


def _published_languages_since(f: _File, data: LineDict, root: Path) -> date | None:
    moment = f.moment(data, "published_languages_since", tz=timezone.utc, required=False)
    return moment.date() if moment else None


SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$", re.IGNORECASE)
SIZE_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}  # decimal, as GitHub counts its 1 GB


def parse_size(text: str) -> int | None:
    """Bytes of a size written like `1GB`, `1.5 TB`, `500MB` or `1000000`; None when it is not one (or not > 0)."""
    match = SIZE.match(text.strip())
    if not match:
        return None
    size = int(float(match.group(1)) * SIZE_UNITS[(match.group(2) or "B").upper()])
    return size if size > 0 else None


def _size_limit(f: _File, data: LineDict, root: Path) -> int:
    default = 10**9
    if data.get("size_limit") is None:
        return default
    size = parse_size(str(data.get("size_limit")))
    if size is None:
        f.error_at(
            data,
            "size_limit",
            BAD_VALUE,
            _("'size_limit' must be a size like 1GB, 20GB or 1.5TB, not '{value}'").format(
                value=data.get("size_limit")
            ),
        )
        return default
    return size


# The readers of options a closed set of values cannot describe, by site.yaml key.
STRUCTURED: dict[str, Callable[[_File, LineDict, Path], Any]] = {
    "base_url": _base_url,
    "name": _name,
    "timezone": _timezone,
    "theme": _theme,
    "keys": _keys,
    "ob2_signing": _ob2_key,
    "published_languages": _published_languages,
    "published_languages_since": _published_languages_since,
    "size_limit": _size_limit,
}


def commented_site_yaml() -> str:
    """`sitegen new`'s site.yaml: every option under a comment with its doc; an option without an example is
    written as its default, commented out, so the file builds exactly as if it were absent."""
    out = ["# The site's options. Each is explained above it; a commented-out line shows the option's default."]
    for _key, row in site_options():
        out.append("")
        out.extend(
            textwrap.wrap(f"{row.doc} {_default_note(row)}", width=110, initial_indent="# ", subsequent_indent="# ")
        )
        out.append(f"{row.key}: {row.example}" if row.example is not None else f"# {row.key}: {row.default}")
    return "\n".join(out) + "\n"


def _default_note(row: OptionDoc) -> str:
    if row.default is None:
        return "(required)"
    allowed = f"{' or '.join(row.allowed)}; " if row.allowed else ""
    return f"({allowed}default: {row.default})"


def options_markdown() -> str:
    """The README's list of site.yaml options (tools/site_options.py writes it there)."""
    out = [
        "| option | type | default | allowed values | since | what it does |",
        "|---|---|---|---|---|---|",
    ]
    for _key, row in site_options():
        default = "*required*" if row.default is None else f"`{row.default}`"
        allowed = ", ".join(f"`{value}`" for value in row.allowed)
        out.append(f"| `{row.key}` | {row.type} | {default} | {allowed} | {row.since} | {row.doc} |")
    return "\n".join(out) + "\n"
