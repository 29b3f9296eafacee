#!/usr/bin/env python3
"""The operator console at /console in a real browser: Debian's Chromium driven by Playwright, audited by axe.

    python scripts/check-console.py

Environment: ATELIER_BIN (the atelier executable), WORK (a scratch folder), ATELIER_PORT, DATABASE_URL (empty or
unset: SQLite); optional CHROMIUM (default /usr/bin/chromium) and CONSOLE_HOST (default 127.0.0.1). Starts `atelier serve` on 127.0.0.1 with the test payment provider and the demo catalog, reads the
bootstrap console admin's one-time password from the data folder, makes more accounts with `atelier staff create`,
pays orders through the public API (cart → checkout → test payment), and checks in Chromium: the sign-in form,
wrong passwords and the lockout, the session cookie, the dashboard's counts, the orders list, its filters and
pages, an order, the password change ending the account's other sessions, sign-out, CSRF, roles, the security
headers, keyboard-only sign-in and axe (no serious or critical violation). An operations user (Olga) takes a paid
order to delivered with the order page's forms (clicks and keyboard; shipped without a carrier refused) and the
shopper's GET /orders/<id> shows the steps and the tracking but not who made them; she cancels another with a
reason (refused without one), refunded in full per the admin API; the dashboard's delivered, cancelled and
today's figures follow. An order of a tee customized through a session (text with font and colour, an uploaded
image) shows its zones and template version. Last, the server's log holds none of the passwords. Screenshots go
to $WORK/console-*.png, the server's log to $WORK/console-serve.log.
Prints one line per check and exits non-zero on the first failure; the server is stopped by its PID either way.
Chromium is /usr/bin/chromium (Debian's package): `playwright install` is never needed nor called.
"""
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BIN, WORK = os.environ["ATELIER_BIN"], os.environ["WORK"]
PORT = int(os.environ.get("ATELIER_PORT", "18186"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The public API is called on 127.0.0.1. The console too: Chromium counts http://127.0.0.1 as a secure context, so it
# keeps a `Secure` cookie set over plain HTTP there (as it does on http://localhost). Set CONSOLE_HOST=localhost to
# drive the browser through http://localhost:PORT instead (still loopback) if a Chromium ever refuses it.
BASE = f"http://127.0.0.1:{PORT}"
CONSOLE = f"http://{os.environ.get('CONSOLE_HOST', '127.0.0.1')}:{PORT}"
DATA = os.path.join(WORK, "data-console")
LOG = os.path.join(WORK, "console-serve.log")
COOKIE = "atelier_console"
PAGE_TIMEOUT_MS = 10_000
STATUSES = ["pending_payment", "paid", "in_production", "fulfilled", "shipped", "delivered", "cancelled"]
WRONG_TEXT = "The email or password is wrong."

# Every password this run types or is given: none may appear in the server's log. Letters, digits and '-' only, so
# that JSON, URL and form encodings of them are the text itself.
secrets_used = []
sessions_seen = []


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def ok(message):
    print(f"ok: {message}", flush=True)


def new_password(prefix):
    value = f"{prefix}-{secrets.token_hex(8)}-Xy7"
    secrets_used.append(value)
    return value


# --- the server and the public API ---------------------------------------------------------------------------------

def server_env(**extra):
    return dict(os.environ, ATELIER_DATA_DIR=DATA, DATABASE_URL=DATABASE_URL, PORT=str(PORT), ATELIER_HOSTNAME="127.0.0.1",
                ATELIER_PAYMENT_PROVIDERS="test", ATELIER_SEED_DEMO="true", ATELIER_LOG_FORMAT="json",
                # Many checkouts from one address in a few seconds (to fill more than one page of orders): the API's
                # rate limits are tested by swift test. The console's own sign-in lockout is checked below.
                ATELIER_RATE_LIMITING="false", **extra)


def start_server():
    # A new data folder each run: its first serve makes the bootstrap console admin and writes the password file.
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    log = open(LOG, "w")
    server = subprocess.Popen([BIN, "serve"], env=server_env(ATELIER_LOG_LEVEL="info"), stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise Failed(f"the server exited with {server.returncode} before it was ready (log: {LOG})")
        try:
            with urllib.request.urlopen(BASE + "/health/ready", timeout=2) as response:
                if response.status == 200:
                    return server
        except Exception:
            pass
        time.sleep(0.2)
    raise Failed(f"the server was not ready on {BASE} within 60 s (log: {LOG})")


def stop_server(server):
    if server is None or server.poll() is not None:
        return
    server.terminate()  # SIGTERM to its PID
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def staff_create(email, role, name):
    """`atelier staff create` beside the running server, with its environment; the one-time password is the last line."""
    result = subprocess.run([BIN, "staff", "create", "--email", email, "--role", role, "--name", name],
                            env=server_env(ATELIER_LOG_LEVEL="warning"), capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    expect(result.returncode == 0, f"staff create {email} ({role}) exited {result.returncode}: {result.stderr.strip()[-500:]}")
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    expect(lines and re.fullmatch(r"\S+", lines[-1]), f"staff create {email}: no one-time password alone on the last line")
    secrets_used.append(lines[-1])
    return lines[-1]


def bootstrap_password():
    path = os.path.join(DATA, "bootstrap-console-password")
    expect(os.path.isfile(path), f"no {path} after the first serve")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    expect(mode == 0o600, f"{path} has mode {mode:o}, not 600")
    lines = [line.strip() for line in open(path).read().splitlines() if line.strip()]
    expect(lines, f"{path} is empty")
    password = lines[-1].split()[-1]
    secrets_used.append(password)
    # Its shape, never its content.
    ok(f"bootstrap console password file: mode 600, {len(lines)} non-empty line(s), last line of "
       f"{len(lines[-1].split())} word(s), password of {len(password)} characters")
    return password


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null"), error.headers
        except ValueError:
            return error.code, raw.decode(errors="replace"), error.headers


orders_made = []
FIGURINE = {"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}}


def paid_order(email_address, item=None):
    """A paid order through the public API, as a shopper makes one: cart → checkout → the test provider's payment.
    `item` is the cart item's body (default: a figurine by its variant; or {"sessionId": ...} for a customized line)."""
    status, cart, headers = call("POST", "/cart/items", item or FIGURINE)
    expect(status == 201, f"add to cart: {status} {cart}")
    status, started, _ = call("POST", "/checkout", {
        "contact": {"email": email_address, "name": "Grace Hopper"},
        "shippingAddress": {"name": "Grace Hopper", "line1": "1 Navy Yard", "city": "Brooklyn", "region": "NY",
                            "postalCode": "11205", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": "test"}},
        {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
    expect(status == 201, f"checkout: {status} {started}")
    status, paid, _ = call("POST", f"/checkout/{started['checkout']['id']}/test-payment", {},
                           {"X-Access-Token": started["accessToken"]})
    expect(status == 200 and paid["checkout"].get("orderId") and paid["checkout"].get("orderNumber"),
           f"test payment: {status} {paid}")
    total = paid["checkout"].get("total") or started["checkout"].get("total") or {}
    expect(isinstance(total.get("amount"), int) and total.get("currency"), f"test payment: no total in {paid['checkout']}")
    order = {"id": paid["checkout"]["orderId"], "number": paid["checkout"]["orderNumber"], "email": email_address,
             "token": started["accessToken"], "total": total["amount"], "currency": total["currency"]}
    orders_made.append(order)
    return order


def tracked(order):
    """The shopper's own view of the order: GET /orders/<id> with the access token answered at checkout."""
    status, view, _ = call("GET", f"/orders/{order['id']}", headers={"X-Access-Token": order["token"]})
    expect(status == 200 and isinstance(view, dict) and view.get("id") == order["id"], f"GET /orders/{order['id']} with its token: {status} {view}")
    return view


def admin_key():
    path = os.path.join(DATA, "bootstrap-admin-key")
    expect(os.path.isfile(path), f"no {path} after the first serve")
    key = open(path).read().strip()
    expect(key, f"{path} is empty")
    return key


def admin_order(order_id):
    status, detail, _ = call("GET", f"/admin/orders/{order_id}", headers={"Authorization": f"Bearer {admin_key()}"})
    expect(status == 200 and isinstance(detail, dict), f"GET /admin/orders/{order_id}: {status} {detail}")
    return detail


def money_text(amount, currency):
    """As the console writes an amount: "92.45 USD" (the demo shop's currencies have two decimals)."""
    expect(currency not in ("JPY", "KRW", "VND", "CLP", "ISK", "BHD", "KWD", "JOD", "OMR", "TND"),
           f"money_text: {currency} does not have two decimals")
    return f"{amount // 100}.{amount % 100:02d} {currency}"


def minor_units(text):
    match = re.fullmatch(r"\s*(\d+)\.(\d{2})\s+[A-Z]{3}\s*", text)
    expect(match, f"not an amount with two decimals and a currency: {text!r}")
    return int(match.group(1)) * 100 + int(match.group(2))


def png(width, height, rgb):
    """A plain RGB PNG of one colour (zlib compresses it to a few kilobytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = (b"\x00" + bytes(rgb) * width) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def upload(data, content_type):
    request = urllib.request.Request(BASE + "/assets", data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


# --- the browser -----------------------------------------------------------------------------------------------------

def new_context(browser):
    context = browser.new_context(base_url=CONSOLE, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return context


def path_of(url):
    return urllib.parse.urlsplit(url).path


def session_cookie(context):
    found = [c for c in context.cookies(CONSOLE + "/console/") if c["name"] == COOKIE]
    return found[0] if found else None


def goto(page, path):
    response = page.goto(CONSOLE + path)
    expect(response is not None, f"no response for {path}")
    return response


def submit_sign_in(page, email, password):
    """Fills the sign-in form and sends it; returns the response to the POST (a 303 when it worked)."""
    goto(page, "/console/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == "/console/sign-in") as answer:
        page.get_by_role("button", name="Sign in").click()
    response = answer.value
    page.wait_for_load_state("load")
    return response


def sign_in(page, email, password, what):
    before = session_cookie(page.context)
    response = submit_sign_in(page, email, password)
    expect(response.status == 303, f"{what}: sign-in answered {response.status}, not 303")
    location = response.header_value("location") or ""
    expect(path_of(urllib.parse.urljoin(CONSOLE + "/console/sign-in", location)) == "/console/",
           f"{what}: sign-in redirected to {location!r}, not /console/")
    page.wait_for_url(CONSOLE + "/console/")
    cookie = session_cookie(page.context)
    expect(cookie is not None, f"{what}: no {COOKIE} cookie after sign-in (Set-Cookie: {response.header_value('set-cookie')!r})")
    expect(before is None or before["value"] != cookie["value"], f"{what}: the cookie kept its value from before sign-in")
    expect(cookie["value"] not in sessions_seen, f"{what}: a session id was given out twice")
    sessions_seen.append(cookie["value"])
    return cookie


def csp_directives(header):
    directives = {}
    for part in (header or "").split(";"):
        words = part.strip().split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def check_headers(response, what, signed_in):
    headers = response.headers
    csp = headers.get("content-security-policy")
    expect(csp, f"{what}: no Content-Security-Policy")
    directives = csp_directives(csp)
    expect(directives.get("frame-ancestors") == ["'none'"], f"{what}: CSP without frame-ancestors 'none': {csp}")
    # Scripts follow script-src, or default-src when there is none; either way no inline script.
    scripts = directives.get("script-src", directives.get("default-src"))
    expect(scripts is not None, f"{what}: CSP restricts no script (neither script-src nor default-src): {csp}")
    expect("'unsafe-inline'" not in scripts, f"{what}: CSP allows inline scripts: {csp}")
    if signed_in:
        cache = [v.strip().lower() for v in headers.get("cache-control", "").split(",")]
        expect("no-store" in cache, f"{what}: Cache-Control {headers.get('cache-control')!r}, not no-store")


def audit(page, what):
    """axe on the page as it is: any serious or critical violation fails."""
    results = Axe().run(page).response
    violations = results["violations"]
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


def focused_id(page):
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")


def status_counts(page):
    """The dashboard's orders-by-status table: {status: count}, each row checked for its link."""
    table = page.locator("table#orders-by-status")
    expect(table.count() == 1, "the dashboard has no table#orders-by-status")
    counts = {}
    for status in STATUSES:
        link = table.locator(f'a[href$="/console/orders?status={status}"]')
        expect(link.count() == 1, f"orders-by-status: no single link to /console/orders?status={status}")
        row = table.locator("tr").filter(has=page.locator(f'a[href$="/console/orders?status={status}"]'))
        expect(row.count() == 1, f"orders-by-status: no single row for {status}")
        numbers = [t.strip() for t in row.locator("td, th").all_inner_texts() if re.fullmatch(r"\s*\d+\s*", t)]
        expect(len(numbers) == 1, f"orders-by-status: the {status} row has no single count cell: {row.inner_text()!r}")
        counts[status] = int(numbers[0])
    return counts


def today_figures(page):
    """The dashboard's shop day and its #orders-today figures: (day, orders, takings in minor units)."""
    heading = page.locator("h2#at-a-glance")
    expect(heading.count() == 1, "the dashboard has no h2#at-a-glance")
    day = re.search(r"\((\d{4}-\d{2}-\d{2}), shop time\)", heading.inner_text())
    expect(day, f"h2#at-a-glance names no shop day: {heading.inner_text()!r}")
    figures = page.locator("#orders-today .figure").all_inner_texts()
    expect(len(figures) == 2 and re.fullmatch(r"\s*\d+\s*", figures[0]),
           f"#orders-today has not a count and an amount: {page.locator('#orders-today').all_inner_texts()}")
    return day.group(1), int(figures[0]), minor_units(figures[1])


today_before = {}


def order_numbers(page, may_be_empty=False):
    """The order numbers of table#orders' rows; a list that may be empty may also have no table at all."""
    table = page.locator("table#orders")
    if may_be_empty and table.count() == 0:
        return []
    expect(table.count() == 1, f"{page.url}: no table#orders")
    return [n for n in table.locator("tr[data-order-number]").evaluate_all("rows => rows.map(r => r.dataset.orderNumber)")]


def next_link(page):
    return page.locator('a[rel~="next"]')


# --- the checks -------------------------------------------------------------------------------------------------------

def check_sign_in_page(browser):
    context = new_context(browser)
    page = context.new_page()
    response = goto(page, "/console/sign-in")
    expect(response.status == 200, f"GET /console/sign-in: {response.status}")
    check_headers(response, "the sign-in page", signed_in=False)
    form = page.locator("form#sign-in")
    expect(form.count() == 1, "no form#sign-in")
    expect((form.get_attribute("method") or "").lower() == "post" and form.get_attribute("action") == "/console/sign-in",
           f"form#sign-in: method={form.get_attribute('method')!r} action={form.get_attribute('action')!r}")
    email, password = page.get_by_label("Email", exact=True), page.get_by_label("Password", exact=True)
    expect(email.count() == 1 and email.get_attribute("id") == "email" and email.get_attribute("name") == "email",
           "no input name=email id=email labelled Email")
    expect(password.count() == 1 and password.get_attribute("id") == "password" and password.get_attribute("name") == "password"
           and password.get_attribute("type") == "password", "no input name=password id=password type=password labelled Password")
    csrf = form.locator('input[type="hidden"][name="csrf"]')
    expect(csrf.count() == 1 and csrf.get_attribute("value"), "form#sign-in has no hidden csrf with a value")
    expect(form.get_by_role("button", name="Sign in").count() == 1, "form#sign-in has no button Sign in")
    ok("sign-in page: form#sign-in POST /console/sign-in, labelled Email and Password, hidden csrf, button Sign in")
    ok("sign-in page headers: CSP with frame-ancestors 'none', no inline script")
    audit(page, "the sign-in page")
    screenshot(page, "sign-in")
    context.close()


def check_wrong_passwords(browser, admin_email, locked_email, locked_password):
    context = new_context(browser)
    page = context.new_page()
    for email, what in [(admin_email, "a wrong password"), ("nobody-" + secrets.token_hex(4) + "@example.com", "an unknown email")]:
        response = submit_sign_in(page, email, new_password("wrong"))
        expect(response.status == 401, f"{what}: {response.status}, not 401")
        error = page.locator("p#form-error")
        expect(error.count() == 1 and error.get_attribute("role") == "alert" and "error" in (error.get_attribute("class") or "").split(),
               f"{what}: no p#form-error.error role=alert")
        expect(WRONG_TEXT in error.inner_text(), f"{what}: the error reads {error.inner_text()!r}")
        expect(path_of(page.url) == "/console/sign-in", f"{what}: the browser went on to {page.url}")
    ok(f"wrong password and unknown email: 401 with {WRONG_TEXT!r} in p#form-error[role=alert]")

    for attempt in range(1, 6):
        response = submit_sign_in(page, locked_email, new_password("wrong"))
        expect(response.status == 401, f"failed sign-in {attempt} of 5 for {locked_email}: {response.status}, not 401")
    # The sixth, with the right password: refused all the same.
    response = submit_sign_in(page, locked_email, locked_password)
    expect(response.status == 429, f"the attempt after 5 failures: {response.status}, not 429")
    expect("Too many sign-in attempts" in page.locator("body").inner_text(), "the 429 page does not say 'Too many sign-in attempts'")
    expect(path_of(page.url) == "/console/sign-in", f"the locked account got somewhere: {page.url}")
    ok("lockout: after 5 failures within 15 minutes the next attempt (right password) answers 429 'Too many sign-in attempts'")
    context.close()


def check_dashboard(page):
    response = goto(page, "/console/")
    expect(response.status == 200, f"GET /console/: {response.status}")
    check_headers(response, "the dashboard", signed_in=True)
    expect(page.locator("h1").first.inner_text().strip() == "Dashboard", f"the dashboard's h1: {page.locator('h1').all_inner_texts()}")
    sign_out = page.locator("form#sign-out")
    expect(sign_out.count() == 1 and (sign_out.get_attribute("method") or "").lower() == "post"
           and sign_out.get_attribute("action") == "/console/sign-out", "no form#sign-out POST /console/sign-out")
    expect(sign_out.locator('input[type="hidden"][name="csrf"]').count() == 1
           and sign_out.locator('input[type="hidden"][name="csrf"]').get_attribute("value"), "form#sign-out has no hidden csrf with a value")
    expect(sign_out.get_by_role("button", name="Sign out").count() == 1, "form#sign-out has no button Sign out")
    before = status_counts(page)
    day, count, takings = today_figures(page)
    today_before.update(day=day, orders=count, takings=takings)
    order = paid_order("console-" + secrets.token_hex(4) + "@example.com")
    page.reload()
    after = status_counts(page)
    expected = dict(before, paid=before["paid"] + 1)
    expect(after == expected, f"after one more paid order the counts went from {before} to {after}")
    ok(f"dashboard: h1 Dashboard, {len(STATUSES)} status rows with links; paid {before['paid']} → {after['paid']} "
       f"after order {order['number']} was paid through the public API")
    ok("dashboard: form#sign-out POST /console/sign-out with hidden csrf and button Sign out")
    ok("dashboard headers: CSP with frame-ancestors 'none', no inline script, Cache-Control no-store")
    audit(page, "the dashboard")
    screenshot(page, "dashboard")
    return order


def check_orders(page, order):
    # From the dashboard: the paid row's link.
    with page.expect_navigation():
        page.locator(f'table#orders-by-status a[href$="/console/orders?status=paid"]').click()
    expect(path_of(page.url) == "/console/orders" and urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query).get("status") == ["paid"],
           f"the paid link went to {page.url}")
    expect(order["number"] in order_numbers(page), f"order {order['number']} is not in the paid orders: {order_numbers(page)}")

    response = goto(page, "/console/orders")
    expect(response.status == 200, f"GET /console/orders: {response.status}")
    check_headers(response, "the orders list", signed_in=True)
    row = page.locator(f'table#orders tr[data-order-number="{order["number"]}"]')
    expect(row.count() == 1, f"no row data-order-number={order['number']} in table#orders")
    expect(row.locator(f'a[href$="/console/orders/{order["id"]}"]').count() >= 1, f"the row of {order['number']} has no link to /console/orders/{order['id']}")
    for query, present in [(f"status=paid", True), ("status=cancelled", False),
                           (f"number={urllib.parse.quote(order['number'])}", True), (f"email={order['email']}", True),
                           ("email=nobody-" + secrets.token_hex(4) + "@example.com", False)]:
        if query.startswith("email="):
            # The email is posted with the filter form, never put in a URL: the list's address names the customer
            # by a keyed hash.
            goto(page, "/console/orders")
            page.fill("#email", query[len("email="):])
            with page.expect_navigation():
                page.locator("#order-filters button[type=submit]").click()
            expect(page.url.startswith(f"{BASE}/console/orders?customer=") and "@" not in urllib.parse.unquote(page.url)
                   and "example.com" not in page.url, f"the email filter's answer is at {page.url}, which shows the email")
        else:
            response = goto(page, f"/console/orders?{query}")
            expect(response.status == 200, f"GET /console/orders?{query}: {response.status}")
        numbers = order_numbers(page, may_be_empty=not present)
        if present:
            expect(order["number"] in numbers, f"?{query}: order {order['number']} missing from {numbers}")
        else:
            expect(order["number"] not in numbers, f"?{query}: order {order['number']} listed")
        if query.startswith(("number=", "email=")):
            expect(numbers == ([order["number"]] if present else []), f"?{query}: rows {numbers}")
            expect(next_link(page).count() == 0, f"?{query}: a rel=next link on a one-order list")
    ok(f"orders: table#orders with tr[data-order-number] and links to /console/orders/<id>; filters status, number and email (posted; the email never in a URL)")
    goto(page, "/console/orders")
    page.select_option("#sort", "due")
    with page.expect_navigation():
        page.locator("#order-filters button[type=submit]").click()
    expect("sort=due" in page.url and order["number"] in order_numbers(page), f"sorting by ship date: {page.url} does not list {order['number']}")
    ok("orders: sorted by the soonest ship date on request (sort=due)")
    goto(page, "/console/orders")
    audit(page, "the orders list")
    screenshot(page, "orders")

    with page.expect_navigation():
        page.locator(f'table#orders tr[data-order-number="{order["number"]}"] a[href$="/console/orders/{order["id"]}"]').first.click()
    expect(path_of(page.url) == f"/console/orders/{order['id']}", f"the order link went to {page.url}")
    response = goto(page, f"/console/orders/{order['id']}")
    expect(response.status == 200, f"GET /console/orders/{order['id']}: {response.status}")
    check_headers(response, "an order page", signed_in=True)
    expect(order["number"] in page.locator("h1").first.inner_text(), f"the order's h1 is {page.locator('h1').first.inner_text()!r}")
    status_text = page.locator("#order-status").inner_text().strip().lower().replace(" ", "_")
    expect(status_text == "paid", f"#order-status reads {page.locator('#order-status').inner_text()!r}")
    lines = page.locator("#lines")
    expect(lines.count() == 1 and "figurine" in lines.inner_text().lower(), "#lines does not list the figurine")
    variant = lines.inner_text().lower()
    expect("size: large" in variant and "material: resin" in variant, "#lines does not show the variant chosen (size, material)")
    ok(f"order page: h1 with {order['number']}, #order-status paid, #lines with its line and its variant")
    audit(page, "an order page")
    screenshot(page, "order")


def check_pages_of_orders(page):
    """Enough orders for a second page: rel=next shows exactly when page 1 does not hold them all."""
    for target in (21, 51, 101):
        while len(orders_made) < target:
            paid_order(f"bulk-{len(orders_made)}@example.com")
        goto(page, "/console/orders")
        first = order_numbers(page)
        expect(first, "the orders list is empty")
        if len(first) < len(orders_made):
            expect(next_link(page).count() >= 1, f"{len(orders_made)} orders, {len(first)} on page 1, and no rel=next link")
            expect(page.get_by_role("link", name="Next page").count() >= 1, "the rel=next link is not named 'Next page'")
            with page.expect_navigation():
                next_link(page).first.click()
            second = order_numbers(page)
            expect(second and not set(first) & set(second), f"page 2 ({second}) repeats page 1 ({first})")
            ok(f"orders pages: {len(orders_made)} orders, {len(first)} on page 1, 'Next page' (rel=next) to {len(second)} more")
            return
        expect(next_link(page).count() == 0, f"all {len(first)} orders on page 1, and still a rel=next link")
    raise Failed(f"{len(orders_made)} orders all on one page: no second page to check")


def check_csrf(page):
    for form, what in [({}, "no csrf"), ({"csrf": "not-the-token"}, "a wrong csrf")]:
        response = page.context.request.post(CONSOLE + "/console/sign-out", form=form, max_redirects=0)
        expect(response.status == 403, f"POST /console/sign-out with the session cookie and {what}: {response.status}, not 403")
    response = goto(page, "/console/")
    expect(response.status == 200 and path_of(page.url) == "/console/", f"the session after the refused sign-outs: {response.status} {page.url}")
    ok("CSRF: POST /console/sign-out without a csrf, or a wrong one, answers 403; the session still works")


def check_password_change(page, other, current, new):
    banner = page.locator("#change-password-banner")
    goto(page, "/console/")
    expect(banner.count() == 1 and banner.locator('a[href$="/console/password"]').count() >= 1,
           "no #change-password-banner linking to /console/password while the one-time password is in use")
    response = goto(page, "/console/password")
    expect(response.status == 200, f"GET /console/password: {response.status}")
    check_headers(response, "the password page", signed_in=True)
    form = page.locator("form#password-form")
    expect(form.count() == 1, "no form#password-form")
    for name, label in [("current", "Current password"), ("new", "New password"), ("confirm", "Repeat the new password")]:
        field = page.get_by_label(label, exact=True)
        expect(field.count() == 1 and field.get_attribute("name") == name and field.get_attribute("type") == "password",
               f"no input name={name} type=password labelled {label!r}")
    csrf = form.locator('input[type="hidden"][name="csrf"]')
    expect(csrf.count() == 1 and csrf.get_attribute("value"), "form#password-form has no hidden csrf with a value")
    audit(page, "the password page")

    page.get_by_label("Current password", exact=True).fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password", exact=True).fill(new)
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == "/console/password") as answer:
        form.locator('button[type="submit"], input[type="submit"], button:not([type])').first.click()
    expect(answer.value.status == 303, f"the password change answered {answer.value.status}, not 303")
    page.wait_for_url(CONSOLE + "/console/")
    expect(banner.count() == 0, "the change-password banner is still there after the change")
    ok("password change: form#password-form (current, new, confirm, csrf) → 303 to /console/, banner gone")

    response = goto(other, "/console/")
    expect(path_of(other.url) == "/console/sign-in", f"the account's other session still opens the dashboard: {other.url} ({response.status})")
    response = goto(page, "/console/")
    expect(response.status == 200 and path_of(page.url) == "/console/", f"the session that changed the password was ended: {page.url}")
    ok("password change: the account's other session is sent to /console/sign-in; the one that changed it goes on")


def check_sign_out(browser, page):
    cookie = session_cookie(page.context)
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == "/console/sign-out") as answer:
        page.locator("form#sign-out").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    expect(answer.value.status in (302, 303), f"sign-out answered {answer.value.status}")
    # The old cookie, put back into a fresh context: the server has ended that session.
    context = new_context(browser)
    context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "httpOnly", "secure", "sameSite")}])
    fresh = context.new_page()
    goto(fresh, "/console/")
    expect(path_of(fresh.url) == "/console/sign-in", f"the signed-out cookie still opens {fresh.url}")
    context.close()
    ok("sign-out: the form ends the session; its old cookie value is sent to /console/sign-in")


def check_keyboard_sign_in(browser, email, password):
    context = new_context(browser)
    page = context.new_page()
    goto(page, "/console/sign-in")
    tabs = 0
    while focused_id(page) != "email":
        expect(tabs < 20, "20 Tab presses from the top of the sign-in page never reach the email field")
        page.keyboard.press("Tab")
        tabs += 1
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(focused_id(page) == "password", f"Tab from the email field goes to #{focused_id(page)}, not #password")
    page.keyboard.type(password)
    with page.expect_navigation(url=CONSOLE + "/console/"):
        page.keyboard.press("Enter")
    expect(page.locator("h1").first.inner_text().strip() == "Dashboard", "keyboard sign-in did not reach the dashboard")
    cookie = session_cookie(context)
    expect(cookie and cookie["value"] not in sessions_seen, "keyboard sign-in: no new session id")
    sessions_seen.append(cookie["value"])
    context.close()
    ok(f"keyboard only: {tabs} Tab(s) to Email, type, Tab, type, Enter → the dashboard")


def check_roles(browser, viewer, designer):
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, viewer[0], viewer[1], "viewer")
    response = goto(page, "/console/")
    expect(response.status == 200 and page.locator("h1").first.inner_text().strip() == "Dashboard", f"viewer: dashboard {response.status}")
    response = goto(page, "/console/orders")
    expect(response.status == 200 and order_numbers(page), f"viewer: orders {response.status}")
    context.close()

    context = new_context(browser)
    page = context.new_page()
    response = submit_sign_in(page, designer[0], designer[1])
    expect(response.status == 303, f"designer: sign-in answered {response.status}, not 303")
    response = goto(page, "/console/orders")
    expect(response.status == 403, f"designer: /console/orders answered {response.status}, not 403")
    context.close()
    ok("roles: a viewer sees the dashboard and the orders; a designer gets 403 on /console/orders")


# --- an order's actions, as operations staff, and what the shopper and the admin API see of them ----------------------

def shown_status(page):
    return page.locator("#order-status").inner_text().strip().lower().replace(" ", "_")


def timeline(page):
    expect(page.locator("ol#timeline").count() == 1, f"{page.url}: no ol#timeline")
    return [" ".join(t.split()) for t in page.locator("ol#timeline li").all_inner_texts()]


def open_order(page, order, status):
    response = goto(page, f"/console/orders/{order['id']}")
    expect(response.status == 200, f"GET /console/orders/{order['id']}: {response.status}")
    expect(shown_status(page) == status, f"order {order['number']}: #order-status reads {page.locator('#order-status').inner_text()!r}, not {status}")
    return response


def submit_step(page, order, act, what):
    """`act` sends one of the order page's forms (a click or a key press); the answer is a 303 back to the order's page."""
    transition = f"/console/orders/{order['id']}/transition"
    with page.expect_navigation(url=CONSOLE + f"/console/orders/{order['id']}"):
        with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == transition) as answer:
            act()
    expect(answer.value.status == 303, f"{what}: the form answered {answer.value.status}, not 303")
    page.wait_for_load_state("load")


