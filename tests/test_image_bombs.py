"""Decompression bombs in content images: a clear content error naming the file and line, exit 1.

Each build runs as a real `sitegen` process under a memory limit, so a bomb that got through would end it
(a native renderer aborts the process on a failed allocation) instead of taking the test run with it.
"""

from __future__ import annotations

import base64
import io
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from sitegen.content import images
from sitegen.openbadges import baking

SITEGEN = Path(sys.executable).with_name("sitegen")
MEMORY_LIMIT = 3 * 1024**3  # address space: far more than a normal build needs, far less than a bomb takes
BADGE_LINE = "content/badgeclasses/python-basics.yaml:4: error: image content/images/python.png: "
STAR_LINE = "content/badgeclasses/star.yaml:4: error: image content/images/star.svg: "


def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([str(SITEGEN), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=limit)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def deflated_zeros(size: int) -> bytes:
    """A zlib stream of `size` zero bytes, made without holding or compressing them: one deflated megabyte,
    fully flushed so that it can be repeated, then an empty final block and the checksum (the Adler-32 of n
    zeros is n mod 65521 in its high half, 1 in its low half)."""
    block = 1 << 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    rest = deflate.compress(bytes(size % block)) + deflate.flush(zlib.Z_FULL_FLUSH) if size % block else b""
    raw = segment * (size // block) + rest + b"\x03\x00"
    return b"\x78\xda" + raw + struct.pack(">I", ((size % 65521) << 16) | 1)


def png(
    width: int, height: int, bit_depth: int = 8, colour: int = 2, before_idat: bytes = b"", after_idat: bytes = b""
) -> bytes:
    """A valid PNG of any size, all black: its image data (filter byte 0 and zeros on every row) is zeros."""
    channels = {0: 1, 2: 3}[colour]
    idat = deflated_zeros(height * (1 + (width * channels * bit_depth + 7) // 8))
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0))
    return images.PNG_SIGNATURE + header + before_idat + chunk(b"IDAT", idat) + after_idat + chunk(b"IEND", b"")


def ztxt_bomb(size: int) -> bytes:
    return chunk(b"zTXt", b"Comment\0\0" + deflated_zeros(size))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims another size (what a JPEG bomb is)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    data = bytearray(buffer.getvalue())
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def svg(body: str, attributes: str = 'viewBox="0 0 10 10"') -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attributes}>{body}</svg>'
    ).encode()


def embedded(kind: str, data: bytes) -> bytes:
    return svg(f'<image width="10" height="10" href="data:image/{kind};base64,{base64.b64encode(data).decode()}"/>')


def laughs(levels: int = 10) -> str:
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels))
    return f"<!DOCTYPE svg [{entities}]>"


def use_fan_out(levels: int = 9) -> bytes:
    body = '<defs><rect id="u0" width="1" height="1"/>'
    for i in range(1, levels):
        body += f'<g id="u{i}">' + f'<use href="#u{i - 1}"/>' * 10 + "</g>"
    return svg(body + f'</defs><use href="#u{levels - 1}"/>')


def filtered(primitive: str) -> bytes:
    return svg(f'<defs><filter id="f">{primitive}</filter></defs><rect width="10" height="10" filter="url(#f)"/>')


def nested(depth: int) -> bytes:
    return svg("<g>" * depth + '<rect width="1" height="1"/>' + "</g>" * depth)


