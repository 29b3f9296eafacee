/// What an API key may do. `admin` includes everything; the others are scoped by area.
import AtelierCore
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case admin
    case designer
    case operations
    case viewer

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
