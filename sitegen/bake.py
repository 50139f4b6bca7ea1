"""Baking: put an award into a copy of its badge image, by splicing bytes (never re-encoding the image).

The badge image is checked and normalised once per badge (`prepare_image`); every award then costs one
chunk (PNG) or one element (SVG) spliced into those bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from html import escape
from xml.etree import ElementTree

import resvg_py
from PIL import Image, UnidentifiedImageError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_PNG_KEYWORD = "openbadges"
OB3_PNG_KEYWORD = "openbadgecredential"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Text chunks that could carry an earlier baking, and the timestamp chunk (a build-time clock).
_DROPPED_KEYWORDS = {b"openbadges", b"openbadgecredential"}
_TEXT_CHUNKS = {b"tEXt", b"iTXt", b"zTXt"}


class ImageError(ValueError):
    """The badge image cannot be published as is; the message says why."""


def _chunks(png: bytes):
    """Yield (type, data, start, end) for each chunk; raise ImageError on a truncated file."""
    pos = len(PNG_SIGNATURE)
    while pos < len(png):
        if pos + 8 > len(png):
            raise ImageError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise ImageError(f"truncated PNG chunk {kind.decode('latin-1')}")
        yield kind, png[pos + 8 : pos + 8 + length], pos, end
        pos = end
        if kind == b"IEND":
            break


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def prepare_png(data: bytes) -> bytes:
    """Check that `data` is a PNG Pillow can read, and drop earlier bakings and timestamps."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError("not a PNG file (only PNG and SVG images can be baked)")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format != "PNG":
                raise ImageError("not a PNG file")
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageError(f"unreadable PNG: {exc}") from None
    kept = [PNG_SIGNATURE]
    chunks = list(_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR":
        raise ImageError("PNG does not start with an IHDR chunk")
    for kind, body, start, end in chunks:
        if kind == b"tIME":
            continue
        if kind in _TEXT_CHUNKS and body.split(b"\0", 1)[0].lower() in _DROPPED_KEYWORDS:
            continue
        kept.append(data[start:end])
    return b"".join(kept)


def bake_png(png: bytes, keyword: str, text: str) -> bytes:
    """Insert one uncompressed iTXt chunk (no language tag) right after IHDR, as the baking spec asks."""
    payload = keyword.encode("latin-1") + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    ihdr_end = len(PNG_SIGNATURE) + 12 + 13  # IHDR always has 13 bytes of data
    return png[:ihdr_end] + _chunk(b"iTXt", payload) + png[ihdr_end:]


def unbake_png(png: bytes) -> dict[str, str]:
    """Every text chunk's keyword → text (first one wins), as a verifier would read them."""
    found: dict[str, str] = {}
    for kind, body, _start, _end in _chunks(png):
        if kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            compressed, _method, rest = rest[0], rest[1], rest[2:]
            _lang, rest = rest.split(b"\0", 1)
            _tkey, text = rest.split(b"\0", 1)
            value = zlib.decompress(text) if compressed else text
            found.setdefault(keyword.decode("latin-1"), value.decode("utf-8"))
        elif kind == b"tEXt":
            keyword, text = body.split(b"\0", 1)
            found.setdefault(keyword.decode("latin-1"), text.decode("latin-1"))
    return found


_FORBIDDEN_SVG = [
    (re.compile(rb"<\s*script", re.I), "contains a <script> element"),
    (re.compile(rb"<\s*foreignObject", re.I), "contains a <foreignObject> element"),
    (re.compile(rb"\son[a-z]+\s*=", re.I), "contains an event handler attribute (on…=)"),
    (re.compile(rb"javascript\s*:", re.I), "contains a javascript: link"),
    (re.compile(rb"<!ENTITY", re.I), "declares XML entities"),
    # A baked copy is served from other URLs and a verifier may fetch the file alone: nothing may point outside it.
    (re.compile(rb"(?:href|src)\s*=\s*[\"']\s*(?!#|data:)[^\"'\s]", re.I),
     "references another file (embed images as data: URIs)"),
    (re.compile(rb"url\(\s*[\"']?\s*(?!#|data:)", re.I), "references another file in a url() (use #ids or data: URIs)"),
    (re.compile(rb"@import", re.I), "imports a stylesheet"),
    (re.compile(rb"openbadges:(?:assertion|credential)"), "is already baked"),
    # Baking declares this prefix for OB 2.0 and for OB 3.0 in turn: a declaration of its own would win.
    (re.compile(rb"xmlns:openbadges\s*="), "already declares the openbadges namespace (use the unbaked image)"),
]


# What a badge drawing may contain. The image is served from the site's own origin (and opened there when a
# baked copy is downloaded), so nothing may run script, navigate, or fetch anything: an allow-list of SVG's
# drawing elements, checked on the parsed document (entities, namespace prefixes and character references
# are resolved there, so they cannot hide a name from the check).
_SVG_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "switch", "view", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "image", "marker", "filter",
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG",
    "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
}
# Namespaces whose elements or attributes a browser acts on inside an SVG (other ones, such as an editor's
# metadata, are inert).
_ACTIVE_NAMESPACES = {"http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML",
                      "http://www.w3.org/2001/xml-events"}
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"
_SAFE_HREF = re.compile(r"^\s*(?:#|data:image/(?:png|jpeg|gif|webp)[;,])", re.I)
_CSS_URL = re.compile(r"url\s*\(\s*[\"']?\s*([^)\"']*)", re.I)
_CSS_FORBIDDEN = re.compile(r"\\|@import|image-set\s*\(|image\s*\(|cross-fade\s*\(|element\s*\(|expression\s*\(|"
                            r"binding|behavior|src\s*\(", re.I)


