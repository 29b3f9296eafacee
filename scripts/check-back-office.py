#!/usr/bin/env python3
"""The console's back office in a real browser: Debian's Chromium driven by Playwright, audited by axe.

    python scripts/check-back-office.py

Environment: ATELIER_BIN (the atelier executable), WORK (a scratch folder), ATELIER_PORT, DATABASE_URL (empty or unset:
SQLite); optional RECEIVER_PORT (the webhook receiver's loopback port; default: one the system picks) and CHROMIUM
(default /usr/bin/chromium). Starts `atelier serve` on 127.0.0.1 with the test payment provider, the demo catalog and
loopback webhook targets allowed (one retry, five minutes later: only the Redeliver button delivers again within the
run), and a receiver on loopback that answers 500 to its first request and 200 after. The bootstrap admin signs in and
replaces the one-time password; an operations user and a viewer are made with `atelier staff create`. As the admin:
a shipping method and a tax rate are added, edited and deleted (fields the domain refuses are shown next to
themselves, with what was typed kept; the admin API reads the same records); an API key is made, its token shown
once works against the admin API, then is revoked after the confirmation (401 after); a webhook subscription (its
secret shown once) receives the payment of an order paid through the public API, the 500 attempt is shown, Redeliver
makes an attempt that succeeds, the secret is rotated and the subscription deleted; a customer's data is exported (a
JSON download equal to the admin API's export) and erased, refused first with a wrong confirmation. The viewer and
the operations user read shipping and tax without forms (a record's page read-only), get 403 on posts and on keys,
webhooks and privacy. Every
page passes axe (no serious or critical violation); screenshots go to $WORK/console-back-office-*.png, the server's
log to $WORK/back-office-serve.log, which must hold none of the passwords, tokens and secrets shown.
Prints one line per check and exits non-zero on the first failure; the server and the receiver are stopped either way.
"""
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import sync_playwright

os.environ.setdefault("ATELIER_PORT", "18188")  # this check's own default port, before console_check reads it
from console_check import (BASE, Failed, Server, WORK, audit, call, csrf_of, expect, goto, ok, paid_order, path_of, post_form,
                           screenshot, sign_in)

RECEIVER_PORT = int(os.environ.get("RECEIVER_PORT", "0"))
WAIT_SECONDS = 30
server = Server("back-office", ATELIER_WEBHOOK_ALLOW_PRIVATE="true", ATELIER_WEBHOOK_RETRY_SCHEDULE="300",
                ATELIER_WEBHOOK_TIMEOUT_SECONDS="5")

# Every password, token and secret this run types or is shown: none may appear in the server's log.
secrets_used = []


def wait_for(what, check, seconds=WAIT_SECONDS, step=0.25):
    """Polls `check` until it answers something true, for at most `seconds`."""
    deadline = time.time() + seconds
    while True:
        found = check()
        if found:
            return found
        expect(time.time() < deadline, f"{what}: not within {seconds} s")
        time.sleep(step)


# --- the webhook receiver ------------------------------------------------------------------------------------------

