#!/usr/bin/env python3
"""OpenTelemetry traces end to end: one shopper request, followed through the payment provider, the job that
delivers its event and the partner's webhook receiver.

    python scripts/check-traces.py

Environment: ATELIER_BIN (the atelier executable), WORK (a scratch folder), DATABASE_URL (empty: SQLite), and the
loopback ports ATELIER_PORT (26210), STRIPE_PORT (26211, localstripe), RECEIVER_PORT (26212, the partner's
webhook receiver), OTLP_PORT (26213, the trace receiver).

Starts, all on loopback: scripts/otlp-receiver.py in this process, localstripe (scripts/localstripe-peer.py), a
partner webhook receiver that verifies every delivery with `standardwebhooks`, and `atelier serve` with Stripe
pointed at localstripe and traces exported over OTLP/HTTP (protobuf) to the receiver. Then:

  1. subscribes the receiver to order events (POST /admin/webhooks);
  2. fills a cart and starts a Stripe checkout; confirms its PaymentIntent at localstripe with a test card.
     No webhook endpoint is registered at localstripe, so no webhook tells Atelier about the payment: the
     shopper's GET /checkout/{id} must ask Stripe and place the order;
  3. polls GET /checkout/{id} with a W3C `traceparent` made up here (a new trace id and parent span id) until
     the checkout is paid; waits for the partner's order.created delivery;
  4. waits (at most 10 s) for the spans of that trace and asserts that they hold
       - a SERVER span for the request, named by its route template (`GET /checkout/{checkoutId}`), whose parent is
         the caller's span from the traceparent, from service.name `atelier`;
       - a CLIENT span for the call to the payment provider (server.port = localstripe's port);
       - an INTERNAL span `job …` or `deliver …` for the work the request left behind (carried through the
         database into the same trace);
       - a CLIENT span for the delivery to the partner (server.port = the receiver's port) beneath that INTERNAL
         span.
Prints the trace as a tree when something is missing, `traces: ok` when all is there; exits non-zero otherwise.
"""
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ["ATELIER_BIN"]
WORK = os.environ["WORK"]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
PORT = int(os.environ.get("ATELIER_PORT", "26210"))
STRIPE_PORT = int(os.environ.get("STRIPE_PORT", "26211"))
RECEIVER_PORT = int(os.environ.get("RECEIVER_PORT", "26212"))
OTLP_PORT = int(os.environ.get("OTLP_PORT", "26213"))
BASE = f"http://127.0.0.1:{PORT}"
STRIPE = f"http://127.0.0.1:{STRIPE_PORT}"
RECEIVER = f"http://127.0.0.1:{RECEIVER_PORT}"
SPAN_WAIT_SECONDS = 10

_spec = importlib.util.spec_from_file_location("otlp_receiver", os.path.join(HERE, "otlp-receiver.py"))
otlp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(otlp)


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def call(method, url, body=None, headers=None, form=None):
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw), error.headers
        except ValueError:
            return error.code, raw.decode(errors="replace"), error.headers


def wait_for(predicate, what, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise Failed(f"timed out after {seconds} s waiting for {what}")


# --- the partner's webhook receiver

class Partner:
    def __init__(self, port):
        self.secret = None
        self.deliveries = []   # (event type, verified body, request headers)
        self.rejected = []
        self.lock = threading.Lock()
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    verified = Webhook(partner.secret).verify(body, headers)
                except (WebhookVerificationError, TypeError, ValueError) as error:
                    with partner.lock:
                        partner.rejected.append(str(error))
                    self.send_response(400)
                else:
                    with partner.lock:
                        partner.deliveries.append((verified.get("type"), verified, headers))
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="partner", daemon=True).start()

    def events(self, event_type, order_id):
        with self.lock:
            return [(body, headers) for kind, body, headers in self.deliveries
                    if kind == event_type and (body.get("data") or {}).get("orderId") == order_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --- processes

def port_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_localstripe():
    log = open(os.path.join(WORK, "traces-localstripe.log"), "w")
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "localstripe-peer.py"), str(STRIPE_PORT)],
                               stdout=log, stderr=subprocess.STDOUT)

    def up():
        if process.poll() is not None:
            raise Failed(f"localstripe exited with {process.returncode} (see traces-localstripe.log)")
        try:
            return call("GET", STRIPE + "/v1/balance", headers={"Authorization": "Bearer sk_test_traces"})[0] == 200
        except OSError:
            return False

    wait_for(up, "localstripe to answer", 30)
    return process


