#!/usr/bin/env python3
"""Helpers of bench/console.sh (standard library only).

    python3 bench/console.py paid-order BASE        # one paid order through the public API; prints its id
    python3 bench/console.py csrf < sign-in.html    # the sign-in form's anti-forgery token
    python3 bench/console.py next < orders.html     # the orders list's rel=next link (unescaped), or nothing
    python3 bench/console.py orders < orders.html   # the ids of the orders the list links to, one a line
    python3 bench/console.py product-id SLUG < list.json  # the id of the product with this slug in a page of
                                                          # GET /admin/products, or nothing

The paid order is made as scripts/check-mail.py's `paid_order` makes it: cart → checkout → the test provider's payment.
"""
import html
import json
import re
import sys
import urllib.error
import urllib.request
import uuid


def call(base, method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers


def paid_order(base):
    status, cart, headers = call(base, "POST", "/cart/items", {"product": "3d-printed-figurine",
                                                               "selection": {"size": "large", "material": "resin", "colour": "red"}})
    if status != 201:
        sys.exit(f"add to cart: {status} {cart}")
    status, started, _ = call(base, "POST", "/checkout", {
        "contact": {"email": "grace@example.com", "name": "Grace Hopper"},
        "shippingAddress": {"name": "Grace Hopper", "line1": "1 Navy Yard", "city": "Brooklyn", "region": "NY",
                            "postalCode": "11205", "country": "US"},
        "shippingMethod": "standard", "payment": {"provider": "test"}},
        {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())})
    if status != 201:
        sys.exit(f"checkout: {status} {started}")
    status, paid, _ = call(base, "POST", f"/checkout/{started['checkout']['id']}/test-payment", {},
                           {"X-Access-Token": started["accessToken"]})
    if status != 200 or not paid["checkout"].get("orderId"):
        sys.exit(f"test payment: {status} {paid}")
    print(paid["checkout"]["orderId"])


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "paid-order":
        paid_order(sys.argv[2].rstrip("/"))
        return
    page = sys.stdin.read()
    if command == "product-id" and len(sys.argv) > 2:
        found = [item["id"] for item in json.loads(page).get("items", []) if item.get("definition", {}).get("slug") == sys.argv[2]]
        print(found[0] if found else "")
    elif command == "csrf":
        found = re.search(r'<input[^>]*name="csrf"[^>]*value="([^"]*)"', page)
        print(html.unescape(found.group(1)) if found else "")
    elif command == "next":
        found = re.search(r'<a rel="next" href="([^"]*)"', page)
        print(html.unescape(found.group(1)) if found else "")
    elif command == "orders":
        for found in re.finditer(r'<tr data-order-number="[^"]*"><th scope="row"><a href="/console/orders/([^"]+)"', page):
            print(html.unescape(found.group(1)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