def expect_step(page, before, status, actor, what):
    """After a step: #order-status shows `status` and #timeline has one more line, `→ status by actor`."""
    expect(shown_status(page) == status, f"{what}: #order-status reads {page.locator('#order-status').inner_text()!r}, not {status}")
    lines = timeline(page)
    added = [line for line in lines if line not in before]
    expect(len(lines) == len(before) + 1 and len(added) == 1, f"{what}: #timeline went from {before} to {lines}")
    label = status.replace("_", " ")
    expect(f"→ {label}" in added[0] and f"by {actor}" in added[0], f"{what}: the new #timeline line {added[0]!r} is not '… → {label} by {actor}'")
    return lines


def refused_post(page, form_id, fields, what):
    """Posts one of the order page's forms as the browser would, with the page's csrf, but with `fields` (bypassing the
    HTML `required` that stops the browser); returns (status, the text of p#form-error in the page answered)."""
    form = page.locator(f"form#{form_id}")
    expect(form.count() == 1, f"{what}: no form#{form_id} on {page.url}")
    csrf = form.locator('input[type="hidden"][name="csrf"]').get_attribute("value")
    action = form.get_attribute("action")
    expect(csrf and action, f"{what}: form#{form_id} has no csrf or no action")
    response = page.request.post(urllib.parse.urljoin(page.url, action), form={"csrf": csrf, **fields}, max_redirects=0)
    html = response.text()
    # The page answered, in a scratch tab of the same browser (its stylesheet is not needed to read it).
    scratch = page.context.new_page()
    try:
        scratch.route("**/*", lambda route: route.abort())
        scratch.set_content(html, wait_until="domcontentloaded")
        error = scratch.locator("p#form-error")
        expect(error.count() == 1 and error.get_attribute("role") == "alert", f"{what}: the page answered ({response.status}) has no p#form-error[role=alert]")
        return response.status, " ".join(error.inner_text().split())
    finally:
        scratch.close()


