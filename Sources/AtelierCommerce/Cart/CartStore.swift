import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit
import Synchronization

/// Reads and writes carts. Writes run inside `DatabaseClient.transaction` and start by locking the
/// cart's row, so two tabs of one shopper adding at once are counted against the limits one after the
/// other.
public struct CartStore: Sendable {
    public let ttl: TimeInterval
    public let limits: CartLimits
    private let clock: WallClock

    /// A read moves the expiry only when it is this much older than a fresh one: reads stay reads.
    static let touchSlack: TimeInterval = 3600

    public init(ttl: TimeInterval, limits: CartLimits = .init(), clock: WallClock = .system) {
        self.ttl = ttl
        self.limits = limits
        self.clock = clock
    }

    struct CartRow: Codable {
        var id: String
        var keyHash: String
        /// Raised by every write, so a cached answer can tell it is out of date.
        var version: Int64
        var createdAt: Date
        var updatedAt: Date
        var expiresAt: Date
    }

    struct LineRow: Codable {
        var id: String
        var cartId: String
        var lineKey: String
        var position: Int
        var productId: String
        var templateVersion: Int?
        var state: String
        var sessionId: String?
        var previewAssetId: String?
        var quantity: Int
        var unitPrice: Int64
        var currency: String
        var createdAt: Date
        var updatedAt: Date

        func line() throws -> CartLine {
            CartLine(id: id, lineKey: lineKey, position: position, productId: productId, templateVersion: templateVersion,
                     state: try StateMemo.shared.decode(state),
                     sessionId: sessionId, previewAssetId: previewAssetId, quantity: quantity, unitPrice: unitPrice,
                     currency: currency, createdAt: createdAt, updatedAt: updatedAt)
        }
    }

    /// Decoded line snapshots by their stored text: a snapshot never changes, and carts are read far
    /// more often than they are written. Bounded by the bytes of the texts kept; cleared when full.
    final class StateMemo: Sendable {
        static let shared = StateMemo()
        static let maxBytes = 16 * 1_048_576
        private let entries = Mutex<(states: [String: CustomizationState], bytes: Int)>(([:], 0))