class Receiver:
    """A partner's endpoint on loopback: 500 to the first request, 200 to the others; every request is kept."""

    def __init__(self, port):
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = 500 if not receiver.requests else 200
                    receiver.requests.append({"path": self.path, "id": self.headers.get("webhook-id"), "status": status,
                                              "body": body})
                answer = b"not now" if status == 500 else b"thanks"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def seen(self):
        with self.lock:
            return list(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --- the server and the APIs -----------------------------------------------------------------------------------------

def staff_create(email, role, name):
    password = server.staff_create(email, role, name)
    secrets_used.append(password)
    return password


def bootstrap_password():
    password = server.bootstrap_password()
    secrets_used.append(password)
    return password


def admin(method, path, body=None):
    return call(method, path, body, token=server.admin_key())


def paid_figurine(email_address):
    """A paid order of a figurine through the public API: cart → checkout → the test provider's payment."""
    order = paid_order({"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}},
                       email_address)
    return dict(order, email=email_address)


# --- the browser -----------------------------------------------------------------------------------------------------

def submit(page, form_id, button=None):
    """Sends form#form_id as a person would (its submit button, or `button`); the answer to the POST."""
    form = page.locator(f"form#{form_id}")
    expect(form.count() == 1, f"no form#{form_id} on {page.url}")
    action = form.get_attribute("action")
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == action) as answer:
        (button or form.locator('button[type="submit"]').first).click()
    page.wait_for_load_state("load")
    return answer.value


def posted(page, path, fields):
    """A form post with the page's anti-forgery token but fields of our choosing (past the browser's `required`):
    (status, a scratch tab showing the answer, to read; the caller closes it)."""
    csrf = csrf_of(page)
    expect(csrf, f"no csrf on {page.url}")
    response = post_form(page, path, {"csrf": csrf, **fields})
    scratch = page.context.new_page()
    scratch.route("**/*", lambda route: route.abort())
    scratch.set_content(response.text(), wait_until="domcontentloaded")
    return response.status, scratch


def value(page, field_id):
    field = page.locator(f"#{field_id}")
    expect(field.count() == 1, f"no #{field_id} on {page.url}")
    return field.input_value()


def field_error(page, field_id, contains):
    """The message next to #field_id: the field is aria-invalid and described by it; its text holds `contains`."""
    field = page.locator(f"#{field_id}")
    expect(field.count() == 1, f"no #{field_id} on {page.url}")
    expect(field.get_attribute("aria-invalid") == "true", f"#{field_id} is not aria-invalid=true")
    described = (field.get_attribute("aria-describedby") or "").split()
    expect(f"{field_id}-error" in described, f"#{field_id} is not described by #{field_id}-error (aria-describedby={described})")
    message = page.locator(f"#{field_id}-error")
    expect(message.count() == 1, f"no #{field_id}-error next to #{field_id}")
    text = " ".join(message.inner_text().split())
    expect(contains.lower() in text.lower(), f"#{field_id}-error reads {text!r}, not about {contains!r}")
    alert = page.locator("p#form-error")
    expect(alert.count() == 1 and alert.get_attribute("role") == "alert", f"no p#form-error[role=alert] above the form on {page.url}")
    return text


def change_password(page, current):
    chosen = f"BackOffice-{secrets.token_hex(8)}-Xy7"
    secrets_used.append(chosen)
    goto(page, "/console/password")
    page.fill("#current", current)
    page.fill("#new", chosen)
    page.fill("#confirm", chosen)
    response = submit(page, "password-form")
    expect(response.status == 303, f"the password change answered {response.status}, not 303")
    page.wait_for_url(BASE + "/console/")
    return chosen


# --- shipping methods ------------------------------------------------------------------------------------------------

def check_shipping(page, tag):
    goto(page, "/console/shipping")
    table = page.locator("table#shipping-methods")
    expect(table.locator('tr[data-method-code="standard"]').count() == 1, "table#shipping-methods has no row for the demo's standard method")
    standard = table.locator('tr[data-method-code="standard"]').inner_text()
    expect("5.00 USD" in standard and "Everywhere else" in standard, f"the standard method's rates read {standard!r}")
    expect(page.locator("form#shipping-create").count() == 1, "no form#shipping-create for the admin")
    audit(page, "the shipping methods")

    code = f"bo_{tag}"
    page.fill("#shipping-code", code)
    page.fill("#shipping-name", f"Courier {tag}")
    page.fill("#shipping-position", "5")
    for field, text in [("rate-0-country", "US"), ("rate-0-base", "6.50"), ("rate-0-per-item", "1.25"), ("rate-0-free-above", "150"),
                        ("rate-1-country", "*"), ("rate-1-base", "20"), ("rate-1-brackets", "1000:2.00, 5000:8.00")]:
        page.fill(f"#{field}", text)
    response = submit(page, "shipping-create")
    expect(response.status == 303 and path_of(page.url) == "/console/shipping", f"adding a method: {response.status} at {page.url}")
    expect(page.locator(f'table#shipping-methods tr[data-method-code="{code}"]').count() == 1, f"no row for {code} after adding it")
    status, method, _ = admin("GET", f"/admin/shipping-methods/{code}")
    expect(status == 200, f"GET /admin/shipping-methods/{code}: {status} {method}")
    rates = [{k: v for k, v in rate.items() if v not in (None, [], 0)} for rate in method["rates"]]
    expect(method["name"] == f"Courier {tag}" and method["position"] == 5 and method["active"] is True
           and rates == [{"country": "US", "baseAmount": 650, "perItemAmount": 125, "freeAbove": 15000},
                         {"country": "*", "baseAmount": 2000, "weightBrackets": [{"upToGrams": 1000, "amount": 200},
                                                                                {"upToGrams": 5000, "amount": 800}]}],
           f"the admin API reads the method as {method}")
    ok(f"shipping: {code} added with two rates (US 6.50 + 1.25 per item, free from 150; * 20 with two weight brackets); "
       f"GET /admin/shipping-methods/{code} reads the same in minor units")

    # A field the domain refuses (through the store's JSON pointer), then one the form cannot read as well.
    bad = f"bo_bad_{tag}"
    page.fill("#shipping-code", bad)
    page.fill("#shipping-name", f"Broken {tag}")
    page.fill("#rate-0-country", "USA")
    page.fill("#rate-0-base", "6.50")
    response = submit(page, "shipping-create")
    expect(response.status == 422, f"a method with country USA answered {response.status}, not 422")
    field_error(page, "rate-0-country", "ISO 3166")
    expect(value(page, "rate-0-country") == "USA" and value(page, "shipping-code") == bad and value(page, "shipping-name") == f"Broken {tag}",
           "the refused form did not keep what was typed")
    page.fill("#rate-1-country", "CA")
    page.fill("#rate-1-base", "six")
    response = submit(page, "shipping-create")
    expect(response.status == 422, f"a method with base 'six' answered {response.status}, not 422")
    field_error(page, "rate-1-base", "amount")
    field_error(page, "rate-0-country", "ISO 3166")
    expect(value(page, "rate-1-base") == "six", "the refused form lost the base amount typed")
    expect(admin("GET", f"/admin/shipping-methods/{bad}")[0] == 404, f"the refused method {bad} exists")
    ok("shipping: country USA refused by the domain next to #rate-0-country (aria-invalid, aria-describedby), an amount 'six' "
       "next to #rate-1-base; p#form-error[role=alert]; what was typed kept; nothing saved")
    screenshot(page, "back-office-shipping-refused")
    audit(page, "the shipping form with refused fields")

    goto(page, f"/console/shipping/{code}")
    expect(page.locator("form#shipping-edit").count() == 1, f"no form#shipping-edit on /console/shipping/{code}")
    expect(value(page, "shipping-name") == f"Courier {tag}" and value(page, "rate-0-base") == "6.50"
           and value(page, "rate-1-brackets") == "1000:2.00, 5000:8.00", "the edit form does not show the method as saved")
    audit(page, "a shipping method's edit page")
    page.fill("#shipping-name", f"Courier {tag} edited")
    page.fill("#rate-0-base", "7.00")
    response = submit(page, "shipping-edit")
    expect(response.status == 303 and path_of(page.url) == "/console/shipping", f"saving the method: {response.status} at {page.url}")
    status, method, _ = admin("GET", f"/admin/shipping-methods/{code}")
    expect(method["name"] == f"Courier {tag} edited" and method["rates"][0]["baseAmount"] == 700, f"after the edit the API reads {method}")
    expect(f"Courier {tag} edited" in page.locator(f'tr[data-method-code="{code}"]').inner_text(), "the list does not show the new name")
    goto(page, f"/console/shipping/{code}")
    response = submit(page, "shipping-delete")
    expect(response.status == 303 and page.locator(f'tr[data-method-code="{code}"]').count() == 0, f"deleting {code}: {response.status}")
    expect(admin("GET", f"/admin/shipping-methods/{code}")[0] == 404, f"{code} is still in the admin API after deleting it")
    ok(f"shipping: {code} edited (name, base 7.00 → 700 in the API) and deleted (gone from the list, 404 in the API)")


# --- tax rates -------------------------------------------------------------------------------------------------------

def check_tax(page, tag):
    goto(page, "/console/tax")
    expect(page.locator("table#tax-rates tr[data-tax-rate-id]").count() >= 1, "table#tax-rates lists none of the demo's rates")
    name = f"TVA {tag}"
    page.fill("#tax-name", name)
    page.fill("#tax-country", "FR")
    page.fill("#tax-rate", "20")
    response = submit(page, "tax-create")
    expect(response.status == 303, f"adding a tax rate: {response.status}")
    status, listed, _ = admin("GET", "/admin/tax-rates")
    mine = [rate for rate in listed["items"] if rate["name"] == name]
    expect(len(mine) == 1 and mine[0]["country"] == "FR" and mine[0]["rate"] == "20" and mine[0]["appliesToShipping"] is True,
           f"the admin API's tax rates after adding {name!r}: {mine}")
    rate_id = mine[0]["id"]
    expect(page.locator(f'table#tax-rates tr[data-tax-rate-id="{rate_id}"]').count() == 1, f"no row for {rate_id}")
    ok(f"tax: {name!r} FR 20 % added; the admin API lists it ({rate_id})")

    page.fill("#tax-name", f"Bad {tag}")
    page.fill("#tax-country", "FR")
    page.fill("#tax-rate", "twenty")
    response = submit(page, "tax-create")
    expect(response.status == 422, f"a rate of 'twenty' answered {response.status}, not 422")
    field_error(page, "tax-rate", "percentage")
    expect(value(page, "tax-name") == f"Bad {tag}" and value(page, "tax-rate") == "twenty", "the refused tax form lost what was typed")
    screenshot(page, "back-office-tax-refused")
    audit(page, "the tax form with a refused rate")
    page.fill("#tax-name", name)
    page.fill("#tax-rate", "19")
    response = submit(page, "tax-create")
    expect(response.status == 409, f"a second {name!r} for FR answered {response.status}, not 409")
    field_error(page, "tax-name", name)
    ok("tax: 'twenty' refused next to #tax-rate, a rate of the same name and country (409) next to #tax-name; what was typed kept")

    goto(page, f"/console/tax/{rate_id}")
    expect(value(page, "tax-rate") == "20", "the tax rate's edit form does not show 20")
    audit(page, "a tax rate's edit page")
    page.fill("#tax-rate", "5.5")
    response = submit(page, "tax-edit")
    expect(response.status == 303, f"saving the tax rate: {response.status}")
    status, rate, _ = admin("GET", f"/admin/tax-rates/{rate_id}")
    expect(status == 200 and rate["rate"] == "5.5", f"after the edit GET /admin/tax-rates/{rate_id}: {status} {rate}")
    goto(page, f"/console/tax/{rate_id}")
    response = submit(page, "tax-delete")
    expect(response.status == 303 and admin("GET", f"/admin/tax-rates/{rate_id}")[0] == 404, f"deleting {rate_id}: {response.status}")
    ok(f"tax: {rate_id} edited to 5.5 % (as the admin API reads it) and deleted")


# --- API keys --------------------------------------------------------------------------------------------------------

def check_api_keys(page, tag):
    goto(page, "/console/api-keys")
    expect(page.locator("table#api-keys tbody tr").count() >= 1, "table#api-keys lists no key (there is the bootstrap admin key)")
    status, scratch = posted(page, "/console/api-keys", {"key-name": "   ", "key-role": "viewer"})
    expect(status == 422, f"a key without a name answered {status}, not 422")
    field_error(scratch, "key-name", "name")
    scratch.close()
    ok("API keys: a blank name is refused (422) next to #key-name")

    name = f"bo-check-{tag}"
    page.fill("#key-name", name)
    page.select_option("#key-role", "operations")
    response = submit(page, "api-key-create")
    expect(response.status == 200 and path_of(page.url) == "/console/api-keys", f"creating a key: {response.status} at {page.url}")
    token = page.locator("#new-api-key-token").inner_text().strip()
    secrets_used.append(token)
    expect(re.fullmatch(r"atk_[0-9a-z]{26}_\S{43}", token), f"#new-api-key-token does not hold a token: {token[:8]}…")
    expect(token not in page.url and token not in (response.header_value("location") or ""), "the token is in a URL")
    audit(page, "the API keys page showing a new token")
    screenshot(page, "back-office-api-key-created")
    status, me, _ = call("GET", "/admin/me", token=token)
    expect(status == 200 and me.get("name") == name and me.get("role") == "operations", f"GET /admin/me with the new token: {status} {me}")
    status, _, _ = call("GET", "/admin/orders", token=token)
    expect(status == 200, f"GET /admin/orders with the new operations token: {status}")
    ok(f"API keys: {name!r} (operations) made; its token, shown once in #new-api-key-token, answers 200 on GET /admin/me and /admin/orders")

    goto(page, "/console/api-keys")
    expect(page.locator("#new-api-key-token").count() == 0 and token not in page.content(), "the token is shown again")
    row = page.locator(f'table#api-keys tr[data-key-id="{me["id"]}"]')
    expect(row.count() == 1 and token[:30] in row.inner_text() and "never" not in row.inner_text(),
           f"the key's row does not show its token's start and its last use: {row.inner_text() if row.count() else None!r}")
    # The row's Revoke… asks first.
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url).endswith("/revoke")) as answer:
        row.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")
    expect(answer.value.status == 200 and page.locator("#revoke-confirm").count() == 1,
           f"Revoke… answered {answer.value.status} without #revoke-confirm")
    expect(call("GET", "/admin/me", token=token)[0] == 200, "the key was revoked before the confirmation")
    audit(page, "the API keys page asking to confirm a revocation")
    confirm = page.locator("#revoke-confirm form")
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url).endswith("/revoke")) as answer:
        confirm.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")
    expect(answer.value.status == 303, f"confirming the revocation answered {answer.value.status}, not 303")
    expect("revoked" in page.locator(f'table#api-keys tr[data-key-id="{me["id"]}"]').inner_text(), "the key's row does not say revoked")
    status, _, _ = call("GET", "/admin/me", token=token)
    expect(status == 401, f"GET /admin/me with the revoked token: {status}, not 401")
    ok("API keys: Revoke… asks first (#revoke-confirm, key still works), the confirmation revokes it: the row says revoked, the API answers 401")


