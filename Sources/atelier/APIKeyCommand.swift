import ArgumentParser
import Atelier
import Foundation

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Create, list and revoke admin API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its token is printed alone on the last line.")

        @Option(help: "admin, designer, operations or viewer.") var role: String
        @Option(help: "Who or what uses the key.") var name: String = "cli"

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let issued = try await withDatabase { database, _ in
                try await database.withConnection { db in
                    try await APIKeyStore().create(name: name, role: role, on: db)
                }
            }
            print("Created \(issued.key.role.rawValue) key \(issued.key.id) (\(issued.key.name)). The token is shown only now:")
            print(issued.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every key, active and revoked.")

        func run() async throws {
            let keys = try await withDatabase { database, _ in
                try await database.withConnection { db in
                    var all: [APIKey] = []
                    var page = PageRequest(limit: PageRequest.maxLimit)
                    while true {
                        let result = try await APIKeyStore().list(page: page, on: db)
                        all += result.items
                        guard let next = result.nextCursor else { return all }
                        page = try PageRequest(limit: PageRequest.maxLimit, cursor: next)
                    }
                }
            }
            let formatter = ISO8601DateFormatter()
            for key in keys {
                let state = key.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                let used = key.lastUsedAt.map { "last used \(formatter.string(from: $0))" } ?? "never used"
                print("\(key.id)  \(key.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(state)  \(used)  \(key.name)")
            }
            if keys.isEmpty { print("No API keys.") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.")

        @Argument(help: "The key's id (key_…).") var id: String

        func run() async throws {
            let key = try await withDatabase { database, _ in
                try await database.transaction { db in try await APIKeyStore().revoke(id: id, allowingLastAdmin: true, on: db) }
            }
            print("Revoked \(key.id) (\(key.name)).")
        }
    }
}
