import HTTPTypes

/// The reports' pages under `/console`: the sales report in charts and tables, and their CSV downloads.
enum ReportsRoute: ConsoleAreaRoute {
    case reports
    /// `/console/reports/<file>.csv`, for the page's range.
    case download(Download)

    /// The page's CSV files, named by their file's base name.
    enum Download: String, Sendable, Equatable, CaseIterable {
        case sales
        case products
        case templateVersions = "template-versions"
        case options
    }

    init?(method: HTTPRequest.Method, rest: [Substring]) {
        switch (method, rest.first, rest.count) {
        case (.get, "reports", 1): self = .reports
        case (.get, "reports", 2):
            let file = rest[1]
            guard file.hasSuffix(".csv"), let download = Download(rawValue: String(file.dropLast(".csv".count))) else { return nil }
            self = .download(download)
        default: return nil
        }
    }

    var isPost: Bool { false }

    var label: String {
        switch self {
        case .reports: "/console/reports"
        case .download(let download): "/console/reports/\(download.rawValue).csv"
        }
    }
}
