import AtelierCore
import Foundation

/// Deletes console sessions that are over and sign-in failures whose window and lockout have passed; queued
/// periodically (one job per interval across all nodes).
public enum StaffCleanupJobs {
    public static let kind = "staff.cleanup"

    public static func handler(database: any DatabaseClient, sessions: StaffSessionStore, throttle: LoginThrottle,
                               clock: WallClock) -> JobHandler {
        JobHandler(kind: kind) { _ in
            // Ended or expired sessions are kept a day for the record, then deleted.
            let cutoff = clock.now.addingTimeInterval(-86_400)
            let (removedSessions, removedAttempts) = try await database.transaction { db in
                (try await sessions.deleteExpired(before: cutoff, on: db), try await throttle.deleteExpired(on: db))
            }
            return "deleted \(removedSessions) console session(s) and \(removedAttempts) sign-in throttle row(s)"
        }
    }
}
