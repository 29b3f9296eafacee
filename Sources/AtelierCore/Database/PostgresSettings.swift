import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// How to reach PostgreSQL, parsed from `DATABASE_URL`.
public struct PostgresSettings: Sendable, Equatable {
    /// libpq's `sslmode`s: `require` encrypts without checking who answers (unless a root certificate is named,
    /// which makes it `verify-ca`, as in libpq); `verify-ca` checks the certificate's chain, `verify-full` the chain
    /// and that it names the host.
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    /// `sslrootcert`: a PEM file of the certificate authorities to trust instead of the system's.
    public var rootCertificateFile: String?
    public var maxConnections: Int
    /// Schema to put first on the search path; tests use one schema each.
    public var searchPath: String?

    public init(host: String, port: Int, username: String, password: String?, database: String?,
                tls: TLSMode, rootCertificateFile: String? = nil, maxConnections: Int, searchPath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificateFile = rootCertificateFile
        self.maxConnections = maxConnections
        self.searchPath = searchPath
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=verify-full&sslrootcert=/path/ca.pem`.
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
        let rootCertificate = components.queryItems?.first { $0.name == "sslrootcert" }?.value
        var tls: TLSMode
        switch mode {
        case "allow": tls = .prefer
        default:
            guard let known = TLSMode(rawValue: mode) else {
                throw SettingError("has an unknown sslmode '\(mode)' (disable, prefer, require, verify-ca or verify-full)")
            }
            tls = known
        }
        if let rootCertificate {
            guard tls != .disable, tls != .prefer else {
                throw SettingError("names an sslrootcert with sslmode=\(mode): use require, verify-ca or verify-full")
            }
            guard FileManager.default.isReadableFile(atPath: rootCertificate) else {
                throw SettingError("names an sslrootcert that cannot be read (\(rootCertificate))")
            }
            if tls == .require { tls = .verifyCA }
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: path.isEmpty ? nil : path,
            tls: tls,
            rootCertificateFile: rootCertificate,
            maxConnections: maxConnections
        )
    }
}
