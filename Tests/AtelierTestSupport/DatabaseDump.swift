import Atelier
import Foundation
import SQLKit

/// Every value of every row of every table, as text: what a dump of the database holds.
public enum DatabaseDump {
    /// With `opening`, every sealed value is followed by what it opens to: a dump read by someone who also
    /// holds the keys.
    public static func text(_ db: any SQLDatabase, opening cipher: PersonalDataCipher? = nil) async throws -> String {
        let tables: [String]
        if db.dialect.name == "postgresql" {
            tables = try await db.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
                .all(decodingColumn: "table_name", as: String.self)
        } else {
            tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all(decodingColumn: "name", as: String.self)
        }
        var text = ""
        for table in tables {
            let cast = db.dialect.name == "postgresql" ? "SELECT row_to_json(t)::text AS r FROM \(table) t" : "SELECT * FROM \(table)"
            for row in try await db.raw(SQLQueryString(cast)).all() {
                for column in row.allColumns {
                    guard let value = try? row.decode(column: column, as: String.self) else { continue }
                    text += value + "\n"
                    guard let cipher else { continue }
                    // Sealed values stand alone in a column (SQLite) or inside the row's JSON (PostgreSQL).
                    let candidates = value.split(whereSeparator: { $0 == "\"" || $0 == "\n" }).filter { $0.hasPrefix("v1.") }
                    for sealed in candidates {
                        if let opened = try? cipher.open(String(sealed)) { text += opened + "\n" }
                    }
                }
            }
        }
        return text
    }
}
