#!/usr/bin/env python3
"""One abusive client against a running server, for DURATION seconds, WORKERS threads per kind of abuse:

  sessions  POST /sessions with bodies as large as the body limit allows, for a product with a template:
            either within the contract's counts and value lengths but with long unknown keys, or with
            thousands of unknown keys
  assets    POST /assets: a PNG, JPEG or WebP header (a plausible pixel size) then random bytes, any size
            up to the upload limit, every one different
  uris      GET /products?x<i>=… and GET /products/<slug>?junk<i>=…, every URI unique and about URI_BYTES long
  keys      GET /cart and POST /cart/items, each with a new X-Session-Key or a new long atelier_session cookie

    python3 bench/abuse.py BASE_URL SERVER_PID DATA_DIR DURATION WORKERS BODY_BYTES ASSET_BYTES URI_BYTES \
        COOKIE_BYTES REQUEST_TIMEOUT

Counts answers by kind and status, samples the server's memory (/proc/PID/status) and the growth of its
database (atelier.sqlite and its -wal) and of its assets folder, and prints a summary. Standard library only;
keep-alive HTTP/1.1 written by hand so that an answer sent before the body is read (413, 429) is seen. A 413
that names the body limit (`larger than N bytes`) lowers the sizes of the bodies that follow to N.
Exits 1 when the server exited, stopped answering, or answered 5xx; 0 otherwise.
"""
import json
import os
import random
import re
import select
import socket
import struct
import sys
import threading
import time
import zlib
from collections import Counter, defaultdict
from urllib.parse import urlsplit

(BASE, PID, DATA, DURATION, WORKERS, BODY_BYTES, ASSET_BYTES, URI_BYTES, COOKIE_BYTES,
 TIMEOUT) = (sys.argv[1].rstrip("/"), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]),
             int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9]), float(sys.argv[10]))
HOST, PORT = urlsplit(BASE).hostname, urlsplit(BASE).port
assert HOST == "127.0.0.1", "loopback only"
KINDS = ["sessions", "assets", "uris", "keys"]
CHUNK = 256 * 1024


# --- HTTP/1.1 over one keep-alive connection -----------------------------------------------------------

class NoAnswer(Exception):
    """The connection closed, reset or timed out before a whole answer came."""


class Client:
    def __init__(self):
        self.sock = None
        self.buffer = b""
        self.sent = 0  # bytes of requests written, over the client's life

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock, self.buffer = None, b""

    def request(self, method, target, headers=(), body=b""):
        """Sends one request; answers (status, headers, body). An answer that arrives while the body is
        still being sent ends the sending (the connection is closed afterwards). A kept-alive connection
        the server closed in between is replaced once, as browsers do."""
        reused = self.sock is not None
        try:
            return self._exchange(method, target, headers, body)
        except NoAnswer as e:
            if not reused or str(e) not in ("closed", "reset"):
                raise
        return self._exchange(method, target, headers, body)

    def _exchange(self, method, target, headers, body):
        deadline = time.monotonic() + TIMEOUT
        if self.sock is None:
            self.sock = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.setblocking(False)
        head = f"{method} {target} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers)
        if body or method in ("POST", "PUT", "PATCH"):
            head += f"Content-Length: {len(body)}\r\n"
        data = memoryview(head.encode("latin-1") + b"\r\n" + body)
        sent, early = 0, False
        try:
            while sent < len(data):
                readable, writable, _ = select.select([self.sock], [self.sock], [], self._left(deadline))
                if readable:
                    early = True  # an answer before the whole request was sent
                    break
                if writable:
                    try:
                        count = self.sock.send(data[sent:sent + CHUNK])
                        sent += count
                        self.sent += count
                    except BlockingIOError:
                        pass
        except (BrokenPipeError, ConnectionResetError):
            early = True
        except NoAnswer:
            self.close()
            raise
        try:
            answer = self._read_answer(deadline, method)
        except NoAnswer:
            self.close()
            raise
        if early or sent < len(data) or answer[1].get("connection", "").lower() == "close":
            self.close()
        return answer

    @staticmethod
    def _left(deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise NoAnswer("timeout")
        return left

    def _fill(self, deadline):
        readable, _, _ = select.select([self.sock], [], [], self._left(deadline))
        if not readable:
            raise NoAnswer("timeout")
        try:
            chunk = self.sock.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            raise NoAnswer("reset")
        except BlockingIOError:
            return
        if not chunk:
            raise NoAnswer("closed")
        self.buffer += chunk

    def _take(self, count, deadline):
        while len(self.buffer) < count:
            self._fill(deadline)
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        return out

    def _line(self, deadline):
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > 256 * 1024:
                raise NoAnswer("header too long")
            self._fill(deadline)
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _read_answer(self, deadline, method):
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > 256 * 1024:
                raise NoAnswer("header too long")
            self._fill(deadline)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise NoAnswer("not HTTP")
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return status, headers, b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._line(deadline).split(b";")[0], 16)
                if size == 0:
                    while self._line(deadline):
                        pass
                    return status, headers, body
                body += self._take(size, deadline)
                self._take(2, deadline)
        if "content-length" in headers:
            return status, headers, self._take(int(headers["content-length"]), deadline)
        body = self.buffer  # no length: the body runs to the end of the connection
        try:
            while True:
                self._fill(deadline)
        except NoAnswer:
            body, self.buffer = self.buffer, b""
        headers["connection"] = "close"
        return status, headers, body


