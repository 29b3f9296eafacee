#!/usr/bin/env python3
"""Webhook delivery figures against a running server (started by bench/webhooks.sh).

    python bench/webhooks.py BASE_URL ADMIN_KEY RECEIVER_PORT FULFILLMENT_SECRET DELIVERIES ORDERS

1. Deliveries per second: a paused subscription collects DELIVERIES test events; it is then activated and
   the time until a standardwebhooks receiver has verified every one is measured (the server's 4 workers).
2. Payment to fulfillment: ORDERS orders paid one at a time (0.2 s apart); for each, the time from the payment's
   answer to the fulfillment service receiving the whole order.
"""
import base64
import json
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

BASE, KEY, PORT, FULFILLMENT_SECRET = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
DELIVERIES, ORDERS = int(sys.argv[5]), int(sys.argv[6])
lock = threading.Lock()
secrets = {"/fulfillment": FULFILLMENT_SECRET}
seen = {"/bench": set()}
arrived = {}
failures = []


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            event = Webhook(secrets[self.path]).verify(body, headers)
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            failures.append(repr(error))
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        now = time.time()
        with lock:
            if self.path == "/bench":
                seen["/bench"].add(headers["webhook-id"])
            elif event["type"] == "fulfillment.order":
                arrived.setdefault(event["data"]["orderId"], now)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return json.loads(raw) if raw else None, response.headers


def admin(method, path, body=None):
    return call(method, path, body, {"Authorization": f"Bearer {KEY}"})[0]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    created = admin("POST", "/admin/webhooks", {"url": f"http://127.0.0.1:{PORT}/bench", "eventTypes": ["webhook.test"], "active": False})
    secrets["/bench"] = created["secret"]
    hook = created["webhook"]["id"]
    for _ in range(DELIVERIES):
        admin("POST", f"/admin/webhooks/{hook}/test")
    start = time.time()
    admin("PUT", f"/admin/webhooks/{hook}", {"url": f"http://127.0.0.1:{PORT}/bench", "eventTypes": ["webhook.test"], "active": True})
    deadline = start + 300
    while len(seen["/bench"]) < DELIVERIES and time.time() < deadline:
        time.sleep(0.05)
    elapsed = time.time() - start
    assert len(seen["/bench"]) == DELIVERIES, f"{len(seen['/bench'])} of {DELIVERIES} delivered"
    print(f"deliveries: {DELIVERIES} signed deliveries verified in {elapsed:.1f} s = {DELIVERIES / elapsed:.0f} deliveries/s (4 workers)")

    latencies = []
    for i in range(ORDERS):
        _, headers = call("POST", "/cart/items", {"product": "3d-printed-figurine",
                                                  "selection": {"size": "large", "material": "resin", "colour": "red"}})
        started, _ = call("POST", "/checkout", {
            "contact": {"email": f"bench{i}@example.com", "name": "Bench"},
            "shippingAddress": {"name": "Bench", "line1": "1 Loop Road", "city": "Albany", "region": "NY", "postalCode": "12207", "country": "US"},
            "shippingMethod": "standard", "payment": {"provider": "test"}},
            {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
        paid, _ = call("POST", f"/checkout/{started['checkout']['id']}/test-payment", {}, {"X-Access-Token": started["accessToken"]})
        paid_at = time.time()
        order = paid["checkout"]["orderId"]
        while order not in arrived and time.time() < paid_at + 30:
            time.sleep(0.005)
        latencies.append(arrived[order] - paid_at)
        time.sleep(0.2)
    assert not failures, failures
    print(f"payment → fulfillment service: {ORDERS} orders, p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")


main()
