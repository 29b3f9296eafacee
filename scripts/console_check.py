"""What the console's browser checks share: the server they start, the API calls they make as shoppers and admins,
sign-in in Chromium, axe and screenshots. Imported by scripts/check-studio.py, scripts/check-reports.py and
scripts/check-back-office.py.

Environment: ATELIER_BIN, WORK, ATELIER_PORT, DATABASE_URL (empty or unset: SQLite); CHROMIUM (default
/usr/bin/chromium). Every wait is bounded; the server is stopped by its PID. A check with its own default port sets
ATELIER_PORT's default before it imports this module.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

from axe_playwright_python.sync_playwright import Axe

BIN, WORK = os.environ["ATELIER_BIN"], os.environ["WORK"]
PORT = int(os.environ.get("ATELIER_PORT", "18187"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
BASE = f"http://127.0.0.1:{PORT}"
PAGE_TIMEOUT_MS = 10_000
COOKIE = "atelier_console"


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def ok(message):
    print(f"ok: {message}", flush=True)


class Server:
    """`atelier serve` on 127.0.0.1 with the demo catalog and the test payment provider, in a new data folder."""

    def __init__(self, name, **extra):
        self.data = os.path.join(WORK, f"data-{name}")
        self.log = os.path.join(WORK, f"{name}-serve.log")
        self.extra = extra
        self.process = None

    def env(self, **more):
        return dict(os.environ, ATELIER_DATA_DIR=self.data, DATABASE_URL=DATABASE_URL, PORT=str(PORT),
                    ATELIER_HOSTNAME="127.0.0.1", ATELIER_PAYMENT_PROVIDERS="test", ATELIER_SEED_DEMO="true",
                    ATELIER_LOG_FORMAT="json", ATELIER_RATE_LIMITING="false", **self.extra, **more)

    def start(self):
        shutil.rmtree(self.data, ignore_errors=True)
        os.makedirs(self.data)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([BIN, "serve"], env=self.env(ATELIER_LOG_LEVEL="info"), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"the server exited with {self.process.returncode} before it was ready (log: {self.log})")
            try:
                with urllib.request.urlopen(BASE + "/health/ready", timeout=2) as response:
                    if response.status == 200:
                        ok(f"atelier serve ready on {BASE} (pid {self.process.pid}, log {self.log})")
                        return self
            except Exception:
                pass
            time.sleep(0.2)
        raise Failed(f"the server was not ready on {BASE} within 60 s (log: {self.log})")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM to its PID
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def staff_create(self, email, role, name):
        """`atelier staff create` beside the running server; the one-time password is the last line."""
        result = subprocess.run([BIN, "staff", "create", "--email", email, "--role", role, "--name", name],
                                env=self.env(ATELIER_LOG_LEVEL="warning"), capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
        expect(result.returncode == 0, f"staff create {email} ({role}) exited {result.returncode}: {result.stderr.strip()[-500:]}")
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        expect(lines and re.fullmatch(r"\S+", lines[-1]), f"staff create {email}: no one-time password on the last line")
        return lines[-1]

    def bootstrap_password(self):
        path = os.path.join(self.data, "bootstrap-console-password")
        expect(os.path.isfile(path), f"no {path} after the first serve")
        words = open(path).read().split()
        expect(words, f"{path} is empty")
        return words[-1]

    def admin_key(self):
        path = os.path.join(self.data, "bootstrap-admin-key")
        expect(os.path.isfile(path), f"no {path} after the first serve")
        key = open(path).read().strip()
        expect(key, f"{path} is empty")
        return key


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(method, path, body=None, headers=None, raw=None, content_type="application/json", token=None, follow_redirects=True):
    """One API call on 127.0.0.1: (status, JSON or text, headers). `token`: sent as a bearer token; with
    follow_redirects=False a redirect is answered as it is (its status and Location)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    fields = {"Content-Type": content_type, **(headers or {})}
    if token:
        fields["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=fields)
    opener = urllib.request.urlopen if follow_redirects else urllib.request.build_opener(_NoRedirect).open
    try:
        with opener(request, timeout=30) as response:
            payload = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, (json.loads(payload) if payload and "json" in kind else payload), response.headers
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"null"), error.headers
        except ValueError:
            return error.code, payload.decode(errors="replace"), error.headers


