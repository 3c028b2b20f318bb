import Foundation

/// The freshness lifetime a response's `Cache-Control` gives (RFC 9111
/// §5.2.2.1): `max-age=N` in seconds; `no-store`/`no-cache` mean zero.
enum CacheControl {
    static func maxAge(_ header: String?) -> TimeInterval? {
        guard let header else { return nil }
        for directive in header.lowercased().split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.first {
            case "no-store", "no-cache": return 0
            case "max-age": if parts.count == 2, let seconds = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))), seconds >= 0 { return TimeInterval(seconds) }
            default: continue
            }
        }
        return nil
    }
}