def check_ops_delivers(page, order, name, email):
    """An operations user takes a paid order to delivered with the page's forms; the shopper sees the steps, not who made them."""
    open_order(page, order, "paid")
    steps = [f.get_attribute("id") for f in page.locator("form.action").all()]
    expect(steps == ["move-in_production", "cancel"], f"a paid order's forms for an operations user: {steps}")
    lines = timeline(page)
    expect(len(lines) == 1 and "→ paid" in lines[0], f"a paid order's #timeline: {lines}")

    # Clicks: "Move to in production".
    button = page.locator("form#move-in_production").get_by_role("button", name="Move to in production")
    expect(button.count() == 1, "form#move-in_production has no button 'Move to in production'")
    submit_step(page, order, button.click, "move to in production")
    lines = expect_step(page, lines, "in_production", name, "move to in production")
    expect([f.get_attribute("id") for f in page.locator("form.action").all()] == ["move-fulfilled", "cancel"],
           f"an order in production: forms {[f.get_attribute('id') for f in page.locator('form.action').all()]}")

    # The keyboard: focus "Move to fulfilled" by Tab from the top of the page, then Enter.
    tabs = 0
    while not page.evaluate("() => !!document.activeElement && !!document.activeElement.closest('form#move-fulfilled') "
                            "&& document.activeElement.tagName === 'BUTTON'"):
        expect(tabs < 40, "40 Tab presses from the top of the order page never reach 'Move to fulfilled'")
        page.keyboard.press("Tab")
        tabs += 1
    submit_step(page, order, lambda: page.keyboard.press("Enter"), "move to fulfilled")
    lines = expect_step(page, lines, "fulfilled", name, "move to fulfilled")
    ok(f"operations ({name}): paid → in production (click) → fulfilled ({tabs} Tabs, Enter); #order-status and a #timeline line 'by {name}' each time")

    # Shipped without a carrier: the browser would not send it (required); posted as it would be, it is refused.
    number = "1Z" + secrets.token_hex(5).upper()
    status, error = refused_post(page, "move-shipped", {"to": "shipped", "carrier": "", "trackingNumber": number}, "shipped without a carrier")
    expect(status == 422, f"move to shipped without a carrier: {status}, not 422")
    expect("carrier" in error.lower() and "must not be empty" in error, f"move to shipped without a carrier: p#form-error reads {error!r}")
    open_order(page, order, "fulfilled")
    expect(timeline(page) == lines, "the refused move to shipped changed the #timeline")
    ok(f"operations: 'Move to shipped' without a carrier (posted with the form's csrf) answers 422, p#form-error: {error!r}; still fulfilled")

    # Shipped: the carrier and the tracking number typed in, Tab between them, Enter sends the form.
    carrier, number_field = page.locator("form#move-shipped #carrier"), page.locator("form#move-shipped #trackingNumber")
    expect(carrier.count() == 1 and carrier.get_attribute("required") is not None and page.get_by_label("Carrier", exact=True).count() == 1,
           "form#move-shipped has no required #carrier labelled Carrier")
    expect(number_field.count() == 1 and number_field.get_attribute("required") is not None
           and page.get_by_label("Tracking number", exact=True).count() == 1,
           "form#move-shipped has no required #trackingNumber labelled Tracking number")
    carrier.click()
    page.keyboard.type("UPS")
    page.keyboard.press("Tab")
    expect(focused_id(page) == "trackingNumber", f"Tab from #carrier goes to #{focused_id(page)}, not #trackingNumber")
    page.keyboard.type(number)
    submit_step(page, order, lambda: page.keyboard.press("Enter"), "move to shipped")
    lines = expect_step(page, lines, "shipped", name, "move to shipped")
    facts = page.locator("dl.facts").first.inner_text()
    expect("UPS" in facts and number in facts, f"a shipped order's facts show no tracking UPS {number}: {facts!r}")

    submit_step(page, order, page.locator("form#move-delivered").get_by_role("button", name="Move to delivered").click, "move to delivered")
    lines = expect_step(page, lines, "delivered", name, "move to delivered")
    expect(page.locator("form.action").count() == 0, "a delivered order still shows forms")
    ok(f"operations: shipped (Carrier, Tab, Tracking number, Enter) → delivered; #order-status, the tracking and a #timeline line by {name} each time")
    screenshot(page, "order-delivered")

    # The admin API names the staff member as the actor of each step; the shopper's view names nobody.
    detail = admin_order(order["id"])
    trail = [(a.get("to"), a.get("actorKind"), a.get("actorId")) for a in detail["audit"]]
    staff_steps = [t for t in trail if t[1] == "staff"]
    expect([t[0] for t in staff_steps] == ["in_production", "fulfilled", "shipped", "delivered"] and len({t[2] for t in staff_steps}) == 1
           and staff_steps[0][2], f"the admin API's audit trail: {trail}")
    staff_id = staff_steps[0][2]
    view = tracked(order)
    events = [entry.get("event") for entry in view.get("timeline", [])]
    expect(view.get("status") == "delivered", f"the shopper sees status {view.get('status')!r}")
    expect(events == ["paid", "in_production", "fulfilled", "shipped", "delivered"], f"the shopper's timeline: {events}")
    shipped = [entry for entry in view["timeline"] if entry.get("event") == "shipped"][0]
    expect((shipped.get("tracking") or {}).get("number") == number and shipped["tracking"].get("carrier") == "UPS",
           f"the shopper's shipped step: {shipped}")
    expect((view.get("tracking") or {}).get("number") == number, f"the shopper's tracking: {view.get('tracking')}")
    text = json.dumps(view)
    for secret, what in [(name, "the staff member's name"), (staff_id, "the staff member's id"), (email, "the staff member's email")]:
        expect(secret not in text, f"the shopper's GET /orders/<id> holds {what} ({secret!r})")
    ok(f"shopper: GET /orders/<id> with X-Access-Token: delivered, timeline {events}, tracking UPS {number}; "
       f"neither '{name}' nor the staff id {staff_id} nor the email (the admin API's audit names them: actorKind staff)")


