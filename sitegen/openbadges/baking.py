"""Baking: put an award into a copy of its badge image, by splicing bytes (never re-encoding the image).

The badge image is checked and normalised once per badge (`prepare_image`); every award then costs one
chunk (PNG) or one element (SVG) spliced into those bytes.
"""

from __future__ import annotations

from html import escape
from typing import Any
from xml.parsers import expat

from sitegen.content.images import (
    MAX_INFLATED_BYTES,
    PNG_SIGNATURE,
    ImageError,
    inflate_bounded,
    png_chunk,
    png_chunks,
    start_tag_end,
)
from sitegen.model import ImageFile

OB2_PNG_KEYWORD = "openbadges"
OB3_PNG_KEYWORD = "openbadgecredential"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


def bake_png(png: bytes, keyword: str, text: str) -> bytes:
    """Insert one uncompressed iTXt chunk (no language tag) right after IHDR, as the baking spec asks."""
    payload = keyword.encode("latin-1") + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    ihdr_end = len(PNG_SIGNATURE) + 12 + 13  # IHDR always has 13 bytes of data
    return png[:ihdr_end] + png_chunk(b"iTXt", payload) + png[ihdr_end:]


def unbake_png(png: bytes, keywords: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every text chunk's keyword → text (first one wins), as a verifier would read them; with `keywords`, only
    those chunks are decoded (a verifier inflates nothing else). ValueError on a malformed chunk."""
    found: dict[str, str] = {}
    for kind, body, _start, _end in png_chunks(png):
        if kind not in (b"iTXt", b"tEXt"):
            continue
        keyword, _, rest = body.partition(b"\0")
        name = keyword.decode("latin-1")
        if name in found or (keywords is not None and name not in keywords):
            continue
        if kind == b"tEXt":
            found[name] = rest.decode("latin-1")
            continue
        if len(rest) < 2:
            raise ImageError("truncated iTXt chunk")
        compressed, rest = rest[0], rest[2:]  # the flag, then the method
        _lang, _, rest = rest.partition(b"\0")
        _tkey, _, text = rest.partition(b"\0")
        # A reader of untrusted images inflates a bounded amount (a baked credential is a few kilobytes).
        value = inflate_bounded(text, MAX_INFLATED_BYTES) if compressed else text
        try:
            found[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            raise ImageError(f"the text of the PNG chunk {name!r} is not UTF-8") from None
    return found


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, namespace: str, element: str, text: str, verify: str | None = None) -> bytes:
    """Declare the `openbadges` namespace on <svg> and put one element right after the start tag.

    `svg` is what prepare_svg returned: it starts with the root element's start tag, the one it checked."""
    end = start_tag_end(svg)
    if end is None:
        raise ImageError("not a prepared SVG (it must start with its <svg> start tag)")
    head = svg[:end]
    if b"xmlns:openbadges=" not in head:
        head += f' xmlns:openbadges="{namespace}"'.encode()
    attr = f' verify="{escape(verify, quote=True)}"' if verify else ""
    node = f"<openbadges:{element}{attr}>{_cdata(text)}</openbadges:{element}>"
    return head + b">" + node.encode("utf-8") + svg[end + 1 :]


def bake_ob2_svg(svg: bytes, assertion_url: str, assertion_json: str) -> bytes:
    return bake_svg(svg, OB2_SVG_NAMESPACE, "assertion", assertion_json, verify=assertion_url)


def bake_assertion(image: ImageFile, assertion_url: str, assertion_json: str) -> bytes:
    """The badge image with an Open Badges 2.0 hosted assertion baked in (PNG or SVG, as the image is)."""
    if image.kind == "png":
        return bake_png(image.data, OB2_PNG_KEYWORD, assertion_json)
    return bake_ob2_svg(image.data, assertion_url, assertion_json)


def bake_credential(image: ImageFile, credential_json: str) -> bytes:
    """The badge image with an Open Badges 3.0 credential baked in (PNG or SVG, as the image is)."""
    if image.kind == "png":
        return bake_png(image.data, OB3_PNG_KEYWORD, credential_json)
    return bake_svg(image.data, OB3_SVG_NAMESPACE, "credential", credential_json)


_SVG_BADGE_ELEMENTS = {f"{OB2_SVG_NAMESPACE} assertion": "assertion", f"{OB3_SVG_NAMESPACE} credential": "credential"}


def unbake_svg(svg: bytes) -> dict[str, str]:
    """`assertion` / `credential` → the text of the root's first such child (or its `verify` attribute when
    empty). ValueError for a document that is not XML, or that declares XML entities: expanding them can take
    any amount of memory."""
    parser = expat.ParserCreate(namespace_separator=" ")
    found: dict[str, str] = {}
    state: dict[str, Any] = {"depth": 0, "open": None, "text": []}

    def refuse_entities(*_args):
        raise ValueError("the SVG declares XML entities: refused (their expansion can exhaust memory)")

    def start(name, attributes):
        state["depth"] += 1
        key = _SVG_BADGE_ELEMENTS.get(name)
        if state["depth"] == 2 and state["open"] is None and key and key not in found:
            state["open"] = (key, attributes.get("verify", ""))
            state["text"] = []

    def end(_name):
        if state["open"] is not None and state["depth"] == 2:
            key, verify = state["open"]
            found[key] = "".join(state["text"]).strip() or verify
            state["open"] = None
        state["depth"] -= 1

    def text(data):
        if state["open"] is not None and state["depth"] == 2:
            state["text"].append(data)

    parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = refuse_entities
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as exc:
        raise ValueError(f"not a PNG or SVG image (not well-formed XML: {exc})") from None
    return found
