import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// How to reach PostgreSQL, parsed from `DATABASE_URL`.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    public var maxConnections: Int
    /// Schema to put first on the search path; tests use one schema each.
    public var searchPath: String?

    public init(host: String, port: Int, username: String, password: String?, database: String?,
                tls: TLSMode, maxConnections: Int, searchPath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maxConnections = maxConnections
        self.searchPath = searchPath
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable`.
    public init(url: String, maxConnections: Int) throws(SettingError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw SettingError("must look like postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw SettingError("names no user (postgres://USER:PASSWORD@HOST/DATABASE)")
        }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: TLSMode
        switch mode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw SettingError("has an unknown sslmode '\(mode)' (disable, prefer or require)")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: path.isEmpty ? nil : path,
            tls: tls,
            maxConnections: maxConnections
        )
    }
}