def _split(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return None, name


def _svg_problem(root) -> str | None:
    """Why this parsed SVG could run script or reach outside itself, or None."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = _split(element.tag)
        if namespace == SVG_NAMESPACE and local not in _SVG_ELEMENTS:
            return f"has a <{local}> element (badge images may hold drawing elements only)"
        if namespace in _ACTIVE_NAMESPACES:
            return f"has an element of {namespace}"
        css = _css_problem(element.text or "") if local == "style" and namespace == SVG_NAMESPACE else None
        if css:
            return f"has a style sheet that {css}"
        for name, value in element.attrib.items():
            attr_ns, attr = _split(name)
            if attr.lower().startswith("on") and attr_ns in (None, SVG_NAMESPACE, *_ACTIVE_NAMESPACES):
                return f"has an event handler attribute ({attr})"
            if attr_ns in _ACTIVE_NAMESPACES or (attr_ns == _XML and attr == "base"):
                return f"has an attribute {attr} of {attr_ns}"
            if attr == "href" and attr_ns in (None, _XLINK) and not _SAFE_HREF.match(value):
                return "links to another file (use #ids, or data: URIs for embedded PNG/JPEG images)"
            css = _css_problem(value) if attr == "style" else None
            if css:
                return f"has a style attribute that {css}"
            if any(not target.startswith("#") for target in _CSS_URL.findall(value)):
                return "references another file in a url() (use #ids)"
    return None


def _css_problem(css: str) -> str | None:
    if _CSS_FORBIDDEN.search(css):
        return "imports, escapes or loads something (only plain declarations and url(#id) are allowed)"
    if any(not target.startswith("#") for target in _CSS_URL.findall(css)):
        return "references another file in a url() (use #ids)"
    return None


def prepare_svg(data: bytes) -> bytes:
    """Check an SVG is well-formed, safe to serve from the site's origin, and starts with `<svg`."""
    for pattern, problem in _FORBIDDEN_SVG:
        if pattern.search(data):
            raise ImageError(f"SVG {problem}; badge images are served from the site and must be static")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageError(f"SVG is not well-formed XML: {exc}") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise ImageError("not an SVG image (the root element must be <svg xmlns=\"http://www.w3.org/2000/svg\">)")
    problem = _svg_problem(root)
    if problem:
        raise ImageError(f"SVG {problem}; badge images are served from the site and must be static")
    start = data.find(b"<svg")
    # Verifiers look for `<svg` near the start of the file: drop the XML declaration, comments, doctype.
    svg = data[start:].rstrip() + b"\n"
    if _start_tag_end(svg) is None:
        raise ImageError("SVG root element is not closed properly")
    return svg


def _start_tag_end(svg: bytes) -> int | None:
    """Index of the `>` that ends the `<svg …>` start tag (attribute values may contain `>`)."""
    quote = None
    for i in range(4, len(svg)):
        c = svg[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in b"\"'":
            quote = c
        elif c == ord(">"):
            return None if svg[i - 1] == ord("/") else i
    return None


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, namespace: str, element: str, text: str, verify: str | None = None) -> bytes:
    """Declare the `openbadges` namespace on <svg> and put one element right after the start tag."""
    end = _start_tag_end(svg)
    head = svg[:end]
    if b"xmlns:openbadges=" not in head:
        head += f' xmlns:openbadges="{namespace}"'.encode()
    attr = f' verify="{escape(verify, quote=True)}"' if verify else ""
    node = f"<openbadges:{element}{attr}>{_cdata(text)}</openbadges:{element}>"
    return head + b">" + node.encode("utf-8") + svg[end + 1 :]


def bake_ob2_svg(svg: bytes, assertion_url: str, assertion_json: str) -> bytes:
    return bake_svg(svg, OB2_SVG_NAMESPACE, "assertion", assertion_json, verify=assertion_url)


def unbake_svg(svg: bytes) -> dict[str, str]:
    """`assertion` / `credential` → the element's text (or its `verify` attribute when empty)."""
    root = ElementTree.fromstring(svg)
    found: dict[str, str] = {}
    for namespace, name in ((OB2_SVG_NAMESPACE, "assertion"), (OB3_SVG_NAMESPACE, "credential")):
        node = root.find(f"{{{namespace}}}{name}")
        if node is not None:
            found[name] = (node.text or "").strip() or node.get("verify", "")
    return found


def prepare_image(data: bytes, kind: str) -> bytes:
    return prepare_png(data) if kind == "png" else prepare_svg(data)


PREVIEW_WIDTH = 600


def svg_preview(svg: bytes) -> bytes:
    """A PNG rendering of a badge SVG for link previews: LinkedIn, Facebook and X show no SVG og:image.

    Drawn on white (some previews turn transparency black); text uses the fonts of the build machine.
    """
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), width=PREVIEW_WIDTH,
                                           background="#ffffff"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImageError(f"SVG cannot be drawn as a PNG preview: {exc}") from None
