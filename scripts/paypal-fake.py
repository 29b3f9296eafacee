#!/usr/bin/env python3
"""paypal-fake.py - a local, faithful fake of PayPal's REST API for tests.

Standard library + `cryptography` only (Python 3.11).  Binds 127.0.0.1 only.

    python scripts/paypal-fake.py --port PORT [--webhook-url URL]
                          [--client-id ID --client-secret SECRET]
                          [--webhook-id WH_ID]
                          [--token-ttl SECONDS] [--quiet]

Defaults: client id `test-client`, secret `test-secret`, webhook id `WH-TEST`,
token ttl 32400 s.  `--port 0` picks a free port.  On start it prints one line
to stdout:  `paypal-fake listening on http://127.0.0.1:PORT`  (flushed), so a
test harness can wait for it.  All HATEOAS links point at the fake itself.

Endpoints (PayPal-shaped; all /v1 and /v2 except the token endpoint need
`Authorization: Bearer <token issued by the fake>`):

  POST /v1/oauth2/token                         Basic auth + grant_type=client_credentials
  POST /v2/checkout/orders                      create order   (PayPal-Request-Id idempotent)
  GET  /v2/checkout/orders/{id}                 show order
  POST /v2/checkout/orders/{id}/capture         capture order  (PayPal-Request-Id idempotent)
  GET  /v2/payments/captures/{id}               show captured payment
  POST /v2/payments/captures/{id}/refund        refund capture (PayPal-Request-Id idempotent)
  GET  /v2/payments/refunds/{id}                show refund
  POST /v1/notifications/verify-webhook-signature
  GET  /v1/notifications/webhooks-events/{id}   show a sent event
  POST /v1/notifications/webhooks-events/{id}/resend   re-send an event (202)
  GET  /_certs/fake.pem                         PEM of the signing certificate (no auth)
  GET  /checkoutnow?token={id}                  stand-in for the buyer approval page (no-op)

Test-only endpoints (no auth):

  POST /_test/orders/{id}/approve     body optional {"payer": {...}} -> APPROVED,
                                      sends CHECKOUT.ORDER.APPROVED; when the order
                                      named a return_url, answers `Location:
                                      <return_url>?token=ID&PayerID=PAYER` (where
                                      PayPal sends the buyer)
  POST /_test/orders/{id}/cancel      the buyer cancels at PayPal: the order stays
                                      as it is; answers {"redirect": cancel_url
                                      with ?token=ID} (or null without one)
  POST /_test/orders/{id}/decline     body optional {"mode": "INSTRUMENT_DECLINED"
                                      (default) | "CAPTURE_DECLINED"}; arms the
                                      NEXT capture of that order to fail (one-shot)
  POST /_test/webhooks/resend/{event_id}   re-send a stored event (same body
                                      bytes, same event id, new transmission)
  GET  /_test/events[?event_type=T]   {"events": [{id, event_type, resource_id,
                                      create_time, event, deliveries: [...]}]}
  POST /_test/webhook-url             {"url": "http://..."} (or null) set target
  POST /_test/tokens/expire           expire every issued access token
  POST /_test/reset                   forget orders, captures, refunds, events,
                                      idempotency keys and access tokens (the
                                      signing key/certificate are kept)
  GET  /_test/health                  {"status": "ok", ...}

PayPal documentation followed (developer.paypal.com):
  * Authentication (/api/rest/authentication): client-credentials token,
    token reused until it expires, `expires_in` 32400.
  * API requests/responses, Idempotency (/reference/guidelines/idempotency,
    /api/rest/responses): "201 Created ... If the resource was already created
    by a previous execution of the same method ... the server returns 200 OK";
    "when you include a previously specified PayPal-Request-Id header ...
    PayPal returns the latest status of the previous request".
  * Orders v2 (create, show, capture) + its error list (INVALID_REQUEST 400 /
    UNPROCESSABLE_ENTITY 422 / RESOURCE_NOT_FOUND 404, issues such as
    ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED, INSTRUMENT_DECLINED,
    DECIMAL_PRECISION, DECIMALS_NOT_SUPPORTED, INVALID_CURRENCY_CODE,
    CANNOT_BE_ZERO_OR_NEGATIVE, AMOUNT_MISMATCH, ITEM_TOTAL_MISMATCH,
    DUPLICATE_INVOICE_ID, ACTION_DOES_NOT_MATCH_INTENT).
  * Payments v2 (captures, refund, refunds) + errors REFUND_AMOUNT_EXCEEDED,
    CAPTURE_FULLY_REFUNDED, REFUND_CAPTURE_CURRENCY_MISMATCH.
  * Currency codes reference (24 currencies; HUF, JPY, TWD take no decimals).
  * Error shape {name, message, debug_id, details[{field,value,location,issue,
    description}], links[{href, rel: "information_link", method}]}.
  * Webhooks: "Integrate webhooks" (self-verification message
    `transmissionId|timeStamp|webhookId|crc32` with crc32 of the raw body as an
    unsigned decimal, signature SHA256withRSA, base64) and Webhooks v1
    `verify-webhook-signature`; event names PAYMENT.CAPTURE.COMPLETED,
    PAYMENT.CAPTURE.DENIED, PAYMENT.CAPTURE.REFUNDED, CHECKOUT.ORDER.APPROVED.

Simplifications / deliberate differences:
  * In-memory state only; one merchant; the buyer approval UI is replaced by
    POST /_test/orders/{id}/approve.  PATCH (update), authorize, void,
    vaulting, 3DS, disputes are not implemented (PATCH on an order answers 501
    NOT_IMPLEMENTED_IN_FAKE).  Of `payment_source` only `paypal` is known (other
    sources answer 501): as documented, such an order is created
    PAYER_ACTION_REQUIRED with a `payer-action` link instead of CREATED with an
    `approve` link, and its `experience_context.return_url` / `cancel_url`
    (absolute http(s) URLs) are where the buyer is sent after approving or
    cancelling.  The deprecated `application_context.return_url` / `cancel_url`
    are read the same way (the order then stays CREATED).  intent AUTHORIZE orders can be
    created and approved; capturing them gives 422 ACTION_DOES_NOT_MATCH_INTENT.
  * Responses are always the full representation (a superset of PayPal's
    default `return=minimal`), except that create-order honours
    `Prefer: return=minimal` -> {id, status, links}.
  * Amount values are echoed normalised to the currency's decimals
    ("25" -> "25.00", JPY "25" -> "25").  Fees are a made-up 3.49% + 0.49.
  * Idempotency: only successful results are remembered (a failed request may
    be retried with the same id).  The same PayPal-Request-Id reused with a
    different body or for another resource -> 422 PAYPAL_REQUEST_ID_PREVIOUSLY_USED.
    Keys never expire (PayPal keeps them for a limited time).
  * Every 401 on /v1 and /v2 resources (missing, unknown or expired bearer)
    is AUTHENTICATION_FAILURE (real PayPal sometimes answers an expired token
    with {"error":"invalid_token",...}).  The token endpoint uses the OAuth
    error shape {error, error_description}, as PayPal does.
  * POST endpoints under /v1 and /v2 (except the token endpoint) require
    `Content-Type: application/json` (415 UNSUPPORTED_MEDIA_TYPE otherwise),
    even for an empty capture body.
  * INSTRUMENT_DECLINED leaves the order APPROVED (buyer "re-approves" by
    simply capturing again).  PayPal sends no capture event for a 422
    decline, so neither does the fake; the "CAPTURE_DECLINED" decline mode
    models the documented other outcome (201, order COMPLETED, capture status
    DECLINED) and sends PAYMENT.CAPTURE.DENIED.
  * Webhooks are delivered by one background thread, in order, once (no
    automatic retries - use the resend endpoints); each delivery's HTTP
    status (or connection error) is recorded in GET /_test/events.  The certificate is
    self-signed (not a DigiCert chain) and served over plain HTTP from the
    fake; webhook ids are not checked against PayPal's `^[a-zA-Z0-9]+$`
    pattern (so the default WH-TEST works).
"""
from __future__ import annotations

