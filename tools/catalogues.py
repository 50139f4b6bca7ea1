"""Extract the two gettext catalogues and bring the Japanese ones up to date:

- `sitegen` — the pages: the themes' templates (and their mail templates, rendered the same way) and the page words
  render.py marks with N_(). The site publishes this catalogue's Japanese (assets/i18n/ja.json) for the award
  pages' language switch.
- `cli` — sitegen's own messages: every _(), ngettext() and N_() in sitegen/**/*.py (the terminal, --help, check's
  plan, serve's error page, mail). Never published.

    python tools/catalogues.py           # write sitegen/locale/{sitegen,cli}.pot and update ja/LC_MESSAGES/*.po
    python tools/catalogues.py --check   # exit 1 when a message lacks its Japanese (or a .pot is out of date)

A message in both keeps one translation in each. Translations are never lost: a message that leaves a catalogue is
kept as obsolete (#~) in its .po.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "sitegen" / "locale"
LANGUAGES = ("ja",)
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n"}
PY_KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


def _add(catalog: Catalog, found, path: Path) -> None:
    for _line, message, _comments, context in found:
        if message:
            catalog.add(message, locations=[], context=context)


def page_messages() -> Catalog:
    catalog = Catalog(domain="sitegen")
    themes = ROOT / "sitegen" / "themes"
    for path in sorted([*themes.glob("**/templates/**/*.html"), *themes.glob("**/mail/**/*")]):
        if not path.is_file():
            continue
        _add(catalog, extract_from_file("jinja2", path, options=TEMPLATE_OPTIONS), path)
    render = ROOT / "sitegen" / "build" / "render.py"
    _add(catalog, extract_from_file("python", render, keywords={"N_": None}), render)
    return catalog


def cli_messages() -> Catalog:
    catalog = Catalog(domain="cli")
    for path in sorted((ROOT / "sitegen").glob("**/*.py")):
        _add(catalog, extract_from_file("python", path, keywords=PY_KEYWORDS), path)
    return catalog


def _pot_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=True, no_location=True, sort_output=True, width=0)
    return buffer.getvalue()


def _read(path: Path, lang: str) -> Catalog:
    if not path.is_file():
        return Catalog(locale=lang)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def translations_known(lang: str) -> dict:
    """Every translation in either .po of a language (the pages' first), by message id."""
    known: dict = {}
    for domain in ("cli", "sitegen"):
        catalog = _read(LOCALE / lang / "LC_MESSAGES" / f"{domain}.po", lang)
        for message in list(catalog) + list(catalog.obsolete.values()):
            if message.id and message.string and (isinstance(message.string, str) or all(message.string)):
                known[message.id] = message.string
    return known


def updated(template: Catalog, lang: str, known: dict, old: Catalog, in_use: set) -> Catalog:
    """The .po of `template`: every message with its known translation; what left the code entirely (`in_use`:
    the messages of both catalogues) stays, as obsolete, so that no translation is lost."""
    po = Catalog(locale=lang, domain=template.domain)
    for message in template:
        if message.id:
            po.add(message.id, known.get(message.id, "" if isinstance(message.id, str) else ("",) * 2))
    for message in list(old) + list(old.obsolete.values()):
        if message.id and message.id not in in_use and message.string:
            po.obsolete[message.id] = message
    return po


def missing(po: Catalog) -> list[str]:
    return [str(m.id) for m in po if m.id and (not m.string or (not isinstance(m.string, str) and not all(m.string)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when anything is out of date")
    args = parser.parse_args(argv)
    problems = []
    templates = (page_messages(), cli_messages())
    in_use = {message.id for template in templates for message in template if message.id}
    for lang in LANGUAGES:
        known = translations_known(lang)
        for template in templates:
            pot = LOCALE / f"{template.domain}.pot"
            po_path = LOCALE / lang / "LC_MESSAGES" / f"{template.domain}.po"
            po = updated(template, lang, known, _read(po_path, lang), in_use)
            po_bytes = _pot_bytes(po)
            if args.check:
                if not pot.is_file() or pot.read_bytes() != _pot_bytes(template):
                    problems.append(f"{pot.relative_to(ROOT)} is out of date")
                problems += [f"{po_path.relative_to(ROOT)}: no Japanese for {m!r}" for m in missing(po)]
            else:
                pot.write_bytes(_pot_bytes(template))
                po_path.write_bytes(po_bytes)
                problems += [f"{po_path.relative_to(ROOT)}: no Japanese for {m!r}" for m in missing(po)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
