import ArgumentParser
import Atelier
import Foundation

/// The operator console's staff accounts, from the command line: the way in when nobody can sign in.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Create, list, disable, enable staff accounts of the operator console and reset their passwords.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, ResetPassword.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account; its one-time password is printed alone on the last line."
        )

        @Option(help: "The email the person signs in with.") var email: String
        @Option(help: "admin, designer, operations or viewer.") var role: String
        @Option(help: "The name the console shows (default: the part of the email before @).") var name: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let displayName = name ?? String(email.trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
            do throws(AtelierError) {
                _ = try StaffStore.validateEmail(email)
                _ = try StaffStore.validateName(displayName)
            } catch {
                throw ValidationError(error.errors.map(\.message).joined(separator: " "))
            }
            let issued = try await withDatabase { database, configuration in
                try await database.transaction { db in
                    try await StaffStore(settings: configuration.staff).create(email: email, displayName: displayName, role: role, on: db)
                }
            }
            let account = issued.account
            print("Created \(account.role.rawValue) account \(account.id) for \(account.email) (\(account.displayName)).")
            print("Its one-time password is shown only now; a new one is chosen at the first sign-in:")
            print(issued.oneTimePassword)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every account, active and disabled.")

        func run() async throws {
            let accounts = try await withDatabase { database, configuration in
                try await database.withConnection { db in
                    let store = StaffStore(settings: configuration.staff)
                    var all: [StaffAccount] = []
                    var page = PageRequest(limit: PageRequest.maxLimit)
                    while true {
                        let result = try await store.list(page: page, on: db)
                        all += result.items
                        guard let next = result.nextCursor else { return all }
                        page = try PageRequest(limit: PageRequest.maxLimit, cursor: next)
                    }
                }
            }
            let formatter = ISO8601DateFormatter()
            for account in accounts {
                let state = account.disabledAt.map { "disabled \(formatter.string(from: $0))" }
                    ?? (account.mustChangePassword ? "active (one-time password)" : "active")
                print("\(account.id)  \(account.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(state)  \(account.email)  \(account.displayName)")
            }
            if accounts.isEmpty { print("No staff accounts.") }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account and end its sessions at once (never the last active admin)."
        )

        @Option(help: "The account's email.") var email: String

        func run() async throws {
            let account = try await onAccount(email) { store, id, db in try await store.disable(id: id, on: db) }
            print("Disabled \(account.id) (\(account.email)); its sessions have ended.")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled account sign in again.")

        @Option(help: "The account's email.") var email: String

        func run() async throws {
            let account = try await onAccount(email) { store, id, db in try await store.enable(id: id, on: db) }
            print("Enabled \(account.id) (\(account.email)).")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give an account a new one-time password (printed alone on the last line) and end its sessions."
        )

        @Option(help: "The account's email.") var email: String

        func run() async throws {
            let issued = try await onAccount(email) { store, id, db in try await store.resetPassword(id: id, on: db) }
            let account = issued.account
            print("Reset the password of \(account.id) (\(account.email)); its sessions have ended.")
            if account.isDisabled { print("The account is disabled: `atelier staff enable --email \(account.email)` lets it sign in.") }
            print("Its one-time password is shown only now; a new one is chosen at the next sign-in:")
            print(issued.oneTimePassword)
        }
    }
}

/// Runs `change` on the account that signs in as `email`, in one transaction.
private func onAccount<T: Sendable>(
    _ email: String, _ change: @escaping @Sendable (StaffStore, String, DatabaseConnection) async throws -> T
) async throws -> T {
    try await withDatabase { database, configuration in
        try await database.transaction { db in
            let store = StaffStore(settings: configuration.staff)
            return try await change(store, try await existing(email, store, db).id, db)
        }
    }
}

/// The account of an email, or the error the command line shows.
private func existing(_ email: String, _ store: StaffStore, _ db: DatabaseConnection) async throws -> StaffAccount {
    guard let account = try await store.find(email: email, on: db) else {
        throw AtelierError(.notFound, code: .staffNotFound, title: "Not found", detail: "No staff account signs in as \(email).")
    }
    return account
}
