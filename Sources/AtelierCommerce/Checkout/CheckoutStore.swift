import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Reads checkouts, and records the provider's payment on one.
public struct CheckoutStore: Sendable {
    public init() {}

    /// Records the payment created at the provider and answers the checkout with it. Only the first answer is kept: a
    /// concurrent retry got the same payment from the provider anyway (same idempotency key).
    @discardableResult
    public func attachPayment(checkoutId: String, providerRef: String, clientSecret: String?, approvalURL: String?, at now: Date,
                              on db: any SQLDatabase) async throws -> Checkout? {
        let attached = try await db.raw("""
            UPDATE checkouts SET provider_ref = \(bind: providerRef), client_secret = \(bind: clientSecret),
                approval_url = \(bind: approvalURL), updated_at = \(bind: now)
            WHERE id = \(bind: checkoutId) AND provider_ref IS NULL RETURNING *
            """).first().map(Self.checkout)
        if let attached { return attached }
        return try await find(id: checkoutId, on: db)
    }

    public func find(id: String, on db: any SQLDatabase, forUpdate: Bool = false) async throws -> Checkout? {
        guard Identifier.isWellFormed(id, prefix: "chk") else { return nil }
        let lock = forUpdate ? db.rowLock() : ""
        return try await db.raw("SELECT * FROM checkouts WHERE id = \(bind: id)\(unsafeRaw: lock)").first().map(Self.checkout)
    }

    public func find(provider: PaymentProviderKind, ref: String, on db: any SQLDatabase, forUpdate: Bool = false) async throws -> Checkout? {
        guard !ref.containsNUL else { return nil }
        let lock = forUpdate ? db.rowLock() : ""
        return try await db.raw("""
            SELECT * FROM checkouts WHERE provider = \(bind: provider.rawValue) AND provider_ref = \(bind: ref)\(unsafeRaw: lock)
            """).first().map(Self.checkout)
    }

    /// The checkout if the token opens it; nil otherwise, whether or not it exists.
    public func find(id: String, accessToken: String?, on db: any SQLDatabase) async throws -> Checkout? {
        guard let accessToken, Identifier.isWellFormed(id, prefix: "chk"),
            let row = try await db.select().column("*").from("checkouts").where("id", .equal, id).first(),
            Secret.constantTimeEquals(try row.decode(column: "access_token_hash", as: String.self), Secret.sha256Hex(accessToken))
        else { return nil }
        return try Self.checkout(row)
    }

    /// A checkout read to be paid: its row locked until the transaction ends (PostgreSQL), with what its order
    /// inherits — the sealed customer data, the email's lookup hash and the access token's hash.
    public struct Payable: Sendable {
        public var checkout: Checkout
        var sealedCustomer: String
        var emailHash: String
        var accessTokenHash: String
    }

    /// The checkout to be paid, locked, found by id.
    func payable(id: String, on db: any SQLDatabase) async throws -> Payable? {
        guard Identifier.isWellFormed(id, prefix: "chk") else { return nil }
        return try await db.raw("SELECT * FROM checkouts WHERE id = \(bind: id)\(unsafeRaw: db.rowLock())").first().map(Self.payable)
    }

    /// The checkout to be paid, locked, found by its payment's reference at the provider.
    func payable(provider: PaymentProviderKind, ref: String, on db: any SQLDatabase) async throws -> Payable? {
        guard !ref.containsNUL else { return nil }
        return try await db.raw("""
            SELECT * FROM checkouts WHERE provider = \(bind: provider.rawValue) AND provider_ref = \(bind: ref)\(unsafeRaw: db.rowLock())
            """).first().map(Self.payable)
    }

    /// The checkout to be paid, locked, if the token opens it; nil otherwise, whether or not it exists.
    public func payable(id: String, accessToken: String?, on db: any SQLDatabase) async throws -> Payable? {
        guard let accessToken, let payable = try await payable(id: id, on: db),
              Secret.constantTimeEquals(payable.accessTokenHash, Secret.sha256Hex(accessToken))
        else { return nil }
        return payable
    }

