import AtelierCore
import Foundation

package enum JSONPointer {}

extension JSONPointer {
    package static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
