#!/usr/bin/env python3
"""The full scenario: pay → the fulfillment service receives the order → it reports in production, shipped,
delivered → the order shows each step with its audit record, and the shopper's emails arrive through a real
SMTP server: aiosmtpd with STARTTLS required and AUTH.

    python scripts/check-mail.py

Environment: ATELIER_BIN, WORK, DATABASE_URL (empty: SQLite), ATELIER_PORT, SMTP_PORT.
Makes a self-signed certificate for 127.0.0.1, starts aiosmtpd requiring STARTTLS and AUTH (user `shop`),
starts a fulfillment service (a standardwebhooks receiver that reports back, signed), starts the server with
ATELIER_SMTP_URL, that certificate as its trust root and the fulfillment service, pays an order and lets the
service move it along, pays and cancels another (refund), and checks the messages: headers, both parts, the
price breakdown, a tracking link whose token opens the order, the carrier's tracking, the refund.
"""
import datetime
import email
import ipaddress
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

BIN, WORK = os.environ["ATELIER_BIN"], os.environ["WORK"]
PORT, SMTP_PORT = int(os.environ.get("ATELIER_PORT", "18185")), int(os.environ.get("SMTP_PORT", "25960"))
BASE = f"http://127.0.0.1:{PORT}"
FULFILLMENT_PORT = int(os.environ.get("FULFILLMENT_PORT", "25965"))
FULFILLMENT_SECRET = "whsec_" + __import__("base64").b64encode(os.urandom(32)).decode()
messages = []
logins = []
fulfilled = {}


