"""HTML pages from Jinja2 templates (autoescape on, strict undefined) and Markdown rendered safely."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jinja2
import markdown as markdown_lib
import nh3
from markupsafe import Markup

from sitegen import i18n
from sitegen.emit import format_datetime
from sitegen.model import Award, BadgeClass, Issuer, Site, Text

PACKAGE_THEMES = Path(__file__).parent / "themes"

# What Markdown may produce; everything else (script, style, iframes, event handlers, javascript: links)
# is removed by the sanitizer, whatever the YAML says.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "td": {"align"}, "th": {"align"}}


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


class Renderer:
    def __init__(self, root: Path, site: Site):
        self.site = site
        self.lang = site.config.default_language
        loaders = [jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(root, site.config.theme)]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        translations = i18n.translations(self.lang)
        self.env.install_gettext_callables(translations.gettext, translations.ngettext, newstyle=True)
        self.env.filters["markdown"] = render_markdown
        self.env.filters["text"] = self._text
        self.env.filters["date"] = self._date
        self.env.filters["isodate"] = format_datetime
        self.env.globals.update(site=site, lang=self.lang, urls=site.urls)
        self._templates = {}
        # Set by the build when signed Open Badges 3.0 credentials are published next to the pages.
        self.credentials_published = False

    def _text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    def _date(self, moment: datetime) -> str:
        return i18n.format_date(moment, self.lang)

    def _render(self, name: str, root: str, **context) -> bytes:
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self.env.get_template(name)
        return template.render(root=root, **context).encode("utf-8")

    def index(self) -> bytes:
        issuers = [(issuer, self.site.badges_of(issuer.slug)) for issuer in self.site.issuers.values()]
        return self._render("index.html", "", issuers=issuers)

    def issuer(self, issuer: Issuer) -> bytes:
        return self._render("issuer.html", "../", issuer=issuer, badges=self.site.badges_of(issuer.slug))

    def badge(self, badge: BadgeClass) -> bytes:
        return self._render("badge.html", "../", badge=badge, issuer=self.site.issuers[badge.issuer])

    def award(self, award: Award) -> bytes:
        badge = self.site.badges[award.badge]
        return self._render("award.html", "../", award=award, badge=badge, issuer=self.site.issuers[badge.issuer])

    def extra_pages(self) -> list[tuple[str, bytes]]:
        """Pages that belong to no issuer, badge or award (output path, bytes)."""
        return []
