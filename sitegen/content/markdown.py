"""Markdown text of the content (descriptions, criteria, narratives) as safe HTML: what the pages show.

Every image that reaches a page has an alt attribute. One without alt text (none, or only spaces) is given
alt="" (decorative: screen readers skip it) and named by `images_without_alt`, which content validation turns
into a warning. Only an explicit alt="" in HTML is decorative on purpose; Markdown's `![](x.png)` is not
(Markdown cannot say "decorative" apart from "forgot"), so it is a warning too.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
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


class _BlankAltIsMissing(Treeprocessor):
    """`![](x.png)` and `![ ](x.png)` give an img with a blank alt: drop it, so that such an image counts as
    lacking alt text like `<img src=x>` (raw HTML never passes through here: Markdown stashes it as text)."""

    def run(self, root):
        for image in root.iter("img"):
            if not image.get("alt", "").strip():
                image.attrib.pop("alt", None)


# A list item that may start right under a line of text, as in GitHub's Markdown (CommonMark): a bullet with
# text after it, or an ordered list that starts at 1. Not a thematic break ("* * *", "- - -").
_QUOTE_PREFIX = re.compile(r"^(?: {0,3}> ?)*")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|1\.)[ \t]+\S")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class _ListsUnderText(Preprocessor):
    """A blank line before a list item written right under a paragraph's line ("Requirements:\n- a\n- b"):
    Python-Markdown needs one to see a list there, GitHub does not, and issuers check their text on GitHub.
    Lines of a list (its lazy continuation lines too), of code and of fenced blocks are left as they are."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        depth, fence = 0, ""
        after_blank, in_list, in_paragraph = True, False, False
        for line in lines:
            body = _QUOTE_PREFIX.sub("", line, count=1)
            prefix = line[: len(line) - len(body)]
            if prefix.count(">") != depth:  # into or out of a blockquote: a block of its own
                depth, after_blank, in_list, in_paragraph = prefix.count(">"), True, False, False
            if fence:
                if body.lstrip().startswith(fence):
                    fence = ""
                out.append(line)
                continue
            if not body.strip():
                after_blank, in_paragraph = True, False
                out.append(line)
                continue
            opening = _FENCE.match(body)
            if opening:
                fence, in_list, in_paragraph = opening.group(1), False, False
            elif _LIST_ITEM.match(body) and not _THEMATIC_BREAK.match(body):
                if in_paragraph:
                    out.append(prefix.rstrip())
                in_list, in_paragraph = True, False
            elif in_list and (not after_blank or body[:1] in " \t"):
                pass  # the list goes on (a continuation line, or an indented block of an item)
            elif (after_blank and body.startswith("    ")) or _HEADING.match(body):
                in_list, in_paragraph = False, False  # indented code, or a heading: a line of its own
            else:
                in_list, in_paragraph = False, True
            after_blank = False
            out.append(line)
        return out


class _MarkdownImages(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        md.treeprocessors.register(_BlankAltIsMissing(md), "sitegen-blank-alt", 5)  # after "inline" (20)
        # After "html_block" (20): raw HTML blocks are stashed away by then, so their lines are never touched.
        md.preprocessors.register(_ListsUnderText(md), "sitegen-lists-under-text", 10)


# Exact on nh3's output, which is serialised anew: a literal "<" is only ever the start of a tag, attribute
# values are always double-quoted, and "<", ">" and '"' inside them are escaped.
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\salt="([^"]*)"')
_SRC = re.compile(r'\ssrc="([^"]*)"')


def _give_every_image_an_alt(clean: str) -> tuple[str, tuple[str, ...]]:
    """The sanitised HTML with alt="" on each img lacking alt text, and those images' sources ('' for none)."""
    lacking: list[str] = []

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        alt = _ALT.search(tag)
        if alt is not None and (alt.group(1) == "" or html_lib.unescape(alt.group(1)).strip()):
            return tag  # described, or written alt="" on purpose
        src = _SRC.search(tag)
        lacking.append(html_lib.unescape(src.group(1)) if src else "")
        if alt is not None:  # only spaces: not a description, and axe refuses it
            return tag[: alt.start()] + ' alt=""' + tag[alt.end() :]
        return '<img alt=""' + tag[len("<img") :]

    return _IMG_TAG.sub(fix, clean), tuple(lacking)


@lru_cache(maxsize=4096)
def _render(text: str) -> tuple[Markup, tuple[str, ...]]:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists", _MarkdownImages()], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    with_alts, lacking = _give_every_image_an_alt(clean)
    return Markup(with_alts), lacking


def render_markdown(text: str) -> Markup:
    """The text as the pages show it: sanitised HTML in which every img has an alt attribute."""
    return _render(text)[0]


def images_without_alt(text: str) -> tuple[str, ...]:
    """The sources of the images of the text that have no alt text ('' for an image without a source); the
    pages give them alt="". An explicit alt="" in HTML is a decorative image, not one of them."""
    if "![" not in text and "<img" not in text.lower():
        return ()  # no image can come out of it: most texts are not rendered twice (validation, then pages)
    return _render(text)[1]
