"""Draw the PNG badge images of the example site (run once; the PNGs are committed).

    python tools/make_example_images.py

Deterministic: the same Pillow gives the same bytes. The images carry no text chunks or timestamps.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "content" / "images"
SIZE = 400
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default()


def emblem(name: str, outer: str, inner: str, accent: str, label: str, glyph) -> None:
    scale = 2  # draw large, then downsample for smooth edges
    s = SIZE * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # a hexagon shield
    points = [
        (s / 2 + 0.48 * s * math.cos(math.radians(60 * i - 90)), s / 2 + 0.48 * s * math.sin(math.radians(60 * i - 90)))
        for i in range(6)
    ]
    draw.polygon(points, fill=outer)
    inner_points = [
        (s / 2 + 0.41 * s * math.cos(math.radians(60 * i - 90)), s / 2 + 0.41 * s * math.sin(math.radians(60 * i - 90)))
        for i in range(6)
    ]
    draw.polygon(inner_points, fill=inner)
    glyph(draw, s, accent)
    # the ribbon with the label
    draw.rounded_rectangle((0.12 * s, 0.64 * s, 0.88 * s, 0.78 * s), radius=0.03 * s, fill=accent)
    text_font = font(int(0.075 * s))
    width = draw.textlength(label, font=text_font)
    draw.text(((s - width) / 2, 0.655 * s), label, font=text_font, fill="white")
    image = image.resize((SIZE, SIZE), Image.LANCZOS)
    image.save(OUT / f"{name}.png", optimize=True)


def python_glyph(draw, s, accent):
    # two interlocking rounded blocks, a nod to the Python logo
    draw.rounded_rectangle((0.30 * s, 0.20 * s, 0.56 * s, 0.46 * s), radius=0.06 * s, fill="#3776ab")
    draw.rounded_rectangle((0.44 * s, 0.32 * s, 0.70 * s, 0.58 * s), radius=0.06 * s, fill="#ffd43b")
    draw.ellipse((0.35 * s, 0.24 * s, 0.39 * s, 0.28 * s), fill="white")
    draw.ellipse((0.61 * s, 0.50 * s, 0.65 * s, 0.54 * s), fill="white")


def git_glyph(draw, s, accent):
    # a branch: three nodes joined by lines
    w = int(0.025 * s)
    draw.line((0.40 * s, 0.22 * s, 0.40 * s, 0.56 * s), fill=accent, width=w)
    draw.line((0.40 * s, 0.44 * s, 0.60 * s, 0.32 * s), fill=accent, width=w)
    for x, y in ((0.40, 0.22), (0.40, 0.56), (0.60, 0.30)):
        draw.ellipse(((x - 0.05) * s, (y - 0.05) * s, (x + 0.05) * s, (y + 0.05) * s), fill=accent)


def logo_glyph(draw, s, accent):
    # five petals: a cherry blossom
    for i in range(5):
        angle = math.radians(72 * i - 90)
        cx, cy = s / 2 + 0.12 * s * math.cos(angle), 0.40 * s + 0.12 * s * math.sin(angle)
        draw.ellipse((cx - 0.1 * s, cy - 0.1 * s, cx + 0.1 * s, cy + 0.1 * s), fill="#f7a8c4")
    draw.ellipse((0.46 * s, 0.36 * s, 0.54 * s, 0.44 * s), fill=accent)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    emblem("python-basics", "#1f3b5c", "#eaf2fb", "#1f3b5c", "PYTHON", python_glyph)
    emblem("open-source-contributor", "#2f5d3a", "#eef7ef", "#2f5d3a", "OPEN SOURCE", git_glyph)
    emblem("sakura-tech-logo", "#8a1c4a", "#fff3f7", "#8a1c4a", "SAKURA TECH", logo_glyph)
    for path in sorted(OUT.glob("*.png")):
        print(path.name, path.stat().st_size, "bytes")
