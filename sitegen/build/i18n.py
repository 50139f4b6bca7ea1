"""Interface text in Japanese and English (gettext catalogues read with Babel) and dates per language.

The pages' catalogue is `sitegen/locale/<lang>/LC_MESSAGES/sitegen.po` (the templates' words, extracted with
sitegen's own messages' `cli.po` by `python tools/catalogues.py`); it is compiled in memory when first used, so no
binary file is kept in the repository.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.units import format_unit

from sitegen import messages
from sitegen.messages import LOCALE_DIR

LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


def translations(lang: str):
    """The pages' translations of a language (the `sitegen` catalogue; sitegen's own messages are `cli`)."""
    return messages.translations(lang, "sitegen")


def format_date(moment: datetime, lang: str) -> str:
    """A date as people of that language write it: 2026年4月1日, April 1, 2026."""
    return _format_day(moment.date(), lang)


@lru_cache(maxsize=4096)
def _format_day(day, lang: str) -> str:
    # Awards of a cohort share their dates: format each day once.
    return babel_format_date(day, format="long", locale=lang)


_DURATION_PARTS = re.compile(r"(\d+)([YMWD])")
_DURATION_UNITS = {"Y": "duration-year", "M": "duration-month", "W": "duration-week", "D": "duration-day"}


@lru_cache(maxsize=256)
def format_duration(duration: str, lang: str) -> str:
    """An ISO 8601 duration of a badge's validity as people read it: P1Y6M → "1 year, 6 months", "1 年 6 か月"."""
    parts = [
        format_unit(int(number), _DURATION_UNITS[unit], length="long", locale=lang)
        for number, unit in _DURATION_PARTS.findall(duration)
        if int(number)
    ]
    return format_list(parts, style="unit", locale=lang) if parts else duration


def catalogue(lang: str) -> dict[str, str | tuple[str, ...] | list[str]]:
    """Every translated message (msgid → text; a plural message's forms as a sequence), for the pages' script
    when a reader switches language."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "sitegen.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
