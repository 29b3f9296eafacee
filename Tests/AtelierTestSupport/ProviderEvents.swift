import Foundation

/// Provider events as Stripe and PayPal send them, with the payer's details they can carry, for tests that
/// check those details are never stored.
public enum ProviderEvents {
    /// Who paid, as the providers report them: none of it may reach the database.
    public static let payerDetails = [
        "Charles Babbage", "Babbage", "charles.babbage@example.org", "1 Dorset Street", "+44 20 7123 4567",
        "Mary Somerville", "Somerville", "mary.somerville@example.net", "7 Hanover Square", "QYR5Z8XDVJNXQ",
        "sb-merchant@business.example.com",
    ]

    /// `payment_intent.succeeded` as Stripe sends it (an API version that still lists the charges), with the billing
    /// details, receipt email and shipping address a storefront may collect through Stripe.
    public static func stripeSucceeded(checkoutId: String, amount: Int64) -> String {
        """
        {
          "id": "evt_3Q8xWbLkdIwHu7ix1S7nA2bc",
          "object": "event",
          "api_version": "2022-08-01",
          "created": 1800000000,
          "livemode": false,
          "pending_webhooks": 1,
          "request": {"id": "req_Vd8nFq2Lk1aB", "idempotency_key": "atelier-\(checkoutId)"},
          "type": "payment_intent.succeeded",
          "data": {
            "object": {
              "id": "pi_3Q8xWbLkdIwHu7ix1qZ9dE4f",
              "object": "payment_intent",
              "amount": \(amount),
              "amount_capturable": 0,
              "amount_received": \(amount),
              "capture_method": "automatic",
              "client_secret": "pi_3Q8xWbLkdIwHu7ix1qZ9dE4f_secret_aBcDeFgHiJ",
              "created": 1799999940,
              "currency": "usd",
              "customer": "cus_QwErTy123",
              "description": "Mug for Charles Babbage",
              "last_payment_error": null,
              "latest_charge": "ch_3Q8xWbLkdIwHu7ix1Mn0pQr",
              "livemode": false,
              "metadata": {"checkout_id": "\(checkoutId)", "note": "gift from Charles Babbage"},
              "payment_method": "pm_1Q8xWaLkdIwHu7ixKl2mN3oP",
              "receipt_email": "charles.babbage@example.org",
              "shipping": {
                "address": {"city": "London", "country": "GB", "line1": "1 Dorset Street", "line2": null, "postal_code": "W1U 4EG", "state": null},
                "carrier": null, "name": "Charles Babbage", "phone": "+44 20 7123 4567", "tracking_number": null
              },
              "charges": {
                "object": "list",
                "data": [{
                  "id": "ch_3Q8xWbLkdIwHu7ix1Mn0pQr",
                  "object": "charge",
                  "amount": \(amount),
                  "billing_details": {
                    "address": {"city": "London", "country": "GB", "line1": "1 Dorset Street", "postal_code": "W1U 4EG"},
                    "email": "charles.babbage@example.org", "name": "Charles Babbage", "phone": "+44 20 7123 4567"
                  },
                  "payment_method_details": {"card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}},
                  "receipt_email": "charles.babbage@example.org"
                }]
              },
              "status": "succeeded"
            }
          }
        }
        """
    }

    /// `CHECKOUT.ORDER.APPROVED` as PayPal sends it: the order names the payer and where to ship.
    public static func paypalApproved(checkoutId: String, value: String) -> String {
        """
        {
          "id": "WH-2WR32451HC0233532-67976317FL4543714",
          "event_version": "1.0",
          "create_time": "2026-11-18T11:06:40.000Z",
          "resource_type": "checkout-order",
          "resource_version": "2.0",
          "event_type": "CHECKOUT.ORDER.APPROVED",
          "summary": "An order has been approved by buyer Mary Somerville",
          "resource": {
            "id": "5O190127TN364715T",
            "intent": "CAPTURE",
            "status": "APPROVED",
            "create_time": "2026-11-18T11:05:12Z",
            "update_time": "2026-11-18T11:06:39Z",
            "purchase_units": [{
              "reference_id": "\(checkoutId)",
              "custom_id": "\(checkoutId)",
              "amount": {"currency_code": "USD", "value": "\(value)"},
              "payee": {"email_address": "sb-merchant@business.example.com", "merchant_id": "7KNGBPH2U58GQ"},
              "shipping": {
                "name": {"full_name": "Mary Somerville"},
                "address": {"address_line_1": "7 Hanover Square", "admin_area_2": "London", "postal_code": "W1S 1HQ", "country_code": "GB"}
              }
            }],
            "payer": {
              "name": {"given_name": "Mary", "surname": "Somerville"},
              "email_address": "mary.somerville@example.net",
              "payer_id": "QYR5Z8XDVJNXQ",
              "address": {"address_line_1": "7 Hanover Square", "country_code": "GB"}
            },
            "links": [{"href": "https://api.paypal.com/v2/checkout/orders/5O190127TN364715T", "rel": "self", "method": "GET"}]
          },
          "links": [{"href": "https://api.paypal.com/v1/notifications/webhooks-events/WH-2WR32451HC0233532-67976317FL4543714", "rel": "self", "method": "GET"}]
        }
        """
    }

    /// `PAYMENT.CAPTURE.COMPLETED` as PayPal sends it (the payee is the shop's PayPal account), plus a `payer` block:
    /// whatever details about people a capture carries are left out too.
    public static func paypalCaptured(checkoutId: String, value: String) -> String {
        """
        {
          "id": "WH-58D329510W468432D-8HN650336L201105X",
          "event_version": "1.0",
          "create_time": "2026-11-18T11:07:02.000Z",
          "resource_type": "capture",
          "resource_version": "2.0",
          "event_type": "PAYMENT.CAPTURE.COMPLETED",
          "summary": "Payment completed for $ \(value) USD",
          "resource": {
            "id": "7TK53561YB803214S",
            "status": "COMPLETED",
            "amount": {"currency_code": "USD", "value": "\(value)"},
            "final_capture": true,
            "custom_id": "\(checkoutId)",
            "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"]},
            "seller_receivable_breakdown": {
              "gross_amount": {"currency_code": "USD", "value": "\(value)"},
              "paypal_fee": {"currency_code": "USD", "value": "1.18"},
              "net_amount": {"currency_code": "USD", "value": "22.82"}
            },
            "payee": {"email_address": "sb-merchant@business.example.com", "merchant_id": "7KNGBPH2U58GQ"},
            "payer": {
              "name": {"given_name": "Mary", "surname": "Somerville"},
              "email_address": "mary.somerville@example.net",
              "payer_id": "QYR5Z8XDVJNXQ"
            },
            "supplementary_data": {"related_ids": {"order_id": "8MC585209K746392H"}},
            "create_time": "2026-11-18T11:07:01Z",
            "update_time": "2026-11-18T11:07:01Z",
            "links": [{"href": "https://api.paypal.com/v2/payments/captures/7TK53561YB803214S", "rel": "self", "method": "GET"}]
          }
        }
        """
    }
}
