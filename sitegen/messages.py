"""The language of sitegen's own messages (diagnostics, CLI output, --help), and their translations.

Messages are written in English in the code and translated through the `cli` gettext catalogue
(sitegen/locale/<lang>/LC_MESSAGES/cli.po; the pages have their own, `sitegen`, which a site publishes for its
award pages' language switch: tools/catalogues.py extracts both). The CLI chooses the language once, at start,
from `--lang` or the environment (LC_ALL, LC_MESSAGES, LANG, LANGUAGE); the library then words every message it
makes in it. Wrap a message as `_("'{key}' must be text").format(key=key)`: the placeholders keep their names
in the translation.
"""

from __future__ import annotations

import io
import locale
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
MESSAGE_LANGUAGES = ("en", "ja")
_current = {"lang": "en"}


def use_language(lang: str) -> None:
    """Word every message from now on in `lang` (en or ja)."""
    if lang not in MESSAGE_LANGUAGES:
        raise ValueError(f"no messages in {lang!r}")
    _current["lang"] = lang


def message_language() -> str:
    return _current["lang"]


def language_from_environment(environ: Mapping[str, str], windows_locale: str | None = None) -> str:
    """ja when the user's locale is Japanese (LC_ALL, then LC_MESSAGES, LANG, LANGUAGE, as gettext reads them;
    on Windows, which sets none of them, the user's locale: "Japanese_Japan"), else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value and value not in ("C", "POSIX"):
            first = value.split(":")[0]
            return "ja" if first.lower().startswith("ja") else "en"
    if windows_locale is None and sys.platform == "win32":
        windows_locale = locale.getlocale()[0] or ""
    return "ja" if (windows_locale or "").lower().startswith(("ja", "japanese")) else "en"


@cache
def translations(lang: str, domain: str = "cli") -> NullTranslations:
    """The gettext translations of a language in a catalogue (`cli`: these messages; `sitegen`: the pages');
    English is the source language."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def _(message: str) -> str:
    """`message` in the chosen language (itself when it has no translation)."""
    lang = _current["lang"]
    return message if lang == "en" else translations(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _current["lang"]
    if lang == "en":
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)
