/// Latency samples in nanoseconds, summarized as milliseconds.
struct Percentiles {
    private let sorted: [UInt64]

    init(_ samples: [UInt64]) {
        sorted = samples.sorted()
    }

    var count: Int { sorted.count }

    /// The `p`-th percentile (0–100) in milliseconds, nearest rank.
    func milliseconds(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return Double(sorted[min(max(rank, 0), sorted.count - 1)]) / 1_000_000
    }

    func line(_ label: String, target: String) -> String {
        let figures = [50, 90, 99, 99.9].map { "p\($0 == 99.9 ? "99.9" : String(Int($0)))=" + String(format: "%.2f", milliseconds($0)) }.joined(separator: " ")
        return "\(label): n=\(count) \(figures) ms   (target: \(target))"
    }
}