def start_server():
    data = os.path.join(WORK, "data-traces")
    os.makedirs(data, exist_ok=True)
    env = dict(os.environ, ATELIER_DATA_DIR=data, DATABASE_URL=DATABASE_URL, PORT=str(PORT), ATELIER_LOG_LEVEL="info",
               ATELIER_RATE_LIMITING="false",
               ATELIER_PAYMENT_PROVIDERS="stripe", ATELIER_STRIPE_SECRET_KEY="sk_test_traces", ATELIER_STRIPE_API_BASE=STRIPE,
               # Required with Stripe; nothing signs with it here, since no endpoint is registered at localstripe.
               ATELIER_STRIPE_WEBHOOK_SECRETS="whsec_" + secrets.token_hex(16),
               # The order must be placed by the traced GET /checkout, not by the periodic reconciliation.
               ATELIER_RECONCILE_INTERVAL_SECONDS="3600",
               ATELIER_WEBHOOK_ALLOWED_HOSTS="127.0.0.1", ATELIER_WEBHOOK_ALLOW_PRIVATE="true",
               ATELIER_WEBHOOK_RETRY_SCHEDULE="1,1,1", ATELIER_WEBHOOK_TIMEOUT_SECONDS="5",
               OTEL_TRACES_EXPORTER="otlp", OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{OTLP_PORT}",
               OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_SERVICE_NAME="atelier", OTEL_BSP_SCHEDULE_DELAY="200")
    log_path = os.path.join(WORK, "traces-serve.log")
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)

    def ready():
        if process.poll() is not None:
            raise Failed(f"atelier serve exited with {process.returncode}:\n{tail(log_path)}")
        try:
            return urllib.request.urlopen(BASE + "/health/ready", timeout=2).status == 200
        except OSError:
            return False

    wait_for(ready, "the server to be ready", 60)
    key = open(os.path.join(data, "bootstrap-admin-key")).read().strip()
    return process, key, log_path


