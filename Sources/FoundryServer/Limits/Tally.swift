/// Counts per key, holding no entry for a count of zero (so a ledger of
/// clients long gone is empty).
struct Tally<Key: Hashable & Sendable>: Sendable {
    private var counts: [Key: Int] = [:]

    subscript(key: Key) -> Int { counts[key] ?? 0 }

    /// Whether `key` may have one more under `limit` (0: no limit).
    func allows(_ key: Key, limit: Int) -> Bool {
        limit == 0 || self[key] < limit
    }

    mutating func add(_ key: Key) {
        counts[key, default: 0] += 1
    }

    mutating func remove(_ key: Key) {
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }

    /// Keys with a count above zero.
    var count: Int { counts.count }
}
