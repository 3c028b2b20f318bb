import Hummingbird

extension Parameters {
    /// An integer query parameter within `range`, or `default` when absent.
    func intValue(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = self[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("INVALID_QUERY", "'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func optionalInt(_ name: String) throws -> Int? {
        guard let text = self[Substring(name)] else { return nil }
        guard let number = Int(text) else { throw APIError.badRequest("INVALID_QUERY", "'\(name)' must be a whole number") }
        return number
    }
}