    static func payable(_ row: any SQLRow) throws -> Payable {
        Payable(checkout: try checkout(row), sealedCustomer: try row.decode(column: "customer", as: String.self),
                emailHash: try row.decode(column: "email_hash", as: String.self),
                accessTokenHash: try row.decode(column: "access_token_hash", as: String.self))
    }

    static func checkout(_ row: any SQLRow) throws -> Checkout {
        Checkout(
            id: try row.decode(column: "id", as: String.self), cartId: try row.decode(column: "cart_id", as: String.self),
            status: CheckoutStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            provider: PaymentProviderKind(rawValue: try row.decode(column: "provider", as: String.self)) ?? .test,
            providerRef: try row.decode(column: "provider_ref", as: String?.self),
            clientSecret: try row.decode(column: "client_secret", as: String?.self),
            approvalURL: try row.decode(column: "approval_url", as: String?.self),
            currency: try row.decode(column: "currency", as: String.self), total: try row.decode(column: "total", as: Int64.self),
            snapshot: try Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8)),
            orderId: try row.decode(column: "order_id", as: String?.self), expiresAt: try row.decode(column: "expires_at", as: Date.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    public struct ListFilter: Sendable {
        public var status: CheckoutStatus?
        public var provider: PaymentProviderKind?
        /// Created at or after.
        public var from: Date?
        /// Created before.
        public var to: Date?
        public var emailHash: String?

        public init(status: CheckoutStatus? = nil, provider: PaymentProviderKind? = nil, from: Date? = nil, to: Date? = nil,
                    emailHash: String? = nil) {
            self.status = status
            self.provider = provider
            self.from = from
            self.to = to
            self.emailHash = emailHash
        }
    }

    /// A checkout as staff see it: with its sealed contact details, which only the cipher opens.
    public struct Listed: Sendable {
        public var checkout: Checkout
        public var sealedCustomer: String
    }

    public func listed(id: String, on db: any SQLDatabase) async throws -> Listed? {
        guard Identifier.isWellFormed(id, prefix: "chk"), let row = try await db.select().column("*").from("checkouts").where("id", .equal, id).first()
        else { return nil }
        return Listed(checkout: try Self.checkout(row), sealedCustomer: try row.decode(column: "customer", as: String.self))
    }

    /// Checkouts for staff, newest first, by keyset on (created_at, id).
    public func list(_ filter: ListFilter, page: PageRequest, on db: any SQLDatabase) async throws -> Page<Listed> {
        var query = db.select().column("*").from("checkouts")
        if let status = filter.status { query = query.where("status", .equal, status.rawValue) }
        if let provider = filter.provider { query = query.where("provider", .equal, provider.rawValue) }
        if let from = filter.from { query = query.where("created_at", .greaterThanOrEqual, from) }
        if let to = filter.to { query = query.where("created_at", .lessThan, to) }
        if let hash = filter.emailHash { query = query.where("email_hash", .equal, hash) }
        if let after = page.after {
            // The cursor names the last checkout seen; continue strictly before it. Compared in SQL as a row value,
            // so the stored time is never rounded through a Date on the way.
            guard Identifier.isWellFormed(after, prefix: "chk") else { return Page(items: [], nextCursor: nil) }
            query = query.where(SQLQueryString("(created_at, id) < (SELECT c.created_at, c.id FROM checkouts c WHERE c.id = \(bind: after))"))
        }
        let rows = try await query.orderBy("created_at", .descending).orderBy("id", .descending).limit(page.limit + 1).all()
        let items = try rows.prefix(page.limit).map { row in
            Listed(checkout: try Self.checkout(row), sealedCustomer: try row.decode(column: "customer", as: String.self))
        }
        return Page(items: items, nextCursor: rows.count > page.limit ? items.last.map { PageRequest.cursor(for: $0.checkout.id) } : nil)
    }
}