# --- What the server holds ----------------------------------------------------------------------------

def proc_status(pid):
    """VmRSS and VmHWM in bytes, or None when the process is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    if fields.get("State", "").strip().startswith("Z"):
        return None
    kb = lambda name: int(fields.get(name, "0 kB").split()[0]) * 1024
    return {"rss": kb("VmRSS"), "hwm": kb("VmHWM")}


def database_bytes():
    total = 0
    for name in ("atelier.sqlite", "atelier.sqlite-wal"):
        try:
            total += os.path.getsize(os.path.join(DATA, name))
        except OSError:
            pass
    return total


def storage(folder="assets"):
    """Bytes and files under a folder of the data folder (the assets folder, or all of it)."""
    total = files = 0
    for folder, _, names in os.walk(os.path.join(DATA, folder)):
        for name in names:
            try:
                total += os.path.getsize(os.path.join(folder, name))
                files += 1
            except OSError:
                pass
    return total, files


def snapshot():
    stored, files = storage()
    return {"proc": proc_status(PID), "db": database_bytes(), "assets": stored, "files": files, "all": storage("")[0]}


def size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


# --- The catalog -------------------------------------------------------------------------------------

def discover():
    """A product with a customization template (sessions), one without (cart lines) and a slug (URIs)."""
    client = Client()
    status, _, body = client.request("GET", "/products?limit=100")
    assert status == 200, f"GET /products answered {status}"
    slugs = [item["slug"] for item in json.loads(body)["items"]]
    assert slugs, "the catalog is empty"
    templated = plain = None
    for slug in slugs[:30]:
        status, _, body = client.request("GET", f"/products/{slug}")
        if status != 200:
            continue
        product = json.loads(body)
        if product.get("template") and templated is None:
            templated = slug
        elif not product.get("template") and plain is None:
            selection = {d["code"]: d["values"][0]["code"] for d in product.get("dimensions", []) if d.get("values")}
            plain = (slug, selection)
        if templated and plain:
            break
    client.close()
    assert templated, "no product of the catalog has a customization template"
    return templated, plain or (slugs[0], {}), slugs[0]


# --- The abuse ----------------------------------------------------------------------------------------

def text(n):
    """n random characters [0-9a-f]."""
    return os.urandom((n + 1) // 2).hex()[:n]


def session_body(product, limit, shaped):
    """A JSON body of about `limit` bytes. Shaped: the contract's counts and value lengths (6 dimensions,
    20 option sets of 50 codes of 40 characters, 60 zones with every field at its longest), the rest
    spent on long unknown keys. Not shaped: thousands of unknown keys."""
    target = limit - 64
    if shaped:
        selection = [text(40) for _ in range(6)]
        options = [[text(40) for _ in range(50)] for _ in range(20)]
        zones = [{"text": {"text": text(2000), "font": text(100), "colour": text(20)}, "image": text(80),
                  "colour": text(40), "components": [text(40) for _ in range(100)]} for _ in range(60)]

        def build(key):
            return {"product": product, "selection": {text(key): v for v in selection},
                    "options": {text(key): v for v in options}, "zones": {text(key): v for v in zones}}
        probe = len(json.dumps(build(16), separators=(",", ":")))
        doc = build(16 + max(0, target - probe) // (6 + 20 + 60))
    else:
        third = target // 3
        doc = {"product": product,
               "selection": {text(24): text(40) for _ in range(third // 70)},
               "options": {text(24): [text(40) for _ in range(50)] for _ in range(third // 2180)},
               "zones": {text(24): {"text": {"text": text(900)}} for _ in range(third // 950)}}
    body = json.dumps(doc, separators=(",", ":")).encode()
    if len(body) > limit:  # never above the limit: the point is what a body within it does
        body = json.dumps({**doc, "zones": dict(list(doc["zones"].items())[:-((len(body) - limit) // 900 + 2)])},
                          separators=(",", ":")).encode()
    return body


POOL = b""  # random bytes, sliced for uploads


def image(kind, n):
    """A valid PNG, JPEG or WebP header with a plausible pixel size, a nonce, then random bytes: n bytes."""
    w, h = random.randint(200, 4000), random.randint(200, 4000)
    if kind == "png":
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
        head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
        media = "image/png"
    elif kind == "jpeg":
        head = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                + b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", h, w) + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
        media = "image/jpeg"
    else:
        vp8x = b"\x00\x00\x00\x00" + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
        head = b"RIFF" + struct.pack("<I", max(n, 40) - 8) + b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x
        media = "image/webp"
    head += os.urandom(16)
    rest = max(0, n - len(head))
    start = random.randint(0, max(0, len(POOL) - rest))
    return media, head + POOL[start:start + rest]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = defaultdict(Counter)     # kind → status → count
        self.failures = defaultdict(Counter)   # kind → reason → count
        self.sent = Counter()                  # kind → bytes
        self.samples = {}                      # (kind, status) → the first answer's code and detail
        self.fives = []                        # the first few 5xx bodies

    def add(self, kind, status, nbytes, body=b""):
        with self.lock:
            self.status[kind][status] += 1
            self.sent[kind] += nbytes
            if (kind, status) not in self.samples:
                self.samples[(kind, status)] = describe(body)
            if status >= 500 and len(self.fives) < 5:
                self.fives.append(f"{kind} {status}: " + body[:300].decode("utf-8", "replace"))

    def fail(self, kind, reason, nbytes):
        with self.lock:
            self.failures[kind][reason] += 1
            self.sent[kind] += nbytes

    def totals(self):
        with self.lock:
            statuses = Counter()
            for counts in self.status.values():
                statuses.update(counts)
            failed = sum(sum(c.values()) for c in self.failures.values())
        return statuses, failed


def describe(body):
    """The problem's code and detail, or the start of another answer."""
    try:
        problem = json.loads(body)
        if isinstance(problem, dict) and "code" in problem:
            return f"{problem['code']}: {problem.get('detail', '')}"
    except ValueError:
        pass
    return body[:120].decode("utf-8", "replace")


