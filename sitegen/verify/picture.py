"""Whether a baked image's picture is the badge's own image: only the badge data was added to it.

A forger can bake a genuine award into another badge's picture: the data then checks out, the picture lies.
Baking (sitegen.openbadges.baking) splices bytes, so removing what it added gives the badge image back exactly;
a PNG that a backpack re-encoded is compared by its pixels instead.
"""

from __future__ import annotations

import io
import re
import warnings

from PIL import Image

from sitegen.content import images
from sitegen.openbadges import baking

_BADGE_KEYWORDS = (baking.OB2_PNG_KEYWORD.encode(), baking.OB3_PNG_KEYWORD.encode())
# The one element bake_svg puts right after the <svg> start tag (or an empty one naming the assertion's URL):
# its text is CDATA sections only, and a CDATA section ends at its first "]]>", so the match cannot run on
# into the picture.
_SVG_BADGE_ELEMENT = re.compile(
    rb"<openbadges:(assertion|credential)\b[^>]*?(?:/>|>(?:<!\[CDATA\[.*?\]\]>)*</openbadges:\1>)", re.S
)
_SVG_NAMESPACE_ATTRIBUTE = re.compile(rb' xmlns:openbadges="[^"]*"$')


def is_badge_picture(baked: bytes, badge_image: bytes) -> bool:
    """Whether `baked` is `badge_image` with badge data added, and nothing else changed in what it shows."""
    if baked.startswith(images.PNG_SIGNATURE):
        if not badge_image.startswith(images.PNG_SIGNATURE):
            return False
        picture, original = _png_without_badge(baked), _png_without_badge(badge_image)
        if picture is None or original is None:
            return False
        return picture == original or _same_pixels(picture, original)
    return badge_image in _svg_without_badge(baked)


def _png_without_badge(png: bytes, *, all_text: bool = False) -> bytes | None:
    """The PNG without its badge text chunks, or `all_text` chunks (None when it is not a readable PNG)."""
    kept = [images.PNG_SIGNATURE]
    try:
        for kind, body, start, end in images.png_chunks(png):
            if kind in (b"iTXt", b"tEXt", b"zTXt") and (all_text or body.partition(b"\0")[0] in _BADGE_KEYWORDS):
                continue
            kept.append(png[start:end])
    except ValueError:
        return None
    return b"".join(kept)


def _same_pixels(first: bytes, second: bytes) -> bool:
    """Whether two PNGs show the same pixels (a re-encoded copy), decoding no more than a badge may hold."""
    first_pixels, second_pixels = _pixels(first), _pixels(second)
    return first_pixels is not None and first_pixels == second_pixels


def _pixels(png: bytes) -> tuple[tuple[int, int], bytes] | None:
    # Text chunks show nothing: Pillow is not given them to inflate.
    without_text = _png_without_badge(png, all_text=True)
    if without_text is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(without_text)) as im:
                width, height = im.size
                if width * height > images.MAX_IMAGE_PIXELS:  # as for badge images: never decode a bomb
                    return None
                return (width, height), im.convert("RGBA").tobytes()
    except Exception:  # Pillow raises many kinds on a malformed file: such a picture is not the badge's
        return None


def _svg_without_badge(svg: bytes) -> list[bytes]:
    """The SVG as it was before baking: without the badge element after the start tag, with and without the
    namespace attribute (baking adds it only when the image did not declare it)."""
    start = svg.find(b"<svg")
    end = images.start_tag_end(svg[start:]) if start >= 0 else None
    if end is None:
        return []
    head, rest = svg[: start + end], svg[start + end + 1 :]
    element = _SVG_BADGE_ELEMENT.match(rest)
    if element is None:
        return []
    rest = rest[element.end() :]
    candidates = [head + b">" + rest]
    if _SVG_NAMESPACE_ATTRIBUTE.search(head):
        candidates.append(_SVG_NAMESPACE_ATTRIBUTE.sub(b"", head) + b">" + rest)
    return candidates
