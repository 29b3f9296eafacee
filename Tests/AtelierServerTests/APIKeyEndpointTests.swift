import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct APIKeyEndpointTests {
    @Test func theBootstrapKeyIsAnAdminKeyAndCanMintOthers() async throws {
        try await withApp { app in
            let me = try await app.send(.get, "/admin/me", token: app.adminToken)
            #expect(me.status == .ok)
            #expect(try me.json()["role"] as? String == "admin")

            let created = try await app.send(.post, "/admin/api-keys", token: app.adminToken,
                                             json: #"{"name":"Ops dashboard","role":"operations"}"#)
            #expect(created.status == .created)
            let body = try created.json()
            let token = try #require(body["token"] as? String)
            let key = try #require(body["key"] as? [String: Any])
            #expect(key["role"] as? String == "operations")
            #expect(key["name"] as? String == "Ops dashboard")

            let asOps = try await app.send(.get, "/admin/me", token: token)
            #expect(try asOps.json()["id"] as? String == key["id"] as? String)
            // The token is never shown again.
            let fetched = try await app.send(.get, "/admin/api-keys/\(key["id"] as! String)", token: app.adminToken)
            #expect(fetched.status == .ok)
            #expect(!fetched.text.contains(token))
            #expect(try fetched.json()["lastUsedAt"] != nil)
        }
    }

    @Test func listsPageByPage() async throws {
        try await withApp { app in
            for i in 0..<4 { _ = try await app.makeKey(.viewer, name: "v\(i)") }
            var names: [String] = []
            var uri = "/admin/api-keys?limit=2"
            var pages = 0
            while true {
                let response = try await app.send(.get, uri, token: app.adminToken)
                #expect(response.status == .ok)
                let body = try response.json()
                names += (body["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                pages += 1
                guard let next = body["nextCursor"] as? String else { break }
                uri = "/admin/api-keys?limit=2&cursor=\(next)"
            }
            #expect(names == [Bootstrap.adminKeyName, "v0", "v1", "v2", "v3"])
            #expect(pages == 3)
        }
    }

    @Test func revokingStopsAKeyAtOnceAndNobodyRevokesTheKeyTheyUse() async throws {
        try await withApp { app in
            let (token, id) = try await app.makeKey(.designer)
            #expect(try await app.send(.get, "/admin/me", token: token).status == .ok)
            let revoked = try await app.send(.post, "/admin/api-keys/\(id)/revoke", token: app.adminToken)
            #expect(revoked.status == .ok)
            #expect(try revoked.json()["revokedAt"] != nil)
            #expect(try await app.send(.get, "/admin/me", token: token).status == .unauthorized)

            let me = try await app.send(.get, "/admin/me", token: app.adminToken)
            let adminID = try me.json()["id"] as! String
            let own = try await app.send(.post, "/admin/api-keys/\(adminID)/revoke", token: app.adminToken)
            #expect(own.status == .conflict)
            #expect(own.problemCode == "revoking_own_key")
            #expect(try await app.send(.get, "/admin/me", token: app.adminToken).status == .ok)
            // Another admin may revoke it; that admin is then still there, so the shop is never locked out.
            let (second, _) = try await app.makeKey(.admin, name: "second admin")
            #expect(try await app.send(.post, "/admin/api-keys/\(adminID)/revoke", token: second).status == .ok)
            #expect(try await app.send(.get, "/admin/me", token: app.adminToken).status == .unauthorized)
            #expect(try await app.send(.get, "/admin/me", token: second).status == .ok)
        }
    }

    @Test func unknownKeysAre404() async throws {
        try await withApp { app in
            for id in ["key_00000000000000000000000000", "nonsense", "key_"] {
                let response = try await app.send(.get, "/admin/api-keys/\(id)", token: app.adminToken)
                #expect(response.status == .notFound, "\(id)")
                #expect(response.problemCode == "not_found")
                #expect(try await app.send(.post, "/admin/api-keys/\(id)/revoke", token: app.adminToken).status == .notFound)
            }
        }
    }
}