# --- webhooks --------------------------------------------------------------------------------------------------------

def deliveries(page, webhook_id):
    goto(page, f"/console/webhooks/{webhook_id}")
    rows = page.locator("table#deliveries tr[data-delivery-id]")
    return [{"id": r.get_attribute("data-delivery-id"), "status": r.get_attribute("data-status"), "text": r.inner_text(),
             "codes": r.locator("ol.attempts li").evaluate_all("items => items.map(i => i.dataset.code)")} for r in rows.all()]


def check_webhooks(page, tag, receiver):
    goto(page, "/console/webhooks")
    expect(page.locator("table#webhooks").count() == 1, "no table#webhooks")
    page.fill("#webhook-url", receiver.url)
    page.fill("#webhook-description", f"back office check {tag}")
    response = submit(page, "webhook-create")
    expect(response.status == 422, f"a subscription to no event answered {response.status}, not 422")
    message = page.locator("#webhook-events-error")
    expect(message.count() == 1 and "event" in message.inner_text(), "no #webhook-events-error for a subscription to no event")
    expect(page.locator("fieldset#webhook-events").get_attribute("aria-describedby") == "webhook-events-error",
           "fieldset#webhook-events is not described by its message")
    expect(value(page, "webhook-url") == receiver.url, "the refused subscription form lost the URL")
    audit(page, "the webhooks page with a refused subscription")
    ok("webhooks: a subscription to no event is refused (422), the message in fieldset#webhook-events, the URL kept")

    page.locator('input[name="event"][value="payment.succeeded"]').check()
    response = submit(page, "webhook-create")
    expect(response.status == 200, f"creating the subscription: {response.status}")
    secret = page.locator("#new-webhook-secret").inner_text().strip()
    secrets_used.append(secret)
    expect(secret.startswith("whsec_") and secret not in page.url, "#new-webhook-secret holds no whsec_ secret (or it is in the URL)")
    link = page.locator('#new-webhook a[href^="/console/webhooks/"]').get_attribute("href")
    webhook_id = link.rsplit("/", 1)[-1]
    status, subscription, _ = admin("GET", f"/admin/webhooks/{webhook_id}")
    expect(status == 200 and subscription["url"] == receiver.url and subscription["eventTypes"] == ["payment.succeeded"],
           f"GET /admin/webhooks/{webhook_id}: {status} {subscription}")
    screenshot(page, "back-office-webhook-created")
    ok(f"webhooks: {webhook_id} made for payment.succeeded to the loopback receiver; its secret shown once")

    order = paid_figurine(f"privacy-{tag}@example.com")
    wait_for("the receiver's first request", lambda: receiver.seen())
    failed = wait_for("the delivery's failed attempt in table#deliveries",
                      lambda: [d for d in deliveries(page, webhook_id) if d["codes"] == ["500"]], step=0.5)
    delivery = failed[0]
    expect(delivery["status"] == "pending" and "payment.succeeded" in delivery["text"], f"the failed delivery's row: {delivery}")
    ok(f"webhooks: order {order['number']} paid; delivery {delivery['id']} shows attempt 1 answered 500, pending")
    screenshot(page, "back-office-webhook-failed")
    audit(page, "a webhook subscription with a failed delivery")

    row = page.locator(f'table#deliveries tr[data-delivery-id="{delivery["id"]}"]')
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url).endswith("/redeliver")) as answer:
        row.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")
    expect(answer.value.status == 303 and path_of(page.url) == f"/console/webhooks/{webhook_id}", f"Redeliver: {answer.value.status} at {page.url}")
    done = wait_for("the redelivered attempt's success", lambda: [d for d in deliveries(page, webhook_id)
                                                                  if d["id"] == delivery["id"] and d["status"] == "succeeded"], step=0.5)
    expect(done[0]["codes"] == ["500", "200"], f"the delivery's attempts after Redeliver: {done[0]['codes']}")
    seen = receiver.seen()
    expect(len(seen) == 2 and seen[0]["id"] == seen[1]["id"] and [r["status"] for r in seen] == [500, 200],
           f"the receiver got {[(r['id'], r['status']) for r in seen]}, not the same event twice (500, then 200)")
    status, detail, _ = admin("GET", f"/admin/webhook-deliveries/{delivery['id']}")
    expect(status == 200 and detail["delivery"]["status"] == "succeeded" and [a["status"] for a in detail["attempts"]] == [500, 200],
           f"GET /admin/webhook-deliveries/{delivery['id']}: {status} {detail}")
    ok("webhooks: Redeliver (303) → attempt 2 answered 200, the delivery succeeded; the receiver got the same event twice; "
       "the admin API reads the same attempts")
    screenshot(page, "back-office-webhook-redelivered")
    audit(page, "a webhook subscription with a redelivered delivery")

    response = submit(page, "webhook-rotate")
    rotated = page.locator("#new-webhook-secret").inner_text().strip() if response.status == 200 else ""
    secrets_used.append(rotated)
    expect(rotated.startswith("whsec_") and rotated != secret, f"rotating the secret: {response.status}, a new secret: {rotated != secret}")
    ok("webhooks: the secret rotated, the new one shown once in #new-webhook-secret")
    response = submit(page, "webhook-delete")
    expect(response.status == 303 and path_of(page.url) == "/console/webhooks"
           and page.locator(f'tr[data-webhook-id="{webhook_id}"]').count() == 0, f"deleting the subscription: {response.status}")
    expect(admin("GET", f"/admin/webhooks/{webhook_id}")[0] == 404, "the deleted subscription is still in the admin API")
    ok("webhooks: the subscription deleted (gone from table#webhooks, 404 in the admin API)")
    return order