import argparse
import base64
import binascii
import copy
import datetime as _dt
import hashlib
import json
import queue
import re
import secrets
import string
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
CERT_PATH = "/_certs/fake.pem"
AUTH_ALGO = "SHA256withRSA"

SUPPORTED_CURRENCIES = {
    "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY",
    "MYR", "MXN", "TWD", "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF",
    "THB", "USD",
}
ZERO_DECIMAL_CURRENCIES = {"HUF", "JPY", "TWD"}
# Money.value pattern from the Orders v2 / Payments v2 schema (maxLength 32).
VALUE_RE = re.compile(r"^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$")
MAX_VALUE = Decimal("999999999999999.99")
ID_ALPHABET = string.ascii_uppercase + string.digits

MSG_400 = "Request is not well-formed, syntactically incorrect, or violates schema."
MSG_422 = ("The requested action could not be performed, semantically incorrect, "
           "or failed business validation.")
MSG_404 = "The specified resource does not exist."
MSG_401 = ("Authentication failed due to invalid authentication credentials or a "
           "missing Authorization header.")

ISSUE_TEXT = {
    "MALFORMED_REQUEST_JSON": "The request JSON is not well formed.",
    "MISSING_REQUIRED_PARAMETER": "A required field / parameter is missing.",
    "INVALID_PARAMETER_VALUE": "The value of a field is invalid.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "INVALID_STRING_LENGTH": "The value of a field is either too short or too long.",
    "INVALID_ARRAY_MAX_ITEMS": "The number of items in an array parameter is too large.",
    "INVALID_CURRENCY_CODE": ("Currency code is invalid or is not currently supported. Please refer "
                              "https://developer.paypal.com/api/rest/reference/currency-codes/ for "
                              "list of supported currency codes."),
    "DECIMAL_PRECISION": "If the currency supports decimals, only two decimal place precision is supported.",
    "DECIMALS_NOT_SUPPORTED": ("Currency does not support decimals. Please refer to "
                               "https://developer.paypal.com/docs/api/reference/currency-codes/ "
                               "for more information."),
    "CANNOT_BE_ZERO_OR_NEGATIVE": ("Must be greater than zero. If the currency supports decimals, "
                                   "only two decimal place precision is supported."),
    "CANNOT_BE_NEGATIVE": ("Must be greater than or equal to 0. If the currency supports decimals, "
                           "only two decimal place precision is supported."),
    "MAX_VALUE_EXCEEDED": "Should be less than or equal to 999999999999999.99.",
    "AMOUNT_MISMATCH": ("Should equal item_total + tax_total + shipping + handling + insurance - "
                        "shipping_discount - discount."),
    "ITEM_TOTAL_REQUIRED": ("If item details are specified (items.unit_amount and items.quantity) "
                            "corresponding amount.breakdown.item_total is required."),
    "ITEM_TOTAL_MISMATCH": ("Should equal sum of (unit_amount * quantity) across all items for a "
                            "given purchase_unit."),
    "TAX_TOTAL_REQUIRED": ("If item details are specified (items.tax_total and items.quantity) "
                           "corresponding amount.breakdown.tax_total is required."),
    "TAX_TOTAL_MISMATCH": "Should equal sum of (tax * quantity) across all items for a given purchase_unit.",
    "CURRENCY_MISMATCH": "Currency code should be the same for all amounts in a purchase_unit.",
    "DUPLICATE_REFERENCE_ID": "`reference_id` must be unique if multiple `purchase_unit` are provided.",
    "DUPLICATE_INVOICE_ID": ("Duplicate Invoice ID detected. To avoid a potential duplicate transaction "
                             "your account setting requires that Invoice Id be unique for each transaction."),
    "PAYPAL_REQUEST_ID_PREVIOUSLY_USED": "The PayPal-Request-Id has already been used for another request.",
    "INVALID_RESOURCE_ID": "Specified resource ID does not exist. Please check the resource ID and try again.",
    "ORDER_NOT_APPROVED": ("Payer has not yet approved the Order for payment. Please redirect the payer "
                           "to the 'rel':'approve' url returned as part of the HATEOAS links within the "
                           "Create Order call or provide a valid payment_source in the request."),
    "ORDER_ALREADY_CAPTURED": "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
    "ACTION_DOES_NOT_MATCH_INTENT": ("Order was created with an intent to 'AUTHORIZE'. Please use "
                                     "/v2/checkout/orders/order_id/authorize to complete the transaction "
                                     "or alternately Create an order with an intent of 'CAPTURE'."),
    "INSTRUMENT_DECLINED": ("The instrument presented  was either declined by the processor or bank, "
                            "or it can't be used for this payment."),
    "REFUND_AMOUNT_EXCEEDED": ("The refund amount must be less than or equal to the capture amount that "
                               "has not yet been refunded."),
    "CAPTURE_FULLY_REFUNDED": "The capture has already been fully refunded.",
    "REFUND_CAPTURE_CURRENCY_MISMATCH": "Refund must be in the same currency as the capture.",
    "REFUND_NOT_ALLOWED": "The capture is not in a state that allows a refund (it was not completed).",
}


# --------------------------------------------------------------------------- helpers

def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def pp_id(n: int = 17) -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(n))


def new_debug_id() -> str:
    return secrets.token_hex(7)[:13]


def compact_json(obj) -> bytes:
    """The serializer used for every webhook body the fake sends."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def places(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def fmt(value: Decimal, currency: str) -> str:
    q = Decimal(1) if places(currency) == 0 else Decimal("0.01")
    return str(value.quantize(q, rounding=ROUND_HALF_UP))


def money(value: Decimal, currency: str) -> dict:
    return {"currency_code": currency, "value": fmt(value, currency)}


def detail(issue, field=None, value=None, location="body", description=None):
    d = {}
    if field is not None:
        d["field"] = field
    if value is not None:
        d["value"] = value if isinstance(value, str) else json.dumps(value)
    if field is not None or location != "body":
        d["location"] = location
    d["issue"] = issue
    d["description"] = description or ISSUE_TEXT.get(issue, issue)
    return d


class ApiError(Exception):
    """An error answered in PayPal's shape (or a raw OAuth body when `raw` is given)."""

    def __init__(self, status, name, message, details=None, api="orders", links=None, raw=None,
                 information_link=None):
        super().__init__(f"{status} {name}")
        self.status, self.name, self.message = status, name, message
        self.details, self.api, self.links, self.raw = details, api, links, raw
        self.information_link = information_link

    def body(self, debug_id: str) -> dict:
        if self.raw is not None:
            return self.raw
        b = {"name": self.name, "message": self.message, "debug_id": debug_id}
        if self.information_link:
            b["information_link"] = self.information_link
        if self.details:
            b["details"] = self.details
        links = self.links
        if links is None:
            if self.details:
                links = [{"href": f"https://developer.paypal.com/docs/api/{self.api}/v2/#error-"
                                  f"{self.details[0]['issue']}",
                          "rel": "information_link", "method": "GET"}]
            else:
                links = []
        if links:
            b["links"] = links
        return b


def bad_request(details, api="orders"):
    return ApiError(400, "INVALID_REQUEST", MSG_400, details, api)


def unprocessable(details, api="orders"):
    return ApiError(422, "UNPROCESSABLE_ENTITY", MSG_422, details, api)


def not_found(field, value, api="orders"):
    return ApiError(404, "RESOURCE_NOT_FOUND", MSG_404,
                    [detail("INVALID_RESOURCE_ID", field, value, location="path")], api)


def auth_failure():
    return ApiError(401, "AUTHENTICATION_FAILURE", MSG_401, None,
                    links=[{"href": "https://developer.paypal.com/docs/api/overview/#error",
                            "rel": "information_link"}])