LIMITS = {"sessions": BODY_BYTES, "assets": ASSET_BYTES}  # lowered to what a 413 says the server takes


def learn_limit(kind, status, body):
    """A 413 content_too_large names the body limit: later bodies of this kind stay within it."""
    if status != 413:
        return
    match = re.search(r"larger than (\d+) bytes", describe(body))
    if match and int(match.group(1)) < LIMITS[kind]:
        LIMITS[kind] = int(match.group(1))
        print(f"  the server takes {kind} bodies of at most {size(LIMITS[kind])}: later ones stay within it", flush=True)


def worker(kind, index, stop, tally, catalog):
    templated, (plain, selection), slug = catalog
    client = Client()
    i = 0
    while not stop.is_set():
        i += 1
        tag = f"{index}x{i}"
        if kind == "sessions":
            method, target, body = "POST", "/sessions", session_body(templated, LIMITS[kind], shaped=i % 2 == 1)
            headers = [("Content-Type", "application/json")]
        elif kind == "assets":
            media, body = image(("png", "jpeg", "webp")[i % 3], random.randint(1024, LIMITS[kind]))
            method, target, headers = "POST", "/assets", [("Content-Type", media)]
        elif kind == "uris":
            base = "/products?" if i % 2 else f"/products/{slug}?"
            name = f"x{tag}=" if i % 2 else f"junk{tag}="
            method, target, headers, body = "GET", base + name + text(max(1, URI_BYTES - len(base) - len(name))), [], b""
        else:
            step = i % 3
            if step == 0:
                method, target, body, headers = "GET", "/cart", b"", [("X-Session-Key", text(200))]
            elif step == 1:
                method, target, body, headers = "GET", "/cart", b"", [("Cookie", f"atelier_session={text(COOKIE_BYTES)}")]
            else:
                method, target = "POST", "/cart/items"
                body = json.dumps({"product": plain, "selection": selection, "quantity": 1}).encode()
                headers = [("Content-Type", "application/json"), ("Cookie", f"atelier_session={text(COOKIE_BYTES)}")]
        before = client.sent
        try:
            status, _, answer = client.request(method, target, headers, body)
            tally.add(kind, status, client.sent - before, answer)
            if kind in LIMITS:
                learn_limit(kind, status, answer)
        except NoAnswer as e:
            tally.fail(kind, str(e), client.sent - before)
        except OSError as e:
            tally.fail(kind, type(e).__name__, client.sent - before)
            client.close()
            stop.wait(0.05)  # refused or out of sockets: do not spin
    client.close()


