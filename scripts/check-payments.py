#!/usr/bin/env python3
"""End-to-end payment checks against a running Atelier and real payment peers on loopback.

    python scripts/check-payments.py

Environment: ATELIER_URL, ADMIN_KEY, STRIPE_URL (localstripe), STRIPE_WEBHOOK_SECRET (the secret localstripe
signs with and Atelier accepts), PAYPAL_URL (scripts/paypal-fake.py, delivering webhooks to Atelier).

Stripe: localstripe is the Stripe API (it creates the PaymentIntents Atelier asks for, charges test cards and
sends signed webhooks); extra events are signed with the official `stripe` library. PayPal: the fake plays the
Orders v2 API, the buyer's approval and signed webhooks verified through verify-webhook-signature.
Last, "webhooks off": delivery is switched off at both providers (localstripe's endpoint is pointed at a closed port,
the fake's webhook URL is cleared) and payments are found by asking the provider, on GET /checkout and by the
periodic job (set ATELIER_RECONCILE_INTERVAL_SECONDS low on the server to keep that part short); the endpoint
registered at localstripe must be named `atelier`.
Prints one line per scenario and exits non-zero on the first failure.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import stripe

BASE = os.environ["ATELIER_URL"].rstrip("/")
ADMIN = os.environ["ADMIN_KEY"]
STRIPE = os.environ["STRIPE_URL"].rstrip("/")
SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
PAYPAL = os.environ["PAYPAL_URL"].rstrip("/")


def call(method, url, body=None, headers=None, form=None):
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
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


def expect(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def admin(method, path, body=None):
    return call(method, BASE + path, body, {"Authorization": f"Bearer {ADMIN}"})


def stripe_api(method, path, form=None):
    return call(method, STRIPE + path, headers={"Authorization": "Bearer sk_test_atelier"}, form=form)


def new_checkout(provider, email):
    status, cart, headers = call("POST", BASE + "/cart/items", {
        "product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}})
    expect(status == 201, f"add to cart: {status} {cart}")
    key = headers["X-Session-Key"]
    status, started, _ = call("POST", BASE + "/checkout", {
        "contact": {"email": email, "name": "Ada Lovelace"},
        "shippingAddress": {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "New York", "region": "NY",
                            "postalCode": "10001", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": provider}},
        {"X-Session-Key": key, "Idempotency-Key": str(uuid.uuid4())})
    expect(status == 201, f"checkout with {provider}: {status} {started}")
    return started["checkout"], started["accessToken"], key


def checkout_state(checkout, token):
    status, view, _ = call("GET", f"{BASE}/checkout/{checkout['id']}", headers={"X-Access-Token": token})
    expect(status == 200, f"GET checkout: {status} {view}")
    return view


def paid_by_webhook(checkout, token, what):
    """Waits until the checkout is paid, through the staff view: the shopper's GET /checkout would look the payment up
    at the provider itself, and here the webhook is what is being checked."""
    wait_for(lambda: admin("GET", f"/admin/checkouts/{checkout['id']}")[1].get("status") == "paid", what)
    return checkout_state(checkout, token)


def wait_for(predicate, what, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"FAILED: timed out waiting for {what}")


def stripe_pay(intent, payment_method):
    status, body, _ = stripe_api("POST", f"/v1/payment_intents/{intent}", {"payment_method": payment_method})
    expect(status == 200, f"attach {payment_method}: {status} {body}")
    return stripe_api("POST", f"/v1/payment_intents/{intent}/confirm")


def signed_post(payload, timestamp=None, secret=SECRET):
    raw = json.dumps(payload).encode()
    header = stripe.WebhookSignature.generate_signature_header(raw.decode(), secret, timestamp=timestamp or int(time.time()))
    return call("POST", BASE + "/webhooks/stripe", raw, {"Stripe-Signature": header})


def stripe_event(kind, intent):
    return {"id": "evt_" + uuid.uuid4().hex[:24], "object": "event", "type": kind, "created": int(time.time()),
            "data": {"object": intent}}


def stock_of_red_large_resin():
    status, product, _ = call("GET", BASE + "/products/3d-printed-figurine")
    expect(status == 200, "product")
    return json.dumps(product.get("availability", product))


def check_stripe():
    # 1. Pay: Atelier created the PaymentIntent at localstripe; the card succeeds; the webhook makes the order.
    checkout, token, _ = new_checkout("stripe", "ada@example.com")
    payment = checkout["payment"]
    intent = payment.get("reference", "")
    expect(intent.startswith("pi_") and payment.get("clientSecret", "").startswith(intent + "_secret_"),
           f"a PaymentIntent and its client secret: {payment}")
    status, pi, _ = stripe_api("GET", f"/v1/payment_intents/{intent}")
    expect(pi["amount"] == checkout["total"]["amount"] and pi["currency"] == "usd" and pi["metadata"]["checkout_id"] == checkout["id"],
           f"the intent carries the checkout's total and id: {pi}")
    status, _, _ = stripe_pay(intent, "pm_card_visa")
    expect(status == 200, f"confirm: {status}")
    paid = paid_by_webhook(checkout, token, "the paid webhook")
    expect([e["eventId"][:4] for e in payment_events(checkout["id"])] == ["evt_"], "the webhook's event made the order")
    order_id = paid["orderId"]
    print(f"stripe pay: PaymentIntent {intent} confirmed, webhook made order {paid['orderNumber']}")

    # 2. Duplicate and out-of-order: another succeeded event, the same event twice, a failure after success.
    status, pi, _ = stripe_api("GET", f"/v1/payment_intents/{intent}")
    again = stripe_event("payment_intent.succeeded", pi)
    outcomes = [signed_post(again)[1]["outcome"], signed_post(again)[1]["outcome"],
                signed_post(stripe_event("payment_intent.payment_failed", pi))[1]["outcome"]]
    expect(outcomes == ["already_paid", "duplicate", "ignored"], f"repeats change nothing: {outcomes}")
    status, orders, _ = admin("GET", "/admin/orders?email=ada@example.com")
    expect(len(orders["items"]) == 1 and orders["items"][0]["status"] == "paid", f"one paid order: {orders}")
    print("stripe duplicate/out-of-order: already_paid, duplicate, ignored; still one paid order")

    # 3. Forgeries: a wrong secret, a stale timestamp, a future timestamp.
    status, problem, _ = signed_post(again, secret="whsec_not_the_right_one")
    expect(status == 400 and problem["code"] == "invalid_signature", f"bad signature: {status} {problem}")
    status, problem, _ = signed_post(stripe_event("payment_intent.succeeded", pi), timestamp=int(time.time()) - 600)
    expect(status == 400 and problem["code"] == "stale_signature", f"stale: {status} {problem}")
    status, problem, _ = signed_post(stripe_event("payment_intent.succeeded", pi), timestamp=int(time.time()) + 600)
    expect(status == 400 and problem["code"] == "stale_signature", f"future: {status} {problem}")
    print("stripe forgeries: bad signature and stale/future timestamps are 400")

    # 4. Decline: the failure is recorded once, the checkout stays open for another attempt.
    checkout, token, _ = new_checkout("stripe", "grace@example.com")
    intent = checkout["payment"]["reference"]
    status, body, _ = stripe_pay(intent, "pm_card_chargeCustomerFail")
    expect(status == 402, f"declined card: {status} {body}")
    events = wait_for(lambda: payment_events(checkout["id"]), "the payment_failed webhook")
    expect([e["outcome"] for e in events] == ["failure_recorded"], f"the decline recorded: {events}")
    expect(checkout_state(checkout, token)["status"] == "pending", "a decline leaves the checkout pending")
    print("stripe decline: payment_failed recorded, checkout still open")

    # 5. Cancel the order: the money goes back through Stripe.
    status, cancelled, _ = admin("POST", f"/admin/orders/{order_id}/transitions", {"to": "cancelled", "reason": "customer asked"})
    expect(status == 200 and cancelled["order"]["status"] == "cancelled" and cancelled["order"]["refunded"]["amount"] == paid["total"]["amount"],
           f"cancel with refund: {status} {cancelled}")
    # The refund is decided with the cancellation and made at Stripe by the server's job worker, just after.
    intent_paid = paid_intent(order_id)
    refunds = wait_for(lambda: (r := stripe_api("GET", f"/v1/refunds?payment_intent={intent_paid}")[1]) and r["data"] and r,
                       "the refund at Stripe")
    expect(sum(r["amount"] for r in refunds["data"]) == paid["total"]["amount"], f"refund at Stripe: {refunds}")
    status, order, _ = admin("GET", f"/admin/orders/{order_id}")
    expect([(r["kind"], r["amount"]["amount"]) for r in order["refunds"]] == [("cancellation", paid["total"]["amount"])]
           and order["refundable"]["amount"] == 0, f"the order lists its refund: {order.get('refunds')}")
    wait_for(lambda: admin("GET", f"/admin/orders/{order_id}")[1]["refunds"][0]["status"] == "succeeded", "the refund to succeed")
    print("stripe refund: cancelling the order refunded it at Stripe")

    # 6. A payment after the shopper cancelled the checkout: no order, refunded automatically.
    checkout, token, _ = new_checkout("stripe", "late@example.com")
    intent = checkout["payment"]["reference"]
    status, view, _ = call("POST", f"{BASE}/checkout/{checkout['id']}/cancel", headers={"X-Access-Token": token})
    expect(status == 200 and view["status"] == "cancelled", f"cancel checkout: {status} {view}")
    stripe_pay(intent, "pm_card_visa")
    refunded = wait_for(lambda: (r := stripe_api("GET", f"/v1/refunds?payment_intent={intent}")[1]) and r["data"] and r, "the late refund")
    expect(sum(r["amount"] for r in refunded["data"]) == checkout["total"]["amount"], f"late payment refunded in full: {refunded}")
    expect(checkout_state(checkout, token)["status"] == "cancelled", "a late payment makes no order")
    status, orders, _ = admin("GET", "/admin/orders?email=late@example.com")
    expect(orders["items"] == [], f"no order for a late payment: {orders}")
    # The event's resolution reads "refund pending" until the job has recorded the provider's answer.
    events = wait_for(lambda: (e := payment_events(checkout["id"]))
                      and any(x.get("resolution", "").startswith("refunded ") for x in e) and e, "the late payment's resolution")
    expect([(e["outcome"], e.get("resolution", "")[:8]) for e in events] == [("late_payment", "refunded")],
           f"the late payment is recorded with its refund: {events}")
    print("stripe late payment: no order, refunded in full")


def payment_events(checkout_id):
    status, body, _ = admin("GET", f"/admin/payment-events?checkout={checkout_id}")
    expect(status == 200, f"payment events: {status} {body}")
    return body["items"]


def paid_intent(order_id):
    status, order, _ = admin("GET", f"/admin/orders/{order_id}")
    return order["payment"]["reference"]


def paypal_events(event_type):
    status, body, _ = call("GET", f"{PAYPAL}/_test/events?event_type={event_type}")
    return body["events"]


def check_paypal():
    # 1. Approve: the fake sends CHECKOUT.ORDER.APPROVED, Atelier verifies it, captures, and the order exists.
    checkout, token, _ = new_checkout("paypal", "linus@example.com")
    payment = checkout["payment"]
    order_ref = payment.get("reference")
    expect(order_ref and payment.get("approvalUrl", "").endswith(order_ref), f"a PayPal order and its approval link: {payment}")
    status, _, _ = call("POST", f"{PAYPAL}/_test/orders/{order_ref}/approve", {})
    expect(status == 200, f"approve: {status}")
    paid = paid_by_webhook(checkout, token, "the PayPal capture")
    completed = wait_for(lambda: [e for e in paypal_events("PAYMENT.CAPTURE.COMPLETED")
                                  if e["event"]["resource"].get("custom_id") == checkout["id"] and e["deliveries"]
                                  and e["deliveries"][-1]["status"]], "the capture webhook")[0]
    expect(completed["deliveries"][-1]["status"] == 200, f"capture webhook answered 200: {completed['deliveries']}")
    print(f"paypal pay: approved, captured, order {paid['orderNumber']}")

    # 2. The capture webhook again (same bytes, new transmission): still one order.
    status, _, _ = call("POST", f"{PAYPAL}/_test/webhooks/resend/{completed['id']}", {})
    time.sleep(1)
    status, orders, _ = admin("GET", "/admin/orders?email=linus@example.com")
    expect(len(orders["items"]) == 1, f"one order after a resend: {orders}")
    print("paypal duplicate: resent capture event changes nothing")

    # 3. A forged delivery: real headers, altered body.
    delivery = completed["deliveries"][-1]
    forged = json.loads(json.dumps(completed["event"]))
    forged["resource"]["amount"]["value"] = "0.01"
    status, problem, _ = call("POST", BASE + "/webhooks/paypal", json.dumps(forged).encode(), {
        "Paypal-Transmission-Id": delivery["transmission_id"], "Paypal-Transmission-Time": delivery["transmission_time"],
        "Paypal-Transmission-Sig": "c2lnbmF0dXJl", "Paypal-Cert-Url": f"{PAYPAL}/_certs/fake.pem", "Paypal-Auth-Algo": "SHA256withRSA"})
    expect(status == 400 and problem["code"] == "invalid_signature", f"forged PayPal event: {status} {problem}")
    print("paypal forgery: 400")

    # 4. Declined at capture, then approved again (the approval event re-sent): paid once.
    checkout, token, _ = new_checkout("paypal", "margaret@example.com")
    order_ref = checkout["payment"]["reference"]
    call("POST", f"{PAYPAL}/_test/orders/{order_ref}/decline", {"mode": "INSTRUMENT_DECLINED"})
    call("POST", f"{PAYPAL}/_test/orders/{order_ref}/approve", {})
    approved = wait_for(lambda: [e for e in paypal_events("CHECKOUT.ORDER.APPROVED") if e["event"]["resource"]["id"] == order_ref
                                 and e["deliveries"] and e["deliveries"][-1]["status"]], "the approval webhook")[0]
    expect(approved["deliveries"][-1]["status"] == 200, f"decline answered 200: {approved['deliveries']}")
    # Read by staff: the shopper's GET /checkout would look the approved order up and capture it at once.
    expect(admin("GET", f"/admin/checkouts/{checkout['id']}")[1]["status"] == "pending", "a declined capture leaves the checkout open")
    call("POST", f"{PAYPAL}/_test/webhooks/resend/{approved['id']}", {})
    paid2 = wait_for(lambda: (v := checkout_state(checkout, token))["status"] == "paid" and v, "capture after decline")
    outcomes = sorted(e["outcome"] for e in payment_events(checkout["id"]))
    expect(outcomes == ["failure_recorded", "order_created"], f"decline then capture: {outcomes}")
    print("paypal decline: recorded, second capture paid it")

    # 5. Cancel with refund through PayPal.
    status, cancelled, _ = admin("POST", f"/admin/orders/{paid['orderId']}/transitions", {"to": "cancelled", "reason": "out of resin"})
    expect(status == 200 and cancelled["order"]["refunded"]["amount"] == paid["total"]["amount"], f"PayPal refund: {status} {cancelled}")
    refunds = wait_for(lambda: paypal_events("PAYMENT.CAPTURE.REFUNDED"), "the refund at PayPal")
    expect(any(e["event"]["resource"]["amount"]["value"] == f"{paid['total']['amount'] / 100:.2f}" for e in refunds), f"refund amount: {refunds}")
    print("paypal refund: cancelling the order refunded the capture")

    # 6. Approval after the checkout was cancelled: nothing is captured.
    checkout, token, _ = new_checkout("paypal", "late.paypal@example.com")
    order_ref = checkout["payment"]["reference"]
    call("POST", f"{BASE}/checkout/{checkout['id']}/cancel", headers={"X-Access-Token": token})
    call("POST", f"{PAYPAL}/_test/orders/{order_ref}/approve", {})
    wait_for(lambda: [e for e in paypal_events("CHECKOUT.ORDER.APPROVED") if e["event"]["resource"]["id"] == order_ref
                      and e["deliveries"] and e["deliveries"][-1]["status"] == 200], "the late approval")
    expect(not [e for e in paypal_events("PAYMENT.CAPTURE.COMPLETED") if e["event"]["resource"].get("custom_id") == checkout["id"]],
           "no capture for a cancelled checkout")
    print("paypal late approval: nothing captured for a cancelled checkout")
    return paid2


def webhooks(on):
    """Switches webhook delivery to Atelier on or off at both providers (off: localstripe posts to a closed port, the
    PayPal fake keeps its events undelivered)."""
    url = f"{BASE}/webhooks/stripe" if on else "http://127.0.0.1:9/webhooks/stripe"
    status, _, _ = call("POST", f"{STRIPE}/_config/webhooks/atelier", form={"url": url, "secret": SECRET})
    expect(status == 200, f"localstripe webhook config: {status}")
    status, _, _ = call("POST", f"{PAYPAL}/_test/webhook-url", {"url": f"{BASE}/webhooks/paypal" if on else None})
    expect(status == 200, f"PayPal fake webhook url: {status}")


def only_event(checkout, prefix):
    events = payment_events(checkout["id"])
    expect([(e["eventId"].startswith(prefix), e["outcome"]) for e in events] == [(True, "order_created")],
           f"one event, {prefix}…, made the order: {events}")
    return events[0]


def check_webhooks_off():
    """Webhooks off: payments are found by asking the provider, on GET /checkout and by the periodic job."""
    webhooks(False)
    # For the periodic job: paid and approved now, never read by the shopper.
    stripe_late, _, _ = new_checkout("stripe", "job.stripe@example.com")
    expect(stripe_pay(stripe_late["payment"]["reference"], "pm_card_visa")[0] == 200, "confirm for the job")
    paypal_late, _, _ = new_checkout("paypal", "job.paypal@example.com")
    expect(call("POST", f"{PAYPAL}/_test/orders/{paypal_late['payment']['reference']}/approve", {})[0] == 200, "approve for the job")
    started = time.time()

    # 1. Stripe: the shopper's GET /checkout finds the payment; the webhook sent late then finds it paid.
    checkout, token, _ = new_checkout("stripe", "nowebhook.stripe@example.com")
    intent = checkout["payment"]["reference"]
    expect(stripe_pay(intent, "pm_card_visa")[0] == 200, "confirm")
    paid = wait_for(lambda: (v := checkout_state(checkout, token))["status"] == "paid" and v, "GET /checkout to find the Stripe payment")
    expect(only_event(checkout, f"payment_intent:{intent}:")["outcome"] == "order_created", "Stripe lookup")
    status, pi, _ = stripe_api("GET", f"/v1/payment_intents/{intent}")
    status, late, _ = signed_post(stripe_event("payment_intent.succeeded", pi))
    expect(status == 200 and late["outcome"] == "already_paid", f"the late webhook: {status} {late}")
    status, orders, _ = admin("GET", "/admin/orders?email=nowebhook.stripe@example.com")
    expect(len(orders["items"]) == 1, f"one order: {orders}")
    print(f"webhooks off, stripe: GET /checkout found the payment (order {paid['orderNumber']}); the late webhook is already_paid")

    # 2. PayPal: the buyer comes back to the storefront's return path; GET /checkout captures the approved order.
    checkout, token, _ = new_checkout("paypal", "nowebhook.paypal@example.com")
    order_ref = checkout["payment"]["reference"]
    status, cancelled, _ = call("POST", f"{PAYPAL}/_test/orders/{order_ref}/cancel", {})
    where = urllib.parse.urlsplit(cancelled.get("redirect") or "")
    expect(where.path == f"/checkout/{checkout['id']}/cancelled" and f"token={order_ref}" in where.query, f"cancel_url: {cancelled}")
    status, _, headers = call("POST", f"{PAYPAL}/_test/orders/{order_ref}/approve", {})
    where = urllib.parse.urlsplit(headers.get("Location") or "")
    expect(status == 200 and where.path == f"/checkout/{checkout['id']}/return" and f"token={order_ref}" in where.query,
           f"return_url: {status} {headers.get('Location')}")
    paid = wait_for(lambda: (v := checkout_state(checkout, token))["status"] == "paid" and v, "GET /checkout to capture the PayPal order")
    found = only_event(checkout, "capture:")
    print(f"webhooks off, paypal: GET /checkout captured the approved order (order {paid['orderNumber']})")

    # 3. The periodic job: both checkouts paid without anyone reading them, once older than the grace period.
    for checkout, prefix in ((stripe_late, "payment_intent:"), (paypal_late, "capture:")):
        wait_for(lambda: admin("GET", f"/admin/checkouts/{checkout['id']}")[1].get("status") == "paid",
                 f"the reconciliation job to pay {checkout['payment']['provider']}", seconds=150)
        only_event(checkout, prefix)
    print(f"webhooks off, job: the Stripe and PayPal payments became orders {time.time() - started:.0f} s after payment")

    # 4. Webhooks back: PayPal's late approval and capture events change nothing.
    webhooks(True)
    for event_type in ("CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED"):
        event = [e for e in paypal_events(event_type) if e["event"]["resource"]["id"] in (order_ref, found["eventId"].split(":")[1])][0]
        call("POST", f"{PAYPAL}/_test/webhooks/resend/{event['id']}", {})
        wait_for(lambda: [e for e in paypal_events(event_type) if e["id"] == event["id"] and e["deliveries"]
                          and e["deliveries"][-1]["status"] == 200], f"the late {event_type}")
    expect(only_event({"id": found["checkoutId"]}, "capture:") == found, "the late PayPal events changed nothing")
    status, orders, _ = admin("GET", "/admin/orders?email=nowebhook.paypal@example.com")
    expect(len(orders["items"]) == 1, f"one order: {orders}")
    print("webhooks off, paypal: the late approval and capture webhooks change nothing")


def main():
    check_stripe()
    check_paypal()
    check_webhooks_off()
    print("payments: ok")


if __name__ == "__main__":
    main()