class Issues:
    """Collects validation issues; 400-class ones win over 422-class ones."""

    def __init__(self, api="orders"):
        self.e400, self.e422, self.api = [], [], api

    def bad(self, *a, **k):
        self.e400.append(detail(*a, **k))

    def unproc(self, *a, **k):
        self.e422.append(detail(*a, **k))

    def raise_if_any(self):
        if self.e400:
            raise bad_request(self.e400, self.api)
        if self.e422:
            raise unprocessable(self.e422, self.api)


def check_string(issues, obj, key, path, max_len, required=False):
    if key not in obj or obj[key] is None:
        if required:
            issues.bad("MISSING_REQUIRED_PARAMETER", f"{path}/{key}")
        return None
    v = obj[key]
    if not isinstance(v, str):
        issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/{key}", v)
        return None
    if not (1 <= len(v) <= max_len):
        issues.bad("INVALID_STRING_LENGTH", f"{path}/{key}", v)
        return None
    return v


def check_money(issues, m, path, *, expected_currency=None, allow_zero=False):
    """Validate a PayPal Money object -> (currency, Decimal) or None."""
    if not isinstance(m, dict):
        issues.bad("INVALID_PARAMETER_SYNTAX", path, m)
        return None
    cur, val = m.get("currency_code"), m.get("value")
    ok = True
    if cur is None:
        issues.bad("MISSING_REQUIRED_PARAMETER", f"{path}/currency_code")
        ok = False
    elif not isinstance(cur, str):
        issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/currency_code", cur)
        ok = False
    elif len(cur) != 3:
        issues.bad("INVALID_STRING_LENGTH", f"{path}/currency_code", cur)
        ok = False
    if val is None:
        issues.bad("MISSING_REQUIRED_PARAMETER", f"{path}/value")
        return None
    if not isinstance(val, str):
        # e.g. a JSON number 25.0 instead of the string "25.00"
        issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/value", val)
        return None
    if len(val) > 32:
        issues.bad("INVALID_STRING_LENGTH", f"{path}/value", val)
        return None
    if not VALUE_RE.match(val):
        issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/value", val)
        return None
    if not ok:
        return None
    if cur not in SUPPORTED_CURRENCIES:
        issues.unproc("INVALID_CURRENCY_CODE", f"{path}/currency_code", cur)
        return None
    if expected_currency is not None and cur != expected_currency:
        issues.unproc("CURRENCY_MISMATCH", f"{path}/currency_code", cur)
        return None
    try:
        d = Decimal(val)
    except InvalidOperation:
        issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/value", val)
        return None
    if cur in ZERO_DECIMAL_CURRENCIES and "." in val:
        issues.unproc("DECIMALS_NOT_SUPPORTED", f"{path}/value", val)
        return None
    if "." in val and len(val.split(".", 1)[1]) > 2:
        issues.unproc("DECIMAL_PRECISION", f"{path}/value", val)
        return None
    if d < 0 or (d == 0 and not allow_zero):
        issues.unproc("CANNOT_BE_NEGATIVE" if allow_zero else "CANNOT_BE_ZERO_OR_NEGATIVE",
                      f"{path}/value", val)
        return None
    if d > MAX_VALUE:
        issues.unproc("MAX_VALUE_EXCEEDED", f"{path}/value", val)
        return None
    return cur, d


BREAKDOWN_PLUS = ("item_total", "tax_total", "shipping", "handling", "insurance")
BREAKDOWN_MINUS = ("shipping_discount", "discount")


def validate_purchase_unit(issues, pu, path):
    """Return a normalised copy of a purchase unit (or None when invalid)."""
    if not isinstance(pu, dict):
        issues.bad("INVALID_PARAMETER_SYNTAX", path, pu)
        return None
    out = {}
    ref = check_string(issues, pu, "reference_id", path, 256)
    out["reference_id"] = ref or "default"
    for key, ml in (("description", 127), ("custom_id", 127), ("invoice_id", 127),
                    ("soft_descriptor", 22)):
        v = check_string(issues, pu, key, path, ml)
        if v is not None:
            out[key] = v
    amount = pu.get("amount")
    if amount is None:
        issues.bad("MISSING_REQUIRED_PARAMETER", f"{path}/amount")
        return None
    res = check_money(issues, amount, f"{path}/amount")
    if res is None:
        return None
    cur, total = res
    out["amount"] = money(total, cur)
    bd = amount.get("breakdown")
    bd_vals = {}
    if bd is not None:
        if not isinstance(bd, dict):
            issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/amount/breakdown", bd)
            return None
        for k in BREAKDOWN_PLUS + BREAKDOWN_MINUS:
            if k in bd:
                r = check_money(issues, bd[k], f"{path}/amount/breakdown/{k}",
                                expected_currency=cur, allow_zero=True)
                if r is None:
                    return None
                bd_vals[k] = r[1]
        out["amount"]["breakdown"] = {k: money(v, cur) for k, v in bd_vals.items()}
        expected = sum((bd_vals.get(k, Decimal(0)) for k in BREAKDOWN_PLUS), Decimal(0)) - \
            sum((bd_vals.get(k, Decimal(0)) for k in BREAKDOWN_MINUS), Decimal(0))
        if expected != total:
            issues.unproc("AMOUNT_MISMATCH", f"{path}/amount/value", amount.get("value"))
    items = pu.get("items")
    if items is not None:
        if not isinstance(items, list):
            issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/items", items)
            return None
        item_sum, tax_sum, any_tax, norm_items = Decimal(0), Decimal(0), False, []
        for i, it in enumerate(items):
            ip = f"{path}/items/{i}"
            if not isinstance(it, dict):
                issues.bad("INVALID_PARAMETER_SYNTAX", ip, it)
                continue
            name = check_string(issues, it, "name", ip, 127, required=True)
            qty = it.get("quantity")
            if qty is None:
                issues.bad("MISSING_REQUIRED_PARAMETER", f"{ip}/quantity")
                continue
            if not isinstance(qty, str) or not re.fullmatch(r"[1-9][0-9]{0,9}", qty):
                issues.bad("INVALID_PARAMETER_SYNTAX", f"{ip}/quantity", qty)
                continue
            if "unit_amount" not in it:
                issues.bad("MISSING_REQUIRED_PARAMETER", f"{ip}/unit_amount")
                continue
            r = check_money(issues, it["unit_amount"], f"{ip}/unit_amount", expected_currency=cur,
                            allow_zero=True)
            if r is None or name is None:
                continue
            ni = copy.deepcopy(it)
            ni["unit_amount"] = money(r[1], cur)
            item_sum += r[1] * int(qty)
            if "tax" in it:
                t = check_money(issues, it["tax"], f"{ip}/tax", expected_currency=cur, allow_zero=True)
                if t is None:
                    continue
                ni["tax"] = money(t[1], cur)
                tax_sum += t[1] * int(qty)
                any_tax = True
            norm_items.append(ni)
        if items and not issues.e400:
            if "item_total" not in bd_vals:
                issues.unproc("ITEM_TOTAL_REQUIRED", f"{path}/amount/breakdown/item_total")
            elif bd_vals["item_total"] != item_sum:
                issues.unproc("ITEM_TOTAL_MISMATCH", f"{path}/amount/breakdown/item_total",
                              fmt(bd_vals["item_total"], cur))
            if any_tax:
                if "tax_total" not in bd_vals:
                    issues.unproc("TAX_TOTAL_REQUIRED", f"{path}/amount/breakdown/tax_total")
                elif bd_vals["tax_total"] != tax_sum:
                    issues.unproc("TAX_TOTAL_MISMATCH", f"{path}/amount/breakdown/tax_total",
                                  fmt(bd_vals["tax_total"], cur))
        out["items"] = norm_items
    if isinstance(pu.get("shipping"), dict):
        out["shipping"] = copy.deepcopy(pu["shipping"])
    out["_currency"], out["_total"] = cur, total
    return out


