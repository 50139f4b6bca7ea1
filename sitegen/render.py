"""HTML pages from Jinja2 templates (autoescape on, strict undefined) and Markdown rendered safely.

Site-wide pages (index, issuers, badges, verify) are written in every language: the default language at the
URL-scheme path, the other under `{lang}/`. Award pages, the bulk of a site, exist once, in the default
language, and their script switches them to the other language from `assets/i18n/{lang}.json`; with
`award_pages: every_language` they are written in every language too.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
import markdown as markdown_lib
import nh3
from markupsafe import Markup

from sitegen import i18n
from sitegen.emit import format_datetime, to_uri
from sitegen.model import LANGUAGES, PACKAGE_THEMES, Award, BadgeClass, Issuer, Site, Text


# What Markdown may produce; everything else (script, style, iframes, event handlers, javascript: links)
# is removed by the sanitizer, whatever the YAML says.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "td": {"align"}, "th": {"align"}}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
VIDEO_EXTENSIONS = (".mp4", ".webm", ".ogv")


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Where templates and assets are looked up, first match wins: the site's own theme, then the default."""
    dirs = [root / "themes" / theme, PACKAGE_THEMES / theme]
    if theme != "default":
        dirs += [root / "themes" / "default"]
    dirs.append(PACKAGE_THEMES / "default")
    return [d for d in dirs if d.is_dir()]


def media_kind(url: str | None) -> str | None:
    """"image" or "video" when an evidence link points at media a page can show inline."""
    path = (url or "").split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith(IMAGE_EXTENSIONS):
        return "image"
    if path.endswith(VIDEO_EXTENSIONS):
        return "video"
    return None


_DARK_RUN = re.compile(rb"\x00+")
QR_QUIET_ZONE = 4


def qr_svg(url: str, label: str = "QR code") -> Markup:
    """The QR code of a URL as inline SVG: zxing-cpp encodes it (a pure-Python encoder took several
    milliseconds per award, the largest cost of a big site's build). Each row of modules is one line of a
    single stroked path, moving over the light runs: a third of the bytes of one rectangle per dark run."""
    import zxingcpp

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    matrix = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    width, q = matrix.shape[1], QR_QUIET_ZONE
    modules = bytes(matrix)
    path = []
    for y in range(matrix.shape[0]):
        pen = None  # where the pen stands in this row, after the last dark run
        for run in _DARK_RUN.finditer(modules, y * width, (y + 1) * width):
            start, end = run.start() - y * width + q, run.end() - y * width + q
            path.append(f"M{start} {y + q}.5h{end - start}" if pen is None else f"m{start - pen} 0h{end - start}")
            pen = end
    size = width + 2 * q
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
                  f'aria-label="{escape(label)}: {escape(url)}"><rect width="{size}" height="{size}" fill="#fff"/>'
                  f'<path stroke="#1d2330" shape-rendering="crispEdges" d="{"".join(path)}"/></svg>')


def linkedin_url(site: Site, award: Award, lang: str, prefixes: dict | None = None) -> str:
    """LinkedIn's "Add to profile" link, pre-filled with the certification. `prefixes` keeps the part that
    is the same for every award of a badge."""
    prefixes = {} if prefixes is None else prefixes
    prefix = prefixes.get(award.badge)
    if prefix is None:
        badge = site.badges[award.badge]
        fields = {"startTask": "CERTIFICATION_NAME", "name": badge.name.get(lang),
                  "organizationName": site.issuers[badge.issuer].name.get(lang)}
        prefix = prefixes[award.badge] = "https://www.linkedin.com/profile/add?" + urlencode(fields)
    fields = {"issueYear": award.issued_on.year, "issueMonth": award.issued_on.month}
    if award.expires:
        fields.update(expirationYear=award.expires.year, expirationMonth=award.expires.month)
    fields.update(certUrl=site.urls.url(site.urls.assertion_page(award.id)), certId=award.id)
    return prefix + "&" + urlencode(fields)