def check_ops_cancels(page, order, name):
    """Cancel with a reason: refused without one; with one, cancelled and refunded in full (the test provider settles at once)."""
    open_order(page, order, "paid")
    refund = page.locator("form#cancel #cancel-refund")
    amount = money_text(order["total"], order["currency"])
    expect(refund.count() == 1 and amount in refund.inner_text() and "test" in refund.inner_text(),
           f"#cancel-refund reads {refund.inner_text() if refund.count() else None!r}, not the {amount} to refund through test")
    reason = page.get_by_label("Reason (required)", exact=True)
    expect(reason.count() == 1 and reason.get_attribute("id") == "reason" and reason.get_attribute("required") is not None,
           "form#cancel has no required #reason labelled 'Reason (required)'")
    lines = timeline(page)
    for fields, what in [({"to": "cancelled"}, "no reason"), ({"to": "cancelled", "reason": "   "}, "a blank reason")]:
        status, error = refused_post(page, "cancel", fields, f"cancel with {what}")
        expect(status == 422 and "needs a reason" in error, f"cancel with {what}: {status} {error!r}, not 422 'needs a reason'")
    open_order(page, order, "paid")
    expect(timeline(page) == lines, "a refused cancellation changed the #timeline")
    ok(f"cancel: #cancel-refund shows {amount} to refund; without a reason (or a blank one) 422 {error!r} in p#form-error; still paid")

    reason.fill("customer asked")
    submit_step(page, order, page.locator("form#cancel").get_by_role("button", name="Cancel the order").click, "cancel")
    before, lines = lines, expect_step(page, lines, "cancelled", name, "cancel")
    added = [line for line in lines if line not in before]
    expect("(customer asked)" in added[0], f"the #timeline line of the cancellation does not give the reason: {added[0]!r}")
    expect(page.locator("form.action").count() == 0, "a cancelled order still shows forms")

    deadline, refunds = time.time() + 10, []
    while True:
        refunds = admin_order(order["id"]).get("refunds") or []
        if refunds and all(r.get("status") != "pending" for r in refunds) or time.time() > deadline:
            break
        time.sleep(0.25)
    expect(len(refunds) == 1 and refunds[0].get("kind") == "cancellation" and refunds[0].get("amount", {}).get("amount") == order["total"]
           and refunds[0].get("status") == "succeeded", f"the admin API's refunds after the cancellation: {refunds}")
    view = tracked(order)
    events = [entry.get("event") for entry in view.get("timeline", [])]
    expect(view.get("status") == "cancelled" and events[:2] == ["paid", "cancelled"] and "refunded" in events,
           f"the shopper's view of the cancelled order: {view.get('status')} {events}")
    expect("customer asked" not in json.dumps(view) and name not in json.dumps(view), "the shopper's view holds the staff's reason or name")
    ok(f"cancel with reason 'customer asked': cancelled, #timeline by {name}; GET /admin/orders/<id> refunds: one cancellation of "
       f"{amount}, succeeded; the shopper sees cancelled and refunded, not the reason")
    screenshot(page, "order-cancelled")