# --------------------------------------------------------------------------- state

class FakePayPal:
    def __init__(self, *, client_id, client_secret, webhook_id, webhook_url, token_ttl, quiet):
        self.client_id, self.client_secret = client_id, client_secret
        self.webhook_id, self.webhook_url = webhook_id, webhook_url
        self.token_ttl, self.quiet = token_ttl, quiet
        self.base_url = ""  # set once the socket is bound
        self.lock = threading.RLock()
        self.app_id = "APP-" + pp_id(17)
        self.merchant_id = pp_id(13)
        self._make_keys()
        self._reset_state()
        self.outbox: "queue.Queue[str | None]" = queue.Queue()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.worker = threading.Thread(target=self._deliver_loop, name="webhook-sender", daemon=True)
        self.worker.start()

    # ---- keys / certificate
    def _make_keys(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PayPal Fake (tests only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.paypal-fake.local"),
        ])
        now = _dt.datetime.now(_dt.timezone.utc)
        self.cert = (x509.CertificateBuilder()
                     .subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - _dt.timedelta(days=1))
                     .not_valid_after(now + _dt.timedelta(days=365))
                     .sign(self.key, hashes.SHA256()))
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)

    def _reset_state(self):
        self.tokens: dict[str, float] = {}
        self.orders: dict[str, dict] = {}
        self.captures: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idem: dict[tuple, dict] = {}
        self.events: dict[str, dict] = {}
        self.transmissions: dict[str, dict] = {}

    @property
    def cert_url(self):
        return self.base_url + CERT_PATH

    def log(self, msg):
        if not self.quiet:
            sys.stderr.write(f"[paypal-fake] {msg}\n")

    # ---- tokens
    def issue_token(self, now: float) -> tuple[str, int]:
        with self.lock:
            for tok, exp in self.tokens.items():
                if exp - now >= 1:  # PayPal hands back the cached token while it is valid
                    return tok, int(exp - now)
            tok = "A21AA" + secrets.token_urlsafe(72).replace("-", "x").replace("_", "y")
            self.tokens[tok] = now + self.token_ttl
            return tok, self.token_ttl

    def token_valid(self, tok: str, now: float) -> bool:
        with self.lock:
            exp = self.tokens.get(tok)
            return exp is not None and exp > now

    # ---- representations
    def link(self, path, rel, method):
        return {"href": self.base_url + path, "rel": rel, "method": method}

    def capture_repr(self, c, *, standalone=False):
        r = {k: copy.deepcopy(v) for k, v in c.items() if not k.startswith("_")}
        links = [self.link(f"/v2/payments/captures/{c['id']}", "self", "GET")]
        if c["status"] in ("COMPLETED", "PARTIALLY_REFUNDED"):
            links.append(self.link(f"/v2/payments/captures/{c['id']}/refund", "refund", "POST"))
        links.append(self.link(f"/v2/checkout/orders/{c['_order_id']}", "up", "GET"))
        r["links"] = links
        if standalone:
            r["supplementary_data"] = {"related_ids": {"order_id": c["_order_id"]}}
        return r

    def refund_repr(self, rf):
        r = {k: copy.deepcopy(v) for k, v in rf.items() if not k.startswith("_")}
        r["links"] = [self.link(f"/v2/payments/refunds/{rf['id']}", "self", "GET"),
                      self.link(f"/v2/payments/captures/{rf['_capture_id']}", "up", "GET")]
        return r

    def order_repr(self, o):
        oid = o["id"]
        units = []
        for i, pu in enumerate(o["purchase_units"]):
            u = {k: copy.deepcopy(v) for k, v in pu.items() if not k.startswith("_")}
            u["payee"] = {"email_address": "sb-merchant@business.example.com",
                          "merchant_id": self.merchant_id}
            cap_ids = o["capture_ids"][i] if i < len(o["capture_ids"]) else []
            if cap_ids:
                caps = [self.captures[c] for c in cap_ids]
                u["payments"] = {"captures": [self.capture_repr(c) for c in caps]}
                rids = [r for c in caps for r in c["_refund_ids"]]
                if rids:
                    u["payments"]["refunds"] = [self.refund_repr(self.refunds[r]) for r in rids]
            units.append(u)
        r = {"id": oid, "intent": o["intent"], "status": o["status"], "purchase_units": units}
        if o.get("payment_source"):
            r["payment_source"] = copy.deepcopy(o["payment_source"])
        if o.get("payer"):
            r["payer"] = copy.deepcopy(o["payer"])
        r["create_time"] = o["create_time"]
        if o["update_time"] != o["create_time"]:
            r["update_time"] = o["update_time"]
        links = [self.link(f"/v2/checkout/orders/{oid}", "self", "GET")]
        if o["status"] == "CREATED":
            links.append(self.link(f"/checkoutnow?token={oid}", "approve", "GET"))
        if o["status"] == "PAYER_ACTION_REQUIRED":
            links.append(self.link(f"/checkoutnow?token={oid}", "payer-action", "GET"))
        if o["status"] in ("CREATED", "APPROVED"):
            links.append(self.link(f"/v2/checkout/orders/{oid}", "update", "PATCH"))
            verb = "capture" if o["intent"] == "CAPTURE" else "authorize"
            links.append(self.link(f"/v2/checkout/orders/{oid}/{verb}", verb, "POST"))
        r["links"] = links
        return r

    # ---- idempotency
    def idem_lookup(self, scope, rid, target, fp):
        """None if unseen; the stored entry on a faithful replay; raises 422 on misuse."""
        if not rid:
            return None
        entry = self.idem.get((scope, rid))
        if entry is None:
            return None
        if entry["target"] != target or entry["fp"] != fp:
            api = "payments" if scope == "refund" else "orders"
            raise unprocessable([detail("PAYPAL_REQUEST_ID_PREVIOUSLY_USED", "PayPal-Request-Id", rid,
                                        location="header")], api)
        return entry

    # ---- orders
    def create_order(self, body, rid):
        fp = fingerprint(body)
        with self.lock:
            hit = self.idem_lookup("create", rid, None, fp)
            if hit:
                return 200, self.order_repr(self.orders[hit["order_id"]])
            issues = Issues()
            intent = body.get("intent")
            if intent is None:
                issues.bad("MISSING_REQUIRED_PARAMETER", "/intent")
            elif intent not in ("CAPTURE", "AUTHORIZE"):
                issues.bad("INVALID_PARAMETER_VALUE", "/intent", intent)
            pus = body.get("purchase_units")
            units = []
            if pus is None or (isinstance(pus, list) and not pus):
                issues.bad("MISSING_REQUIRED_PARAMETER", "/purchase_units")
            elif not isinstance(pus, list):
                issues.bad("INVALID_PARAMETER_SYNTAX", "/purchase_units", pus)
            elif len(pus) > 10:
                issues.bad("INVALID_ARRAY_MAX_ITEMS", "/purchase_units")
            else:
                multi = len(pus) > 1
                for i, pu in enumerate(pus):
                    ref = pu.get("reference_id") if isinstance(pu, dict) else None
                    if multi and not ref:
                        issues.bad("MISSING_REQUIRED_PARAMETER", f"/purchase_units/{i}/reference_id")
                        continue
                    path = f"/purchase_units/@reference_id=='{ref or 'default'}'"
                    u = validate_purchase_unit(issues, pu, path)
                    if u is not None:
                        units.append(u)
                refs = [u["reference_id"] for u in units]
                if multi and len(set(refs)) != len(refs):
                    issues.unproc("DUPLICATE_REFERENCE_ID", "/purchase_units")
            experience, payer_action = self._experience(body, issues)
            issues.raise_if_any()
            for u in units:
                self._check_invoice_unused(u, issues)
            issues.raise_if_any()
            t = now_iso()
            oid = pp_id()
            o = {"id": oid, "intent": intent, "status": "PAYER_ACTION_REQUIRED" if payer_action else "CREATED",
                 "purchase_units": units, "create_time": t, "update_time": t, "payer": None,
                 "payment_source": {"paypal": {}} if payer_action else None, "experience": experience,
                 "capture_ids": [[] for _ in units], "decline_next": None}
            self.orders[oid] = o
            if rid:
                self.idem[("create", rid)] = {"target": None, "fp": fp, "order_id": oid}
            self.log(f"order {oid} created ({units[0]['amount']['value']} {units[0]['_currency']})")
            return 201, self.order_repr(o)

    def _experience(self, body, issues):
        """Where the buyer goes after approving or cancelling, and whether the order waits for the payer's action.

        `payment_source.paypal.experience_context` (current) or `application_context` (deprecated); `return_url`
        and `cancel_url` are absolute URIs.
        """
        experience, payer_action, context, path = {}, False, None, None
        source = body.get("payment_source")
        if source is not None:
            if not isinstance(source, dict) or not source:
                issues.bad("INVALID_PARAMETER_SYNTAX", "/payment_source", source)
                return experience, payer_action
            unknown = [k for k in source if k != "paypal"]
            if unknown:
                raise ApiError(501, "NOT_IMPLEMENTED_IN_FAKE",
                               f"payment_source.{unknown[0]} is not implemented by paypal-fake.py.")
            paypal = source["paypal"]
            if not isinstance(paypal, dict):
                issues.bad("INVALID_PARAMETER_SYNTAX", "/payment_source/paypal", paypal)
                return experience, payer_action
            payer_action = True
            context, path = paypal.get("experience_context"), "/payment_source/paypal/experience_context"
        elif body.get("application_context") is not None:
            context, path = body.get("application_context"), "/application_context"
        if context is None:
            return experience, payer_action
        if not isinstance(context, dict):
            issues.bad("INVALID_PARAMETER_SYNTAX", path, context)
            return experience, payer_action
        for key in ("return_url", "cancel_url"):
            url = context.get(key)
            if url is None:
                continue
            if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 4000 \
                    or any(c.isspace() for c in url):
                issues.bad("INVALID_PARAMETER_SYNTAX", f"{path}/{key}", url)
                continue
            experience[key] = url
        return experience, payer_action

    def buyer_redirect(self, o, key, **query):
        """The URL PayPal sends the buyer to (`return_url` or `cancel_url`) with its parameters, or None."""
        url = (o.get("experience") or {}).get(key)
        if not url:
            return None
        return url + ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query.items())

    def _check_invoice_unused(self, unit, issues, exclude_order=None):
        inv = unit.get("invoice_id")
        if not inv:
            return
        for c in self.captures.values():
            if c.get("invoice_id") == inv and c["status"] != "DECLINED" and c["_order_id"] != exclude_order:
                issues.unproc("DUPLICATE_INVOICE_ID",
                              f"/purchase_units/@reference_id=='{unit['reference_id']}'/invoice_id", inv)
                return

    def get_order(self, oid):
        with self.lock:
            o = self.orders.get(oid)
            if o is None:
                raise not_found("order_id", oid)
            return self.order_repr(o)

    def approve_order(self, oid, payer_in):
        with self.lock:
            o = self.orders.get(oid)
            if o is None:
                raise not_found("order_id", oid)
            if o["status"] == "COMPLETED":
                raise unprocessable([detail("ORDER_ALREADY_CAPTURED", "order_id", oid, location="path")])
            payer = {"name": {"given_name": "John", "surname": "Doe"},
                     "email_address": "sb-buyer@personal.example.com",
                     "payer_id": pp_id(13), "address": {"country_code": "US"}}
            if isinstance(payer_in, dict):
                for k, v in payer_in.items():
                    payer[k] = copy.deepcopy(v)
            o["payer"] = payer
            o["payment_source"] = {"paypal": {"email_address": payer.get("email_address"),
                                              "account_id": payer.get("payer_id"),
                                              "account_status": "VERIFIED",
                                              "name": copy.deepcopy(payer.get("name")),
                                              "address": copy.deepcopy(payer.get("address"))}}
            first = o["status"] in ("CREATED", "PAYER_ACTION_REQUIRED")
            o["status"] = "APPROVED"
            o["update_time"] = now_iso()
            rep = self.order_repr(o)
            if first:
                self.emit("CHECKOUT.ORDER.APPROVED", "checkout-order", rep,
                          "An order has been approved by buyer")
            return rep

    def arm_decline(self, oid, mode):
        with self.lock:
            o = self.orders.get(oid)
            if o is None:
                raise not_found("order_id", oid)
            if mode not in ("INSTRUMENT_DECLINED", "CAPTURE_DECLINED"):
                raise bad_request([detail("INVALID_PARAMETER_VALUE", "/mode", mode)])
            o["decline_next"] = mode
            return {"order_id": oid, "decline_next": mode}

    def capture_order(self, oid, body, rid):
        fp = fingerprint(body)
        with self.lock:
            o = self.orders.get(oid)
            if o is None:
                raise not_found("order_id", oid)
            hit = self.idem_lookup("capture", rid, oid, fp)
            if hit:
                return 200, self.order_repr(o)
            if o["intent"] != "CAPTURE":
                raise unprocessable([detail("ACTION_DOES_NOT_MATCH_INTENT", "intent", o["intent"])])
            if o["status"] == "COMPLETED":
                raise unprocessable([detail("ORDER_ALREADY_CAPTURED")])
            if o["status"] != "APPROVED":
                raise unprocessable([detail("ORDER_NOT_APPROVED")])
            issues = Issues()
            for u in o["purchase_units"]:
                self._check_invoice_unused(u, issues, exclude_order=oid)
            issues.raise_if_any()
            mode, o["decline_next"] = o["decline_next"], None
            if mode == "INSTRUMENT_DECLINED":
                err = unprocessable([detail("INSTRUMENT_DECLINED")])
                err.links = [self.link(f"/checkoutnow?token={oid}", "redirect", "GET"),
                             {"href": "https://developer.paypal.com/docs/api/orders/v2/#error-INSTRUMENT_DECLINED",
                              "rel": "information_link", "method": "GET"}]
                self.log(f"order {oid} capture declined (INSTRUMENT_DECLINED)")
                raise err
            t = now_iso()
            new_caps = []
            for i, u in enumerate(o["purchase_units"]):
                cur, total = u["_currency"], u["_total"]
                fee = (total * Decimal("0.0349") + Decimal("0.49")).quantize(
                    Decimal(1) if places(cur) == 0 else Decimal("0.01"), rounding=ROUND_HALF_UP)
                fee = min(fee, total)
                c = {"id": pp_id(),
                     "status": "DECLINED" if mode == "CAPTURE_DECLINED" else "COMPLETED",
                     "amount": money(total, cur),
                     "final_capture": True,
                     "seller_protection": {"status": "ELIGIBLE",
                                           "dispute_categories": ["ITEM_NOT_RECEIVED",
                                                                  "UNAUTHORIZED_TRANSACTION"]},
                     "seller_receivable_breakdown": {"gross_amount": money(total, cur),
                                                     "paypal_fee": money(fee, cur),
                                                     "net_amount": money(total - fee, cur)}}
                for k in ("invoice_id", "custom_id"):
                    if u.get(k):
                        c[k] = u[k]
                c.update({"create_time": t, "update_time": t, "_order_id": oid,
                          "_refunded": Decimal(0), "_refund_ids": [], "_currency": cur})
                self.captures[c["id"]] = c
                o["capture_ids"][i].append(c["id"])
                new_caps.append(c)
            o["status"] = "COMPLETED"
            o["update_time"] = t
            if rid:
                self.idem[("capture", rid)] = {"target": oid, "fp": fp}
            for c in new_caps:
                amt = c["amount"]
                if c["status"] == "COMPLETED":
                    self.emit("PAYMENT.CAPTURE.COMPLETED", "capture", self.capture_repr(c, standalone=True),
                              f"Payment completed for {amt['value']} {amt['currency_code']}")
                else:
                    self.emit("PAYMENT.CAPTURE.DENIED", "capture", self.capture_repr(c, standalone=True),
                              f"Payment denied for {amt['value']} {amt['currency_code']}")
            self.log(f"order {oid} captured -> {[c['id'] + ':' + c['status'] for c in new_caps]}")
            return 201, self.order_repr(o)

    # ---- payments
    def get_capture(self, cid):
        with self.lock:
            c = self.captures.get(cid)
            if c is None:
                raise not_found("capture_id", cid, "payments")
            return self.capture_repr(c, standalone=True)

    def get_refund(self, rfid):
        with self.lock:
            r = self.refunds.get(rfid)
            if r is None:
                raise not_found("refund_id", rfid, "payments")
            return self.refund_repr(r)

    def refund_capture(self, cid, body, rid):
        fp = fingerprint(body)
        with self.lock:
            c = self.captures.get(cid)
            if c is None:
                raise not_found("capture_id", cid, "payments")
            hit = self.idem_lookup("refund", rid, cid, fp)
            if hit:
                return 200, self.refund_repr(self.refunds[hit["refund_id"]])
            issues = Issues("payments")
            cur = c["_currency"]
            captured = Decimal(c["amount"]["value"])
            remaining = captured - c["_refunded"]
            if "amount" in body and body["amount"] is not None:
                res = check_money(issues, body["amount"], "/amount")
                if res is not None and res[0] != cur:
                    issues.unproc("REFUND_CAPTURE_CURRENCY_MISMATCH", "/amount/currency_code", res[0])
                    res = None
                amount = res[1] if res else None
            else:
                amount = remaining
            extra = {}
            for key, ml in (("invoice_id", 127), ("custom_id", 127), ("note_to_payer", 255)):
                v = check_string(issues, body, key, "", ml)
                if v is not None:
                    extra[key] = v
            issues.raise_if_any()
            if c["status"] == "DECLINED":
                raise unprocessable([detail("REFUND_NOT_ALLOWED")], "payments")
            if c["status"] == "REFUNDED" or remaining <= 0:
                raise unprocessable([detail("CAPTURE_FULLY_REFUNDED")], "payments")
            if amount > remaining:
                raise unprocessable([detail("REFUND_AMOUNT_EXCEEDED")], "payments")
            t = now_iso()
            c["_refunded"] += amount
            c["status"] = "REFUNDED" if c["_refunded"] >= captured else "PARTIALLY_REFUNDED"
            c["update_time"] = t
            rf = {"id": pp_id(), "amount": money(amount, cur)}
            rf.update(extra)
            rf.update({"seller_payable_breakdown": {"gross_amount": money(amount, cur),
                                                    "paypal_fee": money(Decimal(0), cur),
                                                    "net_amount": money(amount, cur),
                                                    "total_refunded_amount": money(c["_refunded"], cur)},
                       "status": "COMPLETED", "create_time": t, "update_time": t,
                       "_capture_id": cid})
            self.refunds[rf["id"]] = rf
            c["_refund_ids"].append(rf["id"])
            o = self.orders.get(c["_order_id"])
            if o:
                o["update_time"] = t
            if rid:
                self.idem[("refund", rid)] = {"target": cid, "fp": fp, "refund_id": rf["id"]}
            rep = self.refund_repr(rf)
            self.emit("PAYMENT.CAPTURE.REFUNDED", "refund", rep,
                      f"A {rf['amount']['value']} {cur} capture payment was refunded")
            self.log(f"capture {cid} refunded {rf['amount']['value']} {cur} -> {c['status']}")
            return 201, rep

    # ---- webhooks
    def emit(self, event_type, resource_type, resource, summary):
        """Store an event (always) and queue its delivery (when a URL is set)."""
        eid = f"WH-{pp_id()}-{pp_id()}"
        ev = {"id": eid, "event_version": "1.0", "create_time": now_iso(),
              "resource_type": resource_type, "resource_version": "2.0",
              "event_type": event_type, "summary": summary, "resource": resource,
              "links": [self.link(f"/v1/notifications/webhooks-events/{eid}", "self", "GET"),
                        self.link(f"/v1/notifications/webhooks-events/{eid}/resend", "resend", "POST")]}
        with self.lock:
            # The body bytes are frozen here: every (re)delivery sends exactly these bytes.
            self.events[eid] = {"event": ev, "raw": compact_json(ev), "deliveries": []}
            if self.webhook_url:
                self.outbox.put(eid)
        return eid

    def resend(self, eid):
        with self.lock:
            if eid not in self.events:
                raise ApiError(404, "RESOURCE_NOT_FOUND", MSG_404,
                               [detail("INVALID_RESOURCE_ID", "event_id", eid, location="path")],
                               "webhooks")
            if not self.webhook_url:
                raise unprocessable([detail("WEBHOOK_URL_NOT_CONFIGURED", description=(
                    "No webhook URL is configured (start with --webhook-url or POST /_test/webhook-url)."))],
                    "webhooks")
            self.outbox.put(eid)
            return copy.deepcopy(self.events[eid]["event"])

    def sign(self, transmission_id, transmission_time, webhook_id, raw: bytes) -> str:
        msg = f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(raw) & 0xFFFFFFFF}"
        sig = self.key.sign(msg.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(sig).decode("ascii")

    def _deliver_loop(self):
        while True:
            eid = self.outbox.get()
            if eid is None:
                return
            try:
                self._deliver(eid)
            except Exception as e:  # never let the sender thread die
                self.log(f"webhook delivery of {eid} crashed: {e!r}")

    def _deliver(self, eid):
        with self.lock:
            rec = self.events.get(eid)
            url = self.webhook_url
            if rec is None or not url:
                return
            raw = rec["raw"]
            tid = str(uuid.uuid1(node=secrets.randbits(48) | 0x010000000000))  # time-based, like PayPal's
            ttime = now_iso()
            sig = self.sign(tid, ttime, self.webhook_id, raw)
            # Recorded BEFORE sending: the receiver may call verify-webhook-signature
            # while it is still handling this very POST.
            self.transmissions[tid] = {"event_id": eid, "raw": raw}
            delivery = {"transmission_id": tid, "transmission_time": ttime, "url": url,
                        "status": None, "error": None}
            rec["deliveries"].append(delivery)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PayPal/AUHD-214.0-58155812 (paypal-fake)",
            "PAYPAL-TRANSMISSION-ID": tid,
            "PAYPAL-TRANSMISSION-TIME": ttime,
            "PAYPAL-TRANSMISSION-SIG": sig,
            "PAYPAL-CERT-URL": self.cert_url,
            "PAYPAL-AUTH-ALGO": AUTH_ALGO,
        }
        req = urllib.request.Request(url, data=raw, headers=headers, method="POST")
        status, error = None, None
        try:
            with self.opener.open(req, timeout=10) as resp:
                status = resp.status
                resp.read()
        except urllib.error.HTTPError as e:
            status = e.code
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
        with self.lock:
            delivery["status"], delivery["error"] = status, error
            delivery["delivered_at"] = now_iso()
        self.log(f"webhook {rec['event']['event_type']} {eid} -> {url}: {status or error}")

    def verify(self, body):
        """POST /v1/notifications/verify-webhook-signature.

        Real PayPal computes crc32 over the raw body bytes it sent, but this API only
        receives the *parsed* `webhook_event`, and a client's JSON re-encoding (key order,
        spacing, escaping, number format) would change the crc.  The fake therefore keeps
        the exact raw bytes of every transmission, keyed by PAYPAL-TRANSMISSION-ID, and
        uses those bytes - but only after checking that the submitted `webhook_event`
        is structurally equal (parsed-JSON equality) to what was sent; a modified event
        -> FAILURE.  For an unknown transmission id it falls back to the fake's own
        serializer (compact JSON, insertion order) over the given event, which only
        verifies if someone signed those bytes with the fake's private key.
        FAILURE also when: auth_algo != SHA256withRSA, cert_url is not this fake's
        certificate URL, webhook_id differs from --webhook-id (it is part of the signed
        message), or the RSA-SHA256 signature does not verify with the certificate.
        """
        required = ("auth_algo", "cert_url", "transmission_id", "transmission_sig",
                    "transmission_time", "webhook_id", "webhook_event")
        missing = [k for k in required if body.get(k) in (None, "")]
        wrong = [k for k in required[:-1] if k not in missing and not isinstance(body.get(k), str)]
        if "webhook_event" not in missing and not isinstance(body.get("webhook_event"), dict):
            wrong.append("webhook_event")
        if missing or wrong:
            det = [{"field": k, "location": "body", "issue": "Required field cannot be blank"} for k in missing]
            det += [{"field": k, "location": "body", "issue": "Invalid data type"} for k in wrong]
            raise ApiError(400, "VALIDATION_ERROR", "Invalid request - see details", det, "webhooks",
                           links=[], information_link="https://developer.paypal.com/docs/api/webhooks/#errors")

        def result(ok, why=""):
            if not ok:
                self.log(f"verify-webhook-signature FAILURE: {why}")
            return {"verification_status": "SUCCESS" if ok else "FAILURE"}

        if body["auth_algo"] != AUTH_ALGO:
            return result(False, "auth_algo")
        if body["cert_url"] != self.cert_url:
            return result(False, "cert_url is not the fake's")
        if body["webhook_id"] != self.webhook_id:
            return result(False, "webhook_id")
        event = body["webhook_event"]
        with self.lock:
            tx = self.transmissions.get(body["transmission_id"])
        if tx is not None:
            raw = tx["raw"]
            if json.loads(raw) != event:
                return result(False, "webhook_event differs from the event sent")
        else:
            raw = compact_json(event)
        msg = (f"{body['transmission_id']}|{body['transmission_time']}|{body['webhook_id']}|"
               f"{zlib.crc32(raw) & 0xFFFFFFFF}")
        try:
            sig = base64.b64decode(body["transmission_sig"], validate=True)
            self.cert.public_key().verify(sig, msg.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return result(False, "signature")
        return result(True)

    def events_list(self, event_type=None):
        with self.lock:
            out = []
            for eid, rec in self.events.items():
                ev = rec["event"]
                if event_type and ev["event_type"] != event_type:
                    continue
                out.append({"id": eid, "event_type": ev["event_type"],
                            "resource_id": ev["resource"].get("id"), "create_time": ev["create_time"],
                            "event": copy.deepcopy(ev), "deliveries": copy.deepcopy(rec["deliveries"])})
            return {"events": out}


# --------------------------------------------------------------------------- HTTP layer

R_ORDER = r"(?P<id>[A-Za-z0-9-]+)"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "paypal-fake/1.0"
    sys_version = ""

    # routes: (method, regex, handler name, needs bearer, json content-type required)
    ROUTES = [
        ("POST", r"/v1/oauth2/token", "h_token", False, False),
        ("POST", r"/v2/checkout/orders", "h_create_order", True, True),
        ("GET", rf"/v2/checkout/orders/{R_ORDER}", "h_get_order", True, False),
        ("PATCH", rf"/v2/checkout/orders/{R_ORDER}", "h_not_implemented", True, False),
        ("POST", rf"/v2/checkout/orders/{R_ORDER}/capture", "h_capture", True, True),
        ("POST", rf"/v2/checkout/orders/{R_ORDER}/authorize", "h_not_implemented", True, False),
        ("GET", rf"/v2/payments/captures/{R_ORDER}", "h_get_capture", True, False),
        ("POST", rf"/v2/payments/captures/{R_ORDER}/refund", "h_refund", True, True),
        ("GET", rf"/v2/payments/refunds/{R_ORDER}", "h_get_refund", True, False),
        ("POST", r"/v1/notifications/verify-webhook-signature", "h_verify", True, True),
        ("GET", rf"/v1/notifications/webhooks-events/{R_ORDER}", "h_get_event", True, False),
        ("POST", rf"/v1/notifications/webhooks-events/{R_ORDER}/resend", "h_resend_api", True, True),
        ("GET", re.escape(CERT_PATH), "h_cert", False, False),
        ("GET", r"/checkoutnow", "h_checkoutnow", False, False),
        ("POST", rf"/_test/orders/{R_ORDER}/approve", "h_test_approve", False, False),
        ("POST", rf"/_test/orders/{R_ORDER}/decline", "h_test_decline", False, False),
        ("POST", rf"/_test/orders/{R_ORDER}/cancel", "h_test_cancel", False, False),
        ("POST", rf"/_test/webhooks/resend/{R_ORDER}", "h_test_resend", False, False),
        ("GET", r"/_test/events", "h_test_events", False, False),
        ("POST", r"/_test/webhook-url", "h_test_webhook_url", False, False),
        ("POST", r"/_test/tokens/expire", "h_test_expire", False, False),
        ("POST", r"/_test/reset", "h_test_reset", False, False),
        ("GET", r"/_test/health", "h_test_health", False, False),
    ]
    COMPILED = [(m, re.compile(p + r"/?\Z"), h, a, j) for m, p, h, a, j in ROUTES]

    @property
    def fake(self) -> FakePayPal:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, fmt_, *args):
        if not self.fake.quiet:
            sys.stderr.write("[paypal-fake] %s %s\n" % (self.address_string(), fmt_ % args))

    # ---- plumbing
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, obj=None, *, raw=None, ctype="application/json", debug_id=None, headers=None):
        data = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode("utf-8"))
        self.send_response(status)
        self.send_header("Paypal-Debug-Id", debug_id or new_debug_id())
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if data or status not in (204,):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json_body(self, raw: bytes, *, api="orders"):
        if not raw.strip():
            return {}
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise bad_request([detail("MALFORMED_REQUEST_JSON")], api)
        if not isinstance(obj, dict):
            raise bad_request([detail("MALFORMED_REQUEST_JSON")], api)
        return obj

    def _dispatch(self):
        debug_id = new_debug_id()
        parts = urlsplit(self.path)
        path, self.query = parts.path, parse_qs(parts.query)
        try:
            body = self._read_body()
            matched_path = False
            for method, rx, hname, needs_auth, needs_json in self.COMPILED:
                m = rx.match(path)
                if not m:
                    continue
                matched_path = True
                if method != self.command:
                    continue
                if needs_auth:
                    authz = self.headers.get("Authorization") or ""
                    tok = authz[7:].strip() if authz[:7].lower() == "bearer " else ""
                    if not tok or not self.fake.token_valid(tok, _now()):
                        raise auth_failure()
                if needs_json:
                    ctype = (self.headers.get("Content-Type") or "").lower()
                    if "json" not in ctype:
                        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                                       "The server does not support the request payload's media type.",
                                       [detail("UNSUPPORTED_MEDIA_TYPE", "Content-Type",
                                               self.headers.get("Content-Type") or "", location="header",
                                               description="Send Content-Type: application/json.")])
                status, obj, extra = getattr(self, hname)(body, **m.groupdict())
                if extra and "raw" in extra:
                    return self._send(status, raw=extra["raw"], ctype=extra["ctype"], debug_id=debug_id)
                return self._send(status, obj, debug_id=debug_id, headers=(extra or {}).get("headers"))
            if matched_path:
                raise ApiError(405, "METHOD_NOT_SUPPORTED",
                               "The server does not implement the requested HTTP method.")
            raise ApiError(404, "RESOURCE_NOT_FOUND", MSG_404,
                           [detail("INVALID_URI", "path", path, location="path",
                                   description="The requested URI does not exist on this server.")])
        except ApiError as e:
            return self._send(e.status, e.body(debug_id), debug_id=debug_id)
        except Exception as e:  # pragma: no cover - last resort, still PayPal-shaped
            self.fake.log(f"internal error: {e!r}")
            return self._send(500, {"name": "INTERNAL_SERVER_ERROR",
                                    "message": "An internal server error occurred.",
                                    "debug_id": debug_id,
                                    "links": [{"href": "https://developer.paypal.com/api/rest/reference/orders/v2/errors/#link-internalservererror",
                                               "rel": "information_link", "method": "GET"}]},
                              debug_id=debug_id)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = lambda self: self._dispatch()

    # ---- handlers: each returns (status, obj, extra)
    def h_token(self, body):
        f = self.fake
        authz = self.headers.get("Authorization") or ""
        ok = False
        if authz[:6].lower() == "basic ":
            try:
                cid, _, sec = base64.b64decode(authz[6:].strip(), validate=True).decode("utf-8").partition(":")
                ok = (secrets.compare_digest(cid, f.client_id) and
                      secrets.compare_digest(sec, f.client_secret))
            except (binascii.Error, ValueError, UnicodeDecodeError):
                ok = False
        if not ok:
            raise ApiError(401, "", "", raw={"error": "invalid_client",
                                             "error_description": "Client Authentication failed"})
        form = parse_qs(body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [None])[0]
        if grant is None:
            raise ApiError(400, "", "", raw={"error": "unsupported_grant_type",
                                             "error_description": "Grant Type is NULL"})
        if grant != "client_credentials":
            raise ApiError(400, "", "", raw={"error": "unsupported_grant_type",
                                             "error_description": "unsupported grant_type"})
        tok, ttl = f.issue_token(_now())
        return 200, {
            "scope": ("https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/payments/refund "
                      "https://uri.paypal.com/services/applications/webhooks "
                      "https://uri.paypal.com/services/payments/payment/authcapture "
                      "https://uri.paypal.com/payments/payouts "
                      "https://uri.paypal.com/services/payments/realtimepayment openid"),
            "access_token": tok,
            "token_type": "Bearer",
            "app_id": f.app_id,
            "expires_in": ttl,
            "nonce": now_iso() + secrets.token_urlsafe(32),
        }, None

    def h_create_order(self, body):
        data = self._json_body(body)
        status, rep = self.fake.create_order(data, self.headers.get("PayPal-Request-Id"))
        prefer = (self.headers.get("Prefer") or "").replace(" ", "").lower()
        if "return=minimal" in prefer:
            rep = {"id": rep["id"], "status": rep["status"], "links": rep["links"]}
        return status, rep, None

    def h_get_order(self, body, id):
        return 200, self.fake.get_order(id), None

    def h_capture(self, body, id):
        data = self._json_body(body)
        status, rep = self.fake.capture_order(id, data, self.headers.get("PayPal-Request-Id"))
        return status, rep, None

    def h_get_capture(self, body, id):
        return 200, self.fake.get_capture(id), None

    def h_refund(self, body, id):
        data = self._json_body(body, api="payments")
        status, rep = self.fake.refund_capture(id, data, self.headers.get("PayPal-Request-Id"))
        return status, rep, None

    def h_get_refund(self, body, id):
        return 200, self.fake.get_refund(id), None

    def h_verify(self, body):
        return 200, self.fake.verify(self._json_body(body, api="webhooks")), None

    def h_get_event(self, body, id):
        with self.fake.lock:
            rec = self.fake.events.get(id)
            if rec is None:
                raise ApiError(404, "RESOURCE_NOT_FOUND", MSG_404,
                               [detail("INVALID_RESOURCE_ID", "event_id", id, location="path")], "webhooks")
            return 200, copy.deepcopy(rec["event"]), None

    def h_resend_api(self, body, id):
        return 202, self.fake.resend(id), None

    def h_not_implemented(self, body, id):
        raise ApiError(501, "NOT_IMPLEMENTED_IN_FAKE",
                       "This PayPal operation is not implemented by paypal_fake.py.")

    def h_cert(self, body):
        return 200, None, {"raw": self.fake.cert_pem, "ctype": "application/x-pem-file"}

    def h_checkoutnow(self, body):
        tok = (self.query.get("token") or [""])[0]
        text = (f"paypal-fake: buyer approval page stand-in for order {tok}.\n"
                f"Approve with: POST {self.fake.base_url}/_test/orders/{tok}/approve\n").encode()
        return 200, None, {"raw": text, "ctype": "text/plain; charset=utf-8"}

    def h_test_approve(self, body, id):
        data = self._json_body(body)
        rep = self.fake.approve_order(id, data.get("payer"))
        with self.fake.lock:
            o = self.fake.orders[id]
            redirect = self.fake.buyer_redirect(o, "return_url", token=id, PayerID=(o.get("payer") or {}).get("payer_id", ""))
        return 200, rep, ({"headers": {"Location": redirect}} if redirect else None)

    def h_test_cancel(self, body, id):
        with self.fake.lock:
            o = self.fake.orders.get(id)
            if o is None:
                raise not_found("order_id", id)
            return 200, {"order_id": id, "redirect": self.fake.buyer_redirect(o, "cancel_url", token=id)}, None

    def h_test_decline(self, body, id):
        data = self._json_body(body)
        return 200, self.fake.arm_decline(id, data.get("mode") or "INSTRUMENT_DECLINED"), None

    def h_test_resend(self, body, id):
        return 202, self.fake.resend(id), None

    def h_test_events(self, body):
        et = (self.query.get("event_type") or [None])[0]
        return 200, self.fake.events_list(et), None

    def h_test_webhook_url(self, body):
        data = self._json_body(body)
        url = data.get("url")
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise bad_request([detail("INVALID_PARAMETER_VALUE", "/url", url)])
        with self.fake.lock:
            self.fake.webhook_url = url
        return 200, {"webhook_url": url}, None

    def h_test_expire(self, body):
        with self.fake.lock:
            for t in self.fake.tokens:
                self.fake.tokens[t] = 0
        return 200, {"expired": len(self.fake.tokens)}, None

    def h_test_reset(self, body):
        with self.fake.lock:
            self.fake._reset_state()
        return 200, {"reset": True}, None

    def h_test_health(self, body):
        f = self.fake
        return 200, {"status": "ok", "base_url": f.base_url, "cert_url": f.cert_url,
                     "webhook_url": f.webhook_url, "webhook_id": f.webhook_id}, None


def _now() -> float:
    return time.time()


def main(argv=None):
    p = argparse.ArgumentParser(description="Local fake of PayPal's REST API (tests only).")
    p.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--webhook-url", default=None, help="where to POST webhook events")
    p.add_argument("--client-id", default="test-client")
    p.add_argument("--client-secret", default="test-secret")
    p.add_argument("--webhook-id", default="WH-TEST")
    p.add_argument("--token-ttl", type=int, default=32400, help="access token lifetime, seconds")
    p.add_argument("--quiet", action="store_true", help="no request/webhook logging on stderr")
    a = p.parse_args(argv)
    fake = FakePayPal(client_id=a.client_id, client_secret=a.client_secret, webhook_id=a.webhook_id,
                      webhook_url=a.webhook_url, token_ttl=a.token_ttl, quiet=a.quiet)
    httpd = ThreadingHTTPServer((HOST, a.port), Handler)
    httpd.daemon_threads = True
    httpd.fake = fake  # type: ignore[attr-defined]
    fake.base_url = f"http://{HOST}:{httpd.server_address[1]}"
    print(f"paypal-fake listening on {fake.base_url}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        fake.outbox.put(None)


if __name__ == "__main__":
    main()
