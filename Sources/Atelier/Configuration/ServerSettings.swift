import AtelierCore
import Foundation
import Logging

/// The settings of the process itself: the HTTP server (address, limits, timeouts, CORS, rate limits,
/// `/metrics`), logging, the data folder, the in-process job workers, and what the first start does.
///
/// It lives in `Atelier`, not in `AtelierServer`, because `AtelierConfiguration` composes it and the command
/// line uses it too.
public struct ServerSettings: Sendable {
    public enum LogFormat: String, Sendable { case json, text }

    public var hostname = "127.0.0.1"
    public var port = 8080
    /// The API's public address, for the links sent to the fulfillment service (and the storefront's default);
    /// nil: `http://HOSTNAME:PORT` (see `resolvedPublicURL`).
    public var publicURL: String?
    public var dataDirectory = "./data"
    public var maxBodyBytes = 1_048_576
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    /// Whether `serve` mints and prints an admin key when the database has none.
    public var bootstrapAdminKey = true
    /// Whether the first start of a database loads the demo catalog. Off in configurations built in code (tests);
    /// `read` turns it on unless `ATELIER_SEED_DEMO` says otherwise.
    public var seedDemoCatalog = false
    /// How often each node checks whether another node changed the catalog (cached answers).
    public var catalogPollInterval: Duration = .seconds(1)
    /// Job workers `serve` runs in its own process (0: leave the jobs to `atelier worker`).
    public var workers = 1
    /// The bearer token `/metrics` asks for; nil serves it to loopback clients only.
    public var metricsToken: String?
    /// How long a connection may stay open without a request, and how long a request's head may take.
    public var httpIdleTimeout: Duration = .seconds(60)
    /// How long SIGTERM waits for requests and jobs in flight to finish before cancelling them.
    public var shutdownTimeout: Duration = .seconds(20)
    /// After SIGTERM, how long the node keeps serving (and answering 503 on `/health/ready`) before it stops
    /// accepting connections, so that balancers take it out of rotation first.
    public var drainPeriod: Duration = .seconds(5)
    /// PEM files of the certificate chain and its private key: set both to serve HTTPS (HTTP/1.1 and HTTP/2).
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// How often the certificate files are checked for changes (SIGHUP re-reads them at once).
    public var tlsReloadInterval: Duration = .seconds(60)
    /// `Strict-Transport-Security: max-age` sent when TLS is on; 0 sends none.
    public var hstsMaxAge = 31_536_000
    /// Browser origins (the storefronts) allowed to call the API cross-origin, compared exactly.
    public var corsOrigins: Set<String> = []
    /// Rate limits of the public API: off in configurations built in code (tests); `read` starts from
    /// `RateLimitSettings.production`, unless `ATELIER_RATE_LIMITING=false`.
    public var rateLimits = RateLimitSettings.off

    public init() {}

    /// Whether the server itself speaks TLS.
    public var servesTLS: Bool { tlsCertificateFile != nil && tlsKeyFile != nil }

    /// `publicURL`, or the address the server binds to.
    public var resolvedPublicURL: String {
        if let publicURL { return publicURL }
        let host = hostname.contains(":") ? "[\(hostname)]" : hostname  // IPv6 in brackets
        return "\(servesTLS ? "https" : "http")://\(host):\(port)"
    }

