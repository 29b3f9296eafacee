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

@Suite struct PaymentLookupTests {
    @Test func aCheckoutIsLookedUpOnceAtATimeAndNotAgainTooSoon() async throws {
        let throttle = PaymentLookupThrottle(interval: .milliseconds(200), capacity: 2)
        #expect(throttle.begin("chk_a"))
        #expect(!throttle.begin("chk_a"), "a lookup is running")
        throttle.finish("chk_a")
        #expect(!throttle.begin("chk_a"), "asked a moment ago")
        #expect(throttle.begin("chk_b"))
        // Full of lookups running or just made: no room for another checkout.
        #expect(!throttle.begin("chk_c"))
        try await Task.sleep(for: .milliseconds(250))
        #expect(throttle.begin("chk_a"))
        throttle.finish("chk_b")
        try await Task.sleep(for: .milliseconds(250))
        // chk_b's lookup is old enough to be forgotten, which makes room.
        #expect(throttle.begin("chk_c"))
    }

    static let paypal = [
        "ATELIER_PAYMENT_PROVIDERS": "paypal", "ATELIER_PAYPAL_CLIENT_ID": "id", "ATELIER_PAYPAL_CLIENT_SECRET": "secret",
        "ATELIER_PAYPAL_WEBHOOK_ID": "WH-1", "ATELIER_STOREFRONT_URL": "https://shop.example/",
    ]

    @Test func payPalSendsTheBuyerBackToTheStorefront() throws {
        let defaults = try AtelierConfiguration.load(environment: Self.paypal)
        #expect(defaults.commerce.paypal?.returnURL == "https://shop.example/checkout/{checkoutId}/return")
        #expect(defaults.commerce.paypal?.cancelURL == "https://shop.example/checkout/{checkoutId}/cancelled")
        #expect(defaults.commerce.reconcileInterval == 60)

        let chosen = try AtelierConfiguration.load(environment: Self.paypal.merging([
            "ATELIER_PAYPAL_RETURN_PATH": "/pay/{checkoutId}?via=paypal", "ATELIER_RECONCILE_INTERVAL_SECONDS": "5",
        ]) { $1 })
        #expect(chosen.commerce.paypal?.returnURL == "https://shop.example/pay/{checkoutId}?via=paypal")
        #expect(chosen.commerce.reconcileInterval == 5)

        do {
            _ = try AtelierConfiguration.load(environment: Self.paypal.merging([
                "ATELIER_PAYPAL_CANCEL_PATH": "https://elsewhere.example/x", "ATELIER_RECONCILE_INTERVAL_SECONDS": "1",
            ]) { $1 })
            Issue.record("a cancel path that is a whole URL, and a period of 1 s, were accepted")
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("ATELIER_PAYPAL_CANCEL_PATH=") }, "\(error)")
            #expect(error.problems.contains { $0.hasPrefix("ATELIER_RECONCILE_INTERVAL_SECONDS=") }, "\(error)")
        }
    }
}
