@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Foundation
import Testing

@Suite struct PaymentGatewayTests {
    @Test func minorUnitsAndDecimalStringsRoundTripPerCurrency() {
        #expect(CurrencyUnits.decimalString(1234, currency: "USD") == "12.34")
        #expect(CurrencyUnits.decimalString(5, currency: "EUR") == "0.05")
        #expect(CurrencyUnits.decimalString(500, currency: "JPY") == "500")
        #expect(CurrencyUnits.decimalString(1005, currency: "KWD") == "1.005")
        #expect(CurrencyUnits.decimalString(-250, currency: "USD") == "-2.50")
        for amount: Int64 in [0, 1, 99, 100, 101, 123_456_789] {
            for currency in ["USD", "JPY", "KWD"] {
                #expect(CurrencyUnits.minorUnits(CurrencyUnits.decimalString(amount, currency: currency), currency: currency) == amount)
            }
        }
        #expect(CurrencyUnits.minorUnits("12.3", currency: "USD") == 1230)
        #expect(CurrencyUnits.minorUnits("12", currency: "USD") == 1200)
        for bad in ["12.345", "1.2.3", "", ".5", "12.", "-1", "1e3", " 1", "１２"] {
            #expect(CurrencyUnits.minorUnits(bad, currency: "USD") == nil, "\(bad)")
        }
        #expect(CurrencyUnits.minorUnits("12.5", currency: "JPY") == nil)
    }

    @Test func formEncodingIsWhatStripeReads() {
        #expect(FormEncoding.encode([("metadata[checkout_id]", "chk_1"), ("payment_method_types[]", "card")])
            == "metadata%5Bcheckout_id%5D=chk_1&payment_method_types%5B%5D=card")
        #expect(FormEncoding.escape("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9")
    }

    @Test func payPalEventsBecomeCapturesAndPaymentFacts() throws {
        let approved = Array(#"""
            {"id":"WH-1","event_type":"CHECKOUT.ORDER.APPROVED","resource":{"id":"5O190127TN364715T","status":"APPROVED",
             "purchase_units":[{"reference_id":"chk_a","custom_id":"chk_a","amount":{"currency_code":"USD","value":"81.39"}}]}}
            """#.utf8)
        #expect(try PayPalWebhooks.action(from: approved).action == .capture(orderId: "5O190127TN364715T", checkoutId: "chk_a"))

        let completed = Array(#"""
            {"id":"WH-2","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"3C679366HH908993F","status":"COMPLETED",
             "amount":{"currency_code":"USD","value":"81.39"},"custom_id":"chk_a",
             "supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}}}}
            """#.utf8)
        guard case .payment(let event) = try PayPalWebhooks.action(from: completed).action else {
            Issue.record("a completed capture is a payment")
            return
        }
        #expect(event.kind == .succeeded && event.amount == 8139 && event.currency == "USD" && event.checkoutId == "chk_a")
        #expect(event.providerRef == "3C679366HH908993F")
        // The capture answer and the webhook describe one capture: one event id, so the second is a duplicate.
        #expect(event.eventId == "capture:3C679366HH908993F:succeeded")

        let denied = Array(String(decoding: completed, as: UTF8.self)
            .replacingOccurrences(of: "PAYMENT.CAPTURE.COMPLETED", with: "PAYMENT.CAPTURE.DENIED")
            .replacingOccurrences(of: #""status":"COMPLETED""#, with: #""status":"DECLINED""#).utf8)
        guard case .payment(let failure) = try PayPalWebhooks.action(from: denied).action else {
            Issue.record("a denied capture is a failed payment")
            return
        }
        #expect(failure.kind == .failed)
        #expect(try PayPalWebhooks.action(from: Array(#"{"id":"WH-3","event_type":"BILLING.PLAN.CREATED","resource":{}}"#.utf8)).action == .ignore)
        #expect(throws: AtelierError.self) { try PayPalWebhooks.action(from: Array("not json".utf8)) }
    }

    @Test func realProvidersNeedTheirSettings() {
        func problems(_ env: [String: String]) -> [String] {
            do {
                _ = try AtelierConfiguration.load(environment: env)
                return []
            } catch {
                return error.problems
            }
        }
        let stripe = problems(["ATELIER_PAYMENT_PROVIDERS": "stripe"])
        #expect(stripe.contains { $0.hasPrefix("ATELIER_STRIPE_SECRET_KEY") })
        #expect(stripe.contains { $0.hasPrefix("ATELIER_STRIPE_WEBHOOK_SECRETS") })
        #expect(problems(["ATELIER_PAYMENT_PROVIDERS": "paypal"]).contains { $0.hasPrefix("ATELIER_PAYPAL_CLIENT_ID") })
        let paypal = problems(["ATELIER_PAYMENT_PROVIDERS": "paypal", "ATELIER_PAYPAL_CLIENT_ID": "id", "ATELIER_PAYPAL_API_BASE": "ftp://x"])
        #expect(paypal.contains { $0.hasPrefix("ATELIER_PAYPAL_CLIENT_SECRET") })
        #expect(paypal.contains { $0.hasPrefix("ATELIER_PAYPAL_WEBHOOK_ID") })
        #expect(paypal.contains { $0.hasPrefix("ATELIER_PAYPAL_API_BASE") })
        let configured = try? AtelierConfiguration.load(environment: [
            "ATELIER_PAYMENT_PROVIDERS": "stripe,paypal", "ATELIER_STRIPE_SECRET_KEY": "sk_test_1", "ATELIER_STRIPE_WEBHOOK_SECRETS": "whsec_abcdefgh",
            "ATELIER_PAYPAL_CLIENT_ID": "id", "ATELIER_PAYPAL_CLIENT_SECRET": "secret", "ATELIER_PAYPAL_WEBHOOK_ID": "WH1",
        ])
        #expect(configured?.commerce.stripe == StripeSettings(secretKey: "sk_test_1"))
        #expect(configured?.commerce.paypal?.apiBase == "https://api-m.paypal.com")
    }
}