    /// Where uploads are written while they arrive, before they are checked and stored.
    public var uploadStagingDirectory: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("uploads").path
    }

    /// Where local assets are kept.
    public var assetDirectory: URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("assets")
    }

    /// 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> ServerSettings {
        var settings = ServerSettings()
        settings.port = reader.integer("PORT", default: settings.port, in: 1...65535)
        settings.hostname = reader.value("ATELIER_HOSTNAME") ?? settings.hostname
        settings.dataDirectory = reader.value("ATELIER_DATA_DIR") ?? settings.dataDirectory
        settings.maxBodyBytes = reader.integer("ATELIER_MAX_BODY_BYTES", default: settings.maxBodyBytes, in: 1024...1_073_741_824)
        settings.bootstrapAdminKey = reader.boolean("ATELIER_BOOTSTRAP_ADMIN_KEY", default: settings.bootstrapAdminKey)
        settings.seedDemoCatalog = reader.boolean("ATELIER_SEED_DEMO", default: true)
        settings.catalogPollInterval = reader.duration("ATELIER_CATALOG_POLL_MS", default: settings.catalogPollInterval, unit: .milliseconds(1),
                                                       in: 50...600_000)
        settings.httpIdleTimeout = reader.duration("ATELIER_HTTP_IDLE_TIMEOUT_SECONDS", default: settings.httpIdleTimeout, unit: .seconds(1),
                                                   in: 1...3600)
        settings.shutdownTimeout = reader.duration("ATELIER_SHUTDOWN_TIMEOUT_SECONDS", default: settings.shutdownTimeout, unit: .seconds(1),
                                                   in: 1...3600)
        settings.drainPeriod = reader.duration("ATELIER_DRAIN_SECONDS", default: settings.drainPeriod, unit: .seconds(1), in: 0...600)
        readTLS(&reader, into: &settings)
        if let token = reader.value("ATELIER_METRICS_TOKEN") {
            if token.utf8.count < 16 || token.contains(where: { $0.isWhitespace }) {
                reader.problems.append("ATELIER_METRICS_TOKEN: must be at least 16 characters without spaces (value not shown)")
            } else {
                settings.metricsToken = token
            }
        }
        settings.workers = reader.integer("ATELIER_WORKERS", default: settings.workers, in: 0...64)
        settings.publicURL = reader.value("ATELIER_PUBLIC_URL")
        let publicURL = settings.resolvedPublicURL
        if !EnvironmentReader.isHTTPURL(publicURL) { reader.problems.append("ATELIER_PUBLIC_URL=\(publicURL): must be an http(s) URL") }
        if let raw = reader.value("ATELIER_CORS_ORIGINS") {
            for origin in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !origin.isEmpty {
                // An origin is scheme://host[:port], nothing after it.
                if let url = URLComponents(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                   url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil {
                    settings.corsOrigins.insert(origin)
                } else {
                    reader.problems.append("ATELIER_CORS_ORIGINS: \(origin) is not an origin like https://shop.example")
                }
            }
        }
        settings.rateLimits = readRateLimits(&reader)
        if let raw = reader.value("ATELIER_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: raw.lowercased()) {
                settings.logLevel = level
            } else {
                reader.problems.append("ATELIER_LOG_LEVEL=\(raw): must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let raw = reader.value("ATELIER_LOG_FORMAT") {
            if let format = LogFormat(rawValue: raw.lowercased()) {
                settings.logFormat = format
            } else {
                reader.problems.append("ATELIER_LOG_FORMAT=\(raw): must be json or text")
            }
        }
        return settings
    }

    /// The certificate and key (both or neither, each a readable file), the reload interval and HSTS.
    private static func readTLS(_ reader: inout EnvironmentReader, into settings: inout ServerSettings) {
        let certificate = reader.value("ATELIER_TLS_CERT_FILE"), key = reader.value("ATELIER_TLS_KEY_FILE")
        switch (certificate, key) {
        case (nil, nil): break
        case (let certificate?, let key?):
            var readable = true
            for (name, path) in [("ATELIER_TLS_CERT_FILE", certificate), ("ATELIER_TLS_KEY_FILE", key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                reader.problems.append("\(name)=\(path): cannot be read")
                readable = false
            }
            if readable {
                settings.tlsCertificateFile = certificate
                settings.tlsKeyFile = key
            }
        default:
            reader.problems.append("ATELIER_TLS_CERT_FILE and ATELIER_TLS_KEY_FILE: set both to serve HTTPS, or neither")
        }
        settings.tlsReloadInterval = reader.duration("ATELIER_TLS_RELOAD_SECONDS", default: settings.tlsReloadInterval, unit: .seconds(1),
                                                     in: 1...86_400)
        settings.hstsMaxAge = reader.integer("ATELIER_HSTS_MAX_AGE_SECONDS", default: settings.hstsMaxAge, in: 0...63_072_000)
    }

    /// The production limits unless `ATELIER_RATE_LIMITING=false`, each class changed by its own variable.
    private static func readRateLimits(_ reader: inout EnvironmentReader) -> RateLimitSettings {
        var limits = RateLimitSettings.off
        if reader.boolean("ATELIER_RATE_LIMITING", default: true) {
            limits = RateLimitSettings.production
            let classes: [(String, WritableKeyPath<RateLimitSettings, RateLimit?>)] = [
                ("ATELIER_RATE_LIMIT_GENERAL", \.general), ("ATELIER_RATE_LIMIT_CHECKOUT", \.checkout), ("ATELIER_RATE_LIMIT_UPLOAD", \.upload),
                ("ATELIER_RATE_LIMIT_WEBHOOK", \.webhook),
            ]
            for (name, path) in classes {
                guard let raw = reader.value(name) else { continue }
                if let parsed = RateLimit.parse(raw) { limits[keyPath: path] = parsed } else {
                    reader.problems.append("\(name)=\(raw): must be COUNT/SECONDS, like 600/60, or off")
                }
            }
        }
        limits.trustedProxyHops = reader.integer("ATELIER_TRUSTED_PROXY_HOPS", default: limits.trustedProxyHops, in: 0...10)
        limits.ipv6PrefixLength = reader.integer("ATELIER_RATE_LIMIT_IPV6_PREFIX", default: limits.ipv6PrefixLength, in: 16...128)
        if let raw = reader.value("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR") {
            if ["off", "none", "0"].contains(raw.lowercased()) {
                limits.uploadBytesPerHour = nil
            } else if let bytes = Int(raw), (1024...1_099_511_627_776).contains(bytes) {
                limits.uploadBytesPerHour = bytes
            } else {
                reader.problems.append("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR=\(raw): must be a number of bytes from 1024, or off")
            }
        }
        return limits
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("PORT", "8080", "TCP port of the HTTP API"),
        .init("ATELIER_HOSTNAME", "127.0.0.1", "address to bind; 0.0.0.0 to accept connections from other hosts"),
        .init("ATELIER_DATA_DIR", "./data", "folder of the SQLite file (atelier.sqlite), local assets and outgoing mail"),
        .init("ATELIER_MAX_BODY_BYTES", "1048576", "largest request body accepted; larger ones get 413"),
        .init("ATELIER_LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        .init("ATELIER_LOG_FORMAT", "json", "json (one object per line) or text"),
        .init("ATELIER_BOOTSTRAP_ADMIN_KEY", "true", "on an empty database, create and print one admin API key"),
        .init("ATELIER_SEED_DEMO", "true", "load the demo catalog on the first start of an empty database"),
        .init("ATELIER_CATALOG_POLL_MS", "1000", "how often a node checks for catalog changes made by other nodes"),
        .init("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR", "52428800", "bytes one client address may upload per hour (sliding); off for none"),
        .init("ATELIER_RATE_LIMIT_IPV6_PREFIX", "56", "IPv6 clients are counted per network of this prefix length (48, 56 or 64 …)"),
        .init("ATELIER_HTTP_IDLE_TIMEOUT_SECONDS", "60", "a connection without a request for this long is closed (slow or idle clients)"),
        .init("ATELIER_SHUTDOWN_TIMEOUT_SECONDS", "20", "on SIGTERM, how long requests and jobs in flight may take to finish before they are cancelled"),
        .init("ATELIER_DRAIN_SECONDS", "5", "on SIGTERM, how long the node keeps serving with /health/ready at 503 before it stops accepting connections (SIGINT skips it)"),
        .init("ATELIER_TLS_CERT_FILE", "(unset: plain HTTP)", "PEM certificate chain: with ATELIER_TLS_KEY_FILE, serve HTTPS (TLS 1.2+, HTTP/2 by ALPN); re-read on SIGHUP"),
        .init("ATELIER_TLS_KEY_FILE", "(unset)", "PEM private key of that certificate"),
        .init("ATELIER_TLS_RELOAD_SECONDS", "60", "how often the certificate files are checked for a change"),
        .init("ATELIER_HSTS_MAX_AGE_SECONDS", "31536000", "Strict-Transport-Security max-age sent when TLS is on; 0 for none"),
        .init("ATELIER_METRICS_TOKEN", "(unset: /metrics answers loopback clients only)", "bearer token /metrics asks for from any address"),
        .init("ATELIER_WORKERS", "1", "job workers inside serve; 0 leaves jobs to `atelier worker`"),
        .init("ATELIER_PUBLIC_URL", "http://HOSTNAME:PORT", "the API's public address, for the asset and preview links sent to the fulfillment service"),
        .init("ATELIER_CORS_ORIGINS", "(unset: no cross-origin calls)", "comma-separated storefront origins, like https://shop.example, allowed to call from browsers"),
        .init("ATELIER_RATE_LIMITING", "true", "false turns every rate limit off (benchmarks, a limiter in front of several nodes)"),
        .init("ATELIER_RATE_LIMIT_GENERAL", "600/60", "COUNT/SECONDS: public requests per client address and per session key; off for none"),
        .init("ATELIER_RATE_LIMIT_CHECKOUT", "20/60", "COUNT/SECONDS for checkout and payment calls (POST /checkout…), in place of the general limit"),
        .init("ATELIER_RATE_LIMIT_UPLOAD", "30/60", "COUNT/SECONDS for uploads and preview renders, in place of the general limit"),
        .init("ATELIER_RATE_LIMIT_WEBHOOK", "300/60", "COUNT/SECONDS per client address for POST /webhooks/paypal (each unseen delivery costs a call to PayPal)"),
        .init("ATELIER_TRUSTED_PROXY_HOPS", "0", "proxies of yours in front that append to X-Forwarded-For; the client is that many entries from the right"),
    ]
}
