import Atelier
import Foundation
import OpenAPIRuntime

/// Reads every RFC 3339 date-time the contract allows — any number of fractional digits, `Z` or any
/// `±HH:MM` offset, years 0001–9999 — and writes UTC to the second, as before. Foundation's ISO 8601 parser
/// refuses some valid ones (long fractions, unusual offsets), which would turn a valid request into 400.
struct RFC3339Dates: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    func decode(_ text: String) throws -> Date {
        guard let date = Self.parse(text) else {
            throw AtelierError(.badRequest, code: .invalidDateTime, title: "Invalid date-time",
                               detail: "'\(text.prefix(40))' is not an RFC 3339 date-time like 2026-11-21T09:30:00Z.")
        }
        return date
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("Tt "),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2)
        else { return nil }
        var nanoseconds = 0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { nanoseconds *= 10 }
        }
        var offset = 0
        if expect("Zz") {
            offset = 0
        } else if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D {
            let sign = bytes[index] == 0x2D ? -1 : 1
            index += 1
            guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count, year >= 1, (1...12).contains(month), hour < 24, minute < 60, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard let base = calendar.date(from: components),
            calendar.component(.day, from: base) == day  // 31 February does not exist
        else { return nil }
        return base.addingTimeInterval(TimeInterval(-offset) + TimeInterval(nanoseconds) / 1e9)
    }
}