# --- privacy ---------------------------------------------------------------------------------------------------------

def without_nulls(value):
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def comparable(document):
    """The export without what differs from one request to the next: its id, its time and the log of requests."""
    return without_nulls({k: v for k, v in document.items() if k not in ("requestId", "generatedAt", "privacyRequests")})


def check_privacy(page, order):
    email = order["email"]
    goto(page, "/console/privacy")
    expect(page.locator("form#privacy-export").count() == 1 and page.locator("form#privacy-erase").count() == 1,
           "no form#privacy-export and form#privacy-erase")
    audit(page, "the privacy page")

    status, scratch = posted(page, "/console/privacy/export", {"export-email": "nobody"})
    expect(status == 422, f"exporting 'nobody' answered {status}, not 422")
    field_error(scratch, "export-email", "email")
    scratch.close()
    page.fill("#export-email", email)
    with page.expect_download() as downloading:
        page.locator('form#privacy-export button[type="submit"]').click()
    download = downloading.value
    expect(re.fullmatch(r"privacy-export-[0-9A-Za-z_.-]+\.json", download.suggested_filename),
           f"the export downloads as {download.suggested_filename!r}")
    saved = os.path.join(WORK, "back-office-export.json")
    download.save_as(saved)
    document = json.load(open(saved))
    answer = post_form(page, "/console/privacy/export", {"csrf": csrf_of(page), "export-email": email})
    disposition = answer.headers.get("content-disposition", "")
    expect(answer.status == 200 and answer.headers.get("content-type", "").startswith("application/json")
           and re.fullmatch(r'attachment; filename="privacy-export-[^"/]+\.json"', disposition),
           f"the export's answer: {answer.status} {answer.headers.get('content-type')!r} {disposition!r}")
    status, api, _ = admin("POST", "/admin/privacy/export", {"email": email})
    expect(status == 200, f"POST /admin/privacy/export: {status} {api}")
    expect([o["id"] for o in document.get("orders", [])] == [order["id"]], f"the console's export holds orders {document.get('orders')}")
    expect(comparable(document) == comparable(api), "the console's export differs from the admin API's (beside the request's id, time and log)")
    logged = {r["id"] for r in api.get("privacyRequests", [])}
    expect(document["requestId"] in logged and {r["id"] for r in document.get("privacyRequests", [])} <= logged,
           "the admin API's export does not list the console's export among the privacy requests")
    ok(f"privacy: 'nobody' refused next to #export-email; the export downloads as {download.suggested_filename} (application/json, "
       f"attachment), holds order {order['number']} and equals POST /admin/privacy/export but for its id, time and request log")

    page.fill("#erase-email", email)
    page.fill("#erase-confirm", "other-" + email)
    response = submit(page, "privacy-erase")
    expect(response.status == 422, f"erasing with a wrong confirmation answered {response.status}, not 422")
    field_error(page, "erase-confirm", "does not match")
    expect(value(page, "erase-email") == email and value(page, "erase-confirm") == "", "the refused erasure kept the wrong email or lost the first")
    expect(len(admin("POST", "/admin/privacy/export", {"email": email})[1].get("carts", [])) == 1, "a refused erasure erased something")
    screenshot(page, "back-office-privacy-refused")
    audit(page, "the privacy page with a refused confirmation")
    ok("privacy: a confirmation that differs from the email is refused (422) next to #erase-confirm; nothing erased")

    page.fill("#erase-confirm", email)
    response = submit(page, "privacy-erase")
    expect(response.status == 200, f"the erasure answered {response.status}")
    summary = page.locator("#erasure-summary")
    expect(summary.count() == 1 and "prv_" in summary.inner_text(), "no #erasure-summary naming the request")
    counts = dict(zip(summary.locator("dt").all_inner_texts(), summary.locator("dd").all_inner_texts()))
    pending = [int(v) for k, v in counts.items() if k.startswith("Open orders")]
    carts = [int(v) for k, v in counts.items() if k.startswith("Carts")]
    expect(pending == [1] and carts == [1], f"#erasure-summary: {counts} (the paid order is open: kept until it ships; its cart deleted)")
    after = admin("POST", "/admin/privacy/export", {"email": email})[1]
    expect(after.get("carts") == [], f"the admin API's export after the erasure still lists carts: {after.get('carts')}")
    screenshot(page, "back-office-privacy-erased")
    audit(page, "the privacy page with an erasure's summary")
    ok(f"privacy: erased with the email typed twice; #erasure-summary {counts}; the admin API's export has no cart left")