def tail(path, lines=40):
    try:
        return "".join(open(path, errors="replace").readlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(process, seconds=30):
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the shopper's path

def paid_checkout_through_lookup(key, partner, trace_id, parent_id):
    admin = {"Authorization": f"Bearer {key}"}
    status, created, _ = call("POST", BASE + "/admin/webhooks",
                              {"url": RECEIVER + "/partner", "eventTypes": ["order.created", "payment.succeeded"]}, admin)
    expect(status == 201 and str(created.get("secret", "")).startswith("whsec_"), f"subscribe the partner: {status} {created}")
    partner.secret = created["secret"]

    status, cart, headers = call("POST", BASE + "/cart/items", {
        "product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}})
    expect(status == 201, f"add to cart: {status} {cart}")
    status, started, _ = call("POST", BASE + "/checkout", {
        "contact": {"email": "trace@example.com", "name": "Ada Lovelace"},
        "shippingAddress": {"name": "Ada Lovelace", "line1": "1 Main St", "city": "New York", "region": "NY",
                            "postalCode": "10001", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": "stripe"}},
        {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
    expect(status == 201, f"start a Stripe checkout: {status} {started}")
    checkout, token = started["checkout"], started["accessToken"]
    intent = (checkout.get("payment") or {}).get("reference", "")
    expect(intent.startswith("pi_"), f"a PaymentIntent for the checkout: {checkout.get('payment')}")

    stripe_auth = {"Authorization": "Bearer sk_test_traces"}
    status, body, _ = call("POST", f"{STRIPE}/v1/payment_intents/{intent}", headers=stripe_auth,
                           form={"payment_method": "pm_card_visa"})
    expect(status == 200, f"attach the test card at localstripe: {status} {body}")
    status, body, _ = call("POST", f"{STRIPE}/v1/payment_intents/{intent}/confirm", headers=stripe_auth)
    expect(status == 200 and body.get("status") == "succeeded", f"confirm at localstripe: {status} {body}")

    traceparent = f"00-{trace_id}-{parent_id}-01"

    def paid():
        status, view, _ = call("GET", f"{BASE}/checkout/{checkout['id']}",
                               headers={"X-Access-Token": token, "traceparent": traceparent})
        expect(status == 200, f"GET /checkout/{checkout['id']}: {status} {view}")
        return view if view.get("status") == "paid" and view.get("orderId") else None

    view = wait_for(paid, "GET /checkout to find the payment at Stripe and place the order", 20)
    order_id = view["orderId"]
    print(f"checkout {checkout['id']}: paid at localstripe ({intent}); GET /checkout with traceparent {traceparent} "
          f"placed order {view.get('orderNumber', order_id)}")
    wait_for(lambda: partner.events("order.created", order_id), "the partner's order.created delivery", 30)
    print(f"partner webhook: order.created for {order_id} delivered and verified")
    return checkout["id"], order_id


# --- what the trace must hold

def port_of(span):
    try:
        return int(span["attributes"].get("server.port"))
    except (TypeError, ValueError):
        return None


def is_job(span):
    return span["kind"] == "INTERNAL" and re.match(r"(job|deliver) ", span["name"]) is not None


def ancestors(span, by_id):
    seen, current = [], span
    while current["parent_span_id"] in by_id and len(seen) < 50:
        current = by_id[current["parent_span_id"]]
        seen.append(current)
    return seen


def missing_from(spans, trace_id, parent_id, checkout_id):
    """What the trace lacks, one sentence each; empty when everything is there."""
    mine = [s for s in spans if s["trace_id"] == trace_id]
    by_id = {s["span_id"]: s for s in mine}
    missing = []
    servers = [s for s in mine if s["kind"] == "SERVER" and "/checkout/" in s["name"]]
    if not servers:
        missing.append("a SERVER span for GET /checkout/{checkoutId} in the caller's trace "
                       "(the incoming traceparent was not continued, or requests are not traced)")
    for span in servers:
        if span["parent_span_id"] != parent_id:
            missing.append(f"the SERVER span {span['name']!r} has parent {span['parent_span_id'] or '(none)'}, "
                           f"not the traceparent's span {parent_id}")
        if checkout_id in span["name"]:
            missing.append(f"the SERVER span is named by the raw path ({span['name']!r}), not the route template")
        if span["service_name"] != "atelier":
            missing.append(f"the SERVER span's resource service.name is {span['service_name']!r}, not 'atelier'")
    if not any(s["kind"] == "CLIENT" and port_of(s) == STRIPE_PORT for s in mine):
        missing.append(f"a CLIENT span for the call to the payment provider (server.port {STRIPE_PORT}, localstripe)")
    jobs = [s for s in mine if is_job(s)]
    if not jobs:
        missing.append("an INTERNAL span 'job …' or 'deliver …' in the request's trace (the trace context is not "
                       "carried through the database to the job or event delivery)")
    deliveries = [s for s in mine if s["kind"] == "CLIENT" and port_of(s) == RECEIVER_PORT]
    if not deliveries:
        missing.append(f"a CLIENT span for the webhook delivery to the partner (server.port {RECEIVER_PORT})")
    elif jobs and not any(any(is_job(a) for a in ancestors(s, by_id)) for s in deliveries):
        missing.append("the delivery's CLIENT span beneath the INTERNAL 'job …'/'deliver …' span")
    return missing


def describe_received(receiver, trace_id):
    spans = receiver.spans()
    traces = {}
    for span in spans:
        traces.setdefault(span["trace_id"], []).append(span)
    lines = [f"received {len(spans)} span(s) in {len(traces)} trace(s) over {len(receiver.requests)} export request(s)"]
    if receiver.requests:
        lines.append(f"export requests (path, content type, spans): {receiver.requests[-10:]}")
    if not spans:
        lines.append("no spans at all: is OTEL_TRACES_EXPORTER=otlp honoured, and do they go to "
                     f"{receiver.endpoint}/v1/traces?")
    mine = traces.pop(trace_id, [])
    lines.append(f"--- the test's trace {trace_id} ({len(mine)} span(s)); '<-' marks spans of interest")
    lines.append(otlp.span_tree(mine, highlight=lambda s: s["kind"] != "INTERNAL" or is_job(s)) or "(none)")
    for other, group in list(traces.items())[:8]:
        lines.append(f"--- another trace {other} ({len(group)} span(s))")
        lines.append(otlp.span_tree(group))
    return "\n".join(lines)


def main():
    os.makedirs(WORK, exist_ok=True)
    for port in (PORT, STRIPE_PORT, RECEIVER_PORT, OTLP_PORT):
        if not port_free(port):
            sys.exit(f"FAILED: port {port} is already taken on 127.0.0.1")
    trace_id = secrets.token_hex(16)
    parent_id = secrets.token_hex(8)
    receiver = otlp.OTLPReceiver(OTLP_PORT).start()
    partner = Partner(RECEIVER_PORT)
    stripe = server = None
    log_path = None
    try:
        stripe = start_localstripe()
        server, key, log_path = start_server()
        checkout_id, _ = paid_checkout_through_lookup(key, partner, trace_id, parent_id)
        found = receiver.wait_for(lambda spans: not missing_from(spans, trace_id, parent_id, checkout_id),
                                  SPAN_WAIT_SECONDS)
        missing = missing_from(receiver.spans(), trace_id, parent_id, checkout_id)
        if not found and missing:
            raise Failed("the trace of the shopper's request lacks:\n  - " + "\n  - ".join(missing)
                         + "\n" + describe_received(receiver, trace_id))
        expect(not partner.rejected, f"deliveries that failed verification: {partner.rejected}")
        mine = receiver.spans(trace_id)
        print(f"trace {trace_id}: {len(mine)} spans, from the request through Stripe to the partner's delivery:")
        print(otlp.span_tree(mine))
        print("traces: ok")
    except Failed as failure:
        print(f"FAILED: {failure}")
        if log_path:
            print(f"--- server log (last lines)\n{tail(log_path)}")
        sys.exit(1)
    finally:
        stop(server)
        stop(stripe, 10)
        partner.stop()
        receiver.stop()


if __name__ == "__main__":
    main()