def check_dashboard_moved(page, before, cancelled):
    """After the two orders: delivered and cancelled each one more; #orders-today counts this run's orders of the shop's day."""
    goto(page, "/console/")
    after = status_counts(page)
    expected = dict(before, delivered=before["delivered"] + 1, cancelled=before["cancelled"] + 1)
    expect(after == expected, f"orders by status went from {before} to {after}, not {expected}")
    day, count, takings = today_figures(page)
    zone = ZoneInfo(os.environ.get("ATELIER_SHOP_TIMEZONE") or "UTC")
    placed_today = []
    for order in orders_made:
        created = datetime.datetime.fromisoformat(tracked(order)["createdAt"].replace("Z", "+00:00"))
        if created.astimezone(zone).date().isoformat() == day and order["id"] not in cancelled:
            placed_today.append(order)
    # What was there before this run placed its first order counts only if that was the same shop day.
    base = (today_before["orders"], today_before["takings"]) if today_before.get("day") == day else (0, 0)
    expected_count, expected_takings = base[0] + len(placed_today), base[1] + sum(o["total"] for o in placed_today)
    expect(count == expected_count, f"#orders-today shows {count}; this run placed {len(placed_today)} order(s) on {day} that are not "
           f"cancelled (and {base[0]} were there before)")
    expect(takings == expected_takings, f"#orders-today shows takings of {takings}, not {expected_takings} (the totals of those orders)")
    ok(f"dashboard: delivered {before['delivered']} → {after['delivered']}, cancelled {before['cancelled']} → {after['cancelled']}, "
       f"the rest unchanged; #orders-today {count} on {day} (this run's {len(orders_made)} orders less the cancelled one"
       f"{'' if not base[0] else f', plus {base[0]} from before'}), takings {money_text(takings, orders_made[0]['currency'])}")


