@testable import AtelierServer
import Foundation
import Testing

@Suite struct TLSCertificatesTests {
    /// A self-signed certificate and its key, made by openssl into `folder` as NAME.pem and NAME.key.
    static func makePair(_ name: String, in folder: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name)",
                             "-keyout", folder.appendingPathComponent("\(name).key").path,
                             "-out", folder.appendingPathComponent("\(name).pem").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl could not make \(name)") }
    }

    @Test func aRenewedPairIsServedAndABrokenOneIsRefusedKeepingTheOld() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["first", "second", "third"] { try Self.makePair(name, in: folder) }
        let certificate = folder.appendingPathComponent("server.pem"), key = folder.appendingPathComponent("server.key")
        func install(_ certificateOf: String, _ keyOf: String) throws {
            for (target, source) in [(certificate, "\(certificateOf).pem"), (key, "\(keyOf).key")] {
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: folder.appendingPathComponent(source), to: target)
            }
        }
        try install("first", "first")
        let certificates = try TLSCertificates(certificateFile: certificate.path, keyFile: key.path)
        let first = certificates.serial
        #expect(!certificates.filesChanged)

        // A certificate whose key is another's: refused, the first pair stays in use.
        try install("second", "third")
        #expect(throws: (any Error).self) { try certificates.reload() }
        #expect(certificates.serial == first)

        // The matching pair: served from now on.
        try install("second", "second")
        try certificates.reload()
        #expect(certificates.serial != first)
        #expect(!certificates.filesChanged)
        #expect(certificates.serverConfiguration().minimumTLSVersion == .tlsv12)
    }
}