# --- roles -----------------------------------------------------------------------------------------------------------

def check_reader(browser, email, password, role):
    context, page = sign_in(browser, email, password, role)
    for path, kind in [("/console/shipping", "shipping"), ("/console/tax", "tax")]:
        goto(page, path)
        expect(page.locator("table").first.locator("tbody tr").count() >= 1, f"{role}: {path} lists nothing")
        expect(page.locator(f"form#{kind}-create").count() == 0 and page.locator("#read-only").count() == 1,
               f"{role}: {path} shows form#{kind}-create or no #read-only note")
        if role == "viewer":
            audit(page, f"{path} for a viewer")
            screenshot(page, f"back-office-viewer-{kind}")
        # A method's or a rate's page: read-only (every field disabled, nothing to send, no delete).
        link = page.locator(f'table a[href^="{path}/"]').first
        expect(link.count() == 1 and link.inner_text().startswith("View"), f"{role}: {path} has no View link to a record's page")
        with page.expect_navigation():
            link.click()
        expect(page.locator(f"form#{kind}-view fieldset[disabled]").count() == 1 and page.locator(f"form#{kind}-view button").count() == 0
               and page.locator(f"form#{kind}-delete, form#{kind}-edit").count() == 0, f"{role}: {page.url} is not read-only")
        if role == "viewer":
            audit(page, f"a {kind} record's read-only page for a viewer")
    status, scratch = posted(page, "/console/shipping", {"shipping-code": "viewer_made", "shipping-name": "Nope", "rows": "1",
                                                         "rate-0-country": "US", "rate-0-base": "1"})
    scratch.close()
    expect(status == 403 and admin("GET", "/admin/shipping-methods/viewer_made")[0] == 404, f"{role}: POST /console/shipping answered {status}")
    status, scratch = posted(page, "/console/tax", {"tax-name": "Nope", "tax-country": "FR", "tax-rate": "1"})
    scratch.close()
    expect(status == 403, f"{role}: POST /console/tax answered {status}, not 403")
    status, scratch = posted(page, "/console/shipping/standard", {"shipping-name": "Nope", "rows": "1", "rate-0-country": "US", "rate-0-base": "1"})
    scratch.close()
    expect(status == 403, f"{role}: POST /console/shipping/standard answered {status}, not 403")
    for path in ["/console/api-keys", "/console/webhooks", "/console/privacy"]:
        goto(page, path, status=403)
    status, scratch = posted(page, "/console/privacy/erase", {"erase-email": "a@example.com", "erase-confirm": "a@example.com"})
    scratch.close()
    expect(status == 403, f"{role}: POST /console/privacy/erase answered {status}, not 403")
    if role == "viewer":
        goto(page, "/console/api-keys", status=403)
        audit(page, "the 403 page of API keys for a viewer")
    context.close()
    ok(f"{role}: shipping and tax listed without forms, their records' pages read-only; POSTs to them 403; API keys, "
       f"webhooks, privacy (and an erasure's POST) 403")


