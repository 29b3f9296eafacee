import HTTPTypes

/// The reports' pages under `/console`: the sales report in charts and tables, and their CSV downloads.
enum ReportsRoute: ConsoleAreaRoute {
    case reports

    init?(method: HTTPRequest.Method, rest: [Substring]) {
        switch (method, rest.first, rest.count) {
        case (.get, "reports", 1): self = .reports
        default: return nil
        }
    }

    var isPost: Bool { false }

    var label: String {
        switch self {
        case .reports: "/console/reports"
        }
    }
}
