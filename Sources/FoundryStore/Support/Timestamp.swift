import Foundation

/// UTC instants as fixed-width ISO 8601 strings with milliseconds
/// (`2026-11-25T02:30:00.123Z`): readable with `cat`, sortable as text.
public enum Timestamp {
    public static func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), min(millis, 999)
        )
    }

    /// Parses what `string(from:)` writes (fractional part optional); `nil` otherwise.
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ start: Int, _ length: Int) -> Int32? {
            guard start + length <= bytes.count else { return nil }
            var value: Int32 = 0
            for byte in bytes[start..<(start + length)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        var seconds = Double(timegm(&parts))
        if bytes.count > 21, bytes[19] == UInt8(ascii: "."), let millis = number(20, bytes.count - 21) {
            seconds += Double(millis) / pow(10, Double(bytes.count - 21))
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