def check_log():
    text = open(server.log, encoding="utf-8", errors="replace").read()
    leaked = [s for s in secrets_used if s and s in text]
    expect(not leaked, f"{len(leaked)} of the {len(secrets_used)} passwords, tokens and secrets shown appear in {server.log}")
    ok(f"the server's log ({len(text.splitlines())} lines) holds none of the {len(secrets_used)} passwords, tokens and secrets")


def run(browser, admin_password, receiver):
    tag = secrets.token_hex(3)
    viewer = (f"viewer-{tag}@example.com", staff_create(f"viewer-{tag}@example.com", "viewer", "Vera Viewer"))
    operations = (f"ops-{tag}@example.com", staff_create(f"ops-{tag}@example.com", "operations", "Olga"))
    ok("staff create: a viewer and an operations user, each with a one-time password")

    context, page = sign_in(browser, "admin@localhost", admin_password, "the bootstrap admin", accept_downloads=True)
    change_password(page, admin_password)
    ok("the bootstrap admin chose a password")
    check_shipping(page, tag)
    check_tax(page, tag)
    check_api_keys(page, tag)
    order = check_webhooks(page, tag, receiver)
    check_privacy(page, order)
    context.close()
    check_reader(browser, *viewer, "viewer")
    check_reader(browser, *operations, "operations")


def main():
    os.makedirs(WORK, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAILED: terminated (timeout?)"))
    receiver = None
    try:
        receiver = Receiver(RECEIVER_PORT)
        server.start()
        ok(f"webhook receiver on {receiver.url}")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            try:
                run(browser, bootstrap_password(), receiver)
            finally:
                browser.close()
        server.stop()
        check_log()
    except Failed as failure:
        print(f"FAILED: {failure}", flush=True)
        server.stop()
        sys.exit(1)
    finally:
        server.stop()
        if receiver:
            receiver.stop()
    print("back office: ok")


if __name__ == "__main__":
    main()