class Fulfillment(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            event = Webhook(FULFILLMENT_SECRET).verify(body, {k.lower(): v for k, v in self.headers.items()})
        except Exception:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if event["type"] == "fulfillment.order":
            fulfilled[event["data"]["orderId"]] = event
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def report(order_id, status, **extra):
    body = json.dumps({"type": "fulfillment.update", "data": {"orderId": order_id, "status": status, **extra}})
    message_id = "msg_" + uuid.uuid4().hex
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    request = urllib.request.Request(BASE + "/webhooks/fulfillment", data=body.encode(), method="POST", headers={
        "Content-Type": "application/json", "webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(FULFILLMENT_SECRET).sign(message_id, now, body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["outcome"]


def expect(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(WORK, "smtp.pem"), os.path.join(WORK, "smtp.key")
    open(cert_path, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    open(key_path, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class Handler:
    async def handle_DATA(self, server, session, envelope):
        messages.append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                         "authenticated": session.authenticated, "raw": envelope.content})
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"shop" and auth_data.password == b"s3cret pass"
    logins.append((mechanism, ok))
    return AuthResult(success=ok)


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), error.headers


def wait_for(predicate, what, seconds=40):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"FAILED: timed out waiting for {what}")


def main():
    os.makedirs(WORK, exist_ok=True)
    cert_path, key_path = certificate()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT, tls_context=context, require_starttls=True,
                            auth_required=True, auth_require_tls=True, authenticator=authenticator)
    controller.start()
    partner = ThreadingHTTPServer(("127.0.0.1", FULFILLMENT_PORT), Fulfillment)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    log = open(os.path.join(WORK, "mail-serve.log"), "w")
    env = dict(os.environ, ATELIER_DATA_DIR=os.path.join(WORK, "data-mail"), PORT=str(PORT), ATELIER_LOG_LEVEL="info",
               ATELIER_SMTP_URL=f"smtp://shop:{urllib.parse.quote('s3cret pass')}@127.0.0.1:{SMTP_PORT}", ATELIER_SMTP_CA_FILE=cert_path,
               ATELIER_MAIL_FROM="Atelier Shop <orders@shop.example>", ATELIER_SHOP_NAME="Atelier Shop",
               ATELIER_STOREFRONT_URL=BASE, ATELIER_FULFILLMENT_URL=f"http://127.0.0.1:{FULFILLMENT_PORT}/orders",
               ATELIER_FULFILLMENT_SECRET=FULFILLMENT_SECRET)
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                if urllib.request.urlopen(BASE + "/health/ready", timeout=2).status == 200:
                    break
            except Exception:
                time.sleep(0.2)
        key = open(os.path.join(WORK, "data-mail", "bootstrap-admin-key")).read().strip()
        run(key)
    finally:
        server.terminate()
        server.wait(timeout=30)
        controller.stop()
        partner.shutdown()


def paid_order(email_address):
    status, _, headers = call("POST", "/cart/items", {"product": "3d-printed-figurine",
                                                      "selection": {"size": "large", "material": "resin", "colour": "red"}})
    status, started, _ = call("POST", "/checkout", {
        "contact": {"email": email_address, "name": "Grace Hopper"},
        "shippingAddress": {"name": "Grace Hopper", "line1": "1 Navy Yard", "city": "Brooklyn", "region": "NY", "postalCode": "11205", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": "test"}},
        {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
    expect(status == 201, f"checkout: {status} {started}")
    status, paid, _ = call("POST", f"/checkout/{started['checkout']['id']}/test-payment", {}, {"X-Access-Token": started["accessToken"]})
    return paid["checkout"]["orderId"], started["accessToken"], paid["checkout"]["total"]["amount"]


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def run(key):
    admin = {"Authorization": f"Bearer {key}"}
    order, token, total = paid_order("grace@example.com")
    first = wait_for(lambda: messages and messages[0], "the order confirmation")
    parsed = email.message_from_bytes(first["raw"], policy=policy.default)
    body = parts(parsed)
    expect(first["tls"] and first["authenticated"] and logins == [("PLAIN", True)], f"STARTTLS and AUTH: {first['tls']} {logins}")
    expect(first["from"] == "orders@shop.example" and first["to"] == ["grace@example.com"], f"envelope: {first['from']} {first['to']}")
    expect(parsed["From"] == "Atelier Shop <orders@shop.example>" and parsed["To"] == "Grace Hopper <grace@example.com>"
           and parsed["Subject"].startswith("Your order AT-") and parsed["Message-ID"].startswith("<evt_") and parsed["Date"],
           f"headers: {dict(parsed.items())}")
    expect(parsed.get_content_type() == "multipart/alternative" and set(body) == {"text/plain", "text/html"}, f"parts: {list(body)}")
    text = body["text/plain"]
    amount = f"{total / 100:.2f} USD"
    expect("3D-printed figurine" in text and "material: resin" in text and f"Total: {amount}" in text and "New York sales tax" in text
           and "Expected to ship on" in text and amount in body["text/html"], f"the receipt:\n{text}")
    link = next(word for word in text.split() if "/orders/" in word)
    expect(link.startswith(f"{BASE}/orders/{order}?token=ot_"), f"the tracking link: {link}")
    status, tracked, _ = call("GET", link[len(BASE):])
    expect(status == 200 and tracked["id"] == order, f"the link opens the order: {status}")
    print(f"confirmation: STARTTLS + AUTH PLAIN, multipart text/html, receipt with total {amount}, tracking link opens the order")

    # The fulfillment service has the whole order and drives it: in production, shipped (fulfilled walked through), delivered.
    document = wait_for(lambda: fulfilled.get(order), "the order at the fulfillment service")
    expect(document["data"]["shippingAddress"]["line1"] == "1 Navy Yard" and document["data"]["lines"][0]["quantity"] == 1,
           f"the fulfillment document: {document}")
    outcomes = [report(order, "in_production"),
                report(order, "shipped", tracking={"carrier": "UPS", "number": "1Z999AA1", "url": "https://ups.example/1Z999AA1"}),
                report(order, "delivered", deliveredAt="2026-11-25T10:00:00Z")]
    expect(outcomes == ["applied"] * 3, f"partner updates: {outcomes}")
    status, detail, _ = call("GET", f"/admin/orders/{order}", headers=admin)
    trail = [(a["to"], a["actorKind"]) for a in detail["audit"]]
    expect(trail == [("paid", "payment_provider"), ("in_production", "fulfillment_partner"), ("fulfilled", "fulfillment_partner"),
                     ("shipped", "fulfillment_partner"), ("delivered", "fulfillment_partner")], f"the audit trail: {trail}")
    print("fulfillment: the service got the whole order and moved it to delivered; each step in the audit trail")
    shipped = wait_for(lambda: len(messages) >= 2 and messages[1], "the shipping update")
    parsed = email.message_from_bytes(shipped["raw"], policy=policy.default)
    text = parts(parsed)["text/plain"]
    expect("is on its way" in parsed["Subject"] and "UPS" in text and "1Z999AA1" in text and "https://ups.example/1Z999AA1" in text,
           f"the shipping update:\n{text}")
    print("shipping update: carrier, tracking number and link")

    other, _, other_total = paid_order("ada@example.com")
    wait_for(lambda: len(messages) >= 3, "the second confirmation")
    status, _, _ = call("POST", f"/admin/orders/{other}/transitions", {"to": "cancelled", "reason": "out of resin"}, admin)
    expect(status == 200, "cancel")
    cancelled = wait_for(lambda: len(messages) >= 4 and messages[3], "the cancellation notice")
    parsed = email.message_from_bytes(cancelled["raw"], policy=policy.default)
    text = parts(parsed)["text/plain"]
    expect("was cancelled" in parsed["Subject"] and f"{other_total / 100:.2f} USD" in text and cancelled["to"] == ["ada@example.com"],
           f"the cancellation notice:\n{text}")
    time.sleep(1.5)
    expect(len(messages) == 4, f"one email per event, no more: {len(messages)}")
    print("cancellation notice: the refund; 4 emails for 4 events that call for one")
    print("mail: ok")


if __name__ == "__main__":
    main()
