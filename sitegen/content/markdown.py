"""Markdown text of the content (descriptions, criteria, narratives) as safe HTML: what the pages show."""

from __future__ import annotations

from functools import lru_cache

import markdown as markdown_lib
import nh3
from markupsafe import Markup

# What Markdown may produce; everything else (script, style, iframes, event handlers, javascript: links)
# is removed by the sanitizer, whatever the YAML says.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