def check_operations(browser, email, password, name):
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, email, password, f"the operations user {name}")
    goto(page, "/console/")
    before = status_counts(page)
    delivering = paid_order("deliver-" + secrets.token_hex(4) + "@example.com")
    cancelling = paid_order("cancel-" + secrets.token_hex(4) + "@example.com")
    check_ops_delivers(page, delivering, name, email)
    check_ops_cancels(page, cancelling, name)
    check_dashboard_moved(page, before, {cancelling["id"]})
    context.close()


# --- a customized line ----------------------------------------------------------------------------------------------

def check_customized_order(page):
    """A tee with chest text (font, colour) and artwork, customized through a session of the public API, on its order page."""
    # The demo tee's template: a text zone (its fonts and colours) and an image zone (its smallest pixel size).
    status, product, _ = call("GET", "/products/custom-printed-tee")
    expect(status == 200 and isinstance(product, dict), f"GET /products/custom-printed-tee: {status}")
    zones = {zone["code"]: zone for zone in ((product.get("template") or {}).get("definition") or {}).get("zones", [])}
    text_zone, image_zone = zones.get("chest_text") or {}, zones.get("artwork") or {}
    text, font, colour = "Happy birthday, Ada", "Pacifico", "#c9a227"
    expect(text_zone.get("kind") == "text" and font in text_zone["text"]["fonts"] and colour in text_zone["text"]["colours"],
           f"the demo tee's template has no text zone chest_text offering {font} and {colour}: {text_zone}")
    expect(image_zone.get("kind") == "image", f"the demo tee's template has no image zone artwork: {image_zone}")
    side = max(1200, image_zone["image"].get("minWidth", 0), image_zone["image"].get("minHeight", 0))

    status, asset = upload(png(side, side, (secrets.randbelow(256), 90, 160)), "image/png")
    expect(status in (200, 201) and isinstance(asset, dict) and str(asset.get("id", "")).startswith("ast_")
           and asset.get("width") == side, f"POST /assets (a {side}×{side} PNG): {status} {asset}")
    status, session, _ = call("POST", "/sessions", {"product": "custom-printed-tee", "selection": {"size": "m", "colour": "navy"}})
    expect(status == 201 and session.get("id") and isinstance(session.get("templateVersion"), int), f"POST /sessions: {status} {session}")
    status, session, _ = call("PATCH", f"/sessions/{session['id']}", {"zones": {
        "chest_text": {"text": {"text": text, "font": font, "colour": colour}}, "artwork": {"image": asset["id"]}}})
    expect(status == 200 and session.get("valid") is True and not session.get("errors"), f"PATCH /sessions/<id> (chest_text, artwork): {status} {session}")
    version = session["templateVersion"]
    expect(version == product["template"].get("version"), f"the session pinned template version {version}, not the product's {product['template'].get('version')}")
    order = paid_order("custom-" + secrets.token_hex(4) + "@example.com", {"sessionId": session["id"]})
    line = tracked(order)["lines"][0]
    expect(line.get("templateVersion") == version and (line.get("zones", {}).get("chest_text") or {}).get("text", {}).get("text") == text,
           f"the shopper's order line: {line}")
    ok(f"customized order {order['number']}: asset {asset['id'][:16]}…, session on template version {version} with chest_text "
       f"({text!r}, {font}, {colour}) and artwork, cart item by sessionId, checkout, test payment")

    response = goto(page, f"/console/orders/{order['id']}")
    expect(response.status == 200, f"GET /console/orders/{order['id']}: {response.status}")
    article = page.locator("#lines article.line")
    expect(article.count() == 1, f"#lines has {article.count()} article.line, not 1")
    template = article.locator('dt:text-is("Template") + dd')
    expect(template.count() == 1 and template.inner_text().strip() == f"version {version}",
           f"the line's Template reads {template.all_inner_texts()}, not 'version {version}'")
    zones = article.locator("table.zones")
    expect(zones.count() == 1, "the customized line has no table.zones")
    rows = {}
    for row in zones.locator("tbody tr").all():
        cells = [" ".join(c.split()) for c in row.locator("th, td").all_inner_texts()]
        rows[cells[0]] = cells[1:]
    expect(rows.get("chest_text", [])[:3] == [text, font, colour], f"table.zones' chest_text row: {rows.get('chest_text')} (all: {rows})")
    image = zones.locator(f'tr:has(th:text-is("artwork")) a[href="/assets/{asset["id"]}"] img[src="/assets/{asset["id"]}"]')
    expect(image.count() == 1 and image.get_attribute("alt"), f"table.zones' artwork row has no linked, described image /assets/{asset['id']}: {rows.get('artwork')}")
    image.scroll_into_view_if_needed()
    page.wait_for_function("i => i.complete", arg=image.element_handle(), timeout=PAGE_TIMEOUT_MS)
    expect(image.evaluate("i => i.naturalWidth") == side, "the artwork's thumbnail did not load (CSP img-src, or /assets)")
    ok(f"console order page: the line shows template version {version}; table.zones: chest_text {text!r} in {font}, {colour}; "
       f"artwork as a loaded thumbnail linking to /assets/<id>")
    screenshot(page, "order-customized")
    audit(page, "an order page with a customized line")


