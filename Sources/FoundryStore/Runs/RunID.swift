/// A run's id and directory name under `runs/`: a slug by the same rule as a
/// project id (`run-000007` when the server allocates it), so nothing else
/// can name a directory there.
public struct RunID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws {
        guard (try? ProjectID(text)) != nil else {
            throw StoreError.invalidArgument("invalid run id '\(text.prefix(80))': use 1-63 characters of a-z, 0-9 and '-'")
        }
        rawValue = text
    }

    /// `run-000007`: the id the server gives its `number`th run.
    init(number: Int) {
        let digits = String(number)
        rawValue = "run-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The number of a server-allocated id (`run-000007` → 7); `nil` for other names.
    var number: Int? {
        guard rawValue.hasPrefix("run-") else { return nil }
        let digits = rawValue.dropFirst(4)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    public var description: String { rawValue }

    public static func < (lhs: RunID, rhs: RunID) -> Bool {
        switch (lhs.number, rhs.number) {
        case let (left?, right?): return left < right
        default: return lhs.rawValue < rhs.rawValue
        }
    }
}
