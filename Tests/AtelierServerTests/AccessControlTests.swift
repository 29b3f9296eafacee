import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Role checks for every secured operation, generated from the contract's route table rather than a
/// hand-picked list: a new admin route is covered the moment it is added to the document.
@Suite struct AccessControlTests {
    static let routes = try! ContractDocument.load().routes.allRoutes

    static func uri(_ template: String) -> String {
        template.replacingOccurrences(of: #"\{[^}]+\}"#, with: "key_00000000000000000000000000", options: .regularExpression)
    }

    @Test func everyAdminRouteIsSecuredAndAdminsMayCallIt() {
        let admin = Self.routes.filter { $0.template.hasPrefix("/admin/") }
        #expect(!admin.isEmpty)
        for route in admin {
            #expect(route.roles?.contains(.admin) == true, "\(route.method) \(route.template) is not secured for admin")
        }
    }

    @Test func missingMalformedUnknownAndRevokedKeysAre401OnEverySecuredRoute() async throws {
        try await withApp { app in
            let (revoked, revokedID) = try await app.makeKey(.admin, name: "to revoke")
            let revoke = try await app.send(.post, "/admin/api-keys/\(revokedID)/revoke", token: app.adminToken)
            #expect(revoke.status == .ok)
            let unknown = "atk_" + String(repeating: "0", count: 26) + "_" + String(repeating: "A", count: 43)
            let headerSets: [(String, HTTPFields)] = [
                ("none", [:]),
                ("malformed", [.authorization: "Bearer"]),
                ("basic", [.authorization: "Basic YWRtaW46YWRtaW4="]),
                ("garbage", [.authorization: "Bearer not-a-key"]),
                ("unknown", [.authorization: "Bearer \(unknown)"]),
                ("revoked", [.authorization: "Bearer \(revoked)"]),
            ]
            for route in Self.routes where route.roles != nil {
                for (label, headers) in headerSets {
                    let response = try await app.send(route.method, Self.uri(route.template), json: route.method == .post ? "{}" : nil, headers: headers)
                    #expect(response.status == .unauthorized, "\(label): \(route.method) \(route.template)")
                    #expect(response.problemCode == "unauthorized", "\(label): \(route.method) \(route.template)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
            }
        }
    }

    @Test func everyRoleOutsideAnOperationsListIs403AndEveryRoleInsideGetsThrough() async throws {
        try await withApp { app in
            var tokens: [Role: String] = [.admin: app.adminToken]
            for role in Role.allCases where role != .admin {
                tokens[role] = try await app.makeKey(role, name: role.rawValue).token
            }
            for route in Self.routes {
                guard let allowed = route.roles else { continue }
                for role in Role.allCases {
                    // Path ids name nothing that exists, so allowed calls change nothing and the matrix stays intact.
                    let response = try await app.send(route.method, Self.uri(route.template), token: tokens[role],
                                                      json: route.method == .post ? "{}" : nil)
                    if allowed.contains(role) {
                        #expect(![401, 403].contains(response.status.code), "\(role) refused on \(route.method) \(route.template)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) not refused on \(route.method) \(route.template)")
                        #expect(response.problemCode == "forbidden")
                    }
                }
            }
        }
    }

    @Test func publicRoutesNeedNoKey() async throws {
        try await withApp { app in
            for route in Self.routes where route.roles == nil {
                let response = try await app.send(route.method, Self.uri(route.template), json: route.method == .post ? "{}" : nil)
                #expect(![401, 403].contains(response.status.code), "\(route.method) \(route.template)")
                if route.method == .get, !route.template.contains("{") {
                    #expect(response.status == .ok, "\(route.template)")
                }
            }
        }
    }
}
