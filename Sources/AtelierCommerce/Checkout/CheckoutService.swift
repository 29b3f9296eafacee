import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Turns a cart into a checkout: re-validated, priced, stock reserved, customer data sealed — all in
/// the caller's transaction, so a failure anywhere leaves nothing behind.
public struct CheckoutService: Sendable {
    public let carts: CartStore
    /// Without a memo: a checkout reads the catalog as it is, never from memory.
    public let pricing: CartPricing
    public let cipher: PersonalDataCipher
    public let providers: Set<PaymentProviderKind>
    public let lifetime: TimeInterval
    /// A gateway that settles locally gives its payment here, written with the checkout; the others' payments are
    /// created after the checkout commits (`CheckoutPayments.ensurePayment`), never inside its transaction.
    public let gateways: PaymentGateways
    private let clock: WallClock

    public init(carts: CartStore, pricing: CartPricing, cipher: PersonalDataCipher, providers: Set<PaymentProviderKind>,
                lifetime: TimeInterval = 1800, gateways: PaymentGateways = PaymentGateways(), clock: WallClock = .system) {
        self.carts = carts
        self.pricing = pricing
        self.cipher = cipher
        self.providers = providers
        self.lifetime = lifetime
        self.gateways = gateways
        self.clock = clock
    }

    /// A new checkout and the access token that opens it and its order (shown once).
    public func start(cartKey: String?, _ request: CheckoutRequest, on db: any SQLDatabase) async throws -> (Checkout, accessToken: String) {
        var problems = request.customer.problems()
        if !providers.contains(request.provider) {
            problems.append(.init(pointer: "/payment/provider", code: .providerUnavailable,
                                  message: "choose one of: \(providers.map(\.rawValue).sorted().joined(separator: ", ")).")
            )
        }
        try AtelierError.check(problems)
        // The cart's row stays locked to the end: one open checkout per cart (below), whatever runs beside.
        guard let cart = try await carts.find(key: cartKey, on: db, forUpdate: true), !cart.lines.isEmpty else {
            throw AtelierError(.unprocessable, code: .cartEmpty, title: "The cart is empty", detail: "Add an item before checking out.")
        }
        let review = try await pricing.review(cart, on: db)
        let blocking = review.lines.enumerated().flatMap { index, line in
            line.flags.filter(\.blocking).map { AtelierError.FieldError(pointer: "/lines/\(index)", code: $0.code, message: $0.message) }
        }
        guard blocking.isEmpty else {
            throw AtelierError(.unprocessable, code: .cartNotReady, title: "The cart cannot be checked out",
                               detail: "Some lines cannot be bought as they are; GET /cart shows why.", errors: blocking)
        }
        let destination = request.customer.shippingAddress.destination
        let (quote, _) = try await pricing.quote(review, destination: destination, methodCode: request.shippingMethod, on: db)
        if let expected = request.expectedTotal, expected != quote.total {
            throw TotalChanged(expected: expected, quote: quote, review: review)
        }

        // One open checkout per cart: an earlier one (another tab, a retry with a new key) is cancelled and its
        // stock released, so one cart can never become two orders; money still sent to it is refunded.
        let open = try await db.select().column("id").from("checkouts").where("cart_id", .equal, cart.id).where("status", .equal, "pending")
            .all(decodingColumn: "id", as: String.self)
        for earlier in open {
            try await CheckoutCancellation(clock: clock).cancel(checkoutId: earlier, reason: "superseded", on: db)
        }

        let now = clock.now
        let id = Identifier.make(prefix: "chk", at: now)
        let token = "ot_" + Secret.randomToken(bytes: 32)
        var handle: PaymentHandle?
        if let gateway = gateways.gateway(for: request.provider), gateway.settlesLocally {
            handle = try await gateway.createPayment(PaymentRequest(checkoutId: id, amount: quote.total, currency: quote.currency,
                                                                    idempotencyKey: CheckoutPayments.paymentKey(id)))
        }
        let checkout = Checkout(
            id: id, cartId: cart.id, status: .pending, provider: request.provider, providerRef: handle?.reference,
            clientSecret: handle?.clientSecret, approvalURL: handle?.approvalURL, currency: quote.currency, total: quote.total,
            snapshot: CheckoutSnapshot(review: review, quote: quote, destination: destination),
            orderId: nil, expiresAt: now.addingTimeInterval(lifetime), createdAt: now)
        try await db.raw("""
            INSERT INTO checkouts (id, cart_id, status, provider, provider_ref, client_secret, approval_url, currency, total, snapshot,
                customer, email_hash, access_token_hash, access_token_sealed, expires_at, created_at, updated_at)
            VALUES (\(bind: checkout.id), \(bind: cart.id), 'pending', \(bind: checkout.provider.rawValue), \(bind: checkout.providerRef),
                \(bind: checkout.clientSecret), \(bind: checkout.approvalURL), \(bind: checkout.currency),
                \(bind: checkout.total), \(bind: try Coding.encode(checkout.snapshot)), \(bind: try cipher.seal(json: request.customer)),
                \(bind: cipher.lookupHash(email: request.customer.email)), \(bind: Secret.sha256Hex(token)),
                \(bind: try cipher.seal(token)), \(bind: checkout.expiresAt), \(bind: now), \(bind: now))
            """).run()
        // All or nothing: a line that cannot be reserved rolls the whole transaction back.
        try await StockReservations.reserve(StockReservations.demand(of: review), for: id, on: db)
        return (checkout, token)
    }
}
