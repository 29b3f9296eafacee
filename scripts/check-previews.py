"""Render a preview of every demo product through a running server and check that it looks right.

For each demo product: start a session with valid choices, ask for a preview, wait for the worker,
download the SVG, check it is well-formed XML, convert it to PNG with rsvg-convert (Debian's librsvg)
and check that the PNG shows the colours the zones were given — so the preview is neither blank nor
missing a zone.

    python scripts/check-previews.py http://127.0.0.1:PORT OUTPUT_FOLDER
"""
import json
import os
import struct
import subprocess
import sys
import time
import urllib.request
import xml.dom.minidom
import zlib

base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def call(method, path, body=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
        return response.status, payload


def png_pixels(path):
    """Decode an 8-bit RGBA/RGB PNG (what rsvg-convert writes) into a set of (r, g, b) colours."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, colour_type = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    bpp = 4 if colour_type == 6 else 3
    stride = width * bpp
    previous = bytearray(stride)
    colours = set()
    for row in range(height):
        filter_type = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if filter_type == 1: line[i] = (line[i] + left) & 0xFF
            elif filter_type == 2: line[i] = (line[i] + up) & 0xFF
            elif filter_type == 3: line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + predictor) & 0xFF
        for x in range(0, stride, bpp):
            if bpp == 4 and line[x + 3] < 250:
                continue
            colours.add((line[x], line[x + 1], line[x + 2]))
        previous = line
    return colours


def png_image(width, height):
    """A complete 8-bit greyscale PNG (diagonal stripes): uploads are decoded, not only sniffed."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ramp = bytes(x % 256 for x in range(width + 256))
    raw = b"".join(b"\x00" + ramp[y % 256:y % 256 + width] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def hexcolour(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


_, asset = call("POST", "/assets", png_image(3000, 3000), "image/png")
asset_id = json.loads(asset)["id"]
cases = {
    "custom-printed-tee": ({"size": "m", "colour": "navy"}, {},
                           {"chest_text": {"text": {"text": "Hello <Ada> & co", "font": "Oswald", "colour": "#c9a227"}},
                            "artwork": {"image": asset_id}}, "#c9a227"),
    "engraved-wooden-keepsake-box": ({}, {"finish": ["matte_lacquer"]},
                                     {"engraving": {"text": {"text": "For Ada\nwith love", "font": "Cinzel"}}}, "#111111"),
    "build-your-own-gift-box": ({}, {}, {"contents": {"components": ["scented_candle", "herbal_tea", "honey_jar"]},
                                         "ribbon": {"colour": "forest"}}, "#2e5e3a"),
}
failures = 0
for slug, (selection, options, zones, colour) in cases.items():
    _, created = call("POST", "/sessions", {"product": slug, "selection": selection, "options": options, "zones": zones})
    session = json.loads(created)
    assert session["valid"], (slug, session["errors"])
    started = time.time()
    call("POST", f"/sessions/{session['id']}/preview")
    preview = {}
    while time.time() - started < 30:
        _, body = call("GET", f"/sessions/{session['id']}")
        preview = json.loads(body).get("preview", {})
        if preview.get("status") in ("ready", "failed"):
            break
        time.sleep(0.1)
    assert preview.get("status") == "ready", (slug, preview)
    _, svg = call("GET", preview["url"])
    xml.dom.minidom.parseString(svg)  # well-formed, or this raises
    svg_path, png_path = os.path.join(out, slug + ".svg"), os.path.join(out, slug + ".png")
    open(svg_path, "wb").write(svg)
    subprocess.run(["rsvg-convert", "-f", "png", "-o", png_path, svg_path], check=True)
    colours = png_pixels(png_path)
    seen = hexcolour(colour) in colours
    print(f"{slug}: ready in {time.time() - started:.2f}s, {len(svg)} bytes of SVG, {len(colours)} colours in the PNG, zone colour {colour} {'shown' if seen else 'MISSING'}")
    if len(colours) < 3 or not seen:
        failures += 1
print(f"previews: {len(cases) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
