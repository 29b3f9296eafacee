#!/usr/bin/env python3
"""Draws the demo catalog's product pictures (flat shapes, a few kilobytes each) as PNG files.

    python3 scripts/make-demo-images.py Sources/AtelierServer/Demo

Each picture is the size of its template view (the zones of the demo templates are drawn on these), in the
standard library only: polygons filled by scanline, written as 8-bit palette PNGs.
"""
import os
import struct
import sys
import zlib

BACKGROUND = (244, 242, 238)
PALETTE = [BACKGROUND, (52, 84, 122), (34, 52, 78), (196, 160, 110), (150, 112, 70), (180, 40, 52), (120, 24, 34),
           (210, 210, 214), (90, 90, 98), (255, 255, 255)]


def fill(canvas, width, points, colour):
    """Fills the polygon `points` (x, y pairs) with palette index `colour` (even-odd rule, pixel centres)."""
    ys = [y for _, y in points]
    for row in range(max(0, int(min(ys))), min(len(canvas), int(max(ys)) + 1)):
        centre = row + 0.5
        crossings = []
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
            if (y1 <= centre < y2) or (y2 <= centre < y1):
                crossings.append(x1 + (centre - y1) * (x2 - x1) / (y2 - y1))
        crossings.sort()
        line = canvas[row]
        for left, right in zip(crossings[::2], crossings[1::2]):
            for x in range(max(0, int(left + 0.5)), min(width, int(right + 0.5))):
                line[x] = colour


def rect(x, y, w, h):
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def ellipse(cx, cy, rx, ry, steps=72):
    import math
    return [(cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps)) for i in range(steps)]


def tee(width, height, colour, shade, back):
    shape = [(300, 120), (420, 90), (500, 150 if back else 190), (580, 90), (700, 120), (930, 330), (820, 450), (760, 400),
             (760, 1120), (240, 1120), (240, 400), (180, 450), (70, 330)]
    parts = [(shape, colour), (rect(240, 1090, 520, 30), shade)]
    if not back:
        parts.append((ellipse(500, 150, 80, 45), 0))
    return parts


def lid(width, height):
    return [(rect(60, 60, 680, 480), 3), (rect(100, 100, 600, 400), 4), (rect(130, 130, 540, 340), 3)]


def gift_box(width, height):
    return [(rect(150, 250, 600, 550), 5), (rect(120, 200, 660, 120), 6), (rect(410, 200, 80, 600), 3),
            ([(450, 200), (320, 90), (300, 150), (430, 210)], 3), ([(450, 200), (580, 90), (600, 150), (470, 210)], 3)]


def figurine(width, height):
    return [(ellipse(500, 260, 110, 120), 7), (rect(390, 370, 220, 380), 7), (rect(300, 750, 400, 80), 8)]


PICTURES = {
    "tee-front.png": (1000, 1200, lambda w, h: tee(w, h, 1, 2, False)),
    "tee-back.png": (1000, 1200, lambda w, h: tee(w, h, 1, 2, True)),
    "keepsake-lid.png": (800, 600, lid),
    "gift-box.png": (900, 900, gift_box),
    "figurine.png": (1000, 1000, figurine),
}


def png(width, height, canvas):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(line) for line in canvas)
    palette = b"".join(bytes(c) for c in PALETTE)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
            + chunk(b"PLTE", palette) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    for name, (width, height, draw) in PICTURES.items():
        canvas = [bytearray(width) for _ in range(height)]
        for points, colour in draw(width, height):
            fill(canvas, width, points, colour)
        with open(os.path.join(folder, name), "wb") as out:
            out.write(png(width, height, canvas))


if __name__ == "__main__":
    main()
