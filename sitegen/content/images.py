"""Badge images as they come from content/: checked once (size, pixels, compressed chunks, the SVG's root element,
its CSS and embedded images) and normalised (`prepare_image`); SVG badges drawn as PNG previews (resvg)."""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import select
import signal
import struct
import time
import warnings
import zlib
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree
from xml.parsers import expat

import resvg_py
from PIL import Image

from sitegen.diagnostics import known_code
from sitegen.messages import _


def N_(message: str) -> str:  # noqa: N802 (gettext's name: marks a message that is translated where it is used)
    return message


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


SVG_NAMESPACE = "http://www.w3.org/2000/svg"


# Text chunks that could carry an earlier baking, and the timestamp chunk (a build-time clock).
_DROPPED_KEYWORDS = {b"openbadges", b"openbadgecredential"}


_TEXT_CHUNKS = {b"tEXt", b"iTXt", b"zTXt"}


# Limits on what a content image may make the build (or a reader's browser) hold in memory. A badge is a few
# hundred pixels wide; these leave room for large artwork and refuse decompression bombs before anything
# inflates them: a small file that declares a huge raster, or a compressed chunk that inflates to gigabytes.
MAX_IMAGE_BYTES = 10_000_000  # the file as stored in content/ (each baked copy repeats it)


MAX_IMAGE_PIXELS = 4096 * 4096  # a raster's width × height, also for a PNG/JPEG/GIF/WebP embedded in an SVG


MAX_INFLATED_BYTES = 8_000_000  # a PNG's compressed text and colour-profile chunks, inflated, all together


MAX_SVG_DEPTH = 200  # element nesting (the preview renderer recurses)


class ImageError(ValueError):
    """The badge image cannot be published as is; the message says why, `code` what kind of problem it is."""

    def __init__(self, message: str, code: str = "image.invalid"):
        super().__init__(message)
        self.code = known_code(code)


def png_chunks(png: bytes):
    """Yield (type, data, start, end) for each chunk; raise ImageError on a truncated file."""
    pos = len(PNG_SIGNATURE)
    while pos < len(png):
        if pos + 8 > len(png):
            raise ImageError(_("truncated PNG chunk header"))
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise ImageError(_("truncated PNG chunk {kind}").format(kind=kind.decode("latin-1")))
        yield kind, png[pos + 8 : pos + 8 + length], pos, end
        pos = end
        if kind == b"IEND":
            break


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            _("the file has {size} bytes; images may have at most {limit}").format(
                size=f"{len(data):,}", limit=f"{MAX_IMAGE_BYTES:,}"
            ),
            "image.too-large",
        )


def _check_pixels(width: int, height: int, what: str) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(
            _("{what} is {width} × {height} pixels; images may have at most {limit} pixels (4096 × 4096)").format(
                what=what, width=f"{width:,}", height=f"{height:,}", limit=f"{MAX_IMAGE_PIXELS:,}"
            ),
            "image.too-large",
        )