class Renderer:
    def __init__(self, root: Path, site: Site, lang: str | None = None):
        self.site = site
        self.lang = lang or site.config.default_language
        self.default_lang = site.config.default_language
        dirs = theme_dirs(root, site.config.theme)
        loaders = [jinja2.FileSystemLoader(str(d / "templates")) for d in dirs]
        # A theme's own templates come from the content repository, so from pull requests, and are rendered by
        # the check, the preview and the deploy build (which holds the signing key): they run in the sandbox.
        # sitegen's own templates are its code; they run without the sandbox's cost (about 15 % of a build).
        own_templates = any((d / "templates").is_dir() and not d.is_relative_to(PACKAGE_THEMES) for d in dirs)
        environment = ImmutableSandboxedEnvironment if own_templates else jinja2.Environment
        self.env = environment(
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
        self.env.install_gettext_callables(translations.gettext, translations.ngettext, newstyle=False)
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
        self.env.globals.update(site=site, lang=self.lang, urls=site.urls, media_kind=media_kind,
                                language_names=i18n.LANGUAGE_NAMES, default_lang=self.default_lang)
        self._templates = {}
        self._linkedin_prefixes: dict[str, str] = {}
        # Set by the build when signed Open Badges 3.0 credentials are published next to the pages.
        self.credentials_published = False

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
            template = self._templates[name] = self.env.get_template(name)
        root = "../" * path.count("/")
        return template.render(root=root, prefix=self.prefix(self.lang), path=path, alternates=alternates,
                               page_url=self.site.urls.url(path), **context).encode("utf-8")

    def _alternates(self, rel: str) -> list[dict]:
        """Links to the same site-wide page in the other languages."""
        here = self.prefix(self.lang) + rel
        depth = "../" * here.count("/")
        return [{"lang": lang, "label": i18n.LANGUAGE_NAMES[lang], "href": depth + self.prefix(lang) + rel, "script": False}
                for lang in LANGUAGES if lang != self.lang]

    def site_page(self, template: str, rel: str, **context) -> tuple[str, bytes]:
        path = self.prefix(self.lang) + rel
        return path, self._render(template, path, self._alternates(rel), **context)

    def index(self) -> tuple[str, bytes]:
        issuers = [(issuer, self.site.badges_of(issuer.slug)) for issuer in self.site.issuers.values()]
        return self.site_page("index.html", "index.html", issuers=issuers)

    def issuer(self, issuer: Issuer) -> tuple[str, bytes]:
        return self.site_page("issuer.html", self.site.urls.issuer_page(issuer.slug), issuer=issuer,
                              badges=self.site.badges_of(issuer.slug))

    def badge(self, badge: BadgeClass) -> tuple[str, bytes]:
        return self.site_page("badge.html", self.site.urls.badge_page(badge.slug), badge=badge,
                              issuer=self.site.issuers[badge.issuer])

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
            alternates = [{"lang": lang, "label": i18n.LANGUAGE_NAMES[lang], "script": False,
                           "href": depth + self.prefix(lang) + rel} for lang in LANGUAGES if lang != self.lang]
        else:
            # One page, switched in place by the script. Without it, the link leads to the badge's page in
            # that language: its name, description and criteria.
            alternates = [{"lang": lang, "label": i18n.LANGUAGE_NAMES[lang], "script": True,
                           "href": depth + self.prefix(lang) + self.site.urls.badge_page(badge.slug)}
                          for lang in LANGUAGES if lang != self.lang]
        return self._render("award.html", path, alternates, award=award, badge=badge,
                            issuer=self.site.issuers[badge.issuer], qr=qr_svg(self.site.urls.url(path), self.qr_label),
                            linkedin=linkedin_url(self.site, award, self.lang, self._linkedin_prefixes),
                            credentials=self.credentials_published)

    def language_pack(self) -> bytes:
        """What an award page's script needs to show itself in this language: interface text, and the
        issuers' and badges' text in this language."""
        pack = {
            "lang": self.lang,
            "site": self.site.config.name.get(self.lang),
            "ui": i18n.catalogue(self.lang) if self.lang != "en" else {},
            "issuers": {slug: {"name": issuer.name.get(self.lang)} for slug, issuer in self.site.issuers.items()},
            "badges": {slug: {"name": badge.name.get(self.lang),
                              "caption": badge.image_caption.get(self.lang),
                              "description": str(render_markdown(badge.description.get(self.lang))),
                              "criteria": str(render_markdown(badge.criteria.get(self.lang)))}
                       for slug, badge in self.site.badges.items()},
        }
        return (json.dumps(pack, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")

    def extra_pages(self) -> list[tuple[str, bytes]]:
        """Pages that belong to no issuer, badge or award (output path, bytes)."""
        return [self.verify_page()]
