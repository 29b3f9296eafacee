import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

enum RequestIDs {
    /// Reuses the caller's id if it is short and harmless, so traces join up across services.
    static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F })
        else { return nil }
        return value
    }

    static func make() -> String { Identifier.make(prefix: "req") }
}
