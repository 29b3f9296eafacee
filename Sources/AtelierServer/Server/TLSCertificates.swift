import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The server's certificate chain and key, read from their PEM files and swapped in place when they change.
///
/// Every TLS handshake asks `contextOverride` for the pair to present, so a new certificate is served from the
/// next handshake on, while connections already open keep the session they made. A pair that fails to load (a
/// half-written file, a key that does not match) is refused and the previous one stays.
final class TLSCertificates: Sendable {
    struct Pair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        /// The files' modification times when they were read.
        var stamp: [Date?]
    }

    let certificateFile: String
    let keyFile: String
    private let current: Mutex<Pair>

    init(certificateFile: String, keyFile: String) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.current = Mutex(try Self.read(certificateFile: certificateFile, keyFile: keyFile))
    }

    /// The server's TLS: 1.2 and later, the loaded pair, and the pair asked for again at each handshake.
    func serverConfiguration() -> TLSConfiguration {
        let pair = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) }, privateKey: .privateKey(pair.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            let pair = current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
        return configuration
    }

    /// Whether the files were modified since they were read.
    var filesChanged: Bool {
        let stamp = Self.stamp(certificateFile, keyFile)
        return current.withLock { $0.stamp } != stamp
    }

    /// Reads the files again; on failure the pair in use stays and the error is thrown.
    func reload() throws {
        let pair = try Self.read(certificateFile: certificateFile, keyFile: keyFile)
        current.withLock { $0 = pair }
    }

    /// The leaf certificate's serial number in hex, for the log.
    var serial: String {
        current.withLock { pair in
            pair.chain.first.map { Self.hex($0.serialNumber) } ?? "none"
        }
    }

    private static func read(certificateFile: String, keyFile: String) throws -> Pair {
        let stamp = stamp(certificateFile, keyFile)
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        guard !chain.isEmpty else { throw TLSFileError(file: certificateFile, reason: "holds no certificate") }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        // A key that does not belong to the certificate would fail every handshake: refuse it now.
        var check = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        check.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: check)
        } catch {
            throw TLSFileError(file: keyFile, reason: "does not match the certificate in \(certificateFile) (\(error))")
        }
        return Pair(chain: chain, key: key, stamp: stamp)
    }

    private static func stamp(_ files: String...) -> [Date?] {
        files.map { (try? FileManager.default.attributesOfItem(atPath: $0))?[.modificationDate] as? Date }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A certificate or key file that cannot be used, named.
struct TLSFileError: Error, CustomStringConvertible {
    let file: String
    let reason: String
    var description: String { "\(file) \(reason)" }
}