def check_log():
    text = open(LOG, encoding="utf-8", errors="replace").read()
    leaked = [s for s in secrets_used if s in text]
    expect(not leaked, f"{len(leaked)} of the {len(secrets_used)} passwords used appear in {LOG}")
    sessions = [s for s in sessions_seen if len(s) >= 16 and s in text]
    expect(not sessions, f"{len(sessions)} console session id(s) appear in {LOG}")
    ok(f"the server's log ({len(text.splitlines())} lines) holds none of the {len(secrets_used)} passwords used, nor a session id")


def run(browser, admin_password):
    admin_email = "admin@localhost"
    tag = secrets.token_hex(3)
    viewer = (f"viewer-{tag}@example.com", staff_create(f"viewer-{tag}@example.com", "viewer", "Vera Viewer"))
    designer = (f"designer-{tag}@example.com", staff_create(f"designer-{tag}@example.com", "designer", "Dan Designer"))
    locked = (f"locked-{tag}@example.com", staff_create(f"locked-{tag}@example.com", "viewer", "Lou Locked"))
    operations = (f"ops-{tag}@example.com", staff_create(f"ops-{tag}@example.com", "operations", "Olga"))
    ok("staff create: viewer, designer, operations (Olga) and a fourth account (for the lockout), each with a one-time password")

    check_sign_in_page(browser)
    check_wrong_passwords(browser, admin_email, *locked)

    # Two sessions of the bootstrap admin, both with the one-time password.
    first, second = new_context(browser), new_context(browser)
    page, other = first.new_page(), second.new_page()
    cookie = sign_in(page, admin_email, admin_password, "the bootstrap admin")
    expect(cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console" and cookie["secure"],
           f"the session cookie: HttpOnly={cookie['httpOnly']} SameSite={cookie['sameSite']} Path={cookie['path']} Secure={cookie['secure']}")
    ok(f"sign-in: 303 to /console/; {COOKIE} HttpOnly, SameSite=Strict, Path=/console, Secure")
    again = sign_in(other, admin_email, admin_password, "the bootstrap admin, again")
    expect(again["value"] != cookie["value"], "two sign-ins gave the same session id")
    ok("sign-in: each sign-in gets a new session id")
    banner = page.locator("#change-password-banner")
    expect(banner.count() == 1 and banner.locator('a[href$="/console/password"]').count() >= 1,
           "no #change-password-banner linking to /console/password after signing in with the one-time password")
    ok("dashboard: #change-password-banner links to /console/password while the one-time password is in use")

    order = check_dashboard(page)
    check_orders(page, order)
    check_csrf(page)
    chosen = new_password("Console")
    check_password_change(page, other, admin_password, chosen)
    check_sign_out(browser, page)
    first.close()
    second.close()
    check_keyboard_sign_in(browser, admin_email, chosen)
    check_roles(browser, viewer, designer)
    check_operations(browser, *operations, "Olga")

    context = new_context(browser)
    page = context.new_page()
    sign_in(page, admin_email, chosen, "the admin, for a customized order and the pages of orders")
    check_customized_order(page)
    # Last, as it is the slowest: enough orders for a second page of the list.
    check_pages_of_orders(page)
    context.close()


def main():
    os.makedirs(WORK, exist_ok=True)
    # `timeout` ends this script with SIGTERM: turn it into an exception so that the server is still stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAILED: terminated (timeout?)"))
    server = None
    try:
        server = start_server()
        ok(f"atelier serve ready on {BASE} (pid {server.pid}, log {LOG})")
        admin_password = bootstrap_password()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            try:
                run(browser, admin_password)
            finally:
                browser.close()
        stop_server(server)
        check_log()
    except Failed as failure:
        print(f"FAILED: {failure}", flush=True)
        stop_server(server)
        sys.exit(1)
    finally:
        stop_server(server)
    print("console: ok")


if __name__ == "__main__":
    main()