        func decode(_ text: String) throws -> CustomizationState {
            if let state = entries.withLock({ $0.states[text] }) { return state }
            let state = try Coding.decoder.decode(CustomizationState.self, from: Data(text.utf8))
            let size = text.utf8.count
            guard size <= Self.maxBytes / 64 else { return state }
            entries.withLock { entries in
                if entries.bytes + size > Self.maxBytes { entries = ([:], 0) }
                if entries.states.updateValue(state, forKey: text) == nil { entries.bytes += size }
            }
            return state
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    /// The live cart a key opens, or nil: no key, a malformed or unknown one, or an expired cart.
    /// The cart the key opens, with its lines; its row locked until the transaction ends when `forUpdate` (PostgreSQL).
    public func find(key: String?, on db: any SQLDatabase, forUpdate: Bool = false) async throws -> Cart? {
        guard let key, CartKey.isWellFormed(key),
            let row = try await db.raw("SELECT * FROM carts WHERE key_hash = \(bind: CartKey.hash(key))\(unsafeRaw: forUpdate ? db.rowLock() : "")")
                .first(decoding: CartRow.self, with: Self.decoder),
            row.expiresAt > clock.now
        else { return nil }
        let lines = try await db.select().column("*").from("cart_lines").where("cart_id", .equal, row.id)
            .orderBy("position").all().map { try LineRow(row: $0).line() }
        return Cart(id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt, expiresAt: row.expiresAt, lines: lines)
    }

    /// What an answer about a cart depends on besides the clock: the cart's version and the catalog
    /// revision (products, templates, stock, shipping methods and tax rates).
    public struct Stamp: Sendable, Equatable {
        public var cartId: String
        public var version: Int64
        public var catalogRevision: Int64
        public var expiresAt: Date

        /// Whether a read should extend the cart's life (see `touch`).
        public func needsTouch(ttl: TimeInterval, now: Date) -> Bool {
            now.addingTimeInterval(ttl).timeIntervalSince(expiresAt) > CartStore.touchSlack
        }
    }

    /// The stamp of the live cart a key opens, in one query; nil as for `find`.
    public func stamp(key: String?, on db: any SQLDatabase) async throws -> Stamp? {
        guard let key, CartKey.isWellFormed(key),
            let row = try await db.raw("""
                SELECT c.id, c.version, c.expires_at, s.revision FROM carts c CROSS JOIN catalog_state s
                WHERE c.key_hash = \(bind: CartKey.hash(key)) AND s.id = 1
                """).first()
        else { return nil }
        let stamp = Stamp(cartId: try row.decode(column: "id", as: String.self), version: try row.decode(column: "version", as: Int64.self),
                          catalogRevision: try row.decode(column: "revision", as: Int64.self),
                          expiresAt: try row.decode(column: "expires_at", as: Date.self))
        return stamp.expiresAt > clock.now ? stamp : nil
    }

    /// The cart the key opens, or a new empty one with a new key (returned so it can be handed out). With `forUpdate`
    /// the cart found stays locked to the end of the transaction, so its lines stay as read (`add(_:toHeld:on:)`).
    public func findOrCreate(key: String?, on db: any SQLDatabase, forUpdate: Bool = false) async throws -> (cart: Cart, newKey: String?) {
        if let cart = try await find(key: key, on: db, forUpdate: forUpdate) { return (cart, nil) }
        let now = clock.now
        let key = CartKey.make()
        let row = CartRow(id: Identifier.make(prefix: "cart", at: now), keyHash: CartKey.hash(key), version: 0, createdAt: now,
                          updatedAt: now, expiresAt: now.addingTimeInterval(ttl))
        try await db.insert(into: "carts").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        return (Cart(id: row.id, createdAt: now, updatedAt: now, expiresAt: row.expiresAt, lines: []), key)
    }

    /// A line to add, already checked and priced by `CustomizationCheck`.
    public struct NewLine: Sendable {
        public var productId: String
        public var templateVersion: Int?
        public var state: CustomizationState
        public var sessionId: String?
        public var previewAssetId: String?
        public var quantity: Int
        public var unitPrice: Int64
        public var currency: String

        public init(productId: String, templateVersion: Int?, state: CustomizationState, sessionId: String? = nil,
                    previewAssetId: String? = nil, quantity: Int, unitPrice: Int64, currency: String) {
            self.productId = productId
            self.templateVersion = templateVersion
            self.state = state
            self.sessionId = sessionId
            self.previewAssetId = previewAssetId
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.currency = currency
        }
    }

    /// Adds a line, or raises the quantity of the identical line already in the cart. Answers the line's
    /// id and whether it merged.
    public func add(_ new: NewLine, to cartId: String, on db: any SQLDatabase) async throws -> (lineId: String, merged: Bool) {
        try checkQuantity(new.quantity, at: "/quantity")
        let placed = try await place(new, in: try await lock(cartId, on: db), on: db)
        return (placed.lineId, placed.merged)
    }

    /// Adds a line to a cart this transaction already holds — found with `forUpdate` or created in it — so its lines
    /// are current without reading them again. Answers the cart as it is now, the line's id and whether it merged.
    public func add(_ new: NewLine, toHeld cart: Cart, on db: any SQLDatabase) async throws -> (cart: Cart, lineId: String, merged: Bool) {
        try checkQuantity(new.quantity, at: "/quantity")
        let now = clock.now
        try await db.raw("""
            UPDATE carts SET version = version + 1, updated_at = \(bind: now), expires_at = \(bind: now.addingTimeInterval(ttl))
            WHERE id = \(bind: cart.id)
            """).run()
        var held = cart
        held.updatedAt = now
        held.expiresAt = now.addingTimeInterval(ttl)
        return try await place(new, in: held, on: db)
    }

    /// The line written into a locked cart whose lines are current: merged into the identical line, else appended.
    private func place(_ new: NewLine, in cart: Cart, on db: any SQLDatabase) async throws -> (cart: Cart, lineId: String, merged: Bool) {
        let key = LineIdentity.key(productId: new.productId, templateVersion: new.templateVersion, state: new.state)
        try checkUnits(cart.units + new.quantity)
        let now = clock.now
        var cart = cart
        if let index = cart.lines.firstIndex(where: { $0.lineKey == key }) {
            var existing = cart.lines[index]
            try checkQuantity(existing.quantity + new.quantity, at: "/quantity", merged: true)
            existing.quantity += new.quantity
            existing.unitPrice = new.unitPrice
            existing.sessionId = new.sessionId ?? existing.sessionId
            existing.previewAssetId = new.previewAssetId ?? existing.previewAssetId
            existing.updatedAt = now
            try await db.update("cart_lines").set("quantity", to: existing.quantity)
                .set("unit_price", to: existing.unitPrice).set("session_id", to: existing.sessionId)
                .set("preview_asset_id", to: existing.previewAssetId).set("updated_at", to: now)
                .where("id", .equal, existing.id).run()
            cart.lines[index] = existing
            return (cart, existing.id, true)
        }
        guard cart.lines.count < limits.maxLines else {
            throw AtelierError(.unprocessable, code: .cartLineLimit, title: "Too many lines",
                               detail: "A cart holds at most \(limits.maxLines) different lines.")
        }
        let position = (cart.lines.map(\.position).max() ?? 0) + 1
        let row = LineRow(id: Identifier.make(prefix: "line", at: now), cartId: cart.id, lineKey: key, position: position, productId: new.productId,
                          templateVersion: new.templateVersion, state: try Coding.encode(new.state), sessionId: new.sessionId,
                          previewAssetId: new.previewAssetId, quantity: new.quantity, unitPrice: new.unitPrice,
                          currency: new.currency, createdAt: now, updatedAt: now)
        try await db.insert(into: "cart_lines").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        cart.lines.append(try row.line())
        return (cart, row.id, false)
    }

    /// Sets a line's quantity. Changing a line means the shopper has seen its current price, which
    /// becomes the line's reference price (clearing a `price_changed` flag).
    public func setQuantity(_ quantity: Int, lineId: String, currentUnitPrice: Int64?, in cartId: String,
                            on db: any SQLDatabase) async throws {
        try checkQuantity(quantity, at: "/quantity")
        let cart = try await lock(cartId, on: db)
        guard let line = cart.lines.first(where: { $0.id == lineId }) else { throw AtelierError.notFound("Cart line '\(lineId)'") }
        try checkUnits(cart.units - line.quantity + quantity)
        try await db.update("cart_lines").set("quantity", to: quantity).set("unit_price", to: currentUnitPrice ?? line.unitPrice)
            .set("updated_at", to: clock.now).where("id", .equal, lineId).run()
    }

    public func remove(lineId: String, from cartId: String, on db: any SQLDatabase) async throws {
        _ = try await lock(cartId, on: db)
        guard !lineId.containsNUL,
            !(try await db.raw("DELETE FROM cart_lines WHERE id = \(bind: lineId) AND cart_id = \(bind: cartId) RETURNING id").all()).isEmpty
        else { throw AtelierError.notFound("Cart line '\(lineId)'") }
    }

    public func clear(_ cartId: String, on db: any SQLDatabase) async throws {
        _ = try await lock(cartId, on: db)
        try await db.delete(from: "cart_lines").where("cart_id", .equal, cartId).run()
    }

    /// Extends a cart's life after use; a no-op while its expiry is recent, so reads rarely write.
    public func touch(_ cart: Cart, on db: any SQLDatabase) async throws {
        let now = clock.now
        guard Stamp(cartId: cart.id, version: 0, catalogRevision: 0, expiresAt: cart.expiresAt).needsTouch(ttl: ttl, now: now) else { return }
        try await db.update("carts").set("expires_at", to: now.addingTimeInterval(ttl)).where("id", .equal, cart.id).run()
    }

    /// Deletes carts that expired; answers how many.
    @discardableResult
    public func deleteExpired(on db: any SQLDatabase) async throws -> Int {
        let now = clock.now
        try await db.raw("DELETE FROM cart_lines WHERE cart_id IN (SELECT id FROM carts WHERE expires_at < \(bind: now))").run()
        return try await db.raw("DELETE FROM carts WHERE expires_at < \(bind: now) RETURNING id").all().count
    }

    /// Takes the cart's row lock (PostgreSQL; SQLite writers are serialized anyway), extends its life
    /// and answers its current lines.
    private func lock(_ cartId: String, on db: any SQLDatabase) async throws -> Cart {
        let now = clock.now
        guard let row = try await db.raw("""
            UPDATE carts SET version = version + 1, updated_at = \(bind: now), expires_at = \(bind: now.addingTimeInterval(ttl))
            WHERE id = \(bind: cartId) RETURNING id, key_hash, version, created_at, updated_at, expires_at
            """).first(decoding: CartRow.self, with: Self.decoder)
        else { throw AtelierError.notFound("Cart '\(cartId)'") }
        let lines = try await db.select().column("*").from("cart_lines").where("cart_id", .equal, cartId)
            .orderBy("position").all().map { try LineRow(row: $0).line() }
        return Cart(id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt, expiresAt: row.expiresAt, lines: lines)
    }

    /// 422 `quantity_limit` unless 1 ≤ quantity ≤ the per-line limit.
    public func checkQuantity(_ quantity: Int, at pointer: String = "/quantity", merged: Bool = false) throws(AtelierError) {
        guard (1...limits.maxQuantityPerLine).contains(quantity) else {
            throw AtelierError(.unprocessable, code: .quantityLimit, title: "Quantity out of range",
                               detail: merged
                                   ? "This line would reach \(quantity); a line holds at most \(limits.maxQuantityPerLine)."
                                   : "The quantity must be 1–\(limits.maxQuantityPerLine).",
                               errors: [.init(pointer: pointer, code: .quantityLimit,
                                              message: "must be 1–\(limits.maxQuantityPerLine) per line.")])
        }
    }

    private func checkUnits(_ units: Int) throws(AtelierError) {
        guard units <= limits.maxUnits else {
            throw AtelierError(.unprocessable, code: .cartSizeLimit, title: "Cart too large",
                               detail: "A cart holds at most \(limits.maxUnits) items in all; this would make \(units).")
        }
    }
}