def inflate_bounded(data: bytes, limit: int) -> bytes:
    """zlib data inflated, never past `limit` bytes (ImageError beyond it)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ImageError(_("a compressed PNG chunk is corrupt ({reason})").format(reason=exc)) from None
    if len(out) > limit:
        raise ImageError(
            _(
                "a compressed PNG chunk inflates to more than {limit} MB: refused (a badge is a few kilobytes; this "
                "looks like a decompression bomb)"
            ).format(limit=f"{limit / 1e6:g}"),
            "image.too-large",
        )
    return out


def _compressed_part(kind: bytes, body: bytes) -> bytes | None:
    """The zlib stream of a zTXt, compressed iTXt or iCCP chunk, else None."""
    if kind in (b"zTXt", b"iCCP"):
        return body.split(b"\0", 1)[1][1:] if b"\0" in body else b""
    if kind == b"iTXt" and b"\0" in body:
        rest = body.split(b"\0", 1)[1]
        if rest[:1] == b"\1":
            parts = rest[2:].split(b"\0", 2)
            return parts[2] if len(parts) == 3 else b""
    return None


def prepare_png(data: bytes) -> bytes:
    """Check that `data` is a PNG Pillow can read and no bomb, and drop earlier bakings and timestamps."""
    _check_size(data)
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError(_("not a PNG file (only PNG and SVG images can be baked)"))
    chunks = list(png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ImageError(_("PNG does not start with an IHDR chunk"))
    width, height = struct.unpack(">II", chunks[0][1][:8])
    _check_pixels(width, height, _("the PNG"))
    # Every compressed chunk, wherever it is (Pillow reads only those before the image data; a verifier or
    # viewer may read them all), inflates within the limit.
    budget = MAX_INFLATED_BYTES
    for kind, body, _start, _end in chunks:
        stream = _compressed_part(kind, body)
        if stream is not None:
            budget -= len(inflate_bounded(stream, budget))
    _check_raster(data, embedded=False)
    kept = [PNG_SIGNATURE]
    for kind, body, start, end in chunks:
        if kind == b"tIME":
            continue
        if kind in _TEXT_CHUNKS and body.split(b"\0", 1)[0].lower() in _DROPPED_KEYWORDS:
            continue
        kept.append(data[start:end])
    return b"".join(kept)


_FORBIDDEN_SVG = [
    (re.compile(rb"<\s*script", re.I), N_("contains a <script> element")),
    (re.compile(rb"<\s*foreignObject", re.I), N_("contains a <foreignObject> element")),
    (re.compile(rb"\son[a-z]+\s*=", re.I), N_("contains an event handler attribute (on…=)")),
    (re.compile(rb"javascript\s*:", re.I), N_("contains a javascript: link")),
    (re.compile(rb"<!ENTITY", re.I), N_("declares XML entities")),
    # A baked copy is served from other URLs and a verifier may fetch the file alone: nothing may point outside it.
    (
        re.compile(rb"(?:href|src)\s*=\s*[\"']\s*(?!#|data:)[^\"'\s]", re.I),
        N_("references another file (embed images as data: URIs)"),
    ),
    (
        re.compile(rb"url\(\s*[\"']?\s*(?!#|data:)", re.I),
        N_("references another file in a url() (use #ids or data: URIs)"),
    ),
    (re.compile(rb"@import", re.I), N_("imports a stylesheet")),
    (re.compile(rb"openbadges:(?:assertion|credential)"), N_("is already baked")),
    # Baking declares this prefix for OB 2.0 and for OB 3.0 in turn: a declaration of its own would win.
    (re.compile(rb"xmlns:openbadges\s*="), N_("already declares the openbadges namespace (use the unbaked image)")),
]


# What a badge drawing may contain. The image is served from the site's own origin (and opened there when a
# baked copy is downloaded), so nothing may run script, navigate, or fetch anything: an allow-list of SVG's
# drawing elements, checked on the parsed document (entities, namespace prefixes and character references
# are resolved there, so they cannot hide a name from the check).
_SVG_ELEMENTS = {
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "switch",
    "view",
    "style",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "image",
    "marker",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
}


# Namespaces whose elements or attributes a browser acts on inside an SVG (other ones, such as an editor's
# metadata, are inert).
_ACTIVE_NAMESPACES = {
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/2001/xml-events",
}


_XLINK = "http://www.w3.org/1999/xlink"


_XML = "http://www.w3.org/XML/1998/namespace"


_SAFE_HREF = re.compile(r"^\s*(?:#|data:image/(?:png|jpeg|gif|webp)[;,])", re.I)


_CSS_URL = re.compile(r"url\s*\(\s*[\"']?\s*([^)\"']*)", re.I)


_CSS_FORBIDDEN = re.compile(
    r"\\|@import|image-set\s*\(|image\s*\(|cross-fade\s*\(|element\s*\(|expression\s*\(|"
    r"binding|behavior|src\s*\(",
    re.I,
)


# Browsers read presentation attributes (fill, filter, mask, cursor…) as CSS values too: no escapes there,
# and no CSS function that loads something (a function name touches its parenthesis).
_ATTRIBUTE_CSS_FORBIDDEN = re.compile(r"\\|(?:image-set|image|cross-fade|element|src)\(", re.I)


_DATA_IMAGE = re.compile(r"^\s*data:image/[a-z+.-]+((?:;[^,;]*)*?)(;base64)?,(.*)$", re.I | re.S)


def _split(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return None, name


def _svg_problem(root) -> str | None:
    """Why this parsed SVG could run script or reach outside itself, or None."""
    sheets = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = _split(element.tag)
        if namespace == SVG_NAMESPACE and local not in _SVG_ELEMENTS:
            return _("has a <{element}> element (badge images may hold drawing elements only)").format(element=local)
        if namespace in _ACTIVE_NAMESPACES:
            return _("has an element of {namespace}").format(namespace=namespace)
        if local == "style" and namespace == SVG_NAMESPACE:
            # A browser's style sheet is all the text in <style>, however comments, CDATA sections or
            # elements split it: `@im<!-- -->port` is @import. Elements inside <style> are refused outright.
            if len(element):
                return _("has elements inside a <style> (a style sheet is text only)")
            sheets.append("".join(element.itertext()))
            css = _css_problem(sheets[-1])
            if css:
                return _("has a style sheet that {problem}").format(problem=css)
        for name, value in element.attrib.items():
            attr_ns, attr = _split(name)
            if attr.lower().startswith("on") and attr_ns in (None, SVG_NAMESPACE, *_ACTIVE_NAMESPACES):
                return _("has an event handler attribute ({attribute})").format(attribute=attr)
            if attr_ns in _ACTIVE_NAMESPACES or (attr_ns == _XML and attr == "base"):
                return _("has an attribute {attribute} of {namespace}").format(attribute=attr, namespace=attr_ns)
            if attr == "href" and attr_ns in (None, _XLINK) and not _SAFE_HREF.match(value):
                return _("links to another file (use #ids, or data: URIs for embedded PNG/JPEG images)")
            css = _css_problem(value) if attr == "style" else None
            if css:
                return _("has a style attribute that {problem}").format(problem=css)
            if attr_ns is None and not attr.startswith(("aria-", "data-")) and _ATTRIBUTE_CSS_FORBIDDEN.search(value):
                return _("has an attribute {attribute} with a CSS escape or a function that loads something").format(
                    attribute=attr
                )
            if any(not target.startswith("#") for target in _CSS_URL.findall(value)):
                return _("references another file in a url() (use #ids)")
    css = _css_problem("".join(sheets))  # nothing hides across the document's style sheets either
    return _("has a style sheet that {problem}").format(problem=css) if css else None


def _css_problem(css: str) -> str | None:
    if _CSS_FORBIDDEN.search(css):
        return _("imports, escapes or loads something (only plain declarations and url(#id) are allowed)")
    if any(not target.startswith("#") for target in _CSS_URL.findall(css)):
        return _("references another file in a url() (use #ids)")
    return None


def _check_raster(data: bytes, *, embedded: bool) -> str:
    """The format of a raster image Pillow can read whose size is within the limits; ImageError otherwise.
    Only the header is read: nothing is decoded. `embedded`: an image embedded in an SVG, else a PNG file."""
    what = _("the image embedded in the SVG") if embedded else _("the PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                _check_pixels(width, height, what)
                im.verify()
                return im.format or ""
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            _("{what} has more than {limit} pixels, the most images may have (4096 × 4096)").format(
                what=what, limit=f"{MAX_IMAGE_PIXELS:,}"
            ),
            "image.too-large",
        ) from None
    except Exception as exc:  # Pillow raises many kinds on a malformed file; none is sitegen's bug
        unreadable = _("unreadable image embedded in the SVG: {reason}") if embedded else _("unreadable PNG: {reason}")
        raise ImageError(unreadable.format(reason=exc)) from None


def _check_embedded_images(root) -> None:
    """PNG/JPEG/GIF/WebP embedded as data: URIs are decoded by the preview renderer and by browsers:
    the same limits as a PNG file apply to them."""
    for element in root.iter():
        for name, value in element.attrib.items():
            if _split(name)[1] != "href" or not value.lstrip().lower().startswith("data:"):
                continue
            match = _DATA_IMAGE.match(value)
            if match is None:
                raise ImageError(_("SVG has a data: URI that is not an image"))
            try:
                payload = (
                    base64.b64decode(re.sub(r"\s+", "", match.group(3)), validate=True)
                    if match.group(2)
                    else unquote_to_bytes(match.group(3))
                )
            except (binascii.Error, ValueError):
                raise ImageError(_("SVG has an embedded image whose base64 data is malformed")) from None
            if _check_raster(payload, embedded=True) not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise ImageError(_("SVG embeds an image that is not PNG, JPEG, GIF or WebP"))


def _root_element(data: bytes) -> tuple[int, int]:
    """Where the root element starts (its `<`) and ends (after its end tag's `>`), as the XML parser sees it.

    Refused here: a DOCTYPE with declarations of its own (entities hide names or expand without end; a plain
    `<!DOCTYPE svg PUBLIC …>` as drawing programs write it is fine: nothing fetches its DTD and it is dropped),
    `<?xml-stylesheet?>` (it loads a style sheet), another encoding than UTF-8 (what a browser reads once the
    declaration is dropped), and nesting deeper than MAX_SVG_DEPTH."""
    if data.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff")):
        raise ImageError(_("SVG is not UTF-8 (save it as UTF-8)"))
    parser = expat.ParserCreate("UTF-8")
    depth, span = 0, {}

    def start(_name, _attrs):
        nonlocal depth
        if depth == 0:
            span["start"] = parser.CurrentByteIndex
        depth += 1
        if depth > MAX_SVG_DEPTH:
            raise ImageError(_("SVG nests elements more than {depth} deep").format(depth=MAX_SVG_DEPTH))

    def end(_name):
        nonlocal depth
        depth -= 1
        if depth == 0:
            span["end"] = parser.CurrentByteIndex

    def doctype(_name, _system_id, _public_id, has_internal_subset):
        if has_internal_subset:
            raise ImageError(
                _("SVG has a DOCTYPE with declarations of its own (badge images may not declare entities or a DTD)")
            )

    def instruction(target, _data):
        if target.lower() == "xml-stylesheet":
            raise ImageError(_("SVG has an <?xml-stylesheet?> instruction (badge images may not load a style sheet)"))

    def declaration(_version, encoding, _standalone):
        # The bytes are read as UTF-8 whatever the declaration says (a browser does once it is dropped); for
        # plain ASCII that is the same text.
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8") and not data.isascii():
            raise ImageError(_("SVG declares the encoding {encoding} (save it as UTF-8)").format(encoding=encoding))

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler, parser.ProcessingInstructionHandler = doctype, instruction
    parser.XmlDeclHandler = declaration
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ImageError(_("SVG is not well-formed XML: {reason}").format(reason=exc)) from None
    start_at, end_tag = span["start"], span["end"]
    if data[end_tag : end_tag + 2] != b"</":  # <svg …/>: nothing to draw, nowhere to bake
        raise ImageError(_("SVG root element is empty (<svg …/>)"))
    return start_at, data.index(b">", end_tag) + 1


def static_only(problem: str) -> str:
    """What makes an SVG unsafe to serve, as the message says it."""
    return _("SVG {problem}; badge images are served from the site and must be static").format(problem=problem)


def prepare_svg(data: bytes) -> bytes:
    """The SVG to publish: exactly its root element (verifiers look for `<svg` at the start; the XML
    declaration and comments around it are dropped), checked as published: well-formed, UTF-8, safe to serve
    from the site's origin, no decompression bomb.

    The root element is located by the XML parser, never by searching the bytes, and the published bytes
    are then checked again on their own: what a browser runs is what was checked."""
    _check_size(data)
    for pattern, problem in _FORBIDDEN_SVG:
        if pattern.search(data):
            raise ImageError(static_only(_(problem)))
    start, end = _root_element(data)
    svg = data[start:end] + b"\n"
    if not re.match(rb"<svg[\s>]", svg):
        raise ImageError(
            _(
                'not an SVG image (the root element must be written <svg xmlns="http://www.w3.org/2000/svg">, '
                "without a prefix)"
            )
        )
    if _root_element(svg) != (0, len(svg) - 1):  # cannot happen; the bytes published are checked all the same
        raise ImageError(_("SVG root element could not be isolated"))
    root = ElementTree.fromstring(svg)
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise ImageError(_('not an SVG image (the root element must be <svg xmlns="http://www.w3.org/2000/svg">)'))
    unsafe = _svg_problem(root)
    if unsafe:
        raise ImageError(static_only(unsafe))
    _check_embedded_images(root)
    if start_tag_end(svg) is None:
        raise ImageError(_("SVG root element is not closed properly"))
    return svg


def prepare_image(data: bytes, kind: str) -> bytes:
    return prepare_png(data) if kind == "png" else prepare_svg(data)


PREVIEW_WIDTH = 600


PREVIEW_SECONDS = 10  # a badge draws in well under a second; filters can be made to take hours


def svg_preview(svg: bytes) -> bytes:
    """A PNG rendering of a badge SVG for link previews: LinkedIn, Facebook and X show no SVG og:image.

    Drawn on white (some previews turn transparency black); text uses the fonts of the build machine.
    Drawn in a forked process that is stopped after PREVIEW_SECONDS: filter parameters (feTurbulence's
    numOctaves, feConvolveMatrix's order, feMorphology's radius) can make the renderer work for hours, and a
    native crash ends only that process.
    """
    if not hasattr(os, "fork"):
        return _draw_preview(svg)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw, send the result, and leave without running any of the parent's cleanup
        try:
            os.close(read_end)
            try:
                result = b"P" + _draw_preview(svg)
            except ImageError as exc:
                result = b"E" + str(exc).encode("utf-8")
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(result)
        finally:
            os._exit(0)
    os.close(write_end)
    parts, deadline = [], time.monotonic() + PREVIEW_SECONDS
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise ImageError(
                    _(
                        "SVG takes more than {seconds} seconds to draw as a PNG preview (its filters or patterns "
                        "cost too much)"
                    ).format(seconds=PREVIEW_SECONDS)
                )
            part = pipe.read(1 << 16)
            if not part:
                break
            parts.append(part)
    os.waitpid(pid, 0)
    result = b"".join(parts)
    if result[:1] == b"E":
        raise ImageError(result[1:].decode("utf-8"))
    if result[:1] != b"P":
        raise ImageError(_("SVG cannot be drawn as a PNG preview (the renderer crashed)"))
    return result[1:]


def _draw_preview(svg: bytes) -> bytes:
    """Fitted into a PREVIEW_WIDTH square whatever size the SVG declares: given a width alone, the renderer
    sized the other side by the aspect ratio, and a 1 × 100,000,000 drawing made it abort the build."""
    try:
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=svg.decode("utf-8"), width=PREVIEW_WIDTH, height=PREVIEW_WIDTH, background="#ffffff"
            )
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # ValueError, or a panic of the native renderer (a BaseException)
        raise ImageError(_("SVG cannot be drawn as a PNG preview: {reason}").format(reason=exc)) from None


def start_tag_end(svg: bytes) -> int | None:
    """Index of the `>` that ends the root's start tag, `svg` starting with it (attribute values may hold `>`)."""
    if not re.match(rb"<svg[\s>]", svg):
        return None
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
