"""Draws the app's PNG icons from the console's favicon shapes (navy tile, white bell, amber
clapper), with no imaging library: a scanline rasteriser with 4×4 anti-aliasing and zlib.

    .venv/bin/python scripts/make_app_icons.py   # rewrites the PNGs in app/static/app/icons/

"any" icons keep the favicon's rounded corners; "maskable" ones fill the whole square and keep
the bell inside the central 80 % circle that every launcher mask leaves visible."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "app" / "static" / "app" / "icons"
NAVY, WHITE, AMBER = (0x1E, 0x3A, 0x8A), (0xFF, 0xFF, 0xFF), (0xFB, 0xBF, 0x24)
SUB = 4  # sub-samples per pixel along each axis

Point = tuple[float, float]


def cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def bell() -> list[Point]:
    """favicon.svg's path: M16 5c-4.4 0-7.5 3.4-7.5 8v5.2L6 22.5V24h20v-1.5l-2.5-4.3V13c0-4.6-3.1-8-7.5-8z"""
    pts: list[Point] = [(16, 5)]
    pts += cubic((16, 5), (11.6, 5), (8.5, 8.4), (8.5, 13))
    pts += [(8.5, 18.2), (6, 22.5), (6, 24), (26, 24), (26, 22.5), (23.5, 18.2), (23.5, 13)]
    pts += cubic((23.5, 13), (23.5, 8.4), (20.4, 5), (16, 5))
    return pts


def circle(cx: float, cy: float, r: float, steps: int = 64) -> list[Point]:
    return [(cx + r * math.cos(2 * math.pi * i / steps), cy + r * math.sin(2 * math.pi * i / steps)) for i in range(steps)]


def rounded_square(size: float, radius: float) -> list[Point]:
    pts: list[Point] = []
    for cx, cy, start in ((size - radius, radius, -90), (size - radius, size - radius, 0),
                          (radius, size - radius, 90), (radius, radius, 180)):
        pts += [(cx + radius * math.cos(math.radians(start + a)), cy + radius * math.sin(math.radians(start + a)))
                for a in range(0, 91, 6)]
    return pts


def coverage(polygon: list[Point], size: int) -> list[float]:
    """Fraction of each pixel the polygon covers (even-odd rule)."""
    cov = [0.0] * (size * size)
    edges = list(zip(polygon, polygon[1:] + polygon[:1]))
    weight = 1 / SUB
    for sy in range(size * SUB):
        y = (sy + 0.5) / SUB
        xs = sorted(x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                    for (x0, y0), (x1, y1) in edges if (y0 <= y < y1) or (y1 <= y < y0))
        row = (sy // SUB) * size
        for a, b in zip(xs[::2], xs[1::2]):
            a, b = max(a, 0.0), min(b, float(size))
            if b <= a:
                continue
            first, last = int(a), min(int(b), size - 1)
            if first == last:
                cov[row + first] += (b - a) * weight
                continue
            cov[row + first] += (first + 1 - a) * weight
            for x in range(first + 1, last):
                cov[row + x] += weight
            cov[row + last] += (b - last) * weight
    return cov


def render_badge(size: int) -> bytes:
    """Android's status bar keeps only the alpha channel: a white bell on nothing."""
    unit = size / 32
    shapes = [[(x * unit, y * unit) for x, y in shape] for shape in (bell(), circle(16, 26.5, 2.5))]
    covs = [coverage(shape, size) for shape in shapes]
    pixels = bytearray()
    for y in range(size):
        pixels.append(0)
        for x in range(size):
            a = min(sum(c[y * size + x] for c in covs), 1.0)
            pixels += bytes((255, 255, 255, round(a * 255)))
    return png(size, bytes(pixels))


def render(size: int, maskable: bool) -> bytes:
    # the favicon is drawn on a 32-unit square; a maskable icon shrinks the bell to its safe zone
    unit = size / 32
    bell_scale = 0.72 if maskable else 1.0
    shift = 16 * (1 - bell_scale)

    def place(points: list[Point], scale: float = 1.0, offset: float = 0.0) -> list[Point]:
        return [((x * scale + offset) * unit, (y * scale + offset) * unit) for x, y in points]

    background = [(0, 0), (size, 0), (size, size), (0, size)] if maskable else place(rounded_square(32, 7))
    layers = [(NAVY, coverage(background, size)),
              (WHITE, coverage(place(bell(), bell_scale, shift), size)),
              (AMBER, coverage(place(circle(16, 26.5, 2.5), bell_scale, shift), size))]
    pixels = bytearray()
    for y in range(size):
        pixels.append(0)  # PNG filter: none
        for x in range(size):
            r = g = b = a = 0.0
            for colour, cov in layers:
                c = min(cov[y * size + x], 1.0)
                if c <= 0:
                    continue
                # "source over" with straight alpha
                out_a = c + a * (1 - c)
                r = (colour[0] * c + r * a * (1 - c)) / out_a
                g = (colour[1] * c + g * a * (1 - c)) / out_a
                b = (colour[2] * c + b * a * (1 - c)) / out_a
                a = out_a
            pixels += bytes((round(r), round(g), round(b), round(a * 255)))
    return png(size, bytes(pixels))


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    for size in (192, 512):
        for maskable in (False, True):
            name = f"{'maskable' if maskable else 'icon'}-{size}.png"
            data = render(size, maskable)
            (HERE / name).write_bytes(data)
            print(f"{name}: {len(data):,} bytes")
    # iOS ignores the manifest's icons and wants an opaque square for the home screen
    (HERE / "apple-touch-icon.png").write_bytes(render(180, True))
    (HERE / "badge-96.png").write_bytes(render_badge(96))


if __name__ == "__main__":
    main()