def paid_order(item, email="grace@example.com"):
    """A paid order through the public API: cart → checkout → the test provider's payment."""
    status, cart, headers = call("POST", "/cart/items", item)
    expect(status == 201, f"add to cart: {status} {cart}")
    status, started, _ = call("POST", "/checkout", {
        "contact": {"email": email, "name": "Grace Hopper"},
        "shippingAddress": {"name": "Grace Hopper", "line1": "1 Navy Yard", "city": "Brooklyn", "region": "NY",
                            "postalCode": "11205", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": "test"}},
        {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
    expect(status == 201, f"checkout: {status} {started}")
    status, paid, _ = call("POST", f"/checkout/{started['checkout']['id']}/test-payment", {}, {"X-Access-Token": started["accessToken"]})
    expect(status == 200 and paid["checkout"].get("orderId"), f"test payment: {status} {paid}")
    return {"id": paid["checkout"]["orderId"], "number": paid["checkout"]["orderNumber"]}


def png(width, height, rgb, stripe=None):
    """An RGB PNG of one colour (with a band of another), a few kilobytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    plain = b"\x00" + bytes(rgb) * width
    band = b"\x00" + bytes(stripe or rgb) * width
    rows = b"".join(band if stripe and height // 3 <= y < 2 * height // 3 else plain for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


# --- the browser -----------------------------------------------------------------------------------------------------

def new_context(browser, **options):
    """A browser context on the server; `options` go to browser.new_context (accept_downloads=True, say)."""
    context = browser.new_context(base_url=BASE, viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return context


def path_of(url):
    return urllib.parse.urlsplit(url).path


def goto(page, path, status=200):
    response = page.goto(BASE + path)
    expect(response is not None, f"no response for {path}")
    expect(status is None or response.status == status, f"GET {path}: {response.status}, not {status}")
    return response


def sign_in(browser, email, password, what, **options):
    """A new browser context (`options` as new_context's) signed in as `email`; answers (context, page) on the
    dashboard."""
    context = new_context(browser, **options)
    page = context.new_page()
    goto(page, "/console/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == "/console/sign-in") as answer:
        page.get_by_role("button", name="Sign in").click()
    expect(answer.value.status == 303, f"{what}: sign-in answered {answer.value.status}")
    page.wait_for_url(BASE + "/console/")
    ok(f"{what} signed in")
    return context, page


def csrf_of(page):
    """The session's anti-forgery token, from the sign-out form every signed-in page carries."""
    return page.locator("#sign-out input[name=csrf]").get_attribute("value")


def post_form(page, path, fields):
    """A form post with the page's cookies, outside any form of the page (what a tampered request would send)."""
    return page.context.request.post(BASE + path, form=fields, max_redirects=0)


def images_loaded(page, selector, what):
    """Every image matched is fetched with 200 and decoded by the browser (its natural width is not 0)."""
    images = page.locator(selector)
    count = images.count()
    expect(count > 0, f"{what}: no image matches {selector}")
    for index in range(count):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete", arg=image.element_handle(), timeout=PAGE_TIMEOUT_MS)
        width = image.evaluate("(img) => img.naturalWidth")
        source = image.get_attribute("src")
        expect(width > 0, f"{what}: {source} was not decoded (natural width 0)")
        status, _, _ = call("GET", source)
        expect(status == 200, f"{what}: GET {source} answered {status}")
    return count


def audit(page, what):
    """axe on the page as it is: any serious or critical violation fails; lesser ones are named on the ok line."""
    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    for v in bad:
        targets = "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"][:5])
        print(f"  axe {v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])} element(s): {targets})", flush=True)
    expect(not bad, f"{what}: {len(bad)} serious or critical accessibility violation(s)")
    minor = ", ".join(f"{v['id']} ({v.get('impact')})" for v in violations)
    ok(f"axe on {what}: no serious or critical violation" + (f" (lesser: {minor})" if minor else ""))


def screenshot(page, name):
    path = os.path.join(WORK, f"console-{name}.png")
    page.screenshot(path=path, full_page=True)
    print(f"screenshot: {path}", flush=True)
    return path
