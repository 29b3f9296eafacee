import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

/// What an anonymous client could use to exhaust the server, or read what it should not.
@Suite struct HardeningTests {
    @Test func metricsNeedTheTokenOrALoopbackCaller() async throws {
        let token = "metrics-token-0123456789"
        try await withApp(configure: { $0.server.metricsToken = token }) { app in
            let anonymous = try await app.send(.get, "/metrics")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.problemCode == "metrics_token_required")
            #expect(try await app.send(.get, "/metrics", token: "wrong-token-0123456789").status == .unauthorized)
            #expect(try await app.send(.get, "/metrics", token: token).status == .ok)
        }
        let loopback = MetricsAccess(token: nil)
        #expect(loopback.allows(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 1), authorization: nil))
        #expect(loopback.allows(remoteAddress: try SocketAddress(ipAddress: "::1", port: 1), authorization: nil))
        #expect(!loopback.allows(remoteAddress: try SocketAddress(ipAddress: "203.0.113.5", port: 1), authorization: nil))
        #expect(loopback.allows(remoteAddress: nil, authorization: nil))  // in-process, no network peer
    }

    @Test func overlongTargetsAndHeadersAreRefusedFirst() async throws {
        try await withApp { app in
            let uri = try await app.send(.get, "/products?q=" + String(repeating: "a", count: 9000))
            #expect(uri.status.code == 414)
            #expect(uri.problemCode == "uri_too_long")
            let cookie = try await app.send(.get, "/cart", headers: [.cookie: "atelier_session=" + String(repeating: "c", count: 9000)])
            #expect(cookie.status.code == 431)
            #expect(cookie.problemCode == "headers_too_large")
            var many = HTTPFields()
            for i in 0..<10 { many.append(HTTPField(name: HTTPField.Name("X-Junk-\(i)")!, value: String(repeating: "j", count: 4000))) }
            #expect(try await app.send(.get, "/products", headers: many).status.code == 431)
            #expect(try await app.send(.get, "/products?limit=5").status == .ok)
        }
    }

    @Test func sessionAnswersAreNeverCached() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let created = try await app.send(.post, "/sessions", json: #"{"product":"3d-printed-figurine"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.cacheControl] == "no-store")
            let id = try created.json()["id"] as! String
            #expect(try await app.send(.get, "/sessions/\(id)").headers[.cacheControl] == "no-store")
            // A key the template does not know is refused, not stored.
            let unknown = try await app.send(.patch, "/sessions/\(id)", json: #"{"zones":{"nope":{"text":{"text":"x"}}}}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.problemCode == "session_invalid")
        }
    }

    @Test func uploadsAreChargedToTheClientsHourlyQuota() async throws {
        let image = ImageBytes.png(width: 64, height: 48)
        try await withApp(configure: {
            $0.server.rateLimits = RateLimitSettings(trustedProxyHops: 1)
            $0.server.rateLimits.uploadBytesPerHour = image.count * 2 + 10
        }) { app in
            func upload(_ bytes: [UInt8], from client: String) async throws -> TestResponse {
                try await app.client.execute(uri: "/assets", method: .post,
                                             headers: [.contentType: "image/png", .xForwardedFor: client], body: ByteBuffer(bytes: bytes))
            }
            let first = try await upload(image, from: "198.51.100.1")
            #expect(first.status == .created, "\(first.text)")
            // The same bytes again: the same asset, and the same answer as a first upload (nothing tells what others sent).
            let again = try await upload(image, from: "198.51.100.1")
            #expect(again.status == .created)
            #expect(try again.json()["id"] as? String == first.json()["id"] as? String)
            let refused = try await upload(image, from: "198.51.100.1")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.problemCode == "upload_quota_exceeded")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another client has its own quota.
            #expect(try await upload(image, from: "198.51.100.2").status == .created)
        }
    }

    @Test func theQuotaRefillsEvenlyAndChargesNothingForARefusal() throws {
        let clock = Mutex<Double>(0)
        let quota = UploadQuota(bytesPerHour: 3600) { clock.withLock { $0 } }
        try quota.charge("a", bytes: 3000)
        #expect(throws: AtelierError.self) { try quota.charge("a", bytes: 1000) }
        try quota.charge("a", bytes: 600)
        clock.withLock { $0 = 100 }  // 100 s later, 100 bytes are back
        #expect(throws: AtelierError.self) { try quota.charge("a", bytes: 101) }
        try quota.charge("a", bytes: 100)
        try quota.charge("b", bytes: 3600)
    }

    @Test func assetIdsAreKeyedSoNobodyCanTestForAFile() {
        let bytes = Array("the same bytes".utf8)
        let shop = AssetIdentity(key: PersonalDataCipher.random().derivedKey(purpose: "asset ids"))
        let other = AssetIdentity(key: PersonalDataCipher.random().derivedKey(purpose: "asset ids"))
        #expect(shop.id(for: bytes) == shop.id(for: bytes))
        #expect(shop.id(for: bytes) != other.id(for: bytes))
        #expect(shop.id(for: bytes) != AssetIdentity.unkeyed.id(for: bytes))
        #expect(shop.id(for: bytes).hasPrefix("ast_") && shop.id(for: bytes).count == 68)
    }

    @Test func theBootstrapKeyFileIsReadableByItsOwnerOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + BootstrapKeyOutput.fileName
        try BootstrapKeyOutput.write("atk_secret\n", toPrivateFile: path)
        try BootstrapKeyOutput.write("atk_newer\n", toPrivateFile: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "atk_newer\n")
    }

    @Test func gatedServicesStartOnlyOnceTheGateOpens() async throws {
        let gate = StartGate()
        let started = Mutex(false)
        struct Probe: Service {
            let started: @Sendable () -> Void
            func run() async throws { started() }
        }
        let gated = StartGate.Gated(gate: gate, service: Probe { started.withLock { $0 = true } })
        let task = Task { try await gated.run() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(started.withLock { $0 } == false)
        gate.open()
        try await task.value
        #expect(started.withLock { $0 } == true)
    }

    @Test func aClientThatNeverFinishesItsRequestHeadIsCutOff() async throws {
        try await withApp(configure: { $0.server.httpIdleTimeout = .seconds(1) }, live: true) { app in
            let port = try #require(app.client.port)
            let started = ContinuousClock.now
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            // Bounded either way: after 10 s the test closes the connection itself, and then fails below.
            let giveUp = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
            // Half a request head; on a busy machine the server may already have closed the idle connection.
            try? await channel.writeAndFlush(ByteBuffer(string: "GET /products HTTP/1.1\r\nHost: shop\r\nX-Slow: ")).get()
            try await channel.closeFuture.get()
            giveUp.cancel()
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(5), "the server kept a half-sent request open for \(waited)")
        }
    }

    @Test func aFileHiddenBehindASmallPictureIsRefused() async throws {
        try await withApp { app in
            // A valid 24×16 PNG followed by 300 KB that no such image could need: decoders stop at the image's end.
            let small = ImageBytes.png(width: 24, height: 16)
            #expect(try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: "image/png"],
                                                 body: ByteBuffer(bytes: small)).status == .created)
            let padded = small + (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let refused = try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: "image/png"],
                                                       body: ByteBuffer(bytes: padded))
            #expect(refused.status == .unsupportedMediaType)
            #expect(refused.problemCode == "unsupported_image_type")
            #expect(refused.text.contains("larger than a 24×16 px image can be"))
        }
    }

    @Test func decodesRunOneAtATime() async throws {
        let gate = SerialGate()
        let running = ConcurrencyProbe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await gate.run {
                        running.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try await Task.sleep(for: .milliseconds(20))
                        running.state.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(running.state.withLock { $0.most } == 1)
    }
}

/// How many pieces of work run at once, and the most that ever did.
final class ConcurrencyProbe: Sendable {
    let state = Mutex<(now: Int, most: Int)>((0, 0))
}