BOMBS = {
    "PNG of 100,000 × 100,000 pixels": ("python.png", lambda: png(100_000, 100_000, 1, 0), "100,000 × 100,000 pixels"),
    "PNG just over the pixel limit": ("python.png", lambda: png(4097, 4096, 1, 0), "4,097 × 4,096 pixels"),
    "PNG with a zTXt chunk of 2 GB": (
        "python.png",
        lambda: png(8, 8, before_idat=ztxt_bomb(2 << 30)),
        "inflates to more than",
    ),
    "PNG with a zTXt chunk of 2 GB after the image data": (
        "python.png",
        lambda: png(8, 8, after_idat=ztxt_bomb(2 << 30)),
        "inflates to more than",
    ),
    "PNG with a compressed iTXt chunk of 1 GB": (
        "python.png",
        lambda: png(8, 8, after_idat=chunk(b"iTXt", b"Comment\0\1\0\0\0" + deflated_zeros(1 << 30))),
        "inflates to more than",
    ),
    "PNG with a colour profile of 1 GB": (
        "python.png",
        lambda: png(8, 8, before_idat=chunk(b"iCCP", b"icc\0\0" + deflated_zeros(1 << 30))),
        "inflates to more than",
    ),
    "PNG of 12 MB": (
        "python.png",
        lambda: png(8, 8, after_idat=chunk(b"prIv", bytes(12_000_000))),
        "images may have at most",
    ),
    "SVG with billion laughs": ("star.svg", lambda: laughs().encode() + svg("<title>&l9;</title>"), "entities"),
    "SVG with billion laughs in UTF-16": (
        "star.svg",
        lambda: (laughs() + svg("<title>&l9;</title>").decode()).encode("utf-16"),
        "UTF-8",
    ),
    "SVG of 11 MB": ("star.svg", lambda: svg("<desc>" + "x" * 11_000_000 + "</desc>"), "images may have at most"),
    "SVG embedding a PNG of 30,000 × 30,000 pixels": (
        "star.svg",
        lambda: embedded("png", png(30_000, 30_000, 1, 0)),
        "has more than 16,777,216 pixels",
    ),
    "SVG embedding a JPEG claiming 60,000 × 60,000 pixels": (
        "star.svg",
        lambda: embedded("jpeg", jpeg_claiming(60_000, 60_000)),
        "has more than 16,777,216 pixels",
    ),
    "SVG embedding a GIF claiming 65,535 × 65,535 pixels": (
        "star.svg",
        lambda: embedded("gif", gif_claiming(65_535, 65_535)),
        "has more than 16,777,216 pixels",
    ),
    "SVG embedding a PNG with a zTXt bomb": (
        "star.svg",
        lambda: embedded("png", png(8, 8, before_idat=ztxt_bomb(2 << 30))),
        "image embedded in the SVG",
    ),
    "SVG embedding something that is no image": (
        "star.svg",
        lambda: embedded("png", b"<svg/>"),
        "unreadable image embedded in the SVG",
    ),
    "SVG whose uses multiply to 10^8 shapes": ("star.svg", use_fan_out, "cannot be drawn"),
    "SVG nested 100,000 deep": ("star.svg", lambda: nested(100_000), "nests elements"),
    # CPU rather than memory: the preview renderer would work for hours; it is stopped after 10 seconds.
    "SVG with a turbulence of 10^9 octaves": (
        "star.svg",
        lambda: filtered('<feTurbulence baseFrequency="0.5" numOctaves="1000000000"/>'),
        "takes more than 10 seconds",
    ),
    "SVG with a morphology radius of 100,000": (
        "star.svg",
        lambda: filtered('<feMorphology radius="100000"/>'),
        "takes more than 10 seconds",
    ),
}


@pytest.mark.parametrize("variant", sorted(BOMBS))
def test_a_decompression_bomb_is_a_content_error_with_file_and_line(make_site, variant):
    name, make, reason = BOMBS[variant]
    root = make_site({f"content/images/{name}": make()})
    done = run("build", "--root", str(root))
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    line = BADGE_LINE if name == "python.png" else STAR_LINE
    assert any(e.startswith(line) and reason in e for e in done.stderr.splitlines()), done.stderr[-2000:]
    assert "Traceback" not in done.stderr and not (root / "output").exists()


def test_an_svg_declaring_a_huge_size_gets_a_bounded_preview(make_site):
    """Given only a width, the preview renderer sized the other side by the aspect ratio and aborted the build
    trying to allocate 144 GB for a 1 × 100,000,000 drawing."""
    for attributes in ('width="1" height="100000000"', 'viewBox="0 0 1 100000"', 'width="1e30" height="1"'):
        root = make_site({"content/images/star.svg": svg('<rect width="1" height="1"/>', attributes)})
        done = run("build", "--root", str(root))
        assert done.returncode == 0, (attributes, done.returncode, done.stderr[-2000:])
        with Image.open(root / "output/badges/star.preview.png") as preview:
            assert max(preview.size) <= images.PREVIEW_WIDTH


def test_verify_inflates_a_bounded_amount_from_an_image(tmp_path):
    """A baked PNG whose credential chunk is compressed and inflates to 2 GB: `sitegen verify` says it cannot
    read it instead of running out of memory."""
    image = tmp_path / "baked.png"
    image.write_bytes(png(8, 8, after_idat=chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + deflated_zeros(2 << 30))))
    done = run("verify", str(image))
    assert done.returncode in (1, 2), (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    with pytest.raises(images.ImageError, match="inflates to more than"):
        baking.unbake_png(image.read_bytes())
