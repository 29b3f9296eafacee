import Atelier
import Crypto
import Foundation
import NIOCore
import Synchronization

/// Encoded answers about carts (`GET /cart`, `POST /cart/quote`), kept per node and served without the
/// handler while nothing they depend on has changed.
///
/// An answer depends on the cart (its version, raised by every write), on the catalog, stock, shipping
/// methods and tax rates (the catalog revision, bumped by every write to them), on the request body
/// (a quote's destination and method) and on the date in the shop's time zone (ship dates). The edge
/// reads the cart's stamp — version and catalog revision in one query — before making an answer and
/// keeps the answer under that stamp, so an answer is never labelled newer than the data it was made
/// from, and every node sees every change at once: the stamp comes from the database, not from memory.
final class CartAnswerCache: Sendable {
    struct Entry: Sendable {
        var version: Int64
        var catalogRevision: Int64
        var day: String
        var contentType: String
        var body: ByteBuffer
    }

    private let state = Mutex<(entries: [String: Entry], bytes: Int)>(([:], 0))
    let maxEntries: Int
    let maxBytes: Int

    init(maxEntries: Int = 50_000, maxBytes: Int = 128 * 1_048_576) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The cache key: the cart, the operation and a hash of the request body.
    static func key(cartId: String, route: String, body: ByteBuffer) -> String {
        guard body.readableBytes > 0 else { return cartId + " " + route }
        let digest = Hex.string(SHA256.hash(data: body.readableBytesView).prefix(16))
        return cartId + " " + route + " " + digest
    }

    func lookup(_ key: String, stamp: CartStore.Stamp, day: String) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.version == stamp.version,
                entry.catalogRevision == stamp.catalogRevision, entry.day == day
            else { return nil }
            return entry
        }
    }

    func store(_ key: String, stamp: CartStore.Stamp, day: String, contentType: String, body: ByteBuffer) {
        let entry = Entry(version: stamp.version, catalogRevision: stamp.catalogRevision, day: day, contentType: contentType, body: body)
        state.withLock { state in
            if state.entries.count >= maxEntries || state.bytes + body.readableBytes > maxBytes {
                // Bounded and simple: start over rather than track recency on every hit.
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let old = state.entries.updateValue(entry, forKey: key) { state.bytes -= old.body.readableBytes }
            state.bytes += body.readableBytes
        }
    }
}