def main():
    global POOL
    before = snapshot()
    if before["proc"] is None:
        sys.exit(f"the server (pid {PID}) is not running")
    catalog = discover()
    POOL = os.urandom(ASSET_BYTES)
    print(f"one client (127.0.0.1), {WORKERS} worker(s) for each of {', '.join(KINDS)}, {DURATION:.0f} s; "
          f"bodies up to {size(BODY_BYTES)}, uploads up to {size(ASSET_BYTES)}, URIs of {size(URI_BYTES)}, "
          f"cookies of {size(COOKIE_BYTES)}; sessions for '{catalog[0]}', cart lines of '{catalog[1][0]}'", flush=True)

    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=worker, args=(kind, n, stop, tally, catalog), daemon=True)
               for kind in KINDS for n in range(WORKERS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    peak_rss, died, next_report = before["proc"]["rss"], False, 10
    while (elapsed := time.monotonic() - started) < DURATION:
        stop.wait(min(1.0, DURATION - elapsed))
        proc = proc_status(PID)
        if proc is None:
            died = True
            break
        peak_rss = max(peak_rss, proc["rss"])
        if elapsed + 1 >= next_report:
            statuses, failed = tally.totals()
            fives = sum(v for k, v in statuses.items() if k >= 500)
            print(f"  {next_report:>4} s: {sum(statuses.values()) + failed} requests (2xx "
                  f"{sum(v for k, v in statuses.items() if 200 <= k < 300)}, 429 {statuses[429]}, 5xx {fives}, "
                  f"no answer {failed}); RSS {size(proc['rss'])}, database {size(database_bytes())}, "
                  f"assets {size(storage()[0])}", flush=True)
            next_report += 10
    stop.set()
    for t in threads:  # each request ends within TIMEOUT
        t.join(TIMEOUT + 5)
    lingering = sum(t.is_alive() for t in threads)
    ran = time.monotonic() - started

    after = snapshot()
    died = died or after["proc"] is None
    answering = False
    if not died:
        try:
            answering = Client().request("GET", "/health/live")[0] == 200
        except (NoAnswer, OSError):
            pass
        peak_rss = max(peak_rss, after["proc"]["rss"])

    # --- summary
    statuses, failed = tally.totals()
    print(f"\n== answers by kind ({ran:.0f} s, one client address)")
    print(f"{'kind':<10} {'requests':>9} {'sent':>11} {'2xx':>7} {'4xx':>7} {'5xx':>5} {'no answer':>10}  by status")
    for kind in KINDS:
        counts, fails = tally.status[kind], tally.failures[kind]
        rng = lambda lo, hi: sum(v for k, v in counts.items() if lo <= k < hi)
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        if fails:
            detail += "; no answer: " + ", ".join(f"{k} {v}" for k, v in sorted(fails.items()))
        print(f"{kind:<10} {sum(counts.values()) + sum(fails.values()):>9} {size(tally.sent[kind]):>11} "
              f"{rng(200, 300):>7} {rng(400, 500):>7} {rng(500, 600):>5} {sum(fails.values()):>10}  {detail}")
    rng = lambda lo, hi: sum(v for k, v in statuses.items() if lo <= k < hi)
    print(f"{'total':<10} {sum(statuses.values()) + failed:>9} {size(sum(tally.sent.values())):>11} "
          f"{rng(200, 300):>7} {rng(400, 500):>7} {rng(500, 600):>5} {failed:>10}  "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))

    print("\n== what the server holds     before        after       growth")
    row = lambda label, b, a, extra="": print(f"{label:<26} {size(b):>10} {size(a):>12} {('+' if a >= b else '-') + size(abs(a - b)):>12}{extra}")
    row("database (sqlite + wal)", before["db"], after["db"])
    row("assets folder", before["assets"], after["assets"], f"   ({after['files'] - before['files']:+d} files)")
    row("data folder, all of it", before["all"], after["all"])
    if after["proc"]:
        row("server RSS (VmRSS)", before["proc"]["rss"], after["proc"]["rss"])
        print(f"{'peak RSS':<26} {'':>10} {size(max(peak_rss, after['proc']['hwm'])):>12}   "
              f"(VmHWM {size(after['proc']['hwm'])}, highest sampled VmRSS {size(peak_rss)})")

    print("\n== the first answer of each kind and status")
    for (kind, status), sample in sorted(tally.samples.items()):
        print(f"{kind:<10} {status}  {sample[:150]}")

    fives = rng(500, 600)
    print()
    print(f"5xx answers: {fives}" + (" (none, as it must be)" if fives == 0 else " — FAIL: the server must never answer 5xx"))
    for body in tally.fives:
        print(f"  {body}")
    if died:
        print("server: FAIL — the process exited during the run")
    elif not answering:
        print("server: FAIL — still running but /health/live went unanswered after the run")
    else:
        print("server: still running and answering")
    if lingering:
        print(f"note: {lingering} worker(s) were still waiting for an answer at the end")
    sys.exit(1 if died or not answering or fives else 0)


if __name__ == "__main__":
    main()
